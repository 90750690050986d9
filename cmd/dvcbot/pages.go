package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"dvcbot/web"
)

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
