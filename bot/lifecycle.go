package bot

import (
	"context"
	"errors"
	"time"

	"dvcbot/chat"
	"dvcbot/store"
)

// MarkUnreachable records that an account can no longer receive messages
// (the person blocked the bot). The person stays registered and their
// records count; messages go to their other account if they have one, and
// reminders skip them until they write to the bot again.
func (e *Engine) MarkUnreachable(ctx context.Context, addr chat.Address) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.db.Update(func(tx *store.Tx) error {
		o, err := tx.PersonAt(addr)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if !o.SetUnreachable(addr, true) {
			return nil
		}
		return tx.PutOfficer(o, 0, "officer.unreachable")
	})
}

// PruneUpdates forgets processed update ids older than two days (Telegram
// re-delivers an update for at most 24 hours).
func (e *Engine) PruneUpdates(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int
	err := e.db.Update(func(tx *store.Tx) error {
		var err error
		n, err = tx.PruneProcessed(e.now().Add(-48 * time.Hour))
		return err
	})
	return n, err
}

// WarnAdmins queues text to every admin once per key (an outbox job key:
// the same key never posts twice, across restarts), as a scheduled post.
func (e *Engine) WarnAdmins(ctx context.Context, key, text string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.db.Update(func(tx *store.Tx) error {
		if tx.Enqueued(key) {
			return nil
		}
		posts, err := e.toAdmins(tx, []string{text}, nil, "", "")
		if err != nil {
			return err
		}
		_, err = tx.EnqueuePosts(key, OutboxItems(posts, time.Time{})...)
		return err
	})
}
