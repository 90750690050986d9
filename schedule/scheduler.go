package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/store"
)

// Sender sends one post and returns once its channel has accepted it (the
// transports, by the channel of the post's address; the terminal in the
// demo).
type Sender interface {
	Send(ctx context.Context, r chat.Reply) error
}

// Failure is what a failed send means for the post.
type Failure int

// Kinds of failure.
const (
	// Retry: a passing failure (network, 5xx, repeated 429): the post stays
	// pending and is tried again after a backoff.
	Retry Failure = iota
	// Unreachable: the chat cannot receive (blocked, kicked, never
	// started): the post is dropped and the officer marked unreachable.
	Unreachable
	// Rejected: the channel refused the message itself: the post is dropped.
	Rejected
	// Uncertain: the request may have reached the channel but no answer
	// came back; a channel without idempotency (Zalo) may have delivered
	// it, so it is not sent again: the post is dropped, logged as such.
	Uncertain
	// OverQuota: the channel's monthly quota is (nearly) used up. An
	// optional post is dropped; any other waits like Retry.
	OverQuota
)

// Classify is the default reading of a send error: the chat package's
// errors (which every transport wraps), anything else Retry.
func Classify(err error) Failure {
	switch {
	case errors.Is(err, chat.ErrUnreachable):
		return Unreachable
	case errors.Is(err, chat.ErrRejected):
		return Rejected
	case errors.Is(err, chat.ErrUncertain):
		return Uncertain
	case errors.Is(err, chat.ErrQuota):
		return OverQuota
	}
	return Retry
}

// Options configures a Scheduler.
type Options struct {
	// Location is the campaign time zone the specs are read in (UTC if nil).
	Location *time.Location
	// CatchUp is how late a missed run may still post (schedule.catch_up);
	// anything under a minute counts as a minute.
	CatchUp time.Duration
	// Now is the clock (time.Now if nil). Only Run waits on wall time.
	Now func() time.Time
	// Logger receives what ran and what failed (never a post's text).
	Logger *slog.Logger
	// Poll is how often Run looks at the outbox even when no job is due,
	// so that posts queued by /chay go out promptly (default 2 s).
	Poll time.Duration
	// Workers is how many chats are sent to at once (default 8); the posts
	// of one chat are always sent one after the other, in order.
	Workers int
	// Classify reads send errors (default Classify).
	Classify func(error) Failure
	// Keep is how long sent and dropped posts stay in the outbox (default 30 days).
	Keep time.Duration
	// Batch bounds the posts one delivery pass sends (default 1000).
	Batch int
	// MaxAttempts is how many failed attempts (Retry) a post gets before it
	// is dropped (default 100: two days at the longest backoff). Posts with
	// a deadline are dropped when it passes, usually much sooner.
	MaxAttempts int
}

// Backoff after a failed send: BackoffMin, doubling per attempt, at most BackoffMax.
const (
	BackoffMin = 30 * time.Second
	BackoffMax = 30 * time.Minute
)

// backoff is the wait before attempt n+1 after n failed attempts.
func backoff(n int) time.Duration {
	d := BackoffMin
	for i := 1; i < n && d < BackoffMax; i++ {
		d *= 2
	}
	return min(d, BackoffMax)
}

// jobRetry is how long a job whose Run failed waits before it is tried again.
const jobRetry = time.Minute

// Scheduler runs jobs into the outbox and delivers the outbox.
type Scheduler struct {
	db     *store.DB
	jobs   []Job
	byName map[string]Job
	send   Sender
	opt    Options
	log    *slog.Logger

	mu        sync.Mutex // one Tick at a time
	retryAt   map[string]time.Time
	lastPrune time.Time
}

// New returns a scheduler of jobs (their specs parsed in opts.Location)
// over db, sending through send.
func New(db *store.DB, jobs []Job, send Sender, opts Options) (*Scheduler, error) {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Poll <= 0 {
		opts.Poll = 2 * time.Second
	}
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Classify == nil {
		opts.Classify = Classify
	}
	if opts.Keep <= 0 {
		opts.Keep = 30 * 24 * time.Hour
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 100
	}
	if opts.CatchUp < 0 {
		opts.CatchUp = 0
	}
	compiled, err := Compile(jobs, opts.Location)
	if err != nil {
		return nil, err
	}
	s := &Scheduler{db: db, jobs: compiled, byName: map[string]Job{}, send: send, opt: opts, log: opts.Logger,
		retryAt: map[string]time.Time{}}
	for _, j := range compiled {
		s.byName[j.Name] = j
	}
	return s, nil
}

// Tick runs the jobs due now (their posts written to the outbox with the
// run, in one transaction) and then sends the pending posts. It returns
// the first store error; jobs and sends that fail are logged and retried
// on a later tick.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	if err := s.runJobs(ctx, now); err != nil {
		return err
	}
	if _, err := s.deliver(ctx, now); err != nil {
		return err
	}
	if now.Sub(s.lastPrune) >= 24*time.Hour {
		s.lastPrune = now
		var n int
		if err := s.db.Update(func(tx *store.Tx) (err error) {
			n, err = tx.PruneOutbox(now.Add(-s.opt.Keep))
			return err
		}); err != nil {
			return fmt.Errorf("schedule: prune outbox: %w", err)
		}
		if n > 0 {
			s.log.Info("outbox pruned", "posts", n)
		}
	}
	return nil
}

// runJobs runs every due job.
func (s *Scheduler) runJobs(ctx context.Context, now time.Time) error {
	var last map[string]time.Time
	if err := s.db.View(func(tx *store.Tx) (err error) {
		last, err = tx.LastRuns()
		return err
	}); err != nil {
		return fmt.Errorf("schedule: read last runs: %w", err)
	}
	var fresh []string
	for _, j := range s.jobs {
		if last[j.Name].IsZero() {
			fresh = append(fresh, j.Name)
		}
	}
	if len(fresh) > 0 {
		if err := s.db.Update(func(tx *store.Tx) error {
			for _, name := range fresh {
				if err := tx.SetLastRun(name, now); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("schedule: record first start: %w", err)
		}
		for _, name := range fresh {
			last[name] = now
			s.log.Debug("job scheduled from now", "job", name, "spec", s.byName[name].Spec)
		}
	}
	for _, r := range Due(s.jobs, last, now, s.opt.CatchUp) {
		if ctx.Err() != nil {
			return nil
		}
		if t, ok := s.retryAt[r.Job]; ok && now.Before(t) {
			continue
		}
		if err := s.execute(ctx, r); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.retryAt[r.Job] = now.Add(jobRetry)
			s.log.Error("scheduled job failed; retrying in a minute", "job", r.Job, "at", r.At, "err", err)
			continue
		}
		delete(s.retryAt, r.Job)
	}
	return nil
}

// execute carries out one due run: records a skipped or missed run, or
// computes the posts and writes them to the outbox together with the run.
func (s *Scheduler) execute(ctx context.Context, r DueRun) error {
	if !r.Posts() {
		if err := s.db.Update(func(tx *store.Tx) error { return tx.SetLastRun(r.Job, r.At) }); err != nil {
			return fmt.Errorf("record run: %w", err)
		}
		if r.Missed {
			s.log.Warn("scheduled run missed: too late to post", "job", r.Job, "at", r.At, "catch_up", s.opt.CatchUp)
		} else {
			s.log.Info("scheduled run skipped", "job", r.Job, "at", r.At, "reason", r.Rule.Skip)
		}
		return nil
	}
	job := s.byName[r.Job]
	var replies []chat.Reply
	done := false
	if err := s.db.View(func(tx *store.Tx) (err error) {
		if tx.Enqueued(r.Rule.Key) {
			done = true
			return nil
		}
		replies, err = job.Run(ctx, tx, r.At)
		return err
	}); err != nil {
		return fmt.Errorf("compute posts: %w", err)
	}
	items := bot.OutboxItems(replies, r.Rule.Deadline)
	added := false
	if err := s.db.Update(func(tx *store.Tx) (err error) {
		if !done {
			if added, err = tx.EnqueuePosts(r.Rule.Key, items...); err != nil {
				return err
			}
		}
		return tx.SetLastRun(r.Job, r.At)
	}); err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	if added {
		s.log.Info("scheduled job ran", "job", r.Job, "key", r.Rule.Key, "posts", len(items))
	} else {
		s.log.Info("scheduled job already posted", "job", r.Job, "key", r.Rule.Key)
	}
	return nil
}

// chatQueue is the due posts of one chat, in order.
type chatQueue struct {
	chat  chat.Address
	items []store.OutboxItem
	// shared is set when other chats are served at the same time: their
	// commits are grouped (DB.Batch) instead of one after the other.
	shared bool
}

// deliver sends the pending posts due at now and returns how many were sent.
func (s *Scheduler) deliver(ctx context.Context, now time.Time) (int, error) {
	var queues []*chatQueue
	if err := s.db.View(func(tx *store.Tx) error {
		items, err := tx.PendingPosts(s.opt.Batch)
		if err != nil {
			return err
		}
		byChat := map[chat.Address]*chatQueue{}
		for _, it := range items {
			to := migrated(tx, it.Reply.To)
			q := byChat[to]
			if q == nil {
				q = &chatQueue{chat: to}
				byChat[to] = q
				queues = append(queues, q)
			}
			q.items = append(q.items, it)
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("schedule: read outbox: %w", err)
	}
	if len(queues) == 0 {
		return 0, nil
	}
	for _, q := range queues {
		q.shared = len(queues) > 1 && s.opt.Workers > 1
	}
	work := make(chan *chatQueue)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		sent int
		errs []error
	)
	for range min(s.opt.Workers, len(queues)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range work {
				n, err := s.sendChat(ctx, q, now)
				mu.Lock()
				sent += n
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	for _, q := range queues {
		work <- q
	}
	close(work)
	wg.Wait()
	return sent, errors.Join(errs...)
}

// migrated is the address to write to instead of to: the supergroup a
// Telegram group became (store.Tx.MigratedChat), else to itself.
func migrated(tx *store.Tx, to chat.Address) chat.Address {
	if to.Channel != chat.Telegram {
		return to
	}
	id, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil {
		return to
	}
	if m := tx.MigratedChat(id); m != id {
		return chat.Addr(chat.Telegram, strconv.FormatInt(m, 10))
	}
	return to
}

// sendChat sends one chat's posts in order; it stops at the first post
// that must be retried, so later posts never overtake it.
func (s *Scheduler) sendChat(ctx context.Context, q *chatQueue, now time.Time) (int, error) {
	sent := 0
	unreachable := ""
	for _, it := range q.items {
		if ctx.Err() != nil {
			return sent, nil
		}
		if it.NotBefore.After(now) {
			return sent, nil // an earlier failure waits for its retry: keep the order
		}
		if unreachable != "" {
			if err := s.fallback(q, it, unreachable); err != nil {
				return sent, err
			}
			continue
		}
		if !it.Expires.IsZero() && !now.Before(it.Expires) {
			s.log.Info("post dropped: no longer worth sending", "job", it.JobKey, "seq", it.Seq, "expired", it.Expires)
			if err := s.finish(q, it, store.OutboxDropped, "hết hạn: "+it.Expires.Format(time.RFC3339)); err != nil {
				return sent, err
			}
			continue
		}
		r := it.Reply
		r.To = q.chat
		err := s.send.Send(ctx, r)
		if err == nil {
			if err := s.finish(q, it, store.OutboxSent, ""); err != nil {
				return sent, err
			}
			sent++
			continue
		}
		if ctx.Err() != nil {
			return sent, nil // shutting down: the post stays pending
		}
		kind := s.opt.Classify(err)
		if kind == OverQuota && it.Reply.Optional {
			s.log.Warn("optional post dropped: channel quota nearly used", "job", it.JobKey, "channel", q.chat.Channel, "seq", it.Seq)
			if err := s.finish(q, it, store.OutboxDropped, "bỏ qua: gần hết hạn mức tin nhắn của kênh"); err != nil {
				return sent, err
			}
			continue
		}
		switch kind {
		case Unreachable:
			s.log.Warn("post dropped: chat unreachable", "job", it.JobKey, "channel", q.chat.Channel, "err", err)
			unreachable = "không gửi được: " + err.Error()
			if err := s.fallback(q, it, unreachable); err != nil {
				return sent, err
			}
			if err := s.markUnreachable(q.chat); err != nil {
				return sent, err
			}
		case Rejected:
			s.log.Error("post dropped: rejected by the channel", "job", it.JobKey, "channel", q.chat.Channel, "seq", it.Seq, "err", err)
			if err := s.fallback(q, it, "bị từ chối: "+err.Error()); err != nil {
				return sent, err
			}
		case Uncertain:
			// Sending again could deliver it twice: count it as gone.
			s.log.Warn("post not confirmed by the channel; not sent again", "job", it.JobKey, "channel", q.chat.Channel, "seq", it.Seq, "err", err)
			if err := s.finish(q, it, store.OutboxDropped, "không rõ đã đến chưa (không gửi lại để tránh trùng): "+err.Error()); err != nil {
				return sent, err
			}
		default:
			if it.Attempts+1 >= s.opt.MaxAttempts {
				s.log.Error("post dropped: failed too many times", "job", it.JobKey, "channel", q.chat.Channel, "seq", it.Seq, "attempts", it.Attempts+1, "err", err)
				if err := s.finish(q, it, store.OutboxDropped, "không gửi được sau "+strconv.Itoa(it.Attempts+1)+" lần: "+err.Error()); err != nil {
					return sent, err
				}
				continue
			}
			wait := backoff(it.Attempts + 1)
			s.log.Warn("post not sent; will retry", "job", it.JobKey, "channel", q.chat.Channel, "seq", it.Seq, "attempt", it.Attempts+1, "retry_in", wait, "err", err)
			if err := s.update(q, func(tx *store.Tx) error { return tx.MarkPostFailed(it.Seq, err.Error(), now.Add(wait)) }); err != nil {
				return sent, fmt.Errorf("schedule: record failed post %d: %w", it.Seq, err)
			}
			return sent, nil
		}
	}
	return sent, nil
}

// update commits fn (idempotent), grouped with other chats' commits when
// the queue is served alongside them.
func (s *Scheduler) update(q *chatQueue, fn func(*store.Tx) error) error {
	if q.shared {
		return s.db.Batch(fn)
	}
	return s.db.Update(fn)
}

// finish marks a post sent or dropped.
func (s *Scheduler) finish(q *chatQueue, it store.OutboxItem, status store.OutboxStatus, reason string) error {
	err := s.update(q, func(tx *store.Tx) error {
		if status == store.OutboxSent {
			return tx.MarkPostSent(it.Seq)
		}
		return tx.MarkPostDropped(it.Seq, reason)
	})
	if err != nil {
		return fmt.Errorf("schedule: mark post %d %s: %w", it.Seq, status, err)
	}
	return nil
}

// fallback drops a post the chat refused; a post to a leaders' group is
// queued instead to each leader of its fallback list, privately.
func (s *Scheduler) fallback(q *chatQueue, it store.OutboxItem, reason string) error {
	err := s.update(q, func(tx *store.Tx) error {
		if err := tx.MarkPostDropped(it.Seq, reason); err != nil {
			return err
		}
		if !it.Reply.Group || len(it.Reply.Fallback) == 0 {
			return nil
		}
		var copies []store.OutboxItem
		for _, a := range it.Reply.Fallback {
			r := it.Reply
			r.To, r.Group, r.Fallback = a, false, nil
			copies = append(copies, store.OutboxItem{Reply: r, Expires: it.Expires})
		}
		_, err := tx.EnqueuePosts(it.JobKey+"/fallback/"+strconv.FormatUint(it.Seq, 10), copies...)
		return err
	})
	if err != nil {
		return fmt.Errorf("schedule: drop post %d: %w", it.Seq, err)
	}
	if it.Reply.Group && len(it.Reply.Fallback) > 0 {
		s.log.Warn("group refused a post; sent privately instead", "job", it.JobKey, "channel", q.chat.Channel, "people", len(it.Reply.Fallback))
	}
	return nil
}

// markUnreachable flags a person's account that cannot receive messages,
// so later posts go to their other account or skip them (the engine clears
// the flag when they write to the bot again).
func (s *Scheduler) markUnreachable(to chat.Address) error {
	err := s.db.Update(func(tx *store.Tx) error {
		o, err := tx.PersonAt(to)
		if errors.Is(err, store.ErrNotFound) {
			return nil // a group, or someone not registered
		}
		if err != nil {
			return err
		}
		if !o.SetUnreachable(to, true) {
			return nil
		}
		return tx.PutOfficer(o, 0, "officer.unreachable")
	})
	if err != nil {
		return fmt.Errorf("schedule: mark %s account unreachable: %w", to.Channel, err)
	}
	return nil
}

// NextWake is when something is next to do: a job due or a post to retry
// (zero when nothing ever will be).
func (s *Scheduler) NextWake() (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	var last map[string]time.Time
	var post time.Time
	pending := false
	if err := s.db.View(func(tx *store.Tx) (err error) {
		if last, err = tx.LastRuns(); err != nil {
			return err
		}
		post, pending, err = tx.NextPostAttempt()
		return err
	}); err != nil {
		return time.Time{}, fmt.Errorf("schedule: read outbox: %w", err)
	}
	next := Next(s.jobs, last, now)
	earlier := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if pending && post.After(now) {
		earlier(post)
	}
	for _, t := range s.retryAt {
		if t.After(now) {
			earlier(t)
		}
	}
	return next, nil
}

// Run ticks until ctx ends: at the next scheduled time, and at least every
// Poll. It is the only place that waits on wall time.
func (s *Scheduler) Run(ctx context.Context) error {
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler tick failed", "err", err)
		}
		wait := s.opt.Poll
		if next, err := s.NextWake(); err == nil && !next.IsZero() {
			wait = min(wait, max(next.Sub(s.opt.Now()), 0))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
