package sampledata

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

func TestFillIsDeterministic(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	now := time.Date(2026, 3, 1, 20, 0, 0, 0, loc)
	o := Options{
		Hamlets:    []campaign.Hamlet{{ID: "a", Name: "Ấp A", Households: 120}, {ID: "b", Name: "Ấp B", Households: 80}},
		Procedures: campaign.DefaultProcedures(),
		Start:      time.Date(2026, 1, 1, 0, 0, 0, 0, loc),
		End:        time.Date(2026, 12, 31, 0, 0, 0, 0, loc),
		Location:   loc, Now: now, Extras: true,
	}
	fill := func() (int, uint64) {
		db, err := store.Open(filepath.Join(t.TempDir(), "s.db"), store.Options{Now: func() time.Time { return now }, Location: loc, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		n, err := Fill(db, o)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Fill(db, o); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("second Fill: %v, want ErrNotEmpty", err)
		}
		var seq uint64
		var checks int
		err = db.View(func(tx *store.Tx) error {
			seq = tx.ChangeSeq()
			return tx.CheckedGuidance(func(campaign.Guidance) error { checks++; return nil })
		})
		if err != nil || checks == 0 {
			t.Fatalf("checks %d, %v", checks, err)
		}
		return n, seq
	}
	n1, s1 := fill()
	n2, s2 := fill()
	if n1 < 50 || n1 != n2 || s1 != s2 {
		t.Errorf("two fills: %d records (%d changes) and %d (%d)", n1, s1, n2, s2)
	}
}
