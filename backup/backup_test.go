package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

var march2 = time.Date(2026, 3, 2, 9, 0, 0, 0, hcm)

// fill opens a store at path and writes hamlets, officers (people 1 to 3,
// with a Telegram account each), households, guidance records (one
// retracted) and their audit entries.
func fill(t testing.TB, path string, n int) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{Now: func() time.Time { return march2 }, Location: hcm, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 812}, {ID: "nam-du", Name: "Nam Du", Households: 298}}); err != nil {
			return err
		}
		for o := 1; o <= 3; o++ {
			id, err := tx.NewPersonID()
			if err != nil {
				return err
			}
			if err := tx.PutOfficer(campaign.Officer{ID: id, FullName: fmt.Sprintf("Cán Bộ %c", 'A'+o), HamletID: "bai-nha",
				Role: campaign.RoleOfficer, Active: true, JoinedAt: march2,
				Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, strconv.Itoa(2000+o))}}}, 1, "officer.join"); err != nil {
				return err
			}
		}
		for i := 0; i < n; i++ {
			hamlet := []string{"bai-nha", "nam-du"}[i%2]
			name := fmt.Sprintf("Nguyễn Văn %c", 'A'+i%26)
			hh, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: fmt.Sprintf("Tổ %d, ấp %s", i%7, hamlet),
				Phone: fmt.Sprintf("09123%05d", i), CreatedBy: 1}, strings.ToLower(name))
			if err != nil {
				return err
			}
			g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: campaign.PersonID(1 + i%3), Procedures: []string{"khai_sinh"}})
			if err != nil {
				return err
			}
			if i == 0 {
				if _, err := tx.RetractGuidance(g.ID, 1); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// dump lists every key and value of every bucket, nested buckets included.
func dump(t testing.TB, path string) []string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	var walk func(prefix string, b *bolt.Bucket) error
	walk = func(prefix string, b *bolt.Bucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				return walk(prefix+fmt.Sprintf("%x", k)+"/", b.Bucket(k))
			}
			out = append(out, fmt.Sprintf("%s%x=%x", prefix, k, v))
			return nil
		})
	}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error { return walk(string(name)+"/", b) })
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteVerifyListRotate(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "data", "dvcbot.db"), 10)
	bdir := filepath.Join(dir, "backups")
	if err := os.MkdirAll(bdir, 0o750); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(bdir, "ghi-chu.txt")
	os.WriteFile(other, []byte("not a backup"), 0o600)
	os.WriteFile(filepath.Join(bdir, "dvcbot-2026-13-99-999999.db.bak"), nil, 0o600)

	var infos []Info
	for d := 0; d < 5; d++ {
		info, err := Write(db, bdir, march2.AddDate(0, 0, d))
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
	}
	if got := filepath.Base(infos[0].Path); got != "dvcbot-2026-03-02-090000.db" {
		t.Fatalf("name %q", got)
	}
	sum, err := Verify(infos[4].Path)
	if err != nil {
		t.Fatal(err)
	}
	if sum.SchemaVersion != store.SchemaVersion || sum.Count("guidance") != 10 || sum.Count("households") != 10 || sum.Count("officers") != 3 || sum.Count("hamlets") != 2 {
		t.Fatalf("summary %+v", sum)
	}
	if fi, _ := os.Stat(infos[0].Path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup mode %v: it holds personal data", fi.Mode())
	}
	list, err := List(bdir, hcm)
	if err != nil || len(list) != 5 || !list[0].Time.Equal(march2) {
		t.Fatalf("list %v %v", list, err)
	}
	gone, err := Rotate(bdir, 3)
	if err != nil || len(gone) != 2 || gone[0] != infos[0].Path || gone[1] != infos[1].Path {
		t.Fatalf("rotate removed %v (%v)", gone, err)
	}
	left, _ := os.ReadDir(bdir)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	want := []string{"dvcbot-2026-03-04-090000.db", "dvcbot-2026-03-05-090000.db", "dvcbot-2026-03-06-090000.db", "dvcbot-2026-13-99-999999.db.bak", "ghi-chu.txt"}
	sort.Strings(names)
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("left %v, want %v", names, want)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "dvcbot.db"), 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			db.Update(func(tx *store.Tx) error {
				hh, err := tx.AddHousehold(campaign.Household{HamletID: "nam-du", HeadName: "Lê Thị Hoa", Address: "Tổ 1", Phone: fmt.Sprintf("09887%05d", i), CreatedBy: 1}, "le thi hoa")
				if err != nil {
					return err
				}
				_, err = tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "nam-du", OfficerID: 1, Procedures: []string{"khai_sinh"}})
				return err
			})
		}
	}()
	for i := 0; i < 5; i++ {
		info, err := Write(db, filepath.Join(dir, "b"), march2.Add(time.Duration(i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		sum, err := Verify(info.Path)
		if err != nil {
			t.Fatal(err)
		}
		// Consistent: every record has its household and its time index entry.
		if sum.Count("guidance") != sum.Count("households") || sum.Count("guidance") != sum.Count("idx_g_time") {
			t.Fatalf("inconsistent snapshot: %v", sum.Keys)
		}
	}
	close(stop)
	wg.Wait()
}

func TestVerifyRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	gdb := fill(t, good, 2)
	var snap bytes.Buffer // exactly as long as its pages, unlike the live file (grown ahead)
	if _, err := gdb.WriteSnapshot(&snap); err != nil {
		t.Fatal(err)
	}
	gdb.Close()
	raw, _ := os.ReadFile(good)

	edit := func(name string, fn func(tx *bolt.Tx) error) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, raw, 0o600)
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return p
	}
	garbage := filepath.Join(dir, "garbage.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("dvcbot "), 4096), 0o600)
	truncated := filepath.Join(dir, "truncated.db")
	os.WriteFile(truncated, snap.Bytes()[:snap.Len()/3], 0o600)
	empty := filepath.Join(dir, "empty-bolt.db")
	if db, err := bolt.Open(empty, 0o600, nil); err == nil {
		db.Close()
	}

	tests := []struct {
		name, path string
		want       error
		text       string
	}{
		{"not bbolt", garbage, ErrInvalid, "not a usable"},
		{"truncated", truncated, ErrInvalid, ""},
		{"bbolt without our buckets", empty, ErrInvalid, "no meta bucket"},
		{"newer schema", edit("newer.db", func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte(fmt.Sprint(store.SchemaVersion+1)))
		}), store.ErrNewerSchema, "newer"},
		{"bucket missing", edit("nobucket.db", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("guidance")) }), ErrInvalid, `"guidance" missing`},
		{"accounts index missing", edit("noaccounts.db", func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("accounts")) }), ErrInvalid, `"accounts" missing`},
		{"missing file", filepath.Join(dir, "nope.db"), os.ErrNotExist, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.path)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Verify = %v, want %v containing %q", err, tc.want, tc.text)
			}
		})
	}
	if _, err := Verify(good); err != nil {
		t.Fatalf("good file: %v", err)
	}
	// A schema 4 file has no accounts index yet: the store makes it when
	// it migrates the file.
	schema4 := edit("schema4.db", func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("accounts")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte("4"))
	})
	if sum, err := Verify(schema4); err != nil || sum.SchemaVersion != 4 {
		t.Fatalf("schema 4 file without an accounts index: %+v, %v", sum, err)
	}
}

// A backup restored into a fresh folder holds the same records, byte for byte.
func TestRestoreIntoFreshFolder(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live", "dvcbot.db")
	db := fill(t, src, 25)
	info, err := Write(db, filepath.Join(dir, "backups"), march2)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	want := dump(t, src)

	for _, compressed := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", compressed), func(t *testing.T) {
			from := info.Path
			if compressed {
				from = filepath.Join(t.TempDir(), "saoluu.db.gz")
				db2, err := store.Open(src, store.Options{Location: hcm, ReadOnly: true})
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := WriteGzip(context.Background(), db2, &buf, 0); err != nil {
					t.Fatal(err)
				}
				db2.Close()
				os.WriteFile(from, buf.Bytes(), 0o600)
				if _, err := gzip.NewReader(bytes.NewReader(buf.Bytes())); err != nil {
					t.Fatal(err)
				}
			}
			target := filepath.Join(t.TempDir(), "fresh", "dvcbot.db")
			res, err := Restore(from, target, march2)
			if err != nil {
				t.Fatal(err)
			}
			if res.Previous != "" || res.Summary.Count("guidance") != 25 {
				t.Fatalf("result %+v", res)
			}
			got := dump(t, target)
			if len(got) != len(want) {
				t.Fatalf("%d entries restored, %d in the original", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("entry %d differs:\n got %s\nwant %s", i, got[i], want[i])
				}
			}
			// The restored file opens as a store and reads the records back.
			rdb, err := store.Open(target, store.Options{Location: hcm})
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			n, retracted := 0, 0
			rdb.View(func(tx *store.Tx) error {
				return tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
					n++
					if !g.Counts() {
						retracted++
					}
					return nil
				})
			})
			if n != 25 || retracted != 1 {
				t.Fatalf("restored store reads %d records (%d retracted)", n, retracted)
			}
		})
	}
}

func TestRestoreKeepsOldFileAndRefusesWhileRunning(t *testing.T) {
	dir := t.TempDir()
	bdb := fill(t, filepath.Join(dir, "old", "dvcbot.db"), 4)
	info, err := Write(bdb, filepath.Join(dir, "backups"), march2)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "live", "dvcbot.db")
	live := fill(t, target, 9)

	// The bot is running: refused, nothing changed.
	if _, err := Restore(info.Path, target, march2); !errors.Is(err, ErrInUse) {
		t.Fatalf("restore while the bot runs: %v", err)
	}
	live.Close()
	before, _ := os.ReadFile(target)

	// A bad backup: refused, nothing changed.
	bad := filepath.Join(dir, "bad.db")
	os.WriteFile(bad, []byte("not a database"), 0o600)
	if _, err := Restore(bad, target, march2); !errors.Is(err, ErrInvalid) {
		t.Fatalf("restore of a bad file: %v", err)
	}
	if now, _ := os.ReadFile(target); !bytes.Equal(now, before) {
		t.Fatal("a refused restore changed the data file")
	}
	if _, err := Restore(target, target, march2); err == nil {
		t.Fatal("restoring the data file onto itself accepted")
	}

	at := time.Date(2026, 3, 5, 14, 30, 0, 0, hcm)
	res, err := Restore(info.Path, target, at)
	if err != nil {
		t.Fatal(err)
	}
	if want := target + ".before-restore-20260305-143000"; res.Previous != want {
		t.Fatalf("previous kept at %q, want %q", res.Previous, want)
	}
	if kept, _ := os.ReadFile(res.Previous); !bytes.Equal(kept, before) {
		t.Fatal("the previous data file was not kept as it was")
	}
	if sum, err := Verify(target); err != nil || sum.Count("guidance") != 4 {
		t.Fatalf("restored file: %+v %v", sum, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Fatalf("temporary file left: %s", e.Name())
		}
	}
}

// testClock is a manual clock: After fires when Advance passes its time.
type testClock struct {
	mu      sync.Mutex
	t       time.Time
	waiters []waiter
	waiting chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newTestClock(t time.Time) *testClock { return &testClock{t: t, waiting: make(chan struct{}, 100)} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, waiter{c.t.Add(d), ch})
	c.waiting <- struct{}{}
	return ch
}

// Set moves the clock to t and fires the waiters due.
func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

func TestRunnerSchedule(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "dvcbot.db"), 3)
	bdir := filepath.Join(dir, "backups")
	clock := newTestClock(time.Date(2026, 3, 2, 15, 4, 5, 0, hcm))
	done := make(chan Info, 10)
	r, err := NewRunner(Options{DB: db, Dir: bdir, Keep: 2, Schedule: "0 2 * * *", Location: hcm,
		Now: clock.Now, After: clock.After, OnDone: func(i Info, err error) {
			if err != nil {
				t.Error(err)
			}
			done <- i
		}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Last().IsZero() {
		t.Fatal("fresh folder has a last backup")
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); r.Run(ctx) }()
	defer func() { cancel(); <-stopped }()

	wait := func(what string) Info {
		t.Helper()
		select {
		case i := <-done:
			return i
		case <-time.After(10 * time.Second):
			t.Fatalf("no backup %s", what)
			return Info{}
		}
	}
	// No backup yet: one at start.
	if i := wait("at start"); filepath.Base(i.Path) != "dvcbot-2026-03-02-150405.db" {
		t.Fatalf("first backup %s", i.Path)
	}
	// Then at 02:00 every day.
	for d := 3; d <= 5; d++ {
		<-clock.waiting
		clock.Set(time.Date(2026, 3, d, 1, 59, 0, 0, hcm))
		select {
		case i := <-done:
			t.Fatalf("backup before 02:00: %s", i.Path)
		default:
		}
		clock.Set(time.Date(2026, 3, d, 2, 0, 0, 0, hcm))
		if i := wait(fmt.Sprintf("on day %d", d)); filepath.Base(i.Path) != fmt.Sprintf("dvcbot-2026-03-%02d-020000.db", d) {
			t.Fatalf("backup %s", i.Path)
		}
	}
	list, _ := List(bdir, hcm)
	if len(list) != 2 || filepath.Base(list[1].Path) != "dvcbot-2026-03-05-020000.db" {
		t.Fatalf("kept %v", list)
	}
}

// A backup missed while the bot was down is taken at start; one taken
// today is not repeated.
func TestRunnerCatchesUp(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "dvcbot.db"), 1)
	bdir := filepath.Join(dir, "backups")
	if _, err := Write(db, bdir, time.Date(2026, 3, 2, 2, 0, 0, 0, hcm)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now  time.Time
		next time.Time
	}{
		{time.Date(2026, 3, 2, 20, 0, 0, 0, hcm), time.Date(2026, 3, 3, 2, 0, 0, 0, hcm)},
		{time.Date(2026, 3, 4, 9, 0, 0, 0, hcm), time.Date(2026, 3, 3, 2, 0, 0, 0, hcm)}, // overdue: at once
	} {
		r, err := NewRunner(Options{DB: db, Dir: bdir, Keep: 5, Schedule: "0 2 * * *", Location: hcm, Now: func() time.Time { return tc.now }})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Next(); !got.Equal(tc.next) {
			t.Fatalf("at %v next backup %v, want %v", tc.now, got, tc.next)
		}
	}
	if _, err := NewRunner(Options{DB: db, Dir: bdir, Keep: 5, Schedule: "every day"}); err == nil {
		t.Fatal("bad schedule accepted")
	}
}

// Damaged copies (cut short, bytes flipped) give an error, never a crash
// or a hang; a copy damaged only where nobody reads still verifies. It
// also runs under -race: checkptr then checks that bbolt's unsafe reads of
// the copies Verify lets through stay inside their pages.
func TestVerifyDamagedCopies(t *testing.T) {
	dir := t.TempDir()
	info, err := Write(fill(t, filepath.Join(dir, "live.db"), 40), dir, march2)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(info.Path) // a snapshot is exactly as long as its pages
	roles := byteRoles(t, info.Path)
	p := filepath.Join(dir, "damaged.db")
	for i := 1; i < 64; i++ {
		cut := len(raw) * i / 64
		os.WriteFile(p, raw[:cut], 0o600)
		if _, err := verifyWithin(t, p); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a copy cut at %d of %d bytes: %v", cut, len(raw), err)
		}
	}
	// Copies with one flipped byte, every 211th byte, then with 8 bytes
	// flipped across the file.
	var copies [][]int
	for off := 0; off < len(raw); off += 211 {
		copies = append(copies, []int{off})
	}
	for i := 0; i < 300; i++ {
		var offs []int
		for j := 0; j < 8; j++ {
			offs = append(offs, (i*7919+j*104729)%len(raw))
		}
		copies = append(copies, offs)
	}
	start := time.Now()
	var rejected, vital, unread int
	for i, offs := range copies {
		b := append([]byte(nil), raw...)
		var n [4]int // flips per byte role
		for j, off := range offs {
			b[off] ^= byte(1 + (i+j)%255)
			n[roles[off]]++
		}
		os.WriteFile(p, b, 0o600)
		_, err := verifyWithin(t, p)
		if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, store.ErrNewerSchema) {
			t.Fatalf("copy %d: %v", i, err)
		}
		if err != nil {
			rejected++
		} else if i%8 == 0 {
			openForWriting(t, p) // what Verify accepts, the bot can open
		}
		switch {
		case n[byteVital] > 0 && n[byteStructure] == 0:
			vital++
			if err == nil {
				t.Errorf("copy %d: page ids, types or element positions changed at %v, and it verified", i, offs)
			}
		case n[byteUnread] == len(offs):
			unread++
			if err != nil {
				t.Errorf("copy %d: changed only where nobody reads (%v), refused: %v", i, offs, err)
			}
		}
	}
	t.Logf("%d of %d damaged copies refused in %v; %d with a vital byte changed (all refused), %d changed only in unread bytes (all accepted)",
		rejected, len(copies), time.Since(start), vital, unread)
	if vital < 20 || unread < 20 {
		t.Fatalf("only %d copies with vital bytes changed and %d with unread ones: the test no longer covers both", vital, unread)
	}
}

// With a clock that moves on every reading, the first backup still happens.
func TestRunnerFirstBackupWithMovingClock(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "dvcbot.db"), 1)
	var mu sync.Mutex
	at := march2
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); at = at.Add(time.Millisecond); return at }
	done := make(chan struct{}, 1)
	r, err := NewRunner(Options{DB: db, Dir: filepath.Join(dir, "b"), Keep: 1, Schedule: "@daily", Location: hcm, Now: now,
		OnDone: func(Info, error) { done <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("no first backup")
	}
}
