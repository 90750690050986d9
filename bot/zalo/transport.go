package zalo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"dvcbot/chat"
)

// Handler is the conversation engine as the transport sees it: it applies
// one input durably and returns the replies to send. Replies are sent
// after Handle returned.
type Handler interface {
	Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error)
}

// FileLinker makes a download link for a file that Zalo cannot send: a
// signed URL bound to the person at to, valid until expires and for uses
// downloads (the web server implements it).
type FileLinker interface {
	Link(ctx context.Context, to chat.Address, f chat.File) (url string, expires time.Time, uses int, err error)
}

// PhotoHost serves a picture at a one-time https URL for sendPhoto (Zalo
// fetches it during the call).
type PhotoHost interface {
	OneTime(ctx context.Context, f chat.File) (url string, err error)
}

// Errors of the transport; test them with errors.Is. Send errors also wrap
// one of chat.ErrRejected, chat.ErrUncertain, chat.ErrQuota.
var (
	// ErrUnauthorized: Zalo refused the token (401): it is invalid or was
	// reset in Zalo Bot Creator. Nothing works until it is replaced.
	ErrUnauthorized = errors.New("zalo: the bot token is invalid or was reset in Zalo Bot Creator (401): put the current token in zalo.token (DVCBOT_ZALO_TOKEN)")
	// ErrUnavailable: the request never reached Zalo (network down, DNS)
	// even after retries; nothing was delivered, so it may be sent later.
	ErrUnavailable = errors.New("zalo: Bot API unreachable; nothing was sent")
	// ErrClosed: the transport was shut down.
	ErrClosed = errors.New("zalo: transport closed")
)

// MaxWebhookBody is the largest push body the webhook accepts.
const MaxWebhookBody = 1 << 20

// Options configures a Transport. Token is required; in webhook mode
// WebhookURL and SecretToken are too. Zero values take the defaults.
type Options struct {
	// Token is the bot token (zalo.token).
	Token string
	// Endpoint is the API URL format, token then method (default
	// DefaultEndpoint).
	Endpoint string
	// Mode is ModeWebhook (default) or ModePolling.
	Mode string
	// PollTimeout is the getUpdates long-poll timeout (default 30 s); the
	// polling HTTP client waits 5 s more.
	PollTimeout time.Duration
	// WebhookURL is the public https address Zalo pushes to.
	WebhookURL string
	// SecretToken (8–256 characters) is sent by Zalo in the
	// X-Bot-Api-Secret-Token header of every push.
	SecretToken string
	// Listen is the address Run serves the webhook on (":8443"); empty
	// means the caller mounts WebhookHandler on a listener of its own.
	Listen string
	// HTTPClient is the base client for API calls (its Transport is used;
	// redirects are never followed). Default http.DefaultTransport.
	HTTPClient *http.Client
	// Logger receives operational logs: ids, event names, error codes,
	// never message texts, names, phone numbers or the token. Default
	// discards.
	Logger *slog.Logger

	// Groups returns the group chat ids whose messages are handled now
	// (the lead learns them at run time). Messages of other groups are
	// ignored unless they start with /nhom (linking a group).
	Groups func() []string
	// BotName is the bot's display name as it appears in @mentions
	// ("Bot DVC Kiên Hải"); default getMe's names.
	BotName string

	// OnDelivered is called with an update's id once every reply to it has
	// been sent or refused for good (bot.Engine.Delivered), so a restart
	// does not send them again.
	OnDelivered func(update string)

	// FileLinker turns Reply.File into a download link; without it the
	// person is told the file cannot be sent.
	FileLinker FileLinker
	// PhotoHost hosts Reply.Photo for sendPhoto; without it the person is
	// told the picture cannot be sent.
	PhotoHost PhotoHost

	// TextLimit is the longest message in UTF-16 units (default 2000).
	TextLimit int
	// NoTextStyles sends bold as plain text (no text_styles).
	NoTextStyles bool

	// MonthlyMessageQuota (default 3000) and UserQuota (default 50) are
	// the plan's quotas per bot.
	MonthlyMessageQuota int
	UserQuota           int
	// OnQuotaWarning is called once per month and kind at 80 % of a quota.
	OnQuotaWarning func(QuotaWarning)
	// SaveMeter persists the quota meter, at most every SaveMeterEvery
	// (default 60 s) and at Shutdown. Restore it with Meter().Restore.
	SaveMeter      func(MeterState) error
	SaveMeterEvery time.Duration

	// Senders bounds the requests in flight at once (default 4).
	Senders int
	// BulkInterval paces Reply.Bulk messages to one chat (default 1 s).
	BulkInterval time.Duration
	// MaxRetries is how often a send that surely never left is tried
	// again (default 3). Nothing that may have reached Zalo is resent.
	MaxRetries int
	// BackoffMin and BackoffMax bound retry and polling backoff (default
	// 1 s and 60 s, jittered); QuotaBackoffMax bounds the pause of all
	// sends after a 429 (default 30 min, doubling from BackoffMin).
	BackoffMin, BackoffMax, QuotaBackoffMax time.Duration
	// SendTimeout bounds one send call (default 30 s: sendPhoto waits for
	// Zalo to fetch the picture).
	SendTimeout time.Duration
	// HandleTimeout bounds one Handle call of a webhook push (default
	// 30 s); a push is handled to the end even if Zalo hangs up.
	HandleTimeout time.Duration
	// PhotoMaxBytes (default 10 MiB) and PhotoTimeout (default 15 s) bound
	// the download of a received picture.
	PhotoMaxBytes int64
	PhotoTimeout  time.Duration
	// DedupeWindow (default 10 min) and DedupeSize (default 10,000) bound
	// the memory of recently handled updates.
	DedupeWindow time.Duration
	DedupeSize   int

	// Now and After are the clock for pacing, backoff, the quota month and
	// deduplication (default time.Now and time.After).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

func (o *Options) defaults() {
	if o.Endpoint == "" {
		o.Endpoint = DefaultEndpoint
	}
	if o.Mode == "" {
		o.Mode = ModeWebhook
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = 30 * time.Second
	}
	o.PollTimeout = max(o.PollTimeout, time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Groups == nil {
		o.Groups = func() []string { return nil }
	}
	if o.TextLimit <= 0 {
		o.TextLimit = DefaultTextLimit
	}
	if o.Senders <= 0 {
		o.Senders = 4
	}
	if o.BulkInterval <= 0 {
		o.BulkInterval = time.Second
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = time.Second
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = time.Minute
	}
	if o.QuotaBackoffMax <= 0 {
		o.QuotaBackoffMax = 30 * time.Minute
	}
	if o.SendTimeout <= 0 {
		o.SendTimeout = 30 * time.Second
	}
	if o.HandleTimeout <= 0 {
		o.HandleTimeout = 30 * time.Second
	}
	if o.PhotoMaxBytes <= 0 {
		o.PhotoMaxBytes = 10 << 20
	}
	if o.PhotoTimeout <= 0 {
		o.PhotoTimeout = 15 * time.Second
	}
	if o.DedupeWindow <= 0 {
		o.DedupeWindow = 10 * time.Minute
	}
	if o.DedupeSize <= 0 {
		o.DedupeSize = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
}

// Transport is the Zalo channel: it receives updates (webhook or polling),
// turns them into chat.Input for a Handler and sends chat.Reply messages.
type Transport struct {
	o      Options
	log    *slog.Logger
	api    *Client // sends and short calls
	poller *Client // getUpdates, with the longer timeout
	photos *http.Client
	me     Me
	meter  *Meter
	seen   *dedupe
	snd    *sender

	handler atomic.Pointer[Handler]
	stats   counters

	mu     sync.Mutex
	srv    *http.Server
	closed bool
	// confirming counts the goroutines waiting for an update's replies to
	// tell Options.OnDelivered; confirmed is closed when none is left.
	// Shutdown waits for them.
	confirming int
	confirmed  chan struct{}
}

// confirmBegin and confirmEnd bracket a goroutine that will call
// Options.OnDelivered.
func (t *Transport) confirmBegin() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.confirming == 0 {
		t.confirmed = make(chan struct{})
	}
	t.confirming++
}

func (t *Transport) confirmEnd() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.confirming--; t.confirming == 0 {
		close(t.confirmed)
	}
}

// confirmsDone is closed once no goroutine is left to call OnDelivered.
func (t *Transport) confirmsDone() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.confirming == 0 {
		done := make(chan struct{})
		close(done)
		return done
	}
	return t.confirmed
}

// counters are the transport's running totals since start.
type counters struct {
	received, duplicates, ignored, handleErrors atomic.Uint64
	sent, failed, uncertain, quotaSkipped       atomic.Uint64
	photoFailures                               atomic.Uint64
}

// New checks the options and the token (getMe) and returns a transport
// ready to Send; Run receives. A 401 returns ErrUnauthorized.
func New(ctx context.Context, o Options) (*Transport, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	o.defaults()
	base := http.DefaultTransport
	if o.HTTPClient != nil && o.HTTPClient.Transport != nil {
		base = o.HTTPClient.Transport
	}
	t := &Transport{
		o:      o,
		log:    o.Logger,
		api:    &Client{Endpoint: o.Endpoint, Token: o.Token, HTTP: noRedirectClient(base, o.SendTimeout)},
		poller: &Client{Endpoint: o.Endpoint, Token: o.Token, HTTP: noRedirectClient(base, o.PollTimeout+5*time.Second)},
		photos: &http.Client{Transport: base, Timeout: o.PhotoTimeout},
		seen:   newDedupe(o.DedupeSize, o.DedupeWindow, o.Now),
	}
	save := o.SaveMeter
	if save != nil {
		save = func(s MeterState) error {
			err := o.SaveMeter(s)
			if err != nil {
				t.log.Error("zalo: saving the quota meter failed", "err", err)
			}
			return err
		}
	}
	t.meter = NewMeter(MeterOptions{
		MonthlyMessageQuota: o.MonthlyMessageQuota, UserQuota: o.UserQuota,
		OnWarning: o.OnQuotaWarning, Save: save, SaveEvery: o.SaveMeterEvery, Now: o.Now,
	})
	me, err := t.api.GetMe(ctx)
	if err != nil {
		if IsUnauthorized(err) {
			return nil, fmt.Errorf("zalo: getMe: %w", ErrUnauthorized)
		}
		return nil, fmt.Errorf("zalo: checking the bot token with getMe: %w", err)
	}
	t.me = me
	t.log.Info("zalo: bot ready", "bot_id", me.ID, "account", me.AccountName, "can_join_groups", me.CanJoinGroups, "mode", o.Mode)
	t.snd = newSender(t)
	return t, nil
}

// Me is the bot as getMe described it at New. Me().CanJoinGroups gates
// group posts.
func (t *Transport) Me() Me { return t.me }

// Meter is the month-to-date quota meter (restore a saved state with
// Meter().Restore right after New).
func (t *Transport) Meter() *Meter { return t.meter }

// Client is the API client the transport uses (for one-off calls such as
// GetWebhookInfo in a health check).
func (t *Transport) Client() *Client { return t.api }

// Run receives updates until ctx ends, handing each to h. In webhook mode
// it listens on Options.Listen (when set) before calling setWebhook; a
// failed probe is a warning (its hint logged), a refused setWebhook an
// error. Without Listen, mount WebhookHandler on a listener that is
// already serving before Run. In polling mode it calls deleteWebhook and
// then getUpdates in a loop. A 401 ends Run with ErrUnauthorized.
func (t *Transport) Run(ctx context.Context, h Handler) error {
	if h == nil {
		return errors.New("zalo: Run without a handler")
	}
	t.handler.Store(&h)
	if t.o.Mode == ModePolling {
		return t.pollLoop(ctx, h)
	}
	var serveErr chan error
	if t.o.Listen != "" {
		ln, err := net.Listen("tcp", t.o.Listen)
		if err != nil {
			return fmt.Errorf("zalo: listen on %s (%s): %w", t.o.Listen, KeyListen, err)
		}
		mux := http.NewServeMux()
		mux.Handle(webhookPath(t.o.WebhookURL), t.WebhookHandler())
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		t.mu.Lock()
		t.srv = srv
		t.mu.Unlock()
		serveErr = make(chan error, 1)
		go func() { serveErr <- srv.Serve(ln) }()
	}
	if err := t.registerWebhook(ctx); err != nil {
		t.closeServer(context.Background())
		if ctx.Err() != nil {
			return nil // stopped while registering
		}
		return err
	}
	select {
	case <-ctx.Done():
		t.closeServer(context.Background())
		return nil
	case err := <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("zalo: webhook server: %w", err)
	}
}

func webhookPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// registerWebhook sets the webhook and reports Zalo's probe.
func (t *Transport) registerWebhook(ctx context.Context) error {
	info, err := t.api.SetWebhook(ctx, t.o.WebhookURL, t.o.SecretToken)
	if err != nil {
		if IsUnauthorized(err) {
			return fmt.Errorf("zalo: setWebhook: %w", ErrUnauthorized)
		}
		return fmt.Errorf("zalo: setWebhook (%s): %w", KeyWebhookURL, err)
	}
	v := info.Verification
	switch {
	case v == nil:
		t.log.Warn("zalo: setWebhook returned no verification; check that pushes arrive")
	case !v.OK:
		t.log.Warn("zalo: webhook saved, but Zalo's probe of it failed; pushes may not arrive",
			"status_code", v.StatusCode, "outcome", v.Outcome, "hint", v.Hint)
	default:
		t.log.Info("zalo: webhook set and verified", "status_code", v.StatusCode)
	}
	return nil
}

func (t *Transport) closeServer(ctx context.Context) {
	t.mu.Lock()
	srv := t.srv
	t.srv = nil
	t.mu.Unlock()
	if srv != nil {
		_ = srv.Shutdown(ctx)
	}
}

// Send sends one reply and waits until it was sent or failed. Errors wrap
// chat.ErrRejected (Zalo refused it; sending again gives the same),
// chat.ErrUncertain (it may have been delivered; never sent again, also
// when only part of a split reply got through), chat.ErrQuota (the quota
// is used up, or nearly for an Optional reply), ErrUnavailable (surely
// not delivered), ErrUnauthorized or ErrClosed. If ctx ends while the
// reply waits in the queue it is dropped unsent (ctx.Err()); once sending
// began the answer is chat.ErrUncertain.
func (t *Transport) Send(ctx context.Context, r chat.Reply) error {
	return t.snd.send(ctx, r)
}

// Shutdown stops the webhook server (if Run started one), lets queued
// replies go out until ctx ends, then cancels what is still in flight,
// waits (until ctx ends) for Options.OnDelivered to be told of every
// update whose replies all went out, and saves the quota meter.
func (t *Transport) Shutdown(ctx context.Context) error {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.closeServer(ctx)
	t.snd.shutdown(ctx)
	// Every reply is now sent, refused or failed with ErrClosed: the
	// confirmations of the delivered ones reach OnDelivered before
	// Shutdown returns, so that the caller's last write of them (serve
	// flushes them after the transports stop) does not miss any and the
	// next start does not send those replies again.
	select {
	case <-t.confirmsDone():
	case <-ctx.Done():
	}
	if err := t.meter.Flush(); err != nil {
		return err
	}
	return nil
}

// Stats are the transport's figures for /healthz and Prometheus.
type Stats struct {
	Mode string `json:"mode"`
	// Month is the quota month (Asia/Ho_Chi_Minh calendar month).
	Month        string `json:"month"`
	MessagesIn   int    `json:"messages_in"`
	MessagesOut  int    `json:"messages_out"`
	Users        int    `json:"users"`
	MessageQuota int    `json:"message_quota"`
	UserQuota    int    `json:"user_quota"`
	// OptionalOff: optional traffic is skipped (≥ 95 % of the messages).
	OptionalOff bool `json:"optional_off"`
	// Since start:
	Received      uint64 `json:"received"`
	Duplicates    uint64 `json:"duplicates"`
	Ignored       uint64 `json:"ignored"`
	HandleErrors  uint64 `json:"handle_errors"`
	Sent          uint64 `json:"sent"`
	Failed        uint64 `json:"failed"`
	Uncertain     uint64 `json:"uncertain"`
	QuotaSkipped  uint64 `json:"quota_skipped"`
	PhotoFailures uint64 `json:"photo_failures"`
	Queued        int    `json:"queued"`
}

// Stats returns the current figures.
func (t *Transport) Stats() Stats {
	st := t.meter.State()
	mq, uq := t.meter.Quotas()
	return Stats{
		Mode: t.o.Mode, Month: st.Month,
		MessagesIn: st.In, MessagesOut: st.Out, Users: len(st.Users),
		MessageQuota: mq, UserQuota: uq, OptionalOff: t.meter.OptionalBlocked(),
		Received: t.stats.received.Load(), Duplicates: t.stats.duplicates.Load(),
		Ignored: t.stats.ignored.Load(), HandleErrors: t.stats.handleErrors.Load(),
		Sent: t.stats.sent.Load(), Failed: t.stats.failed.Load(), Uncertain: t.stats.uncertain.Load(),
		QuotaSkipped: t.stats.quotaSkipped.Load(), PhotoFailures: t.stats.photoFailures.Load(),
		Queued: t.snd.queued(),
	}
}

// Sample is one Prometheus sample.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

// Samples are the month-to-date gauges: dvcbot_zalo_messages_month with
// direction="in" and "out", and dvcbot_zalo_users.
func (s Stats) Samples() []Sample {
	return []Sample{
		{Name: "dvcbot_zalo_messages_month", Labels: map[string]string{"direction": "in"}, Value: float64(s.MessagesIn)},
		{Name: "dvcbot_zalo_messages_month", Labels: map[string]string{"direction": "out"}, Value: float64(s.MessagesOut)},
		{Name: "dvcbot_zalo_users", Value: float64(s.Users)},
	}
}
