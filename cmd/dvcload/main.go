// Command dvcload measures the bot under load: an in-process fake Telegram
// Bot API (or, with -channel zalo, a fake Zalo Bot API pushing to the
// bot's webhook) on loopback, the real bot (bbolt store in a temporary
// folder with fsync on, conversation engine, Telegram or Zalo transport)
// and N simulated officers, each reporting households over and over with a
// pause between reports (0: closed loop, the next report as soon as the
// previous one is answered).
//
//	go run ./cmd/dvcload -hamlets 13 -officers 40 -pause 5s -mode guided -duration 60s
//	go run ./cmd/dvcload -hamlets 1000 -officers 5000 -pause 15s -mode oneline -duration 60s
//	go run ./cmd/dvcload -officers 200 -pause 0 -duration 30s
//	go run ./cmd/dvcload -channel zalo -officers 200 -pause 0 -duration 30s
//	go run ./cmd/dvcload -officers 200 -pause 0 -duration 30s -namesakes
//
// The Zalo mode is described in zalo.go.
//
// Modes: oneline sends "/baocao họ tên; địa chỉ; số điện thoại; thủ tục"
// (one exchange per report); guided walks the step-by-step conversation
// with button presses (/baocao, name, address, phone, tick a procedure,
// Xong, Bỏ qua, Lưu: eight exchanges per report).
//
// A disk probe writes and fsyncs 4 KB in the data folder every 50 ms
// during the measured window and reports how long that took: on a shared
// machine the tail of the bot's latency follows the disk's, and the probe
// tells the two apart.
//
// Latency is measured per exchange, from the update being queued at the
// fake server to the bot's answer arriving there. Throughput counts saved
// reports per second over the measured window (after -warmup). Peak RSS is
// the process's VmHWM, so it includes the fake server and the simulated
// officers, not the bot alone.
//
// Decision: the transport's global send budget (telegram.rate
// global_per_second, 25–30 messages/s for Telegram's bulk notifications)
// is turned off here. It exists so that scheduled posts do not trip
// Telegram's flood control; replies to a user's own messages are not what
// it is about, and a measurement of our own throughput on loopback must not
// be capped by it. Durability is untouched: the store fsyncs every commit.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dvcload:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	hamlets, officers int
	pause, think      time.Duration
	duration, warmup  time.Duration
	mode              string
	channel           string
	senders           int
	dir               string
	cpuProfile        string
	workers           int
	namesakes         bool
}

func parse(args []string, out io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("dvcload", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&o.hamlets, "hamlets", 13, "hamlets in the campaign (13: the sample's Kiên Hải hamlets)")
	fs.IntVar(&o.officers, "officers", 40, "simulated officers, spread over the hamlets")
	fs.DurationVar(&o.pause, "pause", 5*time.Second, "pause of each officer between complete reports (0: closed loop)")
	fs.DurationVar(&o.think, "think", 0, "pause between the steps of a guided report")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "measured time")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "time before measuring")
	fs.StringVar(&o.mode, "mode", "oneline", "oneline or guided")
	fs.StringVar(&o.channel, "channel", "telegram", "telegram (the fake Bot API, polling) or zalo (the fake Zalo Bot API pushing to the webhook; oneline only)")
	fs.IntVar(&o.senders, "senders", 0, "Zalo: requests to Zalo in flight at once (0: the transport's default)")
	fs.StringVar(&o.dir, "dir", "", "folder for the data file (default: a temporary folder, removed at the end)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file")
	fs.IntVar(&o.workers, "workers", 0, "chats the transport handles at once (0: its default)")
	fs.BoolVar(&o.namesakes, "namesakes", false, "every household is headed by «Nguyễn Văn An» (each at its own address): the duplicate check must cost the same however many namesakes a hamlet has")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.channel != "telegram" && o.channel != "zalo" {
		return o, fmt.Errorf("-channel %q: use telegram or zalo", o.channel)
	}
	if o.mode != "oneline" && o.mode != "guided" {
		return o, fmt.Errorf("-mode %q: use oneline or guided", o.mode)
	}
	if o.channel == "zalo" && o.mode != "oneline" {
		return o, errors.New("-channel zalo: only -mode oneline is measured (the guided report costs Zalo's quota eight messages)")
	}
	if o.hamlets < 1 || o.officers < 1 {
		return o, errors.New("-hamlets and -officers must be at least 1")
	}
	return o, nil
}

func run(args []string, out io.Writer) error {
	o, err := parse(args, out)
	if err != nil {
		return err
	}
	if o.channel == "zalo" {
		return runZalo(o, out)
	}
	const firstOfficer int64 = 100000
	b, closeBench, err := openBench(o, chat.Telegram, func(j int) chat.Address {
		return chat.Addr(chat.Telegram, strconv.FormatInt(firstOfficer+int64(j), 10))
	})
	if err != nil {
		return err
	}
	defer closeBench()

	// The bot: store, engine, transport, exactly as serve wires them.
	const token = "700700:LOAD-test"
	fake := fakebotapi.New(token)
	defer fake.Close()
	fake.SetSentLimit(1)
	set := b.settings()
	set.BotUsername = func() string { return fakebotapi.DefaultUsername }
	eng := bot.New(b.db, set)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, err := telegram.New(ctx, telegram.Options{
		Token: token, Endpoint: fake.Endpoint(), PollTimeout: 10 * time.Second,
		Logger: slog.New(slog.DiscardHandler), Workers: o.workers,
		Rate: telegram.RateLimits{GlobalPerSecond: -1},
	})
	if err != nil {
		return err
	}
	timed := &timedHandler{next: eng}
	runDone := make(chan error, 1)
	go func() { runDone <- tr.Run(ctx, timed) }()

	// Officers.
	offs := make([]*officer, o.officers)
	byChat := make(map[int64]*officer, o.officers)
	for i := range offs {
		id := firstOfficer + int64(i)
		offs[i] = &officer{id: id, hamlet: b.hamlets[i%len(b.hamlets)], replies: make(chan fakebotapi.SentMessage, 64)}
		byChat[id] = offs[i]
	}
	fake.OnSent(func(m fakebotapi.SentMessage) {
		if of := byChat[m.ChatID]; of != nil {
			select {
			case of.replies <- m:
			default:
			}
		}
	})

	l := newLoad(o, timed)
	l.fake = fake
	probe, cpu := l.drive(ctx, out, b.dir, "", func() {
		l.mu.Lock()
		l.polls0 = fake.Calls("getUpdates")
		l.mu.Unlock()
	}, func(i int) { l.officerLoop(offs[i]) })
	cancel()
	<-runDone
	l.report(out, cpu, b.db)
	probe.report(out)
	return nil
}

// bench is what both channels measure on: the data folder, the sample
// configuration, the hamlets, and the store with the officers registered.
type bench struct {
	dir     string
	loc     *time.Location
	cfg     *config.Config
	hamlets []campaign.Hamlet
	db      *store.DB
}

// openBench makes the data folder (a temporary one unless -dir), opens
// the store there (fsync on every commit, as serve runs it) and registers
// the hamlets and the officers, officer j at addr(j) on channel. Its
// closer closes the store and removes a temporary folder.
func openBench(o options, channel string, addr func(int) chat.Address) (*bench, func(), error) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return nil, nil, err
	}
	cfg := config.Sample()
	b := &bench{dir: o.dir, loc: loc, cfg: cfg, hamlets: hamletsFor(cfg, o.hamlets)}
	removeDir := func() {}
	if b.dir == "" {
		if b.dir, err = os.MkdirTemp("", "dvcload-*"); err != nil {
			return nil, nil, err
		}
		removeDir = func() { os.RemoveAll(b.dir) }
	}
	if b.db, err = store.Open(filepath.Join(b.dir, "dvcbot.db"), store.Options{Location: loc}); err != nil {
		removeDir()
		return nil, nil, err
	}
	closer := func() {
		b.db.Close()
		removeDir()
	}
	if err := setup(b.db, b.hamlets, o.officers, addr, channel); err != nil {
		closer()
		return nil, nil, err
	}
	return b, closer, nil
}

// settings is the engine's configuration: the sample campaign, open from
// 2020 to 2099, and no per-person limit (simulated officers report far
// faster than people can).
func (b *bench) settings() bot.Settings {
	return bot.Settings{
		CampaignName: b.cfg.Campaign.Name, Start: time.Date(2020, 1, 1, 0, 0, 0, 0, b.loc), End: time.Date(2099, 12, 31, 0, 0, 0, 0, b.loc),
		Location: b.loc, DailyTarget: 1, Procedures: b.cfg.Procedures, InviteTTL: b.cfg.Invite.TTL,
		RatePerMinute: -1,
	}
}

// hamletsFor is the sample's 13 hamlets, or n made-up ones.
func hamletsFor(cfg *config.Config, n int) []campaign.Hamlet {
	if n == len(cfg.Hamlets) {
		return cfg.Hamlets
	}
	hamlets := make([]campaign.Hamlet, n)
	for i := range hamlets {
		hamlets[i] = campaign.Hamlet{ID: fmt.Sprintf("ap-%04d", i+1), Name: fmt.Sprintf("Ấp Số %d", i+1), Households: 400 + i%600}
	}
	return hamlets
}

// setup registers the hamlets and the officers in the store; officer j
// has the account addr(j) on channel.
func setup(db *store.DB, hamlets []campaign.Hamlet, officers int, addr func(int) chat.Address, channel string) error {
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(hamlets) }); err != nil {
		return err
	}
	for i := 0; i < officers; i += 1000 {
		err := db.Update(func(tx *store.Tx) error {
			for j := i; j < min(i+1000, officers); j++ {
				id, err := tx.NewPersonID()
				if err != nil {
					return err
				}
				o := campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: addr(j)}}, Prefer: channel,
					FullName: "Cán Bộ " + nameOf(j), HamletID: hamlets[j%len(hamlets)].ID,
					Role: campaign.RoleOfficer, Active: true, JoinedAt: time.Now()}
				if err := tx.PutOfficer(o, 0, "officer.load"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("register officers: %w", err)
		}
	}
	return nil
}

// household returns the head's name and the address of the n-th reported
// household; with namesakes every head is called «Nguyễn Văn An» and only
// the address (unique per n) tells the households apart.
func household(n int, hamlet string, namesakes bool) (name, addr string) {
	if namesakes {
		return "Nguyễn Văn An", fmt.Sprintf("Số %d, Tổ %d, %s", n, n%30+1, hamlet)
	}
	return "Trần " + nameOf(n), fmt.Sprintf("Tổ %d, %s", n%30+1, hamlet)
}

// nameOf spells n with given names: household names are letters only.
func nameOf(n int) string {
	words := []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khoa", "Lan", "Minh", "Nam",
		"Oanh", "Phúc", "Quân", "Sơn", "Tâm", "Uyên", "Vinh", "Xuân", "Yến", "Thảo"}
	var parts []string
	for {
		parts = append(parts, words[n%20])
		n /= 20
		if n == 0 {
			return strings.Join(parts, " ")
		}
	}
}

type officer struct {
	id      int64
	hamlet  campaign.Hamlet
	replies chan fakebotapi.SentMessage
}

// load is one run's shared state and results.
type load struct {
	o                      options
	fake                   *fakebotapi.Server
	handler                *timedHandler
	polls0                 int
	start                  time.Time
	measureFrom, measureTo time.Time
	seq                    atomic.Int64

	mu        sync.Mutex
	latencies []time.Duration // exchanges that started in the window
	reports   int             // reports saved within the window
	errors    map[string]int
}

func (l *load) fail(kind string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.errors == nil {
		l.errors = map[string]int{}
	}
	l.errors[kind]++
}

const replyTimeout = 30 * time.Second

// newLoad starts a run's clock: the warm-up, then the measured window.
func newLoad(o options, h *timedHandler) *load {
	l := &load{o: o, start: time.Now(), handler: h}
	l.measureFrom = l.start.Add(o.warmup)
	l.measureTo = l.measureFrom.Add(o.duration)
	return l
}

// drive prints the run's header (what: "" or a channel such as "Zalo
// webhook, "), starts the CPU profile and the disk probe, restarts the
// engine's timings and calls atStart (if any) when the measured window
// opens, and runs loop(i) for every officer i until all return. It
// returns the disk probe and the CPU time used.
func (l *load) drive(ctx context.Context, out io.Writer, dir, what string, atStart func(), loop func(i int)) (*diskProbe, time.Duration) {
	o := l.o
	fmt.Fprintf(out, "dvcload: %s%d hamlets, %d officers, mode %s, pause %v, %v warm-up + %v measured; GOMAXPROCS %d; data file in %s\n",
		what, o.hamlets, o.officers, o.mode, o.pause, o.warmup, o.duration, runtime.GOMAXPROCS(0), dir)
	if o.cpuProfile != "" {
		go l.profile(o.cpuProfile)
	}
	probe := &diskProbe{}
	go probe.run(ctx, dir, l.measureFrom, l.measureTo)
	cpu0 := cpuTime()
	go func() {
		time.Sleep(time.Until(l.measureFrom))
		if atStart != nil {
			atStart()
		}
		l.handler.reset()
	}()
	var wg sync.WaitGroup
	for i := range o.officers {
		wg.Go(func() { loop(i) })
	}
	wg.Wait()
	return probe, cpuTime() - cpu0
}

// inWindow reports whether t falls in the measured window.
func (l *load) inWindow(t time.Time) bool { return t.After(l.measureFrom) && t.Before(l.measureTo) }

// exchanged records the latency of an exchange sent at t0 and answered at
// t1, if it was sent in the measured window.
func (l *load) exchanged(t0, t1 time.Time) {
	if l.inWindow(t0) {
		l.mu.Lock()
		l.latencies = append(l.latencies, t1.Sub(t0))
		l.mu.Unlock()
	}
}

// saveCounted counts a report saved now, if now is in the measured window.
func (l *load) saveCounted() {
	if l.inWindow(time.Now()) {
		l.mu.Lock()
		l.reports++
		l.mu.Unlock()
	}
}

// drain drops what ch holds: answers that arrived after their exchange
// gave up waiting.
func drain[T any](ch <-chan T) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// exchange queues one update with send and waits for the bot's answer.
func (l *load) exchange(of *officer, send func()) (fakebotapi.SentMessage, bool) {
	drain(of.replies)
	t0 := time.Now()
	send()
	select {
	case m := <-of.replies:
		l.exchanged(t0, time.Now())
		return m, true
	case <-time.After(replyTimeout):
		l.fail("no answer within " + replyTimeout.String())
		return fakebotapi.SentMessage{}, false
	}
}

func (l *load) officerLoop(of *officer) {
	if l.o.pause > 0 { // spread the officers over one pause
		time.Sleep(rand.N(l.o.pause))
	}
	for time.Now().Before(l.measureTo) {
		n := int(l.seq.Add(1))
		name, addr := household(n, of.hamlet.Name, l.o.namesakes)
		phone := fmt.Sprintf("09%08d", n)
		var ok bool
		if l.o.mode == "guided" {
			ok = l.guided(of, name, addr, phone)
		} else {
			var m fakebotapi.SentMessage
			m, ok = l.exchange(of, func() { l.fake.SendText(of.id, of.id, "/baocao "+name+"; "+addr+"; "+phone+"; khai sinh") })
			ok = ok && l.saved(m)
		}
		if ok {
			l.saveCounted()
		}
		if l.o.pause > 0 {
			time.Sleep(l.o.pause)
		}
	}
}

func (l *load) saved(m fakebotapi.SentMessage) bool {
	if strings.HasPrefix(m.Text, "✅ <b>Đã lưu</b>") {
		return true
	}
	l.fail("unexpected answer: " + firstLine(m.Text))
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60]) + "…"
	}
	return s
}

// guided walks the step-by-step report: eight exchanges.
func (l *load) guided(of *officer, name, addr, phone string) bool {
	say := func(text, want string) (fakebotapi.SentMessage, bool) {
		m, ok := l.exchange(of, func() { l.fake.SendText(of.id, of.id, text) })
		if ok && !strings.Contains(m.Text, want) {
			l.fail("unexpected answer: " + firstLine(m.Text))
			return m, false
		}
		return m, ok
	}
	press := func(msg fakebotapi.SentMessage, data, want string) (fakebotapi.SentMessage, bool) {
		m, ok := l.exchange(of, func() { l.fake.PressButton(of.id, of.id, msg.MessageID, data) })
		if ok && !strings.Contains(m.Text, want) {
			l.fail("unexpected answer: " + firstLine(m.Text))
			return m, false
		}
		return m, ok
	}
	think := func() {
		if l.o.think > 0 {
			time.Sleep(l.o.think)
		}
	}
	steps := []func() bool{}
	var kb, dossier, summary fakebotapi.SentMessage
	var ok bool
	steps = append(steps,
		func() bool { _, ok = say("/baocao", "bước 1/5"); return ok },
		func() bool { _, ok = say(name, "bước 2/5"); return ok },
		func() bool { _, ok = say(addr, "bước 3/5"); return ok },
		func() bool { kb, ok = say(phone, "bước 4/5"); return ok },
		func() bool { _, ok = press(kb, "p:khai_sinh", "✓"); return ok },
		func() bool { dossier, ok = press(kb, "p:done", "bước 5/5"); return ok },
		func() bool { summary, ok = press(dossier, "r:skip", "Kiểm tra lại"); return ok },
		func() bool {
			m, ok := l.exchange(of, func() { l.fake.PressButton(of.id, of.id, summary.MessageID, "r:save") })
			return ok && l.saved(m)
		},
	)
	for i, step := range steps {
		if i > 0 {
			think()
		}
		if !step() {
			l.exchange(of, func() { l.fake.SendText(of.id, of.id, "/huy") }) // start clean next time
			return false
		}
	}
	return true
}

// profile writes a CPU profile of the measured window.
func (l *load) profile(path string) {
	time.Sleep(time.Until(l.measureFrom))
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dvcload: cpu profile:", err)
		return
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "dvcload: cpu profile:", err)
		return
	}
	time.Sleep(time.Until(l.measureTo))
	pprof.StopCPUProfile()
}

func (l *load) report(out io.Writer, cpu time.Duration, db *store.DB) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lat := slices.Clone(l.latencies)
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	secs := l.o.duration.Seconds()
	fmt.Fprintf(out, "reports saved:   %d in %v = %.1f reports/s\n", l.reports, l.o.duration, float64(l.reports)/secs)
	what := "update queued at the fake → answer at the fake"
	if l.o.channel == "zalo" {
		what = "push sent to the webhook → answer recorded at the fake; a report is saved when its push returned 200"
	}
	fmt.Fprintf(out, "exchanges:       %d = %.1f/s (%s)\n", len(lat), float64(len(lat))/secs, what)
	if len(lat) > 0 {
		fmt.Fprintf(out, "latency:         p50 %v  p90 %v  p99 %v  max %v\n",
			round(pct(.50)), round(pct(.90)), round(pct(.99)), round(lat[len(lat)-1]))
	}
	if h := l.handler.snapshot(); len(h) > 0 {
		slices.Sort(h)
		fmt.Fprintf(out, "engine Handle:   p50 %v  p90 %v  p99 %v (engine step + group commit with fsync, per update)\n",
			round(h[len(h)/2]), round(h[len(h)*9/10]), round(h[min(len(h)-1, len(h)*99/100)]))
	}
	if l.fake != nil {
		if polls := l.fake.Calls("getUpdates") - l.polls0; polls > 0 {
			fmt.Fprintf(out, "getUpdates:      %d calls, %.1f updates per call on average\n", polls, float64(len(lat))/float64(polls))
		}
	}
	errs := 0
	for _, n := range l.errors {
		errs += n
	}
	fmt.Fprintf(out, "errors:          %d\n", errs)
	for kind, n := range l.errors {
		fmt.Fprintf(out, "                 %d × %s\n", n, kind)
	}
	fmt.Fprintf(out, "peak RSS:        %s (VmHWM: bot, fake Bot API and simulated officers together)\n", peakRSS())
	if total := time.Since(l.start).Seconds(); total > 0 {
		fmt.Fprintf(out, "CPU:             %.2f s user+sys over %.1f s (%.0f%% of one core)\n", cpu.Seconds(), total, 100*cpu.Seconds()/total)
	}
	if fi, err := os.Stat(db.Path()); err == nil {
		fmt.Fprintf(out, "data file:       %.1f MB\n", float64(fi.Size())/(1<<20))
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Millisecond)
}

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timedHandler measures how long the engine takes per update.
type timedHandler struct {
	next bot.Handler
	mu   sync.Mutex
	took []time.Duration
}

func (h *timedHandler) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	t0 := time.Now()
	r, err := h.next.Handle(ctx, in)
	d := time.Since(t0)
	h.mu.Lock()
	h.took = append(h.took, d)
	h.mu.Unlock()
	return r, err
}

func (h *timedHandler) reset() { h.mu.Lock(); h.took = nil; h.mu.Unlock() }

func (h *timedHandler) snapshot() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.took)
}

// diskProbe measures the disk's fsync latency beside the data file.
type diskProbe struct {
	mu  sync.Mutex
	lat []time.Duration
	err error
}

func (p *diskProbe) run(ctx context.Context, dir string, from, to time.Time) {
	f, err := os.Create(filepath.Join(dir, "disk-probe"))
	if err != nil {
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		return
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	time.Sleep(time.Until(from))
	for i := int64(0); time.Now().Before(to) && ctx.Err() == nil; i++ {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, (i%256)*4096); err == nil {
			err = f.Sync()
		}
		d := time.Since(t0)
		p.mu.Lock()
		p.lat = append(p.lat, d)
		p.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *diskProbe) report(out io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil || len(p.lat) == 0 {
		fmt.Fprintf(out, "disk probe:      no figures (%v)\n", p.err)
		return
	}
	lat := slices.Clone(p.lat)
	slices.Sort(lat)
	slow := 0
	for _, d := range lat {
		if d > 50*time.Millisecond {
			slow++
		}
	}
	fmt.Fprintf(out, "disk probe:      4 KB write+fsync every 50 ms: p50 %v  p99 %v  max %v; %d of %d over 50 ms\n",
		round(lat[len(lat)/2]), round(lat[min(len(lat)-1, len(lat)*99/100)]), round(lat[len(lat)-1]), slow, len(lat))
}
