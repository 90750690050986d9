package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultEndpoint is the Zalo Bot API URL format: token, then method.
const DefaultEndpoint = "https://bot-api.zaloplatforms.com/bot%s/%s"

// maxAPIBody caps what the client reads of one API answer.
const maxAPIBody = 4 << 20

// Client calls the Zalo Bot Platform API: POST with a JSON body to
// fmt.Sprintf(Endpoint, Token, method), answers in the envelope
// {"ok":true,"result":…} or {"ok":false,"error_code":N,"description":…}.
// The token never appears in an error it returns. The zero value is not
// usable: set Token (Endpoint and HTTP have defaults).
type Client struct {
	// Endpoint is the API URL format, token then method (two %s); empty
	// means DefaultEndpoint.
	Endpoint string
	// Token is the bot token from Zalo Bot Creator.
	Token string
	// HTTP is the client used for every call; nil means a client that
	// follows no redirect (so the token in the path never goes elsewhere)
	// with a 60 s timeout.
	HTTP *http.Client
}

// APIError is an answer of the Bot API with ok:false, or an HTTP error
// status without a readable envelope.
type APIError struct {
	// Code is the envelope's error_code (errorCode in some answers); the
	// HTTP status when the body held no envelope.
	Code int
	// Description is the envelope's description ("Quota exceeded", …).
	Description string
	// HTTPStatus is the HTTP status of the answer.
	HTTPStatus int
}

// Error describes the answer: code, description and HTTP status.
func (e *APIError) Error() string {
	if e.Description == "" {
		return fmt.Sprintf("zalo: error %d (HTTP %d)", e.Code, e.HTTPStatus)
	}
	return fmt.Sprintf("zalo: error %d: %s (HTTP %d)", e.Code, e.Description, e.HTTPStatus)
}

// IsUnauthorized reports a 401: the token is invalid or was reset in Zalo
// Bot Creator. Nothing works until the configuration holds the new token.
func IsUnauthorized(err error) bool { return codeOf(err) == 401 }

// IsIdle reports a 408, an idle getUpdates (no message within the timeout).
func IsIdle(err error) bool { return codeOf(err) == 408 }

// IsQuota reports a 429 "Quota exceeded": the plan's monthly message or
// user quota is used up. Zalo gives no retry_after.
func IsQuota(err error) bool { return codeOf(err) == 429 }

// IsInternal reports a 403, Zalo's label for an internal server error.
func IsInternal(err error) bool { return codeOf(err) == 403 }

// IsNotFound reports a 404 (getWebhookInfo with no webhook set, an unknown
// method).
func IsNotFound(err error) bool { return codeOf(err) == 404 }

func codeOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// NotSentError is a failure before the request was written to Zalo (a dial
// or DNS error, a refused connection): Zalo surely never saw it, so it may
// be sent again.
type NotSentError struct{ Err error }

// Error says the request was not sent, and why.
func (e *NotSentError) Error() string { return "zalo: request not sent: " + e.Err.Error() }

// Unwrap returns the underlying network error.
func (e *NotSentError) Unwrap() error { return e.Err }

// IsNotSent reports whether err surely happened before the request left.
func IsNotSent(err error) bool {
	var ns *NotSentError
	return errors.As(err, &ns)
}

// envelope is every answer of the Bot API.
type envelope struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   flexInt         `json:"error_code"`
	ErrorCodeCC flexInt         `json:"errorCode"`
	Description string          `json:"description"`
}

// call POSTs params as JSON to method and decodes the result into out
// (nil: ignore it). Errors: *APIError for ok:false or an HTTP error,
// *NotSentError when the request never left, anything else (timeouts,
// dropped connections, unreadable answers) when it may have reached Zalo.
// The token is redacted from every error.
func (c *Client) call(ctx context.Context, method string, params any, out any) error {
	if c.Token == "" {
		return fmt.Errorf("zalo: %s: no bot token", method)
	}
	if params == nil {
		params = struct{}{}
	}
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("zalo: %s: encode request: %w", method, err)
	}
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf(endpoint, c.Token, method), bytes.NewReader(body))
	if err != nil {
		return c.redact(fmt.Errorf("zalo: %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	}))
	hc := c.HTTP
	if hc == nil {
		hc = noRedirectClient(nil, 60*time.Second)
	}
	resp, err := hc.Do(req)
	if err != nil {
		err = c.redact(err)
		if !wrote.Load() {
			return fmt.Errorf("zalo: %s: %w", method, &NotSentError{Err: err})
		}
		return fmt.Errorf("zalo: %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return c.redact(fmt.Errorf("zalo: %s: read answer (HTTP %d): %w", method, resp.StatusCode, err))
	}
	var env envelope
	if jerr := json.Unmarshal(raw, &env); jerr != nil || (!env.OK && env.code() == 0 && env.Description == "") {
		if resp.StatusCode >= 300 {
			return fmt.Errorf("zalo: %s: %w", method, &APIError{Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode), HTTPStatus: resp.StatusCode})
		}
		if jerr != nil {
			return fmt.Errorf("zalo: %s: unreadable answer (HTTP %d): %w", method, resp.StatusCode, jerr)
		}
		return fmt.Errorf("zalo: %s: answer without ok or error_code (HTTP %d)", method, resp.StatusCode)
	}
	if !env.OK {
		code := env.code()
		if code == 0 {
			code = resp.StatusCode
		}
		return fmt.Errorf("zalo: %s: %w", method, &APIError{Code: code, Description: c.scrub(env.Description), HTTPStatus: resp.StatusCode})
	}
	if out == nil || len(env.Result) == 0 || string(env.Result) == "null" {
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("zalo: %s: decode result: %w", method, err)
	}
	return nil
}

func (e envelope) code() int {
	if e.ErrorCode != 0 {
		return int(e.ErrorCode)
	}
	return int(e.ErrorCodeCC)
}

// noRedirectClient is a client over rt (nil: http.DefaultTransport) that
// follows no redirect: the token is in the URL path and must reach no
// other host.
func noRedirectClient(rt http.RoundTripper, timeout time.Duration) *http.Client {
	return &http.Client{
		Transport:     rt,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// redact removes the token from err: the URL of a *url.Error (which embeds
// the whole request URL) is rewritten in place, and any other text holding
// the token is wrapped so that its message is scrubbed while errors.Is and
// errors.As still see the cause.
func (c *Client) redact(err error) error {
	if err == nil || c.Token == "" {
		return err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = c.scrub(ue.URL)
	}
	if strings.Contains(err.Error(), c.Token) {
		return &redacted{msg: c.scrub(err.Error()), err: err}
	}
	return err
}

func (c *Client) scrub(s string) string {
	if c.Token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.Token, "<token>")
}

// redacted is an error whose text had the token replaced.
type redacted struct {
	msg string
	err error
}

// Error is the scrubbed message.
func (r *redacted) Error() string { return r.msg }

// Unwrap returns the original error.
func (r *redacted) Unwrap() error { return r.err }

// Me is the bot itself, as getMe describes it.
type Me struct {
	// ID is the bot's id (a string: it does not fit a float64).
	ID string `json:"id"`
	// AccountName is account_name (or name in some answers), such as
	// "bot.VDKyGxQvc".
	AccountName string `json:"account_name"`
	// DisplayName is the name people see, when getMe gives one.
	DisplayName string `json:"display_name,omitempty"`
	// AccountType is "BASIC" on the free plan.
	AccountType string `json:"account_type,omitempty"`
	// CanJoinGroups: the bot may be added to group chats (beta).
	CanJoinGroups bool `json:"can_join_groups"`
}

// UnmarshalJSON accepts name for account_name and a numeric id.
func (m *Me) UnmarshalJSON(b []byte) error {
	var w struct {
		ID            flexString `json:"id"`
		AccountName   string     `json:"account_name"`
		Name          string     `json:"name"`
		DisplayName   string     `json:"display_name"`
		AccountType   string     `json:"account_type"`
		CanJoinGroups flexBool   `json:"can_join_groups"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*m = Me{ID: string(w.ID), AccountName: w.AccountName, DisplayName: w.DisplayName, AccountType: w.AccountType, CanJoinGroups: bool(w.CanJoinGroups)}
	if m.AccountName == "" {
		m.AccountName = w.Name
	}
	return nil
}

// GetMe describes the bot; it also checks the token.
func (c *Client) GetMe(ctx context.Context) (Me, error) {
	var me Me
	if err := c.call(ctx, "getMe", nil, &me); err != nil {
		return Me{}, err
	}
	if me.ID == "" {
		return Me{}, errors.New("zalo: getMe: answer without an id")
	}
	return me, nil
}

// GetUpdates long-polls for up to timeout seconds. Zalo answers one update
// at a time (an array is decoded too, defensively); an idle poll (408) is
// no updates and no error. It fails (400) while a webhook is set.
func (c *Client) GetUpdates(ctx context.Context, timeoutSeconds int) ([]Update, error) {
	var raw json.RawMessage
	// The docs type timeout as a string.
	err := c.call(ctx, "getUpdates", map[string]string{"timeout": strconv.Itoa(timeoutSeconds)}, &raw)
	if IsIdle(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ups, err := DecodeUpdate(raw)
	if err != nil {
		return nil, fmt.Errorf("zalo: getUpdates: %w", err)
	}
	return ups, nil
}

// Verification is Zalo's probe of a webhook URL made by setWebhook.
type Verification struct {
	OK         bool   `json:"ok"`
	Outcome    string `json:"outcome,omitempty"`
	StatusCode int    `json:"status_code,omitempty"`
	Hint       string `json:"hint,omitempty"`
}

// WebhookInfo is the webhook Zalo delivers to.
type WebhookInfo struct {
	URL string `json:"url"`
	// UpdatedAt is in epoch milliseconds.
	UpdatedAt int64 `json:"updated_at"`
	// Verification is set by setWebhook (nil when Zalo sent none).
	Verification *Verification `json:"verification,omitempty"`
}

// UnmarshalJSON accepts numbers written as strings.
func (w *WebhookInfo) UnmarshalJSON(b []byte) error {
	var v struct {
		URL          string  `json:"url"`
		UpdatedAt    flexInt `json:"updated_at"`
		Verification *struct {
			OK         flexBool `json:"ok"`
			Outcome    string   `json:"outcome"`
			StatusCode flexInt  `json:"status_code"`
			Hint       string   `json:"hint"`
		} `json:"verification"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*w = WebhookInfo{URL: v.URL, UpdatedAt: int64(v.UpdatedAt)}
	if v.Verification != nil {
		w.Verification = &Verification{OK: bool(v.Verification.OK), Outcome: v.Verification.Outcome, StatusCode: int(v.Verification.StatusCode), Hint: v.Verification.Hint}
	}
	return nil
}

// SetWebhook asks Zalo to push updates to url (https) with secret (8–256
// characters) in the X-Bot-Api-Secret-Token header. Zalo probes the URL at
// once and saves it even when the probe fails: check Verification.
func (c *Client) SetWebhook(ctx context.Context, webhookURL, secret string) (WebhookInfo, error) {
	var info WebhookInfo
	err := c.call(ctx, "setWebhook", map[string]string{"url": webhookURL, "secret_token": secret}, &info)
	return info, err
}

// DeleteWebhook removes the webhook so that getUpdates works.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	return c.call(ctx, "deleteWebhook", nil, nil)
}

// GetWebhookInfo tells where Zalo pushes updates; ok is false when no
// webhook is set (Zalo answers 404).
func (c *Client) GetWebhookInfo(ctx context.Context) (info WebhookInfo, ok bool, err error) {
	err = c.call(ctx, "getWebhookInfo", nil, &info)
	if IsNotFound(err) {
		return WebhookInfo{}, false, nil
	}
	if err != nil {
		return WebhookInfo{}, false, err
	}
	return info, info.URL != "", nil
}

// TextStyle styles a range of a sendMessage text: Start and Len count
// UTF-16 code units; St holds style codes ("b" for bold).
type TextStyle struct {
	Start int      `json:"start"`
	Len   int      `json:"len"`
	St    []string `json:"st"`
}

// Sent is Zalo's receipt for a message.
type Sent struct {
	MessageID string `json:"message_id"`
	// Date is in epoch milliseconds.
	Date int64 `json:"date"`
}

// UnmarshalJSON accepts a numeric message id or date.
func (s *Sent) UnmarshalJSON(b []byte) error {
	var v struct {
		MessageID flexString `json:"message_id"`
		Date      flexInt    `json:"date"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Sent{MessageID: string(v.MessageID), Date: int64(v.Date)}
	return nil
}

// SendMessage sends text (1–2000 characters) to a chat, with optional
// text_styles.
func (c *Client) SendMessage(ctx context.Context, chatID, text string, styles []TextStyle) (Sent, error) {
	p := struct {
		ChatID string      `json:"chat_id"`
		Text   string      `json:"text"`
		Styles []TextStyle `json:"text_styles,omitempty"`
	}{chatID, text, styles}
	var s Sent
	err := c.call(ctx, "sendMessage", p, &s)
	return s, err
}

// SendPhoto sends the picture at photoURL, which Zalo fetches itself, with
// an optional caption.
func (c *Client) SendPhoto(ctx context.Context, chatID, photoURL, caption string) (Sent, error) {
	p := struct {
		ChatID  string `json:"chat_id"`
		Photo   string `json:"photo"`
		Caption string `json:"caption,omitempty"`
	}{chatID, photoURL, caption}
	var s Sent
	err := c.call(ctx, "sendPhoto", p, &s)
	return s, err
}

// SendChatAction shows an action ("typing") in the chat.
func (c *Client) SendChatAction(ctx context.Context, chatID, action string) error {
	return c.call(ctx, "sendChatAction", map[string]string{"chat_id": chatID, "action": action}, nil)
}
