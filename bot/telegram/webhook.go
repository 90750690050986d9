package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dvcbot/bot"
)

// MaxWebhookBody is the largest update body WebhookHandler accepts.
const MaxWebhookBody = 1 << 20

// SetWebhook asks Telegram to deliver updates to url, with secretToken in
// the X-Telegram-Bot-Api-Secret-Token header of every delivery (the
// library's WebhookConfig predates secret tokens).
func (t *Transport) SetWebhook(ctx context.Context, url, secretToken string) error {
	params := tgbotapi.Params{"url": url}
	params.AddNonEmpty("secret_token", secretToken)
	_, err := t.bot(ctx).MakeRequest("setWebhook", params)
	if err = t.outcome(err); err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", err)
	}
	return nil
}

// DeleteWebhook removes the webhook so that polling works again.
func (t *Transport) DeleteWebhook(ctx context.Context, dropPending bool) error {
	if _, err := t.request(ctx, tgbotapi.DeleteWebhookConfig{DropPendingUpdates: dropPending}); err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", err)
	}
	return nil
}

// WebhookHandler serves Telegram's webhook deliveries: it checks the
// secret token (401 and a log line without the token when it is wrong or
// missing), limits the body to MaxWebhookBody, hands the update to h and
// answers 200 only after Handle returned, so the update is stored before
// Telegram considers it delivered. A Handle error answers 500 and Telegram
// retries (h must recognise a re-delivered update). Replies are queued as
// in polling mode. Stop with Shutdown.
func (t *Transport) WebhookHandler(h bot.Handler, secretToken string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if secretToken != "" && subtle.ConstantTimeCompare([]byte(got), []byte(secretToken)) != 1 {
			t.log.Warn("telegram: webhook request refused: wrong or missing secret token", "remote", r.RemoteAddr, "header_present", got != "")
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxWebhookBody)).Decode(&u); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				t.log.Warn("telegram: webhook body too large", "remote", r.RemoteAddr, "limit", MaxWebhookBody)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		it := t.translate(0, &u)
		if err := t.process(r.Context(), h, it); err != nil {
			http.Error(w, "not handled; retry", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
