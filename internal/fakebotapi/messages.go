package fakebotapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif"  // photos may be GIF
	_ "image/jpeg" // photos may be JPEG
	_ "image/png"  // photos may be PNG
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SentMessage is one message the bot sent or edited.
type SentMessage struct {
	// Method is sendMessage, sendDocument, sendPhoto, editMessageText or
	// editMessageReplyMarkup.
	Method    string
	ChatID    int64
	MessageID int
	// Text is the text or caption exactly as sent (HTML source in HTML
	// parse mode); Plain is what the user sees after entity parsing.
	Text      string
	Plain     string
	ParseMode string
	// Buttons is the inline keyboard, row by row.
	Buttons  [][]Button
	Document *File
	Photo    *File
	Time     time.Time
}

// Button is an inline keyboard button as sent.
type Button struct {
	Text string
	Data string // callback_data
	URL  string
}

// File is a document or photo the bot sent: uploaded bytes with their file
// name, or a file_id / URL given as a string.
type File struct {
	Name   string
	Bytes  []byte
	FileID string
}

// Command is an entry of the command menu set with setMyCommands.
type Command struct {
	Command     string
	Description string
}

type msgKey struct {
	chat int64
	id   int
}

// storedMsg is what edits compare against.
type storedMsg struct {
	text   string
	plain  string
	markup string
}

// Sent returns the messages the bot sent, oldest first (the most recent
// ones only, when SetSentLimit is in effect).
func (s *Server) Sent() []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SentMessage(nil), s.sent...)
}

// SentTo returns the messages the bot sent to chatID, oldest first.
func (s *Server) SentTo(chatID int64) []SentMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SentMessage
	for _, m := range s.sent {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// SentCount is the total number of messages sent or edited so far.
func (s *Server) SentCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentTotal
}

// WaitSent waits until the bot has sent at least n messages in all, or ctx
// ends.
func (s *Server) WaitSent(ctx context.Context, n int) error {
	return s.waitSent(ctx, n, func() int { return s.sentTotal }, "")
}

// WaitSentTo waits until the bot has sent at least n messages to chatID, or
// ctx ends.
func (s *Server) WaitSentTo(ctx context.Context, chatID int64, n int) error {
	return s.waitSent(ctx, n, func() int { return s.sentPerChat[chatID] }, fmt.Sprintf(" to chat %d", chatID))
}

func (s *Server) waitSent(ctx context.Context, n int, count func() int, what string) error {
	for {
		s.mu.Lock()
		got := count()
		sig := s.sentSignal
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-sig:
		case <-ctx.Done():
			return fmt.Errorf("fakebotapi: waiting for %d messages%s, %d arrived: %w", n, what, got, ctx.Err())
		}
	}
}

// OnSent registers fn to be called (outside the server's lock, on the
// request's goroutine) for every message sent or edited; load tools use
// it to time replies. Nil removes it.
func (s *Server) OnSent(fn func(SentMessage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = fn
}

// SetSentLimit keeps only the n most recent messages for Sent and SentTo
// (and for edits), so that long load runs use bounded memory; counts for
// WaitSent and WaitSentTo are kept whole. Zero means keep everything.
func (s *Server) SetSentLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sentLimit = n
	s.trimSent()
}

// Commands is the command menu the bot registered with setMyCommands.
func (s *Server) Commands() []Command {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Command(nil), s.commands...)
}

// record stores a sent message and wakes waiters. s.mu is held; it
// returns the OnSent hook to call after unlocking.
func (s *Server) record(m SentMessage, st *storedMsg) func() {
	s.sent = append(s.sent, m)
	s.sentTotal++
	s.sentPerChat[m.ChatID]++
	if st != nil {
		k := msgKey{m.ChatID, m.MessageID}
		if _, ok := s.stored[k]; !ok {
			s.storedOrder = append(s.storedOrder, k)
		}
		s.stored[k] = st
	}
	s.trimSent()
	close(s.sentSignal)
	s.sentSignal = make(chan struct{})
	if fn := s.onSent; fn != nil {
		return func() { fn(m) }
	}
	return func() {}
}

func (s *Server) trimSent() {
	if s.sentLimit <= 0 {
		return
	}
	if extra := len(s.sent) - s.sentLimit; extra > 0 {
		s.sent = append(s.sent[:0], s.sent[extra:]...)
	}
	if extra := len(s.storedOrder) - s.sentLimit; extra > 0 {
		for _, k := range s.storedOrder[:extra] {
			delete(s.stored, k)
		}
		s.storedOrder = append(s.storedOrder[:0], s.storedOrder[extra:]...)
	}
}

// chatParam reads chat_id.
func chatParam(p *request) (int64, *result) {
	v := p.str("chat_id")
	if v == "" {
		r := badRequest("chat_id is empty")
		return 0, &r
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id == 0 {
		r := badRequest("chat not found")
		return 0, &r
	}
	return id, nil
}

// reachable checks a chat the bot writes to: blocked or migrated. s.mu is
// held.
func (s *Server) reachable(chat int64) *result {
	if to, ok := s.migrated[chat]; ok {
		r := result{err: &apiError{
			code:   http.StatusBadRequest,
			desc:   "Bad Request: group chat was upgraded to a supergroup chat",
			params: map[string]any{"migrate_to_chat_id": to},
		}}
		return &r
	}
	if s.blocked[chat] {
		desc := "Forbidden: bot was blocked by the user"
		if chat < 0 {
			desc = "Forbidden: bot was kicked from the group chat"
		}
		r := errResult(http.StatusForbidden, desc)
		return &r
	}
	return nil
}

// admit applies EnforceLimits. s.mu is held.
func (s *Server) admit(chat int64) *result {
	ra, ok := s.limits.admit(chat, s.now())
	if ok {
		return nil
	}
	s.tooMany++
	r := result{err: &apiError{
		code:   http.StatusTooManyRequests,
		desc:   fmt.Sprintf("Too Many Requests: retry after %d", ra),
		params: map[string]any{"retry_after": ra},
	}}
	return &r
}

// parseMarkup validates reply_markup and returns its inline keyboard.
func parseMarkup(raw string) ([][]Button, string, *result) {
	if raw == "" {
		return nil, "", nil
	}
	var m struct {
		InlineKeyboard [][]wireButton `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		r := badRequest("can't parse reply keyboard markup JSON object")
		return nil, "", &r
	}
	if m.InlineKeyboard == nil {
		return nil, raw, nil
	}
	rows := make([][]Button, 0, len(m.InlineKeyboard))
	for _, row := range m.InlineKeyboard {
		out := make([]Button, 0, len(row))
		for _, b := range row {
			if strings.TrimSpace(b.Text) == "" {
				r := badRequest("BUTTON_TEXT_INVALID")
				return nil, "", &r
			}
			btn := Button{Text: b.Text}
			switch {
			case b.CallbackData != nil:
				if n := len(*b.CallbackData); n < 1 || n > 64 {
					r := badRequest("BUTTON_DATA_INVALID")
					return nil, "", &r
				}
				btn.Data = *b.CallbackData
			case b.URL != nil:
				u, err := url.Parse(*b.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
					r := badRequest("BUTTON_URL_INVALID")
					return nil, "", &r
				}
				btn.URL = *b.URL
			default:
				r := badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				return nil, "", &r
			}
			out = append(out, btn)
		}
		rows = append(rows, out)
	}
	norm, _ := json.Marshal(m)
	return rows, string(norm), nil
}

func (s *Server) botUser() *wireUser {
	return &wireUser{ID: s.botID, IsBot: true, FirstName: "DVC Kiên Hải", Username: s.username}
}

func (s *Server) sendMessage(p *request) result {
	chat, bad := chatParam(p)
	if bad != nil {
		return *bad
	}
	text, mode := p.str("text"), p.str("parse_mode")
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	plain, desc := renderText(text, mode, 4096, "Bad Request: message is too long")
	if desc != "" {
		return errResult(http.StatusBadRequest, desc)
	}
	if plain == "" {
		return badRequest("message text is empty")
	}
	buttons, markup, bad := parseMarkup(p.str("reply_markup"))
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	if r := s.reachable(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	if r := s.admit(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	now := s.now()
	msg := wireMessage{
		MessageID: s.nextMessageID(chat), From: s.botUser(), Chat: chatOf(chat, chat),
		Date: now.Unix(), Text: plain,
	}
	if markup != "" {
		msg.ReplyMarkup = json.RawMessage(markup)
	}
	hook := s.record(SentMessage{
		Method: "sendMessage", ChatID: chat, MessageID: msg.MessageID, Text: text, Plain: plain,
		ParseMode: mode, Buttons: buttons, Time: now,
	}, &storedMsg{text: text, plain: plain, markup: markup})
	s.mu.Unlock()
	hook()
	return okResult(msg)
}

// sendFile carries out sendDocument and sendPhoto; field is the file's
// parameter name.
func (s *Server) sendFile(p *request, method, field string) result {
	chat, bad := chatParam(p)
	if bad != nil {
		return *bad
	}
	var f File
	if up, ok := p.files[field]; ok {
		f = File{Name: up.name, Bytes: up.bytes}
	} else if v := p.str(field); v != "" {
		if strings.HasPrefix(v, "attach://") {
			name := strings.TrimPrefix(v, "attach://")
			up, ok := p.files[name]
			if !ok {
				return badRequest("wrong file identifier/HTTP URL specified")
			}
			f = File{Name: up.name, Bytes: up.bytes}
		} else {
			f = File{FileID: v}
		}
	} else {
		return badRequest(fmt.Sprintf("there is no %s in the request", field))
	}
	if f.Bytes != nil && len(f.Bytes) == 0 {
		return badRequest("file must be non-empty")
	}
	caption, mode := p.str("caption"), p.str("parse_mode")
	plain := ""
	if caption != "" {
		var desc string
		plain, desc = renderText(caption, mode, 1024, "Bad Request: message caption is too long")
		if desc != "" {
			return errResult(http.StatusBadRequest, desc)
		}
	}
	var width, height int
	if field == "photo" && f.Bytes != nil {
		cfg, _, err := image.DecodeConfig(bytes.NewReader(f.Bytes))
		if err != nil {
			return badRequest("IMAGE_PROCESS_FAILED")
		}
		width, height = cfg.Width, cfg.Height
	}
	buttons, markup, bad := parseMarkup(p.str("reply_markup"))
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	if r := s.reachable(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	if r := s.admit(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	now := s.now()
	s.fileSeq++
	fileID := f.FileID
	if fileID == "" {
		fileID = fmt.Sprintf("BQACAgUAAx%s%06d", strings.ToUpper(field[:1]), s.fileSeq)
	}
	msg := wireMessage{
		MessageID: s.nextMessageID(chat), From: s.botUser(), Chat: chatOf(chat, chat),
		Date: now.Unix(), Caption: plain,
	}
	sm := SentMessage{
		Method: method, ChatID: chat, MessageID: msg.MessageID, Text: caption, Plain: plain,
		ParseMode: mode, Buttons: buttons, Time: now,
	}
	if field == "photo" {
		msg.Photo = []wirePhotoSize{{FileID: fileID, FileUniqueID: fileID + "u", Width: width, Height: height, FileSize: len(f.Bytes)}}
		sm.Photo = &f
	} else {
		msg.Document = &wireDocument{FileID: fileID, FileUniqueID: fileID + "u", FileName: f.Name, FileSize: len(f.Bytes)}
		sm.Document = &f
	}
	if markup != "" {
		msg.ReplyMarkup = json.RawMessage(markup)
	}
	hook := s.record(sm, &storedMsg{text: caption, plain: plain, markup: markup})
	s.mu.Unlock()
	hook()
	return okResult(msg)
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// editTarget reads chat_id and message_id of an edit.
func editTarget(p *request) (int64, int, *result) {
	chat, bad := chatParam(p)
	if bad != nil {
		return 0, 0, bad
	}
	id, ok := p.int64("message_id")
	if !ok || id <= 0 {
		r := badRequest("message identifier is not specified")
		return 0, 0, &r
	}
	return chat, int(id), nil
}

func (s *Server) editMessageText(p *request) result {
	if p.has("inline_message_id") {
		return okResult(true)
	}
	chat, id, bad := editTarget(p)
	if bad != nil {
		return *bad
	}
	text, mode := p.str("text"), p.str("parse_mode")
	if strings.TrimSpace(text) == "" {
		return badRequest("message text is empty")
	}
	plain, desc := renderText(text, mode, 4096, "Bad Request: MESSAGE_TOO_LONG")
	if desc != "" {
		return errResult(http.StatusBadRequest, desc)
	}
	buttons, markup, bad := parseMarkup(p.str("reply_markup"))
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	if r := s.reachable(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	st, ok := s.stored[msgKey{chat, id}]
	if !ok {
		s.mu.Unlock()
		return badRequest("message to edit not found")
	}
	if st.plain == plain && st.markup == markup {
		s.mu.Unlock()
		return badRequest(notModified)
	}
	now := s.now()
	hook := s.record(SentMessage{
		Method: "editMessageText", ChatID: chat, MessageID: id, Text: text, Plain: plain,
		ParseMode: mode, Buttons: buttons, Time: now,
	}, &storedMsg{text: text, plain: plain, markup: markup})
	msg := wireMessage{MessageID: id, From: s.botUser(), Chat: chatOf(chat, chat), Date: now.Unix(), EditDate: now.Unix(), Text: plain}
	if markup != "" {
		msg.ReplyMarkup = json.RawMessage(markup)
	}
	s.mu.Unlock()
	hook()
	return okResult(msg)
}

func (s *Server) editMessageReplyMarkup(p *request) result {
	if p.has("inline_message_id") {
		return okResult(true)
	}
	chat, id, bad := editTarget(p)
	if bad != nil {
		return *bad
	}
	buttons, markup, bad := parseMarkup(p.str("reply_markup"))
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	if r := s.reachable(chat); r != nil {
		s.mu.Unlock()
		return *r
	}
	st, ok := s.stored[msgKey{chat, id}]
	if !ok {
		s.mu.Unlock()
		return badRequest("message to edit not found")
	}
	if st.markup == markup {
		s.mu.Unlock()
		return badRequest(notModified)
	}
	now := s.now()
	hook := s.record(SentMessage{
		Method: "editMessageReplyMarkup", ChatID: chat, MessageID: id, Text: st.text, Plain: st.plain,
		Buttons: buttons, Time: now,
	}, &storedMsg{text: st.text, plain: st.plain, markup: markup})
	msg := wireMessage{MessageID: id, From: s.botUser(), Chat: chatOf(chat, chat), Date: now.Unix(), EditDate: now.Unix(), Text: st.plain}
	if markup != "" {
		msg.ReplyMarkup = json.RawMessage(markup)
	}
	s.mu.Unlock()
	hook()
	return okResult(msg)
}

func (s *Server) deleteMessage(p *request) result {
	chat, id, bad := editTarget(p)
	if bad != nil {
		return *bad
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := msgKey{chat, id}
	if _, ok := s.stored[k]; !ok {
		return badRequest("message to delete not found")
	}
	delete(s.stored, k)
	return okResult(true)
}

func (s *Server) answerCallbackQuery(p *request) result {
	id := p.str("callback_query_id")
	if text := p.str("text"); len([]rune(text)) > 200 {
		return badRequest("MESSAGE_TOO_LONG")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	answered, ok := s.callbacks[id]
	if !ok || answered {
		return badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	s.callbacks[id] = true
	return okResult(true)
}

var chatActions = map[string]bool{
	"typing": true, "upload_photo": true, "record_video": true, "upload_video": true,
	"record_voice": true, "upload_voice": true, "upload_document": true, "choose_sticker": true,
	"find_location": true, "record_video_note": true, "upload_video_note": true,
}

func (s *Server) sendChatAction(p *request) result {
	chat, bad := chatParam(p)
	if bad != nil {
		return *bad
	}
	if !chatActions[p.str("action")] {
		return badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.reachable(chat); r != nil {
		return *r
	}
	return okResult(true)
}

var commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

func (s *Server) setMyCommands(p *request) result {
	var cmds []wireCommand
	if err := json.Unmarshal([]byte(p.str("commands")), &cmds); err != nil {
		return badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return badRequest("BOT_COMMANDS_TOO_MUCH")
	}
	out := make([]Command, 0, len(cmds))
	for _, c := range cmds {
		if !commandNameRE.MatchString(c.Command) {
			return badRequest("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(strings.TrimSpace(c.Description))); n < 1 || n > 256 {
			return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
		out = append(out, Command{Command: c.Command, Description: c.Description})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = out
	return okResult(true)
}

func (s *Server) getMyCommands() result {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wireCommand, 0, len(s.commands))
	for _, c := range s.commands {
		out = append(out, wireCommand{Command: c.Command, Description: c.Description})
	}
	return okResult(out)
}
