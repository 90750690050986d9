// Package backup makes, rotates, checks and restores copies of the bot's
// bbolt data file.
//
// A backup is a consistent snapshot taken while the bot runs (one bbolt
// read transaction, store.DB.WriteSnapshot), written to a temporary file,
// fsynced and renamed into place, so a crash never leaves a half-written
// file under a backup's name. Names sort by date:
// dvcbot-2026-03-01-020000.db (local time of the campaign). Rotation only
// ever deletes files with that exact pattern.
//
// Restore (bot stopped) checks the file first — its page tree is sound,
// it opens, its schema is one this program knows, the buckets are there,
// every entry reads back — and only then swaps it in, keeping the old
// data file as <path>.before-restore-<time>.
package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"sort"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/store"
)

// Snapshotter writes a consistent copy of the data file (store.DB).
type Snapshotter interface {
	WriteSnapshot(w io.Writer) (int64, error)
}

const (
	filePrefix = "dvcbot-"
	fileExt    = ".db"
	nameLayout = "2006-01-02-150405"
)

// backupName matches the files Write creates (and nothing else).
func backupName() *regexp.Regexp {
	return regexp.MustCompile(`^dvcbot-(\d{4}-\d{2}-\d{2}-\d{6})\.db$`)
}

// FileName is the name of a backup taken at t, in t's location.
func FileName(t time.Time) string { return filePrefix + t.Format(nameLayout) + fileExt }

// Info describes one backup file.
type Info struct {
	Path string
	Size int64
	// Time is when it was taken (from its name, in the location given to
	// List; the modification time for Write's result).
	Time time.Time
}

// Write takes a snapshot of db into dir (created if needed) named for now,
// durably: the file and the folder are fsynced before it returns. The new
// file is checked with Verify.
func Write(db Snapshotter, dir string, now time.Time) (Info, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return Info{}, fmt.Errorf("backup: create folder %s: %w", dir, err)
	}
	final := filepath.Join(dir, FileName(now))
	tmp, err := os.CreateTemp(dir, ".dvcbot-backup-*.tmp")
	if err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	n, err := db.WriteSnapshot(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Info{}, fmt.Errorf("backup: write %s: %w", final, err)
	}
	if _, err := Verify(tmp.Name()); err != nil {
		return Info{}, fmt.Errorf("backup: the new copy does not check out: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return Info{}, fmt.Errorf("backup: %w", err)
	}
	ok = true
	if err := syncDir(dir); err != nil {
		return Info{}, err
	}
	return Info{Path: final, Size: n, Time: now}, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: open folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("backup: sync folder %s: %w", dir, err)
	}
	return nil
}

// List returns the backups in dir, oldest first; names are read in loc.
// A missing folder has no backups.
func List(dir string, loc *time.Location) ([]Info, error) {
	if loc == nil {
		loc = time.Local
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: list %s: %w", dir, err)
	}
	re := backupName()
	var out []Info
	for _, e := range entries {
		m := re.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		at, err := time.ParseInLocation(nameLayout, m[1], loc)
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Info{Path: filepath.Join(dir, e.Name()), Size: fi.Size(), Time: at})
	}
	sort.Slice(out, func(i, j int) bool { return filepath.Base(out[i].Path) < filepath.Base(out[j].Path) })
	return out, nil
}

// Rotate deletes all but the keep newest backups in dir and returns the
// paths it deleted. Files not named like a backup are never touched.
func Rotate(dir string, keep int) ([]string, error) {
	if keep < 1 {
		return nil, fmt.Errorf("backup: keep must be at least 1, not %d", keep)
	}
	all, err := List(dir, time.UTC)
	if err != nil {
		return nil, err
	}
	var gone []string
	for len(all) > keep {
		if err := os.Remove(all[0].Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return gone, fmt.Errorf("backup: rotate: %w", err)
		}
		gone = append(gone, all[0].Path)
		all = all[1:]
	}
	return gone, nil
}

// FileSnapshotter copies a consistent snapshot of the data file to a new
// local temporary file, ending its read transaction there
// (store.DB.SnapshotFile).
type FileSnapshotter interface {
	SnapshotFile(dir string, timeout time.Duration) (path string, size int64, err error)
}

// ErrTooLarge: the compressed copy would be larger than the limit asked for.
var ErrTooLarge = errors.New("backup: compressed copy larger than the limit")

// WriteGzip writes a gzip-compressed snapshot of db to w (what /saoluu
// sends: bbolt files compress well, and Telegram takes at most 50 MB).
// The snapshot is copied to a temporary file beside the data file first —
// its read transaction ends there, within store.SnapshotCopyTimeout — and
// compressed from that file outside any transaction, so the bot's writes
// never wait on the compression. It stops with ErrTooLarge as soon as
// more than limit compressed bytes (0: no limit) would reach w, so that a
// caller writing into memory holds at most limit bytes.
func WriteGzip(ctx context.Context, db FileSnapshotter, w io.Writer, limit int64) error {
	path, size, err := db.SnapshotFile("", 0)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	lw := &limitWriter{w: w, limit: limit}
	zw := gzip.NewWriter(lw)
	_, err = io.Copy(zw, ctxReader{ctx, f})
	if err == nil {
		err = zw.Close() // the last compressed bytes, which may pass the limit
	}
	switch {
	case errors.Is(err, ErrTooLarge):
		return fmt.Errorf("backup: the data file (%d bytes) compresses to more than %d bytes: %w", size, limit, err)
	case err != nil:
		return fmt.Errorf("backup: compress: %w", err)
	}
	return nil
}

// limitWriter refuses to pass on more than limit bytes in all (0: no limit).
type limitWriter struct {
	w       io.Writer
	limit   int64
	written int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.limit > 0 && l.written+int64(len(p)) > l.limit {
		return 0, ErrTooLarge
	}
	n, err := l.w.Write(p)
	l.written += int64(n)
	return n, err
}

// ctxReader stops reading when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Summary is what Verify found in a data file.
type Summary struct {
	SchemaVersion int
	// Keys counts the entries of every top-level bucket (nested buckets
	// count their entries).
	Keys map[string]int
	Size int64
}

// Count is the number of entries in a top-level bucket.
func (s Summary) Count(bucket string) int { return s.Keys[bucket] }

// requiredBuckets are the buckets every data file of schema version v
// has: those of schema 1, and the accounts index from schema 5 on (the
// store creates it only when it migrates a file to 5).
func requiredBuckets(v int) []string {
	names := []string{"meta", "hamlets", "officers", "invites", "households", "guidance", "sessions", "updates", "audit"}
	if v >= 5 {
		names = append(names, "accounts")
	}
	return names
}

// ErrInvalid marks a file that is not a usable dvcbot data file.
var ErrInvalid = errors.New("not a usable dvcbot data file")

// Verify opens a data file read-only and checks it: it opens as bbolt,
// its schema version is one this program can read (not newer than
// store.SchemaVersion), every bucket of the layout is there, and every
// entry of every bucket reads back, keys in order. It counts the entries
// of each bucket.
//
// A damaged file must give an error, never crash or hang the program:
// before bbolt maps it, the file's length is checked against its own meta
// page and its page tree is walked by hand (checkPages: every page inside
// the file, of the right kind, its elements inside it, reached once — no
// cycles; the freelist, which a read-only open never reads but the bot's
// read-write open does, a freelist page listing only unused pages; every
// page accounted for), and the cursor walk then runs with faults turned
// into panics (debug.SetPanicOnFault) that are recovered. Decision: bbolt's own
// tx.Check is not used, because it reads pages in a goroutine of its own
// where a damaged page crashes the whole process (seen with flipped bytes
// in branch pages), and it follows a cycle forever like the cursors do.
func Verify(path string) (sum Summary, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Summary{}, fmt.Errorf("backup: %w", err)
	}
	// Before bbolt maps the file: its length against its meta page and
	// its page tree, walked by hand (pages.go); bbolt's cursors loop
	// forever on a tree with a cycle.
	if err := checkPages(path, fi.Size()); err != nil {
		return Summary{}, fmt.Errorf("backup: %s: %w", path, err)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("backup: %s: %w: damaged pages (%v)", path, ErrInvalid, v)
		}
	}()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return Summary{}, fmt.Errorf("backup: %s: %w: %v", path, ErrInvalid, err)
	}
	defer db.Close()
	sum = Summary{Keys: map[string]int{}, Size: fi.Size()}
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket([]byte("meta"))
		if meta == nil {
			return fmt.Errorf("%w: no meta bucket (schema version unknown)", ErrInvalid)
		}
		v, err := strconv.Atoi(string(meta.Get([]byte("schema_version"))))
		if err != nil || v < 1 {
			return fmt.Errorf("%w: no schema version", ErrInvalid)
		}
		sum.SchemaVersion = v
		if v > store.SchemaVersion {
			return fmt.Errorf("schema %d, this program knows %d: %w", v, store.SchemaVersion, store.ErrNewerSchema)
		}
		for _, name := range requiredBuckets(v) {
			if tx.Bucket([]byte(name)) == nil {
				return fmt.Errorf("%w: bucket %q missing", ErrInvalid, name)
			}
		}
		// Reading every entry touches every page reachable from the root.
		if err := tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			n, err := countEntries(b)
			sum.Keys[string(name)] = n
			return err
		}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("backup: %s: %w", path, err)
	}
	return sum, nil
}

// countEntries counts the entries of b and of the buckets nested in it,
// reading every key and value byte and checking that keys are in order.
func countEntries(b *bolt.Bucket) (int, error) {
	n := 0
	var prev []byte
	var sum byte
	err := b.ForEach(func(k, v []byte) error {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("%w: keys out of order", ErrInvalid)
		}
		prev = k
		for _, c := range k {
			sum ^= c
		}
		for _, c := range v {
			sum ^= c
		}
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				m, err := countEntries(nb)
				n += m
				return err
			}
		}
		n++
		return nil
	})
	_ = sum
	return n, err
}
