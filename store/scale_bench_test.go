//go:build linux

package store

// Country-scale benchmarks (issue 3, "Speed"): 10,000 hamlets, 100,000
// officers, 2,000,000 guidance records in one bbolt file. They need
// DVCBOT_SCALE=1 (and a long -timeout the first time, while the file is
// generated), so that `go test -bench` elsewhere stays fast:
//
//	DVCBOT_SCALE=1 go test ./store -run '^$' -bench Scale -benchtime 10x -timeout 3h
//
// The file is generated once, by a child process (so that this process's
// peak RSS is the benchmarks' own), through the store API (AddHousehold,
// AddGuidance, RetractGuidance, SetCheck, MarkSelfAble), and cached under
// os.TempDir()/dvcbot-scale, keyed by scaleVersion and the number of
// hamlets (DVCBOT_SCALE_HAMLETS, default 10,000, for a smaller trial run).
// Write benchmarks work on a copy.

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
)

// scaleVersion names the generated data set: change it whenever the
// generator or the file layout changes.
const scaleVersion = "v9"

// The shape of the country: per hamlet 10 officers, 100 guided households
// (one in ten also recorded as able on its own), 10 more households able on
// their own only, 200 guidance records (2 of them retracted), 4 spot
// checks (1 in 100 failed); 100 officers excluded. With 10,000 hamlets:
// 100,000 officers, 1,100,000 households, 2,000,000 records. Records are
// written oldest first, in transactions of 20,000, as a live store
// receives them day after day.
const (
	scaleOfficersPer = 10
	scaleGuidedPer   = 100
	scaleSelfOnlyPer = 10
	scaleRecordsPer  = 200
	scaleRetractPer  = 2
	scaleChecksPer   = 4
	// scaleStreakMax: each hamlet reports every day of its last 0–90 days
	// (a current streak of that length), the rest of its records on random
	// earlier days.
	scaleStreakMax = 90
)

// scaleNow is "now" for the generated file: 28/11/2026 20:00 local time,
// the evening post of day 332 of the campaign.
var scaleNow = time.Date(2026, 11, 28, 20, 0, 0, 0, scaleZone)

var scaleZone = time.FixedZone("ICT", 7*3600)

var scaleProcedures = []string{"khai_sinh", "ket_hon", "thuong_tru", "tam_tru", "khai_tu", "ho_tich", "dat_dai", "bhyt"}

func scaleHamlets() int {
	if n, err := strconv.Atoi(os.Getenv("DVCBOT_SCALE_HAMLETS")); err == nil && n > 0 {
		return n
	}
	return 10_000
}

func scaleHamletID(i int) string { return fmt.Sprintf("ap-%05d", i) }

func scaleOfficerID(hamlet, k int) campaign.PersonID {
	return campaign.PersonID(1_000_000 + hamlet*scaleOfficersPer + k)
}

// scaleAccount is an officer's Telegram account (ids of 10 digits, as
// Telegram's are today).
func scaleAccount(o campaign.PersonID) chat.Address {
	return chat.Addr(chat.Telegram, strconv.FormatInt(5_000_000_000+int64(o), 10))
}

// scaleFile returns the path of the cached country file, generating it
// (in a child process) when missing.
func scaleFile(b *testing.B) string {
	b.Helper()
	if os.Getenv("DVCBOT_SCALE") == "" {
		b.Skip("country-scale benchmark: set DVCBOT_SCALE=1 (generates a multi-GB file once, see BENCHMARKS.md)")
	}
	path := filepath.Join(os.TempDir(), "dvcbot-scale", fmt.Sprintf("country-%s-%d.db", scaleVersion, scaleHamlets()))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("generating %s (once)…", path)
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleGenerate$", "-test.v", "-test.timeout=0")
	cmd.Env = append(os.Environ(), "DVCBOT_SCALE_GEN="+path)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		b.Fatalf("generate %s: %v", path, err)
	}
	b.Logf("generated in %v", time.Since(start).Round(time.Second))
	return path
}

// TestScaleGenerate writes the country file named by DVCBOT_SCALE_GEN
// (run by scaleFile in a child process; skipped otherwise).
func TestScaleGenerate(t *testing.T) {
	path := os.Getenv("DVCBOT_SCALE_GEN")
	if path == "" {
		t.Skip("only run by the country-scale benchmarks")
	}
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := generateCountry(tmp, scaleHamlets(), t.Logf); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// plannedRecord is one guidance record of the generated country, written
// in time order as a live store would receive them.
type plannedRecord struct {
	at        int64 // unix seconds
	household uint64
	officer   campaign.PersonID
	hamlet    int32
	procs     uint8 // bit set of scaleProcedures
	fate      uint8 // 0 stays, 1 retracted, 2 checked passed, 3 checked failed
}

func generateCountry(path string, nHamlets int, logf func(string, ...any)) error {
	db, err := Open(path, Options{Now: func() time.Time { return scaleNow }, Location: scaleZone, NoSync: true})
	if err != nil {
		return err
	}
	defer db.Close()
	hs := make([]campaign.Hamlet, nHamlets)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range hs {
		hs[i] = campaign.Hamlet{ID: scaleHamletID(i), Name: "Ấp số " + strconv.Itoa(i), Households: 120 + r.IntN(300)}
	}
	if err := db.Update(func(tx *Tx) error { return tx.SyncHamlets(hs) }); err != nil {
		return err
	}
	start := scoring.DefaultParams().CampaignStart
	today := scoring.DateOf(scaleNow, scaleZone)
	days := scoring.DaysBetween(start, today) // index of today
	began := time.Now()

	// Officers, households and the plan of every hamlet's records.
	plan := make([]plannedRecord, 0, nHamlets*scaleRecordsPer)
	phone := 0
	const hamletsPerTx = 50
	for from := 0; from < nHamlets; from += hamletsPerTx {
		err := db.Update(func(tx *Tx) error {
			for h := from; h < min(from+hamletsPerTx, nHamlets); h++ {
				var err error
				if plan, err = planHamlet(tx, plan, h, start, days, &phone); err != nil {
					return fmt.Errorf("hamlet %d: %w", h, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	logf("%d hamlets with their officers and households, %v", nHamlets, time.Since(began).Round(time.Second))

	// The records, oldest first, then the undos and spot checks.
	slices.SortStableFunc(plan, func(a, b plannedRecord) int { return cmp.Compare(a.at, b.at) })
	const recordsPerTx = 20_000
	ids := make([]uint64, len(plan))
	for from := 0; from < len(plan); from += recordsPerTx {
		err := db.Update(func(tx *Tx) error {
			for i := from; i < min(from+recordsPerTx, len(plan)); i++ {
				p := plan[i]
				var procs []string
				for k, name := range scaleProcedures {
					if p.procs&(1<<k) != 0 {
						procs = append(procs, name)
					}
				}
				g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: p.household, HamletID: scaleHamletID(int(p.hamlet)),
					OfficerID: p.officer, At: time.Unix(p.at, 0), Procedures: procs})
				if err != nil {
					return err
				}
				ids[i] = g.ID
			}
			return nil
		})
		if err != nil {
			return err
		}
		if from%(10*recordsPerTx) == 0 {
			logf("%d/%d records, %v", from, len(plan), time.Since(began).Round(time.Second))
		}
	}
	err = db.Update(func(tx *Tx) error {
		for i, p := range plan {
			var err error
			switch p.fate {
			case 1:
				_, err = tx.RetractGuidance(ids[i], 1)
			case 2:
				_, err = tx.SetCheck(ids[i], campaign.CheckPassed, "", 1)
			case 3:
				_, err = tx.SetCheck(ids[i], campaign.CheckFailed, "Hộ nói chưa được hướng dẫn", 1)
			}
			if err != nil {
				return err
			}
		}
		for i := 0; i < 100; i++ {
			o := scaleOfficerID((i*997)%nHamlets, i%scaleOfficersPer)
			if err := tx.PutExclusion(campaign.Exclusion{Kind: campaign.ExcludeOfficer, Target: o.String(), Reason: "kỷ luật", By: 1}); err != nil {
				return err
			}
		}
		return nil
	})
	logf("done, %v", time.Since(began).Round(time.Second))
	return err
}

// planHamlet stores a hamlet's officers and households and plans its
// records: the last 0–90 days (a current streak) each have a record, today
// included; the others fall on random days before the day that broke the
// streak.
func planHamlet(tx *Tx, plan []plannedRecord, h int, start scoring.Date, todayIdx int, phone *int) ([]plannedRecord, error) {
	r := rand.New(rand.NewPCG(uint64(h), 42))
	id := scaleHamletID(h)
	for k := range scaleOfficersPer {
		o := campaign.Officer{ID: scaleOfficerID(h, k), FullName: "Nguyễn Văn " + strconv.Itoa(r.IntN(5000)),
			HamletID: id, Role: campaign.RoleOfficer, Active: true, JoinedAt: scaleNow,
			Accounts: []campaign.Account{{Address: scaleAccount(scaleOfficerID(h, k))}}}
		if err := tx.PutOfficer(o, o.ID, "officer.join"); err != nil {
			return plan, err
		}
	}
	at := func(day int) time.Time {
		d := start.AddDays(day)
		return time.Date(d.Year, d.Month, d.Day, 7, 0, 0, 0, scaleZone).Add(time.Duration(r.IntN(12*60)) * time.Minute)
	}
	households := make([]uint64, scaleGuidedPer)
	for k := range scaleGuidedPer + scaleSelfOnlyPer {
		*phone++
		hh := campaign.Household{HamletID: id, HeadName: "Trần Thị " + strconv.Itoa(k), Address: "Tổ " + strconv.Itoa(k%9+1),
			Phone: fmt.Sprintf("09%08d", *phone), CreatedBy: scaleOfficerID(h, 0), CreatedAt: at(r.IntN(todayIdx))}
		if k >= scaleGuidedPer || r.IntN(10) == 0 {
			hh.SelfAble, hh.SelfAbleBy, hh.SelfAbleAt = true, hh.CreatedBy, at(r.IntN(todayIdx))
		}
		saved, err := tx.AddHousehold(hh, "tran thi "+strconv.Itoa(k))
		if err != nil {
			return plan, err
		}
		if k < scaleGuidedPer {
			households[k] = saved.ID
		}
	}
	streak := r.IntN(scaleStreakMax + 1)
	days := make([]int, 0, scaleRecordsPer)
	for k := range streak {
		days = append(days, todayIdx-k)
	}
	for len(days) < scaleRecordsPer {
		days = append(days, r.IntN(max(todayIdx-streak, 1)))
	}
	who := r.Perm(scaleGuidedPer) // every household guided at least once
	first := len(plan)
	for k, day := range days {
		hh := households[r.IntN(scaleGuidedPer)]
		if k < len(who) {
			hh = households[who[k]]
		}
		var procs uint8
		for _, p := range r.Perm(len(scaleProcedures))[:1+r.IntN(3)] {
			procs |= 1 << p
		}
		plan = append(plan, plannedRecord{at: at(day).Unix(), household: hh, officer: scaleOfficerID(h, r.IntN(scaleOfficersPer)),
			hamlet: int32(h), procs: procs})
	}
	picks := r.Perm(scaleRecordsPer)[:scaleRetractPer+scaleChecksPer]
	for i, k := range picks {
		switch {
		case i < scaleRetractPer:
			plan[first+k].fate = 1
		case r.IntN(100) == 0:
			plan[first+k].fate = 3
		default:
			plan[first+k].fate = 2
		}
	}
	return plan, nil
}

// --- measuring ---

// resetPeakRSS makes VmHWM start again from the current RSS, after giving
// the garbage collector's free memory back.
func resetPeakRSS(b *testing.B) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset: %v", err)
	}
}

// procStatus reads one "kB" line of /proc/self/status, in MB.
func procStatus(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pageFaults counts the process's page faults so far (minor: the page was
// in memory but not yet mapped; major: read from disk).
func pageFaults() (minor, major int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return ru.Minflt, ru.Majflt
}

// measure runs f b.N times, reporting process CPU time per call (on a
// shared machine it says more than wall time), the peak RSS and the
// file-backed part of the RSS (bbolt's mmap) at the end.
func measure(b *testing.B, f func() error) {
	resetPeakRSS(b)
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	min0, maj0 := pageFaults()
	for range b.N {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - c0
	min1, maj1 := pageFaults()
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(min1-min0)/float64(b.N), "minflt/op")
	b.ReportMetric(float64(maj1-maj0)/float64(b.N), "majflt/op")
	b.ReportMetric(procStatus("VmHWM"), "peak-RSS-MB")
	b.ReportMetric(procStatus("RssFile"), "file-RSS-MB")
}

func openScale(b *testing.B, path string) *DB {
	b.Helper()
	db, err := Open(path, Options{Now: func() time.Time { return scaleNow }, Location: scaleZone, ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkScaleLeaderboard is today's leaderboard as /xephang and the
// evening post compute it: QuickLeaderboard (hamlet ranking and the
// month's top 5 officers) in one read transaction.
func BenchmarkScaleLeaderboard(b *testing.B) {
	db := openScale(b, scaleFile(b))
	p := scoring.DefaultParams()
	today := scoring.DateOf(scaleNow, scaleZone)
	streaks := 0
	measure(b, func() error {
		return db.View(func(tx *Tx) error {
			ranks, top, ok, err := tx.QuickLeaderboard(p, today, 5)
			if err != nil {
				return err
			}
			if !ok || len(ranks) != scaleHamlets() || len(top) != 5 {
				return fmt.Errorf("quick leaderboard: ok %v, %d hamlets, %d officers", ok, len(ranks), len(top))
			}
			streaks = 0
			for _, r := range ranks {
				streaks += r.CurrentStreak
			}
			return nil
		})
	})
	b.ReportMetric(float64(streaks), "streak-days")
}

// BenchmarkScaleLeaderboardFull is the same leaderboard from every fact
// (tx.Facts, scoring.Leaderboard, scoring.TopOfficers): the path used for
// an earlier day, and the one QuickLeaderboard replaces.
func BenchmarkScaleLeaderboardFull(b *testing.B) {
	db := openScale(b, scaleFile(b))
	p := scoring.DefaultParams()
	today := scoring.DateOf(scaleNow, scaleZone)
	measure(b, func() error {
		return db.View(func(tx *Tx) error {
			f, err := tx.Facts("")
			if err != nil {
				return err
			}
			if len(scoring.Leaderboard(f, p, today)) != scaleHamlets() || len(scoring.TopOfficers(f, p, scoring.Month(today.Year, today.Month), 5)) != 5 {
				return fmt.Errorf("short leaderboard")
			}
			return nil
		})
	})
}

// BenchmarkScaleCandidates is /khenthuong: every fact, then the award
// candidates for the year with every exclusion reason.
func BenchmarkScaleCandidates(b *testing.B) {
	db := openScale(b, scaleFile(b))
	p := scoring.DefaultParams()
	today := scoring.DateOf(scaleNow, scaleZone)
	measure(b, func() error {
		return db.View(func(tx *Tx) error {
			f, err := tx.Facts("")
			if err != nil {
				return err
			}
			if a := scoring.Candidates(f, p, today); len(a.Individuals) != p.MaxIndividuals {
				return fmt.Errorf("%d individuals", len(a.Individuals))
			}
			return nil
		})
	})
}

// BenchmarkScaleFacts is tx.Facts("") alone: reading every aggregate.
func BenchmarkScaleFacts(b *testing.B) {
	db := openScale(b, scaleFile(b))
	measure(b, func() error {
		return db.View(func(tx *Tx) error {
			_, err := tx.Facts("")
			return err
		})
	})
}

// BenchmarkScaleWrite is report write throughput on a copy of the country
// file, with real fsync, from 200 concurrent writers through DB.Batch, the
// way the bot writes: a new household half of the time, the record, the
// conversation state and the processed update id in one transaction. The
// "off" runs skip the aggregates in AddGuidance (the household's record
// ids are still written, as the index they share a value with), for
// comparison only.
func BenchmarkScaleWrite(b *testing.B) {
	src := scaleFile(b)
	dir := b.TempDir()
	path := filepath.Join(dir, "copy.db")
	if err := copyFile(src, path); err != nil {
		b.Fatal(err)
	}
	var update, phone atomic.Int64
	phone.Store(500_000_000)
	n := scaleHamlets()
	for _, mode := range []struct {
		name string
		off  bool
	}{
		// The first run warms the copy's pages (mapping and page cache) and is
		// not compared; then on and off alternate in ABBA order, so that a
		// drift of the machine over the runs weighs on both alike.
		{"warm-up", false},
		{"aggregates=on", false}, {"aggregates=off", true}, {"aggregates=off#2", true}, {"aggregates=on#2", false},
		{"aggregates=on#3", false}, {"aggregates=off#3", true}, {"aggregates=off#4", true}, {"aggregates=on#4", false},
	} {
		b.Run(mode.name, func(b *testing.B) {
			db, err := Open(path, Options{Now: func() time.Time { return scaleNow }, Location: scaleZone})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.noAggregates = mode.off
			seed := atomic.Uint64{}
			var commits atomic.Int64
			var lastTx atomic.Pointer[bolt.Tx]
			b.SetParallelism(100) // 200 writers on 2 CPUs
			resetPeakRSS(b)
			st0 := db.bolt.Stats()
			b.ResetTimer()
			c0 := cpuTime()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(seed.Add(1), 7))
				for pb.Next() {
					h := r.IntN(n)
					officer := scaleOfficerID(h, r.IntN(scaleOfficersPer))
					updKey := chat.Telegram + ":" + strconv.FormatInt(update.Add(1), 10)
					newHH := r.IntN(2) == 0
					ph := fmt.Sprintf("08%08d", phone.Add(1)%100_000_000)
					existing := uint64(1 + r.IntN(n*(scaleGuidedPer+scaleSelfOnlyPer)))
					procs := []string{scaleProcedures[r.IntN(len(scaleProcedures))]}
					err := db.Batch(func(tx *Tx) error {
						if lastTx.Swap(tx.tx) != tx.tx {
							commits.Add(1) // a batch runs its calls one after another in one transaction
						}
						if tx.Processed(updKey) {
							return nil
						}
						hh := campaign.Household{ID: existing}
						if newHH {
							var err error
							hh, err = tx.AddHousehold(campaign.Household{HamletID: scaleHamletID(h), HeadName: "Lê Văn Mới", Address: "Tổ 1",
								Phone: ph, CreatedBy: officer}, "le van moi")
							if err != nil {
								return err
							}
						} else {
							got, err := tx.Household(existing)
							if err != nil {
								return err
							}
							hh = got
						}
						if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hh.HamletID, OfficerID: officer, Procedures: procs}); err != nil {
							return err
						}
						if err := tx.PutSession(scaleAccount(officer), scaleAccount(officer), []byte(`{"state":""}`)); err != nil {
							return err
						}
						return tx.MarkProcessed(updKey, nil)
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			wall := time.Since(start)
			cpu := cpuTime() - c0
			b.StopTimer()
			b.ReportMetric(float64(b.N)/wall.Seconds(), "reports/s")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
			b.ReportMetric(procStatus("VmHWM"), "peak-RSS-MB")
			st1 := db.bolt.Stats()
			tx := st1.TxStats.Sub(&st0.TxStats)
			b.ReportMetric(float64(tx.GetWrite())/float64(b.N), "pages/op")
			b.ReportMetric(float64(tx.GetWriteTime().Microseconds())/1000/float64(b.N), "write-ms/op")
			b.ReportMetric(float64(tx.GetSpillTime().Microseconds())/1000/float64(b.N), "spill-ms/op")
			b.ReportMetric(float64(b.N)/float64(max(commits.Load(), 1)), "reports/commit")
		})
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkScaleReindex is `dvcbot reindex` (and the migration to schema
// 3) on a copy of the country file: every aggregate rebuilt from the
// records, in one transaction with real fsync.
func BenchmarkScaleReindex(b *testing.B) {
	src := scaleFile(b)
	for range b.N {
		b.StopTimer()
		path := filepath.Join(b.TempDir(), "copy.db")
		if err := copyFile(src, path); err != nil {
			b.Fatal(err)
		}
		db, err := Open(path, Options{Now: func() time.Time { return scaleNow }, Location: scaleZone})
		if err != nil {
			b.Fatal(err)
		}
		resetPeakRSS(b)
		c0 := cpuTime()
		b.StartTimer()
		if err := db.Update(func(tx *Tx) error { return tx.Reindex() }); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64((cpuTime() - c0).Milliseconds()), "cpu-ms/op")
		b.ReportMetric(procStatus("VmHWM"), "peak-RSS-MB")
		db.Close()
		os.Remove(path)
	}
}
