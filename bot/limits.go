package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"dvcbot/chat"
	"dvcbot/store"
)

// Inbound limits: far above what a person does by hand (an officer
// reports a few households a day), so only a runaway client or someone
// pasting messages in a loop ever meets them.
const (
	// RatePerMinute is how many messages a person may send a minute by
	// default (Settings.RatePerMinute)…
	RatePerMinute = 30
	// RateBurst …with bursts of this many at once (Settings.RateBurst).
	RateBurst = 10
	// draftTTL is how long an unfinished conversation (which may hold a
	// household's name, address and phone) is kept before it is removed.
	draftTTL = 7 * 24 * time.Hour
	// implausibleDay is the number of households one officer could not
	// plausibly visit in a day: beyond it, admins are told.
	implausibleDay = 30
)

// limiter is a token bucket per sender address.
type limiter struct {
	perMinute float64 // 0: no limit
	burst     float64
	mu        sync.Mutex
	buckets   map[chat.Address]*bucket
	last      time.Time // of the last sweep
}

type bucket struct {
	tokens float64
	at     time.Time
	warned bool // told once that they are going too fast
}

func newLimiter(perMinute float64, burst int) *limiter {
	return &limiter{perMinute: perMinute, burst: float64(max(burst, 1)), buckets: map[chat.Address]*bucket{}}
}

// allow takes a token for addr at now; warn is true the first time a
// person is refused since they last had a token.
func (l *limiter) allow(addr chat.Address, now time.Time) (ok, warn bool) {
	if l.perMinute <= 0 {
		return true, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.last) > 10*time.Minute {
		// Forget people who have been quiet long enough to be full again.
		full := time.Duration(l.burst / l.perMinute * float64(time.Minute))
		for a, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, a)
			}
		}
		l.last = now
	}
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Minutes()*l.perMinute)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		b.warned = false
		return true, false
	}
	warn = !b.warned
	b.warned = true
	return false, warn
}

// msgTooFast answers a person who sends faster than the limits allow.
const msgTooFast = "⏳ Anh/chị đang gửi quá nhiều tin trong thời gian ngắn nên bot tạm chưa xử lý các tin vừa rồi (chưa có gì được lưu từ các tin đó). Vui lòng chờ khoảng một phút rồi gửi lại từng tin."

// ExpireDrafts removes conversations left unfinished for longer than a
// week (a half-typed report holds a household's name, address and phone),
// and returns how many.
func (e *Engine) ExpireDrafts(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cutoff := e.now().Add(-draftTTL)
	type key struct{ chat, user chat.Address }
	var old []key
	err := e.db.View(func(tx *store.Tx) error {
		return tx.EachSession(func(c, u chat.Address, raw []byte) error {
			var s Session
			if json.Unmarshal(raw, &s) != nil || s.Updated.Before(cutoff) {
				old = append(old, key{c, u})
			}
			return nil
		})
	})
	if err != nil || len(old) == 0 {
		return 0, err
	}
	err = e.db.Update(func(tx *store.Tx) error {
		for _, k := range old {
			// Read again: the person may have written meanwhile.
			var s Session
			if raw := tx.Session(k.chat, k.user); raw != nil && json.Unmarshal(raw, &s) == nil && !s.Updated.Before(cutoff) {
				continue
			}
			if err := tx.PutSession(k.chat, k.user, nil); err != nil {
				return err
			}
		}
		return tx.Audit(0, "session.expire", nil, map[string]int{"sessions": len(old)})
	})
	if err != nil {
		return 0, fmt.Errorf("bot: expire drafts: %w", err)
	}
	return len(old), nil
}

// flagImplausible tells the admins, once per officer and day, when an
// officer's reports of the day pass what one person could visit.
//
// It runs in the write transaction of every report, so the common cases
// are cheap: the officer's records of the day are counted from the index
// (at most implausibleDay+1 keys, no record read), and a day already
// flagged is not counted again; only then are the day's households
// counted exactly (OfficerDay reads each of the day's records, which cost
// a busy officer's every report a read of all their earlier ones).
func (c *cx) flagImplausible() error {
	if c.tx.OfficerRecordsOn(c.who.ID, c.today, implausibleDay+1) <= implausibleDay {
		return nil
	}
	key := "implausible/" + c.who.ID.String() + "/" + c.today.Date().Format("2006-01-02")
	if c.tx.Enqueued(key) {
		return nil
	}
	n := c.tx.OfficerDay(c.who.ID, c.today).Households
	if n <= implausibleDay {
		return nil
	}
	text := "⚠️ " + bold("Số liệu bất thường") + ": cán bộ " + bold(c.who.FullName) + " (số " + c.who.ID.String() + ", " +
		plain(c.who.Role.At(c.hamletName())) + ") đã báo cáo " + itoa(n) + " hộ trong ngày " + c.today.Date().Format("02/01/2006") +
		", nhiều hơn một người có thể đến hướng dẫn trong một ngày (" + itoa(implausibleDay) + " hộ).\n" +
		"Nên kiểm tra ngẫu nhiên các báo cáo này (" + code("/kiemtra") + ") hoặc hỏi lại cán bộ."
	posts, err := c.e.toAdmins(c.tx, []string{text}, nil, "", "")
	if err != nil {
		return err
	}
	return c.enqueue(key, OutboxItems(posts, time.Time{}))
}
