//go:build linux

package backup

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

var (
	checkGB   = flag.Float64("check-gb", 0, "TestCheckLargeDataFile: build a data file of this many GB and time CheckDataFile on it (BENCHMARKS.md)")
	largeFile = flag.String("check-file", "", "TestCheckLargeDataFile: keep the built file here, and reuse it when it exists")
)

// TestCheckLargeDataFile times CheckDataFile, the start-up check, on a data
// file of -check-gb gigabytes shaped like the bot's (records of ~300 bytes
// with two index entries each and an audit entry), with the file in the
// page cache and evicted from it. It asserts nothing about time: the
// figures go to BENCHMARKS.md.
func TestCheckLargeDataFile(t *testing.T) {
	if *checkGB <= 0 {
		t.Skip("run with -check-gb N (minutes, N GB of temporary disk)")
	}
	path := filepath.Join(t.TempDir(), "large.db")
	if *largeFile != "" {
		path = *largeFile
		if _, err := os.Stat(path); err == nil {
			measureCheck(t, path)
			return
		}
	}
	start := time.Now()
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoSync: true, NoFreelistSync: false, InitialMmapSize: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	target := int64(*checkGB * (1 << 30))
	value := make([]byte, 300)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	id := uint64(0)
	for {
		err := db.Update(func(tx *bolt.Tx) error {
			if id == 0 {
				for _, name := range requiredBuckets(4) {
					if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
						return err
					}
				}
				if err := tx.Bucket([]byte("meta")).Put([]byte("schema_version"), []byte("4")); err != nil {
					return err
				}
			}
			g, _ := tx.CreateBucketIfNotExists([]byte("guidance"))
			byTime, _ := tx.CreateBucketIfNotExists([]byte("idx_g_time"))
			byOff, _ := tx.CreateBucketIfNotExists([]byte("idx_g_off"))
			audit := tx.Bucket([]byte("audit"))
			g.FillPercent, byTime.FillPercent, audit.FillPercent = 1, 1, 1
			for n := 0; n < 100000; n++ {
				id++
				k := binary.BigEndian.AppendUint64(nil, id)
				if err := g.Put(k, value); err != nil {
					return err
				}
				tk := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, 1767200000+id*30), id)
				if err := byTime.Put(tk, nil); err != nil {
					return err
				}
				ok := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(nil, id%200), id), id)
				if err := byOff.Put(ok, nil); err != nil {
					return err
				}
				if err := audit.Put(k, value[:200]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Size() >= target {
			break
		}
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	db.Close()
	fi, _ := os.Stat(path)
	t.Logf("built %.2f GB, %d records, in %v", float64(fi.Size())/(1<<30), id, time.Since(start).Round(time.Second))
	measureCheck(t, path)
}

// measureCheck logs how long CheckDataFile and Verify take on path.
func measureCheck(t *testing.T, path string) {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %.2f GB", path, float64(fi.Size())/(1<<30))

	evict := func() {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
			t.Logf("evicting from the page cache: %v", err)
		}
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			t.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	timeIt := func(what string, fn func() error) {
		start, startCPU := time.Now(), cpu()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		t.Logf("%s: %v wall, %v CPU", what, time.Since(start).Round(time.Millisecond), (cpu() - startCPU).Round(time.Millisecond))
	}
	for i := 0; i < 2; i++ {
		evict()
		timeIt(fmt.Sprintf("CheckDataFile, evicted from the page cache (run %d)", i+1), func() error { return CheckDataFile(path) })
		timeIt(fmt.Sprintf("CheckDataFile, in the page cache (run %d)", i+1), func() error { return CheckDataFile(path) })
	}
	timeIt("Verify (restore's full check), in the page cache", func() error { _, err := Verify(path); return err })
}
