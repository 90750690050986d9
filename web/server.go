package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
)

// Options configures a Server. PublicURL and Params are required; every
// other field has a default.
type Options struct {
	// PublicURL is the https address the reverse proxy answers and forwards
	// here (web.public_url); links are built on it, and a path in it
	// ("https://host/bang") is where the pages live.
	PublicURL string
	// CampaignName heads the pages.
	CampaignName string
	// Params are the campaign's rules, as the bot's.
	Params scoring.Params
	// Location is the campaign time zone (UTC when nil).
	Location *time.Location
	// Procedures is the catalogue, for the names of procedures.
	Procedures []campaign.Procedure

	// LinkTTL is how long a personal link and its session last (web.link_ttl, default 30 days).
	LinkTTL time.Duration
	// FileTTL is how long a file link lasts (web.file_ttl, default 24 h).
	FileTTL time.Duration
	// FileUses is how many downloads a file link allows (web.file_uses, default 3).
	FileUses int
	// FilesDir holds the files behind file links (web.files_dir). Files
	// are refused when it is empty.
	FilesDir string
	// PhotoTTL is how long a one-time photo URL waits for its fetch (default 2 minutes).
	PhotoTTL time.Duration

	// Resolve finds the person an address belongs to, for file links sent
	// to a chat (Files.Link). Nil: every file link is refused.
	Resolve func(ctx context.Context, to chat.Address) (campaign.PersonID, error)
	// Dossier builds a hamlet's award dossier as of a day (the bot's
	// Engine.Dossier with dossier.Proposal and dossier.Minutes). Nil: the
	// admins' pages offer no DOCX.
	Dossier func(ctx context.Context, hamletID string, at scoring.Date) (Dossier, error)
	// Photo fetches an evidence photo by the reference a record keeps
	// (Telegram's file_id). Nil: the household list names the photos
	// without showing them.
	Photo func(ctx context.Context, ref string) (data []byte, err error)

	// PerMinute and Burst limit each person's requests (default 120 a
	// minute, 120 at once: 60 pages a minute are never stopped).
	PerMinute, Burst int
	// MaxStale is how old the zone's figures may be while newer ones are
	// computed (default 30 s; 0 in tests that want every change at once is
	// given as a negative value).
	MaxStale time.Duration
	// PageSize is how many hamlets, households or candidates a page lists
	// (default 50).
	PageSize int

	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Logger receives one line per request (method, route, status,
	// duration: never a token, a name or a query) and errors.
	Logger *slog.Logger
}

// Dossier is a hamlet's award dossier as documents.
type Dossier struct {
	Proposal []byte // Tờ trình (DOCX); nil when there is nothing to propose
	Minutes  []byte // Biên bản họp xét (DOCX)
}

// Server is the dashboard and the file links: one http.Handler for the
// listener behind the reverse proxy.
type Server struct {
	src    Source
	opt    Options
	sign   signer
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger
	public string // PublicURL without a trailing slash
	origin string // its scheme and host, as browsers send them in Origin
	base   string // its path ("" or "/bang")
	secure bool   // PublicURL is https
	mux    *http.ServeMux
	limit  *limiter
	zones  zoneCache
	files  *Files
	pages  *template.Template
	procs  map[string]string

	ctx    context.Context // background work (zone builds) ends with Close
	cancel context.CancelFunc
	bg     sync.WaitGroup // background builds of the zone's figures
}

// New makes the server, reading (or creating) the signing key from src.
func New(ctx context.Context, src Source, opt Options) (*Server, error) {
	u, err := url.Parse(opt.PublicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("web: public URL %q: want https://host[/path]", opt.PublicURL)
	}
	if err := opt.Params.Validate(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.LinkTTL <= 0 {
		opt.LinkTTL = 30 * 24 * time.Hour
	}
	if opt.FileTTL <= 0 {
		opt.FileTTL = 24 * time.Hour
	}
	if opt.FileUses <= 0 {
		opt.FileUses = 3
	}
	if opt.PhotoTTL <= 0 {
		opt.PhotoTTL = 2 * time.Minute
	}
	if opt.PerMinute <= 0 {
		opt.PerMinute = 120
	}
	if opt.Burst <= 0 {
		opt.Burst = 120
	}
	switch {
	case opt.MaxStale == 0:
		opt.MaxStale = 30 * time.Second
	case opt.MaxStale < 0:
		opt.MaxStale = 0
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 50
	}
	if opt.CampaignName == "" {
		opt.CampaignName = "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến"
	}
	key, err := src.Key(ctx)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		src: src, opt: opt, sign: signer{key: key}, loc: opt.Location, now: opt.Now, log: opt.Logger,
		public: strings.TrimRight(opt.PublicURL, "/"), origin: u.Scheme + "://" + u.Host, base: strings.TrimRight(u.EscapedPath(), "/"),
		secure: u.Scheme == "https", limit: newLimiter(opt.PerMinute, opt.Burst), pages: pages,
		procs: map[string]string{},
	}
	for _, p := range opt.Procedures {
		s.procs[p.ID] = p.Name
	}
	s.ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.files = &Files{s: s, photos: map[string]photo{}}
	s.routes()
	return s, nil
}

// Close stops background work (a zone build in progress).
func (s *Server) Close() {
	s.cancel()
	s.bg.Wait() // a figures build in flight ends before the store may close
}

// Files is the server's file links (issue 10: documents and pictures for
// channels that cannot send them).
func (s *Server) Files() *Files { return s.files }

// routes registers every page. Anything else is 404.
func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.page(s.overview, pageOpts{}))
	m.HandleFunc("GET /v/{token}", s.openLink)
	m.HandleFunc("GET /ap/{hamlet}", s.page(s.hamlet, pageOpts{}))
	m.HandleFunc("GET /ap/{hamlet}/ho", s.page(s.households, pageOpts{admin: true}))
	m.HandleFunc("POST /ap/{hamlet}/ho", s.page(s.households, pageOpts{admin: true}))
	m.HandleFunc("GET /toi", s.page(s.me, pageOpts{}))
	m.HandleFunc("GET /tai/danh-sach", s.page(s.downloadEvidence, pageOpts{admin: true}))
	m.HandleFunc("GET /tai/danh-sach/{hamlet}", s.page(s.downloadEvidence, pageOpts{admin: true}))
	m.HandleFunc("GET /tai/ho-so/{hamlet}/{doc}", s.page(s.downloadDossier, pageOpts{admin: true}))
	m.HandleFunc("GET /anh-minh-chung/{record}/{n}", s.page(s.evidencePhoto, pageOpts{admin: true}))
	m.HandleFunc("POST /thoat", s.logout)
	m.HandleFunc("GET /tep/{token}", s.files.landing)
	m.HandleFunc("GET /tep/{token}/tai", s.files.download)
	m.HandleFunc("GET /anh/{name}", s.files.servePhoto)
	m.HandleFunc("GET /kieu.css", s.stylesheet)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) })
	s.mux = m
}

// ServeHTTP serves every request: security headers first, then the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h := rec.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	h.Set("Cache-Control", "no-store")
	if s.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	defer func() { s.logRequest(r, rec, start) }() // r as routed: its Pattern
	if s.base != "" {
		rest, ok := strings.CutPrefix(r.URL.Path, s.base)
		if !ok || (rest != "" && rest[0] != '/') {
			s.notFound(rec, r)
			return
		}
		if rest == "" {
			rest = "/"
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = rest, ""
		r = r2
	}
	s.mux.ServeHTTP(rec, r)
}

// logRequest logs the route pattern, never the path itself: paths carry
// tokens, and search terms are never in them.
func (s *Server) logRequest(r *http.Request, w *statusWriter, start time.Time) {
	route := r.Pattern
	if route == "" {
		route = "(không có)"
	}
	s.log.Info("web request", "method", r.Method, "route", route, "status", w.status,
		"ms", float64(time.Since(start).Microseconds())/1000)
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// url is a path of the server as the browser sees it (under the base).
func (s *Server) url(path string) string { return s.base + path }

// errNotFound is a page's answer for what does not exist (or may not be
// shown to this viewer): a 404 with a Vietnamese page.
var errNotFound = errors.New("web: not found")
