package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Options configures a Runner.
type Options struct {
	DB  Snapshotter
	Dir string
	// Keep is how many of the newest backups are kept (store.backup_keep).
	Keep int
	// Schedule is a cron spec (robfig/cron standard syntax or a descriptor
	// such as "@daily"), read in Location (store.backup_schedule).
	Schedule string
	Location *time.Location
	// Now and After are the clock (time.Now and time.After by default).
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// RetryAfter is the wait after a failed backup (default 10 minutes).
	RetryAfter time.Duration
	Logger     *slog.Logger
	// OnDone is called after every attempt (metrics).
	OnDone func(Info, error)
}

// Runner takes backups on a schedule and rotates them.
type Runner struct {
	opt   Options
	sched cron.Schedule

	mu   sync.Mutex // one backup at a time
	last time.Time
}

// NewRunner checks the options and reads the newest existing backup's time.
func NewRunner(opt Options) (*Runner, error) {
	if opt.DB == nil || opt.Dir == "" {
		return nil, errors.New("backup: a runner needs a store and a folder")
	}
	if opt.Keep < 1 {
		return nil, fmt.Errorf("backup: keep must be at least 1, not %d", opt.Keep)
	}
	sched, err := cron.ParseStandard(opt.Schedule)
	if err != nil {
		return nil, fmt.Errorf("backup: schedule %q: %w", opt.Schedule, err)
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.After == nil {
		opt.After = time.After
	}
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = 10 * time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{opt: opt, sched: sched}
	all, err := List(opt.Dir, opt.Location)
	if err != nil {
		return nil, err
	}
	if n := len(all); n > 0 {
		r.last = all[n-1].Time
	}
	return r, nil
}

// Last is the time of the newest backup (zero when there is none).
func (r *Runner) Last() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// Next is when the next scheduled backup is due: the first scheduled time
// after the newest backup, so a backup missed while the bot was down is
// taken at start. With no backup yet it is now.
func (r *Runner) Next() time.Time { return r.next(r.opt.Now()) }

func (r *Runner) next(now time.Time) time.Time {
	last := r.Last()
	if last.IsZero() {
		return now
	}
	return r.sched.Next(last.In(r.opt.Location))
}

// Backup takes a backup now and rotates the folder.
func (r *Runner) Backup(ctx context.Context) (Info, error) {
	if err := ctx.Err(); err != nil {
		return Info{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.opt.Now().In(r.opt.Location)
	start := time.Now()
	info, err := Write(r.opt.DB, r.opt.Dir, now)
	if err == nil {
		r.last = now
		var gone []string
		gone, err = Rotate(r.opt.Dir, r.opt.Keep)
		if len(gone) > 0 {
			r.opt.Logger.Info("old backups deleted", "count", len(gone), "keep", r.opt.Keep)
		}
		if err == nil {
			r.opt.Logger.Info("backup written", "file", info.Path, "bytes", info.Size, "took", time.Since(start).Round(time.Millisecond).String())
		}
	}
	if err != nil {
		r.opt.Logger.Error("backup failed", "dir", r.opt.Dir, "err", err)
	}
	if r.opt.OnDone != nil {
		r.opt.OnDone(info, err)
	}
	return info, err
}

// Run takes backups when they are due until ctx ends. A failed backup is
// retried after Options.RetryAfter.
func (r *Runner) Run(ctx context.Context) error {
	retryAt := time.Time{}
	for {
		now := r.opt.Now()
		due := r.next(now)
		if retryAt.After(due) {
			due = retryAt
		}
		if !due.After(now) {
			if _, err := r.Backup(ctx); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				retryAt = r.opt.Now().Add(r.opt.RetryAfter)
			} else {
				retryAt = time.Time{}
			}
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.opt.After(due.Sub(now)):
		}
	}
}
