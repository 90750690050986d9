package telegram

import (
	"context"
	"testing"

	"dvcbot/bot"
)

// A ticked choice replaces the earlier keyboard message in place; a
// message that cannot be edited any more is sent anew.
func TestEditReplacesMessage(t *testing.T) {
	h := newHarness(t, 100, nil)
	ctx := context.Background()
	kb := [][]bot.Button{{{Text: "Đăng ký khai sinh", Data: "p:khai_sinh"}}}
	if err := h.tr.Send(ctx, bot.Reply{ChatID: 42, Text: "Chọn thủ tục", Buttons: kb}); err != nil {
		t.Fatal(err)
	}
	first := h.srv.SentTo(42)[0]
	ticked := [][]bot.Button{{{Text: "✓ Đăng ký khai sinh", Data: "p:khai_sinh"}}}
	if err := h.tr.Send(ctx, bot.Reply{ChatID: 42, Text: "Chọn thủ tục", Buttons: ticked, EditMessageID: first.MessageID}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	// The same content again is not an error.
	if err := h.tr.Send(ctx, bot.Reply{ChatID: 42, Text: "Chọn thủ tục", Buttons: ticked, EditMessageID: first.MessageID}); err != nil {
		t.Fatalf("unchanged edit: %v", err)
	}
	if n := h.srv.Calls("editMessageText"); n != 2 {
		t.Fatalf("editMessageText calls = %d, want 2", n)
	}
	if n := h.srv.Calls("sendMessage"); n != 1 {
		t.Fatalf("sendMessage calls = %d, want 1 (edits must not send new messages)", n)
	}
	// Editing a message that does not exist falls back to a new message.
	if err := h.tr.Send(ctx, bot.Reply{ChatID: 42, Text: "Chọn lại", Buttons: ticked, EditMessageID: 99999}); err != nil {
		t.Fatalf("edit of a missing message: %v", err)
	}
	if n := h.srv.Calls("sendMessage"); n != 2 {
		t.Fatalf("sendMessage calls = %d, want 2 after falling back", n)
	}
}
