package zalo

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// SecretHeader carries the webhook secret in every push.
const SecretHeader = "X-Bot-Api-Secret-Token"

// WebhookHandler serves Zalo's pushes, for Run (Options.Listen) or for a
// listener of the caller's. In order: POST only (405); the secret header
// compared in constant time (401 and nothing handled when it is wrong or
// missing); a body over MaxWebhookBody is 413 and unreadable JSON 400; a
// body without a message (setWebhook's probe) is 200. Each update is
// deduplicated on event_name:message_id and handed to the Handler given to
// Run; the answer is 200 only after Handle returned nil. Zalo never
// re-delivers, so a Handle error answers 500 and is logged (ids only).
// Before Run set a handler the answer is 503. Replies are sent afterwards,
// through the sender.
func (t *Transport) WebhookHandler() http.Handler {
	secret := []byte(t.o.SecretToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get(SecretHeader)
		if len(secret) == 0 || subtle.ConstantTimeCompare([]byte(got), secret) != 1 {
			t.log.Warn("zalo: webhook push refused: wrong or missing secret token", "remote", r.RemoteAddr, "header_present", got != "")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				t.log.Warn("zalo: webhook push refused: body too large", "remote", r.RemoteAddr, "limit", MaxWebhookBody)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		ups, err := DecodeUpdate(body)
		if err != nil {
			t.log.Warn("zalo: webhook push refused: not an update", "remote", r.RemoteAddr, "bytes", len(body))
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		if len(ups) == 0 {
			w.WriteHeader(http.StatusOK) // setWebhook's probe
			return
		}
		hp := t.handler.Load()
		if hp == nil {
			http.Error(w, "not running", http.StatusServiceUnavailable)
			return
		}
		// Handle to the end even if Zalo hangs up: the engine commits.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), t.o.HandleTimeout)
		defer cancel()
		for _, u := range ups {
			if err := t.process(ctx, *hp, u); err != nil {
				http.Error(w, "not handled", http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	})
}

// pollLoop is polling mode: deleteWebhook, then getUpdates until ctx
// ends. A 408 is an idle poll; a 401 ends it with ErrUnauthorized; other
// failures wait a jittered exponential backoff. An update whose Handle
// failed is logged and lost (getUpdates has no offset to re-read it).
func (t *Transport) pollLoop(ctx context.Context, h Handler) error {
	failures := 0
	for {
		err := t.api.DeleteWebhook(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		if IsUnauthorized(err) {
			return ErrUnauthorized
		}
		failures++
		t.log.Warn("zalo: deleteWebhook failed; retrying", "err", err)
		if !t.wait(ctx, t.backoff(failures, t.o.BackoffMax)) {
			return nil
		}
	}
	t.log.Info("zalo: polling for updates", "timeout", t.o.PollTimeout)
	secs := int(t.o.PollTimeout / time.Second)
	failures = 0
	for {
		ups, err := t.poller.GetUpdates(ctx, secs)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if IsUnauthorized(err) {
				return ErrUnauthorized
			}
			failures++
			d := t.backoff(failures, t.o.BackoffMax)
			t.log.Warn("zalo: getUpdates failed; backing off", "err", err, "wait", d, "failures", failures)
			if !t.wait(ctx, d) {
				return nil
			}
			continue
		}
		failures = 0
		for _, u := range ups {
			// Taken from Zalo: handle it to the end even if Run is stopped.
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.o.HandleTimeout)
			_ = t.process(hctx, h, u) // errors are logged by process
			cancel()
		}
	}
}

// backoff is the jittered exponential wait after n consecutive failures:
// BackoffMin·2^(n-1), capped, then drawn between half and all of it.
func (t *Transport) backoff(n int, cap time.Duration) time.Duration {
	d := t.o.BackoffMin
	for i := 1; i < n && d < cap; i++ {
		d *= 2
	}
	d = min(d, cap)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// wait waits d on the transport's clock; false when ctx ended first.
func (t *Transport) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	select {
	case <-t.o.After(d):
		return true
	case <-ctx.Done():
		return false
	}
}
