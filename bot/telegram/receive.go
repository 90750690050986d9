package telegram

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dvcbot/bot"
	"dvcbot/chat"
)

// item is what one update asks of the transport: answer a button press,
// report a blocked chat or a migrated group, and/or hand an Input to the
// Handler.
type item struct {
	idx      int
	updateID int64
	chat     int64
	ack      string // callback query id to answer
	event    func(ctx context.Context)
	in       *chat.Input
}

// address is a Telegram chat or user id as a chat.Address.
func address(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

// chatID reads a Telegram address back into its numeric id.
func chatID(a chat.Address) (int64, error) {
	if a.Channel != chat.Telegram {
		return 0, fmt.Errorf("telegram: address on channel %q", a.Channel)
	}
	id, err := strconv.ParseInt(a.ID, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: chat id %q: %w", a.ID, err)
	}
	return id, nil
}

// translate turns an update into an item. Updates the bot has no use for
// (edits, channel posts, inline queries, service messages in groups, or
// commands addressed to another bot) give an item with nothing to do.
func (t *Transport) translate(idx int, u *tgbotapi.Update) item {
	it := item{idx: idx, updateID: int64(u.UpdateID)}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.Chat == nil {
			return it
		}
		it.chat = m.Chat.ID
		if m.MigrateToChatID != 0 {
			oldID, newID := m.Chat.ID, m.MigrateToChatID
			it.event = func(ctx context.Context) { t.migrated(ctx, oldID, newID) }
			return it
		}
		if m.From == nil || m.From.IsBot {
			return it
		}
		in := chat.Input{
			Update: strconv.FormatInt(it.updateID, 10), Chat: address(m.Chat.ID), From: address(m.From.ID),
			Name: strings.TrimSpace(m.From.FirstName + " " + m.From.LastName), Private: m.Chat.Type == "private",
			Caps: chat.CapsOf(chat.Telegram),
		}
		if m.Text != "" {
			text, mine := t.stripBotName(m.Text, m.Entities)
			if !mine {
				return it
			}
			in.Text = text
		} else {
			in.Text = m.Caption
		}
		if n := len(m.Photo); n > 0 {
			best := m.Photo[0]
			for _, p := range m.Photo[1:] {
				if p.Width*p.Height >= best.Width*best.Height {
					best = p
				}
			}
			in.Photo = &chat.Photo{Ref: best.FileID}
		}
		if m.Contact != nil {
			in.ContactPhone = m.Contact.PhoneNumber
		}
		if !in.Private && in.Text == "" && in.Photo == nil && in.ContactPhone == "" {
			return it // joins, leaves, pins, stickers in a group
		}
		if in.Text == "" && in.Photo == nil && in.ContactPhone == "" {
			in.Unsupported = unsupported(m)
		}
		it.in = &in
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		it.ack = q.ID
		if q.From == nil || q.Message == nil || q.Message.Chat == nil {
			return it // inline-mode buttons: nothing to handle
		}
		it.chat = q.Message.Chat.ID
		it.in = &chat.Input{
			Update: strconv.FormatInt(it.updateID, 10), Chat: address(q.Message.Chat.ID), From: address(q.From.ID),
			Name: strings.TrimSpace(q.From.FirstName + " " + q.From.LastName), Private: q.Message.Chat.Type == "private",
			Callback: &chat.Callback{ID: q.ID, Data: q.Data, MessageID: strconv.Itoa(q.Message.MessageID)},
			Caps:     chat.CapsOf(chat.Telegram),
		}
	case u.MyChatMember != nil:
		cm := u.MyChatMember
		it.chat = cm.Chat.ID
		chat := cm.Chat.ID
		switch cm.NewChatMember.Status {
		case "kicked", "left":
			it.event = func(ctx context.Context) { t.blocked(ctx, chat) }
		case "member", "administrator":
			it.event = func(context.Context) { t.out.markReachable(chat) }
		}
	}
	return it
}

// unsupported names what a message without text, photo or contact holds.
func unsupported(m *tgbotapi.Message) string {
	switch {
	case m.Sticker != nil:
		return "sticker"
	case m.Voice != nil, m.Audio != nil:
		return "voice"
	case m.Document != nil:
		return "file"
	case m.Video != nil, m.VideoNote != nil, m.Animation != nil:
		return "video"
	case m.Location != nil, m.Venue != nil:
		return "location"
	}
	return "unsupported"
}

// stripBotName turns "/cmd@thisbot args" into "/cmd args". It reports
// false for a command addressed to another bot.
func (t *Transport) stripBotName(text string, ents []tgbotapi.MessageEntity) (string, bool) {
	if len(ents) == 0 || ents[0].Offset != 0 || ents[0].Type != "bot_command" {
		return text, true
	}
	n := utf16Prefix(text, ents[0].Length)
	name, at, ok := strings.Cut(text[:n], "@")
	if !ok {
		return text, true
	}
	if !strings.EqualFold(at, t.Username()) {
		return "", false
	}
	return name + text[n:], true
}

// utf16Prefix is the byte length of the first units UTF-16 code units of s.
func utf16Prefix(s string, units int) int {
	n := 0
	for i, r := range s {
		if n >= units {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}

// process carries out one item. It returns the Handler's error, or the
// context's when the item could not be finished because ctx ended.
func (t *Transport) process(ctx context.Context, h bot.Handler, it item) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if it.ack != "" {
		t.out.enqueueAck(it.chat, it.ack)
	}
	if it.event != nil {
		it.event(ctx)
	}
	if it.in == nil {
		return nil
	}
	replies, err := t.handle(ctx, h, *it.in)
	t.updates.Add(1)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		t.handleErrors.Add(1)
		t.log.Error("telegram: handling an update failed", "update_id", it.updateID, "chat_id", it.chat, "err", err)
	}
	done := t.deliveryOf(it, len(replies))
	for _, r := range replies {
		if qerr := t.out.enqueueReply(r, done); qerr != nil {
			t.log.Error("telegram: reply not queued", "update_id", it.updateID, "err", qerr)
			done(qerr)
		}
	}
	return err
}

// deliveryOf returns what each of an update's n replies calls when it is
// finished; once all are, without one lost to the shutdown, the engine is
// told (Options.OnDelivered) so it will not send them again after a restart.
func (t *Transport) deliveryOf(it item, n int) func(error) {
	if n == 0 || t.opts.OnDelivered == nil || it.in == nil || it.in.Update == "" {
		return func(error) {}
	}
	var mu sync.Mutex
	left, lost := n, false
	update := it.in.Update
	return func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if errors.Is(err, ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			lost = true // the process is stopping: send again at the next start
		}
		if left--; left == 0 && !lost {
			t.opts.OnDelivered(update)
		}
	}
}

// handle calls h.Handle, turning a panic into an error so that one bad
// update cannot stop the bot. The panic value is not logged unless it is a
// runtime error: it might carry what the user typed.
func (t *Transport) handle(ctx context.Context, h bot.Handler, in chat.Input) (replies []chat.Reply, err error) {
	defer func() {
		if v := recover(); v != nil {
			what := fmt.Sprintf("a value of type %T", v)
			if re, ok := v.(runtime.Error); ok {
				what = re.Error()
			}
			t.log.Error("telegram: the handler panicked", "update_id", in.Update,
				"panic", what, "stack", string(debug.Stack()))
			replies, err = nil, fmt.Errorf("telegram: handler panicked: %s", what)
		}
	}()
	return h.Handle(ctx, in)
}

// handleBatch hands a batch of updates to h, the updates of one chat in
// order and the chats concurrently, and waits until all are handled or ctx
// ends. It returns the offset that confirms the handled prefix of the
// batch, and whether the whole batch was handled.
func (t *Transport) handleBatch(ctx context.Context, h bot.Handler, ups []tgbotapi.Update) (int64, bool) {
	done := make([]bool, len(ups))
	byChat := map[int64][]item{}
	var order []int64
	for i := range ups {
		it := t.translate(i, &ups[i])
		if it.ack == "" && it.event == nil && it.in == nil {
			done[i] = true
			continue
		}
		if _, ok := byChat[it.chat]; !ok {
			order = append(order, it.chat)
		}
		byChat[it.chat] = append(byChat[it.chat], it)
	}
	var wg sync.WaitGroup
spawn:
	for _, chat := range order {
		items := byChat[chat]
		select {
		case t.sem <- struct{}{}:
		case <-ctx.Done():
			break spawn
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-t.sem }()
			for _, it := range items {
				err := t.process(ctx, h, it)
				if err != nil && (ctx.Err() != nil || errors.Is(err, bot.ErrNotStored)) {
					// Not stored: the update stays unconfirmed and comes
					// again, with the chat's later ones, after a pause.
					return
				}
				done[it.idx] = true
			}
		}()
	}
	wg.Wait()
	last := 0
	for i, ok := range done {
		if !ok {
			return int64(ups[i].UpdateID), false
		}
		last = max(last, ups[i].UpdateID)
	}
	return int64(last) + 1, true
}

// blocked reports an unreachable chat once, until a message gets through.
func (t *Transport) blocked(ctx context.Context, chat int64) {
	if t.out.markBlocked(chat) && t.opts.OnBlocked != nil {
		t.opts.OnBlocked(ctx, address(chat))
	}
}

// migrated records a group's new id and reports it once.
func (t *Transport) migrated(ctx context.Context, oldID, newID int64) {
	if t.out.markMigrated(oldID, newID) && t.opts.OnMigrate != nil {
		t.opts.OnMigrate(ctx, oldID, newID)
	}
}
