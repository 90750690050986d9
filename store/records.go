package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/intake"
)

func getJSON(b []byte, v any) error { return json.Unmarshal(b, v) }

func putJSON(bk interface{ Put([]byte, []byte) error }, key []byte, v any) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return bk.Put(key, buf)
}

// Audit appends an entry to the audit log; before and after are marshalled
// to JSON (nil for none).
func (t *Tx) Audit(actor campaign.PersonID, action string, before, after any) error {
	b := t.tx.Bucket(bAudit)
	seq, err := b.NextSequence()
	if err != nil {
		return fmt.Errorf("store: audit sequence: %w", err)
	}
	e := campaign.AuditEntry{Seq: seq, At: t.now, Actor: actor, Action: action}
	if before != nil {
		j, _ := json.Marshal(before)
		e.Before = string(j)
	}
	if after != nil {
		j, _ := json.Marshal(after)
		e.After = string(j)
	}
	if err := putJSON(b, u64(seq), e); err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// AuditLog returns every audit entry with sequence > after, oldest first, at most limit (0 = all).
func (t *Tx) AuditLog(after uint64, limit int) ([]campaign.AuditEntry, error) {
	var out []campaign.AuditEntry
	c := t.tx.Bucket(bAudit).Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
		var e campaign.AuditEntry
		if err := getJSON(v, &e); err != nil {
			return nil, fmt.Errorf("store: audit entry: %w", err)
		}
		out = append(out, e)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// --- hamlets ---

type storedHamlet struct {
	campaign.Hamlet
	// HouseholdsSet marks a household count corrected by an admin, which
	// configuration no longer overrides.
	HouseholdsSet bool `json:"households_set,omitempty"`
}

// SyncHamlets makes the stored hamlets match configuration: new ones are
// added and names updated; a household count corrected by an admin
// (/sosho) is kept.
func (t *Tx) SyncHamlets(hs []campaign.Hamlet) error {
	b := t.tx.Bucket(bHamlets)
	for _, h := range hs {
		var cur storedHamlet
		if v := b.Get([]byte(h.ID)); v != nil {
			if err := getJSON(v, &cur); err != nil {
				return fmt.Errorf("store: hamlet %s: %w", h.ID, err)
			}
			if cur.Name == h.Name && (cur.HouseholdsSet || cur.Households == h.Households) {
				continue
			}
			cur.Name = h.Name
			if !cur.HouseholdsSet {
				cur.Households = h.Households
			}
		} else {
			cur = storedHamlet{Hamlet: h}
		}
		if err := putJSON(b, []byte(h.ID), cur); err != nil {
			return fmt.Errorf("store: save hamlet %s: %w", h.ID, err)
		}
	}
	return nil
}

// Hamlet returns one hamlet.
func (t *Tx) Hamlet(id string) (campaign.Hamlet, error) {
	v := t.tx.Bucket(bHamlets).Get([]byte(id))
	if v == nil {
		return campaign.Hamlet{}, fmt.Errorf("hamlet %q: %w", id, ErrNotFound)
	}
	var h storedHamlet
	if err := getJSON(v, &h); err != nil {
		return campaign.Hamlet{}, fmt.Errorf("store: hamlet %s: %w", id, err)
	}
	return h.Hamlet, nil
}

// Hamlets returns every hamlet ordered by id.
func (t *Tx) Hamlets() ([]campaign.Hamlet, error) {
	var out []campaign.Hamlet
	err := t.tx.Bucket(bHamlets).ForEach(func(k, v []byte) error {
		var h storedHamlet
		if err := getJSON(v, &h); err != nil {
			return fmt.Errorf("store: hamlet %s: %w", k, err)
		}
		out = append(out, h.Hamlet)
		return nil
	})
	return out, err
}

// SetHouseholds corrects a hamlet's household count (audited).
func (t *Tx) SetHouseholds(id string, n int, actor campaign.PersonID) error {
	b := t.tx.Bucket(bHamlets)
	v := b.Get([]byte(id))
	if v == nil {
		return fmt.Errorf("hamlet %q: %w", id, ErrNotFound)
	}
	var h storedHamlet
	if err := getJSON(v, &h); err != nil {
		return fmt.Errorf("store: hamlet %s: %w", id, err)
	}
	before := h.Hamlet
	h.Households, h.HouseholdsSet = n, true
	if err := putJSON(b, []byte(id), h); err != nil {
		return fmt.Errorf("store: save hamlet %s: %w", id, err)
	}
	return t.Audit(actor, "hamlet.households", before, h.Hamlet)
}

// --- invites ---

// PutInvite stores a new invite (audited).
func (t *Tx) PutInvite(inv campaign.Invite) error {
	if err := putJSON(t.tx.Bucket(bInvites), []byte(inv.Code), inv); err != nil {
		return fmt.Errorf("store: save invite: %w", err)
	}
	return t.Audit(inv.CreatedBy, "invite.create", nil, campaign.Invite{HamletID: inv.HamletID, Role: inv.Role, ExpiresAt: inv.ExpiresAt})
}

// Invite returns an invite by code.
func (t *Tx) Invite(code string) (campaign.Invite, error) {
	v := t.tx.Bucket(bInvites).Get([]byte(code))
	if v == nil {
		return campaign.Invite{}, fmt.Errorf("invite: %w", ErrNotFound)
	}
	var inv campaign.Invite
	if err := getJSON(v, &inv); err != nil {
		return inv, fmt.Errorf("store: invite: %w", err)
	}
	return inv, nil
}

// UseInvite marks an invite used by user, refusing a used or expired one.
func (t *Tx) UseInvite(code string, user campaign.PersonID) (campaign.Invite, error) {
	inv, err := t.Invite(code)
	if err != nil {
		return inv, err
	}
	if inv.UsedBy != 0 {
		return inv, ErrInviteUsed
	}
	if !t.now.Before(inv.ExpiresAt) {
		return inv, ErrInviteExpire
	}
	inv.UsedBy, inv.UsedAt = user, t.now
	if err := putJSON(t.tx.Bucket(bInvites), []byte(code), inv); err != nil {
		return inv, fmt.Errorf("store: use invite: %w", err)
	}
	return inv, nil
}

// --- households ---

// Household returns a household by id.
func (t *Tx) Household(id uint64) (campaign.Household, error) {
	v := t.tx.Bucket(bHouseholds).Get(u64(id))
	if v == nil {
		return campaign.Household{}, fmt.Errorf("household %d: %w", id, ErrNotFound)
	}
	var h campaign.Household
	if err := getJSON(v, &h); err != nil {
		return h, fmt.Errorf("store: household %d: %w", id, err)
	}
	return h, nil
}

// HouseholdByPhone finds the household with this normalised phone in a hamlet.
func (t *Tx) HouseholdByPhone(hamlet, phone string) (campaign.Household, error) {
	v := t.tx.Bucket(bPhoneIdx).Get(cat([]byte(phone), sep, []byte(hamlet)))
	if v == nil {
		return campaign.Household{}, fmt.Errorf("household by phone: %w", ErrNotFound)
	}
	return t.Household(readU64(v))
}

// HouseholdsByPhone returns every household with this phone, in any hamlet.
func (t *Tx) HouseholdsByPhone(phone string) ([]campaign.Household, error) {
	var out []campaign.Household
	prefix := cat([]byte(phone), sep)
	c := t.tx.Bucket(bPhoneIdx).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		h, err := t.Household(readU64(v))
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// nameAddrKey is a household's key in the name-and-address index; id 0
// gives the prefix of every household of that name and address.
func nameAddrKey(hamlet, foldedName, address string, id uint64) []byte {
	k := cat([]byte(hamlet), sep, []byte(foldedName), sep, []byte(intake.Fold(address)), sep)
	if id == 0 {
		return k
	}
	return cat(k, u64(id))
}

// HouseholdsAt returns the households of a hamlet with the same head name
// (folded, as AddHousehold was given it) and the same address (folded
// here): likely the same family when their phones differ. The cost is
// that of the matches alone, however many namesakes the hamlet has.
func (t *Tx) HouseholdsAt(hamlet, foldedName, address string) ([]campaign.Household, error) {
	prefix := nameAddrKey(hamlet, foldedName, address, 0)
	var out []campaign.Household
	c := t.tx.Bucket(bNameAddr).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) != len(prefix)+8 {
			continue // a longer address that starts the same way
		}
		h, err := t.Household(readU64(k[len(prefix):]))
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// HouseholdsByName returns the households of a hamlet whose folded head name
// equals foldedName (for likely-duplicate warnings).
func (t *Tx) HouseholdsByName(hamlet, foldedName string) ([]campaign.Household, error) {
	var out []campaign.Household
	prefix := cat([]byte(hamlet), sep, []byte(foldedName), sep)
	c := t.tx.Bucket(bNameIdx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		h, err := t.Household(readU64(k[len(k)-8:]))
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func readU64(b []byte) uint64 {
	var v uint64
	for _, c := range b[:8] {
		v = v<<8 | uint64(c)
	}
	return v
}

// AddHousehold stores a new household (Phone normalised, HeadName cleaned);
// foldedName is the diacritic-insensitive form of the name for duplicate
// search. It returns the household with its new id.
func (t *Tx) AddHousehold(h campaign.Household, foldedName string) (campaign.Household, error) {
	b := t.tx.Bucket(bHouseholds)
	pk := cat([]byte(h.Phone), sep, []byte(h.HamletID))
	if t.tx.Bucket(bPhoneIdx).Get(pk) != nil {
		return h, fmt.Errorf("store: household with this phone already in hamlet %s", h.HamletID)
	}
	id, err := b.NextSequence()
	if err != nil {
		return h, fmt.Errorf("store: household sequence: %w", err)
	}
	h.ID = id
	if h.CreatedAt.IsZero() {
		h.CreatedAt = t.now
	}
	if err := putJSON(b, u64(id), h); err != nil {
		return h, fmt.Errorf("store: save household: %w", err)
	}
	if err := t.tx.Bucket(bPhoneIdx).Put(pk, u64(id)); err != nil {
		return h, fmt.Errorf("store: phone index: %w", err)
	}
	if err := t.tx.Bucket(bNameIdx).Put(cat([]byte(h.HamletID), sep, []byte(foldedName), sep, u64(id)), nil); err != nil {
		return h, fmt.Errorf("store: name index: %w", err)
	}
	if err := t.tx.Bucket(bNameAddr).Put(nameAddrKey(h.HamletID, foldedName, h.Address, id), nil); err != nil {
		return h, fmt.Errorf("store: name and address index: %w", err)
	}
	if h.SelfAble {
		if err := t.refreshHousehold(h.ID); err != nil {
			return h, err
		}
	}
	return h, t.Audit(h.CreatedBy, "household.create", nil, map[string]any{"id": id, "hamlet": h.HamletID})
}

// MarkSelfAble records an existing household as able to file online on its own.
func (t *Tx) MarkSelfAble(id uint64, actor campaign.PersonID) error {
	h, err := t.Household(id)
	if err != nil {
		return err
	}
	if h.SelfAble {
		return nil
	}
	h.SelfAble, h.SelfAbleBy, h.SelfAbleAt = true, actor, t.now
	if err := putJSON(t.tx.Bucket(bHouseholds), u64(id), h); err != nil {
		return fmt.Errorf("store: save household: %w", err)
	}
	if err := t.refreshHousehold(id); err != nil {
		return err
	}
	return t.Audit(actor, "household.self_able", nil, map[string]any{"id": id})
}

// --- guidance ---

// Guidance returns a guidance record by id.
func (t *Tx) Guidance(id uint64) (campaign.Guidance, error) {
	v := t.tx.Bucket(bGuidance).Get(u64(id))
	if v == nil {
		return campaign.Guidance{}, fmt.Errorf("guidance %d: %w", id, ErrNotFound)
	}
	var g campaign.Guidance
	if err := getJSON(v, &g); err != nil {
		return g, fmt.Errorf("store: guidance %d: %w", id, err)
	}
	return g, nil
}

// AddGuidance stores a new active guidance record and updates every index
// and aggregate in the same transaction. At defaults to the transaction time.
func (t *Tx) AddGuidance(g campaign.Guidance) (campaign.Guidance, error) {
	b := t.tx.Bucket(bGuidance)
	id, err := b.NextSequence()
	if err != nil {
		return g, fmt.Errorf("store: guidance sequence: %w", err)
	}
	g.ID = id
	if g.At.IsZero() {
		g.At = t.now
	}
	g.Status = campaign.GuidanceActive
	g.Procedures = dedupe(g.Procedures)
	if err := putJSON(b, u64(id), g); err != nil {
		return g, fmt.Errorf("store: save guidance: %w", err)
	}
	ts := u64(uint64(g.At.Unix()))
	if err := t.tx.Bucket(bGTime).Put(cat(ts, u64(id)), nil); err != nil {
		return g, fmt.Errorf("store: time index: %w", err)
	}
	if err := t.tx.Bucket(bGOfficer).Put(cat(i64(int64(g.OfficerID)), ts, u64(id)), nil); err != nil {
		return g, fmt.Errorf("store: officer index: %w", err)
	}
	if t.db.noAggregates {
		v, err := appendRecord(t.tx.Bucket(bHH).Get(u64(g.HouseholdID)), g.HamletID, id)
		if err == nil {
			err = t.tx.Bucket(bHH).Put(u64(g.HouseholdID), v)
		}
		if err != nil {
			return g, fmt.Errorf("store: household records: %w", err)
		}
	} else if err := t.countRecord(g); err != nil {
		return g, err
	}
	return g, t.Audit(g.OfficerID, "guidance.create", nil, auditGuidance(g))
}

// auditGuidance is what the audit log keeps of a record: ids and figures,
// not the household's personal data (that lives in the household record).
func auditGuidance(g campaign.Guidance) map[string]any {
	return map[string]any{"id": g.ID, "household": g.HouseholdID, "hamlet": g.HamletID, "officer": g.OfficerID,
		"at": g.At, "procedures": g.Procedures, "status": g.Status, "check": g.Check}
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	out := ss[:0:0]
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// RetractGuidance marks a record retracted (undo): it stays as evidence of
// what happened but no longer counts anywhere.
func (t *Tx) RetractGuidance(id uint64, actor campaign.PersonID) (campaign.Guidance, error) {
	g, err := t.Guidance(id)
	if err != nil {
		return g, err
	}
	if g.Status == campaign.GuidanceRetracted {
		return g, nil
	}
	before := auditGuidance(g)
	g.Status, g.RetractedAt = campaign.GuidanceRetracted, t.now
	if err := putJSON(t.tx.Bucket(bGuidance), u64(id), g); err != nil {
		return g, fmt.Errorf("store: retract guidance: %w", err)
	}
	if err := t.refreshHousehold(g.HouseholdID); err != nil {
		return g, err
	}
	return g, t.Audit(actor, "guidance.retract", before, auditGuidance(g))
}

// AddPhoto appends a photo file id to a record's evidence.
func (t *Tx) AddPhoto(id uint64, fileID string, actor campaign.PersonID) error {
	g, err := t.Guidance(id)
	if err != nil {
		return err
	}
	g.PhotoFileIDs = append(g.PhotoFileIDs, fileID)
	if err := putJSON(t.tx.Bucket(bGuidance), u64(id), g); err != nil {
		return fmt.Errorf("store: save photo: %w", err)
	}
	return t.Audit(actor, "guidance.photo", nil, map[string]any{"id": id})
}

// GuidanceOfHousehold returns the records of one household, oldest first.
func (t *Tx) GuidanceOfHousehold(hh uint64) ([]campaign.Guidance, error) {
	v := t.tx.Bucket(bHH).Get(u64(hh))
	if v == nil {
		return nil, nil
	}
	r, err := readFacts(v)
	if err != nil {
		return nil, fmt.Errorf("store: records of household %d: %w", hh, err)
	}
	out := make([]campaign.Guidance, r.nRecs)
	for i := range out {
		if out[i], err = t.Guidance(r.record(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EachGuidance calls fn for every record with from ≤ At < to (zero times
// mean unbounded), in time order. The record must not be kept past fn
// unless copied (it is a fresh value, so keeping it is fine).
func (t *Tx) EachGuidance(from, to time.Time, fn func(campaign.Guidance) error) error {
	c := t.tx.Bucket(bGTime).Cursor()
	var start []byte
	if !from.IsZero() {
		start = u64(uint64(from.Unix()))
	}
	k, _ := c.First()
	if start != nil {
		k, _ = c.Seek(start)
	}
	for ; k != nil; k, _ = c.Next() {
		if !to.IsZero() && int64(readU64(k)) >= to.Unix() {
			break
		}
		g, err := t.Guidance(readU64(k[8:]))
		if err != nil {
			return err
		}
		if err := fn(g); err != nil {
			return err
		}
	}
	return nil
}

// OfficerGuidance calls fn for an officer's records with from ≤ At < to, newest first.
func (t *Tx) OfficerGuidance(officer campaign.PersonID, from, to time.Time, fn func(campaign.Guidance) (bool, error)) error {
	prefix := i64(int64(officer))
	c := t.tx.Bucket(bGOfficer).Cursor()
	end := cat(prefix, u64(uint64(to.Unix())))
	if to.IsZero() {
		end = cat(prefix, u64(^uint64(0)))
	}
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		if !from.IsZero() && int64(readU64(k[8:16])) < from.Unix() {
			break
		}
		g, err := t.Guidance(readU64(k[16:]))
		if err != nil {
			return err
		}
		more, err := fn(g)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// --- small named values ---

// GetValue returns a named value ("" when unset).
func (t *Tx) GetValue(name string) string { return string(t.tx.Bucket(bKV).Get([]byte(name))) }

// SetValue stores a named value.
func (t *Tx) SetValue(name, value string) error {
	if err := t.tx.Bucket(bKV).Put([]byte(name), []byte(value)); err != nil {
		return fmt.Errorf("store: set %s: %w", name, err)
	}
	return nil
}

// --- exclusions ---

// PutExclusion excludes an officer or hamlet from awards (audited).
func (t *Tx) PutExclusion(e campaign.Exclusion) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	if err := putJSON(t.tx.Bucket(bExclusions), cat([]byte(e.Kind), sep, []byte(e.Target)), e); err != nil {
		return fmt.Errorf("store: save exclusion: %w", err)
	}
	return t.Audit(e.By, "exclusion.add", nil, e)
}

// DeleteExclusion lifts an exclusion (audited); ErrNotFound if there was none.
func (t *Tx) DeleteExclusion(kind campaign.ExclusionKind, target string, actor campaign.PersonID) error {
	b := t.tx.Bucket(bExclusions)
	k := cat([]byte(kind), sep, []byte(target))
	v := b.Get(k)
	if v == nil {
		return fmt.Errorf("exclusion %s %s: %w", kind, target, ErrNotFound)
	}
	var e campaign.Exclusion
	_ = getJSON(v, &e)
	if err := b.Delete(k); err != nil {
		return fmt.Errorf("store: delete exclusion: %w", err)
	}
	lifted := e
	lifted.LiftedAt, lifted.LiftedBy = t.now, actor
	lb, err := t.tx.CreateBucketIfNotExists(bLifted)
	if err == nil {
		err = putJSON(lb, cat(k, sep, u64(uint64(t.now.UnixNano()))), lifted)
	}
	if err != nil {
		return fmt.Errorf("store: keep lifted exclusion: %w", err)
	}
	return t.Audit(actor, "exclusion.lift", e, nil)
}

// LiftedExclusions returns every exclusion that was lifted, with when and
// by whom, oldest lifting first.
func (t *Tx) LiftedExclusions() ([]campaign.Exclusion, error) {
	out, err := exclusionsIn(t.tx.Bucket(bLifted))
	sort.SliceStable(out, func(i, j int) bool { return out[i].LiftedAt.Before(out[j].LiftedAt) })
	return out, err
}

// Exclusions returns every exclusion in force.
func (t *Tx) Exclusions() ([]campaign.Exclusion, error) {
	out, err := exclusionsIn(t.tx.Bucket(bExclusions))
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, err
}

// exclusionsIn decodes every exclusion of b (none when b is missing).
func exclusionsIn(b *bolt.Bucket) ([]campaign.Exclusion, error) {
	if b == nil {
		return nil, nil
	}
	var out []campaign.Exclusion
	err := b.ForEach(func(k, v []byte) error {
		var e campaign.Exclusion
		if err := getJSON(v, &e); err != nil {
			return fmt.Errorf("store: exclusion %q: %w", k, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}
