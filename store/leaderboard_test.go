package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"pgregory.net/rapid"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
)

// lbClock is a settable test clock.
type lbClock struct{ t time.Time }

func (c *lbClock) now() time.Time { return c.t }

var lbZone = time.FixedZone("ICT", 7*3600)

var lbHamlets = []campaign.Hamlet{
	{ID: "bai-nha", Name: "Bãi Nhà", Households: 6},
	{ID: "nam-du", Name: "Nam Du", Households: 5},
	{ID: "cu-tron", Name: "Củ Tron", Households: 4},
}

// lbOfficers: registered officers (one inactive), an admin without a
// hamlet (not ranked by name), and person 4 never registered.
var lbOfficers = []campaign.Officer{
	{ID: 1, FullName: "Nguyễn Văn An", HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true,
		Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "1001")}}},
	{ID: 2, FullName: "Trần Thị Bình", HamletID: "nam-du", Role: campaign.RoleOfficer, Active: true,
		Accounts: []campaign.Account{{Address: chat.Addr(chat.Zalo, "6ede9afa01")}}},
	{ID: 3, FullName: "Lê Văn Ba", HamletID: "cu-tron", Role: campaign.RoleOfficer,
		Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "1003"), Unreachable: true}}},
	{ID: 5, FullName: "Quản trị", Role: campaign.RoleAdmin, Active: true},
}

// lbReporters are the people whose records the tests add: the officers,
// the admin and person 4, who never registered.
var lbReporters = []campaign.PersonID{1, 2, 3, 4, 5}

// lbDump lists every aggregate the store keeps, through its readers.
func lbDump(t interface{ Fatalf(string, ...any) }, db *DB) []string {
	var out []string
	err := db.View(func(tx *Tx) error {
		if err := tx.EachHamletDay(func(h string, d Day, c DayCount) error {
			out = append(out, fmt.Sprintf("hd %s %d %+v", h, d, c))
			return nil
		}); err != nil {
			return err
		}
		// The readers by key agree with the full walks.
		var byKey []string
		for _, h := range lbHamlets {
			if err := tx.HamletDays(h.ID, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
				byKey = append(byKey, fmt.Sprintf("hd %s %d %+v", h.ID, d, c))
				if one := tx.HamletDay(h.ID, d); one != c {
					return fmt.Errorf("HamletDay(%s, %d) = %+v, HamletDays says %+v", h.ID, d, one, c)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		var od []string
		if err := tx.EachOfficerDay(func(o int64, d Day, c DayCount) error {
			od = append(od, fmt.Sprintf("od %d %d %+v", o, d, c))
			return nil
		}); err != nil {
			return err
		}
		for _, o := range lbOfficers {
			if err := tx.OfficerDays(o.ID, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
				byKey = append(byKey, fmt.Sprintf("od %d %d %+v", o.ID, d, c))
				return nil
			}); err != nil {
				return err
			}
		}
		if err := tx.OfficerDays(4, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
			byKey = append(byKey, fmt.Sprintf("od %d %d %+v", 4, d, c))
			return nil
		}); err != nil {
			return err
		}
		all := append(slices.Clone(out), od...)
		slices.Sort(all)
		slices.Sort(byKey)
		if !slices.Equal(all, byKey) {
			return fmt.Errorf("day counts by key:\n%v\nby walking:\n%v", byKey, all)
		}
		out = append(out, od...)
		if err := tx.EachOfficerHousehold(func(o int64, hh uint64, first Day) error {
			out = append(out, fmt.Sprintf("oh %d %d %d", o, hh, first))
			return nil
		}); err != nil {
			return err
		}
		if err := tx.EachHouseholdFacts(func(id uint64, f HouseholdFacts) error {
			var ps []string
			for p, d := range f.Procedures {
				ps = append(ps, p+"@"+strconv.Itoa(int(d)))
			}
			slices.Sort(ps)
			out = append(out, fmt.Sprintf("hh %d %s %d %d %v", id, f.HamletID, f.GuidedFrom, f.SelfAbleFrom, ps))
			return nil
		}); err != nil {
			return err
		}
		if err := tx.tx.Bucket(bAggOff).ForEach(func(k, v []byte) error {
			o, err := decodeOfficerFacts(readI64(k), v)
			out = append(out, fmt.Sprintf("officer %+v", o))
			return err
		}); err != nil {
			return err
		}
		if err := tx.EachRun(func(h string, from, to Day) error {
			out = append(out, fmt.Sprintf("run %s %d-%d", h, from, to))
			return nil
		}); err != nil {
			return err
		}
		return tx.EachHamletTotals(func(h string, tot HamletTotals) error {
			if tot != (HamletTotals{}) {
				out = append(out, fmt.Sprintf("h %s %+v", h, tot))
			}
			return nil
		})
	})
	if err != nil {
		t.Fatalf("dump aggregates: %v", err)
	}
	return out
}

// lbFull is the leaderboard computed from every fact.
func lbFull(tx *Tx, p scoring.Params, today scoring.Date) ([]scoring.HamletRank, []scoring.OfficerRank, error) {
	f, err := tx.Facts("")
	if err != nil {
		return nil, nil, err
	}
	return scoring.Leaderboard(f, p, today), scoring.TopOfficers(f, p, scoring.Month(today.Year, today.Month), 3), nil
}

func lbLines(ranks []scoring.HamletRank, top []scoring.OfficerRank) []string {
	var out []string
	for _, r := range ranks {
		out = append(out, fmt.Sprintf("%d %s met=%v today=%d guided=%d able=%d cover=%v streak=%d",
			r.Rank, r.Hamlet.ID, r.MetToday, r.GuidedToday, r.HouseholdsGuided, r.Able, r.Coverage, r.CurrentStreak))
	}
	for _, o := range top {
		out = append(out, fmt.Sprintf("officer %d %d %s %d %d", o.Rank, o.Officer.ID, o.Officer.DisplayName(), o.GuidedInPeriod, o.DaysActive))
	}
	return out
}

// TestPropQuickLeaderboardAndReindex runs random sequences of reports,
// undos, self-able marks and checks over several weeks. After each one
// today's leaderboard from the running totals equals the one from every
// fact; at the end the aggregates (agg_do included) equal those Reindex
// rebuilds from the records.
func TestPropQuickLeaderboardAndReindex(t *testing.T) {
	procs := []string{"khai_sinh", "thuong_tru", "tam_tru"}
	base := time.Date(2026, 4, 27, 7, 0, 0, 0, lbZone)
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp("", "dvcbot-quick-")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		clock := &lbClock{t: base}
		db, err := Open(filepath.Join(dir, "x.db"), Options{Now: clock.now, Location: lbZone, NoSync: true})
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		p := scoring.DefaultParams()
		p.CampaignStart = scoring.NewDate(2026, time.April, 28+rapid.IntRange(-2, 3).Draw(rt, "start"))
		p.DailyTarget = rapid.IntRange(1, 2).Draw(rt, "target")
		p.DaysOff = []scoring.Date{scoring.NewDate(2026, time.May, rapid.IntRange(1, 10).Draw(rt, "off"))}
		if err := db.Update(func(tx *Tx) error {
			if err := tx.SyncHamlets(lbHamlets); err != nil {
				return err
			}
			for _, o := range lbOfficers {
				if err := tx.PutOfficer(o, 0, "officer.add"); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			rt.Fatal(err)
		}
		var households, records []uint64
		var log []string
		for i := range rapid.IntRange(1, 60).Draw(rt, "ops") {
			clock.t = clock.t.Add(time.Duration(rapid.IntRange(0, 20*60).Draw(rt, "minutes")) * time.Minute)
			var what string
			err := db.Update(func(tx *Tx) error {
				switch op := rapid.SampledFrom([]string{"household", "guidance", "guidance", "guidance", "retract", "selfable", "check"}).Draw(rt, "op"); {
				case op == "household" || len(households) == 0:
					h := rapid.SampledFrom(lbHamlets).Draw(rt, "hamlet")
					self := rapid.IntRange(0, 3).Draw(rt, "self") == 0
					hh := campaign.Household{HamletID: h.ID, HeadName: "Hộ " + strconv.Itoa(i), Phone: fmt.Sprintf("09%08d", i), CreatedBy: 1}
					if self {
						hh.SelfAble, hh.SelfAbleBy, hh.SelfAbleAt = true, 1, tx.Now()
					}
					hh, err := tx.AddHousehold(hh, "ho")
					households = append(households, hh.ID)
					what = fmt.Sprintf("household %d in %s self=%v", hh.ID, h.ID, self)
					return err
				case op == "guidance":
					id := rapid.SampledFrom(households).Draw(rt, "household")
					hh, err := tx.Household(id)
					if err != nil {
						return err
					}
					officer := rapid.SampledFrom(lbReporters).Draw(rt, "officer")
					back := time.Duration(rapid.IntRange(0, 50).Draw(rt, "hours back")) * time.Hour
					ps := rapid.SliceOfNDistinct(rapid.SampledFrom(procs), 1, 3, rapid.ID[string]).Draw(rt, "procedures")
					g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: id, HamletID: hh.HamletID, OfficerID: officer, Procedures: ps, At: tx.Now().Add(-back)})
					records = append(records, g.ID)
					what = fmt.Sprintf("guidance %d household %d officer %d at now-%v", g.ID, id, officer, back)
					return err
				case op == "retract" && len(records) > 0:
					id := rapid.SampledFrom(records).Draw(rt, "record")
					what = fmt.Sprintf("retract %d", id)
					_, err := tx.RetractGuidance(id, 1)
					return err
				case op == "selfable":
					id := rapid.SampledFrom(households).Draw(rt, "household")
					what = fmt.Sprintf("self-able %d", id)
					return tx.MarkSelfAble(id, 1)
				case op == "check" && len(records) > 0:
					id := rapid.SampledFrom(records).Draw(rt, "record")
					what = fmt.Sprintf("check failed %d", id)
					_, err := tx.SetCheck(id, campaign.CheckFailed, "", 1)
					return err
				}
				return nil
			})
			if err != nil {
				rt.Fatalf("%s: %v", what, err)
			}
			log = append(log, fmt.Sprintf("%s %s", clock.t.Format("02/01 15:04"), what))
			if err := db.View(func(tx *Tx) error {
				today := scoring.DateOf(tx.Now(), lbZone)
				ranks, top, ok, err := tx.QuickLeaderboard(p, today, 3)
				if err != nil || !ok {
					return fmt.Errorf("quick leaderboard: ok=%v, %v", ok, err)
				}
				wr, wt, err := lbFull(tx, p, today)
				if err != nil {
					return err
				}
				if want, got := lbLines(wr, wt), lbLines(ranks, top); !slices.Equal(want, got) {
					return fmt.Errorf("quick leaderboard on %v:\n%s\nwant:\n%s", today, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				return nil
			}); err != nil {
				rt.Fatalf("%v\nafter:\n%s", err, strings.Join(log, "\n"))
			}
		}
		if err := db.View(func(tx *Tx) error { return lbCheckFacts(tx, p) }); err != nil {
			rt.Fatalf("%v\nafter:\n%s", err, strings.Join(log, "\n"))
		}
		incremental := lbDump(rt, db)
		if err := db.Update(func(tx *Tx) error { return tx.Reindex() }); err != nil {
			rt.Fatal(err)
		}
		if rebuilt := lbDump(rt, db); !slices.Equal(incremental, rebuilt) {
			rt.Fatalf("Reindex differs from the incremental aggregates:\nincremental %v\nrebuilt     %v\nafter:\n%s", incremental, rebuilt, strings.Join(log, "\n"))
		}
	})
}

// lbSlowFacts builds the facts through the aggregates' public readers, one
// list at a time (what Facts did before it read everything in one pass).
func lbSlowFacts(tx *Tx) (scoring.Facts, error) {
	var f scoring.Facts
	hs, err := tx.Hamlets()
	if err != nil {
		return f, err
	}
	for _, h := range hs {
		f.Hamlets = append(f.Hamlets, scoring.Hamlet{ID: h.ID, Name: h.Name, Households: h.Households})
	}
	err = tx.EachHamletDay(func(h string, d Day, c DayCount) error {
		f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: h, Date: d.ScoringDate(), Households: c.Households})
		return nil
	})
	if err == nil {
		err = tx.EachHouseholdFacts(func(_ uint64, hf HouseholdFacts) error {
			h := scoring.Household{HamletID: hf.HamletID, GuidedFrom: hf.GuidedFrom.ScoringDate(), SelfAbleFrom: hf.SelfAbleFrom.ScoringDate()}
			for _, d := range hf.Procedures {
				h.ProcedureDates = append(h.ProcedureDates, d.ScoringDate())
			}
			slices.SortFunc(h.ProcedureDates, scoring.Date.Compare)
			f.Households = append(f.Households, h)
			return nil
		})
	}
	if err == nil {
		err = tx.EachOfficerDay(func(o int64, d Day, c DayCount) error {
			f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: o, Date: d.ScoringDate(), Households: c.Households, Procedures: c.Procedures})
			return nil
		})
	}
	if err == nil {
		err = tx.EachOfficerHousehold(func(o int64, _ uint64, first Day) error {
			f.OfficerHouseholds = append(f.OfficerHouseholds, scoring.OfficerHousehold{OfficerID: o, First: first.ScoringDate()})
			return nil
		})
	}
	if err != nil {
		return f, err
	}
	os, err := tx.Officers()
	for _, o := range os {
		if so, ok := scoredOfficer(o); ok {
			f.Officers = append(f.Officers, so)
		}
	}
	return f, err
}

// lbCheckFacts: Facts gives the same figures as the slow reading, and
// Facts narrowed to one hamlet the same figures for that hamlet and its
// officers.
func lbCheckFacts(tx *Tx, p scoring.Params) error {
	today := scoring.DateOf(tx.Now(), lbZone)
	period := scoring.ISOWeek(today)
	full, err := tx.Facts("")
	if err != nil {
		return err
	}
	slow, err := lbSlowFacts(tx)
	if err != nil {
		return err
	}
	slow.Checks, slow.Exclusions = full.Checks, full.Exclusions // read the same way by both
	show := func(v any) string { return fmt.Sprintf("%+v", v) }
	fh, sh := scoring.Hamlets(full, p, period, today), scoring.Hamlets(slow, p, period, today)
	if show(fh) != show(sh) {
		return fmt.Errorf("Facts hamlets:\n%s\nslow reading:\n%s", show(fh), show(sh))
	}
	fo, so := scoring.Officers(full, p, period, today), scoring.Officers(slow, p, period, today)
	if show(fo) != show(so) {
		return fmt.Errorf("Facts officers:\n%s\nslow reading:\n%s", show(fo), show(so))
	}
	all, allOff := scoring.Hamlets(full, p, period, today), scoring.Officers(full, p, period, today)
	for i, h := range full.Hamlets {
		one, err := tx.Facts(h.ID)
		if err != nil {
			return err
		}
		if got := scoring.Hamlets(one, p, period, today); show(got[0]) != show(all[i]) {
			return fmt.Errorf("Facts(%s): %+v, all facts: %+v", h.ID, got[0], all[i])
		}
		for _, o := range scoring.Officers(one, p, period, today) {
			for _, w := range allOff {
				if w.Officer.ID == o.Officer.ID && o.Officer.HamletID == h.ID && show(o) != show(w) {
					return fmt.Errorf("Facts(%s) officer %d: %+v, all facts: %+v", h.ID, o.Officer.ID, o, w)
				}
			}
		}
	}
	return nil
}

// TestQuickLeaderboardOnlyForToday: the running totals answer for today;
// an earlier day, or records dated after today, send the caller to the
// full computation.
func TestQuickLeaderboardOnlyForToday(t *testing.T) {
	clock := &lbClock{t: time.Date(2026, 5, 12, 9, 0, 0, 0, lbZone)}
	db, err := Open(filepath.Join(t.TempDir(), "x.db"), Options{Now: clock.now, Location: lbZone, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := scoring.DefaultParams()
	var hh campaign.Household
	if err := db.Update(func(tx *Tx) error {
		if err := tx.SyncHamlets(lbHamlets); err != nil {
			return err
		}
		hh, err = tx.AddHousehold(campaign.Household{HamletID: "nam-du", HeadName: "Hộ A", Phone: "0912345678"}, "ho a")
		if err != nil {
			return err
		}
		_, err = tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "nam-du", OfficerID: 1, Procedures: []string{"khai_sinh"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	quick := func(today scoring.Date) bool {
		var ok bool
		if err := db.View(func(tx *Tx) error {
			_, _, ok, err = tx.QuickLeaderboard(p, today, 5)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	may := func(d int) scoring.Date { return scoring.NewDate(2026, time.May, d) }
	if !quick(may(12)) || !quick(may(13)) {
		t.Errorf("today's (or a later) leaderboard not answered from the totals")
	}
	if quick(may(11)) {
		t.Errorf("yesterday's leaderboard answered from today's totals")
	}
	if err := db.Update(func(tx *Tx) error {
		_, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "nam-du", OfficerID: 1, Procedures: []string{"khai_sinh"},
			At: time.Date(2026, 5, 14, 8, 0, 0, 0, lbZone)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if quick(may(12)) {
		t.Errorf("a record dated after today is not noticed")
	}
}

// TestMigrationFromOlderSchemas: a schema 2 file (day counts keyed by
// hamlet and officer first) and a schema 3 file (a household index and
// facts of their own) get every aggregate rebuilt from the records when
// opened, and the household's records found again.
func TestMigrationFromOlderSchemas(t *testing.T) {
	for _, tc := range []struct {
		version string
		legacy  [][]byte
	}{
		{"2", [][]byte{bAggHD, bAggHDH, bAggOD, bAggODH, bAggOH, bAggHH, bGHousehold, bAggDO, bAggH}},
		{"3", [][]byte{bAggHH, bGHousehold, bAggDO, bAggDH, bAggH}},
	} {
		t.Run("schema "+tc.version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "old.db")
			clock := &lbClock{t: time.Date(2026, 5, 12, 9, 0, 0, 0, lbZone)}
			db, err := Open(path, Options{Now: clock.now, Location: lbZone, NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *Tx) error {
				if err := tx.SyncHamlets(lbHamlets); err != nil {
					return err
				}
				for i := range 30 {
					hh, err := tx.AddHousehold(campaign.Household{HamletID: lbHamlets[i%3].ID, HeadName: "Hộ", Phone: fmt.Sprintf("09%08d", i)}, "ho")
					if err != nil {
						return err
					}
					at := tx.Now().Add(-time.Duration(i*7) * time.Hour)
					for range 1 + i%2 {
						if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hh.HamletID, OfficerID: lbReporters[i%5], Procedures: []string{"a", "b"}, At: at}); err != nil {
							return err
						}
					}
				}
				// Nobody registered: up to schema 4 the records name
				// Telegram ids, which the migration to schema 5 makes
				// people without a role, numbered in the order the
				// records first name them (1 to 5 here, the same ids).
				for _, id := range lbReporters {
					if err := tx.PutOfficer(campaign.Officer{ID: id, Active: true,
						Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, id.String())}}}, 0, "test"); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want := lbDump(t, db)
			// Make it an older file: its aggregate buckets, holding
			// something, and no people (nor accounts) yet.
			if err := db.bolt.Update(func(tx *bolt.Tx) error {
				if err := tx.DeleteBucket(bAccounts); err != nil {
					return err
				}
				if err := tx.DeleteBucket(bOfficers); err != nil {
					return err
				}
				if _, err := tx.CreateBucket(bOfficers); err != nil {
					return err
				}
				for _, name := range [][]byte{bHH, bAggDH, bAggH, bLifted} {
					if err := tx.DeleteBucket(name); err != nil {
						return err
					}
				}
				for _, name := range tc.legacy {
					b, err := tx.CreateBucket(name)
					if err != nil {
						return err
					}
					if err := b.Put([]byte("old"), []byte("layout")); err != nil {
						return err
					}
				}
				return tx.Bucket(bMeta).Put([]byte("schema_version"), []byte(tc.version))
			}); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if ro, err := Open(path, Options{Location: lbZone, ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
				if err == nil {
					ro.Close()
				}
				t.Fatalf("read-only open of a schema %s file: err = %v, want ErrOlderSchema", tc.version, err)
			}
			db, err = Open(path, Options{Now: clock.now, Location: lbZone, NoSync: true})
			if err != nil {
				t.Fatalf("open a schema %s file: %v", tc.version, err)
			}
			defer db.Close()
			if got := lbDump(t, db); !slices.Equal(got, want) {
				t.Errorf("after migration:\n%v\nwant:\n%v", got, want)
			}
			if err := db.View(func(tx *Tx) error {
				for _, name := range [][]byte{bAggHD, bAggHDH, bAggOD, bAggODH, bAggOH, bAggHH, bGHousehold, bAggDO} {
					if tx.tx.Bucket(name) != nil {
						return fmt.Errorf("bucket %s of an older schema left behind", name)
					}
				}
				if tx.tx.Bucket(bLifted) == nil {
					return fmt.Errorf("no bucket %s after migration", bLifted)
				}
				for id := uint64(1); id <= 30; id++ {
					recs, err := tx.GuidanceOfHousehold(id)
					if err != nil {
						return err
					}
					if want := 1 + int(id-1)%2; len(recs) != want {
						return fmt.Errorf("household %d: %d records after migration, want %d", id, len(recs), want)
					}
					for _, g := range recs {
						if g.HouseholdID != id {
							return fmt.Errorf("household %d: record %d of household %d", id, g.ID, g.HouseholdID)
						}
					}
				}
				return nil
			}); err != nil {
				t.Error(err)
			}
		})
	}
}
