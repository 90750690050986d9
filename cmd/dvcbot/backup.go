package main

import (
	"bytes"
	"context"
	"time"

	"dvcbot/backup"
	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/store"
)

// backupFile makes the file /saoluu sends: a fresh snapshot, gzip-compressed,
// named by the time it was taken in the campaign time zone.
func backupFile(db *store.DB, loc *time.Location, now func() time.Time) bot.BackupFunc {
	return func(ctx context.Context) (chat.File, error) {
		if err := ctx.Err(); err != nil {
			return chat.File{}, err
		}
		at := now().In(loc)
		var buf bytes.Buffer
		if err := backup.WriteGzip(db, &buf); err != nil {
			return chat.File{}, err
		}
		return chat.File{Name: backup.FileName(at) + ".gz", Bytes: buf.Bytes()}, nil
	}
}
