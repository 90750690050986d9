package zalo

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Configuration keys named in validation errors.
const (
	KeyToken       = "zalo.token"
	KeyEndpoint    = "zalo.api_endpoint"
	KeyMode        = "zalo.mode"
	KeyPollTimeout = "zalo.poll_timeout"
	KeyListen      = "zalo.webhook.listen"
	KeyWebhookURL  = "zalo.webhook.url"
	KeySecret      = "zalo.webhook.secret_token"
)

// Modes of receiving updates.
const (
	ModeWebhook = "webhook" // production: Zalo pushes to WebhookURL
	ModePolling = "polling" // development: getUpdates in a loop
)

// maxIDLen bounds a Zalo id (chat.Address allows 128 characters).
const maxIDLen = 128

// ValidateID checks a Zalo user or group id taken from configuration
// (admin_ids, group_chat_id): 1–128 ASCII letters and digits, as Zalo's
// ids are (such as "6ede9afa1b2c…" for a user). key names the setting in
// the error.
func ValidateID(key, id string) error {
	if id == "" {
		return fmt.Errorf("%s: empty Zalo id", key)
	}
	if len(id) > maxIDLen {
		return fmt.Errorf("%s: Zalo id %.20q… is longer than %d characters", key, id, maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return fmt.Errorf("%s: Zalo id %q may hold only letters and digits (copy it from the bot's answer to an unknown person, or from the logs)", key, id)
		}
	}
	return nil
}

// ValidateSecret checks a webhook secret token: 8 to 256 characters
// (Zalo's limits), printable ASCII so that it travels in a header.
func ValidateSecret(key, secret string) error {
	if n := len(secret); n < 8 || n > 256 {
		return fmt.Errorf("%s: the webhook secret must have 8 to 256 characters (has %d)", key, n)
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("%s: the webhook secret may hold only printable ASCII characters without spaces", key)
		}
	}
	return nil
}

// ValidateWebhookURL checks the public address Zalo pushes to: an
// absolute https URL with a host (Zalo refuses others).
func ValidateWebhookURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %q is not a URL: %w", key, raw, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%s: %q must be a public https:// address (Zalo pushes only to https)", key, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s: the webhook URL must not hold a user name or password", key)
	}
	return nil
}

// Validate checks the options as configured, naming the zalo.* key of
// each problem. New calls it.
func (o Options) Validate() error {
	if o.Token == "" {
		return fmt.Errorf("%s: no Zalo bot token (set it or DVCBOT_ZALO_TOKEN; Zalo Bot Creator shows it)", KeyToken)
	}
	if strings.ContainsAny(o.Token, "/?#% \t\r\n") {
		return fmt.Errorf("%s: the token holds characters a URL path cannot carry; copy it again from Zalo Bot Creator", KeyToken)
	}
	if o.Endpoint != "" && strings.Count(o.Endpoint, "%s") != 2 {
		return fmt.Errorf("%s: %q must contain %%s twice (token, then method), like %s", KeyEndpoint, o.Endpoint, DefaultEndpoint)
	}
	if o.PollTimeout < 0 || o.PollTimeout > 5*time.Minute {
		return fmt.Errorf("%s: %s is out of range (0 for the default 30s, at most 5m)", KeyPollTimeout, o.PollTimeout)
	}
	switch o.Mode {
	case ModePolling:
	case ModeWebhook, "":
		if err := ValidateWebhookURL(KeyWebhookURL, o.WebhookURL); err != nil {
			return err
		}
		if err := ValidateSecret(KeySecret, o.SecretToken); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s: %q is not a mode: use %q (production) or %q (development)", KeyMode, o.Mode, ModeWebhook, ModePolling)
	}
	return nil
}
