package zalo

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The fixtures are built from the field sets the sources describe (the
// docs' enveloped sample; BVN's validated group fields; live root-level
// pushes), not copied from them.
func TestDecodeUpdateFixtures(t *testing.T) {
	tests := []struct {
		file string
		want []Update
	}{
		{"docs_sample.json", []Update{{EventName: EventText, Message: Message{
			MessageID: "2d758cb5e40ea17b1e0c", Date: 1750316131602,
			From: User{ID: "6ede9afa1b2c7f3e", DisplayName: "Ted"},
			Chat: Chat{ID: "6ede9afa1b2c7f3e", Type: ChatPrivate}, Text: "Xin chào"}}}},
		{"bvn_group.json", []Update{{EventName: EventText, Message: Message{
			MessageID: "7f3e2d1c0b9a8f7e6d5c", Date: 1759280000000,
			From: User{ID: "1a2b3c4d5e6f7a8b", DisplayName: "Nguyễn Văn An"},
			Chat: Chat{ID: "9b1f2c3d4e5f6a7b", Type: ChatGroup}, Text: "@Bot DVC /nhom K7P2QX9A"}}}},
		{"live_root.json", []Update{{EventName: EventText, Message: Message{
			MessageID: "aa01", Date: 1750316131602,
			From: User{ID: "6ede9afa1b2c7f3e", DisplayName: "Ted"},
			Chat: Chat{ID: "6ede9afa1b2c7f3e", Type: ChatPrivate}, Text: "/baocao"}}}},
		{"image_photo_url.json", []Update{{EventName: EventImage, Message: Message{
			MessageID: "bb02", Date: 1750316131602,
			From: User{ID: "u1", DisplayName: "Ted"},
			Chat: Chat{ID: "u1", Type: ChatPrivate}, Photo: "https://photo.example/abc.jpg", Caption: "Hộ ông Bảy"}}}},
		{"array.json", []Update{
			{EventName: EventSticker, Message: Message{MessageID: "c1", Date: 1, From: User{ID: "u1"}, Chat: Chat{ID: "u1", Type: ChatPrivate}, Sticker: "s1"}},
			{EventName: EventVoice, Message: Message{MessageID: "c2", Date: 2, From: User{ID: "u1"}, Chat: Chat{ID: "u1", Type: ChatPrivate}, VoiceURL: "https://v.example/a.aac"}},
		}},
		{"unknown_event.json", []Update{{EventName: "bot.added.to.group", Message: Message{
			MessageID: "42", Date: 1750316131602,
			From: User{ID: "123456789012345678"},
			Chat: Chat{ID: "987654321", Type: ChatGroup}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "updates", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeUpdate(raw)
			if err != nil {
				t.Fatalf("DecodeUpdate: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeUpdateShapes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		n       int
		wantErr bool
		code    int
	}{
		{"empty body (probe)", "", 0, false, 0},
		{"empty object (probe)", "{}", 0, false, 0},
		{"probe with an event but no message", `{"event_name":"webhook.verify"}`, 0, false, 0},
		{"null message", `{"event_name":"message.text.received","message":null}`, 0, false, 0},
		{"envelope with null result", `{"ok":true,"result":null}`, 0, false, 0},
		{"error envelope, errorCode spelling", `{"ok":false,"errorCode":408,"description":"Request timeout"}`, 0, true, 408},
		{"error envelope", `{"ok":false,"error_code":401,"description":"Unauthorized"}`, 0, true, 401},
		{"bare array", `[{"event_name":"message.text.received","message":{"from":{"id":"a"},"message_id":"1"}}]`, 1, false, 0},
		{"bad JSON", `{"event_name":`, 0, true, 0},
		{"a string", `"hello"`, 0, true, 0},
		{"photo as an array of sizes", `{"event_name":"message.image.received","message":{"from":{"id":"a"},"photo":[{"url":"s"},{"url":"l"}],"message_id":"1"}}`, 1, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeUpdate([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if tt.code != 0 {
				var ae *APIError
				if !errors.As(err, &ae) || ae.Code != tt.code {
					t.Fatalf("err = %v, want APIError %d", err, tt.code)
				}
			}
			if len(got) != tt.n {
				t.Fatalf("got %d updates, want %d: %+v", len(got), tt.n, got)
			}
		})
	}
	got, _ := DecodeUpdate([]byte(`{"event_name":"message.image.received","message":{"from":{"id":"a"},"photo":[{"url":"s"},{"url":"l"}],"message_id":"1"}}`))
	if got[0].Message.Photo != "l" {
		t.Errorf("photo = %q, want the last size", got[0].Message.Photo)
	}
}

func TestUpdateKey(t *testing.T) {
	u := Update{EventName: EventText, Message: Message{MessageID: "abc"}}
	if got := u.Key(); got != "message.text.received:abc" {
		t.Errorf("Key = %q", got)
	}
	if got := (Update{EventName: EventText}).Key(); got != "" {
		t.Errorf("Key without message id = %q, want empty", got)
	}
}

func FuzzDecodeUpdate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "updates", "*.json"))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"ok":true,"result":{"ok":true,"result":{"ok":true,"result":{"ok":true,"result":{"ok":true,"result":{}}}}}}`))
	f.Add([]byte(`[[[[[[[]]]]]]]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		ups, err := DecodeUpdate(raw)
		if err != nil && ups != nil {
			t.Fatalf("updates %v returned with error %v", ups, err)
		}
		for _, u := range ups {
			_ = u.Key()
		}
	})
}
