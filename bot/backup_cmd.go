package bot

import (
	"context"
	"errors"

	"dvcbot/chat"
)

// /saoluu: an admin asks for a fresh backup of the whole data file, sent
// to them privately as a document.
//
// A consistent snapshot cannot be taken inside the write transaction a
// command runs in (bbolt's Tx.WriteTo reads committed pages from the
// file), and should not be: it would hold every other report back while
// the file is copied. So the command only checks who asks, audits the
// request and answers with a placeholder document; the Handler returned by
// Engine.WithBackups takes the snapshot after the commit, outside any
// write transaction, and puts the file in its place.

// BackupFunc makes a fresh backup file of the whole data file.
type BackupFunc func(ctx context.Context) (chat.File, error)

// backupPlaceholder names the document a /saoluu reply carries until
// WithBackups fills it; it cannot be a real file name.
const backupPlaceholder = "\x00saoluu"

// MaxDocumentBytes is the largest file a bot may upload to Telegram (files
// on channels that cannot send them go as links, without that limit).
const MaxDocumentBytes = 50 << 20

// cmdBackup (/saoluu) answers with a backup file (filled in by WithBackups).
func (c *cx) cmdBackup(string) error {
	if err := c.tx.Audit(c.who.ID, "backup.download", nil, map[string]any{"channel": c.in.Chat.Channel}); err != nil {
		return err
	}
	c.replies = append(c.replies, chat.Reply{To: c.in.Chat, File: &chat.File{Name: backupPlaceholder},
		Text: "💾 " + bold("Bản sao lưu dữ liệu") + " lúc " + fmtDateTime(c.now, c.e.set.Location) + " (tệp bbolt nén gzip).\n" +
			"Tệp chứa thông tin cá nhân của người dân: chỉ lưu ở nơi an toàn, không chuyển tiếp.\n" +
			"Khôi phục khi bot đã dừng: " + chat.CodeStart + "dvcbot restore --config dvcbot.yaml --from " + "TÊN_TỆP" + chat.CodeEnd + "."})
	return nil
}

// backupHandler fills /saoluu replies with a fresh backup.
type backupHandler struct {
	e    *Engine
	make BackupFunc
}

// WithBackups returns a Handler that handles inputs like e and answers
// /saoluu with a backup made by make, after the request is committed.
// Every transport that serves admins must hand its inputs to this Handler:
// e alone answers /saoluu with an empty placeholder document.
func (e *Engine) WithBackups(make BackupFunc) Handler { return backupHandler{e: e, make: make} }

// Handle implements Handler.
func (h backupHandler) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	replies, err := h.e.Handle(ctx, in)
	for i := range replies {
		if !isBackupPlaceholder(replies[i]) {
			continue
		}
		f, berr := h.make(ctx)
		switch {
		case errors.Is(berr, ErrDocumentTooLarge):
			replies[i] = chat.Reply{To: replies[i].To, Text: "⚠️ Bản sao lưu nén nặng hơn 50 MB, quá giới hạn bot gửi được. Vui lòng lấy bản sao lưu hằng ngày trong thư mục sao lưu trên máy chủ (store.backup_dir)."}
		case berr != nil:
			h.e.log.Error("backup for /saoluu failed", "update", in.Update, "channel", in.Chat.Channel, "err", berr)
			replies[i] = chat.Reply{To: replies[i].To, Text: "⚠️ Chưa tạo được bản sao lưu lúc này. Vui lòng thử lại sau ít phút; nếu vẫn lỗi, báo người quản lý máy chủ (bản sao lưu hằng ngày vẫn nằm trong thư mục sao lưu trên máy chủ)."}
		case len(f.Bytes) > MaxDocumentBytes && in.Caps.Files:
			replies[i] = chat.Reply{To: replies[i].To, Text: "⚠️ Bản sao lưu nặng " + fmtMB(int64(len(f.Bytes))) + ", quá giới hạn 50 MB mỗi tệp bot gửi được. Vui lòng lấy bản sao lưu hằng ngày trong thư mục sao lưu trên máy chủ (store.backup_dir)."}
		default:
			file := f
			replies[i].File = &file
		}
	}
	return replies, err
}

func isBackupPlaceholder(r chat.Reply) bool {
	return r.File != nil && r.File.Name == backupPlaceholder && r.File.Bytes == nil
}
