package store

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// guard fails the test when done has not closed after a generous while:
// the operations it guards finish at once when the code is right, and
// would wait for minutes (or for ever) when it is not.
func guard(t *testing.T, what string, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s has not finished after 20 s: it waits on a reader", what)
	}
}

// grow writes mb megabytes into bucket "big" in one transaction, making
// the file grow by as much.
func grow(t *testing.T, db *DB, mb int) {
	t.Helper()
	v := make([]byte, 1<<20)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("big"))
		if err != nil {
			return err
		}
		n := b.Stats().KeyN
		for i := 0; i < mb; i++ {
			if err := b.Put(binary.BigEndian.AppendUint64(nil, uint64(n+i)), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func openTest(t *testing.T, now func() time.Time) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "dvcbot.db"), Options{Now: now, NoSync: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Issue 12 item 4: a write that grows the file past what bbolt has mapped
// waited for every open read transaction (to remap), so one slow reader
// held every report back. The file is now mapped with room to grow: the
// write goes through while a reader stays open.
func TestWriteDoesNotWaitForAnOpenReader(t *testing.T) {
	db := openTest(t, nil)
	grow(t, db, 2)
	inTx, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the store closes
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		_ = db.bolt.View(func(*bolt.Tx) error { close(inTx); <-release; return nil })
	}()
	<-inTx
	written := make(chan struct{})
	go func() { defer close(written); grow(t, db, 64) }()
	guard(t, "a 64 MB write while a reader is open", written)
	once.Do(func() { close(release) })
	<-readerDone
}

// A snapshot client that stops reading holds no read transaction: the
// snapshot is copied to a local file first, and the copy's transaction
// has ended before a byte is sent. The stalled client is cut off after
// the idle limit, and its temporary file removed.
func TestStalledSnapshotClientHoldsNoTransaction(t *testing.T) {
	db := openTest(t, nil)
	grow(t, db, 8) // more than socket buffers hold: the send blocks
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := make(chan error, 1)
	openTx := make(chan int, 1)
	served := make(chan error, 1)
	go func() {
		served <- db.serveSnapshots(ctx, snapshotLimits{copy: time.Minute, idle: 300 * time.Millisecond, total: time.Minute, concurrent: 2,
			copied: func() { openTx <- db.bolt.Stats().OpenTxN },
			done:   func(err error) { ended <- err }})
	}()
	sock := SnapshotSocket(db.path)
	var conn net.Conn
	waitUntil(t, func() bool { c, err := dialSnapshot(sock); conn = c; return err == nil })
	defer conn.Close()
	if n := <-openTx; n != 0 {
		t.Errorf("%d read transactions open when the transfer starts", n)
	}
	// The bot keeps writing meanwhile, the file growing by 64 MB.
	written := make(chan struct{})
	go func() { defer close(written); grow(t, db, 64) }()
	guard(t, "a 64 MB write while a snapshot client stalls", written)
	var err error
	select {
	case err = <-ended:
	case <-time.After(20 * time.Second):
		t.Fatal("the stalled client was not cut off")
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("transfer ended with %v, want a timeout", err)
	}
	if n := db.bolt.Stats().OpenTxN; n != 0 {
		t.Errorf("%d read transactions open after the transfer", n)
	}
	if left := snapshotFiles(t, filepath.Dir(db.path)); len(left) > 0 {
		t.Errorf("temporary snapshot files left: %v", left)
	}
	cancel()
	if err := <-served; err != nil {
		t.Error(err)
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

func snapshotFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), snapshotPrefix) || strings.HasPrefix(e.Name(), ".dvcbot-socket-") {
			out = append(out, e.Name())
		}
	}
	return out
}

// jumpClock is a clock that, once armed, moves an hour on every reading.
type jumpClock struct {
	mu    sync.Mutex
	t     time.Time
	armed atomic.Bool
}

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed.Load() {
		c.t = c.t.Add(time.Hour)
	}
	return c.t
}

// The local copy itself is bounded by the store's clock: past the
// deadline it is abandoned, its transaction ended, its file removed.
func TestSnapshotCopyDeadline(t *testing.T) {
	clock := &jumpClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db := openTest(t, clock.Now)
	grow(t, db, 4)
	dir := t.TempDir()
	clock.armed.Store(true)
	if _, _, err := db.SnapshotFile(dir, 10*time.Second); !errors.Is(err, ErrSnapshotTimeout) {
		t.Fatalf("SnapshotFile with the clock past the deadline = %v, want ErrSnapshotTimeout", err)
	}
	if left := snapshotFiles(t, dir); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if n := db.bolt.Stats().OpenTxN; n != 0 {
		t.Errorf("%d read transactions open", n)
	}
	clock.armed.Store(false)
	path, size, err := db.SnapshotFile(dir, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	fi, err := os.Stat(path)
	if err != nil || fi.Size() != size || fi.Mode().Perm() != 0o600 {
		t.Fatalf("snapshot file %v %v, size %d", fi, err, size)
	}
}

// A snapshot cut short on its way (the bot stopped, the client was too
// slow) is refused by OpenReadOnly, never opened as a damaged file.
func TestOpenReadOnlyRefusesACutSnapshot(t *testing.T) {
	db := openTest(t, nil) // holds the file: OpenReadOnly asks the socket
	grow(t, db, 1)
	ln, err := listenPrivate(SnapshotSocket(db.path))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	defer os.Remove(SnapshotSocket(db.path))
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			head := binary.BigEndian.AppendUint64([]byte(snapshotMagic), 1<<20)
			conn.Write(append(head, make([]byte, 4096)...))
			conn.Close()
		}
	}()
	_, _, err = OpenReadOnly(db.path, Options{Timeout: 50 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "4096 of 1048576 bytes") {
		t.Fatalf("OpenReadOnly of a cut snapshot = %v", err)
	}
}

// Issue 12 item 11: the socket lives beside the data file whatever the
// length of its path (never in a shared /tmp under a name anyone can
// guess and take first), mode 0600 from before it accepts anything, and
// replaces a socket left by a crash.
func TestSnapshotSocketBesideTheDataFile(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("thu-muc-du-lieu-", 7))
	if err := os.MkdirAll(long, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{t.TempDir(), long} {
		path := filepath.Join(dir, "dvcbot.db")
		sock := SnapshotSocket(path)
		if sock != path+".sock" {
			t.Errorf("SnapshotSocket(%s) = %s, want it beside the file", path, sock)
		}
		// A socket left by a crash.
		old, err := listenPrivate(sock)
		if err != nil {
			t.Fatalf("listen on %d-byte path: %v", len(sock), err)
		}
		old.Close()
		ln, err := listenPrivate(sock)
		if err != nil {
			t.Fatalf("listen over a stale socket: %v", err)
		}
		fi, err := os.Lstat(sock)
		if err != nil || fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
			t.Errorf("socket %s: %v %v, want a socket of mode 0600", sock, fi.Mode(), err)
		}
		accepted := make(chan struct{})
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Close()
			}
			close(accepted)
		}()
		conn, err := dialSnapshot(sock)
		if err != nil {
			t.Fatalf("dial %d-byte path: %v", len(sock), err)
		}
		conn.Close()
		<-accepted
		ln.Close()
		os.Remove(sock)
		if left := snapshotFiles(t, dir); len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	}
}
