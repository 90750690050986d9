package telegram

import (
	"context"
	"strconv"
	"testing"

	"dvcbot/chat"
)

// A ticked choice replaces the earlier keyboard message in place; a
// message that cannot be edited any more is sent anew.
func TestEditReplacesMessage(t *testing.T) {
	h := newHarness(t, 100, nil)
	ctx := context.Background()
	kb := [][]chat.Choice{{{Label: "Đăng ký khai sinh", Value: "p:khai_sinh"}}}
	if err := h.tr.Send(ctx, chat.Reply{To: tg(42), Text: "Chọn " + chat.Bold("thủ tục"), Choices: kb}); err != nil {
		t.Fatal(err)
	}
	first := h.srv.SentTo(42)[0]
	edit := strconv.Itoa(first.MessageID)
	ticked := [][]chat.Choice{{{Label: "✓ Đăng ký khai sinh", Value: "p:khai_sinh"}}}
	if err := h.tr.Send(ctx, chat.Reply{To: tg(42), Text: "Chọn " + chat.Bold("thủ tục"), Choices: ticked, Edit: edit}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	// The same content again is not an error.
	if err := h.tr.Send(ctx, chat.Reply{To: tg(42), Text: "Chọn " + chat.Bold("thủ tục"), Choices: ticked, Edit: edit}); err != nil {
		t.Fatalf("unchanged edit: %v", err)
	}
	if n := h.srv.Calls("editMessageText"); n != 2 {
		t.Fatalf("editMessageText calls = %d, want 2", n)
	}
	if n := h.srv.Calls("sendMessage"); n != 1 {
		t.Fatalf("sendMessage calls = %d, want 1 (edits must not send new messages)", n)
	}
	// What Telegram holds now: the message edited in place, in HTML, with
	// the ticked keyboard.
	sent := h.srv.SentTo(42)
	last := sent[len(sent)-1]
	if last.Method != "editMessageText" || last.MessageID != first.MessageID || last.Text != "Chọn <b>thủ tục</b>" ||
		last.ParseMode != "HTML" || len(last.Buttons) != 1 || last.Buttons[0][0].Text != "✓ Đăng ký khai sinh" || last.Buttons[0][0].Data != "p:khai_sinh" {
		t.Fatalf("edited message = %+v", last)
	}
	// Editing a message that does not exist falls back to a new message.
	if err := h.tr.Send(ctx, chat.Reply{To: tg(42), Text: "Chọn lại", Choices: ticked, Edit: "99999"}); err != nil {
		t.Fatalf("edit of a missing message: %v", err)
	}
	if n := h.srv.Calls("sendMessage"); n != 2 {
		t.Fatalf("sendMessage calls = %d, want 2 after falling back", n)
	}
	// An edit id that is not a Telegram message id sends a new message.
	if err := h.tr.Send(ctx, chat.Reply{To: tg(42), Text: "Chọn lần nữa", Choices: ticked, Edit: "zalo-msg-1"}); err != nil {
		t.Fatalf("edit with a foreign id: %v", err)
	}
	if n, e := h.srv.Calls("sendMessage"), h.srv.Calls("editMessageText"); n != 3 || e != 3 {
		t.Fatalf("sendMessage calls = %d (want 3), editMessageText = %d (want 3)", n, e)
	}
}
