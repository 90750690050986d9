package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"

	"dvcbot/campaign"
)

// NoDay marks "never" in day fields.
const NoDay Day = math.MinInt32

// HouseholdFacts is what scoring needs of one household, kept up to date
// with every record, undo and self-able mark. It is stored in one value
// with the ids of the household's records (bucket hh), the index that
// every new record writes anyway: the facts ride on the page that write
// dirties instead of dirtying a page of their own.
type HouseholdFacts struct {
	HamletID     string
	GuidedFrom   Day            // first day of an active record, NoDay if none
	SelfAbleFrom Day            // day recorded as able on its own, NoDay if not
	Procedures   map[string]Day // first day each distinct procedure was guided
	// visits are the household's active records by day and officer, ordered
	// by day then officer: what the day counts of its hamlet and officers
	// hold of it, so that a new record updates them without reading the
	// household's other records.
	visits []visit
	// records are the ids of every record of the household (retracted
	// ones too), ascending: the household's index, not a fact.
	records []uint64
}

// visit counts a household's active records by one officer on one day.
type visit struct {
	day        Day
	officer    int64
	records    int
	procedures int
}

// Able reports whether the household counts as able to file online.
func (f HouseholdFacts) Able() bool { return f.GuidedFrom != NoDay || f.SelfAbleFrom != NoDay }

// empty reports whether nothing is known of the household worth keeping.
func (f HouseholdFacts) empty() bool {
	return !f.Able() && len(f.Procedures) == 0 && len(f.visits) == 0 && len(f.records) == 0
}

// addVisit counts records (procedures) by officer on day d.
func (f *HouseholdFacts) addVisit(d Day, officer int64, records, procedures int) {
	i, found := slices.BinarySearchFunc(f.visits, visit{day: d, officer: officer}, cmpVisit)
	if !found {
		f.visits = slices.Insert(f.visits, i, visit{day: d, officer: officer})
	}
	f.visits[i].records += records
	f.visits[i].procedures += procedures
	if f.GuidedFrom == NoDay || d < f.GuidedFrom {
		f.GuidedFrom = d
	}
}

func cmpVisit(a, b visit) int {
	if a.day != b.day {
		return cmp.Compare(a.day, b.day)
	}
	return cmp.Compare(a.officer, b.officer)
}

func (f HouseholdFacts) clone() HouseholdFacts {
	f.Procedures = maps.Clone(f.Procedures)
	if f.Procedures == nil {
		f.Procedures = map[string]Day{}
	}
	f.visits = slices.Clone(f.visits)
	f.records = slices.Clone(f.records)
	return f
}

// Encoding (binary, big-endian): hamlet length 1 | hamlet | self-able day
// 4 | procedure count 1 | (id length 1 | id | first day 4)… | visit count
// 2 | (day 4 | officer 8 | records 2 | procedures 2)… | record count 4 |
// record id 8…, procedures by id. The first guided day is the first
// visit's.
func (f HouseholdFacts) encode() []byte {
	ids := make([]string, 0, len(f.Procedures))
	n := 1 + len(f.HamletID) + 4 + 1 + 2 + 16*len(f.visits) + 4 + 8*len(f.records)
	for id := range f.Procedures {
		ids = append(ids, id)
		n += 1 + len(id) + 4
	}
	sort.Strings(ids)
	b := make([]byte, 0, n)
	b = append(b, byte(len(f.HamletID)))
	b = append(b, f.HamletID...)
	b = binary.BigEndian.AppendUint32(b, uint32(int32(f.SelfAbleFrom)))
	b = append(b, byte(len(ids)))
	for _, id := range ids {
		b = append(b, byte(len(id)))
		b = append(b, id...)
		b = binary.BigEndian.AppendUint32(b, uint32(int32(f.Procedures[id])))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(f.visits)))
	for _, v := range f.visits {
		b = binary.BigEndian.AppendUint32(b, uint32(int32(v.day)))
		b = binary.BigEndian.AppendUint64(b, uint64(v.officer))
		b = binary.BigEndian.AppendUint16(b, uint16(min(v.records, math.MaxUint16)))
		b = binary.BigEndian.AppendUint16(b, uint16(min(v.procedures, math.MaxUint16)))
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(f.records)))
	for _, id := range f.records {
		b = binary.BigEndian.AppendUint64(b, id)
	}
	return b
}

// appendRecord is an encoded HouseholdFacts (nil: none yet, of hamlet)
// with one more record id, its facts unchanged: what a store without
// aggregates would write (the benchmark's comparison only).
func appendRecord(v []byte, hamlet string, id uint64) ([]byte, error) {
	if v == nil {
		v = HouseholdFacts{HamletID: hamlet, SelfAbleFrom: NoDay}.encode()
	}
	r, err := readFacts(v)
	if err != nil {
		return nil, err
	}
	at := len(v) - len(r.recs) - 4
	out := make([]byte, 0, len(v)+8)
	out = append(out, v[:at]...)
	out = binary.BigEndian.AppendUint32(out, uint32(r.nRecs+1))
	out = append(out, r.recs...)
	return binary.BigEndian.AppendUint64(out, id), nil
}

var errCorruptFacts = errors.New("store: corrupt household facts (run dvcbot reindex)")

// factsReader walks an encoded HouseholdFacts without allocating.
type factsReader struct {
	v      []byte
	hamlet []byte
	self   Day
	nProcs int
	procs  []byte // the procedures part
	nVis   int
	vis    []byte // the visits part
	nRecs  int
	recs   []byte // the record ids part
}

func readFacts(v []byte) (factsReader, error) {
	r := factsReader{v: v}
	if len(v) < 1 || len(v) < 1+int(v[0])+5 {
		return r, errCorruptFacts
	}
	n := int(v[0])
	r.hamlet = v[1 : 1+n]
	v = v[1+n:]
	r.self = Day(int32(binary.BigEndian.Uint32(v)))
	r.nProcs = int(v[4])
	v = v[5:]
	start := v
	for range r.nProcs {
		if len(v) < 1 || len(v) < 1+int(v[0])+4 {
			return r, errCorruptFacts
		}
		v = v[1+int(v[0])+4:]
	}
	r.procs = start[:len(start)-len(v)]
	if len(v) < 2 {
		return r, errCorruptFacts
	}
	r.nVis = int(binary.BigEndian.Uint16(v))
	v = v[2:]
	if len(v) < 16*r.nVis+4 {
		return r, errCorruptFacts
	}
	r.vis, v = v[:16*r.nVis], v[16*r.nVis:]
	r.nRecs = int(binary.BigEndian.Uint32(v))
	r.recs = v[4:]
	if len(r.recs) != 8*r.nRecs {
		return r, errCorruptFacts
	}
	return r, nil
}

// noFacts reports whether the household has nothing scoring counts: only
// retracted records.
func (r *factsReader) noFacts() bool { return r.nVis == 0 && r.nProcs == 0 && r.self == NoDay }

// record is the i-th record id.
func (r *factsReader) record(i int) uint64 { return binary.BigEndian.Uint64(r.recs[8*i:]) }

// procedure returns the i-th procedure's id and first day.
func (r *factsReader) eachProcedure(fn func(id []byte, first Day)) {
	v := r.procs
	for range r.nProcs {
		l := int(v[0])
		fn(v[1:1+l], Day(int32(binary.BigEndian.Uint32(v[1+l:]))))
		v = v[1+l+4:]
	}
}

func (r *factsReader) visit(i int) visit {
	v := r.vis[16*i:]
	return visit{day: Day(int32(binary.BigEndian.Uint32(v))), officer: int64(binary.BigEndian.Uint64(v[4:])),
		records: int(binary.BigEndian.Uint16(v[12:])), procedures: int(binary.BigEndian.Uint16(v[14:]))}
}

// guidedFrom is the first visit's day, NoDay without visits.
func (r *factsReader) guidedFrom() Day {
	if r.nVis == 0 {
		return NoDay
	}
	return Day(int32(binary.BigEndian.Uint32(r.vis)))
}

func decodeHouseholdFacts(v []byte) (HouseholdFacts, error) {
	r, err := readFacts(v)
	if err != nil {
		return HouseholdFacts{GuidedFrom: NoDay, SelfAbleFrom: NoDay}, err
	}
	f := HouseholdFacts{HamletID: string(r.hamlet), GuidedFrom: r.guidedFrom(), SelfAbleFrom: r.self,
		Procedures: make(map[string]Day, r.nProcs), visits: make([]visit, r.nVis)}
	r.eachProcedure(func(id []byte, first Day) { f.Procedures[string(id)] = first })
	for i := range f.visits {
		f.visits[i] = r.visit(i)
	}
	if r.nRecs > 0 {
		f.records = make([]uint64, r.nRecs)
		for i := range f.records {
			f.records[i] = r.record(i)
		}
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

// Day counts are keyed by day first (agg_dh: day | hamlet), so that the
// reports of one day, which come together in one batch, change a few
// neighbouring pages rather than one page per hamlet. The officers' counts
// of the day are kept in the same value, after the hamlet's: a report
// changes one row for both, on a page its hamlet's count dirties anyway.
// Value: households 4 | procedures 4 | (officer 8 | households 4 |
// procedures 4)…, officers ascending; the officers are those whose
// records of that day are of the hamlet's households.
func hamletDayKey(hamlet string, d Day) []byte { return cat(d.key(), []byte(hamlet)) }

// officerCount is one officer's figures in a hamlet-day row.
type officerCount struct {
	officer int64
	DayCount
}

const officerCountSize = 16

func readOfficerCount(v []byte) officerCount {
	return officerCount{int64(binary.BigEndian.Uint64(v)), DayCount{int(int32(binary.BigEndian.Uint32(v[8:]))), int(int32(binary.BigEndian.Uint32(v[12:])))}}
}

// rowOfficers is the officers' part of a hamlet-day row (whole entries only).
func rowOfficers(v []byte) []byte {
	if len(v) < 8 {
		return nil
	}
	v = v[8:]
	return v[:len(v)/officerCountSize*officerCountSize]
}

// addDayRow adds delta to the hamlet's count of a day and each of offs to
// its officer's, deleting what falls to nothing, and returns the hamlet's
// households before and after.
func addDayRow(b kv, k []byte, delta DayCount, offs []officerCount) (before, after int, err error) {
	if delta == (DayCount{}) && len(offs) == 0 {
		return 0, 0, nil
	}
	v := b.Get(k)
	dc := decodeDayCount(v)
	before = dc.Households
	dc.Households += delta.Households
	dc.Procedures += delta.Procedures
	old := rowOfficers(v)
	counts := make([]officerCount, 0, len(old)/officerCountSize+len(offs))
	for i := 0; i < len(old); i += officerCountSize {
		counts = append(counts, readOfficerCount(old[i:]))
	}
	for _, o := range offs {
		i, found := slices.BinarySearchFunc(counts, o.officer, func(c officerCount, id int64) int { return cmp.Compare(c.officer, id) })
		if !found {
			counts = slices.Insert(counts, i, officerCount{officer: o.officer})
		}
		counts[i].Households += o.Households
		counts[i].Procedures += o.Procedures
		if counts[i].Households <= 0 && counts[i].Procedures <= 0 {
			counts = slices.Delete(counts, i, i+1)
		}
	}
	if dc.Households <= 0 && dc.Procedures <= 0 && len(counts) == 0 {
		return before, 0, b.Delete(k)
	}
	out := make([]byte, 8, 8+officerCountSize*len(counts))
	binary.BigEndian.PutUint32(out, uint32(dc.Households))
	binary.BigEndian.PutUint32(out[4:], uint32(dc.Procedures))
	for _, c := range counts {
		out = binary.BigEndian.AppendUint64(out, uint64(c.officer))
		out = binary.BigEndian.AppendUint32(out, uint32(c.Households))
		out = binary.BigEndian.AppendUint32(out, uint32(c.Procedures))
	}
	return before, dc.Households, b.Put(k, out)
}

// countRecord counts a new active record: the household's facts gain a
// visit, and the difference goes to the day counts and totals. Only the
// household's facts are read, never its other records.
func (t *Tx) countRecord(g campaign.Guidance) error {
	old, err := t.householdFacts(g.HouseholdID)
	if err != nil {
		return err
	}
	nf := old.clone()
	nf.records = append(nf.records, g.ID) // ids only grow
	d := t.db.Day(g.At)
	nf.addVisit(d, int64(g.OfficerID), 1, len(g.Procedures))
	for _, p := range g.Procedures {
		if cur, ok := nf.Procedures[p]; !ok || d < cur {
			nf.Procedures[p] = d
		}
	}
	return t.applyFacts(g.HouseholdID, old, nf, t.aggTargets())
}

// householdFacts reads a household's stored facts; a household without
// any yet gets its hamlet from the household record.
func (t *Tx) householdFacts(id uint64) (HouseholdFacts, error) {
	if v := t.tx.Bucket(bHH).Get(u64(id)); v != nil {
		return decodeHouseholdFacts(v)
	}
	h, err := t.Household(id)
	if err != nil {
		return HouseholdFacts{}, err
	}
	return HouseholdFacts{HamletID: h.HamletID, GuidedFrom: NoDay, SelfAbleFrom: NoDay, Procedures: map[string]Day{}}, nil
}

// refreshHousehold recomputes a household's facts from its records (after
// an undo or a self-able mark) and applies the difference.
func (t *Tx) refreshHousehold(id uint64) error {
	old, err := t.householdFacts(id)
	if err != nil {
		return err
	}
	nf, err := t.computeFacts(id, old.records)
	if err != nil {
		return err
	}
	return t.applyFacts(id, old, nf, t.aggTargets())
}

// computeFacts is a household's facts from its record and its records
// (ids, ascending).
func (t *Tx) computeFacts(id uint64, ids []uint64) (HouseholdFacts, error) {
	h, err := t.Household(id)
	if err != nil {
		return HouseholdFacts{}, err
	}
	recs := make([]campaign.Guidance, len(ids))
	for i, gid := range ids {
		if recs[i], err = t.Guidance(gid); err != nil {
			return HouseholdFacts{}, err
		}
	}
	nf := HouseholdFacts{HamletID: h.HamletID, GuidedFrom: NoDay, SelfAbleFrom: NoDay, Procedures: map[string]Day{},
		records: slices.Clone(ids)}
	if h.SelfAble {
		nf.SelfAbleFrom = t.db.Day(h.SelfAbleAt)
	}
	for _, g := range recs {
		if !g.Counts() {
			continue
		}
		d := t.db.Day(g.At)
		nf.addVisit(d, int64(g.OfficerID), 1, len(g.Procedures))
		for _, p := range g.Procedures {
			if cur, ok := nf.Procedures[p]; !ok || d < cur {
				nf.Procedures[p] = d
			}
		}
	}
	return nf, nil
}

// kv is what applyFacts writes aggregates to: a bbolt bucket, or while
// Reindex rebuilds them, a map written out in key order at the end.
type kv interface {
	Get(key []byte) []byte
	Put(key, value []byte) error
	Delete(key []byte) error
}

// aggs are where applyFacts writes; runs is false while Reindex rebuilds
// (it builds the runs from the day counts at the end).
type aggs struct {
	hh, dh, h kv
	runs      bool
}

// aggTargets are the aggregate buckets themselves.
func (t *Tx) aggTargets() aggs {
	hd, tb := t.tx.Bucket(bAggDH), t.tx.Bucket(bAggH)
	hd.FillPercent = dayFirstFill
	tb.FillPercent = 1 // one fixed-size value per hamlet, never more
	return aggs{hh: t.tx.Bucket(bHH), dh: hd, h: tb, runs: true}
}

// memKV is a kv in memory, written to a bucket in key order by flush: a
// bbolt transaction splits pages only at commit, so millions of puts in
// random order into one bucket would each move half a growing page.
type memKV map[string][]byte

func (m memKV) Get(k []byte) []byte { return m[string(k)] }

func (m memKV) Put(k, v []byte) error { m[string(k)] = v; return nil }

func (m memKV) Delete(k []byte) error { delete(m, string(k)); return nil }

func (m memKV) flush(b *bolt.Bucket) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := b.Put([]byte(k), m[k]); err != nil {
			return err
		}
	}
	return nil
}

// applyFacts stores a household's new facts and applies the difference
// from the old ones to its hamlet's and officers' day counts, its hamlet's
// runs of days and its hamlet's totals. Visits are ordered by day then
// officer, so one merge finds every change.
func (t *Tx) applyFacts(id uint64, old, nf HouseholdFacts, to aggs) error {
	hamlet := nf.HamletID
	hd, runs := to.dh, to.runs
	present := func(n int) int { return b2i(n > 0) }
	// Per day: the hamlet's households and procedures before and after,
	// and the changes of its officers' counts.
	var dayOld, dayNew DayCount
	var offs []officerCount
	flushDay := func(d Day) error {
		delta := DayCount{present(dayNew.Households) - present(dayOld.Households), dayNew.Procedures - dayOld.Procedures}
		dayOld, dayNew = DayCount{}, DayCount{}
		before, after, err := addDayRow(hd, hamletDayKey(hamlet, d), delta, offs)
		offs = offs[:0]
		if err != nil {
			return fmt.Errorf("store: hamlet day count: %w", err)
		}
		switch {
		case !runs:
		case before <= 0 && after > 0:
			err = t.runAdd(hamlet, d)
		case before > 0 && after <= 0:
			err = t.runRemove(hamlet, d)
		}
		return err
	}
	i, j := 0, 0
	for i < len(old.visits) || j < len(nf.visits) {
		var a, b visit
		switch {
		case j == len(nf.visits) || (i < len(old.visits) && cmpVisit(old.visits[i], nf.visits[j]) < 0):
			a, b = old.visits[i], visit{day: old.visits[i].day, officer: old.visits[i].officer}
			i++
		case i == len(old.visits) || cmpVisit(old.visits[i], nf.visits[j]) > 0:
			a, b = visit{day: nf.visits[j].day, officer: nf.visits[j].officer}, nf.visits[j]
			j++
		default:
			a, b = old.visits[i], nf.visits[j]
			i++
			j++
		}
		dayOld.Households += a.records
		dayOld.Procedures += a.procedures
		dayNew.Households += b.records
		dayNew.Procedures += b.procedures
		if a != b {
			offs = append(offs, officerCount{a.officer, DayCount{present(b.records) - present(a.records), b.procedures - a.procedures}})
		}
		// The day ends when the next visit (in either list) is on another day.
		next := NoDay
		if i < len(old.visits) {
			next = old.visits[i].day
		}
		if j < len(nf.visits) && (next == NoDay || nf.visits[j].day < next) {
			next = nf.visits[j].day
		}
		if next != a.day {
			if err := flushDay(a.day); err != nil {
				return err
			}
		}
	}
	hb := to.hh
	var err error
	if nf.empty() {
		err = hb.Delete(u64(id))
	} else {
		err = hb.Put(u64(id), nf.encode())
	}
	if err != nil {
		return fmt.Errorf("store: household facts: %w", err)
	}
	dg := b2i(nf.GuidedFrom != NoDay) - b2i(old.GuidedFrom != NoDay)
	da := b2i(nf.Able()) - b2i(old.Able())
	dp := b2i(len(nf.Procedures) >= 2) - b2i(len(old.Procedures) >= 2)
	if dg == 0 && da == 0 && dp == 0 {
		return nil
	}
	tb := to.h
	tot := decodeTotals(tb.Get([]byte(hamlet)))
	tot.Guided += dg
	tot.Able += da
	tot.Proc2 += dp
	if tot == (HamletTotals{}) {
		err = tb.Delete([]byte(hamlet))
	} else {
		err = tb.Put([]byte(hamlet), tot.encode())
	}
	if err != nil {
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
	return decodeDayCount(t.tx.Bucket(bAggDH).Get(hamletDayKey(hamlet, d)))
}

// dayRange limits from..to to the days a day-first bucket holds.
func dayRange(b *bolt.Bucket, from, to Day) (Day, Day) {
	c := b.Cursor()
	first, _ := c.First()
	last, _ := c.Last()
	if first == nil {
		return 1, 0
	}
	return max(from, readDay(first)), min(to, readDay(last))
}

// HamletDays calls fn for each day with records of a hamlet in [from, to], in order.
func (t *Tx) HamletDays(hamlet string, from, to Day, fn func(Day, DayCount) error) error {
	b := t.tx.Bucket(bAggDH)
	from, to = dayRange(b, from, to)
	for d := from; d <= to; d++ {
		if v := b.Get(hamletDayKey(hamlet, d)); v != nil {
			if err := fn(d, decodeDayCount(v)); err != nil {
				return err
			}
		}
	}
	return nil
}

// EachHamletDay calls fn for every (hamlet, day) aggregate, by day then hamlet.
func (t *Tx) EachHamletDay(fn func(hamlet string, d Day, c DayCount) error) error {
	return t.tx.Bucket(bAggDH).ForEach(func(k, v []byte) error {
		return fn(string(k[4:]), readDay(k), decodeDayCount(v))
	})
}

// OfficerDay returns an officer's figures for one day.
func (t *Tx) OfficerDay(officer campaign.PersonID, d Day) DayCount {
	var dc DayCount
	_ = t.OfficerDays(officer, d, d, func(_ Day, c DayCount) error { dc = c; return nil })
	return dc
}

// OfficerRecordsOn counts the records an officer made on local day d,
// undone ones included, from the officer index alone (no record is read),
// stopping at limit: a cheap upper bound of OfficerDay(officer,
// d).Households, for checks that need only know it is not above a bound.
func (t *Tx) OfficerRecordsOn(officer campaign.PersonID, d Day, limit int) int {
	start, end := max(t.dayStart(d), 0), t.dayStart(d+1)
	prefix := i64(int64(officer))
	c := t.tx.Bucket(bGOfficer).Cursor()
	n := 0
	for k, _ := c.Seek(cat(prefix, u64(uint64(start)))); k != nil && n < limit && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if int64(readU64(k[8:16])) >= end {
			break
		}
		n++
	}
	return n
}

// OfficerDays calls fn for each day with records of an officer in [from,
// to], in order. The officer's records in those days tell which hamlets'
// rows hold their counts (their own hamlet's, but records stay with the
// hamlet they were made in).
func (t *Tx) OfficerDays(officer campaign.PersonID, from, to Day, fn func(Day, DayCount) error) error {
	type dayHamlet struct {
		d      Day
		hamlet string
	}
	var rows []dayHamlet
	// A day longer than 24 hours each side covers any zone's local day.
	start := max(t.dayStart(from)-2*86400, 0)
	end := max(t.dayStart(to)+3*86400, 0)
	prefix := i64(int64(officer))
	c := t.tx.Bucket(bGOfficer).Cursor()
	for k, _ := c.Seek(cat(prefix, u64(uint64(start)))); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if int64(readU64(k[8:16])) >= end {
			break
		}
		g, err := t.Guidance(readU64(k[16:]))
		if err != nil {
			return err
		}
		if d := t.db.Day(g.At); d >= from && d <= to {
			rows = append(rows, dayHamlet{d, g.HamletID})
		}
	}
	slices.SortFunc(rows, func(a, b dayHamlet) int { return cmp.Or(cmp.Compare(a.d, b.d), cmp.Compare(a.hamlet, b.hamlet)) })
	rows = slices.Compact(rows)
	b := t.tx.Bucket(bAggDH)
	for i := 0; i < len(rows); {
		d := rows[i].d
		var sum DayCount
		found := false
		for ; i < len(rows) && rows[i].d == d; i++ {
			v := rowOfficers(b.Get(hamletDayKey(rows[i].hamlet, d)))
			for j := 0; j < len(v); j += officerCountSize {
				if oc := readOfficerCount(v[j:]); oc.officer == int64(officer) {
					sum.Households += oc.Households
					sum.Procedures += oc.Procedures
					found = true
				}
			}
		}
		if found {
			if err := fn(d, sum); err != nil {
				return err
			}
		}
	}
	return nil
}

// dayStart is the Unix time local day d starts at, saturating far from today.
func (t *Tx) dayStart(d Day) int64 {
	d = min(max(d, -1_000_000), 1_000_000)
	y, m, dd := d.Date().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, t.db.loc).Unix()
}

// EachOfficerDay calls fn for every (officer, day) aggregate, by day then officer.
func (t *Tx) EachOfficerDay(fn func(officer int64, d Day, c DayCount) error) error {
	return t.eachOfficerDay(NoDay+1, Day(1<<30), nil, fn)
}

// eachOfficerDay calls fn for every (officer, day) count with from ≤ day ≤
// to of the officers want accepts (nil: all), by day then officer, from
// the hamlet-day rows of those days: an officer with records in two
// hamlets on one day is called once with the sum.
func (t *Tx) eachOfficerDay(from, to Day, want func(int64) bool, fn func(officer int64, d Day, c DayCount) error) error {
	var day []officerCount
	cur := NoDay
	flush := func() error {
		if len(day) > 1 {
			slices.SortFunc(day, func(a, b officerCount) int { return cmp.Compare(a.officer, b.officer) })
		}
		for i := 0; i < len(day); i++ {
			o := day[i]
			for i+1 < len(day) && day[i+1].officer == o.officer {
				i++
				o.Households += day[i].Households
				o.Procedures += day[i].Procedures
			}
			if err := fn(o.officer, cur, o.DayCount); err != nil {
				return err
			}
		}
		day = day[:0]
		return nil
	}
	c := t.tx.Bucket(bAggDH).Cursor()
	for k, v := c.Seek(from.key()); k != nil; k, v = c.Next() {
		d := readDay(k)
		if d > to {
			break
		}
		if d != cur {
			if err := flush(); err != nil {
				return err
			}
			cur = d
		}
		offs := rowOfficers(v)
		for j := 0; j < len(offs); j += officerCountSize {
			if oc := readOfficerCount(offs[j:]); want == nil || want(oc.officer) {
				day = append(day, oc)
			}
		}
	}
	return flush()
}

// EachOfficerHousehold calls fn for every distinct (officer, household) pair
// with an active record, with the first day, by household.
func (t *Tx) EachOfficerHousehold(fn func(officer int64, household uint64, first Day) error) error {
	return t.tx.Bucket(bHH).ForEach(func(k, v []byte) error {
		r, err := readFacts(v)
		if err != nil {
			return err
		}
		id := readU64(k)
		return r.eachOfficer(func(o int64, first Day) error { return fn(o, id, first) })
	})
}

// eachOfficer calls fn for each officer with a visit, with their first day,
// by officer.
func (r *factsReader) eachOfficer(fn func(officer int64, first Day) error) error {
	if r.nVis == 1 {
		v := r.visit(0)
		return fn(v.officer, v.day)
	}
	var firsts []visit // few: one per officer
	for i := range r.nVis {
		v := r.visit(i)
		k := slices.IndexFunc(firsts, func(f visit) bool { return f.officer == v.officer })
		if k < 0 {
			firsts = append(firsts, v) // visits come by day: the first is the earliest
		}
	}
	slices.SortFunc(firsts, func(a, b visit) int { return cmp.Compare(a.officer, b.officer) })
	for _, f := range firsts {
		if err := fn(f.officer, f.day); err != nil {
			return err
		}
	}
	return nil
}

// EachHouseholdFacts calls fn for every household with facts (not for
// one with retracted records only).
func (t *Tx) EachHouseholdFacts(fn func(id uint64, f HouseholdFacts) error) error {
	return t.tx.Bucket(bHH).ForEach(func(k, v []byte) error {
		if r, err := readFacts(v); err != nil || r.noFacts() {
			return err
		}
		f, err := decodeHouseholdFacts(v)
		if err != nil {
			return err
		}
		return fn(readU64(k), f)
	})
}

// SetCheck records the spot-check result of a record (audited); it takes
// effect in every figure at once.
func (t *Tx) SetCheck(id uint64, status campaign.CheckStatus, reason string, actor campaign.PersonID) (campaign.Guidance, error) {
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
		err = t.tx.Bucket(bChecks).Put(u64(id), t.checkFacts(g))
	}
	if err != nil {
		return g, fmt.Errorf("store: check index: %w", err)
	}
	return g, t.Audit(actor, "guidance.check", before, auditGuidance(g))
}

// checkFacts is what scoring needs of a record's check, kept as the value
// of idx_checks so that figures need not read the record (encodeCheckFacts).
func (t *Tx) checkFacts(g campaign.Guidance) []byte {
	return encodeCheckFacts(t.db.Day(g.CheckedAt), int64(g.OfficerID), string(g.Check), g.HamletID, g.CheckReason)
}

// encodeCheckFacts is the layout of the check facts of idx_checks and
// idx_hh_checks: day 4 | officer 8 | status length 1 | status | hamlet
// length 1 | hamlet | reason.
func encodeCheckFacts(day Day, officer int64, status, hamlet, reason string) []byte {
	b := make([]byte, 0, 15+len(status)+len(hamlet)+len(reason))
	b = append(b, day.key()...)
	b = append(b, i64(officer)...)
	b = append(b, byte(len(status)))
	b = append(b, status...)
	b = append(b, byte(len(hamlet)))
	b = append(b, hamlet...)
	return append(b, reason...)
}

// decodeCheckFacts reads encodeCheckFacts' layout; ok is false when v is
// not in it (a check stored before the facts were kept).
func decodeCheckFacts(v []byte) (day Day, officer int64, status, hamlet, reason []byte, ok bool) {
	if len(v) < 14 || len(v) < 14+int(v[12]) || len(v) < 14+int(v[12])+int(v[13+int(v[12])]) {
		return 0, 0, nil, nil, nil, false
	}
	ns := int(v[12])
	nh := int(v[13+ns])
	return readDay(v), readI64(v[4:]), v[13 : 13+ns], v[14+ns : 14+ns+nh], v[14+ns+nh:], true
}

// eachCheck calls fn for every record with a check result, from the check
// facts (or from the record, for a check stored before they were kept).
func (t *Tx) eachCheck(fn func(id uint64, day Day, officer int64, status, hamlet, reason []byte) error) error {
	return t.tx.Bucket(bChecks).ForEach(func(k, v []byte) error {
		id := readU64(k)
		if day, officer, status, hamlet, reason, ok := decodeCheckFacts(v); ok {
			return fn(id, day, officer, status, hamlet, reason)
		}
		g, err := t.Guidance(id)
		if err != nil {
			return err
		}
		return fn(id, t.db.Day(g.CheckedAt), int64(g.OfficerID), []byte(g.Check), []byte(g.HamletID), []byte(g.CheckReason))
	})
}

// refreshChecks writes the check facts of every checked record (Reindex).
func (t *Tx) refreshChecks() error {
	b := t.tx.Bucket(bChecks)
	var ids []uint64
	if err := b.ForEach(func(k, _ []byte) error { ids = append(ids, readU64(k)); return nil }); err != nil {
		return err
	}
	for _, id := range ids {
		g, err := t.Guidance(id)
		if err != nil {
			return err
		}
		if g.Check == campaign.CheckNone {
			err = b.Delete(u64(id))
		} else {
			err = b.Put(u64(id), t.checkFacts(g))
		}
		if err != nil {
			return fmt.Errorf("store: check index: %w", err)
		}
	}
	return nil
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

// aggBuckets are the aggregates: rebuilt from the records by Reindex.
var aggBuckets = [][]byte{bHH, bAggDH, bAggH, bAggRun, bAggOff}

// Reindex drops every aggregate and rebuilds it from the records.
func (t *Tx) Reindex() error {
	byHousehold, err := t.recordsByHousehold()
	if err != nil {
		return err
	}
	for _, name := range aggBuckets {
		if err := t.tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterr.ErrBucketNotFound) {
			return fmt.Errorf("store: drop %s: %w", name, err)
		}
		if _, err := t.tx.CreateBucket(name); err != nil {
			return fmt.Errorf("store: create %s: %w", name, err)
		}
	}
	// Households come in id order (their facts are appended); the day
	// counts and totals, in any order, are kept in memory and written in
	// key order at the end.
	to := aggs{hh: t.tx.Bucket(bHH), dh: memKV{}, h: memKV{}}
	empty := HouseholdFacts{GuidedFrom: NoDay, SelfAbleFrom: NoDay}
	hc := t.tx.Bucket(bHouseholds).Cursor()
	for k, _ := hc.First(); k != nil; k, _ = hc.Next() {
		id := readU64(k)
		var ids []uint64
		for len(byHousehold) > 0 && byHousehold[0].household <= id {
			if byHousehold[0].household == id {
				ids = append(ids, byHousehold[0].id)
			}
			byHousehold = byHousehold[1:]
		}
		nf, err := t.computeFacts(id, ids)
		if err != nil {
			return err
		}
		if err := t.applyFacts(id, empty, nf, to); err != nil {
			return err
		}
	}
	final := t.aggTargets()
	for _, w := range []struct {
		mem memKV
		b   kv
	}{{to.dh.(memKV), final.dh}, {to.h.(memKV), final.h}} {
		if err := w.mem.flush(w.b.(*bolt.Bucket)); err != nil {
			return fmt.Errorf("store: write aggregates: %w", err)
		}
	}
	if err := t.buildRuns(); err != nil {
		return err
	}
	if err := t.buildOfficerFacts(); err != nil {
		return err
	}
	if err := t.refreshChecks(); err != nil {
		return err
	}
	return t.refreshSelfChecks()
}

// recordsByHousehold is every record's (household, id), by household then
// id, read from the records themselves.
func (t *Tx) recordsByHousehold() ([]householdRecord, error) {
	out := make([]householdRecord, 0, t.tx.Bucket(bGuidance).Sequence())
	err := t.tx.Bucket(bGuidance).ForEach(func(k, v []byte) error {
		var g struct {
			HouseholdID uint64 `json:"household_id"`
		}
		if err := getJSON(v, &g); err != nil {
			return fmt.Errorf("store: guidance %d: %w", readU64(k), err)
		}
		out = append(out, householdRecord{g.HouseholdID, readU64(k)})
		return nil
	})
	slices.SortFunc(out, func(a, b householdRecord) int {
		return cmp.Or(cmp.Compare(a.household, b.household), cmp.Compare(a.id, b.id))
	})
	return out, err
}

type householdRecord struct{ household, id uint64 }

// OfficerHouseholds counts the distinct households an officer guided
// (active records), from the officer's records.
func (t *Tx) OfficerHouseholds(officer campaign.PersonID) int {
	seen := map[uint64]bool{}
	prefix := i64(int64(officer))
	c := t.tx.Bucket(bGOfficer).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		g, err := t.Guidance(readU64(k[16:]))
		if err == nil && g.Counts() {
			seen[g.HouseholdID] = true
		}
	}
	return len(seen)
}
