package scoring

import (
	"cmp"
	"slices"
	"time"
)

// The tests describe situations as raw records, the way officers report
// them, and derive Facts the way the store's aggregates do. A retracted
// record is simply left out.

type rec struct {
	hh      string // household key (its phone, in the store)
	hamlet  string
	officer int64
	day     Date
	procs   []string
}

type selfRec struct {
	hh, hamlet string
	day        Date
}

type world struct {
	hamlets  []Hamlet
	officers []Officer
	recs     []rec
	self     []selfRec
	checks   []Check
	excl     []Exclusion
}

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

// may is a day of May 2026.
func may(day int) Date { return d(2026, time.May, day) }

func (w world) facts() Facts {
	f := Facts{Hamlets: w.hamlets, Officers: w.officers, Checks: w.checks, Exclusions: w.excl}
	type hk struct {
		h string
		d Date
	}
	type ok struct {
		o int64
		d Date
	}
	type ohk struct {
		o  int64
		hh string
	}
	hamletDay := map[hk]map[string]bool{}
	offDay := map[ok]map[string]bool{}
	offProcs := map[ok]int{}
	offHH := map[ohk]Date{}
	type hhInfo struct {
		hamlet string
		guided Date
		self   Date
		procs  map[string]Date
	}
	hhs := map[string]*hhInfo{}
	get := func(hh, hamlet string) *hhInfo {
		x := hhs[hh]
		if x == nil {
			x = &hhInfo{hamlet: hamlet, procs: map[string]Date{}}
			hhs[hh] = x
		}
		return x
	}
	minDate := func(a, b Date) Date {
		if a.IsZero() || b.Before(a) {
			return b
		}
		return a
	}
	for _, r := range w.recs {
		k := hk{r.hamlet, r.day}
		if hamletDay[k] == nil {
			hamletDay[k] = map[string]bool{}
		}
		hamletDay[k][r.hh] = true
		o := ok{r.officer, r.day}
		if offDay[o] == nil {
			offDay[o] = map[string]bool{}
		}
		offDay[o][r.hh] = true
		offProcs[o] += len(r.procs)
		offHH[ohk{r.officer, r.hh}] = minDate(offHH[ohk{r.officer, r.hh}], r.day)
		x := get(r.hh, r.hamlet)
		x.guided = minDate(x.guided, r.day)
		for _, p := range r.procs {
			x.procs[p] = minDate(x.procs[p], r.day)
		}
	}
	for _, s := range w.self {
		x := get(s.hh, s.hamlet)
		x.self = minDate(x.self, s.day)
	}
	for k, set := range hamletDay {
		f.HamletDays = append(f.HamletDays, HamletDay{HamletID: k.h, Date: k.d, Households: len(set)})
	}
	slices.SortFunc(f.HamletDays, func(a, b HamletDay) int {
		return cmp.Or(cmp.Compare(a.HamletID, b.HamletID), a.Date.Compare(b.Date))
	})
	for k, set := range offDay {
		f.OfficerDays = append(f.OfficerDays, OfficerDay{OfficerID: k.o, Date: k.d, Households: len(set), Procedures: offProcs[k]})
	}
	slices.SortFunc(f.OfficerDays, func(a, b OfficerDay) int {
		return cmp.Or(cmp.Compare(a.OfficerID, b.OfficerID), a.Date.Compare(b.Date))
	})
	keys := make([]ohk, 0, len(offHH))
	for k := range offHH {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b ohk) int { return cmp.Or(cmp.Compare(a.o, b.o), cmp.Compare(a.hh, b.hh)) })
	for _, k := range keys {
		f.OfficerHouseholds = append(f.OfficerHouseholds, OfficerHousehold{OfficerID: k.o, First: offHH[k]})
	}
	names := make([]string, 0, len(hhs))
	for k := range hhs {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		x := hhs[k]
		h := Household{HamletID: x.hamlet, GuidedFrom: x.guided, SelfAbleFrom: x.self}
		for _, pd := range x.procs {
			h.ProcedureDates = append(h.ProcedureDates, pd)
		}
		slices.SortFunc(h.ProcedureDates, Date.Compare)
		f.Households = append(f.Households, h)
	}
	return f
}

// daily adds one record per day from..to (inclusive) in hamlet by officer,
// each a new household with the given procedures.
func daily(prefix, hamlet string, officer int64, from, to Date, procs ...string) []rec {
	var out []rec
	for day := from; !day.After(to); day = day.AddDays(1) {
		out = append(out, rec{hh: prefix + day.String(), hamlet: hamlet, officer: officer, day: day, procs: procs})
	}
	return out
}

// many makes n households of hamlet, guided on day by officer.
func many(prefix, hamlet string, officer int64, n int, day Date, procs ...string) []rec {
	out := make([]rec, n)
	for i := range out {
		out[i] = rec{hh: prefix + itoa(i), hamlet: hamlet, officer: officer, day: day, procs: procs}
	}
	return out
}

func itoa(i int) string {
	return string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676%26)) + string(rune('a'+i/17576%26))
}

func selfAble(prefix, hamlet string, n int, day Date) []selfRec {
	out := make([]selfRec, n)
	for i := range out {
		out[i] = selfRec{hh: prefix + itoa(i), hamlet: hamlet, day: day}
	}
	return out
}

func cat[T any](parts ...[]T) []T { return slices.Concat(parts...) }
