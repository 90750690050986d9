package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Event names Zalo sends. Any other name is unknown and ignored, never an
// error.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventVoice       = "message.voice.received"
	EventUnsupported = "message.unsupported.received"
)

// Chat types.
const (
	ChatPrivate = "PRIVATE"
	ChatGroup   = "GROUP"
)

// Update is one event, pushed to the webhook or returned by getUpdates.
type Update struct {
	EventName string  `json:"event_name"`
	Message   Message `json:"message"`
}

// Key identifies the update for deduplication: event_name:message_id, or
// "" when the message has no id.
func (u Update) Key() string {
	if u.Message.MessageID == "" {
		return ""
	}
	return u.EventName + ":" + u.Message.MessageID
}

// Message is the message an update carries.
type Message struct {
	MessageID string `json:"message_id"`
	// Date is in epoch milliseconds.
	Date int64  `json:"date"`
	From User   `json:"from"`
	Chat Chat   `json:"chat"`
	Text string `json:"text,omitempty"`
	// Photo is the picture's URL (photo or photo_url); it expires soon.
	Photo       string `json:"photo,omitempty"`
	Caption     string `json:"caption,omitempty"`
	Sticker     string `json:"sticker,omitempty"`
	URL         string `json:"url,omitempty"`
	VoiceURL    string `json:"voice_url,omitempty"`
	MessageType string `json:"message_type,omitempty"`
}

// User is who wrote a message.
type User struct {
	ID string `json:"id"`
	// DisplayName is display_name (or name in some payloads).
	DisplayName string `json:"display_name,omitempty"`
	IsBot       bool   `json:"is_bot,omitempty"`
	Avatar      string `json:"avatar,omitempty"`
}

// Chat is where a message was written: a PRIVATE chat (its id is the
// user's) or a GROUP.
type Chat struct {
	ID   string `json:"id"`
	Type string `json:"chat_type"`
}

// wireMessage is a message as Zalo may spell it.
type wireMessage struct {
	MessageID flexString `json:"message_id"`
	Date      flexInt    `json:"date"`
	From      struct {
		ID          flexString `json:"id"`
		DisplayName flexString `json:"display_name"`
		Name        flexString `json:"name"`
		IsBot       flexBool   `json:"is_bot"`
		Avatar      flexString `json:"avatar"`
	} `json:"from"`
	Chat struct {
		ID       flexString `json:"id"`
		ChatType flexString `json:"chat_type"`
		Type     flexString `json:"type"`
	} `json:"chat"`
	Text        flexString `json:"text"`
	Photo       flexURL    `json:"photo"`
	PhotoURL    flexURL    `json:"photo_url"`
	Caption     flexString `json:"caption"`
	Sticker     flexString `json:"sticker"`
	URL         flexString `json:"url"`
	VoiceURL    flexString `json:"voice_url"`
	MessageType flexString `json:"message_type"`
}

func (w wireMessage) message() Message {
	m := Message{
		MessageID:   string(w.MessageID),
		Date:        int64(w.Date),
		From:        User{ID: string(w.From.ID), DisplayName: string(w.From.DisplayName), IsBot: bool(w.From.IsBot), Avatar: string(w.From.Avatar)},
		Chat:        Chat{ID: string(w.Chat.ID), Type: strings.ToUpper(string(w.Chat.ChatType))},
		Text:        string(w.Text),
		Photo:       string(w.Photo),
		Caption:     string(w.Caption),
		Sticker:     string(w.Sticker),
		URL:         string(w.URL),
		VoiceURL:    string(w.VoiceURL),
		MessageType: string(w.MessageType),
	}
	if m.From.DisplayName == "" {
		m.From.DisplayName = string(w.From.Name)
	}
	if m.Chat.Type == "" {
		m.Chat.Type = strings.ToUpper(string(w.Chat.Type))
	}
	if m.Photo == "" {
		m.Photo = string(w.PhotoURL)
	}
	return m
}

// maxUpdateDepth bounds envelope nesting ({ok,result:{ok,result:…}}).
const maxUpdateDepth = 4

// DecodeUpdate reads a webhook body or a getUpdates result: a root-level
// {"event_name","message"} (live pushes), the same wrapped in
// {"ok":true,"result":…} (getUpdates, the docs' sample), or an array of
// either. Objects without a message (setWebhook's probe, an empty body)
// yield no update; an envelope with ok:false yields its *APIError. Field
// spellings vary (photo|photo_url, display_name|name, ids as numbers);
// unknown event names are kept for the caller to ignore.
func DecodeUpdate(raw []byte) ([]Update, error) {
	return decodeUpdatesDepth(raw, 0)
}

func decodeUpdatesDepth(raw []byte, depth int) ([]Update, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if depth > maxUpdateDepth {
		return nil, errors.New("zalo: update nested too deeply")
	}
	switch raw[0] {
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("zalo: decode update array: %w", err)
		}
		var out []Update
		for _, it := range items {
			ups, err := decodeUpdatesDepth(it, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, ups...)
		}
		return out, nil
	case '{':
	default:
		return nil, fmt.Errorf("zalo: decode update: want a JSON object or array, got %.1q", raw[:1])
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("zalo: decode update: %w", err)
	}
	if res, isEnvelope := obj["result"]; isEnvelope || obj["ok"] != nil {
		var env envelope
		if err := json.Unmarshal(raw, &env); err != nil {
			return nil, fmt.Errorf("zalo: decode update envelope: %w", err)
		}
		if !env.OK && obj["event_name"] == nil {
			return nil, &APIError{Code: env.code(), Description: env.Description, HTTPStatus: 200}
		}
		if isEnvelope {
			return decodeUpdatesDepth(res, depth+1)
		}
	}
	msg, ok := obj["message"]
	if !ok || len(bytes.TrimSpace(msg)) == 0 || string(bytes.TrimSpace(msg)) == "null" {
		return nil, nil
	}
	var w wireMessage
	if err := json.Unmarshal(msg, &w); err != nil {
		return nil, fmt.Errorf("zalo: decode message: %w", err)
	}
	var name flexString
	if en, ok := obj["event_name"]; ok {
		_ = json.Unmarshal(en, &name)
	}
	return []Update{{EventName: string(name), Message: w.message()}}, nil
}

// flexString reads a JSON string, number or boolean as a string; null,
// objects and arrays read as "".
type flexString string

// UnmarshalJSON reads a string, number or boolean.
func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		*f = ""
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case '{', '[', 'n':
		*f = ""
	default:
		*f = flexString(b) // a number or a boolean, as written
	}
	return nil
}

// flexInt reads a JSON number or a numeric string; anything else is 0.
type flexInt int64

// UnmarshalJSON reads a number or numeric string.
func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(bytes.TrimSpace(b), `"`)
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	if x, err := strconv.ParseFloat(string(b), 64); err == nil && x > -9.2e18 && x < 9.2e18 {
		*f = flexInt(int64(x))
		return nil
	}
	*f = 0
	return nil
}

// flexBool reads true/false, "true"/"false" and 1/0.
type flexBool bool

// UnmarshalJSON reads a boolean in any spelling.
func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(string(bytes.Trim(bytes.TrimSpace(b), `"`))) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

// flexURL reads a URL given as a string, as an object with a url field,
// or as an array of either (the last, largest, wins).
type flexURL string

// UnmarshalJSON reads a URL in any of its shapes.
func (f *flexURL) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*f = ""
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexURL(s)
	case '{':
		var o struct {
			URL      flexString `json:"url"`
			PhotoURL flexString `json:"photo_url"`
		}
		if json.Unmarshal(b, &o) == nil {
			*f = flexURL(o.URL)
			if *f == "" {
				*f = flexURL(o.PhotoURL)
			}
		}
	case '[':
		var items []flexURL
		if json.Unmarshal(b, &items) == nil {
			for i := len(items) - 1; i >= 0; i-- {
				if items[i] != "" {
					*f = items[i]
					break
				}
			}
		}
	}
	return nil
}
