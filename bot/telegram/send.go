package telegram

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dvcbot/bot"
)

// Telegram's limits, in characters (counted here in UTF-16 units, which
// is never fewer than Telegram counts).
const (
	maxText    = 4096
	maxCaption = 1024
	maxData    = 64 // callback_data bytes
)

type partKind int

const (
	partText partKind = iota
	partDocument
	partPhoto
	partAck
	partEdit // replaces the text and keyboard of an earlier message
)

// part is one request of a reply.
type part struct {
	kind   partKind
	text   string // text or caption; callback query id for partAck
	mode   string
	file   *bot.File
	markup *tgbotapi.InlineKeyboardMarkup
	editID int // partEdit: the message to replace
}

// Send sends r and returns when Telegram has accepted all of it, or with
// the reason it could not (ErrBlocked, ErrRejected, ErrUnavailable,
// ErrClosed or ctx's error). It waits for rate limits and retry_after
// within ctx. Bulk replies yield to interactive ones.
func (t *Transport) Send(ctx context.Context, r bot.Reply) error {
	parts, err := buildParts(r)
	if err != nil {
		return err
	}
	j := &job{ctx: ctx, chat: r.ChatID, parts: parts, bulk: r.Bulk, done: make(chan error, 1)}
	if err := t.out.enqueue(j); err != nil {
		return err
	}
	select {
	case err := <-j.done:
		return err
	case <-ctx.Done():
		t.out.cancelJob(j)
		select {
		case err := <-j.done:
			return err
		default:
			return fmt.Errorf("telegram: send to chat %d: %w", r.ChatID, ctx.Err())
		}
	}
}

// enqueueReply queues a reply produced by the Handler; failures are
// logged by the sender.
func (s *sender) enqueueReply(r bot.Reply) error {
	parts, err := buildParts(r)
	if err != nil {
		return err
	}
	return s.enqueue(&job{ctx: s.ctx, chat: r.ChatID, parts: parts, bulk: r.Bulk})
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("telegram: invalid reply: %s: %w", fmt.Sprintf(format, args...), ErrRejected)
}

// buildParts checks r and turns it into requests.
func buildParts(r bot.Reply) ([]*part, error) {
	if r.ChatID == 0 {
		return nil, invalid("no chat id")
	}
	markup, err := keyboard(r.Buttons)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(r.Text) {
		return nil, invalid("text is not valid UTF-8")
	}
	file, kind := r.Document, partDocument
	if r.Photo != nil {
		if file != nil {
			return nil, invalid("a reply carries a document or a photo, not both")
		}
		file, kind = r.Photo, partPhoto
	}
	if file != nil {
		if len(file.Bytes) == 0 {
			return nil, invalid("file %q is empty", file.Name)
		}
		f := *file
		if f.Name == "" {
			f.Name = map[partKind]string{partDocument: "tep", partPhoto: "anh.png"}[kind]
		}
		if width(r.Text) <= maxCaption {
			return []*part{{kind: kind, file: &f, text: r.Text, mode: tgbotapi.ModeHTML, markup: markup}}, nil
		}
		return append([]*part{{kind: kind, file: &f}}, textParts(r.Text, markup)...), nil
	}
	if strings.TrimSpace(plainText(r.Text)) == "" {
		return nil, invalid("empty text")
	}
	if r.EditMessageID != 0 && width(r.Text) <= maxText {
		return []*part{{kind: partEdit, text: r.Text, mode: tgbotapi.ModeHTML, markup: markup, editID: r.EditMessageID}}, nil
	}
	return textParts(r.Text, markup), nil
}

func textParts(text string, markup *tgbotapi.InlineKeyboardMarkup) []*part {
	chunks := splitHTML(text, maxText)
	parts := make([]*part, len(chunks))
	for i, c := range chunks {
		parts[i] = &part{kind: partText, text: c, mode: tgbotapi.ModeHTML}
	}
	parts[len(parts)-1].markup = markup
	return parts
}

// keyboard builds the inline keyboard, checking what Telegram would refuse.
func keyboard(rows [][]bot.Button) (*tgbotapi.InlineKeyboardMarkup, error) {
	var out [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if strings.TrimSpace(b.Text) == "" {
				return nil, invalid("a button has no text")
			}
			switch {
			case b.URL != "":
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			case b.Data != "":
				if len(b.Data) > maxData {
					return nil, invalid("button %q: callback data is %d bytes, Telegram allows %d", b.Text, len(b.Data), maxData)
				}
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			default:
				return nil, invalid("button %q has neither data nor URL", b.Text)
			}
		}
		if len(r) > 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &tgbotapi.InlineKeyboardMarkup{InlineKeyboard: out}, nil
}

// captionMode is the parse mode of a file's caption: none without a caption.
func captionMode(p *part) string {
	if p.text == "" {
		return ""
	}
	return p.mode
}

// markupOf is the part's inline keyboard, or nil (no keyboard) for the library.
func markupOf(p *part) any {
	if p.markup == nil {
		return nil
	}
	return *p.markup
}

// sendPart makes the request for one part to chat.
func (t *Transport) sendPart(ctx context.Context, chat int64, p *part) error {
	var c tgbotapi.Chattable
	switch p.kind {
	case partText:
		m := tgbotapi.NewMessage(chat, p.text)
		m.ParseMode = p.mode
		if p.markup != nil {
			m.ReplyMarkup = *p.markup
		}
		c = m
	case partDocument:
		d := tgbotapi.NewDocument(chat, tgbotapi.FileBytes{Name: p.file.Name, Bytes: p.file.Bytes})
		d.Caption, d.ParseMode, d.ReplyMarkup = p.text, captionMode(p), markupOf(p)
		c = d
	case partPhoto:
		ph := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: p.file.Name, Bytes: p.file.Bytes})
		ph.Caption, ph.ParseMode, ph.ReplyMarkup = p.text, captionMode(p), markupOf(p)
		c = ph
	case partEdit:
		return t.editPart(ctx, chat, p)
	default:
		return fmt.Errorf("telegram: unknown part kind %d", p.kind)
	}
	_, err := t.request(ctx, c)
	return err
}

// editPart replaces an earlier message (a ticked choice). Content that did
// not change is fine; a message that can no longer be edited (too old,
// deleted) is sent anew instead, so the user always sees the answer.
func (t *Transport) editPart(ctx context.Context, chat int64, p *part) error {
	e := tgbotapi.NewEditMessageText(chat, p.editID, p.text)
	e.ParseMode = p.mode
	e.ReplyMarkup = p.markup
	_, err := t.request(ctx, e)
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "message is not modified"):
		return nil
	case strings.Contains(msg, "message to edit not found"), strings.Contains(msg, "message can't be edited"):
		return t.sendPart(ctx, chat, &part{kind: partText, text: p.text, mode: p.mode, markup: p.markup})
	}
	return err
}
