package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"dvcbot/backup"
	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/bot/zalo"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/ops"
	"dvcbot/store"
)

// telegramSilence is how long the Bot API may go without answering before
// /healthz reports the bot unhealthy.
const telegramSilence = 2 * time.Minute

// outboxStuck is how long a scheduled post may stay due and unsent before
// /healthz reports the outbox stuck (the scheduler looks every few seconds;
// failed sends are retried with their own backoff, which moves the due time).
const outboxStuck = 15 * time.Minute

// opsServer builds the /healthz checks and the metrics of a running bot
// (tg or zt is nil when that channel does not run).
func opsServer(cfg *config.Config, db *store.DB, eng *bot.Engine, tg *telegram.Transport, zt *zalo.Transport, backups *backup.Runner, probe *webhookProbe, now func() time.Time) (http.Handler, *ops.Metrics) {
	src := ops.Sources{
		OutboxDepth: func() (int, error) {
			n := 0
			err := db.View(func(tx *store.Tx) error { n = tx.OutboxDepth(); return nil })
			return n, err
		},
		LastBackup: backups.Last,
	}
	checks := []ops.Check{
		ops.StoreCheck(func() error { return db.View(func(*store.Tx) error { return nil }) }),
		ops.WriteCheck(eng.WriteHealth),
	}
	if tg != nil {
		lastOK := tg.LastOK
		if probe != nil {
			lastOK = func() time.Time { return latest(tg.LastOK(), probe.lastOK()) }
			src.WebhookPending = probe.pending
		}
		src.Telegram = func() ops.TelegramStats {
			st := tg.Stats()
			return ops.TelegramStats{Sent: st.Sent, Failed: st.Failed, APIErrors: st.APIErrors, Queued: st.Queued, LastOK: lastOK()}
		}
		checks = append(checks, ops.TelegramCheck(lastOK, now, telegramSilence))
	}
	if zt != nil {
		src.Zalo = func() ops.ZaloStats {
			st := zt.Stats()
			return ops.ZaloStats{Month: st.Month, MessagesIn: st.MessagesIn, MessagesOut: st.MessagesOut, Users: st.Users,
				MessageQuota: st.MessageQuota, UserQuota: st.UserQuota, Sent: st.Sent, Failed: st.Failed,
				Uncertain: st.Uncertain, QuotaSkipped: st.QuotaSkipped, Queued: st.Queued}
		}
		checks = append(checks, ops.QuotaCheck("zalo", src.Zalo))
	}
	checks = append(checks, ops.OutboxCheck(func() (time.Time, bool, error) { return oldestDuePost(db) }, now, outboxStuck))
	m := ops.NewMetrics(src)
	return ops.Handler(m, now, checks), m
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// instrumented measures every update handled.
type instrumented struct {
	next bot.Handler
	m    *ops.Metrics
}

// instrument wraps h so that every update is counted and timed (saved
// reports are counted from the engine's own Outcome, see bot.WithObserver).
func instrument(h bot.Handler, m *ops.Metrics) bot.Handler {
	return instrumented{next: h, m: m}
}

// Handle implements bot.Handler.
func (h instrumented) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	start := time.Now() // wall time, not the injected clock: latency is measured, not scheduled
	replies, err := h.next.Handle(ctx, in)
	h.m.ObserveUpdate(time.Since(start), err)
	return replies, err
}

// webhookProbe asks Telegram for the webhook's state every minute
// (getWebhookInfo): in webhook mode nothing else calls the Bot API while
// nobody writes, and its last_error_message says when Telegram cannot
// reach the bot.
type webhookProbe struct {
	url    string // holds the token: never logged
	token  string
	now    func() time.Time
	log    *slog.Logger
	client *http.Client

	mu      sync.Mutex
	ok      time.Time
	pend    int
	lastErr string
}

func newWebhookProbe(endpoint, token string, now func() time.Time, log *slog.Logger) *webhookProbe {
	return &webhookProbe{url: fmt.Sprintf(endpoint, token, "getWebhookInfo"), token: token, now: now, log: log,
		client: &http.Client{Timeout: 15 * time.Second}, pend: -1}
}

func (p *webhookProbe) lastOK() time.Time { p.mu.Lock(); defer p.mu.Unlock(); return p.ok }

func (p *webhookProbe) pending() int { p.mu.Lock(); defer p.mu.Unlock(); return p.pend }

func (p *webhookProbe) run(ctx context.Context, after func(time.Duration) <-chan time.Time) {
	for {
		p.check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-after(time.Minute):
		}
	}
}

func (p *webhookProbe) check(ctx context.Context) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		p.log.Error("webhook probe: bad endpoint", "err", p.redact(err))
		return
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("webhook probe: Bot API unreachable", "err", p.redact(err))
		}
		return
	}
	defer resp.Body.Close()
	var env struct {
		OK     bool `json:"ok"`
		Result struct {
			URL              string `json:"url"`
			PendingUpdates   int    `json:"pending_update_count"`
			LastErrorDate    int64  `json:"last_error_date"`
			LastErrorMessage string `json:"last_error_message"`
		} `json:"result"`
		Description string `json:"description"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, resp.Body, 1<<20)).Decode(&env); err != nil || !env.OK {
		p.log.Warn("webhook probe: getWebhookInfo failed", "status", resp.StatusCode, "description", env.Description)
		return
	}
	r := env.Result
	p.mu.Lock()
	p.ok, p.pend = p.now(), r.PendingUpdates
	newErr := r.LastErrorMessage != "" && r.LastErrorMessage != p.lastErr
	p.lastErr = r.LastErrorMessage
	p.mu.Unlock()
	if r.URL == "" {
		p.log.Error("webhook probe: Telegram has no webhook set for this bot; restart the bot, or another process deleted it")
	}
	if newErr {
		p.log.Warn("Telegram reports an error delivering to the webhook", "telegram_error", r.LastErrorMessage,
			"at", time.Unix(r.LastErrorDate, 0).UTC(), "pending_updates", r.PendingUpdates)
	}
}

// redact removes the token from an error that carries the request URL.
func (p *webhookProbe) redact(err error) string {
	return strings.ReplaceAll(err.Error(), p.token, "<token>")
}
