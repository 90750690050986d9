package scoring

import (
	"cmp"
	"strings"
	"testing"
	"time"
)

func hcm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		// Fall back to the fixed zone (no DST) when tzdata is missing.
		return time.FixedZone("ICT", 7*3600)
	}
	return loc
}

func TestDateOfLocalDayBoundaries(t *testing.T) {
	loc := hcm(t)
	tests := []struct {
		name string
		at   time.Time
		want Date
	}{
		{"23:59:59 local is still that day", time.Date(2026, 5, 2, 23, 59, 59, 0, loc), may(2)},
		{"00:00:00 local is the next day", time.Date(2026, 5, 3, 0, 0, 0, 0, loc), may(3)},
		{"00:30 local is 17:30 the day before in UTC", time.Date(2026, 5, 2, 17, 30, 0, 0, time.UTC), may(3)},
		{"16:59:59 UTC is 23:59:59 local", time.Date(2026, 5, 2, 16, 59, 59, 0, time.UTC), may(2)},
		{"new year arrives at 17:00 UTC", time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), d(2026, 1, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DateOf(tt.at, loc); got != tt.want {
				t.Errorf("DateOf(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	// The UTC date of the 00:30 instant differs from the local one.
	if got := DateOf(time.Date(2026, 5, 2, 17, 30, 0, 0, time.UTC), nil); got != may(2) {
		t.Errorf("DateOf(nil loc) = %v, want UTC day 02/05/2026", got)
	}
	// A record at 23:59:59 and one at 00:00:00 land on two different days.
	f := world{
		hamlets: []Hamlet{{ID: "a", Name: "Ấp A", Households: 10}},
		recs: []rec{
			{hh: "1", hamlet: "a", officer: 1, day: DateOf(time.Date(2026, 5, 2, 23, 59, 59, 0, loc), loc)},
			{hh: "2", hamlet: "a", officer: 1, day: DateOf(time.Date(2026, 5, 3, 0, 0, 0, 0, loc), loc)},
		},
	}.facts()
	s := Hamlets(f, DefaultParams(), Month(2026, time.May), may(3))[0]
	if s.DaysMet != 2 || s.CurrentStreak != 2 {
		t.Errorf("two records either side of midnight: days met %d, streak %d; want 2 and 2", s.DaysMet, s.CurrentStreak)
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from Date
		n    int
		want Date
	}{
		{may(31), 1, d(2026, 6, 1)},
		{d(2026, 12, 31), 1, d(2027, 1, 1)},
		{d(2026, 1, 1), -1, d(2025, 12, 31)},
		{d(2028, 2, 28), 1, d(2028, 2, 29)},
		{d(2026, 2, 28), 1, d(2026, 3, 1)},
		{d(2000, 2, 28), 1, d(2000, 2, 29)},
		{d(1900, 2, 28), 1, d(1900, 3, 1)},
		{d(2026, 1, 1), 364, d(2026, 12, 31)},
		{d(1969, 12, 31), 1, d(1970, 1, 1)},
	}
	for _, tt := range tests {
		if got := tt.from.AddDays(tt.n); got != tt.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tt.from, tt.n, got, tt.want)
		}
		if got := DaysBetween(tt.from, tt.want); got != tt.n {
			t.Errorf("DaysBetween(%v, %v) = %d, want %d", tt.from, tt.want, got, tt.n)
		}
	}
	// Every day of a few years agrees with the time package.
	for day := d(1999, 1, 1); day.Before(d(2031, 1, 1)); day = day.AddDays(1) {
		tm := day.Time(time.UTC)
		if DateOf(tm, time.UTC) != day || tm.Weekday() != day.Weekday() {
			t.Fatalf("%v disagrees with time: %v %v", day, tm, day.Weekday())
		}
		if next := DateOf(tm.AddDate(0, 0, 1), time.UTC); next != day.AddDays(1) {
			t.Fatalf("%v.AddDays(1) = %v, time says %v", day, day.AddDays(1), next)
		}
	}
	if NewDate(2026, 4, 31) != may(1) || NewDate(2026, 13, 1) != d(2027, 1, 1) || NewDate(2026, 0, 1) != d(2025, 12, 1) {
		t.Error("NewDate does not normalise like time.Date")
	}
}

func TestDateCompareAndString(t *testing.T) {
	if !may(1).Before(may(2)) || may(2).Before(may(2)) || !may(3).After(may(2)) || !may(2).Equal(may(2)) {
		t.Error("Before/After/Equal wrong")
	}
	if !(Date{}).Before(d(1, 1, 1)) || !(Date{}).IsZero() || may(1).IsZero() {
		t.Error("the zero Date must sort first and report IsZero")
	}
	if got := may(2).String(); got != "02/05/2026" {
		t.Errorf("String = %q", got)
	}
	if got := FormatDate(d(2026, 12, 31)); got != "31/12/2026" {
		t.Errorf("FormatDate = %q", got)
	}
	if got := (Date{}).String(); got != "" {
		t.Errorf("zero String = %q, want empty", got)
	}
	if got := may(2).Weekday(); got != time.Saturday {
		t.Errorf("02/05/2026 is a %v, want Saturday", got)
	}
	loc := hcm(t)
	if got := may(2).Time(loc); !got.Equal(time.Date(2026, 5, 2, 0, 0, 0, 0, loc)) {
		t.Errorf("Time = %v", got)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"02/05/2026", may(2), true},
		{"2/5/2026", may(2), true},
		{" 02-05-2026 ", may(2), true},
		{"02.05.2026", may(2), true},
		{"29/02/2028", d(2028, 2, 29), true},
		{"29/02/2026", Date{}, false},
		{"31/04/2026", Date{}, false},
		{"00/05/2026", Date{}, false},
		{"02/13/2026", Date{}, false},
		{"02/05/26", Date{}, false},
		{"02/05-2026", Date{}, false},
		{"2026-05-02", Date{}, false},
		{"hôm nay", Date{}, false},
		{"", Date{}, false},
		{"+2/05/2026", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"02/05/2026", "2/5/2026", "31-12-2026", "29.02.2028", "x", "//", "1/1/0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if got != (Date{}) {
				t.Fatalf("error with a date: %v", got)
			}
			return
		}
		if NewDate(got.Year, got.Month, got.Day) != got {
			t.Fatalf("ParseDate(%q) = %v, not a calendar day", s, got)
		}
		back, err := ParseDate(got.String())
		if err != nil || back != got {
			t.Fatalf("round trip of %v: %v, %v", got, back, err)
		}
	})
}

func TestPeriods(t *testing.T) {
	tests := []struct {
		name     string
		p        Period
		from, to Date
		label    string
		prev     string
	}{
		{"day", Day(may(2)), may(2), may(2), "ngày 02/05/2026", "ngày 01/05/2026"},
		{"week from Wednesday", ISOWeek(d(2026, 6, 3)), d(2026, 6, 1), d(2026, 6, 7), "tuần 23/2026 (01/06–07/06)", "tuần 22/2026 (25/05–31/05)"},
		{"week from Sunday", ISOWeek(d(2026, 6, 7)), d(2026, 6, 1), d(2026, 6, 7), "tuần 23/2026 (01/06–07/06)", "tuần 22/2026 (25/05–31/05)"},
		{"week from Monday", ISOWeek(d(2026, 6, 1)), d(2026, 6, 1), d(2026, 6, 7), "tuần 23/2026 (01/06–07/06)", "tuần 22/2026 (25/05–31/05)"},
		{"week across new year", ISOWeek(d(2026, 1, 1)), d(2025, 12, 29), d(2026, 1, 4), "tuần 1/2026 (29/12–04/01)", "tuần 52/2025 (22/12–28/12)"},
		{"week 53", ISOWeek(d(2026, 12, 31)), d(2026, 12, 28), d(2027, 1, 3), "tuần 53/2026 (28/12–03/01)", "tuần 52/2026 (21/12–27/12)"},
		{"month", Month(2026, time.May), may(1), may(31), "tháng 5/2026", "tháng 4/2026"},
		{"February of a leap year", Month(2028, time.February), d(2028, 2, 1), d(2028, 2, 29), "tháng 2/2028", "tháng 1/2028"},
		{"January", Month(2026, time.January), d(2026, 1, 1), d(2026, 1, 31), "tháng 1/2026", "tháng 12/2025"},
		{"quarter II", Quarter(2026, 2), d(2026, 4, 1), d(2026, 6, 30), "quý II/2026", "quý I/2026"},
		{"quarter I", Quarter(2026, 1), d(2026, 1, 1), d(2026, 3, 31), "quý I/2026", "quý IV/2025"},
		{"quarter IV", Quarter(2026, 4), d(2026, 10, 1), d(2026, 12, 31), "quý IV/2026", "quý III/2026"},
		{"first half", Half(2026, 1), d(2026, 1, 1), d(2026, 6, 30), "6 tháng đầu năm 2026", "6 tháng cuối năm 2025"},
		{"second half", Half(2026, 2), d(2026, 7, 1), d(2026, 12, 31), "6 tháng cuối năm 2026", "6 tháng đầu năm 2026"},
		{"year", Year(2026), d(2026, 1, 1), d(2026, 12, 31), "năm 2026", "năm 2025"},
		{"range", Range(may(1), may(15)), may(1), may(15), "từ 01/05/2026 đến 15/05/2026", "từ 16/04/2026 đến 30/04/2026"},
		{"range given backwards", Range(may(15), may(1)), may(1), may(15), "từ 01/05/2026 đến 15/05/2026", "từ 16/04/2026 đến 30/04/2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.p.From != tt.from || tt.p.To != tt.to || tt.p.Label != tt.label || tt.p.String() != tt.label {
				t.Errorf("got %v–%v %q, want %v–%v %q", tt.p.From, tt.p.To, tt.p.Label, tt.from, tt.to, tt.label)
			}
			prev := tt.p.Previous()
			if prev.Label != tt.prev || prev.Kind != tt.p.Kind {
				t.Errorf("Previous = %q (%s), want %q", prev.Label, prev.Kind, tt.prev)
			}
			if prev.To.AddDays(1) != tt.p.From {
				t.Errorf("Previous ends %v, want the day before %v", prev.To, tt.p.From)
			}
		})
	}
	if Quarter(2026, 5) != Quarter(2027, 1) || Month(2025, 13) != Month(2026, 1) || Half(2026, 0) != Half(2025, 2) {
		t.Error("out-of-range quarter, month or half not normalised")
	}
}

func TestPeriodClip(t *testing.T) {
	p := DefaultParams()
	first := ISOWeek(d(2026, 1, 1)).Clip(p.CampaignStart, p.CampaignEnd)
	if first.From != d(2026, 1, 1) || first.To != d(2026, 1, 4) || first.Label != "tuần 1/2026 (01/01–04/01)" || first.Days() != 4 {
		t.Errorf("first week clipped = %v–%v %q", first.From, first.To, first.Label)
	}
	if prev := first.Previous(); prev.From != d(2025, 12, 22) {
		t.Errorf("previous of a clipped week starts %v, want 22/12/2025", prev.From)
	}
	out := Year(2025).Clip(p.CampaignStart, p.CampaignEnd)
	if !out.Empty() || out.Days() != 0 || out.Contains(d(2025, 6, 1)) {
		t.Errorf("a period outside the campaign must clip to empty, got %v–%v", out.From, out.To)
	}
	m := Month(2026, time.May).Clip(p.CampaignStart, p.CampaignEnd)
	if m.Label != "tháng 5/2026" || m.Days() != 31 || !m.Contains(may(31)) || m.Contains(d(2026, 6, 1)) {
		t.Errorf("a month inside the campaign is unchanged: %+v", m)
	}
	r := Range(d(2025, 12, 1), d(2026, 1, 10)).Clip(p.CampaignStart, p.CampaignEnd)
	if r.Label != "từ 01/01/2026 đến 10/01/2026" {
		t.Errorf("clipped range label %q", r.Label)
	}
	if (Period{}).Days() != 0 || !(Period{}).Empty() {
		t.Error("the zero Period must be empty")
	}
	if p.Campaign().Label != "năm 2026" {
		t.Errorf("Campaign label %q", p.Campaign().Label)
	}
	p.CampaignStart = d(2026, 3, 1)
	if p.Campaign().Label != "từ 01/03/2026 đến 31/12/2026" {
		t.Errorf("Campaign label %q", p.Campaign().Label)
	}
}

func TestParams(t *testing.T) {
	p := DefaultParams()
	want := Params{
		CampaignStart: d(2026, 1, 1), CampaignEnd: d(2026, 12, 31), DailyTarget: 1, CoverageThreshold: 0.95,
		SpecialHouseholdThreshold: 365, MaxCollectives: 6, MaxIndividuals: 26, SpecialPrizes: 3,
	}
	if p.CampaignStart != want.CampaignStart || p.CampaignEnd != want.CampaignEnd || p.DailyTarget != 1 ||
		p.CoverageThreshold != 0.95 || p.SpecialHouseholdThreshold != 365 || p.MaxCollectives != 6 ||
		p.MaxIndividuals != 26 || p.SpecialPrizes != 3 || len(p.DaysOff) != 0 {
		t.Errorf("DefaultParams = %+v", p)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	bad := p
	bad.CampaignEnd = d(2025, 1, 1)
	bad.DailyTarget = 0
	bad.CoverageThreshold = 1.5
	bad.MaxIndividuals = -1
	err := bad.Validate()
	if err == nil {
		t.Fatal("invalid params accepted")
	}
	for _, key := range []string{"campaign.end", "campaign.daily_target", "awards.coverage_threshold", "awards.max_individuals"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error %q does not name %s", err, key)
		}
	}
	if p.RequiredProcedures(365) != 1 || p.RequiredProcedures(364) != 2 || p.RequiredProcedures(0) != 2 {
		t.Error("k must be 1 at 365 households and 2 at 364")
	}
	cov := []struct {
		able, households int
		want             bool
	}{
		{9499, 10000, false}, // 94,99%
		{9500, 10000, true},  // 95,00%
		{19, 20, true},       // exactly 95%
		{18, 20, false},
		{94, 99, false}, // 94,95%
		{95, 100, true},
		{0, 0, false},
		{5, 0, false},
		{120, 100, true},
	}
	for _, c := range cov {
		if got := p.ReachesCoverage(c.able, c.households); got != c.want {
			t.Errorf("ReachesCoverage(%d, %d) = %v, want %v", c.able, c.households, got, c.want)
		}
	}
	p.DaysOff = []Date{may(1)}
	if !p.IsDayOff(may(1)) || p.IsDayOff(may(2)) || !p.InCampaign(may(1)) || p.InCampaign(d(2027, 1, 1)) {
		t.Error("IsDayOff/InCampaign wrong")
	}
}

func TestFormatting(t *testing.T) {
	pct := []struct {
		x    float64
		want string
	}{
		{0.912, "91,2%"},
		{0.9499, "94,9%"}, // never shows as reaching 95%
		{0.95, "95,0%"},
		{1, "100,0%"},
		{0.99999, "99,9%"},
		{0, "0,0%"},
		{0.29, "29,0%"},
		{0.57, "57,0%"},
		{0.0005, "0,0%"},
	}
	for _, c := range pct {
		if got := Percent(c.x); got != c.want {
			t.Errorf("Percent(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	for i := 0; i <= 1000; i++ {
		want := PercentOf(i, 1000)
		if got := Percent(float64(i) / 1000); got != want {
			t.Fatalf("Percent(%d/1000) = %q, want %q", i, got, want)
		}
	}
	if got := PercentOf(9499, 10000); got != "94,9%" {
		t.Errorf("PercentOf(9499, 10000) = %q", got)
	}
	if got := PercentOf(1, 0); got != "0,0%" {
		t.Errorf("PercentOf(1, 0) = %q", got)
	}
	th := []struct {
		x    float64
		want string
	}{{0.95, "95,0%"}, {1, "100,0%"}, {0.955, "95,5%"}, {0.9525, "95,25%"}, {0.5, "50,0%"}, {0.123456, "12,3456%"}}
	for _, c := range th {
		if got := ThresholdPercent(c.x); got != c.want {
			t.Errorf("ThresholdPercent(%v) = %q, want %q", c.x, got, c.want)
		}
	}
	num := []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.000"}, {12345, "12.345"}, {1234567, "1.234.567"}, {-1234, "-1.234"}, {-12, "-12"}}
	for _, c := range num {
		if got := Number(c.n); got != c.want {
			t.Errorf("Number(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestCompareNames(t *testing.T) {
	// In Vietnamese order; each name sorts before the next.
	ordered := []string{
		"An", "Anh", "Ăn", "Ân", "Bình", "Bính", "Cường", "Dũng", "Đào", "Đức", "Em", "Ê-đê",
		"Hà", "Hải", "Hạnh", "Long", "Ngọc", "Oanh", "Ông", "Ơn", "Phúc", "Uyên", "Ưng", "Yến",
	}
	for i := range ordered {
		for j := range ordered {
			got := CompareNames(ordered[i], ordered[j])
			want := cmp.Compare(i, j)
			if got != want {
				t.Errorf("CompareNames(%q, %q) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	// NFD input (as some keyboards send it) sorts as NFC does.
	nfd := "\u0110u\u031bc" // "Đưc" with a combining horn
	if c := CompareNames(nfd, "Đức"); c >= 0 {
		t.Errorf("NFD Đưc vs Đức = %d", c)
	}
	nfdDuc := "\u0110u\u031b\u0301c" // Đức in NFD
	if nameKey(nfdDuc) != nameKey("Đức") {
		t.Errorf("NFD and NFC keys differ: %q vs %q", nameKey(nfdDuc), nameKey("Đức"))
	}
	if CompareNames("ấp bình an", "Ấp Bình An") == 0 {
		t.Error("names differing only in case must still be ordered, not equal")
	}
}
