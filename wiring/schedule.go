package wiring

import (
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

// Scheduler makes the scheduler of the campaign's posts (reminders,
// leaderboards, reviews) and of the outbox, sending through send.
func Scheduler(cfg *config.Config, db *store.DB, eng *bot.Engine, send schedule.Sender, logger *slog.Logger, now func() time.Time) (*schedule.Scheduler, error) {
	sched, err := schedule.New(db, schedule.CampaignJobs(cfg.Schedule, eng), send, schedule.Options{
		Location: cfg.Campaign.Location, CatchUp: cfg.Schedule.CatchUp, Now: now, Logger: logger,
		Classify: SendFailure,
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	return sched, nil
}

// SendFailure reads the transports' send errors for the scheduler.
func SendFailure(err error) schedule.Failure {
	switch {
	case errors.Is(err, telegram.ErrBlocked):
		return schedule.Unreachable
	case errors.Is(err, telegram.ErrRejected):
		return schedule.Rejected
	}
	return schedule.Classify(err)
}
