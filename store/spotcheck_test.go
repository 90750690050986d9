package store_test

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/scoring"
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

// TestSelfDeclaredHouseholdsAreDrawnAndChecked: a household recorded as
// able on its own is drawn like a record, its result is kept on the
// household, and a failed result bars its hamlet and the person who
// recorded it from awards (through the facts), even once the mark is undone
// and after a rebuild of the aggregates; a file without the buckets reads
// as "nothing drawn, nothing checked".
func TestSelfDeclaredHouseholdsAreDrawnAndChecked(t *testing.T) {
	w := newSpotWorld(t)
	var self, other uint64
	err := w.db.Update(func(tx *store.Tx) error {
		for i, h := range []struct {
			hamlet string
			by     campaign.PersonID
		}{{"a", 20}, {"b", 21}, {"a", 20}} {
			hh, err := tx.AddHousehold(campaign.Household{HamletID: h.hamlet, HeadName: "Hộ tự làm", Address: "Tổ 2",
				Phone: "098765432" + string(rune('0'+i)), CreatedBy: h.by, SelfAble: true, SelfAbleBy: h.by, SelfAbleAt: w.now}, "ho tu lam")
			if err != nil {
				return err
			}
			switch i {
			case 0:
				self = hh.ID
			case 1:
				other = hh.ID
			case 2:
				if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "a", OfficerID: 10, Procedures: []string{"bhyt"}}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	selfCandidates := func(hamlet string) []uint64 {
		t.Helper()
		var out []uint64
		if err := w.db.View(func(tx *store.Tx) error {
			return tx.SelfSpotCandidates(hamlet, func(s store.SelfDeclared) error {
				if s.MarkedBy.ID != s.Household.SelfAbleBy {
					t.Errorf("candidate %d marked by %d, household says %d", s.Household.ID, s.MarkedBy.ID, s.Household.SelfAbleBy)
				}
				out = append(out, s.Household.ID)
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// Before any sample: a file without the new buckets.
	if err := w.db.View(func(tx *store.Tx) error {
		if _, ok := tx.HouseholdDrawnIn(self); ok {
			t.Error("a household drawn before any sample")
		}
		return tx.CheckedSelfDeclared(func(h campaign.Household) error { t.Errorf("household %d checked", h.ID); return nil })
	}); err != nil {
		t.Fatal(err)
	}
	// The guided household is on the lists by its record: never drawn as self-declared.
	if got, want := selfCandidates(""), []uint64{self, other}; !slices.Equal(got, want) {
		t.Errorf("self-declared candidates = %v, want %v", got, want)
	}
	if got, want := selfCandidates("b"), []uint64{other}; !slices.Equal(got, want) {
		t.Errorf("self-declared candidates of b = %v, want %v", got, want)
	}

	add := func(s store.SpotSample) error {
		return w.db.Update(func(tx *store.Tx) error { _, err := tx.AddSpotSample(s); return err })
	}
	if err := add(store.SpotSample{By: 99, Guidance: []uint64{w.ids[0]}, Households: []uint64{self}}); err != nil {
		t.Fatalf("sample with a household: %v", err)
	}
	for _, tc := range []struct {
		name string
		s    store.SpotSample
		want error
	}{
		{"household drawn before", store.SpotSample{By: 99, Households: []uint64{other, self}}, store.ErrAlreadyDrawn},
		{"household listed twice", store.SpotSample{By: 99, Households: []uint64{other, other}}, store.ErrAlreadyDrawn},
		{"no such household", store.SpotSample{By: 99, Households: []uint64{999}}, store.ErrNotFound},
		{"not self-declared", store.SpotSample{By: 99, Households: []uint64{1}}, store.ErrNotSelfDeclared},
	} {
		if err := add(tc.s); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if got, want := selfCandidates(""), []uint64{other}; !slices.Equal(got, want) {
		t.Errorf("candidates after the sample = %v, want %v", got, want)
	}

	// A failed result: on the household, in the facts with the person who recorded it.
	err = w.db.Update(func(tx *store.Tx) error {
		if _, err := tx.SetSelfCheck(1, campaign.CheckPassed, "", 99); !errors.Is(err, store.ErrNotSelfDeclared) {
			t.Errorf("check of a household never self-declared: %v", err)
		}
		h, err := tx.SetSelfCheck(self, campaign.CheckFailed, "hộ chưa tự làm được", 99)
		if err != nil {
			return err
		}
		if h.Check.Status != campaign.CheckFailed || h.Check.MarkedBy != 20 || h.Check.By != 99 || !h.Check.At.Equal(w.now) {
			t.Errorf("check kept as %+v", h.Check)
		}
		if id, ok := tx.HouseholdDrawnIn(self); !ok || id != 1 {
			t.Errorf("HouseholdDrawnIn = %d, %v", id, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	failedFor := func() []scoring.Check {
		t.Helper()
		var out []scoring.Check
		if err := w.db.View(func(tx *store.Tx) error {
			f, err := tx.Facts("")
			for _, c := range f.Checks {
				if c.HouseholdID != 0 {
					out = append(out, c)
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := scoring.Check{HouseholdID: self, HamletID: "a", OfficerID: 20, Date: scoring.DateOf(w.now, time.FixedZone("ICT", 7*3600)),
		Status: scoring.CheckFailed, Reason: "hộ chưa tự làm được"}
	if got := failedFor(); len(got) != 1 || got[0] != want {
		t.Errorf("facts' household checks = %+v, want %+v", got, want)
	}
	// The mark undone, the aggregates rebuilt: the failed check stays.
	err = w.db.Update(func(tx *store.Tx) error {
		if err := tx.UnmarkSelfAble(self, 20); err != nil {
			return err
		}
		return tx.Reindex()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := failedFor(); len(got) != 1 || got[0] != want {
		t.Errorf("after undo and reindex: %+v, want %+v", got, want)
	}
	// A new result keeps who recorded it; clearing it removes the fact.
	err = w.db.Update(func(tx *store.Tx) error {
		h, err := tx.SetSelfCheck(self, campaign.CheckPassed, "", 99)
		if err != nil || h.Check.MarkedBy != 20 {
			t.Errorf("re-check after undo: %+v, %v", h.Check, err)
		}
		_, err = tx.SetSelfCheck(self, campaign.CheckNone, "", 99)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := failedFor(); len(got) != 0 {
		t.Errorf("a cleared check left facts: %+v", got)
	}
	if err := w.db.View(func(tx *store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		n := 0
		for _, e := range log {
			if e.Action == "household.check" {
				n++
				if strings.Contains(e.After, "Hộ tự làm") || strings.Contains(e.After, "0987") {
					t.Errorf("personal data in the audit: %s", e.After)
				}
			}
		}
		if n != 3 {
			t.Errorf("%d household.check audit entries, want 3", n)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
