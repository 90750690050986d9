package schedule

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"dvcbot/bot/telegram"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

// telegramWorld is a world whose scheduler sends through the real
// transport to a fake Bot API that enforces Telegram's limits strictly
// (1 message/s per chat, 20/min per group, 30/s overall), all on one fast
// clock. The scheduler reads the transport's errors with the default
// Classify: the transport wraps the chat package's errors.
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
	w.sender = tr
	w.newScheduler()
	return w, srv
}

func TestThreeHundredRemindersDrawNo429(t *testing.T) {
	start := time.Date(2026, 5, 2, 15, 0, 0, 0, ict)
	w, srv := telegramWorld(t, start)
	hamlets := []string{"bai-nha", "hon-tre", "nam-du"}
	for i := range 300 {
		w.person(int64(50000+i), hamlets[i%3], campaign.RoleOfficer, fmt.Sprintf("Cán Bộ %d", i))
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
	if len(pending) != 0 || len(sent) != 299 || len(dropped) != 1 || dropped[0].Reply.To != tg(50007) {
		t.Errorf("outbox: %d pending, %d sent, %d dropped", len(pending), len(sent), len(dropped))
	}
	if got := w.unreachable(); !slices.Equal(got, []int64{50007}) {
		t.Errorf("unreachable accounts %v; want only the officer who blocked the bot", got)
	}
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
		if got := w.eng.GroupChats(tx); !slices.Equal(got, []chat.Address{tg(super)}) {
			t.Errorf("leaders' groups %v, want %v", got, tg(super))
		}
		return nil
	})
	// The next day, after a restart (a new transport knows nothing of the
	// migration), the leaderboard goes straight to the new id.
	w.restart()
	w.sender, w.classify = nil, nil
	w.newScheduler()
	w.tickAt(time.Date(2026, 5, 3, 20, 0, 0, 0, ict))
	var group []chat.Reply
	for _, r := range w.send.take() {
		if r.Group {
			group = append(group, r)
		}
	}
	if len(group) != 1 || group[0].To != tg(super) {
		t.Errorf("next day's group posts: %+v", group)
	}
}
