package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
)

const testToken = "777000:TEST-transport"

// harness is a fake Bot API server and a transport on one fast clock.
type harness struct {
	srv   *fakebotapi.Server
	clock *fakebotapi.FastClock
	tr    *Transport
	opts  Options
}

func newHarness(t testing.TB, factor int, edit func(*Options)) *harness {
	t.Helper()
	srv := fakebotapi.New(testToken)
	t.Cleanup(srv.Close)
	clock := fakebotapi.NewFastClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), factor)
	srv.SetClock(clock.Now)
	opts := Options{
		Token: testToken, Endpoint: srv.Endpoint(), PollTimeout: 5 * time.Second,
		Now: clock.Now, After: clock.After, Grace: time.Hour,
	}
	if edit != nil {
		edit(&opts)
	}
	tr, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { tr.Shutdown(context.Background()) })
	return &harness{srv: srv, clock: clock, tr: tr, opts: opts}
}

// run starts tr.Run and returns a function that cancels it and waits.
func (h *harness) run(t testing.TB, hd bot.Handler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.tr.Run(ctx, hd) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func waitCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// tg is the Telegram address of a chat or user id.
func tg(id int64) chat.Address { return address(id) }

// upd is an update id as an Input carries it.
func upd(id int64) string { return strconv.FormatInt(id, 10) }

// updateID reads an Input's update id back into Telegram's number.
func updateID(t testing.TB, in chat.Input) int64 {
	t.Helper()
	id, err := strconv.ParseInt(in.Update, 10, 64)
	if err != nil {
		t.Errorf("update id %q: %v", in.Update, err)
	}
	return id
}

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, in chat.Input) ([]chat.Reply, error)

func (f handlerFunc) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	return f(ctx, in)
}

// recorder is a Handler that records inputs and echoes texts.
type recorder struct {
	mu     sync.Mutex
	inputs []chat.Input
	seen   chan chat.Input
}

func newRecorder() *recorder { return &recorder{seen: make(chan chat.Input, 10000)} }

func (r *recorder) Handle(_ context.Context, in chat.Input) ([]chat.Reply, error) {
	r.mu.Lock()
	r.inputs = append(r.inputs, in)
	r.mu.Unlock()
	r.seen <- in
	if in.Callback != nil {
		return []chat.Reply{{To: in.Chat, Text: "Đã chọn " + chat.Bold(in.Callback.Data)}}, nil
	}
	return []chat.Reply{{To: in.Chat, Text: fmt.Sprintf("Đã nhận: %s", in.Update)}}, nil
}

func (r *recorder) next(t testing.TB) chat.Input {
	t.Helper()
	select {
	case in := <-r.seen:
		return in
	case <-time.After(10 * time.Second):
		t.Fatal("no input reached the handler")
		return chat.Input{}
	}
}

func (r *recorder) all() []chat.Input {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]chat.Input(nil), r.inputs...)
}

func isErr(err, target error) bool { return errors.Is(err, target) }
