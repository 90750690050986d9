package store

import (
	"fmt"
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

// Officer facts (agg_off) are what scoring needs of an officer, kept in
// binary beside the JSON record so that figures need not decode 100,000
// officers: active 1 | role length 1 | role | hamlet length 1 | hamlet |
// name.
func (t *Tx) putOfficerFacts(o campaign.Officer) error {
	b := make([]byte, 0, 3+len(o.Role)+len(o.HamletID)+len(o.FullName))
	b = append(b, byte(b2i(o.Active)), byte(len(o.Role)))
	b = append(b, o.Role...)
	b = append(b, byte(len(o.HamletID)))
	b = append(b, o.HamletID...)
	b = append(b, o.FullName...)
	if err := t.tx.Bucket(bAggOff).Put(i64(int64(o.ID)), b); err != nil {
		return fmt.Errorf("store: officer facts %d: %w", o.ID, err)
	}
	return nil
}

func decodeOfficerFacts(id int64, v []byte) (campaign.Officer, error) {
	bad := fmt.Errorf("store: officer facts %d: %w", id, errCorruptFacts)
	if len(v) < 2 || len(v) < 3+int(v[1]) {
		return campaign.Officer{}, bad
	}
	o := campaign.Officer{ID: campaign.PersonID(id), Active: v[0] == 1}
	nr := int(v[1])
	o.Role = campaign.Role(v[2 : 2+nr])
	v = v[2+nr:]
	nh := int(v[0])
	if len(v) < 1+nh {
		return campaign.Officer{}, bad
	}
	o.HamletID, o.FullName = string(v[1:1+nh]), string(v[1+nh:])
	return o, nil
}

// buildOfficerFacts writes every officer's facts from the records (Reindex).
func (t *Tx) buildOfficerFacts() error {
	return t.tx.Bucket(bOfficers).ForEach(func(_, v []byte) error {
		var o campaign.Officer
		if err := getJSON(v, &o); err != nil {
			return fmt.Errorf("store: officer: %w", err)
		}
		return t.putOfficerFacts(o)
	})
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
	// Every long list is allocated once, at a bound from the record and
	// household counters (memory not filled is never touched): growing
	// slices of millions of rows copies them over and over.
	// Every household's procedure dates share backing arrays of procChunk
	// dates: a new one when the current is full, never a copy of the old.
	procChunk := 1 << 10
	var procDays []scoring.Date
	if hamlet == "" {
		nRec, nHH := int(t.tx.Bucket(bGuidance).Sequence()), int(t.tx.Bucket(bHouseholds).Sequence())
		f.HamletDays = make([]scoring.HamletDay, 0, nRec)
		f.Households = make([]scoring.Household, 0, nHH)
		f.OfficerDays = make([]scoring.OfficerDay, 0, nRec)
		f.OfficerHouseholds = make([]scoring.OfficerHousehold, 0, nRec)
		procChunk = 1 << 16
	}
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

	keep := map[int64]bool{}
	if err := t.tx.Bucket(bAggOff).ForEach(func(k, v []byte) error {
		o, err := decodeOfficerFacts(readI64(k), v)
		if err != nil {
			return err
		}
		if hamlet != "" && o.HamletID != hamlet {
			return nil
		}
		if so, ok := scoredOfficer(o); ok {
			keep[int64(o.ID)] = true
			f.Officers = append(f.Officers, so)
		}
		return nil
	}); err != nil {
		return f, err
	}
	want := func(id int64) bool { return hamlet == "" || keep[id] }

	// One pass over the households gives their facts and every officer's
	// first day with each (from the visits).
	var firsts []visit
	hc := t.tx.Bucket(bHH).Cursor()
	for k, v := hc.First(); k != nil; k, v = hc.Next() {
		r, err := readFacts(v)
		if err != nil {
			return f, err
		}
		if r.noFacts() {
			continue // retracted records only
		}
		if hamlet == "" || string(r.hamlet) == hamlet {
			h := scoring.Household{HamletID: ids.of(r.hamlet), GuidedFrom: dc.of(r.guidedFrom()), SelfAbleFrom: dc.of(r.self)}
			if cap(procDays)-len(procDays) < r.nProcs {
				procDays = make([]scoring.Date, 0, max(procChunk, r.nProcs))
			}
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

	if err := t.eachOfficerDay(NoDay+1, Day(1<<30), want, func(o int64, d Day, c DayCount) error {
		f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: o, Date: dc.of(d), Households: c.Households, Procedures: c.Procedures})
		return nil
	}); err != nil {
		return f, err
	}
	if err := t.eachCheck(func(id uint64, day Day, officer int64, status, h, reason []byte) error {
		if hamlet != "" && string(h) != hamlet && !keep[officer] {
			return nil
		}
		f.Checks = append(f.Checks, scoring.Check{GuidanceID: id, HamletID: ids.of(h), OfficerID: officer,
			Date: dc.of(day), Status: string(status), Reason: string(reason)})
		return nil
	}); err != nil {
		return f, err
	}
	// Self-declared households are checked like records: a failed check
	// bars the hamlet and the person who recorded the household.
	if err := t.eachSelfCheck(func(id uint64, day Day, officer int64, status, h, reason []byte) error {
		if hamlet != "" && string(h) != hamlet && !keep[officer] {
			return nil
		}
		f.Checks = append(f.Checks, scoring.Check{HouseholdID: id, HamletID: ids.of(h), OfficerID: officer,
			Date: dc.of(day), Status: string(status), Reason: string(reason)})
		return nil
	}); err != nil {
		return f, err
	}
	exs, err := t.Exclusions()
	if err != nil {
		return f, err
	}
	lifted, err := t.LiftedExclusions()
	if err != nil {
		return f, err
	}
	for _, e := range append(exs, lifted...) {
		x := scoring.Exclusion{Kind: string(e.Kind), Target: e.Target, Reason: e.Text(), Since: dc.of(t.db.Day(e.At))}
		if !e.LiftedAt.IsZero() {
			x.Until = dc.of(t.db.Day(e.LiftedAt))
		}
		f.Exclusions = append(f.Exclusions, x)
	}
	return f, nil
}
