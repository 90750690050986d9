package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

// serveToken is the bot token of the serve tests: distinctive, so that a
// log scan finds it if it leaks.
const serveToken = "987654321:AAHx-serveTestTokenQ7w9Zz_kLmN"

// serveAdmin is the admin from configuration in the serve tests.
const serveAdmin int64 = 1001

// savedPrefix starts the engine's confirmation of a saved report, as
// Telegram receives it (HTML).
const savedPrefix = "✅ <b>Đã lưu</b> báo cáo"

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freeAddr is a loopback address with a port nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// served is a `dvcbot serve` running in the test process.
type served struct {
	t      testing.TB
	fake   *fakebotapi.Server
	dir    string
	store  string
	ops    string
	logs   *syncBuffer
	stdout *syncBuffer
	cancel context.CancelFunc
	done   chan error

	stopOnce sync.Once
	err      error
}

// serveWorld is a fake Bot API on a clock starting on Monday 2 March 2026,
// 08:00 in Kiên Hải, running factor times faster than the wall clock.
func serveWorld(t testing.TB, factor int) (*fakebotapi.Server, *fakebotapi.FastClock) {
	t.Helper()
	fake := fakebotapi.New(serveToken)
	t.Cleanup(fake.Close)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	clock := fakebotapi.NewFastClock(time.Date(2026, 3, 2, 8, 0, 0, 0, loc), factor)
	fake.SetClock(clock.Now)
	return fake, clock
}

// registerOfficers writes officers of hamlet bai-nha into the data file
// before the bot starts (Telegram ids from first).
func registerOfficers(t testing.TB, path string, first int64, n int) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	db, err := store.Open(path, store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hamlets := []campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 812}}
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(hamlets); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			id := first + int64(i)
			if _, err := putTelegramPerson(tx, id, campaign.Officer{FullName: fmt.Sprintf("Cán Bộ Số %d", i+1), HamletID: "bai-nha",
				Role: campaign.RoleOfficer, Active: true, JoinedAt: time.Date(2026, 3, 1, 8, 0, 0, 0, loc)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// startServe runs `dvcbot serve` configured by environment variables only
// (the embedded sample plus overrides), on clock, against fake. dir holds
// the data file; vars add or override variables.
func startServe(t testing.TB, fake *fakebotapi.Server, clock *fakebotapi.FastClock, dir string, vars ...string) *served {
	t.Helper()
	s := &served{t: t, fake: fake, dir: dir, store: filepath.Join(dir, "dvcbot.db"), ops: freeAddr(t),
		logs: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan error, 1)}
	vv := []string{
		"DVCBOT_TELEGRAM_TOKEN=" + serveToken,
		"DVCBOT_TELEGRAM_API_ENDPOINT=" + fake.Endpoint(),
		"DVCBOT_TELEGRAM_ADMIN_IDS=" + fmt.Sprint(serveAdmin),
		"DVCBOT_TELEGRAM_POLL_TIMEOUT=1",
		"DVCBOT_TELEGRAM_RATE_GLOBAL_PER_SECOND=1000",
		"DVCBOT_STORE_PATH=" + s.store,
		"DVCBOT_OPS_LISTEN=" + s.ops,
		"DVCBOT_LOG_LEVEL=debug",
	}
	vv = append(vv, vars...)
	e := env{stdin: strings.NewReader(""), stdout: s.stdout, stderr: s.logs, vars: vv, now: clock.Now, after: clock.After}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() { s.done <- e.run(ctx, []string{"serve"}) }()
	t.Cleanup(func() { s.stop() })
	return s
}

// stop cancels the bot (SIGTERM) and returns what serve returned.
func (s *served) stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.done:
		case <-time.After(30 * time.Second):
			s.t.Fatalf("serve did not stop; logs:\n%s", s.logs)
		}
	})
	return s.err
}

// get fetches path from the ops server.
func (s *served) get(path string) (int, string) {
	resp, err := http.Get("http://" + s.ops + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// health reads /healthz: the status code and each check's status.
func (s *served) health() (int, map[string]string) {
	code, body := s.get("/healthz")
	var rep struct {
		Checks []struct{ Name, Status, Detail string }
	}
	json.Unmarshal([]byte(body), &rep)
	out := map[string]string{}
	for _, c := range rep.Checks {
		out[c.Name] = c.Status
	}
	return code, out
}

// eventually polls cond every 20 ms for up to 20 s.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCtx is a context for waiting on the fake.
func waitCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// lastTo is the last message the bot sent to chat.
func lastTo(fake *fakebotapi.Server, chat int64) fakebotapi.SentMessage {
	ms := fake.SentTo(chat)
	if len(ms) == 0 {
		return fakebotapi.SentMessage{}
	}
	return ms[len(ms)-1]
}

// say sends text from user in their private chat and waits for the bot's
// next message there.
func say(t testing.TB, fake *fakebotapi.Server, user int64, text string) fakebotapi.SentMessage {
	t.Helper()
	n := len(fake.SentTo(user))
	fake.SendText(user, user, text)
	if err := fake.WaitSentTo(waitCtx(t), user, n+1); err != nil {
		t.Fatalf("no answer to %q: %v", text, err)
	}
	return fake.SentTo(user)[n]
}

// press presses the button with data on the latest message offering it
// and waits for the bot's next message or edit.
func press(t testing.TB, fake *fakebotapi.Server, user int64, data string) fakebotapi.SentMessage {
	t.Helper()
	msgs := fake.SentTo(user)
	msgID := 0
	for i := len(msgs) - 1; i >= 0 && msgID == 0; i-- {
		for _, row := range msgs[i].Buttons {
			for _, b := range row {
				if b.Data == data {
					msgID = msgs[i].MessageID
				}
			}
		}
	}
	if msgID == 0 {
		t.Fatalf("no message to %d offers button %q", user, data)
	}
	n := len(msgs)
	fake.PressButton(user, user, msgID, data)
	if err := fake.WaitSentTo(waitCtx(t), user, n+1); err != nil {
		t.Fatalf("no answer to button %q: %v", data, err)
	}
	return fake.SentTo(user)[n]
}

func TestServeHealthzFollowsTelegram(t *testing.T) {
	fake, clock := serveWorld(t, 30)
	s := startServe(t, fake, clock, t.TempDir())
	eventually(t, "healthy", func() bool { code, _ := s.health(); return code == 200 })
	_, checks := s.health()
	if checks["store"] != "ok" || checks["telegram"] != "ok" || checks["outbox"] != "ok" {
		t.Fatalf("checks %v", checks)
	}

	hc := func() result { return runCmd(t, "", []string{"DVCBOT_OPS_LISTEN=" + s.ops}, "healthcheck") }
	if r := hc(); r.err != nil || !strings.Contains(r.stdout, `"status": "ok"`) {
		t.Fatalf("healthcheck of a healthy bot: %v %s", r.err, r.stdout)
	}

	fake.SetDown(true)
	eventually(t, "unhealthy while the Bot API is down", func() bool {
		code, checks := s.health()
		return code == http.StatusServiceUnavailable && checks["telegram"] == "fail" && checks["store"] == "ok"
	})
	if r := hc(); r.err == nil || !strings.Contains(r.err.Error(), "503") {
		t.Fatalf("healthcheck of an unhealthy bot: %v", r.err)
	}
	fake.SetDown(false)
	eventually(t, "healthy again", func() bool { code, _ := s.health(); return code == 200 })

	// The bot works after the outage.
	if m := say(t, fake, serveAdmin, "/giup"); !strings.Contains(m.Text, "Hướng dẫn") {
		t.Fatalf("answer after the outage: %q", m.Text)
	}
	code, metrics := s.get("/metrics")
	for _, want := range []string{
		`dvcbot_updates_handled_total{result="ok"} 1`,
		`dvcbot_telegram_api_errors_total{code="0"}`,
		`dvcbot_reply_latency_seconds_count 1`,
		"dvcbot_last_backup_timestamp_seconds 1.77",
		`dvcbot_backups_total{result="ok"} 1`,
		"dvcbot_outbox_depth 0",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics (%d) lack %q; logs:\n%s", code, want, s.logs)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if code, _ := s.get("/healthz"); code != 0 {
		t.Fatalf("ops server still answers after stop: %d", code)
	}
	if r := hc(); r.err == nil {
		t.Fatal("healthcheck of a stopped bot succeeded")
	}
}

// postUpdate posts a webhook delivery as Telegram does and returns the status.
func postUpdate(t testing.TB, addr, secret, body string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/telegram", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
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

func privateText(updateID, user int64, text string) string {
	b, _ := json.Marshal(map[string]any{"update_id": updateID, "message": map[string]any{
		"message_id": updateID, "date": 1772413200, "text": text,
		"from":     map[string]any{"id": user, "first_name": "A"},
		"chat":     map[string]any{"id": user, "type": "private"},
		"entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": strings.IndexByte(text+" ", ' ')}},
	}})
	return string(b)
}

func TestServeWebhook(t *testing.T) {
	const secret = "hook_SECRET-4f9a2c"
	const officer int64 = 2001
	fake, clock := serveWorld(t, 1)
	dir := t.TempDir()
	registerOfficers(t, filepath.Join(dir, "dvcbot.db"), officer, 1)
	hook := freeAddr(t)
	s := startServe(t, fake, clock, dir,
		"DVCBOT_TELEGRAM_MODE=webhook",
		"DVCBOT_TELEGRAM_WEBHOOK_LISTEN="+hook,
		"DVCBOT_TELEGRAM_WEBHOOK_URL=https://bot.example.invalid/telegram",
		"DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN="+secret)
	eventually(t, "the webhook set with its secret", func() bool {
		u, sec := fake.Webhook()
		return u == "https://bot.example.invalid/telegram" && sec == secret
	})
	report := privateText(500, officer, "/baocao Đinh Thị Mận; Tổ 4, ấp Bãi Nhà; 0905111222; khai sinh")

	// Not Telegram: refused, and the log line does not carry the secret.
	if c := postUpdate(t, hook, "", report); c != http.StatusUnauthorized {
		t.Fatalf("no secret: %d", c)
	}
	if c := postUpdate(t, hook, "wrong-secret", report); c != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d", c)
	}
	if c := postUpdate(t, hook, secret, `{"update_id":501,"message":{"text":"`+strings.Repeat("x", 2<<20)+`"}}`); c != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d", c)
	}
	// Telegram's delivery: stored before the 200.
	if c := postUpdate(t, hook, secret, report); c != http.StatusOK {
		t.Fatalf("good delivery: %d", c)
	}
	if err := fake.WaitSentTo(waitCtx(t), officer, 1); err != nil {
		t.Fatal(err)
	}
	if m := lastTo(fake, officer); !strings.HasPrefix(m.Text, savedPrefix) {
		t.Fatalf("reply %q", m.Text)
	}
	// Telegram retries the same update (our 200 was lost): applied once.
	if c := postUpdate(t, hook, secret, report); c != http.StatusOK {
		t.Fatalf("retried delivery: %d", c)
	}
	if c := postUpdate(t, hook, secret, privateText(502, officer, "/toi")); c != http.StatusOK {
		t.Fatalf("next delivery: %d", c)
	}
	if err := fake.WaitSentTo(waitCtx(t), officer, 2); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.SentTo(officer)); n != 2 {
		t.Fatalf("%d replies, want 2 (the retried update answered again?)", n)
	}
	_, metrics := s.get("/metrics")
	for _, want := range []string{"dvcbot_reports_saved_total 1\n", `dvcbot_updates_handled_total{result="ok"} 3`, "dvcbot_webhook_pending_updates 0"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "webhook request refused") {
		t.Errorf("refused requests not logged:\n%s", logs)
	}
	for _, secretText := range []string{secret, serveToken, strings.SplitN(serveToken, ":", 2)[1], "Đinh Thị Mận", "0905111222"} {
		if strings.Contains(logs, secretText) {
			t.Errorf("logs contain %q", secretText)
		}
	}
	countRecords := func() int {
		loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
		db, err := store.Open(s.store, store.Options{Location: loc})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		n := 0
		db.View(func(tx *store.Tx) error {
			return tx.EachGuidance(time.Time{}, time.Time{}, func(campaign.Guidance) error { n++; return nil })
		})
		return n
	}
	if n := countRecords(); n != 1 {
		t.Fatalf("%d records stored, want 1", n)
	}

	// Back to polling: the webhook is deleted so that getUpdates works.
	s2 := startServe(t, fake, clock, dir)
	eventually(t, "the webhook deleted", func() bool { u, _ := fake.Webhook(); return u == "" })
	if m := say(t, fake, officer, "/toi"); m.Text == "" {
		t.Fatal("no answer in polling mode")
	}
	if err := s2.stop(); err != nil {
		t.Fatal(err)
	}
}

// After a power cut the bot may start before the network: it waits for
// Telegram instead of exiting. A wrong token stops it at once.
func TestServeWaitsForTelegramAtStart(t *testing.T) {
	fake, clock := serveWorld(t, 30)
	fake.SetDown(true)
	s := startServe(t, fake, clock, t.TempDir())
	eventually(t, "a retry logged", func() bool { return strings.Contains(s.logs.String(), "Telegram unreachable at start; retrying") })
	fake.SetDown(false)
	eventually(t, "healthy", func() bool { code, _ := s.health(); return code == 200 })
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	other := fakebotapi.New("111:another-bot")
	defer other.Close()
	s2 := startServe(t, other, clock, t.TempDir())
	select {
	case err := <-s2.done:
		if err == nil || !strings.Contains(err.Error(), "Unauthorized") {
			t.Fatalf("wrong token: %v", err)
		}
		s2.err = err
		s2.stopOnce.Do(func() {})
	case <-time.After(20 * time.Second):
		t.Fatal("a wrong token did not stop serve")
	}
	if strings.Contains(s.logs.String()+s2.logs.String(), serveToken) {
		t.Fatal("the token is in the logs")
	}
}
