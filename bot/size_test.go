package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/chat"
	"dvcbot/store"
)

func TestFmtMB(t *testing.T) {
	for _, tc := range []struct {
		bytes int64
		want  string
	}{
		{0, "0,0 MB"},
		{52<<20 + 3<<20/10 + 1, "52,3 MB"},
		{50<<20 + 1, "50,0 MB"},
		{1<<20 - 1, "1,0 MB"},
		{1263 << 20, "1.263,0 MB"},
		{1234567 << 20, "1.234.567,0 MB"},
	} {
		if got := fmtMB(tc.bytes); got != tc.want {
			t.Errorf("fmtMB(%d) = %q, want %q", tc.bytes, got, tc.want)
		}
	}
}

// Issue 12, wording: file sizes with a decimal comma («52,3 MB», not
// «52.3 MB»); a backup stopped at the limit says so.
func TestBackupTooLargeWording(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	db, err := store.Open(filepath.Join(t.TempDir(), "dvcbot.db"), store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := tg(1001)
	eng := New(db, Settings{Location: loc, Admins: []chat.Address{admin}})
	for i, tc := range []struct {
		name string
		file chat.File
		err  error
		want string
	}{
		{"a file over the limit", chat.File{Name: "x.db.gz", Bytes: make([]byte, 52<<20+3<<20/10)}, nil, "Bản sao lưu nặng 52,3 MB, quá giới hạn 50 MB"},
		{"compression stopped at the limit", chat.File{}, fmt.Errorf("backup: %w", ErrDocumentTooLarge), "Bản sao lưu nén nặng hơn 50 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := eng.WithBackups(func(context.Context) (chat.File, error) { return tc.file, tc.err })
			rs, err := h.Handle(context.Background(), chat.Input{Update: fmt.Sprint(i + 1), Chat: admin, From: admin, Private: true,
				Text: "/saoluu", Caps: chat.CapsOf(chat.Telegram)})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || rs[0].File != nil || !strings.Contains(rs[0].Text, tc.want) {
				t.Fatalf("replies %+v, want one text saying %q", rs, tc.want)
			}
		})
	}
}
