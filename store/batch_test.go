package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestBatchGroupCommit: concurrent calls are all committed, those that
// arrive during a commit share the next one, and a failing call gets its
// own error without losing the others' work.
func TestBatchGroupCommit(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "batch.db"), Options{Now: func() time.Time { return time.Unix(1_780_000_000, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const writers = 200
	bad := errors.New("không lưu được")
	var wg sync.WaitGroup
	errs := make([]error, writers)
	var mu sync.Mutex
	txs := map[any]int{}
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Batch(func(tx *Tx) error {
				mu.Lock()
				txs[tx.tx]++
				mu.Unlock()
				if err := tx.SetValue(fmt.Sprintf("k%03d", i), "v"); err != nil {
					return err
				}
				if i%50 == 7 {
					return fmt.Errorf("writer %d: %w", i, bad)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if want := i%50 == 7; errors.Is(err, bad) != want || (!want && err != nil) {
			t.Errorf("writer %d: err = %v", i, err)
		}
	}
	if err := db.View(func(tx *Tx) error {
		for i := range writers {
			if got, want := tx.GetValue(fmt.Sprintf("k%03d", i)), map[bool]string{true: "", false: "v"}[i%50 == 7]; got != want {
				t.Errorf("k%03d = %q, want %q", i, got, want)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(txs) >= writers {
		t.Errorf("%d writers used %d transactions: no call shared a commit", writers, len(txs))
	}
}

// TestBatchPanicReachesTheCaller: a function that panics panics in its
// caller's goroutine, and the others' work is still committed.
func TestBatchPanicReachesTheCaller(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "batch.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := db.Batch(func(tx *Tx) error { return tx.SetValue("ok", "1") }); err != nil {
			t.Error(err)
		}
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the panic did not reach the caller")
			}
		}()
		_ = db.Batch(func(*Tx) error { panic("hỏng") })
	}()
	wg.Wait()
	if err := db.View(func(tx *Tx) error {
		if tx.GetValue("ok") != "1" {
			t.Error("the other call's work was lost")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
