package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

// selfDeclare adds a household recorded by officer as able on its own at
// the clock's time.
func selfDeclare(t *testing.T, db *store.DB, hamlet, name, phone string, officer campaign.PersonID) uint64 {
	t.Helper()
	var id uint64
	mustUpdate(t, db, func(tx *store.Tx) error {
		hh, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: "Tổ 1, ấp " + hamlet,
			Phone: phone, CreatedBy: officer}, strings.ToLower(name))
		if err != nil {
			return err
		}
		id = hh.ID
		return tx.MarkSelfAble(hh.ID, officer)
	})
	return id
}

func selfDeclared(t *testing.T, db *store.DB, from, to time.Time, hamlet string) []string {
	t.Helper()
	var names []string
	err := db.View(func(tx *store.Tx) error {
		return tx.EachSelfDeclared(from, to, hamlet, func(s store.SelfDeclared) error {
			if s.Hamlet.Name == "" || s.MarkedBy.ID == 0 || !s.Household.SelfAble {
				t.Errorf("incomplete row %+v", s)
			}
			names = append(names, s.Household.HeadName+"/"+s.MarkedBy.FullName)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestEachSelfDeclared checks the self-declared rows of the evidence lists:
// in the period, of the hamlet, oldest first, and not once an active record
// guided the household before the end of the list (it is listed by its
// record then).
func TestEachSelfDeclared(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	mustUpdate(t, db, func(tx *store.Tx) error {
		return tx.PutOfficer(campaign.Officer{ID: 2001, FullName: "Lê Văn Tám", HamletID: "bai-nha",
			Role: campaign.RoleOfficer, Active: true}, 1001, "officer.join")
	})
	selfDeclare(t, db, "bai-nha", "Nguyễn Văn An", "0912000001", 2001) // 02/03 09:00
	clock.Add(24 * time.Hour)
	selfDeclare(t, db, "nam-du", "Trần Thị Bình", "0912000002", 2002) // 03/03, by someone unregistered
	clock.Add(24 * time.Hour)
	selfDeclare(t, db, "bai-nha", "Phạm Văn Cường", "0912000003", 2001) // 04/03 09:00
	clock.Add(3 * time.Hour)                                            // 04/03 12:00: Cường is guided
	g := report(t, db, "bai-nha", "Phạm Văn Cường", "0912000003", 2001, "khai_sinh")

	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, hcm) }
	for _, tc := range []struct {
		name     string
		from, to time.Time
		hamlet   string
		want     []string
	}{
		{"everything, as of now", time.Time{}, time.Time{}, "", []string{"Nguyễn Văn An/Lê Văn Tám", "Trần Thị Bình/"}},
		{"one hamlet", time.Time{}, time.Time{}, "nam-du", []string{"Trần Thị Bình/"}},
		{"a period", day(3), day(4), "", []string{"Trần Thị Bình/"}},
		{"before the guidance: still self-declared", time.Time{}, day(4).Add(11 * time.Hour), "bai-nha", []string{"Nguyễn Văn An/Lê Văn Tám", "Phạm Văn Cường/Lê Văn Tám"}},
		{"the day of the guidance, after it", time.Time{}, day(4).Add(13 * time.Hour), "bai-nha", []string{"Nguyễn Văn An/Lê Văn Tám"}},
		{"as of the day before the guidance", time.Time{}, day(4), "bai-nha", []string{"Nguyễn Văn An/Lê Văn Tám"}},
		{"as of the guidance's day", time.Time{}, day(5), "bai-nha", []string{"Nguyễn Văn An/Lê Văn Tám"}},
		{"before every mark", time.Time{}, day(2), "", nil},
		{"the first instant of a mark's day, exclusive", time.Time{}, march2, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := selfDeclared(t, db, tc.from, tc.to, tc.hamlet); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}

	// A retracted record no longer hides the mark.
	mustUpdate(t, db, func(tx *store.Tx) error { _, err := tx.RetractGuidance(g.ID, 2001); return err })
	if got, want := selfDeclared(t, db, time.Time{}, time.Time{}, "bai-nha"), []string{"Nguyễn Văn An/Lê Văn Tám", "Phạm Văn Cường/Lê Văn Tám"}; !slices.Equal(got, want) {
		t.Errorf("after the retraction: %q, want %q", got, want)
	}
}

// TestHouseholdsGuidedBy checks the total of an individuals table: a
// household two of the officers guided counts once.
func TestHouseholdsGuidedBy(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912000001", 2001, "khai_sinh")
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912000001", 2002, "bhyt") // the same household, another officer
	report(t, db, "bai-nha", "Trần Thị Bình", "0912000002", 2001, "khai_sinh")
	clock.Add(24 * time.Hour)
	report(t, db, "bai-nha", "Phạm Văn Cường", "0912000003", 2002, "tam_tru")
	g := report(t, db, "nam-du", "Lê Thị Dung", "0912000004", 2003, "tam_tru")
	mustUpdate(t, db, func(tx *store.Tx) error { _, err := tx.RetractGuidance(g.ID, 2003); return err })

	var d2, d3 store.Day
	_ = db.View(func(tx *store.Tx) error { d2, d3 = db.Day(march2), db.Day(march2.Add(24*time.Hour)); return nil })
	for _, tc := range []struct {
		officers []campaign.PersonID
		through  store.Day
		want     int
	}{
		{[]campaign.PersonID{2001, 2002}, d3, 3},
		{[]campaign.PersonID{2001}, d3, 2},
		{[]campaign.PersonID{2002}, d3, 2},
		{[]campaign.PersonID{2001, 2002}, d2, 2},
		{[]campaign.PersonID{2001, 2002}, d2 - 1, 0},
		{[]campaign.PersonID{2003}, d3, 0}, // retracted
		{nil, d3, 0},
	} {
		var n int
		err := db.View(func(tx *store.Tx) (err error) { n, err = tx.HouseholdsGuidedBy(tc.officers, tc.through); return err })
		if err != nil || n != tc.want {
			t.Errorf("HouseholdsGuidedBy(%v, %v) = %d, %v; want %d", tc.officers, tc.through, n, err, tc.want)
		}
	}
}
