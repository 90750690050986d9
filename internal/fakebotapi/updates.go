package fakebotapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const (
	conflictPoll    = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
	conflictWebhook = "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"

	// updateTTL is how long Telegram keeps an unconfirmed update.
	updateTTL = 24 * time.Hour
	// historyKeep is how many confirmed updates Redeliver can bring back.
	historyKeep = 100000
)

// queued is an update waiting for confirmation.
type queued struct {
	id          int64
	chat        int64
	raw         json.RawMessage
	at          time.Time
	delivered   bool
	redelivered bool
}

// enqueue adds an update built by build (given its update_id) to the queue
// and wakes a waiting long poll. It returns the update_id.
func (s *Server) enqueue(chat int64, build func(id int64) any) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextUpdateID++
	id := s.nextUpdateID
	raw, err := json.Marshal(build(id))
	if err != nil {
		panic(fmt.Sprintf("fakebotapi: marshal update: %v", err))
	}
	s.queue = append(s.queue, &queued{id: id, chat: chat, raw: raw, at: s.now()})
	s.limits.userSpoke(chat)
	s.signalUpdates()
	return id
}

// signalUpdates wakes long polls and the webhook sender. s.mu is held.
func (s *Server) signalUpdates() {
	close(s.updSignal)
	s.updSignal = make(chan struct{})
}

func (s *Server) nextMessageID(chat int64) int {
	s.msgSeq[chat]++
	return s.msgSeq[chat]
}

func user(id int64) wireUser {
	return wireUser{ID: id, FirstName: fmt.Sprintf("User %d", id), LanguageCode: "vi"}
}

func chatOf(chatID, userID int64) wireChat {
	switch {
	case chatID < -1000000000000:
		return wireChat{ID: chatID, Type: "supergroup", Title: fmt.Sprintf("Group %d", chatID)}
	case chatID < 0:
		return wireChat{ID: chatID, Type: "group", Title: fmt.Sprintf("Group %d", chatID)}
	default:
		return wireChat{ID: chatID, Type: "private", FirstName: fmt.Sprintf("User %d", userID)}
	}
}

// incoming builds a message from userID in chatID. s.mu is held.
func (s *Server) incoming(chatID, userID int64) *wireMessage {
	from := user(userID)
	return &wireMessage{
		MessageID: s.nextMessageID(chatID),
		From:      &from,
		Chat:      chatOf(chatID, userID),
		Date:      s.now().Unix(),
	}
}

var commandRE = regexp.MustCompile(`^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,64})?`)

// SendText queues a text message from userID in chatID: a private chat
// when chatID == userID, a group when chatID is negative. A leading
// /command (also /command@botname) gets its bot_command entity, as
// Telegram adds it. It returns the update_id.
func (s *Server) SendText(chatID, userID int64, text string) int64 {
	return s.enqueue(chatID, func(id int64) any {
		m := s.incoming(chatID, userID)
		m.Text = text
		if cmd := commandRE.FindString(text); cmd != "" {
			rest := text[len(cmd):]
			if rest == "" || strings.ContainsAny(rest[:1], " \n\t") {
				m.Entities = []wireEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(cmd)}}
			}
		}
		return wireUpdate{UpdateID: id, Message: m}
	})
}

// SendGroupText queues a text message from userID in the group groupID
// (made negative if given positive). It returns the update_id.
func (s *Server) SendGroupText(groupID, userID int64, text string) int64 {
	if groupID > 0 {
		groupID = -groupID
	}
	return s.SendText(groupID, userID, text)
}

// SendPhoto queues a photo from userID in chatID with caption. Telegram
// sends several sizes; the largest has file id fileID (smaller ones have
// fileID with a suffix). It returns the update_id.
func (s *Server) SendPhoto(chatID, userID int64, fileID, caption string) int64 {
	return s.enqueue(chatID, func(id int64) any {
		m := s.incoming(chatID, userID)
		m.Caption = caption
		m.Photo = []wirePhotoSize{
			{FileID: fileID + "-s", FileUniqueID: fileID + "-us", Width: 90, Height: 68, FileSize: 1200},
			{FileID: fileID + "-m", FileUniqueID: fileID + "-um", Width: 320, Height: 240, FileSize: 15000},
			{FileID: fileID, FileUniqueID: fileID + "-u", Width: 1280, Height: 960, FileSize: 120000},
		}
		return wireUpdate{UpdateID: id, Message: m}
	})
}

// SendContact queues a shared contact card from userID in chatID. The
// phone is the user's own number when contactUserID == userID. It returns
// the update_id.
func (s *Server) SendContact(chatID, userID int64, phone, firstName string, contactUserID int64) int64 {
	return s.enqueue(chatID, func(id int64) any {
		m := s.incoming(chatID, userID)
		m.Contact = &wireContact{PhoneNumber: phone, FirstName: firstName, UserID: contactUserID}
		return wireUpdate{UpdateID: id, Message: m}
	})
}

// PressButton queues a callback query: userID pressed the inline button
// with callback data in message messageID of chatID. The callback query id
// is CallbackID(updateID). It returns the update_id.
func (s *Server) PressButton(chatID, userID int64, messageID int, data string) int64 {
	return s.enqueue(chatID, func(id int64) any {
		msg := &wireMessage{MessageID: messageID, Chat: chatOf(chatID, userID), Date: s.now().Unix()}
		if st, ok := s.stored[msgKey{chatID, messageID}]; ok {
			msg.Text = st.plain
			msg.From = &wireUser{ID: s.botID, IsBot: true, FirstName: "DVC Kiên Hải", Username: s.username}
			if st.markup != "" {
				msg.ReplyMarkup = json.RawMessage(st.markup)
			}
		}
		cb := CallbackID(id)
		s.callbacks[cb] = false
		return wireUpdate{UpdateID: id, CallbackQuery: &wireCallbackQuery{
			ID: cb, From: user(userID), Message: msg,
			ChatInstance: strconv.FormatInt(chatID*7+3, 10), Data: data,
		}}
	})
}

// CallbackID is the callback query id of the button press queued as
// update updateID.
func CallbackID(updateID int64) string { return "cbq" + strconv.FormatInt(updateID, 10) }

// CallbackAnswered reports whether the bot answered (answerCallbackQuery)
// the button press queued as update updateID.
func (s *Server) CallbackAnswered(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callbacks[CallbackID(updateID)]
}

// SendRaw queues an arbitrary update: fields are its JSON fields apart
// from update_id (e.g. {"edited_message": {...}} or a callback query
// without a message). It returns the update_id.
func (s *Server) SendRaw(fields map[string]any) int64 {
	return s.enqueue(0, func(id int64) any {
		u := map[string]any{}
		for k, v := range fields {
			u[k] = v
		}
		u["update_id"] = id
		return u
	})
}

// Redeliver puts an update that was already confirmed back in the queue,
// as Telegram re-delivers updates a crashed bot did not confirm. The next
// getUpdates returns it whatever its offset; a later offset confirms it
// again. It reports whether the update was known.
func (s *Server) Redeliver(updateID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range s.queue {
		if q.id == updateID {
			q.redelivered, q.delivered = true, false
			s.signalUpdates()
			return true
		}
	}
	h, ok := s.history[updateID]
	if !ok {
		return false
	}
	delete(s.history, updateID)
	q := &queued{id: h.id, chat: h.chat, raw: h.raw, at: s.now(), redelivered: true}
	i := 0
	for i < len(s.queue) && s.queue[i].id < updateID {
		i++
	}
	s.queue = append(s.queue, nil)
	copy(s.queue[i+1:], s.queue[i:])
	s.queue[i] = q
	s.signalUpdates()
	return true
}

// Pending is the number of updates not yet confirmed by the bot.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// confirm applies a getUpdates offset. s.mu is held.
func (s *Server) confirm(offset int64) {
	now := s.now()
	keep := s.queue[:0]
	n := len(s.queue)
	for i, q := range s.queue {
		drop := false
		switch {
		case offset > 0:
			drop = q.id < offset && (q.delivered || !q.redelivered)
		case offset < 0:
			drop = int64(n-i) > -offset
		}
		if now.Sub(q.at) > updateTTL {
			drop = true
		}
		if drop {
			s.remember(q)
			continue
		}
		keep = append(keep, q)
	}
	for i := len(keep); i < n; i++ {
		s.queue[i] = nil
	}
	s.queue = keep
}

// remember keeps a confirmed update for Redeliver. s.mu is held.
func (s *Server) remember(q *queued) {
	s.history[q.id] = q
	s.historyOrder = append(s.historyOrder, q.id)
	if len(s.historyOrder) > historyKeep {
		old := s.historyOrder[:len(s.historyOrder)-historyKeep]
		for _, id := range old {
			delete(s.history, id)
		}
		s.historyOrder = append(s.historyOrder[:0], s.historyOrder[len(old):]...)
	}
}

func (s *Server) getUpdates(ctx context.Context, p *request) result {
	offset, _ := p.int64("offset")
	limit, ok := p.int64("limit")
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := p.int64("timeout")
	timeout = min(max(timeout, 0), 50)
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)

	s.mu.Lock()
	if s.webhookURL != "" {
		s.mu.Unlock()
		return errResult(http.StatusConflict, conflictWebhook)
	}
	s.confirm(offset)
	if s.poll != nil {
		close(s.poll)
	}
	me := make(chan struct{})
	s.poll = me
	var timer *time.Timer
	for {
		if len(s.queue) > 0 || !time.Now().Before(deadline) {
			out := s.take(int(limit))
			if s.poll == me {
				s.poll = nil
			}
			s.mu.Unlock()
			return okResult(out)
		}
		sig, down, closing := s.updSignal, s.downSignal, s.closing
		s.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
			defer timer.Stop()
		}
		select {
		case <-sig:
		case <-timer.C:
		case <-me:
			return errResult(http.StatusConflict, conflictPoll)
		case <-down:
			return result{drop: true}
		case <-closing:
			return result{drop: true}
		case <-ctx.Done():
			s.mu.Lock()
			if s.poll == me {
				s.poll = nil
			}
			s.mu.Unlock()
			return result{drop: true}
		}
		s.mu.Lock()
	}
}

// take returns up to limit queued updates as a JSON array, marking them
// delivered. s.mu is held.
func (s *Server) take(limit int) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, q := range s.queue {
		if i == limit {
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(q.raw)
		q.delivered = true
	}
	b.WriteByte(']')
	return b.Bytes()
}

var secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

func (s *Server) setWebhook(p *request) result {
	raw := p.str("url")
	secret := p.str("secret_token")
	if raw == "" {
		return s.deleteWebhook(p)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return badRequest("bad webhook: invalid webhook URL specified")
	}
	if secret != "" && !secretRE.MatchString(secret) {
		return badRequest("secret token contains unallowed characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.dropPending()
	}
	s.webhookURL, s.webhookSecret = raw, secret
	if s.webhookStop != nil {
		close(s.webhookStop)
	}
	stop := make(chan struct{})
	s.webhookStop = stop
	if s.poll != nil {
		close(s.poll)
		s.poll = nil
	}
	s.webhookWG.Add(1)
	go s.pushWebhook(stop)
	return result{value: true, desc: "Webhook was set"}
}

func (s *Server) deleteWebhook(p *request) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.bool("drop_pending_updates") {
		s.dropPending()
	}
	was := s.webhookURL != ""
	s.webhookURL, s.webhookSecret = "", ""
	if s.webhookStop != nil {
		close(s.webhookStop)
		s.webhookStop = nil
	}
	if !was {
		return result{value: true, desc: "Webhook is already deleted"}
	}
	return result{value: true, desc: "Webhook was deleted"}
}

// dropPending forgets every queued update. s.mu is held.
func (s *Server) dropPending() {
	for _, q := range s.queue {
		s.remember(q)
	}
	s.queue = nil
}

func (s *Server) getWebhookInfo() result {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := wireWebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.queue)}
	if s.webhookErr != "" {
		info.LastErrorDate = s.webhookErrAt.Unix()
		info.LastErrorMessage = s.webhookErr
	}
	return okResult(info)
}

// Webhook is the URL and secret token of the webhook the bot set, or
// empty strings when none is set.
func (s *Server) Webhook() (url, secretToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookURL, s.webhookSecret
}

// pushWebhook posts queued updates one at a time, in order, to the webhook
// until stop is closed. A non-2xx answer or a network error is retried
// with a growing delay (10 ms doubling up to 1 s), as Telegram retries.
func (s *Server) pushWebhook(stop chan struct{}) {
	defer s.webhookWG.Done()
	client := &http.Client{Timeout: 30 * time.Second}
	delay := time.Duration(0)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			sig := s.updSignal
			s.mu.Unlock()
			select {
			case <-sig:
				continue
			case <-stop:
				return
			}
		}
		q, target, secret := s.queue[0], s.webhookURL, s.webhookSecret
		s.mu.Unlock()

		errText := postUpdate(client, target, secret, q.raw)
		s.mu.Lock()
		if errText == "" {
			for i, e := range s.queue {
				if e == q {
					s.remember(q)
					s.queue = append(s.queue[:i], s.queue[i+1:]...)
					break
				}
			}
			delay = 0
		} else {
			s.webhookErr, s.webhookErrAt = errText, s.now()
			delay = min(max(2*delay, 10*time.Millisecond), time.Second)
		}
		s.mu.Unlock()
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-stop:
				t.Stop()
				return
			}
		}
		select {
		case <-stop:
			return
		default:
		}
	}
}

func postUpdate(client *http.Client, target, secret string, raw []byte) string {
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(raw))
	if err != nil {
		return err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "Connection refused"
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Sprintf("Wrong response from the webhook: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return ""
}
