// Package fakebotapi is a fake Telegram Bot API server for tests and load
// tools. It answers on a loopback httptest server with Telegram's envelopes
// and exact error texts, keeps the getUpdates queue with Telegram's offset
// confirmation, records every message the bot sends, and lets a test
// inject failures (429, 5xx, blocked users, migrated groups, an unreachable
// server) and enforce Telegram's rate limits strictly.
//
// Drive it with the real telegram-bot-api client:
//
//	srv := fakebotapi.New("123456:TEST")
//	defer srv.Close()
//	api, _ := tgbotapi.NewBotAPIWithAPIEndpoint("123456:TEST", srv.Endpoint())
//	srv.SendText(42, 42, "/start")      // a user writes to the bot
//	srv.WaitSentTo(ctx, 42, 1)          // the bot's answer arrived
//
// All methods are safe for concurrent use.
package fakebotapi

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultUsername is the bot's username until SetUsername changes it.
const DefaultUsername = "dvc_kienhai_bot"

// Server is a running fake Bot API server.
type Server struct {
	srv   *httptest.Server
	token string
	botID int64

	mu       sync.Mutex
	username string
	now      func() time.Time
	closed   bool
	closing  chan struct{}

	// Incoming updates.
	nextUpdateID int64
	queue        []*queued
	history      map[int64]*queued
	historyOrder []int64
	updSignal    chan struct{}
	poll         chan struct{}
	nextCallback int64
	callbacks    map[string]bool // issued callback ids -> answered
	msgSeq       map[int64]int

	// Webhook.
	webhookURL    string
	webhookSecret string
	webhookStop   chan struct{}
	webhookErr    string
	webhookErrAt  time.Time
	webhookWG     sync.WaitGroup

	// Outgoing messages.
	stored      map[msgKey]*storedMsg
	storedOrder []msgKey
	sent        []SentMessage
	sentTotal   int
	sentPerChat map[int64]int
	sentSignal  chan struct{}
	sentLimit   int
	onSent      func(SentMessage)
	commands    []Command
	fileSeq     int
	files       map[string][]byte // AddFile: file id → content
	filePaths   map[string]string // getFile's file_path → file id

	// Injected behaviour.
	calls      map[string]int
	failures   []*failure
	blocked    map[int64]bool
	migrated   map[int64]int64
	down       bool
	downSignal chan struct{}
	limits     limiter
	tooMany    int
}

// New starts a fake Bot API server that accepts token. The bot's id (getMe)
// is the numeric part of the token before the colon.
func New(token string) *Server {
	s := &Server{
		token:       token,
		botID:       botIDFromToken(token),
		username:    DefaultUsername,
		now:         time.Now,
		closing:     make(chan struct{}),
		history:     map[int64]*queued{},
		updSignal:   make(chan struct{}),
		callbacks:   map[string]bool{},
		msgSeq:      map[int64]int{},
		stored:      map[msgKey]*storedMsg{},
		sentPerChat: map[int64]int{},
		sentSignal:  make(chan struct{}),
		calls:       map[string]int{},
		files:       map[string][]byte{},
		filePaths:   map[string]string{},
		blocked:     map[int64]bool{},
		migrated:    map[int64]int64{},
		downSignal:  make(chan struct{}),
		limits:      newLimiter(),
	}
	s.nextUpdateID = 100000
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

func botIDFromToken(token string) int64 {
	head, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(head, 10, 64)
	if err != nil || id <= 0 {
		return 1
	}
	return id
}

// Close stops the server. Waiting long polls end at once.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.closing)
	if s.webhookStop != nil {
		close(s.webhookStop)
		s.webhookStop = nil
	}
	s.mu.Unlock()
	s.webhookWG.Wait()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.srv.URL }

// Endpoint is the API endpoint format for tgbotapi.NewBotAPIWithAPIEndpoint:
// http://127.0.0.1:PORT/bot%s/%s (token, then method).
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// Token is the token the server accepts.
func (s *Server) Token() string { return s.token }

// BotID is the bot's user id, as getMe reports it.
func (s *Server) BotID() int64 { return s.botID }

// Username is the bot's username, as getMe reports it.
func (s *Server) Username() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.username
}

// SetUsername changes the username getMe reports (default DefaultUsername).
func (s *Server) SetUsername(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.username = name
}

// SetClock replaces the clock used for message dates, update expiry and
// rate-limit enforcement (default time.Now). Long-poll timeouts always use
// the wall clock.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	s.now = now
}

// Calls is how many requests the bot made to method (case-insensitive),
// failed ones included.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// apiError is an ok:false answer.
type apiError struct {
	code   int
	desc   string
	params map[string]any
}

// result is what a method handler answers: a result value, an error, or
// (drop) a connection closed without an answer.
type result struct {
	value any
	desc  string
	err   *apiError
	drop  bool
}

func okResult(v any) result { return result{value: v} }

func errResult(code int, desc string) result {
	return result{err: &apiError{code: code, desc: desc}}
}

func badRequest(desc string) result { return errResult(http.StatusBadRequest, "Bad Request: "+desc) }

// request holds a call's parameters, from the query string, a form
// (urlencoded or multipart) or a JSON body. Values "null" count as absent.
type request struct {
	values map[string]string
	files  map[string]upload
}

type upload struct {
	name  string
	bytes []byte
}

func (p *request) str(key string) string { return p.values[key] }

func (p *request) has(key string) bool { _, ok := p.values[key]; return ok }

func (p *request) int64(key string) (int64, bool) {
	v, ok := p.values[key]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

func (p *request) bool(key string) bool {
	v := strings.ToLower(p.values[key])
	return v == "true" || v == "1"
}

func readParams(r *http.Request) (*request, error) {
	p := &request{values: map[string]string{}, files: map[string]upload{}}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.values[k] = v[0]
		}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var body map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
			return nil, err
		}
		for k, raw := range body {
			var s string
			if err := json.Unmarshal(raw, &s); err == nil {
				p.values[k] = s
			} else {
				p.values[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			return nil, err
		}
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			f, err := fhs[0].Open()
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return nil, err
			}
			p.files[k] = upload{name: fhs[0].Filename, bytes: b}
		}
	default:
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
	}
	for k, v := range p.values {
		if v == "null" {
			delete(p.values, k)
		}
	}
	return p, nil
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		dropConnection(w)
		return
	}
	path := r.URL.Path
	if strings.HasPrefix(path, "/file/bot") && r.Method == http.MethodGet {
		s.serveFile(w, r)
		return
	}
	if !strings.HasPrefix(path, "/bot") {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	token, method, ok := strings.Cut(path[len("/bot"):], "/")
	if !ok || method == "" {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	if token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	method = strings.ToLower(method)
	s.mu.Lock()
	s.calls[method]++
	f := s.takeFailure(method)
	s.mu.Unlock()
	if f != nil {
		f.write(w)
		return
	}
	p, err := readParams(r)
	if err != nil {
		writeError(w, &apiError{code: http.StatusBadRequest, desc: "Bad Request: can't parse request: " + err.Error()})
		return
	}
	res := s.call(r.Context(), method, p)
	switch {
	case res.drop:
		dropConnection(w)
	case res.err != nil:
		writeError(w, res.err)
	default:
		writeOK(w, res.value, res.desc)
	}
}

func (s *Server) call(ctx context.Context, method string, p *request) result {
	switch method {
	case "getme":
		return s.getMe()
	case "getfile":
		return s.getFile(p)
	case "getupdates":
		return s.getUpdates(ctx, p)
	case "setwebhook":
		return s.setWebhook(p)
	case "deletewebhook":
		return s.deleteWebhook(p)
	case "getwebhookinfo":
		return s.getWebhookInfo()
	case "sendmessage":
		return s.sendMessage(p)
	case "senddocument":
		return s.sendFile(p, "sendDocument", "document")
	case "sendphoto":
		return s.sendFile(p, "sendPhoto", "photo")
	case "editmessagetext":
		return s.editMessageText(p)
	case "editmessagereplymarkup":
		return s.editMessageReplyMarkup(p)
	case "deletemessage":
		return s.deleteMessage(p)
	case "answercallbackquery":
		return s.answerCallbackQuery(p)
	case "sendchataction":
		return s.sendChatAction(p)
	case "setmycommands":
		return s.setMyCommands(p)
	case "getmycommands":
		return s.getMyCommands()
	case "deletemycommands":
		s.mu.Lock()
		s.commands = nil
		s.mu.Unlock()
		return okResult(true)
	}
	return result{err: &apiError{code: http.StatusNotFound, desc: "Not Found"}}
}

func (s *Server) getMe() result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return okResult(wireUser{
		ID: s.botID, IsBot: true, FirstName: "DVC Kiên Hải", Username: s.username,
		CanJoinGroups: true,
	})
}

func writeOK(w http.ResponseWriter, v any, desc string) {
	var buf []byte
	if raw, ok := v.(json.RawMessage); ok {
		buf = append(buf, `{"ok":true,"result":`...)
		buf = append(buf, raw...)
		if desc != "" {
			d, _ := json.Marshal(desc)
			buf = append(buf, `,"description":`...)
			buf = append(buf, d...)
		}
		buf = append(buf, '}')
	} else {
		env := struct {
			OK          bool   `json:"ok"`
			Result      any    `json:"result"`
			Description string `json:"description,omitempty"`
		}{true, v, desc}
		buf, _ = json.Marshal(env)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
}

func writeError(w http.ResponseWriter, e *apiError) {
	env := struct {
		OK          bool           `json:"ok"`
		ErrorCode   int            `json:"error_code"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters,omitempty"`
	}{false, e.code, e.desc, e.params}
	buf, _ := json.Marshal(env)
	if e.code == http.StatusTooManyRequests {
		if ra, ok := intParam(e.params["retry_after"]); ok {
			w.Header().Set("Retry-After", strconv.FormatInt(ra, 10))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(buf)))
	w.WriteHeader(e.code)
	w.Write(buf)
}

func intParam(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// dropConnection closes the client's connection without an answer (the
// client sees a reset), as an unreachable server would.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}
