package e2ezalo

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"dvcbot/bot/zalo"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
	"dvcbot/internal/fakezalo"
	"dvcbot/store"
)

// reportLine is a one-line report of a household of Bãi Nhà.
const reportLine = "/baocao Lê Văn Tám; Tổ 5, ấp Bãi Nhà; 0987654321; khai sinh"

// An admin's code, sent alone in any case, then a full name, registers a
// Zalo account as an officer of the code's hamlet; the code works once.
func TestJoinByCode(t *testing.T) {
	w := newWorld(t, options{})
	mustContain(t, text(t, w.say(officerA, "/toi"), officerA), "chưa đăng ký", officerA.ID)
	mustContain(t, text(t, w.say(admin, "/moi bai-nha"), admin), w.lastCode(), "Trên Zalo")
	code := w.lastCode()
	mustContain(t, text(t, w.say(officerA, strings.ToLower(code)), officerA), "họ và tên đầy đủ")
	mustContain(t, text(t, w.say(officerA, "trần   thị BÍCH"), officerA), "Đăng ký thành công", "Trần Thị Bích", "Bãi Nhà")
	var o campaign.Officer
	if err := w.db.View(func(tx *store.Tx) (err error) {
		o, err = tx.PersonAt(chat.Addr(chat.Zalo, officerA.ID))
		return err
	}); err != nil {
		t.Fatalf("the officer is not stored by their Zalo account: %v", err)
	}
	if o.FullName != "Trần Thị Bích" || o.HamletID != "bai-nha" || o.Role != campaign.RoleOfficer || !o.Active {
		t.Fatalf("stored officer = %+v", o)
	}
	if to, _ := o.Primary(); to != chat.Addr(chat.Zalo, officerA.ID) {
		t.Fatalf("messages for the officer go to %v", to)
	}
	// Single use: someone else cannot take it.
	mustContain(t, text(t, w.say(stranger, code), stranger), "đã được sử dụng")
	err := w.db.View(func(tx *store.Tx) error { _, err := tx.PersonAt(chat.Addr(chat.Zalo, stranger.ID)); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a used code registered someone else: %v", err)
	}
}

// The guided report answers numbered choices by number and by label; the
// four-line message saves a report at once; both are stored.
func TestGuidedAndFourLineReports(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	first := text(t, w.say(officerA, "/baocao"), officerA)
	mustContain(t, first, "một tin nhắn 4 dòng", "bước 1/5")
	w.say(officerA, "Nguyễn Văn An")
	w.say(officerA, "Tổ 3, ấp Bãi Nhà")
	procs := text(t, w.say(officerA, "0912345678"), officerA)
	mustContain(t, procs, "1. Đăng ký khai sinh", "2. Đăng ký thường trú")
	mustContain(t, text(t, w.say(officerA, "1, 2"), officerA), "bước 5/5", "1. Bỏ qua")
	summary := text(t, w.say(officerA, "1"), officerA) // «Bỏ qua» by its number
	mustContain(t, summary, "Đăng ký khai sinh; Đăng ký thường trú", "1. ✅ Lưu", "2. ✏️ Sửa", zalo.ChoiceHint)
	saved := text(t, w.say(officerA, "lưu"), officerA) // «✅ Lưu» by its label
	mustContain(t, saved, "Đã lưu báo cáo số 1", "Nguyễn Văn An", "Gõ hoàn tác")
	if n := w.activeRecords(); n != 1 {
		t.Fatalf("records after the guided report = %d, want 1", n)
	}
	four := text(t, w.say(officerA, "/baocao\nLê Văn Tám\nTổ 5, ấp Bãi Nhà\n0987654321\nkhai sinh, thường trú"), officerA)
	mustContain(t, four, "Đã lưu báo cáo số 2", "Lê Văn Tám", "Đăng ký khai sinh; Đăng ký thường trú")
	if n := w.activeRecords(); n != 2 {
		t.Fatalf("records after the four-line report = %d, want 2", n)
	}
	var phones []string
	if err := w.db.View(func(tx *store.Tx) error {
		return tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
			hh, err := tx.Household(g.HouseholdID)
			phones = append(phones, hh.HeadName+" "+hh.Phone)
			return err
		})
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(phones, ", ") != "Nguyễn Văn An 0912345678, Lê Văn Tám 0987654321" {
		t.Fatalf("stored households: %v", phones)
	}
}

// On Zalo a report is undone by the word «hoàn tác», and the answer names
// it; a bare number typed after a save never undoes it.
func TestUndoByWordNeverByNumber(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	mustContain(t, text(t, w.say(officerA, reportLine), officerA), "Đã lưu báo cáo số 1", "Gõ hoàn tác")
	for _, n := range []string{"1", "0"} {
		w.say(officerA, n)
		if got := w.activeRecords(); got != 1 {
			t.Fatalf("a bare %q undid the report (records %d)", n, got)
		}
	}
	mustContain(t, text(t, w.say(officerA, "/baocao Phạm Văn Năm; Tổ 2, ấp Bãi Nhà; 0903123456; tam tru"), officerA), "Đã lưu báo cáo số 2")
	mustContain(t, text(t, w.say(officerA, "Hoàn tác"), officerA), "Đã hoàn tác báo cáo số 2", "Phạm Văn Năm")
	if got := w.activeRecords(); got != 1 {
		t.Fatalf("records after «hoàn tác» = %d, want 1", got)
	}
}

// The reply to a save promises that «hoàn tác» works for 24 hours; on Zalo
// it works only as the very next message (the word is matched against the
// choices of the last reply). See the report of this work: bot/engine.go
// matches typed labels against Session.Choices only.
func TestUndoWordAfterAnotherMessage(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.say(officerA, reportLine)
	w.say(officerA, "/toi")
	mustContain(t, text(t, w.say(officerA, "hoàn tác"), officerA), "Đã hoàn tác báo cáo số 1")
}

// A push Zalo delivers twice (same event and message id), in either
// shape, at once or after a restart, is applied and answered once.
func TestDuplicatePushAppliedOnce(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.clk.Add(typing)
	u := w.fz.Private(officerA.ID, officerA.Name, reportLine)
	mustContain(t, text(t, w.exchange(u), officerA), "Đã lưu báo cáo số 1")
	sent := len(w.fz.Sent(officerA.ID))
	ctx := t.Context()
	for _, shape := range []fakezalo.Shape{fakezalo.Root, fakezalo.Enveloped} {
		if code, err := w.pusher.PushShape(ctx, u, shape); err != nil || code != http.StatusOK {
			t.Fatalf("duplicate push (shape %d): %d, %v", shape, code, err)
		}
	}
	w.restart() // the transport's memory of recent pushes is gone; the store's is not
	if code, err := w.pusher.Push(ctx, u); err != nil || code != http.StatusOK {
		t.Fatalf("duplicate push after restart: %d, %v", code, err)
	}
	mustContain(t, text(t, w.say(officerA, "/toi"), officerA), "Hôm nay 04/05: 1 hộ")
	if got := w.fz.Sent(officerA.ID); len(got) != sent+1 {
		t.Fatalf("the duplicates were answered: %d messages after them, want only /toi's: %+v", len(got)-sent, got[sent:])
	}
	if n := w.activeRecords(); n != 1 {
		t.Fatalf("records = %d after duplicate pushes, want 1", n)
	}
	if st := w.zt.Stats(); st.Received == 0 {
		t.Fatalf("stats: %+v", st)
	}
}

// Pushes that are not Zalo's, or not updates, are refused with the right
// status and leave nothing stored and nothing sent; the setWebhook probe
// (a POST without a message) is answered 200.
func TestWebhookRefusals(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	ctx := t.Context()
	sent := len(w.fz.All())
	in := w.zt.Stats().MessagesIn
	report := fakezalo.Encode(w.fz.Private(officerA.ID, officerA.Name, reportLine), fakezalo.Root)
	big := append([]byte(`{"event_name":"message.text.received","message":{"text":"`), bytes.Repeat([]byte("a"), zalo.MaxWebhookBody)...)
	big = append(big, `"}}`...)
	for _, c := range []struct {
		name   string
		body   []byte
		secret string
		want   int
	}{
		{"wrong secret", report, hookSecret + "x", http.StatusUnauthorized},
		{"secret of another length", report, "short", http.StatusUnauthorized},
		{"no secret", report, "", http.StatusUnauthorized},
		{"body over 1 MiB", big, hookSecret, http.StatusRequestEntityTooLarge},
		{"not JSON", []byte(`{"event_name": "message.text.received", "message": {`), hookSecret, http.StatusBadRequest},
		{"JSON but no update", []byte(`[1, 2, 3]`), hookSecret, http.StatusBadRequest},
		{"probe", []byte(`{}`), hookSecret, http.StatusOK},
	} {
		code, err := w.pusher.PushRaw(ctx, c.body, c.secret)
		if err != nil || code != c.want {
			t.Errorf("%s: status %d (%v), want %d", c.name, code, err, c.want)
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.pusher.URL, nil)
	req.Header.Set(zalo.SecretHeader, hookSecret)
	if resp, err := w.client.Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on the webhook: %v %v, want 405", resp, err)
	} else {
		resp.Body.Close()
	}
	if n := w.activeRecords(); n != 0 {
		t.Fatalf("a refused push stored %d reports", n)
	}
	if got := w.zt.Stats().MessagesIn; got != in {
		t.Fatalf("refused pushes counted in Zalo's quota: %d messages in, was %d", got, in)
	}
	// The same report, pushed as Zalo does, is stored; nothing was sent before it.
	w.clk.Add(typing)
	msgs := w.exchange(w.fz.Private(officerA.ID, officerA.Name, reportLine))
	mustContain(t, text(t, msgs, officerA), "Đã lưu báo cáo số 1")
	if got := len(w.fz.All()) - sent; got != 1 {
		t.Fatalf("%d messages sent since the refused pushes, want the one answer", got)
	}
	if !strings.Contains(w.logs.String(), "wrong or missing secret token") {
		t.Error("a refused secret was not logged")
	}
}

// Stickers, voice messages and content Zalo cannot forward are answered;
// an unknown event is accepted (200) and ignored.
func TestUnsupportedAnswered(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	for event, want := range map[string]string{
		fakezalo.EventSticker:     "nhãn dán",
		fakezalo.EventVoice:       "tin nhắn thoại",
		fakezalo.EventUnsupported: "loại tin nhắn này",
	} {
		w.clk.Add(typing)
		mustContain(t, text(t, w.exchange(w.fz.Other(event, officerA.ID, officerA.Name)), officerA), "Bot chưa đọc được "+want)
	}
	sent := len(w.fz.All())
	if code, err := w.pusher.Push(t.Context(), w.fz.Other("message.location.received", officerA.ID, officerA.Name)); err != nil || code != http.StatusOK {
		t.Fatalf("unknown event: %d, %v", code, err)
	}
	mustContain(t, text(t, w.say(officerA, "/toi"), officerA), "Kết quả của Trần Thị Bích")
	if got := len(w.fz.All()) - sent; got != 1 {
		t.Fatalf("an unknown event was answered (%d messages)", got)
	}
}

var fileLink = regexp.MustCompile(`https://\S+/tep/[A-Za-z0-9_-]+`)

// get fetches url and returns the status and body.
func (w *world) get(url string) (int, []byte, http.Header) {
	w.t.Helper()
	resp, err := w.client.Get(url)
	if err != nil {
		w.t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

// reportLink asks for this week's workbook as the Zalo admin and returns
// its link.
func (w *world) reportLink() string {
	w.t.Helper()
	msgs := w.say(admin, "/report tuan")
	for _, m := range msgs {
		if u := fileLink.FindString(m.Text); u != "" {
			mustContain(w.t, m.Text, "bao-cao-2026-w19.xlsx", "mở được 3 lần")
			return u
		}
	}
	w.t.Fatalf("no file link in %+v", msgs)
	return ""
}

// A workbook goes to a Zalo admin as a signed link to the web server: it
// serves the XLSX three times, then refuses (403); a forged link and an
// expired one are refused too, and the sweeper deletes expired files.
func TestFileLinkFetchedAndRefused(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.say(officerA, reportLine)
	link := w.reportLink()

	code, page, _ := w.get(link)
	download := strings.TrimPrefix(link, w.site.URL) + "/tai"
	if code != http.StatusOK || !bytes.Contains(page, []byte("bao-cao-2026-w19.xlsx")) || !bytes.Contains(page, []byte(`href="`+download+`"`)) ||
		!bytes.Contains(page, []byte("<title>Tải tệp")) {
		t.Fatalf("landing page: %d %.300s", code, page)
	}
	for i := 1; i <= 3; i++ {
		code, body, h := w.get(link + "/tai")
		if code != http.StatusOK {
			t.Fatalf("download %d: %d %.200s", i, code, body)
		}
		if ct := h.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("download %d: Content-Type %q", i, ct)
		}
		zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			t.Fatalf("download %d is not an XLSX: %v", i, err)
		}
		found := false
		for _, f := range zr.File {
			found = found || f.Name == "xl/workbook.xml"
		}
		if !found {
			t.Fatalf("download %d has no xl/workbook.xml", i)
		}
	}
	if code, _, _ := w.get(link + "/tai"); code != http.StatusForbidden {
		t.Fatalf("a fourth download: %d, want 403", code)
	}
	if n := w.fileCount(); n != 0 {
		t.Fatalf("%d files left after the last use", n)
	}

	// Forged: one character of the signed token changed.
	link2 := w.reportLink()
	i := strings.LastIndex(link2, "/tep/") + len("/tep/") + 10
	flip := "A"
	if link2[i] == 'A' {
		flip = "B"
	}
	forged := link2[:i] + flip + link2[i+1:]
	for _, u := range []string{forged, forged + "/tai", w.site.URL + "/tep/abc/tai"} {
		if code, _, _ := w.get(u); code != http.StatusForbidden {
			t.Fatalf("forged link %s: %d, want 403", u, code)
		}
	}
	// Expired: a day and an hour later (web.file_ttl 24 h).
	w.clk.Add(25 * time.Hour)
	if code, body, _ := w.get(link2 + "/tai"); code != http.StatusForbidden || !bytes.Contains(body, []byte("hết hạn")) {
		t.Fatalf("expired link: %d %.200s", code, body)
	}
	if n := w.fileCount(); n != 1 {
		t.Fatalf("files before the sweep = %d, want 1", n)
	}
	w.sweep <- w.clk.Now() // the sweeper's next tick
	w.sweep <- w.clk.Now() // the first sweep is done once the second tick is taken
	if n := w.fileCount(); n != 0 {
		t.Fatalf("the sweeper left %d expired files", n)
	}
}

// linkGroup registers a zone leader and links the leaders' Zalo group with
// a code from the admin, sent in the group mentioning the bot.
func (w *world) linkGroup() {
	w.t.Helper()
	w.say(admin, "/moi lanhdao")
	w.say(leader, w.lastCode())
	w.say(leader, "Nguyễn Văn Chủ")
	mustContain(w.t, text(w.t, w.say(admin, "/nhom"), admin), "Mã nhóm", w.lastCode())
	w.clk.Add(typing)
	msgs := w.exchange(w.fz.Group(groupID, leader.ID, leader.Name, "/nhom "+w.lastCode(), true))
	if len(msgs) != 1 || msgs[0].ChatID != groupID || !strings.Contains(msgs[0].Text, "Đã chọn nhóm này") {
		w.t.Fatalf("linking the group: %+v", msgs)
	}
}

// tickAt moves the clock to hh:mm today and runs the scheduler.
func (w *world) tickAt(hh, mm int) []fakezalo.Message {
	w.t.Helper()
	now := w.clk.Now().In(w.cfg.Campaign.Location)
	w.clk.Add(time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, now.Location()).Sub(now))
	before := len(w.fz.All())
	if err := w.sched.Tick(w.t.Context()); err != nil {
		w.t.Fatal(err)
	}
	return w.fz.All()[before:]
}

// With can_join_groups, the evening leaderboard goes to the linked group
// (text, then the chart through a one-time URL Zalo fetches once), never
// privately to leaders, and carries no personal data.
func TestGroupLeaderboard(t *testing.T) {
	w := newWorld(t, options{canJoinGroups: true})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.linkGroup()
	w.say(officerA, reportLine)
	posts := w.tickAt(20, 0)
	if len(posts) != 2 {
		t.Fatalf("leaderboard posts: %+v", posts)
	}
	for _, m := range posts {
		if m.ChatID != groupID {
			t.Fatalf("a leaderboard post went to %s, not the group: %+v", m.ChatID, m)
		}
		if strings.Contains(m.Text+m.Caption, "0987") || strings.Contains(m.Text+m.Caption, "Lê Văn Tám") {
			t.Fatalf("a group post carries personal data: %q", m.Text)
		}
	}
	mustContain(t, posts[0].Text, "Bảng xếp hạng ngày 04/05/2026", "Bãi Nhà", "Trần Thị Bích — 1 lượt hộ")
	photo := posts[1]
	if photo.Method != "sendPhoto" || photo.PhotoSize < 1000 || !strings.HasPrefix(photo.Photo, w.site.URL+"/anh/") {
		t.Fatalf("chart: %+v", photo)
	}
	if n := w.fz.PhotoFetches(photo.Photo); n != 1 {
		t.Fatalf("the chart's URL was fetched %d times, want once", n)
	}
	if code, _, _ := w.get(photo.Photo); code != http.StatusNotFound {
		t.Fatalf("the one-time chart URL served a second time: %d", code)
	}
}

// Without can_join_groups, the leaderboard goes privately to each zone
// leader and admin, and nothing to the group.
func TestPrivateLeaderboardWithoutGroups(t *testing.T) {
	w := newWorld(t, options{canJoinGroups: false})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.say(admin, "/moi lanhdao")
	w.say(leader, w.lastCode())
	w.say(leader, "Nguyễn Văn Chủ")
	w.say(officerA, reportLine)
	posts := w.tickAt(20, 0)
	got := map[string][]string{}
	for _, m := range posts {
		got[m.ChatID] = append(got[m.ChatID], m.Method)
	}
	want := []string{"sendMessage", "sendPhoto"}
	for _, p := range []person{leader, admin} {
		if strings.Join(got[p.ID], ",") != strings.Join(want, ",") {
			t.Fatalf("%s got %v, want %v (all posts: %+v)", p.Name, got[p.ID], want, posts)
		}
	}
	if len(got) != 2 {
		t.Fatalf("posts went to %v, want the leader and the admin only", got)
	}
	mustContain(t, w.fz.Sent(leader.ID)[len(w.fz.Sent(leader.ID))-2].Text, "Bảng xếp hạng ngày 04/05/2026", "Trần Thị Bích")
}

// tgSay sends text as a Telegram user and returns the bot's next reply.
func (w *world) tgSay(user int64, text string) fakebotapi.SentMessage {
	w.t.Helper()
	w.clk.Add(typing)
	before := len(w.ftg.SentTo(user))
	w.ftg.SendText(user, user, text)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := w.ftg.WaitSentTo(ctx, user, before+1); err != nil {
		w.t.Fatalf("no Telegram reply to %q: %v", text, err)
	}
	return w.ftg.SentTo(user)[before]
}

// A Telegram officer and a Zalo officer, on one store, both count in the
// one leaderboard that reaches the Zalo admin on Zalo and the Telegram
// admin on Telegram; one code works on either channel.
func TestBothChannelsOneLeaderboard(t *testing.T) {
	w := newWorld(t, options{telegram: true})
	const tgOfficer = int64(700001)
	mustContain(t, text(t, w.say(admin, "/moi bai-nha"), admin), "Trên Zalo", "Trên Telegram", "t.me/"+fakebotapi.DefaultUsername)
	if m := w.tgSay(tgOfficer, w.lastCode()); !strings.Contains(m.Plain, "họ và tên") {
		t.Fatalf("Telegram join: %q", m.Plain)
	}
	if m := w.tgSay(tgOfficer, "Lý Văn Hải"); !strings.Contains(m.Plain, "Đăng ký thành công") {
		t.Fatalf("Telegram join: %q", m.Plain)
	}
	w.join(officerB, "hon-tre", "Phạm Thị Hoa")
	if m := w.tgSay(tgOfficer, reportLine); !strings.Contains(m.Plain, "Đã lưu báo cáo số 1") {
		t.Fatalf("Telegram report: %q", m.Plain)
	}
	mustContain(t, text(t, w.say(officerB, "/baocao Đỗ Thị Mai; Tổ 1, ấp Hòn Tre; 0934567890; ket hon"), officerB), "Đã lưu báo cáo số 2")

	tgBefore := len(w.ftg.SentTo(tgAdmin))
	posts := w.tickAt(20, 0)
	var zaloBoard string
	for _, m := range posts {
		if m.ChatID == admin.ID && m.Method == "sendMessage" {
			zaloBoard = m.Text
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := w.ftg.WaitSentTo(ctx, tgAdmin, tgBefore+1); err != nil {
		t.Fatalf("the Telegram admin got no leaderboard: %v", err)
	}
	tgBoard := w.ftg.SentTo(tgAdmin)[tgBefore].Plain
	for name, board := range map[string]string{"Zalo": zaloBoard, "Telegram": tgBoard} {
		mustContain(t, board, "Bảng xếp hạng ngày 04/05/2026", "Hôm nay 2/13 ấp đạt chỉ tiêu", "Lý Văn Hải — 1 lượt hộ", "Phạm Thị Hoa — 1 lượt hộ")
		for _, hamlet := range []string{"Bãi Nhà", "Hòn Tre"} {
			if !regexp.MustCompile(`\d+\. ` + hamlet + ` ✓ 1 hộ hôm nay · 1 hộ từ đầu`).MatchString(board) {
				t.Fatalf("the %s leaderboard does not count %s: %q", name, hamlet, board)
			}
		}
	}
}

// Stopping everything in the middle of a guided report (store closed and
// reopened, new engine and transports) loses nothing: the next answer
// continues the report, and nothing is sent twice.
func TestRestartMidGuidedReport(t *testing.T) {
	w := newWorld(t, options{})
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	w.say(officerA, "/baocao")
	mustContain(t, text(t, w.say(officerA, "Phạm Thị Hoa"), officerA), "bước 2/5")
	mustContain(t, text(t, w.say(officerA, "Tổ 1, ấp Bãi Nhà"), officerA), "bước 3/5")
	sent := len(w.fz.All())
	w.restart()
	if got := len(w.fz.All()); got != sent {
		t.Fatalf("the restart sent %d messages again: %+v", got-sent, w.fz.All()[sent:])
	}
	mustContain(t, text(t, w.say(officerA, "0912 345 678"), officerA), "bước 4/5")
	w.say(officerA, "khai sinh")
	w.say(officerA, "bỏ qua")
	mustContain(t, text(t, w.say(officerA, "1"), officerA), "Đã lưu báo cáo số 1", "Phạm Thị Hoa")
	if n := w.activeRecords(); n != 1 {
		t.Fatalf("records = %d, want 1", n)
	}
}

// Near Zalo's monthly quota (95 % of 3,000 messages), optional traffic
// (private copies of the leaderboard) is skipped while reports are still
// answered; the count restored from the store is where it left off.
func TestQuotaNearLimitSkipsOptional(t *testing.T) {
	month := zalo.MonthOf(start)
	w := newWorld(t, options{meter: &zalo.MeterState{Month: month, In: 1500, Out: 1360, Warned: []string{"messages"}}})
	if st := w.zt.Stats(); st.MessagesIn != 1500 || st.MessagesOut != 1360 || !st.OptionalOff {
		t.Fatalf("restored meter: %+v", st)
	}
	w.join(officerA, "bai-nha", "Trần Thị Bích")
	mustContain(t, text(t, w.say(officerA, reportLine), officerA), "Đã lưu báo cáo số 1")
	adminSent := len(w.fz.Sent(admin.ID))
	posts := w.tickAt(20, 0)
	if len(posts) != 0 {
		t.Fatalf("optional posts went out at %d%% of the quota: %+v", 100*(w.zt.Stats().MessagesIn+w.zt.Stats().MessagesOut)/3000, posts)
	}
	if got := len(w.fz.Sent(admin.ID)); got != adminSent {
		t.Fatalf("the admin got %d private copies", got-adminSent)
	}
	if st := w.zt.Stats(); st.QuotaSkipped == 0 {
		t.Fatalf("no optional send counted as skipped: %+v", st)
	}
	// Reports are still answered, and the admin still gets answers.
	mustContain(t, text(t, w.say(officerA, "/baocao Phạm Văn Năm; Tổ 2, ấp Bãi Nhà; 0903123456; tam tru"), officerA), "Đã lưu báo cáo số 2")
	mustContain(t, text(t, w.say(admin, "/hanmuc"), admin), "/ 3.000 (95,", "nhận 1.5")
}
