package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/config"
	"dvcbot/store"
)

// admYearWorld is the 13 sample hamlets with a whole year of reports
// (3 a day per hamlet, 13 × 365 × 3 = 14,235 records) written straight to
// the store, and the clock at the end of the campaign.
func admYearWorld(tb testing.TB) (*Engine, int) {
	tb.Helper()
	cfg := config.Sample()
	end := time.Date(2026, 12, 31, 20, 0, 0, 0, admLoc)
	db, err := store.Open(filepath.Join(tb.TempDir(), "year.db"), store.Options{Now: func() time.Time { return end }, Location: admLoc})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	hamlets := cfg.Hamlets
	procs := cfg.Procedures
	records := 0
	officers := map[int]campaign.PersonID{} // hamlet index × 10 + k → person
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(hamlets); err != nil {
			return err
		}
		for hi, h := range hamlets {
			for k := range 3 {
				id, err := tx.NewPersonID()
				if err != nil {
					return err
				}
				officers[hi*10+k] = id
				o := campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: admAddr(int64(10000 + hi*10 + k))}}, FullName: fmt.Sprintf("Cán Bộ %s %d", h.Name, k+1),
					HamletID: h.ID, Role: campaign.RoleOfficer, Active: true}
				if err := tx.PutOfficer(o, 0, "officer.test"); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, admLoc)
	for month := time.January; month <= time.December; month++ {
		err := db.Update(func(tx *store.Tx) error {
			for day := start.AddDate(0, int(month-1), 0); day.Month() == month; day = day.AddDate(0, 0, 1) {
				doy := day.YearDay() - 1
				for hi, h := range hamlets {
					for k := range 3 {
						n := (doy*3 + k) % h.Households // new households first, then visits again
						phone := fmt.Sprintf("09%02d%06d", hi, n)
						hh, err := tx.HouseholdByPhone(h.ID, phone)
						if err != nil {
							name := fmt.Sprintf("Nguyễn Văn Hộ %d", n)
							hh, err = tx.AddHousehold(campaign.Household{HamletID: h.ID, HeadName: name, Address: fmt.Sprintf("Tổ %d, ấp %s", n%9+1, h.Name),
								Phone: phone, CreatedBy: officers[hi*10+k], CreatedAt: day}, strings.ToLower(name))
							if err != nil {
								return err
							}
						}
						p := []string{procs[(doy+k)%(len(procs)-1)].ID}
						if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: h.ID, OfficerID: officers[hi*10+k],
							At: day.Add(time.Duration(k) * time.Hour), Procedures: p}); err != nil {
							return err
						}
						records++
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	set := admSettings()
	set.Procedures = procs
	return New(db, set, WithClock(func() time.Time { return end })), records
}

// BenchmarkReportYear times /report nam over a year of records for the 13
// sample hamlets, end to end: the figures, the summary and the XLSX.
func BenchmarkReportYear(b *testing.B) {
	eng, records := admYearWorld(b)
	ctx := context.Background()
	var size int
	cpu0, cpuOK := admCPUTime()
	for b.Loop() {
		rs, err := eng.Handle(ctx, admInput(admAdmin, "/report nam"))
		if err != nil || len(rs) != 2 || rs[1].File == nil {
			b.Fatalf("/report nam = %v, %v", rs, err)
		}
		size = len(rs[1].File.Bytes)
	}
	if cpu1, ok := admCPUTime(); cpuOK && ok {
		// CPU time per report: on a shared machine the wall time (ns/op)
		// mostly measures the other processes.
		b.ReportMetric(float64(cpu1-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	}
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(float64(size)/1024, "KiB-xlsx")
}

// TestReportYearScale checks /report nam at the benchmark's scale: every
// record in the workbook, the summary within Telegram's limit.
func TestReportYearScale(t *testing.T) {
	if testing.Short() || admRace {
		t.Skip("seeds 14,235 records; skipped with -short and -race")
	}
	eng, records := admYearWorld(t)
	startAt := time.Now()
	rs, err := eng.Handle(context.Background(), admInput(admAdmin, "/report nam"))
	took := time.Since(startAt)
	if err != nil || len(rs) != 2 || rs[1].File == nil {
		t.Fatalf("/report nam = %v, %v", rs, err)
	}
	t.Logf("/report nam over %d records: %v, XLSX %d KiB", records, took, len(rs[1].File.Bytes)/1024)
	if records != 13*365*3 {
		t.Errorf("seeded %d records, want %d", records, 13*365*3)
	}
	if !strings.Contains(rs[1].Text, fmt.Sprintf("(%d lượt hướng dẫn trong kỳ)", records)) {
		t.Errorf("caption = %q, want all %d records", rs[1].Text, records)
	}
	if n := utf16Len(rs[0].Text); n > 4096 || !strings.Contains(rs[0].Text, bold("Tổng 13 ấp")+": 14.235 lượt hộ") {
		t.Errorf("summary (%d units):\n%s", n, rs[0].Text)
	}
}
