package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/dossier"
	"dvcbot/scoring"
	"dvcbot/store"
	"dvcbot/web"
)

// Pages adapts the web server to the engine's /trang and /vohieu.
type Pages struct {
	Srv *web.Server
	TTL time.Duration // how long a /trang link works
}

// PersonLink implements bot.Pages.
func (p Pages) PersonLink(tx *store.Tx, person campaign.PersonID, role campaign.Role, now time.Time) (string, error) {
	return p.Srv.PersonLink(tx, person, role, now)
}

// Revoke implements bot.Pages.
func (p Pages) Revoke(tx *store.Tx, person campaign.PersonID) error { return p.Srv.Revoke(tx, person) }

// LinkTTL implements bot.Pages.
func (p Pages) LinkTTL() time.Duration { return p.TTL }

// Web makes the web server of the page of figures and the file links
// (nil when web.public_url or web.listen is empty). eng is read only when a
// dossier is asked for, after the engine exists. remotePhoto fetches an
// evidence photo the store does not keep (a Telegram file_id) from its
// channel (TelegramPhoto); nil when no such channel can run.
func Web(ctx context.Context, cfg *config.Config, db *store.DB, eng **bot.Engine, remotePhoto func(context.Context, string) ([]byte, error), logger *slog.Logger, now func() time.Time) (*web.Server, error) {
	if !cfg.Web.Enabled() {
		return nil, nil
	}
	opts := web.ConfigOptions(cfg, ScoringParams(cfg))
	opts.Logger, opts.Now = logger, now
	opts.Resolve = func(ctx context.Context, to chat.Address) (campaign.PersonID, error) {
		var id campaign.PersonID
		err := db.View(func(tx *store.Tx) error {
			o, err := tx.PersonAt(to)
			id = o.ID
			return err
		})
		return id, err
	}
	opts.Photo = func(ctx context.Context, ref string) ([]byte, error) {
		if !strings.HasPrefix(ref, store.LocalPhotoPrefix) {
			if remotePhoto == nil {
				return nil, fmt.Errorf("photo kept by Telegram, which does not run: %w", store.ErrNotFound)
			}
			return remotePhoto(ctx, ref)
		}
		var b []byte
		err := db.View(func(tx *store.Tx) (err error) { b, err = tx.Photo(ref); return err })
		return b, err
	}
	opts.Dossier = func(ctx context.Context, hamlet string, at scoring.Date) (web.Dossier, error) {
		return Dossier(ctx, *eng, hamlet, at)
	}
	srv, err := web.New(ctx, &web.StoreSource{DB: db, ConfigAdmins: Admins(cfg)}, opts)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return srv, nil
}

// Dossier is a hamlet's award dossier for the web page's downloads: the
// proposal (nil when there is nothing to propose) and the minutes.
func Dossier(ctx context.Context, eng *bot.Engine, hamlet string, at scoring.Date) (web.Dossier, error) {
	d, err := eng.Dossier(ctx, hamlet, at)
	if err != nil {
		return web.Dossier{}, err
	}
	var out web.Dossier
	// Nothing to propose (collective not eligible, nobody listed): no
	// proposal; the minutes still say why.
	if out.Proposal, err = dossier.Proposal(d.Input); err != nil && !errors.Is(err, dossier.ErrNothingToPropose) {
		return out, fmt.Errorf("proposal of %s: %w", hamlet, err)
	}
	if out.Minutes, err = dossier.Minutes(d.Input); err != nil {
		return out, fmt.Errorf("minutes of %s: %w", hamlet, err)
	}
	return out, nil
}
