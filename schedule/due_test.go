package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/store"
)

var ict = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, ict)
}

func noPosts(context.Context, *store.Tx, time.Time) ([]chat.Reply, error) { return nil, nil }

// dailyRule keys by local day, skips 2026-05-02 (a day off) and makes the
// posts stale at midnight.
func dailyRule(name string) func(time.Time) bot.PostRule {
	return func(t time.Time) bot.PostRule {
		l := t.In(ict)
		r := bot.PostRule{Key: name + "/" + l.Format("2006-01-02"),
			Deadline: time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, ict)}
		if l.Format("01-02") == "05-02" {
			r.Skip = "ngày nghỉ"
		}
		return r
	}
}

// reviewRule postpones runs that fall on 2026-07-01 (a day off).
func reviewRule(t time.Time) bot.PostRule {
	return bot.PostRule{Key: "semiannual/2026-H1", Postpone: t.In(ict).Format("2006-01-02") == "2026-07-01"}
}

func compiled(t *testing.T, jobs ...Job) []Job {
	t.Helper()
	out, err := Compile(jobs, ict)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func standardJobs(t *testing.T) []Job {
	return compiled(t,
		Job{Name: "reminder", Spec: "0 16 * * *", Run: noPosts, Rule: dailyRule("reminder")},
		Job{Name: "escalation", Spec: "0 19 * * *", Run: noPosts, Rule: dailyRule("escalation")},
		Job{Name: "leaderboard", Spec: "0 20 * * *", Run: noPosts},
		Job{Name: "semiannual", Spec: "0 8 1 7 *", Run: noPosts, Rule: reviewRule},
		Job{Name: "every", Spec: "@every 5s", Run: noPosts},
	)
}

// show renders Due's answer as "job@time[flags]" lines.
func show(runs []DueRun) string {
	var parts []string
	for _, r := range runs {
		s := r.Job + "@" + r.At.In(ict).Format("01-02 15:04:05")
		if !r.Effective.Equal(r.At) {
			s += ">" + r.Effective.In(ict).Format("01-02 15:04")
		}
		if r.Missed {
			s += "[missed]"
		}
		if r.Rule.Skip != "" {
			s += "[skip]"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestDue(t *testing.T) {
	jobs := standardJobs(t)
	only := func(names ...string) []Job {
		var out []Job
		for _, j := range jobs {
			for _, n := range names {
				if j.Name == n {
					out = append(out, j)
				}
			}
		}
		return out
	}
	daily := only("reminder", "escalation", "leaderboard")
	last := func(t time.Time, names ...string) map[string]time.Time {
		m := map[string]time.Time{}
		for _, n := range names {
			m[n] = t
		}
		return m
	}
	all := []string{"reminder", "escalation", "leaderboard"}
	for _, tc := range []struct {
		name    string
		jobs    []Job
		last    map[string]time.Time
		now     time.Time
		catchUp time.Duration
		want    string
	}{
		{"not yet", daily, last(at(2026, 5, 3, 8, 0, 0), all...), at(2026, 5, 3, 15, 59, 59), 6 * time.Hour, ""},
		{"on time", daily, last(at(2026, 5, 3, 8, 0, 0), all...), at(2026, 5, 3, 16, 0, 0), 6 * time.Hour, "reminder@05-03 16:00:00"},
		{"a tick late", daily, last(at(2026, 5, 3, 8, 0, 0), all...), at(2026, 5, 3, 16, 0, 40), 0, "reminder@05-03 16:00:00"},
		{"too late without catch-up", daily, last(at(2026, 5, 3, 8, 0, 0), all...), at(2026, 5, 3, 16, 2, 0), 0, "reminder@05-03 16:00:00[missed]"},
		{"already ran", daily, last(at(2026, 5, 3, 16, 0, 0), "reminder"), at(2026, 5, 3, 16, 30, 0), 6 * time.Hour, ""},
		{"never ran: not due", daily, nil, at(2026, 5, 3, 16, 0, 0), 6 * time.Hour, ""},
		// Down from 15:00 to 21:00: each job runs once, in order.
		{"back at 21:00", daily, last(at(2026, 5, 3, 15, 0, 0), all...), at(2026, 5, 3, 21, 0, 0), 6 * time.Hour,
			"reminder@05-03 16:00:00 escalation@05-03 19:00:00 leaderboard@05-03 20:00:00"},
		// Down for three days: only the latest occurrence, once.
		{"down three days", daily, last(at(2026, 5, 4, 20, 0, 0), all...), at(2026, 5, 7, 16, 30, 0), 6 * time.Hour,
			"escalation@05-06 19:00:00[missed] leaderboard@05-06 20:00:00[missed] reminder@05-07 16:00:00"},
		{"beyond catch-up", daily, last(at(2026, 5, 3, 15, 0, 0), "reminder"), at(2026, 5, 3, 22, 30, 0), 6 * time.Hour,
			"reminder@05-03 16:00:00[missed]"},
		// Within catch-up but stale: an escalation at 00:30 is about a day that is over.
		{"stale after midnight", daily, last(at(2026, 5, 3, 15, 0, 0), all...), at(2026, 5, 4, 0, 30, 0), 6 * time.Hour,
			"reminder@05-03 16:00:00[missed] escalation@05-03 19:00:00[missed] leaderboard@05-03 20:00:00"},
		{"day off", daily, last(at(2026, 5, 2, 8, 0, 0), "reminder"), at(2026, 5, 2, 16, 0, 1), 6 * time.Hour, "reminder@05-02 16:00:00[skip]"},
		{"postponed: not on the day off", only("semiannual"), last(at(2026, 6, 30, 9, 0, 0), "semiannual"), at(2026, 7, 1, 8, 0, 0), 6 * time.Hour, ""},
		{"postponed: the next day", only("semiannual"), last(at(2026, 6, 30, 9, 0, 0), "semiannual"), at(2026, 7, 2, 8, 0, 5), 6 * time.Hour,
			"semiannual@07-01 08:00:00>07-02 08:00"},
		{"every 5s", only("every"), last(at(2026, 5, 3, 8, 0, 0), "every"), at(2026, 5, 3, 8, 0, 12), 6 * time.Hour, "every@05-03 08:00:10"},
		{"every 5s, not yet", only("every"), last(at(2026, 5, 3, 8, 0, 0), "every"), at(2026, 5, 3, 8, 0, 4), 6 * time.Hour, ""},
		{"every 5s after a long stop", only("every"), last(at(2026, 5, 3, 8, 0, 0), "every"), at(2026, 5, 5, 8, 0, 0), time.Hour,
			"every@05-05 08:00:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := show(Due(tc.jobs, tc.last, tc.now, tc.catchUp)); got != tc.want {
				t.Errorf("Due = %q\n      want %q", got, tc.want)
			}
		})
	}
}

func TestDueRunPosts(t *testing.T) {
	for _, tc := range []struct {
		r    DueRun
		want bool
	}{
		{DueRun{}, true},
		{DueRun{Missed: true}, false},
		{DueRun{Rule: bot.PostRule{Skip: "ngày nghỉ"}}, false},
	} {
		if got := tc.r.Posts(); got != tc.want {
			t.Errorf("%+v.Posts() = %v", tc.r, got)
		}
	}
}

func TestNext(t *testing.T) {
	jobs := standardJobs(t)
	last := map[string]time.Time{"reminder": at(2026, 5, 3, 16, 0, 0), "escalation": at(2026, 5, 2, 19, 0, 0),
		"leaderboard": at(2026, 5, 2, 20, 0, 0), "semiannual": at(2026, 6, 30, 9, 0, 0)}
	daily := jobs[:3]
	for _, tc := range []struct {
		jobs []Job
		now  time.Time
		want time.Time
	}{
		{daily, at(2026, 5, 3, 16, 0, 0), at(2026, 5, 3, 19, 0, 0)},
		{daily, at(2026, 5, 3, 20, 0, 0), at(2026, 5, 4, 16, 0, 0)},
		{jobs[3:4], at(2026, 7, 1, 8, 0, 0), at(2026, 7, 2, 8, 0, 0)}, // postponed past the day off
		{jobs[4:], at(2026, 5, 3, 8, 0, 2), at(2026, 5, 3, 8, 0, 7)},  // @every from the start (no last run)
	} {
		if got := Next(tc.jobs, last, tc.now); !got.Equal(tc.want) {
			t.Errorf("Next(%s) = %s, want %s", tc.now.Format(time.DateTime), got.In(ict).Format(time.DateTime), tc.want.Format(time.DateTime))
		}
	}
}

func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		jobs []Job
		want string // error substring, "" = ok
	}{
		{[]Job{{Name: "a", Spec: "0 16 * * *", Run: noPosts}, {Name: "b", Spec: "@every 5s", Run: noPosts}, {Name: "c", Spec: "@daily", Run: noPosts}}, ""},
		{[]Job{{Name: "a", Spec: "0 16 * *", Run: noPosts}}, "spec"},
		{[]Job{{Name: "a", Spec: "61 16 * * *", Run: noPosts}}, "spec"},
		{[]Job{{Name: "a", Spec: "0 16 * * *"}}, "no Run"},
		{[]Job{{Name: "a", Spec: "0 16 * * *", Run: noPosts}, {Name: "a", Spec: "0 17 * * *", Run: noPosts}}, "repeated"},
		{[]Job{{Spec: "0 16 * * *", Run: noPosts}}, "name"},
	} {
		_, err := Compile(tc.jobs, ict)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Compile(%v) = %v, want %q", tc.jobs[0].Spec, err, tc.want)
		}
	}
	// Specs are read in the campaign zone: 16:00 in Ho Chi Minh City is 09:00 UTC.
	j := compiled(t, Job{Name: "a", Spec: "0 16 * * *", Run: noPosts})
	if n := j[0].sched.Next(time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC)); !n.Equal(time.Date(2026, 5, 3, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("next 16:00 = %s", n.UTC())
	}
}

func TestBackoff(t *testing.T) {
	var got []string
	for n := 1; n <= 8; n++ {
		got = append(got, backoff(n).String())
	}
	if want := "30s 1m0s 2m0s 4m0s 8m0s 16m0s 30m0s 30m0s"; strings.Join(got, " ") != want {
		t.Errorf("backoff = %v, want %s", got, want)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"0 16 * * *", "@every 5s", "@daily", "0 8 1 1,4,7,10 *", "*/5 * * * *", "CRON_TZ=UTC 0 1 * * *", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		jobs, err := Compile([]Job{{Name: "j", Spec: spec, Run: noPosts}}, ict)
		if err != nil {
			return
		}
		now := at(2026, 5, 3, 12, 0, 0)
		last := map[string]time.Time{"j": now.Add(-48 * time.Hour)}
		runs := Due(jobs, last, now, 6*time.Hour)
		if len(runs) > 1 {
			t.Fatalf("Due returned %d runs of one job", len(runs))
		}
		for _, r := range runs {
			if r.At.After(now) || !r.At.After(last["j"]) {
				t.Fatalf("run at %s outside (last, now]", r.At)
			}
		}
		if n := Next(jobs, last, now); !n.IsZero() && !n.After(now) {
			t.Fatalf("Next = %s, not after now", n)
		}
		_ = fmt.Sprint(runs)
	})
}
