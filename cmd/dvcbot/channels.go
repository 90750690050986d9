package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/zalo"
	"dvcbot/store"
	"dvcbot/wiring"
)

// connectZalo makes the Zalo transport (getMe), retrying while Zalo cannot
// be reached; a refused token or a cancelled start ends the retries. The
// quota meter continues from the count the store kept.
func connectZalo(ctx context.Context, logger *slog.Logger, after func(time.Duration) <-chan time.Time, opts zalo.Options, db *store.DB) (*zalo.Transport, error) {
	wait := time.Second
	for {
		zt, err := zalo.New(ctx, opts)
		if err == nil {
			if err := wiring.RestoreMeter(zt, db); err != nil {
				logger.Warn("Zalo quota count starts from zero", "err", err)
			}
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
