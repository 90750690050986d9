package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/internal/sampledata"
	"dvcbot/scoring"
	"dvcbot/store"
)

// The sample year: the demo's 13 hamlets reporting from 01/01/2026 to the
// evening of 28/11/2026, with spot checks, one failed, and an exclusion.
var (
	sampleCfg = config.Sample()
	zoneLoc   = sampleCfg.Loc()
	sampleNow = time.Date(2026, 11, 28, 20, 5, 0, 0, zoneLoc)
)

// params are the campaign rules of the sample configuration, as the bot
// builds them (wiring.ScoringParams, which imports this package and so
// cannot be called from its tests).
func params() scoring.Params {
	c := sampleCfg
	loc := c.Loc()
	p := scoring.Params{
		CampaignStart:             scoring.DateOf(c.Campaign.Start, loc),
		CampaignEnd:               scoring.DateOf(c.Campaign.End, loc),
		DailyTarget:               c.Campaign.DailyTarget,
		CoverageThreshold:         c.Awards.CoverageThreshold,
		SpecialHouseholdThreshold: c.Awards.SpecialHouseholdThreshold,
		SpecialMinShare:           c.Awards.SpecialMinShare,
		MaxCollectives:            c.Awards.MaxCollectives,
		MaxIndividuals:            c.Awards.MaxIndividuals,
		SpecialPrizes:             c.Awards.SpecialPrizes,
	}
	for _, d := range c.Campaign.DaysOff {
		p.DaysOff = append(p.DaysOff, scoring.DateOf(d, loc))
	}
	return p
}

// The people of the tests: the sample's officers (200001 is the head of
// the first hamlet, 200002 its officer), plus an admin and a zone leader.
const (
	adminID      campaign.PersonID = 100001
	zoneLeaderID campaign.PersonID = 100002
	inspectorID  campaign.PersonID = 100003
	headID       campaign.PersonID = 200001 // trưởng ấp of the first hamlet
	officerID    campaign.PersonID = 200002 // cán bộ of the first hamlet
)

var shared struct {
	once sync.Once
	dir  string
	db   *store.DB
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.db != nil {
		shared.db.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sampleDB is the sample year, made once per test binary. Tests must not
// write to it (they make their own store for that).
func sampleDB(t testing.TB) *store.DB {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "dvcbot-web-test-")
		if shared.err != nil {
			return
		}
		shared.db, shared.err = fillSample(filepath.Join(shared.dir, "sample.db"))
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.db
}

// fillSample makes a store with the sample year and the extra people.
func fillSample(path string) (*store.DB, error) {
	now := sampleNow
	db, err := store.Open(path, store.Options{Now: func() time.Time { return now }, Location: zoneLoc, NoSync: true})
	if err != nil {
		return nil, err
	}
	c := sampleCfg
	if _, err := sampledata.Fill(db, sampledata.Options{Hamlets: c.Hamlets, Procedures: c.Procedures,
		Start: c.Campaign.Start, End: c.Campaign.End, Location: zoneLoc, Now: now, Extras: true}); err != nil {
		db.Close()
		return nil, err
	}
	err = db.Update(func(tx *store.Tx) error {
		for _, o := range []campaign.Officer{
			{ID: adminID, FullName: "Quản Trị Thử", Role: campaign.RoleAdmin, Active: true},
			{ID: zoneLeaderID, FullName: "Lãnh Đạo Thử", Role: campaign.RoleZoneLeader, Active: true},
			{ID: inspectorID, FullName: "Thường Trực Thử", Role: campaign.RoleInspector, Active: true},
		} {
			if err := tx.PutOfficer(o, 0, "officer.test"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// clock is a settable clock shared by a server and its test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// harness is a server over a store, with a clock and a log to inspect.
type harness struct {
	t     testing.TB
	db    *store.DB
	srv   *Server
	clock *clock
	log   *bytes.Buffer
	logMu *sync.Mutex
}

// newHarness makes a server over db at the sample's "now".
func newHarness(t testing.TB, db *store.DB, tweak ...func(*Options)) *harness {
	t.Helper()
	c := sampleCfg
	h := &harness{t: t, db: db, clock: &clock{t: sampleNow}, log: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	opt := Options{
		PublicURL:    "https://dvc.example.vn",
		CampaignName: c.Campaign.Name,
		Params:       params(),
		Location:     zoneLoc,
		Procedures:   c.Procedures,
		FilesDir:     filepath.Join(t.TempDir(), "files"),
		MaxStale:     -1,
		Now:          h.clock.Now,
		Logger:       slog.New(slog.NewTextHandler(lockedWriter{h.logMu, h.log}, nil)),
		Resolve: func(_ context.Context, a chat.Address) (campaign.PersonID, error) {
			var id int64
			if _, err := fmt.Sscan(a.ID, &id); err != nil {
				return 0, err
			}
			return campaign.PersonID(id), nil
		},
	}
	for _, f := range tweak {
		f(&opt)
	}
	srv, err := New(context.Background(), &StoreSource{DB: db}, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	h.srv = srv
	return h
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func (h *harness) logText() string {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	return h.log.String()
}

// link makes a personal link in a write transaction, as /trang will.
func (h *harness) link(p campaign.PersonID, role campaign.Role) string {
	h.t.Helper()
	var u string
	err := h.db.Update(func(tx *store.Tx) (err error) {
		u, err = h.srv.PersonLink(tx, p, role, h.clock.Now())
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// do serves one request and returns the response.
func (h *harness) do(method, target string, body io.Reader, cookies ...*http.Cookie) *http.Response {
	h.t.Helper()
	target = strings.TrimPrefix(target, "https://dvc.example.vn")
	req := httptest.NewRequest(method, target, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec.Result()
}

// session opens a personal link and returns the session cookie.
func (h *harness) session(p campaign.PersonID, role campaign.Role) *http.Cookie {
	h.t.Helper()
	res := h.do("GET", h.link(p, role), nil)
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("opening the link of %d: status %d", p, res.StatusCode)
	}
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			return c
		}
	}
	h.t.Fatal("no session cookie")
	return nil
}

// get fetches a page with a session and returns its status and body.
func (h *harness) get(target string, c *http.Cookie) (int, string) {
	h.t.Helper()
	res := h.do("GET", target, nil, c)
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
