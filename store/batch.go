package store

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"
)

// Group commit. bbolt's own Batch closes a batch 2 ms after its first call
// even while another commit is still writing, so under load the calls are
// split into many small transactions that each wait for their own fsync.
// Here the calls that arrive while a commit is in progress all go into the
// next one: one fsync for everything that queued during the previous
// fsync, and no added delay when the store is idle.

// maxBatch bounds the calls in one transaction.
const maxBatch = 1000

// batcher queues the calls of DB.Batch for the next commit.
type batcher struct {
	mu      sync.Mutex
	queue   []batchCall
	running bool // a goroutine is committing the queue
}

type batchCall struct {
	fn   func(*Tx) error
	done chan error
}

// errSolo tells a caller to run its function alone: it failed in a batch.
var errSolo = errors.New("store: run again outside the batch")

// Batch is Update that may share one commit with concurrent callers (group
// commit). fn may run more than once: it must be idempotent, keeping its
// results in variables it overwrites on every run. When fn returns an
// error, the others' work is committed without it and fn runs again alone,
// and that run's error is returned.
func (db *DB) Batch(fn func(*Tx) error) error {
	c := batchCall{fn: fn, done: make(chan error, 1)}
	b := &db.batch
	b.mu.Lock()
	b.queue = append(b.queue, c)
	if !b.running {
		b.running = true
		go db.commitQueued()
	}
	b.mu.Unlock()
	if err := <-c.done; !errors.Is(err, errSolo) {
		return err
	}
	return db.Update(fn)
}

// commitQueued commits the queue, batch after batch, until it is empty.
func (db *DB) commitQueued() {
	b := &db.batch
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		if n == 0 {
			b.running = false
			b.queue = nil
			b.mu.Unlock()
			return
		}
		calls := make([]batchCall, n)
		copy(calls, b.queue)
		b.queue = b.queue[n:]
		b.mu.Unlock()
		db.commitBatch(calls)
	}
}

// commitBatch runs every call in one transaction; a call that fails is
// taken out (its caller runs it alone) and the others run again.
func (db *DB) commitBatch(calls []batchCall) {
	for len(calls) > 0 {
		failed := -1
		err := db.bolt.Update(func(btx *bolt.Tx) error {
			for i, c := range calls {
				if err := safely(c.fn, &Tx{tx: btx, db: db, now: db.now()}); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			calls[failed].done <- errSolo
			calls = append(calls[:failed], calls[failed+1:]...)
			continue
		}
		for _, c := range calls {
			c.done <- err
		}
		return
	}
}

// safely runs fn, turning a panic into an error (the caller's solo run
// panics again, in the caller's goroutine).
func safely(fn func(*Tx) error, tx *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: batch function panicked: %v", p)
		}
	}()
	return fn(tx)
}
