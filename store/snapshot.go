package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// WriteSnapshot writes a consistent copy of the whole file to w while the
// store stays open for writing (one read transaction).
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

// SnapshotSocket is the Unix socket beside the data file on which a running
// bot hands out consistent snapshots to read-only tools (export, dossier).
// Its permissions are the folder's: whoever can read the data file can read
// a snapshot, nobody else.
//
// Unix socket paths are limited to about 107 bytes; a data file deep in the
// tree gets its socket in the temporary folder instead, named by a hash of
// the file's absolute path so that serve and export agree on it.
func SnapshotSocket(path string) string {
	sock := path + ".sock"
	if len(sock) <= maxSocketPath {
		return sock
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(os.TempDir(), "dvcbot-"+hex.EncodeToString(sum[:8])+".sock")
}

// maxSocketPath is the longest Unix socket path Linux accepts (sun_path
// holds 108 bytes with the terminating zero).
const maxSocketPath = 107

// ServeSnapshots answers each connection on the socket with a snapshot,
// until ctx ends.
func (db *DB) ServeSnapshots(ctx context.Context) error {
	sock := SnapshotSocket(db.path)
	_ = os.Remove(sock) // left over from a crash
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("store: snapshot socket: %w", err)
	}
	_ = os.Chmod(sock, 0o600)
	go func() { <-ctx.Done(); ln.Close() }()
	defer os.Remove(sock)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("store: snapshot accept: %w", err)
		}
		go func() {
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Minute))
			_, _ = db.WriteSnapshot(conn)
		}()
	}
}

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
	conn, derr := net.Dial("unix", SnapshotSocket(path))
	if derr != nil {
		return nil, nil, fmt.Errorf("%w (and no snapshot socket answered: %v)", err, derr)
	}
	defer conn.Close()
	tmp, terr := os.CreateTemp("", "dvcbot-snapshot-*.db")
	if terr != nil {
		return nil, nil, fmt.Errorf("store: snapshot file: %w", terr)
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, conn); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("store: fetch snapshot: %w", err)
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
