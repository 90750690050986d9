package store_test

import (
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"dvcbot/chat"
	"dvcbot/store"
)

// outboxClock is a settable clock for the store.
type outboxClock struct{ t time.Time }

func (c *outboxClock) now() time.Time { return c.t }

func openOutboxStore(t *testing.T, path string, c *outboxClock) *store.DB {
	t.Helper()
	db, err := store.Open(path, store.Options{Now: c.now, Location: time.FixedZone("ICT", 7*3600)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return db
}

func posts(texts ...string) []store.OutboxItem {
	var out []store.OutboxItem
	for i, s := range texts {
		out = append(out, store.OutboxItem{Reply: chat.Reply{To: chat.Addr(chat.Telegram, strconv.Itoa(100+i)), Text: s, Bulk: true}})
	}
	return out
}

func pending(t *testing.T, db *store.DB) []store.OutboxItem {
	t.Helper()
	var out []store.OutboxItem
	if err := db.View(func(tx *store.Tx) (err error) {
		out, err = tx.PendingPosts(0)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestOutboxFreshStoreReads(t *testing.T) {
	c := &outboxClock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, filepath.Join(t.TempDir(), "d.db"), c)
	defer db.Close()
	err := db.View(func(tx *store.Tx) error {
		if tx.Enqueued("x") {
			t.Error("Enqueued on a fresh store")
		}
		if ps, err := tx.PendingPosts(0); err != nil || len(ps) != 0 {
			t.Errorf("PendingPosts = %v, %v", ps, err)
		}
		if _, ok, err := tx.NextPostAttempt(); ok || err != nil {
			t.Errorf("NextPostAttempt = %v, %v", ok, err)
		}
		if runs, err := tx.LastRuns(); err != nil || len(runs) != 0 {
			t.Errorf("LastRuns = %v, %v", runs, err)
		}
		if !tx.LastRun("reminder").IsZero() || tx.OutboxDepth() != 0 || tx.GroupChatID() != 0 {
			t.Error("fresh store has outbox state")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestEnqueuePostsOncePerKey(t *testing.T) {
	c := &outboxClock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, filepath.Join(t.TempDir(), "d.db"), c)
	defer db.Close()
	for i, want := range []bool{true, false} {
		var added bool
		if err := db.Update(func(tx *store.Tx) (err error) {
			added, err = tx.EnqueuePosts("leaderboard/2026-05-02", posts("a", "b")...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if added != want {
			t.Errorf("enqueue #%d added = %v, want %v", i+1, added, want)
		}
	}
	ps := pending(t, db)
	if len(ps) != 2 || ps[0].Reply.Text != "a" || ps[1].Reply.Text != "b" || ps[0].Seq >= ps[1].Seq {
		t.Fatalf("pending = %+v, want a then b once", ps)
	}
	for i, p := range ps {
		if p.JobKey != "leaderboard/2026-05-02" || p.Index != i || p.Status != store.OutboxPending || !p.CreatedAt.Equal(c.t) ||
			p.Reply.To != chat.Addr(chat.Telegram, strconv.Itoa(100+i)) || !p.Reply.Bulk {
			t.Errorf("post %d = %+v", i, p)
		}
	}
	// An empty run is remembered too.
	if err := db.Update(func(tx *store.Tx) error {
		if ok, err := tx.EnqueuePosts("reminder/2026-05-02"); err != nil || !ok {
			t.Errorf("empty enqueue = %v, %v", ok, err)
		}
		if !tx.Enqueued("reminder/2026-05-02") {
			t.Error("empty run not remembered")
		}
		_, err := tx.EnqueuePosts("")
		if err == nil {
			t.Error("empty key accepted")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestOutboxLifecycleSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	c := &outboxClock{t: time.Date(2026, 5, 2, 20, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, path, c)
	choices := [][]chat.Choice{{{Label: "📝 Báo cáo ngay", Value: "cmd:baocao"}}, {{Label: "Hướng dẫn", URL: "https://dichvucong.gov.vn"}}}
	items := posts(chat.Bold("one")+" <b>&amp;", "two", "three")
	items[0].Reply.Choices = choices
	items[1].Reply.Photo = &chat.File{Name: "chart.png", Bytes: []byte("PNG")}
	items[2].Reply.Group = true
	items[2].Reply.To = chat.Addr(chat.Zalo, "grp-6ede9afa")
	items[2].Reply.File = &chat.File{Name: "bao-cao.xlsx", Bytes: []byte("PK")}
	items[2].Reply.Fallback = []chat.Address{chat.Addr(chat.Zalo, "6ede9afa01")}
	if err := db.Update(func(tx *store.Tx) error {
		_, err := tx.EnqueuePosts("job/1", items...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ps := pending(t, db)
	retry := c.t.Add(30 * time.Second)
	if err := db.Update(func(tx *store.Tx) error {
		if err := tx.MarkPostSent(ps[1].Seq); err != nil {
			return err
		}
		if err := tx.MarkPostFailed(ps[0].Seq, "503", retry); err != nil {
			return err
		}
		return tx.MarkPostDropped(ps[2].Seq, "blocked")
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openOutboxStore(t, path, c)
	defer db.Close()
	ps2 := pending(t, db)
	if len(ps2) != 1 || ps2[0].Reply.Text != chat.Bold("one")+" <b>&amp;" || ps2[0].Attempts != 1 || ps2[0].LastError != "503" ||
		!ps2[0].NotBefore.Equal(retry) || !reflect.DeepEqual(ps2[0].Reply.Choices, choices) {
		t.Fatalf("after reopen pending = %+v", ps2)
	}
	if err := db.View(func(tx *store.Tx) error {
		next, ok, err := tx.NextPostAttempt()
		if err != nil || !ok || !next.Equal(retry) {
			t.Errorf("NextPostAttempt = %v %v %v, want %v", next, ok, err, retry)
		}
		if tx.OutboxDepth() != 1 {
			t.Errorf("depth = %d", tx.OutboxDepth())
		}
		sent, err := tx.OutboxPost(ps[1].Seq)
		if err != nil || sent.Status != store.OutboxSent || !sent.DoneAt.Equal(c.t) || sent.Reply.Photo == nil ||
			sent.Reply.Photo.Name != "chart.png" || sent.Reply.Photo.Bytes != nil {
			t.Errorf("sent post = %+v, %v (attachment bytes must be dropped once sent)", sent, err)
		}
		dropped, _ := tx.OutboxPost(ps[2].Seq)
		if dropped.Status != store.OutboxDropped || dropped.LastError != "blocked" || !dropped.Reply.Group ||
			dropped.Reply.To != chat.Addr(chat.Zalo, "grp-6ede9afa") || dropped.Reply.File == nil ||
			dropped.Reply.File.Name != "bao-cao.xlsx" || dropped.Reply.File.Bytes != nil ||
			!reflect.DeepEqual(dropped.Reply.Fallback, []chat.Address{chat.Addr(chat.Zalo, "6ede9afa01")}) {
			t.Errorf("dropped post = %+v (attachment bytes must be dropped once given up)", dropped)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Finishing twice changes nothing (safe in DB.Batch).
	if err := db.Update(func(tx *store.Tx) error {
		if err := tx.MarkPostDropped(ps[1].Seq, "late"); err != nil {
			return err
		}
		p, _ := tx.OutboxPost(ps[1].Seq)
		if p.Status != store.OutboxSent {
			t.Errorf("a sent post became %s", p.Status)
		}
		return tx.MarkPostFailed(ps[1].Seq, "x", retry)
	}); err != nil {
		t.Fatal(err)
	}
	if n := len(pending(t, db)); n != 1 {
		t.Errorf("pending = %d after re-finishing, want 1", n)
	}
}

func TestPruneOutbox(t *testing.T) {
	c := &outboxClock{t: time.Date(2026, 5, 2, 20, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, filepath.Join(t.TempDir(), "d.db"), c)
	defer db.Close()
	if err := db.Update(func(tx *store.Tx) error {
		if _, err := tx.EnqueuePosts("old", posts("a", "b")...); err != nil {
			return err
		}
		ps, _ := tx.PendingPosts(0)
		return tx.MarkPostSent(ps[0].Seq)
	}); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(40 * 24 * time.Hour)
	if err := db.Update(func(tx *store.Tx) error {
		n, err := tx.PruneOutbox(c.t.Add(-30 * 24 * time.Hour))
		if err != nil || n != 1 {
			t.Errorf("pruned %d, %v; want 1", n, err)
		}
		count := 0
		_ = tx.EachPost(func(store.OutboxItem) error { count++; return nil })
		if count != 1 {
			t.Errorf("%d posts left, want the pending one", count)
		}
		if ok, _ := tx.EnqueuePosts("old", posts("again")...); ok {
			t.Error("a pruned job key was enqueued again")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestLastRunsNeverGoBack(t *testing.T) {
	c := &outboxClock{t: time.Date(2026, 5, 2, 20, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, filepath.Join(t.TempDir(), "d.db"), c)
	defer db.Close()
	t1 := time.Date(2026, 5, 2, 16, 0, 0, 0, time.UTC)
	if err := db.Update(func(tx *store.Tx) error {
		if err := tx.SetLastRun("reminder", t1); err != nil {
			return err
		}
		if err := tx.SetLastRun("reminder", t1.Add(-time.Hour)); err != nil {
			return err
		}
		return tx.SetLastRun("leaderboard", t1.Add(4*time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *store.Tx) error {
		runs, err := tx.LastRuns()
		if err != nil || len(runs) != 2 || !runs["reminder"].Equal(t1) || !runs["leaderboard"].Equal(t1.Add(4*time.Hour)) {
			t.Errorf("LastRuns = %v, %v", runs, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestGroupMigration(t *testing.T) {
	c := &outboxClock{t: time.Date(2026, 5, 2, 20, 0, 0, 0, time.UTC)}
	db := openOutboxStore(t, filepath.Join(t.TempDir(), "d.db"), c)
	defer db.Close()
	if err := db.Update(func(tx *store.Tx) error {
		if got := tx.MigratedChat(-100); got != -100 {
			t.Errorf("before migration MigratedChat = %d", got)
		}
		return tx.SetGroupChatID(-100, -1001234)
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(tx *store.Tx) error {
		if tx.GroupChatID() != -1001234 || tx.MigratedChat(-100) != -1001234 {
			t.Errorf("GroupChatID = %d, MigratedChat(-100) = %d", tx.GroupChatID(), tx.MigratedChat(-100))
		}
		if tx.MigratedChat(-555) != -555 || tx.MigratedChat(42) != 42 || tx.MigratedChat(0) != 0 {
			t.Error("an unrelated chat was redirected")
		}
		log, err := tx.AuditLog(0, 0)
		if err != nil || len(log) != 1 || log[0].Action != "group.migrate" {
			t.Errorf("audit = %+v, %v", log, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
