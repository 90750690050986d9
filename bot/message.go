package bot

import "context"

// Input is one thing a user did in a chat: a text message, a button press
// or a photo. Transports (Telegram, the terminal) translate their own
// updates into Inputs; the engine never sees a transport type.
type Input struct {
	// UpdateID identifies the update at its transport so that a
	// re-delivered update is applied at most once. Zero means "no id".
	UpdateID int64
	ChatID   int64
	UserID   int64
	// Private is true in a one-to-one chat with the bot, false in groups.
	Private bool
	// Text is the message text (or photo caption), as received.
	Text string
	// Callback is set when the user pressed an inline button.
	Callback *Callback
	// PhotoFileID is the transport's id of the largest size of a photo.
	PhotoFileID string
	// ContactPhone is the phone number of a shared contact card.
	ContactPhone string
}

// Callback is a press of an inline button.
type Callback struct {
	ID        string // transport id, to acknowledge the press
	Data      string // the button's data (at most 64 bytes)
	MessageID int    // the message the button belongs to
}

// Reply is one message for the transport to send.
type Reply struct {
	ChatID int64
	// Text is HTML (Telegram's subset: b, i, u, s, a, code, pre,
	// blockquote). Every user-supplied string in it is escaped.
	Text string
	// Buttons is an inline keyboard, row by row.
	Buttons [][]Button
	// Document, when set, is sent as a file with Text as its caption.
	Document *File
	// Photo, when set, is sent as a picture with Text as its caption.
	Photo *File
	// Bulk marks scheduled posts (reminders, leaderboards) which yield
	// to interactive replies at the rate limiter.
	Bulk bool
	// EditMessageID, when set, replaces the text and keyboard of that
	// earlier message (e.g. ticking a choice) instead of sending a new one.
	EditMessageID int
	// Group marks a post to the leaders' group (the terminal shows it as such).
	Group bool
}

// Button is one inline keyboard button: a callback (Data) or a link (URL).
type Button struct {
	Text string
	Data string
	URL  string
}

// File is an attachment built in memory.
type File struct {
	Name  string
	Bytes []byte
}

// Handler turns one Input into the replies to send. It returns only after
// everything the input changed is durably stored.
type Handler interface {
	Handle(ctx context.Context, in Input) ([]Reply, error)
}

// Command is an entry of the bot's command menu.
type Command struct {
	Name        string // without the slash, lowercase a-z0-9_
	Description string
}
