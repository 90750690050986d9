package scoring

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// countryFacts is the scale of a whole country adopting the model: 10,000
// hamlets, 100,000 officers, about 1,000,000 households guided, 2,000,000
// officer–household pairs, ~1.8M hamlet-days, 1.5M officer-days and
// 200,000 spot checks over the 2026 campaign, as of 31/12/2026.
func countryFacts() Facts {
	const (
		nHamlets        = 10_000
		nOfficers       = 100_000
		householdsPer   = 100 // guided per hamlet: 1,000,000 in all
		pairsPerOfficer = 20  // on average: 2,000,000 in all
		daysPerOfficer  = 15
		daysPerHamlet   = 180
		nChecks         = 200_000
	)
	r := rand.New(rand.NewPCG(1, 2))
	start := d(2026, 1, 1)
	var f Facts
	f.Hamlets = make([]Hamlet, nHamlets)
	for i := range f.Hamlets {
		f.Hamlets[i] = Hamlet{ID: "ap-" + strconv.Itoa(i), Name: "Ấp số " + strconv.Itoa(i), Households: 100 + r.IntN(300)}
	}
	f.HamletDays = make([]HamletDay, 0, nHamlets*daysPerHamlet)
	for i := range f.Hamlets {
		for day := range daysPerHamlet {
			f.HamletDays = append(f.HamletDays, HamletDay{HamletID: f.Hamlets[i].ID, Date: start.AddDays(day*2 + r.IntN(2)), Households: r.IntN(3)})
		}
	}
	f.Households = make([]Household, 0, nHamlets*householdsPer)
	dates := make([]Date, 0, nHamlets*householdsPer*2)
	for i := range f.Hamlets {
		for range householdsPer {
			g := start.AddDays(r.IntN(365))
			n := 1 + r.IntN(3)
			from := len(dates)
			for k := range n {
				dates = append(dates, g.AddDays(k*r.IntN(30)))
			}
			h := Household{HamletID: f.Hamlets[i].ID, GuidedFrom: g, ProcedureDates: dates[from:len(dates):len(dates)]}
			if r.IntN(10) == 0 {
				h.SelfAbleFrom = start.AddDays(r.IntN(365))
			}
			f.Households = append(f.Households, h)
		}
	}
	f.Officers = make([]Officer, nOfficers)
	f.OfficerDays = make([]OfficerDay, 0, nOfficers*daysPerOfficer)
	f.OfficerHouseholds = make([]OfficerHousehold, 0, nOfficers*pairsPerOfficer)
	for i := range f.Officers {
		id := int64(1_000_000 + i)
		f.Officers[i] = Officer{ID: id, Name: "Nguyễn Văn " + strconv.Itoa(r.IntN(5000)), HamletID: f.Hamlets[i%nHamlets].ID, Active: true}
		for k := range daysPerOfficer {
			f.OfficerDays = append(f.OfficerDays, OfficerDay{OfficerID: id, Date: start.AddDays(k*24 + r.IntN(24)), Households: 1 + r.IntN(2), Procedures: 1 + r.IntN(3)})
		}
		for range 1 + r.IntN(2*pairsPerOfficer-1) {
			f.OfficerHouseholds = append(f.OfficerHouseholds, OfficerHousehold{OfficerID: id, First: start.AddDays(r.IntN(365))})
		}
	}
	f.Checks = make([]Check, nChecks)
	for i := range f.Checks {
		status := CheckPassed
		switch r.IntN(100) {
		case 0:
			status = CheckFailed
		case 1, 2:
			status = CheckUnreachable
		}
		f.Checks[i] = Check{GuidanceID: uint64(i), HamletID: f.Hamlets[r.IntN(nHamlets)].ID, OfficerID: int64(1_000_000 + r.IntN(nOfficers)),
			Date: start.AddDays(r.IntN(365)), Status: status}
	}
	for i := range 100 {
		f.Exclusions = append(f.Exclusions, Exclusion{Kind: ExcludeOfficer, Target: strconv.Itoa(1_000_000 + i*997), Reason: "kỷ luật"})
	}
	return f
}

func BenchmarkCandidates(b *testing.B) {
	f := countryFacts()
	p := DefaultParams()
	loopCPU(b, func() {
		a := Candidates(f, p, d(2026, 12, 31))
		if len(a.Individuals) != p.MaxIndividuals {
			b.Fatalf("got %d individuals", len(a.Individuals))
		}
	})
}

func BenchmarkLeaderboard(b *testing.B) {
	f := countryFacts()
	p := DefaultParams()
	loopCPU(b, func() {
		if got := Leaderboard(f, p, d(2026, 12, 31)); len(got) != len(f.Hamlets) {
			b.Fatal(len(got))
		}
	})
}

func BenchmarkTopOfficersMonth(b *testing.B) {
	f := countryFacts()
	p := DefaultParams()
	loopCPU(b, func() {
		if got := TopOfficers(f, p, Month(2026, time.December), 5); len(got) != 5 {
			b.Fatal(len(got))
		}
	})
}

func BenchmarkHamletsYear(b *testing.B) {
	f := countryFacts()
	p := DefaultParams()
	loopCPU(b, func() { Hamlets(f, p, Year(2026), d(2026, 12, 31)) })
}
