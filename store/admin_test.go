package store

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
)

// adminStore opens a fresh store with one hamlet at a fixed clock.
func adminStore(t *testing.T, now time.Time) *DB {
	t.Helper()
	loc := time.FixedZone("ICT", 7*3600)
	db, err := Open(filepath.Join(t.TempDir(), "admin.db"), Options{Now: func() time.Time { return now }, Location: loc, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *Tx) error {
		return tx.SyncHamlets([]campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 10}})
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestUnmarkSelfAble(t *testing.T) {
	now := time.Date(2026, 5, 14, 3, 0, 0, 0, time.UTC)
	db := adminStore(t, now)
	var id uint64
	err := db.Update(func(tx *Tx) error {
		h, err := tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: "Lý Văn Tự", Phone: "0988111222",
			CreatedBy: 7, SelfAble: true, SelfAbleBy: 7, SelfAbleAt: now}, "ly van tu")
		id = h.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check := func(wantAble int, wantSelf bool) {
		t.Helper()
		if err := db.View(func(tx *Tx) error {
			if got := tx.HamletTotals("bai-nha").Able; got != wantAble {
				t.Errorf("able = %d, want %d", got, wantAble)
			}
			h, err := tx.Household(id)
			if h.SelfAble != wantSelf {
				t.Errorf("self able = %v, want %v", h.SelfAble, wantSelf)
			}
			f, ferr := tx.Facts("bai-nha")
			if ferr != nil {
				return ferr
			}
			able := 0
			for _, hf := range f.Households {
				if !hf.SelfAbleFrom.IsZero() {
					able++
				}
			}
			if able != wantAble {
				t.Errorf("facts: %d households able on their own, want %d", able, wantAble)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	check(1, true)
	for range 2 { // the second undo changes nothing
		if err := db.Update(func(tx *Tx) error { return tx.UnmarkSelfAble(id, 7) }); err != nil {
			t.Fatal(err)
		}
	}
	check(0, false)
	// The household stays, found by its phone.
	if err := db.View(func(tx *Tx) error { _, err := tx.HouseholdByPhone("bai-nha", "0988111222"); return err }); err != nil {
		t.Errorf("household gone after undo: %v", err)
	}
	var actions []string
	_ = db.View(func(tx *Tx) error {
		log, err := tx.AuditLog(0, 0)
		for _, e := range log {
			actions = append(actions, e.Action)
			if strings.Contains(e.Before+e.After, "0988111222") {
				t.Errorf("audit entry %s holds the phone", e.Action)
			}
		}
		return err
	})
	if got := strings.Join(actions, ","); got != "household.create,household.self_able_undo" {
		t.Errorf("audit = %s", got)
	}
	// Reindexing from the records agrees with the incremental totals.
	if err := db.Update(func(tx *Tx) error { return tx.Reindex() }); err != nil {
		t.Fatal(err)
	}
	check(0, false)
}

func TestOfficerActivityAndGuided(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 5, 14, 10, 0, 0, 0, loc)
	db := adminStore(t, now)
	var a, b campaign.Household
	err := db.Update(func(tx *Tx) error {
		var err error
		if a, err = tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: "A", Phone: "0911000001"}, "a"); err != nil {
			return err
		}
		if b, err = tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: "B", Phone: "0911000002"}, "b"); err != nil {
			return err
		}
		for _, g := range []campaign.Guidance{
			{HouseholdID: a.ID, OfficerID: 7, At: time.Date(2026, 5, 1, 9, 0, 0, 0, loc)},
			{HouseholdID: a.ID, OfficerID: 7, At: time.Date(2026, 5, 1, 23, 30, 0, 0, loc)}, // same local day
			{HouseholdID: b.ID, OfficerID: 7, At: time.Date(2026, 5, 3, 0, 30, 0, 0, loc)},
		} {
			g.HamletID, g.Procedures = "bai-nha", []string{"khai_sinh"}
			if _, err := tx.AddGuidance(g); err != nil {
				return err
			}
		}
		_, err = tx.RetractGuidance(3, 7) // b's only record
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(func(tx *Tx) error {
		act, err := tx.OfficerActivity(7)
		if err != nil {
			return err
		}
		if act.Households != 1 || act.DaysActive != 1 || act.LastDay.ScoringDate().String() != "01/05/2026" {
			t.Errorf("activity = %+v (last %s), want 1 household, 1 day, last 01/05/2026", act, act.LastDay.ScoringDate())
		}
		if none, _ := tx.OfficerActivity(8); none.Households != 0 || none.DaysActive != 0 || none.LastDay != NoDay {
			t.Errorf("activity of nobody = %+v", none)
		}
		for _, tc := range []struct {
			id   uint64
			want bool
		}{{a.ID, true}, {b.ID, false}} {
			got, err := tx.HouseholdGuided(tc.id)
			if err != nil || got != tc.want {
				t.Errorf("HouseholdGuided(%d) = %v, %v; want %v", tc.id, got, err, tc.want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
