package store

import (
	"bytes"
	"fmt"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
)

// People: a person has dvcbot's own id (campaign.PersonID, from the
// officers bucket's sequence); their Telegram and Zalo accounts are
// addresses kept in the person's record and indexed in bAccounts.
//
//	officers  person 8 → JSON campaign.Officer
//	accounts  "channel:id" → person 8

// NewPersonID reserves the next person id.
func (t *Tx) NewPersonID() (campaign.PersonID, error) {
	n, err := t.tx.Bucket(bOfficers).NextSequence()
	if err != nil {
		return 0, fmt.Errorf("store: person sequence: %w", err)
	}
	return campaign.PersonID(n), nil
}

// Officer returns a person by id.
func (t *Tx) Officer(id campaign.PersonID) (campaign.Officer, error) {
	v := t.tx.Bucket(bOfficers).Get(i64(int64(id)))
	if v == nil {
		return campaign.Officer{}, fmt.Errorf("person %d: %w", id, ErrNotFound)
	}
	var o campaign.Officer
	if err := getJSON(v, &o); err != nil {
		return o, fmt.Errorf("store: person %d: %w", id, err)
	}
	return o, nil
}

// PersonAt returns the person one of whose accounts is addr.
func (t *Tx) PersonAt(addr chat.Address) (campaign.Officer, error) {
	v := t.tx.Bucket(bAccounts).Get([]byte(addr.String()))
	if v == nil {
		return campaign.Officer{}, fmt.Errorf("account %s: %w", addr.Channel, ErrNotFound)
	}
	return t.Officer(campaign.PersonID(readI64(v)))
}

// PutOfficer creates or replaces a person (audited), keeping the accounts
// index in step: accounts the record no longer lists are released, and an
// account another person holds is refused.
func (t *Tx) PutOfficer(o campaign.Officer, actor campaign.PersonID, action string) error {
	if o.ID <= 0 {
		return fmt.Errorf("store: save person: no id")
	}
	b := t.tx.Bucket(bOfficers)
	acc := t.tx.Bucket(bAccounts)
	var before any
	var prev campaign.Officer
	if v := b.Get(i64(int64(o.ID))); v != nil {
		if err := getJSON(v, &prev); err == nil {
			before = prev
		}
	}
	// Every account is checked before any is indexed, so that a refused
	// save leaves nothing behind even if the caller commits.
	for _, a := range o.Accounts {
		if err := a.Validate(); err != nil {
			return fmt.Errorf("store: save person %d: %w", o.ID, err)
		}
		if v := acc.Get([]byte(a.String())); v != nil && readI64(v) != int64(o.ID) {
			return fmt.Errorf("store: save person %d: account %s belongs to person %d: %w", o.ID, a.Channel, readI64(v), ErrAccountTaken)
		}
	}
	for _, a := range o.Accounts {
		if err := acc.Put([]byte(a.String()), i64(int64(o.ID))); err != nil {
			return fmt.Errorf("store: account index: %w", err)
		}
	}
	for _, a := range prev.Accounts {
		if !o.Has(a.Address) {
			if err := acc.Delete([]byte(a.String())); err != nil {
				return fmt.Errorf("store: account index: %w", err)
			}
		}
	}
	if err := putJSON(b, i64(int64(o.ID)), o); err != nil {
		return fmt.Errorf("store: save person %d: %w", o.ID, err)
	}
	// A person saved with an id of its own (sample data, migrations) moves
	// the sequence past it, so NewPersonID never hands it out again.
	if uint64(o.ID) > b.Sequence() {
		if err := b.SetSequence(uint64(o.ID)); err != nil {
			return fmt.Errorf("store: person sequence: %w", err)
		}
	}
	if err := t.putOfficerFacts(o); err != nil {
		return err
	}
	return t.Audit(actor, action, before, o)
}

// Officers returns every person ordered by id.
func (t *Tx) Officers() ([]campaign.Officer, error) {
	var out []campaign.Officer
	err := t.tx.Bucket(bOfficers).ForEach(func(k, v []byte) error {
		var o campaign.Officer
		if err := getJSON(v, &o); err != nil {
			return fmt.Errorf("store: person: %w", err)
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// --- sessions and processed updates ---

// sessionKey is "chat address" 0x00 "user address": one conversation per
// person per chat, on whichever channel.
func sessionKey(chatAddr, user chat.Address) []byte {
	return cat([]byte(chatAddr.String()), sep, []byte(user.String()))
}

// Session returns the stored conversation state of a user in a chat (nil if none).
func (t *Tx) Session(chatAddr, user chat.Address) []byte {
	v := t.tx.Bucket(bSessions).Get(sessionKey(chatAddr, user))
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

// PutSession stores the conversation state (nil or empty deletes it).
func (t *Tx) PutSession(chatAddr, user chat.Address, state []byte) error {
	b := t.tx.Bucket(bSessions)
	k := sessionKey(chatAddr, user)
	if len(state) == 0 {
		return b.Delete(k)
	}
	if err := b.Put(k, state); err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

// EachSession calls fn for every stored session with its chat and user.
func (t *Tx) EachSession(fn func(chatAddr, user chat.Address, state []byte) error) error {
	return t.tx.Bucket(bSessions).ForEach(func(k, v []byte) error {
		c, u, ok := bytes.Cut(k, sep)
		if !ok {
			return nil
		}
		ca, err1 := chat.ParseAddress(string(c))
		ua, err2 := chat.ParseAddress(string(u))
		if err1 != nil || err2 != nil {
			return nil
		}
		return fn(ca, ua, append([]byte(nil), v...))
	})
}

// Processed updates: "channel:update" → unix seconds 8, followed by the
// replies still to deliver for it (the engine's JSON, cleared once the
// transport has sent them), so that an update re-delivered after a crash
// is answered again instead of silently.

// Processed reports whether an update (its channel-qualified id, such as
// "telegram:123" or "zalo:message.text.received:8a3f…") was already applied.
func (t *Tx) Processed(update string) bool {
	return update != "" && t.tx.Bucket(bUpdates).Get([]byte(update)) != nil
}

// MarkProcessed records an update as applied, with the replies (encoded by
// the engine) still to deliver for it; nil when there are none.
func (t *Tx) MarkProcessed(update string, pending []byte) error {
	v := append(u64(uint64(t.now.Unix())), pending...)
	if err := t.tx.Bucket(bUpdates).Put([]byte(update), v); err != nil {
		return fmt.Errorf("store: mark update: %w", err)
	}
	return nil
}

// PendingReplies returns the replies of a processed update that were not
// confirmed delivered (nil when none).
func (t *Tx) PendingReplies(update string) []byte {
	v := t.tx.Bucket(bUpdates).Get([]byte(update))
	if len(v) <= 8 {
		return nil
	}
	return append([]byte(nil), v[8:]...)
}

// ClearPending records that the replies of these updates were delivered.
func (t *Tx) ClearPending(updates ...string) error {
	b := t.tx.Bucket(bUpdates)
	for _, u := range updates {
		v := b.Get([]byte(u))
		if len(v) <= 8 {
			continue
		}
		if err := b.Put([]byte(u), append([]byte(nil), v[:8]...)); err != nil {
			return fmt.Errorf("store: clear pending replies: %w", err)
		}
	}
	return nil
}

// EachPending calls fn for every processed update whose replies were not
// confirmed delivered, with when it was processed.
func (t *Tx) EachPending(fn func(update string, at time.Time, replies []byte) error) error {
	return t.tx.Bucket(bUpdates).ForEach(func(k, v []byte) error {
		if len(v) <= 8 {
			return nil
		}
		return fn(string(k), time.Unix(int64(readU64(v)), 0), append([]byte(nil), v[8:]...))
	})
}

// PruneProcessed forgets processed updates older than the cutoff
// (Telegram keeps updates at most 24 hours, so two days is ample).
func (t *Tx) PruneProcessed(before time.Time) (int, error) {
	b := t.tx.Bucket(bUpdates)
	var old [][]byte
	_ = b.ForEach(func(k, v []byte) error {
		if len(v) >= 8 && int64(readU64(v)) < before.Unix() {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	})
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, fmt.Errorf("store: prune updates: %w", err)
		}
	}
	return len(old), nil
}
