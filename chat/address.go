package chat

import (
	"fmt"
	"strings"
)

// The channels dvcbot speaks on. A channel name is stored in keys and
// records: never rename one.
const (
	Telegram = "telegram"
	Zalo     = "zalo"
	Console  = "console" // the terminal of `dvcbot demo`
)

// Address is a person or a chat on one channel, such as "telegram:123456"
// or "zalo:6ede9afa…". A person (campaign.PersonID) may have an address on
// each channel; a group chat has one address.
type Address struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// Addr builds an address.
func Addr(channel, id string) Address { return Address{Channel: channel, ID: id} }

// String is the address as stored and shown: "channel:id".
func (a Address) String() string {
	if a.IsZero() {
		return ""
	}
	return a.Channel + ":" + a.ID
}

// IsZero reports whether the address is unset.
func (a Address) IsZero() bool { return a.Channel == "" && a.ID == "" }

// ParseAddress reads "channel:id". The channel must be one of the known
// channels and the id non-empty, printable and without spaces.
func ParseAddress(s string) (Address, error) {
	ch, id, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return Address{}, fmt.Errorf("chat: address %q: want channel:id", s)
	}
	a := Address{Channel: ch, ID: id}
	if err := a.Validate(); err != nil {
		return Address{}, err
	}
	return a, nil
}

// Validate checks that the channel is known and the id is a plain token
// (1–128 printable ASCII characters, no spaces or colons are needed).
func (a Address) Validate() error {
	switch a.Channel {
	case Telegram, Zalo, Console:
	default:
		return fmt.Errorf("chat: unknown channel %q in address %q", a.Channel, a.String())
	}
	if a.ID == "" || len(a.ID) > 128 {
		return fmt.Errorf("chat: address %q: id must have 1 to 128 characters", a.String())
	}
	for i := 0; i < len(a.ID); i++ {
		if c := a.ID[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("chat: address %q: id may hold only printable ASCII characters", a.String())
		}
	}
	return nil
}
