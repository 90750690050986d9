package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/zalo"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/internal/fakezalo"
)

// The Zalo mode (-channel zalo): the bot as serve runs it on Zalo in
// webhook mode — the transport listening on loopback (zalo.webhook.listen,
// plain HTTP: in production Caddy or nginx ends TLS in front of it), the
// engine, the bbolt store with fsync on every commit — and N officers who
// each push one-line reports through the fake Zalo Bot API's webhook
// pusher, as Zalo's servers would.
//
// The webhook answers 200 only after the engine has committed the report
// (Zalo never redelivers), so a report counts as durable when its push
// returned 200. Latency is from the push being sent to the bot's answer
// being recorded at the fake (sendMessage); the officer then waits for
// that answer before the next report, so a closed loop (-pause 0) is
// paced by the whole round trip.
//
// Decisions, as in the Telegram mode: no per-person inbound limit
// (simulated officers write far faster than people), and the monthly
// quota meter set out of reach (Zalo's free plan allows 3,000 messages a
// month; this measures the bot, not the plan). The pushes reuse
// keep-alive connections (one per officer at most), as a proxy in front of
// the bot would; Options.Senders (requests to Zalo in flight) is the
// transport's default unless -senders says otherwise.

// zaloOfficer is a simulated officer on Zalo.
type zaloOfficer struct {
	id, name string
	hamlet   campaign.Hamlet
	replies  chan zaloReply
}

// zaloReply is a message the bot sent to an officer, with when the fake
// recorded it.
type zaloReply struct {
	text string
	at   time.Time
}

// zaloID is officer j's Zalo user id.
func zaloID(j int) string { return fmt.Sprintf("7a%010x", 0x5eed0000+j) }

func runZalo(o options, out io.Writer) error {
	b, closeBench, err := openBench(o, chat.Zalo, func(j int) chat.Address { return chat.Addr(chat.Zalo, zaloID(j)) })
	if err != nil {
		return err
	}
	defer closeBench()
	offs := make([]*zaloOfficer, o.officers)
	byID := make(map[string]*zaloOfficer, o.officers)
	for i := range offs {
		offs[i] = &zaloOfficer{id: zaloID(i), name: "Cán bộ " + nameOf(i),
			hamlet: b.hamlets[i%len(b.hamlets)], replies: make(chan zaloReply, 64)}
		byID[offs[i].id] = offs[i]
	}

	const token = "1459232241:LOAD-test"
	const secret = "load-test-webhook-secret"
	fake := fakezalo.New(fakezalo.Options{Token: token})
	defer fake.Close()
	fake.SetSentLimit(1)
	fake.OnSent(func(m fakezalo.Message) {
		if of := byID[m.ChatID]; of != nil {
			select {
			case of.replies <- zaloReply{text: m.Text, at: time.Now()}:
			default:
			}
		}
	})

	eng := bot.New(b.db, b.settings())
	// zalo.webhook.listen on a free loopback port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	listen := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timed := &timedHandler{next: eng}
	tr, err := zalo.New(ctx, zalo.Options{
		Token: token, Endpoint: fake.Endpoint(), Mode: zalo.ModeWebhook,
		WebhookURL: "https://bot.example.vn/zalo", SecretToken: secret, Listen: listen,
		Logger:              slog.New(slog.DiscardHandler),
		MonthlyMessageQuota: 1 << 30, UserQuota: 1 << 30,
		Senders:     o.senders,
		OnDelivered: func(update string) { eng.Delivered(chat.Zalo, update) },
	})
	if err != nil {
		return err
	}
	runDone := make(chan error, 1)
	go func() { runDone <- tr.Run(ctx, timed) }()
	hookURL := "http://" + listen + "/zalo"
	if err := waitListening(ctx, hookURL); err != nil {
		return err
	}
	// The engine's confirmations of delivered replies, written every
	// second as serve does.
	go func() {
		for ctx.Err() == nil {
			time.Sleep(time.Second)
			_ = eng.FlushDelivered(ctx)
		}
	}()

	pusher := &fakezalo.Pusher{URL: hookURL, Secret: secret, Client: &http.Client{
		Timeout:   replyTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: o.officers + 8, MaxIdleConns: o.officers + 8, IdleConnTimeout: time.Minute},
	}}
	l := newLoad(o, timed)
	probe, cpu := l.drive(ctx, out, b.dir, "Zalo webhook, ", nil, func(i int) { l.zaloOfficerLoop(fake, pusher, offs[i]) })
	cancel()
	<-runDone
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	_ = tr.Shutdown(sctx)
	l.report(out, cpu, b.db)
	st := tr.Stats()
	fmt.Fprintf(out, "zalo transport:  %d updates received, %d duplicates, %d handle errors; %d sent, %d failed, %d uncertain\n",
		st.Received, st.Duplicates, st.HandleErrors, st.Sent, st.Failed, st.Uncertain)
	probe.report(out)
	return nil
}

// waitListening waits until the webhook answers at all (a POST without
// the secret is refused with 401: enough to know that Run listens).
func waitListening(ctx context.Context, url string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("{}"))
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the Zalo webhook never listened on %s: %w", url, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (l *load) zaloOfficerLoop(fake *fakezalo.Server, pusher *fakezalo.Pusher, of *zaloOfficer) {
	if l.o.pause > 0 { // spread the officers over one pause
		time.Sleep(rand.N(l.o.pause))
	}
	ctx := context.Background()
	for time.Now().Before(l.measureTo) {
		n := int(l.seq.Add(1))
		name, addr := household(n, of.hamlet.Name, l.o.namesakes)
		text := fmt.Sprintf("/baocao %s; %s; 09%08d; khai sinh", name, addr, n)
		u := fake.Private(of.id, of.name, text)
		drain(of.replies)
		t0 := time.Now()
		code, err := pusher.Push(ctx, u)
		switch {
		case err != nil:
			l.fail("push failed: " + firstLine(errors.Unwrap(err).Error()))
			continue
		case code != http.StatusOK:
			l.fail(fmt.Sprintf("push answered HTTP %d", code))
			continue
		}
		l.saveCounted() // durable: the webhook answers 200 after the commit
		select {
		case m := <-of.replies:
			l.exchanged(t0, m.at)
			if !strings.HasPrefix(m.text, "✅ Đã lưu") {
				l.fail("unexpected answer: " + firstLine(m.text))
			}
		case <-time.After(replyTimeout):
			l.fail("no answer within " + replyTimeout.String())
		}
		if l.o.pause > 0 {
			time.Sleep(l.o.pause)
		}
	}
}
