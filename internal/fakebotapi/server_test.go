package fakebotapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const testToken = "123456:TEST-token"

func newBot(t *testing.T) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	srv := New(testToken)
	t.Cleanup(srv.Close)
	api, err := tgbotapi.NewBotAPIWithClient(testToken, srv.Endpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPI: %v", err)
	}
	return srv, api
}

func apiErr(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *tgbotapi.Error, got %T %v", err, err)
	}
	return e
}

func TestGetMe(t *testing.T) {
	_, api := newBot(t)
	if api.Self.ID != 123456 || !api.Self.IsBot || api.Self.UserName != DefaultUsername {
		t.Fatalf("getMe = %+v", api.Self)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv := New(testToken)
	defer srv.Close()
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("999:other", srv.Endpoint())
	if e := apiErr(t, err); e.Code != 401 || e.Message != "Unauthorized" {
		t.Fatalf("wrong token: %+v", e)
	}
	api, _ := tgbotapi.NewBotAPIWithAPIEndpoint(testToken, srv.Endpoint())
	_, err = api.MakeRequest("noSuchMethod", nil)
	if e := apiErr(t, err); e.Code != 404 || e.Message != "Not Found" {
		t.Fatalf("unknown method: %+v", e)
	}
	if _, err := api.MakeRequest("GETME", nil); err != nil {
		t.Fatalf("method names are case-insensitive: %v", err)
	}
	resp, err := http.Get(srv.URL() + "/bot999:other/getMe")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("HTTP status = %d, want 401", resp.StatusCode)
	}
}

func TestParamsFromQueryJSONAndForm(t *testing.T) {
	srv, _ := newBot(t)
	base := srv.URL() + "/bot" + testToken + "/sendMessage"
	post := func(req *http.Request) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	}
	q, _ := http.NewRequest("GET", base+"?chat_id=5&text=query&entities=null", nil)
	post(q)
	j, _ := http.NewRequest("POST", base, strings.NewReader(`{"chat_id":5,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`))
	j.Header.Set("Content-Type", "application/json")
	post(j)
	f, _ := http.NewRequest("POST", base, strings.NewReader(url.Values{"chat_id": {"5"}, "text": {"form"}}.Encode()))
	f.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post(f)
	got := srv.SentTo(5)
	if len(got) != 3 || got[0].Text != "query" || got[1].Text != "json" || got[2].Text != "form" {
		t.Fatalf("sent = %+v", got)
	}
	if len(got[1].Buttons) != 1 || got[1].Buttons[0][0].Data != "a" {
		t.Fatalf("JSON reply_markup object not read: %+v", got[1].Buttons)
	}
}

func TestGetUpdatesOffsetConfirms(t *testing.T) {
	srv, api := newBot(t)
	id1 := srv.SendText(42, 42, "/start abc")
	id2 := srv.SendGroupText(-100, 42, "/baocao@"+DefaultUsername+" x")
	srv.SendText(42, 42, "hello")

	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 2 || int64(ups[0].UpdateID) != id1 || int64(ups[1].UpdateID) != id2 {
		t.Fatalf("updates = %+v", ups)
	}
	m := ups[0].Message
	if !m.IsCommand() || m.Command() != "start" || m.CommandArguments() != "abc" || m.Chat.Type != "private" || !m.Chat.IsPrivate() {
		t.Fatalf("private command not recognised: %+v", m)
	}
	g := ups[1].Message
	if g.Command() != "baocao" || g.CommandWithAt() != "baocao@"+DefaultUsername || g.Chat.ID != -100 || g.Chat.IsPrivate() {
		t.Fatalf("group command not recognised: %+v", g)
	}
	if srv.Pending() != 3 {
		t.Fatalf("pending before confirmation = %d, want 3", srv.Pending())
	}
	// Unconfirmed updates are delivered again.
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{})
	if len(ups) != 3 {
		t.Fatalf("re-delivery of unconfirmed updates: got %d", len(ups))
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id2) + 1})
	if len(ups) != 1 || ups[0].Message.Text != "hello" || srv.Pending() != 1 {
		t.Fatalf("after offset: %d updates, pending %d", len(ups), srv.Pending())
	}
}

func TestLongPollReturnsWhenUpdateArrives(t *testing.T) {
	srv, api := newBot(t)
	done := make(chan []tgbotapi.Update, 1)
	go func() {
		ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- ups
	}()
	// Let the poll start waiting, then queue an update.
	for srv.Calls("getUpdates") == 0 {
		time.Sleep(time.Millisecond)
	}
	srv.SendText(1, 1, "hi")
	select {
	case ups := <-done:
		if len(ups) != 1 {
			t.Fatalf("got %d updates", len(ups))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not return when an update arrived")
	}
}

func TestConcurrentPollConflict(t *testing.T) {
	srv, api := newBot(t)
	first := make(chan error, 1)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		first <- err
	}()
	for srv.Calls("getUpdates") == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("second poll: %v", err)
	}
	select {
	case err := <-first:
		e := apiErr(t, err)
		if e.Code != 409 || e.Message != conflictPoll {
			t.Fatalf("first poll: %+v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("first poll was not terminated")
	}
}

func TestWebhook(t *testing.T) {
	srv, api := newBot(t)
	var mu sync.Mutex
	var got []string
	fails := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s3cret" {
			w.WriteHeader(401)
			return
		}
		if fails > 0 {
			fails--
			w.WriteHeader(500)
			return
		}
		var u tgbotapi.Update
		json.NewDecoder(r.Body).Decode(&u)
		got = append(got, u.Message.Text)
	}))
	defer hook.Close()

	if _, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	if u, s := srv.Webhook(); u != hook.URL || s != "s3cret" {
		t.Fatalf("Webhook() = %q %q", u, s)
	}
	_, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if e := apiErr(t, err); e.Code != 409 || e.Message != conflictWebhook {
		t.Fatalf("getUpdates with webhook: %+v", e)
	}
	info, err := api.GetWebhookInfo()
	if err != nil || info.URL != hook.URL {
		t.Fatalf("getWebhookInfo = %+v, %v", info, err)
	}
	srv.SendText(1, 1, "one")
	srv.SendText(1, 1, "two")
	deadline := time.Now().Add(5 * time.Second)
	for srv.Pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	if strings.Join(got, ",") != "one,two" {
		t.Fatalf("webhook got %v (500 must be retried, order kept)", got)
	}
	mu.Unlock()
	if _, err := api.MakeRequest("setWebhook", tgbotapi.Params{"url": hook.URL, "secret_token": "bad secret!"}); err == nil {
		t.Fatal("a secret with a space was accepted")
	}
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatalf("polling after deleteWebhook: %v", err)
	}
}

func TestSendMessageValidation(t *testing.T) {
	long := strings.Repeat("a", 4096)
	emoji := strings.Repeat("😀", 2049) // 4098 UTF-16 units
	tests := []struct {
		name, text, mode string
		markup           any
		want             string // description; "" = accepted
	}{
		{"plain", "xin chào", "", nil, ""},
		{"exactly 4096", long, "", nil, ""},
		{"4097", long + "b", "", nil, "Bad Request: message is too long"},
		{"tags do not count", "<b>" + long + "</b>", "HTML", nil, ""},
		{"entities count as one", strings.Repeat("&lt;", 4096), "HTML", nil, ""},
		{"UTF-16 units", emoji, "", nil, "Bad Request: message is too long"},
		{"empty", "", "", nil, "Bad Request: message text is empty"},
		{"spaces only", "  \n ", "", nil, "Bad Request: message text is empty"},
		{"tags only", "<b> </b>", "HTML", nil, "Bad Request: message text is empty"},
		{"allowed tags", `<b>a</b> <i>b</i> <a href="https://t.me/x?a=1&amp;b=2">c</a> <code>d</code> <pre>e</pre> <blockquote>f</blockquote> <span class="tg-spoiler">g</span> &quot;q&quot; &#39; & x > y`, "HTML", nil, ""},
		{"unsupported tag", "Hộ <x>y</x>", "HTML", nil, `Bad Request: can't parse entities: Unsupported start tag "x" at byte offset 5`},
		{"br", "a<br>b", "HTML", nil, `Bad Request: can't parse entities: Unsupported start tag "br" at byte offset 1`},
		{"lt not escaped", "1 < 2", "HTML", nil, `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"unclosed", "<b>bold", "HTML", nil, `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"unmatched", "<b>x</i>", "HTML", nil, `Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"unexpected end", "x</b>", "HTML", nil, "Bad Request: can't parse entities: Unexpected end tag at byte offset 1"},
		{"unclosed start tag", "x <b", "HTML", nil, "Bad Request: can't parse entities: Unclosed start tag at byte offset 2"},
		{"span without class", "<span>x</span>", "HTML", nil, `Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"html ignored without parse mode", "<x>", "", nil, ""},
		{"invalid utf-8", "a\xffb", "", nil, "Bad Request: text must be encoded in UTF-8"},
		{"callback 64 bytes", "k", "", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("b", strings.Repeat("x", 64)))), ""},
		{"callback 65 bytes", "k", "", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("b", strings.Repeat("x", 65)))), "Bad Request: BUTTON_DATA_INVALID"},
		{"url button", "k", "", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("open", "https://t.me/dvc_kienhai_bot?start=abc"))), ""},
		{"bad url button", "k", "", tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("open", "not a url"))), "Bad Request: BUTTON_URL_INVALID"},
	}
	srv, api := newBot(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tgbotapi.NewMessage(77, tc.text)
			msg.ParseMode = tc.mode
			msg.ReplyMarkup = tc.markup
			before := srv.SentCount()
			m, err := api.Send(msg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if m.MessageID == 0 || srv.SentCount() != before+1 {
					t.Fatalf("not recorded: %+v", m)
				}
				return
			}
			e := apiErr(t, err)
			if e.Code != 400 || e.Message != tc.want {
				t.Fatalf("got %d %q, want 400 %q", e.Code, e.Message, tc.want)
			}
			if srv.SentCount() != before {
				t.Fatal("a rejected message was recorded")
			}
		})
	}
}

func TestSentRecordsWhatTheUserSees(t *testing.T) {
	srv, api := newBot(t)
	msg := tgbotapi.NewMessage(9, "<b>Đã lưu</b> &lt;hộ&gt;")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Hoàn tác", "undo:1")),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Mở", "https://t.me/x")),
	)
	m1, err := api.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := api.Send(tgbotapi.NewMessage(9, "hai"))
	if m2.MessageID != m1.MessageID+1 {
		t.Fatalf("message ids %d, %d", m1.MessageID, m2.MessageID)
	}
	got := srv.SentTo(9)[0]
	want := SentMessage{Method: "sendMessage", ChatID: 9, MessageID: m1.MessageID, Text: "<b>Đã lưu</b> &lt;hộ&gt;",
		Plain: "Đã lưu <hộ>", ParseMode: "HTML", Buttons: [][]Button{{{Text: "Hoàn tác", Data: "undo:1"}}, {{Text: "Mở", URL: "https://t.me/x"}}}}
	got.Time = time.Time{}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Fatalf("recorded\n%s\nwant\n%s", gb, wb)
	}
}

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSendDocumentAndPhoto(t *testing.T) {
	srv, api := newBot(t)
	doc := tgbotapi.NewDocument(5, tgbotapi.FileBytes{Name: "baocao.xlsx", Bytes: []byte("PK\x03\x04data")})
	doc.Caption = "<b>Báo cáo</b>"
	doc.ParseMode = "HTML"
	m, err := api.Send(doc)
	if err != nil {
		t.Fatal(err)
	}
	if m.Document == nil || m.Document.FileName != "baocao.xlsx" {
		t.Fatalf("document result = %+v", m.Document)
	}
	photo := tgbotapi.NewPhoto(5, tgbotapi.FileBytes{Name: "chart.png", Bytes: pngBytes(t)})
	photo.Caption = "Biểu đồ"
	if _, err := api.Send(photo); err != nil {
		t.Fatal(err)
	}
	sent := srv.SentTo(5)
	if len(sent) != 2 || sent[0].Method != "sendDocument" || sent[0].Document.Name != "baocao.xlsx" ||
		string(sent[0].Document.Bytes) != "PK\x03\x04data" || sent[0].Plain != "Báo cáo" {
		t.Fatalf("document recorded as %+v", sent[0])
	}
	if sent[1].Method != "sendPhoto" || sent[1].Photo.Name != "chart.png" || sent[1].Text != "Biểu đồ" {
		t.Fatalf("photo recorded as %+v", sent[1])
	}

	bad := tgbotapi.NewPhoto(5, tgbotapi.FileBytes{Name: "x.png", Bytes: []byte("not an image")})
	_, err = api.Send(bad)
	if e := apiErr(t, err); e.Message != "Bad Request: IMAGE_PROCESS_FAILED" || e.Code != 0 {
		// v5.5.1 drops the code of failed uploads.
		t.Fatalf("bad photo: %+v", e)
	}
	long := tgbotapi.NewDocument(5, tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("a")})
	long.Caption = strings.Repeat("c", 1025)
	_, err = api.Send(long)
	if e := apiErr(t, err); e.Message != "Bad Request: message caption is too long" {
		t.Fatalf("long caption: %+v", e)
	}
	if _, err := api.Send(tgbotapi.NewPhoto(5, tgbotapi.FileID("AgACAgUAAxk"))); err != nil {
		t.Fatalf("photo by file id: %v", err)
	}
	if got := srv.SentTo(5)[2].Photo.FileID; got != "AgACAgUAAxk" {
		t.Fatalf("file id recorded as %q", got)
	}
}

func TestEditsDeleteAndActions(t *testing.T) {
	srv, api := newBot(t)
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("a", "a")))
	msg := tgbotapi.NewMessage(3, "one")
	msg.ReplyMarkup = kb
	m, _ := api.Send(msg)

	if _, err := api.Send(tgbotapi.NewEditMessageText(3, m.MessageID, "two")); err != nil {
		t.Fatalf("edit: %v", err)
	}
	_, err := api.Send(tgbotapi.NewEditMessageText(3, m.MessageID, "two"))
	if e := apiErr(t, err); e.Message != "Bad Request: "+notModified {
		t.Fatalf("same edit: %+v", e)
	}
	_, err = api.Send(tgbotapi.NewEditMessageText(3, 999, "x"))
	if e := apiErr(t, err); e.Message != "Bad Request: message to edit not found" {
		t.Fatalf("edit unknown: %+v", e)
	}
	if _, err := api.Send(tgbotapi.NewEditMessageReplyMarkup(3, m.MessageID, kb)); err != nil {
		t.Fatalf("edit markup: %v", err)
	}
	last := srv.SentTo(3)
	if n := len(last); n != 3 || last[1].Method != "editMessageText" || last[2].Method != "editMessageReplyMarkup" || len(last[2].Buttons) != 1 {
		t.Fatalf("edits recorded as %+v", last)
	}
	if _, err := api.Request(tgbotapi.NewChatAction(3, tgbotapi.ChatTyping)); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Request(tgbotapi.NewDeleteMessage(3, m.MessageID)); err != nil {
		t.Fatal(err)
	}
	_, err = api.Request(tgbotapi.NewDeleteMessage(3, m.MessageID))
	if e := apiErr(t, err); e.Message != "Bad Request: message to delete not found" {
		t.Fatalf("delete twice: %+v", e)
	}
}

func TestCallbackQuery(t *testing.T) {
	srv, api := newBot(t)
	msg := tgbotapi.NewMessage(8, "Chọn")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Lưu", "save")))
	m, _ := api.Send(msg)
	id := srv.PressButton(8, 8, m.MessageID, "save")
	ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{})
	cq := ups[0].CallbackQuery
	if cq == nil || cq.Data != "save" || cq.From.ID != 8 || cq.Message.MessageID != m.MessageID || cq.Message.Chat.ID != 8 || cq.ID != CallbackID(id) {
		t.Fatalf("callback = %+v", cq)
	}
	if cq.Message.ReplyMarkup == nil || cq.Message.Text != "Chọn" {
		t.Fatalf("callback message lacks the bot's message: %+v", cq.Message)
	}
	if srv.CallbackAnswered(id) {
		t.Fatal("answered before answerCallbackQuery")
	}
	resp, err := api.Request(tgbotapi.NewCallback(cq.ID, ""))
	if err != nil || string(resp.Result) != "true" {
		t.Fatalf("answerCallbackQuery = %s, %v", resp.Result, err)
	}
	if !srv.CallbackAnswered(id) {
		t.Fatal("answer not recorded")
	}
	_, err = api.Request(tgbotapi.NewCallback(cq.ID, ""))
	if e := apiErr(t, err); e.Code != 400 {
		t.Fatalf("second answer: %+v", e)
	}
}

func TestPhotoContactAndRawUpdates(t *testing.T) {
	srv, api := newBot(t)
	srv.SendPhoto(4, 4, "PHOTO1", "ảnh")
	srv.SendContact(4, 4, "0912345678", "An", 4)
	srv.SendRaw(map[string]any{"callback_query": map[string]any{"id": "x", "from": map[string]any{"id": 4, "first_name": "A"}, "data": "d"}})
	ups, err := api.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 3 {
		t.Fatalf("%d updates, %v", len(ups), err)
	}
	p := ups[0].Message.Photo
	if len(p) != 3 || p[len(p)-1].FileID != "PHOTO1" || p[2].Width <= p[0].Width || ups[0].Message.Caption != "ảnh" {
		t.Fatalf("photo = %+v", ups[0].Message)
	}
	if c := ups[1].Message.Contact; c == nil || c.PhoneNumber != "0912345678" || c.UserID != 4 {
		t.Fatalf("contact = %+v", c)
	}
	if ups[2].CallbackQuery == nil || ups[2].CallbackQuery.Message != nil {
		t.Fatalf("raw = %+v", ups[2])
	}
}

func TestSetMyCommands(t *testing.T) {
	srv, api := newBot(t)
	ok := tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "baocao", Description: "Báo cáo hộ đã hướng dẫn"})
	if _, err := api.Request(ok); err != nil {
		t.Fatal(err)
	}
	if c := srv.Commands(); len(c) != 1 || c[0].Command != "baocao" {
		t.Fatalf("commands = %+v", c)
	}
	many := make([]tgbotapi.BotCommand, 101)
	for i := range many {
		many[i] = tgbotapi.BotCommand{Command: "c", Description: "d"}
	}
	for name, cfg := range map[string]tgbotapi.SetMyCommandsConfig{
		"BOT_COMMAND_INVALID":             tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "BaoCao", Description: "x"}),
		"BOT_COMMAND_DESCRIPTION_INVALID": tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "a", Description: ""}),
		"BOT_COMMANDS_TOO_MUCH":           tgbotapi.NewSetMyCommands(many...),
	} {
		_, err := api.Request(cfg)
		if e := apiErr(t, err); e.Message != "Bad Request: "+name {
			t.Errorf("%s: got %+v", name, e)
		}
	}
}

func TestFailNext(t *testing.T) {
	srv, api := newBot(t)
	srv.FailNext("sendMessage", 1, 429, "", map[string]any{"retry_after": 7})
	_, err := api.Send(tgbotapi.NewMessage(1, "x"))
	if e := apiErr(t, err); e.Code != 429 || e.Message != "Too Many Requests: retry after 7" || e.RetryAfter != 7 {
		t.Fatalf("429: %+v", e)
	}
	if _, err := api.Send(tgbotapi.NewMessage(1, "x")); err != nil {
		t.Fatalf("only one call should fail: %v", err)
	}

	srv.FailNext("*", 1, 429, "", nil)
	resp, err := http.Post(srv.URL()+"/bot"+testToken+"/sendMessage?chat_id=1&text=x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		OK         bool
		ErrorCode  int            `json:"error_code"`
		Parameters map[string]int `json:"parameters"`
	}
	json.NewDecoder(resp.Body).Decode(&env)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" || env.ErrorCode != 429 || env.Parameters["retry_after"] != 1 {
		t.Fatalf("raw 429: status %d header %q env %+v", resp.StatusCode, resp.Header.Get("Retry-After"), env)
	}

	srv.FailNext("sendmessage", 1, 500, "", nil)
	_, err = api.Send(tgbotapi.NewMessage(1, "x"))
	if e := apiErr(t, err); e.Code != 500 {
		t.Fatalf("500: %+v", e)
	}
	srv.FailNext("sendMessage", 1, 502, "", nil)
	_, err = api.Send(tgbotapi.NewMessage(1, "x"))
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		t.Fatalf("502 with HTML should be a JSON syntax error for the library, got %T %v", err, err)
	}
	srv.FailNext("getMe", 1, 0, "", nil)
	if _, err := api.GetMe(); err == nil {
		t.Fatal("dropped connection did not fail")
	}
	if got := srv.Calls("sendMessage"); got != 5 {
		t.Fatalf("Calls(sendMessage) = %d, want 5", got)
	}
}

func TestBlockMigrateDown(t *testing.T) {
	srv, api := newBot(t)
	srv.Block(50)
	_, err := api.Send(tgbotapi.NewMessage(50, "x"))
	if e := apiErr(t, err); e.Code != 403 || e.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked: %+v", e)
	}
	_, err = api.Send(tgbotapi.NewDocument(50, tgbotapi.FileBytes{Name: "a", Bytes: []byte("a")}))
	if e := apiErr(t, err); e.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("blocked upload: %+v", e)
	}
	srv.Unblock(50)
	if _, err := api.Send(tgbotapi.NewMessage(50, "x")); err != nil {
		t.Fatal(err)
	}

	srv.MigrateGroup(-10, -10010)
	_, err = api.Send(tgbotapi.NewMessage(-10, "x"))
	if e := apiErr(t, err); e.Code != 400 || e.Message != "Bad Request: group chat was upgraded to a supergroup chat" || e.MigrateToChatID != -10010 {
		t.Fatalf("migrated: %+v", e)
	}
	if _, err := api.Send(tgbotapi.NewMessage(-10010, "x")); err != nil {
		t.Fatal(err)
	}

	srv.SetDown(true)
	if _, err := api.GetMe(); err == nil {
		t.Fatal("down server answered")
	}
	srv.SetDown(false)
	if _, err := api.GetMe(); err != nil {
		t.Fatalf("server back up: %v", err)
	}
}

func TestDownEndsLongPoll(t *testing.T) {
	srv, api := newBot(t)
	done := make(chan error, 1)
	go func() {
		_, err := api.GetUpdates(tgbotapi.UpdateConfig{Timeout: 30})
		done <- err
	}()
	for srv.Calls("getUpdates") == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	srv.SetDown(true)
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("long poll succeeded on a down server")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll kept waiting on a down server")
	}
}

func TestEnforceLimits(t *testing.T) {
	srv, api := newBot(t)
	clock := NewFastClock(time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC), 1)
	frozen := clock.Now()
	now := frozen
	var mu sync.Mutex
	srv.SetClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	srv.EnforceLimits(time.Second, 20, 30)

	send := func(chat int64) error {
		_, err := api.Send(tgbotapi.NewMessage(chat, "x"))
		return err
	}
	if err := send(1); err != nil {
		t.Fatal(err)
	}
	err := send(1)
	if e := apiErr(t, err); e.Code != 429 || e.RetryAfter != 1 || e.Message != "Too Many Requests: retry after 1" {
		t.Fatalf("second message within 1 s: %+v", e)
	}
	advance(time.Second)
	if err := send(1); err != nil {
		t.Fatalf("after 1 s: %v", err)
	}
	// A user's own message lets the bot answer promptly (3 messages).
	srv.SendText(1, 1, "hi")
	for i := 0; i < 3; i++ {
		if err := send(1); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}
	if err := send(1); err == nil {
		t.Fatal("fourth prompt reply accepted")
	}

	// Global: 30 per second.
	advance(time.Minute)
	for i := int64(0); i < 30; i++ {
		if err := send(1000 + i); err != nil {
			t.Fatalf("global %d: %v", i, err)
		}
	}
	if err := send(2000); err == nil {
		t.Fatal("31st message in a second accepted")
	}
	// Group: 20 per minute.
	advance(time.Minute)
	for i := 0; i < 20; i++ {
		advance(time.Second)
		if err := send(-5); err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
	}
	advance(time.Second)
	err = send(-5)
	if e := apiErr(t, err); e.Code != 429 || e.RetryAfter != 40 {
		t.Fatalf("21st group message: %+v", e)
	}
	if srv.TooMany() != 4 {
		t.Fatalf("TooMany = %d, want 4", srv.TooMany())
	}
	srv.EnforceLimits(0, 0, 0)
	if err := send(-5); err != nil {
		t.Fatalf("limits off: %v", err)
	}
}

func TestRedeliver(t *testing.T) {
	srv, api := newBot(t)
	id := srv.SendText(1, 1, "a")
	api.GetUpdates(tgbotapi.UpdateConfig{})
	srv.SendText(1, 1, "b")
	ups, _ := api.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1})
	next := ups[0].UpdateID + 1
	api.GetUpdates(tgbotapi.UpdateConfig{Offset: next})
	if srv.Pending() != 0 {
		t.Fatalf("pending = %d", srv.Pending())
	}
	if !srv.Redeliver(id) {
		t.Fatal("Redeliver of a confirmed update")
	}
	if srv.Redeliver(424242) {
		t.Fatal("Redeliver of an unknown update")
	}
	ups, _ = api.GetUpdates(tgbotapi.UpdateConfig{Offset: next})
	if len(ups) != 1 || int64(ups[0].UpdateID) != id || ups[0].Message.Text != "a" {
		t.Fatalf("redelivered = %+v", ups)
	}
	api.GetUpdates(tgbotapi.UpdateConfig{Offset: next})
	if srv.Pending() != 0 {
		t.Fatal("redelivered update not confirmed by the next offset")
	}
}

func TestWaitSent(t *testing.T) {
	srv, api := newBot(t)
	go func() {
		for i := 0; i < 3; i++ {
			api.Send(tgbotapi.NewMessage(int64(1+i%2), "x"))
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitSent(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitSentTo(ctx, 2, 1); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	err := srv.WaitSentTo(short, 2, 5)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "1 arrived") {
		t.Fatalf("WaitSentTo timeout: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	srv, api := newBot(t)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				srv.SendText(int64(g+1), int64(g+1), "x")
				if _, err := api.Send(tgbotapi.NewMessage(int64(g+1), "y")); err != nil {
					t.Error(err)
				}
				srv.Sent()
				srv.Pending()
			}
		}(g)
	}
	wg.Wait()
	if srv.SentCount() != 200 || srv.Pending() != 200 {
		t.Fatalf("sent %d, pending %d", srv.SentCount(), srv.Pending())
	}
	srv.SetSentLimit(10)
	if len(srv.Sent()) != 10 || srv.SentCount() != 200 {
		t.Fatalf("SetSentLimit: kept %d, count %d", len(srv.Sent()), srv.SentCount())
	}
}

func TestFastClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewFastClock(start, 1000)
	t0 := c.Now()
	at := <-c.After(2 * time.Second) // 2 ms of wall time
	if d := at.Sub(t0); d < 2*time.Second {
		t.Fatalf("After fired after %v of clock time", d)
	}
	if t0.Before(start) {
		t.Fatal("clock started before start")
	}
}

func FuzzParseHTML(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "a < b", "&lt;&#128512;&#x1F600;", `<a href="x">y</a>`, "<span class=tg-spoiler>s</span>", "</b>", "<b", "<pre><code class=\"language-go\">x</code></pre>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		plain, err := parseHTML(s)
		if err == nil && len(plain) > len(s)*4 {
			t.Fatalf("plain text longer than possible: %q -> %q", s, plain)
		}
	})
}
