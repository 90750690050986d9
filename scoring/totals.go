package scoring

// Totals add up hamlet figures (for a report's last line).
type Totals struct {
	Hamlets          int
	Households       int // households in the hamlets' registers
	GuidedInPeriod   int
	NewGuided        int
	GuidedToday      int
	MetToday         int // hamlets that met the target on the as-of day
	DaysMet          int // hamlet-days met in the period
	DaysElapsed      int // hamlet-days elapsed in the period
	HouseholdsGuided int
	SelfAble         int
	Able             int // each hamlet's able households, at most its register
	SpecialDone      int // each hamlet's, at most its register
	// Coverage is Able ÷ Households over all hamlets, in [0, 1].
	Coverage float64
	// CoverageMet counts hamlets whose coverage reaches the threshold.
	CoverageMet  int
	FailedChecks int
	Excluded     int
	// OverRegister counts hamlets with more able households than their
	// register (their figures stop at the register).
	OverRegister int
}

// Sum adds up the figures of the given hamlets.
func Sum(stats []HamletStats) Totals {
	var t Totals
	for _, s := range stats {
		t.Hamlets++
		t.Households += max(s.Hamlet.Households, 0)
		t.GuidedInPeriod += s.GuidedInPeriod
		t.NewGuided += s.NewGuided
		t.GuidedToday += s.GuidedToday
		if s.MetToday {
			t.MetToday++
		}
		t.DaysMet += s.DaysMet
		t.DaysElapsed += s.DaysElapsed
		t.HouseholdsGuided += s.HouseholdsGuided
		t.SelfAble += s.SelfAble
		t.Able += min(s.Able, max(s.Hamlet.Households, 0))
		t.SpecialDone += min(s.SpecialDone, max(s.Hamlet.Households, 0))
		if s.CoverageMet() {
			t.CoverageMet++
		}
		t.FailedChecks += len(s.FailedChecks)
		if s.Excluded {
			t.Excluded++
		}
		if s.OverRegister() {
			t.OverRegister++
		}
	}
	t.Coverage = ratio(t.Able, t.Households)
	return t
}
