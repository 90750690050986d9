package bot

import (
	"errors"
	"strconv"
	"strings"
)

// ErrDocumentTooLarge marks a document the bot cannot send because it is
// over MaxDocumentBytes (a BackupFunc that stops compressing at the limit
// wraps it, instead of building the whole file in memory).
var ErrDocumentTooLarge = errors.New("bot: document larger than Telegram accepts")

// fmtMB writes a size in bytes as megabytes the Vietnamese way: one
// decimal after a comma, thousands grouped with dots («52,3 MB»,
// «1.204,5 MB»).
func fmtMB(n int64) string {
	tenths := (n*10 + 1<<19) >> 20 // rounded to the nearest tenth of a MiB
	whole, frac := tenths/10, tenths%10
	s := strconv.FormatInt(whole, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + "," + strconv.FormatInt(frac, 10) + " MB"
}
