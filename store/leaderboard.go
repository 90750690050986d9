package store

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// Today's leaderboard without full scans (issue 3): one running total per
// hamlet (agg_h), each hamlet's days back to the start of its current
// streak (agg_hd read backwards), and the month's officer-days (agg_do,
// the officer-days keyed by day first), instead of every household,
// hamlet-day and officer.

// putOfficerDayByDay mirrors an officer-day count into agg_do (deleted
// when nothing is left), in the same transaction as agg_od.
func (t *Tx) putOfficerDayByDay(officer int64, d Day, dc DayCount) error {
	b := t.tx.Bucket(bAggDO)
	k := cat(d.key(), i64(officer))
	var err error
	if dc.Households <= 0 && dc.Procedures <= 0 {
		err = b.Delete(k)
	} else {
		err = b.Put(k, dc.encode())
	}
	if err != nil {
		return fmt.Errorf("store: officer day by day: %w", err)
	}
	return nil
}

// migrateOfficerDaysByDay (schema 1 → 2) builds agg_do from agg_od.
func migrateOfficerDaysByDay(tx *bolt.Tx) error {
	od := tx.Bucket(bAggOD)
	do, err := tx.CreateBucketIfNotExists(bAggDO)
	if err != nil {
		return fmt.Errorf("create %s: %w", bAggDO, err)
	}
	if od == nil {
		return nil
	}
	type kv struct{ k, v []byte }
	var rows []kv
	if err := od.ForEach(func(k, v []byte) error {
		rows = append(rows, kv{cat(k[8:12], k[:8]), slices.Clone(v)})
		return nil
	}); err != nil {
		return fmt.Errorf("read %s: %w", bAggOD, err)
	}
	slices.SortFunc(rows, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	do.FillPercent = 1 // keys arrive in order
	for _, r := range rows {
		if err := do.Put(r.k, r.v); err != nil {
			return fmt.Errorf("fill %s: %w", bAggDO, err)
		}
	}
	return nil
}

// OfficerDaysBetween calls fn for every (officer, day) aggregate with
// from ≤ day ≤ to, by day then officer, reading only those days.
func (t *Tx) OfficerDaysBetween(from, to Day, fn func(officer int64, d Day, c DayCount) error) error {
	c := t.tx.Bucket(bAggDO).Cursor()
	for k, v := c.Seek(from.key()); k != nil; k, v = c.Next() {
		d := readDay(k)
		if d > to {
			break
		}
		if err := fn(readI64(k[4:]), d, decodeDayCount(v)); err != nil {
			return err
		}
	}
	return nil
}

// EachHamletTotals calls fn for every hamlet's running totals, by hamlet id.
func (t *Tx) EachHamletTotals(fn func(hamlet string, h HamletTotals) error) error {
	return t.tx.Bucket(bAggH).ForEach(func(k, v []byte) error { return fn(string(k), decodeTotals(v)) })
}

// HamletDaysBack calls fn for each day with records of a hamlet on or
// before day to, latest first, until fn returns false.
func (t *Tx) HamletDaysBack(hamlet string, to Day, fn func(Day, DayCount) bool) error {
	c := t.tx.Bucket(bAggHD).Cursor()
	prefix := cat([]byte(hamlet), sep)
	for k, v := seekBefore(c, cat(prefix, (to+1).key())); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
		if !fn(readDay(k[len(prefix):]), decodeDayCount(v)) {
			break
		}
	}
	return nil
}

// seekBefore positions c on the last key before k.
func seekBefore(c *bolt.Cursor, k []byte) ([]byte, []byte) {
	if found, _ := c.Seek(k); found == nil {
		return c.Last()
	}
	return c.Prev()
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
// running totals: it reads each hamlet's total and its days back to the
// start of its current streak, the month's officer-days and the names of
// the officers who can place, never every household, hamlet-day or
// officer. Its ranks and shown figures equal those of the full
// computation over Facts (see scoring.LeaderboardFromTotals for the
// figures it leaves zero).
//
// The totals count everything recorded so far, so they answer for today
// only: ok is false (compute from Facts instead) when today is before the
// store's current day or a hamlet has records dated after today.
func (t *Tx) QuickLeaderboard(p scoring.Params, today scoring.Date, top int) (ranks []scoring.HamletRank, officers []scoring.OfficerRank, ok bool, err error) {
	day := DayOfDate(today)
	if day < t.db.Day(t.now) {
		return nil, nil, false, nil
	}
	hamlets, err := t.Hamlets()
	if err != nil {
		return nil, nil, false, err
	}
	totals := make([]scoring.HamletTotal, len(hamlets))
	tc := t.tx.Bucket(bAggH).Cursor()
	tk, tv := tc.First()
	for i, h := range hamlets {
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

	var recent []scoring.HamletDay
	scan := scoring.NewStreakScan(p, today)
	c := t.tx.Bucket(bAggHD).Cursor()
	after := (day + 1).key()
	for _, h := range hamlets {
		prefix := cat([]byte(h.ID), sep)
		k, v := c.Seek(cat(prefix, after))
		if k != nil && bytes.HasPrefix(k, prefix) {
			return nil, nil, false, nil // records dated after today
		}
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		scan.Reset()
		from := len(recent)
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			d := readDay(k[len(prefix):]).date()
			n := decodeDayCount(v).Households
			recent = append(recent, scoring.HamletDay{HamletID: h.ID, Date: d, Households: n})
			if !scan.Add(d, n) {
				break
			}
		}
		slices.Reverse(recent[from:]) // oldest first: scoring's fast path
	}
	ranks = scoring.LeaderboardFromTotals(totals, recent, p, today)
	officers, err = t.topOfficers(p, scoring.Month(today.Year, today.Month), top)
	if err != nil {
		return nil, nil, false, err
	}
	return ranks, officers, true, nil
}

// topOfficers is scoring.TopOfficers over the period's officer-days,
// reading the names of the contenders only.
func (t *Tx) topOfficers(p scoring.Params, period scoring.Period, n int) ([]scoring.OfficerRank, error) {
	if n <= 0 {
		return nil, nil
	}
	var days []scoring.OfficerDay
	if err := t.OfficerDaysBetween(DayOfDate(period.From), DayOfDate(period.To), func(o int64, d Day, c DayCount) error {
		days = append(days, scoring.OfficerDay{OfficerID: o, Date: d.date(), Households: c.Households, Procedures: c.Procedures})
		return nil
	}); err != nil {
		return nil, err
	}
	ids := scoring.TopOfficerContenders(days, p, period, n)
	var f scoring.Facts
	for _, id := range ids {
		o, err := t.Officer(id)
		if errors.Is(err, ErrNotFound) {
			continue // records of someone no longer registered: shown by id
		} else if err != nil {
			return nil, err
		}
		if so, ok := scoredOfficer(o); ok {
			f.Officers = append(f.Officers, so)
		}
	}
	for _, d := range days {
		if _, found := slices.BinarySearch(ids, d.OfficerID); found {
			f.OfficerDays = append(f.OfficerDays, d)
		}
	}
	return scoring.TopOfficers(f, p, period, n), nil
}

// scoredOfficer is the officer as scoring sees them; false for an admin
// without a hamlet, who reports nothing of their own.
func scoredOfficer(o campaign.Officer) (scoring.Officer, bool) {
	if o.Role == campaign.RoleAdmin && o.HamletID == "" {
		return scoring.Officer{}, false
	}
	return scoring.Officer{ID: o.TelegramID, Name: o.FullName, HamletID: o.HamletID, Active: o.Active}, true
}
