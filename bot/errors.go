package bot

import "dvcbot/chat"

// Errors a transport wraps (fmt.Errorf("…: %w", bot.ErrUnreachable)) so that
// senders of scheduled posts can tell a failure worth retrying from one
// that never will succeed.
var (
	// ErrUnreachable: the chat cannot receive messages from the bot — the
	// user blocked it or never started it (403 "bot was blocked by the
	// user", "bot can't initiate conversation with a user"), the bot was
	// kicked from the group, or the chat does not exist (400 "chat not
	// found"). Retrying will not help until the user writes to the bot.
	ErrUnreachable = chat.ErrUnreachable
	// ErrRejected: Telegram refused the message itself (a 400 other than a
	// group migration: entities that do not parse, a caption too long, …).
	// Sending the same message again gives the same answer.
	ErrRejected = chat.ErrRejected
)
