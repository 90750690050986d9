package chat

// Caps says what a channel can show. The engine words its replies by it
// (a channel without buttons is told which word or number to type); the
// transport that fills it in renders every Reply within it.
type Caps struct {
	// Buttons: choices can be tapped (Telegram's inline keyboard). Without
	// them choices are shown as numbered lines; typed numbers and labels
	// answer choices on every channel.
	Buttons bool `json:"buttons,omitempty"`
	// Edit: an earlier message can be replaced in place (Reply.Edit).
	Edit bool `json:"edit,omitempty"`
	// Files: a document can be sent as a file. Without it, files go out as
	// a signed link served by dvcbot itself.
	Files bool `json:"files,omitempty"`
	// DeepLinks: a link can open the bot with a start parameter.
	DeepLinks bool `json:"deep_links,omitempty"`
	// TextLimit is the most characters one message may hold (0: no limit);
	// transports split longer texts themselves.
	TextLimit int `json:"text_limit,omitempty"`
}

// CapsOf is what each channel can do.
func CapsOf(channel string) Caps {
	switch channel {
	case Telegram:
		return Caps{Buttons: true, Edit: true, Files: true, DeepLinks: true, TextLimit: 4096}
	case Zalo:
		return Caps{TextLimit: 2000}
	default:
		return Caps{Buttons: true, Files: true}
	}
}

// Input is one thing a person did in a chat: a text message, a tap on a
// choice or a photo. Transports translate their own updates into Inputs;
// the engine never sees a transport type.
type Input struct {
	// Update identifies the update within its channel (Telegram's
	// update_id, Zalo's event name and message id) so that a re-delivered
	// update is applied at most once. Empty means "no id".
	Update string
	// Chat is where the message was written; From is who wrote it. In a
	// private chat both are the person's address.
	Chat Address
	From Address
	// Name is the display name the channel gives the sender (may be empty).
	Name string
	// Private is true in a one-to-one chat with the bot, false in groups.
	Private bool
	// Text is the message text (or photo caption), as received.
	Text string
	// Callback is set when the person tapped a choice.
	Callback *Callback
	// Photo is set when the message carries a picture.
	Photo *Photo
	// ContactPhone is the phone number of a shared contact card.
	ContactPhone string
	// Unsupported names what the channel delivered that the bot cannot read
	// (a sticker, a voice message, a file, a stripped link); "" otherwise.
	// The engine answers it with what the person can send instead.
	Unsupported string
	// Caps is what the channel (as rendered by this transport) can show.
	Caps Caps
}

// Callback is a tap on a choice.
type Callback struct {
	ID        string // transport id, to acknowledge the tap
	Data      string // the choice's Value
	MessageID string // the message the choice belongs to
}

// Photo is a picture a person sent. Ref is the channel's reference to it
// (Telegram's file_id) when the channel keeps the file; Data holds the
// bytes when the channel does not (Zalo's picture URLs expire), so that
// the engine can keep them as evidence.
type Photo struct {
	Ref  string
	Data []byte
}

// Reply is one message for a transport to send.
type Reply struct {
	To Address `json:"to"`
	// Text carries emphasis marks (Bold, Code, …); see Spans. Every
	// string a person typed in it went through Strip or a mark function.
	Text string `json:"text,omitempty"`
	// Choices are what the person may answer, row by row. Channels with
	// buttons show them as buttons; others as numbered lines.
	Choices [][]Choice `json:"choices,omitempty"`
	// File, when set, is a document sent with Text as its caption (or as a
	// link on channels that cannot send files).
	File *File `json:"file,omitempty"`
	// Photo, when set, is a picture sent with Text as its caption.
	Photo *File `json:"photo,omitempty"`
	// Bulk marks scheduled posts (reminders, leaderboards) which yield to
	// answers at the rate limiter.
	Bulk bool `json:"bulk,omitempty"`
	// Group marks a post to a leaders' group.
	Group bool `json:"group,omitempty"`
	// Optional marks traffic that may be left out when a channel's monthly
	// quota is nearly used (second reminders, private leaderboard copies).
	Optional bool `json:"optional,omitempty"`
	// Fallback, on a post to a group, lists the people to send it to
	// privately instead when the group refuses it.
	Fallback []Address `json:"fallback,omitempty"`
	// Edit, when set on a channel that can edit, replaces that earlier
	// message (ticking a choice); other channels send a new message.
	Edit string `json:"edit,omitempty"`
}

// Choice is one answer a person may give: tapped where the channel has
// buttons, typed (its number or its label) everywhere. A Choice with a URL
// is a link instead.
type Choice struct {
	Label string `json:"label"`
	Value string `json:"value,omitempty"`
	URL   string `json:"url,omitempty"`
	// TypedOnly marks a choice that undoes something saved: typing a bare
	// number must never pick it (a phone number begun, a count), so it is
	// answered only by a tap or by its label typed in full. Channels
	// without buttons leave it out of their numbered lists: the reply's
	// text says which word to type.
	TypedOnly bool `json:"typed_only,omitempty"`
}

// File is an attachment built in memory.
type File struct {
	Name  string `json:"name"`
	Bytes []byte `json:"bytes,omitempty"`
}

// Usage is a channel's use of its monthly quota (Zalo's Basic plan:
// 3,000 messages and 50 users a month), for health checks, metrics and
// the admins' /hanmuc.
type Usage struct {
	Channel string `json:"channel"`
	// Month is the calendar month counted, "2026-12".
	Month string `json:"month"`
	// In and Out are the messages received and sent this month.
	In  int `json:"in"`
	Out int `json:"out"`
	// Users is the number of distinct people who wrote this month.
	Users int `json:"users"`
	// MessageQuota and UserQuota are the plan's limits (0: none).
	MessageQuota int `json:"message_quota"`
	UserQuota    int `json:"user_quota"`
	// CountsIn says whether received messages count against the quota.
	CountsIn bool `json:"counts_in"`
}

// Messages is what counts against the message quota.
func (u Usage) Messages() int {
	if u.CountsIn {
		return u.In + u.Out
	}
	return u.Out
}
