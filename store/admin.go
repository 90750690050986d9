package store

import (
	"fmt"
	"time"

	"dvcbot/campaign"
)

// UnmarkSelfAble withdraws the "already able on its own" mark of a household
// (the officer's undo of /dabiet), audited. The household itself stays: its
// phone still identifies it when it is guided later. A household that was
// not marked is left as it is.
func (t *Tx) UnmarkSelfAble(id uint64, actor campaign.PersonID) error {
	h, err := t.Household(id)
	if err != nil {
		return err
	}
	if !h.SelfAble {
		return nil
	}
	h.SelfAble, h.SelfAbleBy, h.SelfAbleAt = false, 0, time.Time{}
	if err := putJSON(t.tx.Bucket(bHouseholds), u64(id), h); err != nil {
		return fmt.Errorf("store: save household %d: %w", id, err)
	}
	if err := t.refreshHousehold(id); err != nil {
		return err
	}
	return t.Audit(actor, "household.self_able_undo", map[string]any{"id": id}, nil)
}

// HouseholdGuided reports whether a household has at least one active
// guidance record (and so already counts in its hamlet's coverage).
func (t *Tx) HouseholdGuided(id uint64) (bool, error) {
	recs, err := t.GuidanceOfHousehold(id)
	if err != nil {
		return false, err
	}
	for _, g := range recs {
		if g.Counts() {
			return true, nil
		}
	}
	return false, nil
}

// OfficerActivity is what /canbo shows of an officer's work: the distinct
// households guided, the days with at least one active record, and the
// last such day (NoDay when none).
type OfficerActivity struct {
	Households int
	DaysActive int
	LastDay    Day
}

// OfficerActivity sums an officer's work from the aggregates.
func (t *Tx) OfficerActivity(officer campaign.PersonID) (OfficerActivity, error) {
	a := OfficerActivity{Households: t.OfficerHouseholds(officer), LastDay: NoDay}
	err := t.OfficerDays(officer, NoDay+1, Day(1<<30), func(d Day, c DayCount) error {
		if c.Households > 0 || c.Procedures > 0 {
			a.DaysActive++
			a.LastDay = d
		}
		return nil
	})
	if err != nil {
		return a, fmt.Errorf("store: activity of officer %d: %w", officer, err)
	}
	return a, nil
}
