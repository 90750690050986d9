package store

import (
	"slices"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// ScoringDate converts a store day to a scoring date.
func (d Day) ScoringDate() scoring.Date { return d.date() }

// dates converts days to scoring dates, remembering the days of a few
// years around the first one asked (facts come from one campaign).
type dates struct {
	base  Day
	cache []scoring.Date
}

func (c *dates) of(d Day) scoring.Date {
	if d == NoDay {
		return scoring.Date{}
	}
	if c.cache == nil {
		c.base, c.cache = d-1024, make([]scoring.Date, 2048)
	}
	i := int(d - c.base)
	if i < 0 || i >= len(c.cache) {
		return d.date()
	}
	if c.cache[i].IsZero() {
		c.cache[i] = d.date()
	}
	return c.cache[i]
}

// names shares one string per hamlet id among the rows that name it.
type names map[string]string

func (n names) of(b []byte) string {
	if s, ok := n[string(b)]; ok {
		return s
	}
	s := string(b)
	n[s] = s
	return s
}

// Facts gathers everything scoring needs from the aggregates (never by
// walking every guidance record). With hamlet set, only that hamlet's
// facts (and its officers') are gathered.
func (t *Tx) Facts(hamlet string) (scoring.Facts, error) {
	var f scoring.Facts
	hs, err := t.Hamlets()
	if err != nil {
		return f, err
	}
	ids := names{}
	for _, h := range hs {
		if hamlet == "" || h.ID == hamlet {
			f.Hamlets = append(f.Hamlets, scoring.Hamlet{ID: h.ID, Name: h.Name, Households: h.Households})
			ids[h.ID] = h.ID
		}
	}
	var dc dates
	if hamlet == "" {
		c := t.tx.Bucket(bAggDH).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: ids.of(k[4:]), Date: dc.of(readDay(k)), Households: decodeDayCount(v).Households})
		}
	} else {
		err = t.HamletDays(hamlet, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
			f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: hamlet, Date: dc.of(d), Households: c.Households})
			return nil
		})
		if err != nil {
			return f, err
		}
	}

	officers, err := t.Officers()
	if err != nil {
		return f, err
	}
	keep := map[int64]bool{}
	for _, o := range officers {
		if hamlet != "" && o.HamletID != hamlet {
			continue
		}
		so, ok := scoredOfficer(o)
		if !ok {
			continue
		}
		keep[o.TelegramID] = true
		f.Officers = append(f.Officers, so)
	}
	want := func(id int64) bool { return hamlet == "" || keep[id] }

	// One pass over the households gives their facts and every officer's
	// first day with each (from the visits).
	var procDays []scoring.Date // one backing array for every household's dates
	var firsts []visit
	hc := t.tx.Bucket(bAggHH).Cursor()
	for k, v := hc.First(); k != nil; k, v = hc.Next() {
		r, err := readFacts(v)
		if err != nil {
			return f, err
		}
		if hamlet == "" || string(r.hamlet) == hamlet {
			h := scoring.Household{HamletID: ids.of(r.hamlet), GuidedFrom: dc.of(r.guidedFrom()), SelfAbleFrom: dc.of(r.self)}
			from := len(procDays)
			r.eachProcedure(func(_ []byte, first Day) { procDays = append(procDays, dc.of(first)) })
			if p := procDays[from:]; len(p) > 1 {
				slices.SortFunc(p, scoring.Date.Compare)
			}
			h.ProcedureDates = procDays[from:len(procDays):len(procDays)]
			f.Households = append(f.Households, h)
		}
		if hamlet != "" && len(keep) == 0 {
			continue
		}
		firsts = firsts[:0]
		for i := range r.nVis {
			vi := r.visit(i)
			if !slices.ContainsFunc(firsts, func(x visit) bool { return x.officer == vi.officer }) {
				firsts = append(firsts, vi) // by day: the first is the earliest
			}
		}
		for _, x := range firsts {
			if want(x.officer) {
				f.OfficerHouseholds = append(f.OfficerHouseholds, scoring.OfficerHousehold{OfficerID: x.officer, First: dc.of(x.day)})
			}
		}
	}

	oc := t.tx.Bucket(bAggDO).Cursor()
	for k, v := oc.First(); k != nil; k, v = oc.Next() {
		if o := readI64(k[4:]); want(o) {
			c := decodeDayCount(v)
			f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: o, Date: dc.of(readDay(k)), Households: c.Households, Procedures: c.Procedures})
		}
	}
	if err := t.CheckedGuidance(func(g campaign.Guidance) error {
		if hamlet != "" && g.HamletID != hamlet && !keep[g.OfficerID] {
			return nil
		}
		f.Checks = append(f.Checks, scoring.Check{GuidanceID: g.ID, HamletID: g.HamletID, OfficerID: g.OfficerID,
			Date: dc.of(t.db.Day(g.CheckedAt)), Status: string(g.Check), Reason: g.CheckReason})
		return nil
	}); err != nil {
		return f, err
	}
	exs, err := t.Exclusions()
	if err != nil {
		return f, err
	}
	for _, e := range exs {
		f.Exclusions = append(f.Exclusions, scoring.Exclusion{Kind: string(e.Kind), Target: e.Target, Reason: e.Reason,
			Since: dc.of(t.db.Day(e.At))})
	}
	return f, nil
}
