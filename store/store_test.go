package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

var hcm = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// storeClock is a settable clock.
type storeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *storeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *storeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func (c *storeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

var storeHamlets = []campaign.Hamlet{
	{ID: "bai-nha", Name: "Bãi Nhà", Households: 812},
	{ID: "nam-du", Name: "Nam Du", Households: 298},
}

// openStore opens a store in a temporary folder with the hamlets synced.
func openStore(t testing.TB, clock *storeClock) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", "dvcbot.db")
	db := reopen(t, path, clock)
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(storeHamlets) }); err != nil {
		t.Fatal(err)
	}
	return db, path
}

func reopen(t testing.TB, path string, clock *storeClock) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{Now: clock.Now, Location: hcm, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustUpdate(t testing.TB, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// report adds a household if its phone is new in the hamlet, and a record.
func report(t testing.TB, db *store.DB, hamlet, name, phone string, officer campaign.PersonID, procs ...string) campaign.Guidance {
	t.Helper()
	var g campaign.Guidance
	mustUpdate(t, db, func(tx *store.Tx) error {
		hh, err := tx.HouseholdByPhone(hamlet, phone)
		if errors.Is(err, store.ErrNotFound) {
			hh, err = tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: "Tổ 3, ấp " + hamlet,
				Phone: phone, CreatedBy: officer}, strings.ToLower(name))
		}
		if err != nil {
			return err
		}
		g, err = tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: officer, Procedures: procs})
		return err
	})
	return g
}

var march2 = time.Date(2026, 3, 2, 9, 0, 0, 0, hcm)

func TestReopenKeepsEverything(t *testing.T) {
	clock := &storeClock{t: march2}
	db, path := openStore(t, clock)
	tg := chat.Addr(chat.Telegram, "2001")
	var person campaign.PersonID
	mustUpdate(t, db, func(tx *store.Tx) error {
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		person = id
		if err := tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: tg}}, FullName: "Lê Văn Tám",
			HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true}, 0, "officer.join"); err != nil {
			return err
		}
		if err := tx.PutSession(tg, tg, []byte(`{"state":"report_phone"}`)); err != nil {
			return err
		}
		return tx.MarkProcessed("telegram:77", []byte(`[{"text":"Đã lưu"}]`))
	})
	g := report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", person, "khai_sinh", "thuong_tru")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = reopen(t, path, clock)
	err := db.View(func(tx *store.Tx) error {
		got, err := tx.Guidance(g.ID)
		if err != nil {
			return err
		}
		if got.HouseholdID != g.HouseholdID || got.OfficerID != person || !got.At.Equal(march2) ||
			strings.Join(got.Procedures, "+") != "khai_sinh+thuong_tru" || !got.Counts() {
			t.Errorf("record after reopen = %+v, want %+v", got, g)
		}
		hh, err := tx.HouseholdByPhone("bai-nha", "0912345678")
		if err != nil || hh.HeadName != "Nguyễn Văn An" {
			t.Errorf("household after reopen = %+v, %v", hh, err)
		}
		if o, err := tx.Officer(person); err != nil || o.FullName != "Lê Văn Tám" || !o.Has(tg) {
			t.Errorf("officer after reopen = %+v, %v", o, err)
		}
		if o, err := tx.PersonAt(tg); err != nil || o.ID != person {
			t.Errorf("PersonAt(%s) after reopen = %+v, %v", tg, o, err)
		}
		if _, err := tx.PersonAt(chat.Addr(chat.Zalo, "2001")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PersonAt(zalo:2001) = %v, want ErrNotFound", err)
		}
		if s := tx.Session(tg, tg); string(s) != `{"state":"report_phone"}` {
			t.Errorf("session after reopen = %q", s)
		}
		if !tx.Processed("telegram:77") || tx.Processed("telegram:78") || tx.Processed("zalo:77") {
			t.Errorf("processed updates not kept")
		}
		if p := tx.PendingReplies("telegram:77"); string(p) != `[{"text":"Đã lưu"}]` {
			t.Errorf("pending replies after reopen = %q", p)
		}
		if c := tx.HamletDay("bai-nha", store.DayOf(march2, hcm)); c != (store.DayCount{Households: 1, Procedures: 2}) {
			t.Errorf("hamlet day after reopen = %+v", c)
		}
		hs, err := tx.Hamlets()
		if err != nil || len(hs) != 2 {
			t.Errorf("hamlets after reopen = %v, %v", hs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	clock := &storeClock{t: march2}
	db, path := openStore(t, clock)
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", 2001, "khai_sinh")
	db.Close()

	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte("99"))
	}); err != nil {
		t.Fatal(err)
	}
	b.Close()

	_, err = store.Open(path, store.Options{Location: hcm})
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Fatalf("Open of a schema 99 file: err = %v, want ErrNewerSchema", err)
	}
	if !strings.Contains(err.Error(), "99") {
		t.Errorf("error %q does not say which schema the file has", err)
	}
	if _, _, err := store.OpenReadOnly(path, store.Options{Location: hcm}); !errors.Is(err, store.ErrNewerSchema) {
		t.Errorf("OpenReadOnly of a schema 99 file: err = %v, want ErrNewerSchema", err)
	}
	// The refused file is left as it was.
	b, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_ = b.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket([]byte("meta")).Get([]byte("schema_version"))); v != "99" {
			t.Errorf("schema_version rewritten to %q", v)
		}
		return nil
	})
}

func TestSchemaVersionWritten(t *testing.T) {
	db, path := openStore(t, &storeClock{t: march2})
	db.Close()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_ = b.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket([]byte("meta")).Get([]byte("schema_version"))); v != fmt.Sprint(store.SchemaVersion) {
			t.Errorf("schema_version = %q, want %d", v, store.SchemaVersion)
		}
		return nil
	})
}

func TestSecondOpenFailsFast(t *testing.T) {
	db, path := openStore(t, &storeClock{t: march2})
	_ = db
	start := time.Now()
	_, err := store.Open(path, store.Options{Location: hcm, Timeout: 100 * time.Millisecond})
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("second Open took %v; it should give up after its timeout", d)
	}
	// The default timeout is short too.
	start = time.Now()
	if _, err := store.Open(path, store.Options{Location: hcm}); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second Open with the default timeout: err = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("second Open with the default timeout took %v", d)
	}
}

// TestSecondProcessFailsFast starts this test binary again as a second
// dvcbot process on the same file.
func TestSecondProcessFailsFast(t *testing.T) {
	if path := os.Getenv("DVCBOT_STORE_LOCK_HELPER"); path != "" {
		_, err := store.Open(path, store.Options{Timeout: 150 * time.Millisecond})
		if errors.Is(err, store.ErrLocked) {
			fmt.Println("LOCKED:", err)
			os.Exit(0)
		}
		fmt.Println("NOT LOCKED:", err)
		os.Exit(3)
	}
	_, path := openStore(t, &storeClock{t: march2})
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondProcessFailsFast$")
	cmd.Env = append(os.Environ(), "DVCBOT_STORE_LOCK_HELPER="+path)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "LOCKED:") {
		t.Fatalf("second process: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "in use by another dvcbot process") {
		t.Errorf("the error does not say the file is in use: %s", out)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("second process took %v", d)
	}
}

func TestAggregates(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	day := store.DayOf(march2, hcm)
	const a, b campaign.PersonID = 2001, 2002

	g1 := report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", a, "khai_sinh", "thuong_tru")
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", a, "khai_sinh") // same household, same day
	g3 := report(t, db, "bai-nha", "Trần Thị Bích", "0987654321", b, "tam_tru")
	report(t, db, "nam-du", "Lê Văn Cường", "0905123456", b, "khai_sinh")

	check := func(step string, fn func(tx *store.Tx)) {
		t.Helper()
		if err := db.View(func(tx *store.Tx) error { fn(tx); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	check("after adds", func(tx *store.Tx) {
		// Records counted from the index: a's two (one household), b's two.
		for _, c := range []struct {
			who         campaign.PersonID
			d           store.Day
			limit, want int
		}{{a, day, 10, 2}, {b, day, 10, 2}, {b, day, 1, 1}, {a, day - 1, 10, 0}, {a, day + 1, 10, 0}, {2003, day, 10, 0}} {
			if got := tx.OfficerRecordsOn(c.who, c.d, c.limit); got != c.want {
				t.Errorf("OfficerRecordsOn(%d, day%+d, %d) = %d, want %d", c.who, c.d-day, c.limit, got, c.want)
			}
		}
		if got, want := tx.HamletDay("bai-nha", day), (store.DayCount{Households: 2, Procedures: 4}); got != want {
			t.Errorf("HamletDay(bai-nha) = %+v, want %+v", got, want)
		}
		if got, want := tx.HamletDay("nam-du", day), (store.DayCount{Households: 1, Procedures: 1}); got != want {
			t.Errorf("HamletDay(nam-du) = %+v, want %+v", got, want)
		}
		if got, want := tx.OfficerDay(a, day), (store.DayCount{Households: 1, Procedures: 3}); got != want {
			t.Errorf("OfficerDay(a) = %+v, want %+v", got, want)
		}
		if got, want := tx.OfficerDay(b, day), (store.DayCount{Households: 2, Procedures: 2}); got != want {
			t.Errorf("OfficerDay(b) = %+v, want %+v", got, want)
		}
		if got, want := tx.HamletTotals("bai-nha"), (store.HamletTotals{Guided: 2, Able: 2, Proc2: 1}); got != want {
			t.Errorf("HamletTotals(bai-nha) = %+v, want %+v", got, want)
		}
		if got := tx.OfficerHouseholds(a); got != 1 {
			t.Errorf("OfficerHouseholds(a) = %d, want 1", got)
		}
		if got := tx.OfficerHouseholds(b); got != 2 {
			t.Errorf("OfficerHouseholds(b) = %d, want 2", got)
		}
		if got := tx.HamletDay("bai-nha", day+1); got != (store.DayCount{}) {
			t.Errorf("HamletDay of the next day = %+v, want zero", got)
		}
	})

	// Undo of b's only record in bai-nha: the household no longer counts anywhere.
	clock.Add(time.Hour)
	mustUpdate(t, db, func(tx *store.Tx) error { _, err := tx.RetractGuidance(g3.ID, b); return err })
	check("after retract", func(tx *store.Tx) {
		if got, want := tx.HamletDay("bai-nha", day), (store.DayCount{Households: 1, Procedures: 3}); got != want {
			t.Errorf("HamletDay(bai-nha) = %+v, want %+v", got, want)
		}
		if got, want := tx.OfficerDay(b, day), (store.DayCount{Households: 1, Procedures: 1}); got != want {
			t.Errorf("OfficerDay(b) = %+v, want %+v", got, want)
		}
		if got, want := tx.HamletTotals("bai-nha"), (store.HamletTotals{Guided: 1, Able: 1, Proc2: 1}); got != want {
			t.Errorf("HamletTotals(bai-nha) = %+v, want %+v", got, want)
		}
		if got := tx.OfficerHouseholds(b); got != 1 {
			t.Errorf("OfficerHouseholds(b) = %d, want 1", got)
		}
		g, _ := tx.Guidance(g3.ID)
		if g.Counts() || g.Status != campaign.GuidanceRetracted || !g.RetractedAt.Equal(march2.Add(time.Hour)) {
			t.Errorf("retracted record = %+v", g)
		}
	})
	// Retracting twice changes nothing.
	mustUpdate(t, db, func(tx *store.Tx) error { _, err := tx.RetractGuidance(g3.ID, b); return err })
	check("after a second retract", func(tx *store.Tx) {
		if got, want := tx.HamletDay("bai-nha", day), (store.DayCount{Households: 1, Procedures: 3}); got != want {
			t.Errorf("HamletDay(bai-nha) = %+v, want %+v", got, want)
		}
	})

	// A household recorded as able on its own counts for coverage, not for the day.
	var selfID uint64
	mustUpdate(t, db, func(tx *store.Tx) error {
		hh, err := tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: "Đỗ Thị Dung", Address: "Tổ 2",
			Phone: "0905999888", CreatedBy: a}, "do thi dung")
		if err != nil {
			return err
		}
		selfID = hh.ID
		return tx.MarkSelfAble(hh.ID, a)
	})
	// The retracted household (Bích) is marked able too.
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.MarkSelfAble(g3.HouseholdID, b) })
	check("after self-able", func(tx *store.Tx) {
		if got, want := tx.HamletTotals("bai-nha"), (store.HamletTotals{Guided: 1, Able: 3, Proc2: 1}); got != want {
			t.Errorf("HamletTotals(bai-nha) = %+v, want %+v", got, want)
		}
		if got, want := tx.HamletDay("bai-nha", day), (store.DayCount{Households: 1, Procedures: 3}); got != want {
			t.Errorf("HamletDay(bai-nha) = %+v, want %+v (self-able is not guidance)", got, want)
		}
	})
	// Guiding a self-able household makes it guided; it stays counted once.
	report(t, db, "bai-nha", "Đỗ Thị Dung", "0905999888", a, "ket_hon")
	check("after guiding a self-able household", func(tx *store.Tx) {
		if got, want := tx.HamletTotals("bai-nha"), (store.HamletTotals{Guided: 2, Able: 3, Proc2: 1}); got != want {
			t.Errorf("HamletTotals(bai-nha) = %+v, want %+v", got, want)
		}
		if got := tx.OfficerHouseholds(a); got != 2 {
			t.Errorf("OfficerHouseholds(a) = %d, want 2", got)
		}
	})
	_ = selfID
	_ = g1
}

func TestDayBoundary(t *testing.T) {
	clock := &storeClock{t: time.Date(2026, 3, 2, 23, 59, 59, 0, hcm)}
	db, _ := openStore(t, clock)
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", 2001, "khai_sinh")
	clock.Set(time.Date(2026, 3, 3, 0, 0, 0, 0, hcm))
	report(t, db, "bai-nha", "Trần Thị Bích", "0987654321", 2001, "thuong_tru", "tam_tru")

	mar2 := store.DayOf(time.Date(2026, 3, 2, 12, 0, 0, 0, hcm), hcm)
	if d := store.DayOf(time.Date(2026, 3, 2, 16, 59, 59, 0, time.UTC), hcm); d != mar2 {
		t.Errorf("DayOf(16:59:59Z) = %v, want 2 March", d.Date())
	}
	if d := store.DayOf(time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC), hcm); d != mar2+1 {
		t.Errorf("DayOf(17:00:00Z) = %v, want 3 March", d.Date())
	}
	if got := mar2.Date().Format("2006-01-02"); got != "2026-03-02" {
		t.Errorf("Day.Date() = %s", got)
	}
	_ = db.View(func(tx *store.Tx) error {
		if got, want := tx.HamletDay("bai-nha", mar2), (store.DayCount{Households: 1, Procedures: 1}); got != want {
			t.Errorf("2 March (23:59:59) = %+v, want %+v", got, want)
		}
		if got, want := tx.HamletDay("bai-nha", mar2+1), (store.DayCount{Households: 1, Procedures: 2}); got != want {
			t.Errorf("3 March (00:00:00) = %+v, want %+v", got, want)
		}
		if got, want := tx.OfficerDay(2001, mar2), (store.DayCount{Households: 1, Procedures: 1}); got != want {
			t.Errorf("officer on 2 March = %+v, want %+v", got, want)
		}
		var days []string
		_ = tx.HamletDays("bai-nha", mar2-10, mar2+10, func(d store.Day, c store.DayCount) error {
			days = append(days, fmt.Sprintf("%s:%d", d.Date().Format("01-02"), c.Households))
			return nil
		})
		if got := strings.Join(days, " "); got != "03-02:1 03-03:1" {
			t.Errorf("HamletDays = %q", got)
		}
		// Records by time: a range ending at local midnight excludes the midnight record.
		n := 0
		_ = tx.EachGuidance(time.Time{}, time.Date(2026, 3, 3, 0, 0, 0, 0, hcm), func(campaign.Guidance) error { n++; return nil })
		if n != 1 {
			t.Errorf("EachGuidance before 3 March midnight = %d records, want 1", n)
		}
		return nil
	})
}

func TestAuditLog(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	const officer, admin campaign.PersonID = 2001, 1001
	g := report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", officer, "khai_sinh")
	clock.Add(time.Minute)
	mustUpdate(t, db, func(tx *store.Tx) error { _, err := tx.RetractGuidance(g.ID, admin); return err })
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.MarkSelfAble(g.HouseholdID, officer) })
	mustUpdate(t, db, func(tx *store.Tx) error {
		_, err := tx.SetCheck(g.ID, campaign.CheckPassed, "đã gọi điện", admin)
		return err
	})
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.AddPhoto(g.ID, "PHOTO-1", officer) })

	var log []campaign.AuditEntry
	_ = db.View(func(tx *store.Tx) (err error) { log, err = tx.AuditLog(0, 0); return err })
	var actions []string
	for i, e := range log {
		actions = append(actions, fmt.Sprintf("%s by %d", e.Action, e.Actor))
		if e.Seq != uint64(i+1) {
			t.Errorf("entry %d has seq %d", i, e.Seq)
		}
		for _, personal := range []string{"Nguyễn", "0912345678", "912345678", "Tổ 3", "PHOTO-1"} {
			if strings.Contains(e.Before+e.After, personal) {
				t.Errorf("audit entry %s holds personal data %q: before %s after %s", e.Action, personal, e.Before, e.After)
			}
		}
	}
	want := "household.create by 2001, guidance.create by 2001, guidance.retract by 1001, household.self_able by 2001, guidance.check by 1001, guidance.photo by 2001"
	if got := strings.Join(actions, ", "); got != want {
		t.Errorf("audit log:\n got %s\nwant %s", got, want)
	}
	// The retract entry says what changed, and when.
	for _, e := range log {
		if e.Action != "guidance.retract" {
			continue
		}
		var before, after map[string]any
		if json.Unmarshal([]byte(e.Before), &before) != nil || json.Unmarshal([]byte(e.After), &after) != nil {
			t.Fatalf("retract entry is not JSON: %s / %s", e.Before, e.After)
		}
		if before["status"] != "active" || after["status"] != "retracted" || after["id"] != float64(g.ID) {
			t.Errorf("retract entry before %v after %v", before, after)
		}
		if !e.At.Equal(march2.Add(time.Minute)) {
			t.Errorf("retract entry at %v, want %v", e.At, march2.Add(time.Minute))
		}
	}
	// Paging.
	_ = db.View(func(tx *store.Tx) error {
		page, err := tx.AuditLog(2, 2)
		if err != nil || len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
			t.Errorf("AuditLog(2, 2) = %+v, %v", page, err)
		}
		return nil
	})
}

func TestInvites(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	mustUpdate(t, db, func(tx *store.Tx) error {
		return tx.PutInvite(campaign.Invite{Code: "abc", HamletID: "bai-nha", Role: campaign.RoleOfficer, CreatedBy: 1001,
			CreatedAt: march2, ExpiresAt: march2.Add(7 * 24 * time.Hour)})
	})
	use := func(user campaign.PersonID) error {
		return db.Update(func(tx *store.Tx) error { _, err := tx.UseInvite("abc", user); return err })
	}
	clock.Add(7*24*time.Hour - time.Second)
	if err := use(2001); err != nil {
		t.Fatalf("use before expiry: %v", err)
	}
	if err := use(2002); !errors.Is(err, store.ErrInviteUsed) {
		t.Errorf("second use: %v, want ErrInviteUsed", err)
	}
	mustUpdate(t, db, func(tx *store.Tx) error {
		return tx.PutInvite(campaign.Invite{Code: "late", HamletID: "bai-nha", Role: campaign.RoleLeader, CreatedBy: 1001,
			CreatedAt: march2, ExpiresAt: clock.Now()})
	})
	err := db.Update(func(tx *store.Tx) error { _, err := tx.UseInvite("late", 2003); return err })
	if !errors.Is(err, store.ErrInviteExpire) {
		t.Errorf("use at expiry: %v, want ErrInviteExpire", err)
	}
	err = db.Update(func(tx *store.Tx) error { _, err := tx.UseInvite("nope", 2003); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown code: %v, want ErrNotFound", err)
	}
}

// TestPeopleSessionsAndProcessedUpdates: people are listed in numeric id
// order; sessions are keyed by chat and user address, so a group and a
// user whose Telegram ids have the same magnitude, or the same id on two
// channels, never collide; processed updates are channel-qualified.
func TestPeopleSessionsAndProcessedUpdates(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	mustUpdate(t, db, func(tx *store.Tx) error {
		for _, id := range []campaign.PersonID{5, 300, 1, 1 << 40, 256} {
			if err := tx.PutOfficer(campaign.Officer{ID: id, FullName: "X Y", Active: true}, 1, "t"); err != nil {
				return err
			}
		}
		for _, id := range []campaign.PersonID{0, -1} {
			if err := tx.PutOfficer(campaign.Officer{ID: id, FullName: "X Y", Active: true}, 1, "t"); err == nil {
				t.Errorf("a person with id %d was saved", id)
			}
		}
		return nil
	})
	group, user := chat.Addr(chat.Telegram, "-1001234567890"), chat.Addr(chat.Telegram, "7")
	mustUpdate(t, db, func(tx *store.Tx) error {
		for _, s := range []struct {
			chat, user chat.Address
			state      string
		}{
			{group, user, "g"},
			{chat.Addr(chat.Telegram, "1001234567890"), user, "p"},
			{chat.Addr(chat.Zalo, "7"), chat.Addr(chat.Zalo, "7"), "z"},
			{user, user, "u"},
		} {
			if err := tx.PutSession(s.chat, s.user, []byte(s.state)); err != nil {
				return err
			}
		}
		return nil
	})
	_ = db.View(func(tx *store.Tx) error {
		os, _ := tx.Officers()
		var ids []campaign.PersonID
		for _, o := range os {
			ids = append(ids, o.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint([]campaign.PersonID{1, 5, 256, 300, 1 << 40}) {
			t.Errorf("people in key order = %v, want numeric order", ids)
		}
		if string(tx.Session(group, user)) != "g" || string(tx.Session(chat.Addr(chat.Telegram, "1001234567890"), user)) != "p" {
			t.Errorf("sessions of a group and a user with the same magnitude collide")
		}
		if string(tx.Session(chat.Addr(chat.Zalo, "7"), chat.Addr(chat.Zalo, "7"))) != "z" || string(tx.Session(user, user)) != "u" {
			t.Errorf("sessions of the same id on two channels collide")
		}
		if tx.Session(user, group) != nil {
			t.Errorf("chat and user swapped find a session")
		}
		var all []string
		_ = tx.EachSession(func(c, u chat.Address, state []byte) error {
			all = append(all, c.String()+" "+u.String()+" "+string(state))
			return nil
		})
		if want := "telegram:-1001234567890 telegram:7 g, telegram:1001234567890 telegram:7 p, telegram:7 telegram:7 u, zalo:7 zalo:7 z"; strings.Join(all, ", ") != want {
			t.Errorf("EachSession = %q, want %q", strings.Join(all, ", "), want)
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error { return tx.PutSession(group, user, nil) })
	_ = db.View(func(tx *store.Tx) error {
		if tx.Session(group, user) != nil {
			t.Errorf("empty session not deleted")
		}
		if string(tx.Session(chat.Addr(chat.Telegram, "1001234567890"), user)) != "p" {
			t.Errorf("deleting a session deleted another")
		}
		return nil
	})

	mustUpdate(t, db, func(tx *store.Tx) error { return tx.MarkProcessed("telegram:1", []byte("r1")) })
	clock.Add(72 * time.Hour)
	mustUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.MarkProcessed("telegram:2", nil); err != nil {
			return err
		}
		return tx.MarkProcessed("zalo:message.text.received:8a3f", []byte("r3"))
	})
	_ = db.View(func(tx *store.Tx) error {
		if !tx.Processed("telegram:1") || tx.Processed("zalo:1") || tx.Processed("") {
			t.Errorf("processed(telegram:1)=%v processed(zalo:1)=%v processed(\"\")=%v", tx.Processed("telegram:1"), tx.Processed("zalo:1"), tx.Processed(""))
		}
		if tx.PendingReplies("telegram:2") != nil || string(tx.PendingReplies("telegram:1")) != "r1" || tx.PendingReplies("telegram:9") != nil {
			t.Errorf("pending replies: telegram:1 %q, telegram:2 %q", tx.PendingReplies("telegram:1"), tx.PendingReplies("telegram:2"))
		}
		var pend []string
		_ = tx.EachPending(func(u string, at time.Time, r []byte) error {
			pend = append(pend, fmt.Sprintf("%s %s %s", u, at.In(hcm).Format("02/01 15:04"), r))
			return nil
		})
		if want := "telegram:1 02/03 09:00 r1, zalo:message.text.received:8a3f 05/03 09:00 r3"; strings.Join(pend, ", ") != want {
			t.Errorf("EachPending = %q, want %q", strings.Join(pend, ", "), want)
		}
		return nil
	})
	// Delivered replies are cleared; the update stays processed.
	mustUpdate(t, db, func(tx *store.Tx) error {
		return tx.ClearPending("zalo:message.text.received:8a3f", "telegram:2", "telegram:9")
	})
	_ = db.View(func(tx *store.Tx) error {
		if tx.PendingReplies("zalo:message.text.received:8a3f") != nil || !tx.Processed("zalo:message.text.received:8a3f") || tx.Processed("telegram:9") {
			t.Errorf("after ClearPending: pending %q, processed %v", tx.PendingReplies("zalo:message.text.received:8a3f"), tx.Processed("zalo:message.text.received:8a3f"))
		}
		return nil
	})
	mustUpdate(t, db, func(tx *store.Tx) error {
		n, err := tx.PruneProcessed(clock.Now().Add(-48 * time.Hour))
		if n != 1 {
			t.Errorf("PruneProcessed removed %d, want 1", n)
		}
		return err
	})
	_ = db.View(func(tx *store.Tx) error {
		if tx.Processed("telegram:1") || !tx.Processed("telegram:2") || !tx.Processed("zalo:message.text.received:8a3f") {
			t.Errorf("after pruning: processed(1)=%v processed(2)=%v", tx.Processed("telegram:1"), tx.Processed("telegram:2"))
		}
		return nil
	})
}

func TestAddHouseholdTwiceRefused(t *testing.T) {
	db, _ := openStore(t, &storeClock{t: march2})
	add := func(hamlet string) error {
		return db.Update(func(tx *store.Tx) error {
			_, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: "A B", Address: "x", Phone: "0912345678"}, "a b")
			return err
		})
	}
	if err := add("bai-nha"); err != nil {
		t.Fatal(err)
	}
	if err := add("bai-nha"); err == nil {
		t.Errorf("the same phone twice in a hamlet was accepted")
	}
	if err := add("nam-du"); err != nil {
		t.Errorf("the same phone in another hamlet: %v", err)
	}
	_ = db.View(func(tx *store.Tx) error {
		hs, err := tx.HouseholdsByPhone("0912345678")
		if err != nil || len(hs) != 2 {
			t.Errorf("HouseholdsByPhone = %d households, %v; want 2", len(hs), err)
		}
		same, err := tx.HouseholdsByName("bai-nha", "a b")
		if err != nil || len(same) != 1 {
			t.Errorf("HouseholdsByName = %v, %v", same, err)
		}
		return nil
	})
}

// TestOpenReadOnlyThroughSnapshotSocket: export while the bot holds the file.
func TestOpenReadOnlyThroughSnapshotSocket(t *testing.T) {
	clock := &storeClock{t: march2}
	db, path := openStore(t, clock)
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", 2001, "khai_sinh")
	report(t, db, "nam-du", "Trần Thị Bích", "0987654321", 2002, "thuong_tru")

	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- db.ServeSnapshots(ctx) }()
	sock := store.SnapshotSocket(path)
	waitFor(t, func() bool { _, err := os.Stat(sock); return err == nil })
	ro, closeRO, err := store.OpenReadOnly(path, store.Options{Location: hcm})
	if err != nil {
		t.Fatalf("OpenReadOnly while the bot holds the file: %v", err)
	}
	// Only the owner of the data file may fetch a copy of it.
	if fi, err := os.Stat(sock); err != nil {
		t.Errorf("snapshot socket: %v", err)
	} else if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("snapshot socket mode %v: open to others", fi.Mode().Perm())
	}
	// The writer keeps working while the copy is open; the copy does not change.
	report(t, db, "bai-nha", "Lê Văn Cường", "0905123456", 2001, "tam_tru")
	n := 0
	err = ro.View(func(tx *store.Tx) error {
		return tx.EachEvidence(time.Time{}, time.Time{}, "", func(ev store.Evidence) error {
			n++
			if ev.Household.Phone == "" || ev.Hamlet.Name == "" {
				t.Errorf("evidence without household or hamlet: %+v", ev)
			}
			return nil
		})
	})
	if err != nil || n != 2 {
		t.Errorf("snapshot has %d records (%v), want 2", n, err)
	}
	if ro.Path() == path {
		t.Errorf("the read-only store is the live file, not a copy")
	}
	copyPath := ro.Path()
	if err := closeRO(); err != nil {
		t.Errorf("close: %v", err)
	}
	if _, err := os.Stat(copyPath); !os.IsNotExist(err) {
		t.Errorf("snapshot copy %s left behind (%v)", copyPath, err)
	}

	cancel()
	if err := <-served; err != nil {
		t.Errorf("ServeSnapshots: %v", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("socket left behind after ServeSnapshots returned")
	}
	// Without a socket and with the file still held, OpenReadOnly fails with ErrLocked.
	if _, _, err := store.OpenReadOnly(path, store.Options{Location: hcm, Timeout: 50 * time.Millisecond}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("OpenReadOnly with no socket: %v, want ErrLocked", err)
	}
	// Once the bot is gone, the file is read directly.
	db.Close()
	ro, closeRO, err = store.OpenReadOnly(path, store.Options{Location: hcm})
	if err != nil {
		t.Fatalf("OpenReadOnly with no bot: %v", err)
	}
	defer closeRO()
	if ro.Path() != path {
		t.Errorf("read-only store opened %s, want the file itself", ro.Path())
	}
	if _, _, err := store.OpenReadOnly(filepath.Join(t.TempDir(), "none.db"), store.Options{}); err == nil {
		t.Errorf("OpenReadOnly of a missing file succeeded")
	}
}

// waitFor waits for a goroutine of the test to reach a state.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestWriteSnapshotIsAStore(t *testing.T) {
	clock := &storeClock{t: march2}
	db, _ := openStore(t, clock)
	report(t, db, "bai-nha", "Nguyễn Văn An", "0912345678", 2001, "khai_sinh")
	copyPath := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.WriteSnapshot(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	cp := reopen(t, copyPath, clock)
	_ = cp.View(func(tx *store.Tx) error {
		if _, err := tx.HouseholdByPhone("bai-nha", "0912345678"); err != nil {
			t.Errorf("backup lacks the household: %v", err)
		}
		return nil
	})
}

// TestSnapshotSocketLongPath: a data file deep in the file system still
// serves snapshots (a Unix socket path holds at most 107 bytes).
func TestSnapshotSocketLongPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("thu-muc-du-lieu-", 6))
	clock := &storeClock{t: march2}
	path := filepath.Join(dir, "dvcbot.db")
	db := reopen(t, path, clock)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- db.ServeSnapshots(ctx) }()
	ro, closeRO, err := func() (*store.DB, func() error, error) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			ro, c, err := store.OpenReadOnly(path, store.Options{Location: hcm, Timeout: 20 * time.Millisecond})
			if err == nil || time.Now().After(deadline) {
				return ro, c, err
			}
			select {
			case err := <-served:
				return nil, nil, fmt.Errorf("ServeSnapshots returned: %w", err)
			default:
			}
		}
	}()
	cancel()
	if err != nil {
		t.Fatalf("export of a store at a %d-byte path: %v", len(path), err)
	}
	_ = ro
	closeRO()
}
