package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
)

// migratePeople (schema 4 → 5) gives every person dvcbot's own id. Up to
// schema 4 a person was their Telegram user id; from 5 a Telegram or Zalo
// account is an address of a person (campaign.Officer.Accounts, indexed in
// "accounts"). Every reference to a person is rewritten in the same
// transaction — records, households, invites, exclusions, spot samples,
// audit actors — sessions and processed updates are rekeyed by address,
// queued posts become chat.Reply values, and the aggregates (which key
// officers) are rebuilt from the records.
//
// Telegram ids that appear only as actors (admins from configuration who
// never registered) get a person too, with no stored role, so that every
// reference still names someone. The audit log's before/after texts are
// history and stay as written.
func migratePeople(db *DB, tx *bolt.Tx) error {
	for _, b := range [][]byte{bAccounts, bNameAddr} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return fmt.Errorf("create %s: %w", b, err)
		}
	}
	m := &peopleMigration{tx: tx, ids: map[int64]campaign.PersonID{}}
	if err := m.officers(); err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"households", m.households},
		{"records", m.records},
		{"invites", m.invites},
		{"exclusions", m.exclusions},
		{"spot samples", m.samples},
		{"audit log", m.audit},
		{"sessions", m.sessions},
		{"processed updates", m.updates},
		{"outbox", m.outbox},
		{"people referenced only as actors", m.actorsOnly},
		{"name and address index", m.nameAddressIndex},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	t := &Tx{tx: tx, db: db, now: db.now()}
	if err := t.rebuildOfficerIndex(); err != nil {
		return err
	}
	return t.Reindex()
}

// peopleMigration maps schema 4's Telegram user ids to person ids.
type peopleMigration struct {
	tx  *bolt.Tx
	ids map[int64]campaign.PersonID
	// actors are Telegram ids referenced by records or the log but not
	// registered: they become people without a stored role.
	actors []int64
}

// legacyOfficer is a person as schema 4 stored them.
type legacyOfficer struct {
	TelegramID  int64                `json:"telegram_id"`
	FullName    string               `json:"full_name"`
	HamletID    string               `json:"hamlet_id"`
	Role        campaign.Role        `json:"role"`
	Affiliation campaign.Affiliation `json:"affiliation"`
	Active      bool                 `json:"active"`
	Unreachable bool                 `json:"unreachable"`
	JoinedAt    time.Time            `json:"joined_at"`
}

func telegramAddr(id int64) chat.Address {
	return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10))
}

// officers renumbers the registered people in the order of their old keys
// and writes them back under their new ids.
func (m *peopleMigration) officers() error {
	b := m.tx.Bucket(bOfficers)
	var old []legacyOfficer
	if err := b.ForEach(func(k, v []byte) error {
		var o legacyOfficer
		if err := json.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("person %d: %w", readI64(k), err)
		}
		if o.TelegramID == 0 {
			o.TelegramID = readI64(k)
		}
		old = append(old, o)
		return nil
	}); err != nil {
		return err
	}
	if err := m.tx.DeleteBucket(bOfficers); err != nil {
		return err
	}
	nb, err := m.tx.CreateBucket(bOfficers)
	if err != nil {
		return err
	}
	for _, o := range old {
		n, err := nb.NextSequence()
		if err != nil {
			return err
		}
		id := campaign.PersonID(n)
		m.ids[o.TelegramID] = id
		p := campaign.Officer{ID: id, FullName: o.FullName, HamletID: o.HamletID, Role: o.Role, Affiliation: o.Affiliation, Active: o.Active, JoinedAt: o.JoinedAt,
			Accounts: []campaign.Account{{Address: telegramAddr(o.TelegramID), Unreachable: o.Unreachable}}}
		if err := m.putPerson(p); err != nil {
			return err
		}
	}
	return nil
}

// putPerson writes a person and indexes their (only, Telegram) account.
func (m *peopleMigration) putPerson(p campaign.Officer) error {
	if err := putJSON(m.tx.Bucket(bOfficers), i64(int64(p.ID)), p); err != nil {
		return err
	}
	return m.tx.Bucket(bAccounts).Put([]byte(p.Accounts[0].String()), i64(int64(p.ID)))
}

// person maps an old Telegram id (0 stays 0: the system) to a person id,
// creating an actor-only person for an id nobody registered with.
func (m *peopleMigration) person(tg int64) (campaign.PersonID, error) {
	if tg == 0 {
		return 0, nil
	}
	if id, ok := m.ids[tg]; ok {
		return id, nil
	}
	n, err := m.tx.Bucket(bOfficers).NextSequence()
	if err != nil {
		return 0, err
	}
	id := campaign.PersonID(n)
	m.ids[tg] = id
	m.actors = append(m.actors, tg)
	return id, nil
}

// actorsOnly writes the people created for ids nobody registered with.
func (m *peopleMigration) actorsOnly() error {
	for _, tg := range m.actors {
		p := campaign.Officer{ID: m.ids[tg], Active: true, Accounts: []campaign.Account{{Address: telegramAddr(tg)}}}
		if err := m.putPerson(p); err != nil {
			return err
		}
	}
	return nil
}

// rewrite decodes every value of bucket name as a JSON object, lets fn
// change its fields, and writes it back.
func (m *peopleMigration) rewrite(name []byte, fn func(map[string]json.RawMessage) error) error {
	b := m.tx.Bucket(name)
	if b == nil {
		return nil
	}
	return rewriteBucket(b, fn)
}

// rewriteBucket is rewrite over any bucket (a nested one too).
func rewriteBucket(b *bolt.Bucket, fn func(map[string]json.RawMessage) error) error {
	type kv struct{ k, v []byte }
	var out []kv
	if err := b.ForEach(func(k, v []byte) error {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil {
			return fmt.Errorf("%x: %w", k, err)
		}
		if err := fn(obj); err != nil {
			return fmt.Errorf("%x: %w", k, err)
		}
		nv, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		out = append(out, kv{append([]byte(nil), k...), nv})
		return nil
	}); err != nil {
		return err
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// rekeyed is a value moving from key oldK to key k.
type rekeyed struct{ oldK, k, v []byte }

// moveKeys deletes every old key of out, then writes every value under its
// new key (so a new key that was another entry's old key is not lost).
func moveKeys(b *bolt.Bucket, out []rekeyed) error {
	for _, e := range out {
		if err := b.Delete(e.oldK); err != nil {
			return err
		}
	}
	for _, e := range out {
		if err := b.Put(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

// field maps the numeric field name of obj from a Telegram id to a person id.
func (m *peopleMigration) field(obj map[string]json.RawMessage, name string) error {
	raw, ok := obj[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	var tg int64
	if err := json.Unmarshal(raw, &tg); err != nil {
		return fmt.Errorf("field %s: %w", name, err)
	}
	id, err := m.person(tg)
	if err != nil {
		return err
	}
	obj[name] = json.RawMessage(strconv.FormatInt(int64(id), 10))
	return nil
}

func (m *peopleMigration) fields(names ...string) func(map[string]json.RawMessage) error {
	return func(obj map[string]json.RawMessage) error {
		for _, n := range names {
			if err := m.field(obj, n); err != nil {
				return err
			}
		}
		return nil
	}
}

func (m *peopleMigration) households() error {
	return m.rewrite(bHouseholds, m.fields("created_by", "self_able_by"))
}

// records rewrite who reported and who checked; the report came from the
// officer's Telegram account, the only channel there was.
func (m *peopleMigration) records() error {
	return m.rewrite(bGuidance, func(obj map[string]json.RawMessage) error {
		var tg int64
		if raw, ok := obj["officer_id"]; ok && obj["via"] == nil {
			if err := json.Unmarshal(raw, &tg); err == nil && tg != 0 {
				obj["via"], _ = json.Marshal(telegramAddr(tg))
			}
		}
		return m.fields("officer_id", "checked_by")(obj)
	})
}

func (m *peopleMigration) invites() error {
	return m.rewrite(bInvites, m.fields("created_by", "used_by"))
}

func (m *peopleMigration) samples() error { return m.rewrite(bSamples, m.fields("by")) }

func (m *peopleMigration) audit() error { return m.rewrite(bAudit, m.fields("actor")) }

// exclusions rewrites who excluded and lifted, and the target of officer
// exclusions, which is also part of the key (kind 0x00 target [0x00 ts]).
func (m *peopleMigration) exclusions() error {
	for _, name := range [][]byte{bExclusions, bLifted} {
		b := m.tx.Bucket(name)
		if b == nil {
			continue
		}
		var out []rekeyed
		if err := b.ForEach(func(k, v []byte) error {
			var obj map[string]json.RawMessage
			if err := json.Unmarshal(v, &obj); err != nil {
				return fmt.Errorf("exclusion %q: %w", k, err)
			}
			if err := m.fields("by", "lifted_by")(obj); err != nil {
				return err
			}
			nk := append([]byte(nil), k...)
			var kind, target string
			_ = json.Unmarshal(obj["kind"], &kind)
			_ = json.Unmarshal(obj["target"], &target)
			if campaign.ExclusionKind(kind) == campaign.ExcludeOfficer {
				tg, err := strconv.ParseInt(target, 10, 64)
				if err != nil {
					return fmt.Errorf("exclusion target %q: %w", target, err)
				}
				id, err := m.person(tg)
				if err != nil {
					return err
				}
				obj["target"], _ = json.Marshal(id.String())
				rest := k[len(kind)+1+len(target):] // "" or 0x00 ts
				nk = cat([]byte(kind), sep, []byte(id.String()), rest)
			}
			nv, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			out = append(out, rekeyed{append([]byte(nil), k...), nk, nv})
			return nil
		}); err != nil {
			return err
		}
		if err := moveKeys(b, out); err != nil {
			return err
		}
	}
	return nil
}

// legacyButton is an inline button as schema 4 stored it (in sessions and
// queued posts).
type legacyButton struct {
	Text string
	Data string
	URL  string
}

func choicesOf(rows [][]legacyButton) [][]chat.Choice {
	var out [][]chat.Choice
	for _, r := range rows {
		var row []chat.Choice
		for _, b := range r {
			row = append(row, chat.Choice{Label: b.Text, Value: b.Data, URL: b.URL})
		}
		out = append(out, row)
	}
	return out
}

// sessions rekeys conversations by address (chat 8 | user 8 → "telegram:chat"
// 0x00 "telegram:user") and renames what changed in the engine's state:
// the offered choices and a spot-check card's message id (now a string).
func (m *peopleMigration) sessions() error {
	b := m.tx.Bucket(bSessions)
	var out []rekeyed
	if err := b.ForEach(func(k, v []byte) error {
		if len(k) != 16 {
			return nil // already keyed by address
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil // unreadable state: the engine resets it anyway
		}
		if raw, ok := obj["choices"]; ok {
			var old []legacyButton
			if err := json.Unmarshal(raw, &old); err == nil {
				obj["choices"], _ = json.Marshal(choicesOf([][]legacyButton{old})[0])
			}
		}
		if raw, ok := obj["check"]; ok {
			var chk map[string]json.RawMessage
			if err := json.Unmarshal(raw, &chk); err == nil {
				if id, ok := chk["message_id"]; ok && len(id) > 0 && id[0] != '"' {
					chk["message_id"], _ = json.Marshal(string(id))
				}
				obj["check"], _ = json.Marshal(chk)
			}
		}
		nv, err := json.Marshal(obj)
		if err != nil {
			return err
		}
		nk := sessionKey(telegramAddr(readI64(k[:8])), telegramAddr(readI64(k[8:])))
		out = append(out, rekeyed{append([]byte(nil), k...), nk, nv})
		return nil
	}); err != nil {
		return err
	}
	return moveKeys(b, out)
}

// updates rekeys processed update ids by channel ("telegram:123").
func (m *peopleMigration) updates() error {
	b := m.tx.Bucket(bUpdates)
	var out []rekeyed
	_ = b.ForEach(func(k, v []byte) error {
		if len(k) == 8 && !bytes.HasPrefix(k, []byte(chat.Telegram)) {
			out = append(out, rekeyed{append([]byte(nil), k...), []byte(telegramAddr(readI64(k)).String()), append([]byte(nil), v...)})
		}
		return nil
	})
	return moveKeys(b, out)
}

// legacyPost is a queued post as schema 4 stored it.
type legacyPost struct {
	ChatID   int64            `json:"chat"`
	Group    bool             `json:"group"`
	Bulk     bool             `json:"bulk"`
	Text     string           `json:"text"`
	Buttons  json.RawMessage  `json:"buttons"`
	Document *json.RawMessage `json:"document"`
	Photo    *json.RawMessage `json:"photo"`
}

// outbox turns queued posts (Telegram HTML, int64 chat ids, the bot's
// buttons) into chat.Reply values addressed on Telegram.
func (m *peopleMigration) outbox() error {
	ob := m.tx.Bucket(bOutbox)
	if ob == nil {
		return nil
	}
	items := ob.Bucket(bOutboxItems)
	if items == nil {
		return nil
	}
	return rewriteBucket(items, func(obj map[string]json.RawMessage) error {
		if _, done := obj["reply"]; done {
			return nil
		}
		var p legacyPost
		raw, _ := json.Marshal(obj)
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		r := chat.Reply{To: telegramAddr(p.ChatID), Text: chat.FromHTML(p.Text), Group: p.Group, Bulk: p.Bulk}
		if len(p.Buttons) > 0 && string(p.Buttons) != "null" {
			var rows [][]legacyButton
			if err := json.Unmarshal(p.Buttons, &rows); err == nil {
				r.Choices = choicesOf(rows)
			}
		}
		for _, f := range []struct {
			raw *json.RawMessage
			to  **chat.File
		}{{p.Document, &r.File}, {p.Photo, &r.Photo}} {
			if f.raw == nil || string(*f.raw) == "null" {
				continue
			}
			var file chat.File
			if err := json.Unmarshal(*f.raw, &file); err != nil {
				return err
			}
			*f.to = &file
		}
		for _, k := range []string{"chat", "group", "bulk", "text", "buttons", "document", "photo"} {
			delete(obj, k)
		}
		obj["reply"], _ = json.Marshal(r)
		return nil
	})
}

// nameAddressIndex indexes every household by hamlet, name and address
// (schema 5), so the duplicate-household check reads only the matches.
func (m *peopleMigration) nameAddressIndex() error {
	idx := m.tx.Bucket(bNameAddr)
	return m.tx.Bucket(bHouseholds).ForEach(func(k, v []byte) error {
		var h campaign.Household
		if err := json.Unmarshal(v, &h); err != nil {
			return fmt.Errorf("household %d: %w", readU64(k), err)
		}
		return idx.Put(nameAddrKey(h.HamletID, intake.Fold(h.HeadName), h.Address, readU64(k)), nil)
	})
}

// rebuildOfficerIndex writes idx_g_off again from the records (its keys
// start with the officer's id).
func (t *Tx) rebuildOfficerIndex() error {
	if err := t.tx.DeleteBucket(bGOfficer); err != nil && !errors.Is(err, bolterr.ErrBucketNotFound) {
		return fmt.Errorf("store: drop %s: %w", bGOfficer, err)
	}
	idx, err := t.tx.CreateBucket(bGOfficer)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", bGOfficer, err)
	}
	return t.tx.Bucket(bGuidance).ForEach(func(k, v []byte) error {
		var g struct {
			OfficerID int64     `json:"officer_id"`
			At        time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &g); err != nil {
			return fmt.Errorf("store: guidance %d: %w", readU64(k), err)
		}
		return idx.Put(cat(i64(g.OfficerID), u64(uint64(g.At.Unix())), k), nil)
	})
}
