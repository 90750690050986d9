package backup

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/store"
)

// verifyWithin runs Verify and fails the test if it has not returned after
// a generous while: a damaged copy must never hang it.
func verifyWithin(t testing.TB, path string) (Summary, error) {
	t.Helper()
	type result struct {
		sum Summary
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := Verify(path)
		done <- result{sum, err}
	}()
	select {
	case r := <-done:
		return r.sum, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("Verify(%s) has not returned after 20 s: it hangs", path)
		return Summary{}, nil
	}
}

// boltFile writes, with bbolt itself, a data file with what Verify asks of
// every file (schema version, the buckets of the layout) plus what add
// puts in, with the given page size (0: the OS page size).
func boltFile(t testing.TB, pageSize int, add func(tx *bolt.Tx) error) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dvcbot.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{PageSize: pageSize})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range requiredBuckets(store.SchemaVersion) {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte(fmt.Sprint(store.SchemaVersion))); err != nil {
			return err
		}
		if add == nil {
			return nil
		}
		return add(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func key(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

// putKeys puts n keys with values of size bytes into bucket name (created
// if needed) of b, or of tx when b is nil.
func putKeys(tx *bolt.Tx, path []string, n, size int) error {
	b, err := tx.CreateBucketIfNotExists([]byte(path[0]))
	if err != nil {
		return err
	}
	for _, name := range path[1:] {
		if b, err = b.CreateBucketIfNotExists([]byte(name)); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		v := []byte(strings.Repeat(fmt.Sprintf("giá trị %d;", i), size/10+1))[:size]
		if err := b.Put(key(i), v); err != nil {
			return err
		}
	}
	return nil
}

// richFile has a multi-level tree ("big": 10 000 keys), buckets nested in
// a bucket, most of them inline ("nested"), and values on overflow pages
// ("blobs").
func richFile(t testing.TB, pageSize int) string {
	return boltFile(t, pageSize, func(tx *bolt.Tx) error {
		if err := putKeys(tx, []string{"big"}, 10000, 100); err != nil {
			return err
		}
		for i := 0; i < 10; i++ {
			if err := putKeys(tx, []string{"nested", fmt.Sprintf("ấp %02d", i)}, 3, 20); err != nil {
				return err
			}
		}
		if err := putKeys(tx, []string{"nested", "zz lớn"}, 2000, 50); err != nil {
			return err
		}
		if err := putKeys(tx, []string{"blobs"}, 12, 3*pageSizeOr4K(pageSize)); err != nil {
			return err
		}
		return putKeys(tx, []string{"blobs"}, 5, 10) // overwrite 5 with small values
	})
}

func pageSizeOr4K(n int) int {
	if n == 0 {
		return os.Getpagesize()
	}
	return n
}

// layout reads a valid file's pages for a test to find and patch them.
type layout struct {
	t    testing.TB
	path string
	raw  []byte
	ps   uint64
	hwm  uint64
	root uint64 // the root bucket's root page
}

func readLayout(t testing.TB, path string) *layout {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, ps, err := chooseMeta(f, int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	return &layout{t: t, path: path, raw: raw, ps: ps, hwm: m.pgid, root: m.root}
}

func (l *layout) off(id uint64) uint64   { return id * l.ps }
func (l *layout) flags(id uint64) uint16 { return order.Uint16(l.raw[l.off(id)+8:]) }
func (l *layout) count(id uint64) int    { return int(order.Uint16(l.raw[l.off(id)+10:])) }
func (l *layout) overflow(id uint64) int { return int(order.Uint32(l.raw[l.off(id)+12:])) }
func (l *layout) elem(id uint64, i int) uint64 {
	return l.off(id) + pageHeaderSize + uint64(i)*elemSize
}

// child is the page element i of branch page id points to.
func (l *layout) child(id uint64, i int) uint64 {
	if l.flags(id) != branchPageFlag {
		l.t.Fatalf("page %d is not a branch page", id)
	}
	return order.Uint64(l.raw[l.elem(id, i)+8:])
}

// value is where the value of leaf element i of the page (or inline
// page) at off starts.
func (l *layout) value(off uint64, i int) uint64 {
	e := off + pageHeaderSize + uint64(i)*elemSize
	return e + uint64(order.Uint32(l.raw[e+4:])) + uint64(order.Uint32(l.raw[e+8:]))
}

// find is the index of key k in leaf page id.
func (l *layout) find(id uint64, k string) int {
	for i := 0; i < l.count(id); i++ {
		e := l.elem(id, i)
		start := e + uint64(order.Uint32(l.raw[e+4:]))
		if string(l.raw[start:start+uint64(order.Uint32(l.raw[e+8:]))]) == k {
			return i
		}
	}
	l.t.Fatalf("key %q not in page %d", k, id)
	return -1
}

// bucketRoot is the root page of a top-level bucket.
func (l *layout) bucketRoot(name string) uint64 {
	db, err := bolt.Open(l.path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		l.t.Fatal(err)
	}
	defer db.Close()
	var root uint64
	db.View(func(tx *bolt.Tx) error { root = uint64(tx.Bucket([]byte(name)).Root()); return nil })
	return root
}

// leftLeaf is the leftmost leaf under page id.
func (l *layout) leftLeaf(id uint64) uint64 {
	for l.flags(id) == branchPageFlag {
		id = l.child(id, 0)
	}
	return id
}

// patched writes a copy of the file with fn's changes.
func (l *layout) patched(fn func(b []byte)) string {
	b := append([]byte(nil), l.raw...)
	fn(b)
	p := filepath.Join(l.t.TempDir(), "damaged.db")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// Sound files, small and large, verify with the right counts.
func TestVerifySoundFiles(t *testing.T) {
	wantRich := map[string]int{"meta": 1, "big": 10000, "nested": 10*3 + 2000, "blobs": 12}
	tests := []struct {
		name string
		path string
		want map[string]int // every other bucket is empty
	}{
		{"single leaf root", boltFile(t, 0, nil), map[string]int{"meta": 1}},
		{"one bucket of a few keys", boltFile(t, 0, func(tx *bolt.Tx) error { return putKeys(tx, []string{"hamlets"}, 5, 30) }),
			map[string]int{"meta": 1, "hamlets": 5}},
		{"multi-level tree, inline buckets, overflow values", richFile(t, 0), wantRich},
		{"the same with 1 KiB pages", richFile(t, 1024), wantRich},
		{"the same with 16 KiB pages", richFile(t, 16384), wantRich},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := readLayout(t, tc.path)
			if len(tc.want) <= 2 && (l.flags(l.root) != leafPageFlag || l.hwm > 8) {
				t.Fatalf("a small file is not a single leaf root (root page %d, %d pages)", l.root, l.hwm)
			}
			sum, err := verifyWithin(t, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for _, name := range requiredBuckets(store.SchemaVersion) {
				want[name] = 0
			}
			for name, n := range tc.want {
				want[name] = n
			}
			if fmt.Sprint(sum.Keys) != fmt.Sprint(want) {
				t.Errorf("entries per bucket %v, want %v", sum.Keys, want)
			}
			if sum.SchemaVersion != store.SchemaVersion || sum.Size != int64(len(l.raw)) {
				t.Errorf("summary %+v", sum)
			}
			openForWriting(t, tc.path)
		})
	}
	// The rich file really has what the cases above claim to cover.
	l := readLayout(t, tests[2].path)
	big := l.bucketRoot("big")
	if l.flags(big) != branchPageFlag || l.flags(l.child(big, 0)) != branchPageFlag {
		t.Fatalf("bucket big is not three levels deep")
	}
	blobs, overflow := l.bucketRoot("blobs"), 0
	if l.flags(blobs) == branchPageFlag {
		for i := 0; i < l.count(blobs); i++ {
			overflow += l.overflow(l.child(blobs, i))
		}
	}
	if overflow == 0 {
		t.Fatalf("no overflow pages under bucket blobs")
	}
}

// Damaged page trees are refused quickly, with ErrInvalid, by the walk
// written for them (not by luck further on).
func TestVerifyDamagedTrees(t *testing.T) {
	l := readLayout(t, richFile(t, 0))
	big := l.bucketRoot("big")
	mid := l.child(big, 1)
	leaf := l.leftLeaf(big)
	blobs := l.leftLeaf(l.bucketRoot("blobs"))
	nested := l.bucketRoot("nested")
	if l.flags(nested) != leafPageFlag {
		t.Fatalf("bucket nested's root page %d is not a leaf", nested)
	}
	setU64 := func(off uint64, v uint64) func([]byte) { return func(b []byte) { order.PutUint64(b[off:], v) } }
	setU32 := func(off uint64, v uint32) func([]byte) { return func(b []byte) { order.PutUint32(b[off:], v) } }
	setU16 := func(off uint64, v uint16) func([]byte) { return func(b []byte) { order.PutUint16(b[off:], v) } }
	last := l.count(leaf) - 1
	next := uint64(1 << 62) // the first page of big's tree after leaf
	for i := 0; i < l.count(big); i++ {
		c := l.child(big, i)
		for j := 0; j < l.count(c); j++ {
			if g := l.child(c, j); g > leaf && g < next {
				next = g
			}
		}
	}
	if next == 1<<62 {
		t.Fatalf("no page after %d in bucket big", leaf)
	}
	inline := l.value(l.off(nested), l.find(nested, "ấp 07"))
	if order.Uint64(l.raw[inline:]) != 0 {
		t.Fatal("bucket nested/ấp 07 is not inline")
	}

	tests := []struct {
		name  string
		patch func([]byte)
		text  string
	}{
		{"branch element points to its own page", setU64(l.elem(big, 0)+8, big), "reached twice"},
		{"branch element points to its parent", setU64(l.elem(mid, 0)+8, big), "reached twice"},
		{"branch element points to a sibling's subtree", setU64(l.elem(mid, 1)+8, l.child(l.child(big, 0), 0)), "reached twice"},
		{"child beyond the high-water mark", setU64(l.elem(big, 0)+8, l.hwm+3), "outside the file's pages"},
		{"child far beyond the file", setU64(l.elem(big, 0)+8, 1<<62), "outside the file's pages"},
		{"child is a meta page", setU64(l.elem(big, 0)+8, 1), "outside the file's pages"},
		{"page header with another id", setU64(l.off(leaf), leaf+1), fmt.Sprintf("page %d says it is page %d", leaf, leaf+1)},
		{"page flagged as a freelist", setU16(l.off(mid)+8, freelistPageFlag), "freelist page where"},
		{"empty branch page", setU16(l.off(mid)+10, 0), "is empty"},
		{"more elements than the page holds", setU16(l.off(leaf)+10, 0xffff), "more than it can hold"},
		{"leaf key runs past the page end", setU32(l.elem(leaf, last)+8, uint32(l.ps)), "outside its place"},
		{"leaf value runs past the page end", setU32(l.elem(leaf, last)+12, 1<<31), "outside its place"},
		{"leaf key position moved", setU32(l.elem(leaf, 3)+4, order.Uint32(l.raw[l.elem(leaf, 3)+4:])+1), "outside its place"},
		{"overflow runs past the last page", setU32(l.off(blobs)+12, uint32(l.hwm)), "runs past the last page"},
		{"overflow covers another page of the tree", setU32(l.off(leaf)+12, uint32(next-leaf)), "reached twice"},
		{"bucket root is the root bucket's page", setU64(l.value(l.off(l.root), l.find(l.root, "big")), l.root), "reached twice"},
		{"two buckets share a root page", setU64(l.value(l.off(l.root), l.find(l.root, "blobs")), big), "reached twice"},
		{"inline bucket page runs past its value", setU16(inline+bucketHeaderSize+10, 40), "more than it can hold"},
		{"inline bucket page is a branch", setU16(inline+bucketHeaderSize+8, branchPageFlag), "not a leaf page"},
		{"bucket inside an inline bucket", setU32(inline+bucketHeaderSize+pageHeaderSize, bucketLeafFlag), "bucket inside an inline bucket"},
		{"unknown element flags", setU32(l.elem(leaf, 2), 0x100), "unknown flags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := l.patched(tc.patch)
			start := time.Now()
			_, err := verifyWithin(t, p)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.text) {
				t.Fatalf("Verify = %v, want ErrInvalid saying %q", err, tc.text)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// The unpatched file still verifies: the patches alone are the damage.
	if _, err := Verify(l.path); err != nil {
		t.Fatal(err)
	}
}

// FuzzVerify sets bytes of a small valid file and checks that Verify
// returns — no hang, no crash — with nil or a refusal of the file, and
// that bbolt opens what it accepts for writing without a panic.
//
// Input: 4-byte patches, offset (3 bytes, big-endian, modulo the file
// length) then the byte to write there.
func FuzzVerify(f *testing.F) {
	base := boltFile(f, 1024, func(tx *bolt.Tx) error {
		if err := putKeys(tx, []string{"big"}, 300, 40); err != nil {
			return err
		}
		if err := putKeys(tx, []string{"nested", "ấp"}, 3, 10); err != nil {
			return err
		}
		return putKeys(tx, []string{"blobs"}, 2, 2500)
	})
	l := readLayout(f, base)
	patch := func(off uint64, vals ...byte) []byte {
		var in []byte
		for i, v := range vals {
			o := off + uint64(i)
			in = append(in, byte(o>>16), byte(o>>8), byte(o), v)
		}
		return in
	}
	le := func(v uint64) []byte { return order.AppendUint64(nil, v) }
	big := l.bucketRoot("big")
	f.Add([]byte{})
	f.Add(patch(l.elem(big, 0)+8, le(big)...))             // a cycle
	f.Add(patch(l.elem(big, 1)+8, le(l.child(big, 0))...)) // a page reached twice
	f.Add(patch(l.off(l.leftLeaf(big))+12, 0xff))          // overflow
	f.Add(patch(l.elem(l.leftLeaf(big), 0)+4, 0x7f))       // key position
	f.Add(patch(0x10, 0))                                  // meta 0 magic
	f.Fuzz(func(t *testing.T, in []byte) {
		b := append([]byte(nil), l.raw...)
		for ; len(in) >= 4; in = in[4:] {
			off := (int(in[0])<<16 | int(in[1])<<8 | int(in[2])) % len(b)
			b[off] = in[3]
		}
		p := filepath.Join(t.TempDir(), "fuzz.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		sum, err := verifyWithin(t, p)
		if err != nil && !errors.Is(err, ErrInvalid) && !errors.Is(err, store.ErrNewerSchema) {
			t.Fatalf("Verify = %v: neither ErrInvalid nor ErrNewerSchema", err)
		}
		if err == nil && (sum.SchemaVersion < 1 || sum.SchemaVersion > store.SchemaVersion || len(sum.Keys) < len(requiredBuckets(sum.SchemaVersion))) {
			t.Fatalf("accepted with summary %+v", sum)
		}
		if err == nil {
			openForWriting(t, p)
		}
	})
}

// What a byte of a valid file is to a reader (byteRoles).
const (
	byteData      = iota // keys, values, meta pages
	byteUnread           // free pages, page tails after the data
	byteVital            // page id and flags, element positions, the freelist: any change is damage Verify must see
	byteStructure        // the rest of page headers and element tables, bucket values
)

// byteRoles classifies every byte of the valid file at path, using bbolt's
// page types and free list.
func byteRoles(t testing.TB, path string) []byte {
	t.Helper()
	l := readLayout(t, path)
	roles := make([]byte, len(l.raw))
	mark := func(from, to uint64, role byte) {
		for i := from; i < to; i++ {
			roles[i] = role
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for id := uint64(2); id < l.hwm; {
			info, err := tx.Page(int(id))
			if err != nil {
				return err
			}
			off, span := l.off(id), uint64(info.OverflowCount+1)*l.ps
			switch info.Type {
			case "free":
				mark(off, off+l.ps, byteUnread)
				id++
				continue
			case "freelist":
				// Its header and every id it lists: Verify accounts for
				// every page, so any change there is damage it sees.
				n, first := uint64(info.Count), off+pageHeaderSize
				if n == 0xFFFF {
					n, first = order.Uint64(l.raw[first:]), first+slot
				}
				mark(off, first+n*slot, byteVital)
				mark(first+n*slot, off+span, byteUnread)
			case "branch", "leaf":
				leaf := info.Type == "leaf"
				mark(off, off+10, byteVital)
				mark(off+10, off+pageHeaderSize, byteStructure)
				end := l.elem(id, info.Count)
				for i := 0; i < info.Count; i++ {
					e := l.elem(id, i)
					mark(e, e+elemSize, byteStructure)
					posAt := e
					if leaf {
						posAt = e + 4
					}
					mark(posAt, posAt+4, byteVital)
					ksize := uint64(order.Uint32(l.raw[posAt+4:]))
					var vsize uint64
					if leaf {
						vsize = uint64(order.Uint32(l.raw[e+12:]))
						if order.Uint32(l.raw[e:])&bucketLeafFlag != 0 {
							v := l.value(off, i)
							mark(v, v+vsize, byteStructure)
						}
					}
					end += ksize + vsize
				}
				mark(end, off+span, byteUnread)
			default:
				return fmt.Errorf("page %d: unexpected %s page", id, info.Type)
			}
			id += uint64(info.OverflowCount) + 1
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return roles
}
