package schedule

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// People of the scheduler's test world, by their Telegram ids (tAdmin is
// an admin from configuration, not registered).
const (
	tAdmin     int64 = 1001
	tOfficerBN int64 = 2001 // Bãi Nhà: has not reported today
	tOfficerND int64 = 2002 // Nam Du: reported today
	tOfficerHT int64 = 2003 // Hòn Tre: has not reported today
	tLeaderBN  int64 = 3001
	tLeaderND  int64 = 3002
	tGroup     int64 = -100123
)

// clock is the injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// recorder is a Sender that records what it sends; fail, when set, may
// refuse a post.
type recorder struct {
	mu   sync.Mutex
	sent []chat.Reply
	fail func(chat.Reply) error
}

func (r *recorder) Send(ctx context.Context, rep chat.Reply) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(rep); err != nil {
			return err
		}
	}
	r.sent = append(r.sent, rep)
	return nil
}

func (r *recorder) take() []chat.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.sent
	r.sent = nil
	return out
}

// tg is the Telegram address of a chat or user id.
func tg(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

// tgID is the Telegram id of an address (0 for another channel's).
func tgID(a chat.Address) int64 {
	if a.Channel != chat.Telegram {
		return 0
	}
	id, _ := strconv.ParseInt(a.ID, 10, 64)
	return id
}

// to lists the Telegram chats of the posts, sorted.
func to(rs []chat.Reply) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, tgID(r.To))
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// world is a store, an engine and a scheduler on one injected clock.
type world struct {
	t     *testing.T
	path  string
	clk   *clock
	db    *store.DB
	eng   *bot.Engine
	set   bot.Settings
	sched *Scheduler
	send  *recorder
	// stub makes the jobs return one fixed post each instead of the engine's
	// (jobs listed in real still use the engine).
	stub  bool
	real  map[string]bool
	spec  config.Schedule
	phone int
	// ids are the registered people's own ids by their Telegram ids.
	ids map[int64]campaign.PersonID
	// sender and classify replace the recorder and the default Classify
	// (the Telegram transport in integration tests).
	sender   Sender
	classify func(error) Failure
}

func settings(daysOff ...scoring.Date) bot.Settings {
	p := scoring.DefaultParams()
	p.DaysOff = daysOff
	return bot.Settings{
		CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Start:        time.Date(2026, 1, 1, 0, 0, 0, 0, ict),
		End:          time.Date(2026, 12, 31, 0, 0, 0, 0, ict),
		Location:     ict,
		DailyTarget:  1,
		Procedures:   []campaign.Procedure{{ID: "khai_sinh", Name: "Đăng ký khai sinh"}},
		Admins:       []chat.Address{tg(tAdmin)},
		Groups:       []chat.Address{tg(tGroup)},
		Params:       p,
	}
}

func newWorld(t *testing.T, start time.Time, set bot.Settings) *world {
	t.Helper()
	w := &world{t: t, path: filepath.Join(t.TempDir(), "dvcbot.db"), clk: &clock{t: start}, set: set,
		send: &recorder{}, spec: config.Sample().Schedule, real: map[string]bool{}, ids: map[int64]campaign.PersonID{}}
	w.open()
	t.Cleanup(func() { w.db.Close() })
	if err := w.db.Update(func(tx *store.Tx) error {
		return tx.SyncHamlets([]campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 40},
			{ID: "hon-tre", Name: "Hòn Tre", Households: 30}, {ID: "nam-du", Name: "Nam Du", Households: 20}})
	}); err != nil {
		t.Fatal(err)
	}
	return w
}

// open opens the store and builds the engine and a new scheduler, as a
// (re)started bot does.
func (w *world) open() {
	w.t.Helper()
	db, err := store.Open(w.path, store.Options{Now: w.clk.Now, Location: ict, NoSync: true})
	if err != nil {
		w.t.Fatal(err)
	}
	w.db = db
	w.eng = bot.New(db, w.set, bot.WithClock(w.clk.Now))
	w.newScheduler()
}

func (w *world) newScheduler() {
	w.t.Helper()
	var p Poster = w.eng
	if w.stub {
		p = stubPoster{eng: w.eng, real: w.real}
	}
	var send Sender = w.send
	if w.sender != nil {
		send = w.sender
	}
	s, err := New(w.db, CampaignJobs(w.spec, p), send, Options{Location: ict, CatchUp: w.spec.CatchUp, Now: w.clk.Now, Classify: w.classify})
	if err != nil {
		w.t.Fatal(err)
	}
	w.sched = s
}

// restart closes the store and starts everything again.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open()
}

func (w *world) tick() {
	w.t.Helper()
	if err := w.sched.Tick(context.Background()); err != nil {
		w.t.Fatalf("Tick at %s: %v", w.clk.Now().In(ict).Format(time.DateTime), err)
	}
}

// tickAt moves the clock to t and ticks.
func (w *world) tickAt(t time.Time) {
	w.t.Helper()
	w.clk.Set(t)
	w.tick()
}

// person registers someone with a Telegram account.
func (w *world) person(tgid int64, hamlet string, role campaign.Role, name string) {
	w.t.Helper()
	if err := w.db.Update(func(tx *store.Tx) error {
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		w.ids[tgid] = id
		return tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: tg(tgid)}}, Prefer: chat.Telegram,
			FullName: name, HamletID: hamlet, Role: role, Active: true}, 0, "officer.test")
	}); err != nil {
		w.t.Fatal(err)
	}
}

// unreachable lists the Telegram ids of the registered people whose
// Telegram account is marked unreachable, sorted.
func (w *world) unreachable() []int64 {
	w.t.Helper()
	var out []int64
	if err := w.db.View(func(tx *store.Tx) error {
		os, err := tx.Officers()
		for _, o := range os {
			if a, ok := o.Account(chat.Telegram); ok && a.Unreachable {
				out = append(out, tgID(a.Address))
			}
		}
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (w *world) guide(tgid int64, hamlet string, when time.Time) {
	w.t.Helper()
	officer, ok := w.ids[tgid]
	if !ok {
		w.t.Fatalf("guide: nobody registered with Telegram id %d", tgid)
	}
	w.phone++
	name := fmt.Sprintf("Hộ Số %d", w.phone)
	if err := w.db.Update(func(tx *store.Tx) error {
		hh, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: "Tổ 1",
			Phone: fmt.Sprintf("09123%05d", w.phone), CreatedBy: officer}, intake.Fold(name))
		if err != nil {
			return err
		}
		_, err = tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: officer, At: when, Procedures: []string{"khai_sinh"}})
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
}

// people registers the standard cast; Nam Du reports on day d.
func (w *world) people(d time.Time) {
	w.person(tOfficerBN, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	w.person(tOfficerND, "nam-du", campaign.RoleOfficer, "Nguyễn Thị Lan")
	w.person(tOfficerHT, "hon-tre", campaign.RoleOfficer, "Phạm Minh Châu")
	w.person(tLeaderBN, "bai-nha", campaign.RoleLeader, "Trần Thị Hoa")
	w.person(tLeaderND, "nam-du", campaign.RoleLeader, "Huỳnh Văn Mạnh")
	w.guide(tOfficerND, "nam-du", time.Date(d.Year(), d.Month(), d.Day(), 9, 30, 0, 0, ict))
}

func (w *world) outbox() (pending, sent, dropped []store.OutboxItem) {
	w.t.Helper()
	if err := w.db.View(func(tx *store.Tx) error {
		return tx.EachPost(func(it store.OutboxItem) error {
			switch it.Status {
			case store.OutboxPending:
				pending = append(pending, it)
			case store.OutboxSent:
				sent = append(sent, it)
			default:
				dropped = append(dropped, it)
			}
			return nil
		})
	}); err != nil {
		w.t.Fatal(err)
	}
	return
}

// stubPoster keeps the engine's rules but posts one short message per run
// (the real leaderboard draws a chart, far too slow for a year's walk).
type stubPoster struct {
	eng  *bot.Engine
	real map[string]bool
}

func (s stubPoster) Posts(tx *store.Tx, job string, at time.Time) ([]chat.Reply, error) {
	if s.real[job] {
		return s.eng.Posts(tx, job, at)
	}
	r := chat.Reply{To: tg(tAdmin), Text: job + " " + at.In(ict).Format(time.DateTime), Bulk: true}
	if job == bot.JobLeaderboard || job == bot.JobSemiannual || job == bot.JobYearend {
		groups := s.eng.GroupChats(tx)
		if len(groups) != 1 {
			return nil, fmt.Errorf("leaders' groups %v, want one", groups)
		}
		r.To, r.Group = groups[0], true
	}
	return []chat.Reply{r}, nil
}

func (s stubPoster) PostRule(job string, at time.Time) bot.PostRule { return s.eng.PostRule(job, at) }

var may2 = time.Date(2026, 5, 2, 0, 0, 0, 0, ict)

func TestReminderOnlyToHamletsThatHaveNotReported(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 8, 0, 0, 0, ict), settings())
	w.people(may2)
	w.tick() // the bot starts at 08:00: nothing is due yet
	if got := w.send.take(); len(got) != 0 {
		t.Fatalf("first start sent %d posts", len(got))
	}
	next, err := w.sched.NextWake()
	if err != nil || !next.Equal(time.Date(2026, 5, 2, 16, 0, 0, 0, ict)) {
		t.Fatalf("NextWake = %v, %v; want 16:00", next, err)
	}
	w.tickAt(next)
	got := w.send.take()
	if fmt.Sprint(to(got)) != fmt.Sprint([]int64{tOfficerBN, tOfficerHT, tLeaderBN}) {
		t.Fatalf("16:00 reminders to %v; want Bãi Nhà's officer and leader and Hòn Tre's officer (Nam Du reported)", to(got))
	}
	for _, r := range got {
		if !r.Bulk || len(r.Choices) != 1 || r.Choices[0][0].Value != "cmd:baocao" {
			t.Errorf("reminder %+v", r)
		}
	}
	// Bãi Nhà reports at 17:00; at 19:00 only Hòn Tre is missing, and it has no leader.
	w.guide(tOfficerBN, "bai-nha", time.Date(2026, 5, 2, 17, 0, 0, 0, ict))
	w.tickAt(time.Date(2026, 5, 2, 19, 0, 0, 0, ict))
	if got := w.send.take(); len(got) != 0 {
		t.Errorf("19:00 escalation to %v; Bãi Nhà reported and Hòn Tre has no leader", to(got))
	}
	w.tick()
	if got := w.send.take(); len(got) != 0 {
		t.Errorf("a second tick sent %d posts", len(got))
	}
}

func TestEscalationReachesLeadersOnly(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 18, 0, 0, 0, ict), settings())
	w.people(may2)
	w.tick()
	w.tickAt(time.Date(2026, 5, 2, 19, 0, 0, 0, ict))
	if got := to(w.send.take()); fmt.Sprint(got) != fmt.Sprint([]int64{tLeaderBN}) {
		t.Errorf("escalation to %v, want Bãi Nhà's leader only", got)
	}
}

// A crash after the posts were written to the outbox and before Telegram
// confirmed them: after the restart each is sent exactly once.
func TestRestartBetweenWriteAndSend(t *testing.T) {
	for _, crash := range []string{"send fails", "killed while sending"} {
		t.Run(crash, func(t *testing.T) {
			w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
			w.people(may2)
			w.tick()
			w.clk.Set(time.Date(2026, 5, 2, 16, 0, 0, 0, ict))
			ctx, cancel := context.WithCancel(context.Background())
			w.send.fail = func(chat.Reply) error {
				if crash == "send fails" {
					return errors.New("read tcp: connection reset by peer")
				}
				cancel() // the process dies in the middle of the request
				return context.Canceled
			}
			if err := w.sched.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if pending, sent, _ := w.outbox(); len(pending) != 3 || len(sent) != 0 {
				t.Fatalf("before restart: %d pending, %d sent; want 3 written, none sent", len(pending), len(sent))
			}
			w.send = &recorder{}
			w.restart()
			w.tickAt(time.Date(2026, 5, 2, 16, 1, 0, 0, ict))
			w.tickAt(time.Date(2026, 5, 2, 16, 5, 0, 0, ict))
			got := w.send.take()
			if fmt.Sprint(to(got)) != fmt.Sprint([]int64{tOfficerBN, tOfficerHT, tLeaderBN}) {
				t.Errorf("after restart sent to %v, want each reminder exactly once", to(got))
			}
			if pending, sent, _ := w.outbox(); len(pending) != 0 || len(sent) != 3 {
				t.Errorf("after restart: %d pending, %d sent", len(pending), len(sent))
			}
		})
	}
}

// A restart after Telegram confirmed the posts sends nothing again, even
// for a run the new process could consider due.
func TestRestartAfterSentSendsNothing(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	w.people(may2)
	w.tick()
	w.tickAt(time.Date(2026, 5, 2, 16, 0, 0, 0, ict))
	if n := len(w.send.take()); n != 3 {
		t.Fatalf("%d reminders, want 3", n)
	}
	w.restart()
	for _, tm := range []time.Time{time.Date(2026, 5, 2, 16, 0, 30, 0, ict), time.Date(2026, 5, 2, 18, 0, 0, 0, ict)} {
		w.tickAt(tm)
		if got := w.send.take(); len(got) != 0 {
			t.Errorf("after restart at %s sent %v", tm.Format("15:04"), to(got))
		}
	}
	// Even if the run record were lost, the job key keeps the day's reminder from repeating.
	if err := w.db.Update(func(tx *store.Tx) error {
		r := Due(w.sched.jobs, map[string]time.Time{bot.JobReminder: time.Date(2026, 5, 2, 15, 0, 0, 0, ict)},
			time.Date(2026, 5, 2, 16, 0, 0, 0, ict), time.Hour)
		if len(r) != 1 || !tx.Enqueued(r[0].Rule.Key) {
			t.Errorf("due %v not recorded as enqueued", r)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// The bot is down from 15:00 to 21:00: reminder, escalation and
// leaderboard each run once when it comes back (within the 6 h catch-up).
func TestMissedJobsRunOnceWithinCatchUp(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 1, 21, 0, 0, 0, ict), settings())
	w.stub = true
	w.newScheduler()
	w.tick()
	w.tickAt(time.Date(2026, 5, 2, 15, 0, 0, 0, ict)) // last tick before going down (the day before's jobs ran)
	w.send.take()
	w.restart()
	w.tickAt(time.Date(2026, 5, 2, 21, 0, 0, 0, ict))
	w.tick()
	var got []string
	for _, r := range w.send.take() {
		got = append(got, r.Text)
	}
	sort.Strings(got) // chats are served concurrently
	want := []string{"escalation 2026-05-02 19:00:00", "leaderboard 2026-05-02 20:00:00", "reminder 2026-05-02 16:00:00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after coming back at 21:00 sent %q, want %q", got, want)
	}
}

func TestMissedJobsBeyondCatchUpDoNotRun(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 9, 0, 0, 0, ict), settings())
	w.stub = true
	w.newScheduler()
	w.tick()
	w.restart()
	// Back at 02:30 the next night: 16:00, 19:00 and 20:00 are more than 6 h ago
	// (and reminders of a finished day are stale anyway).
	w.tickAt(time.Date(2026, 5, 3, 2, 30, 0, 0, ict))
	if got := w.send.take(); len(got) != 0 {
		t.Errorf("beyond catch-up sent %d posts: %v", len(got), got[0].Text)
	}
	// Down for a week: nothing of the missed days, and the next day runs normally.
	w.tickAt(time.Date(2026, 5, 10, 15, 0, 0, 0, ict))
	w.tickAt(time.Date(2026, 5, 10, 16, 0, 0, 0, ict))
	if got := w.send.take(); len(got) != 1 || got[0].Text != "reminder 2026-05-10 16:00:00" {
		t.Errorf("after a week away: %v", got)
	}
}

// walk ticks at every time the scheduler wakes up for, from the clock's
// time to end, and returns the posts sent.
func (w *world) walk(end time.Time) []chat.Reply {
	w.t.Helper()
	var all []chat.Reply
	for i := 0; ; i++ {
		w.tick()
		all = append(all, w.send.take()...)
		next, err := w.sched.NextWake()
		if err != nil {
			w.t.Fatal(err)
		}
		if next.IsZero() || next.After(end) {
			return all
		}
		if !next.After(w.clk.Now()) {
			w.t.Fatalf("NextWake %s is not after now %s", next, w.clk.Now())
		}
		if i > 100000 {
			w.t.Fatal("walk does not end")
		}
		w.clk.Set(next)
	}
}

func TestDaysOffAndDaysOutsideTheCampaignSendNothing(t *testing.T) {
	daysOff := []scoring.Date{scoring.NewDate(2026, 4, 30), scoring.NewDate(2026, 5, 1)}
	for _, tc := range []struct {
		name       string
		from, till time.Time
	}{
		{"days off", time.Date(2026, 4, 29, 22, 0, 0, 0, ict), time.Date(2026, 5, 1, 23, 59, 0, 0, ict)},
		{"before the campaign", time.Date(2025, 12, 20, 0, 0, 0, 0, ict), time.Date(2025, 12, 31, 23, 59, 0, 0, ict)},
		{"after the campaign (Q4 report and year-end excepted)", time.Date(2027, 1, 1, 9, 0, 0, 0, ict), time.Date(2027, 3, 31, 23, 0, 0, 0, ict)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.from, settings(daysOff...))
			w.real = map[string]bool{bot.JobReminder: true, bot.JobEscalation: true}
			w.stub = true
			w.newScheduler()
			w.people(tc.from.AddDate(0, 0, 1)) // even with hamlets missing their target
			if got := w.walk(tc.till); len(got) != 0 {
				t.Errorf("sent %d posts, first %q to %v", len(got), got[0].Text, got[0].To)
			}
		})
	}
}

// TestYearWalk runs the real schedule through the whole campaign and a
// little beyond, at every time the scheduler wakes up for.
func TestYearWalk(t *testing.T) {
	daysOff := []scoring.Date{scoring.NewDate(2026, 2, 16), scoring.NewDate(2026, 2, 17), scoring.NewDate(2026, 4, 30),
		scoring.NewDate(2026, 5, 1), scoring.NewDate(2026, 7, 1), scoring.NewDate(2026, 9, 2)}
	w := newWorld(t, time.Date(2025, 12, 31, 12, 0, 0, 0, ict), settings(daysOff...))
	w.stub = true
	w.newScheduler()
	start := time.Now()
	got := w.walk(time.Date(2027, 1, 15, 0, 0, 0, 0, ict))
	count := map[string]int{}
	days := map[string]map[string]bool{}
	var reviews []string
	for _, r := range got {
		job, when, _ := strings.Cut(r.Text, " ")
		count[job]++
		if days[job] == nil {
			days[job] = map[string]bool{}
		}
		day := when[:10]
		if days[job][day] {
			t.Errorf("%s posted twice on %s", job, day)
		}
		days[job][day] = true
		if job != bot.JobReminder && job != bot.JobEscalation && job != bot.JobLeaderboard {
			reviews = append(reviews, r.Text)
		}
	}
	campaignDays := 365 - len(daysOff)
	want := map[string]int{bot.JobReminder: campaignDays, bot.JobEscalation: campaignDays, bot.JobLeaderboard: campaignDays,
		bot.JobQuarterly: 4, bot.JobSemiannual: 1, bot.JobYearend: 1}
	for job, n := range want {
		if count[job] != n {
			t.Errorf("%s posted %d times in the year, want %d", job, count[job], n)
		}
	}
	for _, d := range daysOff {
		if days[bot.JobLeaderboard][fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)] {
			t.Errorf("leaderboard posted on the day off %s", d)
		}
	}
	// Q1 on 01/04, Q2 postponed past the day off 01/07 with the 6-month
	// review, Q3 on 01/10, the year-end review on 31/12 and Q4 on 01/01/2027.
	byTime := func(s string) string { job, when, _ := strings.Cut(s, " "); return when + job }
	sort.Slice(reviews, func(i, j int) bool { return byTime(reviews[i]) < byTime(reviews[j]) }) // chats are served concurrently
	wantReviews := "[quarterly 2026-04-01 08:00:00 quarterly 2026-07-01 08:00:00 semiannual 2026-07-01 08:00:00 " +
		"quarterly 2026-10-01 08:00:00 yearend 2026-12-31 20:00:00 quarterly 2027-01-01 08:00:00]"
	if fmt.Sprint(reviews) != wantReviews {
		t.Errorf("reviews: %v\nwant %s", reviews, wantReviews)
	}
	t.Logf("a year of schedule in %s", time.Since(start).Round(time.Millisecond))
}

func TestDeliveryFailures(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	w.people(may2)
	w.tick()
	attempts := map[int64]int{}
	w.send.fail = func(r chat.Reply) error {
		id := tgID(r.To)
		attempts[id]++
		switch id {
		case tOfficerHT:
			return fmt.Errorf("telegram: send to chat %d: Forbidden: bot was blocked by the user: %w", id, chat.ErrUnreachable)
		case tLeaderBN:
			if attempts[id] == 1 {
				return errors.New("telegram: Bot API unavailable: 502 Bad Gateway")
			}
		}
		return nil
	}
	w.tickAt(time.Date(2026, 5, 2, 16, 0, 0, 0, ict))
	if got := to(w.send.take()); fmt.Sprint(got) != fmt.Sprint([]int64{tOfficerBN}) {
		t.Errorf("first pass delivered to %v", got)
	}
	pending, _, dropped := w.outbox()
	if len(pending) != 1 || pending[0].Reply.To != tg(tLeaderBN) || pending[0].Attempts != 1 {
		t.Errorf("pending after a 502 = %+v", pending)
	}
	if len(dropped) != 1 || dropped[0].Reply.To != tg(tOfficerHT) {
		t.Errorf("dropped after a 403 = %+v", dropped)
	}
	if got := w.unreachable(); fmt.Sprint(got) != fmt.Sprint([]int64{tOfficerHT}) {
		t.Errorf("unreachable accounts %v; want only the officer who blocked the bot", got)
	}
	next, _ := w.sched.NextWake()
	if want := time.Date(2026, 5, 2, 16, 0, 30, 0, ict); !next.Equal(want) {
		t.Errorf("retry at %s, want after the 30 s backoff", next.In(ict).Format(time.TimeOnly))
	}
	w.tickAt(time.Date(2026, 5, 2, 16, 0, 10, 0, ict)) // too early: nothing
	w.tickAt(next)
	if got := to(w.send.take()); fmt.Sprint(got) != fmt.Sprint([]int64{tLeaderBN}) {
		t.Errorf("retry delivered to %v", got)
	}
	w.tickAt(time.Date(2026, 5, 2, 17, 0, 0, 0, ict))
	if attempts[tOfficerHT] != 1 || len(w.send.take()) != 0 {
		t.Errorf("a blocked chat was tried %d times", attempts[tOfficerHT])
	}
	// Hòn Tre's officer is unreachable: the escalation, the next reminders skip him.
}

// Posts of one chat keep their order: a later post waits for an earlier one's retry.
func TestDeliveryKeepsOrderPerChat(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	if err := w.db.Update(func(tx *store.Tx) error {
		_, err := tx.EnqueuePosts("test/1",
			store.OutboxItem{Reply: chat.Reply{To: tg(tGroup), Group: true, Text: "một"}},
			store.OutboxItem{Reply: chat.Reply{To: tg(tGroup), Group: true, Text: "hai"}},
			store.OutboxItem{Reply: chat.Reply{To: tg(tAdmin), Text: "khác"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	fails := 1
	w.send.fail = func(r chat.Reply) error {
		if r.Text == "một" && fails > 0 {
			fails--
			return errors.New("timeout")
		}
		return nil
	}
	w.tick()
	if got := w.send.take(); len(got) != 1 || got[0].Text != "khác" {
		t.Errorf("first pass sent %v; «hai» must wait for «một»", got)
	}
	w.tickAt(w.clk.Now().Add(BackoffMin))
	var texts []string
	for _, r := range w.send.take() {
		texts = append(texts, r.Text)
	}
	if fmt.Sprint(texts) != "[một hai]" {
		t.Errorf("second pass sent %v, want [một hai]", texts)
	}
}

// Telegram is unreachable from 16:00 until midnight: the day's reminders
// are dropped instead of arriving the next day, the escalation is not even
// computed, and the leaderboard (still worth reading) is caught up.
func TestStalePostsAreDropped(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	w.stub = true
	w.real = map[string]bool{bot.JobReminder: true}
	w.newScheduler()
	w.people(may2)
	w.tick()
	w.send.fail = func(chat.Reply) error { return errors.New("network unreachable") }
	w.tickAt(time.Date(2026, 5, 2, 16, 0, 0, 0, ict))
	w.send.fail = nil
	w.tickAt(time.Date(2026, 5, 3, 0, 0, 1, 0, ict))
	if got := w.send.take(); len(got) != 1 || got[0].Text != "leaderboard 2026-05-02 20:00:00" {
		t.Errorf("after midnight delivered %v; want only the leaderboard", got)
	}
	if pending, _, dropped := w.outbox(); len(pending) != 0 || len(dropped) != 3 {
		t.Errorf("%d pending, %d dropped", len(pending), len(dropped))
	}
}

// Telegram migrated the group after the leaderboard was written: it is
// delivered to the new id, and so are later posts.
func TestMigratedGroupGetsPostAtNewID(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	w.stub = true
	w.newScheduler()
	w.tick()
	w.send.fail = func(chat.Reply) error { return errors.New("timeout") }
	w.tickAt(time.Date(2026, 5, 2, 20, 0, 0, 0, ict))
	if err := w.eng.MigrateGroup(tGroup, -1009876543210); err != nil {
		t.Fatal(err)
	}
	w.send.fail = nil
	w.tickAt(time.Date(2026, 5, 2, 20, 1, 0, 0, ict))
	var group []chat.Reply
	for _, r := range w.send.take() {
		if r.Group {
			group = append(group, r)
		}
	}
	if len(group) != 1 || group[0].To != tg(-1009876543210) {
		t.Fatalf("after migration sent %+v to the group", group)
	}
	w.restart()
	w.walk(time.Date(2026, 5, 3, 20, 0, 0, 0, ict))
	for _, r := range w.send.take() {
		if r.Group && r.To != tg(-1009876543210) {
			t.Errorf("group post of the next day to %v", r.To)
		}
	}
}

func TestRunStopsWithContext(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	s, err := New(w.db, nil, w.send, Options{Location: ict, Now: w.clk.Now, Poll: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Update(func(tx *store.Tx) error {
		_, err := tx.EnqueuePosts("chay/1", store.OutboxItem{Reply: chat.Reply{To: tg(tAdmin), Text: "ngay"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.After(10 * time.Second)
	for {
		w.send.mu.Lock()
		n := len(w.send.sent)
		w.send.mu.Unlock()
		if n == 1 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("Run did not deliver the queued post")
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// A post that keeps failing is given up after MaxAttempts, not retried forever.
func TestPostGivenUpAfterMaxAttempts(t *testing.T) {
	w := newWorld(t, time.Date(2026, 5, 2, 15, 0, 0, 0, ict), settings())
	s, err := New(w.db, nil, w.send, Options{Location: ict, Now: w.clk.Now, MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Update(func(tx *store.Tx) error {
		_, err := tx.EnqueuePosts("yearend/2026", store.OutboxItem{Reply: chat.Reply{To: tg(tAdmin), Text: "tổng kết"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	tries := 0
	w.send.fail = func(chat.Reply) error { tries++; return errors.New("500 Internal Server Error") }
	for range 10 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		w.clk.Add(BackoffMax)
	}
	pending, _, dropped := w.outbox()
	if tries != 3 || len(pending) != 0 || len(dropped) != 1 || !strings.Contains(dropped[0].LastError, "3 lần") {
		t.Errorf("%d tries, %d pending, dropped %+v", tries, len(pending), dropped)
	}
}
