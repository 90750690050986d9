package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"dvcbot/backup"
	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/bot/zalo"
	"dvcbot/config"
	"dvcbot/ops"
	"dvcbot/store"
	"dvcbot/wiring"
)

// shutdownGrace bounds finishing the updates in flight and flushing the
// queued replies at SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

// serve runs the bot on every channel that has a token (Telegram, Zalo;
// at least one) until SIGINT/SIGTERM: updates in flight are finished and
// queued replies flushed before the store is closed.
//
// Configuration comes from --config FILE (or $DVCBOT_CONFIG) with
// DVCBOT_<SECTION>_<KEY> overrides; without a file, from the embedded
// sample and the environment alone (the container's way).
func (e env) serve(ctx context.Context, args []string) error {
	fs := e.flags("serve")
	path := e.configPath(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig(*path, true)
	if err != nil {
		return err
	}
	now, after := e.clock()
	logger := newLogger(e.stderr, true, cfg.Log.SlogLevel())
	if *path == "" {
		logger.Warn("no configuration file: using the embedded sample with DVCBOT_* environment variables; its hamlets are illustrative unless DVCBOT_HAMLETS is set")
	}
	db, err := openStore(cfg, now)
	if err != nil {
		return err
	}
	defer db.Close()

	var (
		tg      *telegram.Transport
		zt      *zalo.Transport
		metrics *ops.Metrics // made below, before any update is handled
	)
	set := wiring.EngineSettings(cfg)
	wiring.ChannelSettings(&set, func() *telegram.Transport { return tg }, func() *zalo.Transport { return zt })
	var eng *bot.Engine
	// Evidence photos sent over Telegram stay with Telegram (the record
	// keeps the file_id): the web page fetches them through the transport.
	webSrv, err := wiring.Web(ctx, cfg, db, &eng, wiring.TelegramPhoto(func() *telegram.Transport { return tg }), logger, now)
	if err != nil {
		return err
	}
	if webSrv != nil {
		set.Pages = wiring.Pages{Srv: webSrv, TTL: cfg.Web.LinkTTL}
	}
	eng = bot.New(db, set, bot.WithLogger(logger), bot.WithClock(now),
		bot.WithObserver(func(o bot.Outcome) {
			if metrics != nil && o.Saved > 0 {
				metrics.ReportsSaved(o.Saved)
			}
		}))
	if cfg.Telegram.Token != "" {
		tg, err = connect(ctx, logger, after, wiring.TelegramOptions(cfg, eng, logger, now, after, shutdownGrace))
		if err != nil {
			if ctx.Err() != nil {
				logger.Info("dvcbot stopped before Telegram could be reached")
				return nil
			}
			return err
		}
	}
	if cfg.Zalo.Token != "" {
		zopts := wiring.ZaloOptions(cfg, db, eng, logger, now, after)
		if webSrv != nil {
			zopts.FileLinker, zopts.PhotoHost = webSrv.Files(), webSrv.Files()
		}
		zt, err = connectZalo(ctx, logger, after, zopts, db)
		if err != nil {
			if tg != nil {
				tg.Shutdown(context.Background())
			}
			if ctx.Err() != nil {
				logger.Info("dvcbot stopped before Zalo could be reached")
				return nil
			}
			return err
		}
	}
	channels := wiring.Router{Telegram: tg, Zalo: zt}
	running := false // once the channels run, they shut themselves down
	defer func() {
		if !running {
			channels.Shutdown(context.Background())
		}
	}()

	backups, err := backup.NewRunner(backup.Options{
		DB: db, Dir: cfg.Store.BackupDir, Keep: cfg.Store.BackupKeep, Schedule: cfg.Store.BackupSchedule,
		Location: cfg.Campaign.Location, Now: now, After: after, Logger: logger,
		OnDone: func(_ backup.Info, err error) { metrics.BackupDone(err) },
	})
	if err != nil {
		return fmt.Errorf("backups: %w", err)
	}
	var probe *webhookProbe
	if tg != nil && cfg.Telegram.Mode == config.ModeWebhook {
		probe = newWebhookProbe(cfg.Telegram.APIEndpoint, cfg.Telegram.Token, now, logger)
	}
	var opsHandler http.Handler
	opsHandler, metrics = opsServer(cfg, db, eng, tg, zt, backups, probe, now)
	handler := instrument(eng.WithBackups(wiring.BackupFile(db, cfg.Campaign.Location, now)), metrics)

	// Listeners first, so that a port in use stops the start with a clear error.
	var opsLn, hookLn, webLn net.Listener
	if webSrv != nil {
		if webLn, err = listen("web.listen", cfg.Web.Listen); err != nil {
			return err
		}
		defer webLn.Close()
	}
	if cfg.Ops.Listen != "" {
		if opsLn, err = listen("ops.listen", cfg.Ops.Listen); err != nil {
			return err
		}
		defer opsLn.Close()
	}
	if tg != nil && cfg.Telegram.Mode == config.ModeWebhook {
		if hookLn, err = listen("telegram.webhook.listen", cfg.Telegram.Webhook.Listen); err != nil {
			return err
		}
		defer hookLn.Close()
	}

	var wg sync.WaitGroup
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer func() { stopBG(); wg.Wait() }()
	goBG := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(bg); err != nil && bg.Err() == nil {
				logger.Error(name+" stopped", "err", err)
			}
		}()
	}
	goBG("snapshot socket", func(ctx context.Context) error {
		if err := db.ServeSnapshots(ctx); err != nil {
			logger.Warn("snapshot socket unavailable; export must wait for the bot to stop", "err", err)
		}
		return nil
	})
	goBG("update pruning", func(ctx context.Context) error { return pruneUpdates(ctx, eng, logger, after) })
	goBG("delivered replies", func(ctx context.Context) error { return flushDelivered(ctx, eng, logger, after) })
	goBG("backups", backups.Run)
	if opsLn != nil {
		goBG("ops server", func(ctx context.Context) error { return ops.Serve(ctx, opsLn, opsHandler) })
	}
	if webLn != nil {
		goBG("web server", func(ctx context.Context) error { return serveWeb(ctx, webSrv, webLn, logger, after) })
	}
	if err := startScheduler(cfg, db, eng, channels, logger, now, goBG); err != nil {
		return err
	}
	// Answers that were stored but never sent (the process stopped with
	// them queued) go out first, before any update is received again.
	if err := wiring.ResendUndelivered(ctx, eng, channels, logger); err != nil {
		logger.Warn("replies left unsent by the last run", "err", err)
	}

	running = true
	logger.Info("dvcbot started", "telegram", channelState(tg != nil, cfg.Telegram.Mode), "zalo", channelState(zt != nil, cfg.Zalo.Mode),
		"store", cfg.Store.Path, "hamlets", len(cfg.Hamlets), "ops", cfg.Ops.Listen, "backup_dir", cfg.Store.BackupDir)
	err = runChannels(ctx, logger, func(ctx context.Context) error {
		if tg == nil {
			return nil
		}
		if cfg.Telegram.Mode == config.ModeWebhook {
			return serveWebhook(ctx, cfg, tg, handler, hookLn, logger, func() {
				goBG("webhook probe", func(ctx context.Context) error { probe.run(ctx, after); return nil })
			})
		}
		return servePolling(ctx, tg, handler, logger)
	}, func(ctx context.Context) error {
		if zt == nil {
			return nil
		}
		return serveZalo(ctx, zt, handler, logger)
	})
	// Scheduler, backups and the ops server stop before the store closes.
	stopBG()
	wg.Wait()
	if err != nil {
		return err
	}
	logger.Info("dvcbot stopped")
	return nil
}

// channelState is how the start log shows a channel: its mode, or "off".
func channelState(on bool, mode string) string {
	if !on {
		return "off"
	}
	return mode
}

// runChannels runs every channel until ctx ends or one fails for good (a
// refused token): then the others are stopped too, and the first error
// returned.
func runChannels(ctx context.Context, logger *slog.Logger, runs ...func(context.Context) error) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(runs))
	for _, run := range runs {
		go func() { errs <- run(cctx) }()
	}
	var first error
	for range runs {
		if err := <-errs; err != nil && first == nil {
			first = err
			logger.Error("a channel stopped; stopping the bot", "err", err)
			cancel()
		}
	}
	return first
}

// flushDelivered writes the confirmations of delivered replies every
// second, so an idle bot does not resend them after a restart.
func flushDelivered(ctx context.Context, eng *bot.Engine, logger *slog.Logger, after func(time.Duration) <-chan time.Time) error {
	for {
		select {
		case <-ctx.Done():
			if err := eng.FlushDelivered(context.WithoutCancel(ctx)); err != nil {
				logger.Warn("record delivered replies", "err", err)
			}
			return nil
		case <-after(time.Second):
		}
		if err := eng.FlushDelivered(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("record delivered replies", "err", err)
		}
	}
}

// connect makes the Telegram transport (getMe), retrying while Telegram
// cannot be reached; a refused token or a cancelled start ends the retries.
func connect(ctx context.Context, logger *slog.Logger, after func(time.Duration) <-chan time.Time, opts telegram.Options) (*telegram.Transport, error) {
	return connectRetrying(ctx, logger, after, "Telegram", "telegram", func(ctx context.Context) (*telegram.Transport, error) { return telegram.New(ctx, opts) },
		func(err error) bool {
			// "Unauthorized" and "Not Found" are the Bot API's answers to a wrong token.
			return strings.Contains(err.Error(), "Unauthorized") || strings.Contains(err.Error(), "Not Found") ||
				!strings.Contains(err.Error(), "getMe")
		})
}

// servePolling deletes any webhook (Telegram refuses getUpdates while one
// is set) and long-polls until ctx ends.
func servePolling(ctx context.Context, tg *telegram.Transport, h bot.Handler, logger *slog.Logger) error {
	if err := tg.DeleteWebhook(ctx, false); err != nil {
		logger.Warn("deleteWebhook failed; if a webhook is still set, polling will report it", "err", err)
	}
	if err := tg.Run(ctx, h); err != nil {
		return fmt.Errorf("telegram: %w", err)
	}
	return nil
}

// serveWebhook registers the webhook with its secret token and serves
// Telegram's deliveries on ln until ctx ends; then it lets the deliveries
// in flight finish and flushes the queued replies. onSet runs once the
// webhook is set.
func serveWebhook(ctx context.Context, cfg *config.Config, tg *telegram.Transport, h bot.Handler, ln net.Listener, logger *slog.Logger, onSet func()) error {
	w := cfg.Telegram.Webhook
	srv := &http.Server{
		Handler:           tg.WebhookHandler(h, w.SecretToken),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// Serve first, then ask Telegram to deliver: nothing is refused meanwhile.
	if err := tg.SetWebhook(ctx, w.URL, w.SecretToken); err != nil {
		srv.Close()
		tg.Shutdown(context.Background())
		return fmt.Errorf("set the webhook: %w", err)
	}
	// Some put the token in the webhook's path: never log it.
	shown := strings.NewReplacer(cfg.Telegram.Token, "<token>", w.SecretToken, "<secret>").Replace(w.URL)
	logger.Info("webhook set; receiving updates", "listen", ln.Addr().String(), "url", shown)
	onSet()
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	gctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(gctx); err != nil {
		logger.Warn("webhook server: shutdown grace ran out with deliveries in flight; Telegram will deliver them again", "err", err)
	}
	if err := tg.Shutdown(gctx); err != nil {
		logger.Warn("shutdown grace ran out; unsent replies dropped", "err", err)
	}
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("webhook server: %w", serveErr)
	}
	return nil
}

// pruneUpdates forgets old processed update ids, and removes
// conversations left unfinished for a week (they may hold a household's
// personal data), every 6 hours.
func pruneUpdates(ctx context.Context, eng *bot.Engine, logger *slog.Logger, after func(time.Duration) <-chan time.Time) error {
	for {
		if n, err := eng.PruneUpdates(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Warn("prune processed updates", "err", err)
		} else if n > 0 {
			logger.Info("pruned processed update ids", "count", n)
		}
		if n, err := eng.ExpireDrafts(ctx); err != nil && !errors.Is(err, context.Canceled) {
			logger.Warn("remove unfinished conversations", "err", err)
		} else if n > 0 {
			logger.Info("removed conversations unfinished for a week", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-after(6 * time.Hour):
		}
	}
}

// oldestDuePost is when the longest-waiting pending scheduled post became
// due: the earliest retry time, or, for a post to send at once, when it
// was stored.
func oldestDuePost(db *store.DB) (time.Time, bool, error) {
	var due time.Time
	var pending bool
	err := db.View(func(tx *store.Tx) error {
		next, ok, err := tx.NextPostAttempt()
		if err != nil || !ok {
			return err
		}
		pending, due = true, next
		if next.IsZero() {
			first, err := tx.PendingPosts(1)
			if err != nil {
				return err
			}
			if len(first) > 0 {
				due = first[0].CreatedAt
			}
		}
		return nil
	})
	return due, pending, err
}
