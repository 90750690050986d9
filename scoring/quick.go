package scoring

import (
	"cmp"
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
// equal merit shares a rank. The sort keys are worked out once per hamlet.
func rankHamlets(stats []HamletStats) []HamletRank {
	type key struct {
		cover         fraction
		streak, today int
		name          string
		i             int
	}
	keys := make([]key, len(stats))
	for i := range stats {
		s := &stats[i]
		keys[i] = key{coverageOf(s), s.CurrentStreak, s.GuidedToday, nameKey(s.Hamlet.Name), i}
	}
	merit := func(a, b *key) int {
		if c := b.cover.cmp(a.cover); c != 0 {
			return c
		}
		if c := cmp.Compare(b.streak, a.streak); c != 0 {
			return c
		}
		return cmp.Compare(b.today, a.today)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := merit(&a, &b); c != 0 {
			return c
		}
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		x, y := &stats[a.i].Hamlet, &stats[b.i].Hamlet
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.ID, y.ID)
	})
	out := make([]HamletRank, len(keys))
	for n := range keys {
		r := n + 1
		if n > 0 && merit(&keys[n-1], &keys[n]) == 0 {
			r = out[n-1].Rank
		}
		out[n] = HamletRank{Rank: r, HamletStats: stats[keys[n].i]}
	}
	return out
}

// OfficerTally adds up officer-days of a period the way TopOfficers
// counts them (households guided and days active), so that a store can
// find the officers who can place while it reads the period's days, without
// keeping them.
type OfficerTally struct {
	from, to int // the period, clipped to the campaign, as day numbers
	sums     map[int64]officerSum
	last     Date // the last date added, and its day number
	lastN    int
}

type officerSum struct{ guided, days int }

// NewOfficerTally prepares the tally of period.
func NewOfficerTally(p Params, period Period) *OfficerTally {
	_, from, to := newEnv(p).clip(period, period.To.days())
	return &OfficerTally{from: from, to: to, sums: make(map[int64]officerSum, 1<<16)}
}

// Add counts one officer-day; days outside the period are ignored.
func (t *OfficerTally) Add(d OfficerDay) {
	if d.Date.IsZero() || (d.Households <= 0 && d.Procedures <= 0) {
		return
	}
	if d.Date != t.last {
		t.last, t.lastN = d.Date, d.Date.days()
	}
	if t.lastN < t.from || t.lastN > t.to {
		return
	}
	s := t.sums[d.OfficerID]
	s.guided += d.Households
	s.days++
	t.sums[d.OfficerID] = s
}

// Contenders returns, in ascending order, the ids of the officers who can
// be among the n first of TopOfficers over the days added: the officers
// whose households guided and days active in the period reach those of the
// n-th best. Names only decide among equals, so TopOfficers over just these
// officers and their days (with the names of those who have one) ranks
// exactly as over everyone, reading a few names instead of every
// officer's.
func (t *OfficerTally) Contenders(n int) []int64 {
	if n <= 0 {
		return nil
	}
	type row struct {
		id int64
		officerSum
	}
	better := func(a, b row) int { // TopOfficers' merit: households, then days active
		if c := cmp.Compare(b.guided, a.guided); c != 0 {
			return c
		}
		return cmp.Compare(b.days, a.days)
	}
	// The n best, without sorting everyone; then everyone equal to the n-th.
	best := make([]row, 0, n+1)
	for id, s := range t.sums {
		r := row{id, s}
		if s.guided <= 0 || (len(best) == n && better(r, best[n-1]) >= 0) {
			continue
		}
		at, _ := slices.BinarySearchFunc(best, r, better)
		best = slices.Insert(best, at, r)
		if len(best) > n {
			best = best[:n]
		}
	}
	var ids []int64
	for id, s := range t.sums {
		if r := (row{id, s}); s.guided > 0 && len(best) > 0 && better(r, best[len(best)-1]) <= 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TopOfficerContenders is OfficerTally.Contenders over days.
func TopOfficerContenders(days []OfficerDay, p Params, period Period, n int) []int64 {
	t := NewOfficerTally(p, period)
	for _, d := range days {
		t.Add(d)
	}
	return t.Contenders(n)
}
