package bot

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/chart"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Scheduled posts: what the bot sends on its own, decided here without I/O
// (pure over a store transaction and a date) and sent by package schedule
// through the outbox.

// Job names: the configuration keys under schedule.*, and the first part of
// every outbox job key.
const (
	JobReminder    = "reminder"    // officers of hamlets that have not met today's target
	JobEscalation  = "escalation"  // leaders of hamlets still missing in the evening
	JobLeaderboard = "leaderboard" // the daily leaderboard to the leaders' group
	JobQuarterly   = "quarterly"   // the quarterly check report to admins
	JobSemiannual  = "semiannual"  // the 6-month review (sơ kết)
	JobYearend     = "yearend"     // the year-end review (tổng kết)
)

// PostJob names a kind of scheduled post.
type PostJob struct {
	Name  string // configuration key, e.g. "leaderboard"
	Alias string // what an admin types after /chay, e.g. "xephang"
	Label string // Vietnamese description
}

var postJobs = []PostJob{
	{JobReminder, "nhacviec", "nhắc cán bộ các ấp chưa đạt chỉ tiêu hôm nay"},
	{JobEscalation, "baotruongap", "báo trưởng ấp khi ấp vẫn chưa đạt chỉ tiêu"},
	{JobLeaderboard, "xephang", "bảng xếp hạng gửi nhóm lãnh đạo"},
	{JobQuarterly, "quy", "báo cáo kiểm tra quý gửi quản trị viên"},
	{JobSemiannual, "soket", "sơ kết 6 tháng"},
	{JobYearend, "tongket", "tổng kết năm"},
}

// PostJobs lists every kind of scheduled post, in the order of a day.
func PostJobs() []PostJob { return append([]PostJob(nil), postJobs...) }

// findPostJob matches what an admin typed (name or alias, with or without
// diacritics and spaces: "sơ kết", "soket", "semiannual").
func findPostJob(s string) (PostJob, bool) {
	want := strings.ReplaceAll(labelKey(s), " ", "")
	for _, j := range postJobs {
		if want == j.Name || want == j.Alias {
			return j, true
		}
	}
	return PostJob{}, false
}

// PostRule says what a run of a job scheduled at a given time stands for.
type PostRule struct {
	// Key identifies what the run posts ("leaderboard/2026-05-02",
	// "quarterly/2026-Q1"): a key is posted at most once, so a changed
	// schedule or a catch-up never posts the same day or period twice.
	Key string
	// Skip, when set, says why the run posts nothing (a day off, a day
	// outside the campaign, a period the campaign does not cover).
	Skip string
	// Postpone is set when the run falls on a day off but must not be lost
	// (reviews): it moves to the next day at the same time.
	Postpone bool
	// Deadline is when the run's posts are no longer worth sending (a
	// reminder after its day is over); zero means never.
	Deadline time.Time
}

// PostRule is the rule for a run of job scheduled at at.
//
// Daily posts (reminder, escalation, leaderboard) are keyed by the local
// day and skipped on days off and outside the campaign. Reminders and
// escalations go stale at the end of their day, the leaderboard at the end
// of the next day.
//
// Reviews report the period (quarter, half-year, year) that contains their
// reference day: the run's own day when it runs from 12:00 on ("0 20 31 12
// *" reports the year up to 31/12), the day before when it runs in the
// morning ("0 8 1 4 *" reports the first quarter up to 31/03). They are keyed
// by that period, skipped only when the period lies wholly outside the
// campaign — so the fourth quarter's report at 08:00 on 01/01/2027 still
// goes out after the campaign has ended — and postponed, never skipped, on
// a day off.
func (e *Engine) PostRule(job string, at time.Time) PostRule {
	loc := e.set.Location
	p := e.set.Params
	day := scoring.DateOf(at, loc)
	switch job {
	case JobReminder, JobEscalation, JobLeaderboard:
		r := PostRule{Key: job + "/" + day.ISO()}
		switch {
		case !p.InCampaign(day):
			r.Skip = "ngày " + day.String() + " nằm ngoài thời gian phong trào (" + p.CampaignStart.String() + " – " + p.CampaignEnd.String() + ")"
		case p.IsDayOff(day):
			r.Skip = "ngày " + day.String() + " là ngày nghỉ (campaign.days_off)"
		}
		stale := day.AddDays(1)
		if job == JobLeaderboard {
			stale = day.AddDays(2)
		}
		r.Deadline = stale.Time(loc)
		return r
	case JobQuarterly, JobSemiannual, JobYearend:
		period := e.reviewPeriod(job, at, false).period
		r := PostRule{Key: job + "/" + periodKey(period)}
		if period.Clip(p.CampaignStart, p.CampaignEnd).Empty() {
			r.Skip = "kỳ " + period.Label + " nằm ngoài thời gian phong trào"
		} else if p.IsDayOff(day) {
			r.Postpone = true
		}
		return r
	}
	return PostRule{Key: job + "/" + at.In(loc).Format("2006-01-02T15:04:05"), Skip: "không có việc «" + job + "»"}
}

// reviewRun is what a review run reports: the period, the day its figures
// stop at, and whether they are provisional («tạm tính»: the period had
// not ended at the run's instant).
type reviewRun struct {
	period      scoring.Period
	at          scoring.Date
	provisional bool
}

// reviewPeriod is what a review of job run at at reports. Its reference day
// is the run's own day from 12:00 on ("0 20 31 12 *" reports the year up to
// 31/12), the day before in the morning ("0 8 1 4 *" reports the first
// quarter up to 31/03). Within the campaign the period is
// scoring.Params.ReviewPeriod's: the quarter of the reference day, always
// the first half-year for the sơ kết (a manual /chay soket in December
// reviews the first half), the whole campaign for the tổng kết. A run whose
// reference day lies outside the campaign reports the period holding that
// day (which PostRule skips when the campaign does not cover it), unless
// manual: an admin's /chay after the campaign reviews its last period.
// Figures stop at the earlier of the reference day (scoring's FiguresAt:
// at most the campaign's last day) and the period's last day.
func (e *Engine) reviewPeriod(job string, at time.Time, manual bool) reviewRun {
	p := e.set.Params
	local := at.In(e.set.Location)
	ref := scoring.DateOf(local, e.set.Location)
	if local.Hour() < 12 {
		ref = ref.AddDays(-1)
	}
	if manual {
		ref = clampDate(ref, p.CampaignStart, p.CampaignEnd)
	}
	kind := scoring.KindYear
	switch job {
	case JobQuarterly:
		kind = scoring.KindQuarter
	case JobSemiannual:
		kind = scoring.KindHalf
	}
	var period scoring.Period
	switch {
	case p.InCampaign(ref):
		period = p.ReviewPeriod(kind, ref)
	case kind == scoring.KindQuarter:
		period = scoring.Quarter(ref.Year, ref.Quarter())
	case kind == scoring.KindHalf:
		period = scoring.Half(ref.Year, ref.Half())
	default:
		period = scoring.Year(ref.Year)
	}
	asOf := p.FiguresAt(ref)
	if asOf.After(period.To) {
		asOf = period.To
	}
	return reviewRun{period: period, at: asOf, provisional: !period.EndedBy(at, e.set.Location)}
}

// periodKey names a period in job keys: 2026-Q1, 2026-H1, 2026.
func periodKey(p scoring.Period) string {
	y := strconv.Itoa(p.From.Year)
	switch p.Kind {
	case scoring.KindQuarter:
		return y + "-Q" + strconv.Itoa(p.From.Quarter())
	case scoring.KindHalf:
		return y + "-H" + strconv.Itoa(p.From.Half())
	case scoring.KindYear:
		return y
	}
	return p.From.ISO() + "_" + p.To.ISO()
}

// Posts are the posts of job for a run scheduled at at (see PostRule for
// the day or period each job reports). It does not check PostRule.Skip:
// the scheduler does, and /chay runs a job whenever an admin asks.
func (e *Engine) Posts(tx *store.Tx, job string, at time.Time) ([]chat.Reply, error) {
	return e.posts(tx, job, at, false)
}

// posts are the posts of job run at at; manual is set for /chay (see
// reviewPeriod).
func (e *Engine) posts(tx *store.Tx, job string, at time.Time, manual bool) ([]chat.Reply, error) {
	day := scoring.DateOf(at, e.set.Location)
	switch job {
	case JobReminder:
		return e.Reminders(tx, day)
	case JobEscalation:
		return e.Escalations(tx, day)
	case JobLeaderboard:
		return e.DailyLeaderboard(tx, day)
	case JobQuarterly:
		return e.quarterlyReport(tx, e.reviewPeriod(job, at, manual))
	case JobSemiannual, JobYearend:
		return e.review(tx, e.reviewPeriod(job, at, manual))
	}
	return nil, fmt.Errorf("bot: no scheduled job %q", job)
}

// GroupChats are the leaders' groups posts go to, at most one per channel
// that may post into groups: the configured one (for Telegram, the
// supergroup Telegram migrated it to) or the one a leader linked with /nhom.
func (e *Engine) GroupChats(tx *store.Tx) []chat.Address {
	var out []chat.Address
	seen := map[string]bool{}
	add := func(g chat.Address) {
		if g.ID != "" && !seen[g.Channel] && e.set.GroupsOK(g.Channel) {
			seen[g.Channel] = true
			out = append(out, g)
		}
	}
	for _, g := range e.set.Groups {
		if g.Channel == chat.Telegram {
			if id, err := strconv.ParseInt(g.ID, 10, 64); err == nil {
				g.ID = strconv.FormatInt(tx.MigratedChat(id), 10)
			}
		}
		add(g)
	}
	for _, ch := range []string{chat.Zalo, chat.Telegram, chat.Console} {
		add(chat.Addr(ch, tx.LinkedGroup(ch)))
	}
	return out
}

// telegramGroup is the Telegram leaders' group after any migration (0: none).
func (e *Engine) telegramGroup(tx *store.Tx) int64 {
	for _, g := range e.set.Groups {
		if g.Channel == chat.Telegram {
			if id, err := strconv.ParseInt(g.ID, 10, 64); err == nil {
				return tx.MigratedChat(id)
			}
		}
	}
	return 0
}

// MigrateGroup records that Telegram upgraded the group old to the
// supergroup id (the transport's OnMigrate): when old is the leaders'
// group, every later post goes to id. Other groups are ignored.
func (e *Engine) MigrateGroup(old, id int64) error {
	err := e.db.Update(func(tx *store.Tx) error {
		if old == 0 || id == 0 || old != e.telegramGroup(tx) {
			return nil
		}
		return tx.SetGroupChatID(old, id)
	})
	if err != nil {
		return fmt.Errorf("bot: record group migration: %w", err)
	}
	return nil
}

// leaders are the people posts for leaders reach: zone leaders, hamlet
// heads and admins (registered or from configuration), active, each by
// the account messages for them go to.
func (e *Engine) leaders(tx *store.Tx) ([]chat.Address, error) {
	return e.reach(tx, func(o campaign.Officer, admin bool) bool {
		return admin || (o.Active && (o.Role == campaign.RoleZoneLeader || o.Role == campaign.RoleLeader))
	})
}

// reach lists, without duplicates, the account messages go to of every
// person want accepts (admin says whether they are an admin: by stored
// role and active, or named in configuration), then the configured admin
// accounts no person holds yet.
func (e *Engine) reach(tx *store.Tx, want func(o campaign.Officer, admin bool) bool) ([]chat.Address, error) {
	officers, err := tx.Officers()
	if err != nil {
		return nil, err
	}
	seen := map[chat.Address]bool{}
	var out []chat.Address
	add := func(a chat.Address) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	covered := map[chat.Address]bool{}
	for _, o := range officers {
		admin := o.Role == campaign.RoleAdmin && o.Active
		for _, a := range o.Accounts {
			covered[a.Address] = true
			admin = admin || e.isConfigAdmin(a.Address)
		}
		if !want(o, admin) {
			continue
		}
		if a, ok := o.Primary(); ok {
			add(a)
		}
	}
	for _, a := range e.set.Admins {
		if !covered[a] {
			add(a)
		}
	}
	return out, nil
}

// toLeaders addresses posts meant for the leaders: a copy to each leaders'
// group, carrying as fallback the leaders on that group's channel (sent
// privately if the group refuses the post), and a private copy — optional
// traffic, left out when a channel's quota is nearly used — to every
// leader whose channel has no group.
func (e *Engine) toLeaders(tx *store.Tx, posts []chat.Reply) ([]chat.Reply, error) {
	people, err := e.leaders(tx)
	if err != nil {
		return nil, err
	}
	groups := e.GroupChats(tx)
	hasGroup := map[string]bool{}
	for _, g := range groups {
		hasGroup[g.Channel] = true
	}
	var out []chat.Reply
	for _, g := range groups {
		var fallback []chat.Address
		for _, a := range people {
			if a.Channel == g.Channel {
				fallback = append(fallback, a)
			}
		}
		for _, p := range posts {
			p.To, p.Group, p.Bulk, p.Fallback = g, true, true, fallback
			out = append(out, p)
		}
	}
	for _, a := range people {
		if hasGroup[a.Channel] {
			continue
		}
		for _, p := range posts {
			p.To, p.Group, p.Bulk, p.Optional = a, false, true, true
			out = append(out, p)
		}
	}
	return out, nil
}

// reportButton starts /baocao in the officer's private chat.
var reportButton = []chat.Choice{{Label: "📝 Báo cáo ngay", Value: "cmd:baocao"}}

// withReportButton ends a reminder with the way to start a report on the
// person's channel: a button where there are buttons, the command to type
// where there are none (a post is not part of a conversation, so a typed
// number would answer nothing).
func withReportButton(r chat.Reply) chat.Reply {
	if chat.CapsOf(r.To.Channel).Buttons {
		r.Choices = [][]chat.Choice{reportButton}
		return r
	}
	r.Text += "\nGõ /baocao để báo cáo, hoặc gửi một tin: dòng đầu /baocao, rồi 4 dòng họ tên, địa chỉ, số điện thoại, thủ tục."
	return r
}

// postDayStats are every hamlet's figures on day, with the officers who
// may receive a private post (active, reachable), by hamlet.
func (e *Engine) postDayStats(tx *store.Tx, day scoring.Date) ([]scoring.HamletStats, map[string][]campaign.Officer, error) {
	f, err := tx.Facts("")
	if err != nil {
		return nil, nil, err
	}
	stats := scoring.Hamlets(f, e.set.Params, scoring.Day(day), day)
	officers, err := tx.Officers()
	if err != nil {
		return nil, nil, err
	}
	byHamlet := map[string][]campaign.Officer{}
	for _, o := range officers {
		if _, ok := o.Primary(); ok && o.Active && o.HamletID != "" {
			byHamlet[o.HamletID] = append(byHamlet[o.HamletID], o)
		}
	}
	return stats, byHamlet, nil
}

// targetsApply reports whether day has a daily target (a campaign day that is not a day off).
func (e *Engine) targetsApply(day scoring.Date) bool {
	return e.set.Params.InCampaign(day) && !e.set.Params.IsDayOff(day)
}

// Reminders are the afternoon nudges: a private message to every active,
// reachable person registered with a hamlet (officers, leaders, admins
// attached to it) whose hamlet has not met day's target yet, with the
// hamlet's status, the streak at stake and a button that starts /baocao.
// None on days off or outside the campaign.
func (e *Engine) Reminders(tx *store.Tx, day scoring.Date) ([]chat.Reply, error) {
	if !e.targetsApply(day) {
		return nil, nil
	}
	stats, people, err := e.postDayStats(tx, day)
	if err != nil {
		return nil, err
	}
	var out []chat.Reply
	for _, s := range stats {
		if s.MetToday {
			continue
		}
		for _, o := range people[s.Hamlet.ID] {
			to, _ := o.Primary()
			out = append(out, withReportButton(chat.Reply{To: to, Bulk: true,
				Text: ReminderText(o.FullName, s, e.set.Params.DailyTarget, day)}))
		}
	}
	return out, nil
}

// ReminderText is the afternoon nudge to one person of a hamlet that has
// not met day's target.
func ReminderText(name string, s scoring.HamletStats, target int, day scoring.Date) string {
	var b strings.Builder
	b.WriteString("⏰ " + chat.BoldStart + "Nhắc việc ngày " + day.String() + chat.BoldEnd + "\n")
	hello := "Chào anh/chị"
	if n := strings.TrimSpace(name); n != "" {
		hello += " " + plain(n)
	}
	b.WriteString(hello + "! " + hamletStatusText(s, target) + "\n")
	b.WriteString(streakText(s.CurrentStreak, false) + "\n")
	b.WriteString("Sau khi hướng dẫn một gia đình làm dịch vụ công trực tuyến, anh/chị báo cáo ngay.")
	return b.String()
}

// hamletStatusText says how far the hamlet is from today's target.
func hamletStatusText(s scoring.HamletStats, target int) string {
	name := "ấp " + plain(s.Hamlet.Name)
	if s.GuidedToday == 0 {
		return "Hôm nay " + name + " chưa có hộ nào được hướng dẫn (chỉ tiêu: " + itoa(target) + " hộ mỗi ngày)."
	}
	return "Hôm nay " + name + " mới hướng dẫn " + itoa(s.GuidedToday) + " hộ, còn thiếu " + itoa(target-s.GuidedToday) +
		" hộ để đạt chỉ tiêu " + itoa(target) + " hộ mỗi ngày."
}

// streakText is what the day puts at stake; late is the evening wording.
func streakText(streak int, late bool) string {
	switch {
	case streak >= 2 && late:
		return "Ấp đang có chuỗi " + itoa(streak) + " ngày đạt liên tiếp — nếu hết hôm nay vẫn chưa có báo cáo, chuỗi sẽ bị đứt."
	case streak >= 2:
		return "Ấp đang có chuỗi " + itoa(streak) + " ngày đạt liên tiếp — đừng để đứt chuỗi!"
	case streak == 1:
		return "Ngày làm việc trước ấp đã đạt chỉ tiêu — đạt tiếp hôm nay là ấp có chuỗi 2 ngày liên tiếp."
	case late:
		return "Vẫn còn kịp: chỉ cần một hộ được hướng dẫn trước nửa đêm là ấp đạt chỉ tiêu hôm nay."
	default:
		return "Hôm nay là dịp tốt để ấp bắt đầu một chuỗi ngày đạt liên tiếp."
	}
}

// Escalations are the evening messages to the leaders (role leader) of
// every hamlet that still has not met day's target, naming the hamlet's
// officers so the leader knows whom to call. None on days off or outside
// the campaign.
func (e *Engine) Escalations(tx *store.Tx, day scoring.Date) ([]chat.Reply, error) {
	if !e.targetsApply(day) {
		return nil, nil
	}
	stats, people, err := e.postDayStats(tx, day)
	if err != nil {
		return nil, err
	}
	var out []chat.Reply
	for _, s := range stats {
		if s.MetToday {
			continue
		}
		var names []string
		for _, o := range people[s.Hamlet.ID] {
			if o.Role == campaign.RoleOfficer && strings.TrimSpace(o.FullName) != "" {
				names = append(names, o.FullName)
			}
		}
		for _, o := range people[s.Hamlet.ID] {
			if o.Role != campaign.RoleLeader {
				continue
			}
			to, _ := o.Primary()
			out = append(out, withReportButton(chat.Reply{To: to, Bulk: true, Optional: true,
				Text: EscalationText(s, names, e.set.Params.DailyTarget, day)}))
		}
	}
	return out, nil
}

// EscalationText is the evening message to a leader whose hamlet has not
// met day's target; officers are the names of the hamlet's officers.
func EscalationText(s scoring.HamletStats, officers []string, target int, day scoring.Date) string {
	var b strings.Builder
	b.WriteString("⚠️ " + chat.BoldStart + "Ấp " + plain(s.Hamlet.Name) + " chưa đạt chỉ tiêu ngày " + day.String() + chat.BoldEnd + "\n")
	b.WriteString(hamletStatusText(s, target) + "\n")
	b.WriteString(streakText(s.CurrentStreak, true) + "\n")
	if len(officers) > 0 {
		b.WriteString("Cán bộ của ấp: " + plain(strings.Join(officers, ", ")) + ".\n")
	}
	b.WriteString("Anh/chị vui lòng nhắc cán bộ hướng dẫn và báo cáo trước khi hết ngày; nếu chính anh/chị đã hướng dẫn hộ nào, hãy báo cáo ngay.")
	return b.String()
}

// Chart size of every coverage chart, in pixels.
const postChartWidth, postChartHeight = 1000, 600

// coverageChart draws the hamlets' coverage in the given order; nil with
// the error logged when it cannot (the text is posted alone).
func (e *Engine) coverageChart(stats []scoring.HamletStats, title string) []byte {
	if len(stats) == 0 {
		return nil
	}
	bars := make([]chart.Bar, len(stats))
	for i, s := range stats {
		bars[i] = chart.Bar{Label: s.Hamlet.Name, Value: s.Coverage}
	}
	png, err := chart.CoveragePNG(title, bars, e.set.Params.CoverageThreshold, postChartWidth, postChartHeight)
	if err != nil {
		e.log.Warn("coverage chart not drawn", "err", err)
		return nil
	}
	return png
}

// chartCaption explains the coverage chart under its picture.
func chartCaption(p scoring.Params, at scoring.Date) string {
	return "📊 Độ phủ dịch vụ công trực tuyến của các ấp đến hết ngày " + at.String() +
		" (mục tiêu " + scoring.ThresholdPercent(p.CoverageThreshold) + ")."
}

// DailyLeaderboard is the evening post for the leaders (toLeaders): the
// ranking of LeaderboardText, then a bar chart of every hamlet's coverage
// with the threshold line. Hamlet figures and officers' names only.
func (e *Engine) DailyLeaderboard(tx *store.Tx, day scoring.Date) ([]chat.Reply, error) {
	text, ranks, err := e.Leaderboard(tx, day, e.set.Params)
	if err != nil {
		return nil, err
	}
	posts := []chat.Reply{{Text: text + e.pagesFooter()}}
	stats := make([]scoring.HamletStats, len(ranks))
	for i, r := range ranks {
		stats[i] = r.HamletStats
	}
	if png := e.coverageChart(stats, "Độ phủ dịch vụ công trực tuyến theo ấp — ngày "+day.String()); png != nil {
		posts = append(posts, chat.Reply{Text: chartCaption(e.set.Params, day),
			Photo: &chat.File{Name: "xep-hang-" + day.ISO() + ".png", Bytes: png}})
	}
	return e.toLeaders(tx, posts)
}

// postFigures are the figures of a period as of a day.
type postFigures struct {
	period      scoring.Period
	at          scoring.Date
	provisional bool                  // the period had not ended when the figures were taken
	hamlets     []scoring.HamletStats // in leaderboard order (coverage first)
	officers    []scoring.OfficerStats
	awards      scoring.Awards
	names       map[string]string // hamlet id → name
}

// periodFigures reads the figures of a review run: every hamlet (in
// leaderboard order) and officer over the period, and the award candidates,
// as of the run's day.
func (e *Engine) periodFigures(tx *store.Tx, run reviewRun) (postFigures, error) {
	f, err := tx.Facts("")
	if err != nil {
		return postFigures{}, err
	}
	p := e.set.Params
	period, at := run.period, run.at
	fig := postFigures{period: period, at: at, provisional: run.provisional, names: map[string]string{}}
	for _, h := range f.Hamlets {
		fig.names[h.ID] = h.Name
	}
	byID := map[string]scoring.HamletStats{}
	for _, s := range scoring.Hamlets(f, p, period, at) {
		byID[s.Hamlet.ID] = s
	}
	for _, r := range scoring.Leaderboard(f, p, at) {
		fig.hamlets = append(fig.hamlets, byID[r.Hamlet.ID])
	}
	fig.officers = scoring.Officers(f, p, period, at)
	sort.SliceStable(fig.officers, func(i, j int) bool {
		a, b := fig.officers[i], fig.officers[j]
		if a.GuidedInPeriod != b.GuidedInPeriod {
			return a.GuidedInPeriod > b.GuidedInPeriod
		}
		if a.DaysActive != b.DaysActive {
			return a.DaysActive > b.DaysActive
		}
		return scoring.CompareNames(a.Officer.DisplayName(), b.Officer.DisplayName()) < 0
	})
	fig.awards = scoring.Candidates(f, p, at)
	return fig, nil
}

// periodLine says which days the figures cover: the period within the
// campaign, up to the day the figures stop at, provisional while the period
// has not ended.
func (f postFigures) periodLine(p scoring.Params) string {
	from := f.period.From
	if c := f.period.Clip(p.CampaignStart, p.CampaignEnd); !c.Empty() {
		from = c.From
	}
	s := scoring.FiguresAtText(f.at) + " (từ ngày " + from.String() + ")"
	if f.provisional {
		s += "; kỳ chưa kết thúc nên số liệu là " + scoring.ProvisionalMark
	}
	return s + "."
}

// provisionalMark is " (tạm tính)" after the title of figures of a period
// that has not ended, "" otherwise.
func provisionalMark(provisional bool) string {
	if provisional {
		return " (" + scoring.ProvisionalMark + ")"
	}
	return ""
}

// summaryText is the figures everyone may see: totals, the hamlet table and
// the legend. No personal data.
func (f postFigures) summaryText(p scoring.Params) string {
	var guided, fresh, able, households, reached int
	for _, s := range f.hamlets {
		guided += s.GuidedInPeriod
		fresh += s.NewGuided
		able += s.AbleInRegister()
		households += max(s.Hamlet.Households, 0)
		if s.CoverageMet() {
			reached++
		}
	}
	var b strings.Builder
	b.WriteString("Trong kỳ, các ấp đã hướng dẫn " + scoring.Number(guided) + " lượt hộ (" + scoring.Number(fresh) + " hộ lần đầu được hướng dẫn).\n")
	b.WriteString("Đến ngày " + f.at.String() + ", " + scoring.Number(able) + "/" + scoring.Number(households) +
		" hộ biết tự thực hiện dịch vụ công trực tuyến (" + scoring.PercentOf(able, households) + "); " +
		itoa(reached) + "/" + itoa(len(f.hamlets)) + " ấp đạt độ phủ " + scoring.ThresholdPercent(p.CoverageThreshold) + ".\n")
	return b.String()
}

// hamletTable is the per-hamlet figures, one line a hamlet (chunkText
// splits it between posts at line ends).
func (f postFigures) hamletTable() string {
	var b strings.Builder
	for _, s := range f.hamlets {
		b.WriteString(hamletLine(s, "") + "\n")
	}
	return b.String()
}

// hamletLine is one hamlet's figures on one line, as the reviews and
// /report show them: "• Bãi Nhà: 12 lượt (+3) · đạt 4/5 ngày · phủ 40,0% ·
// quà 10,0%", the change since the previous period in brackets when delta
// is not "". No column alignment: Zalo has no monospaced text.
func hamletLine(s scoring.HamletStats, delta string) string {
	return figuresLine(bold(s.Hamlet.Name), scoring.Number(s.GuidedInPeriod), delta, itoa(s.DaysMet)+"/"+itoa(s.DaysElapsed),
		scoring.Percent(s.Coverage), scoring.Percent(s.SpecialProgress))
}

// figuresLine writes a line of hamletLine's shape; delta and days are left
// out when "" (the totals line has no days).
func figuresLine(name, guided, delta, days, cov, special string) string {
	s := "• " + name + ": " + guided + " lượt"
	if delta != "" {
		s += " (" + delta + ")"
	}
	if days != "" {
		s += " · đạt " + days + " ngày"
	}
	return s + " · phủ " + cov + " · quà " + special
}

const hamletLegend = "lượt: lượt hộ được hướng dẫn trong kỳ · đạt: số ngày đạt chỉ tiêu/số ngày của kỳ (không tính ngày nghỉ) · phủ: độ phủ · quà: số hộ đã được hướng dẫn đủ số thủ tục của " + scoring.SpecialPrizeName

// maxIdleNames bounds the names of officers without reports listed in a post.
const maxIdleNames = 30

// officerLines lists officers by households guided in the period: the top
// n (0: all who reported) and, when all is set, those who did not report.
func (f postFigures) officerLines(n int, all bool) string {
	var b strings.Builder
	rank, shown := 0, 0
	var idle []string
	for _, o := range f.officers {
		if o.GuidedInPeriod == 0 {
			if o.Officer.Active {
				idle = append(idle, o.Officer.DisplayName())
			}
			continue
		}
		rank++
		if n > 0 && shown >= n {
			continue
		}
		shown++
		line := itoa(rank) + ". " + plain(o.Officer.DisplayName())
		if h := f.names[o.Officer.HamletID]; h != "" {
			line += " (" + plain(h) + ")"
		}
		line += " — " + scoring.Number(o.GuidedInPeriod) + " lượt hộ, " + itoa(o.DaysActive) + " ngày có báo cáo"
		if all && len(o.FailedChecks) > 0 {
			line += ", " + itoa(len(o.FailedChecks)) + " lần kiểm tra không đạt"
		}
		b.WriteString(line + "\n")
	}
	if shown == 0 {
		b.WriteString("— Chưa có cán bộ nào báo cáo trong kỳ.\n")
	}
	if all && len(idle) > 0 {
		sort.Slice(idle, func(i, j int) bool { return scoring.CompareNames(idle[i], idle[j]) < 0 })
		more := ""
		if len(idle) > maxIdleNames {
			more = " và " + itoa(len(idle)-maxIdleNames) + " người khác (xem tệp Excel)"
			idle = idle[:maxIdleNames]
		}
		b.WriteString("Chưa có báo cáo trong kỳ: " + plain(strings.Join(idle, ", ")) + more + ".\n")
	}
	return b.String()
}

// publicAwards is the award outlook for the group: the hamlets proposed
// (and those meeting the standard beyond the cap, for the council) and the
// officers proposed with their figures, never why anyone was left out.
func publicAwards(a scoring.Awards, p scoring.Params) string {
	var b strings.Builder
	b.WriteString("🎖 " + chat.BoldStart + "Dự kiến đề nghị khen thưởng" + chat.BoldEnd + " (" + lowerFirst(scoring.FiguresAtText(a.At)) + ")\n")
	b.WriteString("Tập thể (tối đa " + scoring.Count2(p.MaxCollectives) + ", độ phủ từ " + scoring.ThresholdPercent(p.CoverageThreshold) + "): ")
	coverage := func(h scoring.HamletCandidate) string {
		return "ấp " + plain(h.Stats.Hamlet.Name) + " (" + scoring.PercentOf(h.Stats.AbleInRegister(), h.Stats.Hamlet.Households) + ")"
	}
	if len(a.Collectives) == 0 {
		b.WriteString("chưa có ấp nào đủ tiêu chuẩn.\n")
	} else {
		var hs []string
		for _, h := range a.Collectives {
			hs = append(hs, coverage(h))
		}
		b.WriteString(strings.Join(hs, ", ") + ".\n")
	}
	if beyond := beyondCap(a.NotSelected.Collectives); len(beyond) > 0 {
		var hs []string
		for _, h := range beyond {
			hs = append(hs, coverage(h))
		}
		b.WriteString(upperFirst(capHeading(p.MaxCollectives)) + ": " + strings.Join(hs, ", ") + ".\n")
	}
	b.WriteString(upperFirst(scoring.SpecialPrizeName) + " (" + scoring.Count2(p.SpecialPrizes) + " phần quà): ")
	note := a.SpecialNote(p)
	switch {
	case len(a.Special) == 0 && note != "":
		b.WriteString(plain(lowerFirst(note)) + "\n")
	case len(a.Special) == 0:
		b.WriteString("chưa có ấp nào đủ điều kiện.\n")
	default:
		var hs []string
		for _, h := range a.Special {
			hs = append(hs, "ấp "+plain(h.Stats.Hamlet.Name)+" ("+scoring.PercentOf(h.Stats.SpecialInRegister(), h.Stats.Hamlet.Households)+" số hộ đủ "+scoring.Count2(h.Stats.K)+" thủ tục)")
		}
		b.WriteString(strings.Join(hs, ", ") + ".\n")
		if note != "" {
			b.WriteString(plain(note) + "\n")
		}
	}
	b.WriteString("Cá nhân đề nghị xét (tối đa " + scoring.Count2(p.MaxIndividuals) + "): ")
	if len(a.Individuals) == 0 {
		b.WriteString("chưa có cá nhân nào.\n")
	} else {
		b.WriteString(itoa(len(a.Individuals)) + " cán bộ, dẫn đầu là ")
		var os []string
		for _, o := range a.Individuals[:min(3, len(a.Individuals))] {
			os = append(os, plain(o.Stats.Officer.DisplayName())+" ("+scoring.Number(o.Stats.Households)+" hộ)")
		}
		b.WriteString(strings.Join(os, ", ") + ".\n")
	}
	b.WriteString(ital(scoring.IndividualsNote) + "\n")
	b.WriteString("Danh sách chính thức do Hội đồng Thi đua - Khen thưởng đặc khu xét duyệt.")
	return b.String()
}

// postChunk bounds the text of one post, well under Telegram's 4,096
// characters, so that no post is split inside an HTML tag.
const postChunk = 3500

// chunkText cuts text into parts of at most postChunk characters at line ends
// (a single longer line stays whole, so no part cuts through a line's
// emphasis marks).
func chunkText(sections ...string) []string {
	var out []string
	var cur strings.Builder
	n := 0 // characters in cur
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
		n = 0
	}
	for _, sec := range sections {
		for _, l := range strings.SplitAfter(strings.TrimRight(sec, "\n")+"\n", "\n") {
			ln := utf8.RuneCountInString(l)
			if n > 0 && n+ln > postChunk {
				flush()
			}
			cur.WriteString(l)
			n += ln
		}
	}
	flush()
	return out
}

// postAdmins are the accounts of every admin (registered with role admin
// or named in configuration), active, each by the account messages for
// them go to, without duplicates.
func (e *Engine) postAdmins(tx *store.Tx) ([]chat.Address, error) {
	return e.reach(tx, func(_ campaign.Officer, admin bool) bool { return admin })
}

// quarterlyReport is the quarterly check report to every admin: totals,
// per-hamlet and per-officer figures for the quarter as of the run's day,
// the award candidates as of that day with every exclusion explained, and
// the XLSX annex (export.WriteReport, evidence included: admins only).
func (e *Engine) quarterlyReport(tx *store.Tx, run reviewRun) ([]chat.Reply, error) {
	fig, err := e.periodFigures(tx, run)
	if err != nil {
		return nil, err
	}
	p := e.set.Params
	quarter := run.period
	head := "📋 " + chat.BoldStart + "Báo cáo kiểm tra " + plain(quarter.Label) + provisionalMark(run.provisional) + chat.BoldEnd + "\n" +
		fig.periodLine(p) + "\n\n" + fig.summaryText(p)
	annex, err := e.reportAnnex(tx, fig, "Báo cáo kiểm tra "+quarter.Label)
	if err != nil {
		return nil, err
	}
	return e.toAdmins(tx, fig.adminPosts(head, p), annex, "bao-cao-"+periodKey(quarter)+".xlsx",
		"📎 Phụ lục báo cáo "+quarter.Label+": số liệu các ấp, cán bộ, danh sách hộ được hướng dẫn và kết quả kiểm tra. Tệp có thông tin cá nhân của người dân — chỉ dùng cho công tác kiểm tra, không chia sẻ ra ngoài.")
}

// adminPosts are the texts of a period's figures for admins: head, the
// hamlet table, every officer (with those who did not report) and the full
// award list with its exclusions, cut into posts.
func (f postFigures) adminPosts(head string, p scoring.Params) []string {
	return chunkText(head, f.hamletTable(), hamletLegend+"\n",
		"\n👤 "+bold("Cán bộ")+" (lượt hộ trong kỳ)\n"+f.officerLines(0, true),
		"\n"+AwardsText(f.awards, p))
}

// toAdmins addresses the texts and the annex to every admin.
func (e *Engine) toAdmins(tx *store.Tx, texts []string, annex []byte, name, caption string) ([]chat.Reply, error) {
	admins, err := e.postAdmins(tx)
	if err != nil {
		return nil, err
	}
	var out []chat.Reply
	for _, id := range admins {
		for _, t := range texts {
			out = append(out, chat.Reply{To: id, Text: t, Bulk: true})
		}
		if annex != nil {
			out = append(out, chat.Reply{To: id, Text: caption, Bulk: true, File: &chat.File{Name: name, Bytes: annex}})
		}
	}
	return out, nil
}

// review is the 6-month review (sơ kết, the campaign's first half-year) or
// the year-end review (tổng kết, the whole campaign), as of the run's day:
// to the leaders' group the figures only — totals, the hamlet table, the
// leading officers by name, the award outlook and the coverage chart, never
// a household's name, phone or address — and to every admin the same with
// every officer, the full award list with its exclusions and the XLSX annex.
func (e *Engine) review(tx *store.Tx, run reviewRun) ([]chat.Reply, error) {
	fig, err := e.periodFigures(tx, run)
	if err != nil {
		return nil, err
	}
	p := e.set.Params
	period, at := run.period, run.at
	icon, heading, file := "📣", "Tổng hợp phong trào "+period.Label, "tong-hop-"+periodKey(period)
	switch period.Kind {
	case scoring.KindHalf:
		heading, file = "Sơ kết phong trào "+period.Label, "so-ket-"+periodKey(period)
	case scoring.KindYear:
		icon, heading, file = "🏁", "Tổng kết phong trào "+period.Label, "tong-ket-"+periodKey(period)
	}
	heading += provisionalMark(run.provisional)
	title := icon + " " + bold(heading)
	name := e.set.CampaignName
	if name == "" {
		name = "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến"
	}
	head := title + "\nPhong trào «" + plain(name) + "»\n" + fig.periodLine(p) + "\n\n" + fig.summaryText(p)

	var posts []chat.Reply
	for _, t := range chunkText(head, fig.hamletTable(), hamletLegend+"\n",
		"\n🌟 "+bold("Cán bộ dẫn đầu trong kỳ")+"\n"+fig.officerLines(10, false),
		"\n"+publicAwards(fig.awards, p)) {
		posts = append(posts, chat.Reply{Text: t})
	}
	if png := e.coverageChart(fig.hamlets, "Độ phủ dịch vụ công trực tuyến theo ấp — "+period.Label); png != nil {
		posts = append(posts, chat.Reply{Text: chartCaption(p, at), Photo: &chat.File{Name: file + ".png", Bytes: png}})
	}
	out, err := e.toLeaders(tx, posts)
	if err != nil {
		return nil, err
	}
	annex, err := e.reportAnnex(tx, fig, heading)
	if err != nil {
		return nil, err
	}
	admin, err := e.toAdmins(tx, fig.adminPosts(head, p), annex, file+".xlsx",
		"📎 Phụ lục "+period.Label+": số liệu các ấp, cán bộ, danh sách hộ được hướng dẫn và kết quả kiểm tra. Tệp có thông tin cá nhân của người dân — không chia sẻ ra ngoài.")
	if err != nil {
		return nil, err
	}
	return append(out, admin...), nil
}

// reportAnnex is the XLSX workbook of a period for admins: the same
// workbook as /report's, of every hamlet.
func (e *Engine) reportAnnex(tx *store.Tx, fig postFigures, title string) ([]byte, error) {
	loc := e.set.Location
	wb, err := e.reportWorkbook(tx, workbookContent{
		title:       strings.TrimSpace(title) + " — phong trào “" + e.set.CampaignName + "”",
		label:       fig.period.Label + " (" + fig.period.From.String() + " – " + fig.at.String() + ")",
		figuresAt:   fig.at,
		provisional: fig.provisional,
		hamlets:     fig.hamlets,
		officers:    fig.officers,
		from:        fig.period.From.Time(loc),
		to:          fig.at.AddDays(1).Time(loc),
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := export.WriteReport(&buf, loc, wb, e.procedureNameMap()); err != nil {
		return nil, fmt.Errorf("bot: report annex: %w", err)
	}
	return buf.Bytes(), nil
}

// --- the outbox ---

// OutboxItems turns posts into outbox items for store.EnqueuePosts, each
// stale from expires (zero: never). Edit is not carried: posts are always
// new messages.
func OutboxItems(rs []chat.Reply, expires time.Time) []store.OutboxItem {
	out := make([]store.OutboxItem, 0, len(rs))
	for _, r := range rs {
		r.Edit = ""
		out = append(out, store.OutboxItem{Reply: r, Expires: expires})
	}
	return out
}

// --- /chay ---

// cmdRunJob (/chay <việc>) runs a scheduled job now: its posts go into the
// outbox in this transaction, and the scheduler sends them within seconds.
// A manual run has its own job key, so the scheduled run still posts.
func (c *cx) cmdRunJob(args string) error {
	job, ok := findPostJob(args)
	if !ok {
		c.reply(runJobUsage(args))
		return nil
	}
	// Building the posts (tables, charts, workbooks) waits for the commit:
	// other officers' reports do not wait for it. Nothing goes out before
	// the admin has seen to whom.
	c.s.State, c.s.Job = stateRunConfirm, job.Name
	c.offered = runChoices
	c.afterCommit(func(rc *cx) error { return rc.describeRun(job) })
	return nil
}

// stateRunConfirm waits for the admin to confirm a /chay run.
const stateRunConfirm = "run_confirm"

// describeRun says what a run of job would send and to whom, and asks.
func (c *cx) describeRun(job PostJob) error {
	replies, err := c.e.posts(c.tx, job.Name, c.now, true)
	if err != nil {
		return err
	}
	rule := c.e.PostRule(job.Name, c.now)
	var b strings.Builder
	if len(replies) == 0 {
		b.WriteString("Việc «" + job.Label + "» lúc này không có tin nào cần gửi")
		switch job.Name {
		case JobReminder, JobEscalation:
			b.WriteString(": mọi ấp đã đạt chỉ tiêu hôm nay, ấp chưa đạt chưa có người nhận, hoặc hôm nay không tính chỉ tiêu.")
		default:
			b.WriteString(": chưa có nhóm lãnh đạo và chưa có lãnh đạo, quản trị viên nào nhận tin.")
		}
		c.reply(b.String())
		return nil
	}
	b.WriteString("Việc «" + job.Label + "» sẽ gửi " + itoa(len(replies)) + " tin:\n" + recipients(replies))
	if rule.Skip != "" {
		b.WriteString("\nLưu ý: theo lịch, việc này không tự chạy lúc này vì " + plain(rule.Skip) + ".")
	}
	b.WriteString("\nGửi ngay?")
	c.reply(b.String(), runChoices...)
	return nil
}

// runChoices confirm or cancel a /chay run.
var runChoices = [][]chat.Choice{{{Label: "▶️ Gửi ngay", Value: "run:yes"}, {Label: "Không gửi", Value: "run:no"}}}

// recipients lists to whom posts go: each group, and how many people
// privately, by channel.
func recipients(rs []chat.Reply) string {
	groups := map[string]int{}
	people := map[string]map[chat.Address]bool{}
	var order []string
	for _, r := range rs {
		ch := campaign.ChannelLabel(r.To.Channel)
		if _, ok := groups[ch]; !ok && people[ch] == nil {
			order = append(order, ch)
			people[ch] = map[chat.Address]bool{}
		}
		if r.Group {
			groups[ch]++
		} else {
			people[ch][r.To] = true
		}
	}
	var lines []string
	for _, ch := range order {
		if n := groups[ch]; n > 0 {
			lines = append(lines, "• nhóm lãnh đạo trên "+ch+": "+itoa(n)+" tin")
		}
		if n := len(people[ch]); n > 0 {
			lines = append(lines, "• riêng cho "+itoa(n)+" người trên "+ch)
		}
	}
	return strings.Join(lines, "\n")
}

// onRunButton answers the question of describeRun.
func (c *cx) onRunButton(arg string) error {
	if c.s.State != stateRunConfirm || c.s.Job == "" {
		c.reply(msgStaleButton)
		return nil
	}
	job, ok := findPostJob(c.s.Job)
	c.s.State, c.s.Job = "", ""
	if !ok || arg != "yes" {
		c.reply("Đã không gửi. Gõ /chay khi cần chạy lại.")
		return nil
	}
	c.afterCommit(func(rc *cx) error { return rc.runJob(job) })
	return nil
}

// runJob builds a job's posts and queues them (after the commit).
func (c *cx) runJob(job PostJob) error {
	replies, err := c.e.posts(c.tx, job.Name, c.now, true)
	if err != nil {
		return err
	}
	rule := c.e.PostRule(job.Name, c.now)
	items := OutboxItems(replies, rule.Deadline)
	key := rule.Key + "/chay/" + strconv.FormatInt(c.now.UnixNano(), 10)
	if err := c.enqueue(key, items); err != nil {
		return err
	}
	if err := c.audit("job.run", nil, map[string]any{"job": job.Name, "posts": len(items)}); err != nil {
		return err
	}
	if len(items) == 0 {
		c.reply("Việc «" + job.Label + "» lúc này không còn tin nào cần gửi.")
		return nil
	}
	c.reply("▶️ Đã chạy việc «" + job.Label + "»: " + itoa(len(items)) + " tin đã vào hàng gửi:\n" + recipients(replies) + "\nTin sẽ được gửi trong giây lát.")
	return nil
}

// runJobUsage lists the jobs /chay runs.
func runJobUsage(args string) string {
	var b strings.Builder
	if strings.TrimSpace(args) != "" {
		b.WriteString("Không có việc «" + plain(args) + "». ")
	}
	b.WriteString("Gõ /chay kèm tên việc cần chạy ngay:\n")
	for _, j := range postJobs {
		b.WriteString("• " + chat.CodeStart + "/chay " + j.Alias + chat.CodeEnd + " — " + j.Label + "\n")
	}
	b.WriteString("Tin của việc được gửi như khi chạy theo lịch.")
	return b.String()
}

// repeatRun answers text typed while a /chay run waits for confirmation.
func (c *cx) repeatRun(string) error {
	c.reply("Việc «"+c.s.Job+"» đang chờ anh/chị xác nhận: "+c.tap("Gửi ngay")+" hoặc "+c.tap("Không gửi")+".", runChoices...)
	return nil
}
