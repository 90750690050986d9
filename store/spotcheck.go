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
var (
	bSamples = []byte("spot_samples") // sample id 8 → JSON SpotSample
	bDrawn   = []byte("spot_drawn")   // guidance id 8 → sample id 8
)

// ErrAlreadyDrawn means a record is already part of an earlier sample.
var ErrAlreadyDrawn = errors.New("store: record already drawn for a spot check")

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
}

// AddSpotSample stores a sample and marks its records as drawn, in the same
// transaction, audited as "spotcheck.sample" (record ids only, no personal
// data). At defaults to the transaction time. A record already drawn in an
// earlier sample, or listed twice, is refused with ErrAlreadyDrawn; a record
// that does not exist with ErrNotFound.
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
	if err := putJSON(samples, u64(id), s); err != nil {
		return s, fmt.Errorf("store: save spot sample %d: %w", id, err)
	}
	return s, t.Audit(s.By, "spotcheck.sample", nil, map[string]any{"id": id, "hamlet": s.Hamlet,
		"eligible": s.Eligible, "requested": s.Requested, "guidance": s.Guidance})
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
func (t *Tx) DrawnIn(guidanceID uint64) (uint64, bool) {
	b := t.tx.Bucket(bDrawn)
	if b == nil {
		return 0, false
	}
	v := b.Get(u64(guidanceID))
	if v == nil {
		return 0, false
	}
	return readU64(v), true
}

// EachDrawn calls fn for every record drawn in a sample, by record id.
func (t *Tx) EachDrawn(fn func(guidanceID, sampleID uint64) error) error {
	b := t.tx.Bucket(bDrawn)
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
