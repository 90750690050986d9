package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/config"
	"dvcbot/schedule"
	"dvcbot/store"
)

// startScheduler starts the scheduled posts (reminders, leaderboards,
// reviews) and the delivery of the outbox, sending through each post's
// channel.
func startScheduler(cfg *config.Config, db *store.DB, eng *bot.Engine, send schedule.Sender, logger *slog.Logger,
	now func() time.Time, goBG func(string, func(context.Context) error)) error {
	sched, err := schedule.New(db, schedule.CampaignJobs(cfg.Schedule, eng), send, schedule.Options{
		Location: cfg.Campaign.Location, CatchUp: cfg.Schedule.CatchUp, Now: now, Logger: logger,
		Classify: telegramFailure,
	})
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	goBG("scheduler", sched.Run)
	return nil
}

// telegramFailure reads the transport's send errors for the scheduler.
func telegramFailure(err error) schedule.Failure {
	switch {
	case errors.Is(err, telegram.ErrBlocked):
		return schedule.Unreachable
	case errors.Is(err, telegram.ErrRejected):
		return schedule.Rejected
	}
	return schedule.Classify(err)
}
