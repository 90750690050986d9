package telegram

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dvcbot/chat"
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
	file   *chat.File
	markup *tgbotapi.InlineKeyboardMarkup
	editID int // partEdit: the message to replace
}

// htmlEscaper escapes text for Telegram's HTML parse mode, as
// tgbotapi.EscapeText(ModeHTML, …) does; built once (EscapeText builds a
// new strings.Replacer at every call: ~30 µs and 16 KB a span, most of the
// CPU of rendering a reply).
var htmlEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;")

// html renders a reply text's emphasis marks (chat.Spans) as Telegram's
// HTML, every character of the text itself escaped.
func html(text string) string {
	var b strings.Builder
	for _, sp := range chat.Spans(text) {
		t := htmlEscaper.Replace(sp.Text)
		switch sp.Style {
		case chat.BoldStyle:
			b.WriteString("<b>" + t + "</b>")
		case chat.ItalicStyle:
			b.WriteString("<i>" + t + "</i>")
		case chat.CodeStyle:
			b.WriteString("<code>" + t + "</code>")
		case chat.PreStyle:
			b.WriteString("<pre>" + t + "</pre>")
		default:
			b.WriteString(t)
		}
	}
	return b.String()
}

// Send sends r and returns when Telegram has accepted all of it, or with
// the reason it could not (ErrBlocked, ErrRejected, ErrUnavailable,
// ErrClosed or ctx's error). It waits for rate limits and retry_after
// within ctx. Bulk replies yield to interactive ones.
func (t *Transport) Send(ctx context.Context, r chat.Reply) error {
	id, parts, err := buildParts(r)
	if err != nil {
		return err
	}
	j := &job{ctx: ctx, chat: id, parts: parts, bulk: r.Bulk, done: make(chan error, 1)}
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
			return fmt.Errorf("telegram: send to chat %d: %w", id, ctx.Err())
		}
	}
}

// enqueueReply queues a reply produced by the Handler; failures are
// logged by the sender.
func (s *sender) enqueueReply(r chat.Reply, onDone func(error)) error {
	id, parts, err := buildParts(r)
	if err != nil {
		return err
	}
	return s.enqueue(&job{ctx: s.ctx, chat: id, parts: parts, bulk: r.Bulk, onDone: onDone})
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("telegram: invalid reply: %s: %w", fmt.Sprintf(format, args...), ErrRejected)
}

// buildParts checks r and turns it into requests to the chat it returns.
func buildParts(r chat.Reply) (int64, []*part, error) {
	id, err := chatID(r.To)
	if err != nil || id == 0 {
		return 0, nil, invalid("no Telegram chat id in %q", r.To.String())
	}
	parts, err := replyParts(r)
	return id, parts, err
}

func replyParts(r chat.Reply) ([]*part, error) {
	markup, err := keyboard(r.Choices)
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(r.Text) {
		return nil, invalid("text is not valid UTF-8")
	}
	text := html(r.Text)
	file, kind := r.File, partDocument
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
		if width(text) <= maxCaption {
			return []*part{{kind: kind, file: &f, text: text, mode: tgbotapi.ModeHTML, markup: markup}}, nil
		}
		return append([]*part{{kind: kind, file: &f}}, textParts(text, markup)...), nil
	}
	if strings.TrimSpace(chat.Strip(r.Text)) == "" { // what html(r.Text) displays
		return nil, invalid("empty text")
	}
	if edit, err := strconv.Atoi(r.Edit); err == nil && edit != 0 && width(text) <= maxText {
		return []*part{{kind: partEdit, text: text, mode: tgbotapi.ModeHTML, markup: markup, editID: edit}}, nil
	}
	return textParts(text, markup), nil
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
func keyboard(rows [][]chat.Choice) (*tgbotapi.InlineKeyboardMarkup, error) {
	var out [][]tgbotapi.InlineKeyboardButton
	for _, row := range rows {
		var r []tgbotapi.InlineKeyboardButton
		for _, b := range row {
			if strings.TrimSpace(b.Label) == "" {
				return nil, invalid("a button has no text")
			}
			switch {
			case b.URL != "":
				r = append(r, tgbotapi.NewInlineKeyboardButtonURL(b.Label, b.URL))
			case b.Value != "":
				if len(b.Value) > maxData {
					return nil, invalid("button %q: callback data is %d bytes, Telegram allows %d", b.Label, len(b.Value), maxData)
				}
				r = append(r, tgbotapi.NewInlineKeyboardButtonData(b.Label, b.Value))
			default:
				return nil, invalid("button %q has neither data nor URL", b.Label)
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
