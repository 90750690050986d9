package schedule

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/campaign"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

// telegramFailure reads the transport's errors (until it wraps
// bot.ErrUnreachable and bot.ErrRejected itself).
func telegramFailure(err error) Failure {
	switch {
	case errors.Is(err, telegram.ErrBlocked):
		return Unreachable
	case errors.Is(err, telegram.ErrRejected):
		return Rejected
	}
	return Classify(err)
}

// telegramWorld is a world whose scheduler sends through the real
// transport to a fake Bot API that enforces Telegram's limits strictly
// (1 message/s per chat, 20/min per group, 30/s overall), all on one fast
// clock.
func telegramWorld(t *testing.T, start time.Time) (*world, *fakebotapi.Server) {
	t.Helper()
	const token = "424242:SCHEDULE"
	srv := fakebotapi.New(token)
	t.Cleanup(srv.Close)
	fc := fakebotapi.NewFastClock(start, 50)
	srv.SetClock(fc.Now)
	srv.EnforceLimits(time.Second, 20, 30)
	w := newWorld(t, start, settings())
	tr, err := telegram.New(context.Background(), telegram.Options{Token: token, Endpoint: srv.Endpoint(),
		Now: fc.Now, After: fc.After, Grace: time.Minute,
		OnMigrate: func(_ context.Context, from, to int64) {
			if err := w.eng.MigrateGroup(from, to); err != nil {
				t.Errorf("MigrateGroup: %v", err)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Shutdown(context.Background()) })
	w.sender, w.classify = tr, telegramFailure
	w.newScheduler()
	return w, srv
}

func TestThreeHundredRemindersDrawNo429(t *testing.T) {
	start := time.Date(2026, 5, 2, 15, 0, 0, 0, ict)
	w, srv := telegramWorld(t, start)
	hamlets := []string{"bai-nha", "hon-tre", "nam-du"}
	if err := w.db.Update(func(tx *store.Tx) error {
		for i := range 300 {
			o := campaign.Officer{TelegramID: int64(50000 + i), FullName: fmt.Sprintf("Cán Bộ %d", i),
				HamletID: hamlets[i%3], Role: campaign.RoleOfficer, Active: true}
			if err := tx.PutOfficer(o, tAdmin, "officer.test"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	srv.Block(50007) // one officer blocked the bot
	w.tick()
	began := time.Now()
	w.tickAt(time.Date(2026, 5, 2, 16, 0, 0, 0, ict))
	if n := srv.TooMany(); n != 0 {
		t.Errorf("the fake Bot API answered 429 %d times", n)
	}
	if n := srv.SentCount(); n != 299 {
		t.Errorf("%d reminders reached Telegram, want 299", n)
	}
	pending, sent, dropped := w.outbox()
	if len(pending) != 0 || len(sent) != 299 || len(dropped) != 1 || dropped[0].ChatID != 50007 {
		t.Errorf("outbox: %d pending, %d sent, %d dropped", len(pending), len(sent), len(dropped))
	}
	_ = w.db.View(func(tx *store.Tx) error {
		if o, _ := tx.Officer(50007); !o.Unreachable {
			t.Error("the officer who blocked the bot is not marked unreachable")
		}
		return nil
	})
	// Sent posts are never repeated.
	w.tickAt(time.Date(2026, 5, 2, 16, 30, 0, 0, ict))
	if n := srv.SentCount(); n != 299 {
		t.Errorf("after another tick %d messages", n)
	}
	t.Logf("300 reminders in %s", time.Since(began).Round(time.Millisecond))
}

func TestMigratedGroupThroughTelegram(t *testing.T) {
	start := time.Date(2026, 5, 2, 15, 0, 0, 0, ict)
	w, srv := telegramWorld(t, start)
	w.stub = true
	w.newScheduler()
	const super int64 = -1001234567890
	srv.MigrateGroup(tGroup, super)
	w.tick()
	w.tickAt(time.Date(2026, 5, 2, 20, 0, 0, 0, ict))
	if got := srv.SentTo(super); len(got) != 1 {
		t.Fatalf("%d messages at the supergroup, want the leaderboard", len(got))
	}
	_ = w.db.View(func(tx *store.Tx) error {
		if got := w.eng.GroupChat(tx); got != super {
			t.Errorf("stored group %d, want %d", got, super)
		}
		return nil
	})
	// The next day, after a restart (a new transport knows nothing of the
	// migration), the leaderboard goes straight to the new id.
	w.restart()
	w.sender, w.classify = nil, nil
	w.newScheduler()
	w.tickAt(time.Date(2026, 5, 3, 20, 0, 0, 0, ict))
	var group []bot.Reply
	for _, r := range w.send.take() {
		if r.Group {
			group = append(group, r)
		}
	}
	if len(group) != 1 || group[0].ChatID != super {
		t.Errorf("next day's group posts: %+v", group)
	}
}
