package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
)

func TestConversationRoundTrip(t *testing.T) {
	h := newHarness(t, 1000, func(o *Options) {
		o.Commands = []bot.Command{{Name: "baocao", Description: "Báo cáo hộ đã hướng dẫn"}, {Name: "huy", Description: "Hủy"}}
	})
	if h.tr.Username() != fakebotapi.DefaultUsername {
		t.Fatalf("Username = %q", h.tr.Username())
	}
	if c := h.srv.Commands(); len(c) != 2 || c[0].Command != "baocao" {
		t.Fatalf("command menu = %+v", c)
	}
	rec := newRecorder()
	h.run(t, handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		replies, err := rec.Handle(ctx, in)
		if in.Text == "/baocao" {
			return []chat.Reply{{To: in.Chat, Text: "Họ và tên " + chat.Bold("chủ hộ") + "?", Choices: [][]chat.Choice{
				{{Label: "Hủy", Value: "cancel"}}, {{Label: "Mở", URL: "https://t.me/" + fakebotapi.DefaultUsername}},
			}}}, nil
		}
		return replies, err
	}))
	ctx := waitCtx(t)

	u1 := h.srv.SendText(42, 42, "/baocao")
	in := rec.next(t)
	if in.Update != upd(u1) || in.Chat != tg(42) || in.From != tg(42) || !in.Private || in.Text != "/baocao" ||
		in.Caps != chat.CapsOf(chat.Telegram) || in.Name == "" {
		t.Fatalf("input = %+v", in)
	}
	if err := h.srv.WaitSentTo(ctx, 42, 1); err != nil {
		t.Fatal(err)
	}
	m := h.srv.SentTo(42)[0]
	if m.Text != "Họ và tên <b>chủ hộ</b>?" || m.Plain != "Họ và tên chủ hộ?" || m.ParseMode != "HTML" || len(m.Buttons) != 2 || m.Buttons[0][0].Data != "cancel" || m.Buttons[1][0].URL == "" {
		t.Fatalf("reply = %+v", m)
	}

	u2 := h.srv.PressButton(42, 42, m.MessageID, "cancel")
	in = rec.next(t)
	if in.Callback == nil || in.Callback.Data != "cancel" || in.Callback.MessageID != strconv.Itoa(m.MessageID) || in.Callback.ID != fakebotapi.CallbackID(u2) || in.Text != "" {
		t.Fatalf("button input = %+v", in)
	}
	if err := h.srv.WaitSentTo(ctx, 42, 2); err != nil {
		t.Fatal(err)
	}
	if m := h.srv.SentTo(42)[1]; m.Text != "Đã chọn <b>cancel</b>" || m.ParseMode != "HTML" {
		t.Fatalf("answer to the tap = %+v", m)
	}

	h.srv.SendGroupText(-100, 42, "/baocao@"+fakebotapi.DefaultUsername+" x")
	if in = rec.next(t); in.Text != "/baocao x" || in.Private || in.Chat != tg(-100) || in.From != tg(42) {
		t.Fatalf("group input = %+v", in)
	}
	h.srv.SendGroupText(-100, 42, "/baocao@other_bot")
	h.srv.SendPhoto(42, 42, "PHOTO-A", "ảnh hộ")
	if in = rec.next(t); in.Photo == nil || in.Photo.Ref != "PHOTO-A" || in.Text != "ảnh hộ" {
		t.Fatalf("photo input = %+v (a command for another bot must be skipped)", in)
	}
	h.srv.SendContact(42, 42, "+84912345678", "An", 42)
	if in = rec.next(t); in.ContactPhone != "+84912345678" {
		t.Fatalf("contact input = %+v", in)
	}
	if err := h.srv.WaitSentTo(ctx, 42, 4); err != nil {
		t.Fatal(err)
	}
	for !h.srv.CallbackAnswered(u2) {
		if ctx.Err() != nil {
			t.Fatal("button press not answered")
		}
		time.Sleep(time.Millisecond)
	}
	if h.tr.LastOK().IsZero() {
		t.Fatal("LastOK not set")
	}
	for h.tr.Stats().Sent < 5 {
		if ctx.Err() != nil {
			t.Fatalf("stats = %+v", h.tr.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	if st := h.tr.Stats(); st.Updates != 5 || st.Queued != 0 || st.Failed != 0 {
		t.Fatalf("stats = %+v", st)
	}
}

func TestNewChecksTokenAndCommands(t *testing.T) {
	srv := fakebotapi.New(testToken)
	defer srv.Close()
	_, err := New(context.Background(), Options{Token: "1:wrong-secret", Endpoint: srv.Endpoint()})
	if err == nil || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("wrong token: %v", err)
	}
	_, err = New(context.Background(), Options{Token: "1:secret-xyz", Endpoint: "http://127.0.0.1:1/bot%s/%s"})
	if err == nil || strings.Contains(err.Error(), "secret-xyz") {
		t.Fatalf("unreachable server: err %v must not contain the token", err)
	}
	for _, cmds := range [][]bot.Command{
		{{Name: "BaoCao", Description: "x"}},
		{{Name: "/baocao", Description: "x"}},
		{{Name: "a", Description: ""}},
		{{Name: "a", Description: strings.Repeat("d", 257)}},
		{{Name: "a", Description: "x"}, {Name: "a", Description: "y"}},
	} {
		if _, err := New(context.Background(), Options{Token: testToken, Endpoint: srv.Endpoint(), Commands: cmds}); err == nil {
			t.Errorf("commands %+v accepted", cmds)
		}
	}
	if srv.Calls("getMe") != 0 {
		t.Fatal("invalid commands must fail before contacting Telegram")
	}
	if _, err := New(context.Background(), Options{}); err == nil {
		t.Fatal("no token accepted")
	}
	short := &http.Client{Timeout: 10 * time.Second}
	if _, err := New(context.Background(), Options{Token: testToken, Endpoint: srv.Endpoint(), HTTPClient: short, PollTimeout: 30 * time.Second}); err == nil {
		t.Fatal("an HTTP client timing out before the long poll was accepted")
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	h := newHarness(t, 1000, nil)
	h.srv.FailNext("sendMessage", 1, 429, "", map[string]any{"retry_after": 3})
	start := h.clock.Now()
	if err := h.tr.Send(waitCtx(t), chat.Reply{To: tg(5), Text: "nhắc"}); err != nil {
		t.Fatal(err)
	}
	if waited := h.clock.Now().Sub(start); waited < 3*time.Second {
		t.Fatalf("resent after %v, retry_after was 3 s", waited)
	}
	if n := h.srv.Calls("sendMessage"); n != 2 || len(h.srv.SentTo(5)) != 1 {
		t.Fatalf("calls %d, delivered %d", n, len(h.srv.SentTo(5)))
	}
	// A 429 on getUpdates is waited out too.
	h.srv.FailNext("getUpdates", 1, 429, "", map[string]any{"retry_after": 2})
	rec := newRecorder()
	h.run(t, rec)
	h.srv.SendText(5, 5, "x")
	rec.next(t)
}

func TestSendContextEndsWait(t *testing.T) {
	h := newHarness(t, 1, nil) // wall clock: retry_after 60 s really waits
	h.srv.FailNext("sendMessage", 1, 429, "", map[string]any{"retry_after": 60})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := h.tr.Send(ctx, chat.Reply{To: tg(5), Text: "x", Bulk: true})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send = %v, want deadline exceeded", err)
	}
	if h.tr.Stats().Queued != 0 {
		t.Fatal("a cancelled Send stayed queued")
	}
}

func TestBlockedUser(t *testing.T) {
	var calls []chat.Address
	var mu sync.Mutex
	h := newHarness(t, 1000, func(o *Options) {
		o.OnBlocked = func(_ context.Context, to chat.Address) { mu.Lock(); calls = append(calls, to); mu.Unlock() }
	})
	h.srv.Block(7)
	ctx := waitCtx(t)
	for i := 0; i < 2; i++ {
		err := h.tr.Send(ctx, chat.Reply{To: tg(7), Text: "nhắc", Bulk: true})
		if !errors.Is(err, ErrBlocked) {
			t.Fatalf("Send = %v, want ErrBlocked", err)
		}
	}
	if n := h.srv.Calls("sendMessage"); n != 2 {
		t.Fatalf("403 must not be retried: %d calls", n)
	}
	mu.Lock()
	if !slices.Equal(calls, []chat.Address{tg(7)}) {
		t.Fatalf("OnBlocked calls = %v, want once for 7", calls)
	}
	mu.Unlock()
	// After a message gets through, a new block is reported again.
	h.srv.Unblock(7)
	if err := h.tr.Send(ctx, chat.Reply{To: tg(7), Text: "ok"}); err != nil {
		t.Fatal(err)
	}
	h.srv.Block(7)
	h.tr.Send(ctx, chat.Reply{To: tg(7), Text: "x"})
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("OnBlocked calls = %v", calls)
	}
}

func TestBlockedByUpdate(t *testing.T) {
	got := make(chan chat.Address, 1)
	h := newHarness(t, 1000, func(o *Options) {
		o.OnBlocked = func(_ context.Context, to chat.Address) { got <- to }
	})
	h.run(t, newRecorder())
	h.srv.SendRaw(map[string]any{"my_chat_member": map[string]any{
		"chat": map[string]any{"id": 9, "type": "private"}, "from": map[string]any{"id": 9, "first_name": "A"}, "date": 1,
		"old_chat_member": map[string]any{"status": "member", "user": map[string]any{"id": 777000, "is_bot": true, "first_name": "B"}},
		"new_chat_member": map[string]any{"status": "kicked", "user": map[string]any{"id": 777000, "is_bot": true, "first_name": "B"}},
	}})
	select {
	case c := <-got:
		if c != tg(9) {
			t.Fatalf("OnBlocked(%v)", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("blocking the bot was not reported")
	}
}

func TestMigratedGroup(t *testing.T) {
	type mig struct{ from, to int64 }
	var got []mig
	var mu sync.Mutex
	h := newHarness(t, 1000, func(o *Options) {
		o.OnMigrate = func(_ context.Context, from, to int64) { mu.Lock(); got = append(got, mig{from, to}); mu.Unlock() }
	})
	h.srv.MigrateGroup(-5, -1000000000005)
	ctx := waitCtx(t)
	for i := 0; i < 2; i++ {
		if err := h.tr.Send(ctx, chat.Reply{To: tg(-5), Text: "bảng xếp hạng", Bulk: true}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.srv.SentTo(-1000000000005)); n != 2 {
		t.Fatalf("%d posts at the new id", n)
	}
	if n := h.srv.Calls("sendMessage"); n != 3 {
		t.Fatalf("sendMessage calls = %d, want 3 (the second post goes straight to the new id)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != (mig{-5, -1000000000005}) {
		t.Fatalf("OnMigrate = %v", got)
	}
}

func TestRetriesThenGivesUp(t *testing.T) {
	h := newHarness(t, 1000, func(o *Options) { o.MaxRetries = 3 })
	ctx := waitCtx(t)
	h.srv.FailNext("sendMessage", 1, 500, "", nil)
	h.srv.FailNext("sendMessage", 1, 502, "", nil)
	h.srv.FailNext("sendMessage", 1, 0, "", nil)
	if err := h.tr.Send(ctx, chat.Reply{To: tg(1), Text: "x"}); err != nil {
		t.Fatalf("500, 502 and a reset should be retried: %v", err)
	}
	h.srv.FailNext("sendMessage", 4, 503, "", nil)
	err := h.tr.Send(ctx, chat.Reply{To: tg(1), Text: "x"})
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Send = %v, want ErrUnavailable", err)
	}
	if n := h.srv.Calls("sendMessage"); n != 4+4 {
		t.Fatalf("calls = %d, want 8 (3 failures and a success, then 1 + 3 retries)", n)
	}
	h.srv.FailNext("sendMessage", 1, 400, "Bad Request: chat not found", nil)
	if err := h.tr.Send(ctx, chat.Reply{To: tg(1), Text: "x"}); !errors.Is(err, ErrRejected) {
		t.Fatalf("400: %v", err)
	}
	if st := h.tr.Stats(); st.APIErrors[500] != 1 || st.APIErrors[400] != 1 || st.APIErrors[0] < 1 {
		t.Fatalf("API errors = %v", st.APIErrors)
	}
}

func TestInvalidRepliesNeverSent(t *testing.T) {
	h := newHarness(t, 1000, nil)
	ctx := waitCtx(t)
	for name, r := range map[string]chat.Reply{
		"no chat":        {Text: "x"},
		"empty":          {To: tg(1), Text: " " + chat.Bold(" ") + " "},
		"marks only":     {To: tg(1), Text: chat.Bold("") + chat.Code("")},
		"no address":     {To: chat.Addr(chat.Telegram, ""), Text: "x"},
		"zalo address":   {To: chat.Addr(chat.Zalo, "6ede9afa"), Text: "x"},
		"not a number":   {To: chat.Addr(chat.Telegram, "abc"), Text: "x"},
		"long data":      {To: tg(1), Text: "x", Choices: [][]chat.Choice{{{Label: "a", Value: strings.Repeat("d", 65)}}}},
		"button no text": {To: tg(1), Text: "x", Choices: [][]chat.Choice{{{Value: "a"}}}},
		"button nothing": {To: tg(1), Text: "x", Choices: [][]chat.Choice{{{Label: "a"}}}},
		"doc and photo":  {To: tg(1), File: &chat.File{Name: "a", Bytes: []byte("a")}, Photo: &chat.File{Name: "b", Bytes: []byte("b")}},
		"empty file":     {To: tg(1), File: &chat.File{Name: "a"}},
		"bad utf-8":      {To: tg(1), Text: "a\xff"},
	} {
		if err := h.tr.Send(ctx, r); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: Send = %v, want ErrRejected", name, err)
		}
	}
	if n := h.srv.Calls("sendMessage") + h.srv.Calls("sendDocument"); n != 0 {
		t.Fatalf("%d invalid replies reached Telegram", n)
	}
	// 64 bytes of callback data are fine.
	if err := h.tr.Send(ctx, chat.Reply{To: tg(1), Text: "x", Choices: [][]chat.Choice{{{Label: "a", Value: strings.Repeat("đ", 32)}}}}); err != nil {
		t.Fatal(err)
	}
}

// Reply texts carry emphasis marks; Telegram receives them as its HTML
// with every character of the text itself escaped, so that a name typed
// as "<b>&" arrives as text and cannot break (or inject) markup.
func TestMarksRenderedAsEscapedHTML(t *testing.T) {
	h := newHarness(t, 1000, nil)
	ctx := waitCtx(t)
	name := "Nguyễn <b>&"
	text := "Đã lưu hộ " + chat.Bold(name) + " (x < y & \"z\")\n" + chat.Italic("ghi chú <i>") + " gõ " + chat.Code("/baocao") + "\n" + chat.Pre("Ấp  <Hộ>\nA   1")
	if err := h.tr.Send(ctx, chat.Reply{To: tg(3), Text: text}); err != nil {
		t.Fatal(err)
	}
	got := h.srv.SentTo(3)
	wantHTML := "Đã lưu hộ <b>Nguyễn &lt;b&gt;&amp;</b> (x &lt; y &amp; \"z\")\n<i>ghi chú &lt;i&gt;</i> gõ <code>/baocao</code>\n<pre>Ấp  &lt;Hộ&gt;\nA   1</pre>"
	wantPlain := "Đã lưu hộ Nguyễn <b>& (x < y & \"z\")\nghi chú <i> gõ /baocao\nẤp  <Hộ>\nA   1"
	if len(got) != 1 || got[0].ParseMode != "HTML" || got[0].Text != wantHTML || got[0].Plain != wantPlain {
		t.Fatalf("sent = %+v\nwant text %q\nwant plain %q", got, wantHTML, wantPlain)
	}
	for _, m := range got {
		if strings.ContainsAny(m.Text, "\x11\x12\x13\x14\x15\x16\x17\x18") {
			t.Fatalf("a mark reached Telegram: %q", m.Text)
		}
	}

	// The same through the Handler: what a person typed comes back escaped,
	// in a message, a document's caption and an edit alike.
	rec := newRecorder()
	h.run(t, handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		rec.Handle(ctx, in)
		return []chat.Reply{
			{To: in.Chat, Text: "Chủ hộ: " + chat.Bold(in.Text), Choices: [][]chat.Choice{{{Label: in.Text, Value: "ok"}}}},
			{To: in.Chat, Text: chat.Bold(in.Text), File: &chat.File{Name: "hs.xlsx", Bytes: []byte("PK")}},
		}, nil
	}))
	h.srv.SendText(8, 8, "<b>&")
	rec.next(t)
	if err := h.srv.WaitSentTo(ctx, 8, 2); err != nil {
		t.Fatal(err)
	}
	m := h.srv.SentTo(8)
	if m[0].Text != "Chủ hộ: <b>&lt;b&gt;&amp;</b>" || m[0].Plain != "Chủ hộ: <b>&" || m[0].ParseMode != "HTML" {
		t.Fatalf("reply = %+v", m[0])
	}
	// A button label is plain text on Telegram: it arrives as typed.
	if len(m[0].Buttons) != 1 || m[0].Buttons[0][0].Text != "<b>&" {
		t.Fatalf("buttons = %+v", m[0].Buttons)
	}
	if m[1].Method != "sendDocument" || m[1].Text != "<b>&lt;b&gt;&amp;</b>" || m[1].Plain != "<b>&" || m[1].ParseMode != "HTML" {
		t.Fatalf("caption = %+v", m[1])
	}
	edit := strconv.Itoa(m[0].MessageID)
	if err := h.tr.Send(ctx, chat.Reply{To: tg(8), Text: "✓ " + chat.Bold("<i>"), Edit: edit}); err != nil {
		t.Fatal(err)
	}
	m = h.srv.SentTo(8)
	if e := m[len(m)-1]; e.Method != "editMessageText" || e.Text != "✓ <b>&lt;i&gt;</b>" || e.Plain != "✓ <i>" {
		t.Fatalf("edit = %+v", e)
	}
}

// Should Telegram still refuse a message's HTML, it is sent again as plain
// text rather than lost.
func TestRefusedHTMLResentAsPlainText(t *testing.T) {
	h := newHarness(t, 1000, nil)
	h.srv.FailNext("sendMessage", 1, 400, `Bad Request: can't parse entities: Unsupported start tag "nguyễn" at byte offset 7`, nil)
	if err := h.tr.Send(waitCtx(t), chat.Reply{To: tg(3), Text: "Hộ <Nguyễn> & " + chat.Bold("con")}); err != nil {
		t.Fatal(err)
	}
	got := h.srv.SentTo(3)
	if len(got) != 1 || got[0].ParseMode != "" || got[0].Text != "Hộ <Nguyễn> & con" || got[0].Plain != "Hộ <Nguyễn> & con" {
		t.Fatalf("sent = %+v", got)
	}
	if n := h.srv.Calls("sendMessage"); n != 2 {
		t.Fatalf("sendMessage calls = %d, want 2 (HTML refused, then plain)", n)
	}
}

func TestDocumentsAndPhotos(t *testing.T) {
	h := newHarness(t, 1000, nil)
	ctx := waitCtx(t)
	png := pngBytes(t)
	err := h.tr.Send(ctx, chat.Reply{To: tg(4), Text: chat.Bold("Báo cáo quý I"), File: &chat.File{Name: "quy1.xlsx", Bytes: []byte("PK..")},
		Choices: [][]chat.Choice{{{Label: "Xem", Value: "v"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.tr.Send(ctx, chat.Reply{To: tg(4), Text: "Biểu đồ", Photo: &chat.File{Name: "chart.png", Bytes: png}}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Dòng dài của báo cáo.\n", 60) // > 1024
	if err := h.tr.Send(ctx, chat.Reply{To: tg(4), Text: long, File: &chat.File{Name: "a.docx", Bytes: []byte("x")},
		Choices: [][]chat.Choice{{{Label: "OK", Value: "ok"}}}}); err != nil {
		t.Fatal(err)
	}
	s := h.srv.SentTo(4)
	if len(s) != 4 {
		t.Fatalf("%d messages: %+v", len(s), s)
	}
	if s[0].Method != "sendDocument" || s[0].Document.Name != "quy1.xlsx" || s[0].Text != "<b>Báo cáo quý I</b>" || s[0].ParseMode != "HTML" || s[0].Plain != "Báo cáo quý I" || len(s[0].Buttons) != 1 {
		t.Fatalf("document = %+v", s[0])
	}
	if s[1].Method != "sendPhoto" || s[1].Photo.Name != "chart.png" || s[1].Text != "Biểu đồ" {
		t.Fatalf("photo = %+v", s[1])
	}
	if s[2].Method != "sendDocument" || s[2].Text != "" || s[2].Buttons != nil || s[3].Method != "sendMessage" || len(s[3].Buttons) != 1 {
		t.Fatalf("long caption: %+v / %+v", s[2], s[3])
	}
	// A failed upload (Code 0 in the library) is still classified by its text.
	h.srv.Block(4)
	err = h.tr.Send(ctx, chat.Reply{To: tg(4), Text: "x", File: &chat.File{Name: "a", Bytes: []byte("a")}})
	if !errors.Is(err, ErrBlocked) {
		t.Fatalf("blocked upload: %v", err)
	}
}

func TestLongTextSplit(t *testing.T) {
	h := newHarness(t, 1000, nil)
	var b strings.Builder
	b.WriteString(chat.Bold("Bảng xếp hạng") + "\n" + chat.PreStart)
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&b, "%3d. Ấp Bãi Nhà %-10s <95%%> ✓\n", i, strings.Repeat("x", i%7))
	}
	b.WriteString(chat.PreEnd + "\nHết.")
	text := b.String()
	err := h.tr.Send(waitCtx(t), chat.Reply{To: tg(6), Text: text, Bulk: true, Choices: [][]chat.Choice{{{Label: "Chi tiết", Value: "d"}}}})
	if err != nil {
		t.Fatal(err)
	}
	sent := h.srv.SentTo(6)
	if len(sent) < 3 {
		t.Fatalf("%d messages for %d characters", len(sent), width(html(text)))
	}
	var plain []string
	for i, m := range sent {
		if (len(m.Buttons) > 0) != (i == len(sent)-1) {
			t.Fatalf("keyboard on message %d of %d", i+1, len(sent))
		}
		if m.ParseMode != "HTML" || strings.Contains(m.Text, "<95%>") {
			t.Fatalf("message %d: mode %q, unescaped text in %q", i+1, m.ParseMode, m.Text)
		}
		// Rows of the table stay monospace in every piece.
		if strings.Contains(m.Plain, "<95%>") && !strings.Contains(m.Text, "<pre>") {
			t.Fatalf("message %d lost the <pre> of the table: %q", i+1, m.Text)
		}
		plain = append(plain, m.Plain)
	}
	if !strings.HasPrefix(sent[0].Text, "<b>Bảng xếp hạng</b>\n<pre>") {
		t.Fatalf("first message = %q", sent[0].Text)
	}
	if got, want := strings.Join(plain, "\n"), strings.TrimSpace(chat.Plain(text)); got != want {
		t.Fatalf("split lost or changed text:\n%q\nwant\n%q", got[:200], want[:200])
	}
}

func TestSplitHTML(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"aaaa\nbbbb\ncccc", 10, []string{"aaaa\nbbbb", "cccc"}},
		{"<b>aaaa\nbbbb</b>", 6, []string{"<b>aaaa</b>", "<b>bbbb</b>"}},
		{"aaa bbb ccc", 8, []string{"aaa bbb", "ccc"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"&lt;&lt;&lt;\n&amp;", 3, []string{"&lt;&lt;&lt;", "&amp;"}},
		{`<a href="https://t.me/x">xx yy</a>`, 3, []string{`<a href="https://t.me/x">xx</a>`, `<a href="https://t.me/x">yy</a>`}},
		{"😀😀😀", 4, []string{"😀😀", "😀"}},
	}
	for _, tc := range tests {
		if got := splitHTML(tc.in, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("splitHTML(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

func FuzzSplitHTML(f *testing.F) {
	for _, s := range []string{"<b>a\nb</b>", "x &lt; y\n<pre>z</pre>", "😀 a b c", "<a href='x'>l</a>", "<b><i>x</i>"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 2 || limit > 50 {
			return
		}
		var plain strings.Builder
		for _, p := range splitHTML(s, limit) {
			if w := width(p); w > limit {
				t.Fatalf("piece %q is %d wide, limit %d", p, w, limit)
			}
			plain.WriteString(plainText(p))
		}
		// Only whitespace at cuts may go missing.
		strip := func(x string) string { return strings.Join(strings.Fields(x), "") }
		if strip(plain.String()) != strip(plainText(s)) {
			t.Fatalf("text changed: %q -> %q", plainText(s), plain.String())
		}
	})
}

// TestUpdatesConfirmedOnlyAfterHandled: a crash (here, a shutdown whose
// grace runs out) while an update is being handled leaves it unconfirmed,
// and the next transport receives it.
func TestUpdatesConfirmedOnlyAfterHandled(t *testing.T) {
	h := newHarness(t, 1, func(o *Options) { o.Grace = 50 * time.Millisecond })
	entered := make(chan struct{})
	var handled sync.Map
	hd := handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		if in.Chat == tg(2) {
			close(entered)
			<-ctx.Done() // stuck until the grace period ends
			return nil, ctx.Err()
		}
		handled.Store(updateID(t, in), true)
		return nil, nil
	})
	a1 := h.srv.SendText(1, 1, "a1")
	b1 := h.srv.SendText(2, 2, "b1")
	a2 := h.srv.SendText(1, 1, "a2")
	stop := h.run(t, hd)
	<-entered
	for _, id := range []int64{a1, a2} {
		for {
			if _, ok := handled.Load(id); ok {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if p := h.srv.Pending(); p != 3 {
		t.Fatalf("pending while b1 is in flight = %d, want 3 (nothing confirmed before the batch is handled)", p)
	}
	stop()
	if p := h.srv.Pending(); p != 2 {
		t.Fatalf("pending after the crash = %d, want 2 (b1 and a2; a1 may be confirmed)", p)
	}

	// The next run receives b1 (and a2 again: the Handler's dedup skips it).
	tr2, err := New(context.Background(), h.opts)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tr2.Run(ctx, rec); close(done) }()
	got := []int64{updateID(t, rec.next(t)), updateID(t, rec.next(t))}
	cancel()
	<-done
	slices.Sort(got)
	if !slices.Equal(got, []int64{b1, a2}) {
		t.Fatalf("re-delivered %v, want [%d %d]", got, b1, a2)
	}
	if p := h.srv.Pending(); p != 0 {
		t.Fatalf("pending after a clean shutdown = %d", p)
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	h := newHarness(t, 1, func(o *Options) { o.Grace = 10 * time.Second })
	entered, release := make(chan struct{}), make(chan struct{})
	hd := handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		close(entered)
		<-release
		if ctx.Err() != nil {
			return nil, errors.New("handler context ended during the grace period")
		}
		return []chat.Reply{{To: in.Chat, Text: "Đã lưu"}}, nil
	})
	h.srv.SendText(1, 1, "x")
	stop := h.run(t, hd)
	<-entered
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	time.Sleep(20 * time.Millisecond) // Run must be waiting for the handler
	select {
	case <-stopped:
		t.Fatal("Run returned with an update in flight")
	default:
	}
	close(release)
	<-stopped
	if got := h.srv.SentTo(1); len(got) != 1 || got[0].Text != "Đã lưu" {
		t.Fatalf("reply of the in-flight update not flushed: %+v", got)
	}
	if p := h.srv.Pending(); p != 0 {
		t.Fatalf("handled update not confirmed at shutdown: pending %d", p)
	}
	if err := h.tr.Send(context.Background(), chat.Reply{To: tg(1), Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after shutdown = %v", err)
	}
}

func TestPerChatOrderUnderConcurrency(t *testing.T) {
	h := newHarness(t, 1000, nil)
	const chats, per = 20, 10
	var mu sync.Mutex
	seen := map[chat.Address][]string{}
	var inFlight, peak atomic.Int32
	hd := handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		for range rand.IntN(50) {
			runtime.Gosched() // vary the interleaving
		}
		mu.Lock()
		seen[in.Chat] = append(seen[in.Chat], in.Text)
		mu.Unlock()
		inFlight.Add(-1)
		return []chat.Reply{{To: in.Chat, Text: "r" + in.Text}, {To: in.Chat, Text: "s" + in.Text}}, nil
	})
	for i := 0; i < per; i++ {
		for c := int64(1); c <= chats; c++ {
			h.srv.SendText(c, c, fmt.Sprint(i))
		}
	}
	h.run(t, hd)
	ctx := waitCtx(t)
	if err := h.srv.WaitSent(ctx, chats*per*2); err != nil {
		t.Fatal(err)
	}
	for c := int64(1); c <= chats; c++ {
		var want, wantReplies []string
		for i := 0; i < per; i++ {
			want = append(want, fmt.Sprint(i))
			wantReplies = append(wantReplies, "r"+fmt.Sprint(i), "s"+fmt.Sprint(i))
		}
		mu.Lock()
		got := seen[tg(c)]
		mu.Unlock()
		if !slices.Equal(got, want) {
			t.Fatalf("chat %d handled %v", c, got)
		}
		var replies []string
		for _, m := range h.srv.SentTo(c) {
			replies = append(replies, m.Text)
		}
		if !slices.Equal(replies, wantReplies) {
			t.Fatalf("chat %d got replies %v", c, replies)
		}
	}
	if peak.Load() < 2 {
		t.Fatal("chats were not handled concurrently")
	}
}

// limited returns a harness whose fake enforces Telegram's limits strictly
// and whose transport uses the same numbers, both on a clock 100 times
// faster than the wall clock.
func limited(t testing.TB) *harness {
	h := newHarness(t, 100, func(o *Options) {
		o.Rate = RateLimits{GlobalPerSecond: 30, PerChatPerSecond: 1, GroupPerMinute: 20}
	})
	h.srv.EnforceLimits(time.Second, 20, 30)
	return h
}

func TestBulkStaysWithinLimits(t *testing.T) {
	h := limited(t)
	ctx := waitCtx(t)
	var wg sync.WaitGroup
	var failures atomic.Int32
	send := func(r chat.Reply) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.tr.Send(ctx, r); err != nil {
				t.Errorf("Send to %v: %v", r.To, err)
				failures.Add(1)
			}
		}()
	}
	start := h.clock.Now()
	for i := int64(1); i <= 300; i++ {
		send(chat.Reply{To: tg(1000 + i), Text: "Nhắc: hôm nay ấp chưa có hộ nào được hướng dẫn.", Bulk: true})
	}
	for i := 0; i < 22; i++ {
		send(chat.Reply{To: tg(-500), Text: fmt.Sprintf("Bảng xếp hạng %d", i), Bulk: true})
	}
	for i := 0; i < 3; i++ {
		send(chat.Reply{To: tg(77), Text: fmt.Sprintf("Phần %d", i), Bulk: true})
	}
	wg.Wait()
	if n := h.srv.TooMany(); n != 0 {
		t.Fatalf("%d answers 429 from a server enforcing Telegram's limits", n)
	}
	if n := h.srv.SentCount(); n != 325 {
		t.Fatalf("%d delivered, want 325", n)
	}
	// 22 group posts at 20/min take a minute; 300 messages at 30/s take 10 s.
	if took := h.clock.Now().Sub(start); took < time.Minute {
		t.Fatalf("took %v on the test clock: the limits were not applied", took)
	}
	seq := h.srv.SentTo(77)
	for i := 1; i < len(seq); i++ {
		if gap := seq[i].Time.Sub(seq[i-1].Time); gap < time.Second {
			t.Fatalf("bulk posts to one chat %v apart", gap)
		}
	}
}

func TestInteractiveNotStuckBehindBulk(t *testing.T) {
	h := limited(t)
	rec := newRecorder()
	h.run(t, rec)
	ctx := waitCtx(t)
	var wg sync.WaitGroup
	for i := int64(1); i <= 300; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.tr.Send(ctx, chat.Reply{To: tg(5000 + i), Text: "Nhắc", Bulk: true})
		}()
	}
	for h.srv.SentCount() < 30 {
		time.Sleep(time.Millisecond)
	}
	h.srv.SendText(42, 42, "/baocao")
	if err := h.srv.WaitSentTo(ctx, 42, 1); err != nil {
		t.Fatal(err)
	}
	bulkBefore := h.srv.SentCount() - 1
	wg.Wait()
	if bulkBefore > 100 {
		t.Fatalf("the officer's reply came after %d of 300 bulk posts", bulkBefore)
	}
	if n := h.srv.TooMany(); n != 0 {
		t.Fatalf("%d answers 429", n)
	}
}

func TestGetUpdatesFailuresRetried(t *testing.T) {
	h := newHarness(t, 1000, nil)
	h.srv.FailNext("getUpdates", 2, 502, "", nil)
	h.srv.FailNext("getUpdates", 1, 409, "", nil)
	h.srv.FailNext("getUpdates", 1, 500, "", nil)
	rec := newRecorder()
	h.run(t, rec)
	h.srv.SendText(1, 1, "x")
	rec.next(t)
	h.srv.SetDown(true)
	for h.tr.Stats().APIErrors[0] < 2 {
		time.Sleep(time.Millisecond)
	}
	h.srv.SetDown(false)
	h.srv.SendText(1, 1, "y")
	if in := rec.next(t); in.Text != "y" {
		t.Fatalf("after the server came back: %+v", in)
	}
	if st := h.tr.Stats(); st.APIErrors[502] != 2 || st.APIErrors[409] != 1 {
		t.Fatalf("API errors = %v", st.APIErrors)
	}
}

func TestHandleErrorLoggedAndSkipped(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	h := newHarness(t, 1000, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
			mu.Lock()
			defer mu.Unlock()
			return logs.Write(p)
		}), nil))
	})
	rec := newRecorder()
	h.run(t, handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		if in.Text == "Nguyễn Văn An 0912345678" {
			return nil, errors.New("store: disk full")
		}
		if in.Text == "panic" {
			panic(errors.New("secret: Nguyễn"))
		}
		return rec.Handle(ctx, in)
	}))
	h.srv.SendText(1, 1, "Nguyễn Văn An 0912345678")
	h.srv.SendText(1, 1, "panic")
	h.srv.SendText(1, 1, "next")
	if in := rec.next(t); in.Text != "next" {
		t.Fatalf("got %+v", in)
	}
	mu.Lock()
	defer mu.Unlock()
	out := logs.String()
	if !strings.Contains(out, "disk full") || !strings.Contains(out, "panicked") || strings.Contains(out, "Nguyễn") || strings.Contains(out, "0912345678") || strings.Contains(out, testToken) {
		t.Fatalf("log:\n%s", out)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWebhookHandler(t *testing.T) {
	h := newHarness(t, 1000, nil)
	fail := atomic.Bool{}
	rec := newRecorder()
	hd := handlerFunc(func(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
		if fail.Load() {
			return nil, errors.New("store closed")
		}
		return rec.Handle(ctx, in)
	})
	hook := httptest.NewServer(h.tr.WebhookHandler(hd, "s3cret_token"))
	defer hook.Close()
	post := func(secret, body string) int {
		req, _ := http.NewRequest("POST", hook.URL, strings.NewReader(body))
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	upd := `{"update_id":5,"message":{"message_id":1,"from":{"id":3,"first_name":"A"},"chat":{"id":3,"type":"private"},"date":1,"text":"hi"}}`
	if c := post("", upd); c != 401 {
		t.Fatalf("missing secret: %d", c)
	}
	if c := post("wrong", upd); c != 401 {
		t.Fatalf("wrong secret: %d", c)
	}
	if c := post("s3cret_token", `{"update_id":6,"message":{"text":"`+strings.Repeat("a", MaxWebhookBody)+`"}}`); c != 413 {
		t.Fatalf("oversized body: %d", c)
	}
	fail.Store(true)
	if c := post("s3cret_token", upd); c != 500 {
		t.Fatalf("handler error: %d", c)
	}
	fail.Store(false)
	if c := post("s3cret_token", upd); c != 200 {
		t.Fatalf("good update: %d", c)
	}
	if in := rec.next(t); in.Update != "5" || in.Text != "hi" || in.Chat != tg(3) {
		t.Fatalf("input = %+v", in)
	}
	if err := h.srv.WaitSentTo(waitCtx(t), 3, 1); err != nil {
		t.Fatal(err)
	}

	// Through the fake's own webhook delivery.
	if err := h.tr.SetWebhook(waitCtx(t), hook.URL, "s3cret_token"); err != nil {
		t.Fatal(err)
	}
	h.srv.SendText(8, 8, "qua webhook")
	if in := rec.next(t); in.Text != "qua webhook" {
		t.Fatalf("input = %+v", in)
	}
	if err := h.tr.DeleteWebhook(waitCtx(t), false); err != nil {
		t.Fatal(err)
	}
	if u, _ := h.srv.Webhook(); u != "" {
		t.Fatal("webhook not deleted")
	}
}
