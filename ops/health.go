// Package ops is the operator's view of a running bot: /healthz (is it
// working?) and /metrics (Prometheus text format, from a private registry).
//
// It knows nothing of Telegram, bbolt or the engine: the caller hands it
// small functions (when did Telegram last answer, how deep is the outbox)
// and records what happens through Metrics. No package-level state: every
// Metrics has its own registry, so tests and several bots in one process
// do not collide.
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrSkipped marks a check that could not be made (for instance, nothing
// to check yet); a skipped check does not make the bot unhealthy. Wrap it:
// fmt.Errorf("no scheduler: %w", ops.ErrSkipped).
var ErrSkipped = errors.New("check skipped")

// Check is one named health check.
type Check struct {
	Name string
	// Run returns a short description of what it saw, and nil when
	// healthy, an error wrapping ErrSkipped when it cannot tell, or the
	// problem. It must not block beyond ctx.
	Run func(ctx context.Context) (detail string, err error)
}

// CheckResult is one check in the /healthz answer.
type CheckResult struct {
	Name   string `json:"name"`
	Status string `json:"status"` // "ok", "fail" or "skipped"
	Detail string `json:"detail,omitempty"`
}

// Report is the /healthz answer: Status is "ok" when no check failed.
type Report struct {
	Status string        `json:"status"`
	Time   time.Time     `json:"time"`
	Checks []CheckResult `json:"checks"`
}

// Healthy reports whether no check failed.
func (r Report) Healthy() bool { return r.Status == "ok" }

// checkTimeout bounds one check.
const checkTimeout = 3 * time.Second

// Evaluate runs the checks in order.
func Evaluate(ctx context.Context, now time.Time, checks []Check) Report {
	rep := Report{Status: "ok", Time: now.UTC()}
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		detail, err := c.Run(cctx)
		cancel()
		res := CheckResult{Name: c.Name, Status: "ok", Detail: detail}
		switch {
		case errors.Is(err, ErrSkipped):
			res.Status = "skipped"
			res.Detail = joinDetail(detail, err)
		case err != nil:
			res.Status = "fail"
			res.Detail = joinDetail(detail, err)
			rep.Status = "fail"
		}
		rep.Checks = append(rep.Checks, res)
	}
	return rep
}

func joinDetail(detail string, err error) string {
	if detail == "" {
		return err.Error()
	}
	return detail + ": " + err.Error()
}

// StoreCheck is healthy when ping (a read transaction on the data file)
// succeeds.
func StoreCheck(ping func() error) Check {
	return Check{Name: "store", Run: func(context.Context) (string, error) {
		if err := ping(); err != nil {
			return "", fmt.Errorf("data file not readable: %w", err)
		}
		return "data file open", nil
	}}
}

// TelegramCheck is healthy when the Bot API answered a request within the
// last window (lastOK is the time of its last answer).
func TelegramCheck(lastOK, now func() time.Time, window time.Duration) Check {
	return Check{Name: "telegram", Run: func(context.Context) (string, error) {
		last := lastOK()
		if last.IsZero() {
			return "", errors.New("the Bot API never answered")
		}
		ago := now().Sub(last).Round(time.Second)
		detail := fmt.Sprintf("last answer %s ago", ago)
		if ago > window {
			return detail, fmt.Errorf("the Bot API has not answered for more than %s", window)
		}
		return detail, nil
	}}
}

// WriteCheck is healthy while the last write of an update succeeded
// (lastWrite returns nil), failing from a failed write until the next
// successful one: a full disk turns /healthz red.
func WriteCheck(lastWrite func() error) Check {
	return Check{Name: "writes", Run: func(context.Context) (string, error) {
		if err := lastWrite(); err != nil {
			return "", err
		}
		return "last write ok", nil
	}}
}

// QuotaCheck shows a quota-limited channel's use this month; it fails when
// a quota is used up (the channel then answers nothing).
func QuotaCheck(name string, stats func() ZaloStats) Check {
	return Check{Name: name + "_quota", Run: func(context.Context) (string, error) {
		z := stats()
		used := z.MessagesIn + z.MessagesOut
		detail := fmt.Sprintf("%s: %d/%d messages (in %d, out %d), %d/%d users", z.Month, used, z.MessageQuota, z.MessagesIn, z.MessagesOut, z.Users, z.UserQuota)
		switch {
		case z.MessageQuota > 0 && used >= z.MessageQuota:
			return detail, errors.New("the monthly message quota is used up")
		case z.UserQuota > 0 && z.Users > z.UserQuota:
			return detail, errors.New("more people than the plan's user quota")
		}
		return detail, nil
	}}
}

// OutboxCheck is healthy unless a scheduled post has been due for longer
// than maxDelay without being sent. oldestDue returns when the
// longest-waiting pending post became due, and false when nothing is
// pending; nil oldestDue makes the check skipped.
func OutboxCheck(oldestDue func() (time.Time, bool, error), now func() time.Time, maxDelay time.Duration) Check {
	return Check{Name: "outbox", Run: func(context.Context) (string, error) {
		if oldestDue == nil {
			return "", fmt.Errorf("no outbox to watch: %w", ErrSkipped)
		}
		due, pending, err := oldestDue()
		if err != nil {
			return "", fmt.Errorf("read outbox: %w", err)
		}
		if !pending {
			return "nothing pending", nil
		}
		late := now().Sub(due).Round(time.Second)
		if late <= 0 {
			return "pending posts, none due yet", nil
		}
		detail := fmt.Sprintf("oldest due post waiting %s", late)
		if late > maxDelay {
			return detail, fmt.Errorf("posts are stuck: due for more than %s", maxDelay)
		}
		return detail, nil
	}}
}

// Handler serves GET /healthz (the Report as JSON; 200 when healthy, 503
// otherwise) and GET /metrics (Prometheus text format from m's registry).
func Handler(m *Metrics, now func() time.Time, checks []Check) http.Handler {
	if now == nil {
		now = time.Now
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		rep := Evaluate(r.Context(), now(), checks)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if !rep.Healthy() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
	})
	if m != nil {
		mux.Handle("GET /metrics", m.Handler())
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "dvcbot: /healthz (health, JSON), /metrics (Prometheus)")
	})
	return mux
}

// Serve serves h on ln until ctx ends, then shuts down gracefully (at
// most 5 s for requests in flight).
func Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("ops: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("ops: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("ops: serve: %w", err)
	}
	return nil
}
