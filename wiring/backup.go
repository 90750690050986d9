package wiring

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"dvcbot/backup"
	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/store"
)

// BackupFile makes the file /saoluu sends: a fresh snapshot, gzip-compressed,
// named by the time it was taken in the campaign time zone. The snapshot's
// read transaction ends once it is copied beside the data file; it is
// compressed from that copy into at most bot.MaxDocumentBytes of memory
// (backup.WriteGzip), and a larger one is reported, not built.
func BackupFile(db *store.DB, loc *time.Location, now func() time.Time) bot.BackupFunc {
	return func(ctx context.Context) (chat.File, error) {
		if err := ctx.Err(); err != nil {
			return chat.File{}, err
		}
		at := now().In(loc)
		var buf bytes.Buffer
		if err := backup.WriteGzip(ctx, db, &buf, bot.MaxDocumentBytes); err != nil {
			if errors.Is(err, backup.ErrTooLarge) {
				return chat.File{}, fmt.Errorf("%w: %w", bot.ErrDocumentTooLarge, err)
			}
			return chat.File{}, err
		}
		return chat.File{Name: backup.FileName(at) + ".gz", Bytes: buf.Bytes()}, nil
	}
}
