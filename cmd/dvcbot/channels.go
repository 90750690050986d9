package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/zalo"
	"dvcbot/config"
	"dvcbot/store"
	"dvcbot/wiring"
)

// connectZalo makes the Zalo transport (getMe), retrying while Zalo cannot
// be reached; a refused token or a cancelled start ends the retries. The
// quota meter continues from the count the store kept.
func connectZalo(ctx context.Context, logger *slog.Logger, after func(time.Duration) <-chan time.Time, opts zalo.Options, db *store.DB) (*zalo.Transport, error) {
	zt, err := connectRetrying(ctx, logger, after, "Zalo", "zalo", func(ctx context.Context) (*zalo.Transport, error) { return zalo.New(ctx, opts) },
		func(err error) bool {
			return errors.Is(err, zalo.ErrUnauthorized) || !strings.Contains(err.Error(), "getMe")
		})
	if err != nil {
		return nil, err
	}
	if err := wiring.RestoreMeter(zt, db); err != nil {
		logger.Warn("Zalo quota count starts from zero", "err", err)
	}
	return zt, nil
}

// connectRetrying makes a channel's transport with dial, retrying while
// the channel cannot be reached (after a power cut the bot may start
// before the island's network is back): after 1 s, 2 s, 4 s… up to a
// minute between tries. An error final accepts (a refused token), or a
// cancelled start, ends the retries; the error names the configuration
// section (section.token, section.api_endpoint) to check.
func connectRetrying[T any](ctx context.Context, logger *slog.Logger, after func(time.Duration) <-chan time.Time, channel, section string,
	dial func(context.Context) (T, error), final func(error) bool) (T, error) {
	var zero T
	wait := time.Second
	for {
		t, err := dial(ctx)
		if err == nil {
			return t, nil
		}
		if ctx.Err() != nil || final(err) {
			return zero, fmt.Errorf("không kết nối được %s — kiểm tra mã bot %s.token (biến %s) và %s.api_endpoint rồi chạy lại: %w",
				channel, section, config.EnvName(section+".token"), section, err)
		}
		logger.Warn(channel+" unreachable at start; retrying", "err", err, "retry_in", wait.String())
		select {
		case <-ctx.Done():
			return zero, fmt.Errorf("connect to %s: %w", channel, err)
		case <-after(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}

// listen opens the listener of the configuration key key (an address
// host:port); a port in use stops the start saying what to do.
func listen(key, addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: không mở được địa chỉ này (cổng đang có chương trình khác dùng, có thể một bot dvcbot khác, hoặc địa chỉ không thuộc máy này) — dừng chương trình kia hoặc đổi %s (biến %s) rồi chạy lại: %w",
			key, addr, key, config.EnvName(key), err)
	}
	return ln, nil
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
