package store

import (
	"errors"
	"fmt"
	"slices"
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
	names := t.namesOf()
	return t.EachGuidance(from, to, func(g campaign.Guidance) error {
		if !g.Counts() || (hamlet != "" && g.HamletID != hamlet) {
			return nil
		}
		hh, err := t.Household(g.HouseholdID)
		if err != nil {
			return err
		}
		o, err := names.officer(g.OfficerID)
		if err != nil {
			return err
		}
		h, err := names.hamlet(g.HamletID)
		if err != nil {
			return err
		}
		return fn(Evidence{Guidance: g, Household: hh, Officer: o, Hamlet: h})
	})
}

// evidenceNames reads each person and hamlet a list names once. One no
// longer stored is the zero value with its id set.
type evidenceNames struct {
	t        *Tx
	officers map[campaign.PersonID]campaign.Officer
	hamlets  map[string]campaign.Hamlet
}

func (t *Tx) namesOf() *evidenceNames {
	return &evidenceNames{t: t, officers: map[campaign.PersonID]campaign.Officer{}, hamlets: map[string]campaign.Hamlet{}}
}

func (n *evidenceNames) officer(id campaign.PersonID) (campaign.Officer, error) {
	if o, ok := n.officers[id]; ok {
		return o, nil
	}
	o, err := n.t.Officer(id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return o, err
	}
	o.ID = id
	n.officers[id] = o
	return o, nil
}

func (n *evidenceNames) hamlet(id string) (campaign.Hamlet, error) {
	if h, ok := n.hamlets[id]; ok {
		return h, nil
	}
	h, err := n.t.Hamlet(id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return h, err
	}
	h.ID = id
	n.hamlets[id] = h
	return h, nil
}

// SelfDeclared is a household recorded as able to file online on its own
// (/dabiet), with its hamlet and the person who recorded it: a row of the
// evidence lists, marked as self-declared.
type SelfDeclared struct {
	Household campaign.Household
	Hamlet    campaign.Hamlet
	// MarkedBy is who recorded it (ID set even when the person is no
	// longer registered).
	MarkedBy campaign.Officer
}

// EachSelfDeclared streams the households recorded as able on their own
// with from ≤ SelfAbleAt < to (zero = unbounded), of one hamlet or all
// (hamlet ""), oldest mark first, leaving out those an active record
// guided before to: they are on the lists by their records. As of the day
// before a midnight to, these are exactly the households scoring counts as
// SelfAble (able without guidance).
func (t *Tx) EachSelfDeclared(from, to time.Time, hamlet string, fn func(SelfDeclared) error) error {
	fromDay, lastDay := NoDay, Day(1<<30)
	if !from.IsZero() {
		fromDay = t.db.Day(from)
	}
	if !to.IsZero() {
		lastDay = t.db.Day(to.Add(-time.Nanosecond))
	}
	var ids []uint64
	c := t.tx.Bucket(bHH).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		r, err := readFacts(v)
		if err != nil {
			return fmt.Errorf("store: self-declared households: %w", err)
		}
		if r.self == NoDay || r.self < fromDay || r.self > lastDay || (hamlet != "" && string(r.hamlet) != hamlet) {
			continue
		}
		switch gf := r.guidedFrom(); {
		case gf == NoDay || gf > lastDay:
		case gf < lastDay:
			continue // guided before to
		default: // guided on to's day: before or after to?
			guided, err := t.guidedBefore(&r, to)
			if err != nil {
				return err
			}
			if guided {
				continue
			}
		}
		ids = append(ids, readU64(k))
	}
	rows := make([]SelfDeclared, 0, len(ids))
	names := t.namesOf()
	for _, id := range ids {
		hh, err := t.Household(id)
		if err != nil {
			return err
		}
		if !hh.SelfAble || (!from.IsZero() && hh.SelfAbleAt.Before(from)) || (!to.IsZero() && !hh.SelfAbleAt.Before(to)) {
			continue
		}
		h, err := names.hamlet(hh.HamletID)
		if err != nil {
			return err
		}
		o, err := names.officer(hh.SelfAbleBy)
		if err != nil {
			return err
		}
		rows = append(rows, SelfDeclared{Household: hh, Hamlet: h, MarkedBy: o})
	}
	slices.SortStableFunc(rows, func(a, b SelfDeclared) int { return a.Household.SelfAbleAt.Compare(b.Household.SelfAbleAt) })
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// guidedBefore reports whether an active record of the household is dated
// before to.
func (t *Tx) guidedBefore(r *factsReader, to time.Time) (bool, error) {
	for i := range r.nRecs {
		g, err := t.Guidance(r.record(i))
		if err != nil {
			return false, err
		}
		if g.Counts() && g.At.Before(to) {
			return true, nil
		}
	}
	return false, nil
}

// HouseholdsGuidedBy counts the distinct households that any of officers
// guided by active records on or before day through: the total of an
// award proposal's individuals table, where a household two of them guided
// counts once (the rows add up to more).
func (t *Tx) HouseholdsGuidedBy(officers []campaign.PersonID, through Day) (int, error) {
	want := make(map[int64]bool, len(officers))
	for _, o := range officers {
		want[int64(o)] = true
	}
	n := 0
	err := t.tx.Bucket(bHH).ForEach(func(_, v []byte) error {
		r, err := readFacts(v)
		if err != nil {
			return fmt.Errorf("store: households guided by officers: %w", err)
		}
		for i := range r.nVis {
			if vi := r.visit(i); vi.day <= through && want[vi.officer] {
				n++
				break
			}
		}
		return nil
	})
	return n, err
}
