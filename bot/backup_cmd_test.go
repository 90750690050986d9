package bot

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

func TestBackupCommand(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	now := time.Date(2026, 3, 2, 15, 4, 0, 0, loc)
	db, err := store.Open(filepath.Join(t.TempDir(), "dvcbot.db"), store.Options{Now: func() time.Time { return now }, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const admin, officer int64 = 1001, 2001
	if err := db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 812}}); err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{TelegramID: officer, FullName: "Lê Văn Tám", HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true}, 0, "test")
	}); err != nil {
		t.Fatal(err)
	}
	eng := New(db, Settings{Location: loc, AdminIDs: []int64{admin},
		Procedures: []campaign.Procedure{{ID: "khai_sinh", Name: "Đăng ký khai sinh"}, {ID: "khac", Name: "Khác"}}},
		WithClock(func() time.Time { return now }))

	calls := 0
	var fail error
	payload := []byte("\x1f\x8bbackup")
	h := eng.WithBackups(func(ctx context.Context) (File, error) {
		calls++
		if fail != nil {
			return File{}, fail
		}
		return File{Name: "dvcbot-2026-03-02-150400.db.gz", Bytes: payload}, nil
	})
	update := int64(0)
	send := func(user, chat int64, text string) []Reply {
		t.Helper()
		update++
		rs, err := h.Handle(context.Background(), Input{UpdateID: update, ChatID: chat, UserID: user, Private: chat > 0, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}

	rs := send(admin, admin, "/saoluu")
	if len(rs) != 1 || rs[0].Document == nil || !bytes.Equal(rs[0].Document.Bytes, payload) || rs[0].Document.Name != "dvcbot-2026-03-02-150400.db.gz" {
		t.Fatalf("admin's /saoluu: %+v", rs)
	}
	if !strings.Contains(rs[0].Text, "15:04 02/03/2026") || !strings.Contains(rs[0].Text, "dvcbot restore") {
		t.Fatalf("caption %q", rs[0].Text)
	}
	// Audited: who took the data out, and when.
	var audited bool
	db.View(func(tx *store.Tx) error {
		entries, _ := tx.AuditLog(0, 0)
		for _, e := range entries {
			audited = audited || (e.Action == "backup.download" && e.Actor == admin)
		}
		return nil
	})
	if !audited {
		t.Fatal("/saoluu not in the audit log")
	}

	// The same update delivered again: applied once, no second backup.
	update--
	if rs := send(admin, admin, "/saoluu"); len(rs) != 0 || calls != 1 {
		t.Fatalf("re-delivered /saoluu: %d replies, %d backups", len(rs), calls)
	}

	for _, tc := range []struct {
		name       string
		user, chat int64
		want       string
	}{
		{"officer refused", officer, officer, "chỉ dành cho quản trị viên"},
		{"group refused", admin, -100123, "tin nhắn riêng"},
		{"stranger refused", 999, 999, "chưa đăng ký"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls
			rs := send(tc.user, tc.chat, "/saoluu")
			if len(rs) != 1 || rs[0].Document != nil || !strings.Contains(rs[0].Text, tc.want) || calls != before {
				t.Fatalf("replies %+v, backups %d", rs, calls-before)
			}
		})
	}

	fail = errors.New("disk full")
	if rs := send(admin, admin, "/saoluu"); len(rs) != 1 || rs[0].Document != nil || !strings.Contains(rs[0].Text, "Chưa tạo được bản sao lưu") {
		t.Fatalf("failed backup: %+v", rs)
	}
	fail = nil
	payload = make([]byte, MaxDocumentBytes+1)
	if rs := send(admin, admin, "/saoluu"); len(rs) != 1 || rs[0].Document != nil || !strings.Contains(rs[0].Text, "quá giới hạn 50 MB") {
		t.Fatalf("oversized backup: %+v", rs)
	}
}
