package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/bot/zalo"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/store"
)

// router sends a reply through the transport of its address's channel:
// the scheduler's Sender, and the resending of unsent answers.
type router struct {
	telegram *telegram.Transport
	zalo     *zalo.Transport
}

// errNoChannel: a reply addressed on a channel the bot does not run now
// (a person reachable only on Zalo while only Telegram runs): it will
// never go out, so the outbox drops it.
var errNoChannel = fmt.Errorf("the channel does not run in this bot: %w", chat.ErrUnreachable)

// Send implements schedule.Sender.
func (r router) Send(ctx context.Context, rep chat.Reply) error {
	switch {
	case rep.To.Channel == chat.Telegram && r.telegram != nil:
		return r.telegram.Send(ctx, rep)
	case rep.To.Channel == chat.Zalo && r.zalo != nil:
		return r.zalo.Send(ctx, rep)
	}
	return fmt.Errorf("send to %s: %w", rep.To.Channel, errNoChannel)
}

// shutdown stops every transport (when they never ran).
func (r router) shutdown(ctx context.Context) {
	if r.telegram != nil {
		r.telegram.Shutdown(ctx)
	}
	if r.zalo != nil {
		r.zalo.Shutdown(ctx)
	}
}

// telegramOptions are the Telegram transport's options from configuration.
func telegramOptions(cfg *config.Config, eng *bot.Engine, logger *slog.Logger, now func() time.Time, after func(time.Duration) <-chan time.Time) telegram.Options {
	return telegram.Options{
		Token:       cfg.Telegram.Token,
		Endpoint:    cfg.Telegram.APIEndpoint,
		PollTimeout: time.Duration(cfg.Telegram.PollTimeout) * time.Second,
		Logger:      logger,
		Commands:    eng.Commands(),
		Now:         now,
		After:       after,
		Grace:       shutdownGrace,
		OnBlocked: func(ctx context.Context, to chat.Address) {
			if err := eng.MarkUnreachable(ctx, to); err != nil {
				logger.Error("mark account unreachable", "channel", to.Channel, "err", err)
			}
		},
		OnDelivered: func(update string) { eng.Delivered(chat.Telegram, update) },
		OnMigrate: func(ctx context.Context, oldID, newID int64) {
			if err := eng.MigrateGroup(oldID, newID); err != nil {
				logger.Error("record group migration", "old", oldID, "new", newID, "err", err)
			}
		},
		Rate: telegram.RateLimits{
			GlobalPerSecond:  cfg.Telegram.Rate.GlobalPerSecond,
			PerChatPerSecond: cfg.Telegram.Rate.PerChatPerSecond,
			GroupPerMinute:   int(cfg.Telegram.Rate.GroupPerMinute),
		},
	}
}

// kvZaloMeter is the store's name of the Zalo quota meter's state.
const kvZaloMeter = "zalo_meter"

// zaloOptions are the Zalo transport's options from configuration.
func zaloOptions(cfg *config.Config, db *store.DB, eng *bot.Engine, logger *slog.Logger, now func() time.Time, after func(time.Duration) <-chan time.Time) zalo.Options {
	z := cfg.Zalo
	return zalo.Options{
		Token:       z.Token,
		Endpoint:    z.APIEndpoint,
		Mode:        z.Mode,
		PollTimeout: time.Duration(z.PollTimeout) * time.Second,
		WebhookURL:  z.Webhook.URL,
		SecretToken: z.Webhook.SecretToken,
		Listen:      z.Webhook.Listen,
		Logger:      logger,
		Groups: func() []string {
			var out []string
			if z.GroupChatID != "" {
				out = append(out, z.GroupChatID)
			}
			_ = db.View(func(tx *store.Tx) error {
				if g := tx.LinkedGroup(chat.Zalo); g != "" {
					out = append(out, g)
				}
				return nil
			})
			return out
		},
		MonthlyMessageQuota: z.MonthlyMessageQuota,
		UserQuota:           z.UserQuota,
		OnDelivered:         func(update string) { eng.Delivered(chat.Zalo, update) },
		OnQuotaWarning: func(w zalo.QuotaWarning) {
			key := "quota/zalo/" + w.Month + "/" + w.Kind
			if err := eng.WarnAdmins(context.Background(), key, quotaWarningText(w)); err != nil {
				logger.Error("warn admins of the Zalo quota", "err", err)
			}
		},
		SaveMeter: func(st zalo.MeterState) error {
			raw, err := json.Marshal(st)
			if err != nil {
				return err
			}
			return db.Update(func(tx *store.Tx) error { return tx.SetValue(kvZaloMeter, string(raw)) })
		},
		Now:   now,
		After: after,
	}
}

// quotaWarningText tells the admins that Zalo's monthly quota is 80 % used.
func quotaWarningText(w zalo.QuotaWarning) string {
	what := "tin nhắn"
	if w.Kind == "users" {
		what = "người dùng"
	}
	return fmt.Sprintf("⚠️ Bot Zalo đã dùng %d/%d %s của hạn mức tháng %s (trên 80%%).\n"+
		"Khi dùng tới 95%%, bot ngừng các tin không thiết yếu (nhắc việc lần hai, bảng xếp hạng gửi riêng) và vẫn trả lời báo cáo; hết hạn mức thì Zalo không nhận thêm tin. "+
		"Gõ /hanmuc để xem số liệu. Nếu cần, nâng gói hoặc thêm một bot Zalo thứ hai.", w.Used, w.Limit, what, monthOf(w.Month))
}

// monthOf turns "2026-12" into "12/2026".
func monthOf(m string) string {
	y, mo, ok := strings.Cut(m, "-")
	if !ok {
		return m
	}
	return strings.TrimPrefix(mo, "0") + "/" + y
}

// connectZalo makes the Zalo transport (getMe), retrying while Zalo cannot
// be reached; a refused token or a cancelled start ends the retries. The
// quota meter continues from the count the store kept.
func connectZalo(ctx context.Context, logger *slog.Logger, after func(time.Duration) <-chan time.Time, opts zalo.Options, db *store.DB) (*zalo.Transport, error) {
	wait := time.Second
	for {
		zt, err := zalo.New(ctx, opts)
		if err == nil {
			restoreMeter(zt, db, logger)
			return zt, nil
		}
		if ctx.Err() != nil || errors.Is(err, zalo.ErrUnauthorized) || !strings.Contains(err.Error(), "getMe") {
			return nil, fmt.Errorf("connect to Zalo: %w", err)
		}
		logger.Warn("Zalo unreachable at start; retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Zalo: %w", err)
		case <-after(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// restoreMeter loads the quota meter's month-to-date count.
func restoreMeter(zt *zalo.Transport, db *store.DB, logger *slog.Logger) {
	var raw string
	_ = db.View(func(tx *store.Tx) error { raw = tx.GetValue(kvZaloMeter); return nil })
	if raw == "" {
		return
	}
	var st zalo.MeterState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		logger.Warn("the stored Zalo quota count is unreadable; counting from zero", "err", err)
		return
	}
	if err := zt.Meter().Restore(st); err != nil {
		logger.Warn("the stored Zalo quota count was not restored", "err", err)
	}
}

// serveZalo receives Zalo updates (webhook or polling) until ctx ends, then
// flushes the queued replies and saves the quota meter.
func serveZalo(ctx context.Context, zt *zalo.Transport, h bot.Handler, logger *slog.Logger) error {
	err := zt.Run(ctx, h)
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if serr := zt.Shutdown(gctx); serr != nil {
		logger.Warn("zalo: shutdown grace ran out; unsent replies will be sent at the next start", "err", serr)
	}
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("zalo: %w", err)
	}
	return nil
}

// zaloName is the Zalo bot's name as people find it.
func zaloName(me zalo.Me) string {
	if me.DisplayName != "" {
		return me.DisplayName
	}
	return me.AccountName
}
