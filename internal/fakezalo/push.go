package fakezalo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Update is an event as Zalo sends it.
type Update struct {
	EventName string     `json:"event_name"`
	Message   UpdateBody `json:"message"`
}

// UpdateBody is the message of an update.
type UpdateBody struct {
	From      From   `json:"from"`
	Chat      Chat   `json:"chat"`
	Text      string `json:"text,omitempty"`
	Photo     string `json:"photo_url,omitempty"`
	Caption   string `json:"caption,omitempty"`
	Sticker   string `json:"sticker,omitempty"`
	URL       string `json:"url,omitempty"`
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"`
}

// From is the sender.
type From struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	IsBot       bool   `json:"is_bot"`
}

// Chat is where the message was written.
type Chat struct {
	ID       string `json:"id"`
	ChatType string `json:"chat_type"`
}

// Event names.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventVoice       = "message.voice.received"
	EventUnsupported = "message.unsupported.received"
)

func (s *Server) body(fromID, name, chatID, chatType string) UpdateBody {
	s.mu.Lock()
	s.seq++
	id := fmt.Sprintf("2d758cb5e40ea1%018x", s.seq)
	s.mu.Unlock()
	return UpdateBody{From: From{ID: fromID, DisplayName: name}, Chat: Chat{ID: chatID, ChatType: chatType},
		MessageID: id, Date: s.o.Now().UnixMilli()}
}

// Private is a text message from a person in their chat with the bot.
func (s *Server) Private(fromID, name, text string) Update {
	b := s.body(fromID, name, fromID, "PRIVATE")
	b.Text = text
	return Update{EventName: EventText, Message: b}
}

// Group is a text message in a group; with mention it starts with
// "@<bot display name> " as when a member picks the bot in the @ picker.
// The group is remembered as a group.
func (s *Server) Group(groupID, fromID, name, text string, mention bool) Update {
	s.AddGroup(groupID)
	b := s.body(fromID, name, groupID, "GROUP")
	if mention {
		text = "@" + s.o.DisplayName + " " + text
	}
	b.Text = text
	return Update{EventName: EventText, Message: b}
}

// Image is a picture a person sent, at photoURL (see HostPhoto).
func (s *Server) Image(fromID, name, photoURL, caption string) Update {
	b := s.body(fromID, name, fromID, "PRIVATE")
	b.Photo, b.Caption = photoURL, caption
	return Update{EventName: EventImage, Message: b}
}

// Other is an event without content: EventSticker, EventVoice,
// EventUnsupported (a file, or a text whose link Zalo stripped), or an
// unknown event name.
func (s *Server) Other(event, fromID, name string) Update {
	b := s.body(fromID, name, fromID, "PRIVATE")
	if event == EventSticker {
		b.Sticker = "a1b2c3"
	}
	return Update{EventName: event, Message: b}
}

// Shape is how a push wraps the update.
type Shape int

// Shapes of a push.
const (
	// Root is a live push: {"event_name","message"}.
	Root Shape = iota
	// Enveloped is the docs' sample: {"ok":true,"result":{…}}.
	Enveloped
)

// Encode renders u in a shape.
func Encode(u Update, shape Shape) []byte {
	var v any = u
	if shape == Enveloped {
		v = map[string]any{"ok": true, "result": u}
	}
	b, _ := json.Marshal(v)
	return b
}

// Pusher POSTs updates to a webhook as Zalo does, with the secret in
// X-Bot-Api-Secret-Token.
type Pusher struct {
	URL    string
	Secret string
	// Client defaults to http.DefaultClient.
	Client *http.Client
}

// Push delivers u (root-level, as live pushes are) and returns the HTTP
// status.
func (p *Pusher) Push(ctx context.Context, u Update) (int, error) {
	return p.PushRaw(ctx, Encode(u, Root), p.Secret)
}

// PushShape delivers u in the given shape.
func (p *Pusher) PushShape(ctx context.Context, u Update, shape Shape) (int, error) {
	return p.PushRaw(ctx, Encode(u, shape), p.Secret)
}

// PushWrongSecret delivers u with a wrong secret.
func (p *Pusher) PushWrongSecret(ctx context.Context, u Update) (int, error) {
	return p.PushRaw(ctx, Encode(u, Root), p.Secret+"-wrong")
}

// PushRaw POSTs body with secret ("" sends no header).
func (p *Pusher) PushRaw(ctx context.Context, body []byte, secret string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("fakezalo: push: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Bot-Api-Secret-Token", secret)
	}
	c := p.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("fakezalo: push: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
