package chat

import "errors"

// Errors a transport's Send wraps (fmt.Errorf("…: %w", chat.ErrUnreachable))
// so that the outbox can tell a failure worth retrying from one that never
// will succeed, or from one that must not be retried.
var (
	// ErrUnreachable: the chat cannot receive messages from the bot (the
	// person blocked it or never started it, the bot left the group, the
	// chat does not exist). Retrying will not help until they write again.
	ErrUnreachable = errors.New("chat: unreachable")
	// ErrRejected: the channel refused the message itself; sending the same
	// message again gives the same answer.
	ErrRejected = errors.New("chat: message rejected by the channel")
	// ErrUncertain: the request may have reached the channel but no answer
	// came back (a timeout, a dropped response). Channels without an
	// idempotency key (Zalo) may have delivered it, so it is not sent again.
	ErrUncertain = errors.New("chat: delivery unknown")
	// ErrQuota: the channel's monthly quota is used up (or nearly, for
	// optional traffic); the message was not sent.
	ErrQuota = errors.New("chat: channel quota reached")
)
