package evidence_test

import (
	"path/filepath"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/evidence"
	"dvcbot/export"
	"dvcbot/store"
)

var ict = time.FixedZone("ICT", 7*3600)

// world is a store with two hamlets, two officers, guided records and
// self-declared households, the clock moved by each step.
type world struct {
	db  *store.DB
	now time.Time
}

func (w *world) at(t *testing.T, when time.Time, fn func(tx *store.Tx) error) {
	t.Helper()
	w.now = when
	if err := w.db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

func day(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, ict) }

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{now: day(1, 8)}
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{Now: func() time.Time { return w.now }, Location: ict})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	w.at(t, day(1, 8), func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "a", Name: "Ấp A", Households: 100}, {ID: "b", Name: "Ấp B", Households: 50}}); err != nil {
			return err
		}
		for _, o := range []campaign.Officer{
			{ID: 11, FullName: "Lê Văn Tám", HamletID: "a", Role: campaign.RoleOfficer, Active: true,
				Accounts: []campaign.Account{{Address: chat.Addr(chat.Zalo, "z11")}}},
			{ID: 12, HamletID: "b", Role: campaign.RoleOfficer, Active: true,
				Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "1012")}}},
		} {
			if err := tx.PutOfficer(o, 0, "test"); err != nil {
				return err
			}
		}
		return nil
	})
	return w
}

func household(tx *store.Tx, hamlet, name, phone string, by campaign.PersonID, self bool, at time.Time) (campaign.Household, error) {
	h := campaign.Household{HamletID: hamlet, HeadName: name, Address: "Tổ 1", Phone: phone, CreatedBy: by}
	if self {
		h.SelfAble, h.SelfAbleBy, h.SelfAbleAt = true, by, at
	}
	return tx.AddHousehold(h, name)
}

func TestRowsHoldGuidedAndSelfDeclaredHouseholds(t *testing.T) {
	w := newWorld(t)
	var guided, selfA, selfLater, selfB uint64
	// 02/03 09:00 a guided record in A, with a dossier code, two photos and the Zalo account.
	w.at(t, day(2, 9), func(tx *store.Tx) error {
		h, err := household(tx, "a", "Nguyễn Văn An", "0912000001", 11, false, time.Time{})
		if err != nil {
			return err
		}
		g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: h.ID, HamletID: "a", OfficerID: 11, Via: chat.Addr(chat.Zalo, "z11"),
			Procedures: []string{"khai_sinh", "khac"}, OtherProcedure: "cấp đổi CCCD", DossierCode: "G22.99-260302-0001",
			PhotoFileIDs: []string{"p1", "p2"}})
		guided = g.ID
		return err
	})
	// 02/03 10:00 a self-declared household in A.
	w.at(t, day(2, 10), func(tx *store.Tx) error {
		h, err := household(tx, "a", "Trần Thị Bình", "0912000002", 11, true, day(2, 10))
		selfA = h.ID
		return err
	})
	// 03/03 08:00 a self-declared household in B by an officer without a name.
	w.at(t, day(3, 8), func(tx *store.Tx) error {
		h, err := household(tx, "b", "Phạm Văn Cường", "0912000003", 12, true, day(3, 8))
		selfB = h.ID
		return err
	})
	// 03/03 09:00 a self-declared household in A, guided the next day: on
	// the lists by its record only once guided.
	w.at(t, day(3, 9), func(tx *store.Tx) error {
		h, err := household(tx, "a", "Hồ Văn Dũng", "0912000004", 11, true, day(3, 9))
		selfLater = h.ID
		return err
	})
	w.at(t, day(4, 9), func(tx *store.Tx) error {
		_, err := tx.AddGuidance(campaign.Guidance{HouseholdID: selfLater, HamletID: "a", OfficerID: 11, Procedures: []string{"bhyt"}})
		return err
	})
	// A failed check of the self-declared household of A.
	w.at(t, day(5, 9), func(tx *store.Tx) error {
		_, err := tx.SetSelfCheck(selfA, campaign.CheckFailed, "hộ nói chưa tự làm", 99)
		return err
	})

	rows := func(q evidence.Query) []export.EvidenceRow {
		t.Helper()
		var out []export.EvidenceRow
		if err := w.db.View(func(tx *store.Tx) error {
			return evidence.Rows(tx, q)(func(r export.EvidenceRow) error { out = append(out, r); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	type want struct {
		kind      export.RowKind
		household uint64
		officer   string
	}
	for _, tc := range []struct {
		name string
		q    evidence.Query
		want []want
	}{
		{"everything, by time", evidence.Query{}, []want{
			{export.RowGuided, 1, "Lê Văn Tám"}, {export.RowSelfDeclared, selfA, "Lê Văn Tám"},
			{export.RowSelfDeclared, selfB, "Cán bộ số 12"}, {export.RowGuided, selfLater, "Lê Văn Tám"},
		}},
		{"one hamlet", evidence.Query{Hamlet: "b"}, []want{{export.RowSelfDeclared, selfB, "Cán bộ số 12"}}},
		{"up to the day before the guidance: still self-declared", evidence.Query{To: day(4, 0)}, []want{
			{export.RowGuided, 1, "Lê Văn Tám"}, {export.RowSelfDeclared, selfA, "Lê Văn Tám"},
			{export.RowSelfDeclared, selfB, "Cán bộ số 12"}, {export.RowSelfDeclared, selfLater, "Lê Văn Tám"},
		}},
		{"from a day on", evidence.Query{From: day(3, 0)}, []want{
			{export.RowSelfDeclared, selfB, "Cán bộ số 12"}, {export.RowGuided, selfLater, "Lê Văn Tám"},
		}},
		{"names given by the caller", evidence.Query{Hamlet: "b", Name: func(o campaign.Officer) string { return "Quản trị viên số " + o.ID.String() }},
			[]want{{export.RowSelfDeclared, selfB, "Quản trị viên số 12"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rows(tc.q)
			if len(got) != len(tc.want) {
				t.Fatalf("%d rows, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				if got[i].Kind != w.kind || got[i].HouseholdID != w.household || got[i].OfficerName != w.officer {
					t.Errorf("row %d: %s household %d by %q; want %s %d by %q", i+1, got[i].Kind, got[i].HouseholdID, got[i].OfficerName, w.kind, w.household, w.officer)
				}
			}
		})
	}

	all := rows(evidence.Query{})
	g := all[0]
	if g.DossierCode != "G22.99-260302-0001" || g.Photos != 2 || g.OfficerChannel != chat.Zalo || g.OfficerAccount != "z11" ||
		g.OfficerID != 11 || g.OtherProcedure != "cấp đổi CCCD" || len(g.Procedures) != 2 || g.HamletName != "Ấp A" || g.Phone != "0912000001" {
		t.Errorf("guided row %d: %+v", guided, g)
	}
	s := all[1]
	if s.Check != campaign.CheckFailed || len(s.Procedures) != 0 || !s.ReportedAt.Equal(day(2, 10)) || s.OfficerID != 11 ||
		s.OfficerChannel != chat.Zalo || s.OfficerAccount != "z11" {
		t.Errorf("self-declared row: %+v", s)
	}
	if b := all[2]; b.OfficerChannel != chat.Telegram || b.OfficerAccount != "1012" {
		t.Errorf("self-declared row of B: account %s:%s", b.OfficerChannel, b.OfficerAccount)
	}
	tl, err := export.Count(export.SliceRows(all))
	if err != nil {
		t.Fatal(err)
	}
	if tl.Reports != 2 || tl.SelfDeclared != 2 || tl.Households != 4 || tl.Guided != 2 || tl.SelfDeclaredOnly != 2 || tl.Photos != 2 || tl.WithDossierCode != 1 {
		t.Errorf("tally %+v", tl)
	}
}
