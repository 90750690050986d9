package backup

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// churnedFile is a bbolt file written in several transactions, some of
// them deleting, so that its freelist lists many pages and its two meta
// pages name two different freelist pages (as a demo file does).
func churnedFile(t testing.TB) string {
	t.Helper()
	path := boltFile(t, 0, func(tx *bolt.Tx) error { return putKeys(tx, []string{"big"}, 3000, 100) })
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for round := 0; round < 3; round++ {
		err := db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket([]byte("big"))
			for i := round; i < 3000; i += 4 { // three quarters are kept
				if err := b.Delete(key(i)); err != nil {
					return err
				}
			}
			return putKeys(tx, []string{"hamlets"}, 5+round, 20)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// metaFields is what the tests need of a meta page.
type metaFields struct{ freelist, txid uint64 }

// metaAt decodes meta page i (0 or 1) of l's file.
func (l *layout) metaAt(i uint64) metaFields {
	if _, ok := readMeta(l.raw[l.off(i):]); !ok {
		l.t.Fatalf("meta page %d is not valid", i)
	}
	m := l.raw[l.off(i)+pageHeaderSize:]
	return metaFields{freelist: order.Uint64(m[32:]), txid: order.Uint64(m[48:])}
}

// slot is the size of a page id in a freelist page.
const slot = 8

// freeIDs are the page ids the freelist at page id lists.
func (l *layout) freeIDs(id uint64) []uint64 {
	if l.flags(id) != freelistPageFlag {
		l.t.Fatalf("page %d is not a freelist page", id)
	}
	n, first := uint64(l.count(id)), l.off(id)+pageHeaderSize
	if n == 0xFFFF {
		n, first = order.Uint64(l.raw[first:]), first+slot
	}
	var out []uint64
	for i := uint64(0); i < n; i++ {
		out = append(out, order.Uint64(l.raw[first+i*slot:]))
	}
	return out
}

// setMetaFreelist points meta page i at freelist page id, with a valid
// checksum (as a bad write that bbolt then trusts would).
func setMetaFreelist(b []byte, ps, i, id uint64) {
	m := b[i*ps+pageHeaderSize:]
	order.PutUint64(m[32:], id)
	h := fnv.New64a()
	h.Write(m[:56])
	order.PutUint64(m[56:], h.Sum64())
}

// openForWriting opens a file that Verify accepted the way the bot does
// (read-write: bbolt loads the freelist) and commits a write, failing the
// test on a panic: what Verify lets through must not crash the bot.
func openForWriting(t testing.TB, path string) {
	t.Helper()
	cp := filepath.Join(t.TempDir(), "write.db")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cp, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if v := recover(); v != nil {
			t.Errorf("Verify accepted %s, and bbolt panics writing to it: %v", path, v)
		}
	}()
	db, err := bolt.Open(cp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Errorf("Verify accepted %s, and bbolt does not open it for writing: %v", path, err)
		return
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("zz-written-after-verify"))
		if err != nil {
			return err
		}
		for i := 0; i < 50; i++ {
			if err := b.Put(key(i), bytes.Repeat([]byte{'x'}, 300)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("Verify accepted %s, and a write to it fails: %v", path, err)
	}
}

// Item 1 of issue 12: bbolt reads the freelist only when it opens a file
// for writing (the bot), never read-only (Verify's own open): a damaged
// freelist passed Verify and the bot then panicked at start. The walk now
// checks it, and the bot's way of opening works on what it accepts.
func TestVerifyDamagedFreelist(t *testing.T) {
	l := readLayout(t, churnedFile(t))
	m0, m1 := l.metaAt(0), l.metaAt(1)
	if m0.freelist == m1.freelist {
		t.Fatalf("both meta pages name freelist page %d: the test needs two", m0.freelist)
	}
	fl := m0.freelist
	if m1.txid > m0.txid {
		fl = m1.freelist
	}
	free := l.freeIDs(fl)
	if len(free) < 4 {
		t.Fatalf("the freelist lists %d pages: the test needs more", len(free))
	}
	ids := l.off(fl) + pageHeaderSize
	setU64 := func(off uint64, v uint64) func([]byte) { return func(b []byte) { order.PutUint64(b[off:], v) } }
	setU16 := func(off uint64, v uint16) func([]byte) { return func(b []byte) { order.PutUint16(b[off:], v) } }
	big := l.bucketRoot("big")

	tests := []struct {
		name  string
		patch func([]byte)
		text  string
	}{
		{"both freelist pages flagged leaf", func(b []byte) {
			order.PutUint16(b[l.off(m0.freelist)+8:], leafPageFlag)
			order.PutUint16(b[l.off(m1.freelist)+8:], leafPageFlag)
		}, "leaf page where the freelist belongs"},
		{"the freelist page flagged branch", setU16(l.off(fl)+8, branchPageFlag), "branch page where the freelist belongs"},
		{"the freelist page flagged meta", setU16(l.off(fl)+8, metaPageFlag), "meta page where the freelist belongs"},
		{"freelist page header with another id", setU64(l.off(fl), fl+1), fmt.Sprintf("page %d says it is page %d", fl, fl+1)},
		{"freelist lists a page of the tree", setU64(ids, big), fmt.Sprintf("lists page %d as free, but that page is in use", big)},
		{"freelist lists a page twice", setU64(ids+slot, free[0]), "listed twice"},
		{"freelist lists a meta page", setU64(ids, 1), "outside the file's pages"},
		{"freelist lists a page beyond the file", setU64(ids, l.hwm+10), "outside the file's pages"},
		{"freelist count larger than its page", setU16(l.off(fl)+10, 0xfffe), "more than it can hold"},
		{"freelist count in its first slot, too large", func(b []byte) {
			order.PutUint16(b[l.off(fl)+10:], 0xFFFF)
			order.PutUint64(b[ids:], 1<<40)
		}, "more than it can hold"},
		{"a free page dropped from the list", setU16(l.off(fl)+10, uint16(len(free)-1)), "neither in use nor listed as free"},
		{"freelist overflow runs past the last page", func(b []byte) { order.PutUint32(b[l.off(fl)+12:], uint32(l.hwm)) }, "runs past the last page"},
		{"meta names a tree page as the freelist", func(b []byte) {
			setMetaFreelist(b, l.ps, 0, big)
			setMetaFreelist(b, l.ps, 1, big)
		}, "where the freelist belongs"},
		{"meta names a page beyond the file as the freelist", func(b []byte) {
			setMetaFreelist(b, l.ps, 0, l.hwm+1)
			setMetaFreelist(b, l.ps, 1, l.hwm+1)
		}, "outside the file's pages"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := l.patched(tc.patch)
			_, err := verifyWithin(t, p)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Verify = %v, want ErrInvalid saying %q", err, tc.text)
			}
		})
	}
	// The unpatched file verifies and opens for writing.
	if _, err := Verify(l.path); err != nil {
		t.Fatal(err)
	}
	openForWriting(t, l.path)
}

// A freelist in bbolt's long form (count 0xFFFF, the real count in the
// first slot) is sound: Verify accepts it and bbolt writes to it.
func TestVerifyLongFormFreelist(t *testing.T) {
	l := readLayout(t, churnedFile(t))
	m0, m1 := l.metaAt(0), l.metaAt(1)
	fl := m0.freelist
	if m1.txid > m0.txid {
		fl = m1.freelist
	}
	free := l.freeIDs(fl)
	if uint64(pageHeaderSize+(len(free)+1)*slot) > uint64(l.overflow(fl)+1)*l.ps {
		t.Fatalf("no room for the long form in freelist page %d", fl)
	}
	p := l.patched(func(b []byte) {
		order.PutUint16(b[l.off(fl)+10:], 0xFFFF)
		at := l.off(fl) + pageHeaderSize
		order.PutUint64(b[at:], uint64(len(free)))
		for i, id := range free {
			order.PutUint64(b[at+slot*uint64(i+1):], id)
		}
	})
	if got := readLayout(t, p).freeIDs(fl); fmt.Sprint(got) != fmt.Sprint(free) {
		t.Fatalf("long form lists %v, want %v", got, free)
	}
	if _, err := verifyWithin(t, p); err != nil {
		t.Fatal(err)
	}
	openForWriting(t, p)
}

// copySnapshot is a Snapshotter that hands out the bytes of a file.
type copySnapshot string

func (c copySnapshot) WriteSnapshot(w io.Writer) (int64, error) {
	f, err := os.Open(string(c))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}

// The nightly backup (Write, run by the Runner) checks the freelist too: a
// snapshot whose freelist pages are flagged leaf never becomes a backup.
func TestWriteRefusesDamagedFreelist(t *testing.T) {
	l := readLayout(t, churnedFile(t))
	m0, m1 := l.metaAt(0), l.metaAt(1)
	damagedCopy := l.patched(func(b []byte) {
		order.PutUint16(b[l.off(m0.freelist)+8:], leafPageFlag)
		order.PutUint16(b[l.off(m1.freelist)+8:], leafPageFlag)
	})
	dir := t.TempDir()
	_, err := Write(copySnapshot(damagedCopy), dir, march2)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "freelist") {
		t.Fatalf("Write = %v, want ErrInvalid about the freelist", err)
	}
	if all, _ := List(dir, hcm); len(all) != 0 {
		t.Fatalf("a damaged snapshot became backup %v", all)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	// The same path with the sound file makes a backup.
	if _, err := Write(copySnapshot(l.path), dir, march2); err != nil {
		t.Fatal(err)
	}
}

// /saoluu's copy (issue 12 item 4): compressed from a local snapshot file,
// outside the read transaction, into at most the limit asked for; the
// temporary snapshot is removed whatever happens.
func TestWriteGzipBounded(t *testing.T) {
	dir := t.TempDir()
	db := fill(t, filepath.Join(dir, "dvcbot.db"), 300)
	var full bytes.Buffer
	if err := WriteGzip(context.Background(), db, &full, 0); err != nil {
		t.Fatal(err)
	}
	var part bytes.Buffer
	limit := int64(full.Len() / 2)
	err := WriteGzip(context.Background(), db, &part, limit)
	if !errors.Is(err, ErrTooLarge) || int64(part.Len()) > limit {
		t.Fatalf("WriteGzip with a limit of %d bytes (the whole is %d) = %v, %d bytes written", limit, full.Len(), err, part.Len())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := WriteGzip(ctx, db, io.Discard, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteGzip with a cancelled context = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "dvcbot.db" {
			t.Errorf("left beside the data file: %s", e.Name())
		}
	}
	// The whole one restores.
	gz := filepath.Join(t.TempDir(), "saoluu.db.gz")
	if err := os.WriteFile(gz, full.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if res, err := Restore(gz, filepath.Join(t.TempDir(), "dvcbot.db"), march2); err != nil || res.Summary.Count("guidance") != 300 {
		t.Fatalf("restore of the compressed copy: %+v %v", res, err)
	}
}

// Issue 12 item 11: restore of a .gz stops at a size limit (a gzip bomb
// would otherwise fill the disk), with nothing changed.
func TestRestoreGzipSizeLimit(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "data", "dvcbot.db")
	fill(t, target, 3).Close()
	before, _ := os.ReadFile(target)
	bomb := filepath.Join(dir, "saoluu.db.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(make([]byte, 4<<20))
	zw.Close()
	if err := os.WriteFile(bomb, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := RestoreLimited(bomb, target, march2, 1<<20)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 1048576 bytes") {
		t.Fatalf("RestoreLimited of a 4 MB .gz with a 1 MB limit = %v", err)
	}
	if after, _ := os.ReadFile(target); !bytes.Equal(before, after) {
		t.Error("the data file changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	if len(entries) != 1 {
		t.Errorf("left beside the data file: %v", entries)
	}
	// Exactly at the limit is not over it (and is then refused as not a data file).
	if _, err := RestoreLimited(bomb, target, march2, 4<<20); errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInvalid) {
		t.Errorf("at the limit: %v", err)
	}
}
