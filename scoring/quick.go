package scoring

import (
	"slices"
	"strings"
)

// This file ranks from figures a store keeps pre-aggregated, so that
// today's leaderboard reads one running total per hamlet and a few recent
// days instead of every household and every hamlet-day (issue 3, "figures
// without full scans").

// HamletTotal is one hamlet's running figures, as a store keeps them up
// to date with every record, undo and self-able mark. They must count
// everything up to the as-of day and nothing dated later.
type HamletTotal struct {
	Hamlet Hamlet
	// Guided counts distinct households guided by active records.
	Guided int
	// Able counts households guided or recorded as already able on their
	// own (so Able - Guided households are able without guidance).
	Able int
	// GuidedToday counts the households guided on the as-of day.
	GuidedToday int
	// CurrentStreak is the hamlet's current streak, from
	// RunStreaks.Current or StreaksFromDays.
	CurrentStreak int
}

// StreakScan tells a store that reads a hamlet's days backwards from the
// as-of day when it has read enough to know the hamlet's current streak,
// so that it reads the days of the current streak and not the whole
// campaign. NewStreakScan makes a scan for one hamlet; a copy of a fresh
// scan is a fresh scan (one per hamlet when the store reads day by day
// across hamlets), and Reset starts again. Add takes the hamlet's days,
// one per day, latest first.
type StreakScan struct {
	c       *streakAsOf
	started bool // a met day of the current streak was seen
	done    bool // earlier days no longer matter
	want    int  // the work index the next met day needs to extend the streak
}

// streakAsOf is what every hamlet's scan shares.
type streakAsOf struct {
	e     env
	at    int  // the as-of day
	cur   int  // the last day a streak may end: min(at, campaign end)
	curW  int  // its work index
	grace bool // the as-of day is a working day that may still be met
}

// NewStreakScan prepares the scan of a hamlet's days as of day today.
func NewStreakScan(p Params, today Date) StreakScan {
	e := newEnv(p)
	at := today.days()
	cur := min(e.end, at)
	return StreakScan{c: &streakAsOf{e: e, at: at, cur: cur, curW: e.workIndex(cur), grace: cur == at && !e.isOff(cur)}}
}

// Reset starts the scan of another hamlet.
func (s *StreakScan) Reset() { s.started, s.done = false, false }

// Wants reports whether a day of the hamlet on day d, or on any day
// after it, could still change the current streak: a store reading every
// hamlet day by day stops at the first day no hamlet wants (a hamlet that
// has no record on a day it wants is decided by the next day it does not).
func (s *StreakScan) Wants(d Date) bool {
	c := s.c
	day := d.days()
	switch {
	case s.done:
		return false
	case day >= c.at || day > c.cur:
		return true // today counts for GuidedToday; days after the campaign are skipped
	case day < c.e.start:
		return false
	}
	wi := c.e.workIndex(day)
	if !s.started {
		return wi >= c.curW-b2i(c.grace)
	}
	return wi >= s.want
}

// lastWorkday is the last working day on or before day (days off skipped).
func (e env) lastWorkday(day int) int {
	for e.isOff(day) {
		day--
	}
	return day
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Add takes the hamlet's next day, walking backwards from the as-of day,
// with the distinct households guided that day. It reports whether earlier
// days may still change the current streak. The day passed last (the one
// for which Add returned false) must be kept with the others: it may be
// the as-of day itself, whose households count for GuidedToday.
func (s *StreakScan) Add(d Date, households int) bool {
	more := s.add(d.days(), households)
	s.done = s.done || !more
	return more
}

func (s *StreakScan) add(day, households int) bool {
	c := s.c
	e := &c.e
	switch {
	case s.done:
		return false
	case day > c.cur:
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
		case met && (wi == c.curW || (c.grace && wi == c.curW-1)):
			s.started, s.want = true, wi-1
			return true
		case !met && day == c.at && c.grace:
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

// StreaksFromDays sets the GuidedToday and CurrentStreak of every total
// from its hamlet's recent days: recent must hold, for every hamlet, its
// days read backwards from today up to the one for which StreakScan.Add
// returned false (or all its days up to today when Add never did), in any
// order. Earlier days may be passed too; days after today are ignored.
func StreaksFromDays(totals []HamletTotal, recent []HamletDay, p Params, today Date) {
	e := newEnv(p)
	at := today.days()
	stats := make([]HamletStats, len(totals))
	idx := make(map[string]int32, len(totals))
	for i, t := range totals {
		if _, dup := idx[t.Hamlet.ID]; !dup {
			idx[t.Hamlet.ID] = int32(i)
		}
	}
	hamletDays(recent, idx, stats, e, at, 1, 0)
	for i := range totals {
		totals[i].GuidedToday, totals[i].CurrentStreak = stats[i].GuidedToday, stats[i].CurrentStreak
	}
}

// RunStreaks computes current streaks from runs: stretches of consecutive
// days, each with at least the daily target of households guided, as long
// as they go (maximal), counting days up to the as-of day only. A store
// that keeps runs finds a hamlet's current streak with a lookup or two,
// however long the streak.
type RunStreaks struct {
	e       env
	at, cur int
}

// NewRunStreaks prepares the streaks as of day today.
func NewRunStreaks(p Params, today Date) RunStreaks {
	e := newEnv(p)
	at := today.days()
	return RunStreaks{e: e, at: at, cur: min(e.end, at)}
}

// Current is a hamlet's current streak (as HamletStats has it), given
// runEnding, which returns the first day of the hamlet's run that ends on
// day end, if one does.
func (r RunStreaks) Current(runEnding func(end Date) (from Date, ok bool)) int {
	e, at, cur := &r.e, r.at, r.cur
	if cur < e.start {
		return 0
	}
	// from is the first day of the run holding day w (w is met), found
	// among the runs ending from w to last.
	runOf := func(w, last int) (int, bool) {
		for end := w; end <= last; end++ {
			if from, ok := runEnding(fromDays(end)); ok {
				f := from.days()
				return f, f <= w
			}
		}
		return 0, false
	}
	// The streak ends on the last working day up to cur, or while today
	// (a working day) is not met yet, on the working day before it.
	w := e.lastWorkday(cur)
	from, met := runOf(w, at)
	if !met && cur == at && w == cur {
		if w = e.lastWorkday(cur - 1); w >= e.start {
			from, met = runOf(w, cur-1)
		}
	}
	streak := 0
	for met && w >= e.start {
		streak += e.workdays(max(from, e.start), w)
		// The day before the run is not met: the streak goes on only over
		// days off, to a run holding the working day before them.
		prev := from - 1
		if prev < e.start || !e.isOff(prev) {
			break
		}
		if w = e.lastWorkday(prev); w < e.start {
			break
		}
		from, met = runOf(w, prev-1)
	}
	return streak
}

// LeaderboardFromTotals is Leaderboard computed from running totals
// instead of every household and every hamlet-day: each total carries its
// hamlet's households, today's households and current streak (see
// RunStreaks and StreaksFromDays). Every hamlet in totals is
// ranked.
//
// The ranks and the figures the leaderboard shows are exactly those of
// Leaderboard: Rank, Hamlet, Period, At, GuidedInPeriod, DaysMet,
// DaysElapsed (for the period Day(today)), GuidedToday, MetToday,
// CurrentStreak, HouseholdsGuided, SelfAble, Able, Coverage and K. The
// figures that need the whole history are left zero: NewGuided,
// LongestStreak, ReachedOn (so CoverageMet reports false: use
// Params.ReachesCoverage), SpecialDone, SpecialProgress, checks and
// exclusions.
func LeaderboardFromTotals(totals []HamletTotal, p Params, today Date) []HamletRank {
	e := newEnv(p)
	at := today.days()
	cp, pFrom, pTo := e.clip(Day(today), at)
	elapsed := e.workdays(pFrom, pTo)
	inCampaign := at >= e.start && at <= e.end
	stats := make([]HamletStats, len(totals))
	for i, t := range totals {
		s := &stats[i]
		*s = HamletStats{Hamlet: t.Hamlet, Period: cp, At: today, DaysElapsed: elapsed, K: p.RequiredProcedures(t.Hamlet.Households)}
		s.HouseholdsGuided = max(t.Guided, 0)
		s.Able = max(t.Able, s.HouseholdsGuided)
		s.SelfAble = s.Able - s.HouseholdsGuided
		s.Coverage = ratio(s.Able, t.Hamlet.Households)
		s.GuidedToday = max(t.GuidedToday, 0)
		s.MetToday = s.GuidedToday >= p.DailyTarget
		s.CurrentStreak = t.CurrentStreak
		if inCampaign {
			s.GuidedInPeriod = s.GuidedToday
			s.DaysMet = b2i(s.MetToday && !e.isOff(at))
		}
	}
	if len(stats) == 0 {
		return nil
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
