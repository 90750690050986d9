package fakezalo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const token = "42:fake"

func post(t *testing.T, s *Server, tok, method, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(s.URL()+"/bot"+tok+"/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &env)
	return resp.StatusCode, env
}

func TestEnvelopesAndAuth(t *testing.T) {
	s := New(Options{Token: token, CanJoinGroups: true})
	defer s.Close()
	code, env := post(t, s, "bad", "getMe", "{}")
	if code != 401 || env["ok"] != false || env["error_code"] != float64(401) || env["description"] != "Unauthorized" {
		t.Fatalf("wrong token: %d %v", code, env)
	}
	code, env = post(t, s, token, "getMe", "{}")
	res, _ := env["result"].(map[string]any)
	if code != 200 || env["ok"] != true || res["id"] != "1459232241454765289" || res["can_join_groups"] != true {
		t.Fatalf("getMe: %d %v", code, env)
	}
	if code, _ := post(t, s, token, "GetMe", "{}"); code != 404 {
		t.Fatalf("methods are case-sensitive: %d", code)
	}
	if code, env := post(t, s, token, "getWebhookInfo", "{}"); code != 200 || env["error_code"] != float64(404) {
		t.Fatalf("getWebhookInfo without a webhook: %d %v", code, env)
	}
}

func TestGetUpdatesBlocksThenIdle(t *testing.T) {
	fire := make(chan time.Time)
	var asked time.Duration
	s := New(Options{Token: token, After: func(d time.Duration) <-chan time.Time { asked = d; return fire }})
	defer s.Close()
	type result struct {
		code int
		env  map[string]any
	}
	done := make(chan result, 1)
	go func() {
		c, e := post(t, s, token, "getUpdates", `{"timeout":"7"}`)
		done <- result{c, e}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.WaitCalls(ctx, "getUpdates", 1); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		t.Fatalf("getUpdates answered before its timeout: %v", r)
	default:
	}
	fire <- time.Now()
	r := <-done
	if r.code != 200 || r.env["ok"] != false || r.env["error_code"] != float64(408) || asked != 7*time.Second {
		t.Fatalf("idle poll: %d %v (waited %s)", r.code, r.env, asked)
	}
	// A queued update wakes a waiting poll.
	go func() {
		c, e := post(t, s, token, "getUpdates", `{"timeout":30}`)
		done <- result{c, e}
	}()
	if err := s.WaitCalls(ctx, "getUpdates", 2); err != nil {
		t.Fatal(err)
	}
	s.Enqueue(s.Private("u1", "An", "xin chào"))
	r = <-done
	res, _ := r.env["result"].(map[string]any)
	if r.code != 200 || res["event_name"] != EventText {
		t.Fatalf("poll with an update: %d %v", r.code, r.env)
	}
	s.SetWebhookDirect("https://x.example/h", "12345678")
	if code, _ := post(t, s, token, "getUpdates", `{}`); code != 400 {
		t.Fatalf("getUpdates with a webhook: %d", code)
	}
}

func TestPusherShapesAndSecret(t *testing.T) {
	type got struct {
		secret string
		body   map[string]any
	}
	seen := make(chan got, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b map[string]any
		_ = json.NewDecoder(r.Body).Decode(&b)
		seen <- got{r.Header.Get("X-Bot-Api-Secret-Token"), b}
	}))
	defer hook.Close()
	s := New(Options{Token: token, DisplayName: "Bot DVC"})
	defer s.Close()
	p := &Pusher{URL: hook.URL, Secret: "12345678"}
	ctx := context.Background()
	g := s.Group("g1", "u1", "An", "/bxh", true)
	if _, err := p.Push(ctx, g); err != nil {
		t.Fatal(err)
	}
	r := <-seen
	msg, _ := r.body["message"].(map[string]any)
	if r.secret != "12345678" || r.body["event_name"] != EventText || msg["text"] != "@Bot DVC /bxh" {
		t.Fatalf("root push: %+v", r)
	}
	if _, err := p.PushShape(ctx, g, Enveloped); err != nil {
		t.Fatal(err)
	}
	if r := <-seen; r.body["ok"] != true || r.body["result"] == nil {
		t.Fatalf("enveloped push: %+v", r)
	}
	if _, err := p.PushWrongSecret(ctx, g); err != nil {
		t.Fatal(err)
	}
	if r := <-seen; r.secret == "12345678" {
		t.Fatal("wrong secret sent the right one")
	}
	if !bytes.Contains(Encode(s.Other(EventUnsupported, "u1", "An"), Root), []byte(EventUnsupported)) {
		t.Fatal("unsupported event not encoded")
	}
}

// OnSent sees every message recorded; SetSentLimit bounds what is kept
// without changing what the quota counts.
func TestOnSentAndSentLimit(t *testing.T) {
	s := New(Options{Token: token, MessageQuota: 3})
	defer s.Close()
	var seen []string
	s.OnSent(func(m Message) { seen = append(seen, m.ChatID+":"+m.Text) })
	s.SetSentLimit(1)
	for i, want := range []int{200, 200, 200, 429} {
		code, _ := post(t, s, token, "sendMessage", `{"chat_id":"u1","text":"tin `+string(rune('a'+i))+`"}`)
		if code != want {
			t.Fatalf("message %d: %d, want %d", i, code, want)
		}
	}
	if strings.Join(seen, ",") != "u1:tin a,u1:tin b,u1:tin c" {
		t.Fatalf("OnSent saw %v", seen)
	}
	if all := s.All(); len(all) != 1 || all[0].Text != "tin c" {
		t.Fatalf("kept %+v, want the last message only", all)
	}
}
