package zalo

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"dvcbot/chat"
	"dvcbot/internal/fakezalo"
)

func TestWebhookHandlerRequests(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	if hs.fake.Calls("setWebhook") != 1 {
		t.Fatalf("setWebhook called %d times", hs.fake.Calls("setWebhook"))
	}
	if u, sec := hs.fake.Webhook(); u != hs.webhook || sec != testSecret {
		t.Fatalf("webhook at the fake = %q %q", u, sec)
	}
	msg := hs.fake.Private("u1", "Ted", "xin chào")
	body := fakezalo.Encode(msg, fakezalo.Root)
	big := append([]byte(`{"event_name":"message.text.received","message":{"text":"`), bytes.Repeat([]byte("a"), MaxWebhookBody)...)
	big = append(big, `"}}`...)
	tests := []struct {
		name   string
		method string
		body   []byte
		secret string
		want   int
	}{
		{"wrong secret", http.MethodPost, body, testSecret + "x", http.StatusUnauthorized},
		{"missing secret", http.MethodPost, body, "", http.StatusUnauthorized},
		{"secret prefix", http.MethodPost, body, testSecret[:8], http.StatusUnauthorized},
		{"GET", http.MethodGet, nil, testSecret, http.StatusMethodNotAllowed},
		{"body over 1 MiB", http.MethodPost, big, testSecret, http.StatusRequestEntityTooLarge},
		{"bad JSON", http.MethodPost, []byte(`{"event_name":`), testSecret, http.StatusBadRequest},
		{"not an object", http.MethodPost, []byte(`42`), testSecret, http.StatusBadRequest},
		{"probe: empty object", http.MethodPost, []byte(`{}`), testSecret, http.StatusOK},
		{"probe: empty body", http.MethodPost, nil, testSecret, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, hs.webhook, bytes.NewReader(tt.body))
			if tt.secret != "" {
				req.Header.Set(SecretHeader, tt.secret)
			}
			resp, err := hs.hook.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if n := hs.h.calls.Load(); n != 0 {
		t.Fatalf("the handler was called %d times by refused pushes and probes", n)
	}
	if st := hs.tr.Stats(); st.MessagesIn != 0 {
		t.Errorf("refused pushes counted as messages in: %d", st.MessagesIn)
	}
}

func TestWebhookShapesAndDedupe(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	ctx := context.Background()
	root := hs.fake.Private("u1", "Ted", "một")
	env := hs.fake.Private("u1", "Ted", "hai")
	if code, _ := hs.pusher.PushShape(ctx, root, fakezalo.Root); code != 200 {
		t.Fatalf("root push: %d", code)
	}
	if code, _ := hs.pusher.PushShape(ctx, env, fakezalo.Enveloped); code != 200 {
		t.Fatalf("enveloped push: %d", code)
	}
	// The same message again, in both shapes: answered 200, handled once.
	for _, shape := range []fakezalo.Shape{fakezalo.Root, fakezalo.Enveloped} {
		if code, _ := hs.pusher.PushShape(ctx, root, shape); code != 200 {
			t.Fatalf("duplicate push: %d", code)
		}
	}
	if code, _ := hs.pusher.PushWrongSecret(ctx, hs.fake.Private("u1", "Ted", "ba")); code != 401 {
		t.Fatalf("wrong secret: %d", code)
	}
	ins := hs.h.Inputs()
	if len(ins) != 2 {
		t.Fatalf("handled %d inputs, want 2: %+v", len(ins), ins)
	}
	in := ins[0]
	want := chat.Input{Update: "message.text.received:" + root.Message.MessageID,
		Chat: chat.Addr(chat.Zalo, "u1"), From: chat.Addr(chat.Zalo, "u1"), Name: "Ted", Private: true,
		Text: "một", Caps: chat.CapsOf(chat.Zalo)}
	if in.Update != want.Update || in.Chat != want.Chat || in.From != want.From || in.Name != want.Name ||
		in.Private != want.Private || in.Text != want.Text || in.Caps != want.Caps {
		t.Errorf("input %+v\nwant  %+v", in, want)
	}
	if ins[1].Text != "hai" {
		t.Errorf("second input %q", ins[1].Text)
	}
	got := hs.sent(t, "u1", 2)
	if got[0].Text != "Đã nhận: một" || len(got[0].Styles) != 1 || got[0].Styles[0].Start != 9 || got[0].Styles[0].Len != 3 {
		t.Errorf("reply %+v", got[0])
	}
	if st := hs.tr.Stats(); st.Duplicates != 2 || st.MessagesIn != 4 || st.Users != 1 {
		t.Errorf("stats %+v: want 2 duplicates, 4 messages in, 1 user", st)
	}
}

func TestWebhookHandlerErrorIs500AndNotRemembered(t *testing.T) {
	fail := true
	h := newStub(func(in chat.Input) ([]chat.Reply, error) {
		if fail {
			return nil, errors.New("store: disk full")
		}
		return echo(in)
	})
	hs := newHarness(t, harnessConfig{handler: h})
	u := hs.fake.Private("u1", "Ted", "một")
	hs.push(t, u, http.StatusInternalServerError)
	if len(hs.fake.All()) != 0 {
		t.Fatal("a reply was sent for a failed update")
	}
	// Zalo does not redeliver, but if the same message comes again it is
	// handled (the failure was not remembered as done).
	fail = false
	hs.push(t, u, http.StatusOK)
	hs.sent(t, "u1", 1)
	if st := hs.tr.Stats(); st.HandleErrors != 1 {
		t.Errorf("HandleErrors = %d", st.HandleErrors)
	}
}

func TestWebhookBeforeRunIs503(t *testing.T) {
	hs := newHarness(t, harnessConfig{noRun: true})
	hs.push(t, hs.fake.Private("u1", "Ted", "x"), http.StatusServiceUnavailable)
}

func TestWebhookProbeFailureIsAWarning(t *testing.T) {
	// A probe our handler refuses (here a body that is not JSON: 400) is
	// logged with Zalo's hint; Run keeps going and pushes still work.
	hs := newHarness(t, harnessConfig{fake: func(o *fakezalo.Options) { o.ProbeBody = "{not json" }})
	select {
	case err := <-hs.runErr:
		t.Fatalf("Run ended after a failed probe: %v", err)
	default:
	}
	if u, _ := hs.fake.Webhook(); u != hs.webhook {
		t.Fatalf("webhook not saved: %q", u)
	}
	hs.push(t, hs.fake.Private("u1", "Ted", "x"), http.StatusOK)
	if err := hs.tr.registerWebhook(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logs := hs.logs.String(); !strings.Contains(logs, "probe of it failed") || !strings.Contains(logs, "status_code=400") {
		t.Errorf("no warning with the probe's status in the logs:\n%s", logs)
	}
}

func TestStripMention(t *testing.T) {
	tr := &Transport{o: Options{BotName: "Bot DVC Kiên Hải"}, me: Me{AccountName: "bot.VDKyGxQvc"}}
	tests := []struct{ in, want string }{
		{"@Bot DVC Kiên Hải /nhom ABCD2345", "/nhom ABCD2345"},
		{"@bot dvc kiên hải: /bxh", "/bxh"},
		{"@bot.VDKyGxQvc /bxh", "/bxh"},
		{"@Bot Khác Tên /nhom X", "/nhom X"}, // fallback: any @… before a /command
		{"@Bot DVC Kiên Hải", ""},
		{"@Lan chào cả nhà", "@Lan chào cả nhà"},
		{"/bxh", "/bxh"},
		{"  @Bot DVC Kiên Hải   xin chào", "xin chào"},
	}
	for _, tt := range tests {
		if got := tr.stripMention(tt.in); got != tt.want {
			t.Errorf("stripMention(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]bool{"/nhom": true, "/nhom K7P2": true, "/NHOM k7p2": true, "/nhomx": false, "nhom": false, "/nho": false} {
		if got := isLinkCommand(in); got != want {
			t.Errorf("isLinkCommand(%q) = %v", in, got)
		}
	}
}
