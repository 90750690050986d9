package scoring

import (
	"slices"
	"strings"
)

// This file ranks from figures a store keeps pre-aggregated, so that
// today's leaderboard reads one running total per hamlet and a few recent
// days instead of every household and every hamlet-day (issue 3, "figures
// without full scans").

// HamletTotal is one hamlet's running household figures, as a store keeps
// them up to date with every record, undo and self-able mark. They must
// count everything up to the as-of day and nothing dated later.
type HamletTotal struct {
	Hamlet Hamlet
	// Guided counts distinct households guided by active records.
	Guided int
	// Able counts households guided or recorded as already able on their
	// own (so Able - Guided households are able without guidance).
	Able int
}

// StreakScan tells a store that reads a hamlet's days backwards from the
// as-of day when it has read enough to know the hamlet's current streak,
// so that it reads the days of the current streak and not the whole
// campaign. Create one with NewStreakScan, call Reset before each hamlet,
// then Add for each of its days (one per day, latest first).
type StreakScan struct {
	e       env
	at      int  // the as-of day
	cur     int  // the last day a streak may end: min(at, campaign end)
	curW    int  // its work index
	grace   bool // the as-of day is a working day that may still be met
	started bool // a met day of the current streak was seen
	want    int  // the work index the next met day needs to extend the streak
}

// NewStreakScan prepares the scan of every hamlet's days as of day today.
func NewStreakScan(p Params, today Date) *StreakScan {
	e := newEnv(p)
	at := today.days()
	cur := min(e.end, at)
	return &StreakScan{e: e, at: at, cur: cur, curW: e.workIndex(cur), grace: cur == at && !e.isOff(cur)}
}

// Reset starts the scan of another hamlet.
func (s *StreakScan) Reset() { s.started = false }

// Add takes the hamlet's next day, walking backwards from the as-of day,
// with the distinct households guided that day. It reports whether earlier
// days may still change the current streak. The day passed last (the one
// for which Add returned false) must be kept with the others: it may be
// the as-of day itself, whose households count for GuidedToday.
func (s *StreakScan) Add(d Date, households int) bool {
	day := d.days()
	e := &s.e
	switch {
	case day > s.cur:
		return true // after the campaign or the as-of day: not in a streak
	case day < e.start:
		return false // before the campaign: never in a streak
	case e.isOff(day):
		return true // days off neither break nor lengthen a streak
	}
	wi := e.workIndex(day)
	met := households >= e.p.DailyTarget
	if !s.started {
		switch {
		case met && (wi == s.curW || (s.grace && wi == s.curW-1)):
			s.started, s.want = true, wi-1
			return true
		case !met && day == s.at && s.grace:
			return true // today is not met yet: the streak may end yesterday
		}
		return false // the last met working day is too old: no current streak
	}
	if met && wi == s.want {
		s.want--
		return true
	}
	return false
}

// LeaderboardFromTotals is Leaderboard computed from running totals
// instead of every household, and from each hamlet's recent days instead
// of all of them: recent must hold, for every hamlet, its days read
// backwards from today up to the one for which StreakScan.Add returned
// false (or all its days up to today when Add never did). Earlier days may
// be passed too; days after today are ignored. Totals of hamlets not
// listed are ignored, and every hamlet in totals is ranked.
//
// The ranks and the figures the leaderboard shows are exactly those of
// Leaderboard: Rank, Hamlet, Period, At, GuidedInPeriod, DaysMet,
// DaysElapsed (for the period Day(today)), GuidedToday, MetToday,
// CurrentStreak, HouseholdsGuided, SelfAble, Able, Coverage and K. The
// figures that need the whole history are left zero: NewGuided,
// LongestStreak, ReachedOn (so CoverageMet reports false: use
// Params.ReachesCoverage), SpecialDone, SpecialProgress, checks and
// exclusions.
func LeaderboardFromTotals(totals []HamletTotal, recent []HamletDay, p Params, today Date) []HamletRank {
	e := newEnv(p)
	at := today.days()
	cp, pFrom, pTo := e.clip(Day(today), at)
	elapsed := e.workdays(pFrom, pTo)
	stats := make([]HamletStats, len(totals))
	idx := make(map[string]int32, len(totals))
	for i, t := range totals {
		if _, dup := idx[t.Hamlet.ID]; !dup {
			idx[t.Hamlet.ID] = int32(i)
		}
		s := &stats[i]
		*s = HamletStats{Hamlet: t.Hamlet, Period: cp, At: today, DaysElapsed: elapsed, K: p.RequiredProcedures(t.Hamlet.Households)}
		s.HouseholdsGuided = max(t.Guided, 0)
		s.Able = max(t.Able, s.HouseholdsGuided)
		s.SelfAble = s.Able - s.HouseholdsGuided
		s.Coverage = ratio(s.Able, t.Hamlet.Households)
	}
	if len(stats) == 0 {
		return nil
	}
	hamletDays(recent, idx, stats, e, at, pFrom, pTo)
	for i := range stats {
		s := &stats[i]
		s.LongestStreak = 0 // partial: the recent days only
		s.MetToday = s.GuidedToday >= p.DailyTarget
	}
	return rankHamlets(stats)
}

// rankHamlets orders hamlet figures the way Leaderboard does: coverage,
// current streak, households guided today, then name in Vietnamese order;
// equal merit shares a rank.
func rankHamlets(stats []HamletStats) []HamletRank {
	keys := make([]string, len(stats))
	for i := range stats {
		keys[i] = nameKey(stats[i].Hamlet.Name)
	}
	order := make([]int, len(stats))
	for i := range order {
		order[i] = i
	}
	merit := func(a, b *HamletStats) int {
		if c := coverageOf(b).cmp(coverageOf(a)); c != 0 {
			return c
		}
		if c := cmpInt(b.CurrentStreak, a.CurrentStreak); c != 0 {
			return c
		}
		return cmpInt(b.GuidedToday, a.GuidedToday)
	}
	slices.SortFunc(order, func(i, j int) int {
		if c := merit(&stats[i], &stats[j]); c != 0 {
			return c
		}
		if c := strings.Compare(keys[i], keys[j]); c != 0 {
			return c
		}
		if c := strings.Compare(stats[i].Hamlet.Name, stats[j].Hamlet.Name); c != 0 {
			return c
		}
		return strings.Compare(stats[i].Hamlet.ID, stats[j].Hamlet.ID)
	})
	out := make([]HamletRank, len(order))
	for n, i := range order {
		r := n + 1
		if n > 0 && merit(&stats[order[n-1]], &stats[i]) == 0 {
			r = out[n-1].Rank
		}
		out[n] = HamletRank{Rank: r, HamletStats: stats[i]}
	}
	return out
}

// TopOfficerContenders returns, in ascending order, the ids of the
// officers who can be among the n first of TopOfficers(f, p, period, n),
// judged from the officer-days alone (pass at least every row dated in the
// period; others are ignored): the officers whose households guided and
// days active in the period reach those of the n-th best. Names only decide
// among equals, so TopOfficers over just these officers and their days
// (with the names of those who have one) ranks exactly as over everyone,
// reading a few names instead of every officer's.
func TopOfficerContenders(days []OfficerDay, p Params, period Period, n int) []int64 {
	if n <= 0 {
		return nil
	}
	e := newEnv(p)
	to := period.To.days()
	_, pFrom, pTo := e.clip(period, to)
	type sum struct{ guided, days int }
	sums := map[int64]*sum{}
	for _, d := range days {
		if d.Date.IsZero() || (d.Households <= 0 && d.Procedures <= 0) {
			continue
		}
		if day := d.Date.days(); day < pFrom || day > pTo {
			continue
		}
		s := sums[d.OfficerID]
		if s == nil {
			s = &sum{}
			sums[d.OfficerID] = s
		}
		s.guided += d.Households
		s.days++
	}
	type row struct {
		id int64
		sum
	}
	rows := make([]row, 0, len(sums))
	for id, s := range sums {
		if s.guided > 0 {
			rows = append(rows, row{id, *s})
		}
	}
	better := func(a, b row) int { // TopOfficers' merit: households, then days active
		if c := cmpInt(b.guided, a.guided); c != 0 {
			return c
		}
		return cmpInt(b.days, a.days)
	}
	if len(rows) > n {
		// The n-th best merit, without sorting everyone.
		best := make([]row, 0, n+1)
		for _, r := range rows {
			if len(best) == n && better(r, best[n-1]) >= 0 {
				continue
			}
			at, _ := slices.BinarySearchFunc(best, r, better)
			best = slices.Insert(best, at, r)
			if len(best) > n {
				best = best[:n]
			}
		}
		cut := best[n-1]
		kept := rows[:0]
		for _, r := range rows {
			if better(r, cut) <= 0 {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.id
	}
	slices.Sort(ids)
	return ids
}
