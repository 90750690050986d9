// Package fakezalo is a fake Zalo Bot Platform API for tests, faithful to
// what the public clients and documentation copies say the real one does
// (docs/zalo.md §5): routes /bot{token}/{method} with case-sensitive
// methods, the {ok,result}/{ok:false,error_code,description} envelope, a
// getUpdates that blocks and then answers HTTP 200 ok:false 408, a
// setWebhook that probes the URL, sendMessage's 1–2000 characters and
// parse_mode/text_styles exclusion, a sendPhoto that fetches the picture
// once before answering, a sendVoice to a group that delivers nothing,
// quota 429s and injected faults. A Pusher POSTs updates to a webhook as
// Zalo does. Inspection methods wait on conditions, never on wall time.
package fakezalo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Options configures a Server. Token is required.
type Options struct {
	// Token is the only token the server accepts.
	Token string
	// BotID (default "1459232241454765289"), AccountName (default
	// "bot.VDKyGxQvc") and CanJoinGroups describe the bot in getMe.
	BotID         string
	AccountName   string
	CanJoinGroups bool
	// DisplayName is the bot's name in the @mentions the fake's updates
	// carry (default "Bot DVC").
	DisplayName string
	// MessageQuota > 0: after that many messages sent, sends answer 429
	// "Quota exceeded". UserQuota > 0: a send to a chat beyond that many
	// distinct chats answers 429.
	MessageQuota int
	UserQuota    int
	// RequireHTTPS makes setWebhook refuse URLs that are not https (the
	// real API refuses non-public URLs; tests use http by default).
	RequireHTTPS bool
	// ProbeBody is what setWebhook's probe POSTs (default "{}").
	ProbeBody string
	// Now is the clock of message dates (default time.Now); After is the
	// getUpdates wait (default time.After); MaxPollWait, when set, caps
	// that wait so tests never wait long.
	Now         func() time.Time
	After       func(time.Duration) <-chan time.Time
	MaxPollWait time.Duration
	// HTTPClient makes the webhook probes and photo fetches (default a
	// client with a 10 s timeout).
	HTTPClient *http.Client
}

// Style is one text_styles entry.
type Style struct {
	Start int      `json:"start"`
	Len   int      `json:"len"`
	St    []string `json:"st"`
}

// Message is a message the bot sent (or tried to: Delivered is false for a
// sendVoice to a group).
type Message struct {
	Method    string
	ChatID    string
	Text      string
	Styles    []Style
	ParseMode string
	Photo     string // sendPhoto's URL
	PhotoSize int    // bytes fetched from Photo
	Caption   string
	Sticker   string
	Voice     string
	MessageID string
	Date      int64
	Delivered bool
}

// Fault is a failure injected into the next call of a method.
type Fault int

// Faults.
const (
	// NoFault lets a call through (to inject a fault into a later call).
	NoFault Fault = iota
	// Internal answers 403 "Internal server error"; nothing is recorded.
	Internal
	// Quota answers 429 "Quota exceeded"; nothing is recorded.
	Quota
	// Timeout holds the request without an answer until the client gives
	// up; nothing is recorded.
	Timeout
	// DropAfterRecord records the message, then closes the connection
	// without an answer (the UNKNOWN case of a send).
	DropAfterRecord
	// BadGateway answers HTTP 502 with an HTML body, after recording the
	// message (a proxy lost the answer).
	BadGateway
	// Unauthorized answers 401 as for a reset token.
	Unauthorized
)

// Server is a running fake. Close it when done.
type Server struct {
	o  Options
	ts *httptest.Server

	mu           sync.Mutex
	changed      chan struct{} // closed and replaced on every change
	closing      chan struct{}
	webhookURL   string
	secret       string
	webhookAt    int64
	updates      []Update
	sent         []Message
	groups       map[string]bool
	faults       map[string][]Fault
	calls        map[string]int
	photoFetches map[string]int
	photos       map[string][]byte
	users        map[string]bool
	seq          uint64
	sentTotal    int // messages recorded, including those trimmed
	sentLimit    int
	onSent       func(Message)
}

// New starts a fake Bot API.
func New(o Options) *Server {
	if o.Token == "" {
		panic("fakezalo: Options.Token is required")
	}
	if o.BotID == "" {
		o.BotID = "1459232241454765289"
	}
	if o.AccountName == "" {
		o.AccountName = "bot.VDKyGxQvc"
	}
	if o.DisplayName == "" {
		o.DisplayName = "Bot DVC"
	}
	if o.ProbeBody == "" {
		o.ProbeBody = "{}"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{o: o, changed: make(chan struct{}), closing: make(chan struct{}),
		groups: map[string]bool{}, faults: map[string][]Fault{}, calls: map[string]int{},
		photoFetches: map[string]int{}, photos: map[string][]byte{}, users: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/photos/", s.servePhoto)
	mux.HandleFunc("/", s.serveAPI)
	s.ts = httptest.NewServer(mux)
	return s
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.ts.URL }

// Endpoint is the API URL format for a client: token, then method.
func (s *Server) Endpoint() string { return s.ts.URL + "/bot%s/%s" }

// Close stops the server; blocked calls return.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closing:
	default:
		close(s.closing)
	}
	s.mu.Unlock()
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// notifyLocked wakes everything waiting for a change.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Inject queues faults for the next calls of method, one per call.
func (s *Server) Inject(method string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[method] = append(s.faults[method], faults...)
}

// Calls counts the requests made to method (with the right token).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// waitUntil waits until cond, called with the server's lock held, holds
// after a change; it returns ctx's error when ctx ends first.
func (s *Server) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		done, ch := cond(), s.changed
		s.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitCalls waits until method was called at least n times.
func (s *Server) WaitCalls(ctx context.Context, method string, n int) error {
	var got int
	if err := s.waitUntil(ctx, func() bool { got = s.calls[method]; return got >= n }); err != nil {
		return fmt.Errorf("fakezalo: %d of %d calls of %s: %w", got, n, method, err)
	}
	return nil
}

// sentLocked returns the messages recorded for chatID ("" for all chats),
// in order.
func (s *Server) sentLocked(chatID string) []Message {
	var out []Message
	for _, m := range s.sent {
		if chatID == "" || m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// Sent returns the messages recorded for a chat ("" for all chats), in
// order.
func (s *Server) Sent(chatID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentLocked(chatID)
}

// All returns every message recorded, in order.
func (s *Server) All() []Message { return s.Sent("") }

// WaitSent waits until at least n messages were recorded for chatID (""
// for all chats) and returns them, or fails when ctx ends.
func (s *Server) WaitSent(ctx context.Context, chatID string, n int) ([]Message, error) {
	var got []Message
	if err := s.waitUntil(ctx, func() bool { got = s.sentLocked(chatID); return len(got) >= n }); err != nil {
		return got, fmt.Errorf("fakezalo: %d of %d messages to %q: %w", len(got), n, chatID, err)
	}
	return got, nil
}

// OnSent registers fn to be called (outside the server's lock, on the
// request's goroutine, before the answer) for every message recorded;
// load tools use it to time replies. Nil removes it.
func (s *Server) OnSent(fn func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = fn
}

// SetSentLimit keeps only the n most recent messages for Sent, All and
// WaitSent, so that long load runs use bounded memory (the quota still
// counts every message). Zero keeps everything.
func (s *Server) SetSentLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sentLimit = n
	s.trimSentLocked()
}

func (s *Server) trimSentLocked() {
	if s.sentLimit <= 0 {
		return
	}
	if extra := len(s.sent) - s.sentLimit; extra > 0 {
		s.sent = append(s.sent[:0], s.sent[extra:]...)
	}
}

// Webhook is the webhook set (url "" when none) and its secret.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.secret
}

// WaitWebhook waits until a webhook is set (setWebhook saved its URL;
// WaitCalls alone may return while that request is still being handled).
func (s *Server) WaitWebhook(ctx context.Context) error {
	if err := s.waitUntil(ctx, func() bool { return s.webhookURL != "" }); err != nil {
		return fmt.Errorf("fakezalo: no webhook set: %w", err)
	}
	return nil
}

// SetWebhookDirect sets the webhook without a probe (test setup).
func (s *Server) SetWebhookDirect(url, secret string) { s.saveWebhook(url, secret) }

// saveWebhook records the webhook (url "" for none) and returns its
// updated_at.
func (s *Server) saveWebhook(url, secret string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL, s.secret, s.webhookAt = url, secret, s.o.Now().UnixMilli()
	s.notifyLocked()
	return s.webhookAt
}

// AddGroup marks chatID as a group chat (Group updates do it too).
func (s *Server) AddGroup(chatID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[chatID] = true
}

// Enqueue queues updates for getUpdates, one per call.
func (s *Server) Enqueue(us ...Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, us...)
	s.notifyLocked()
}

// Pending counts updates not yet taken by getUpdates.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// HostPhoto serves data at a URL of the fake (like the temporary URLs of
// pictures people send) and returns it.
func (s *Server) HostPhoto(name string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.photos[name] = data
	return s.ts.URL + "/photos/" + url.PathEscape(name)
}

// PhotoFetches counts the GETs the fake made of a sendPhoto URL.
func (s *Server) PhotoFetches(photoURL string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.photoFetches[photoURL]
}

func (s *Server) servePhoto(w http.ResponseWriter, r *http.Request) {
	name, _ := url.PathUnescape(strings.TrimPrefix(r.URL.Path, "/photos/"))
	s.mu.Lock()
	data, ok := s.photos[name]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(data)
}

// answer writes an envelope.
func answer(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func ok(w http.ResponseWriter, result any) {
	answer(w, http.StatusOK, map[string]any{"ok": true, "result": result})
}

// fail answers ok:false; the HTTP status is the code except where Zalo
// was seen answering 200 (408 idle polls, 404 from getWebhookInfo).
func fail(w http.ResponseWriter, code int, desc string, httpStatus int) {
	answer(w, httpStatus, map[string]any{"ok": false, "error_code": code, "description": desc})
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	rest, found := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, found2 := strings.Cut(rest, "/")
	if !found || !found2 || method == "" || strings.Contains(method, "/") {
		fail(w, 404, "Not Found", http.StatusNotFound)
		return
	}
	if token != s.o.Token {
		fail(w, 401, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		fail(w, 405, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		fail(w, 400, "Bad Request", http.StatusBadRequest)
		return
	}
	var params map[string]json.RawMessage
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &params); err != nil {
			fail(w, 400, "Bad Request: invalid JSON", http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	s.calls[method]++
	var fault Fault
	if q := s.faults[method]; len(q) > 0 {
		fault, s.faults[method] = q[0], q[1:]
	}
	s.notifyLocked()
	s.mu.Unlock()
	switch fault {
	case Internal:
		fail(w, 403, "Internal server error", http.StatusForbidden)
		return
	case Quota:
		fail(w, 429, "Quota exceeded", http.StatusTooManyRequests)
		return
	case Unauthorized:
		fail(w, 401, "Unauthorized", http.StatusUnauthorized)
		return
	case Timeout:
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return
	}
	p := params
	switch method {
	case "getMe":
		ok(w, map[string]any{"id": s.o.BotID, "account_name": s.o.AccountName, "account_type": "BASIC", "can_join_groups": s.o.CanJoinGroups})
	case "getUpdates":
		s.getUpdates(w, r, p)
	case "setWebhook":
		s.setWebhook(w, r, p)
	case "deleteWebhook":
		ok(w, map[string]any{"url": "", "updated_at": s.saveWebhook("", "")})
	case "getWebhookInfo":
		s.mu.Lock()
		u, at := s.webhookURL, s.webhookAt
		s.mu.Unlock()
		if u == "" {
			fail(w, 404, "Not Found", http.StatusOK)
			return
		}
		ok(w, map[string]any{"url": u, "updated_at": at})
	case "sendMessage", "sendPhoto", "sendSticker", "sendVoice":
		s.send(w, r, method, p, fault)
	case "sendChatAction":
		if str(p, "chat_id") == "" {
			fail(w, 400, "Bad Request: chat_id is required", http.StatusBadRequest)
			return
		}
		answer(w, http.StatusOK, map[string]any{"ok": true})
	default:
		fail(w, 404, "Not Found", http.StatusNotFound)
	}
}

// str reads a string (or number) parameter.
func str(p map[string]json.RawMessage, key string) string {
	raw, found := p[key]
	if !found {
		return ""
	}
	var v string
	if json.Unmarshal(raw, &v) == nil {
		return v
	}
	return strings.TrimSpace(string(raw))
}

func (s *Server) getUpdates(w http.ResponseWriter, r *http.Request, p map[string]json.RawMessage) {
	s.mu.Lock()
	hooked := s.webhookURL != ""
	s.mu.Unlock()
	if hooked {
		fail(w, 400, "Bad Request: webhook is set, use deleteWebhook before getUpdates", http.StatusBadRequest)
		return
	}
	secs, err := strconv.Atoi(str(p, "timeout"))
	if err != nil || secs < 0 {
		secs = 30
	}
	wait := time.Duration(secs) * time.Second
	if s.o.MaxPollWait > 0 {
		wait = min(wait, s.o.MaxPollWait)
	}
	timer := s.o.After(wait)
	for {
		s.mu.Lock()
		if len(s.updates) > 0 {
			u := s.updates[0]
			s.updates = s.updates[1:]
			s.notifyLocked()
			s.mu.Unlock()
			ok(w, u)
			return
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer:
			fail(w, 408, "Request timeout", http.StatusOK)
			return
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

func (s *Server) setWebhook(w http.ResponseWriter, r *http.Request, p map[string]json.RawMessage) {
	raw, secret := str(p, "url"), str(p, "secret_token")
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (s.o.RequireHTTPS || u.Scheme != "http")) {
		fail(w, 400, "Bad Request: url must be a public https URL", http.StatusBadRequest)
		return
	}
	if n := utf8.RuneCountInString(secret); n < 8 || n > 256 {
		fail(w, 400, "Bad Request: secret_token must have 8 to 256 characters", http.StatusBadRequest)
		return
	}
	// Zalo saves the URL, then probes it; the probe's result is reported.
	at := s.saveWebhook(raw, secret)
	v := map[string]any{"ok": false}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, raw, strings.NewReader(s.o.ProbeBody))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Bot-Api-Secret-Token", secret)
		resp, err := s.o.HTTPClient.Do(req)
		if err != nil {
			v["outcome"] = "unreachable"
			v["hint"] = "Không kết nối được tới webhook URL"
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			v["status_code"] = resp.StatusCode
			if resp.StatusCode == http.StatusOK {
				v["ok"], v["outcome"] = true, "success"
			} else {
				v["outcome"] = "failed"
				v["hint"] = fmt.Sprintf("Webhook trả về HTTP %d, cần trả về 200", resp.StatusCode)
			}
		}
	}
	ok(w, map[string]any{"url": raw, "updated_at": at, "verification": v})
}

// units16 is the length of s in UTF-16 code units, as Zalo counts its
// limits and text_styles.
func units16(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func (s *Server) send(w http.ResponseWriter, r *http.Request, method string, p map[string]json.RawMessage, fault Fault) {
	m := Message{Method: method, ChatID: str(p, "chat_id"), Delivered: true}
	if m.ChatID == "" {
		fail(w, 400, "Bad Request: chat_id is required", http.StatusBadRequest)
		return
	}
	switch method {
	case "sendMessage":
		m.Text, m.ParseMode = str(p, "text"), str(p, "parse_mode")
		n := units16(m.Text)
		if n < 1 || n > 2000 {
			fail(w, 400, "Bad Request: text must have 1 to 2000 characters", http.StatusBadRequest)
			return
		}
		if raw, has := p["text_styles"]; has {
			if m.ParseMode != "" {
				fail(w, 400, "Bad Request: parse_mode and text_styles cannot be used together", http.StatusBadRequest)
				return
			}
			if err := json.Unmarshal(raw, &m.Styles); err != nil {
				fail(w, 400, "Bad Request: invalid text_styles", http.StatusBadRequest)
				return
			}
			for _, st := range m.Styles {
				if st.Start < 0 || st.Len <= 0 || st.Start+st.Len > n || len(st.St) == 0 {
					fail(w, 400, "Bad Request: text_styles out of range", http.StatusBadRequest)
					return
				}
			}
		}
		if m.ParseMode != "" && m.ParseMode != "markdown" && m.ParseMode != "html" {
			fail(w, 400, "Bad Request: unknown parse_mode", http.StatusBadRequest)
			return
		}
	case "sendPhoto":
		m.Photo, m.Caption = str(p, "photo"), str(p, "caption")
		if units16(m.Caption) > 2000 {
			fail(w, 400, "Bad Request: caption must have at most 2000 characters", http.StatusBadRequest)
			return
		}
		size, err := s.fetchPhoto(r.Context(), m.Photo)
		if err != nil {
			fail(w, 400, "Bad Request: "+err.Error(), http.StatusBadRequest)
			return
		}
		m.PhotoSize = size
	case "sendSticker":
		m.Sticker = str(p, "sticker")
		if m.Sticker == "" {
			fail(w, 400, "Bad Request: sticker is required", http.StatusBadRequest)
			return
		}
	case "sendVoice":
		m.Voice = str(p, "voice_url")
		if m.Voice == "" {
			fail(w, 400, "Bad Request: voice_url is required", http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	overMessages := s.o.MessageQuota > 0 && s.sentTotal >= s.o.MessageQuota
	overUsers := s.o.UserQuota > 0 && !s.users[m.ChatID] && len(s.users) >= s.o.UserQuota
	if overMessages || overUsers {
		s.mu.Unlock()
		fail(w, 429, "Quota exceeded", http.StatusTooManyRequests)
		return
	}
	s.users[m.ChatID] = true
	s.seq++
	m.MessageID = fmt.Sprintf("%016x%016x", 0x5a4c4f0000000000|s.seq, s.seq*0x9e3779b97f4a7c15)
	m.Date = s.o.Now().UnixMilli()
	if method == "sendVoice" && s.groups[m.ChatID] {
		m.Delivered = false // ok:true, nothing delivered
	}
	s.sent = append(s.sent, m)
	s.sentTotal++
	s.trimSentLocked()
	s.notifyLocked()
	onSent := s.onSent
	s.mu.Unlock()
	if onSent != nil {
		onSent(m)
	}
	switch fault {
	case DropAfterRecord:
		if hj, isHJ := w.(http.Hijacker); isHJ {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	case BadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		return
	}
	ok(w, map[string]any{"message_id": m.MessageID, "date": m.Date})
}

// fetchPhoto GETs a sendPhoto URL once, as Zalo does during the call.
func (s *Server) fetchPhoto(ctx context.Context, raw string) (int, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, errors.New("photo must be an http(s) URL")
	}
	s.mu.Lock()
	s.photoFetches[raw]++
	s.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return 0, errors.New("photo URL refused")
	}
	resp, err := s.o.HTTPClient.Do(req)
	if err != nil {
		return 0, errors.New("cannot fetch photo")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("photo URL answered HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 20<<20))
	if err != nil || len(data) == 0 {
		return 0, errors.New("cannot read photo")
	}
	return len(data), nil
}
