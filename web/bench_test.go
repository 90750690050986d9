package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Speed of the dashboard (BENCHMARKS.md):
//
//	go test ./web -run '^$' -bench . -benchtime 20x
//
// "warm" serves a page from the zone's figures already computed (the
// common case: the store has not changed since the last page); "cold"
// drops them first, so that each page reads every fact and computes the
// zone's figures again (the first page after a report).

func benchServer(b *testing.B) (*harness, *http.Cookie) {
	b.Helper()
	// One person asking again and again: no request limit here.
	h := newHarness(b, sampleDB(b), func(o *Options) { o.PerMinute, o.Burst = 1<<30, 1<<30 })
	return h, h.session(zoneLeaderID, campaign.RoleZoneLeader)
}

func (s *Server) dropZone() {
	s.zones.mu.Lock()
	s.zones.cur = nil
	s.zones.mu.Unlock()
}

func benchPage(b *testing.B, h *harness, c *http.Cookie, target string, cold bool) {
	b.Helper()
	req := httptest.NewRequest("GET", target, nil)
	req.AddCookie(c)
	if !cold {
		h.srv.ServeHTTP(httptest.NewRecorder(), req) // the figures and the page's content, once
	}
	loopCPU(b, func() {
		if cold {
			h.srv.dropZone()
		}
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d", target, rec.Code)
		}
	})
}

func BenchmarkOverview(b *testing.B) {
	h, c := benchServer(b)
	b.Run("warm", func(b *testing.B) { benchPage(b, h, c, "/", false) })
	b.Run("cold", func(b *testing.B) { benchPage(b, h, c, "/", true) })
}

func BenchmarkHamletPage(b *testing.B) {
	h, c := benchServer(b)
	b.Run("warm", func(b *testing.B) { benchPage(b, h, c, "/ap/bai-nha", false) })
	b.Run("cold", func(b *testing.B) { benchPage(b, h, c, "/ap/bai-nha", true) })
}

// BenchmarkLeadersAtOnce: at 20:00, a report has just changed the store
// (the zone's figures are dropped) and 100 leaders, each with their own
// session, open the overview at the same moment over real HTTP connections.
// It reports the latencies' median, 99th percentile and maximum.
func BenchmarkLeadersAtOnce(b *testing.B) {
	h := newHarness(b, sampleDB(b), func(o *Options) { o.MaxStale = 30 * time.Second })
	ts := httptest.NewServer(h.srv)
	defer ts.Close()
	const leaders = 100
	cookies := make([]*http.Cookie, leaders)
	for i := range cookies {
		// Every leader a person of their own: the request limit is per person.
		id := campaign.PersonID(300000 + i)
		if err := h.db.Update(func(tx *store.Tx) error {
			return tx.PutOfficer(campaign.Officer{ID: id, FullName: fmt.Sprintf("Lãnh đạo %d", i), Role: campaign.RoleZoneLeader, Active: true}, 0, "officer.bench")
		}); err != nil {
			b.Fatal(err)
		}
		cookies[i] = h.session(id, campaign.RoleZoneLeader)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: leaders}}
	var all []time.Duration
	for b.Loop() {
		h.srv.dropZone()
		lat := make([]time.Duration, leaders)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range leaders {
			wg.Go(func() {
				req, _ := http.NewRequest("GET", ts.URL+"/", nil)
				req.AddCookie(cookies[i])
				<-start
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				lat[i] = time.Since(t0)
				if res.StatusCode != 200 {
					b.Errorf("leader %d: %d", i, res.StatusCode)
				}
			})
		}
		close(start)
		wg.Wait()
		all = append(all, lat...)
	}
	slices.Sort(all)
	q := func(f float64) float64 { return float64(all[int(f*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
}

// Country scale (10,000 hamlets, 100,000 officers, 2,000,000 records): the
// file store's scale benchmarks generate, read only here. Generate it first
// (3–4 minutes, 5 GB):
//
//	DVCBOT_SCALE=1 go test ./store -run '^$' -bench 'ScaleLeaderboard$' -benchtime 1x -timeout 3h
//	DVCBOT_SCALE=1 go test ./web -run '^$' -bench Country -benchtime 5x -timeout 1h
func BenchmarkCountry(b *testing.B) {
	if os.Getenv("DVCBOT_SCALE") != "1" {
		b.Skip("DVCBOT_SCALE=1 runs the country-scale benchmarks")
	}
	path := filepath.Join(os.TempDir(), "dvcbot-scale", "country-v8-10000.db")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("no country file at %s: generate it with the store's scale benchmarks", path)
	}
	now := time.Date(2026, 11, 28, 20, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	db, err := store.Open(path, store.Options{Now: func() time.Time { return now }, Location: now.Location(), ReadOnly: true, Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	p := scoring.DefaultParams()
	src := &readOnlySource{StoreSource: &StoreSource{DB: db}}
	srv, err := New(context.Background(), src, Options{PublicURL: "https://dvc.example.vn", Params: p, Location: now.Location(),
		Now: func() time.Time { return now }, MaxStale: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := &harness{t: b, db: db, srv: srv, clock: &clock{t: now}}
	tok := srv.sign.grantToken(labelSession, grant{Person: benchLeader, Role: campaign.RoleZoneLeader, Expires: now.Add(time.Hour)})
	c := &http.Cookie{Name: sessionCookie, Value: tok}
	t0 := time.Now()
	if err := srv.Warm(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("zone figures at country scale computed in %v", time.Since(t0))
	b.Run("overview-warm", func(b *testing.B) { benchPage(b, h, c, "/", false) })
	b.Run("overview-page-100", func(b *testing.B) { benchPage(b, h, c, "/?trang=100", false) })
	b.Run("hamlet-warm", func(b *testing.B) { benchPage(b, h, c, "/ap/ap-04321", false) })
	b.Run("overview-cold", func(b *testing.B) { benchPage(b, h, c, "/", true) })
}

// benchLeader is the zone leader of the country benchmarks (not in the file).
const benchLeader campaign.PersonID = 9_000_001

// readOnlySource serves a read-only store: a fixed key and a zone leader
// of its own.
type readOnlySource struct{ *StoreSource }

func (readOnlySource) Key(context.Context) ([]byte, error) {
	return []byte("country-scale benchmark key 32b!"), nil
}

func (s readOnlySource) Person(ctx context.Context, id campaign.PersonID) (Person, error) {
	if id == benchLeader {
		return Person{ID: id, Name: "Lãnh đạo", Role: campaign.RoleZoneLeader, Active: true}, nil
	}
	return s.StoreSource.Person(ctx, id)
}
