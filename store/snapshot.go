package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A snapshot is one bbolt read transaction copying the whole file. While
// any read transaction is open, a write that must remap the growing file
// waits for it to end (bbolt takes its mmap lock for writing), and every
// transaction begun after that write waits too. So a snapshot never holds
// its transaction at the pace of whoever receives it: it copies the file
// to a local temporary file first, within a deadline, and ends the
// transaction before anything is sent (SnapshotFile). Open also maps the
// file with room to grow (initialMmapSize), so that a remap — the only
// wait of a writer on a reader — is rare.
//
// initialMmapSize is that room: bbolt maps at least this much of the file
// at open, so the file grows without a remap up to 1 GiB (then by 1 GiB
// steps). Address space only: pages are read in as used. 64-bit only.
const initialMmapSize = 1 << 30

// Limits of the snapshots a running bot hands out.
const (
	// SnapshotCopyTimeout bounds the read transaction of a snapshot: the
	// copy of the data file to a local temporary file (by the store's
	// clock). A copy that takes longer is abandoned with
	// ErrSnapshotTimeout, and the transaction ends.
	SnapshotCopyTimeout = 10 * time.Second
	// snapshotIdle is how long a snapshot client may go without reading
	// before it is cut off; snapshotTotal bounds a whole transfer.
	snapshotIdle  = 30 * time.Second
	snapshotTotal = 10 * time.Minute
	// snapshotConcurrent bounds the snapshots in flight: each one takes a
	// temporary file as large as the data file.
	snapshotConcurrent = 2
)

// ErrSnapshotTimeout: the copy of a snapshot took longer than allowed and
// was abandoned (its read transaction ended).
var ErrSnapshotTimeout = errors.New("store: snapshot took too long")

// snapshotMagic starts a snapshot sent on the socket, followed by the
// snapshot's length (8 bytes, big-endian) and then that many bytes: a
// transfer cut short is seen as such, not opened as a damaged file.
const snapshotMagic = "DVCSNAP1"

// WriteSnapshot writes a consistent copy of the whole file to w while the
// store stays open for writing (one read transaction, open until w has
// taken every byte: give it a local file, never a network peer — see
// SnapshotFile).
func (db *DB) WriteSnapshot(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: snapshot: %w", err)
	}
	return n, nil
}

// snapshotPrefix names the temporary files of SnapshotFile.
const snapshotPrefix = ".dvcbot-snapshot-"

// SnapshotFile writes a consistent copy of the data file to a new
// temporary file (mode 0600) in dir — the data file's folder when dir is
// "" — and returns its path and size; the caller removes it. The read
// transaction lasts only while the copy is written, and at most timeout
// (0: SnapshotCopyTimeout) by the store's clock: past it the copy is
// abandoned with ErrSnapshotTimeout and nothing is left behind.
func (db *DB) SnapshotFile(dir string, timeout time.Duration) (path string, size int64, err error) {
	if dir == "" {
		dir = filepath.Dir(db.path)
	}
	if timeout <= 0 {
		timeout = SnapshotCopyTimeout
	}
	f, err := os.CreateTemp(dir, snapshotPrefix+"*.tmp")
	if err != nil {
		return "", 0, fmt.Errorf("store: snapshot file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := &deadlineWriter{w: f, now: db.now, deadline: db.now().Add(timeout)}
	if size, err = db.WriteSnapshot(w); err != nil {
		if w.expired { // bbolt does not always wrap the writer's error
			return "", 0, fmt.Errorf("store: snapshot: copy not done after %v: %w", timeout, ErrSnapshotTimeout)
		}
		return "", 0, err
	}
	if err := f.Close(); err != nil {
		return "", 0, fmt.Errorf("store: snapshot file: %w", err)
	}
	return f.Name(), size, nil
}

// deadlineWriter fails every write after deadline (by now).
type deadlineWriter struct {
	w        io.Writer
	now      func() time.Time
	deadline time.Time
	expired  bool
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if d.now().After(d.deadline) {
		d.expired = true
		return 0, ErrSnapshotTimeout
	}
	return d.w.Write(p)
}

// SnapshotSocket is the Unix socket beside the data file, <path>.sock, on
// which a running bot hands out consistent snapshots to read-only tools
// (export, dossier). It is created mode 0600 inside a private folder and
// only then moved into place, so nobody but the bot's user can ever
// connect; it never moves to a shared folder such as /tmp. A path longer
// than a socket address holds (107 bytes) is reached through the folder's
// descriptor (/proc/self/fd/N/name, Linux).
func SnapshotSocket(path string) string { return path + ".sock" }

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path
// holds 108 bytes with the terminating zero).
const maxSocketPath = 107

// snapshotLimits bound the snapshots ServeSnapshots hands out.
type snapshotLimits struct {
	copy, idle, total time.Duration
	concurrent        int
	// copied and done, when set, hear when a snapshot's local copy is made
	// and how each connection ended (tests).
	copied func()
	done   func(error)
}

// ServeSnapshots answers each connection on SnapshotSocket with a
// snapshot, until ctx ends. Each snapshot is copied to a temporary file
// beside the data file first (SnapshotFile: the read transaction lasts at
// most SnapshotCopyTimeout), then streamed: a client that stops reading
// for 30 s, or takes more than 10 minutes, is cut off, holding no
// transaction meanwhile. At most two snapshots are made at once.
func (db *DB) ServeSnapshots(ctx context.Context) error {
	return db.serveSnapshots(ctx, snapshotLimits{copy: SnapshotCopyTimeout, idle: snapshotIdle, total: snapshotTotal, concurrent: snapshotConcurrent})
}

func (db *DB) serveSnapshots(ctx context.Context, lim snapshotLimits) error {
	sock := SnapshotSocket(db.path)
	removeStaleSnapshots(filepath.Dir(db.path))
	ln, err := listenPrivate(sock)
	if err != nil {
		return fmt.Errorf("store: snapshot socket: %w", err)
	}
	go func() { <-ctx.Done(); ln.Close() }()
	defer os.Remove(sock)
	sem := make(chan struct{}, max(lim.concurrent, 1))
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("store: snapshot accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.sendSnapshot(ctx, conn, sem, lim)
			if lim.done != nil {
				lim.done(err)
			}
		}()
	}
}

// sendSnapshot answers one connection: a snapshot copied locally, then
// streamed with a header (snapshotMagic, length).
func (db *DB) sendSnapshot(ctx context.Context, conn net.Conn, sem chan struct{}, lim snapshotLimits) error {
	defer conn.Close()
	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-ctx.Done():
		return ctx.Err()
	}
	path, size, err := db.SnapshotFile("", lim.copy)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	if lim.copied != nil {
		lim.copied()
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("store: snapshot file: %w", err)
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() }) // bot stopping: cut the transfer
	defer stop()
	end := time.Now().Add(lim.total)
	w := &idleWriter{conn: conn, idle: lim.idle, end: end}
	head := binary.BigEndian.AppendUint64([]byte(snapshotMagic), uint64(size))
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("store: send snapshot: %w", err)
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("store: send snapshot: %w", err)
	}
	return nil
}

// idleWriter writes to a connection, each write within idle of its start
// and all of them before end (wall time: socket deadlines are).
type idleWriter struct {
	conn net.Conn
	idle time.Duration
	end  time.Time
}

func (w *idleWriter) Write(p []byte) (int, error) {
	d := time.Now().Add(w.idle)
	if d.After(w.end) {
		d = w.end
	}
	if err := w.conn.SetWriteDeadline(d); err != nil {
		return 0, err
	}
	return w.conn.Write(p)
}

// removeStaleSnapshots deletes snapshot files a crash left in dir.
func removeStaleSnapshots(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), snapshotPrefix) && strings.HasSuffix(e.Name(), ".tmp") && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// listenPrivate listens on the Unix socket sock, created mode 0600 before
// anyone can reach it: it is bound inside a new private folder (0700)
// beside sock, made 0600, then renamed to sock (replacing a socket left by
// a crash).
func listenPrivate(sock string) (net.Listener, error) {
	private, err := os.MkdirTemp(filepath.Dir(sock), ".dvcbot-socket-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(private)
	tmp := filepath.Join(private, "s")
	var ln *net.UnixListener
	err = withSocketPath(tmp, func(addr string) error {
		var err error
		ln, err = net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
		return err
	})
	if err != nil {
		return nil, err
	}
	// The name it was bound with is gone after the rename (and may be a
	// /proc/self/fd path): the caller removes sock itself.
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	if err := os.Rename(tmp, sock); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// dialSnapshot connects to the snapshot socket sock.
func dialSnapshot(sock string) (net.Conn, error) {
	var conn net.Conn
	err := withSocketPath(sock, func(addr string) error {
		var err error
		conn, err = net.Dial("unix", addr)
		return err
	})
	return conn, err
}

// withSocketPath calls fn with an address for the socket path sock: sock
// itself, or, when it is too long for a socket address, the same file
// reached through a descriptor of its folder (/proc/self/fd/N/name),
// open while fn runs.
func withSocketPath(sock string, fn func(addr string) error) error {
	if len(sock) <= maxSocketPath {
		return fn(sock)
	}
	dir, err := os.Open(filepath.Dir(sock))
	if err != nil {
		return err
	}
	defer dir.Close()
	addr := fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(sock))
	if len(addr) > maxSocketPath {
		return fmt.Errorf("socket path %s is too long (%d bytes, at most %d)", sock, len(sock), maxSocketPath)
	}
	return fn(addr)
}

// snapshotReadIdle is how long OpenReadOnly waits for the next bytes of a
// snapshot: the bot makes its local copy (at most SnapshotCopyTimeout,
// after at most two others) before it sends anything.
const snapshotReadIdle = 2 * time.Minute

// OpenReadOnly opens the data file for reading. When a running bot holds
// the file, it fetches a snapshot through the bot's socket into a
// temporary file and opens that; close removes the temporary file.
func OpenReadOnly(path string, opts Options) (db *DB, closeFn func() error, err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("store: %s: %w", path, err)
	}
	opts.ReadOnly = true
	if opts.Timeout == 0 {
		opts.Timeout = 500 * time.Millisecond
	}
	db, err = Open(path, opts)
	if err == nil {
		return db, db.Close, nil
	}
	if !errors.Is(err, ErrLocked) {
		return nil, nil, err
	}
	conn, derr := dialSnapshot(SnapshotSocket(path))
	if derr != nil {
		return nil, nil, fmt.Errorf("%w (and no snapshot socket answered: %v)", err, derr)
	}
	defer conn.Close()
	tmp, terr := os.CreateTemp("", "dvcbot-snapshot-*.db")
	if terr != nil {
		return nil, nil, fmt.Errorf("store: snapshot file: %w", terr)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if err := receiveSnapshot(tmp, &idleReader{conn: conn, idle: snapshotReadIdle}); err != nil {
		cleanup()
		return nil, nil, err
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("store: snapshot file: %w", err)
	}
	db, err = Open(tmp.Name(), opts)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return db, func() error { err := db.Close(); os.Remove(tmp.Name()); return err }, nil
}

// receiveSnapshot copies a snapshot sent by sendSnapshot from r to w,
// failing when it is cut short.
func receiveSnapshot(w io.Writer, r io.Reader) error {
	head := make([]byte, len(snapshotMagic)+8)
	if _, err := io.ReadFull(r, head); err != nil {
		return fmt.Errorf("store: the running bot sent no snapshot (it could not copy the data file, or is stopping): %w", err)
	}
	if string(head[:len(snapshotMagic)]) != snapshotMagic {
		return errors.New("store: the snapshot socket did not answer with a snapshot (is the running bot an older dvcbot? run the same version, or stop the bot)")
	}
	size := int64(binary.BigEndian.Uint64(head[len(snapshotMagic):]))
	n, err := io.CopyN(w, r, size)
	if err != nil {
		return fmt.Errorf("store: fetch snapshot: %d of %d bytes received: %w", n, size, err)
	}
	return nil
}

// idleReader reads from a connection, failing when nothing comes for idle.
type idleReader struct {
	conn net.Conn
	idle time.Duration
}

func (r *idleReader) Read(p []byte) (int, error) {
	if err := r.conn.SetReadDeadline(time.Now().Add(r.idle)); err != nil {
		return 0, err
	}
	return r.conn.Read(p)
}
