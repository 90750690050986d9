package store

import (
	"sort"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// ScoringDate converts a store day to a scoring date.
func (d Day) ScoringDate() scoring.Date { return d.date() }

// Facts gathers everything scoring needs from the aggregates (never by
// walking every guidance record). With hamlet set, only that hamlet's
// facts (and its officers') are gathered.
func (t *Tx) Facts(hamlet string) (scoring.Facts, error) {
	var f scoring.Facts
	hs, err := t.Hamlets()
	if err != nil {
		return f, err
	}
	for _, h := range hs {
		if hamlet == "" || h.ID == hamlet {
			f.Hamlets = append(f.Hamlets, scoring.Hamlet{ID: h.ID, Name: h.Name, Households: h.Households})
		}
	}
	if hamlet == "" {
		err = t.EachHamletDay(func(h string, d Day, c DayCount) error {
			f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: h, Date: d.ScoringDate(), Households: c.Households})
			return nil
		})
	} else {
		err = t.HamletDays(hamlet, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
			f.HamletDays = append(f.HamletDays, scoring.HamletDay{HamletID: hamlet, Date: d.ScoringDate(), Households: c.Households})
			return nil
		})
	}
	if err != nil {
		return f, err
	}
	if err := t.EachHouseholdFacts(func(_ uint64, hf HouseholdFacts) error {
		if hamlet != "" && hf.HamletID != hamlet {
			return nil
		}
		h := scoring.Household{HamletID: hf.HamletID, GuidedFrom: hf.GuidedFrom.ScoringDate(), SelfAbleFrom: hf.SelfAbleFrom.ScoringDate()}
		for _, d := range hf.Procedures {
			h.ProcedureDates = append(h.ProcedureDates, d.ScoringDate())
		}
		sort.Slice(h.ProcedureDates, func(i, j int) bool { return h.ProcedureDates[i].Before(h.ProcedureDates[j]) })
		f.Households = append(f.Households, h)
		return nil
	}); err != nil {
		return f, err
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
	if err := t.EachOfficerDay(func(o int64, d Day, c DayCount) error {
		if want(o) {
			f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: o, Date: d.ScoringDate(), Households: c.Households, Procedures: c.Procedures})
		}
		return nil
	}); err != nil {
		return f, err
	}
	if err := t.EachOfficerHousehold(func(o int64, _ uint64, first Day) error {
		if want(o) {
			f.OfficerHouseholds = append(f.OfficerHouseholds, scoring.OfficerHousehold{OfficerID: o, First: first.ScoringDate()})
		}
		return nil
	}); err != nil {
		return f, err
	}
	if err := t.CheckedGuidance(func(g campaign.Guidance) error {
		if hamlet != "" && g.HamletID != hamlet && !keep[g.OfficerID] {
			return nil
		}
		f.Checks = append(f.Checks, scoring.Check{GuidanceID: g.ID, HamletID: g.HamletID, OfficerID: g.OfficerID,
			Date: t.db.Day(g.CheckedAt).ScoringDate(), Status: string(g.Check), Reason: g.CheckReason})
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
			Since: t.db.Day(e.At).ScoringDate()})
	}
	return f, nil
}
