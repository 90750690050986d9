package export

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"pgregory.net/rapid"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// The identities between the figures the documents state and the evidence
// lists they annex (issue 11): «hộ» are distinct households, «lượt» are
// reports, and the same word means the same count in every document. The
// tests build a campaign from raw records, derive scoring's facts the way
// the store's aggregates do and the evidence rows the way the store lists
// them, and check that the two agree. bot's TestIdentitiesOnTheSampleYear
// checks the same identities on the sample year through the bot's own paths
// (the store, /report and /hoso).

// record is one guidance record as an officer reports it.
type record struct {
	household uint64
	hamlet    string
	officer   int64
	day       scoring.Date
	procs     []string
}

// selfMark is a household recorded as able on its own.
type selfMark struct {
	household uint64
	hamlet    string
	day       scoring.Date
}

type campaignYear struct {
	hamlets  []scoring.Hamlet
	officers []scoring.Officer
	recs     []record
	self     []selfMark
}

// facts derives scoring's facts from the records, as the store's
// aggregates hold them.
func (c campaignYear) facts() scoring.Facts {
	f := scoring.Facts{Hamlets: c.hamlets, Officers: c.officers}
	type hd struct {
		h string
		d scoring.Date
	}
	type od struct {
		o int64
		d scoring.Date
	}
	type oh struct {
		o  int64
		hh uint64
	}
	hamletDay := map[hd]map[uint64]bool{}
	offDay := map[od]map[uint64]bool{}
	offProcs := map[od]int{}
	offHH := map[oh]scoring.Date{}
	type info struct {
		hamlet       string
		guided, self scoring.Date
		procs        map[string]scoring.Date
	}
	hhs := map[uint64]*info{}
	get := func(id uint64, hamlet string) *info {
		if hhs[id] == nil {
			hhs[id] = &info{hamlet: hamlet, procs: map[string]scoring.Date{}}
		}
		return hhs[id]
	}
	earliest := func(a, b scoring.Date) scoring.Date {
		if a.IsZero() || b.Before(a) {
			return b
		}
		return a
	}
	for _, r := range c.recs {
		k := hd{r.hamlet, r.day}
		if hamletDay[k] == nil {
			hamletDay[k] = map[uint64]bool{}
		}
		hamletDay[k][r.household] = true
		o := od{r.officer, r.day}
		if offDay[o] == nil {
			offDay[o] = map[uint64]bool{}
		}
		offDay[o][r.household] = true
		offProcs[o] += len(r.procs)
		offHH[oh{r.officer, r.household}] = earliest(offHH[oh{r.officer, r.household}], r.day)
		x := get(r.household, r.hamlet)
		x.guided = earliest(x.guided, r.day)
		for _, p := range r.procs {
			x.procs[p] = earliest(x.procs[p], r.day)
		}
	}
	for _, s := range c.self {
		x := get(s.household, s.hamlet)
		x.self = earliest(x.self, s.day)
	}
	for k, set := range hamletDay {
		f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: k.h, Date: k.d, Households: len(set)})
	}
	for k, set := range offDay {
		f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: k.o, Date: k.d, Households: len(set), Procedures: offProcs[k]})
	}
	for k, first := range offHH {
		f.OfficerHouseholds = append(f.OfficerHouseholds, scoring.OfficerHousehold{OfficerID: k.o, First: first})
	}
	for _, x := range hhs {
		h := scoring.Household{HamletID: x.hamlet, GuidedFrom: x.guided, SelfAbleFrom: x.self}
		for _, d := range x.procs {
			h.ProcedureDates = append(h.ProcedureDates, d)
		}
		slices.SortFunc(h.ProcedureDates, scoring.Date.Compare)
		f.Households = append(f.Households, h)
	}
	return f
}

// evidence lists the evidence up to day at as the store does: every record
// dated up to at, then every household recorded as able on its own by at
// and not guided by then.
func (c campaignYear) evidence(at scoring.Date) []EvidenceRow {
	var rows []EvidenceRow
	guided := map[uint64]bool{}
	for _, r := range c.recs {
		if r.day.After(at) {
			continue
		}
		guided[r.household] = true
		rows = append(rows, EvidenceRow{Kind: RowGuided, HamletID: r.hamlet, HamletName: "Ấp " + r.hamlet, HouseholdID: r.household,
			Phone: fmt.Sprintf("09%08d", r.household), Procedures: r.procs, OfficerID: campaign.PersonID(r.officer),
			ReportedAt: r.day.Time(time.UTC).Add(9 * time.Hour)})
	}
	seen := map[uint64]bool{}
	for _, s := range c.self {
		if s.day.After(at) || guided[s.household] || seen[s.household] {
			continue
		}
		seen[s.household] = true
		rows = append(rows, EvidenceRow{Kind: RowSelfDeclared, HamletID: s.hamlet, HamletName: "Ấp " + s.hamlet, HouseholdID: s.household,
			Phone: fmt.Sprintf("09%08d", s.household), ReportedAt: s.day.Time(time.UTC)})
	}
	return rows
}

// fataler is what checkIdentities needs of a *testing.T or a *rapid.T.
type fataler interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// checkIdentities checks, for the campaign as of day at, that the figures
// the documents state from scoring equal the counts of the evidence list
// they annex, and that the report workbook's totals add up its rows.
func checkIdentities(t fataler, c campaignYear, p scoring.Params, at scoring.Date) {
	t.Helper()
	f := c.facts()
	rows := c.evidence(at)
	tally, err := Count(SliceRows(rows))
	if err != nil {
		t.Fatal(err)
	}
	stats := scoring.Hamlets(f, p, p.Campaign(), at)
	officers := scoring.Officers(f, p, p.Campaign(), at)
	reports, procs := 0, 0
	for _, r := range c.recs {
		if !r.day.After(at) {
			reports++
			procs += len(r.procs)
		}
	}
	// «lượt»: one per report; procedures over the reports.
	if tally.Reports != reports || tally.Procedures != procs {
		t.Fatalf("list: %d reports, %d procedures; records: %d, %d", tally.Reports, tally.Procedures, reports, procs)
	}
	sumGuided, sumSelf, sumAble := 0, 0, 0
	for _, s := range stats {
		h := tally.Hamlet(s.Hamlet.ID)
		// «hộ»: distinct households, the list's and the figures'.
		if h.Guided != s.HouseholdsGuided || h.SelfDeclaredOnly != s.SelfAble || h.SelfDeclared != s.SelfAble || h.Households != s.Able {
			t.Fatalf("%s: list guided %d self %d (%d rows) households %d; figures guided %d self %d able %d",
				s.Hamlet.ID, h.Guided, h.SelfDeclaredOnly, h.SelfDeclared, h.Households, s.HouseholdsGuided, s.SelfAble, s.Able)
		}
		if s.AbleInRegister() != min(h.Households, max(s.Hamlet.Households, 0)) {
			t.Fatalf("%s: able in register %d, list %d of %d", s.Hamlet.ID, s.AbleInRegister(), h.Households, s.Hamlet.Households)
		}
		sumGuided += s.HouseholdsGuided
		sumSelf += s.SelfAble
		sumAble += s.Able
		// The individuals table of the hamlet's Tờ trình: its total is the
		// distinct households of its officers, never the sum of the rows.
		var ids []campaign.PersonID
		sumRows := 0
		for _, o := range officers {
			if o.Officer.HamletID == s.Hamlet.ID {
				ids = append(ids, campaign.PersonID(o.Officer.ID))
				sumRows += o.Households
			}
		}
		distinct, err := CountHouseholds(SliceRows(rows), OfficersOf(ids...))
		if err != nil {
			t.Fatal(err)
		}
		if distinct != s.HouseholdsGuided {
			t.Fatalf("%s: the officers' distinct households %d, the hamlet's guided households %d", s.Hamlet.ID, distinct, s.HouseholdsGuided)
		}
		if sumRows < distinct {
			t.Fatalf("%s: rows add up to %d, fewer than the %d distinct households", s.Hamlet.ID, sumRows, distinct)
		}
	}
	if tally.Guided != sumGuided || tally.SelfDeclaredOnly != sumSelf || tally.Households != sumAble ||
		tally.Households != tally.Guided+tally.SelfDeclaredOnly || tally.Rows != tally.Reports+tally.SelfDeclared {
		t.Fatalf("totals: list %+v; figures guided %d self %d able %d", tally, sumGuided, sumSelf, sumAble)
	}

	// The XLSX annex states the list's own counts in its last row.
	var buf bytes.Buffer
	written, err := WriteAnnex(&buf, time.UTC, Annex{FiguresAt: at, Rows: SliceRows(rows)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(written, tally) {
		t.Fatalf("annex tally %+v, Count %+v", written, tally)
	}
}

// sampleCampaign is a small year with the cases the issue names: a
// household guided by two officers, one guided twice by the same officer,
// self-declared households (one guided later), more able households than
// a register.
func sampleCampaign() campaignYear {
	d := func(m time.Month, day int) scoring.Date { return scoring.NewDate(2026, m, day) }
	c := campaignYear{
		hamlets: []scoring.Hamlet{{ID: "hon-tre", Name: "Hòn Tre", Households: 6}, {ID: "lai-son", Name: "Lại Sơn", Households: 2}},
		officers: []scoring.Officer{
			{ID: 1, Name: "Trần Văn Đức", HamletID: "hon-tre", Active: true},
			{ID: 2, Name: "Nguyễn Thị Hồng Nhung", HamletID: "hon-tre", Active: true},
			{ID: 3, Name: "Phạm Thị Hồng", HamletID: "lai-son", Active: true},
		},
		recs: []record{
			{1, "hon-tre", 1, d(1, 1), []string{"khai_sinh"}},
			{1, "hon-tre", 2, d(1, 5), []string{"bhyt"}}, // the same household by a second officer
			{2, "hon-tre", 1, d(2, 1), []string{"thuong_tru", "bhyt"}},
			{2, "hon-tre", 1, d(2, 1), []string{"ly_lich"}}, // twice the same day
			{3, "hon-tre", 2, d(3, 1), nil},
			{10, "lai-son", 3, d(1, 2), []string{"khai_sinh"}},
			{11, "lai-son", 3, d(1, 3), []string{"khai_sinh"}},
			{12, "lai-son", 3, d(12, 31), []string{"khai_sinh"}}, // a third household on a register of 2
		},
		self: []selfMark{{4, "hon-tre", d(4, 1)}, {3, "hon-tre", d(1, 10)}, {13, "lai-son", d(6, 1)}},
	}
	return c
}

func TestIdentitiesOnASmallYear(t *testing.T) {
	c := sampleCampaign()
	p := scoring.DefaultParams()
	for _, at := range []scoring.Date{scoring.NewDate(2026, 1, 1), scoring.NewDate(2026, 2, 1), scoring.NewDate(2026, 6, 30), scoring.NewDate(2026, 12, 31)} {
		t.Run(at.String(), func(t *testing.T) { checkIdentities(t, c, p, at) })
	}
	// The household guided by two officers is one household of the hamlet
	// and one row in each officer's figures.
	f := c.facts()
	at := scoring.NewDate(2026, 12, 31)
	s := scoring.Hamlets(f, p, p.Campaign(), at)[0]
	sum := 0
	for _, o := range scoring.Officers(f, p, p.Campaign(), at) {
		if o.Officer.HamletID == "hon-tre" {
			sum += o.Households
		}
	}
	if s.HouseholdsGuided != 3 || sum != 4 {
		t.Errorf("hon-tre: %d households guided, officers' rows add up to %d; want 3 and 4", s.HouseholdsGuided, sum)
	}
	tally, _ := Count(SliceRows(c.evidence(at)))
	if got, want := tally.Summary(), "Cộng 10 dòng: 8 lượt hướng dẫn của 6 hộ; 2 hộ tự khai đã biết làm; tổng số 8 hộ. Một hộ được hướng dẫn nhiều lượt (nhiều lần, hoặc bởi nhiều cán bộ) chỉ tính một hộ."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	// Lại Sơn: three able households on a register of two.
	ls := scoring.Hamlets(f, p, p.Campaign(), at)[1]
	if ls.Able != 4 || ls.AbleInRegister() != 2 || !ls.OverRegister() {
		t.Errorf("lai-son: able %d in register %d", ls.Able, ls.AbleInRegister())
	}
}

func TestPropIdentities(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var c campaignYear
		nh := rapid.IntRange(1, 3).Draw(t, "hamlets")
		for i := range nh {
			c.hamlets = append(c.hamlets, scoring.Hamlet{ID: "h" + strconv.Itoa(i), Households: rapid.IntRange(0, 8).Draw(t, "register")})
		}
		no := rapid.IntRange(1, 4).Draw(t, "officers")
		for i := 1; i <= no; i++ {
			// Officers of a hamlet report its households only.
			c.officers = append(c.officers, scoring.Officer{ID: int64(i), HamletID: "h" + strconv.Itoa(i%nh)})
		}
		day := func(label string) scoring.Date {
			return scoring.NewDate(2026, time.January, 1).AddDays(rapid.IntRange(0, 364).Draw(t, label))
		}
		for range rapid.IntRange(0, 30).Draw(t, "records") {
			o := rapid.IntRange(1, no).Draw(t, "officer")
			h := o % nh
			hh := uint64(h*100 + rapid.IntRange(1, 8).Draw(t, "household"))
			procs := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"khai_sinh", "bhyt", "ly_lich"}), 0, 3, rapid.ID[string]).Draw(t, "procs")
			c.recs = append(c.recs, record{hh, "h" + strconv.Itoa(h), int64(o), day("day"), procs})
		}
		for range rapid.IntRange(0, 5).Draw(t, "self") {
			h := rapid.IntRange(0, nh-1).Draw(t, "selfhamlet")
			c.self = append(c.self, selfMark{uint64(h*100 + rapid.IntRange(1, 8).Draw(t, "selfhh")), "h" + strconv.Itoa(h), day("selfday")})
		}
		checkIdentities(t, c, scoring.DefaultParams(), day("at"))
	})
}

func TestCountHouseholds(t *testing.T) {
	rows := sampleRows()
	rows = append(rows, rows[0]) // the same household again
	rows[len(rows)-1].OfficerID = 99
	n, err := CountHouseholds(SliceRows(rows), nil)
	if err != nil || n != 3 {
		t.Errorf("CountHouseholds = %d, %v; want 3 (the self-declared one is not guided)", n, err)
	}
	n, _ = CountHouseholds(SliceRows(rows), OfficersOf(123456789, 99))
	if n != 1 {
		t.Errorf("households of two officers who guided the same one = %d, want 1", n)
	}
	n, _ = CountHouseholds(SliceRows(rows), OfficersOf(42))
	if n != 1 {
		t.Errorf("households of officer 42 = %d, want 1", n)
	}
	// The same phone in two hamlets is two households.
	a := EvidenceRow{HamletID: "a", Phone: "0912345678"}
	b := EvidenceRow{HamletID: "b", Phone: "0912345678"}
	if n, _ := CountHouseholds(SliceRows([]EvidenceRow{a, b, a}), nil); n != 2 {
		t.Errorf("same phone in two hamlets = %d households, want 2", n)
	}
}
