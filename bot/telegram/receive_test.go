package telegram

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"dvcbot/chat"
)

// rawMessage is a message update from user in chat with extra fields.
func rawMessage(chatID, user int64, chatType string, extra map[string]any) map[string]any {
	m := map[string]any{
		"message_id": 1, "date": 1,
		"from": map[string]any{"id": user, "first_name": "Lan", "last_name": "Nguyễn"},
		"chat": map[string]any{"id": chatID, "type": chatType},
	}
	for k, v := range extra {
		m[k] = v
	}
	return map[string]any{"message": m}
}

// What the bot cannot read is handed over as Unsupported in a private chat
// (the engine says what to send instead) and ignored in a group.
func TestUnsupportedMessages(t *testing.T) {
	h := newHarness(t, 1000, nil)
	rec := newRecorder()
	h.run(t, rec)
	file := map[string]any{"file_id": "F", "file_unique_id": "U"}
	h.srv.SendRaw(rawMessage(-100, 5, "group", map[string]any{"sticker": map[string]any{"file_id": "S", "file_unique_id": "U", "width": 1, "height": 1, "is_animated": false}}))
	for _, tc := range []struct {
		field string
		value any
		want  string
	}{
		{"sticker", map[string]any{"file_id": "S", "file_unique_id": "U", "width": 1, "height": 1, "is_animated": false}, "sticker"},
		{"voice", map[string]any{"file_id": "V", "file_unique_id": "U", "duration": 2}, "voice"},
		{"document", file, "file"},
		{"location", map[string]any{"latitude": 9.9, "longitude": 104.3}, "location"},
	} {
		h.srv.SendRaw(rawMessage(5, 5, "private", map[string]any{tc.field: tc.value}))
		in := rec.next(t)
		if in.Unsupported != tc.want || in.Text != "" || in.Chat != tg(5) || !in.Private || in.Name != "Lan Nguyễn" {
			t.Errorf("%s: input %+v, want Unsupported %q", tc.field, in, tc.want)
		}
	}
	for _, in := range rec.all() {
		if in.Chat == tg(-100) {
			t.Errorf("a sticker in a group reached the handler: %+v", in)
		}
	}
}

// A group upgraded to a supergroup announces it with a service message:
// the transport reports the new id once and writes there from then on.
func TestMigrationAnnouncedByUpdate(t *testing.T) {
	type mig struct{ from, to int64 }
	got := make(chan mig, 2)
	h := newHarness(t, 1000, func(o *Options) {
		o.OnMigrate = func(_ context.Context, from, to int64) { got <- mig{from, to} }
	})
	rec := newRecorder()
	h.run(t, rec)
	for range 2 {
		h.srv.SendRaw(rawMessage(-7, 5, "group", map[string]any{"migrate_to_chat_id": int64(-1000000000007)}))
	}
	select {
	case m := <-got:
		if m != (mig{-7, -1000000000007}) {
			t.Fatalf("OnMigrate%v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the migration was not reported")
	}
	h.srv.SendText(5, 5, "sau") // the second announcement is handled before this
	rec.next(t)
	select {
	case m := <-got:
		t.Fatalf("the migration was reported twice: %v", m)
	default:
	}
	if err := h.tr.Send(waitCtx(t), chat.Reply{To: tg(-7), Text: "bảng xếp hạng", Bulk: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(h.srv.SentTo(-1000000000007)); n != 1 || len(h.srv.SentTo(-7)) != 0 {
		t.Fatalf("%d posts at the new id", n)
	}
}

// OnDelivered tells the engine when every reply to an update went out (or
// was refused for good), so that they are not sent again after a restart;
// an update whose replies are lost to the shutdown is not reported.
func TestOnDeliveredAfterEveryReply(t *testing.T) {
	var mu sync.Mutex
	var delivered []string
	h := newHarness(t, 1, func(o *Options) {
		o.Grace = 300 * time.Millisecond
		o.OnDelivered = func(update string) { mu.Lock(); delivered = append(delivered, update); mu.Unlock() }
	})
	seen := make(chan chat.Input, 10)
	stop := h.run(t, handlerFunc(func(_ context.Context, in chat.Input) ([]chat.Reply, error) {
		seen <- in
		switch in.Text {
		case "im lặng":
			return nil, nil
		case "chặn":
			return []chat.Reply{{To: in.Chat, Text: "một"}, {To: in.Chat, Text: "hai"}}, nil
		}
		return []chat.Reply{{To: in.Chat, Text: "một"}, {To: in.Chat, Text: chat.Bold("hai")}}, nil
	}))
	ctx := waitCtx(t)
	wait := func(n int) []string {
		t.Helper()
		for {
			mu.Lock()
			d := slices.Clone(delivered)
			mu.Unlock()
			if len(d) >= n {
				return d
			}
			if ctx.Err() != nil {
				t.Fatalf("OnDelivered calls %v, want %d", d, n)
			}
			time.Sleep(time.Millisecond)
		}
	}

	u1 := h.srv.SendText(1, 1, "báo cáo")
	<-seen
	if err := h.srv.WaitSentTo(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	if d := wait(1); !slices.Equal(d, []string{upd(u1)}) {
		t.Fatalf("OnDelivered %v, want [%s] once both replies were sent", d, upd(u1))
	}
	h.srv.SendText(1, 1, "im lặng") // no replies: nothing to report
	<-seen
	h.srv.Block(2)
	u3 := h.srv.SendText(2, 2, "chặn") // refused for good: reported, never sent again
	<-seen
	if d := wait(2); !slices.Equal(d, []string{upd(u1), upd(u3)}) {
		t.Fatalf("OnDelivered %v", d)
	}

	// Replies still waiting when the shutdown grace runs out are not
	// reported: the engine sends them at the next start.
	h.srv.FailNext("sendMessage", 1, 429, "", map[string]any{"retry_after": 60})
	h.srv.SendText(3, 3, "báo cáo")
	<-seen
	stop()
	mu.Lock()
	defer mu.Unlock()
	if len(delivered) != 2 {
		t.Fatalf("OnDelivered %v after a shutdown with replies unsent", delivered)
	}
}
