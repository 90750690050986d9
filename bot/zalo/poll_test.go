package zalo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dvcbot/chat"
	"dvcbot/internal/fakezalo"
)

func TestPollingDeletesWebhookAndHandlesInOrder(t *testing.T) {
	hs := newHarness(t, harnessConfig{mode: ModePolling, noRun: true})
	hs.fake.SetWebhookDirect("https://old.example.vn/hook", testSecret)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hs.tr.Run(ctx, hs.h) }()
	a, b := hs.fake.Private("u1", "An", "một"), hs.fake.Private("u1", "An", "hai")
	hs.fake.Enqueue(a, b, a) // a third time: a duplicate
	if in := hs.h.next(t); in.Text != "một" {
		t.Fatalf("first input %q", in.Text)
	}
	if in := hs.h.next(t); in.Text != "hai" {
		t.Fatalf("second input %q", in.Text)
	}
	hs.sent(t, "u1", 2)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := hs.fake.WaitCalls(wctx, "getUpdates", 4); err != nil { // the duplicate was taken
		t.Fatal(err)
	}
	if u, _ := hs.fake.Webhook(); u != "" {
		t.Fatalf("webhook still set: %q", u)
	}
	if hs.fake.Calls("deleteWebhook") != 1 {
		t.Fatal("deleteWebhook not called")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if n := hs.h.calls.Load(); n != 2 {
		t.Fatalf("handled %d updates, want 2 (the duplicate skipped)", n)
	}
}

func TestPollingIdleAndBackoff(t *testing.T) {
	// The fake's getUpdates times out at once: idle polls in a row, then
	// two 403s (backoff), then an update.
	fired := func(time.Duration) <-chan time.Time {
		ch := make(chan time.Time, 1)
		ch <- time.Time{}
		return ch
	}
	hs := newHarness(t, harnessConfig{mode: ModePolling, noRun: true, fake: func(o *fakezalo.Options) { o.After = fired }})
	hs.fake.Inject("getUpdates", fakezalo.NoFault, fakezalo.NoFault, fakezalo.Internal, fakezalo.Internal)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hs.tr.Run(ctx, hs.h) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := hs.fake.WaitCalls(wctx, "getUpdates", 5); err != nil {
		t.Fatal(err)
	}
	hs.fake.Enqueue(hs.fake.Private("u1", "An", "x"))
	hs.h.next(t)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var backoffs []time.Duration
	for _, w := range hs.clock.Waits() {
		if w >= 400*time.Millisecond {
			backoffs = append(backoffs, w)
		}
	}
	if len(backoffs) != 2 || backoffs[0] < 500*time.Millisecond || backoffs[0] > time.Second ||
		backoffs[1] < time.Second || backoffs[1] > 2*time.Second {
		t.Errorf("backoffs %v: want 2, jittered within [0.5s,1s] then [1s,2s] (idle polls wait nothing)", backoffs)
	}
}

func TestPolling401IsFatal(t *testing.T) {
	hs := newHarness(t, harnessConfig{mode: ModePolling, noRun: true})
	hs.fake.Inject("getUpdates", fakezalo.Unauthorized)
	err := hs.tr.Run(context.Background(), hs.h)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "Zalo Bot Creator") {
		t.Fatalf("Run = %v, want ErrUnauthorized naming Bot Creator", err)
	}
	hs2 := newHarness(t, harnessConfig{mode: ModePolling, noRun: true})
	hs2.fake.Inject("deleteWebhook", fakezalo.Unauthorized)
	if err := hs2.tr.Run(context.Background(), hs2.h); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Run with deleteWebhook 401 = %v", err)
	}
}

func TestPollingHandlerErrorIsLoggedAndPollingGoesOn(t *testing.T) {
	h := newStub(func(in chat.Input) ([]chat.Reply, error) {
		if in.Text == "hỏng" {
			return nil, errors.New("boom")
		}
		return echo(in)
	})
	hs := newHarness(t, harnessConfig{mode: ModePolling, handler: h})
	hs.fake.Enqueue(hs.fake.Private("u1", "An", "hỏng"), hs.fake.Private("u1", "An", "tốt"))
	hs.h.next(t)
	hs.h.next(t)
	if got := hs.sent(t, "u1", 1); got[0].Text != "Đã nhận: tốt" {
		t.Fatalf("sent %q", got[0].Text)
	}
	if !strings.Contains(hs.logs.String(), "handling an update failed") {
		t.Error("the handler error was not logged")
	}
}
