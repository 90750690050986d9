package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

// The people of the test world.
const (
	adminID    int64 = 1001 // admin from configuration, not attached to a hamlet
	officerID  int64 = 2001 // officer of Bãi Nhà, registered
	groupChat  int64 = -100123
	campaignTZ       = "Asia/Ho_Chi_Minh"
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation(campaignTZ)
	if err != nil {
		panic(err)
	}
	return loc
}()

// testHamlets and testProcedures are the world's configuration: fixed here
// (not read from the sample configuration) so that golden transcripts change
// only when the engine does.
var testHamlets = []campaign.Hamlet{
	{ID: "bai-nha", Name: "Bãi Nhà", Households: 812},
	{ID: "nam-du", Name: "Nam Du", Households: 298},
	{ID: "hon-tre", Name: "Hòn Tre", Households: 874},
}

var testProcedures = campaign.DefaultProcedures()

// worldStart is the first moment of every test world: Monday 2 March 2026, 08:00 local.
var worldStart = time.Date(2026, 3, 2, 8, 0, 0, 0, hcm)

// testClock is a settable clock shared by the store and the engine.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func (c *testClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// world is a store in a temporary folder with an engine over it, and the
// state of one simulated Telegram client: the speaking user, update ids
// and message ids.
type world struct {
	t       testing.TB
	path    string
	sync    bool // fsync commits (the default for transcripts: exactly as in production)
	clock   *testClock
	db      *store.DB
	eng     *Engine
	codes   int
	update  int64
	msgID   int
	user    int64
	buttons map[string]int // callback data → id of the latest message offering it
	last    Input
	logger  *slog.Logger // the engine's logger (discard when nil)
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "dvcbot.db"), clock: &testClock{t: worldStart}, sync: true,
		user: officerID, buttons: map[string]int{}}
	w.open()
	t.Cleanup(func() {
		if w.db != nil {
			w.db.Close()
		}
	})
	return w
}

// fastWorld is a world whose store skips fsync (for tests that run
// thousands of inputs; durability is not what they check).
func fastWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "dvcbot.db"), clock: &testClock{t: worldStart},
		user: officerID, buttons: map[string]int{}}
	w.open()
	t.Cleanup(func() { w.db.Close() })
	return w
}

func (w *world) settings() Settings {
	return Settings{
		CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Start:        time.Date(2026, 1, 1, 0, 0, 0, 0, hcm),
		End:          time.Date(2026, 12, 31, 0, 0, 0, 0, hcm),
		Location:     hcm,
		DailyTarget:  1,
		Procedures:   testProcedures,
		AdminIDs:     []int64{adminID},
		GroupChatID:  groupChat,
		InviteTTL:    7 * 24 * time.Hour,
		BotUsername:  func() string { return "dvc_test_bot" },
	}
}

func (w *world) open() {
	w.t.Helper()
	db, err := store.Open(w.path, store.Options{Now: w.clock.Now, Location: hcm, NoSync: !w.sync})
	if err != nil {
		w.t.Fatalf("open store: %v", err)
	}
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(testHamlets) }); err != nil {
		w.t.Fatalf("sync hamlets: %v", err)
	}
	w.db = db
	opts := []Option{WithClock(w.clock.Now), WithCodes(func() string {
		w.codes++
		return fmt.Sprintf("INV%03d", w.codes)
	})}
	if w.logger != nil {
		opts = append(opts, WithLogger(w.logger))
	}
	w.eng = New(db, w.settings(), opts...)
}

// restart closes the store and opens it again with a new engine, as after
// a crash or a deploy.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatalf("close store: %v", err)
	}
	w.open()
}

// addOfficer registers a person directly in the store.
func (w *world) addOfficer(id int64, hamlet string, role campaign.Role, name string) {
	w.t.Helper()
	err := w.db.Update(func(tx *store.Tx) error {
		return tx.PutOfficer(campaign.Officer{TelegramID: id, FullName: name, HamletID: hamlet, Role: role,
			Active: true, JoinedAt: w.clock.Now()}, adminID, "officer.test")
	})
	if err != nil {
		w.t.Fatalf("add officer: %v", err)
	}
}

// handle sends one input as it is (UpdateID included) and checks every reply.
func (w *world) handle(in Input) []Reply {
	w.t.Helper()
	w.last = in
	replies, err := w.eng.Handle(context.Background(), in)
	if err != nil {
		w.t.Fatalf("Handle(%+v): %v", in, err)
	}
	for _, r := range replies {
		if err := checkReply(r); err != nil {
			w.t.Errorf("input %q: %v", clipForLog(in.Text), err)
		}
		if r.EditMessageID == 0 {
			w.msgID++
		}
		id := w.msgID
		if r.EditMessageID != 0 {
			id = r.EditMessageID
		}
		for _, row := range r.Buttons {
			for _, b := range row {
				if b.Data != "" {
					w.buttons[b.Data] = id
				}
			}
		}
	}
	return replies
}

// input builds the next input of the speaking user in their private chat.
func (w *world) input() Input {
	w.update++
	return Input{UpdateID: w.update, ChatID: w.user, UserID: w.user, Private: true}
}

func (w *world) text(s string) []Reply {
	w.t.Helper()
	in := w.input()
	in.Text = s
	return w.handle(in)
}

func (w *world) press(data string) []Reply {
	w.t.Helper()
	in := w.input()
	in.Callback = &Callback{ID: fmt.Sprintf("cb%d", in.UpdateID), Data: data, MessageID: w.buttons[data]}
	return w.handle(in)
}

func (w *world) photo(fileID string) []Reply {
	w.t.Helper()
	in := w.input()
	in.PhotoFileID = fileID
	return w.handle(in)
}

func (w *world) group(s string) []Reply {
	w.t.Helper()
	in := w.input()
	in.ChatID, in.Private, in.Text = groupChat, false, s
	return w.handle(in)
}

// counts is a snapshot of what is stored, to check that bad input changes nothing.
type counts struct {
	Officers, Households, Guidance, Active, Audit int
	TodayHouseholds                               int
}

func (w *world) counts() counts {
	w.t.Helper()
	var c counts
	err := w.db.View(func(tx *store.Tx) error {
		os, err := tx.Officers()
		if err != nil {
			return err
		}
		c.Officers = len(os)
		for id := uint64(1); ; id++ {
			if _, err := tx.Household(id); errors.Is(err, store.ErrNotFound) {
				break
			} else if err != nil {
				return err
			}
			c.Households++
		}
		if err := tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
			c.Guidance++
			if g.Counts() {
				c.Active++
			}
			return nil
		}); err != nil {
			return err
		}
		log, err := tx.AuditLog(0, 0)
		c.Audit = len(log)
		c.TodayHouseholds = tx.HamletDay("bai-nha", store.DayOf(tx.Now(), hcm)).Households
		return err
	})
	if err != nil {
		w.t.Fatalf("counts: %v", err)
	}
	return c
}

func (c counts) String() string {
	return fmt.Sprintf("guidance %d (active %d), households %d, officers %d, audit entries %d",
		c.Guidance, c.Active, c.Households, c.Officers, c.Audit)
}

// guidance returns a stored record.
func (w *world) guidance(id uint64) campaign.Guidance {
	w.t.Helper()
	var g campaign.Guidance
	if err := w.db.View(func(tx *store.Tx) (err error) { g, err = tx.Guidance(id); return err }); err != nil {
		w.t.Fatalf("guidance %d: %v", id, err)
	}
	return g
}

// household returns a stored household.
func (w *world) household(id uint64) campaign.Household {
	w.t.Helper()
	var h campaign.Household
	if err := w.db.View(func(tx *store.Tx) (err error) { h, err = tx.Household(id); return err }); err != nil {
		w.t.Fatalf("household %d: %v", id, err)
	}
	return h
}
