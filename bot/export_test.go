package bot

import (
	"strings"

	"dvcbot/chat"
)

// Helpers of the package's own tests that its external tests (posts,
// the Telegram end-to-end test) use too.
var (
	// RenderText shows a marked text as golden files do (*bold*, `code`, …).
	RenderText = renderText
	// CheckReply reports what a channel would refuse in a reply.
	CheckReply = checkReply
)

// RenderReplies shows replies as transcripts do, tagging those not sent to to.
func RenderReplies(rs []chat.Reply, to chat.Address) string {
	var b strings.Builder
	for _, r := range rs {
		renderReply(&b, r, to)
	}
	return b.String()
}
