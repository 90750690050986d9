package zalo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"dvcbot/internal/fakezalo"
)

func newClient(t *testing.T, fo fakezalo.Options) (*Client, *fakezalo.Server) {
	t.Helper()
	if fo.Token == "" {
		fo.Token = testToken
	}
	f := fakezalo.New(fo)
	t.Cleanup(f.Close)
	return &Client{Endpoint: f.Endpoint(), Token: testToken, HTTP: &http.Client{Timeout: 10 * time.Second}}, f
}

func TestClientGetMeAndToken(t *testing.T) {
	c, f := newClient(t, fakezalo.Options{CanJoinGroups: true})
	ctx := context.Background()
	me, err := c.GetMe(ctx)
	if err != nil || me.ID != "1459232241454765289" || !me.CanJoinGroups || me.AccountName != "bot.VDKyGxQvc" {
		t.Fatalf("GetMe = %+v, %v", me, err)
	}
	bad := &Client{Endpoint: f.Endpoint(), Token: "other:token"}
	_, err = bad.GetMe(ctx)
	var ae *APIError
	if !IsUnauthorized(err) || !errors.As(err, &ae) || ae.HTTPStatus != 401 || ae.Description != "Unauthorized" {
		t.Fatalf("wrong token: %v", err)
	}
	// Methods are case-sensitive.
	if err := c.call(ctx, "getme", nil, nil); !IsNotFound(err) {
		t.Fatalf("getme: %v", err)
	}
}

func TestClientRedactsToken(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	dead := srv.URL
	srv.Close()
	c := &Client{Endpoint: dead + "/bot%s/%s", Token: testToken}
	_, err := c.GetMe(context.Background())
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "<token>") {
		t.Fatalf("error %v: token not redacted", err)
	}
	if !IsNotSent(err) {
		t.Fatalf("dial error not classified as not sent: %v", err)
	}
	// A description echoing the token is scrubbed too.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"ok":false,"error_code":400,"description":"bad path ` + r.URL.Path + `"}`))
	}))
	defer echo.Close()
	c = &Client{Endpoint: echo.URL + "/bot%s/%s", Token: testToken}
	if _, err := c.GetMe(context.Background()); err == nil || strings.Contains(err.Error(), testToken) {
		t.Fatalf("error %v: token not scrubbed", err)
	}
}

func TestClientUpdates(t *testing.T) {
	fired := make(chan time.Time, 1)
	fired <- time.Now()
	c, f := newClient(t, fakezalo.Options{After: func(time.Duration) <-chan time.Time { return fired }})
	ctx := context.Background()
	// Idle: 408 is no update, no error.
	ups, err := c.GetUpdates(ctx, 30)
	if err != nil || len(ups) != 0 {
		t.Fatalf("idle poll = %v, %v", ups, err)
	}
	u := f.Private("u1", "Ted", "xin chào")
	f.Enqueue(u)
	ups, err = c.GetUpdates(ctx, 30)
	if err != nil || len(ups) != 1 || ups[0].Message.Text != "xin chào" || ups[0].Key() != EventText+":"+u.Message.MessageID {
		t.Fatalf("GetUpdates = %+v, %v", ups, err)
	}
	// With a webhook set getUpdates fails (400).
	f.SetWebhookDirect("https://example.vn/hook", testSecret)
	if _, err := c.GetUpdates(ctx, 30); codeOf(err) != 400 {
		t.Fatalf("getUpdates with a webhook: %v", err)
	}
}

func TestClientWebhookMethods(t *testing.T) {
	status := http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(SecretHeader) != testSecret {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(status)
	}))
	defer hook.Close()
	c, _ := newClient(t, fakezalo.Options{})
	ctx := context.Background()
	if _, ok, err := c.GetWebhookInfo(ctx); ok || err != nil {
		t.Fatalf("no webhook: ok=%v err=%v", ok, err)
	}
	if _, err := c.SetWebhook(ctx, hook.URL, "short"); codeOf(err) != 400 {
		t.Fatalf("short secret: %v", err)
	}
	info, err := c.SetWebhook(ctx, hook.URL, testSecret)
	if err != nil || info.Verification == nil || !info.Verification.OK || info.Verification.StatusCode != 200 || info.URL != hook.URL {
		t.Fatalf("SetWebhook = %+v, %v", info, err)
	}
	status = http.StatusInternalServerError
	info, err = c.SetWebhook(ctx, hook.URL, testSecret)
	if err != nil || info.Verification == nil || info.Verification.OK || info.Verification.StatusCode != 500 || info.Verification.Hint == "" {
		t.Fatalf("failed probe: %+v, %v", info.Verification, err)
	}
	if got, ok, err := c.GetWebhookInfo(ctx); !ok || err != nil || got.URL != hook.URL {
		t.Fatalf("GetWebhookInfo = %+v %v %v", got, ok, err)
	}
	if err := c.DeleteWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := c.GetWebhookInfo(ctx); ok {
		t.Fatal("webhook still set after deleteWebhook")
	}
}

func TestClientSends(t *testing.T) {
	c, f := newClient(t, fakezalo.Options{})
	ctx := context.Background()
	s, err := c.SendMessage(ctx, "u1", "Xin chào bạn", []TextStyle{{Start: 4, Len: 4, St: []string{"b"}}})
	if err != nil || s.MessageID == "" || s.Date == 0 {
		t.Fatalf("SendMessage = %+v, %v", s, err)
	}
	for _, h := range s.MessageID {
		if !strings.ContainsRune("0123456789abcdef", h) {
			t.Fatalf("message id %q is not hex", s.MessageID)
		}
	}
	got := f.Sent("u1")
	if len(got) != 1 || got[0].Text != "Xin chào bạn" || got[0].Styles[0].Start != 4 {
		t.Fatalf("recorded %+v", got)
	}
	if _, err := c.SendMessage(ctx, "u1", strings.Repeat("á", 2001), nil); codeOf(err) != 400 {
		t.Fatalf("2001 characters: %v", err)
	}
	if _, err := c.SendMessage(ctx, "u1", "", nil); codeOf(err) != 400 {
		t.Fatalf("empty text: %v", err)
	}
	// parse_mode and text_styles together are refused.
	err = c.call(ctx, "sendMessage", map[string]any{"chat_id": "u1", "text": "x", "parse_mode": "html",
		"text_styles": []TextStyle{{Start: 0, Len: 1, St: []string{"b"}}}}, nil)
	if codeOf(err) != 400 {
		t.Fatalf("parse_mode with text_styles: %v", err)
	}
	// sendPhoto fetches the URL once, and fails when it cannot.
	pic := f.HostPhoto("chart.png", []byte("\x89PNG"))
	if _, err := c.SendPhoto(ctx, "u1", pic, "Biểu đồ"); err != nil {
		t.Fatal(err)
	}
	if n := f.PhotoFetches(pic); n != 1 {
		t.Fatalf("photo fetched %d times", n)
	}
	if _, err := c.SendPhoto(ctx, "u1", f.URL()+"/photos/none.png", ""); codeOf(err) != 400 {
		t.Fatalf("unreachable photo: %v", err)
	}
	if err := c.SendChatAction(ctx, "u1", "typing"); err != nil {
		t.Fatal(err)
	}
	// Quota and faults.
	f.Inject("sendMessage", fakezalo.Quota, fakezalo.Internal, fakezalo.DropAfterRecord)
	if _, err := c.SendMessage(ctx, "u1", "x", nil); !IsQuota(err) {
		t.Fatalf("quota: %v", err)
	}
	if _, err := c.SendMessage(ctx, "u1", "x", nil); !IsInternal(err) {
		t.Fatalf("internal: %v", err)
	}
	_, err = c.SendMessage(ctx, "u1", "dropped", nil)
	var ae *APIError
	if err == nil || errors.As(err, &ae) || IsNotSent(err) {
		t.Fatalf("dropped answer: %v", err)
	}
	if got := f.Sent("u1"); got[len(got)-1].Text != "dropped" {
		t.Fatal("the dropped message was not recorded")
	}
}

func TestFakeVoiceToGroupIsNotDelivered(t *testing.T) {
	c, f := newClient(t, fakezalo.Options{})
	f.AddGroup("g1")
	if err := c.call(context.Background(), "sendVoice", map[string]string{"chat_id": "g1", "voice_url": "https://x/a.aac"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := f.Sent("g1"); len(got) != 1 || got[0].Delivered {
		t.Fatalf("voice to a group: %+v", got)
	}
}

func TestFakeUserQuota(t *testing.T) {
	c, _ := newClient(t, fakezalo.Options{UserQuota: 2})
	ctx := context.Background()
	for _, id := range []string{"a", "b", "a"} {
		if _, err := c.SendMessage(ctx, id, "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SendMessage(ctx, "c", "x", nil); !IsQuota(err) {
		t.Fatalf("third user: %v", err)
	}
}
