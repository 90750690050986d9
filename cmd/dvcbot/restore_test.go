package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/backup"
	"dvcbot/store"
)

func TestRestoreCommand(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "data", "dvcbot.db")
	registerOfficers(t, live, 2001, 3)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	db, err := store.Open(live, store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	info, err := backup.Write(db, filepath.Join(dir, "data", "backups"), time.Date(2026, 3, 2, 2, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"DVCBOT_STORE_PATH=" + live}

	// While the bot holds the file: refused, with what to do.
	r := runCmd(t, "", env, "restore", "--from", info.Path)
	if !errors.Is(r.err, backup.ErrInUse) || !strings.Contains(r.err.Error(), "hãy dừng bot") {
		t.Fatalf("restore while running: %v", r.err)
	}
	db.Close()

	bad := filepath.Join(dir, "hong.db")
	os.WriteFile(bad, []byte("không phải cơ sở dữ liệu"), 0o600)
	if r := runCmd(t, "", env, "restore", "--from", bad); !errors.Is(r.err, backup.ErrInvalid) || !strings.Contains(r.err.Error(), "dữ liệu hiện tại được giữ nguyên") {
		t.Fatalf("restore of a bad file: %v", r.err)
	}
	if r := runCmd(t, "", env, "restore"); !errors.Is(r.err, errUsage) {
		t.Fatalf("restore without --from: %v", r.err)
	}

	r = runCmd(t, "", env, "restore", "--from", info.Path)
	if r.err != nil {
		t.Fatal(r.err)
	}
	for _, want := range []string{"Bản sao lưu hợp lệ", "3 cán bộ", "Tệp dữ liệu cũ được giữ lại: " + live + ".before-restore-", "Đã khôi phục vào " + live} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("restore said %q; want %q", r.stdout, want)
		}
	}
	if _, err := backup.Verify(live); err != nil {
		t.Fatal(err)
	}
}
