package scoring

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestCalendar(t *testing.T) {
	p := DefaultParams()
	p.DaysOff = []Date{NewDate(2026, time.January, 3)}
	d := func(day int) Date { return NewDate(2026, time.January, day) }
	days := []HamletDay{
		{HamletID: "a", Date: d(1), Households: 1},
		{HamletID: "a", Date: d(3), Households: 2}, // a day off: neither
		{HamletID: "a", Date: d(4), Households: 1},
		{HamletID: "a", Date: d(6), Households: 1},
	}
	got := Calendar(days, p, NewDate(2025, time.December, 31), d(8), d(6))
	want := []DayStatus{DayOutside, DayMet, DayMissed, DayOff, DayMet, DayMissed, DayMet, DayFuture, DayFuture}
	if len(got) != len(want) {
		t.Fatalf("Calendar = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d: %v, want %v", i, got[i], want[i])
		}
	}
	// The as-of day is open until it is met.
	if got := Calendar(days, p, d(5), d(5), d(5)); got[0] != DayOpen {
		t.Errorf("unmet as-of day: %v, want open", got[0])
	}
	if Calendar(days, p, d(5), d(4), d(5)) != nil {
		t.Error("an empty range has days")
	}
}

// The calendar's met days are Hamlets' DaysMet for any facts and period.
func TestCalendarAgreesWithHamlets(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := DefaultParams()
		p.DailyTarget = rapid.IntRange(1, 3).Draw(t, "target")
		for _, n := range rapid.SliceOfN(rapid.IntRange(0, 364), 0, 10).Draw(t, "off") {
			p.DaysOff = append(p.DaysOff, p.CampaignStart.AddDays(n))
		}
		var days []HamletDay
		for _, n := range rapid.SliceOfN(rapid.IntRange(-5, 370), 0, 200).Draw(t, "days") {
			days = append(days, HamletDay{HamletID: "a", Date: p.CampaignStart.AddDays(n), Households: 1 + n%3})
		}
		at := p.CampaignStart.AddDays(rapid.IntRange(-3, 370).Draw(t, "at"))
		from := p.CampaignStart.AddDays(rapid.IntRange(-3, 370).Draw(t, "from"))
		to := from.AddDays(rapid.IntRange(0, 60).Draw(t, "len"))
		f := Facts{Hamlets: []Hamlet{{ID: "a", Households: 10}}, HamletDays: days}
		st := Hamlets(f, p, Range(from, to), at)[0]
		met, elapsed := 0, 0
		for _, s := range Calendar(days, p, from, to, at) {
			switch s {
			case DayMet:
				met++
				elapsed++
			case DayMissed, DayOpen:
				elapsed++
			}
		}
		if met != st.DaysMet || elapsed != st.DaysElapsed {
			t.Fatalf("calendar: %d met of %d, Hamlets: %d of %d", met, elapsed, st.DaysMet, st.DaysElapsed)
		}
	})
}

func TestNeededForCoverage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := DefaultParams()
		p.CoverageThreshold = float64(rapid.IntRange(1, 1_000_000).Draw(t, "ppm")) / 1_000_000
		n := rapid.IntRange(1, 100_000).Draw(t, "households")
		need := p.NeededForCoverage(n)
		if !p.ReachesCoverage(need, n) || (need > 0 && p.ReachesCoverage(need-1, n)) {
			t.Fatalf("%d of %d at %v: reaches %v, one less reaches %v", need, n, p.CoverageThreshold,
				p.ReachesCoverage(need, n), p.ReachesCoverage(need-1, n))
		}
	})
	if got := DefaultParams().NeededForCoverage(812); got != 772 {
		t.Errorf("95%% of 812 = %d, want 772", got)
	}
	if got := DefaultParams().NeededForCoverage(0); got != 0 {
		t.Errorf("no households: %d", got)
	}
}
