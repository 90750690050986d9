package wiring

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

// Router sends a reply through the transport of its address's channel:
// the scheduler's Sender, and the resending of unsent answers. A nil
// transport is a channel that does not run.
type Router struct {
	Telegram *telegram.Transport
	Zalo     *zalo.Transport
}

// ErrNoChannel: a reply addressed on a channel the bot does not run now
// (a person reachable only on Zalo while only Telegram runs): it will
// never go out, so the outbox drops it.
var ErrNoChannel = fmt.Errorf("the channel does not run in this bot: %w", chat.ErrUnreachable)

// Send implements schedule.Sender.
func (r Router) Send(ctx context.Context, rep chat.Reply) error {
	switch {
	case rep.To.Channel == chat.Telegram && r.Telegram != nil:
		return r.Telegram.Send(ctx, rep)
	case rep.To.Channel == chat.Zalo && r.Zalo != nil:
		return r.Zalo.Send(ctx, rep)
	}
	return fmt.Errorf("send to %s: %w", rep.To.Channel, ErrNoChannel)
}

// Shutdown stops every transport (when they never ran).
func (r Router) Shutdown(ctx context.Context) {
	if r.Telegram != nil {
		r.Telegram.Shutdown(ctx)
	}
	if r.Zalo != nil {
		r.Zalo.Shutdown(ctx)
	}
}

// ResendUndelivered sends the answers the last run stored but never
// confirmed sent (run before the transports receive), and marks them
// delivered unless a transport closed under them.
func ResendUndelivered(ctx context.Context, eng *bot.Engine, r Router, logger *slog.Logger) error {
	pending, err := eng.Undelivered(ctx)
	if err != nil {
		return err
	}
	if len(pending) > 0 {
		logger.Info("sending replies left unsent by the last run", "updates", len(pending))
	}
	for _, p := range pending {
		lost := false
		for _, rep := range p.Replies {
			if err := r.Send(ctx, rep); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				logger.Warn("an unsent reply of the last run could not be sent", "channel", p.Channel, "err", err)
				lost = errors.Is(err, telegram.ErrClosed) || errors.Is(err, zalo.ErrClosed)
			}
		}
		if !lost {
			eng.Delivered(p.Channel, p.Update)
		}
	}
	return nil
}

// TelegramOptions are the Telegram transport's options from configuration;
// grace bounds its shutdown.
func TelegramOptions(cfg *config.Config, eng *bot.Engine, logger *slog.Logger, now func() time.Time, after func(time.Duration) <-chan time.Time, grace time.Duration) telegram.Options {
	return telegram.Options{
		Token:       cfg.Telegram.Token,
		Endpoint:    cfg.Telegram.APIEndpoint,
		PollTimeout: time.Duration(cfg.Telegram.PollTimeout) * time.Second,
		Logger:      logger,
		Commands:    eng.Commands(),
		Now:         now,
		After:       after,
		Grace:       grace,
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

// KVZaloMeter is the store's name of the Zalo quota meter's state.
const KVZaloMeter = "zalo_meter"

// ZaloOptions are the Zalo transport's options from configuration.
func ZaloOptions(cfg *config.Config, db *store.DB, eng *bot.Engine, logger *slog.Logger, now func() time.Time, after func(time.Duration) <-chan time.Time) zalo.Options {
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
			if err := eng.WarnAdmins(context.Background(), key, QuotaWarningText(w)); err != nil {
				logger.Error("warn admins of the Zalo quota", "err", err)
			}
		},
		SaveMeter: func(st zalo.MeterState) error {
			raw, err := json.Marshal(st)
			if err != nil {
				return err
			}
			return db.Update(func(tx *store.Tx) error { return tx.SetValue(KVZaloMeter, string(raw)) })
		},
		Now:   now,
		After: after,
	}
}

// QuotaWarningText tells the admins that Zalo's monthly quota is 80 % used.
func QuotaWarningText(w zalo.QuotaWarning) string {
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

// RestoreMeter loads the quota meter's month-to-date count that the store
// kept; with nothing kept the meter starts from zero.
func RestoreMeter(zt *zalo.Transport, db *store.DB) error {
	var raw string
	_ = db.View(func(tx *store.Tx) error { raw = tx.GetValue(KVZaloMeter); return nil })
	if raw == "" {
		return nil
	}
	var st zalo.MeterState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return fmt.Errorf("the stored Zalo quota count is unreadable: %w", err)
	}
	if err := zt.Meter().Restore(st); err != nil {
		return fmt.Errorf("the stored Zalo quota count was not restored: %w", err)
	}
	return nil
}

// ZaloName is the Zalo bot's name as people find it.
func ZaloName(me zalo.Me) string {
	if me.DisplayName != "" {
		return me.DisplayName
	}
	return me.AccountName
}

// TelegramPhoto fetches an evidence photo Telegram keeps (the record holds
// its file_id) through the transport tg returns; store.ErrNotFound when
// Telegram does not run or no longer gives the file.
func TelegramPhoto(tg func() *telegram.Transport) func(context.Context, string) ([]byte, error) {
	return func(ctx context.Context, ref string) ([]byte, error) {
		t := tg()
		if t == nil {
			return nil, fmt.Errorf("photo kept by Telegram, which does not run: %w", store.ErrNotFound)
		}
		b, err := t.FetchFile(ctx, ref)
		if errors.Is(err, telegram.ErrFileUnavailable) {
			return nil, fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
		return b, err
	}
}
