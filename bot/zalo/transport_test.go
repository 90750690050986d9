package zalo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dvcbot/chat"
	"dvcbot/internal/fakezalo"
)

func TestEndToEndPrivateReplyWithChoices(t *testing.T) {
	h := newStub(func(in chat.Input) ([]chat.Reply, error) {
		return []chat.Reply{{To: in.Chat, Text: "Hộ " + chat.Bold("đã lưu") + ".", Choices: [][]chat.Choice{{{Label: "Báo cáo tiếp", Value: "cmd:baocao"}}},
			Edit: "123"}}, nil
	})
	hs := newHarness(t, harnessConfig{handler: h})
	hs.push(t, hs.fake.Private("u7", "Lan", "/baocao"), http.StatusOK)
	got := hs.sent(t, "u7", 1)
	want := "Hộ đã lưu.\n\n1. Báo cáo tiếp\n" + ChoiceHint
	if got[0].Method != "sendMessage" || got[0].Text != want {
		t.Errorf("sent %q via %s, want %q", got[0].Text, got[0].Method, want)
	}
	if len(got[0].Styles) != 1 || !reflect.DeepEqual(got[0].Styles[0], fakezalo.Style{Start: 3, Len: 6, St: []string{"b"}}) {
		t.Errorf("styles %+v", got[0].Styles)
	}
	if err := hs.tr.Shutdown(context.Background()); err != nil { // drains the queue
		t.Fatal(err)
	}
	if st := hs.tr.Stats(); st.MessagesIn != 1 || st.MessagesOut != 1 || st.Users != 1 || st.Sent != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestEndToEndGroups(t *testing.T) {
	allowed := atomic.Pointer[[]string]{}
	allowed.Store(&[]string{})
	hs := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.Groups = func() []string { return *allowed.Load() }
	}})
	// A group not linked: ordinary messages are ignored, even mentioning
	// the bot.
	hs.push(t, hs.fake.Group("g1", "u1", "An", "bảng xếp hạng", true), http.StatusOK)
	hs.push(t, hs.fake.Group("g1", "u1", "An", "/bxh", false), http.StatusOK)
	if n := hs.h.calls.Load(); n != 0 {
		t.Fatalf("messages of an unlinked group reached the handler (%d)", n)
	}
	// /nhom links it: handled, mention stripped.
	hs.push(t, hs.fake.Group("g1", "u1", "An", "/nhom K7P2QX9A", true), http.StatusOK)
	in := hs.h.next(t)
	if in.Text != "/nhom K7P2QX9A" || in.Private || in.Chat != chat.Addr(chat.Zalo, "g1") || in.From != chat.Addr(chat.Zalo, "u1") {
		t.Errorf("input %+v", in)
	}
	hs.sent(t, "g1", 1)
	// Once allowed, every message of the group is handled.
	allowed.Store(&[]string{"g1"})
	hs.push(t, hs.fake.Group("g1", "u2", "Bình", "/bxh", true), http.StatusOK)
	if in := hs.h.next(t); in.Text != "/bxh" || in.Private {
		t.Errorf("input %+v", in)
	}
	if st := hs.tr.Stats(); st.Ignored != 2 || st.MessagesIn != 4 {
		t.Errorf("stats %+v", st)
	}
}

func TestEndToEndOtherEvents(t *testing.T) {
	hs := newHarness(t, harnessConfig{handler: newStub(nil)})
	photo := []byte("\x89PNG fake picture")
	url := hs.fake.HostPhoto("a.png", photo)
	hs.push(t, hs.fake.Image("u1", "An", url, "Hộ ông Bảy"), http.StatusOK)
	in := hs.h.next(t)
	if in.Photo == nil || string(in.Photo.Data) != string(photo) || in.Photo.Ref != url || in.Text != "Hộ ông Bảy" {
		t.Errorf("image input %+v", in)
	}
	// An expired picture URL: the input keeps the URL, no data.
	gone := hs.fake.URL() + "/photos/missing.png"
	hs.push(t, hs.fake.Image("u1", "An", gone, ""), http.StatusOK)
	if in := hs.h.next(t); in.Photo == nil || in.Photo.Data != nil || in.Photo.Ref != gone {
		t.Errorf("expired image input %+v", in)
	}
	for event, want := range map[string]string{
		fakezalo.EventSticker: "sticker", fakezalo.EventVoice: "voice", fakezalo.EventUnsupported: "unsupported",
	} {
		hs.push(t, hs.fake.Other(event, "u1", "An"), http.StatusOK)
		if in := hs.h.next(t); in.Unsupported != want {
			t.Errorf("%s: Unsupported = %q, want %q", event, in.Unsupported, want)
		}
	}
	hs.push(t, hs.fake.Other("bot.added.to.group", "u1", "An"), http.StatusOK)
	if n := hs.h.calls.Load(); n != 5 {
		t.Errorf("handler called %d times, want 5 (the unknown event ignored)", n)
	}
	if st := hs.tr.Stats(); st.PhotoFailures != 1 {
		t.Errorf("PhotoFailures = %d", st.PhotoFailures)
	}
}

// photoServer serves one-time photos for sendPhoto, like the lead's web
// server.
type photoServer struct {
	srv  *httptest.Server
	gets atomic.Int32
}

func (p *photoServer) OneTime(_ context.Context, f chat.File) (string, error) {
	return p.srv.URL + "/p/" + f.Name, nil
}

func TestSendFileAndPhoto(t *testing.T) {
	ps := &photoServer{}
	ps.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.gets.Add(1)
		_, _ = w.Write([]byte("\x89PNG chart"))
	}))
	defer ps.srv.Close()
	hs := newHarness(t, harnessConfig{opts: func(o *Options) { o.FileLinker = stubLinker{}; o.PhotoHost = ps }})
	ctx := context.Background()
	to := chat.Addr(chat.Zalo, "admin1")
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "Tệp xuất", File: &chat.File{Name: "ds.xlsx", Bytes: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Tiến độ các ấp. ", 200) // over 2,000 units
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: long, Photo: &chat.File{Name: "chart.png", Bytes: []byte("png")}}); err != nil {
		t.Fatal(err)
	}
	got := hs.fake.Sent("admin1")
	if len(got) != 3 {
		t.Fatalf("sent %d messages, want 3: %+v", len(got), got)
	}
	if !strings.Contains(got[0].Text, "https://dvc.example.vn/f/admin1/ds.xlsx") || !strings.Contains(got[0].Text, "mở được 3 lần") {
		t.Errorf("file message %q", got[0].Text)
	}
	if got[1].Method != "sendPhoto" || got[1].PhotoSize == 0 || utf16Len(got[1].Caption) > 2000 || got[2].Method != "sendMessage" {
		t.Errorf("photo messages %+v", got[1:])
	}
	if got[1].Caption+got[2].Text != strings.TrimRight(long, " ") && !strings.HasPrefix(long, got[1].Caption) {
		t.Errorf("caption and rest do not make the text")
	}
	if n := hs.fake.PhotoFetches(ps.srv.URL + "/p/chart.png"); n != 1 || ps.gets.Load() != 1 {
		t.Errorf("photo fetched %d times by the fake (%d GETs), want once", n, ps.gets.Load())
	}
}

func TestSendErrors(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	ctx := context.Background()
	to := chat.Addr(chat.Zalo, "u1")
	send := func(text string) error { return hs.tr.Send(ctx, chat.Reply{To: to, Text: text}) }

	// A dropped answer after Zalo recorded the message: uncertain, and
	// not sent again.
	hs.fake.Inject("sendMessage", fakezalo.DropAfterRecord)
	if err := send("một"); !errors.Is(err, chat.ErrUncertain) {
		t.Fatalf("dropped answer: %v, want ErrUncertain", err)
	}
	if n := hs.fake.Calls("sendMessage"); n != 1 || len(hs.fake.Sent("u1")) != 1 {
		t.Fatalf("sendMessage called %d times after a dropped answer, want 1", n)
	}
	// A 502 page from a proxy: uncertain.
	hs.fake.Inject("sendMessage", fakezalo.BadGateway)
	if err := send("hai"); !errors.Is(err, chat.ErrUncertain) {
		t.Fatalf("502: %v, want ErrUncertain", err)
	}
	// 403, Zalo's internal error: uncertain, not resent.
	hs.fake.Inject("sendMessage", fakezalo.Internal)
	before := hs.fake.Calls("sendMessage")
	if err := send("ba"); !errors.Is(err, chat.ErrUncertain) || !IsInternal(err) {
		t.Fatalf("403: %v", err)
	}
	if hs.fake.Calls("sendMessage") != before+1 {
		t.Fatal("403 was retried")
	}
	// A 400 (the fake refuses an empty chat id): rejected.
	if err := hs.tr.Send(ctx, chat.Reply{To: chat.Addr(chat.Telegram, "1"), Text: "x"}); !errors.Is(err, chat.ErrRejected) {
		t.Fatalf("telegram address: %v", err)
	}
	if err := send(""); !errors.Is(err, chat.ErrRejected) {
		t.Fatalf("empty reply: %v", err)
	}
	// A timeout: uncertain.
	hs2 := newHarness(t, harnessConfig{opts: func(o *Options) { o.SendTimeout = 200 * time.Millisecond }})
	hs2.fake.Inject("sendMessage", fakezalo.Timeout)
	if err := hs2.tr.Send(ctx, chat.Reply{To: to, Text: "x"}); !errors.Is(err, chat.ErrUncertain) {
		t.Fatalf("timeout: %v, want ErrUncertain", err)
	}
	if hs2.fake.Calls("sendMessage") != 1 {
		t.Fatal("a timed-out send was resent")
	}
}

func TestSendQuota429BacksOff(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	ctx := context.Background()
	to := chat.Addr(chat.Zalo, "u1")
	hs.fake.Inject("sendMessage", fakezalo.Quota, fakezalo.Quota)
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "một"}); !errors.Is(err, chat.ErrQuota) || !IsQuota(err) {
		t.Fatalf("429: %v", err)
	}
	// Paused: fails fast without calling Zalo.
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "hai"}); !errors.Is(err, chat.ErrQuota) {
		t.Fatalf("during the pause: %v", err)
	}
	if n := hs.fake.Calls("sendMessage"); n != 1 {
		t.Fatalf("sendMessage called %d times, want 1", n)
	}
	// After the pause (1 s), another 429 doubles it (2 s).
	hs.clock.Advance(1100 * time.Millisecond)
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "ba"}); !errors.Is(err, chat.ErrQuota) {
		t.Fatal(err)
	}
	hs.clock.Advance(1100 * time.Millisecond)
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "bốn"}); !errors.Is(err, chat.ErrQuota) {
		t.Fatalf("pause did not double: %v", err)
	}
	hs.clock.Advance(time.Second)
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "năm"}); err != nil {
		t.Fatalf("after the pause: %v", err)
	}
	// The fake's own quota: after N messages, 429.
	hs2 := newHarness(t, harnessConfig{fake: func(o *fakezalo.Options) { o.MessageQuota = 1 }})
	if err := hs2.tr.Send(ctx, chat.Reply{To: to, Text: "một"}); err != nil {
		t.Fatal(err)
	}
	if err := hs2.tr.Send(ctx, chat.Reply{To: to, Text: "hai"}); !errors.Is(err, chat.ErrQuota) {
		t.Fatalf("over the fake's quota: %v", err)
	}
}

func TestSendPartialIsUncertain(t *testing.T) {
	hs := newHarness(t, harnessConfig{opts: func(o *Options) { o.TextLimit = 20 }})
	hs.fake.Inject("sendMessage", fakezalo.NoFault, fakezalo.Quota)
	err := hs.tr.Send(context.Background(), chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: strings.Repeat("dòng một\n", 6)})
	if !errors.Is(err, chat.ErrUncertain) || !errors.Is(err, chat.ErrQuota) {
		t.Fatalf("partial send: %v, want ErrUncertain and ErrQuota", err)
	}
	if n := len(hs.fake.Sent("u1")); n != 1 {
		t.Fatalf("%d messages recorded, want 1", n)
	}
}

func TestSendNotSentIsRetried(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	// Point the client at a closed port: every call fails before sending.
	ln := httptest.NewServer(http.NotFoundHandler())
	dead := ln.URL
	ln.Close()
	hs.tr.api.Endpoint = dead + "/bot%s/%s"
	err := hs.tr.Send(context.Background(), chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: "x"})
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, chat.ErrUncertain) || !IsNotSent(err) {
		t.Fatalf("dial error: %v", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("the token is in the error: %v", err)
	}
	backoffs := 0
	for _, w := range hs.clock.Waits() {
		if w >= 500*time.Millisecond {
			backoffs++
		}
	}
	if backoffs != 3 {
		t.Errorf("%d backoff waits, want 3 retries: %v", backoffs, hs.clock.Waits())
	}
	if st := hs.tr.Stats(); st.MessagesOut != 0 {
		t.Errorf("requests that never left counted as sent: %d", st.MessagesOut)
	}
}

func TestSendOptionalAtQuota(t *testing.T) {
	var warnings []QuotaWarning
	hs := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.MonthlyMessageQuota = 20
		o.OnQuotaWarning = func(w QuotaWarning) { warnings = append(warnings, w) }
	}})
	if err := hs.tr.Meter().Restore(MeterState{Month: "2026-03", In: 10, Out: 8}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	to := chat.Addr(chat.Zalo, "u1")
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "nhắc lần 2", Optional: true, Bulk: true}); err != nil {
		t.Fatalf("optional at 90 %%: %v", err)
	}
	if len(warnings) != 1 || warnings[0].Kind != "messages" || warnings[0].Used != 19 {
		t.Fatalf("warnings %+v", warnings)
	}
	// 19/20 = 95 %: optional traffic stops, answers still go.
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "nhắc lần 2", Optional: true}); !errors.Is(err, chat.ErrQuota) {
		t.Fatalf("optional at 95 %%: %v", err)
	}
	if err := hs.tr.Send(ctx, chat.Reply{To: to, Text: "đã lưu"}); err != nil {
		t.Fatalf("answer at 95 %%: %v", err)
	}
	if len(warnings) != 1 {
		t.Errorf("warned %d times", len(warnings))
	}
	if st := hs.tr.Stats(); !st.OptionalOff || st.QuotaSkipped != 1 || st.MessagesOut != 10 {
		t.Errorf("stats %+v", st)
	}
}

func TestSendOrderAndBulkPacing(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	ctx := context.Background()
	for i := range 5 {
		hs.tr.enqueueReply(chat.Reply{To: chat.Addr(chat.Zalo, "g1"), Text: strings.Repeat("x", i+1), Bulk: true})
	}
	got := hs.sent(t, "g1", 5)
	for i, m := range got {
		if len(m.Text) != i+1 {
			t.Fatalf("message %d is %q: order lost", i, m.Text)
		}
		if i > 0 && time.Duration(m.Date-got[i-1].Date)*time.Millisecond < time.Second {
			t.Errorf("bulk messages %d and %d are %d ms apart", i-1, i, m.Date-got[i-1].Date)
		}
	}
	// Answers are not paced.
	start := hs.clock.Now()
	for range 3 {
		if err := hs.tr.Send(ctx, chat.Reply{To: chat.Addr(chat.Zalo, "u9"), Text: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := hs.clock.Now().Sub(start); d != 0 {
		t.Errorf("answers waited %s", d)
	}
}

func TestPickAnswersFirst(t *testing.T) {
	o := Options{BulkInterval: time.Second}
	o.defaults()
	s := &sender{t: &Transport{o: o}, chats: map[string]*chatQueue{}}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s.chats["bulkOld"] = &chatQueue{jobs: []*job{{seq: 1, r: chat.Reply{Bulk: true}}}}
	s.chats["paced"] = &chatQueue{jobs: []*job{{seq: 0, r: chat.Reply{Bulk: true}}}, last: now.Add(-500 * time.Millisecond)}
	s.chats["answer"] = &chatQueue{jobs: []*job{{seq: 5}}}
	s.chats["busy"] = &chatQueue{jobs: []*job{{seq: 0}}, busy: true}
	if id, _ := s.pickLocked(now); id != "answer" {
		t.Fatalf("picked %q, want the answer", id)
	}
	delete(s.chats, "answer")
	if id, _ := s.pickLocked(now); id != "bulkOld" {
		t.Fatalf("picked %q, want the bulk post whose chat is not paced", id)
	}
	delete(s.chats, "bulkOld")
	if id, c := s.pickLocked(now); c != nil {
		t.Fatalf("picked %q within its pacing interval", id)
	}
	if id, _ := s.pickLocked(now.Add(time.Second)); id != "paced" {
		t.Fatalf("picked %q after the interval", id)
	}
}

func TestSendCancelledWhileQueuedIsNotSent(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := hs.tr.Send(ctx, chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: "x"})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled send: %v", err)
	}
	if err := hs.tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := hs.fake.Calls("sendMessage"); n != 0 {
		t.Fatalf("a send cancelled before it started reached Zalo (%d calls)", n)
	}
}

func TestShutdownRefusesSends(t *testing.T) {
	hs := newHarness(t, harnessConfig{})
	var saved []MeterState
	hs.tr.meter.save = func(s MeterState) error { saved = append(saved, s); return nil }
	hs.push(t, hs.fake.Private("u1", "An", "x"), http.StatusOK)
	hs.sent(t, "u1", 1)
	if err := hs.tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := hs.tr.Send(context.Background(), chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: "x"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("send after shutdown: %v", err)
	}
	if len(saved) == 0 || saved[len(saved)-1].In != 1 || saved[len(saved)-1].Out != 1 {
		t.Errorf("meter saved at shutdown: %+v", saved)
	}
}

func TestNewRefusesBadToken(t *testing.T) {
	fake := fakezalo.New(fakezalo.Options{Token: testToken})
	defer fake.Close()
	_, err := New(context.Background(), Options{Token: "wrong-token", Endpoint: fake.Endpoint(), Mode: ModePolling})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "Bot Creator") || strings.Contains(err.Error(), "wrong-token") {
		t.Fatalf("New with a wrong token: %v", err)
	}
	tr, err := New(context.Background(), Options{Token: testToken, Endpoint: fake.Endpoint(), Mode: ModePolling})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	if me := tr.Me(); me.ID != "1459232241454765289" || me.AccountName != "bot.VDKyGxQvc" || me.CanJoinGroups {
		t.Errorf("Me = %+v", me)
	}
	if tr.poller.HTTP.Timeout != 35*time.Second {
		t.Errorf("polling client timeout %s, want poll timeout + 5 s", tr.poller.HTTP.Timeout)
	}
}

func TestRunListensItself(t *testing.T) {
	// Behind a reverse proxy: Run serves plain HTTP on Listen at the
	// webhook URL's path (the fake probes the public https URL, here the
	// TLS test server).
	free := httptest.NewServer(http.NotFoundHandler())
	addr := free.Listener.Addr().String()
	free.Close()
	hs := newHarness(t, harnessConfig{noRun: true})
	hs.tr.o.Listen = addr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hs.tr.Run(ctx, hs.h) }()
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := hs.fake.WaitCalls(wctx, "setWebhook", 1); err != nil {
		t.Fatal(err)
	}
	p := &fakezalo.Pusher{URL: "http://" + addr + "/zalo/webhook", Secret: testSecret}
	code, err := p.Push(ctx, hs.fake.Private("u1", "An", "x"))
	if err != nil || code != http.StatusOK {
		t.Fatalf("push to the listener: %d %v", code, err)
	}
	if code, _ := (&fakezalo.Pusher{URL: "http://" + addr + "/other", Secret: testSecret}).Push(ctx, hs.fake.Private("u1", "An", "y")); code != http.StatusNotFound {
		t.Fatalf("push to another path: %d", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := p.Push(context.Background(), hs.fake.Private("u1", "An", "z")); err == nil {
		t.Fatal("the listener still serves after Run returned")
	}
}

// Shutdown returns only after OnDelivered has been told of every update
// whose replies went out: serve writes the confirmations once the
// transports have stopped, and one told later would be lost (the reply
// then sent again at the next start).
func TestShutdownWaitsForDeliveryConfirmations(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var confirmed atomic.Bool
	hs := newHarness(t, harnessConfig{opts: func(o *Options) {
		o.OnDelivered = func(update string) {
			close(entered)
			<-release
			confirmed.Store(true)
		}
	}})
	hs.push(t, hs.fake.Private("u7", "Lan", "xin chào"), http.StatusOK)
	hs.sent(t, "u7", 1)
	go func() { <-entered; close(release) }()
	if err := hs.tr.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !confirmed.Load() {
		t.Fatal("Shutdown returned before OnDelivered was told that the reply went out")
	}
}
