package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"dvcbot/chat"
	"dvcbot/store"
)

// Delivery of answers. An update's replies are stored with its processed
// mark, in the same transaction as everything the update changed; the
// transport tells the engine (Delivered) once it has sent them, and the
// mark is then cleared — in the next write transaction, so that a busy bot
// pays no extra commit for it (an idle one flushes within a second,
// FlushDelivered). So:
//   - an update re-delivered after a crash is answered again with the
//     replies it got the first time (they were never seen), not silently;
//   - replies still queued when the process died are sent at the next start
//     (Undelivered);
//   - what a transport confirmed as sent is not sent again, except for
//     confirmations in the last moments before a crash that were not yet
//     written: then the officer may see an answer twice, never none.
// Replies that carry a file (workbooks, dossiers, backups) are not kept:
// they are built again on demand, never resent.

// ErrNotStored is returned (wrapped) by Handle when what the input did
// could not be stored (a full disk, a damaged file): the transport must
// not confirm the update, so that it comes again.
var ErrNotStored = errors.New("bot: the input could not be stored")

// delivery is the engine's in-memory side of answers in flight.
type delivery struct {
	mu sync.Mutex
	// inflight are updates whose replies a transport holds but has not yet
	// confirmed: a re-delivery meanwhile gets no second copy.
	inflight map[string]struct{}
	// delivered are confirmed updates whose stored replies are still to
	// clear; the value is true while a write transaction clearing them is
	// under way. A re-delivery of one gets no second copy: until that
	// transaction commits, the store still holds the replies.
	delivered map[string]bool
	// apologized are updates already answered «chưa được lưu»: a
	// re-delivery that fails again is not apologised for twice.
	apologized map[string]struct{}
	// lastFail is the last failed write (zero after a write succeeds).
	lastFail time.Time
	lastErr  error
}

func newDelivery() *delivery {
	return &delivery{inflight: map[string]struct{}{}, delivered: map[string]bool{}, apologized: map[string]struct{}{}}
}

// updateKey is the channel-qualified id of an input's update ("" when it has none).
func updateKey(in chat.Input) string {
	if in.Update == "" {
		return ""
	}
	return deliveryKey(in.Chat.Channel, in.Update)
}

// deliveryKey is "channel:update", the key replies in flight are kept under.
func deliveryKey(channel, update string) string { return channel + ":" + update }

// Delivered tells the engine that a transport has sent (or given up for
// good on) every reply of an update of channel, so they are not sent again.
func (e *Engine) Delivered(channel, update string) {
	if update == "" {
		return
	}
	key := deliveryKey(channel, update)
	d := e.dl
	d.mu.Lock()
	delete(d.inflight, key)
	if _, ok := d.delivered[key]; !ok {
		d.delivered[key] = false
	}
	d.mu.Unlock()
}

// takeDelivered returns the confirmations to write (those no other
// transaction is writing) and marks them being written: call cleared once
// the transaction committed, putBack if it failed.
func (d *delivery) takeDelivered() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k, writing := range d.delivered {
		if !writing {
			out = append(out, k)
			d.delivered[k] = true
		}
	}
	return out
}

// cleared forgets confirmations whose write committed.
func (d *delivery) cleared(keys []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		delete(d.delivered, k)
	}
}

// putBack returns confirmations whose write failed.
func (d *delivery) putBack(keys []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, k := range keys {
		d.delivered[k] = false
	}
}

// FlushDelivered writes the confirmations not yet written (serve calls it
// every second, so an idle bot forgets delivered replies promptly).
func (e *Engine) FlushDelivered(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	keys := e.dl.takeDelivered()
	if len(keys) == 0 {
		return nil
	}
	if err := e.db.Batch(func(tx *store.Tx) error { return tx.ClearPending(keys...) }); err != nil {
		e.dl.putBack(keys)
		return fmt.Errorf("bot: record delivered replies: %w", err)
	}
	e.dl.cleared(keys)
	return nil
}

// Pending is an update whose replies were stored but not confirmed sent.
type Pending struct {
	Channel, Update string
	Replies         []chat.Reply
}

// Undelivered returns the replies stored but never confirmed sent (the
// process stopped with them queued), oldest first, and marks them in
// flight: send them, then call Delivered.
func (e *Engine) Undelivered(ctx context.Context) ([]Pending, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Pending
	err := e.db.View(func(tx *store.Tx) error {
		return tx.EachPending(func(update string, at time.Time, raw []byte) error {
			var rs []chat.Reply
			if err := json.Unmarshal(raw, &rs); err != nil || len(rs) == 0 {
				return nil // unreadable: nothing to resend
			}
			ch, id, _ := strings.Cut(update, ":")
			out = append(out, Pending{Channel: ch, Update: id, Replies: rs})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("bot: read undelivered replies: %w", err)
	}
	e.dl.mu.Lock()
	kept := out[:0]
	for _, p := range out {
		key := deliveryKey(p.Channel, p.Update)
		_, flying := e.dl.inflight[key]
		_, sent := e.dl.delivered[key]
		if flying || sent {
			continue // this process has them in hand already
		}
		e.dl.inflight[key] = struct{}{}
		kept = append(kept, p)
	}
	e.dl.mu.Unlock()
	return kept, nil
}

// pendingJSON encodes the replies to keep with an update's processed mark:
// those without a file (files are built again on demand, never kept).
func pendingJSON(rs []chat.Reply) ([]byte, error) {
	keep := make([]chat.Reply, 0, len(rs))
	for _, r := range rs {
		if r.File == nil && r.Photo == nil {
			keep = append(keep, r)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(keep)
	if err != nil {
		return nil, fmt.Errorf("bot: encode replies: %w", err)
	}
	return b, nil
}

// resend decides what a re-delivered update gets: nothing while its first
// replies are in flight in this process or confirmed sent (the
// confirmation not yet written), else the stored replies.
func (d *delivery) resend(key string, raw []byte) []chat.Reply {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.inflight[key]; ok || len(raw) == 0 {
		return nil
	}
	if _, ok := d.delivered[key]; ok {
		return nil
	}
	var rs []chat.Reply
	if json.Unmarshal(raw, &rs) != nil {
		return nil
	}
	d.inflight[key] = struct{}{}
	return rs
}

// started records replies handed to a transport for key.
func (d *delivery) started(key string) {
	d.mu.Lock()
	d.inflight[key] = struct{}{}
	d.mu.Unlock()
}

// failed records a failed write and reports whether key was already
// apologised for.
func (d *delivery) failed(key string, err error, at time.Time) (again bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lastFail, d.lastErr = at, err
	if key == "" {
		return false
	}
	if _, again = d.apologized[key]; !again {
		if len(d.apologized) > 10000 {
			clear(d.apologized)
		}
		d.apologized[key] = struct{}{}
	}
	return again
}

// wrote records a successful write.
func (d *delivery) wrote() {
	d.mu.Lock()
	d.lastFail, d.lastErr = time.Time{}, nil
	d.mu.Unlock()
}

// WriteHealth is nil while the last write of an input succeeded, else the
// error of the last failed one: health checks stay red until a write works.
func (e *Engine) WriteHealth() error {
	d := e.dl
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.lastErr == nil {
		return nil
	}
	return fmt.Errorf("ghi dữ liệu thất bại lúc %s: %w", d.lastFail.Format(time.RFC3339), d.lastErr)
}
