package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"dvcbot/campaign"
	"dvcbot/store"
)

// fataler is what the dump helpers need of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// aggregates dumps every aggregate the store keeps, through its exported
// readers, as comparable lines.
func aggregates(t fataler, db *store.DB, hamlets []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.View(func(tx *store.Tx) error {
		if err := tx.EachHamletDay(func(h string, d store.Day, c store.DayCount) error {
			out[fmt.Sprintf("hamlet-day %s %s", h, d.Date().Format("2006-01-02"))] = fmt.Sprintf("%+v", c)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.EachOfficerDay(func(o int64, d store.Day, c store.DayCount) error {
			out[fmt.Sprintf("officer-day %d %s", o, d.Date().Format("2006-01-02"))] = fmt.Sprintf("%+v", c)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.EachOfficerHousehold(func(o int64, hh uint64, first store.Day) error {
			out[fmt.Sprintf("officer-household %d %d", o, hh)] = first.Date().Format("2006-01-02")
			return nil
		}); err != nil {
			return err
		}
		if err := tx.EachHouseholdFacts(func(id uint64, f store.HouseholdFacts) error {
			out[fmt.Sprintf("household %d", id)] = factsString(f)
			return nil
		}); err != nil {
			return err
		}
		for _, h := range hamlets {
			if tot := tx.HamletTotals(h); tot != (store.HamletTotals{}) {
				out["totals "+h] = fmt.Sprintf("%+v", tot)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("dump aggregates: %v", err)
	}
	return out
}

func dayString(d store.Day) string {
	if d == store.NoDay {
		return "never"
	}
	return d.Date().Format("2006-01-02")
}

func factsString(f store.HouseholdFacts) string {
	var procs []string
	for p, d := range f.Procedures {
		procs = append(procs, p+"@"+dayString(d))
	}
	sort.Strings(procs)
	return fmt.Sprintf("hamlet=%s guided=%s self=%s procs=[%s]", f.HamletID, dayString(f.GuidedFrom), dayString(f.SelfAbleFrom), strings.Join(procs, " "))
}

// expectedAggregates computes the aggregates from the records alone, the
// way the brief defines them (a reference model independent of the
// store's incremental code).
func expectedAggregates(t fataler, db *store.DB, hamlets []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	day := func(at time.Time) store.Day { return store.DayOf(at, hcm) }
	err := db.View(func(tx *store.Tx) error {
		var households []campaign.Household
		for id := uint64(1); ; id++ {
			h, err := tx.Household(id)
			if errors.Is(err, store.ErrNotFound) {
				break
			} else if err != nil {
				return err
			}
			households = append(households, h)
		}
		type hd struct {
			key string
			hh  map[uint64]bool
			n   int
		}
		days := map[string]*hd{}
		add := func(key string, hh uint64, procs int) {
			d := days[key]
			if d == nil {
				d = &hd{key: key, hh: map[uint64]bool{}}
				days[key] = d
			}
			d.hh[hh] = true
			d.n += procs
		}
		facts := map[uint64]*store.HouseholdFacts{}
		officerFirst := map[string]store.Day{}
		for _, h := range households {
			f := &store.HouseholdFacts{HamletID: h.HamletID, GuidedFrom: store.NoDay, SelfAbleFrom: store.NoDay, Procedures: map[string]store.Day{}}
			if h.SelfAble {
				f.SelfAbleFrom = day(h.SelfAbleAt)
			}
			facts[h.ID] = f
		}
		if err := tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
			if !g.Counts() {
				return nil
			}
			d := day(g.At)
			add(fmt.Sprintf("hamlet-day %s %s", g.HamletID, d.Date().Format("2006-01-02")), g.HouseholdID, len(g.Procedures))
			add(fmt.Sprintf("officer-day %d %s", g.OfficerID, d.Date().Format("2006-01-02")), g.HouseholdID, len(g.Procedures))
			k := fmt.Sprintf("officer-household %d %d", g.OfficerID, g.HouseholdID)
			if first, ok := officerFirst[k]; !ok || d < first {
				officerFirst[k] = d
			}
			f := facts[g.HouseholdID]
			if f.GuidedFrom == store.NoDay || d < f.GuidedFrom {
				f.GuidedFrom = d
			}
			for _, p := range g.Procedures {
				if cur, ok := f.Procedures[p]; !ok || d < cur {
					f.Procedures[p] = d
				}
			}
			return nil
		}); err != nil {
			return err
		}
		for k, d := range days {
			out[k] = fmt.Sprintf("%+v", store.DayCount{Households: len(d.hh), Procedures: d.n})
		}
		for k, d := range officerFirst {
			out[k] = d.Date().Format("2006-01-02")
		}
		totals := map[string]*store.HamletTotals{}
		for id, f := range facts {
			if !f.Able() {
				continue
			}
			out[fmt.Sprintf("household %d", id)] = factsString(*f)
			tot := totals[f.HamletID]
			if tot == nil {
				tot = &store.HamletTotals{}
				totals[f.HamletID] = tot
			}
			tot.Able++
			if f.GuidedFrom != store.NoDay {
				tot.Guided++
			}
			if len(f.Procedures) >= 2 {
				tot.Proc2++
			}
		}
		for h, tot := range totals {
			out["totals "+h] = fmt.Sprintf("%+v", *tot)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("expected aggregates: %v", err)
	}
	return out
}

func diffMaps(want, got map[string]string) string {
	var lines []string
	for k, w := range want {
		if g, ok := got[k]; !ok {
			lines = append(lines, fmt.Sprintf("missing %s = %s", k, w))
		} else if g != w {
			lines = append(lines, fmt.Sprintf("%s = %s, want %s", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, fmt.Sprintf("extra %s = %s", k, g))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestReindexEqualsIncremental runs random sequences of writes; the
// aggregates kept incrementally must equal those rebuilt by Reindex, and
// both must equal a reference computed from the records.
func TestReindexEqualsIncremental(t *testing.T) {
	hamlets := []string{"bai-nha", "nam-du"}
	officers := []campaign.PersonID{1, 2, 3}
	procs := []string{"khai_sinh", "thuong_tru", "tam_tru", "khac"}
	phones := []string{"0912345678", "0987654321", "0905123456", "0323456789"}
	base := time.Date(2026, 3, 2, 6, 0, 0, 0, hcm)

	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp("", "dvcbot-reindex-")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		clock := &storeClock{t: base}
		db, err := store.Open(filepath.Join(dir, "x.db"), store.Options{Now: clock.Now, Location: hcm, NoSync: true})
		if err != nil {
			rt.Fatal(err)
		}
		defer db.Close()
		var households, records []uint64
		var log []string
		update := func(what string, fn func(tx *store.Tx) error) {
			log = append(log, what)
			if err := db.Update(fn); err != nil {
				rt.Fatalf("%s: %v", what, err)
			}
		}
		n := rapid.IntRange(1, 40).Draw(rt, "ops")
		for i := 0; i < n; i++ {
			// Time moves on by up to 30 hours, crossing local midnights.
			clock.Add(time.Duration(rapid.IntRange(0, 30*60).Draw(rt, "minutes")) * time.Minute)
			switch op := rapid.SampledFrom([]string{"household", "guidance", "guidance", "retract", "selfable", "unselfable", "check"}).Draw(rt, "op"); {
			case op == "household":
				h := rapid.SampledFrom(hamlets).Draw(rt, "hamlet")
				phone := rapid.SampledFrom(phones).Draw(rt, "phone")
				self := rapid.Bool().Draw(rt, "self-able")
				update(fmt.Sprintf("add household %s %s self=%v at %v", h, phone, self, clock.Now()), func(tx *store.Tx) error {
					if _, err := tx.HouseholdByPhone(h, phone); err == nil {
						return nil
					}
					hh := campaign.Household{HamletID: h, HeadName: "A B", Address: "x", Phone: phone, CreatedBy: 1}
					if self {
						hh.SelfAble, hh.SelfAbleBy, hh.SelfAbleAt = true, 1, tx.Now()
					}
					hh, err := tx.AddHousehold(hh, "a b")
					households = append(households, hh.ID)
					return err
				})
			case op == "guidance" && len(households) > 0:
				id := rapid.SampledFrom(households).Draw(rt, "household")
				officer := rapid.SampledFrom(officers).Draw(rt, "officer")
				ps := rapid.SliceOfNDistinct(rapid.SampledFrom(procs), 1, 3, rapid.ID[string]).Draw(rt, "procedures")
				back := time.Duration(rapid.IntRange(0, 3*24).Draw(rt, "hours back")) * time.Hour
				update(fmt.Sprintf("add guidance household %d officer %d %v at now-%v", id, officer, ps, back), func(tx *store.Tx) error {
					hh, err := tx.Household(id)
					if err != nil {
						return err
					}
					g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: id, HamletID: hh.HamletID, OfficerID: officer,
						Procedures: ps, At: tx.Now().Add(-back)})
					records = append(records, g.ID)
					return err
				})
			case op == "retract" && len(records) > 0:
				id := rapid.SampledFrom(records).Draw(rt, "record")
				update(fmt.Sprintf("retract %d", id), func(tx *store.Tx) error { _, err := tx.RetractGuidance(id, 1); return err })
			case op == "selfable" && len(households) > 0:
				id := rapid.SampledFrom(households).Draw(rt, "household")
				update(fmt.Sprintf("self-able %d", id), func(tx *store.Tx) error { return tx.MarkSelfAble(id, 1) })
			case op == "unselfable" && len(households) > 0:
				id := rapid.SampledFrom(households).Draw(rt, "household")
				update(fmt.Sprintf("undo self-able %d", id), func(tx *store.Tx) error { return tx.UnmarkSelfAble(id, 1) })
			case op == "check" && len(records) > 0:
				id := rapid.SampledFrom(records).Draw(rt, "record")
				st := rapid.SampledFrom([]campaign.CheckStatus{campaign.CheckPassed, campaign.CheckFailed, campaign.CheckNone}).Draw(rt, "status")
				update(fmt.Sprintf("check %d %q", id, st), func(tx *store.Tx) error { _, err := tx.SetCheck(id, st, "", 1); return err })
			}
		}
		incremental := aggregates(rt, db, hamlets)
		if want := expectedAggregates(rt, db, hamlets); diffMaps(want, incremental) != "" {
			rt.Fatalf("incremental aggregates differ from the records:\n%s\nafter:\n%s", diffMaps(want, incremental), strings.Join(log, "\n"))
		}
		if err := db.Update(func(tx *store.Tx) error { return tx.Reindex() }); err != nil {
			rt.Fatal(err)
		}
		rebuilt := aggregates(rt, db, hamlets)
		if d := diffMaps(incremental, rebuilt); d != "" {
			rt.Fatalf("Reindex differs from the incremental aggregates:\n%s\nafter:\n%s", d, strings.Join(log, "\n"))
		}
	})
}
