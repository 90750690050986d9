package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dvcbot/bot"
	"dvcbot/chat"
)

// Errors a Send can fail with; test them with errors.Is. The underlying
// *tgbotapi.Error, when there is one, is wrapped too.
var (
	// ErrBlocked: the user blocked the bot, the bot was removed from the
	// group, or it may not start the conversation (403). Not retried.
	ErrBlocked = fmt.Errorf("telegram: blocked, kicked or never started: %w", bot.ErrUnreachable)
	// ErrRejected: Telegram refused the message (400) or the reply is
	// invalid (empty text, callback data over 64 bytes); sending it again
	// will not help.
	ErrRejected = fmt.Errorf("telegram: %w", bot.ErrRejected)
	// ErrUnavailable: Telegram could not be reached or kept failing (5xx,
	// network, repeated 429) after the retries; try again later.
	ErrUnavailable = errors.New("telegram: Bot API unavailable")
	// ErrClosed: the transport was shut down.
	ErrClosed = errors.New("telegram: transport closed")
)

// RateLimits is the outgoing message budget. Zero values take the
// defaults; a negative value turns that limit off.
type RateLimits struct {
	// GlobalPerSecond counts every message (interactive and bulk).
	// Default 25: Telegram documents "about 30 per second" without saying
	// how it counts, so the default keeps a margin.
	GlobalPerSecond float64
	// PerChatPerSecond paces bulk posts to one chat. Default 1.
	PerChatPerSecond float64
	// GroupPerMinute paces bulk posts to one group. Default 20.
	GroupPerMinute int
}

// Options configures a Transport. Token is required.
type Options struct {
	Token string
	// Endpoint is the API URL format, token then method; default
	// https://api.telegram.org/bot%s/%s.
	Endpoint string
	// HTTPClient defaults to a client with a timeout 15 s above the poll
	// timeout and a keep-alive pool sized for Senders. A client of your own
	// must allow more than PollTimeout per request.
	HTTPClient *http.Client
	// PollTimeout is the getUpdates long-poll timeout (default 30 s, at most
	// 50 s).
	PollTimeout time.Duration
	// Logger receives operational logs (never message texts); default
	// discards.
	Logger *slog.Logger
	// Commands is the command menu registered with setMyCommands at New.
	Commands []bot.Command
	// OnBlocked is called when a chat turns out unreachable: a 403 on
	// sending (once until a message gets through again), or the user
	// blocking the bot (my_chat_member update).
	OnBlocked func(ctx context.Context, chat chat.Address)
	// OnDelivered is called with an update's id once every reply to it has
	// been sent (or refused for good), so the engine does not send them
	// again after a restart (bot.Engine.Delivered).
	OnDelivered func(update string)
	// OnMigrate is called when a group became a supergroup with a new id.
	OnMigrate func(ctx context.Context, oldID, newID int64)
	// Rate is the outgoing budget.
	Rate RateLimits
	// Now and After are the clock for rate limits, retry_after and backoff
	// (default time.Now and time.After).
	Now   func() time.Time
	After func(d time.Duration) <-chan time.Time
	// Workers is how many chats are handled at once (default 64).
	Workers int
	// Senders is how many requests may be in flight at once (default 32).
	Senders int
	// Grace bounds the shutdown: finishing updates in flight and flushing
	// queued replies (default 10 s).
	Grace time.Duration
	// BackoffMin and BackoffMax bound the retry delays after network
	// errors and 5xx (default 500 ms and 30 s; jittered).
	BackoffMin, BackoffMax time.Duration
	// MaxRetries is how many times a message is retried after network
	// errors or 5xx before Send fails with ErrUnavailable (default 5).
	MaxRetries int
}

// DefaultEndpoint is Telegram's Bot API endpoint format.
const DefaultEndpoint = tgbotapi.APIEndpoint

var commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (o *Options) defaults() error {
	if o.Token == "" {
		return errors.New("telegram: no bot token: set telegram.token (DVCBOT_TELEGRAM_TOKEN)")
	}
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	if strings.Count(o.Endpoint, "%s") != 2 {
		return fmt.Errorf("telegram: endpoint %q must contain %%s twice (token, then method), like %s", o.Endpoint, DefaultEndpoint)
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 30 * time.Second
	}
	// Telegram counts the timeout in whole seconds: 0 would poll in a loop.
	o.PollTimeout = min(max(o.PollTimeout, time.Second), 50*time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.Senders <= 0 {
		o.Senders = 32
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = 500 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 30 * time.Second
	}
	o.BackoffMax = max(o.BackoffMax, o.BackoffMin)
	if o.MaxRetries <= 0 {
		o.MaxRetries = 5
	}
	if o.Rate.GlobalPerSecond == 0 {
		o.Rate.GlobalPerSecond = 25
	}
	if o.Rate.PerChatPerSecond == 0 {
		o.Rate.PerChatPerSecond = 1
	}
	if o.Rate.GroupPerMinute == 0 {
		o.Rate.GroupPerMinute = 20
	}
	if o.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = 0
		tr.MaxIdleConnsPerHost = o.Senders + 8
		o.HTTPClient = &http.Client{Transport: tr, Timeout: o.PollTimeout + 15*time.Second}
	} else if to := o.HTTPClient.Timeout; to != 0 && to <= o.PollTimeout {
		return fmt.Errorf("telegram: the HTTP client times out after %v, not above the poll timeout %v: every long poll would fail", to, o.PollTimeout)
	}
	return validateCommands(o.Commands)
}

func validateCommands(cmds []bot.Command) error {
	if len(cmds) > 100 {
		return fmt.Errorf("telegram: %d commands in the menu; Telegram allows at most 100", len(cmds))
	}
	seen := map[string]bool{}
	for _, c := range cmds {
		if !commandNameRE.MatchString(c.Name) {
			return fmt.Errorf("telegram: command %q: a name is 1-32 of lowercase a-z, 0-9 and _, without the slash", c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("telegram: command %q appears twice in the menu", c.Name)
		}
		seen[c.Name] = true
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Description)); n < 1 || n > 256 {
			return fmt.Errorf("telegram: command %q: the description must be 1-256 characters, it has %d", c.Name, n)
		}
	}
	return nil
}

// Transport connects a bot.Handler to Telegram.
type Transport struct {
	opts   Options
	api    *tgbotapi.BotAPI
	log    *slog.Logger
	out    *sender
	sem    chan struct{}
	runned atomic.Bool

	lastOK       atomic.Int64 // unix nanoseconds of the last successful call
	updates      atomic.Uint64
	handleErrors atomic.Uint64
	sent         atomic.Uint64
	failed       atomic.Uint64
	errMu        sync.Mutex
	apiErrors    map[int]uint64
}

// New connects to the Bot API (getMe, which checks the token) and
// registers the command menu. It fails on a wrong token, an unreachable
// server or an invalid command menu; a failing setMyCommands is only
// logged.
func New(ctx context.Context, opts Options) (*Transport, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	t := &Transport{
		opts:      opts,
		log:       opts.Logger,
		sem:       make(chan struct{}, opts.Workers),
		apiErrors: map[int]uint64{},
	}
	api, err := tgbotapi.NewBotAPIWithClient(opts.Token, opts.Endpoint, ctxDoer{ctx: ctx, c: opts.HTTPClient})
	if err != nil {
		return nil, fmt.Errorf("telegram: connect (getMe): %w", t.redact(err))
	}
	api.Client = opts.HTTPClient
	t.api = api
	t.markOK()
	t.out = newSender(t)
	if len(opts.Commands) > 0 {
		cmds := make([]tgbotapi.BotCommand, len(opts.Commands))
		for i, c := range opts.Commands {
			cmds[i] = tgbotapi.BotCommand{Command: c.Name, Description: c.Description}
		}
		if _, err := t.request(ctx, tgbotapi.NewSetMyCommands(cmds...)); err != nil {
			t.log.Warn("telegram: setMyCommands failed; the command menu is not updated", "err", err)
		}
	}
	return t, nil
}

// Username is the bot's username (without @), from getMe.
func (t *Transport) Username() string { return t.api.Self.UserName }

// LastOK is when the Bot API last answered a request successfully (for
// health checks).
func (t *Transport) LastOK() time.Time { return time.Unix(0, t.lastOK.Load()) }

func (t *Transport) markOK() { t.lastOK.Store(t.opts.Now().UnixNano()) }

// Stats is a snapshot of the transport's counters, for metrics.
type Stats struct {
	Updates      uint64         // updates given to the Handler
	HandleErrors uint64         // of which Handle failed
	Sent         uint64         // messages Telegram accepted
	Failed       uint64         // replies given up on
	APIErrors    map[int]uint64 // failed API calls by error code; 0 = network or unreadable answer
	Queued       int            // replies waiting to be sent
	LastOK       time.Time
}

// Stats returns the current counters.
func (t *Transport) Stats() Stats {
	t.errMu.Lock()
	errs := make(map[int]uint64, len(t.apiErrors))
	for k, v := range t.apiErrors {
		errs[k] = v
	}
	t.errMu.Unlock()
	return Stats{
		Updates: t.updates.Load(), HandleErrors: t.handleErrors.Load(),
		Sent: t.sent.Load(), Failed: t.failed.Load(), APIErrors: errs,
		Queued: t.out.len(), LastOK: t.LastOK(),
	}
}

// ctxDoer gives the library's requests a context (v5.5.1 has none).
type ctxDoer struct {
	ctx context.Context
	c   *http.Client
}

// Do sends r with the context. A non-JSON error page (a proxy's HTML 502)
// is turned into Telegram's error envelope with the HTTP status as
// error_code, so that the library reports a *tgbotapi.Error with the code
// instead of a JSON syntax error.
func (d ctxDoer) Do(r *http.Request) (*http.Response, error) {
	resp, err := d.c.Do(r.WithContext(d.ctx))
	if err != nil || resp.StatusCode < 300 || strings.Contains(resp.Header.Get("Content-Type"), "json") {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	desc := http.StatusText(resp.StatusCode)
	if desc == "" {
		desc = "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	env, _ := json.Marshal(map[string]any{"ok": false, "error_code": resp.StatusCode, "description": desc})
	resp.Body = io.NopCloser(bytes.NewReader(env))
	resp.ContentLength = int64(len(env))
	resp.Header = http.Header{"Content-Type": {"application/json"}}
	return resp, nil
}

// bot returns a copy of the API client whose requests use ctx.
func (t *Transport) bot(ctx context.Context) *tgbotapi.BotAPI {
	b := *t.api
	b.Client = ctxDoer{ctx: ctx, c: t.opts.HTTPClient}
	return &b
}

// request makes one API call, recording the outcome for health and stats.
func (t *Transport) request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	resp, err := t.bot(ctx).Request(c)
	return resp, t.outcome(err)
}

func (t *Transport) outcome(err error) error {
	if err == nil {
		t.markOK()
		return nil
	}
	code := 0
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		t.markOK() // Telegram answered
		code = errorCode(e)
	}
	t.errMu.Lock()
	t.apiErrors[code]++
	t.errMu.Unlock()
	return t.redact(err)
}

// redact removes the bot token from errors that carry the request URL.
func (t *Transport) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && strings.Contains(ue.URL, t.opts.Token) {
		return &url.Error{Op: ue.Op, URL: strings.ReplaceAll(ue.URL, t.opts.Token, "<token>"), Err: ue.Err}
	}
	return err
}

// errorCode is the error's code; failed uploads come back with Code 0 in
// v5.5.1, so it is read from the description then.
func errorCode(e *tgbotapi.Error) int {
	if e.Code != 0 {
		return e.Code
	}
	prefixes := []struct {
		p    string
		code int
	}{
		{"Bad Request", 400}, {"Unauthorized", 401}, {"Forbidden", 403}, {"Not Found", 404},
		{"Conflict", 409}, {"Too Many Requests", 429}, {"Internal Server Error", 500},
		{"Bad Gateway", 502}, {"Service Unavailable", 503}, {"Gateway Timeout", 504},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(e.Message, p.p) {
			return p.code
		}
	}
	return 0
}

// backoff is the jittered delay before retry number n (1-based).
func (t *Transport) backoff(n int) time.Duration {
	d := t.opts.BackoffMin
	for i := 1; i < n && d < t.opts.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, t.opts.BackoffMax)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d on the transport's clock, or until ctx ends.
func (t *Transport) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	select {
	case <-ctx.Done():
	case <-t.opts.After(d):
	}
}

// Run receives updates by long polling and hands them to h until ctx ends;
// see the package documentation for the guarantees. On cancellation it
// stops polling, lets the updates in flight finish and flushes queued
// replies, within Options.Grace, then shuts the transport down and returns
// nil. Run may be called once.
func (t *Transport) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("telegram: Run needs a handler")
	}
	if !t.runned.CompareAndSwap(false, true) {
		return errors.New("telegram: Run called twice")
	}
	// Handlers and the final flush outlive ctx by the grace period.
	hctx, hcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer hcancel()
	stopGrace := make(chan struct{})
	defer close(stopGrace)
	go func() {
		select {
		case <-ctx.Done():
		case <-stopGrace:
			return
		}
		select {
		case <-t.opts.After(t.opts.Grace):
			hcancel()
		case <-stopGrace:
		}
	}()

	var offset int64
	failures, storeFailures := 0, 0
	complete := true
	for ctx.Err() == nil {
		ups, err := t.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			wait := t.pollWait(err, failures)
			t.log.Warn("telegram: getUpdates failed; retrying", "err", err, "failures", failures, "retry_in", wait)
			t.sleep(ctx, wait)
			continue
		}
		if failures > 0 {
			t.log.Info("telegram: getUpdates works again", "after_failures", failures)
			failures = 0
		}
		if len(ups) == 0 {
			continue
		}
		next, all := t.handleBatch(hctx, h, ups)
		offset = max(offset, next)
		if !all {
			if ctx.Err() != nil || hctx.Err() != nil {
				complete = false
				break
			}
			// An update could not be stored (a full disk): it stays
			// unconfirmed; wait before it comes again.
			storeFailures++
			wait := t.backoff(storeFailures)
			t.log.Warn("telegram: an update could not be stored; it will be handled again", "retry_in", wait)
			t.sleep(ctx, wait)
			continue
		}
		storeFailures = 0
	}

	// Confirm what was handled, so a restart does not see it again.
	if offset > 0 {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		if _, err := t.request(cctx, tgbotapi.UpdateConfig{Offset: int(offset), Limit: 1}); err != nil {
			t.log.Warn("telegram: confirming the last updates failed; they will be delivered again", "err", err)
		}
		cancel()
	}
	if !complete {
		t.log.Warn("telegram: shutdown grace ran out with updates in flight; Telegram will deliver them again")
	}
	if err := t.out.drain(hctx); err != nil {
		t.log.Warn("telegram: shutdown grace ran out; unsent replies dropped", "queued", t.out.len())
	}
	t.out.close()
	return nil
}

// Shutdown flushes the queued replies until ctx ends, then stops the
// sender: later Sends fail with ErrClosed. Run does this itself; call it
// in webhook mode.
func (t *Transport) Shutdown(ctx context.Context) error {
	err := t.out.drain(ctx)
	t.out.close()
	if err != nil {
		return fmt.Errorf("telegram: shutdown: %d replies unsent: %w", t.out.len(), err)
	}
	return nil
}

func (t *Transport) getUpdates(ctx context.Context, offset int64) ([]tgbotapi.Update, error) {
	resp, err := t.request(ctx, tgbotapi.UpdateConfig{
		Offset: int(offset), Limit: 100, Timeout: int(t.opts.PollTimeout / time.Second),
	})
	if err != nil {
		return nil, err
	}
	var ups []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &ups); err != nil {
		return nil, fmt.Errorf("telegram: decode updates: %w", err)
	}
	return ups, nil
}

// pollWait is how long to wait after the n-th getUpdates failure in a row.
func (t *Transport) pollWait(err error, n int) time.Duration {
	var e *tgbotapi.Error
	if errors.As(err, &e) {
		if e.RetryAfter > 0 {
			return time.Duration(e.RetryAfter) * time.Second
		}
		switch errorCode(e) {
		case http.StatusConflict:
			if strings.Contains(e.Message, "webhook") {
				t.log.Error("telegram: a webhook is set, so polling cannot work; delete it (deleteWebhook) or run in webhook mode")
			} else {
				t.log.Error("telegram: another instance of the bot is polling with this token; stop it")
			}
		case http.StatusUnauthorized, http.StatusNotFound:
			t.log.Error("telegram: the bot token was refused; check telegram.token")
			return t.opts.BackoffMax
		}
	}
	return t.backoff(n)
}
