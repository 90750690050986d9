package scoring

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// totalsAsOf is what a store's running totals hold on day at: every
// household fact up to at.
func totalsAsOf(f Facts, at Date) []HamletTotal {
	byID := map[string]*HamletTotal{}
	out := make([]HamletTotal, len(f.Hamlets))
	for i, h := range f.Hamlets {
		out[i] = HamletTotal{Hamlet: h}
		if byID[h.ID] == nil {
			byID[h.ID] = &out[i]
		}
	}
	for _, h := range f.Households {
		t := byID[h.HamletID]
		if t == nil {
			continue
		}
		guided := !h.GuidedFrom.IsZero() && !h.GuidedFrom.After(at)
		self := !h.SelfAbleFrom.IsZero() && !h.SelfAbleFrom.After(at)
		if guided {
			t.Guided++
		}
		if guided || self {
			t.Able++
		}
	}
	return out
}

// scanRecent reads each hamlet's days the way the store does: backwards
// from at, stopping where the scan says, then hands them over oldest first.
// It returns the rows and how many were read.
func scanRecent(f Facts, p Params, at Date) ([]HamletDay, int) {
	byHamlet := map[string]map[Date]int{}
	for _, hd := range f.HamletDays {
		if byHamlet[hd.HamletID] == nil {
			byHamlet[hd.HamletID] = map[Date]int{}
		}
		byHamlet[hd.HamletID][hd.Date] += hd.Households
	}
	scan := NewStreakScan(p, at)
	var out []HamletDay
	ids := make([]string, 0, len(byHamlet))
	for id := range byHamlet {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		days := make([]Date, 0, len(byHamlet[id]))
		for d := range byHamlet[id] {
			if !d.After(at) {
				days = append(days, d)
			}
		}
		slices.SortFunc(days, func(a, b Date) int { return b.Compare(a) })
		scan.Reset()
		var mine []HamletDay
		for _, d := range days {
			mine = append(mine, HamletDay{HamletID: id, Date: d, Households: byHamlet[id][d]})
			if !scan.Add(d, byHamlet[id][d]) {
				break
			}
		}
		slices.Reverse(mine)
		out = append(out, mine...)
	}
	return out, len(out)
}

// scanByDay reads the days the way a store keyed by day first does: day by
// day backwards from at, every hamlet at once, one scan per hamlet,
// stopping at the first day no hamlet wants. It returns the rows (latest
// day first) and how many were read.
func scanByDay(f Facts, p Params, at Date) ([]HamletDay, int) {
	sum := map[Date]map[string]int{}
	hamlets := map[string]bool{}
	for _, hd := range f.HamletDays {
		if hd.Date.After(at) {
			continue
		}
		if sum[hd.Date] == nil {
			sum[hd.Date] = map[string]int{}
		}
		sum[hd.Date][hd.HamletID] += hd.Households
		hamlets[hd.HamletID] = true
	}
	days := make([]Date, 0, len(sum))
	for d := range sum {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b Date) int { return b.Compare(a) })
	fresh := NewStreakScan(p, at)
	scans := map[string]*StreakScan{}
	for h := range hamlets {
		s := fresh
		scans[h] = &s
	}
	var out []HamletDay
	for _, d := range days {
		wanted := false
		for _, s := range scans {
			wanted = wanted || s.Wants(d)
		}
		if !wanted {
			break
		}
		ids := make([]string, 0, len(sum[d]))
		for h := range sum[d] {
			ids = append(ids, h)
		}
		slices.Sort(ids)
		for _, h := range ids {
			s := scans[h]
			if !s.Wants(d) {
				continue
			}
			out = append(out, HamletDay{HamletID: h, Date: d, Households: sum[d][h]})
			s.Add(d, sum[d][h])
		}
	}
	return out, len(out)
}

// boardFromDays is LeaderboardFromTotals after StreaksFromDays on recent.
func boardFromDays(totals []HamletTotal, recent []HamletDay, p Params, at Date) []HamletRank {
	totals = slices.Clone(totals)
	StreaksFromDays(totals, recent, p, at)
	return LeaderboardFromTotals(totals, p, at)
}

// runsOf is each hamlet's runs of met days (up to at), by last day.
func runsOf(f Facts, p Params, at Date) map[string]map[Date]Date {
	sum := map[string]map[Date]int{}
	for _, hd := range f.HamletDays {
		if hd.Date.After(at) {
			continue
		}
		if sum[hd.HamletID] == nil {
			sum[hd.HamletID] = map[Date]int{}
		}
		sum[hd.HamletID][hd.Date] += hd.Households
	}
	out := map[string]map[Date]Date{}
	for h, days := range sum {
		out[h] = map[Date]Date{}
		for d, n := range days {
			if n < p.DailyTarget || days[d.AddDays(1)] >= p.DailyTarget {
				continue // not met, or not the last day of its run
			}
			from := d
			for days[from.AddDays(-1)] >= p.DailyTarget {
				from = from.AddDays(-1)
			}
			out[h][d] = from
		}
	}
	return out
}

// fromRuns is LeaderboardFromTotals with streaks from runs and today's
// households; it also returns how many run lookups were made.
func fromRuns(f Facts, p Params, at Date) ([]HamletRank, int) {
	totals := totalsAsOf(f, at)
	runs := runsOf(f, p, at)
	lookups := 0
	streaks := NewRunStreaks(p, at)
	for i := range totals {
		id := totals[i].Hamlet.ID
		for _, hd := range f.HamletDays {
			if hd.HamletID == id && hd.Date == at {
				totals[i].GuidedToday += hd.Households
			}
		}
		totals[i].CurrentStreak = streaks.Current(func(end Date) (Date, bool) {
			lookups++
			from, ok := runs[id][end]
			return from, ok
		})
	}
	return LeaderboardFromTotals(totals, p, at), lookups
}

// shown is what a leaderboard line shows, plus the other figures
// LeaderboardFromTotals promises.
type shown struct {
	Rank                                 int
	ID                                   string
	Met                                  bool
	Today, Guided, Self, Able, Streak, K int
	Coverage                             float64
	InPeriod, DaysMet, DaysElapsed       int
	Period                               Period
	At                                   Date
}

func shownOf(rs []HamletRank) []shown {
	out := make([]shown, len(rs))
	for i, r := range rs {
		out[i] = shown{r.Rank, r.Hamlet.ID, r.MetToday, r.GuidedToday, r.HouseholdsGuided, r.SelfAble, r.Able, r.CurrentStreak, r.K,
			r.Coverage, r.GuidedInPeriod, r.DaysMet, r.DaysElapsed, r.Period, r.At}
	}
	return out
}

func sameBoards(t *rapid.T, what string, want, got []HamletRank) {
	w, g := shownOf(want), shownOf(got)
	if !slices.Equal(w, g) {
		t.Fatalf("%s differs from Leaderboard:\nwant %+v\n got %+v", what, w, g)
	}
}

// TestPropLeaderboardFromTotalsMatchesLeaderboard: on random facts, the
// ranking from running totals and recent days equals the one from every
// fact, whether the store passes the scanned days or all of them.
func TestPropLeaderboardFromTotalsMatchesLeaderboard(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		f := w.facts()
		want := Leaderboard(f, p, at)
		totals := totalsAsOf(f, at)
		recent, _ := scanRecent(f, p, at)
		sameBoards(t, "from scanned days", want, boardFromDays(totals, recent, p, at))
		byDay, _ := scanByDay(f, p, at)
		sameBoards(t, "from days read day by day", want, boardFromDays(totals, byDay, p, at))
		runs, _ := fromRuns(f, p, at)
		sameBoards(t, "from runs", want, runs)
		sameBoards(t, "from all days", want, boardFromDays(totals, f.HamletDays, p, at))
		shuffled := rapid.Permutation(recent).Draw(t, "shuffled")
		sameBoards(t, "from shuffled days", want, boardFromDays(totals, shuffled, p, at))
	})
}

// streakyWorld has long runs of met days broken now and then, days off,
// a target above one, ties on every figure, and an as-of day anywhere
// around the campaign.
func streakyWorld(t *rapid.T) (Facts, Params, Date) {
	p := DefaultParams()
	p.CampaignStart, p.CampaignEnd = may(1), d(2026, time.June, 30)
	p.DailyTarget = rapid.IntRange(1, 3).Draw(t, "target")
	p.DaysOff = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Date {
		return may(1).AddDays(rapid.IntRange(-2, 62).Draw(t, "off"))
	}), 0, 12).Draw(t, "daysoff")
	var f Facts
	nh := rapid.IntRange(1, 6).Draw(t, "hamlets")
	for i := range nh {
		id := "h" + strconv.Itoa(i)
		// Two hamlets may share a name: the id breaks the tie.
		name := "Ấp " + strconv.Itoa(rapid.IntRange(0, nh/2).Draw(t, "name"))
		f.Hamlets = append(f.Hamlets, Hamlet{ID: id, Name: name, Households: rapid.IntRange(0, 40).Draw(t, "households")})
		miss := rapid.IntRange(0, 20).Draw(t, "miss") // in 100
		for day := -3; day < 64; day++ {
			n := 0
			if rapid.IntRange(0, 99).Draw(t, "roll") >= miss {
				n = rapid.IntRange(0, p.DailyTarget+1).Draw(t, "n")
			}
			if n > 0 {
				f.HamletDays = append(f.HamletDays, HamletDay{HamletID: id, Date: may(1).AddDays(day), Households: n})
			}
		}
		for range rapid.IntRange(0, 40).Draw(t, "guided") {
			h := Household{HamletID: id, GuidedFrom: may(1).AddDays(rapid.IntRange(-3, 63).Draw(t, "from"))}
			if rapid.IntRange(0, 4).Draw(t, "self") == 0 {
				h.SelfAbleFrom = may(1).AddDays(rapid.IntRange(-3, 63).Draw(t, "selffrom"))
				if rapid.Bool().Draw(t, "onlyself") {
					h.GuidedFrom = Date{}
				}
			}
			f.Households = append(f.Households, h)
		}
	}
	return f, p, may(1).AddDays(rapid.IntRange(-3, 64).Draw(t, "at"))
}

func TestPropLeaderboardFromTotalsLongStreaks(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		f, p, at := streakyWorld(t)
		want := Leaderboard(f, p, at)
		recent, read := scanRecent(f, p, at)
		totals := totalsAsOf(f, at)
		sameBoards(t, "long streaks", want, boardFromDays(totals, recent, p, at))
		byDay, readByDay := scanByDay(f, p, at)
		sameBoards(t, "long streaks read day by day", want, boardFromDays(totals, byDay, p, at))
		runs, lookups := fromRuns(f, p, at)
		sameBoards(t, "long streaks from runs", want, runs)
		if lookups > len(want)*4*extraDays(p, at) {
			t.Fatalf("%d run lookups for %d hamlets", lookups, len(want))
		}
		if longest := slices.MaxFunc(append(want, HamletRank{}), func(a, b HamletRank) int { return a.CurrentStreak - b.CurrentStreak }); readByDay > len(want)*(longest.CurrentStreak+extraDays(p, at)) {
			t.Fatalf("read %d days day by day for a longest streak of %d", readByDay, longest.CurrentStreak)
		}
		// The scan reads the current streak's days, a few around them
		// (today, days off, the day that ended it), not the history.
		extra := extraDays(p, at)
		limit, streaks := 0, 0
		for _, r := range want {
			limit += r.CurrentStreak + extra
			streaks += r.CurrentStreak
		}
		if read > limit {
			t.Fatalf("read %d days for streaks adding up to %d", read, streaks)
		}
	})
}

// extraDays bounds the days a scan reads besides the streak's: today, the
// day that ended it, days off, and days after the campaign up to today.
func extraDays(p Params, at Date) int {
	return 2 + len(p.DaysOff) + max(0, DaysBetween(p.CampaignEnd, at))
}

// TestStreakScanStops shows where the backward reading stops.
func TestStreakScanStops(t *testing.T) {
	p := DefaultParams()
	p.CampaignStart, p.CampaignEnd = may(1), may(31)
	p.DailyTarget = 2
	p.DaysOff = []Date{may(10)}
	type day struct {
		d Date
		n int
	}
	tests := []struct {
		name  string
		today Date
		days  []day // latest first
		read  int   // days read before the scan says stop (included)
	}{
		{"met today and yesterday, unmet before", may(12), []day{{may(12), 2}, {may(11), 3}, {may(9), 1}, {may(8), 5}}, 3},
		{"the day off is skipped", may(12), []day{{may(12), 2}, {may(11), 3}, {may(9), 2}, {may(8), 2}, {may(6), 2}, {may(5), 2}}, 5},
		{"today not met yet: yesterday's streak stands", may(12), []day{{may(12), 1}, {may(11), 2}, {may(9), 2}, {may(8), 1}}, 4},
		{"nothing today, streak up to yesterday", may(12), []day{{may(11), 2}, {may(9), 2}, {may(7), 2}}, 3},
		{"last met day too old", may(12), []day{{may(12), 1}, {may(9), 2}, {may(8), 2}}, 2},
		{"before the campaign", may(2), []day{{may(2), 2}, {may(1), 2}, {d(2026, time.April, 30), 2}, {d(2026, time.April, 29), 2}}, 3},
		{"after the campaign: streak ends on its last day", d(2026, time.June, 3), []day{{d(2026, time.June, 1), 9}, {may(31), 2}, {may(30), 2}, {may(28), 2}}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewStreakScan(p, tt.today)
			s.Reset()
			read := 0
			for _, x := range tt.days {
				read++
				if !s.Add(x.d, x.n) {
					break
				}
			}
			if read != tt.read {
				t.Errorf("read %d days, want %d", read, tt.read)
			}
		})
	}
}

// TestLeaderboardFromTotalsShowsTheBoard: a small board read by a user.
func TestLeaderboardFromTotalsShowsTheBoard(t *testing.T) {
	p := DefaultParams()
	p.CampaignStart, p.CampaignEnd = may(1), may(31)
	totals := []HamletTotal{
		{Hamlet: Hamlet{ID: "a", Name: "Bãi Nhà", Households: 100}, Guided: 90, Able: 96},
		{Hamlet: Hamlet{ID: "b", Name: "Nam Du", Households: 200}, Guided: 150, Able: 160},
		{Hamlet: Hamlet{ID: "c", Name: "Củ Tron", Households: 100}, Guided: 80, Able: 80},
		{Hamlet: Hamlet{ID: "d", Name: "Hòn Ngang", Households: 100}, Guided: 80, Able: 80},
	}
	recent := []HamletDay{
		{HamletID: "a", Date: may(11), Households: 1},
		{HamletID: "c", Date: may(10), Households: 1}, {HamletID: "c", Date: may(11), Households: 2}, {HamletID: "c", Date: may(12), Households: 1},
		{HamletID: "d", Date: may(11), Households: 1}, {HamletID: "d", Date: may(12), Households: 3},
	}
	got := boardFromDays(totals, recent, p, may(12))
	var lines []string
	for _, r := range got {
		lines = append(lines, fmt.Sprintf("%d %s met=%v today=%d guided=%d self=%d cover=%s streak=%d",
			r.Rank, r.Hamlet.Name, r.MetToday, r.GuidedToday, r.HouseholdsGuided, r.SelfAble, Percent(r.Coverage), r.CurrentStreak))
	}
	want := []string{
		"1 Bãi Nhà met=false today=0 guided=90 self=6 cover=96,0% streak=1",
		"2 Củ Tron met=true today=1 guided=80 self=0 cover=80,0% streak=3",
		"3 Hòn Ngang met=true today=3 guided=80 self=0 cover=80,0% streak=2",
		"4 Nam Du met=false today=0 guided=150 self=10 cover=80,0% streak=0",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("board:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// TestPropTopOfficerContenders: TopOfficers over the contenders alone
// ranks and counts exactly as over every officer, ties on every figure and
// on names included, and officers without a name (not registered) too.
func TestPropTopOfficerContenders(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := DefaultParams()
		p.CampaignStart = may(1).AddDays(rapid.IntRange(-40, 10).Draw(t, "start"))
		period := Month(2026, time.May)
		var f Facts
		no := rapid.IntRange(0, 12).Draw(t, "officers")
		for i := range no {
			id := int64(rapid.IntRange(-3, 30).Draw(t, "id"))
			if rapid.IntRange(0, 4).Draw(t, "registered") > 0 {
				f.Officers = append(f.Officers, Officer{ID: id, Name: "Cán bộ " + strconv.Itoa(rapid.IntRange(0, 3).Draw(t, "name")), Active: i%2 == 0})
			}
			for day := range rapid.SliceOfNDistinct(rapid.IntRange(-5, 35), 0, 4, rapid.ID[int]).Draw(t, "days") {
				f.OfficerDays = append(f.OfficerDays, OfficerDay{OfficerID: id, Date: may(1).AddDays(day),
					Households: rapid.IntRange(0, 2).Draw(t, "hh"), Procedures: rapid.IntRange(0, 2).Draw(t, "procs")})
			}
		}
		slices.SortFunc(f.Officers, func(a, b Officer) int { return cmp.Compare(a.ID, b.ID) })
		f.Officers = slices.CompactFunc(f.Officers, func(a, b Officer) bool { return a.ID == b.ID })
		n := rapid.IntRange(0, 6).Draw(t, "n")
		want := TopOfficers(f, p, period, n)
		ids := TopOfficerContenders(f.OfficerDays, p, period, n)
		var g Facts
		for _, o := range f.Officers {
			if slices.Contains(ids, o.ID) {
				g.Officers = append(g.Officers, o)
			}
		}
		for _, d := range f.OfficerDays {
			if slices.Contains(ids, d.OfficerID) {
				g.OfficerDays = append(g.OfficerDays, d)
			}
		}
		got := TopOfficers(g, p, period, n)
		line := func(rs []OfficerRank) []string {
			var out []string
			for _, r := range rs {
				out = append(out, fmt.Sprintf("%d %d %s %d %d %d", r.Rank, r.Officer.ID, r.Officer.DisplayName(), r.GuidedInPeriod, r.DaysActive, r.Procedures))
			}
			return out
		}
		if !slices.Equal(line(want), line(got)) {
			t.Fatalf("contenders %v\nwant %v\n got %v", ids, line(want), line(got))
		}
	})
}

// BenchmarkLeaderboardFromTotals is the scoring part of today's
// leaderboard from running totals: 10,000 hamlets (countryFacts), ranked.
func BenchmarkLeaderboardFromTotals(b *testing.B) {
	f := countryFacts()
	p := DefaultParams()
	at := d(2026, 12, 31)
	totals := totalsAsOf(f, at)
	for _, r := range Leaderboard(f, p, at) {
		for i := range totals {
			if totals[i].Hamlet.ID == r.Hamlet.ID {
				totals[i].GuidedToday, totals[i].CurrentStreak = r.GuidedToday, r.CurrentStreak
			}
		}
	}
	loopCPU(b, func() {
		if got := LeaderboardFromTotals(totals, p, at); len(got) != len(f.Hamlets) {
			b.Fatal(len(got))
		}
	})
}
