package bot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// mountTmpfs mounts a small tmpfs for the test, or skips it where the
// machine does not allow it (not root, no mount in the container).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s): the full-disk test needs root", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file until the file system is full.
func fill(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			return // full
		}
	}
}

// TestFullDiskLeavesTheUpdateUnconfirmed (issue 12, item 3): on a full
// disk a report is answered «chưa được lưu», Handle says it was not stored
// (the transport must not confirm the update: it comes again), the write
// health stays red until a write succeeds, and the same update handled
// again once there is room is saved — once.
func TestFullDiskLeavesTheUpdateUnconfirmed(t *testing.T) {
	dir := mountTmpfs(t, "4m")
	clock := &testClock{t: worldStart}
	db, err := store.Open(filepath.Join(dir, "dvcbot.db"), store.Options{Now: clock.Now, Location: hcm})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	me := tg(officerID)
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(testHamlets); err != nil {
			return err
		}
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: me}}, FullName: "Lê Văn Tám",
			HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true}, id, "officer.join")
	})
	if err != nil {
		t.Fatal(err)
	}
	eng := New(db, Settings{CampaignName: "Thử", Location: hcm, Procedures: testProcedures, RatePerMinute: -1}, WithClock(clock.Now))
	ctx := context.Background()
	report := func(n int) chat.Input {
		return chat.Input{Update: fmt.Sprint(n), Chat: me, From: me, Private: true, Caps: chat.CapsOf(chat.Telegram),
			Text: fmt.Sprintf("/baocao Nguyễn Văn An; Tổ %d, ấp Bãi Nhà; 09%08d; khai sinh", n, n)}
	}

	filler := filepath.Join(dir, "filler")
	fill(t, filler)
	var failed chat.Input
	for n := 1; n <= 300; n++ {
		clock.Add(time.Minute)
		in := report(n)
		rs, err := eng.Handle(ctx, in)
		if err == nil {
			continue // a freed page was reused: not full for this one yet
		}
		if !errors.Is(err, ErrNotStored) {
			t.Fatalf("Handle = %v, want ErrNotStored", err)
		}
		if len(rs) != 1 || !strings.Contains(rs[0].Text, "chưa được lưu") {
			t.Fatalf("answer on a full disk = %+v, want «chưa được lưu»", rs)
		}
		failed = in
		break
	}
	if failed.Update == "" {
		t.Fatal("no write failed on a full disk")
	}
	if eng.WriteHealth() == nil {
		t.Fatal("write health green after a failed write")
	}
	// The same update again while the disk is still full: not apologised twice.
	if rs, err := eng.Handle(ctx, failed); !errors.Is(err, ErrNotStored) || len(rs) != 0 {
		t.Errorf("second failure = %+v, %v; want no second apology, ErrNotStored", rs, err)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	rs, err := eng.Handle(ctx, failed) // Telegram delivers it again
	if err != nil || len(rs) == 0 || !strings.Contains(rs[0].Text, "Đã lưu") {
		t.Fatalf("the update again with room = %+v, %v; want it saved", rs, err)
	}
	if err := eng.WriteHealth(); err != nil {
		t.Errorf("write health still red after a successful write: %v", err)
	}
	if rs, err := eng.Handle(ctx, failed); err != nil || len(rs) != 0 {
		t.Errorf("a third delivery = %+v, %v; want it applied once", rs, err)
	}
}
