package main

import (
	"context"
	"log/slog"
	"time"

	"dvcbot/bot"
	"dvcbot/config"
	"dvcbot/schedule"
	"dvcbot/store"
	"dvcbot/wiring"
)

// startScheduler starts the scheduled posts (reminders, leaderboards,
// reviews) and the delivery of the outbox, sending through each post's
// channel.
func startScheduler(cfg *config.Config, db *store.DB, eng *bot.Engine, send schedule.Sender, logger *slog.Logger,
	now func() time.Time, goBG func(string, func(context.Context) error)) error {
	sched, err := wiring.Scheduler(cfg, db, eng, send, logger, now)
	if err != nil {
		return err
	}
	goBG("scheduler", sched.Run)
	return nil
}
