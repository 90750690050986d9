package fakebotapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// failure is an injected answer for the next calls of a method.
type failure struct {
	method string
	left   int
	code   int
	desc   string
	params map[string]any
}

// FailNext makes the next n calls of method (case-insensitive; "*" for any
// method) fail with code, description and parameters instead of being
// carried out. Defaults when description is empty: 429 "Too Many Requests:
// retry after N" (N from params["retry_after"], default 1, also sent as the
// Retry-After header), 500 "Internal Server Error", 403 "Forbidden: bot was
// blocked by the user", 400 "Bad Request", 409 the getUpdates conflict.
// Codes 502, 503 and 504 answer with an HTML page, as a proxy in front of
// Telegram does; code 0 closes the connection without an answer.
func (s *Server) FailNext(method string, n int, code int, description string, params map[string]any) {
	if n <= 0 {
		return
	}
	p := map[string]any{}
	for k, v := range params {
		p[k] = v
	}
	if code == http.StatusTooManyRequests {
		ra, ok := intParam(p["retry_after"])
		if !ok {
			ra = 1
			if i := strings.LastIndex(description, "retry after "); i >= 0 {
				if v, err := strconv.ParseInt(strings.TrimSpace(description[i+len("retry after "):]), 10, 64); err == nil {
					ra = v
				}
			}
			p["retry_after"] = ra
		}
		if description == "" {
			description = fmt.Sprintf("Too Many Requests: retry after %d", ra)
		}
	}
	if description == "" {
		switch code {
		case http.StatusInternalServerError:
			description = "Internal Server Error"
		case http.StatusForbidden:
			description = "Forbidden: bot was blocked by the user"
		case http.StatusBadRequest:
			description = "Bad Request"
		case http.StatusConflict:
			description = conflictPoll
		case http.StatusUnauthorized:
			description = "Unauthorized"
		default:
			description = http.StatusText(code)
		}
	}
	if len(p) == 0 {
		p = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failure{
		method: strings.ToLower(method), left: n, code: code, desc: description, params: p,
	})
}

// takeFailure pops the injected failure for method, if any. s.mu is held.
func (s *Server) takeFailure(method string) *failure {
	for i, f := range s.failures {
		if f.method != method && f.method != "*" {
			continue
		}
		f.left--
		if f.left <= 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		return f
	}
	return nil
}

func (f *failure) write(w http.ResponseWriter) {
	switch f.code {
	case 0:
		dropConnection(w)
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		body := fmt.Sprintf("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n",
			f.code, http.StatusText(f.code), f.code, http.StatusText(f.code))
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.code)
		w.Write([]byte(body))
	default:
		writeError(w, &apiError{code: f.code, desc: f.desc, params: f.params})
	}
}

// Block makes messages to the chat of userID fail as Telegram does when the
// user blocked the bot: 403 "Forbidden: bot was blocked by the user" (for a
// negative id, a group: "Forbidden: bot was kicked from the group chat").
func (s *Server) Block(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocked[userID] = true
}

// Unblock undoes Block.
func (s *Server) Unblock(userID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.blocked, userID)
}

// MigrateGroup makes messages to the group oldID fail with 400 "Bad
// Request: group chat was upgraded to a supergroup chat" and
// parameters.migrate_to_chat_id = newID; messages to newID succeed.
func (s *Server) MigrateGroup(oldID, newID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.migrated[oldID] = newID
}

// SetDown makes every request fail (the connection is closed without an
// answer) until SetDown(false); waiting long polls end the same way.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if down == s.down {
		return
	}
	s.down = down
	if down {
		close(s.downSignal)
	} else {
		s.downSignal = make(chan struct{})
	}
}

// EnforceLimits turns on strict flood control for sendMessage, sendDocument
// and sendPhoto: at most one message per perChat to a chat, groupPerMinute
// messages in any 60 s to a group (negative chat id) and globalPerSecond
// messages in any second overall; beyond that the answer is 429 "Too Many
// Requests: retry after N" with parameters.retry_after and counted in
// TooMany. As on Telegram, a bot may answer a user's own message promptly:
// each update the user sends lets up to three messages to that chat skip
// the per-chat and per-group limits (never the global one). Zero turns a
// limit off; EnforceLimits(0, 0, 0) turns enforcement off. Time comes from
// the clock set by SetClock.
func (s *Server) EnforceLimits(perChat time.Duration, groupPerMinute, globalPerSecond int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = newLimiter()
	s.limits.perChat = perChat
	s.limits.groupPerMinute = groupPerMinute
	s.limits.globalPerSecond = globalPerSecond
}

// TooMany is how many 429 answers EnforceLimits has given.
func (s *Server) TooMany() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tooMany
}

// replyAllowance is how many messages after a user's update skip the
// per-chat limits.
const replyAllowance = 3

type limiter struct {
	perChat         time.Duration
	groupPerMinute  int
	globalPerSecond int
	last            map[int64]time.Time
	group           map[int64][]time.Time
	global          []time.Time
	allowance       map[int64]int
}

func newLimiter() limiter {
	return limiter{
		last:      map[int64]time.Time{},
		group:     map[int64][]time.Time{},
		allowance: map[int64]int{},
	}
}

func (l *limiter) on() bool {
	return l.perChat > 0 || l.groupPerMinute > 0 || l.globalPerSecond > 0
}

// userSpoke notes an update from chat: the bot may answer promptly.
func (l *limiter) userSpoke(chat int64) {
	if l.on() {
		l.allowance[chat] = replyAllowance
	}
}

// admit decides whether a message to chat at now is within the limits and
// records it if so; otherwise it returns the seconds to wait.
func (l *limiter) admit(chat int64, now time.Time) (retryAfter int, ok bool) {
	if !l.on() {
		return 0, true
	}
	var wait time.Duration
	if l.globalPerSecond > 0 {
		l.global = prune(l.global, now.Add(-time.Second))
		if len(l.global) >= l.globalPerSecond {
			wait = max(wait, l.global[len(l.global)-l.globalPerSecond].Add(time.Second).Sub(now))
		}
	}
	exempt := l.allowance[chat] > 0
	if !exempt && l.perChat > 0 {
		if last, seen := l.last[chat]; seen && now.Sub(last) < l.perChat {
			wait = max(wait, last.Add(l.perChat).Sub(now))
		}
	}
	if chat < 0 && l.groupPerMinute > 0 {
		g := prune(l.group[chat], now.Add(-time.Minute))
		l.group[chat] = g
		if !exempt && len(g) >= l.groupPerMinute {
			wait = max(wait, g[len(g)-l.groupPerMinute].Add(time.Minute).Sub(now))
		}
	}
	if wait > 0 {
		return max(1, int(math.Ceil(wait.Seconds()))), false
	}
	if exempt {
		l.allowance[chat]--
		if l.allowance[chat] == 0 {
			delete(l.allowance, chat)
		}
	}
	l.last[chat] = now
	if chat < 0 && l.groupPerMinute > 0 {
		l.group[chat] = append(l.group[chat], now)
	}
	if l.globalPerSecond > 0 {
		l.global = append(l.global, now)
	}
	return 0, true
}

// prune drops the times at or before cutoff from the front of ts.
func prune(ts []time.Time, cutoff time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	if i == 0 {
		return ts
	}
	return append(ts[:0], ts[i:]...)
}
