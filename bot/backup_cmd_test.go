package bot

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
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
	admin, officer := chat.Addr(chat.Telegram, "1001"), chat.Addr(chat.Telegram, "2001")
	if err := db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 812}}); err != nil {
			return err
		}
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: officer}}, FullName: "Lê Văn Tám", HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true}, 0, "test")
	}); err != nil {
		t.Fatal(err)
	}
	eng := New(db, Settings{Location: loc, Admins: []chat.Address{admin},
		Procedures: []campaign.Procedure{{ID: "khai_sinh", Name: "Đăng ký khai sinh"}, {ID: "khac", Name: "Khác"}}},
		WithClock(func() time.Time { return now }))

	calls := 0
	var fail error
	payload := []byte("\x1f\x8bbackup")
	h := eng.WithBackups(func(ctx context.Context) (chat.File, error) {
		calls++
		if fail != nil {
			return chat.File{}, fail
		}
		return chat.File{Name: "dvcbot-2026-03-02-150400.db.gz", Bytes: payload}, nil
	})
	update := 0
	group := chat.Addr(chat.Telegram, "-100123")
	send := func(user, where chat.Address, text string) []chat.Reply {
		t.Helper()
		update++
		rs, err := h.Handle(context.Background(), chat.Input{Update: strconv.Itoa(update), Chat: where, From: user, Private: where != group,
			Caps: chat.CapsOf(where.Channel), Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}

	rs := send(admin, admin, "/saoluu")
	if len(rs) != 1 || rs[0].File == nil || !bytes.Equal(rs[0].File.Bytes, payload) || rs[0].File.Name != "dvcbot-2026-03-02-150400.db.gz" {
		t.Fatalf("admin's /saoluu: %+v", rs)
	}
	if !strings.Contains(rs[0].Text, "15:04 02/03/2026") || !strings.Contains(rs[0].Text, "dvcbot restore") {
		t.Fatalf("caption %q", rs[0].Text)
	}
	// Audited: who took the data out, and when.
	var audited bool
	db.View(func(tx *store.Tx) error {
		p, err := tx.PersonAt(admin)
		if err != nil {
			return err
		}
		entries, _ := tx.AuditLog(0, 0)
		for _, e := range entries {
			audited = audited || (e.Action == "backup.download" && e.Actor == p.ID)
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

	stranger := chat.Addr(chat.Telegram, "999")
	for _, tc := range []struct {
		name        string
		user, where chat.Address
		want        string
	}{
		{"officer refused", officer, officer, "chỉ dành cho quản trị viên"},
		{"group refused", admin, group, "tin nhắn riêng"},
		{"stranger refused", stranger, stranger, "chưa đăng ký"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := calls
			rs := send(tc.user, tc.where, "/saoluu")
			if len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, tc.want) || calls != before {
				t.Fatalf("replies %+v, backups %d", rs, calls-before)
			}
		})
	}

	fail = errors.New("disk full")
	if rs := send(admin, admin, "/saoluu"); len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, "Chưa tạo được bản sao lưu") {
		t.Fatalf("failed backup: %+v", rs)
	}
	fail = nil
	payload = make([]byte, MaxDocumentBytes+1)
	if rs := send(admin, admin, "/saoluu"); len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, "quá giới hạn 50 MB") {
		t.Fatalf("oversized backup: %+v", rs)
	}
	// A channel that cannot send files gets a link to the file instead,
	// without Telegram's limit: the engine hands the file over.
	zaloAdmin := chat.Addr(chat.Zalo, "z-admin")
	eng.set.Admins = append(eng.set.Admins, zaloAdmin)
	if rs := send(zaloAdmin, zaloAdmin, "/saoluu"); len(rs) != 1 || rs[0].File == nil || len(rs[0].File.Bytes) != len(payload) {
		t.Fatalf("oversized backup on a channel without files: %d replies", len(rs))
	}
}
