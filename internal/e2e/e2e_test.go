// Package e2e drives the whole bot — store, conversation engine and
// Telegram transport — through the real telegram-bot-api client against the
// fake Bot API server, as an officer on a phone would.
package e2e

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

const (
	token   = "424242:E2E-secret-token"
	adminID = int64(900001)
	officer = int64(700001)
	other   = int64(700002)
)

// tg is the Telegram address of a user or chat id.
func tg(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

// clock is a settable clock shared by the store and the engine.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// world is one running bot against one fake Telegram.
type world struct {
	t     *testing.T
	srv   *fakebotapi.Server
	clk   *clock
	cfg   *config.Config
	path  string
	db    *store.DB
	eng   *bot.Engine
	stop  func()
	codes []string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := fakebotapi.New(token)
	t.Cleanup(srv.Close)
	cfg := config.Sample()
	loc := cfg.Campaign.Location
	w := &world{t: t, srv: srv, cfg: cfg, path: filepath.Join(t.TempDir(), "bot.db"),
		clk: &clock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, loc)}}
	w.start()
	return w
}

// start opens the store and runs engine + transport (again after stop).
func (w *world) start() {
	t := w.t
	db, err := store.Open(w.path, store.Options{Now: w.clk.Now, Location: w.cfg.Campaign.Location})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(w.cfg.Hamlets) }); err != nil {
		t.Fatal(err)
	}
	n := 0
	var tr *telegram.Transport
	eng := bot.New(db, bot.Settings{
		CampaignName: w.cfg.Campaign.Name, Location: w.cfg.Campaign.Location, DailyTarget: 1,
		Procedures: w.cfg.Procedures, Admins: []chat.Address{tg(adminID)}, InviteTTL: 7 * 24 * time.Hour,
		BotUsername: func() string { return tr.Username() },
	}, bot.WithClock(w.clk.Now), bot.WithCodes(func() string {
		n++
		// Codes of the real shape: 8 of A–Z (no I, O) and 2–9.
		code := "E2ETEST" + string(rune('A'+len(w.codes)))
		w.codes = append(w.codes, code)
		return code
	}))
	fast := fakebotapi.NewFastClock(time.Date(2026, 5, 2, 2, 0, 0, 0, time.UTC), 200)
	tr, err = telegram.New(context.Background(), telegram.Options{
		Token: token, Endpoint: w.srv.Endpoint(), PollTimeout: 2 * time.Second,
		Commands: eng.Commands(), Now: fast.Now, After: fast.After,
		OnBlocked: func(ctx context.Context, to chat.Address) { _ = eng.MarkUnreachable(ctx, to) },
	})
	if err != nil {
		t.Fatalf("telegram.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tr.Run(ctx, eng) }()
	var once sync.Once
	w.db, w.eng = db, eng
	w.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
			db.Close()
		})
	}
	t.Cleanup(w.stop)
}

func (w *world) restart() { w.stop(); w.start() }

// typing is how long a person takes to write or tap the next message:
// each one moves the clock on (the bot limits people to 30 messages a
// minute, with bursts of 10).
const typing = 3 * time.Second

// say sends text from user in their private chat and returns the bot's next reply.
func (w *world) say(user int64, text string) fakebotapi.SentMessage {
	w.t.Helper()
	w.clk.Add(typing)
	before := len(w.srv.SentTo(user))
	w.srv.SendText(user, user, text)
	return w.waitReply(user, before)
}

func (w *world) press(user int64, msg fakebotapi.SentMessage, label string) fakebotapi.SentMessage {
	w.t.Helper()
	for _, row := range msg.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				w.clk.Add(typing)
				before := len(w.srv.SentTo(user))
				w.srv.PressButton(user, user, msg.MessageID, b.Data)
				return w.waitReply(user, before)
			}
		}
	}
	w.t.Fatalf("no button %q in %q", label, msg.Plain)
	return fakebotapi.SentMessage{}
}

func (w *world) waitReply(user int64, before int) fakebotapi.SentMessage {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.srv.WaitSentTo(ctx, user, before+1); err != nil {
		w.t.Fatalf("no reply to %d after %d messages: %v", user, before, err)
	}
	return w.srv.SentTo(user)[before]
}

// unreachable reports whether the person with Telegram id user is marked
// unreachable on Telegram.
func (w *world) unreachable(user int64) bool {
	w.t.Helper()
	var a campaign.Account
	if err := w.db.View(func(tx *store.Tx) error {
		o, err := tx.PersonAt(tg(user))
		if err != nil {
			return err
		}
		a, _ = o.Account(chat.Telegram)
		return nil
	}); err != nil {
		w.t.Fatal(err)
	}
	return a.Unreachable
}

func (w *world) records() (active int) {
	w.t.Helper()
	if err := w.db.View(func(tx *store.Tx) error {
		return tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
			if g.Counts() {
				active++
			}
			return nil
		})
	}); err != nil {
		w.t.Fatal(err)
	}
	return active
}

func mustContain(t *testing.T, m fakebotapi.SentMessage, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(m.Plain, s) {
			t.Fatalf("reply %q does not contain %q", m.Plain, s)
		}
	}
}

// join registers user through an invite created by the admin.
func (w *world) join(user int64, name string) {
	w.t.Helper()
	inv := w.say(adminID, "/moi bai-nha")
	mustContain(w.t, inv, "https://t.me/"+fakebotapi.DefaultUsername+"?start=")
	code := w.codes[len(w.codes)-1]
	mustContain(w.t, w.say(user, "/start "+code), "họ và tên")
	mustContain(w.t, w.say(user, name), "Đăng ký thành công", "Bãi Nhà")
}

func TestJoinByInvite(t *testing.T) {
	w := newWorld(t)
	mustContain(t, w.say(officer, "/baocao"), "chưa đăng ký")
	w.join(officer, "trần thị bích")
	// The code is single use.
	mustContain(t, w.say(other, "/start "+w.codes[0]), "đã được sử dụng")
	// An expired code is refused.
	w.say(adminID, "/moi bai-nha")
	w.clk.Add(8 * 24 * time.Hour)
	mustContain(t, w.say(other, "/start "+w.codes[1]), "hết hạn")
	mustContain(t, w.say(other, "xin chào"), "chưa đăng ký")
	if got := len(w.srv.Commands()); got == 0 {
		t.Error("no command menu registered with setMyCommands")
	}
}

func TestGuidedReportWithButtons(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	w.say(officer, "/baocao")
	w.say(officer, "nguyễn văn  an")
	w.say(officer, "Tổ 3, ấp Bãi Nhà")
	mustContain(t, w.say(officer, "0912 345 67"), "Số điện thoại") // 9 digits after the 0: re-asked
	procs := w.say(officer, "0912.345.678")
	mustContain(t, procs, "Thủ tục")
	ticked := w.press(officer, procs, "Đăng ký khai sinh")
	if ticked.Method != "editMessageText" && !strings.Contains(ticked.Plain, "✓") {
		t.Fatalf("pressing a procedure should tick it: %+v", ticked)
	}
	ticked = w.press(officer, procs, "Đăng ký thường trú")
	dossier := w.press(officer, procs, "Xong")
	mustContain(t, dossier, "Mã hồ sơ")
	summary := w.press(officer, dossier, "Bỏ qua")
	mustContain(t, summary, "Nguyễn Văn An", "0912 345 678", "Đăng ký khai sinh", "Đăng ký thường trú")
	saved := w.press(officer, summary, "Lưu")
	mustContain(t, saved, "Đã lưu", "đạt")
	if n := w.records(); n != 1 {
		t.Fatalf("records = %d, want 1", n)
	}
	// Undo within 24 hours.
	mustContain(t, w.press(officer, saved, "Hoàn tác"), "Đã hoàn tác")
	if n := w.records(); n != 0 {
		t.Fatalf("records after undo = %d, want 0", n)
	}
}

func TestOneLineAndRedelivery(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	before := len(w.srv.SentTo(officer))
	id := w.srv.SendText(officer, officer, "/baocao Lê Văn Tám; Tổ 5, Bãi Nhà; 01623456789; ly lich tu phap, khai sinh")
	mustContain(t, w.waitReply(officer, before), "Đã lưu", "Cấp phiếu lý lịch tư pháp")
	// Telegram delivers the same update again (as after a crash before the offset was confirmed).
	if !w.srv.Redeliver(id) {
		t.Fatal("Redeliver refused")
	}
	mustContain(t, w.say(officer, "/toi"), "1 hộ")
	if n := w.records(); n != 1 {
		t.Fatalf("records = %d after a re-delivered update, want 1", n)
	}
	mustContain(t, w.say(officer, "/baocao Lê Văn Tám; Tổ 5; 0912; khai sinh"), "Số điện thoại", "/baocao Nguyễn Văn An")
}

func TestRestartMidConversationResumes(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	w.say(officer, "/baocao")
	mustContain(t, w.say(officer, "Phạm Thị Hoa"), "Địa chỉ")
	w.restart()
	mustContain(t, w.say(officer, "Tổ 1, Bãi Nhà"), "Số điện thoại")
}

func TestTooManyRequestsThenSuccess(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	w.srv.FailNext("sendMessage", 1, 429, "Too Many Requests: retry after 3", map[string]any{"retry_after": 3})
	mustContain(t, w.say(officer, "/toi"), "Kết quả của Trần Thị Bích")
}

func TestBlockedUserMarkedUnreachable(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	w.srv.Block(officer)
	w.srv.SendText(officer, officer, "/toi")
	deadline := time.Now().Add(10 * time.Second)
	for {
		if w.unreachable(officer) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a blocked officer was not marked unreachable")
		}
		time.Sleep(5 * time.Millisecond) // polling the store for an asynchronous send, not a clock wait
	}
	// Writing again after unblocking makes them reachable again.
	w.srv.Unblock(officer)
	w.say(officer, "/toi")
	if w.unreachable(officer) {
		t.Fatal("an officer who wrote again is still unreachable")
	}
}

func TestGroupReportAsksForPrivateChat(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	const group = int64(-1001234)
	before := len(w.srv.SentTo(group))
	w.srv.SendGroupText(group, officer, "/baocao@"+fakebotapi.DefaultUsername+" Lê Văn Tám; Tổ 5; 0912345678; khai sinh")
	m := w.waitReply(group, before)
	mustContain(t, m, "tin nhắn riêng")
	if strings.Contains(m.Plain, "0912") || strings.Contains(m.Plain, "Tám") {
		t.Fatalf("group reply shows personal data: %q", m.Plain)
	}
	if len(m.Buttons) == 0 || !strings.Contains(m.Buttons[0][0].URL, "?start=baocao") {
		t.Fatalf("group reply has no private-chat link: %+v", m.Buttons)
	}
	if n := w.records(); n != 0 {
		t.Fatalf("a report was saved from a group: %d", n)
	}
}

// An invite code works typed alone, in any case and with a dash, as people
// copy it from a message; the deep link sends "/start CODE".
func TestJoinWithCodeTypedAlone(t *testing.T) {
	w := newWorld(t)
	inv := w.say(adminID, "/moi bai-nha")
	code := w.codes[len(w.codes)-1]
	if len(code) != 8 || !strings.Contains(inv.Plain, code) || !strings.Contains(inv.Text, "<code>/start "+code+"</code>") ||
		!strings.Contains(inv.Plain, "?start="+code) {
		t.Fatalf("invite %q does not show the code %s, /start %s and the deep link", inv.Text, code, code)
	}
	typed := strings.ToLower(code[:4] + "-" + code[4:])
	mustContain(t, w.say(officer, typed), "họ và tên")
	mustContain(t, w.say(officer, "Trần Thị Bích"), "Đăng ký thành công", "Bãi Nhà")
	mustContain(t, w.say(officer, "/toi"), "Kết quả của Trần Thị Bích")
	// A code-shaped text that is no code is said to be wrong, and joins nobody.
	mustContain(t, w.say(other, "ABCD2345"), "Mã «ABCD2345» không đúng")
	mustContain(t, w.say(other, "/toi"), "chưa đăng ký")
}

// What a person types comes back in replies escaped, inside the bot's own
// HTML: an address with "&" and "<…>" shows as typed and breaks nothing.
func TestTypedTextArrivesEscaped(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	const address = "Tổ 5 & 6 <gần chợ>"
	w.say(officer, "/baocao")
	w.say(officer, "Lê Văn Tám")
	w.say(officer, address)
	procs := w.say(officer, "0912345678")
	w.press(officer, procs, "Đăng ký khai sinh")
	dossier := w.press(officer, procs, "Xong")
	summary := w.press(officer, dossier, "Bỏ qua")
	if summary.ParseMode != "HTML" || !strings.Contains(summary.Text, "Tổ 5 &amp; 6 &lt;gần chợ&gt;") || !strings.Contains(summary.Plain, address) {
		t.Fatalf("summary = %q (plain %q)", summary.Text, summary.Plain)
	}
	saved := w.press(officer, summary, "Lưu")
	if !strings.HasPrefix(saved.Text, "✅ <b>Đã lưu</b> báo cáo số 1: hộ <b>Lê Văn Tám</b>") {
		t.Fatalf("saved = %q", saved.Text)
	}
	for _, m := range w.srv.SentTo(officer) {
		if strings.ContainsAny(m.Text, "\x11\x12\x13\x14\x15\x16\x17\x18") {
			t.Fatalf("an emphasis mark reached Telegram: %q", m.Text)
		}
	}
}

// Admin commands name people by their number in /canbo (dvcbot's own id),
// never by a Telegram id.
func TestAdminNamesOfficerByNumber(t *testing.T) {
	w := newWorld(t)
	w.join(officer, "Trần Thị Bích")
	list := w.say(adminID, "/canbo")
	m := regexp.MustCompile(`Trần Thị Bích — [^·]+· số (\d+)`).FindStringSubmatch(list.Plain)
	if m == nil {
		t.Fatalf("/canbo does not number the officer: %q", list.Plain)
	}
	if m[1] == strconv.FormatInt(officer, 10) {
		t.Fatalf("/canbo numbers the officer by the Telegram id %s", m[1])
	}
	mustContain(t, w.say(adminID, "/vohieu "+strconv.FormatInt(officer, 10)), "Không có ai mang số")
	// The officer's notice goes to another chat than the admin's answer:
	// wait for it, so that the next exchange reads its own reply.
	before := len(w.srv.SentTo(officer))
	mustContain(t, w.say(adminID, "/vohieu "+m[1]), "Đã vô hiệu hóa", "Trần Thị Bích")
	mustContain(t, w.waitReply(officer, before), "tạm ngừng") // the officer is told
	mustContain(t, w.say(officer, "/baocao Lê Văn Tám; Tổ 5; 0912345678; khai sinh"), "đang tạm ngừng")
	if n := w.records(); n != 0 {
		t.Fatalf("a deactivated officer saved %d reports", n)
	}
	before = len(w.srv.SentTo(officer))
	mustContain(t, w.say(adminID, "/kichhoat "+m[1]), "Trần Thị Bích")
	mustContain(t, w.waitReply(officer, before), "kích hoạt lại") // the officer is told
	mustContain(t, w.say(officer, "/baocao Lê Văn Tám; Tổ 5; 0912345678; khai sinh"), "Đã lưu")
}
