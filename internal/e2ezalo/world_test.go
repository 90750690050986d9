// Package e2ezalo drives the whole bot through the fake Zalo Bot API, as an
// officer's phone and Zalo's servers would: the bbolt store in a temporary
// folder, the conversation engine, the Zalo transport in webhook mode
// behind an https listener, the web server of file links and one-time
// photo URLs, the scheduler, and (for the tests of both channels) the
// Telegram transport against the fake Telegram Bot API, all wired as
// cmd/dvcbot's serve wires them. Updates arrive as the fake's webhook
// pushes; what the bot sent is read from what the fake recorded.
//
// The parts are made by package wiring, as cmd/dvcbot's serve makes them;
// serve's own sequencing (retries at start, listeners, goroutines) is
// repeated here, and what differs is said where it is done: invite codes are injected (bot.WithCodes) so that golden
// transcripts are stable, the scheduler is ticked by the tests instead of
// polling on wall time, listeners are test servers with a fixed address
// across restarts (as the reverse proxy's public address is), and the ops
// server, metrics and backup runner are left out.
//
// No test waits on wall time: every clock is injected, and waits are on
// conditions (a reply recorded by the fake, an update confirmed delivered)
// bounded by a context.
package e2ezalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/bot/zalo"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/internal/fakebotapi"
	"dvcbot/internal/fakezalo"
	"dvcbot/schedule"
	"dvcbot/store"
	"dvcbot/web"
	"dvcbot/wiring"
)

const (
	zaloToken  = "1459232241:E2E-zalo-bot-token"
	hookSecret = "e2e-webhook-secret-2026"
	hookPath   = "/zalo"
	// zaloAdmin is the admin named in zalo.admin_ids.
	zaloAdmin     = "7a31c0de90e2admin"
	zaloAdminName = "Phòng VHXH"
	tgToken       = "424242:E2E-telegram-token"
	// tgAdmin is the admin named in telegram.admin_ids (both-channel tests).
	tgAdmin = int64(900001)
	// typing is how long a person takes to write the next message: each
	// message moves the clock on (the engine allows 30 messages a minute
	// per person, bursts of 10, as the sample configuration says).
	typing = 3 * time.Second
	// waitFor bounds every wait on the bot.
	waitFor = 20 * time.Second
)

// start is the first moment of every world: Monday 04/05/2026, 08:00 in
// the campaign's time zone (the sample campaign runs through 2026).
var start = time.Date(2026, 5, 4, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))

// clock is the settable clock of the store, the engine, the web server,
// the scheduler and the fake's message dates.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// stepClock is the Zalo transport's clock: the world's time plus the waits
// the transport made, which take no wall time (After moves it on by d and
// fires at once), so bulk pacing and backoff cost nothing.
type stepClock struct {
	base  *clock
	mu    sync.Mutex
	extra time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Now().Add(c.extra)
}

func (c *stepClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	if d > 0 {
		c.extra += d
	}
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// swapServer is an https test server whose handler is replaced at each
// start of the bot: its address stays the same across restarts, as the
// public address behind a reverse proxy does.
type swapServer struct {
	*httptest.Server
	h atomic.Pointer[http.Handler]
}

func newSwapServer(t *testing.T) *swapServer {
	s := &swapServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := s.h.Load()
		if h == nil {
			http.Error(w, "bot not running", http.StatusBadGateway)
			return
		}
		(*h).ServeHTTP(w, r)
	}))
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *swapServer) set(h http.Handler) {
	if h == nil {
		s.h.Store(nil)
		return
	}
	s.h.Store(&h)
}

// options choose the world's configuration.
type options struct {
	// telegram runs the Telegram channel too (a fake Telegram Bot API,
	// telegram.admin_ids = tgAdmin), both channels on one store.
	telegram bool
	// canJoinGroups is getMe's can_join_groups.
	canJoinGroups bool
	// meter, when set, is the quota count stored before the first start
	// (as a previous run would have saved it).
	meter *zalo.MeterState
}

// world is one bot against one fake Zalo (and maybe one fake Telegram).
type world struct {
	t      *testing.T
	o      options
	cfg    *config.Config
	clk    *clock
	zclk   *stepClock
	fz     *fakezalo.Server
	ftg    *fakebotapi.Server
	hook   *swapServer // the webhook's public address
	site   *swapServer // web.public_url
	client *http.Client
	pusher *fakezalo.Pusher
	codes  []string
	logs   *logBuffer

	// The running bot, between start and stop.
	db        *store.DB
	eng       *bot.Engine
	zt        *zalo.Transport
	tt        *telegram.Transport
	ws        *web.Server
	sched     *schedule.Scheduler
	sweep     chan time.Time // ticks of the web server's file sweeper
	delivered *confirmations
	stop      func()
}

// logBuffer keeps the bot's log lines for failure messages.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// newWorld configures a bot as an operator would (the sample
// configuration with a Zalo token, a webhook and a web address) and
// starts it.
func newWorld(t *testing.T, o options) *world {
	t.Helper()
	w := &world{t: t, o: o, clk: &clock{t: start}, logs: &logBuffer{}}
	w.zclk = &stepClock{base: w.clk}
	w.hook = newSwapServer(t)
	w.site = newSwapServer(t)
	w.client = w.hook.Client() // trusts the test certificate of both servers
	w.client.Timeout = waitFor
	w.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.fz = fakezalo.New(fakezalo.Options{Token: zaloToken, CanJoinGroups: o.canJoinGroups, DisplayName: "Bot DVC Kiên Hải",
		Now: w.clk.Now, HTTPClient: w.client})
	t.Cleanup(w.fz.Close)
	w.pusher = &fakezalo.Pusher{URL: w.hook.URL + hookPath, Secret: hookSecret, Client: w.client}

	dir := t.TempDir()
	cfg := config.Sample()
	cfg.Store.Path = filepath.Join(dir, "dvcbot.db")
	cfg.Store.BackupDir = filepath.Join(dir, "backups")
	cfg.Zalo.Token = zaloToken
	cfg.Zalo.APIEndpoint = w.fz.Endpoint()
	cfg.Zalo.Mode = config.ModeWebhook
	cfg.Zalo.Webhook.URL = w.hook.URL + hookPath
	cfg.Zalo.Webhook.SecretToken = hookSecret
	cfg.Zalo.AdminIDs = []string{zaloAdmin}
	cfg.Web.PublicURL = w.site.URL
	cfg.Web.FilesDir = filepath.Join(dir, "web-files")
	if o.telegram {
		w.ftg = fakebotapi.New(tgToken)
		t.Cleanup(w.ftg.Close)
		cfg.Telegram.Token = tgToken
		cfg.Telegram.APIEndpoint = w.ftg.Endpoint()
		cfg.Telegram.AdminIDs = []int64{tgAdmin}
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatalf("the world's configuration is not one serve accepts: %v", err)
	}
	w.cfg = cfg
	if o.meter != nil {
		db, err := store.Open(cfg.Store.Path, store.Options{Now: w.clk.Now, Location: cfg.Campaign.Location})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(*o.meter)
		if err := db.Update(func(tx *store.Tx) error { return tx.SetValue(wiring.KVZaloMeter, string(raw)) }); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	w.start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("bot log:\n%s", w.logs.String())
		}
	})
	return w
}

// start opens the store and runs the bot, as serve does.
func (w *world) start() {
	t := w.t
	cfg := w.cfg
	loc := cfg.Campaign.Location
	logger := slog.New(slog.NewTextHandler(w.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))

	// openStore
	db, err := store.Open(cfg.Store.Path, store.Options{Now: w.clk.Now, Location: loc})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(cfg.Hamlets) }); err != nil {
		t.Fatal(err)
	}
	var (
		tt *telegram.Transport
		zt *zalo.Transport
	)
	set := wiring.EngineSettings(cfg)
	wiring.ChannelSettings(&set, func() *telegram.Transport { return tt }, func() *zalo.Transport { return zt })
	var eng *bot.Engine
	ctx, cancel := context.WithCancel(context.Background())
	ws, err := wiring.Web(ctx, cfg, db, &eng, wiring.TelegramPhoto(func() *telegram.Transport { return tt }), logger, w.clk.Now)
	if err != nil || ws == nil {
		t.Fatalf("web: %v (server %v)", err, ws)
	}
	set.Pages = wiring.Pages{Srv: ws, TTL: cfg.Web.LinkTTL}
	eng = bot.New(db, set, bot.WithLogger(logger), bot.WithClock(w.clk.Now), bot.WithCodes(w.nextCode))
	handler := eng.WithBackups(wiring.BackupFile(db, loc, w.clk.Now))
	w.delivered = newConfirmations()

	if cfg.Telegram.Token != "" {
		fast := fakebotapi.NewFastClock(w.clk.Now(), 200)
		to := wiring.TelegramOptions(cfg, eng, logger, fast.Now, fast.After, waitFor)
		to.PollTimeout = 2 * time.Second // a short poll, so that stopping is quick
		to.OnDelivered = func(update string) {
			eng.Delivered(chat.Telegram, update)
			w.delivered.add(chat.Telegram, update)
		}
		tt, err = telegram.New(ctx, to)
		if err != nil {
			t.Fatalf("telegram.New: %v", err)
		}
	}
	zo := wiring.ZaloOptions(cfg, db, eng, logger, w.zclk.Now, w.zclk.After)
	zo.Listen = "" // mounted on the test server at the webhook's path
	zo.HTTPClient = w.client
	zo.OnDelivered = func(update string) {
		eng.Delivered(chat.Zalo, update)
		w.delivered.add(chat.Zalo, update)
	}
	zo.FileLinker, zo.PhotoHost = ws.Files(), ws.Files()
	zt, err = zalo.New(ctx, zo)
	if err != nil {
		t.Fatalf("zalo.New: %v", err)
	}
	if err := wiring.RestoreMeter(zt, db); err != nil {
		t.Fatal(err)
	}
	routes := wiring.Router{Telegram: tt, Zalo: zt}
	sched, err := wiring.Scheduler(cfg, db, eng, routes, logger, w.clk.Now)
	if err != nil {
		t.Fatal(err)
	}

	// The web server (serveWeb): pages and file links, the file sweeper.
	w.sweep = make(chan time.Time)
	var bg sync.WaitGroup
	bg.Go(func() { _ = ws.Files().Run(ctx, w.sweep) })
	w.site.set(ws)

	// The scheduler's first tick (Run ticks at once): a new store records
	// its start, so that jobs are due from then on.
	if err := sched.Tick(ctx); err != nil {
		t.Fatalf("first tick: %v", err)
	}
	// Answers stored but never sent by the last run go out first.
	if err := wiring.ResendUndelivered(ctx, eng, routes, logger); err != nil {
		t.Fatalf("undelivered: %v", err)
	}

	mux := http.NewServeMux()
	mux.Handle(hookPath, zt.WebhookHandler())
	w.hook.set(mux)
	sets := w.fz.Calls("setWebhook")
	zdone := make(chan error, 1)
	go func() { zdone <- zt.Run(ctx, handler) }()
	wctx, wcancel := context.WithTimeout(context.Background(), waitFor)
	defer wcancel()
	if err := w.fz.WaitCalls(wctx, "setWebhook", sets+1); err != nil {
		t.Fatalf("the Zalo transport never set its webhook: %v", err)
	}
	var tdone chan error
	if tt != nil {
		tdone = make(chan error, 1)
		go func() {
			_ = tt.DeleteWebhook(ctx, false)
			tdone <- tt.Run(ctx, handler)
		}()
	}

	w.db, w.eng, w.zt, w.tt, w.ws, w.sched = db, eng, zt, tt, ws, sched
	var once sync.Once
	w.stop = func() {
		once.Do(func() {
			w.hook.set(nil)
			cancel()
			if err := <-zdone; err != nil {
				t.Errorf("zalo Run: %v", err)
			}
			gctx, gcancel := context.WithTimeout(context.Background(), waitFor)
			defer gcancel()
			if err := zt.Shutdown(gctx); err != nil {
				t.Errorf("zalo Shutdown: %v", err)
			}
			if tdone != nil {
				if err := <-tdone; err != nil {
					t.Errorf("telegram Run: %v", err)
				}
				tt.Shutdown(gctx)
			}
			w.site.set(nil)
			bg.Wait()
			ws.Close()
			if err := eng.FlushDelivered(context.Background()); err != nil {
				t.Errorf("flush delivered: %v", err)
			}
			db.Close()
		})
	}
	t.Cleanup(w.stop)
}

// restart closes everything (transports, web server, store) and starts
// again on the same data file.
func (w *world) restart() {
	w.stop()
	w.start()
}

// nextCode is the engine's invite code generator: codes of the real shape
// (8 of A–Z without I and O, and 2–9), numbered so that transcripts are
// stable.
func (w *world) nextCode() string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	n := len(w.codes)
	code := "ZTEST2" + string(letters[n/len(letters)%len(letters)]) + string(letters[n%len(letters)])
	w.codes = append(w.codes, code)
	return code
}

// lastCode is the newest invite code.
func (w *world) lastCode() string {
	if len(w.codes) == 0 {
		w.t.Fatal("no code was made")
	}
	return w.codes[len(w.codes)-1]
}

// confirmations are the updates whose replies the transports confirmed
// sent (Options.OnDelivered), to wait on.
type confirmations struct {
	mu      sync.Mutex
	done    map[string]bool
	changed chan struct{}
}

func newConfirmations() *confirmations {
	return &confirmations{done: map[string]bool{}, changed: make(chan struct{})}
}

func (c *confirmations) add(channel, update string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done[channel+":"+update] = true
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *confirmations) wait(ctx context.Context, channel, update string) error {
	for {
		c.mu.Lock()
		ok, ch := c.done[channel+":"+update], c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("replies to %s:%s never confirmed sent: %w", channel, update, ctx.Err())
		}
	}
}

// --- Acting as people on Zalo ---

// person is someone on Zalo: their user id and display name.
type person struct {
	ID, Name string
}

var (
	admin    = person{zaloAdmin, zaloAdminName}
	officerA = person{"5c1f7e2a9b01", "Bích Trần"}
	officerB = person{"6ede9afa1b2c", "Hoa Phạm"}
	stranger = person{"3a9d44c0ffee", "Người Lạ"}
	leader   = person{"8b2e61d4aa07", "Chủ tịch Đặc khu"}
)

// say sends text from p in their private chat, one typing pause after the
// last message, and returns every message the bot sent for it (to anyone).
func (w *world) say(p person, text string) []fakezalo.Message {
	w.t.Helper()
	w.clk.Add(typing)
	return w.exchange(w.fz.Private(p.ID, p.Name, text))
}

// exchange pushes u (root-level, as live pushes are), expects 200, waits
// until the transport confirmed every reply to it sent, and returns what
// the fake recorded meanwhile.
func (w *world) exchange(u fakezalo.Update) []fakezalo.Message {
	w.t.Helper()
	before := len(w.fz.All())
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	code, err := w.pusher.Push(ctx, u)
	if err != nil || code != http.StatusOK {
		w.t.Fatalf("push %q: status %d, %v", u.Message.Text, code, err)
	}
	key := u.EventName + ":" + u.Message.MessageID
	if err := w.delivered.wait(ctx, chat.Zalo, key); err != nil {
		w.t.Fatalf("push %q: %v (recorded: %+v)", u.Message.Text, err, w.fz.All()[before:])
	}
	return w.fz.All()[before:]
}

// text is the text of the only message sent to p in msgs.
func text(t *testing.T, msgs []fakezalo.Message, p person) string {
	t.Helper()
	var got []string
	for _, m := range msgs {
		if m.ChatID == p.ID {
			got = append(got, m.Text+m.Caption)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d messages to %s, want 1: %q", len(got), p.Name, got)
	}
	return got[0]
}

// mustContain fails unless s contains every want.
func mustContain(t *testing.T, s string, want ...string) {
	t.Helper()
	for _, x := range want {
		if !strings.Contains(s, x) {
			t.Fatalf("%q does not contain %q", s, x)
		}
	}
}

// join makes p an officer of hamlet through an invite made by the Zalo
// admin: the code sent alone, then the full name.
func (w *world) join(p person, hamlet, fullName string) {
	w.t.Helper()
	mustContain(w.t, text(w.t, w.say(admin, "/moi "+hamlet), admin), w.lastCode())
	mustContain(w.t, text(w.t, w.say(p, w.lastCode()), p), "họ và tên")
	mustContain(w.t, text(w.t, w.say(p, fullName), p), "Đăng ký thành công")
}

// activeRecords counts the reports that count (not undone).
func (w *world) activeRecords() int {
	w.t.Helper()
	n := 0
	if err := w.db.View(func(tx *store.Tx) error {
		return tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
			if g.Counts() {
				n++
			}
			return nil
		})
	}); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// fileCount counts the files in the web server's folder.
func (w *world) fileCount() int {
	entries, err := os.ReadDir(w.cfg.Web.FilesDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		w.t.Fatal(err)
	}
	return len(entries)
}
