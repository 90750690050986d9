package scoring

// DayStatus is how one of a hamlet's days stands, as its calendar shows it.
type DayStatus uint8

// The states of a day.
const (
	DayOutside DayStatus = iota // before or after the campaign
	DayFuture                   // after the as-of day
	DayOff                      // a configured day off: neither met nor missed
	DayMet                      // at least DailyTarget households guided
	DayMissed                   // a working day that passed below the target
	DayOpen                     // the as-of day, not met yet: it may still be
)

// Calendar says how each day from..to stands for one hamlet as of day at,
// from its day counts (rows of other hamlets must be left out; rows
// repeated for a day are added together). The rules are those of Hamlets:
// a working day is met when at least DailyTarget households were guided,
// days off are neither, and the as-of day is open until it is met. It
// returns one status per day, from first; nil when to is before from.
func Calendar(days []HamletDay, p Params, from, to, at Date) []DayStatus {
	if to.Before(from) {
		return nil
	}
	e := newEnv(p)
	first, atN := from.days(), at.days()
	n := to.days() - first + 1
	counts := make([]int, n)
	for _, d := range days {
		if i := d.Date.days() - first; !d.Date.IsZero() && i >= 0 && i < n && d.Households > 0 {
			counts[i] += d.Households
		}
	}
	out := make([]DayStatus, n)
	for i := range out {
		day := first + i
		switch {
		case day < e.start || day > e.end:
			out[i] = DayOutside
		case day > atN:
			out[i] = DayFuture
		case e.isOff(day):
			out[i] = DayOff
		case counts[i] >= p.DailyTarget:
			out[i] = DayMet
		case day == atN:
			out[i] = DayOpen
		default:
			out[i] = DayMissed
		}
	}
	return out
}

// NeededForCoverage is the smallest number of able households with which a
// hamlet of n households reaches the coverage threshold (compared exactly,
// as ReachesCoverage does); 0 for a hamlet without households.
func (p Params) NeededForCoverage(n int) int {
	if n <= 0 {
		return 0
	}
	return newEnvThreshold(p).needed(n)
}

// newEnvThreshold is an env with only the threshold prepared (needed reads
// nothing else).
func newEnvThreshold(p Params) env { return env{p: p, thPPM: thresholdPPM(p.CoverageThreshold)} }
