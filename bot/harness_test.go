package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// The people of the test world, by their Telegram account (the
// transcripts model Telegram: «@user 2002» speaks as telegram:2002).
const (
	adminID    int64 = 1001 // admin from configuration, not attached to a hamlet
	officerID  int64 = 2001 // officer of Bãi Nhà, registered
	groupChat  int64 = -100123
	campaignTZ       = "Asia/Ho_Chi_Minh"
)

// tg is a Telegram account of the test world.
func tg(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

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
// state of the simulated clients: the speaking account, update ids and
// message ids.
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
	user    chat.Address      // who speaks (in their private chat)
	buttons map[string]string // choice value → id of the latest message offering it
	last    chat.Input
	typed   strings.Builder // everything people sent, for checkReply
	logger  *slog.Logger    // the engine's logger (discard when nil)
	// unconfirmed: the simulated transport never confirms that it sent
	// the replies (as when it dies before sending them).
	unconfirmed bool
	// set changes the settings before the engine is built (nil: none).
	set func(*Settings)
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "dvcbot.db"), clock: &testClock{t: worldStart}, sync: true,
		user: tg(officerID), buttons: map[string]string{}}
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
		user: tg(officerID), buttons: map[string]string{}}
	w.open()
	t.Cleanup(func() { w.db.Close() })
	return w
}

func (w *world) settings() Settings {
	set := Settings{
		CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Start:        time.Date(2026, 1, 1, 0, 0, 0, 0, hcm),
		End:          time.Date(2026, 12, 31, 0, 0, 0, 0, hcm),
		Location:     hcm,
		DailyTarget:  1,
		Procedures:   testProcedures,
		Admins:       []chat.Address{tg(adminID)},
		Groups:       []chat.Address{tg(groupChat)},
		InviteTTL:    7 * 24 * time.Hour,
		BotUsername:  func() string { return "dvc_test_bot" },
		// The clock stands still in tests: no limit on messages a minute
		// (TestInboundRateLimit tests the limit).
		RatePerMinute: -1,
	}
	if w.set != nil {
		w.set(&set)
	}
	return set
}

// testCode is the n-th invite code of a world: "TEST" and n in base 8
// written with the digits 2–9 (TEST2223, TEST2224, …), 8 characters of the
// code alphabet like a real code.
func testCode(n int) string {
	b := []byte("TEST2222")
	for i := len(b) - 1; i >= 4 && n > 0; i-- {
		b[i] = byte('2' + n%8)
		n /= 8
	}
	return string(b)
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
		return testCode(w.codes)
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

// addOfficer registers a person with a Telegram account directly in the store.
func (w *world) addOfficer(id int64, hamlet string, role campaign.Role, name string) campaign.PersonID {
	w.t.Helper()
	return w.addPerson(tg(id), hamlet, role, name)
}

// addPerson registers a person with one account directly in the store and
// returns their number.
func (w *world) addPerson(addr chat.Address, hamlet string, role campaign.Role, name string) campaign.PersonID {
	w.t.Helper()
	var pid campaign.PersonID
	err := w.db.Update(func(tx *store.Tx) error {
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		pid = id
		return tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: addr}}, Prefer: addr.Channel,
			FullName: name, HamletID: hamlet, Role: role, Active: true, JoinedAt: w.clock.Now()}, 0, "officer.test")
	})
	if err != nil {
		w.t.Fatalf("add person %s: %v", addr, err)
	}
	return pid
}

// person returns the person one of whose accounts addr is.
func (w *world) person(addr chat.Address) campaign.Officer {
	w.t.Helper()
	var o campaign.Officer
	if err := w.db.View(func(tx *store.Tx) (err error) { o, err = tx.PersonAt(addr); return err }); err != nil {
		w.t.Fatalf("person at %s: %v", addr, err)
	}
	return o
}

// pid is the number of the person with the Telegram account id.
func (w *world) pid(id int64) campaign.PersonID {
	w.t.Helper()
	return w.person(tg(id)).ID
}

// handle sends one input as it is (its update id included) and checks every reply.
func (w *world) handle(in chat.Input) []chat.Reply {
	w.t.Helper()
	w.last = in
	w.typed.WriteString(in.Text + "\n")
	if in.Callback != nil {
		w.typed.WriteString(in.Callback.Data + "\n")
	}
	replies, err := w.eng.Handle(context.Background(), in)
	if err != nil {
		w.t.Fatalf("Handle(%+v): %v", in, err)
	}
	if !w.unconfirmed {
		// As a transport does once it has sent the replies.
		w.eng.Delivered(in.Chat.Channel, in.Update)
	}
	for _, r := range replies {
		if err := checkReply(r, w.typed.String()); err != nil {
			w.t.Errorf("input %q: %v", clipForLog(in.Text), err)
		}
		if r.Edit == "" {
			w.msgID++
		}
		id := strconv.Itoa(w.msgID)
		if r.Edit != "" {
			id = r.Edit
		}
		for _, row := range r.Choices {
			for _, b := range row {
				if b.Value != "" {
					w.buttons[b.Value] = id
				}
			}
		}
	}
	return replies
}

// input builds the next input of the speaking account in its private chat.
func (w *world) input() chat.Input {
	w.update++
	return chat.Input{Update: strconv.FormatInt(w.update, 10), Chat: w.user, From: w.user, Private: true,
		Caps: chat.CapsOf(w.user.Channel)}
}

func (w *world) text(s string) []chat.Reply {
	w.t.Helper()
	in := w.input()
	in.Text = s
	return w.handle(in)
}

func (w *world) press(data string) []chat.Reply {
	w.t.Helper()
	in := w.input()
	in.Callback = &chat.Callback{ID: "cb" + in.Update, Data: data, MessageID: w.buttons[data]}
	return w.handle(in)
}

func (w *world) photo(fileID string) []chat.Reply {
	w.t.Helper()
	in := w.input()
	in.Photo = &chat.Photo{Ref: fileID}
	return w.handle(in)
}

// groupOf is the leaders' group of a channel in the test world.
func groupOf(channel string) chat.Address {
	if channel == chat.Telegram {
		return tg(groupChat)
	}
	return chat.Addr(channel, "group-1")
}

// group sends a message of the speaking account in the leaders' group of its channel.
func (w *world) group(s string) []chat.Reply {
	w.t.Helper()
	in := w.input()
	in.Chat, in.Private, in.Text = groupOf(w.user.Channel), false, s
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
