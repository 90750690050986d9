package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// ErrInUse means the data file is locked by a running bot: stop it first.
var ErrInUse = errors.New("the data file is in use by a running dvcbot")

// RestoreResult says what Restore did.
type RestoreResult struct {
	// Summary is what the restored file holds.
	Summary Summary
	// Previous is where the replaced data file was kept ("" when there
	// was none).
	Previous string
}

// MaxRestoreBytes is how large a compressed backup may grow when Restore
// decompresses it (8 GiB): a damaged or hostile .gz could otherwise
// expand until the disk is full.
const MaxRestoreBytes = 8 << 30

// Restore replaces the data file at target with the backup at from (a
// plain bbolt file or a gzip-compressed one, as /saoluu sends). It refuses
// while a bot holds target, and checks the backup (Verify) before
// touching target; the old file is kept as
// <target>.before-restore-<now>. Nothing is changed when it fails. A
// compressed backup may decompress to at most MaxRestoreBytes.
func Restore(from, target string, now time.Time) (RestoreResult, error) {
	return RestoreLimited(from, target, now, MaxRestoreBytes)
}

// RestoreLimited is Restore with its own limit on the size a compressed
// backup decompresses to; past it, it stops with an error wrapping
// ErrTooLarge.
func RestoreLimited(from, target string, now time.Time, maxBytes int64) (RestoreResult, error) {
	absFrom, err1 := filepath.Abs(from)
	absTarget, err2 := filepath.Abs(target)
	if err := errors.Join(err1, err2); err != nil {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	if absFrom == absTarget {
		return RestoreResult{}, errors.New("backup: the backup and the data file are the same file")
	}
	dir := filepath.Dir(absTarget)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return RestoreResult{}, fmt.Errorf("backup: create folder %s: %w", dir, err)
	}
	unlock, err := lockFile(absTarget)
	if err != nil {
		return RestoreResult{}, err
	}
	defer unlock()

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(absTarget)+".restore-*.tmp")
	if err != nil {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := extract(absFrom, tmp, maxBytes); err != nil {
		return RestoreResult{}, err
	}
	if err := tmp.Sync(); err != nil {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	sum, err := Verify(tmp.Name())
	if err != nil {
		return RestoreResult{Summary: sum}, fmt.Errorf("backup: %s cannot be restored: %w", from, err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	res := RestoreResult{Summary: sum}
	if _, err := os.Stat(absTarget); err == nil {
		res.Previous = absTarget + ".before-restore-" + now.Format("20060102-150405")
		if err := os.Rename(absTarget, res.Previous); err != nil {
			return RestoreResult{}, fmt.Errorf("backup: keep the current data file: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return RestoreResult{}, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), absTarget); err != nil {
		if res.Previous != "" {
			_ = os.Rename(res.Previous, absTarget) // put the old file back
		}
		return RestoreResult{}, fmt.Errorf("backup: put the backup in place: %w", err)
	}
	done = true
	if err := syncDir(dir); err != nil {
		return res, err
	}
	return res, nil
}

// extract copies the backup at path into w, decompressing it when it is
// gzip (recognised by its magic bytes, not its name) into at most
// maxBytes.
func extract(path string, w io.Writer, maxBytes int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	magic, _ := br.Peek(2)
	var r io.Reader = br
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("backup: %s: %w", path, err)
		}
		defer zr.Close()
		n, err := io.Copy(w, io.LimitReader(zr, maxBytes))
		if err != nil {
			return fmt.Errorf("backup: read %s: %w", path, err)
		}
		if n == maxBytes {
			if m, _ := zr.Read(make([]byte, 1)); m > 0 {
				return fmt.Errorf("backup: %s decompresses to more than %d bytes: %w", path, maxBytes, ErrTooLarge)
			}
		}
		return nil
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("backup: read %s: %w", path, err)
	}
	return nil
}
