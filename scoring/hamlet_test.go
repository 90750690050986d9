package scoring

import (
	"testing"
	"time"
)

// hfig is the part of HamletStats a test states.
type hfig struct {
	guidedInPeriod, newGuided, daysMet, daysElapsed, guidedToday int
	metToday                                                     bool
	cur, longest                                                 int
	guided, self, able                                           int
	reached                                                      Date
	k, specialDone                                               int
}

func figOf(s HamletStats) hfig {
	return hfig{
		guidedInPeriod: s.GuidedInPeriod, newGuided: s.NewGuided, daysMet: s.DaysMet, daysElapsed: s.DaysElapsed,
		guidedToday: s.GuidedToday, metToday: s.MetToday, cur: s.CurrentStreak, longest: s.LongestStreak,
		guided: s.HouseholdsGuided, self: s.SelfAble, able: s.Able, reached: s.ReachedOn, k: s.K, specialDone: s.SpecialDone,
	}
}

func TestHamletFigures(t *testing.T) {
	small := []Hamlet{{ID: "a", Name: "Ấp A", Households: 100}}
	tests := []struct {
		name   string
		w      world
		params func(*Params)
		period Period
		at     Date
		want   hfig
	}{
		{
			name:   "one household a day for a week",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(7), "khai-sinh")},
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 7, newGuided: 7, daysMet: 7, daysElapsed: 7, guidedToday: 1, metToday: true,
				cur: 7, longest: 7, guided: 7, able: 7, k: 2},
		},
		{
			name:   "today not met yet keeps yesterday's streak",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(6))},
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 6, newGuided: 6, daysMet: 6, daysElapsed: 7, cur: 6, longest: 6, guided: 6, able: 6, k: 2},
		},
		{
			name:   "a whole day missed breaks the streak",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(5))},
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 5, newGuided: 5, daysMet: 5, daysElapsed: 7, cur: 0, longest: 5, guided: 5, able: 5, k: 2},
		},
		{
			name:   "a gap in the middle: current and longest differ",
			w:      world{hamlets: small, recs: cat(daily("h", "a", 1, may(1), may(4)), daily("g", "a", 1, may(6), may(7)))},
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 6, newGuided: 6, daysMet: 6, daysElapsed: 7, guidedToday: 1, metToday: true,
				cur: 2, longest: 4, guided: 6, able: 6, k: 2},
		},
		{
			name:   "a day off does not break a streak nor count as elapsed",
			w:      world{hamlets: small, recs: cat(daily("h", "a", 1, may(1), may(3)), daily("g", "a", 1, may(5), may(7)))},
			params: func(p *Params) { p.DaysOff = []Date{may(4)} },
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 6, newGuided: 6, daysMet: 6, daysElapsed: 6, guidedToday: 1, metToday: true,
				cur: 6, longest: 6, guided: 6, able: 6, k: 2},
		},
		{
			name:   "work on a day off counts for households, not for days met or streaks",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(7))},
			params: func(p *Params) { p.DaysOff = []Date{may(4), may(4), d(2025, 5, 4)} },
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 7, newGuided: 7, daysMet: 6, daysElapsed: 6, guidedToday: 1, metToday: true,
				cur: 6, longest: 6, guided: 7, able: 7, k: 2},
		},
		{
			name:   "today is a day off: the streak stands",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(6))},
			params: func(p *Params) { p.DaysOff = []Date{may(7)} },
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 6, newGuided: 6, daysMet: 6, daysElapsed: 6, cur: 6, longest: 6, guided: 6, able: 6, k: 2},
		},
		{
			name:   "today is a day off after a missed day: no streak",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(5))},
			params: func(p *Params) { p.DaysOff = []Date{may(7)} },
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 5, newGuided: 5, daysMet: 5, daysElapsed: 6, cur: 0, longest: 5, guided: 5, able: 5, k: 2},
		},
		{
			name:   "yesterday was off and today is not met yet: the streak stands",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(5))},
			params: func(p *Params) { p.DaysOff = []Date{may(6)} },
			period: Month(2026, time.May), at: may(7),
			want: hfig{guidedInPeriod: 5, newGuided: 5, daysMet: 5, daysElapsed: 6, cur: 5, longest: 5, guided: 5, able: 5, k: 2},
		},
		{
			name: "a daily target of 2 distinct households",
			w: world{hamlets: small, recs: cat(
				many("a", "a", 1, 2, may(1)), many("b", "a", 1, 1, may(2)), many("c", "a", 2, 3, may(3)),
				[]rec{{hh: "c" + itoa(0), hamlet: "a", officer: 1, day: may(3)}}, // the same household twice: still 3
			)},
			params: func(p *Params) { p.DailyTarget = 2 },
			period: Month(2026, time.May), at: may(3),
			want: hfig{guidedInPeriod: 6, newGuided: 6, daysMet: 2, daysElapsed: 3, guidedToday: 3, metToday: true,
				cur: 1, longest: 1, guided: 6, able: 6, k: 2},
		},
		{
			name:   "facts dated after the as-of day are ignored",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(10))},
			period: Month(2026, time.May), at: may(5),
			want: hfig{guidedInPeriod: 5, newGuided: 5, daysMet: 5, daysElapsed: 5, guidedToday: 1, metToday: true,
				cur: 5, longest: 5, guided: 5, able: 5, k: 2},
		},
		{
			name: "a household guided on two days counts twice in the period sum, once as a household",
			w: world{hamlets: small, recs: []rec{
				{hh: "x", hamlet: "a", officer: 1, day: may(1), procs: []string{"khai-sinh"}},
				{hh: "x", hamlet: "a", officer: 1, day: may(2), procs: []string{"tam-tru"}},
			}},
			period: Month(2026, time.May), at: may(2),
			want: hfig{guidedInPeriod: 2, newGuided: 1, daysMet: 2, daysElapsed: 2, guidedToday: 1, metToday: true,
				cur: 2, longest: 2, guided: 1, able: 1, k: 2, specialDone: 1},
		},
		{
			name:   "period sums cover only the period; streaks cover the campaign",
			w:      world{hamlets: small, recs: daily("h", "a", 1, may(1), may(7))},
			period: ISOWeek(may(6)), at: may(7), // 04/05–10/05
			want: hfig{guidedInPeriod: 4, newGuided: 4, daysMet: 4, daysElapsed: 4, guidedToday: 1, metToday: true,
				cur: 7, longest: 7, guided: 7, able: 7, k: 2},
		},
		{
			name: "coverage counts guided and already-able households once each",
			w: world{
				hamlets: []Hamlet{{ID: "a", Name: "Ấp A", Households: 20}},
				recs:    many("g", "a", 1, 15, may(1)),
				self:    cat(selfAble("s", "a", 4, may(3)), []selfRec{{hh: "g" + itoa(0), hamlet: "a", day: d(2026, 4, 1)}}),
			},
			period: Month(2026, time.May), at: may(3),
			want: hfig{guidedInPeriod: 15, newGuided: 15, daysMet: 1, daysElapsed: 3, longest: 1, guided: 15, self: 4, able: 19,
				reached: may(3), k: 2},
		},
		{
			name: "already-able households do not count for the daily target",
			w: world{
				hamlets: []Hamlet{{ID: "a", Name: "Ấp A", Households: 20}},
				self:    selfAble("s", "a", 4, may(3)),
			},
			period: Day(may(3)), at: may(3),
			want: hfig{daysElapsed: 1, self: 4, able: 4, k: 2},
		},
		{
			name:   "94,99% has not reached the threshold",
			w:      world{hamlets: []Hamlet{{ID: "a", Households: 10000}}, recs: many("g", "a", 1, 9499, may(1))},
			period: Day(may(1)), at: may(1),
			want: hfig{guidedInPeriod: 9499, newGuided: 9499, daysMet: 1, daysElapsed: 1, guidedToday: 9499, metToday: true,
				cur: 1, longest: 1, guided: 9499, able: 9499, k: 1},
		},
		{
			name: "95,00% reaches the threshold on the day of the 9500th household",
			w: world{hamlets: []Hamlet{{ID: "a", Households: 10000}}, recs: cat(
				many("g", "a", 1, 9499, may(1)), []rec{{hh: "last", hamlet: "a", officer: 1, day: may(2)}})},
			period: Day(may(2)), at: may(2),
			want: hfig{guidedInPeriod: 1, newGuided: 1, daysMet: 1, daysElapsed: 1, guidedToday: 1, metToday: true,
				cur: 2, longest: 2, guided: 9500, able: 9500, reached: may(2), k: 1},
		},
		{
			name:   "365 households: one procedure each is enough (k = 1)",
			w:      world{hamlets: []Hamlet{{ID: "a", Households: 365}}, recs: many("g", "a", 1, 10, may(1), "khai-sinh")},
			period: Day(may(1)), at: may(1),
			want: hfig{guidedInPeriod: 10, newGuided: 10, daysMet: 1, daysElapsed: 1, guidedToday: 10, metToday: true,
				cur: 1, longest: 1, guided: 10, able: 10, k: 1, specialDone: 10},
		},
		{
			name:   "364 households: one procedure each is not enough (k = 2)",
			w:      world{hamlets: []Hamlet{{ID: "a", Households: 364}}, recs: many("g", "a", 1, 10, may(1), "khai-sinh")},
			period: Day(may(1)), at: may(1),
			want: hfig{guidedInPeriod: 10, newGuided: 10, daysMet: 1, daysElapsed: 1, guidedToday: 10, metToday: true,
				cur: 1, longest: 1, guided: 10, able: 10, k: 2},
		},
		{
			name: "364 households: two distinct procedures count once both are guided",
			w: world{hamlets: []Hamlet{{ID: "a", Households: 364}}, recs: cat(
				many("g", "a", 1, 10, may(1), "khai-sinh", "khai-sinh"), // the same procedure twice is one
				many("g", "a", 1, 4, may(5), "tam-tru"),
			)},
			period: Month(2026, time.May), at: may(5),
			want: hfig{guidedInPeriod: 14, newGuided: 10, daysMet: 2, daysElapsed: 5, guidedToday: 4, metToday: true,
				cur: 1, longest: 1, guided: 10, able: 10, k: 2, specialDone: 4},
		},
		{
			name:   "before the campaign starts nothing has elapsed",
			w:      world{hamlets: small},
			period: Year(2026), at: d(2025, 12, 31),
			want: hfig{k: 2},
		},
		{
			name:   "after the campaign ends the last streak stands",
			w:      world{hamlets: small, recs: daily("h", "a", 1, d(2026, 12, 25), d(2026, 12, 31))},
			period: Year(2026), at: d(2027, 1, 5),
			want: hfig{guidedInPeriod: 7, newGuided: 7, daysMet: 7, daysElapsed: 365, cur: 7, longest: 7, guided: 7, able: 7, k: 2},
		},
		{
			name:   "records outside the campaign count for ability, not for days",
			w:      world{hamlets: small, recs: daily("h", "a", 1, d(2025, 12, 30), d(2026, 1, 2))},
			period: Year(2026), at: d(2026, 1, 2),
			want: hfig{guidedInPeriod: 2, newGuided: 2, daysMet: 2, daysElapsed: 2, guidedToday: 1, metToday: true,
				cur: 2, longest: 2, guided: 4, able: 4, k: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			if tt.params != nil {
				tt.params(&p)
			}
			got := Hamlets(tt.w.facts(), p, tt.period, tt.at)
			if len(got) != 1 {
				t.Fatalf("got %d hamlets", len(got))
			}
			if g := figOf(got[0]); g != tt.want {
				t.Errorf("\n got %+v\nwant %+v", g, tt.want)
			}
			if c := got[0].Coverage; c < 0 || c > 1 {
				t.Errorf("coverage %v outside [0, 1]", c)
			}
		})
	}
}

func TestRetractedRecordNoLongerCounts(t *testing.T) {
	hamlets := []Hamlet{{ID: "a", Name: "Ấp A", Households: 3}}
	recs := daily("h", "a", 1, may(1), may(3), "khai-sinh", "tam-tru")
	before := Hamlets(world{hamlets: hamlets, recs: recs}.facts(), DefaultParams(), Month(2026, time.May), may(3))[0]
	// The 02/05 record is retracted: the store drops it from the facts.
	after := Hamlets(world{hamlets: hamlets, recs: []rec{recs[0], recs[2]}}.facts(), DefaultParams(), Month(2026, time.May), may(3))[0]
	if before.DaysMet != 3 || before.CurrentStreak != 3 || before.Able != 3 || before.SpecialDone != 3 || !before.CoverageMet() {
		t.Fatalf("before retraction: %+v", figOf(before))
	}
	if after.DaysMet != 2 || after.CurrentStreak != 1 || after.LongestStreak != 1 || after.Able != 2 ||
		after.SpecialDone != 2 || after.CoverageMet() || after.GuidedInPeriod != 2 {
		t.Errorf("after retraction: %+v", figOf(after))
	}
}

func TestHamletChecksAndExclusions(t *testing.T) {
	w := world{
		hamlets: []Hamlet{{ID: "a", Households: 10}, {ID: "b", Households: 10}},
		checks: []Check{
			{GuidanceID: 3, HamletID: "a", OfficerID: 1, Date: may(9), Status: CheckFailed, Reason: "hộ không biết"},
			{GuidanceID: 1, HamletID: "a", OfficerID: 1, Date: may(2), Status: CheckFailed},
			{GuidanceID: 2, HamletID: "a", OfficerID: 1, Date: may(3), Status: CheckPassed},
			{GuidanceID: 4, HamletID: "a", OfficerID: 1, Date: may(3), Status: CheckUnreachable},
			{GuidanceID: 5, HamletID: "a", OfficerID: 1, Date: may(20), Status: CheckFailed}, // after the as-of day
		},
		excl: []Exclusion{
			{Kind: ExcludeHamlet, Target: "b", Reason: "đang thanh tra", Since: may(1)},
			{Kind: ExcludeHamlet, Target: "b", Reason: "khiếu nại đã giải quyết", Since: d(2026, 3, 1), Until: d(2026, 4, 1)},
			{Kind: ExcludeHamlet, Target: "a", Reason: "từ tháng sau", Since: d(2026, 6, 1)},
			{Kind: ExcludeOfficer, Target: "a", Reason: "không phải ấp"},
		},
	}
	s := Hamlets(w.facts(), DefaultParams(), Month(2026, time.May), may(10))
	a, b := s[0], s[1]
	if a.Checks != (CheckCounts{Passed: 1, Failed: 2, Unreachable: 1}) {
		t.Errorf("a checks %+v", a.Checks)
	}
	if len(a.FailedChecks) != 2 || a.FailedChecks[0].Date != may(2) || a.FailedChecks[1].Date != may(9) {
		t.Errorf("failed checks must be listed by date: %+v", a.FailedChecks)
	}
	if a.Excluded || a.Eligible() {
		t.Errorf("a: excluded %v eligible %v; want not excluded, not eligible", a.Excluded, a.Eligible())
	}
	if !b.Excluded || len(b.Exclusions) != 1 || b.Exclusions[0].Reason != "đang thanh tra" || b.Eligible() {
		t.Errorf("b exclusions %+v", b.Exclusions)
	}
	old := Hamlets(w.facts(), DefaultParams(), Month(2026, time.March), d(2026, 3, 15))
	if !old[1].Excluded || old[1].Exclusions[0].Reason != "khiếu nại đã giải quyết" {
		t.Errorf("as of 15/03 b was excluded for the complaint: %+v", old[1].Exclusions)
	}
	if e := (Exclusion{Since: d(2026, 3, 1), Until: d(2026, 4, 1)}); !e.InForce(d(2026, 3, 31)) || e.InForce(d(2026, 4, 1)) || e.InForce(d(2026, 2, 28)) {
		t.Error("InForce wrong at the edges")
	}
}

func TestHamletsUnknownAndEmpty(t *testing.T) {
	f := world{
		hamlets: []Hamlet{{ID: "a", Households: 0}},
		recs:    cat(daily("h", "a", 1, may(1), may(2)), daily("z", "zz", 1, may(1), may(2))),
	}.facts()
	f.HamletDays = append(f.HamletDays, HamletDay{HamletID: "a", Date: may(1), Households: 1}) // repeated row: added
	s := Hamlets(f, DefaultParams(), Month(2026, time.May), may(2))
	if len(s) != 1 {
		t.Fatalf("facts of unknown hamlets must be ignored, got %d hamlets", len(s))
	}
	if s[0].Coverage != 0 || s[0].CoverageMet() || s[0].SpecialProgress != 0 || s[0].GuidedInPeriod != 3 {
		t.Errorf("a hamlet without households: %+v", figOf(s[0]))
	}
	if got := Hamlets(Facts{}, DefaultParams(), Year(2026), may(1)); len(got) != 0 {
		t.Errorf("no hamlets: %v", got)
	}
	// Households are counted in a register smaller than reality: coverage clamps to 100%.
	f = world{hamlets: []Hamlet{{ID: "a", Households: 2}}, recs: many("g", "a", 1, 3, may(1), "a", "b")}.facts()
	s = Hamlets(f, DefaultParams(), Day(may(1)), may(1))
	if s[0].Coverage != 1 || s[0].SpecialProgress != 1 || s[0].Able != 3 || s[0].ReachedOn != may(1) {
		t.Errorf("over-full hamlet: %+v cov %v", figOf(s[0]), s[0].Coverage)
	}
}

func TestSum(t *testing.T) {
	w := world{
		hamlets: []Hamlet{{ID: "a", Households: 10}, {ID: "b", Households: 2}, {ID: "c"}},
		recs:    cat(many("x", "a", 1, 5, may(1), "p", "q"), many("y", "b", 1, 3, may(2), "p")),
		checks:  []Check{{HamletID: "a", Date: may(1), Status: CheckFailed}},
		excl:    []Exclusion{{Kind: ExcludeHamlet, Target: "c"}},
	}
	got := Sum(Hamlets(w.facts(), DefaultParams(), Month(2026, 5), may(2)))
	want := Totals{Hamlets: 3, Households: 12, GuidedInPeriod: 8, NewGuided: 8, GuidedToday: 3, MetToday: 1, DaysMet: 2,
		DaysElapsed: 6, HouseholdsGuided: 8, Able: 7, SpecialDone: 5, Coverage: 7.0 / 12, CoverageMet: 1, FailedChecks: 1, Excluded: 1,
		OverRegister: 1} // b: 3 able of 2
	if got != want {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}
