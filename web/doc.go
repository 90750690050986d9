// Package web is dvcbot's web side, served from one listener behind the
// reverse proxy (web.listen, web.public_url): the read-only dashboard that
// leaders open from a personal link (issue 13), and the signed links
// through which documents and pictures reach people on channels that
// cannot send files (Zalo, issue 10).
//
// # Wiring
//
//	srv, err := web.New(ctx, &web.StoreSource{DB: db, Admins: admins}, web.ConfigOptions(cfg, params))
//	// /trang, inside the command's write transaction:
//	url, err := srv.PersonLink(tx, person, role, now)
//	// /vohieu, likewise:
//	err = srv.Revoke(tx, person)
//	// the Zalo transport's files and photos:
//	url, expires, uses, err := srv.Files().Link(ctx, to, file)
//	url, err := srv.Files().OneTime(ctx, photo)
//	go srv.Files().Run(ctx, time.NewTicker(10*time.Minute).C)
//	http.Server{Addr: cfg.Web.Listen, Handler: srv}
//
// # Links and sessions
//
// A personal link carries a token signed with HMAC-SHA256 under a key kept
// in the store (created on first use): the person, their role, their link
// generation and the expiry (web.link_ttl, 30 days). Opening it sets a
// session cookie holding the same grant, signed for sessions (HttpOnly,
// Secure, SameSite=Lax: Strict would drop it on the redirect from Zalo's
// or Telegram's web client), and redirects to the page without the token.
// Every request checks the grant against the store: a person deactivated,
// given another role, or moved to a newer generation (a new /trang, or
// Revoke) is refused with a Vietnamese page saying how to get a new link.
//
// # Who sees what
//
// Zone leaders and the Standing Committee (inspector) see every hamlet; a
// hamlet head sees the zone and their own hamlet; an officer sees their own
// figures only; admins see everything, and they alone see households
// (names, addresses, phones) and download the evidence list (XLSX) and the
// award dossier (DOCX). No other page holds a household's personal data.
//
// # One source of truth
//
// Figures are those of the bot: today's ranking is scoring.Leaderboard and
// the award lists are scoring.Candidates over store.Tx.Facts (the facts of
// /khenthuong; /xephang's running totals give the same ranks by the
// store's contract, and the tests compare them), the calendar is
// scoring.Calendar, an officer's month is scoring.Officers over their day
// counts. The zone's figures are computed once per change of the store
// (store.Tx.ChangeSeq) and shared by every page; at country scale, where
// the store changes every second, a page is served from figures at most
// Options.MaxStale old while newer ones are computed.
//
// # Privacy and safety
//
// Pages carry a Content-Security-Policy without scripts or inline styles
// (the charts are inline SVG whose geometry is attributes), frame-ancestors
// none, no-referrer and no-store. Search terms travel in POST bodies, so no
// name or phone enters an address, a log or a history; the log names the
// route pattern, never the path (which may hold a token). Each person's
// requests are limited (Options.PerMinute, Burst). Anything else is 404.
package web
