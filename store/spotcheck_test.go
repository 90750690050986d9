package store_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

// spotWorld is a store with two hamlets and a few records.
type spotWorld struct {
	db  *store.DB
	now time.Time
	ids []uint64 // records in the order added
}

func newSpotWorld(t *testing.T) *spotWorld {
	t.Helper()
	w := &spotWorld{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{Now: func() time.Time { return w.now },
		Location: time.FixedZone("ICT", 7*3600)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "a", Name: "A", Households: 100}, {ID: "b", Name: "B", Households: 50}}); err != nil {
			return err
		}
		for i, hamlet := range []string{"a", "a", "a", "b", "b"} {
			hh, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: "Hộ", Address: "Tổ 1",
				Phone: "091234567" + string(rune('0'+i)), CreatedBy: 7}, "ho")
			if err != nil {
				return err
			}
			g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: campaign.PersonID(10 + i%2), Procedures: []string{"khai_sinh"}})
			if err != nil {
				return err
			}
			w.ids = append(w.ids, g.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return w
}

func (w *spotWorld) candidates(t *testing.T, hamlet string) []uint64 {
	t.Helper()
	var out []uint64
	if err := w.db.View(func(tx *store.Tx) error {
		return tx.SpotCandidates(hamlet, func(g campaign.Guidance) error { out = append(out, g.ID); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSpotSamplesOnAFileWithoutThem(t *testing.T) {
	w := newSpotWorld(t)
	err := w.db.View(func(tx *store.Tx) error {
		ss, err := tx.SpotSamples()
		if err != nil || len(ss) != 0 {
			t.Errorf("SpotSamples = %v, %v; want none", ss, err)
		}
		if _, ok := tx.DrawnIn(w.ids[0]); ok {
			t.Error("DrawnIn reports a record drawn before any sample")
		}
		if _, err := tx.SpotSample(1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SpotSample(1) = %v, want ErrNotFound", err)
		}
		return tx.EachDrawn(func(g, s uint64) error { t.Errorf("EachDrawn(%d, %d) before any sample", g, s); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := w.candidates(t, ""); !slices.Equal(got, w.ids) {
		t.Errorf("candidates = %v, want every record %v", got, w.ids)
	}
	if got := w.candidates(t, "b"); !slices.Equal(got, w.ids[3:]) {
		t.Errorf("candidates of b = %v, want %v", got, w.ids[3:])
	}
}

func TestAddSpotSampleMarksDrawnAndAudits(t *testing.T) {
	w := newSpotWorld(t)
	var s store.SpotSample
	err := w.db.Update(func(tx *store.Tx) (err error) {
		s, err = tx.AddSpotSample(store.SpotSample{By: 99, Hamlet: "", Eligible: 5, Requested: 2, Guidance: []uint64{w.ids[0], w.ids[3]}})
		return err
	})
	if err != nil {
		t.Fatalf("AddSpotSample: %v", err)
	}
	if s.ID != 1 || !s.At.Equal(w.now) {
		t.Errorf("sample = %+v, want id 1 at %v", s, w.now)
	}
	// A record retracted, one checked: neither can be drawn any more.
	err = w.db.Update(func(tx *store.Tx) error {
		if _, err := tx.RetractGuidance(w.ids[1], 10); err != nil {
			return err
		}
		_, err := tx.SetCheck(w.ids[4], campaign.CheckPassed, "", 99)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.candidates(t, ""), []uint64{w.ids[2]}; !slices.Equal(got, want) {
		t.Errorf("candidates after a sample = %v, want %v", got, want)
	}
	err = w.db.View(func(tx *store.Tx) error {
		if id, ok := tx.DrawnIn(w.ids[3]); !ok || id != 1 {
			t.Errorf("DrawnIn(%d) = %d, %v; want sample 1", w.ids[3], id, ok)
		}
		got, err := tx.SpotSample(1)
		if err != nil || !slices.Equal(got.Guidance, s.Guidance) || got.By != 99 {
			t.Errorf("SpotSample(1) = %+v, %v", got, err)
		}
		n := 0
		if err := tx.EachDrawn(func(uint64, uint64) error { n++; return nil }); err != nil || n != 2 {
			t.Errorf("EachDrawn saw %d records (%v), want 2", n, err)
		}
		log, err := tx.AuditLog(0, 0)
		if err != nil {
			return err
		}
		found := false
		for _, e := range log {
			if e.Action == "spotcheck.sample" {
				found = true
				if e.Actor != 99 || !strings.Contains(e.After, `"guidance":[1,4]`) {
					t.Errorf("audit entry = %+v", e)
				}
			}
		}
		if !found {
			t.Error("no spotcheck.sample audit entry")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddSpotSampleRefusesARecordTwice(t *testing.T) {
	w := newSpotWorld(t)
	add := func(ids ...uint64) error {
		return w.db.Update(func(tx *store.Tx) error {
			_, err := tx.AddSpotSample(store.SpotSample{By: 99, Guidance: ids})
			return err
		})
	}
	if err := add(w.ids[0]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		ids  []uint64
		want error
	}{
		{"drawn in an earlier sample", []uint64{w.ids[1], w.ids[0]}, store.ErrAlreadyDrawn},
		{"listed twice", []uint64{w.ids[2], w.ids[2]}, store.ErrAlreadyDrawn},
		{"no such record", []uint64{999}, store.ErrNotFound},
	} {
		if err := add(tc.ids...); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// The refused samples left nothing behind.
	if got := w.candidates(t, ""); !slices.Equal(got, w.ids[1:]) {
		t.Errorf("candidates = %v, want %v", got, w.ids[1:])
	}
	if err := w.db.View(func(tx *store.Tx) error {
		ss, err := tx.SpotSamples()
		if len(ss) != 1 {
			t.Errorf("%d samples stored, want 1", len(ss))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func TestSpotSamplesReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, closeRO, err := store.OpenReadOnly(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer closeRO()
	err = ro.View(func(tx *store.Tx) error {
		ss, err := tx.SpotSamples()
		if len(ss) != 0 {
			t.Errorf("samples in a fresh file: %v", ss)
		}
		return err
	})
	if err != nil {
		t.Fatalf("read samples from a read-only file without the bucket: %v", err)
	}
}
