package bot

import (
	"context"
	"errors"
	"time"

	"dvcbot/store"
)

// MarkUnreachable records that a chat can no longer receive messages (the
// user blocked the bot). The person stays registered and their records
// count; reminders skip them until they write to the bot again.
func (e *Engine) MarkUnreachable(ctx context.Context, chatID int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.db.Update(func(tx *store.Tx) error {
		o, err := tx.Officer(chatID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if o.Unreachable {
			return nil
		}
		o.Unreachable = true
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
