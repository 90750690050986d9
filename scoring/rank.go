package scoring

import (
	"cmp"
	"slices"
	"strings"
)

// HamletRank is one line of the daily hamlet leaderboard.
type HamletRank struct {
	// Rank is 1-based; hamlets equal on coverage, streak and households
	// guided today share a rank (1, 2, 2, 4) and are listed by name.
	Rank int
	HamletStats
}

// Leaderboard ranks every hamlet for day today: coverage (the campaign's
// goal) first, then the current streak (steady daily work), then the
// households guided today, then name in Vietnamese order. Whether today is
// met is shown, not ranked: a hamlet near 95% does not fall below one that
// has barely started just because it has not reported yet this morning.
func Leaderboard(f Facts, p Params, today Date) []HamletRank {
	stats := Hamlets(f, p, Day(today), today)
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
		if c := cmp.Compare(b.CurrentStreak, a.CurrentStreak); c != 0 {
			return c
		}
		return cmp.Compare(b.GuidedToday, a.GuidedToday)
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

// OfficerRank is one line of an officer leaderboard.
type OfficerRank struct {
	// Rank is 1-based; officers equal on households guided and days active
	// share a rank and are listed by name.
	Rank int
	OfficerStats
}

// TopOfficers is the n officers who guided the most households in period
// (GuidedInPeriod), then with the most days active, then by name, counting
// facts up to period.To. Officers who guided nobody in the period are left
// out. Exclusions and failed checks do not hide anyone here: this shows
// work done, awards are decided by Candidates.
func TopOfficers(f Facts, p Params, period Period, n int) []OfficerRank {
	if n <= 0 {
		return nil
	}
	stats := Officers(f, p, period, period.To)
	var active []int
	for i := range stats {
		if stats[i].GuidedInPeriod > 0 {
			active = append(active, i)
		}
	}
	merit := func(a, b *OfficerStats) int {
		if c := cmp.Compare(b.GuidedInPeriod, a.GuidedInPeriod); c != 0 {
			return c
		}
		return cmp.Compare(b.DaysActive, a.DaysActive)
	}
	rankOfficers(stats, active, merit, n)
	active = active[:min(n, len(active))]
	out := make([]OfficerRank, len(active))
	for k, i := range active {
		r := k + 1
		if k > 0 && merit(&stats[active[k-1]], &stats[i]) == 0 {
			r = out[k-1].Rank
		}
		out[k] = OfficerRank{Rank: r, OfficerStats: stats[i]}
	}
	return out
}

func coverageOf(s *HamletStats) fraction { return fractionOf(s.Able, s.Hamlet.Households) }
func progressOf(s *HamletStats) fraction { return fractionOf(s.SpecialDone, s.Hamlet.Households) }
