package config

import (
	"strings"
	"testing"
)

// Issue 12 item 11: a short webhook secret is refused, naming the key and
// never showing the secret; the webhook listens on the loopback unless
// told otherwise (a TLS proxy stands in front).
func TestWebhookSecretAndListenDefaults(t *testing.T) {
	if got := Sample().Telegram.Webhook.Listen; got != "127.0.0.1:8443" {
		t.Errorf("default telegram.webhook.listen = %q, want 127.0.0.1:8443", got)
	}
	c, err := Load("", nil)
	if err != nil || c.Telegram.Webhook.Listen != "127.0.0.1:8443" {
		t.Errorf("Load without a file: listen %q, %v", c.Telegram.Webhook.Listen, err)
	}
	for _, tc := range []struct {
		secret string
		ok     bool
	}{
		{"abc", false},
		{"Short_Secret-15", false}, // 15
		{"Long_Secret-16ch", true}, // 16
		{strings.Repeat("x", 256), true},
	} {
		for _, forServe := range []bool{false, true} {
			c := Sample()
			c.Telegram.Token, c.Telegram.Mode = "1:a", ModeWebhook
			c.Telegram.Webhook.URL, c.Telegram.Webhook.SecretToken = "https://bot.example.vn/tg", tc.secret
			err := c.Validate(forServe)
			if tc.ok && err != nil {
				t.Errorf("secret of %d characters: %v", len(tc.secret), err)
			}
			if !tc.ok {
				ps := Problems(err)
				if len(ps) != 1 || ps[0].Key != "telegram.webhook.secret_token" || !strings.Contains(ps[0].Msg, "ít nhất 16 ký tự") {
					t.Errorf("secret of %d characters: %v, want one problem on telegram.webhook.secret_token", len(tc.secret), err)
				}
				if strings.Contains(err.Error(), tc.secret) {
					t.Errorf("the error shows the secret: %v", err)
				}
			}
		}
	}
}
