package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Masked is what a set secret is replaced with in any printed form.
const Masked = "***"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return Masked
}

// Redacted returns a copy of c fit for printing: the bot token and the
// webhook secret, when set, are replaced by "***".
func (c Config) Redacted() Config {
	c.Telegram = c.Telegram.redacted()
	c.Zalo = c.Zalo.redacted()
	return c
}

func (t Telegram) redacted() Telegram {
	t.Token = mask(t.Token)
	t.Webhook = t.Webhook.redacted()
	return t
}

func (z Zalo) redacted() Zalo {
	z.Token = mask(z.Token)
	z.Webhook = z.Webhook.redacted()
	return z
}

func (w Webhook) redacted() Webhook {
	w.SecretToken = mask(w.SecretToken)
	return w
}

// Types without methods, so that printing them does not recurse.
type (
	plainTelegram Telegram
	plainZalo     Zalo
	plainWebhook  Webhook
)

// Format prints t, whatever the verb, with its secrets masked; this also
// covers a Config printed with %v, %+v or %#v.
func (t Telegram) Format(f fmt.State, verb rune) {
	type Telegram plainTelegram // same name for %#v, without the method
	fmt.Fprintf(f, fmt.FormatString(f, verb), Telegram(t.redacted()))
}

// Format prints z, whatever the verb, with its secrets masked.
func (z Zalo) Format(f fmt.State, verb rune) {
	type Zalo plainZalo // same name for %#v, without the method
	fmt.Fprintf(f, fmt.FormatString(f, verb), Zalo(z.redacted()))
}

// MarshalJSON encodes z with its secrets masked.
func (z Zalo) MarshalJSON() ([]byte, error) {
	return json.Marshal(plainZalo(z.redacted()))
}

// Format prints w, whatever the verb, with its secret masked.
func (w Webhook) Format(f fmt.State, verb rune) {
	type Webhook plainWebhook // same name for %#v, without the method
	fmt.Fprintf(f, fmt.FormatString(f, verb), Webhook(w.redacted()))
}

// MarshalJSON encodes t with its secrets masked.
func (t Telegram) MarshalJSON() ([]byte, error) {
	return json.Marshal(plainTelegram(t.redacted()))
}

// MarshalJSON encodes w with its secret masked.
func (w Webhook) MarshalJSON() ([]byte, error) {
	return json.Marshal(plainWebhook(w.redacted()))
}

// LogValue logs the configuration with its secrets masked.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	return slog.GroupValue(
		slog.String("source", r.Source),
		slog.String("campaign", r.Campaign.Name),
		slog.String("timezone", r.Campaign.Timezone),
		slog.Int("hamlets", len(r.Hamlets)),
		slog.Int("procedures", len(r.Procedures)),
		slog.String("telegram_mode", r.Telegram.Mode),
		slog.String("telegram_token", r.Telegram.Token),
		slog.String("zalo_mode", r.Zalo.Mode),
		slog.String("zalo_token", r.Zalo.Token),
		slog.String("store_path", r.Store.Path),
	)
}
