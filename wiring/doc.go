// Package wiring turns the configuration into the parts `dvcbot serve`
// and `dvcbot demo` start: the engine's settings and scoring rules, the
// transports' options, the router of replies by channel, the web server
// with its photo and dossier sources, and the scheduler. The end-to-end
// tests (internal/e2ezalo) start the very same parts, so what they check
// is what runs.
package wiring
