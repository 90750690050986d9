package bot

import (
	"context"
	"flag"
	"fmt"
	"os"
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

// The test world of the admin commands (names prefixed adm, so as not to
// clash with the transcript harness that shares the package).

// People of the admin test world, by their Telegram account; w.pid gives
// a person's number (the one /canbo shows and admin commands take).
const (
	admAdmin    int64 = 1001 // admin from configuration, no hamlet
	admOfficer  int64 = 2001 // officer of Bãi Nhà
	admOfficer2 int64 = 2002 // officer of Nam Du
	admOfficer3 int64 = 2003 // officer of Hòn Tre
	admGone     int64 = 2004 // officer of Hòn Tre, deactivated
	admLeader   int64 = 2101 // leader of Bãi Nhà
	admPromoted int64 = 2201 // officer of Nam Du promoted to admin
	admStranger int64 = 9001 // never registered
	admGroup    int64 = -100777
)

// admLoc is the campaign time zone (Vietnam has had no DST since 1975, so
// a fixed zone is exact and needs no tzdata).
var admLoc = time.FixedZone("ICT", 7*3600)

var admHamlets = []campaign.Hamlet{
	{ID: "bai-nha", Name: "Bãi Nhà", Households: 812},
	{ID: "nam-du", Name: "Nam Du", Households: 298},
	{ID: "hon-tre", Name: "Hòn Tre", Households: 874},
}

var admProcedures = []campaign.Procedure{
	{ID: "khai_sinh", Name: "Đăng ký khai sinh"},
	{ID: "thuong_tru", Name: "Đăng ký thường trú"},
	{ID: "ket_hon", Name: "Đăng ký kết hôn"},
	{ID: "bhyt", Name: "Gia hạn thẻ BHYT hộ gia đình"},
	{ID: "khac", Name: "Khác"},
}

// admNow is the fixed "now" of the report goldens: Thursday 14 May 2026, 10:00.
var admNow = time.Date(2026, 5, 14, 10, 0, 0, 0, admLoc)

func init() {
	// The transcript tests define -update; define it here only when they do not.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata/")
	}
}

// admUpdate reports whether golden files are to be rewritten (-update).
func admUpdate() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

type admClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *admClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *admClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *admClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type admWorld struct {
	t     testing.TB
	clock *admClock
	db    *store.DB
	eng   *Engine
	upd   int64
}

// admAddr is a Telegram account of the admin test world.
func admAddr(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

func admSettings() Settings {
	return Settings{
		CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Start:        time.Date(2026, 1, 1, 0, 0, 0, 0, admLoc),
		End:          time.Date(2026, 12, 31, 0, 0, 0, 0, admLoc),
		Location:     admLoc,
		DailyTarget:  1,
		Procedures:   admProcedures,
		Admins:       []chat.Address{admAddr(admAdmin)},
		Groups:       []chat.Address{admAddr(admGroup)},
		BotUsername:  func() string { return "dvc_test_bot" },
		// The clock stands still: no limit on messages a minute.
		RatePerMinute: -1,
	}
}

// newAdmWorld opens a store (no fsync) with the test hamlets and the
// people of the world registered: the admin from configuration first (as
// the engine records them when they first write: no stored role), then the
// officers, so that their numbers are 1 (admin) to 7 (admPromoted).
func newAdmWorld(t testing.TB, now time.Time) *admWorld {
	t.Helper()
	w := &admWorld{t: t, clock: &admClock{t: now}}
	db, err := store.Open(filepath.Join(t.TempDir(), "dvcbot.db"), store.Options{Now: w.clock.Now, Location: admLoc, NoSync: true})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	w.update(func(tx *store.Tx) error { return tx.SyncHamlets(admHamlets) })
	w.eng = New(db, admSettings(), WithClock(w.clock.Now))
	w.officer(admAdmin, "", "", "")
	w.officer(admOfficer, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	w.officer(admOfficer2, "nam-du", campaign.RoleOfficer, "Phạm Thị Hoa")
	w.officer(admOfficer3, "hon-tre", campaign.RoleOfficer, "Trần Minh Đức")
	w.officer(admGone, "hon-tre", campaign.RoleOfficer, "Đỗ Văn Nam")
	w.officer(admLeader, "bai-nha", campaign.RoleLeader, "Nguyễn Thị Lan")
	w.officer(admPromoted, "nam-du", campaign.RoleAdmin, "Võ Thanh Bình")
	return w
}

func (w *admWorld) update(fn func(tx *store.Tx) error) {
	w.t.Helper()
	if err := w.db.Update(fn); err != nil {
		w.t.Fatalf("store update: %v", err)
	}
}

func (w *admWorld) view(fn func(tx *store.Tx) error) {
	w.t.Helper()
	if err := w.db.View(fn); err != nil {
		w.t.Fatalf("store view: %v", err)
	}
}

// officer registers a person with the Telegram account id.
func (w *admWorld) officer(id int64, hamlet string, role campaign.Role, name string) {
	w.t.Helper()
	w.update(func(tx *store.Tx) error {
		pid, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{ID: pid, Accounts: []campaign.Account{{Address: admAddr(id)}}, Prefer: chat.Telegram,
			FullName: name, HamletID: hamlet, Role: role, Active: true, JoinedAt: time.Date(2025, 12, 20, 8, 0, 0, 0, admLoc)}, 0, "officer.test")
	})
}

// pid is the number of the person with the Telegram account id.
func (w *admWorld) pid(id int64) campaign.PersonID {
	w.t.Helper()
	var o campaign.Officer
	w.view(func(tx *store.Tx) (err error) { o, err = tx.PersonAt(admAddr(id)); return err })
	return o.ID
}

// num is a person's number as typed in admin commands.
func (w *admWorld) num(id int64) string { return w.pid(id).String() }

func (w *admWorld) handle(in chat.Input) []chat.Reply {
	w.t.Helper()
	w.upd++
	in.Update = strconv.FormatInt(w.upd, 10)
	in.Caps = chat.CapsOf(in.Chat.Channel)
	rs, err := w.eng.Handle(context.Background(), in)
	if err != nil {
		w.t.Fatalf("Handle(%q): %v", in.Text, err)
	}
	for _, r := range rs {
		if err := checkReply(r, in.Text); err != nil {
			w.t.Errorf("reply to %q: %v", in.Text, err)
		}
		if strings.Contains(r.Text, "\uFFFD") {
			w.t.Errorf("reply to %q has a replacement character", in.Text)
		}
	}
	return rs
}

// admInput is a message from user in their private chat on Telegram.
func admInput(user int64, text string) chat.Input {
	return chat.Input{Chat: admAddr(user), From: admAddr(user), Private: true, Caps: chat.CapsOf(chat.Telegram), Text: text}
}

// send is a message from user in their private chat.
func (w *admWorld) send(user int64, text string) []chat.Reply {
	w.t.Helper()
	return w.handle(admInput(user, text))
}

// sendGroup is a message from user in the leaders' group.
func (w *admWorld) sendGroup(user int64, text string) []chat.Reply {
	w.t.Helper()
	return w.handle(chat.Input{Chat: admAddr(admGroup), From: admAddr(user), Text: text})
}

func (w *admWorld) press(user int64, data string) []chat.Reply {
	w.t.Helper()
	return w.handle(chat.Input{Chat: admAddr(user), From: admAddr(user), Private: true, Callback: &chat.Callback{ID: "cb", Data: data, MessageID: "1"}})
}

// one returns the text of the single reply, failing otherwise.
func (w *admWorld) one(rs []chat.Reply) string {
	w.t.Helper()
	if len(rs) != 1 {
		w.t.Fatalf("want one reply, got %d: %s", len(rs), admRender(rs, 0))
	}
	return rs[0].Text
}

// admRender writes replies to an input from user as golden files show them
// (0: no recipient is anybody's own chat).
func admRender(rs []chat.Reply, user int64) string {
	var b strings.Builder
	to := chat.Address{}
	if user != 0 {
		to = admAddr(user)
	}
	for _, r := range rs {
		renderReply(&b, r, to)
	}
	return b.String()
}

// admGolden compares got with testdata/<name>, rewriting it with -update.
func admGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if admUpdate() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./bot -run %s -update to accept):\n%s", path, t.Name(), admDiff(string(want), got))
	}
}

// admDiff shows the lines around the first difference.
func admDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d\n", i+1)
	for j := i; j < min(len(wl), i+4); j++ {
		fmt.Fprintf(&b, "-  %s\n", wl[j])
	}
	for j := i; j < min(len(gl), i+4); j++ {
		fmt.Fprintf(&b, "+  %s\n", gl[j])
	}
	return b.String()
}

// admSeeded is one record written by seed, for computing expectations.
type admSeeded struct {
	ID      uint64
	Hamlet  string
	Officer int64 // the Telegram account of the officer
	Phone   string
	At      time.Time
}

// seed writes the reports of 01/01/2026 up to the clock's day directly in
// the store, in a fixed pattern:
//   - Bãi Nhà: two new households a day (three on every 4th day of the
//     month from March) except on Sundays (officer 2001);
//   - Nam Du: one record every other day but from the 4th to the 8th of a
//     month (officer 2002), cycling over 50 households so that they
//     collect a second procedure;
//   - Hòn Tre: one new household each weekday (officer 2003 in January and
//     February, then officer 2004, deactivated since);
//
// plus a Nam Du household recorded as able on its own, spot checks
// (failed, passed, unreachable) and an exclusion of Hòn Tre.
func (w *admWorld) seed() []admSeeded {
	w.t.Helper()
	now := w.clock.Now()
	var out []admSeeded
	admin, officer2 := w.pid(admAdmin), w.pid(admOfficer2)
	w.update(func(tx *store.Tx) error {
		add := func(hamlet string, officer int64, phone, name string, at time.Time, procs ...string) error {
			p, err := tx.PersonAt(admAddr(officer))
			if err != nil {
				return err
			}
			hh, err := tx.HouseholdByPhone(hamlet, phone)
			if err != nil {
				hh, err = tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: "Tổ 1, ấp " + hamlet,
					Phone: phone, CreatedBy: p.ID, CreatedAt: at}, strings.ToLower(name))
				if err != nil {
					return err
				}
			}
			g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: p.ID, Via: admAddr(officer), At: at, Procedures: procs})
			if err != nil {
				return err
			}
			out = append(out, admSeeded{ID: g.ID, Hamlet: hamlet, Officer: officer, Phone: phone, At: at})
			return nil
		}
		start := time.Date(2026, 1, 1, 9, 0, 0, 0, admLoc)
		bn, hn := 0, 0
		for i := 0; ; i++ {
			at := start.AddDate(0, 0, i)
			if at.After(now) {
				break
			}
			if at.Weekday() != time.Sunday {
				n := 2
				if at.Month() >= time.March && at.Day()%4 == 0 {
					n = 3
				}
				for k := 0; k < n; k++ {
					bn++
					procs := []string{"khai_sinh"}
					if bn%3 == 0 {
						procs = append(procs, "thuong_tru")
					}
					if err := add("bai-nha", admOfficer, fmt.Sprintf("0911%06d", bn), fmt.Sprintf("Nguyễn Văn Bãi %d", bn), at.Add(time.Duration(k)*time.Minute), procs...); err != nil {
						return err
					}
				}
			}
			if i%2 == 0 && (at.Day() < 4 || at.Day() > 8) {
				n := (i / 2) % 50
				proc := "khai_sinh"
				if i/2 >= 50 {
					proc = "ket_hon"
				}
				if err := add("nam-du", admOfficer2, fmt.Sprintf("0922%06d", n), fmt.Sprintf("Phạm Văn Nam %d", n), at.Add(time.Hour), proc); err != nil {
					return err
				}
			}
			if at.Weekday() != time.Saturday && at.Weekday() != time.Sunday {
				hn++
				off := admOfficer3
				if at.Month() > time.February {
					off = admGone
				}
				if err := add("hon-tre", off, fmt.Sprintf("0933%06d", hn), fmt.Sprintf("Trần Thị Hòn %d", hn), at.Add(2*time.Hour), "bhyt"); err != nil {
					return err
				}
			}
		}
		if _, err := tx.AddHousehold(campaign.Household{HamletID: "nam-du", HeadName: "Lý Thị Tự", Address: "Tổ 2, ấp Nam Du",
			Phone: "0944000001", CreatedBy: officer2, CreatedAt: time.Date(2026, 3, 10, 15, 0, 0, 0, admLoc),
			SelfAble: true, SelfAbleBy: officer2, SelfAbleAt: time.Date(2026, 3, 10, 15, 0, 0, 0, admLoc)}, "ly thi tu"); err != nil {
			return err
		}
		// Spot checks (recorded now): a failed one on a Nam Du record of
		// April, a passed one on a Bãi Nhà record of April, an unreachable
		// household of Hòn Tre in May.
		for _, ck := range []struct {
			hamlet string
			month  time.Month
			status campaign.CheckStatus
			reason string
		}{
			{"nam-du", time.April, campaign.CheckFailed, "Hộ cho biết chưa được hướng dẫn"},
			{"bai-nha", time.April, campaign.CheckPassed, ""},
			{"hon-tre", time.May, campaign.CheckUnreachable, ""},
		} {
			for _, s := range out {
				if s.Hamlet == ck.hamlet && s.At.Month() == ck.month {
					if _, err := tx.SetCheck(s.ID, ck.status, ck.reason, admin); err != nil {
						return err
					}
					break
				}
			}
		}
		if err := tx.PutExclusion(campaign.Exclusion{Kind: campaign.ExcludeHamlet, Target: "hon-tre",
			Reason: "Đang giải quyết khiếu nại", By: admin, At: time.Date(2026, 4, 20, 9, 0, 0, 0, admLoc)}); err != nil {
			return err
		}
		o, err := tx.PersonAt(admAddr(admGone))
		if err != nil {
			return err
		}
		o.Active = false
		return tx.PutOfficer(o, admin, "officer.deactivate")
	})
	return out
}
