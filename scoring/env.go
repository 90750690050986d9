package scoring

import "slices"

// env is Params prepared for fast lookups during one computation.
type env struct {
	p          Params
	start, end int   // campaign, as day numbers
	off        []int // days off within the campaign, sorted, unique
	// offPrefix[k] is the number of days off on or before campaign day k
	// (start+k), so that offUpTo is a lookup; nil for very long campaigns.
	offPrefix []int32
	thPPM     int64 // coverage threshold in millionths
}

func newEnv(p Params) env {
	e := env{p: p, start: p.CampaignStart.days(), end: p.CampaignEnd.days(), thPPM: thresholdPPM(p.CoverageThreshold)}
	for _, d := range p.DaysOff {
		if n := d.days(); !d.IsZero() && n >= e.start && n <= e.end {
			e.off = append(e.off, n)
		}
	}
	slices.Sort(e.off)
	e.off = slices.Compact(e.off)
	if n := e.end - e.start + 1; n > 0 && n <= 1<<16 {
		e.offPrefix = make([]int32, n)
		j := 0
		for k := range e.offPrefix {
			if j < len(e.off) && e.off[j] == e.start+k {
				j++
			}
			e.offPrefix[k] = int32(j)
		}
	}
	return e
}

// offUpTo is the number of days off on or before day.
func (e env) offUpTo(day int) int {
	switch {
	case day < e.start:
		return 0
	case day > e.end:
		return len(e.off)
	case e.offPrefix != nil:
		return int(e.offPrefix[day-e.start])
	}
	i, found := slices.BinarySearch(e.off, day)
	if found {
		return i + 1
	}
	return i
}

func (e env) isOff(day int) bool {
	if len(e.off) == 0 || day < e.start || day > e.end {
		return false
	}
	return e.offUpTo(day) != e.offUpTo(day-1)
}

// workIndex numbers the working (non-off) days consecutively: two working
// days are consecutive for streaks exactly when their indexes differ by 1.
// For a day off it is the index of the last working day before it.
func (e env) workIndex(day int) int { return day - e.offUpTo(day) }

// workdays is the number of non-off days in from..to (0 when empty).
func (e env) workdays(from, to int) int {
	if to < from {
		return 0
	}
	return (to - from + 1) - (e.offUpTo(to) - e.offUpTo(from-1))
}

// clip is period limited to the campaign and to day at, as day numbers;
// from > to when nothing remains.
func (e env) clip(period Period, at int) (Period, int, int) {
	cp := period.Clip(e.p.CampaignStart, e.p.CampaignEnd)
	if cp.Empty() {
		return cp, 1, 0
	}
	from, to := cp.From.days(), cp.To.days()
	if at < to {
		to = at
	}
	return cp, from, to
}

// meetsCoverage is Params.ReachesCoverage with the prepared threshold.
func (e env) meetsCoverage(able, households int) bool {
	return households > 0 && int64(able)*1_000_000 >= e.thPPM*int64(households)
}

// needed is the smallest number of able households that reaches the
// threshold in a hamlet of n households.
func (e env) needed(n int) int {
	x := e.thPPM * int64(n)
	return int((x + 999_999) / 1_000_000)
}
