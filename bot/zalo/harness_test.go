package zalo

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dvcbot/chat"
	"dvcbot/internal/fakezalo"
)

const (
	testToken  = "1234567890:SeCrEtToKeNvalue"
	testSecret = "s3cr3t-webhook-token"
)

// testClock is a clock whose waits take no wall time: After moves the
// clock forward by d and fires at once. Waits are recorded.
type testClock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newClock(t time.Time) *testClock { return &testClock{t: t} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *testClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	if d > 0 {
		c.t = c.t.Add(d)
	}
	now := c.t
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

func (c *testClock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// never is an After that never fires (the fake's getUpdates then waits
// for an update or for the client to hang up).
func never(time.Duration) <-chan time.Time { return nil }

// stubHandler records inputs and answers with reply (default: nothing).
type stubHandler struct {
	mu     sync.Mutex
	inputs []chat.Input
	got    chan chat.Input
	reply  func(chat.Input) ([]chat.Reply, error)
	calls  atomic.Int32
}

func newStub(reply func(chat.Input) ([]chat.Reply, error)) *stubHandler {
	return &stubHandler{got: make(chan chat.Input, 100), reply: reply}
}

func (h *stubHandler) Handle(_ context.Context, in chat.Input) ([]chat.Reply, error) {
	h.calls.Add(1)
	h.mu.Lock()
	h.inputs = append(h.inputs, in)
	h.mu.Unlock()
	h.got <- in
	if h.reply == nil {
		return nil, nil
	}
	return h.reply(in)
}

func (h *stubHandler) Inputs() []chat.Input {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]chat.Input(nil), h.inputs...)
}

// next waits for the next input.
func (h *stubHandler) next(t *testing.T) chat.Input {
	t.Helper()
	select {
	case in := <-h.got:
		return in
	case <-time.After(10 * time.Second):
		t.Fatal("no input reached the handler")
		return chat.Input{}
	}
}

// echo answers every text with «Đã nhận: <text>».
func echo(in chat.Input) ([]chat.Reply, error) {
	return []chat.Reply{{To: in.Chat, Text: "Đã nhận: " + chat.Bold(in.Text)}}, nil
}

// harness is a transport against the fake, in webhook mode behind a TLS
// test server (as the lead mounts WebhookHandler) or in polling mode.
type harness struct {
	fake    *fakezalo.Server
	tr      *Transport
	clock   *testClock
	h       *stubHandler
	pusher  *fakezalo.Pusher
	hook    *httptest.Server
	cancel  context.CancelFunc
	runErr  chan error
	webhook string
	logs    *logBuffer
}

// logBuffer keeps the log lines of a test.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type harnessConfig struct {
	mode    string
	opts    func(*Options)
	fake    func(*fakezalo.Options)
	handler *stubHandler
	noRun   bool
}

func newHarness(t *testing.T, cfg harnessConfig) *harness {
	t.Helper()
	hs := &harness{clock: newClock(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC)), h: cfg.handler, runErr: make(chan error, 1), logs: &logBuffer{}}
	if hs.h == nil {
		hs.h = newStub(echo)
	}
	var mounted atomic.Pointer[http.Handler]
	hs.hook = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := mounted.Load(); p != nil {
			(*p).ServeHTTP(w, r)
			return
		}
		http.Error(w, "not mounted", http.StatusServiceUnavailable)
	}))
	hs.hook.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes cut at Close
	hs.hook.StartTLS()
	t.Cleanup(hs.hook.Close)
	fo := fakezalo.Options{Token: testToken, Now: hs.clock.Now, After: never, HTTPClient: hs.hook.Client(), CanJoinGroups: true, DisplayName: "Bot DVC"}
	if cfg.fake != nil {
		cfg.fake(&fo)
	}
	hs.fake = fakezalo.New(fo)
	t.Cleanup(hs.fake.Close)
	hs.webhook = hs.hook.URL + "/zalo/webhook"
	o := Options{
		Token: testToken, Endpoint: hs.fake.Endpoint(), Mode: cfg.mode,
		WebhookURL: hs.webhook, SecretToken: testSecret,
		BotName: "Bot DVC", Now: hs.clock.Now, After: hs.clock.After,
		Logger: slog.New(slog.NewTextHandler(testWriter{t, hs.logs}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if cfg.mode == ModePolling {
		o.WebhookURL, o.SecretToken = "", ""
	}
	if cfg.opts != nil {
		cfg.opts(&o)
	}
	if o.Mode == ModePolling && o.SecretToken == "" {
		o.SecretToken = testSecret // the handler stays usable in tests
	}
	tr, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs.tr = tr
	var hh http.Handler = tr.WebhookHandler()
	mounted.Store(&hh)
	hs.pusher = &fakezalo.Pusher{URL: hs.webhook, Secret: testSecret, Client: hs.hook.Client()}
	ctx, cancel := context.WithCancel(context.Background())
	hs.cancel = cancel
	ran := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		if !cfg.noRun {
			<-ran // Run logs nothing after the test
		}
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = tr.Shutdown(sctx)
	})
	if !cfg.noRun {
		go func() {
			defer close(ran)
			hs.runErr <- tr.Run(ctx, hs.h)
		}()
		wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer wcancel()
		method := "setWebhook"
		if o.Mode == ModePolling {
			method = "getUpdates"
		}
		if err := hs.fake.WaitCalls(wctx, method, 1); err != nil {
			t.Fatalf("Run did not start: %v", err)
		}
		if o.Mode != ModePolling {
			if err := hs.fake.WaitWebhook(wctx); err != nil {
				t.Fatalf("Run did not set its webhook: %v", err)
			}
		}
	}
	return hs
}

// push sends u to the webhook and checks the status.
func (hs *harness) push(t *testing.T, u fakezalo.Update, want int) {
	t.Helper()
	got, err := hs.pusher.Push(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("push answered %d, want %d", got, want)
	}
}

// sent waits for n messages to chatID at the fake.
func (hs *harness) sent(t *testing.T, chatID string, n int) []fakezalo.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := hs.fake.WaitSent(ctx, chatID, n)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// testWriter sends logs to t.Log and fails the test if one holds
// something personal or the token.
type testWriter struct {
	t   *testing.T
	buf *logBuffer
}

func (w testWriter) Write(p []byte) (int, error) {
	s := string(p)
	for _, secret := range []string{testToken, "Nguyễn", "Đã nhận", "0912345678", "Hộ ông"} {
		if strings.Contains(s, secret) {
			w.t.Errorf("a log line holds %q: %s", secret, s)
		}
	}
	w.buf.mu.Lock()
	w.buf.b.WriteString(s)
	w.buf.mu.Unlock()
	w.t.Log(s)
	return len(p), nil
}
