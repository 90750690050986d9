package store

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/chat"
)

// The outbox holds scheduled posts (reminders, leaderboards, reviews) from
// the moment a job decides them until Telegram confirms them, so that a
// restart neither loses a post nor sends one twice.
//
// Layout, inside the "outbox" bucket (nested buckets, created on first write):
//
//	items    seq 8 → JSON OutboxItem
//	pending  seq 8 → not-before unix ns 8     items still to send, and when to try next
//	done     done unix ns 8 | seq 8 → nil      sent and dropped items, by when (for pruning)
//	jobs     job key → unix seconds 8          every job key ever enqueued
//	runs     job name → unix nanoseconds 8     scheduled time of the job's last run
var (
	bOutboxItems   = []byte("items")
	bOutboxPending = []byte("pending")
	bOutboxDone    = []byte("done")
	bOutboxJobs    = []byte("jobs")
	bOutboxRuns    = []byte("runs")
)

// kvGroupChatID is the kv name of the leaders' group id after Telegram
// migrated the group to a supergroup.
const kvGroupChatID = "group_chat_id"

// OutboxStatus says where a post stands; stored as a string.
type OutboxStatus string

// Outbox statuses.
const (
	OutboxPending OutboxStatus = "pending" // to send (again)
	OutboxSent    OutboxStatus = "sent"    // Telegram confirmed it
	OutboxDropped OutboxStatus = "dropped" // will never be sent: chat unreachable, rejected or stale
)

// OutboxItem is one message of a scheduled post, stored before it is sent,
// as the channel-neutral reply it is (chat.Reply): any transport can send
// it again after a restart.
type OutboxItem struct {
	Seq    uint64     `json:"seq"`   // set by EnqueuePosts; the sending order
	JobKey string     `json:"job"`   // the job run that produced it
	Index  int        `json:"index"` // position within the job run
	Reply  chat.Reply `json:"reply"`

	Status    OutboxStatus `json:"status"`
	CreatedAt time.Time    `json:"created_at"`
	// NotBefore delays the next attempt after a failure (zero: at once).
	NotBefore time.Time `json:"not_before,omitempty"`
	// Expires is when the post is no longer worth sending (zero: never).
	Expires   time.Time `json:"expires,omitempty"`
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	DoneAt    time.Time `json:"done_at,omitempty"` // when it was sent or dropped
}

// outboxBucket returns the nested outbox bucket name, creating it in a
// write transaction; nil in a read transaction before the first write.
func (t *Tx) outboxBucket(name []byte) (*bolt.Bucket, error) {
	ob := t.tx.Bucket(bOutbox)
	if ob == nil {
		return nil, fmt.Errorf("store: outbox bucket missing")
	}
	if b := ob.Bucket(name); b != nil || !t.tx.Writable() {
		return b, nil
	}
	b, err := ob.CreateBucketIfNotExists(name)
	if err != nil {
		return nil, fmt.Errorf("store: outbox %s: %w", name, err)
	}
	return b, nil
}

// Enqueued reports whether a job run with this key was ever enqueued.
func (t *Tx) Enqueued(jobKey string) bool {
	b, err := t.outboxBucket(bOutboxJobs)
	return err == nil && b != nil && b.Get([]byte(jobKey)) != nil
}

// EnqueuePosts stores the posts of one job run, all pending. A job key is
// enqueued at most once: when it already was, nothing is stored and it
// returns false. An empty run is recorded too, so it is not repeated.
func (t *Tx) EnqueuePosts(jobKey string, items ...OutboxItem) (bool, error) {
	if jobKey == "" {
		return false, fmt.Errorf("store: enqueue posts: empty job key")
	}
	jobs, err := t.outboxBucket(bOutboxJobs)
	if err != nil {
		return false, err
	}
	if jobs.Get([]byte(jobKey)) != nil {
		return false, nil
	}
	ib, err := t.outboxBucket(bOutboxItems)
	if err != nil {
		return false, err
	}
	for i, it := range items {
		seq, err := ib.NextSequence()
		if err != nil {
			return false, fmt.Errorf("store: outbox sequence: %w", err)
		}
		it.Seq, it.JobKey, it.Index = seq, jobKey, i
		it.Status, it.CreatedAt = OutboxPending, t.now
		it.Attempts, it.LastError, it.DoneAt = 0, "", time.Time{}
		if err := t.savePost(it); err != nil {
			return false, fmt.Errorf("store: post %s #%d: %w", jobKey, i, err)
		}
	}
	if err := jobs.Put([]byte(jobKey), u64(uint64(t.now.Unix()))); err != nil {
		return false, fmt.Errorf("store: record job %s: %w", jobKey, err)
	}
	return true, nil
}

// OutboxPost returns one stored post.
func (t *Tx) OutboxPost(seq uint64) (OutboxItem, error) {
	b, err := t.outboxBucket(bOutboxItems)
	if err != nil {
		return OutboxItem{}, err
	}
	var v []byte
	if b != nil {
		v = b.Get(u64(seq))
	}
	if v == nil {
		return OutboxItem{}, fmt.Errorf("post %d: %w", seq, ErrNotFound)
	}
	var it OutboxItem
	if err := getJSON(v, &it); err != nil {
		return it, fmt.Errorf("store: post %d: %w", seq, err)
	}
	return it, nil
}

// PendingPosts returns up to limit pending posts (0: all) in sending
// order, including those waiting for a retry (NotBefore in the future).
func (t *Tx) PendingPosts(limit int) ([]OutboxItem, error) {
	pb, err := t.outboxBucket(bOutboxPending)
	if err != nil || pb == nil {
		return nil, err
	}
	var out []OutboxItem
	c := pb.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		it, err := t.OutboxPost(binary.BigEndian.Uint64(k))
		if err != nil {
			return nil, err
		}
		out = append(out, it)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}

// NextPostAttempt is the earliest time a pending post may be tried; false
// when nothing is pending.
func (t *Tx) NextPostAttempt() (time.Time, bool, error) {
	pb, err := t.outboxBucket(bOutboxPending)
	if err != nil || pb == nil {
		return time.Time{}, false, err
	}
	var next time.Time
	found := false
	c := pb.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if nb := readNotBefore(v); !found || nb.Before(next) {
			next, found = nb, true
		}
	}
	return next, found, nil
}

// notBefore encodes a retry time for the pending index (0: at once).
func notBefore(t time.Time) []byte {
	if t.IsZero() {
		return u64(0)
	}
	return u64(uint64(t.UnixNano()))
}

func readNotBefore(v []byte) time.Time {
	if len(v) != 8 || binary.BigEndian.Uint64(v) == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}

// OutboxDepth is the number of pending posts.
func (t *Tx) OutboxDepth() int {
	pb, err := t.outboxBucket(bOutboxPending)
	if err != nil || pb == nil {
		return 0
	}
	return pb.Stats().KeyN
}

// finishPost sets a pending post's final status; a post already finished
// is left as it is (so the call is idempotent, safe in DB.Batch).
func (t *Tx) finishPost(seq uint64, status OutboxStatus, reason string) error {
	it, err := t.OutboxPost(seq)
	if err != nil {
		return err
	}
	if it.Status != OutboxPending {
		return nil
	}
	it.Status, it.DoneAt = status, t.now
	if reason != "" {
		it.LastError = reason
	}
	// Attachments are not needed once the post is done: keep the record small.
	if f := it.Reply.File; f != nil {
		it.Reply.File = &chat.File{Name: f.Name}
	}
	if f := it.Reply.Photo; f != nil {
		it.Reply.Photo = &chat.File{Name: f.Name}
	}
	if err := t.savePost(it); err != nil {
		return err
	}
	db, err := t.outboxBucket(bOutboxDone)
	if err != nil {
		return err
	}
	if err := db.Put(cat(u64(uint64(it.DoneAt.UnixNano())), u64(seq)), nil); err != nil {
		return fmt.Errorf("store: outbox done index: %w", err)
	}
	return nil
}

// MarkPostSent records that Telegram confirmed the post: it is never sent again.
func (t *Tx) MarkPostSent(seq uint64) error { return t.finishPost(seq, OutboxSent, "") }

// MarkPostDropped gives up on a post for good (unreachable chat, rejected
// message, stale), keeping why.
func (t *Tx) MarkPostDropped(seq uint64, reason string) error {
	return t.finishPost(seq, OutboxDropped, reason)
}

// MarkPostFailed records a failed attempt: the post stays pending and is
// tried again from retryAt.
func (t *Tx) MarkPostFailed(seq uint64, reason string, retryAt time.Time) error {
	it, err := t.OutboxPost(seq)
	if err != nil {
		return err
	}
	if it.Status != OutboxPending {
		return nil
	}
	it.Attempts++
	it.LastError, it.NotBefore = reason, retryAt
	return t.savePost(it)
}

// savePost stores a post and keeps the pending index in step with it:
// listed by when it may go while pending, not listed once finished.
func (t *Tx) savePost(it OutboxItem) error {
	ib, err := t.outboxBucket(bOutboxItems)
	if err != nil {
		return err
	}
	if err := putJSON(ib, u64(it.Seq), it); err != nil {
		return fmt.Errorf("store: save post %d: %w", it.Seq, err)
	}
	pb, err := t.outboxBucket(bOutboxPending)
	if err != nil {
		return err
	}
	if it.Status == OutboxPending {
		err = pb.Put(u64(it.Seq), notBefore(it.NotBefore))
	} else {
		err = pb.Delete(u64(it.Seq))
	}
	if err != nil {
		return fmt.Errorf("store: outbox pending index: %w", err)
	}
	return nil
}

// EachPost calls fn for every stored post, oldest first (tests, health checks).
func (t *Tx) EachPost(fn func(OutboxItem) error) error {
	ib, err := t.outboxBucket(bOutboxItems)
	if err != nil || ib == nil {
		return err
	}
	return ib.ForEach(func(k, v []byte) error {
		var it OutboxItem
		if err := getJSON(v, &it); err != nil {
			return fmt.Errorf("store: post %d: %w", binary.BigEndian.Uint64(k), err)
		}
		return fn(it)
	})
}

// PruneOutbox deletes sent and dropped posts finished before the cutoff.
// Job keys are kept, so a pruned job run is still never enqueued again.
func (t *Tx) PruneOutbox(before time.Time) (int, error) {
	done, err := t.outboxBucket(bOutboxDone)
	if err != nil || done == nil {
		return 0, err
	}
	ib, err := t.outboxBucket(bOutboxItems)
	if err != nil {
		return 0, err
	}
	var old [][]byte
	limit := uint64(before.UnixNano())
	c := done.Cursor()
	for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k[:8]) < limit; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := ib.Delete(k[8:]); err != nil {
			return 0, fmt.Errorf("store: prune outbox: %w", err)
		}
		if err := done.Delete(k); err != nil {
			return 0, fmt.Errorf("store: prune outbox: %w", err)
		}
	}
	return len(old), nil
}

// --- job runs ---

// LastRun is the scheduled time of a job's last run (zero when it never ran).
func (t *Tx) LastRun(job string) time.Time {
	b, err := t.outboxBucket(bOutboxRuns)
	if err != nil || b == nil {
		return time.Time{}
	}
	v := b.Get([]byte(job))
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v)))
}

// LastRuns returns the last run of every job that ever ran.
func (t *Tx) LastRuns() (map[string]time.Time, error) {
	out := map[string]time.Time{}
	b, err := t.outboxBucket(bOutboxRuns)
	if err != nil || b == nil {
		return out, err
	}
	err = b.ForEach(func(k, v []byte) error {
		if len(v) == 8 {
			out[string(k)] = time.Unix(0, int64(binary.BigEndian.Uint64(v)))
		}
		return nil
	})
	return out, err
}

// SetLastRun records the scheduled time of a job's run; it never moves a
// job's last run backwards.
func (t *Tx) SetLastRun(job string, at time.Time) error {
	if !at.After(t.LastRun(job)) {
		return nil
	}
	b, err := t.outboxBucket(bOutboxRuns)
	if err != nil {
		return err
	}
	if err := b.Put([]byte(job), u64(uint64(at.UnixNano()))); err != nil {
		return fmt.Errorf("store: record run of %s: %w", job, err)
	}
	return nil
}

// --- the leaders' groups ---

// kvLinkedGroup prefixes the kv name of a channel's leaders' group learnt
// with a one-time code (/nhom): "linked_group:zalo".
const kvLinkedGroup = "linked_group:"

// LinkedGroup is the leaders' group a leader linked on a channel ("" when none).
func (t *Tx) LinkedGroup(channel string) string { return t.GetValue(kvLinkedGroup + channel) }

// SetLinkedGroup records a channel's leaders' group (audited); "" unlinks it.
func (t *Tx) SetLinkedGroup(channel, id string, actor campaign.PersonID) error {
	before := t.LinkedGroup(channel)
	var err error
	if id == "" {
		err = t.tx.Bucket(bKV).Delete([]byte(kvLinkedGroup + channel))
	} else {
		err = t.SetValue(kvLinkedGroup+channel, id)
	}
	if err != nil {
		return fmt.Errorf("store: link group: %w", err)
	}
	return t.Audit(actor, "group.link", map[string]string{"channel": channel, "group": before}, map[string]string{"channel": channel, "group": id})
}

// kv names of a group migration: Telegram upgraded the leaders' group
// (kvGroupChatFrom) to a supergroup with a new id (kvGroupChatID).
const kvGroupChatFrom = "group_chat_migrated_from"

// GroupChatID is the leaders' group id stored after Telegram migrated the
// group to a supergroup; 0 when no migration was recorded.
func (t *Tx) GroupChatID() int64 { return t.int64Value(kvGroupChatID) }

// MigratedChat is the chat to write to instead of id: the new id when id
// is the group that Telegram migrated, id itself otherwise. So a changed
// group id in the configuration is not overridden by an old migration.
func (t *Tx) MigratedChat(id int64) int64 {
	if to := t.GroupChatID(); to != 0 && id != 0 && t.int64Value(kvGroupChatFrom) == id {
		return to
	}
	return id
}

// SetGroupChatID records that the group old is now the supergroup id
// (audited): posts addressed to old go to id from now on.
func (t *Tx) SetGroupChatID(old, id int64) error {
	if err := t.SetValue(kvGroupChatID, strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	if err := t.SetValue(kvGroupChatFrom, strconv.FormatInt(old, 10)); err != nil {
		return err
	}
	return t.Audit(0, "group.migrate", map[string]int64{"chat": old}, map[string]int64{"chat": id})
}

func (t *Tx) int64Value(name string) int64 {
	v := t.GetValue(name)
	if v == "" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0
	}
	return id
}
