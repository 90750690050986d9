package telegram

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Retry bounds for causes that are not network errors or 5xx.
const (
	max429Attempts     = 10
	maxMigrateAttempts = 3
	floodWindow        = time.Second // two chats' 429s this close: a global flood
	groupWindow        = time.Minute
)

// job is one reply (or callback answer) in the outgoing queue. Its parts
// are sent in order, one request each.
type job struct {
	ctx      context.Context
	chat     int64
	parts    []*part
	next     int
	bulk     bool
	ack      bool
	attempts int
	inFlight bool
	finished bool
	done     chan error // nil for replies nobody waits for
	// onDone, when set, is told how the job ended (under the sender's lock:
	// it must be quick and must not call the sender).
	onDone func(err error)
}

// chatQueue is the outgoing state of one chat.
type chatQueue struct {
	id          int64
	inter, bulk []*job
	busy        bool // a request to this chat is in flight
	gen         uint64
	lastDone    time.Time   // answer to the last message
	recent      []time.Time // answers within the group window (groups)
	pausedUntil time.Time
	blocked     bool
}

func (c *chatQueue) idle() bool { return !c.busy && len(c.inter) == 0 && len(c.bulk) == 0 }

// entry is a chat ready (from at) to send from one of its queues.
type entry struct {
	at  time.Time
	seq uint64
	c   *chatQueue
	gen uint64
}

type readyHeap []entry

func (h readyHeap) Len() int { return len(h) }
func (h readyHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h readyHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *readyHeap) Push(x any)   { *h = append(*h, x.(entry)) }
func (h *readyHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// window counts requests over a sliding span: a request occupies it from
// its start until span after its answer.
type window struct {
	n        int // at most n per span; 0 = unlimited
	span     time.Duration
	inFlight int
	done     []time.Time
}

func newWindow(perSecond float64) window {
	if perSecond <= 0 || math.IsInf(perSecond, 1) {
		return window{}
	}
	span := time.Second
	if perSecond < 1 {
		span = time.Duration(float64(time.Second) / perSecond)
	}
	return window{n: max(1, int(perSecond*span.Seconds()+1e-9)), span: span}
}

func (w *window) prune(now time.Time) {
	cut := now.Add(-w.span)
	i := 0
	for i < len(w.done) && !w.done[i].After(cut) {
		i++
	}
	if i > 0 {
		w.done = append(w.done[:0], w.done[i:]...)
	}
}

func (w *window) ok(now time.Time) bool {
	if w.n == 0 {
		return true
	}
	w.prune(now)
	return w.inFlight+len(w.done) < w.n
}

// record notes the answer to a request that started in the window.
func (w *window) record(now time.Time) {
	w.inFlight--
	if w.n > 0 {
		w.done = append(w.done, now)
		w.prune(now)
	}
}

// wake is when a slot frees by time alone; zero when only an answer can
// free one.
func (w *window) wake() time.Time {
	i := w.inFlight + len(w.done) - w.n
	if i < 0 || i >= len(w.done) {
		return time.Time{}
	}
	return w.done[i].Add(w.span)
}

// sender is the outgoing queue and its limiter.
type sender struct {
	t          *Transport
	ctx        context.Context // async jobs; cancelled by close
	cancel     context.CancelFunc
	perChat    time.Duration // bulk pacing per chat; 0 = none
	groupLimit int           // bulk messages per group per minute; 0 = none

	mu          sync.Mutex
	chats       map[int64]*chatQueue
	inter, bulk readyHeap
	seq         uint64
	global      window
	pausedUntil time.Time
	last429     time.Time
	last429Chat int64
	migratedTo  map[int64]int64
	queued      int
	idleCh      chan struct{}
	closed      bool

	kick chan struct{}
	slot chan struct{}
	stop chan struct{} // closed when the dispatcher returns
	wg   sync.WaitGroup
}

func newSender(t *Transport) *sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &sender{
		t: t, ctx: ctx, cancel: cancel,
		chats:      map[int64]*chatQueue{},
		global:     newWindow(t.opts.Rate.GlobalPerSecond),
		migratedTo: map[int64]int64{},
		kick:       make(chan struct{}, 1),
		slot:       make(chan struct{}, t.opts.Senders),
		stop:       make(chan struct{}),
	}
	if r := t.opts.Rate.PerChatPerSecond; r > 0 && !math.IsInf(r, 1) {
		s.perChat = time.Duration(float64(time.Second) / r)
	}
	if g := t.opts.Rate.GroupPerMinute; g > 0 {
		s.groupLimit = g
	}
	go s.dispatch()
	return s
}

func (s *sender) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sender) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queued
}

func (s *sender) chat(id int64) *chatQueue {
	c, ok := s.chats[id]
	if !ok {
		c = &chatQueue{id: id}
		s.chats[id] = c
	}
	return c
}

// enqueue adds j to its chat's queue.
func (s *sender) enqueue(j *job) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	c := s.chat(j.chat)
	if j.bulk {
		c.bulk = append(c.bulk, j)
	} else {
		c.inter = append(c.inter, j)
	}
	s.queued++
	s.schedule(c)
	s.mu.Unlock()
	s.wake()
	return nil
}

// enqueueAck queues the answer to a button press (before the replies).
func (s *sender) enqueueAck(chat int64, callbackID string) {
	j := &job{ctx: s.ctx, chat: chat, ack: true, parts: []*part{{kind: partAck, text: callbackID}}}
	if err := s.enqueue(j); err != nil {
		s.t.log.Warn("telegram: button press not answered", "chat_id", chat, "err", err)
	}
}

// cancel removes a job whose sender stopped waiting; one in flight is
// finished when its request returns.
func (s *sender) cancelJob(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j.finished || j.inFlight {
		return
	}
	c := s.chat(j.chat)
	s.finish(c, j, j.ctx.Err())
	s.schedule(c)
}

// schedule puts an idle chat with queued jobs into the ready heaps. s.mu
// is held.
func (s *sender) schedule(c *chatQueue) {
	if c.busy {
		return
	}
	c.gen++
	if len(c.inter) > 0 {
		s.seq++
		heap.Push(&s.inter, entry{at: c.pausedUntil, seq: s.seq, c: c, gen: c.gen})
	}
	if len(c.bulk) > 0 {
		s.seq++
		heap.Push(&s.bulk, entry{at: s.bulkReady(c), seq: s.seq, c: c, gen: c.gen})
	}
	if c.idle() && !c.blocked && !s.paced(c) {
		delete(s.chats, c.id)
	}
}

// paced reports whether c's pacing state still matters.
func (s *sender) paced(c *chatQueue) bool {
	now := s.t.opts.Now()
	if c.pausedUntil.After(now) {
		return true
	}
	if s.perChat > 0 && !c.lastDone.IsZero() && now.Sub(c.lastDone) < s.perChat {
		return true
	}
	return len(c.recent) > 0 && now.Sub(c.recent[len(c.recent)-1]) < groupWindow
}

// bulkReady is when c may next receive a bulk post. s.mu is held.
func (s *sender) bulkReady(c *chatQueue) time.Time {
	at := c.pausedUntil
	if s.perChat > 0 && !c.lastDone.IsZero() {
		at = later(at, c.lastDone.Add(s.perChat))
	}
	if c.id < 0 && s.groupLimit > 0 && len(c.recent) >= s.groupLimit {
		at = later(at, c.recent[len(c.recent)-s.groupLimit].Add(groupWindow))
	}
	return at
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// top returns the first valid entry of h, dropping stale ones.
func top(h *readyHeap, bulk bool) (entry, bool) {
	for h.Len() > 0 {
		e := (*h)[0]
		q := e.c.inter
		if bulk {
			q = e.c.bulk
		}
		if e.gen == e.c.gen && !e.c.busy && len(q) > 0 {
			return e, true
		}
		heap.Pop(h)
	}
	return entry{}, false
}

// dispatch hands jobs to request goroutines, at most Senders at a time.
func (s *sender) dispatch() {
	defer close(s.stop)
	for {
		select {
		case s.slot <- struct{}{}:
		case <-s.ctx.Done():
			return
		}
		c, j := s.next()
		if j == nil {
			<-s.slot
			return
		}
		s.wg.Add(1)
		go s.run(c, j)
	}
}

// next blocks until a job may be sent and marks it in flight; nil when
// the sender is closed.
func (s *sender) next() (*chatQueue, *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
loop:
	for {
		if s.closed {
			return nil, nil
		}
		now := s.t.opts.Now()
		var wake time.Time
		soonest := func(t time.Time) {
			if !t.IsZero() && (wake.IsZero() || t.Before(wake)) {
				wake = t
			}
		}
		globalOK := !now.Before(s.pausedUntil) && s.global.ok(now)
		if !globalOK {
			soonest(later(s.pausedUntil, s.global.wake()))
		}
		for _, bulk := range []bool{false, true} {
			h := &s.inter
			if bulk {
				h = &s.bulk
			}
			e, ok := top(h, bulk)
			if !ok {
				continue
			}
			if e.at.After(now) {
				soonest(e.at)
				continue
			}
			q := e.c.inter
			if bulk {
				q = e.c.bulk
			}
			j := q[0]
			if j.ctx.Err() != nil {
				s.finish(e.c, j, j.ctx.Err())
				heap.Pop(h)
				s.schedule(e.c)
				continue loop
			}
			if !j.ack && !globalOK {
				continue
			}
			heap.Pop(h)
			e.c.busy = true
			e.c.gen++
			j.inFlight = true
			if !j.ack {
				s.global.inFlight++
			}
			return e.c, j
		}
		s.waitLocked(wake)
	}
}

// waitLocked releases s.mu until a kick or until wake.
func (s *sender) waitLocked(wake time.Time) {
	var timer <-chan time.Time
	if !wake.IsZero() {
		d := wake.Sub(s.t.opts.Now())
		if d <= 0 {
			return
		}
		timer = s.t.opts.After(d)
	}
	s.mu.Unlock()
	select {
	case <-s.kick:
	case <-timer:
	case <-s.ctx.Done():
	}
	s.mu.Lock()
}

// run makes one request for j and files the outcome.
func (s *sender) run(c *chatQueue, j *job) {
	defer s.wg.Done()
	defer func() {
		<-s.slot
		s.wake()
	}()
	p := j.parts[j.next]
	var err error
	if j.ack {
		_, err = s.t.request(j.ctx, tgbotapi.NewCallback(p.text, ""))
	} else {
		err = s.t.sendPart(j.ctx, s.target(c.id), p)
	}
	s.complete(c, j, p, err)
}

// target is where messages for chat go now (after a migration).
func (s *sender) target(chat int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resolve(chat)
}

// resolve follows recorded migrations. s.mu is held.
func (s *sender) resolve(chat int64) int64 {
	for i := 0; i < 4; i++ {
		to, ok := s.migratedTo[chat]
		if !ok {
			break
		}
		chat = to
	}
	return chat
}

// complete files the outcome of one request. OnBlocked and OnMigrate run
// before the job is reported finished (so a Send returning ErrBlocked
// returns after OnBlocked), outside the lock, with the chat still busy.
func (s *sender) complete(c *chatQueue, j *job, p *part, err error) {
	var hooks []func()
	finished, result := false, error(nil)
	end := func(e error) { finished, result = true, e }

	s.mu.Lock()
	now := s.t.opts.Now()
	if !j.ack {
		s.global.record(now)
		c.lastDone = now
		if c.id < 0 && s.groupLimit > 0 {
			c.recent = append(c.recent, now)
			cut := now.Add(-groupWindow)
			i := 0
			for i < len(c.recent) && !c.recent[i].After(cut) {
				i++
			}
			c.recent = c.recent[i:]
		}
	}
	ctxErr := j.ctx.Err()
	k := classify(err)
	switch {
	case err == nil:
		j.next++
		j.attempts = 0
		if !j.ack {
			c.blocked = false
			s.t.sent.Add(1)
		}
		if j.next == len(j.parts) {
			end(nil)
		} else if ctxErr != nil || s.closed {
			end(cancelled(ctxErr))
		}
	case ctxErr != nil || s.closed:
		end(cancelled(ctxErr))
	case j.ack:
		// An unanswered button only spins a while on the user's screen.
		end(nil)
	case k.kind == kindTooMany:
		j.attempts++
		c.pausedUntil = now.Add(k.retryAfter)
		if s.last429Chat != c.id && now.Sub(s.last429) < floodWindow {
			s.pausedUntil = later(s.pausedUntil, c.pausedUntil)
			s.t.log.Warn("telegram: flood control; pausing all sending", "retry_after", k.retryAfter)
		}
		s.last429, s.last429Chat = now, c.id
		if j.attempts >= max429Attempts {
			end(fmt.Errorf("telegram: send to chat %d: still 429 after %d attempts: %w: %w", c.id, j.attempts, ErrUnavailable, err))
		}
	case k.kind == kindBlocked:
		if !c.blocked {
			c.blocked = true
			if fn := s.t.opts.OnBlocked; fn != nil {
				ctx, to := context.WithoutCancel(j.ctx), address(c.id)
				hooks = append(hooks, func() { fn(ctx, to) })
			}
		}
		end(fmt.Errorf("telegram: send to chat %d: %w: %w", c.id, ErrBlocked, err))
	case k.kind == kindMigrate:
		j.attempts++
		if from := s.resolve(c.id); from != k.migrateTo {
			s.migratedTo[from] = k.migrateTo
			if fn := s.t.opts.OnMigrate; fn != nil {
				ctx, to := context.WithoutCancel(j.ctx), k.migrateTo
				hooks = append(hooks, func() { fn(ctx, from, to) })
			} else {
				s.t.log.Info("telegram: group migrated to a supergroup", "old_chat_id", from, "new_chat_id", k.migrateTo)
			}
		}
		if j.attempts >= maxMigrateAttempts {
			end(fmt.Errorf("telegram: send to chat %d: %w: %w", c.id, ErrRejected, err))
		}
	case k.kind == kindParse && p.mode != "":
		s.t.log.Warn("telegram: Telegram refused the HTML of a message; sending it as plain text", "chat_id", c.id, "err", err)
		p.text, p.mode = plainText(p.text), ""
	case k.kind == kindTransient:
		j.attempts++
		if j.attempts > s.t.opts.MaxRetries {
			end(fmt.Errorf("telegram: send to chat %d: gave up after %d attempts: %w: %w", c.id, j.attempts, ErrUnavailable, err))
		} else {
			c.pausedUntil = now.Add(s.t.backoff(j.attempts))
		}
	default:
		end(fmt.Errorf("telegram: send to chat %d: %w: %w", c.id, ErrRejected, err))
	}
	if len(hooks) > 0 {
		s.mu.Unlock()
		for _, h := range hooks {
			h()
		}
		s.mu.Lock()
	}
	j.inFlight = false
	c.busy = false
	if finished {
		s.finish(c, j, result)
	}
	if !c.pausedUntil.After(now) {
		c.pausedUntil = time.Time{}
	}
	s.schedule(c)
	s.mu.Unlock()
}

func cancelled(err error) error {
	if err == nil {
		return ErrClosed
	}
	return err
}

// finish takes j out of its queue and reports err. s.mu is held.
func (s *sender) finish(c *chatQueue, j *job, err error) {
	if j.finished {
		return
	}
	j.finished = true
	q := &c.inter
	if j.bulk {
		q = &c.bulk
	}
	for i, x := range *q {
		if x == j {
			*q = append((*q)[:i], (*q)[i+1:]...)
			break
		}
	}
	s.queued--
	if s.queued == 0 && s.idleCh != nil {
		close(s.idleCh)
		s.idleCh = nil
	}
	if err != nil && !j.ack {
		s.t.failed.Add(1)
	}
	if j.onDone != nil {
		j.onDone(err)
	}
	if j.done != nil {
		j.done <- err
	} else if err != nil && !j.ack {
		s.t.log.Error("telegram: reply not delivered", "chat_id", c.id, "err", err)
	}
}

// drain waits until the queue is empty or ctx ends.
func (s *sender) drain(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.queued == 0 {
			s.mu.Unlock()
			return nil
		}
		if s.idleCh == nil {
			s.idleCh = make(chan struct{})
		}
		ch := s.idleCh
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// close fails what is still queued with ErrClosed, aborts requests in
// flight for replies nobody waits for, and stops the dispatcher.
func (s *sender) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, c := range s.chats {
		for _, q := range [][]*job{append([]*job(nil), c.inter...), append([]*job(nil), c.bulk...)} {
			for _, j := range q {
				if !j.inFlight {
					s.finish(c, j, ErrClosed)
				}
			}
		}
	}
	s.mu.Unlock()
	s.cancel()
	<-s.stop
	s.wg.Wait()
}

// markBlocked notes chat as unreachable; it reports whether that is news.
func (s *sender) markBlocked(chat int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chat(chat)
	if c.blocked {
		return false
	}
	c.blocked = true
	return true
}

// markReachable forgets that chat was unreachable.
func (s *sender) markReachable(chat int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.chats[chat]; ok {
		c.blocked = false
		s.schedule(c)
	}
}

// markMigrated notes a group's new id; it reports whether that is news.
func (s *sender) markMigrated(oldID, newID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.migratedTo[oldID] == newID || oldID == newID {
		return false
	}
	s.migratedTo[oldID] = newID
	return true
}

// failure kinds.
const (
	kindOther = iota
	kindTooMany
	kindBlocked
	kindMigrate
	kindParse
	kindTransient
)

type failureKind struct {
	kind       int
	retryAfter time.Duration
	migrateTo  int64
}

// classify sorts a request's error by what to do about it.
func classify(err error) failureKind {
	if err == nil {
		return failureKind{}
	}
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		return failureKind{kind: kindTransient} // network error or a proxy's HTML page
	}
	code := errorCode(e)
	switch {
	case code == 429 || e.RetryAfter > 0:
		return failureKind{kind: kindTooMany, retryAfter: time.Duration(max(e.RetryAfter, 1)) * time.Second}
	case e.MigrateToChatID != 0:
		return failureKind{kind: kindMigrate, migrateTo: e.MigrateToChatID}
	case code == 403:
		return failureKind{kind: kindBlocked}
	case code == 400 && strings.Contains(e.Message, "can't parse entities"):
		return failureKind{kind: kindParse}
	case code >= 500 || code == 0:
		return failureKind{kind: kindTransient}
	}
	return failureKind{kind: kindOther}
}
