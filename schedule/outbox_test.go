package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"dvcbot/bot/telegram"
	"dvcbot/chat"
	"dvcbot/store"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want Failure
	}{
		{fmt.Errorf("zalo: send: %w", chat.ErrUnreachable), Unreachable},
		{fmt.Errorf("telegram: send to chat 7: %w: %w", telegram.ErrBlocked, errors.New("Forbidden: bot was blocked by the user")), Unreachable},
		{fmt.Errorf("zalo: %w", chat.ErrRejected), Rejected},
		{fmt.Errorf("telegram: %w: Bad Request: chat not found", telegram.ErrRejected), Rejected},
		{fmt.Errorf("zalo: send: timeout: %w", chat.ErrUncertain), Uncertain},
		{fmt.Errorf("zalo: %w", chat.ErrQuota), OverQuota},
		{fmt.Errorf("telegram: gave up: %w", telegram.ErrUnavailable), Retry},
		{errors.New("read tcp: connection reset by peer"), Retry},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

// enqueue writes one job run's posts to the outbox.
func (w *world) enqueue(key string, rs ...chat.Reply) {
	w.t.Helper()
	items := make([]store.OutboxItem, len(rs))
	for i, r := range rs {
		items[i] = store.OutboxItem{Reply: r}
	}
	if err := w.db.Update(func(tx *store.Tx) error {
		added, err := tx.EnqueuePosts(key, items...)
		if err == nil && !added {
			err = fmt.Errorf("job key %s enqueued twice", key)
		}
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
}

// texts lists "to: text" of the posts, in the order sent.
func texts(rs []chat.Reply) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%d: %s", tgID(r.To), r.Text))
	}
	return out
}

// A leaders' group that refuses a post (the bot was removed, or the
// channel rejects it there) gets it to the leaders privately instead: one
// copy each, queued once, and nobody is marked unreachable for the group's
// refusal.
func TestRefusedGroupPostFallsBackToLeadersPrivately(t *testing.T) {
	for name, refusal := range map[string]error{
		"unreachable": fmt.Errorf("telegram: send to chat %d: %w", tGroup, telegram.ErrBlocked),
		"rejected":    fmt.Errorf("zalo: send: %w", chat.ErrRejected),
	} {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
			w.people(may2)
			leaders := []chat.Address{tg(tLeaderBN), tg(tLeaderND), tg(tAdmin)}
			expires := time.Date(2026, 5, 4, 0, 0, 0, 0, ict)
			post := func(text string) chat.Reply {
				return chat.Reply{To: tg(tGroup), Text: chat.Bold(text), Bulk: true, Group: true, Fallback: leaders}
			}
			if err := w.db.Update(func(tx *store.Tx) error {
				_, err := tx.EnqueuePosts("leaderboard/2026-05-02",
					store.OutboxItem{Reply: post("Bảng xếp hạng"), Expires: expires},
					store.OutboxItem{Reply: post("Biểu đồ"), Expires: expires})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			w.enqueue("reminder/2026-05-02", chat.Reply{To: tg(tOfficerBN), Text: "Nhắc", Bulk: true})
			tries := 0
			w.send.fail = func(r chat.Reply) error {
				if r.To == tg(tGroup) {
					tries++
					return refusal
				}
				return nil
			}

			w.tick()
			if got := texts(w.send.take()); !slices.Equal(got, []string{fmt.Sprintf("%d: Nhắc", tOfficerBN)}) {
				t.Fatalf("first pass sent %q", got)
			}
			wantTries := 2 // a rejected post says nothing of the next one
			if name == "unreachable" {
				wantTries = 1 // the group cannot receive: its next post is not tried
			}
			if tries != wantTries {
				t.Errorf("the group was tried %d times, want %d", tries, wantTries)
			}
			pending, _, dropped := w.outbox()
			if len(dropped) != 2 || dropped[0].Reply.To != tg(tGroup) || dropped[1].Reply.To != tg(tGroup) {
				t.Fatalf("dropped = %+v, want both group posts", dropped)
			}
			if len(pending) != 6 {
				t.Fatalf("%d private copies queued, want 2 posts × 3 leaders", len(pending))
			}
			for _, it := range pending {
				r := it.Reply
				if r.Group || r.Fallback != nil || !r.Bulk || !slices.Contains(leaders, r.To) || !it.Expires.Equal(expires) {
					t.Errorf("private copy %+v (expires %v)", r, it.Expires)
				}
			}

			w.tick()
			got := w.send.take()
			for _, l := range leaders {
				var mine []string
				for _, r := range got {
					if r.To == l {
						mine = append(mine, r.Text)
					}
				}
				if want := []string{chat.Bold("Bảng xếp hạng"), chat.Bold("Biểu đồ")}; !slices.Equal(mine, want) {
					t.Errorf("%v got %q, want %q in order", l, mine, want)
				}
			}
			if len(got) != 6 {
				t.Errorf("second pass sent %d posts, want the 6 private copies", len(got))
			}

			// Never again, however long the bot runs.
			for range 3 {
				w.clk.Add(BackoffMax)
				w.tick()
				if got := w.send.take(); len(got) != 0 {
					t.Fatalf("a later pass sent %q", texts(got))
				}
			}
			pending, sent, dropped := w.outbox()
			if len(pending) != 0 || len(sent) != 7 || len(dropped) != 2 || tries != wantTries {
				t.Errorf("outbox: %d pending, %d sent, %d dropped; group tried %d times", len(pending), len(sent), len(dropped), tries)
			}
			if got := w.unreachable(); len(got) != 0 {
				t.Errorf("accounts marked unreachable: %v; the group's refusal concerns nobody's account", got)
			}
		})
	}
}

// A refused group post without a fallback list, or a refused private post,
// is dropped and nothing is queued in its place.
func TestRefusedPostWithoutFallbackIsDropped(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
	w.people(may2)
	w.enqueue("leaderboard/2026-05-02", chat.Reply{To: tg(tGroup), Text: "nhóm", Group: true, Bulk: true})
	w.enqueue("escalation/2026-05-02", chat.Reply{To: tg(tLeaderBN), Text: "riêng", Bulk: true, Fallback: []chat.Address{tg(tLeaderND)}})
	w.send.fail = func(r chat.Reply) error { return fmt.Errorf("telegram: %w", chat.ErrUnreachable) }
	w.tick()
	w.send.fail = nil
	w.tick()
	if got := w.send.take(); len(got) != 0 {
		t.Errorf("sent %q", texts(got))
	}
	pending, sent, dropped := w.outbox()
	if len(pending) != 0 || len(sent) != 0 || len(dropped) != 2 {
		t.Errorf("outbox: %d pending, %d sent, %d dropped", len(pending), len(sent), len(dropped))
	}
	// The leader who cannot be written to is marked; the group is nobody.
	if got := w.unreachable(); !slices.Equal(got, []int64{tLeaderBN}) {
		t.Errorf("unreachable accounts %v, want the leader's only", got)
	}
}

// A send whose outcome is unknown may have been delivered: it is dropped,
// never sent again, and the chat's later posts still go out.
func TestUncertainSendNeverResent(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
	zalo := chat.Addr(chat.Zalo, "6ede9afa1b2c")
	w.enqueue("chay/1", chat.Reply{To: zalo, Text: "một"}, chat.Reply{To: zalo, Text: "hai"})
	tries := map[string]int{}
	w.send.fail = func(r chat.Reply) error {
		tries[r.Text]++
		if r.Text == "một" {
			return fmt.Errorf("zalo: send: context deadline exceeded: %w", chat.ErrUncertain)
		}
		return nil
	}
	w.tick()
	for range 3 {
		w.clk.Add(BackoffMax)
		w.tick()
	}
	if got := w.send.take(); len(got) != 1 || got[0].Text != "hai" || got[0].To != zalo {
		t.Errorf("sent %+v, want «hai» only", got)
	}
	if tries["một"] != 1 || tries["hai"] != 1 {
		t.Errorf("tries %v, want one each", tries)
	}
	pending, sent, dropped := w.outbox()
	if len(pending) != 0 || len(sent) != 1 || len(dropped) != 1 || dropped[0].Reply.Text != "một" || !strings.Contains(dropped[0].LastError, "không gửi lại") {
		t.Errorf("outbox: %d pending, %d sent, dropped %+v", len(pending), len(sent), dropped)
	}
	// Nothing is left to retry: the scheduler next wakes for tomorrow's reminder.
	if next, err := w.sched.NextWake(); err != nil || !next.Equal(time.Date(2026, 5, 3, 16, 0, 0, 0, ict)) {
		t.Errorf("NextWake = %v, %v; want the next reminder, nothing to retry", next, err)
	}
}

// When a channel's quota is (nearly) used up, optional posts are dropped
// and the others wait and are sent once the channel takes them again.
func TestQuotaDropsOptionalRetriesOthers(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
	zalo := chat.Addr(chat.Zalo, "6ede9afa1b2c")
	w.enqueue("leaderboard/2026-05-02", chat.Reply{To: zalo, Text: "bản riêng", Bulk: true, Optional: true})
	w.enqueue("reminder/2026-05-02", chat.Reply{To: zalo, Text: "nhắc", Bulk: true})
	quota := true
	tries := map[string]int{}
	w.send.fail = func(r chat.Reply) error {
		tries[r.Text]++
		if quota {
			return fmt.Errorf("zalo: send: %w", chat.ErrQuota)
		}
		return nil
	}
	start := w.clk.Now()
	w.tick()
	if got := w.send.take(); len(got) != 0 {
		t.Fatalf("sent %q over quota", texts(got))
	}
	pending, _, dropped := w.outbox()
	if len(dropped) != 1 || dropped[0].Reply.Text != "bản riêng" {
		t.Errorf("dropped %+v, want the optional post", dropped)
	}
	if len(pending) != 1 || pending[0].Reply.Text != "nhắc" || pending[0].Attempts != 1 || !pending[0].NotBefore.Equal(start.Add(BackoffMin)) {
		t.Fatalf("pending %+v, want the reminder to retry after %v", pending, BackoffMin)
	}
	w.clk.Add(BackoffMin)
	w.tick() // still over quota: waits again
	quota = false
	w.clk.Add(BackoffMax)
	w.tick()
	if got := w.send.take(); len(got) != 1 || got[0].Text != "nhắc" {
		t.Errorf("after the quota freed sent %q, want the reminder", texts(got))
	}
	w.clk.Add(BackoffMax)
	w.tick()
	if got := w.send.take(); len(got) != 0 || tries["bản riêng"] != 1 || tries["nhắc"] != 3 {
		t.Errorf("later sent %q; tries %v", texts(got), tries)
	}
}

// Posts written for the leaders' Telegram group before Telegram migrated
// it to a supergroup go to the new id, their fallback copies too; other
// chats, other groups and other channels keep their address.
func TestPostsToMigratedGroupGoToNewID(t *testing.T) {
	const super int64 = -1009876543210
	w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
	zaloSame := chat.Addr(chat.Zalo, fmt.Sprint(tGroup))
	w.enqueue("leaderboard/2026-05-02",
		chat.Reply{To: tg(tGroup), Text: "nhóm", Group: true, Bulk: true},
		chat.Reply{To: tg(tLeaderBN), Text: "riêng", Bulk: true},
		chat.Reply{To: tg(-555), Text: "nhóm khác", Group: true, Bulk: true},
		chat.Reply{To: zaloSame, Text: "zalo", Group: true, Bulk: true})
	if err := w.eng.MigrateGroup(tGroup, super); err != nil {
		t.Fatal(err)
	}
	if err := w.eng.MigrateGroup(-555, -1000000000555); err != nil { // not the leaders' group: ignored
		t.Fatal(err)
	}
	w.tick()
	got := map[string]chat.Address{}
	for _, r := range w.send.take() {
		got[r.Text] = r.To
	}
	want := map[string]chat.Address{"nhóm": tg(super), "riêng": tg(tLeaderBN), "nhóm khác": tg(-555), "zalo": zaloSame}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("sent to %v, want %v", got, want)
	}

	// Refused at the new id: the private copies go to the leaders.
	w.enqueue("leaderboard/2026-05-03", chat.Reply{To: tg(tGroup), Text: "nhóm 2", Group: true, Bulk: true, Fallback: []chat.Address{tg(tLeaderBN)}})
	var tried []chat.Address
	w.send.fail = func(r chat.Reply) error {
		tried = append(tried, r.To)
		if r.Group {
			return fmt.Errorf("telegram: %w", telegram.ErrBlocked)
		}
		return nil
	}
	w.tick()
	w.tick()
	if !slices.Equal(tried, []chat.Address{tg(super), tg(tLeaderBN)}) {
		t.Errorf("tried %v, want the supergroup then the leader", tried)
	}
	if got := w.send.take(); len(got) != 1 || got[0].To != tg(tLeaderBN) || got[0].Text != "nhóm 2" || got[0].Group {
		t.Errorf("fallback sent %+v", got)
	}
}

// Run delivers fallback copies promptly too (within a poll), not at the
// next scheduled job.
func TestRunDeliversFallbackCopies(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 20, 0, 0, 0, ict), settings())
	s, err := New(w.db, nil, w.send, Options{Location: ict, Now: w.clk.Now, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w.enqueue("leaderboard/2026-05-02", chat.Reply{To: tg(tGroup), Text: "nhóm", Group: true, Bulk: true, Fallback: []chat.Address{tg(tAdmin)}})
	w.send.fail = func(r chat.Reply) error {
		if r.Group {
			return fmt.Errorf("telegram: %w", chat.ErrRejected)
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()
	deadline := time.After(10 * time.Second)
	for {
		w.send.mu.Lock()
		n := len(w.send.sent)
		w.send.mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("the private copy was not delivered")
		case <-time.After(time.Millisecond):
		}
	}
	if got := w.send.take(); got[0].To != tg(tAdmin) {
		t.Errorf("sent %+v", got)
	}
}
