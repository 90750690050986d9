package scoring

import (
	"cmp"
	"slices"
	"strconv"
)

// OfficerStats are one officer's figures for a period, as of a day.
type OfficerStats struct {
	Officer Officer
	Period  Period // the period asked for, clipped to the campaign
	At      Date   // the as-of day: nothing dated later counts

	// Households counts the distinct households this officer guided up to
	// At (the figure individual awards rank by).
	Households int
	// NewHouseholds counts distinct households this officer first guided
	// within the period (a household guided before the period is not new).
	NewHouseholds int
	// GuidedInPeriod sums the households guided each day of the period: a
	// household guided on two days counts twice.
	GuidedInPeriod int
	Procedures     int // procedures guided in the period
	DaysActive     int // days in the period with at least one record

	TotalProcedures int // procedures guided up to At
	TotalDaysActive int // days with at least one record up to At

	Checks       CheckCounts
	FailedChecks []Check // failed spot checks on records this officer reported, by date
	Exclusions   []Exclusion
	Excluded     bool // an exclusion of the officer is in force on At
}

// Eligible reports whether no failed check and no exclusion stands in the
// officer's way to an award.
func (s OfficerStats) Eligible() bool { return !s.Excluded && len(s.FailedChecks) == 0 }

// DisplayName is the officer's name, or "Cán bộ #id" when the store has
// none (a record by an officer no longer registered).
func (o Officer) DisplayName() string {
	if o.Name != "" {
		return o.Name
	}
	return "Cán bộ #" + strconv.FormatInt(o.ID, 10)
}

// Officers computes the figures of every officer in f.Officers (in that
// order), followed by officers who appear only in records or checks (by
// id, with an empty name and Active false), for period as of day at.
func Officers(f Facts, p Params, period Period, at Date) []OfficerStats {
	return computeOfficers(f, newEnv(p), period, at)
}

func computeOfficers(f Facts, e env, period Period, at Date) []OfficerStats {
	atN := at.days()
	cp, pFrom, pTo := e.clip(period, atN)
	out := make([]OfficerStats, 0, len(f.Officers))
	idx := make(map[int64]int32, len(f.Officers))
	for _, o := range f.Officers {
		if _, dup := idx[o.ID]; dup {
			continue
		}
		idx[o.ID] = int32(len(out))
		out = append(out, OfficerStats{Officer: o, Period: cp, At: at})
	}
	known := len(out)
	// The store's rows come grouped by officer: remember the last lookup.
	lastID, lastI := int64(0), int32(-1)
	get := func(id int64) *OfficerStats {
		if lastI >= 0 && id == lastID {
			return &out[lastI]
		}
		i, ok := idx[id]
		if !ok {
			i = int32(len(out))
			idx[id] = i
			out = append(out, OfficerStats{Officer: Officer{ID: id}, Period: cp, At: at})
		}
		lastID, lastI = id, i
		return &out[i]
	}

	// The officer-days come by day (millions of rows over 100,000 officers):
	// they are summed in a compact array beside the figures, which stays in
	// the processor's cache where the figures themselves would not.
	type dayTotals struct{ totalProcs, totalDays, guided, procs, days int32 }
	acc := make([]dayTotals, len(out))
	for _, d := range f.OfficerDays {
		if d.Date.IsZero() || (d.Households <= 0 && d.Procedures <= 0) {
			continue
		}
		day := d.Date.days()
		if day > atN {
			continue
		}
		i, ok := idx[d.OfficerID]
		if !ok {
			get(d.OfficerID)
			i = int32(len(out) - 1)
			acc = append(acc, dayTotals{})
		}
		a := &acc[i]
		a.totalProcs += int32(d.Procedures)
		a.totalDays++
		if day >= pFrom && day <= pTo {
			a.guided += int32(d.Households)
			a.procs += int32(d.Procedures)
			a.days++
		}
	}
	for i, a := range acc {
		s := &out[i]
		s.TotalProcedures += int(a.totalProcs)
		s.TotalDaysActive += int(a.totalDays)
		s.GuidedInPeriod += int(a.guided)
		s.Procedures += int(a.procs)
		s.DaysActive += int(a.days)
	}
	for _, oh := range f.OfficerHouseholds {
		if oh.First.IsZero() || oh.First.After(at) {
			continue
		}
		s := get(oh.OfficerID)
		s.Households++
		if day := oh.First.days(); day >= pFrom && day <= pTo {
			s.NewHouseholds++
		}
	}
	for _, c := range f.Checks {
		if !c.Date.IsZero() && c.Date.After(at) {
			continue
		}
		s := get(c.OfficerID)
		countCheck(&s.Checks, &s.FailedChecks, c)
	}
	for _, x := range f.Exclusions {
		if x.Kind != ExcludeOfficer || !x.InForce(at) {
			continue
		}
		id, err := strconv.ParseInt(x.Target, 10, 64)
		if err != nil {
			continue
		}
		if i, ok := idx[id]; ok {
			out[i].Exclusions = append(out[i].Exclusions, x)
			out[i].Excluded = true
		}
	}
	extra := out[known:]
	slices.SortFunc(extra, func(a, b OfficerStats) int { return cmp.Compare(a.Officer.ID, b.Officer.ID) })
	for i := range out {
		if len(out[i].FailedChecks) > 1 {
			slices.SortStableFunc(out[i].FailedChecks, func(a, b Check) int { return a.Date.Compare(b.Date) })
		}
	}
	return out
}
