package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
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

// pages adapts the web server to the engine's /trang and /vohieu.
type pages struct {
	srv *web.Server
	ttl time.Duration
}

func (p pages) PersonLink(tx *store.Tx, person campaign.PersonID, role campaign.Role, now time.Time) (string, error) {
	return p.srv.PersonLink(tx, person, role, now)
}

func (p pages) Revoke(tx *store.Tx, person campaign.PersonID) error { return p.srv.Revoke(tx, person) }

func (p pages) LinkTTL() time.Duration { return p.ttl }

// newWeb makes the web server of the page of figures and the file links
// (nil when web.public_url or web.listen is empty). eng is read only when a
// dossier is asked for, after the engine exists. remotePhoto fetches an
// evidence photo the store does not keep (a Telegram file_id) from its
// channel; nil when no such channel runs.
func newWeb(ctx context.Context, cfg *config.Config, db *store.DB, eng **bot.Engine, remotePhoto func(context.Context, string) ([]byte, error), logger *slog.Logger, now func() time.Time) (*web.Server, error) {
	if cfg.Web.PublicURL == "" || cfg.Web.Listen == "" {
		return nil, nil
	}
	opts := web.ConfigOptions(cfg, scoringParams(cfg))
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
		return webDossier(ctx, *eng, hamlet, at)
	}
	srv, err := web.New(ctx, &web.StoreSource{DB: db, ConfigAdmins: configAdmins(cfg)}, opts)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return srv, nil
}

// serveWeb serves the web page of figures and the file links on
// web.listen until ctx ends; files behind expired links are swept every
// ten minutes.
func serveWeb(ctx context.Context, srv *web.Server, ln net.Listener, logger *slog.Logger, after func(time.Duration) <-chan time.Time) error {
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	tick := make(chan time.Time)
	go func() {
		defer close(tick)
		for {
			select {
			case <-ctx.Done():
				return
			case t := <-after(10 * time.Minute):
				select {
				case tick <- t:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	go func() { _ = srv.Files().Run(ctx, tick) }()
	go func() {
		if err := srv.Warm(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("web: figures not computed at start", "err", err)
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = hs.Shutdown(sctx)
	srv.Close()
	return nil
}

// webDossier is a hamlet's award dossier for the web page's downloads:
// the proposal (nil when there is nothing to propose) and the minutes.
func webDossier(ctx context.Context, eng *bot.Engine, hamlet string, at scoring.Date) (web.Dossier, error) {
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
