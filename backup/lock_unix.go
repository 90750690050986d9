//go:build unix

package backup

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockFile takes the lock bbolt takes (flock, exclusive) on an existing
// data file, failing with ErrInUse when a running bot holds it. A missing
// file needs no lock.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return func() {}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("backup: open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("backup: %s: %w", path, ErrInUse)
		}
		return nil, fmt.Errorf("backup: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockShared takes a shared flock on f, as a read-only bbolt open does;
// inUse is true when a running bot holds the file (bbolt's exclusive
// lock). The lock goes with f's Close.
func lockShared(f *os.File) (inUse bool, err error) {
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return true, nil
		}
		return false, fmt.Errorf("backup: lock %s: %w", f.Name(), err)
	}
	return false, nil
}
