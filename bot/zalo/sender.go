package zalo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"dvcbot/chat"
)

// The sender keeps one FIFO queue per chat and sends one request at a time
// per chat, so a chat sees its messages in order. Across chats, answers
// (Reply.Bulk false) are picked before scheduled posts, and a bulk
// message to a chat starts at least Options.BulkInterval after the latest
// call to that chat (answers are not held back). At most Options.Senders
// requests are in flight. After a 429 every send fails fast with
// chat.ErrQuota until a backoff (doubling on each 429) has passed.

// job states.
const (
	queued = iota
	started
	cancelled
)

type job struct {
	r     chat.Reply
	ctx   context.Context
	done  chan error
	seq   uint64
	state int
	async bool
}

type chatQueue struct {
	jobs []*job
	busy bool
	last time.Time // start of the latest call to the chat
}

type sender struct {
	t           *Transport
	sendCtx     context.Context
	cancelSends context.CancelFunc

	mu        sync.Mutex
	chats     map[string]*chatQueue
	n         int // queued jobs
	inflight  int
	seq       uint64
	closed    bool
	drained   chan struct{}
	coolUntil time.Time
	coolStep  time.Duration

	wake chan struct{}
	stop chan struct{}
	wg   sync.WaitGroup
}

func newSender(t *Transport) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{t: t, sendCtx: ctx, cancelSends: cancel, chats: map[string]*chatQueue{},
		drained: make(chan struct{}), wake: make(chan struct{}, 1), stop: make(chan struct{})}
	s.wg.Add(1)
	go s.loop()
	return s
}

func (s *sender) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// add queues a reply.
func (s *sender) add(ctx context.Context, r chat.Reply, async bool) (*job, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("zalo: send to %s: %w", r.To.ID, ErrClosed)
	}
	s.seq++
	j := &job{r: r, ctx: ctx, done: make(chan error, 1), seq: s.seq, async: async}
	c := s.chats[r.To.ID]
	if c == nil {
		c = &chatQueue{}
		s.chats[r.To.ID] = c
	}
	c.jobs = append(c.jobs, j)
	s.n++
	s.signal()
	return j, nil
}

// enqueueReply queues a reply without waiting for it (a reply to a
// handled update). A refusal (the transport is shutting down) is logged
// and gives nil.
func (t *Transport) enqueueReply(r chat.Reply) *job {
	j, err := t.snd.add(context.Background(), r, true)
	if err != nil {
		t.log.Warn("zalo: reply dropped", "chat_id", r.To.ID, "err", err)
		return nil
	}
	return j
}

// send queues a reply and waits for its outcome.
func (s *sender) send(ctx context.Context, r chat.Reply) error {
	j, err := s.add(ctx, r, false)
	if err != nil {
		return err
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
	}
	s.mu.Lock()
	if j.state == queued {
		j.state = cancelled
		if c := s.chats[r.To.ID]; c != nil {
			for i, q := range c.jobs {
				if q == j {
					c.jobs = append(c.jobs[:i:i], c.jobs[i+1:]...)
					s.n--
					break
				}
			}
			if len(c.jobs) == 0 && !c.busy {
				delete(s.chats, r.To.ID)
			}
		}
		s.checkDrainedLocked()
		s.mu.Unlock()
		return fmt.Errorf("zalo: send to %s: not sent: %w", r.To.ID, ctx.Err())
	}
	s.mu.Unlock()
	return fmt.Errorf("zalo: send to %s: gave up waiting after sending began: %w: %w", r.To.ID, chat.ErrUncertain, ctx.Err())
}

func (s *sender) queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// loop starts jobs as chats, pacing and the concurrency bound allow.
func (s *sender) loop() {
	defer s.wg.Done()
	o := &s.t.o
	for {
		s.mu.Lock()
		now := o.Now()
		for s.inflight < o.Senders {
			id, c := s.pickLocked(now)
			if c == nil {
				break
			}
			j := c.jobs[0]
			c.jobs = c.jobs[1:]
			c.busy = true
			j.state = started
			s.n--
			s.inflight++
			s.wg.Add(1)
			go s.run(id, c, j)
		}
		wait := time.Duration(-1)
		if s.inflight < o.Senders {
			for _, c := range s.chats {
				if c.busy || len(c.jobs) == 0 || !c.jobs[0].r.Bulk {
					continue
				}
				if d := c.last.Add(o.BulkInterval).Sub(now); wait < 0 || d < wait {
					wait = max(d, 0)
				}
			}
		}
		s.mu.Unlock()
		var timer <-chan time.Time
		if wait >= 0 {
			timer = o.After(wait)
		}
		select {
		case <-s.wake:
		case <-timer:
		case <-s.stop:
			return
		}
	}
}

// pickLocked chooses the next chat: the oldest answer first, else the
// oldest bulk post whose chat's pacing allows it.
func (s *sender) pickLocked(now time.Time) (string, *chatQueue) {
	var bestID string
	var best *chatQueue
	bestBulk := true
	for id, c := range s.chats {
		if c.busy || len(c.jobs) == 0 {
			continue
		}
		head := c.jobs[0]
		bulk := head.r.Bulk
		if bulk && !c.last.IsZero() && now.Before(c.last.Add(s.t.o.BulkInterval)) {
			continue
		}
		if best == nil || (!bulk && bestBulk) || (bulk == bestBulk && head.seq < best.jobs[0].seq) {
			bestID, best, bestBulk = id, c, bulk
		}
	}
	return bestID, best
}

func (s *sender) run(id string, c *chatQueue, j *job) {
	defer s.wg.Done()
	var err error
	if cerr := j.ctx.Err(); cerr != nil {
		err = fmt.Errorf("zalo: send to %s: not sent: %w", id, cerr)
	} else {
		err = s.deliver(s.sendCtx, c, j.r)
	}
	t := s.t
	switch {
	case err == nil:
		t.stats.sent.Add(1)
	case errors.Is(err, chat.ErrQuota) && j.r.Optional:
		t.stats.quotaSkipped.Add(1)
	case errors.Is(err, chat.ErrUncertain):
		t.stats.uncertain.Add(1)
	default:
		t.stats.failed.Add(1)
	}
	if err != nil && (j.async || !errors.Is(err, chat.ErrQuota)) {
		t.log.Warn("zalo: send failed", "chat_id", id, "bulk", j.r.Bulk, "optional", j.r.Optional, "err", err)
	}
	s.mu.Lock()
	c.busy = false
	s.inflight--
	if len(c.jobs) == 0 && s.chats[id] == c {
		delete(s.chats, id)
	}
	s.checkDrainedLocked()
	s.mu.Unlock()
	j.done <- err
	s.signal()
}

func (s *sender) checkDrainedLocked() {
	if s.closed && s.n == 0 && s.inflight == 0 {
		select {
		case <-s.drained:
		default:
			close(s.drained)
		}
	}
}

// shutdown refuses new sends, lets the queue drain until ctx ends, then
// cancels what is in flight and fails what is still queued.
func (s *sender) shutdown(ctx context.Context) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.checkDrainedLocked()
	s.mu.Unlock()
	select {
	case <-s.drained:
	case <-ctx.Done():
	}
	s.cancelSends()
	close(s.stop)
	s.mu.Lock()
	for id, c := range s.chats {
		for _, j := range c.jobs {
			j.state = cancelled
			j.done <- fmt.Errorf("zalo: send to %s: not sent: %w", id, ErrClosed)
		}
		s.n -= len(c.jobs)
		c.jobs = nil
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// markCall records the start of a call to the chat, after waiting for the
// bulk pacing when the reply is bulk.
func (s *sender) markCall(ctx context.Context, c *chatQueue, bulk bool) error {
	o := &s.t.o
	if bulk {
		s.mu.Lock()
		last := c.last
		s.mu.Unlock()
		if d := last.Add(o.BulkInterval).Sub(o.Now()); !last.IsZero() && d > 0 {
			select {
			case <-o.After(d):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	s.mu.Lock()
	c.last = o.Now()
	s.mu.Unlock()
	return nil
}

// cooling returns the end of the pause after a 429, if one is running.
func (s *sender) cooling() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	until := s.coolUntil
	return until, !until.IsZero() && s.t.o.Now().Before(until)
}

// quotaHit starts or doubles the pause after a 429.
func (s *sender) quotaHit() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := &s.t.o
	if s.coolStep == 0 {
		s.coolStep = o.BackoffMin
	} else {
		s.coolStep = min(2*s.coolStep, o.QuotaBackoffMax)
	}
	s.coolUntil = o.Now().Add(s.coolStep)
	return s.coolStep
}

// quotaOK ends the 429 backoff after a message got through.
func (s *sender) quotaOK() {
	s.mu.Lock()
	s.coolStep, s.coolUntil = 0, time.Time{}
	s.mu.Unlock()
}
