//go:build unix

package backup

import (
	"io"
	"os"
	"syscall"
)

// mapped is a file mapped into memory: the page walk touches every page
// of the trees, and a read(2) per 4 KiB page cost more than the walk
// itself (BENCHMARKS.md). Views are slices of the mapping, read with Go's
// bounds checks; a file cut short meanwhile faults (SIGBUS), which the
// caller turns into an error (debug.SetPanicOnFault).
type mapped []byte

func (m mapped) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(m)) {
		return 0, io.EOF
	}
	n := copy(p, m[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (m mapped) view(off int64, n uint64) ([]byte, error) {
	if off < 0 || off > int64(len(m)) || n > uint64(int64(len(m))-off) {
		return nil, io.EOF
	}
	end := off + int64(n)
	return m[off:end:end], nil
}

// mapForReading maps the first size bytes of f read-only; it falls back
// to reading f when the file cannot be mapped.
func mapForReading(f *os.File, size int64) (pageSource, func()) {
	if size <= 0 || int64(int(size)) != size {
		return fileSource{f}, func() {}
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED|populate)
	if err != nil {
		return fileSource{f}, func() {}
	}
	return mapped(b), func() { _ = syscall.Munmap(b) }
}
