package zalo

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"dvcbot/chat"
)

// call is one Zalo request of a reply.
type call struct {
	photo string // sendPhoto when set (Text is the caption)
	text  Text
}

// deliver renders a reply and sends its messages in order. Nothing that
// may have reached Zalo is sent again: only a request that surely never
// left (a dial error) is retried.
func (s *sender) deliver(ctx context.Context, c *chatQueue, r chat.Reply) error {
	t := s.t
	to := r.To.ID
	if r.To.Channel != chat.Zalo || to == "" {
		return fmt.Errorf("zalo: send to %q: not a Zalo address: %w", r.To.String(), chat.ErrRejected)
	}
	if r.Optional && t.meter.OptionalBlocked() {
		return fmt.Errorf("zalo: send to %s: optional message skipped, %d%% of the monthly quota used: %w", to, OptionalPercent, chat.ErrQuota)
	}
	if until, ok := s.cooling(); ok {
		return fmt.Errorf("zalo: send to %s: paused after Zalo's 429 (quota exceeded) until %s: %w", to, until.Format("15:04:05"), chat.ErrQuota)
	}
	calls, err := t.compose(ctx, r)
	if err != nil {
		return fmt.Errorf("zalo: send to %s: %w", to, err)
	}
	if len(calls) == 0 {
		return fmt.Errorf("zalo: send to %s: empty reply: %w", to, chat.ErrRejected)
	}
	for i, cl := range calls {
		err := s.sendOne(ctx, c, to, r.Bulk, cl)
		if err == nil {
			continue
		}
		if i > 0 && !errors.Is(err, chat.ErrUncertain) {
			// Part of the reply is out: sending it again would repeat it.
			return fmt.Errorf("zalo: send to %s: %d of %d messages sent, then: %w: %w", to, i, len(calls), chat.ErrUncertain, err)
		}
		return err
	}
	return nil
}

// compose turns a reply into calls: a file becomes a link (FileLinker), a
// photo a one-time URL (PhotoHost) sent with the first chunk as caption.
func (t *Transport) compose(ctx context.Context, r chat.Reply) ([]call, error) {
	notice := ""
	if f := r.File; f != nil {
		if t.o.FileLinker == nil {
			t.log.Warn("zalo: a file reply has no FileLinker; the person is told", "chat_id", r.To.ID)
			notice = noFileNotice(f.Name)
		} else {
			link, expires, uses, err := t.o.FileLinker.Link(ctx, r.To, *f)
			if err != nil {
				return nil, fmt.Errorf("link file: %w", err)
			}
			notice = fileNotice(f.Name, link, expires, uses)
		}
	}
	photoURL := ""
	if p := r.Photo; p != nil {
		if t.o.PhotoHost == nil {
			t.log.Warn("zalo: a photo reply has no PhotoHost; the person is told", "chat_id", r.To.ID)
			notice = joinParas(notice, noPhotoNotice(p.Name))
		} else {
			u, err := t.o.PhotoHost.OneTime(ctx, *p)
			if err != nil {
				return nil, fmt.Errorf("host photo: %w", err)
			}
			photoURL = u
		}
	}
	text, bold := composeText(r.Text, r.Choices, notice)
	texts := toTexts(text, bold, renderOptions{limit: t.o.TextLimit, noStyles: t.o.NoTextStyles})
	var calls []call
	if photoURL != "" {
		first := call{photo: photoURL}
		if len(texts) > 0 {
			first.text = Text{Text: texts[0].Text} // captions carry no styles
			texts = texts[1:]
		}
		calls = append(calls, first)
	}
	for _, tx := range texts {
		calls = append(calls, call{text: tx})
	}
	return calls, nil
}

func joinParas(a, b string) string {
	if a == "" {
		return b
	}
	return a + "\n\n" + b
}

// sendOne makes one call, retrying only failures before the request left.
func (s *sender) sendOne(ctx context.Context, c *chatQueue, to string, bulk bool, cl call) error {
	t := s.t
	for attempt := 0; ; attempt++ {
		if until, ok := s.cooling(); ok {
			return fmt.Errorf("zalo: send to %s: paused after Zalo's 429 until %s: %w", to, until.Format("15:04:05"), chat.ErrQuota)
		}
		if err := s.markCall(ctx, c, bulk); err != nil {
			return fmt.Errorf("zalo: send to %s: not sent: %w", to, err)
		}
		var err error
		if cl.photo != "" {
			_, err = t.api.SendPhoto(ctx, to, cl.photo, cl.text.Text)
		} else {
			_, err = t.api.SendMessage(ctx, to, cl.text.Text, cl.text.Styles)
		}
		if err == nil {
			t.meter.CountOut()
			s.quotaOK()
			return nil
		}
		if IsNotSent(err) {
			if attempt < t.o.MaxRetries && ctx.Err() == nil {
				if !t.wait(ctx, t.backoff(attempt+1, t.o.BackoffMax)) {
					return fmt.Errorf("zalo: send to %s: %w: %w", to, ErrUnavailable, err)
				}
				continue
			}
			return fmt.Errorf("zalo: send to %s: %w: %w", to, ErrUnavailable, err)
		}
		t.meter.CountOut() // it may have reached Zalo
		if IsQuota(err) {
			d := s.quotaHit()
			t.log.Warn("zalo: Zalo answered 429 (quota exceeded); pausing sends", "pause", d)
		}
		return classify(to, err)
	}
}

// classify wraps a send error that may have reached Zalo with the chat
// error the outbox branches on.
func classify(to string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Code == 401:
			return fmt.Errorf("zalo: send to %s: %w: %w", to, ErrUnauthorized, err)
		case ae.Code == 429:
			return fmt.Errorf("zalo: send to %s: %w: %w", to, chat.ErrQuota, err)
		case ae.Code == 403 || ae.Code == 408 || ae.Code >= 500 || ae.HTTPStatus >= 500:
			// 403 is Zalo's "internal server error": it may have been
			// delivered. 408 likewise.
			return fmt.Errorf("zalo: send to %s: %w: %w", to, chat.ErrUncertain, err)
		case ae.Code >= 400 && ae.Code < 500:
			return fmt.Errorf("zalo: send to %s: %w: %w", to, chat.ErrRejected, err)
		case ae.HTTPStatus >= 400 && ae.HTTPStatus < 500 && ae.HTTPStatus != http.StatusRequestTimeout:
			return fmt.Errorf("zalo: send to %s: %w: %w", to, chat.ErrRejected, err)
		}
	}
	// Timeouts, dropped connections, unreadable answers.
	return fmt.Errorf("zalo: send to %s: no answer, may have been delivered: %w: %w", to, chat.ErrUncertain, err)
}
