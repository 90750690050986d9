package scoring

import "slices"

// CheckCounts counts spot-check results.
type CheckCounts struct {
	Passed, Failed, Unreachable int
}

// HamletStats are one hamlet's figures for a period, as of a day.
//
// Period sums count days from Period.From to the earlier of Period.To and
// At. Streaks, households, coverage and the special prize count the whole
// campaign up to At.
type HamletStats struct {
	Hamlet Hamlet
	Period Period // the period asked for, clipped to the campaign
	At     Date   // the as-of day: nothing dated later counts

	// GuidedInPeriod sums the households guided each day of the period: a
	// household guided on two days counts twice.
	GuidedInPeriod int
	// NewGuided counts distinct households first guided in the period (a
	// household guided before the period is not new).
	NewGuided int
	// DaysMet counts the period's working days (days off excluded) on which
	// at least DailyTarget households were guided.
	DaysMet int
	// DaysElapsed counts the period's working days up to At.
	DaysElapsed int

	GuidedToday int  // households guided on day At
	MetToday    bool // GuidedToday reached the daily target

	// CurrentStreak counts consecutive met working days ending on At, or
	// ending the working day before At when At is not met yet: the streak
	// does not drop to 0 at midnight, only once a day passes unmet. Days off
	// neither break nor lengthen a streak.
	CurrentStreak int
	LongestStreak int // the longest run of met working days up to At

	HouseholdsGuided int // distinct households guided up to At
	SelfAble         int // households recorded as already able and not guided
	// Able is HouseholdsGuided + SelfAble, as reported: it may exceed the
	// register (Excess). Figures shown and ranked use AbleInRegister.
	Able int
	// Excess counts the able households beyond the register (Able −
	// Households when positive): the register is out of date or reports
	// are wrong, and admins must correct it (/sosho). Coverage stops at the
	// register, so a hamlet never outranks another on its excess.
	Excess int
	// Coverage is Able ÷ Households, clamped to [0, 1]; 0 without households.
	Coverage float64
	// ReachedOn is the day coverage first reached the threshold; zero when
	// it has not (so coverage meets the threshold exactly when it is set).
	ReachedOn Date

	K               int     // procedures each household needs for the special prize
	SpecialDone     int     // households with at least K distinct procedures guided
	SpecialProgress float64 // SpecialDone ÷ Households, clamped to [0, 1]
	// SpecialNeeded is how many households must have K procedures for the
	// hamlet to meet the special-prize condition (Params.SpecialShare of
	// the register); 0 without households.
	SpecialNeeded int

	Checks       CheckCounts
	FailedChecks []Check // failed spot checks on the hamlet's records, by date
	Exclusions   []Exclusion
	Excluded     bool // an exclusion of the hamlet is in force on At
}

// CoverageMet reports whether the hamlet's coverage reaches the threshold.
func (s HamletStats) CoverageMet() bool { return !s.ReachedOn.IsZero() }

// AbleInRegister is the able households as shown and counted: Able, at
// most the register (never more households than the hamlet has).
func (s HamletStats) AbleInRegister() int { return min(s.Able, max(s.Hamlet.Households, 0)) }

// SpecialInRegister is SpecialDone, at most the register.
func (s HamletStats) SpecialInRegister() int {
	return min(s.SpecialDone, max(s.Hamlet.Households, 0))
}

// OverRegister reports whether more households are able than the register
// holds: the figures stop at the register and admins are asked to correct
// it (RegisterWarning).
func (s HamletStats) OverRegister() bool { return s.Excess > 0 }

// RegisterWarning is the sentence asking admins to correct the register
// of a hamlet with more able households than its register ("" when the
// register holds them all).
func (s HamletStats) RegisterWarning() string {
	if s.Excess <= 0 {
		return ""
	}
	if s.Hamlet.Households <= 0 {
		return "Ấp " + s.Hamlet.Name + " chưa khai báo số hộ nhưng đã có " + Number(s.Able) +
			" hộ biết làm: quản trị viên hãy nhập số hộ của ấp bằng lệnh /sosho."
	}
	return "Số hộ biết làm của ấp " + s.Hamlet.Name + " (" + Number(s.Able) + ") vượt số hộ trong sổ (" +
		Number(s.Hamlet.Households) + ") " + Number(s.Excess) + " hộ: số liệu chỉ tính tối đa bằng số hộ trong sổ; " +
		"quản trị viên hãy kiểm tra và sửa số hộ bằng lệnh /sosho."
}

// SpecialMet reports whether the hamlet meets the special-prize condition:
// at least SpecialNeeded households guided through K procedures.
func (s HamletStats) SpecialMet() bool {
	return s.Hamlet.Households > 0 && s.SpecialNeeded > 0 && s.SpecialInRegister() >= s.SpecialNeeded
}

// SpecialShort is how many more households must be guided through K
// procedures for the hamlet to meet the special-prize condition (0 once
// it does; the register when the hamlet has no households declared).
func (s HamletStats) SpecialShort() int {
	return max(0, s.SpecialNeeded-s.SpecialInRegister())
}

// Eligible reports whether no failed check and no exclusion stands in the
// hamlet's way to an award.
func (s HamletStats) Eligible() bool { return !s.Excluded && len(s.FailedChecks) == 0 }

// Hamlets computes the figures of every hamlet in f.Hamlets (in that order)
// for period as of day at. Facts about unknown hamlets are ignored.
func Hamlets(f Facts, p Params, period Period, at Date) []HamletStats {
	return computeHamlets(f, newEnv(p), period, at)
}

type dayRow struct{ day, n int32 }

func computeHamlets(f Facts, e env, period Period, at Date) []HamletStats {
	out := make([]HamletStats, len(f.Hamlets))
	idx := make(map[string]int32, len(f.Hamlets))
	atN := at.days()
	cp, pFrom, pTo := e.clip(period, atN)
	elapsed := e.workdays(pFrom, pTo)
	for i, h := range f.Hamlets {
		if _, dup := idx[h.ID]; !dup {
			idx[h.ID] = int32(i)
		}
		k := e.p.RequiredProcedures(h.Households)
		out[i] = HamletStats{Hamlet: h, Period: cp, At: at, DaysElapsed: elapsed, K: k,
			SpecialNeeded: e.p.SpecialNeeded(h.Households)}
	}
	if len(out) == 0 {
		return out
	}

	hamletDays(f.HamletDays, idx, out, e, atN, pFrom, pTo)
	households(f.Households, idx, out, e, at, pFrom, pTo)

	for _, c := range f.Checks {
		if !c.Date.IsZero() && c.Date.After(at) {
			continue
		}
		i, ok := idx[c.HamletID]
		if !ok {
			continue
		}
		s := &out[i]
		countCheck(&s.Checks, &s.FailedChecks, c)
	}
	for _, x := range f.Exclusions {
		if x.Kind != ExcludeHamlet || !x.InForce(at) {
			continue
		}
		if i, ok := idx[x.Target]; ok {
			out[i].Exclusions = append(out[i].Exclusions, x)
			out[i].Excluded = true
		}
	}
	for i := range out {
		s := &out[i]
		slices.SortStableFunc(s.FailedChecks, func(a, b Check) int { return a.Date.Compare(b.Date) })
		s.MetToday = s.GuidedToday >= e.p.DailyTarget
		s.Coverage = ratio(s.Able, s.Hamlet.Households)
		s.SpecialProgress = ratio(s.SpecialDone, s.Hamlet.Households)
		s.Excess = max(0, s.Able-max(s.Hamlet.Households, 0))
	}
	return out
}

// hamletDays fills the day-based figures: period sums, days met, streaks.
// Rows usually come from the store sorted by day within each hamlet: then
// one pass suffices. Otherwise they are grouped and sorted per hamlet.
func hamletDays(rows []HamletDay, idx map[string]int32, out []HamletStats, e env, atN, pFrom, pTo int) {
	w := dayWalker{e: e, out: out, accs: make([]dayAcc, len(out)), atN: atN, pFrom: pFrom, pTo: pTo}
	look := lookup(idx)
	sorted := true
	for _, hd := range rows {
		if hd.Date.IsZero() || hd.Households <= 0 {
			continue
		}
		day := hd.Date.days()
		if day > atN {
			continue
		}
		i, ok := look(hd.HamletID)
		if !ok {
			continue
		}
		if !w.add(i, day, hd.Households) {
			sorted = false
			break
		}
	}
	if !sorted {
		w.reset()
		for i, g := range groupDays(rows, idx, len(out), atN) {
			for _, r := range g {
				w.add(int32(i), int(r.day), int(r.n))
			}
		}
	}
	w.finish()
}

// groupDays groups the rows up to day atN by hamlet (a counting sort), each
// group sorted by day.
func groupDays(rows []HamletDay, idx map[string]int32, n, atN int) [][]dayRow {
	which := make([]int32, len(rows))
	start := make([]int32, n+1)
	look := lookup(idx)
	for r, hd := range rows {
		which[r] = -1
		if hd.Date.IsZero() || hd.Households <= 0 || hd.Date.days() > atN {
			continue
		}
		if i, ok := look(hd.HamletID); ok {
			which[r] = i
			start[i+1]++
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}
	all := make([]dayRow, start[n])
	next := slices.Clone(start[:n])
	for r, hd := range rows {
		if i := which[r]; i >= 0 {
			all[next[i]] = dayRow{int32(hd.Date.days()), int32(hd.Households)}
			next[i]++
		}
	}
	groups := make([][]dayRow, n)
	for i := range groups {
		g := all[start[i]:start[i+1]]
		slices.SortFunc(g, func(a, b dayRow) int { return int(a.day - b.day) })
		groups[i] = g
	}
	return groups
}

// dayAcc is one hamlet's running state while its days are walked in order.
type dayAcc struct {
	has        bool // a day is pending
	day, n     int  // the pending day and its households so far
	run, lastW int  // the run of met working days ending at work index lastW
}

// dayWalker walks each hamlet's days in order, adding up repeated rows of
// the same day before judging it.
type dayWalker struct {
	e               env
	out             []HamletStats
	accs            []dayAcc
	atN, pFrom, pTo int
}

// add records n households in hamlet i on day; false when day comes before
// the hamlet's previous day (rows not sorted).
func (w *dayWalker) add(i int32, day, n int) bool {
	a := &w.accs[i]
	if a.has {
		switch {
		case day == a.day:
			a.n += n
			return true
		case day < a.day:
			return false
		}
		w.judge(i)
	}
	a.has, a.day, a.n = true, day, n
	return true
}

// judge counts hamlet i's pending day.
func (w *dayWalker) judge(i int32) {
	a, s, e := &w.accs[i], &w.out[i], w.e
	day, n := a.day, a.n
	a.has = false
	if day == w.atN {
		s.GuidedToday += n
	}
	if day < e.start || day > e.end {
		return
	}
	inPeriod := day >= w.pFrom && day <= w.pTo
	if inPeriod {
		s.GuidedInPeriod += n
	}
	if n < e.p.DailyTarget || e.isOff(day) {
		return
	}
	if inPeriod {
		s.DaysMet++
	}
	wi := e.workIndex(day)
	if a.run > 0 && wi == a.lastW+1 {
		a.run++
	} else {
		a.run = 1
	}
	a.lastW = wi
	s.LongestStreak = max(s.LongestStreak, a.run)
}

// finish judges the last pending days and sets the current streaks: the
// run ending on the as-of day, or on the working day before it while the
// as-of day is not met yet. Days off are skipped by the work index.
func (w *dayWalker) finish() {
	e := w.e
	cur := min(e.end, w.atN)
	grace := cur == w.atN && !e.isOff(cur)
	curW := e.workIndex(cur)
	for i := range w.accs {
		if w.accs[i].has {
			w.judge(int32(i))
		}
		a := &w.accs[i]
		if a.run > 0 && cur >= e.start && (a.lastW == curW || (grace && a.lastW == curW-1)) {
			w.out[i].CurrentStreak = a.run
		}
	}
}

// reset forgets everything walked so far.
func (w *dayWalker) reset() {
	clear(w.accs)
	for i := range w.out {
		s := &w.out[i]
		s.GuidedToday, s.GuidedInPeriod, s.DaysMet, s.LongestStreak, s.CurrentStreak = 0, 0, 0, 0, 0
	}
}

// lookup is idx with a one-entry cache: the store's rows come grouped by
// hamlet, so most lookups repeat the previous one.
func lookup(idx map[string]int32) func(string) (int32, bool) {
	last, lastI, lastOK := "", int32(0), false
	primed := false
	return func(id string) (int32, bool) {
		if primed && id == last {
			return lastI, lastOK
		}
		lastI, lastOK = idx[id]
		last, primed = id, true
		return lastI, lastOK
	}
}

// households fills guided, able, coverage date and special-prize figures.
func households(hs []Household, idx map[string]int32, out []HamletStats, e env, at Date, pFrom, pTo int) {
	ableDay := make([]int32, len(hs))
	which := make([]int32, len(hs))
	for r := range hs {
		h := &hs[r]
		which[r] = -1
		i, ok := idx[h.HamletID]
		if !ok {
			continue
		}
		s := &out[i]
		guided := !h.GuidedFrom.IsZero() && !h.GuidedFrom.After(at)
		self := !h.SelfAbleFrom.IsZero() && !h.SelfAbleFrom.After(at)
		switch {
		case guided:
			s.HouseholdsGuided++
			if g := h.GuidedFrom.days(); g >= pFrom && g <= pTo {
				s.NewGuided++
			}
		case self:
			s.SelfAble++
		}
		if guided || self {
			s.Able++
			d := h.GuidedFrom
			if !guided || (self && h.SelfAbleFrom.Before(h.GuidedFrom)) {
				d = h.SelfAbleFrom
			}
			ableDay[r] = int32(d.days())
			which[r] = i
		}
		done := 0
		for _, pd := range h.ProcedureDates {
			if !pd.IsZero() && !pd.After(at) {
				done++
			}
		}
		if done >= s.K {
			s.SpecialDone++
		}
	}

	// The day coverage first reached the threshold is the day the needed-th
	// household became able. Only hamlets that reached it need the dates.
	need := make([]int, len(out))
	start := make([]int32, len(out)+1)
	for i := range out {
		s := &out[i]
		if e.meetsCoverage(s.Able, s.Hamlet.Households) {
			need[i] = e.needed(s.Hamlet.Households)
			start[i+1] = int32(s.Able)
		}
	}
	for i := range out {
		start[i+1] += start[i]
	}
	if start[len(out)] == 0 {
		return
	}
	days := make([]int32, start[len(out)])
	next := slices.Clone(start[:len(out)])
	for r, i := range which {
		if i < 0 || need[i] == 0 {
			continue
		}
		days[next[i]] = ableDay[r]
		next[i]++
	}
	for i := range out {
		if need[i] == 0 {
			continue
		}
		d := days[start[i]:start[i+1]]
		slices.Sort(d)
		out[i].ReachedOn = fromDays(int(d[need[i]-1]))
	}
}

func countCheck(c *CheckCounts, failed *[]Check, ch Check) {
	switch ch.Status {
	case CheckPassed:
		c.Passed++
	case CheckFailed:
		c.Failed++
		*failed = append(*failed, ch)
	case CheckUnreachable:
		c.Unreachable++
	}
}

// ratio is num ÷ den clamped to [0, 1]; 0 when den is not positive.
func ratio(num, den int) float64 {
	if den <= 0 || num <= 0 {
		return 0
	}
	if num >= den {
		return 1
	}
	return float64(num) / float64(den)
}

// fraction is num ÷ den clamped to [0, 1], kept exact for comparisons.
type fraction struct{ num, den int64 }

func fractionOf(num, den int) fraction {
	if den <= 0 || num <= 0 {
		return fraction{0, 1}
	}
	if num > den {
		num = den
	}
	return fraction{int64(num), int64(den)}
}

// cmp compares two fractions exactly.
func (a fraction) cmp(b fraction) int {
	x, y := a.num*b.den, b.num*a.den
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}
