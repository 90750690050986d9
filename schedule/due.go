// Package schedule runs dvcbot's scheduled posts: the afternoon reminders,
// the evening escalation and leaderboard, the quarterly report and the
// 6-month and year-end reviews.
//
// Every decision is a pure function of the clock: Due says which jobs run
// at a given time, given when each last ran, so a test walks through a
// whole year in milliseconds. A Scheduler does what Due says — it computes
// a run's posts, writes them to the outbox (store) together with the run,
// and then sends what the outbox holds through a Sender, marking each post
// sent once Telegram confirms it. After a crash, pending posts are sent and
// sent posts never are again; a job missed while the bot was down runs once
// at start if its latest scheduled time is within the catch-up window,
// never once per missed occurrence.
package schedule

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/robfig/cron/v3"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/store"
)

// Job is one scheduled kind of post.
type Job struct {
	// Name identifies the job in the store (its last run) and in logs.
	Name string
	// Spec is when it runs: any robfig/cron spec — five fields ("0 16 * *
	// *") or a descriptor ("@daily", "@every 5s") — read in the campaign
	// time zone.
	Spec string
	// Run returns the posts of the run scheduled at at, reading the store
	// in tx (a read-only transaction). It must not send anything.
	Run func(ctx context.Context, tx *store.Tx, at time.Time) ([]chat.Reply, error)
	// Rule says what the run scheduled at at stands for: its key (posted
	// at most once), whether it posts at all, whether a day off postpones
	// it, and until when its posts are worth sending. Nil: keyed by the
	// scheduled time, always posted, never stale.
	Rule func(at time.Time) bot.PostRule

	sched cron.Schedule // parsed Spec, set by Compile
}

// specParser accepts five-field specs and descriptors (@daily, @every 5s).
var specParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Compile parses every job's Spec in loc and returns the jobs ready for
// Due. Each job needs a unique Name, a Spec and Run.
func Compile(jobs []Job, loc *time.Location) ([]Job, error) {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]Job, len(jobs))
	seen := map[string]bool{}
	for i, j := range jobs {
		if j.Name == "" || seen[j.Name] {
			return nil, fmt.Errorf("schedule: job %d: missing or repeated name %q", i, j.Name)
		}
		seen[j.Name] = true
		if j.Run == nil {
			return nil, fmt.Errorf("schedule: job %s: no Run", j.Name)
		}
		s, err := specParser.Parse(j.Spec)
		if err != nil {
			return nil, fmt.Errorf("schedule: job %s: spec %q: %w", j.Name, j.Spec, err)
		}
		if ss, ok := s.(*cron.SpecSchedule); ok {
			cp := *ss
			if cp.Location == time.Local { // no CRON_TZ= prefix: the campaign zone
				cp.Location = loc
			}
			s = &cp
		}
		j.sched = s
		out[i] = j
	}
	return out, nil
}

// DueRun is one run Due decided.
type DueRun struct {
	Job string // job name
	// At is the scheduled time the run stands for (its identity: it is
	// recorded as the job's last run).
	At time.Time
	// Effective is when the run became due: At, or a later day when days
	// off postponed it.
	Effective time.Time
	Rule      bot.PostRule
	// Missed is set when the run is too late to post: beyond the catch-up
	// window, or its posts already stale. It is recorded, not posted.
	Missed bool
}

// Posts reports whether the run posts anything (neither missed nor skipped).
func (r DueRun) Posts() bool { return !r.Missed && r.Rule.Skip == "" }

// minGrace is the smallest catch-up window: a tick a few seconds (or a
// suspended laptop a minute) late still runs the job it was waiting for.
const minGrace = time.Minute

// maxLookback bounds how far back Due looks for a job's latest occurrence.
const maxLookback = 400 * 24 * time.Hour

// maxPostpone bounds how many days off in a row postpone a run.
const maxPostpone = 31

// Due decides which jobs run at now. For each job (from Compile) that has
// run before (lastRuns[name] set), it finds the latest scheduled time after
// the last run that is due by now — a run postponed by days off is due on
// the first following day that is not off, at the same time — and returns
// it once:
//
//   - to post, when now is at most catchUp (at least a minute) past the time
//     it became due and its posts are not stale yet;
//   - Missed otherwise (recorded, so it is not considered again);
//   - with Rule.Skip set when its rule skips it (days off and days outside
//     the campaign for daily posts).
//
// Earlier occurrences that were also missed are not run: a job never runs
// once per missed occurrence. A job without a last run is not due (the
// scheduler records its start as the first "last run", so a new bot does
// not post at once what was scheduled before it existed). Runs are ordered
// by the time they became due, then by job order.
func Due(jobs []Job, lastRuns map[string]time.Time, now time.Time, catchUp time.Duration) []DueRun {
	window := max(catchUp, minGrace)
	var out []DueRun
	for _, j := range jobs {
		last, ok := lastRuns[j.Name]
		if !ok || last.IsZero() || j.sched == nil {
			continue
		}
		at, eff, found := latest(j, last, now)
		if !found {
			continue
		}
		r := DueRun{Job: j.Name, At: at, Effective: eff, Rule: rule(j, at)}
		if now.Sub(eff) > window || (!r.Rule.Deadline.IsZero() && !now.Before(r.Rule.Deadline)) {
			r.Missed = true
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Effective.Before(out[b].Effective) })
	return out
}

// rule is the job's rule for a run at at.
func rule(j Job, at time.Time) bot.PostRule {
	if j.Rule != nil {
		r := j.Rule(at)
		if r.Key == "" {
			r.Key = defaultKey(j.Name, at)
		}
		return r
	}
	return bot.PostRule{Key: defaultKey(j.Name, at)}
}

func defaultKey(name string, at time.Time) string {
	return name + "/" + at.Format("2006-01-02T15:04:05Z07:00")
}

// effective is when a run scheduled at at becomes due: the same time of
// the first following day its rule does not postpone.
func effective(j Job, at time.Time) time.Time {
	if j.Rule == nil {
		return at
	}
	eff := at
	for i := 0; i < maxPostpone && j.Rule(eff).Postpone; i++ {
		eff = eff.AddDate(0, 0, 1)
	}
	return eff
}

// maxSteps bounds the occurrences Due walks per job and call.
const maxSteps = 200000

// latest is the latest scheduled time of j after last whose effective time
// is at or before now.
func latest(j Job, last, now time.Time) (at, eff time.Time, found bool) {
	from := last
	if now.Sub(from) > maxLookback {
		from = now.Add(-maxLookback)
	}
	if d, ok := j.sched.(cron.ConstantDelaySchedule); ok {
		// "@every d" runs every d after the last run: only the latest
		// point of that grid can be the one to run.
		n := now.Sub(from) / d.Delay
		if n < 1 {
			return time.Time{}, time.Time{}, false
		}
		at = from.Add(n * d.Delay).Truncate(time.Second)
		if !at.After(last) {
			return time.Time{}, time.Time{}, false
		}
		eff = effective(j, at)
		return at, eff, !eff.After(now)
	}
	for t, i := j.sched.Next(from), 0; !t.IsZero() && !t.After(now) && i < maxSteps; t, i = j.sched.Next(t), i+1 {
		if e := effective(j, t); !e.After(now) {
			at, eff, found = t, e, true
		}
	}
	return at, eff, found
}

// Next is the earliest time after now at which one of the jobs becomes
// due (zero when none ever will), given their last runs: the next
// scheduled time, or a run postponed by days off.
func Next(jobs []Job, lastRuns map[string]time.Time, now time.Time) time.Time {
	var next time.Time
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, j := range jobs {
		if j.sched == nil {
			continue
		}
		last := lastRuns[j.Name]
		if d, ok := j.sched.(cron.ConstantDelaySchedule); ok {
			base := last
			if base.IsZero() || now.Sub(base) > maxLookback {
				base = now
			}
			k := now.Sub(base) / d.Delay
			if k >= 1 { // the latest point may wait for a day that is not off
				consider(effective(j, base.Add(k*d.Delay).Truncate(time.Second)))
			}
			consider(effective(j, base.Add((k+1)*d.Delay).Truncate(time.Second)))
			continue
		}
		from := last
		if from.IsZero() || from.After(now) {
			from = now
		}
		if earliest := now.AddDate(0, 0, -maxPostpone); from.Before(earliest) {
			from = earliest
		}
		for t, i := j.sched.Next(from), 0; !t.IsZero() && i < maxSteps; t, i = j.sched.Next(t), i+1 {
			consider(effective(j, t))
			if t.After(now) {
				break
			}
		}
	}
	return next
}
