package scoring

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// genDay is a day around a short campaign (01/05–20/05/2026), a few days
// either side included.
func genDay(t *rapid.T, label string) Date {
	return may(1).AddDays(rapid.IntRange(-3, 22).Draw(t, label))
}

func genRec(t *rapid.T, nh, no int, label string) rec {
	hh := rapid.IntRange(0, 15).Draw(t, label+"hh")
	procs := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"a", "b", "c"}), 0, 3, rapid.ID[string]).Draw(t, label+"procs")
	return rec{
		hh:      "p" + strconv.Itoa(hh),
		hamlet:  "h" + strconv.Itoa(hh%nh), // a household belongs to one hamlet
		officer: int64(rapid.IntRange(1, no).Draw(t, label+"officer")),
		day:     genDay(t, label+"day"),
		procs:   procs,
	}
}

func genWorld(t *rapid.T) (world, Params, Date) {
	nh := rapid.IntRange(1, 4).Draw(t, "hamlets")
	no := rapid.IntRange(1, 4).Draw(t, "officers")
	var w world
	for i := range nh {
		w.hamlets = append(w.hamlets, Hamlet{ID: "h" + strconv.Itoa(i), Name: "Ấp " + strconv.Itoa(i), Households: rapid.IntRange(0, 8).Draw(t, "households")})
	}
	for i := 1; i <= no; i++ {
		w.officers = append(w.officers, Officer{ID: int64(i), Name: "Cán bộ " + strconv.Itoa(i)})
	}
	for i := range rapid.IntRange(0, 30).Draw(t, "records") {
		w.recs = append(w.recs, genRec(t, nh, no, "r"+strconv.Itoa(i)))
	}
	for range rapid.IntRange(0, 4).Draw(t, "self") {
		hh := rapid.IntRange(0, 15).Draw(t, "selfhh")
		w.self = append(w.self, selfRec{hh: "p" + strconv.Itoa(hh), hamlet: "h" + strconv.Itoa(hh%nh), day: genDay(t, "selfday")})
	}
	for range rapid.IntRange(0, 3).Draw(t, "checks") {
		w.checks = append(w.checks, Check{
			HamletID:  "h" + strconv.Itoa(rapid.IntRange(0, nh-1).Draw(t, "checkhamlet")),
			OfficerID: int64(rapid.IntRange(1, no).Draw(t, "checkofficer")),
			Date:      genDay(t, "checkday"),
			Status:    rapid.SampledFrom([]string{CheckPassed, CheckFailed, CheckUnreachable}).Draw(t, "status"),
		})
	}
	for range rapid.IntRange(0, 2).Draw(t, "exclusions") {
		x := Exclusion{Kind: ExcludeHamlet, Target: "h" + strconv.Itoa(rapid.IntRange(0, nh-1).Draw(t, "exhamlet")), Reason: "lý do", Since: genDay(t, "since")}
		if rapid.Bool().Draw(t, "exofficer") {
			x.Kind, x.Target = ExcludeOfficer, strconv.Itoa(rapid.IntRange(1, no).Draw(t, "exid"))
		}
		w.excl = append(w.excl, x)
	}
	p := DefaultParams()
	p.CampaignStart, p.CampaignEnd = may(1), may(20)
	p.DailyTarget = rapid.IntRange(1, 3).Draw(t, "target")
	p.DaysOff = rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Date { return genDay(t, "off") }), 0, 4).Draw(t, "daysoff")
	p.CoverageThreshold = rapid.SampledFrom([]float64{0.5, 0.75, 0.95, 1}).Draw(t, "threshold")
	p.SpecialHouseholdThreshold = rapid.IntRange(1, 8).Draw(t, "k-threshold")
	p.MaxCollectives = rapid.IntRange(0, 3).Draw(t, "maxcollectives")
	p.MaxIndividuals = rapid.IntRange(0, 3).Draw(t, "maxindividuals")
	p.SpecialPrizes = rapid.IntRange(0, 3).Draw(t, "special")
	p.SpecialMinShare = rapid.SampledFrom([]float64{0, 0.25, 0.5, 0.95, 1}).Draw(t, "special-share")
	return w, p, genDay(t, "at")
}

func TestPropFiguresStayInRange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		for _, s := range Hamlets(w.facts(), p, p.Campaign(), at) {
			if s.Coverage < 0 || s.Coverage > 1 || s.SpecialProgress < 0 || s.SpecialProgress > 1 {
				t.Fatalf("%s: coverage %v, progress %v outside [0, 1]", s.Hamlet.ID, s.Coverage, s.SpecialProgress)
			}
			if s.DaysMet > s.DaysElapsed || s.CurrentStreak > s.LongestStreak || s.LongestStreak > s.DaysElapsed {
				t.Fatalf("%s: met %d elapsed %d streak %d longest %d", s.Hamlet.ID, s.DaysMet, s.DaysElapsed, s.CurrentStreak, s.LongestStreak)
			}
			if s.Able != s.HouseholdsGuided+s.SelfAble {
				t.Fatalf("%s: able %d != guided %d + self %d", s.Hamlet.ID, s.Able, s.HouseholdsGuided, s.SelfAble)
			}
			if s.CoverageMet() != p.ReachesCoverage(s.Able, s.Hamlet.Households) || s.ReachedOn.After(at) {
				t.Fatalf("%s: reached %v but coverage %d/%d", s.Hamlet.ID, s.ReachedOn, s.Able, s.Hamlet.Households)
			}
			if s.CoverageMet() {
				// The day before it was reached, the threshold was not met.
				before := Hamlets(w.facts(), p, p.Campaign(), s.ReachedOn.AddDays(-1))
				for _, b := range before {
					if b.Hamlet.ID == s.Hamlet.ID && b.CoverageMet() {
						t.Fatalf("%s: reached on %v but already met the day before", s.Hamlet.ID, s.ReachedOn)
					}
				}
			}
		}
	})
}

// naiveStreaks walks the campaign day by day: the reference for streaks.
func naiveStreaks(f Facts, p Params, hamlet string, at Date) (cur, longest int) {
	met := map[Date]int{}
	for _, hd := range f.HamletDays {
		if hd.HamletID == hamlet {
			met[hd.Date] += hd.Households
		}
	}
	isMet := func(d Date) bool { return met[d] >= p.DailyTarget }
	end := p.CampaignEnd
	if at.Before(end) {
		end = at
	}
	run := 0
	for d := p.CampaignStart; !d.After(end); d = d.AddDays(1) {
		switch {
		case p.IsDayOff(d):
		case isMet(d):
			run++
			longest = max(longest, run)
		default:
			run = 0
		}
	}
	d := end
	if d == at && !p.IsDayOff(d) && !isMet(d) {
		d = d.AddDays(-1) // today may still be met
	}
	for ; !d.Before(p.CampaignStart); d = d.AddDays(-1) {
		if p.IsDayOff(d) {
			continue
		}
		if !isMet(d) {
			break
		}
		cur++
	}
	return cur, longest
}

func TestPropStreaksMatchDayByDayWalk(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		f := w.facts()
		for _, s := range Hamlets(f, p, p.Campaign(), at) {
			cur, longest := naiveStreaks(f, p, s.Hamlet.ID, at)
			if s.CurrentStreak != cur || s.LongestStreak != longest {
				t.Fatalf("%s as of %v: streak %d longest %d, walk says %d and %d", s.Hamlet.ID, at, s.CurrentStreak, s.LongestStreak, cur, longest)
			}
		}
	})
}

// TestPropMoreRecordsNeverLower: adding a record (or a household recorded as
// already able) never lowers a figure; retracting it never raises one.
func TestPropMoreRecordsNeverLower(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		more := w
		if rapid.Bool().Draw(t, "self-able") {
			hh := rapid.IntRange(0, 15).Draw(t, "newself")
			more.self = append(slices.Clone(w.self), selfRec{hh: "p" + strconv.Itoa(hh), hamlet: "h" + strconv.Itoa(hh%len(w.hamlets)), day: genDay(t, "newselfday")})
		} else {
			more.recs = append(slices.Clone(w.recs), genRec(t, len(w.hamlets), len(w.officers), "new"))
		}
		period := rapid.SampledFrom([]Period{p.Campaign(), Day(at), ISOWeek(at), Month(2026, 5)}).Draw(t, "period")
		less := Hamlets(w.facts(), p, period, at)
		moreH := Hamlets(more.facts(), p, period, at)
		for i := range less {
			a, b := less[i], moreH[i]
			if b.Coverage < a.Coverage || b.Able < a.Able || b.SpecialDone < a.SpecialDone || b.SpecialProgress < a.SpecialProgress ||
				b.DaysMet < a.DaysMet || b.CurrentStreak < a.CurrentStreak || b.LongestStreak < a.LongestStreak ||
				b.GuidedInPeriod < a.GuidedInPeriod || b.HouseholdsGuided < a.HouseholdsGuided || b.GuidedToday < a.GuidedToday {
				t.Fatalf("%s: adding lowered a figure:\nwithout %+v\n   with %+v", a.Hamlet.ID, figOf(a), figOf(b))
			}
		}
		lessO := Officers(w.facts(), p, period, at)
		moreO := Officers(more.facts(), p, period, at)
		byID := map[int64]OfficerStats{}
		for _, o := range moreO {
			byID[o.Officer.ID] = o
		}
		for _, a := range lessO {
			b := byID[a.Officer.ID]
			if b.Households < a.Households || b.GuidedInPeriod < a.GuidedInPeriod ||
				b.Procedures < a.Procedures || b.DaysActive < a.DaysActive || b.TotalDaysActive < a.TotalDaysActive {
				t.Fatalf("officer %d: adding lowered a figure:\nwithout %+v\n   with %+v", a.Officer.ID, a, b)
			}
		}
	})
}

func TestPropCandidateLists(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		f := w.facts()
		a := Candidates(f, p, at)
		if len(a.Collectives) > p.MaxCollectives || len(a.Individuals) > p.MaxIndividuals || len(a.Special) > p.SpecialPrizes {
			t.Fatalf("caps exceeded: %d/%d collectives, %d/%d individuals, %d/%d special", len(a.Collectives), p.MaxCollectives,
				len(a.Individuals), p.MaxIndividuals, len(a.Special), p.SpecialPrizes)
		}
		checkHamletList(t, "collectives", f, a.Collectives, a.NotSelected.Collectives)
		checkHamletList(t, "special", f, a.Special, a.NotSelected.Special)
		seen := map[int64]int{}
		for i, c := range a.Individuals {
			seen[c.Stats.Officer.ID]++
			if c.Rank != i+1 || !c.Stats.Eligible() || c.Stats.Households == 0 || len(c.Reasons) == 0 {
				t.Fatalf("individual %d wrongly selected: %+v", c.Stats.Officer.ID, c)
			}
		}
		for _, c := range a.NotSelected.Individuals {
			seen[c.Stats.Officer.ID]++
			if c.Rank != 0 || len(c.Reasons) == 0 {
				t.Fatalf("officer %d left out without a reason", c.Stats.Officer.ID)
			}
		}
		for _, o := range f.Officers {
			if seen[o.ID] != 1 {
				t.Fatalf("officer %d listed %d times", o.ID, seen[o.ID])
			}
		}
		for _, c := range a.Collectives {
			if !c.Stats.CoverageMet() {
				t.Fatalf("%s selected below the threshold", c.Stats.Hamlet.ID)
			}
		}
		for _, c := range a.Special {
			if c.Stats.SpecialDone == 0 || !c.Stats.SpecialMet() || !p.MeetsSpecialCondition(c.Stats.SpecialInRegister(), c.Stats.Hamlet.Households) {
				t.Fatalf("%s selected for the special prize without meeting the condition: %d of %d", c.Stats.Hamlet.ID,
					c.Stats.SpecialDone, c.Stats.Hamlet.Households)
			}
		}
		if len(a.Special) < p.SpecialPrizes && a.SpecialNote(p) == "" {
			t.Fatalf("%d of %d special prizes and no note", len(a.Special), p.SpecialPrizes)
		}
		// Whoever meets a standard is never said to fall short of it, and
		// whoever is left out while meeting it was beyond the cap.
		for _, list := range [][]HamletCandidate{a.NotSelected.Collectives, a.NotSelected.Special} {
			for _, c := range list {
				if c.MeetsStandard && (strings.Contains(c.Reason(), "chưa đủ") || strings.Contains(c.Reason(), "chưa đạt") || !strings.Contains(c.Reason(), "vượt số lượng") && !strings.Contains(c.Reason(), "không có suất")) {
					t.Fatalf("%s meets the standard but reads %q", c.Stats.Hamlet.ID, c.Reason())
				}
			}
		}
		for _, c := range a.NotSelected.Collectives {
			if want := c.Stats.Eligible() && c.Stats.CoverageMet() && c.Stats.Hamlet.Households > 0; c.MeetsStandard != want {
				t.Fatalf("%s MeetsStandard %v, want %v", c.Stats.Hamlet.ID, c.MeetsStandard, want)
			}
		}
		for _, s := range Hamlets(f, p, p.Campaign(), at) {
			if s.AbleInRegister() > max(s.Hamlet.Households, 0) || s.Able != s.AbleInRegister()+s.Excess || s.Coverage > 1 {
				t.Fatalf("%s: able %d in register %d excess %d of %d households", s.Hamlet.ID, s.Able, s.AbleInRegister(), s.Excess, s.Hamlet.Households)
			}
		}
	})
}

func checkHamletList(t *rapid.T, what string, f Facts, sel, not []HamletCandidate) {
	seen := map[string]int{}
	for i, c := range sel {
		seen[c.Stats.Hamlet.ID]++
		if c.Rank != i+1 || !c.Stats.Eligible() || len(c.Reasons) == 0 {
			t.Fatalf("%s: %s wrongly selected: %+v", what, c.Stats.Hamlet.ID, c)
		}
	}
	for _, c := range not {
		seen[c.Stats.Hamlet.ID]++
		if c.Rank != 0 || len(c.Reasons) == 0 {
			t.Fatalf("%s: %s left out without a reason", what, c.Stats.Hamlet.ID)
		}
	}
	for _, h := range f.Hamlets {
		if seen[h.ID] != 1 {
			t.Fatalf("%s: %s listed %d times", what, h.ID, seen[h.ID])
		}
	}
}

func TestPropFailedCheckAlwaysExcludes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		// Generous caps and a low bar, so that only the check can keep them out.
		p.MaxCollectives, p.MaxIndividuals, p.SpecialPrizes, p.CoverageThreshold = 100, 100, 100, 0.01
		bad := Check{
			HamletID:  "h" + strconv.Itoa(rapid.IntRange(0, len(w.hamlets)-1).Draw(t, "badhamlet")),
			OfficerID: int64(rapid.IntRange(1, len(w.officers)).Draw(t, "badofficer")),
			Date:      at.AddDays(-rapid.IntRange(0, 5).Draw(t, "ago")),
			Status:    CheckFailed,
		}
		w.checks = append(slices.Clone(w.checks), bad)
		a := Candidates(w.facts(), p, at)
		for _, c := range slices.Concat(a.Collectives, a.Special) {
			if c.Stats.Hamlet.ID == bad.HamletID {
				t.Fatalf("hamlet %s selected despite a failed check", bad.HamletID)
			}
		}
		for _, c := range slices.Concat(a.NotSelected.Collectives, a.NotSelected.Special) {
			if c.Stats.Hamlet.ID == bad.HamletID && !strings.Contains(c.Reason(), "kiểm tra ngẫu nhiên không đạt") {
				t.Fatalf("hamlet %s left out for %q, not the check", bad.HamletID, c.Reason())
			}
		}
		for _, c := range a.Individuals {
			if c.Stats.Officer.ID == bad.OfficerID {
				t.Fatalf("officer %d selected despite a failed check", bad.OfficerID)
			}
		}
		for _, c := range a.NotSelected.Individuals {
			if c.Stats.Officer.ID == bad.OfficerID && !strings.Contains(c.Reason(), "kiểm tra ngẫu nhiên không đạt") {
				t.Fatalf("officer %d left out for %q, not the check", bad.OfficerID, c.Reason())
			}
		}
	})
}

// TestPropNarrowedFactsGiveTheSameFigures: the store may pass only one
// hamlet's facts (for /toi); that hamlet's figures must not change.
func TestPropNarrowedFactsGiveTheSameFigures(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		f := w.facts()
		all := Hamlets(f, p, ISOWeek(at), at)
		i := rapid.IntRange(0, len(f.Hamlets)-1).Draw(t, "hamlet")
		id := f.Hamlets[i].ID
		var n Facts
		n.Hamlets = []Hamlet{f.Hamlets[i]}
		for _, x := range f.HamletDays {
			if x.HamletID == id {
				n.HamletDays = append(n.HamletDays, x)
			}
		}
		for _, x := range f.Households {
			if x.HamletID == id {
				n.Households = append(n.Households, x)
			}
		}
		for _, x := range f.Checks {
			if x.HamletID == id {
				n.Checks = append(n.Checks, x)
			}
		}
		n.Exclusions = f.Exclusions
		one := Hamlets(n, p, ISOWeek(at), at)
		if figOf(one[0]) != figOf(all[i]) || one[0].Excluded != all[i].Excluded || len(one[0].FailedChecks) != len(all[i].FailedChecks) {
			t.Fatalf("narrowed %+v\n    full %+v", figOf(one[0]), figOf(all[i]))
		}
	})
}

// TestPropOrderOfFactsDoesNotMatter: the store may supply rows in any order
// (and a hamlet's day split over two rows); the figures stay the same.
func TestPropOrderOfFactsDoesNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w, p, at := genWorld(t)
		f := w.facts()
		g := f
		g.HamletDays = rapid.Permutation(f.HamletDays).Draw(t, "hamletdays")
		if len(g.HamletDays) > 0 {
			i := rapid.IntRange(0, len(g.HamletDays)-1).Draw(t, "split")
			if r := g.HamletDays[i]; r.Households >= 2 {
				g.HamletDays = slices.Clone(g.HamletDays)
				g.HamletDays[i].Households = 1
				g.HamletDays = append(g.HamletDays, HamletDay{HamletID: r.HamletID, Date: r.Date, Households: r.Households - 1})
			}
		}
		g.Households = rapid.Permutation(f.Households).Draw(t, "households")
		g.OfficerDays = rapid.Permutation(f.OfficerDays).Draw(t, "officerdays")
		g.OfficerHouseholds = rapid.Permutation(f.OfficerHouseholds).Draw(t, "pairs")
		g.Checks = rapid.Permutation(f.Checks).Draw(t, "checks")
		period := rapid.SampledFrom([]Period{p.Campaign(), Day(at), ISOWeek(at)}).Draw(t, "period")
		a, b := Hamlets(f, p, period, at), Hamlets(g, p, period, at)
		for i := range a {
			if figOf(a[i]) != figOf(b[i]) || a[i].Checks != b[i].Checks {
				t.Fatalf("%s: sorted %+v\n shuffled %+v", a[i].Hamlet.ID, figOf(a[i]), figOf(b[i]))
			}
		}
		ca, cb := Candidates(f, p, at), Candidates(g, p, at)
		if !slices.Equal(hamletLines(ca.Collectives), hamletLines(cb.Collectives)) ||
			!slices.Equal(hamletLines(ca.Special), hamletLines(cb.Special)) ||
			!slices.Equal(officerLines(ca.Individuals), officerLines(cb.Individuals)) ||
			!slices.Equal(officerLines(ca.NotSelected.Individuals), officerLines(cb.NotSelected.Individuals)) {
			t.Fatalf("candidates depend on the order of the facts")
		}
	})
}
