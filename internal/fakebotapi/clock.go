package fakebotapi

import "time"

// FastClock is a clock that runs Factor times faster than the wall clock,
// so that tests of rate limits and retry_after waits keep Telegram's real
// numbers (1 message/s per chat, 20/min per group, retry after 1 s) yet
// finish in milliseconds. Give its Now to Server.SetClock and its Now and
// After to the code under test, so that both sides share one time line.
type FastClock struct {
	start  time.Time // wall time at creation (monotonic)
	base   time.Time // what Now reports at creation
	factor int64
}

// NewFastClock returns a clock that starts at start and runs factor times
// faster than the wall clock (factor < 1 counts as 1).
func NewFastClock(start time.Time, factor int) *FastClock {
	if factor < 1 {
		factor = 1
	}
	return &FastClock{start: time.Now(), base: start, factor: int64(factor)}
}

// Now is the clock's current time.
func (c *FastClock) Now() time.Time {
	return c.base.Add(time.Since(c.start) * time.Duration(c.factor))
}

// After sends the clock's time on the returned channel once d has passed
// on this clock (never earlier).
func (c *FastClock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	wall := (d + time.Duration(c.factor) - 1) / time.Duration(c.factor)
	if wall <= 0 {
		ch <- c.Now()
		return ch
	}
	time.AfterFunc(wall, func() { ch <- c.Now() })
	return ch
}

// Sleep waits until d has passed on this clock.
func (c *FastClock) Sleep(d time.Duration) { <-c.After(d) }
