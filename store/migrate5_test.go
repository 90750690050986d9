package store

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
)

// The schema-4 fixture (testdata/schema4.db.gz) was written by the code of
// 464fecb, the last commit before people got dvcbot's own ids, with the
// program kept as testdata/mkschema4.go.txt; testdata/schema4.figures holds
// every figure that code read from it, officer ids already written as the
// person ids below. Never regenerate either with the current code: they
// are what an old data file really holds and gives.
//
// What is in it (Telegram ids of schema 4):
//
//	1234500     Lê Thị Kiểm, admin without a hamlet (checked a record, lifted exclusions)
//	812345678   Phạm Thị Hồng, officer of Nam Du, joined with invite ab12cd; marked unreachable
//	900000001   Võ Minh Khoa, officer of Củ Tron, excluded
//	5123456789  Nguyễn Thị Hoa, officer of Bãi Nhà (đoàn thể); mid-report
//	6234567890  Lê Văn Ba, officer of Nam Du, deactivated; an exclusion lifted
//	7001234567  Trần Văn Đức, hamlet head of Bãi Nhà (Ban Nhân dân); a failed spot check
//	99887766    an admin from configuration, never registered: audit entries,
//	            a spot sample, a failed check, a self-able mark, an invite, exclusions
//
// 14 records (one retracted, photos, a dossier code, "khác"), 14
// households (two recorded able on their own), two invites (one used), an
// active officer exclusion, a lifted officer and a lifted hamlet exclusion,
// a spot sample of two records (one failed, one passed), four sessions
// (choices offered, a spot-check card's message id, a group chat), three
// processed updates, five queued posts (HTML text, buttons, a photo, a
// document; one sent, one dropped, one failed once) and the leaders'
// group migrated to a supergroup.

// schema4People is the person id the migration must give each Telegram id:
// registered people numbered in the order of their old keys (numeric),
// then the configuration admin, met first as an actor.
var schema4People = map[int64]campaign.PersonID{
	1234500: 1, 812345678: 2, 900000001: 3, 5123456789: 4, 6234567890: 5, 7001234567: 6, 99887766: 7,
}

const schema4Group = -1001234567890

var schema4Zone = time.FixedZone("ICT", 7*3600)

// schema4Now is a moment after everything in the fixture.
var schema4Now = time.Date(2026, 5, 14, 20, 5, 0, 0, schema4Zone)

// schema4Params are the scoring parameters the figures were read with.
func schema4Params() scoring.Params {
	p := scoring.DefaultParams()
	p.CampaignStart = scoring.NewDate(2026, time.May, 4)
	p.CoverageThreshold = 0.1
	p.SpecialHouseholdThreshold = 10
	p.MaxCollectives = 2
	p.MaxIndividuals = 3
	p.SpecialPrizes = 1
	return p
}

// schema4File writes the fixture, uncompressed, into a fresh folder.
func schema4File(t *testing.T) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schema4.db.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "dvcbot.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// rawBuckets reads every top-level bucket (and the outbox's items) of a
// file as it is, key → value, without the store.
func rawBuckets(t *testing.T, path string) map[string]map[string][]byte {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out := map[string]map[string][]byte{}
	var walk func(prefix string, bk *bolt.Bucket) error
	walk = func(prefix string, bk *bolt.Bucket) error {
		m := map[string][]byte{}
		out[prefix] = m
		return bk.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+"/"+string(k), bk.Bucket(k))
			}
			m[string(k)] = append([]byte(nil), v...)
			return nil
		})
	}
	if err := b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error { return walk(string(name), bk) })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonFields decodes a JSON object into its fields.
func jsonFields(t *testing.T, v []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		t.Fatalf("%s: %v", v, err)
	}
	return m
}

// oldPerson maps a schema-4 person field (a Telegram id, 0 for nobody).
func oldPerson(t *testing.T, raw json.RawMessage) campaign.PersonID {
	t.Helper()
	if raw == nil {
		return 0
	}
	var tg int64
	if err := json.Unmarshal(raw, &tg); err != nil {
		t.Fatalf("person field %s: %v", raw, err)
	}
	if tg == 0 {
		return 0
	}
	id, ok := schema4People[tg]
	if !ok {
		t.Fatalf("Telegram id %d of the fixture has no expected person", tg)
	}
	return id
}

// sameExcept reports the fields of two JSON objects that differ, leaving
// out those named.
func sameExcept(t *testing.T, old, new []byte, skip ...string) []string {
	t.Helper()
	o, n := jsonFields(t, old), jsonFields(t, new)
	var diff []string
	for k, v := range o {
		if slices.Contains(skip, k) {
			continue
		}
		if w, ok := n[k]; !ok || !bytes.Equal(v, w) {
			diff = append(diff, fmt.Sprintf("%s: %s → %s", k, v, n[k]))
		}
	}
	for k := range n {
		if _, ok := o[k]; !ok && !slices.Contains(skip, k) {
			diff = append(diff, fmt.Sprintf("%s added: %s", k, n[k]))
		}
	}
	slices.Sort(diff)
	return diff
}

var errRollback = errors.New("roll back")

// TestMigrateSchema4 opens a real schema-4 file with the current code and
// checks that every person got an id and a Telegram account, that every
// reference to a person now names that id, that conversations, processed
// updates and queued posts are found under their new keys in their new
// shapes, and that every figure is what the old code read.
func TestMigrateSchema4(t *testing.T) {
	path := schema4File(t)
	old := rawBuckets(t, path)
	if v := string(old["meta"]["schema_version"]); v != "4" {
		t.Fatalf("fixture schema %q, want 4", v)
	}
	if ro, err := Open(path, Options{Location: schema4Zone, ReadOnly: true}); !errors.Is(err, ErrOlderSchema) {
		if err == nil {
			ro.Close()
		}
		t.Fatalf("read-only open of the schema-4 file: %v, want ErrOlderSchema", err)
	}
	db, err := Open(path, Options{Now: func() time.Time { return schema4Now }, Location: schema4Zone, NoSync: true})
	if err != nil {
		t.Fatalf("open the schema-4 file: %v", err)
	}
	defer db.Close()

	view := func(name string, fn func(tx *Tx) error) {
		t.Helper()
		if err := db.View(fn); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// try runs fn in a write transaction that is rolled back.
	try := func(name string, fn func(tx *Tx) error) {
		t.Helper()
		if err := db.Update(func(tx *Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			return errRollback
		}); !errors.Is(err, errRollback) {
			t.Errorf("%s: %v", name, err)
		}
	}

	t.Run("schema", func(t *testing.T) {
		view("schema", func(tx *Tx) error {
			if v := string(tx.tx.Bucket(bMeta).Get([]byte("schema_version"))); v != "5" {
				t.Errorf("schema_version = %q, want 5", v)
			}
			return nil
		})
	})

	t.Run("people", func(t *testing.T) {
		type legacy struct {
			TelegramID  int64                `json:"telegram_id"`
			FullName    string               `json:"full_name"`
			HamletID    string               `json:"hamlet_id"`
			Role        campaign.Role        `json:"role"`
			Affiliation campaign.Affiliation `json:"affiliation"`
			Active      bool                 `json:"active"`
			Unreachable bool                 `json:"unreachable"`
			JoinedAt    time.Time            `json:"joined_at"`
		}
		var registered []legacy
		for _, v := range old["officers"] {
			var o legacy
			if err := json.Unmarshal(v, &o); err != nil {
				t.Fatal(err)
			}
			registered = append(registered, o)
		}
		if len(registered) != 6 {
			t.Fatalf("fixture has %d registered people, want 6", len(registered))
		}
		view("people", func(tx *Tx) error {
			for _, o := range registered {
				id := schema4People[o.TelegramID]
				addr := chat.Addr(chat.Telegram, strconv.FormatInt(o.TelegramID, 10))
				p, err := tx.Officer(id)
				if err != nil {
					t.Errorf("person %d (Telegram %d): %v", id, o.TelegramID, err)
					continue
				}
				want := campaign.Officer{ID: id, FullName: o.FullName, HamletID: o.HamletID, Role: o.Role, Affiliation: o.Affiliation,
					Active: o.Active, JoinedAt: p.JoinedAt, Accounts: []campaign.Account{{Address: addr, Unreachable: o.Unreachable}}}
				if !reflect.DeepEqual(p, want) || !p.JoinedAt.Equal(o.JoinedAt) {
					t.Errorf("person %d:\n got %+v\nwant %+v (joined %v)", id, p, want, o.JoinedAt)
				}
				if at, err := tx.PersonAt(addr); err != nil || at.ID != id {
					t.Errorf("PersonAt(%s) = %d, %v; want %d", addr, at.ID, err, id)
				}
			}
			// The cases that matter, spelled out.
			hong, _ := tx.Officer(2)
			if a, ok := hong.Account(chat.Telegram); !ok || !a.Unreachable || hong.Reachable() != nil {
				t.Errorf("the unreachable officer's account = %+v", hong.Accounts)
			}
			if ba, _ := tx.Officer(5); ba.Active || ba.FullName != "Lê Văn Ba" {
				t.Errorf("the deactivated officer = %+v", ba)
			}
			if duc, _ := tx.Officer(6); duc.Role != campaign.RoleLeader || duc.Affiliation != campaign.AffBoard || duc.HamletID != "bai-nha" {
				t.Errorf("the hamlet head = %+v", duc)
			}
			// The admin from configuration acted but never registered: a
			// person without a role, found by their Telegram account.
			cfg, err := tx.PersonAt(chat.Addr(chat.Telegram, "99887766"))
			if err != nil || cfg.ID != 7 || cfg.Role != "" || cfg.HamletID != "" || cfg.FullName != "" ||
				!reflect.DeepEqual(cfg.Accounts, []campaign.Account{{Address: chat.Addr(chat.Telegram, "99887766")}}) {
				t.Errorf("the configuration admin = %+v, %v; want person 7 without a role", cfg, err)
			}
			all, err := tx.Officers()
			if err != nil {
				return err
			}
			var ids []campaign.PersonID
			for _, o := range all {
				ids = append(ids, o.ID)
			}
			if !slices.Equal(ids, []campaign.PersonID{1, 2, 3, 4, 5, 6, 7}) {
				t.Errorf("people = %v, want 1 to 7", ids)
			}
			if n := tx.tx.Bucket(bAccounts).Stats().KeyN; n != 7 {
				t.Errorf("%d accounts indexed, want 7", n)
			}
			if _, err := tx.PersonAt(chat.Addr(chat.Telegram, "6")); !errors.Is(err, ErrNotFound) {
				t.Errorf("a new id taken for a Telegram id: %v", err)
			}
			return nil
		})
		try("next person id", func(tx *Tx) error {
			if id, err := tx.NewPersonID(); err != nil || id != 8 {
				t.Errorf("NewPersonID after the migration = %d, %v; want 8", id, err)
			}
			return nil
		})
	})

	t.Run("records", func(t *testing.T) {
		if len(old["guidance"]) != 14 {
			t.Fatalf("fixture has %d records, want 14", len(old["guidance"]))
		}
		view("records", func(tx *Tx) error {
			for k, v := range old["guidance"] {
				id := binaryID(k)
				o := jsonFields(t, v)
				g, err := tx.Guidance(id)
				if err != nil {
					t.Errorf("record %d: %v", id, err)
					continue
				}
				var tg int64
				_ = json.Unmarshal(o["officer_id"], &tg)
				if g.OfficerID != oldPerson(t, o["officer_id"]) || g.CheckedBy != oldPerson(t, o["checked_by"]) ||
					g.Via != chat.Addr(chat.Telegram, strconv.FormatInt(tg, 10)) {
					t.Errorf("record %d: officer %d, checked by %d, via %s; old officer %s, checked by %s", id, g.OfficerID, g.CheckedBy, g.Via, o["officer_id"], o["checked_by"])
				}
				if d := sameExcept(t, v, tx.tx.Bucket(bGuidance).Get([]byte(k)), "officer_id", "checked_by", "via"); d != nil {
					t.Errorf("record %d changed: %v", id, d)
				}
			}
			// Spelled out: a failed check by the configuration admin, a
			// passed one by the registered admin, photos kept.
			failed, _ := tx.Guidance(11)
			passed, _ := tx.Guidance(6)
			photos, _ := tx.Guidance(4)
			if failed.OfficerID != 6 || failed.CheckedBy != 7 || failed.Check != campaign.CheckFailed || failed.Via.String() != "telegram:7001234567" {
				t.Errorf("failed record = %+v", failed)
			}
			if passed.OfficerID != 5 || passed.CheckedBy != 1 || passed.Check != campaign.CheckPassed {
				t.Errorf("passed record = %+v", passed)
			}
			if photos.OfficerID != 5 || !slices.Equal(photos.PhotoFileIDs, []string{"AgACAgUAAxkBAAIBR2Y_ba1", "AgACAgUAAxkBAAIBR2Y_ba2"}) {
				t.Errorf("record with photos = %+v", photos)
			}
			// The officer index is keyed by the new ids.
			var duc []uint64
			if err := tx.OfficerGuidance(6, time.Time{}, time.Time{}, func(g campaign.Guidance) (bool, error) {
				duc = append(duc, g.ID)
				return true, nil
			}); err != nil {
				return err
			}
			if !slices.Equal(duc, []uint64{13, 11, 10, 2}) {
				t.Errorf("the hamlet head's records = %v, want 13 11 10 2", duc)
			}
			n := 0
			_ = tx.OfficerGuidance(7001234567, time.Time{}, time.Time{}, func(campaign.Guidance) (bool, error) { n++; return true, nil })
			if n != 0 || tx.tx.Bucket(bGOfficer).Stats().KeyN != 14 {
				t.Errorf("officer index: %d records under the old id, %d keys", n, tx.tx.Bucket(bGOfficer).Stats().KeyN)
			}
			var checked []string
			if err := tx.CheckedGuidance(func(g campaign.Guidance) error {
				checked = append(checked, fmt.Sprintf("%d by %d of %d", g.ID, g.CheckedBy, g.OfficerID))
				return nil
			}); err != nil {
				return err
			}
			if strings.Join(checked, ", ") != "6 by 1 of 5, 11 by 7 of 6" {
				t.Errorf("checked records = %v", checked)
			}
			// Evidence names the officer and the channel.
			var ev []string
			if err := tx.EachEvidence(time.Time{}, time.Time{}, "bai-nha", func(e Evidence) error {
				ev = append(ev, fmt.Sprintf("%d %s %s", e.Guidance.ID, e.Officer.FullName, e.Guidance.Via))
				return nil
			}); err != nil {
				return err
			}
			if want := "2 Trần Văn Đức telegram:7001234567, 3 Nguyễn Thị Hoa telegram:5123456789, 10 Trần Văn Đức telegram:7001234567, " +
				"11 Trần Văn Đức telegram:7001234567, 13 Trần Văn Đức telegram:7001234567"; strings.Join(ev, ", ") != want {
				t.Errorf("evidence of Bãi Nhà:\n got %s\nwant %s", strings.Join(ev, ", "), want)
			}
			return nil
		})
	})

	t.Run("households", func(t *testing.T) {
		view("households", func(tx *Tx) error {
			for k, v := range old["households"] {
				id := binaryID(k)
				o := jsonFields(t, v)
				h, err := tx.Household(id)
				if err != nil {
					t.Errorf("household %d: %v", id, err)
					continue
				}
				if h.CreatedBy != oldPerson(t, o["created_by"]) || h.SelfAbleBy != oldPerson(t, o["self_able_by"]) {
					t.Errorf("household %d: created by %d, self-able by %d; old %s, %s", id, h.CreatedBy, h.SelfAbleBy, o["created_by"], o["self_able_by"])
				}
				if d := sameExcept(t, v, tx.tx.Bucket(bHouseholds).Get([]byte(k)), "created_by", "self_able_by"); d != nil {
					t.Errorf("household %d changed: %v", id, d)
				}
			}
			self, _ := tx.Household(5)
			marked, _ := tx.Household(11)
			if !self.SelfAble || self.SelfAbleBy != 4 || self.CreatedBy != 4 || !marked.SelfAble || marked.SelfAbleBy != 7 || marked.CreatedBy != 2 {
				t.Errorf("self-able households: %+v, %+v", self, marked)
			}
			return nil
		})
	})

	t.Run("invites", func(t *testing.T) {
		view("invites", func(tx *Tx) error {
			used, err1 := tx.Invite("ab12cd")
			open, err2 := tx.Invite("zz99yy")
			if err1 != nil || err2 != nil || used.CreatedBy != 7 || used.UsedBy != 2 || used.UsedAt.IsZero() ||
				open.CreatedBy != 6 || open.UsedBy != 0 || open.HamletID != "bai-nha" {
				t.Errorf("invites: used %+v (%v), open %+v (%v)", used, err1, open, err2)
			}
			return nil
		})
	})

	t.Run("exclusions", func(t *testing.T) {
		view("exclusions", func(tx *Tx) error {
			ex, err := tx.Exclusions()
			if err != nil {
				return err
			}
			if len(ex) != 1 || ex[0].Kind != campaign.ExcludeOfficer || ex[0].Target != "3" || ex[0].By != 7 || ex[0].Reason != "Đang bị kiểm tra" {
				t.Errorf("exclusions = %+v, want officer 3 by person 7", ex)
			}
			if tx.tx.Bucket(bExclusions).Get([]byte("officer\x003")) == nil || tx.tx.Bucket(bExclusions).Get([]byte("officer\x00900000001")) != nil {
				t.Errorf("exclusion keys not rewritten")
			}
			lifted, err := tx.LiftedExclusions()
			if err != nil {
				return err
			}
			var got []string
			for _, e := range lifted {
				got = append(got, fmt.Sprintf("%s %s by %d lifted by %d", e.Kind, e.Target, e.By, e.LiftedBy))
			}
			slices.Sort(got)
			if want := "hamlet cu-tron by 1 lifted by 7, officer 5 by 7 lifted by 1"; strings.Join(got, ", ") != want {
				t.Errorf("lifted exclusions = %q, want %q", strings.Join(got, ", "), want)
			}
			if err := tx.tx.Bucket(bLifted).ForEach(func(k, _ []byte) error {
				ok := false
				for _, prefix := range []string{"hamlet\x00cu-tron\x00", "officer\x005\x00"} {
					ok = ok || bytes.HasPrefix(k, []byte(prefix)) && len(k) == len(prefix)+8
				}
				if !ok {
					t.Errorf("lifted exclusion key %q", k)
				}
				return nil
			}); err != nil {
				return err
			}
			return nil
		})
		try("lift after the migration", func(tx *Tx) error {
			if err := tx.DeleteExclusion(campaign.ExcludeOfficer, "3", 1); err != nil {
				t.Errorf("lifting the migrated exclusion: %v", err)
			}
			return nil
		})
	})

	t.Run("spot samples and audit", func(t *testing.T) {
		view("samples", func(tx *Tx) error {
			ss, err := tx.SpotSamples()
			if err != nil {
				return err
			}
			if len(ss) != 1 || ss[0].By != 7 || !slices.Equal(ss[0].Guidance, []uint64{11, 6}) {
				t.Errorf("spot samples = %+v", ss)
			}
			if s, ok := tx.DrawnIn(11); !ok || s != 1 {
				t.Errorf("record 11 drawn in %d, %v", s, ok)
			}
			log, err := tx.AuditLog(0, 0)
			if err != nil {
				return err
			}
			if len(log) != len(old["audit"]) {
				t.Errorf("%d audit entries, the file had %d", len(log), len(old["audit"]))
			}
			actors := map[campaign.PersonID]int{}
			for _, e := range log {
				v := old["audit"][string(u64(e.Seq))]
				o := jsonFields(t, v)
				if e.Actor != oldPerson(t, o["actor"]) {
					t.Errorf("audit %d %s by %d, old actor %s", e.Seq, e.Action, e.Actor, o["actor"])
				}
				if d := sameExcept(t, v, tx.tx.Bucket(bAudit).Get(u64(e.Seq)), "actor"); d != nil {
					t.Errorf("audit entry %d changed: %v (its before and after are history)", e.Seq, d)
				}
				actors[e.Actor]++
			}
			if actors[7] < 5 || actors[0] < 2 || actors[1] < 2 {
				t.Errorf("audit actors %v: want the configuration admin (7), the system (0) and the admin (1)", actors)
			}
			return nil
		})
	})

	t.Run("sessions", func(t *testing.T) {
		type session struct {
			State   string          `json:"state"`
			Choices []chat.Choice   `json:"choices"`
			Draft   json.RawMessage `json:"draft"`
			Check   *struct {
				GuidanceID uint64 `json:"guidance_id"`
				MessageID  string `json:"message_id"`
			} `json:"check"`
		}
		tg := func(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }
		view("sessions", func(tx *Tx) error {
			got := map[string]session{}
			if err := tx.EachSession(func(c, u chat.Address, state []byte) error {
				var s session
				if err := json.Unmarshal(state, &s); err != nil {
					return fmt.Errorf("session %s %s: %w", c, u, err)
				}
				if bytes.Contains(state, []byte(`"Text"`)) || bytes.Contains(state, []byte(`"Data"`)) {
					t.Errorf("session %s %s keeps the old button fields: %s", c, u, state)
				}
				got[c.String()+" "+u.String()] = s
				return nil
			}); err != nil {
				return err
			}
			if len(got) != 4 || tx.tx.Bucket(bSessions).Stats().KeyN != 4 {
				t.Errorf("%d sessions found by address (%d keys), want 4", len(got), tx.tx.Bucket(bSessions).Stats().KeyN)
			}
			hoa := got[tg(5123456789).String()+" "+tg(5123456789).String()]
			if hoa.State != "report_procs" || !reflect.DeepEqual(hoa.Choices, []chat.Choice{
				{Label: "✅ Đăng ký khai sinh", Value: "p:khai_sinh"}, {Label: "Đăng ký thường trú", Value: "p:thuong_tru"}, {Label: "Xong", Value: "p:xong"}}) ||
				!bytes.Contains(hoa.Draft, []byte(`"phone":"0912000111"`)) {
				t.Errorf("report in progress = %+v", hoa)
			}
			if s := tx.Session(tg(5123456789), tg(5123456789)); s == nil {
				t.Errorf("Session(telegram:5123456789, telegram:5123456789) = nil")
			}
			kiem := got[tg(1234500).String()+" "+tg(1234500).String()]
			if kiem.State != "spotcheck_reason" || kiem.Check == nil || kiem.Check.GuidanceID != 9 || kiem.Check.MessageID != "4321" {
				t.Errorf("spot check in progress = %+v (check %+v)", kiem, kiem.Check)
			}
			cfg := got[tg(99887766).String()+" "+tg(99887766).String()]
			if cfg.Check == nil || cfg.Check.GuidanceID != 8 || cfg.Check.MessageID != "" {
				t.Errorf("typed spot check in progress = %+v (check %+v)", cfg, cfg.Check)
			}
			grp := got[tg(schema4Group).String()+" "+tg(7001234567).String()]
			if grp.State != "report_name" || !reflect.DeepEqual(grp.Choices, []chat.Choice{{Label: "Mở Cổng dịch vụ công", URL: "https://dichvucong.gov.vn"}}) {
				t.Errorf("group session = %+v", grp)
			}
			// Everything else in a session is as it was.
			for k, v := range old["sessions"] {
				nk := sessionKey(tg(readI64([]byte(k[:8]))), tg(readI64([]byte(k[8:]))))
				if d := sameExcept(t, v, tx.tx.Bucket(bSessions).Get(nk), "choices", "check"); d != nil {
					t.Errorf("session %q changed: %v", nk, d)
				}
			}
			return nil
		})
	})

	t.Run("processed updates", func(t *testing.T) {
		view("updates", func(tx *Tx) error {
			for _, u := range []string{"telegram:880001", "telegram:880002", "telegram:880003"} {
				if !tx.Processed(u) || tx.PendingReplies(u) != nil {
					t.Errorf("update %s: processed %v, pending %q", u, tx.Processed(u), tx.PendingReplies(u))
				}
			}
			if n := tx.tx.Bucket(bUpdates).Stats().KeyN; n != 3 {
				t.Errorf("%d processed updates, want 3", n)
			}
			return nil
		})
		try("prune", func(tx *Tx) error {
			// 880001 was processed on 13/05 at 20:00, the others on 14/05.
			if n, err := tx.PruneProcessed(time.Date(2026, 5, 14, 0, 0, 0, 0, schema4Zone)); err != nil || n != 1 || tx.Processed("telegram:880001") {
				t.Errorf("PruneProcessed = %d, %v: the update times were not kept", n, err)
			}
			return nil
		})
	})

	t.Run("outbox", func(t *testing.T) {
		view("outbox", func(tx *Tx) error {
			ps, err := tx.PendingPosts(0)
			if err != nil {
				return err
			}
			var seqs []uint64
			for _, p := range ps {
				seqs = append(seqs, p.Seq)
			}
			if !slices.Equal(seqs, []uint64{1, 4, 5}) || tx.OutboxDepth() != 3 {
				t.Fatalf("pending posts %v (depth %d), want 1 4 5", seqs, tx.OutboxDepth())
			}
			reminder, board, report := ps[0], ps[1], ps[2]
			want := chat.Reply{To: chat.Addr(chat.Telegram, "5123456789"), Bulk: true,
				Text: chat.Bold("Nhắc việc") + " hôm nay: chị " + chat.Italic("Nguyễn Thị Hoa") + " chưa báo cáo hộ nào. Gõ " +
					chat.Code("/baocao") + " & làm theo hướng dẫn <3 bước>.",
				Choices: [][]chat.Choice{{{Label: "📝 Báo cáo ngay", Value: "cmd:baocao"}}, {{Label: "Hướng dẫn", URL: "https://dichvucong.gov.vn"}}}}
			if !reflect.DeepEqual(reminder.Reply, want) || reminder.JobKey != "reminder/2026-05-14" ||
				!reminder.Expires.Equal(time.Date(2026, 5, 14, 23, 0, 0, 0, schema4Zone)) {
				t.Errorf("reminder:\n got %+v\nwant %+v", reminder, want)
			}
			want = chat.Reply{To: chat.Addr(chat.Telegram, "-1001234567890"), Group: true, Bulk: true,
				Text:  chat.Bold("Bảng xếp hạng") + " ngày 14/05/2026\n" + chat.Pre("1. Nam Du   16,7%\n2. Củ Tron  15,0%"),
				Photo: &chat.File{Name: "bang-xep-hang.png", Bytes: []byte("\x89PNG\r\n\x1a\nchart")}}
			if !reflect.DeepEqual(board.Reply, want) {
				t.Errorf("leaderboard:\n got %+v\nwant %+v", board.Reply, want)
			}
			want = chat.Reply{To: chat.Addr(chat.Telegram, "7001234567"), Text: "Báo cáo tuần 20/2026 của ấp " + chat.Bold("Bãi Nhà"),
				File: &chat.File{Name: "bao-cao-tuan-20.xlsx", Bytes: []byte("PK\x03\x04xlsx")}}
			retry := time.Date(2026, 5, 14, 20, 2, 0, 0, schema4Zone)
			if !reflect.DeepEqual(report.Reply, want) || report.Attempts != 1 || report.LastError != "Bad Gateway" || !report.NotBefore.Equal(retry) {
				t.Errorf("report:\n got %+v\nwant %+v after one failed attempt", report, want)
			}
			if next, ok, err := tx.NextPostAttempt(); err != nil || !ok || !next.IsZero() {
				t.Errorf("NextPostAttempt = %v, %v, %v", next, ok, err)
			}
			sent, err1 := tx.OutboxPost(2)
			dropped, err2 := tx.OutboxPost(3)
			if err1 != nil || sent.Status != OutboxSent || sent.Reply.To != chat.Addr(chat.Telegram, "812345678") || sent.Reply.Text != "Nhắc việc: hôm nay chưa có báo cáo." {
				t.Errorf("sent post = %+v, %v", sent, err1)
			}
			if err2 != nil || dropped.Status != OutboxDropped || dropped.Reply.To != chat.Addr(chat.Telegram, "6234567890") || dropped.LastError != "Forbidden: bot was blocked by the user" {
				t.Errorf("dropped post = %+v, %v", dropped, err2)
			}
			for k, v := range outboxItems(tx) {
				fields := jsonFields(t, v)
				for _, f := range []string{"chat", "group", "bulk", "text", "buttons", "document", "photo"} {
					if _, ok := fields[f]; ok {
						t.Errorf("post %x keeps the old field %s: %s", k, f, v)
					}
				}
			}
			if !tx.Enqueued("leaderboard/2026-05-14") || !tx.LastRun("reminder").Equal(time.Date(2026, 5, 14, 20, 0, 0, 0, schema4Zone)) {
				t.Errorf("job keys or last runs lost")
			}
			if tx.GroupChatID() != schema4Group || tx.MigratedChat(-4001234) != schema4Group {
				t.Errorf("group migration lost: %d", tx.GroupChatID())
			}
			return nil
		})
		try("send after the migration", func(tx *Tx) error {
			if err := tx.MarkPostSent(1); err != nil {
				return err
			}
			ps, err := tx.PendingPosts(0)
			if p, _ := tx.OutboxPost(1); err != nil || p.Status != OutboxSent || len(ps) != 2 {
				t.Errorf("post 1 after MarkPostSent = %+v; %d pending (%v)", p, len(ps), err)
			}
			return nil
		})
	})

	t.Run("figures", func(t *testing.T) {
		want, err := os.ReadFile(filepath.Join("testdata", "schema4.figures"))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		view("figures", func(tx *Tx) error {
			got, err = schema4Figures(tx, schema4Params(), scoring.NewDate(2026, time.May, 14), schema4Registered)
			return err
		})
		if w := strings.Split(strings.TrimSpace(string(want)), "\n"); !slices.Equal(got, w) {
			t.Errorf("figures after the migration differ from those the schema-4 code read:\n%s", lineDiff(w, got))
		}
		// The headline figures, spelled out.
		view("headline figures", func(tx *Tx) error {
			for h, want := range map[string]HamletTotals{"bai-nha": {4, 5, 2}, "nam-du": {4, 5, 2}, "cu-tron": {3, 3, 0}} {
				if got := tx.HamletTotals(h); got != want {
					t.Errorf("totals of %s = %+v, want %+v", h, got, want)
				}
			}
			ranks, top, ok, err := tx.QuickLeaderboard(schema4Params(), scoring.NewDate(2026, time.May, 14), 5)
			if err != nil || !ok {
				return fmt.Errorf("quick leaderboard: %v, %v", ok, err)
			}
			var lines []string
			for _, r := range ranks {
				lines = append(lines, fmt.Sprintf("%d %s %s", r.Rank, r.Hamlet.ID, scoring.Percent(r.Coverage)))
			}
			for _, o := range top {
				lines = append(lines, fmt.Sprintf("%d %d %s %d", o.Rank, o.Officer.ID, o.Officer.Name, o.GuidedInPeriod))
			}
			if want := "1 nam-du 16,6%; 2 cu-tron 15,0%; 3 bai-nha 11,9%; 1 6 Trần Văn Đức 4; 2 2 Phạm Thị Hồng 3; 2 3 Võ Minh Khoa 3; " +
				"4 5 Lê Văn Ba 2; 5 4 Nguyễn Thị Hoa 1"; strings.Join(lines, "; ") != want {
				t.Errorf("leaderboard:\n got %s\nwant %s", strings.Join(lines, "; "), want)
			}
			f, err := tx.Facts("")
			if err != nil {
				return err
			}
			a := scoring.Candidates(f, schema4Params(), scoring.NewDate(2026, time.May, 14))
			var ind []string
			for _, c := range a.Individuals {
				ind = append(ind, fmt.Sprintf("%d", c.Stats.Officer.ID))
			}
			for _, c := range a.NotSelected.Individuals {
				ind = append(ind, fmt.Sprintf("-%d", c.Stats.Officer.ID))
			}
			// The excluded officer (3) and the one with a failed check (6)
			// are left out.
			if strings.Join(ind, " ") != "2 5 4 -6 -3" {
				t.Errorf("individual candidates %v, want 2 5 4 then not 6, 3", ind)
			}
			return nil
		})
	})
}

// outboxItems returns the raw stored posts.
func outboxItems(tx *Tx) map[string][]byte {
	out := map[string][]byte{}
	b := tx.tx.Bucket(bOutbox).Bucket(bOutboxItems)
	_ = b.ForEach(func(k, v []byte) error { out[string(k)] = append([]byte(nil), v...); return nil })
	return out
}

// TestMigrateSchema4SecondOpen: opening the migrated file again changes
// nothing, and a file already at schema 5 is never migrated again.
func TestMigrateSchema4SecondOpen(t *testing.T) {
	path := schema4File(t)
	open := func() *DB {
		t.Helper()
		db, err := Open(path, Options{Now: func() time.Time { return schema4Now }, Location: schema4Zone, NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	figures := func(db *DB) []string {
		t.Helper()
		var out []string
		if err := db.View(func(tx *Tx) (err error) {
			out, err = schema4Figures(tx, schema4Params(), scoring.NewDate(2026, time.May, 14), schema4Registered)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	db := open()
	first := figures(db)
	db.Close()
	migrated := rawBuckets(t, path)
	db = open()
	again := figures(db)
	db.Close()
	if !slices.Equal(first, again) {
		t.Errorf("figures changed on the second open:\n%s", lineDiff(first, again))
	}
	if reopened := rawBuckets(t, path); !reflect.DeepEqual(migrated, reopened) {
		for name, m := range migrated {
			if !reflect.DeepEqual(m, reopened[name]) {
				t.Errorf("bucket %s changed on the second open", name)
			}
		}
		for name := range reopened {
			if _, ok := migrated[name]; !ok {
				t.Errorf("bucket %s created on the second open", name)
			}
		}
	}
	// A read-only open of the migrated file is accepted.
	ro, err := Open(path, Options{Location: schema4Zone, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open of the migrated file: %v", err)
	}
	ro.Close()
}

// schema4Registered: only people with a role have an activity line, as
// the schema-4 code listed registered people only (the configuration admin
// is a person now, without a role).
func schema4Registered(o campaign.Officer) bool { return o.Role != "" }

// binaryID reads an 8-byte big-endian key.
func binaryID(k string) uint64 { return readU64([]byte(k)) }

// lineDiff lists the lines only one side has.
func lineDiff(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	if b.Len() == 0 {
		return "(same lines, another order)"
	}
	return b.String()
}

// figures lists the figures of the fixture, one per line, each naming
// its fields explicitly (fields added to the types later do not change
// them). same(id) is the person id an officer id stands for.
func schema4Figures(tx *Tx, p scoring.Params, today scoring.Date, keep func(campaign.Officer) bool) ([]string, error) {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	if err := tx.EachHamletDay(func(h string, d Day, c DayCount) error {
		add("hamlet-day %s %d households=%d procedures=%d", h, d, c.Households, c.Procedures)
		return nil
	}); err != nil {
		return nil, err
	}
	var od []string
	if err := tx.EachOfficerDay(func(o int64, d Day, c DayCount) error {
		od = append(od, fmt.Sprintf("officer-day %d %d households=%d procedures=%d", same(o), d, c.Households, c.Procedures))
		return nil
	}); err != nil {
		return nil, err
	}
	slices.Sort(od)
	out = append(out, od...)
	var oh []string
	if err := tx.EachOfficerHousehold(func(o int64, hh uint64, first Day) error {
		oh = append(oh, fmt.Sprintf("officer-household %d %d first=%d", same(o), hh, first))
		return nil
	}); err != nil {
		return nil, err
	}
	slices.Sort(oh)
	out = append(out, oh...)
	if err := tx.EachHouseholdFacts(func(id uint64, f HouseholdFacts) error {
		var ps []string
		for p, d := range f.Procedures {
			ps = append(ps, p+"@"+strconv.Itoa(int(d)))
		}
		slices.Sort(ps)
		add("household %d %s guided=%d self=%d %v", id, f.HamletID, f.GuidedFrom, f.SelfAbleFrom, ps)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := tx.EachRun(func(h string, from, to Day) error {
		add("run %s %d-%d", h, from, to)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := tx.EachHamletTotals(func(h string, t HamletTotals) error {
		add("totals %s guided=%d able=%d proc2=%d", h, t.Guided, t.Able, t.Proc2)
		return nil
	}); err != nil {
		return nil, err
	}
	os, err := tx.Officers()
	if err != nil {
		return nil, err
	}
	var act []string
	for _, o := range os {
		if !keep(o) {
			continue
		}
		a, err := tx.OfficerActivity(o.ID)
		if err != nil {
			return nil, err
		}
		act = append(act, fmt.Sprintf("activity %d households=%d days=%d last=%d distinct=%d", int64(o.ID),
			a.Households, a.DaysActive, a.LastDay, tx.OfficerHouseholds(o.ID)))
	}
	slices.Sort(act)
	out = append(out, act...)

	f, err := tx.Facts("")
	if err != nil {
		return nil, err
	}
	out = append(out, schema4FactLines("all", f)...)
	hs, err := tx.Hamlets()
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		one, err := tx.Facts(h.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, schema4FactLines(h.ID, one)...)
	}
	hamlet := func(s scoring.HamletStats) string {
		return fmt.Sprintf("%s guided=%d new=%d met=%d/%d today=%d(%v) streak=%d longest=%d households=%d self=%d able=%d coverage=%.4f reached=%v checks=%d/%d/%d",
			s.Hamlet.ID, s.GuidedInPeriod, s.NewGuided, s.DaysMet, s.DaysElapsed, s.GuidedToday, s.MetToday, s.CurrentStreak, s.LongestStreak,
			s.HouseholdsGuided, s.SelfAble, s.Able, s.Coverage, s.ReachedOn, s.Checks.Passed, s.Checks.Failed, s.Checks.Unreachable)
	}
	officer := func(s scoring.OfficerStats) string {
		return fmt.Sprintf("%d %s %s active=%v households=%d new=%d guided=%d procedures=%d days=%d total=%d/%d checks=%d/%d/%d excluded=%v",
			same(s.Officer.ID), s.Officer.Name, s.Officer.HamletID, s.Officer.Active, s.Households, s.NewHouseholds, s.GuidedInPeriod,
			s.Procedures, s.DaysActive, s.TotalProcedures, s.TotalDaysActive, s.Checks.Passed, s.Checks.Failed, s.Checks.Unreachable, s.Excluded)
	}
	for _, r := range scoring.Leaderboard(f, p, today) {
		add("leaderboard %d %s", r.Rank, hamlet(r.HamletStats))
	}
	for _, r := range scoring.TopOfficers(f, p, scoring.Month(2026, time.May), 5) {
		add("top-month %d %s", r.Rank, officer(r.OfficerStats))
	}
	ranks, top, ok, err := tx.QuickLeaderboard(p, today, 5)
	if err != nil || !ok {
		return nil, fmt.Errorf("quick leaderboard: %v %v", ok, err)
	}
	for _, r := range ranks {
		add("quick %d %s coverage=%.4f streak=%d today=%d(%v) households=%d able=%d", r.Rank, r.Hamlet.ID, r.Coverage, r.CurrentStreak,
			r.GuidedToday, r.MetToday, r.HouseholdsGuided, r.Able)
	}
	for _, r := range top {
		add("quick-top %d %d %s guided=%d procedures=%d days=%d", r.Rank, same(r.Officer.ID), r.Officer.Name, r.GuidedInPeriod, r.Procedures, r.DaysActive)
	}
	week := scoring.ISOWeek(today)
	for _, s := range scoring.Hamlets(f, p, week, today) {
		add("hamlet-week %s", hamlet(s))
	}
	for _, s := range scoring.Officers(f, p, week, today) {
		add("officer-week %s", officer(s))
	}
	a := scoring.Candidates(f, p, today)
	for _, c := range a.Collectives {
		add("collective %d %s tie=%v", c.Rank, c.Stats.Hamlet.ID, c.Tie)
	}
	for _, c := range a.NotSelected.Collectives {
		add("not-collective %s", c.Stats.Hamlet.ID)
	}
	for _, c := range a.Individuals {
		add("individual %d %d tie=%v", c.Rank, same(c.Stats.Officer.ID), c.Tie)
	}
	for _, c := range a.NotSelected.Individuals {
		add("not-individual %d", same(c.Stats.Officer.ID))
	}
	return out, nil
}

// factLines lists facts one per line, sorted.
func schema4FactLines(name string, f scoring.Facts) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, "facts "+name+" "+fmt.Sprintf(format, a...)) }
	for _, v := range f.Hamlets {
		add("hamlet %s %s households=%d", v.ID, v.Name, v.Households)
	}
	for _, v := range f.HamletDays {
		add("hamlet-day %s %v households=%d", v.HamletID, v.Date, v.Households)
	}
	for _, v := range f.Households {
		add("household %s guided=%v self=%v procedures=%v", v.HamletID, v.GuidedFrom, v.SelfAbleFrom, v.ProcedureDates)
	}
	for _, v := range f.Officers {
		add("officer %d %s %s active=%v", same(v.ID), v.Name, v.HamletID, v.Active)
	}
	for _, v := range f.OfficerDays {
		add("officer-day %d %v households=%d procedures=%d", same(v.OfficerID), v.Date, v.Households, v.Procedures)
	}
	for _, v := range f.OfficerHouseholds {
		add("officer-household %d first=%v", same(v.OfficerID), v.First)
	}
	for _, v := range f.Checks {
		add("check %d %s officer=%d %v %s %q", v.GuidanceID, v.HamletID, same(v.OfficerID), v.Date, v.Status, v.Reason)
	}
	for _, v := range f.Exclusions {
		target := v.Target
		if v.Kind == "officer" {
			id, _ := strconv.ParseInt(target, 10, 64)
			target = strconv.FormatInt(same(id), 10)
		}
		add("exclusion %s %s %q since=%v until=%v", v.Kind, target, v.Reason, v.Since, v.Until)
	}
	slices.Sort(out)
	return out
}

// same is the identity: figures of the current code name person ids.
func same(id int64) int64 { return id }
