package store

import (
	"errors"
	"fmt"
	"time"

	"dvcbot/campaign"
)

// Spot-check samples live in two buckets created by the first sample
// (CreateBucketIfNotExists in the write transaction), so that files written
// before spot checks existed need no migration: a missing bucket reads as
// "no sample yet".
//
// Households recorded as able on their own (/dabiet) are drawn and checked
// like guidance records: their draws and results live in two more buckets,
// created the same way by the first sample or result that needs them.
var (
	bSamples  = []byte("spot_samples")  // sample id 8 → JSON SpotSample
	bDrawn    = []byte("spot_drawn")    // guidance id 8 → sample id 8
	bDrawnHH  = []byte("spot_drawn_hh") // household id 8 → sample id 8: self-declared households drawn
	bHHChecks = []byte("idx_hh_checks") // household id 8 → check facts (encodeCheckFacts): self-declared households with a result
)

// ErrAlreadyDrawn means a record is already part of an earlier sample.
var ErrAlreadyDrawn = errors.New("store: record already drawn for a spot check")

// ErrNotSelfDeclared means a household drawn or checked as self-declared
// was never recorded as able on its own.
var ErrNotSelfDeclared = errors.New("store: the household is not recorded as able on its own")

// SpotSample is one random draw of guidance records for spot checks: who
// drew it, when, among which records and which ones came out.
type SpotSample struct {
	ID     uint64            `json:"id"`
	By     campaign.PersonID `json:"by"`
	At     time.Time         `json:"at"`
	Hamlet string            `json:"hamlet,omitempty"` // the hamlet asked for; "" for every hamlet
	// Eligible is the number of records the sample was drawn from (active,
	// not checked, not drawn before).
	Eligible int `json:"eligible"`
	// Requested is the sample size asked for (or computed from the rate).
	Requested int      `json:"requested"`
	Guidance  []uint64 `json:"guidance"`
	// Households are the self-declared households drawn (household ids):
	// they have no guidance record.
	Households []uint64 `json:"households,omitempty"`
}

// Size is the number of records and households drawn.
func (s SpotSample) Size() int { return len(s.Guidance) + len(s.Households) }

// AddSpotSample stores a sample and marks its records and self-declared
// households as drawn, in the same transaction, audited as
// "spotcheck.sample" (ids only, no personal data). At defaults to the
// transaction time. A record or household already drawn in an earlier
// sample, or listed twice, is refused with ErrAlreadyDrawn; one that does
// not exist with ErrNotFound; a household never recorded as able on its
// own with ErrNotSelfDeclared.
func (t *Tx) AddSpotSample(s SpotSample) (SpotSample, error) {
	samples, err := t.tx.CreateBucketIfNotExists(bSamples)
	if err != nil {
		return s, fmt.Errorf("store: spot samples bucket: %w", err)
	}
	drawn, err := t.tx.CreateBucketIfNotExists(bDrawn)
	if err != nil {
		return s, fmt.Errorf("store: drawn records bucket: %w", err)
	}
	id, err := samples.NextSequence()
	if err != nil {
		return s, fmt.Errorf("store: spot sample sequence: %w", err)
	}
	s.ID = id
	if s.At.IsZero() {
		s.At = t.now
	}
	for _, g := range s.Guidance {
		if _, err := t.Guidance(g); err != nil {
			return s, fmt.Errorf("store: spot sample %d: %w", id, err)
		}
		if drawn.Get(u64(g)) != nil {
			return s, fmt.Errorf("store: spot sample %d: record %d: %w", id, g, ErrAlreadyDrawn)
		}
		if err := drawn.Put(u64(g), u64(id)); err != nil {
			return s, fmt.Errorf("store: mark record %d drawn: %w", g, err)
		}
	}
	if len(s.Households) > 0 {
		drawnHH, err := t.tx.CreateBucketIfNotExists(bDrawnHH)
		if err != nil {
			return s, fmt.Errorf("store: drawn households bucket: %w", err)
		}
		for _, h := range s.Households {
			hh, err := t.Household(h)
			if err != nil {
				return s, fmt.Errorf("store: spot sample %d: %w", id, err)
			}
			if !hh.SelfAble {
				return s, fmt.Errorf("store: spot sample %d: household %d: %w", id, h, ErrNotSelfDeclared)
			}
			if drawnHH.Get(u64(h)) != nil {
				return s, fmt.Errorf("store: spot sample %d: household %d: %w", id, h, ErrAlreadyDrawn)
			}
			if err := drawnHH.Put(u64(h), u64(id)); err != nil {
				return s, fmt.Errorf("store: mark household %d drawn: %w", h, err)
			}
		}
	}
	if err := putJSON(samples, u64(id), s); err != nil {
		return s, fmt.Errorf("store: save spot sample %d: %w", id, err)
	}
	audit := map[string]any{"id": id, "hamlet": s.Hamlet, "eligible": s.Eligible, "requested": s.Requested, "guidance": s.Guidance}
	if len(s.Households) > 0 {
		audit["households"] = s.Households
	}
	return s, t.Audit(s.By, "spotcheck.sample", nil, audit)
}

// SpotSamples returns every sample, oldest first.
func (t *Tx) SpotSamples() ([]SpotSample, error) {
	b := t.tx.Bucket(bSamples)
	if b == nil {
		return nil, nil
	}
	var out []SpotSample
	err := b.ForEach(func(k, v []byte) error {
		var s SpotSample
		if err := getJSON(v, &s); err != nil {
			return fmt.Errorf("store: spot sample %d: %w", readU64(k), err)
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// SpotSample returns one sample by id.
func (t *Tx) SpotSample(id uint64) (SpotSample, error) {
	var s SpotSample
	b := t.tx.Bucket(bSamples)
	if b == nil {
		return s, fmt.Errorf("spot sample %d: %w", id, ErrNotFound)
	}
	v := b.Get(u64(id))
	if v == nil {
		return s, fmt.Errorf("spot sample %d: %w", id, ErrNotFound)
	}
	if err := getJSON(v, &s); err != nil {
		return s, fmt.Errorf("store: spot sample %d: %w", id, err)
	}
	return s, nil
}

// DrawnIn returns the sample a record was drawn in (false when it never was).
func (t *Tx) DrawnIn(guidanceID uint64) (uint64, bool) { return t.drawnIn(bDrawn, guidanceID) }

// EachDrawn calls fn for every record drawn in a sample, by record id.
func (t *Tx) EachDrawn(fn func(guidanceID, sampleID uint64) error) error {
	return t.eachDrawn(bDrawn, fn)
}

// drawnIn reads the sample id kept for id in a drawn bucket (bDrawn,
// bDrawnHH); false when there is none.
func (t *Tx) drawnIn(bucket []byte, id uint64) (uint64, bool) {
	b := t.tx.Bucket(bucket)
	if b == nil {
		return 0, false
	}
	v := b.Get(u64(id))
	if v == nil {
		return 0, false
	}
	return readU64(v), true
}

// eachDrawn calls fn for every id and sample id of a drawn bucket, by id.
func (t *Tx) eachDrawn(bucket []byte, fn func(id, sampleID uint64) error) error {
	b := t.tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error { return fn(readU64(k), readU64(v)) })
}

// SpotCandidates calls fn for every record a new sample may draw: active,
// without a check result, never drawn before; of one hamlet, or of every
// hamlet when hamlet is "". Records come in time order.
func (t *Tx) SpotCandidates(hamlet string, fn func(campaign.Guidance) error) error {
	drawn := t.tx.Bucket(bDrawn)
	return t.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
		if !g.Counts() || g.Check != campaign.CheckNone || (hamlet != "" && g.HamletID != hamlet) {
			return nil
		}
		if drawn != nil && drawn.Get(u64(g.ID)) != nil {
			return nil
		}
		return fn(g)
	})
}

// SelfSpotCandidates calls fn for every self-declared household a new
// sample may draw: recorded as able on its own and never guided (the
// households scoring counts as SelfAble), without a check result, never
// drawn before; of one hamlet, or of every hamlet when hamlet is "". They
// come oldest mark first, with who recorded them.
func (t *Tx) SelfSpotCandidates(hamlet string, fn func(SelfDeclared) error) error {
	drawn := t.tx.Bucket(bDrawnHH)
	return t.EachSelfDeclared(time.Time{}, time.Time{}, hamlet, func(s SelfDeclared) error {
		if s.Household.Check.Status != campaign.CheckNone {
			return nil
		}
		if drawn != nil && drawn.Get(u64(s.Household.ID)) != nil {
			return nil
		}
		return fn(s)
	})
}

// HouseholdDrawnIn returns the sample a self-declared household was drawn
// in (false when it never was).
func (t *Tx) HouseholdDrawnIn(householdID uint64) (uint64, bool) {
	return t.drawnIn(bDrawnHH, householdID)
}

// EachDrawnHousehold calls fn for every self-declared household drawn in a
// sample, by household id.
func (t *Tx) EachDrawnHousehold(fn func(householdID, sampleID uint64) error) error {
	return t.eachDrawn(bDrawnHH, fn)
}

// SetSelfCheck records the spot-check result of a self-declared household
// (status CheckNone clears it), audited as "household.check"; it takes
// effect in every figure at once: a failed result bars the household's
// hamlet and the person who recorded it as able (SelfCheck.MarkedBy) from
// every award, like a failed check of a guidance record. A household never
// recorded as able on its own is refused with ErrNotSelfDeclared (one
// whose record was undone after a first result keeps who recorded it).
func (t *Tx) SetSelfCheck(id uint64, status campaign.CheckStatus, reason string, actor campaign.PersonID) (campaign.Household, error) {
	h, err := t.Household(id)
	if err != nil {
		return h, err
	}
	markedBy := h.Check.MarkedBy
	if h.SelfAble {
		markedBy = h.SelfAbleBy
	}
	if markedBy == 0 && status != campaign.CheckNone {
		return h, fmt.Errorf("store: check household %d: %w", id, ErrNotSelfDeclared)
	}
	before := h.Check
	checks, err := t.tx.CreateBucketIfNotExists(bHHChecks)
	if err != nil {
		return h, fmt.Errorf("store: household checks bucket: %w", err)
	}
	if status == campaign.CheckNone {
		h.Check = campaign.SelfCheck{}
		err = checks.Delete(u64(id))
	} else {
		h.Check = campaign.SelfCheck{Status: status, Reason: reason, MarkedBy: markedBy, By: actor, At: t.now}
		err = checks.Put(u64(id), t.selfCheckFacts(h))
	}
	if err != nil {
		return h, fmt.Errorf("store: household check index: %w", err)
	}
	if err := putJSON(t.tx.Bucket(bHouseholds), u64(id), h); err != nil {
		return h, fmt.Errorf("store: save household check %d: %w", id, err)
	}
	return h, t.Audit(actor, "household.check", auditSelfCheck(id, h.HamletID, before), auditSelfCheck(id, h.HamletID, h.Check))
}

// auditSelfCheck is a household's check as the audit log keeps it (no
// personal data: ids and the result).
func auditSelfCheck(id uint64, hamlet string, c campaign.SelfCheck) map[string]any {
	if c.Status == campaign.CheckNone {
		return map[string]any{"household": id, "hamlet": hamlet}
	}
	return map[string]any{"household": id, "hamlet": hamlet, "check": c.Status, "reason": c.Reason, "marked_by": c.MarkedBy}
}

// selfCheckFacts is what scoring needs of a household's check: the facts
// of a guidance record's check, with the person who recorded the household.
func (t *Tx) selfCheckFacts(h campaign.Household) []byte {
	return encodeCheckFacts(t.db.Day(h.Check.At), int64(h.Check.MarkedBy), string(h.Check.Status), h.HamletID, h.Check.Reason)
}

// eachSelfCheck calls fn for every self-declared household with a check
// result, from the check facts.
func (t *Tx) eachSelfCheck(fn func(id uint64, day Day, officer int64, status, hamlet, reason []byte) error) error {
	b := t.tx.Bucket(bHHChecks)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		id := readU64(k)
		if day, officer, status, hamlet, reason, ok := decodeCheckFacts(v); ok {
			return fn(id, day, officer, status, hamlet, reason)
		}
		h, err := t.Household(id)
		if err != nil {
			return err
		}
		c := h.Check
		return fn(id, t.db.Day(c.At), int64(c.MarkedBy), []byte(c.Status), []byte(h.HamletID), []byte(c.Reason))
	})
}

// CheckedSelfDeclared calls fn for every self-declared household with a
// spot-check result, by household id.
func (t *Tx) CheckedSelfDeclared(fn func(campaign.Household) error) error {
	b := t.tx.Bucket(bHHChecks)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, _ []byte) error {
		h, err := t.Household(readU64(k))
		if err != nil {
			return err
		}
		return fn(h)
	})
}

// refreshSelfChecks writes the check facts of every checked household
// again from the households (Reindex).
func (t *Tx) refreshSelfChecks() error {
	b := t.tx.Bucket(bHHChecks)
	if b == nil {
		return nil
	}
	var ids []uint64
	if err := b.ForEach(func(k, _ []byte) error { ids = append(ids, readU64(k)); return nil }); err != nil {
		return err
	}
	for _, id := range ids {
		h, err := t.Household(id)
		if err != nil {
			return err
		}
		if h.Check.Status == campaign.CheckNone {
			err = b.Delete(u64(id))
		} else {
			err = b.Put(u64(id), t.selfCheckFacts(h))
		}
		if err != nil {
			return fmt.Errorf("store: household check index: %w", err)
		}
	}
	return nil
}
