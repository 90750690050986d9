package bot

import (
	"context"

	"dvcbot/chat"
)

// Handler turns one Input into the replies to send. It returns only after
// everything the input changed is durably stored.
type Handler interface {
	Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error)
}

// Command is an entry of the bot's command menu.
type Command struct {
	Name        string // without the slash, lowercase a-z0-9_
	Description string
}
