package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// CheckDataFile passes what bbolt can open for writing and refuses damaged
// pages; a file a running bot holds is left alone.
func TestCheckDataFile(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l := readLayout(t, churnedFile(t))
	m := l.metaAt(0)
	if n := l.metaAt(1); n.txid > m.txid {
		m = n
	}
	for _, tc := range []struct {
		name, path string
		text       string // "" for accepted
	}{
		{"missing file (bbolt creates it)", filepath.Join(dir, "nope.db"), ""},
		{"empty file (bbolt initialises it)", empty, ""},
		{"sound file", l.path, ""},
		{"rich sound file", richFile(t, 0), ""},
		{"freelist page flagged leaf", l.patched(func(b []byte) { order.PutUint16(b[l.off(m.freelist)+8:], leafPageFlag) }), "damaged freelist"},
		{"element count", l.patched(func(b []byte) { order.PutUint16(b[l.off(l.root)+10:], 0xffff) }), "more than it can hold"},
		{"cut short", l.patched(func(b []byte) {}) + ".cut", "cut short"},
		{"not bbolt", l.patched(func(b []byte) { copy(b, make([]byte, 2*l.ps)) }), "no valid bbolt meta page"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasSuffix(tc.path, ".cut") {
				p := strings.TrimSuffix(tc.path, ".cut")
				if err := os.Truncate(p, int64(len(l.raw)*2/3)); err != nil {
					t.Fatal(err)
				}
				tc.path = p
			}
			err := CheckDataFile(tc.path)
			switch {
			case tc.text == "" && err != nil:
				t.Fatalf("CheckDataFile = %v, want nil", err)
			case tc.text != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.text) || !strings.Contains(err.Error(), tc.path)):
				t.Fatalf("CheckDataFile = %v, want ErrInvalid naming the file and saying %q", err, tc.text)
			}
		})
	}
	// Held by a running bot: not read (it may be half-way through a
	// write), even when its pages look damaged.
	db, err := bolt.Open(l.path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := os.OpenFile(l.path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{0xff, 0xff}, int64(l.off(l.root)+10)); err != nil {
		t.Fatal(err)
	}
	if err := CheckDataFile(l.path); err != nil {
		t.Fatalf("a held file: %v", err)
	}
}

// NewestVerified skips damaged backups and finds the newest good one.
func TestNewestVerified(t *testing.T) {
	dir := t.TempDir()
	good := boltFile(t, 0, nil)
	raw, _ := os.ReadFile(good)
	put := func(at time.Time, b []byte) string {
		p := filepath.Join(dir, FileName(at))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if _, ok, _, err := NewestVerified(filepath.Join(dir, "none"), hcm); ok || err != nil {
		t.Fatalf("missing folder: %v %v", ok, err)
	}
	older := put(march2, raw)
	put(march2.Add(time.Hour), raw)
	want := put(march2.Add(2*time.Hour), raw)
	put(march2.Add(3*time.Hour), raw[:len(raw)/2])
	put(march2.Add(4*time.Hour), []byte("không phải bbolt"))
	best, ok, skipped, err := NewestVerified(dir, hcm)
	if err != nil || !ok || best.Path != want || len(skipped) != 2 || !best.Time.Equal(march2.Add(2*time.Hour)) {
		t.Fatalf("NewestVerified = %+v %v %v %v, want %s after skipping 2", best, ok, skipped, err, want)
	}
	_ = older
}

// A file cut short while it is being checked (after its length was read)
// gives an error, not a crash: the walk reads a mapping of the file, where
// a page past the new end faults.
func TestCheckFileCutWhileChecked(t *testing.T) {
	l := readLayout(t, richFile(t, 0))
	f, err := os.Open(l.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.Truncate(l.path, int64(4*l.ps)); err != nil {
		t.Fatal(err)
	}
	err = checkFile(f, int64(len(l.raw))) // the length from before the cut
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("checkFile = %v, want ErrInvalid", err)
	}
	t.Log(err)
}
