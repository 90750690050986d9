package schedule

import (
	"context"
	"time"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/store"
)

// Poster decides the campaign's posts (the conversation engine, *bot.Engine).
type Poster interface {
	// Posts are the posts of job for a run scheduled at at.
	Posts(tx *store.Tx, job string, at time.Time) ([]chat.Reply, error)
	// PostRule says what that run stands for and whether it posts.
	PostRule(job string, at time.Time) bot.PostRule
}

// CampaignJobs are the campaign's six jobs — reminder, escalation,
// leaderboard, quarterly, semiannual, yearend — with their specs from
// configuration (schedule.*); a job whose spec is empty is left out.
func CampaignJobs(sc config.Schedule, p Poster) []Job {
	specs := map[string]string{
		bot.JobReminder:    sc.Reminder,
		bot.JobEscalation:  sc.Escalation,
		bot.JobLeaderboard: sc.Leaderboard,
		bot.JobQuarterly:   sc.Quarterly,
		bot.JobSemiannual:  sc.Semiannual,
		bot.JobYearend:     sc.Yearend,
	}
	var jobs []Job
	for _, pj := range bot.PostJobs() {
		spec := specs[pj.Name]
		if spec == "" {
			continue
		}
		name := pj.Name
		jobs = append(jobs, Job{
			Name: name,
			Spec: spec,
			Run: func(_ context.Context, tx *store.Tx, at time.Time) ([]chat.Reply, error) {
				return p.Posts(tx, name, at)
			},
			Rule: func(at time.Time) bot.PostRule { return p.PostRule(name, at) },
		})
	}
	return jobs
}
