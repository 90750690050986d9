package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sort"

	"dvcbot/campaign"
)

// NoDay marks "never" in day fields.
const NoDay Day = math.MinInt32

// HouseholdFacts is what scoring needs of one household, kept up to date
// with every record, undo and self-able mark.
type HouseholdFacts struct {
	HamletID     string
	GuidedFrom   Day            // first day of an active record, NoDay if none
	SelfAbleFrom Day            // day recorded as able on its own, NoDay if not
	Procedures   map[string]Day // first day each distinct procedure was guided
}

// Able reports whether the household counts as able to file online.
func (f HouseholdFacts) Able() bool { return f.GuidedFrom != NoDay || f.SelfAbleFrom != NoDay }

func (f HouseholdFacts) encode() []byte {
	var b bytes.Buffer
	b.WriteByte(byte(len(f.HamletID)))
	b.WriteString(f.HamletID)
	_ = binary.Write(&b, binary.BigEndian, int32(f.GuidedFrom))
	_ = binary.Write(&b, binary.BigEndian, int32(f.SelfAbleFrom))
	ids := make([]string, 0, len(f.Procedures))
	for id := range f.Procedures {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b.WriteByte(byte(len(ids)))
	for _, id := range ids {
		b.WriteByte(byte(len(id)))
		b.WriteString(id)
		_ = binary.Write(&b, binary.BigEndian, int32(f.Procedures[id]))
	}
	return b.Bytes()
}

func decodeHouseholdFacts(v []byte) (HouseholdFacts, error) {
	f := HouseholdFacts{GuidedFrom: NoDay, SelfAbleFrom: NoDay}
	bad := fmt.Errorf("store: corrupt household facts")
	if len(v) < 1 {
		return f, bad
	}
	n := int(v[0])
	if len(v) < 1+n+9 {
		return f, bad
	}
	f.HamletID = string(v[1 : 1+n])
	v = v[1+n:]
	f.GuidedFrom = Day(int32(binary.BigEndian.Uint32(v)))
	f.SelfAbleFrom = Day(int32(binary.BigEndian.Uint32(v[4:])))
	count := int(v[8])
	v = v[9:]
	f.Procedures = make(map[string]Day, count)
	for i := 0; i < count; i++ {
		if len(v) < 1 {
			return f, bad
		}
		l := int(v[0])
		if len(v) < 1+l+4 {
			return f, bad
		}
		f.Procedures[string(v[1:1+l])] = Day(int32(binary.BigEndian.Uint32(v[1+l:])))
		v = v[1+l+4:]
	}
	return f, nil
}

// HamletTotals are running counts per hamlet over all time.
type HamletTotals struct {
	Guided int // households with at least one active record
	Able   int // guided or recorded as able on their own
	Proc2  int // households with at least two distinct procedures guided
}

func (h HamletTotals) encode() []byte {
	b := make([]byte, 12)
	binary.BigEndian.PutUint32(b, uint32(h.Guided))
	binary.BigEndian.PutUint32(b[4:], uint32(h.Able))
	binary.BigEndian.PutUint32(b[8:], uint32(h.Proc2))
	return b
}

func decodeTotals(v []byte) HamletTotals {
	if len(v) < 12 {
		return HamletTotals{}
	}
	return HamletTotals{int(binary.BigEndian.Uint32(v)), int(binary.BigEndian.Uint32(v[4:])), int(binary.BigEndian.Uint32(v[8:]))}
}

// DayCount is the figures of one hamlet or officer on one day.
type DayCount struct {
	Households int // distinct households guided that day
	Procedures int // procedures guided that day
}

func (d DayCount) encode() []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(d.Households))
	binary.BigEndian.PutUint32(b[4:], uint32(d.Procedures))
	return b
}

func decodeDayCount(v []byte) DayCount {
	if len(v) < 8 {
		return DayCount{}
	}
	return DayCount{int(int32(binary.BigEndian.Uint32(v))), int(int32(binary.BigEndian.Uint32(v[4:])))}
}

func addCounter(b interface {
	Get([]byte) []byte
	Put([]byte, []byte) error
	Delete([]byte) error
}, k []byte, delta int) (before, after int, err error) {
	if v := b.Get(k); len(v) == 4 {
		before = int(int32(binary.BigEndian.Uint32(v)))
	}
	after = before + delta
	if after <= 0 {
		return before, 0, b.Delete(k)
	}
	return before, after, b.Put(k, u32(uint32(after)))
}

// countGuidance adds (delta +1) or removes (-1) a record from the per-day
// aggregates of its hamlet and officer.
func (t *Tx) countGuidance(g campaign.Guidance, delta int) error {
	day := t.db.Day(g.At).key()
	hk := cat([]byte(g.HamletID), sep, day)
	ok := cat(i64(g.OfficerID), day)
	hh := u64(g.HouseholdID)
	for _, a := range []struct {
		sets, days []byte
		key        []byte
		officer    bool // also mirrored by day first (agg_do)
	}{{bAggHDH, bAggHD, hk, false}, {bAggODH, bAggOD, ok, true}} {
		before, after, err := addCounter(t.tx.Bucket(a.sets), cat(a.key, hh), delta)
		if err != nil {
			return fmt.Errorf("store: day set: %w", err)
		}
		days := t.tx.Bucket(a.days)
		dc := decodeDayCount(days.Get(a.key))
		if before == 0 && after > 0 {
			dc.Households++
		} else if before > 0 && after == 0 {
			dc.Households--
		}
		dc.Procedures += delta * len(g.Procedures)
		if dc.Households <= 0 && dc.Procedures <= 0 {
			err = days.Delete(a.key)
		} else {
			err = days.Put(a.key, dc.encode())
		}
		if err != nil {
			return fmt.Errorf("store: day count: %w", err)
		}
		if a.officer {
			if err := t.putOfficerDayByDay(g.OfficerID, t.db.Day(g.At), dc); err != nil {
				return err
			}
		}
	}
	return nil
}

// refreshHousehold recomputes a household's facts from its records and
// applies the difference to its hamlet's totals and the officer-household
// first days.
func (t *Tx) refreshHousehold(id uint64) error {
	h, err := t.Household(id)
	if err != nil {
		return err
	}
	recs, err := t.GuidanceOfHousehold(id)
	if err != nil {
		return err
	}
	nf := HouseholdFacts{HamletID: h.HamletID, GuidedFrom: NoDay, SelfAbleFrom: NoDay, Procedures: map[string]Day{}}
	if h.SelfAble {
		nf.SelfAbleFrom = t.db.Day(h.SelfAbleAt)
	}
	officerFirst := map[int64]Day{}
	for _, g := range recs {
		if _, ok := officerFirst[g.OfficerID]; !ok {
			officerFirst[g.OfficerID] = NoDay
		}
		if !g.Counts() {
			continue
		}
		d := t.db.Day(g.At)
		if nf.GuidedFrom == NoDay || d < nf.GuidedFrom {
			nf.GuidedFrom = d
		}
		if f := officerFirst[g.OfficerID]; f == NoDay || d < f {
			officerFirst[g.OfficerID] = d
		}
		for _, p := range g.Procedures {
			if cur, ok := nf.Procedures[p]; !ok || d < cur {
				nf.Procedures[p] = d
			}
		}
	}
	hb := t.tx.Bucket(bAggHH)
	of := HouseholdFacts{GuidedFrom: NoDay, SelfAbleFrom: NoDay}
	if v := hb.Get(u64(id)); v != nil {
		if of, err = decodeHouseholdFacts(v); err != nil {
			return err
		}
	}
	if !nf.Able() && len(nf.Procedures) == 0 {
		err = hb.Delete(u64(id))
	} else {
		err = hb.Put(u64(id), nf.encode())
	}
	if err != nil {
		return fmt.Errorf("store: household facts: %w", err)
	}
	ob := t.tx.Bucket(bAggOH)
	for off, first := range officerFirst {
		k := cat(i64(off), u64(id))
		if first == NoDay {
			err = ob.Delete(k)
		} else {
			err = ob.Put(k, first.key())
		}
		if err != nil {
			return fmt.Errorf("store: officer household: %w", err)
		}
	}
	tb := t.tx.Bucket(bAggH)
	tot := decodeTotals(tb.Get([]byte(h.HamletID)))
	tot.Guided += b2i(nf.GuidedFrom != NoDay) - b2i(of.GuidedFrom != NoDay)
	tot.Able += b2i(nf.Able()) - b2i(of.Able())
	tot.Proc2 += b2i(len(nf.Procedures) >= 2) - b2i(len(of.Procedures) >= 2)
	if err := tb.Put([]byte(h.HamletID), tot.encode()); err != nil {
		return fmt.Errorf("store: hamlet totals: %w", err)
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// HamletTotals returns the running totals of a hamlet.
func (t *Tx) HamletTotals(hamlet string) HamletTotals {
	return decodeTotals(t.tx.Bucket(bAggH).Get([]byte(hamlet)))
}

// HamletDay returns a hamlet's figures for one day.
func (t *Tx) HamletDay(hamlet string, d Day) DayCount {
	return decodeDayCount(t.tx.Bucket(bAggHD).Get(cat([]byte(hamlet), sep, d.key())))
}

// HamletDays calls fn for each day with records of a hamlet in [from, to], in order.
func (t *Tx) HamletDays(hamlet string, from, to Day, fn func(Day, DayCount) error) error {
	prefix := cat([]byte(hamlet), sep)
	c := t.tx.Bucket(bAggHD).Cursor()
	for k, v := c.Seek(cat(prefix, from.key())); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		d := readDay(k[len(prefix):])
		if d > to {
			break
		}
		if err := fn(d, decodeDayCount(v)); err != nil {
			return err
		}
	}
	return nil
}

// EachHamletDay calls fn for every (hamlet, day) aggregate.
func (t *Tx) EachHamletDay(fn func(hamlet string, d Day, c DayCount) error) error {
	return t.tx.Bucket(bAggHD).ForEach(func(k, v []byte) error {
		i := bytes.IndexByte(k, 0)
		return fn(string(k[:i]), readDay(k[i+1:]), decodeDayCount(v))
	})
}

// OfficerDay returns an officer's figures for one day.
func (t *Tx) OfficerDay(officer int64, d Day) DayCount {
	return decodeDayCount(t.tx.Bucket(bAggOD).Get(cat(i64(officer), d.key())))
}

// OfficerDays calls fn for each day with records of an officer in [from, to], in order.
func (t *Tx) OfficerDays(officer int64, from, to Day, fn func(Day, DayCount) error) error {
	prefix := i64(officer)
	c := t.tx.Bucket(bAggOD).Cursor()
	for k, v := c.Seek(cat(prefix, from.key())); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		d := readDay(k[8:])
		if d > to {
			break
		}
		if err := fn(d, decodeDayCount(v)); err != nil {
			return err
		}
	}
	return nil
}

// EachOfficerDay calls fn for every (officer, day) aggregate.
func (t *Tx) EachOfficerDay(fn func(officer int64, d Day, c DayCount) error) error {
	return t.tx.Bucket(bAggOD).ForEach(func(k, v []byte) error {
		return fn(readI64(k), readDay(k[8:]), decodeDayCount(v))
	})
}

// EachOfficerHousehold calls fn for every distinct (officer, household) pair
// with an active record, with the first day.
func (t *Tx) EachOfficerHousehold(fn func(officer int64, household uint64, first Day) error) error {
	return t.tx.Bucket(bAggOH).ForEach(func(k, v []byte) error {
		return fn(readI64(k), readU64(k[8:]), readDay(v))
	})
}

// EachHouseholdFacts calls fn for every household's facts.
func (t *Tx) EachHouseholdFacts(fn func(id uint64, f HouseholdFacts) error) error {
	return t.tx.Bucket(bAggHH).ForEach(func(k, v []byte) error {
		f, err := decodeHouseholdFacts(v)
		if err != nil {
			return err
		}
		return fn(readU64(k), f)
	})
}

// SetCheck records the spot-check result of a record (audited); it takes
// effect in every figure at once.
func (t *Tx) SetCheck(id uint64, status campaign.CheckStatus, reason string, actor int64) (campaign.Guidance, error) {
	g, err := t.Guidance(id)
	if err != nil {
		return g, err
	}
	before := auditGuidance(g)
	g.Check, g.CheckReason, g.CheckedBy, g.CheckedAt = status, reason, actor, t.now
	if err := putJSON(t.tx.Bucket(bGuidance), u64(id), g); err != nil {
		return g, fmt.Errorf("store: save check: %w", err)
	}
	if status == campaign.CheckNone {
		err = t.tx.Bucket(bChecks).Delete(u64(id))
	} else {
		err = t.tx.Bucket(bChecks).Put(u64(id), nil)
	}
	if err != nil {
		return g, fmt.Errorf("store: check index: %w", err)
	}
	return g, t.Audit(actor, "guidance.check", before, auditGuidance(g))
}

// CheckedGuidance calls fn for every record with a spot-check result.
func (t *Tx) CheckedGuidance(fn func(campaign.Guidance) error) error {
	return t.tx.Bucket(bChecks).ForEach(func(k, _ []byte) error {
		g, err := t.Guidance(readU64(k))
		if err != nil {
			return err
		}
		return fn(g)
	})
}

// Reindex drops every aggregate and rebuilds it from the records.
func (t *Tx) Reindex() error {
	for _, name := range [][]byte{bAggHD, bAggHDH, bAggOD, bAggODH, bAggHH, bAggOH, bAggH, bAggDO} {
		if err := t.tx.DeleteBucket(name); err != nil {
			return fmt.Errorf("store: drop %s: %w", name, err)
		}
		if _, err := t.tx.CreateBucket(name); err != nil {
			return fmt.Errorf("store: create %s: %w", name, err)
		}
	}
	c := t.tx.Bucket(bGuidance).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var g campaign.Guidance
		if err := getJSON(v, &g); err != nil {
			return fmt.Errorf("store: guidance: %w", err)
		}
		if g.Counts() {
			if err := t.countGuidance(g, +1); err != nil {
				return err
			}
		}
	}
	hc := t.tx.Bucket(bHouseholds).Cursor()
	for k, _ := hc.First(); k != nil; k, _ = hc.Next() {
		if err := t.refreshHousehold(readU64(k)); err != nil {
			return err
		}
	}
	return nil
}

// OfficerHouseholds counts the distinct households an officer guided (active records).
func (t *Tx) OfficerHouseholds(officer int64) int {
	n := 0
	prefix := i64(officer)
	c := t.tx.Bucket(bAggOH).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		n++
	}
	return n
}
