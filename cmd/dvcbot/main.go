// Command dvcbot runs the campaign bot and its tools: `dvcbot --help`
// lists the subcommands (cli.go, commands), `dvcbot <subcommand> --help`
// explains one. Every message is in Vietnamese, like the bot's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh even in a minimal image without zoneinfo

	"dvcbot/config"
	"dvcbot/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "dvcbot:", err)
		os.Exit(exitCode(err))
	}
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("sai cách dùng")

// env is the process environment handed to run (tests pass their own).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	vars           []string
	// now and after are the clock of serve (time.Now and time.After when
	// nil); tests run serve on a fast clock.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
	// st is shared by the parts of one run (set by run).
	st *runState
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, vars []string) error {
	return env{stdin: stdin, stdout: stdout, stderr: stderr, vars: vars}.run(ctx, args)
}

// clock returns the environment's clock, the real one by default.
func (e env) clock() (func() time.Time, func(time.Duration) <-chan time.Time) {
	now, after := e.now, e.after
	if now == nil {
		now = time.Now
	}
	if after == nil {
		after = time.After
	}
	return now, after
}

// getenv is the value of an environment variable of e ("" when unset).
func (e env) getenv(name string) string {
	for i := len(e.vars) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.vars[i], "="); ok && k == name {
			return v
		}
	}
	return ""
}

func (e env) run(ctx context.Context, args []string) error {
	if e.st == nil {
		e.st = &runState{}
	}
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usageText())
		return usagef("", "chưa có lệnh: hãy chọn một lệnh ở trên")
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "--help", "-help":
		if len(rest) > 0 {
			if _, ok := findCommand(rest[0]); ok {
				return e.run(ctx, []string{rest[0], "--help"})
			}
		}
		fmt.Fprint(e.stdout, usageText())
		return nil
	}
	c, ok := findCommand(name)
	if !ok {
		fmt.Fprint(e.stderr, usageText())
		return usagef("", "không có lệnh %q", name)
	}
	if wantsHelp(rest) {
		e.st.help = true
		err := c.run(e, ctx, []string{"--help"})
		if errors.Is(err, errUsage) { // the flag set printed the help
			return nil
		}
		return err
	}
	return translateUsage(name, c.run(e, ctx, rest))
}

// loadConfig reads and validates a configuration file (the embedded sample when path is empty).
func (e env) loadConfig(path string, forServe bool) (*config.Config, error) {
	cfg, err := config.Load(path, e.vars)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(forServe); err != nil {
		return nil, fmt.Errorf("cấu hình chưa hợp lệ:\n%w", err)
	}
	return cfg, nil
}

// configPath is the --config flag of a command: the file, by default
// $DVCBOT_CONFIG; empty means the embedded sample with DVCBOT_* variables.
func (e env) configPath(fs *flag.FlagSet) *string {
	return fs.String("config", e.getenv("DVCBOT_CONFIG"), "")
}

// checkConfig checks a configuration as serve would read it. What only
// serve needs (the token; the webhook's address and secret) is reported
// apart: missing, it is a reminder, not a failure, unless --serve.
func (e env) checkConfig(args []string) error {
	fs := e.flags("check-config")
	path := e.configPath(fs)
	strict := fs.Bool("serve", false, "")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	source := *path
	if source == "" {
		source = "cấu hình mẫu kèm các biến môi trường DVCBOT_… (không có --config hay DVCBOT_CONFIG; serve sẽ dùng đúng như vậy)"
	}
	cfg, err := config.Load(*path, e.vars)
	if err != nil {
		return err
	}
	if err := cfg.Validate(false); err != nil {
		return fmt.Errorf("%s chưa hợp lệ:\n%w", source, err)
	}
	forServe := cfg.Validate(true)
	missing := config.Problems(forServe)
	if *strict && len(missing) > 0 {
		return fmt.Errorf("%s chưa đủ để chạy serve:\n%w", source, forServe)
	}
	fmt.Fprintf(e.stdout, "%s: hợp lệ — %d ấp, %d thủ tục, phong trào từ %s đến %s (%s).\n", source, len(cfg.Hamlets), len(cfg.Procedures),
		cfg.Campaign.Start.Format("02/01/2006"), cfg.Campaign.End.Format("02/01/2006"), cfg.Campaign.Timezone)
	if len(missing) > 0 {
		fmt.Fprintln(e.stdout, "Còn thiếu để chạy serve (serve dừng ngay nếu thiếu; check-config --serve coi đây là lỗi):")
		for _, p := range missing {
			fmt.Fprintf(e.stdout, "  - %s\n", p)
		}
	}
	return nil
}

// openStore checks the data file's pages (checkDataFile: a damaged file
// stops the command with the fix instead of a crash), opens it and syncs
// the configured hamlets into it.
func openStore(cfg *config.Config, now func() time.Time) (*store.DB, error) {
	if err := checkDataFile(cfg); err != nil {
		return nil, err
	}
	db, err := store.Open(cfg.Store.Path, store.Options{Now: now, Location: cfg.Campaign.Location})
	if err != nil {
		return nil, err
	}
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(cfg.Hamlets) }); err != nil {
		db.Close()
		return nil, fmt.Errorf("sync hamlets: %w", err)
	}
	return db, nil
}

func (e env) reindex(args []string) error {
	fs := e.flags("reindex")
	path := e.configPath(fs)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	db, err := openStore(cfg, time.Now)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := db.Update(func(tx *store.Tx) error { return tx.Reindex() }); err != nil {
		return fmt.Errorf("tính lại số liệu tổng hợp: %w", err)
	}
	fmt.Fprintf(e.stdout, "Đã tính lại số liệu tổng hợp từ các bản ghi trong %s.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func newLogger(w io.Writer, json bool, level slog.Level) *slog.Logger {
	if json {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
