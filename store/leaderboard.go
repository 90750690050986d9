package store

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// Today's leaderboard without full scans (issue 3): one running total per
// hamlet (agg_h), the hamlet-days back to the start of the longest current
// streak (agg_dh, read backwards day by day), and the month's officer-days
// (agg_do), instead of every household, hamlet-day and officer.

// migrateDayFirst (schema 2 → 3) drops the hamlet-first and
// officer-first day counts and their per-day household sets; the day
// counts keyed by day first are built by the next migration's Reindex.
func migrateDayFirst(_ *DB, tx *bolt.Tx) error {
	return dropBuckets(tx, bAggHD, bAggHDH, bAggOD, bAggODH, bAggOH)
}

// migrateHouseholdRecords (schema 3 → 4) replaces the household index
// (idx_g_hh) and the households' facts (agg_hh) by one value per household
// holding both (hh), moves the officers' day counts (agg_do) into their
// hamlet's day rows, rebuilds every aggregate from the records, and adds
// the bucket of lifted exclusions (they were deleted before).
func migrateHouseholdRecords(db *DB, tx *bolt.Tx) error {
	if err := dropBuckets(tx, bGHousehold, bAggHH, bAggDO); err != nil {
		return err
	}
	if _, err := tx.CreateBucketIfNotExists(bLifted); err != nil {
		return fmt.Errorf("create %s: %w", bLifted, err)
	}
	return (&Tx{tx: tx, db: db, now: db.now()}).Reindex()
}

func dropBuckets(tx *bolt.Tx, names ...[]byte) error {
	for _, name := range names {
		if err := tx.DeleteBucket(name); err != nil && !errors.Is(err, bolterr.ErrBucketNotFound) {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	return nil
}

// OfficerDaysBetween calls fn for every (officer, day) aggregate with
// from ≤ day ≤ to, by day then officer, reading only those days.
func (t *Tx) OfficerDaysBetween(from, to Day, fn func(officer int64, d Day, c DayCount) error) error {
	return t.eachOfficerDay(from, to, nil, fn)
}

// EachHamletTotals calls fn for every hamlet's running totals, by hamlet id.
func (t *Tx) EachHamletTotals(fn func(hamlet string, h HamletTotals) error) error {
	return t.tx.Bucket(bAggH).ForEach(func(k, v []byte) error { return fn(string(k), decodeTotals(v)) })
}

// HamletDaysBack calls fn for each day with records of a hamlet on or
// before day to, latest first, until fn returns false.
func (t *Tx) HamletDaysBack(hamlet string, to Day, fn func(Day, DayCount) bool) error {
	b := t.tx.Bucket(bAggDH)
	from, to := dayRange(b, NoDay+1, to)
	for d := to; d >= from; d-- {
		if v := b.Get(hamletDayKey(hamlet, d)); v != nil && !fn(d, decodeDayCount(v)) {
			break
		}
	}
	return nil
}

// DayOfDate is the store day of a scoring date.
func DayOfDate(d scoring.Date) Day { return Day(scoring.DaysBetween(epoch, d)) }

var epoch = scoring.NewDate(1970, time.January, 1)

// date is the scoring date of a day, by arithmetic only.
func (d Day) date() scoring.Date {
	if d == NoDay {
		return scoring.Date{}
	}
	return scoring.NewDate(1970, time.January, 1+int(d))
}

// QuickLeaderboard is scoring.Leaderboard for day today and
// scoring.TopOfficers of today's month (the top officers), read from the
// running totals: each hamlet's totals, today's day counts, each hamlet's
// latest runs of days (or, with a daily target above one household, the
// hamlet-days back to the start of the current streaks), the month's
// officer-days and the names of the officers who can place; never every
// household, hamlet-day or officer. Its ranks and shown figures equal
// those of the full computation over Facts (see
// scoring.LeaderboardFromTotals for the figures it leaves zero).
//
// The totals count everything recorded so far, so they answer for today
// only: ok is false (compute from Facts instead) when today is before the
// store's current day or a record is dated after today.
func (t *Tx) QuickLeaderboard(p scoring.Params, today scoring.Date, top int) (ranks []scoring.HamletRank, officers []scoring.OfficerRank, ok bool, err error) {
	day := DayOfDate(today)
	if day < t.db.Day(t.now) {
		return nil, nil, false, nil
	}
	hamlets, err := t.Hamlets()
	if err != nil {
		return nil, nil, false, err
	}
	idx := make(map[string]int32, len(hamlets))
	totals := make([]scoring.HamletTotal, len(hamlets))
	tc := t.tx.Bucket(bAggH).Cursor()
	tk, tv := tc.First()
	for i, h := range hamlets {
		idx[h.ID] = int32(i)
		id := []byte(h.ID)
		for tk != nil && bytes.Compare(tk, id) < 0 {
			tk, tv = tc.Next()
		}
		totals[i] = scoring.HamletTotal{Hamlet: scoring.Hamlet{ID: h.ID, Name: h.Name, Households: h.Households}}
		if bytes.Equal(tk, id) {
			tot := decodeTotals(tv)
			totals[i].Guided, totals[i].Able = tot.Guided, tot.Able
		}
	}
	c := t.tx.Bucket(bAggDH).Cursor()
	for k, v := c.Seek(day.key()); k != nil; k, v = c.Next() {
		if readDay(k) != day {
			return nil, nil, false, nil // records dated after today
		}
		if i, known := idx[string(k[4:])]; known {
			totals[i].GuidedToday = decodeDayCount(v).Households
		}
	}
	if p.DailyTarget <= 1 {
		t.streaksFromRuns(totals, idx, p, today)
	} else {
		recent, _, err := t.recentHamletDays(hamlets, p, today)
		if err != nil {
			return nil, nil, false, err
		}
		scoring.StreaksFromDays(totals, recent, p, today)
	}
	ranks = scoring.LeaderboardFromTotals(totals, p, today)
	officers, err = t.topOfficers(p, scoring.Month(today.Year, today.Month), top)
	if err != nil {
		return nil, nil, false, err
	}
	return ranks, officers, true, nil
}

// streaksFromRuns sets each total's current streak from its hamlet's runs
// (days with at least one household: a daily target of one). The runs
// ending in the last few days are read in one pass; older ones, needed
// only across days off, one by one.
func (t *Tx) streaksFromRuns(totals []scoring.HamletTotal, idx map[string]int32, p scoring.Params, today scoring.Date) {
	const window = 3
	day := DayOfDate(today)
	type key struct {
		hamlet int32
		end    Day
	}
	recent := map[key]Day{}
	b := t.tx.Bucket(bAggRun)
	c := b.Cursor()
	for k, v := c.Seek((day - window).key()); k != nil; k, v = c.Next() {
		if i, known := idx[string(k[4:])]; known {
			recent[key{i, readDay(k)}] = readDay(v)
		}
	}
	streaks := scoring.NewRunStreaks(p, today)
	for i := range totals {
		id := totals[i].Hamlet.ID
		totals[i].CurrentStreak = streaks.Current(func(end scoring.Date) (scoring.Date, bool) {
			e := DayOfDate(end)
			if e >= day-window {
				from, ok := recent[key{int32(i), e}]
				return from.date(), ok
			}
			if v := b.Get(runKey(e, id)); v != nil {
				return readDay(v).date(), true
			}
			return scoring.Date{}, false
		})
	}
}

// recentHamletDays reads the hamlet-days backwards from today, day by day
// across every hamlet, as far as some hamlet's current streak may reach
// (scoring.StreakScan decides); false when a record is dated after today.
func (t *Tx) recentHamletDays(hamlets []campaign.Hamlet, p scoring.Params, today scoring.Date) ([]scoring.HamletDay, bool, error) {
	idx := make(map[string]int32, len(hamlets))
	for i, h := range hamlets {
		idx[h.ID] = int32(i)
	}
	fresh := scoring.NewStreakScan(p, today)
	scans := make([]scoring.StreakScan, len(hamlets))
	active := make([]int32, len(hamlets)) // hamlets whose streak may still grow
	for i := range scans {
		scans[i] = fresh
		active[i] = int32(i)
	}
	c := t.tx.Bucket(bAggDH).Cursor()
	if later, _ := c.Seek((DayOfDate(today) + 1).key()); later != nil {
		return nil, false, nil // records dated after today
	}
	k, v := c.Last()
	var recent []scoring.HamletDay
	day, date := NoDay, scoring.Date{}
	for ; k != nil; k, v = c.Prev() {
		if d := readDay(k); d != day {
			day, date = d, d.date()
			kept := active[:0]
			for _, i := range active {
				if scans[i].Wants(date) {
					kept = append(kept, i)
				}
			}
			if active = kept; len(active) == 0 {
				break
			}
		}
		i, known := idx[string(k[4:])]
		if !known || !scans[i].Wants(date) {
			continue
		}
		n := decodeDayCount(v).Households
		recent = append(recent, scoring.HamletDay{HamletID: hamlets[i].ID, Date: date, Households: n})
		scans[i].Add(date, n)
	}
	return recent, true, nil
}

// topOfficers is scoring.TopOfficers over the period's officer-days,
// reading them once to find the contenders, then the contenders' names and
// days only.
func (t *Tx) topOfficers(p scoring.Params, period scoring.Period, n int) ([]scoring.OfficerRank, error) {
	if n <= 0 {
		return nil, nil
	}
	from, to := DayOfDate(period.From), DayOfDate(period.To)
	var dc dates
	tally := scoring.NewOfficerTally(p, period)
	if err := t.OfficerDaysBetween(from, to, func(o int64, d Day, c DayCount) error {
		tally.Add(scoring.OfficerDay{OfficerID: o, Date: dc.of(d), Households: c.Households, Procedures: c.Procedures})
		return nil
	}); err != nil {
		return nil, err
	}
	ids := tally.Contenders(n)
	var f scoring.Facts
	for _, id := range ids {
		o, err := t.Officer(campaign.PersonID(id))
		if errors.Is(err, ErrNotFound) {
			continue // records of someone no longer registered: shown by id
		} else if err != nil {
			return nil, err
		}
		if so, ok := scoredOfficer(o); ok {
			f.Officers = append(f.Officers, so)
		}
	}
	for _, id := range ids {
		if err := t.OfficerDays(campaign.PersonID(id), from, to, func(d Day, c DayCount) error {
			f.OfficerDays = append(f.OfficerDays, scoring.OfficerDay{OfficerID: id, Date: dc.of(d), Households: c.Households, Procedures: c.Procedures})
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return scoring.TopOfficers(f, p, period, n), nil
}

// scoredOfficer is the officer as scoring sees them; false for someone
// without a hamlet (an admin, a zone leader, an inspector), who reports
// nothing of their own.
func scoredOfficer(o campaign.Officer) (scoring.Officer, bool) {
	if o.HamletID == "" {
		return scoring.Officer{}, false
	}
	return scoring.Officer{ID: int64(o.ID), Name: o.FullName, HamletID: o.HamletID, Active: o.Active}, true
}

// Runs: for each hamlet, every stretch of consecutive days on which it
// guided at least one household, keyed by its last day (agg_run: last day
// | hamlet → first day). A report on the day after a run moves its key
// from yesterday to today, so the day's first reports touch a few
// neighbouring pages; and today's leaderboard reads a hamlet's current
// streak in one or two lookups however long it is.

func runKey(end Day, hamlet string) []byte { return cat(end.key(), []byte(hamlet)) }

// dayFirstFill is how full bbolt packs the pages of the buckets keyed by
// day first: a day's keys are written that day (or a few days later) and
// rarely after, so full pages cost little and halve what a whole-campaign
// read touches.
const dayFirstFill = 0.9

// runAdd records that hamlet guided households on day d (it had none).
func (t *Tx) runAdd(hamlet string, d Day) error {
	b := t.tx.Bucket(bAggRun)
	b.FillPercent = dayFirstFill
	from, to := d, d
	if v := b.Get(runKey(d-1, hamlet)); v != nil {
		from = readDay(v)
		if err := b.Delete(runKey(d-1, hamlet)); err != nil {
			return fmt.Errorf("store: run: %w", err)
		}
	}
	if end, start, ok := runFrom(b, hamlet, d+1); ok && start == d+1 {
		to = end
		if err := b.Delete(runKey(end, hamlet)); err != nil {
			return fmt.Errorf("store: run: %w", err)
		}
	}
	if err := b.Put(runKey(to, hamlet), from.key()); err != nil {
		return fmt.Errorf("store: run: %w", err)
	}
	return nil
}

// runRemove records that hamlet no longer guided anyone on day d.
func (t *Tx) runRemove(hamlet string, d Day) error {
	b := t.tx.Bucket(bAggRun)
	b.FillPercent = dayFirstFill
	end, start, ok := runFrom(b, hamlet, d)
	if !ok || start > d {
		return nil // not in a run: nothing to split
	}
	err := b.Delete(runKey(end, hamlet))
	if err == nil && start < d {
		err = b.Put(runKey(d-1, hamlet), start.key())
	}
	if err == nil && end > d {
		err = b.Put(runKey(end, hamlet), (d + 1).key())
	}
	if err != nil {
		return fmt.Errorf("store: run: %w", err)
	}
	return nil
}

// runFrom finds hamlet's first run ending on or after day d: a lookup per
// day up to the last day any run ends (reports are dated today or a few
// days back, so this is short).
func runFrom(b *bolt.Bucket, hamlet string, d Day) (end, start Day, ok bool) {
	k, _ := b.Cursor().Last()
	if k == nil {
		return 0, 0, false
	}
	for last := readDay(k); d <= last; d++ {
		if v := b.Get(runKey(d, hamlet)); v != nil {
			return d, readDay(v), true
		}
	}
	return 0, 0, false
}

// buildRuns writes every hamlet's runs from its day counts (Reindex).
func (t *Tx) buildRuns() error {
	type run struct{ from, to Day }
	open := map[string]run{}
	b := t.tx.Bucket(bAggRun)
	b.FillPercent = dayFirstFill
	runs := memKV{} // written in key order at the end
	put := func(h string, r run) error { return runs.Put(runKey(r.to, h), r.from.key()) }
	c := t.tx.Bucket(bAggDH).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if decodeDayCount(v).Households <= 0 {
			continue
		}
		d, h := readDay(k), string(k[4:])
		if r, ok := open[h]; ok && r.to == d-1 {
			open[h] = run{r.from, d}
			continue
		} else if ok {
			if err := put(h, r); err != nil {
				return err
			}
		}
		open[h] = run{d, d}
	}
	for h, r := range open {
		if err := put(h, r); err != nil {
			return err
		}
	}
	if err := runs.flush(b); err != nil {
		return fmt.Errorf("store: run: %w", err)
	}
	return nil
}

// EachRun calls fn for every hamlet's run of consecutive days with
// households guided, by last day then hamlet.
func (t *Tx) EachRun(fn func(hamlet string, from, to Day) error) error {
	return t.tx.Bucket(bAggRun).ForEach(func(k, v []byte) error { return fn(string(k[4:]), readDay(v), readDay(k)) })
}
