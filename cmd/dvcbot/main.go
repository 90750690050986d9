// Command dvcbot runs the campaign bot and its tools.
//
//	dvcbot demo [--store FILE] [--fresh]    the whole product in the terminal, no token needed
//	dvcbot serve [--config FILE]            the bot on Telegram (configuration from the file and DVCBOT_* variables)
//	dvcbot check-config --config FILE       validate a configuration
//	dvcbot export --config FILE --format csv|xlsx [--from D] [--to D] [--hamlet ID] [--out FILE]
//	dvcbot dossier --config FILE --hamlet ID --out DIR [--date YYYY-MM-DD]   a hamlet's award dossier
//	dvcbot reindex --config FILE            rebuild aggregates from the records
//	dvcbot restore --config FILE --from BACKUP   replace the data file with a backup (bot stopped)
//	dvcbot healthcheck [--config FILE]      ask the running bot's /healthz (exit 1 unless healthy)
//	dvcbot sample-config                    print the sample configuration
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

	"dvcbot/bot"
	"dvcbot/config"
	"dvcbot/scoring"
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

var errUsage = errors.New("usage")

const usage = `dvcbot — bot của phong trào "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến"

Cách dùng:
  dvcbot demo [--store FILE] [--fresh]      chạy thử toàn bộ trong cửa sổ dòng lệnh (không cần token)
  dvcbot serve [--config FILE]              chạy bot trên Telegram (cấu hình từ tệp và biến môi trường DVCBOT_…)
  dvcbot check-config --config FILE         kiểm tra tệp cấu hình
  dvcbot export --config FILE --format csv|xlsx [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--hamlet ID] [--out FILE]
  dvcbot dossier --config FILE --hamlet ID --out DIR [--date YYYY-MM-DD]
                                            lập hồ sơ khen thưởng của ấp (Tờ trình, Biên bản họp xét, danh sách hộ)
  dvcbot reindex --config FILE              tính lại số liệu tổng hợp từ các bản ghi
  dvcbot restore --config FILE --from TỆP   khôi phục dữ liệu từ một bản sao lưu (khi bot đã dừng)
  dvcbot healthcheck [--config FILE]        hỏi /healthz của bot đang chạy (lỗi nếu bot không ổn)
  dvcbot sample-config                      in cấu hình mẫu
`

// env is the process environment handed to run (tests pass their own).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	vars           []string
	// now and after are the clock of serve (time.Now and time.After when
	// nil); tests run serve on a fast clock.
	now   func() time.Time
	after func(time.Duration) <-chan time.Time
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
	stdout, stderr := e.stdout, e.stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("no command given: %w", errUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		err := e.demo(ctx, rest)
		var d *damagedFileError
		if errors.As(err, &d) {
			d.demo = true
		}
		return err
	case "serve":
		return e.waitIfDamaged(ctx, e.serve(ctx, rest))
	case "check-config":
		return e.checkConfig(rest)
	case "export":
		return e.export(ctx, rest)
	case "dossier":
		return e.dossier(ctx, rest)
	case "reindex":
		return e.reindex(rest)
	case "restore":
		return e.restore(rest)
	case "healthcheck":
		return e.healthcheck(ctx, rest)
	case "sample-config":
		_, err := stdout.Write(config.SampleYAML())
		return err
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q: %w", cmd, errUsage)
}

func (e env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// loadConfig reads and validates a configuration file (the embedded sample when path is empty).
func (e env) loadConfig(path string, forServe bool) (*config.Config, error) {
	cfg, err := config.Load(path, e.vars)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(forServe); err != nil {
		return nil, fmt.Errorf("configuration is not valid:\n%w", err)
	}
	return cfg, nil
}

func (e env) checkConfig(args []string) error {
	fs := e.flags("check-config")
	path := fs.String("config", "", "configuration file (YAML)")
	serve := fs.Bool("serve", true, "also require what serve needs (token)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	if *path == "" {
		return fmt.Errorf("check-config needs --config FILE: %w", errUsage)
	}
	cfg, err := e.loadConfig(*path, *serve)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: OK — %d hamlets, %d procedures, campaign %s to %s (%s)\n", *path, len(cfg.Hamlets), len(cfg.Procedures),
		cfg.Campaign.Start.Format("2006-01-02"), cfg.Campaign.End.Format("2006-01-02"), cfg.Campaign.Timezone)
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

// engineSettings maps configuration to the engine's settings.
func engineSettings(cfg *config.Config, username func() string) bot.Settings {
	return bot.Settings{
		CampaignName: cfg.Campaign.Name,
		Start:        cfg.Campaign.Start,
		End:          cfg.Campaign.End,
		Location:     cfg.Campaign.Location,
		DailyTarget:  cfg.Campaign.DailyTarget,
		Procedures:   cfg.Procedures,
		AdminIDs:     cfg.Telegram.AdminIDs,
		GroupChatID:  cfg.Telegram.GroupChatID,
		InviteTTL:    cfg.Invite.TTL,
		BotUsername:  username,
		Params:       scoringParams(cfg),

		SpotCheckRate: cfg.SpotCheck.Rate,
	}
}

// scoringParams maps configuration to the scoring rules.
func scoringParams(cfg *config.Config) scoring.Params {
	loc := cfg.Campaign.Location
	p := scoring.Params{
		CampaignStart:             scoring.DateOf(cfg.Campaign.Start, loc),
		CampaignEnd:               scoring.DateOf(cfg.Campaign.End, loc),
		DailyTarget:               cfg.Campaign.DailyTarget,
		CoverageThreshold:         cfg.Awards.CoverageThreshold,
		SpecialHouseholdThreshold: cfg.Awards.SpecialHouseholdThreshold,
		MaxCollectives:            cfg.Awards.MaxCollectives,
		MaxIndividuals:            cfg.Awards.MaxIndividuals,
		SpecialPrizes:             cfg.Awards.SpecialPrizes,
	}
	for _, d := range cfg.Campaign.DaysOff {
		p.DaysOff = append(p.DaysOff, scoring.DateOf(d, loc))
	}
	return p
}

func (e env) reindex(args []string) error {
	fs := e.flags("reindex")
	path := fs.String("config", "", "configuration file (YAML)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
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
		return fmt.Errorf("reindex: %w", err)
	}
	fmt.Fprintf(e.stdout, "Aggregates rebuilt from the records in %s.\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func newLogger(w io.Writer, json bool, level slog.Level) *slog.Logger {
	if json {
		return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
