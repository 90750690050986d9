package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestChecks(t *testing.T) {
	tests := []struct {
		name   string
		check  Check
		status string
		detail string
	}{
		{"store open", StoreCheck(func() error { return nil }), "ok", "data file open"},
		{"store closed", StoreCheck(func() error { return errors.New("database not open") }), "fail", "not readable: database not open"},
		{"telegram recent", TelegramCheck(fixed(t0.Add(-30*time.Second)), fixed(t0), 2*time.Minute), "ok", "last answer 30s ago"},
		{"telegram silent", TelegramCheck(fixed(t0.Add(-3*time.Minute)), fixed(t0), 2*time.Minute), "fail", "not answered for more than 2m0s"},
		{"telegram never", TelegramCheck(fixed(time.Time{}), fixed(t0), 2*time.Minute), "fail", "never answered"},
		{"outbox unknown", OutboxCheck(nil, fixed(t0), 15*time.Minute), "skipped", "no outbox to watch"},
		{"outbox empty", OutboxCheck(func() (time.Time, bool, error) { return time.Time{}, false, nil }, fixed(t0), 15*time.Minute), "ok", "nothing pending"},
		{"outbox waiting retry", OutboxCheck(func() (time.Time, bool, error) { return t0.Add(time.Minute), true, nil }, fixed(t0), 15*time.Minute), "ok", "none due yet"},
		{"outbox flowing", OutboxCheck(func() (time.Time, bool, error) { return t0.Add(-time.Minute), true, nil }, fixed(t0), 15*time.Minute), "ok", "waiting 1m0s"},
		{"outbox stuck", OutboxCheck(func() (time.Time, bool, error) { return t0.Add(-20 * time.Minute), true, nil }, fixed(t0), 15*time.Minute), "fail", "stuck"},
		{"outbox unreadable", OutboxCheck(func() (time.Time, bool, error) { return time.Time{}, false, errors.New("boom") }, fixed(t0), 15*time.Minute), "fail", "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := Evaluate(context.Background(), t0, []Check{tc.check})
			got := rep.Checks[0]
			if got.Status != tc.status || !strings.Contains(got.Detail, tc.detail) {
				t.Fatalf("got %s %q, want %s containing %q", got.Status, got.Detail, tc.status, tc.detail)
			}
			if rep.Healthy() != (tc.status != "fail") {
				t.Fatalf("report status %s with check %s", rep.Status, got.Status)
			}
		})
	}
}

func TestHealthzAnswersJSONWithStatusCode(t *testing.T) {
	healthy := true
	checks := []Check{
		StoreCheck(func() error { return nil }),
		{Name: "flaky", Run: func(context.Context) (string, error) {
			if healthy {
				return "fine", nil
			}
			return "", errors.New("broken")
		}},
	}
	srv := httptest.NewServer(Handler(NewMetrics(Sources{}), fixed(t0), checks))
	defer srv.Close()
	get := func() (int, Report) {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("content type %q", ct)
		}
		var rep Report
		if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, rep
	}
	if code, rep := get(); code != 200 || rep.Status != "ok" || len(rep.Checks) != 2 || rep.Checks[1].Detail != "fine" {
		t.Fatalf("healthy: %d %+v", code, rep)
	}
	healthy = false
	if code, rep := get(); code != 503 || rep.Status != "fail" || rep.Checks[1].Status != "fail" || rep.Checks[0].Status != "ok" {
		t.Fatalf("unhealthy: %d %+v", code, rep)
	}
	resp, err := http.Post(srv.URL+"/healthz", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /healthz: %d", resp.StatusCode)
	}
}

func scrape(t *testing.T, h http.Handler) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func TestMetrics(t *testing.T) {
	backup := time.Unix(1772416800, 0)
	m := NewMetrics(Sources{
		Telegram: func() TelegramStats {
			return TelegramStats{Sent: 7, Failed: 1, APIErrors: map[int]uint64{429: 3, 0: 2}, Queued: 4, LastOK: time.Unix(1772420000, 0)}
		},
		OutboxDepth:    func() (int, error) { return 5, nil },
		LastBackup:     func() time.Time { return backup },
		WebhookPending: func() int { return 2 },
	})
	m.ObserveUpdate(3*time.Millisecond, nil)
	m.ObserveUpdate(30*time.Millisecond, nil)
	m.ObserveUpdate(time.Millisecond, errors.New("x"))
	m.ReportsSaved(2)
	m.BackupDone(nil)
	out := scrape(t, Handler(m, nil, nil))
	for _, want := range []string{
		`dvcbot_updates_handled_total{result="ok"} 2`,
		`dvcbot_updates_handled_total{result="error"} 1`,
		`dvcbot_reports_saved_total 2`,
		`dvcbot_reply_latency_seconds_bucket{le="0.005"} 2`,
		`dvcbot_reply_latency_seconds_bucket{le="0.05"} 3`,
		`dvcbot_reply_latency_seconds_count 3`,
		`dvcbot_telegram_api_errors_total{code="429"} 3`,
		`dvcbot_telegram_api_errors_total{code="0"} 2`,
		`dvcbot_telegram_messages_sent_total 7`,
		`dvcbot_telegram_messages_failed_total 1`,
		`dvcbot_telegram_send_queue 4`,
		`dvcbot_telegram_last_ok_timestamp_seconds 1.77242e+09`,
		`dvcbot_outbox_depth 5`,
		`dvcbot_last_backup_timestamp_seconds 1.7724168e+09`,
		`dvcbot_webhook_pending_updates 2`,
		`dvcbot_backups_total{result="ok"} 1`,
		`dvcbot_backups_total{result="error"} 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestMetricsSurviveAFailingSource(t *testing.T) {
	m := NewMetrics(Sources{OutboxDepth: func() (int, error) { return 0, errors.New("store closed") }})
	m.ReportsSaved(1)
	out := scrape(t, m.Handler())
	if !strings.Contains(out, "dvcbot_reports_saved_total 1") || strings.Contains(out, "dvcbot_outbox_depth") {
		t.Fatalf("metrics with a failing source:\n%s", out)
	}
}

// Two Metrics in one process do not collide (no global registry).
func TestMetricsArePrivate(t *testing.T) {
	a, b := NewMetrics(Sources{}), NewMetrics(Sources{})
	a.ReportsSaved(3)
	if out := scrape(t, b.Handler()); !strings.Contains(out, "dvcbot_reports_saved_total 0") {
		t.Fatalf("b sees a's reports:\n%s", out)
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, Handler(nil, fixed(t0), nil)) }()
	resp, err := http.Get(fmt.Sprintf("http://%s/", ln.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "/healthz") {
		t.Fatalf("index: %q", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
