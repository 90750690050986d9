package export

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"dvcbot/campaign"
)

// yearRows is a year of the real zone: 13 hamlets × 365 days × 3 reports.
const yearRows = 13 * 365 * 3

var large = flag.Bool("large", false, "run the 2,000,000-row streaming memory test (minutes, GBs of temp disk)")

func BenchmarkWriteCSV(b *testing.B) {
	loc := vn(b)
	defer reportCPU(b)()
	for b.Loop() {
		w := &countingWriter{}
		if err := WriteCSV(w, loc, synthRows(yearRows)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.n), "bytes/file")
	}
}

func BenchmarkWriteXLSX(b *testing.B) {
	loc := vn(b)
	defer reportCPU(b)()
	for b.Loop() {
		w := &countingWriter{}
		if err := WriteXLSX(w, loc, synthRows(yearRows), procNames); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.n), "bytes/file")
	}
}

// BenchmarkWriteReportYear is the XLSX of /report nam: 13 hamlets, 40
// officers, a year of evidence and 10% of it spot-checked.
func BenchmarkWriteReportYear(b *testing.B) {
	loc := vn(b)
	defer reportCPU(b)()
	for b.Loop() {
		w := &countingWriter{}
		if err := WriteReport(w, loc, yearReport(yearRows), procNames); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.n), "bytes/file")
	}
}

// reportCPU adds the process's CPU time per operation (user + system, all
// threads, GC included) to a benchmark's results: on a shared, loaded
// machine it tells the cost better than the wall time.
func reportCPU(b *testing.B) func() {
	before := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-before).Milliseconds())/float64(b.N), "cpu-ms/op")
		}
	}
}

// cpuTime is the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// yearReport is a report over n generated evidence rows.
func yearReport(n int) ReportWorkbook {
	r := ReportWorkbook{
		PeriodLabel: "Năm 2026",
		GeneratedAt: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC),
		Evidence:    synthRows(n),
	}
	for i := range 13 {
		r.Hamlets = append(r.Hamlets, HamletRow{ID: "ap-" + strconv.Itoa(i+1), Name: "Ấp " + strconv.Itoa(i+1),
			Households: 300 + 20*i, GuidedInPeriod: 1095, Able: 290 + 19*i, Coverage: 0.95, SpecialProgress: 0.8,
			DaysMet: 360, DaysElapsed: 365, Streak: 100})
	}
	for i := range 40 {
		r.Officers = append(r.Officers, OfficerRow{Number: campaign.PersonID(1 + i), Name: "Cán bộ " + strconv.Itoa(i),
			HamletName: "Ấp " + strconv.Itoa(i%13+1), Role: "officer", Households: 350, Procedures: 400, DaysActive: 300, Active: true})
	}
	_ = r.Evidence(func(e EvidenceRow) error {
		if len(r.Checks) < n/10 && len(r.Checks) < 100000 {
			r.Checks = append(r.Checks, CheckRow{HamletName: e.HamletName, HouseholdName: e.HouseholdName, Address: e.Address,
				Phone: e.Phone, OfficerName: e.OfficerName, ReportedAt: e.ReportedAt, CheckedAt: e.ReportedAt.Add(72 * time.Hour),
				Status: campaign.CheckPassed, CheckedByName: "Lê Thị Kiểm"})
		}
		return nil
	})
	return r
}

// TestLargeExportMemory streams 2,000,000 evidence rows into each format and
// logs the time, the output size, the peak Go heap and the peak resident set
// size of the process; it fails if the peak RSS reaches 500 MB. Run it by hand:
//
//	go test ./export -run LargeExportMemory -large -v -timeout 30m
func TestLargeExportMemory(t *testing.T) {
	if !*large || testing.Short() {
		t.Skip("run with -large (and without -short): 2,000,000 rows take minutes and GBs of temp disk")
	}
	const n = 2_000_000
	loc := vn(t)
	cases := []struct {
		name   string
		write  func(w io.Writer) error
		sheets []string // the workbook's sheets, checked after
		header int      // rows above the data on an evidence sheet
	}{
		{name: "csv", write: func(w io.Writer) error { return WriteCSV(w, loc, synthRows(n)) }},
		{name: "xlsx", write: func(w io.Writer) error { return WriteXLSX(w, loc, synthRows(n), procNames) },
			sheets: []string{"Danh sách hộ", "Danh sách hộ (2)"}, header: 1},
		{name: "report", write: func(w io.Writer) error {
			r := yearReport(0)
			r.Evidence = synthRows(n)
			return WriteReport(w, loc, r, procNames)
		}, sheets: []string{"Tổng hợp ấp", "Cán bộ", "Danh sách hộ", "Danh sách hộ (2)", "Kiểm tra"}, header: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runtime.GC()
			resetPeakRSS(t)
			out, err := os.Create(filepath.Join(t.TempDir(), "out"))
			if err != nil {
				t.Fatal(err)
			}
			defer out.Close()
			peakHeap := watchHeap()
			start := time.Now()
			bw := bufio.NewWriterSize(out, 1<<20)
			if err := c.write(bw); err != nil {
				t.Fatal(err)
			}
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			heap := peakHeap()
			info, _ := out.Stat()
			rss := peakRSS(t)
			t.Logf("%s: %d rows in %v, file %.1f MB, peak heap in use %.1f MB, peak RSS %.1f MB",
				c.name, n, took.Round(time.Millisecond), float64(info.Size())/1e6, float64(heap)/1e6, float64(rss)/1e6)
			if rss >= 500e6 {
				t.Errorf("peak RSS %.1f MB, target under 500 MB", float64(rss)/1e6)
			}
			if c.sheets != nil {
				checkLargeWorkbook(t, out.Name(), c.sheets, c.header, n)
			}
		})
	}
}

// watchHeap samples the heap in use until the returned function is called,
// which returns the highest value seen.
func watchHeap() func() uint64 {
	var (
		mu   sync.Mutex
		peak uint64
		stop = make(chan struct{})
		done = make(chan struct{})
	)
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		peak = max(peak, m.HeapInuse)
		mu.Unlock()
	}
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sample()
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// resetPeakRSS resets the process's peak resident set size (Linux).
func resetPeakRSS(t *testing.T) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Logf("cannot reset the peak RSS (%v): it covers the whole test process", err)
	}
}

// peakRSS is the process's peak resident set size in bytes (VmHWM, Linux).
func peakRSS(t *testing.T) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("parse VmHWM %q: %v", rest, err)
			}
			return kb * 1024
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}

// checkLargeWorkbook checks, straight from the ZIP (reading it back with
// excelize takes many minutes), that the workbook has the given sheets and
// that its evidence sheets hold every generated row once and in order: the
// first sheet full, the rest on the next, first and last phones where they
// belong.
func checkLargeWorkbook(t *testing.T, path string, sheets []string, header, n int) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer zr.Close()
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	readXML(t, &zr.Reader, "xl/workbook.xml", &wb)
	readXML(t, &zr.Reader, "xl/_rels/workbook.xml.rels", &rels)
	var names []string
	parts := map[string]string{}
	for _, sh := range wb.Sheets {
		names = append(names, sh.Name)
		for _, r := range rels.Rel {
			if r.ID == sh.RID {
				parts[sh.Name] = "xl/" + strings.TrimPrefix(r.Target, "/xl/")
			}
		}
	}
	if !slices.Equal(names, sheets) {
		t.Fatalf("sheets = %q, want %q", names, sheets)
	}
	perSheet := excelizeMaxRows - header
	phone := func(i int) string { return fmt.Sprintf(">09%08d<", i) }
	want := []struct {
		sheet  string
		rows   int
		phones []string
	}{
		{evidenceSheet, excelizeMaxRows, []string{phone(0), phone(perSheet - 1)}},
		{evidenceSheet + " (2)", header + n - perSheet, []string{phone(perSheet), phone(n - 1)}},
	}
	for _, w := range want {
		counts := countInZip(t, &zr.Reader, parts[w.sheet], append([]string{"<row "}, w.phones...))
		if counts["<row "] != w.rows {
			t.Errorf("%s: %d rows, want %d", w.sheet, counts["<row "], w.rows)
		}
		for _, p := range w.phones {
			if counts[p] != 1 {
				t.Errorf("%s: phone %s found %d times, want once", w.sheet, p, counts[p])
			}
		}
		t.Logf("%s: %d rows", w.sheet, counts["<row "])
	}
}

// readXML decodes one XML part of a ZIP.
func readXML(t *testing.T, zr *zip.Reader, name string, v any) {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

// countInZip counts the occurrences of each needle in one part of a ZIP,
// reading it in chunks.
func countInZip(t *testing.T, zr *zip.Reader, name string, needles []string) map[string]int {
	t.Helper()
	rc, err := zr.Open(name)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer rc.Close()
	keep := 0
	for _, n := range needles {
		keep = max(keep, len(n)-1)
	}
	counts := map[string]int{}
	buf := make([]byte, 0, 1<<20+keep)
	for {
		m, err := rc.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil && err != io.EOF {
			t.Fatalf("read %s: %v", name, err)
		}
		if err == io.EOF || len(buf) == cap(buf) {
			// Count matches that start in buf[:len(buf)-keep] (all of buf at
			// the end), then carry the tail over.
			limit := len(buf) - keep
			if err == io.EOF {
				limit = len(buf)
			}
			for _, n := range needles {
				for i := 0; ; {
					j := bytes.Index(buf[i:], []byte(n))
					if j < 0 || i+j >= limit {
						break
					}
					counts[n]++
					i += j + 1
				}
			}
			if err == io.EOF {
				return counts
			}
			buf = buf[:copy(buf, buf[limit:])]
		}
	}
}
