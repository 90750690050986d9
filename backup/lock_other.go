//go:build !unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// lockFile opens the data file as bbolt does, failing with ErrInUse when a
// running bot holds it. A missing or unreadable file needs no lock.
func lockFile(path string) (unlock func(), err error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return func() {}, nil
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 500 * time.Millisecond})
	if errors.Is(err, bolterr.ErrTimeout) {
		return nil, fmt.Errorf("backup: %s: %w", path, ErrInUse)
	}
	if err != nil {
		return func() {}, nil
	}
	return func() { db.Close() }, nil
}

// lockShared does nothing where flock is missing: the check runs unlocked.
func lockShared(*os.File) (inUse bool, err error) { return false, nil }
