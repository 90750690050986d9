package store

import (
	"errors"
	"time"

	"dvcbot/campaign"
)

// Evidence is one active guidance record with the household and officer it names.
type Evidence struct {
	Guidance  campaign.Guidance
	Household campaign.Household
	Officer   campaign.Officer
	Hamlet    campaign.Hamlet
}

// EachEvidence streams active records with from ≤ At < to (zero = unbounded),
// of one hamlet or all (hamlet ""), oldest first.
func (t *Tx) EachEvidence(from, to time.Time, hamlet string, fn func(Evidence) error) error {
	officers := map[campaign.PersonID]campaign.Officer{}
	hamlets := map[string]campaign.Hamlet{}
	return t.EachGuidance(from, to, func(g campaign.Guidance) error {
		if !g.Counts() || (hamlet != "" && g.HamletID != hamlet) {
			return nil
		}
		hh, err := t.Household(g.HouseholdID)
		if err != nil {
			return err
		}
		o, ok := officers[g.OfficerID]
		if !ok {
			o, err = t.Officer(g.OfficerID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			o.ID = g.OfficerID
			officers[g.OfficerID] = o
		}
		h, ok := hamlets[g.HamletID]
		if !ok {
			h, err = t.Hamlet(g.HamletID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			h.ID = g.HamletID
			hamlets[g.HamletID] = h
		}
		return fn(Evidence{Guidance: g, Household: hh, Officer: o, Hamlet: h})
	})
}
