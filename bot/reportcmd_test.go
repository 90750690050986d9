package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
	"dvcbot/store"
)

func admDate(y int, m time.Month, day int) scoring.Date { return scoring.NewDate(y, m, day) }

func TestParseReportArgs(t *testing.T) {
	today := admDate(2026, 5, 14) // a Thursday
	p := scoring.DefaultParams()
	week := scoring.ISOWeek(today)
	may, april := scoring.Month(2026, 5), scoring.Month(2026, 4)
	q1, q2, q3 := scoring.Quarter(2026, 1), scoring.Quarter(2026, 2), scoring.Quarter(2026, 3)
	h1, h2 := scoring.Half(2026, 1), scoring.Half(2026, 2)
	year := scoring.Year(2026)
	rng := scoring.Range(admDate(2026, 5, 1), admDate(2026, 5, 15))
	tests := []struct {
		in     string
		want   scoring.Period
		hamlet string
	}{
		{"", scoring.Day(today), ""},
		{"hom nay", scoring.Day(today), ""},
		{"hôm nay", scoring.Day(today), ""},
		{"today", scoring.Day(today), ""},
		{"homqua", scoring.Day(today.AddDays(-1)), ""},
		{"Hôm qua", scoring.Day(today.AddDays(-1)), ""},
		{"yesterday", scoring.Day(today.AddDays(-1)), ""},
		{"tuan", week, ""},
		{"tuần", week, ""},
		{"WEEK", week, ""},
		{"tuần trước", scoring.ISOWeek(admDate(2026, 5, 7)), ""},
		{"last week", scoring.ISOWeek(admDate(2026, 5, 7)), ""},
		{"tuan 10", scoring.ISOWeek(admDate(2026, 3, 2)), ""},
		{"thang", may, ""},
		{"tháng", may, ""},
		{"month", may, ""},
		{"thang 4", april, ""},
		{"tháng 4", april, ""},
		{"thang4", april, ""},
		{"t4", april, ""},
		{"month 4", april, ""},
		{"thang 4/2026", april, ""},
		{"thang truoc", april, ""},
		{"quy", q2, ""},
		{"quý", q2, ""},
		{"quy 2", q2, ""},
		{"quý 2", q2, ""},
		{"q2", q2, ""},
		{"Q2", q2, ""},
		{"quy2", q2, ""},
		{"quý II", q2, ""},
		{"quarter 3", q3, ""},
		{"quy 1 2026", q1, ""},
		{"quy truoc", q1, ""},
		{"6thang", h1, ""},
		{"6 tháng", h1, ""},
		{"h1", h1, ""},
		{"H2", h2, ""},
		{"6 tháng đầu năm", h1, ""},
		{"6 tháng cuối năm", h2, ""},
		{"nua nam", h1, ""},
		{"nam", year, ""},
		{"năm", year, ""},
		{"year", year, ""},
		{"cả năm", year, ""},
		{"2026", year, ""},
		{"nam 2026", year, ""},
		{"01/05/2026 15/05/2026", rng, ""},
		{"15/05/2026 01/05/2026", rng, ""},
		{"từ 01/05/2026 đến 15/05/2026", rng, ""},
		{"01/05/2026-15/05/2026", rng, ""},
		{"1/5/2026 - 15/5/2026", rng, ""},
		{"02/05/2026", scoring.Day(admDate(2026, 5, 2)), ""},
		{"tuan bai-nha", week, "bai-nha"},
		{"tuan BAI-NHA", week, "bai-nha"},
		{"quy 2 nam-du", q2, "nam-du"},
		{"q2 nam-du", q2, "nam-du"},
		{"nam Bãi Nhà", year, "bai-nha"},
		{"tháng 4 ấp Hòn Tre", april, "hon-tre"},
		{"bai-nha", scoring.Day(today), "bai-nha"},
		{"01/05/2026 15/05/2026 hon-tre", rng, "hon-tre"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			q, err := parseReportArgs(tc.in, today, p, admHamlets)
			if err != nil {
				t.Fatalf("parseReportArgs(%q): %v", tc.in, err)
			}
			if q.Period != tc.want || q.HamletID != tc.hamlet {
				t.Errorf("parseReportArgs(%q) = %+v %q, want %+v %q", tc.in, q.Period, q.HamletID, tc.want, tc.hamlet)
			}
		})
	}
}

func TestParseReportArgsErrors(t *testing.T) {
	today := admDate(2026, 5, 14)
	tests := []struct{ in, want string }{
		{"abc", "Không hiểu kỳ báo cáo «abc»"},
		{"thang 13", "Tháng phải từ 1 đến 12"},
		{"thang 0", "Tháng phải từ 1 đến 12"},
		{"q5", "Quý phải từ 1 đến 4"},
		{"q", "Ghi số quý sau chữ q"},
		{"h3", "Nửa năm chỉ có 1"},
		{"tuan 60", "không có tuần 60"},
		{"31/02/2026", "không có trên lịch"},
		{"01/05/2026 02/05/2026 03/05/2026", "Chỉ ghi một ngày, hoặc hai ngày"},
		{"01/05/2026 abc", "Không hiểu «abc» đi kèm ngày"},
		{"nam 5", "Không hiểu số 5"},
		{"homqua 2026", "Không ghi năm"},
		{"thang 2026", "Ghi cả số tháng khi ghi năm"},
		{"thang 5 6", "Không hiểu kỳ báo cáo"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := parseReportArgs(tc.in, today, scoring.DefaultParams(), admHamlets)
			var ae *reportArgError
			if !errors.As(err, &ae) {
				t.Fatalf("parseReportArgs(%q) error = %v, want a message for the user", tc.in, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseReportArgs(%q) = %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

// After the campaign, months and quarters without a year are the campaign's.
func TestParseReportArgsAfterCampaign(t *testing.T) {
	q, err := parseReportArgs("thang 5", admDate(2027, 2, 1), scoring.DefaultParams(), nil)
	if err != nil || q.Period != scoring.Month(2026, 5) {
		t.Errorf("thang 5 in 2027 = %+v, %v; want May 2026", q.Period, err)
	}
}

func FuzzParseReportArgs(f *testing.F) {
	for _, s := range []string{"", "tuan", "quy 2 bai-nha", "01/05/2026 15/05/2026", "6 tháng đầu năm", "t13", "q0", "9999", "tuan 53 2027", "01-05-2026-02-05-2026"} {
		f.Add(s)
	}
	today := admDate(2026, 5, 14)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := parseReportArgs(s, today, scoring.DefaultParams(), admHamlets)
		if err != nil {
			var ae *reportArgError
			if !errors.As(err, &ae) || ae.msg == "" {
				t.Fatalf("parseReportArgs(%q): error %v is not a message for the user", s, err)
			}
			return
		}
		if q.Period.Empty() || q.Period.Label == "" {
			t.Fatalf("parseReportArgs(%q) = empty period %+v", s, q.Period)
		}
		if q.HamletID != "" {
			if _, ok := findHamlet(admHamlets, q.HamletID); !ok {
				t.Fatalf("parseReportArgs(%q) = unknown hamlet %q", s, q.HamletID)
			}
		}
		cp, why := clipReport(q.Period, scoring.DefaultParams(), today)
		if why == "" && (cp.Empty() || cp.To.After(today) || cp.From.Before(admDate(2026, 1, 1))) {
			t.Fatalf("clipReport(%+v) = %+v outside the campaign up to today", q.Period, cp)
		}
	})
}

func TestClipReport(t *testing.T) {
	p := scoring.DefaultParams()
	today := admDate(2026, 5, 14)
	tests := []struct {
		name     string
		period   scoring.Period
		today    scoring.Date
		from, to scoring.Date
		why      string
	}{
		{"month so far", scoring.Month(2026, 5), today, admDate(2026, 5, 1), today, ""},
		{"past month whole", scoring.Month(2026, 4), today, admDate(2026, 4, 1), admDate(2026, 4, 30), ""},
		{"future month", scoring.Month(2026, 12), today, scoring.Date{}, scoring.Date{}, "Tháng 12/2026 chưa bắt đầu (hôm nay là 14/05/2026)"},
		{"before the campaign", scoring.Year(2025), today, scoring.Date{}, scoring.Date{}, "Năm 2025 nằm ngoài thời gian phong trào (01/01/2026 – 31/12/2026)"},
		{"week over new year", scoring.ISOWeek(admDate(2026, 1, 1)), today, admDate(2026, 1, 1), admDate(2026, 1, 4), ""},
		{"after the campaign", scoring.Year(2026), admDate(2027, 3, 1), admDate(2026, 1, 1), admDate(2026, 12, 31), ""},
		{"campaign not started", scoring.Day(admDate(2025, 12, 1)), admDate(2025, 12, 1), scoring.Date{}, scoring.Date{}, "Phong trào bắt đầu từ ngày 01/01/2026"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cp, why := clipReport(tc.period, p, tc.today)
			if tc.why != "" {
				if !strings.Contains(why, tc.why) {
					t.Errorf("why = %q, want %q", why, tc.why)
				}
				return
			}
			if why != "" || cp.From != tc.from || cp.To != tc.to {
				t.Errorf("clipReport = %v–%v %q, want %v–%v", cp.From, cp.To, why, tc.from, tc.to)
			}
		})
	}
}

func TestComparePeriod(t *testing.T) {
	p := scoring.DefaultParams()
	tests := []struct {
		name     string
		orig     scoring.Period
		today    scoring.Date
		from, to scoring.Date
		partial  bool
		ok       bool
	}{
		{"week so far: same days of last week", scoring.ISOWeek(admDate(2026, 5, 14)), admDate(2026, 5, 14), admDate(2026, 5, 4), admDate(2026, 5, 7), true, true},
		{"whole past month", scoring.Month(2026, 4), admDate(2026, 5, 14), admDate(2026, 3, 1), admDate(2026, 3, 31), false, true},
		{"month so far vs shorter month", scoring.Month(2026, 3), admDate(2026, 3, 30), admDate(2026, 2, 1), admDate(2026, 2, 28), false, true},
		{"month so far", scoring.Month(2026, 3), admDate(2026, 3, 10), admDate(2026, 2, 1), admDate(2026, 2, 10), true, true},
		{"first quarter: nothing before", scoring.Quarter(2026, 1), admDate(2026, 5, 14), scoring.Date{}, scoring.Date{}, false, false},
		{"day", scoring.Day(admDate(2026, 5, 14)), admDate(2026, 5, 14), admDate(2026, 5, 13), admDate(2026, 5, 13), false, true},
		{"range", scoring.Range(admDate(2026, 5, 1), admDate(2026, 5, 10)), admDate(2026, 5, 14), admDate(2026, 4, 21), admDate(2026, 4, 30), false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur, _ := clipReport(tc.orig, p, tc.today)
			prev, partial, ok := comparePeriod(tc.orig, cur, p)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if ok && (prev.From != tc.from || prev.To != tc.to || partial != tc.partial) {
				t.Errorf("prev = %v–%v partial %v, want %v–%v partial %v", prev.From, prev.To, partial, tc.from, tc.to, tc.partial)
			}
		})
	}
}

func TestReportFileName(t *testing.T) {
	tests := []struct {
		p      scoring.Period
		hamlet string
		want   string
	}{
		{scoring.Quarter(2026, 2), "", "bao-cao-2026-q2.xlsx"},
		{scoring.Month(2026, 5), "", "bao-cao-2026-05.xlsx"},
		{scoring.ISOWeek(admDate(2026, 3, 4)), "", "bao-cao-2026-w10.xlsx"},
		{scoring.Day(admDate(2026, 5, 2)), "", "bao-cao-2026-05-02.xlsx"},
		{scoring.Half(2026, 1), "", "bao-cao-2026-h1.xlsx"},
		{scoring.Year(2026), "bai-nha", "bao-cao-2026-bai-nha.xlsx"},
		{scoring.Range(admDate(2026, 5, 1), admDate(2026, 5, 15)), "", "bao-cao-2026-05-01-den-2026-05-15.xlsx"},
	}
	for _, tc := range tests {
		if got := reportFileName(tc.p, tc.p, tc.hamlet); got != tc.want {
			t.Errorf("reportFileName(%s) = %q, want %q", tc.p.Label, got, tc.want)
		}
	}
}

// TestReportGoldens keeps the reply of every period form as a golden file
// (testdata/report/*.txt), over the seeded world at a fixed clock.
func TestReportGoldens(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	tests := []struct {
		name string
		user int64
		args string
	}{
		{"hom-nay", admAdmin, ""},
		{"hom-qua", admAdmin, "homqua"},
		{"tuan", admAdmin, "tuan"},
		{"tuan-truoc", admAdmin, "tuần trước"},
		{"thang", admAdmin, "thang"},
		{"thang-4", admAdmin, "tháng 4"},
		{"quy", admAdmin, "quy"},
		{"q1", admAdmin, "q1"},
		{"6thang", admAdmin, "6thang"},
		{"h2-chua-bat-dau", admAdmin, "h2"},
		{"nam", admAdmin, "nam"},
		{"khoang-ngay", admAdmin, "01/05/2026 10/05/2026"},
		{"mot-ap", admAdmin, "tuan bai-nha"},
		{"truong-ap", admLeader, "thang"},
		{"truong-ap-ap-khac", admLeader, "thang nam-du"},
		{"sai-cu-phap", admAdmin, "tuan sau"},
		{"english", admPromoted, "month 4 nam-du"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.TrimSpace("/report " + tc.args)
			rs := w.send(tc.user, in)
			admGolden(t, "report/"+tc.name+".txt", fmt.Sprintf("@user %d\n> %s\n", tc.user, in)+admRender(rs, tc.user))
		})
	}
}

// admRecordsIn counts seeded records of a hamlet ("" for all) within [from, to] local days.
func admRecordsIn(recs []admSeeded, hamlet string, from, to scoring.Date) int {
	n := 0
	for _, r := range recs {
		day := scoring.DateOf(r.At, admLoc)
		if (hamlet == "" || r.Hamlet == hamlet) && !day.Before(from) && !day.After(to) {
			n++
		}
	}
	return n
}

func admOpenXLSX(t *testing.T, rs []chat.Reply, name string) *excelize.File {
	t.Helper()
	for _, r := range rs {
		if r.File != nil {
			if r.File.Name != name {
				t.Errorf("document = %q, want %q", r.File.Name, name)
			}
			f, err := excelize.OpenReader(bytes.NewReader(r.File.Bytes))
			if err != nil {
				t.Fatalf("open %s: %v", r.File.Name, err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}
	}
	t.Fatalf("no document in replies:\n%s", admRender(rs, 0))
	return nil
}

func admCell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// admHouseholdsIn counts seeded households of a hamlet ("" for all), and
// of an officer (0 for any), guided up to the local day to and, of those,
// first guided from the day from.
func admHouseholdsIn(recs []admSeeded, hamlet string, officer int64, from, to scoring.Date) (upTo, fresh int) {
	first := map[string]scoring.Date{}
	for _, r := range recs {
		day := scoring.DateOf(r.At, admLoc)
		if (hamlet != "" && r.Hamlet != hamlet) || (officer != 0 && r.Officer != officer) || day.After(to) {
			continue
		}
		if f, ok := first[r.Phone]; !ok || day.Before(f) {
			first[r.Phone] = day
		}
	}
	for _, d := range first {
		upTo++
		if !d.Before(from) {
			fresh++
		}
	}
	return upTo, fresh
}

// TestReportWorkbook reads the XLSX of /report thang 4 back, cell by cell.
func TestReportWorkbook(t *testing.T) {
	w := newAdmWorld(t, admNow)
	recs := w.seed()
	rs := w.send(admAdmin, "/report thang 4")
	f := admOpenXLSX(t, rs, "bao-cao-2026-04.xlsx")
	from, to := admDate(2026, 4, 1), admDate(2026, 4, 30)

	if got, want := strings.Join(f.GetSheetList(), ","), "Tổng hợp ấp,Cán bộ,Danh sách hộ,Kiểm tra"; got != want {
		t.Fatalf("sheets = %s, want %s", got, want)
	}
	if got := admCell(t, f, "Tổng hợp ấp", "A2"); !strings.HasPrefix(got, "Kỳ báo cáo: Tháng 4/2026 — số liệu từ 01/04/2026 đến 30/04/2026") {
		t.Errorf("A2 = %q", got)
	}
	// Tổng hợp ấp: hamlets in Vietnamese order, then the totals row.
	// Columns: STT, name, register, new in the period, guided up to its
	// end, able on their own, able, coverage, special prize, days met,
	// days elapsed, streak, notes.
	totalNew := 0
	for i, want := range []struct {
		name, households string
		selfAble         int
		excluded         string
	}{
		{"Bãi Nhà", "812", 0, ""},
		{"Hòn Tre", "874", 0, "Loại trừ: Đang giải quyết khiếu nại (từ 20/04/2026)"},
		{"Nam Du", "298", 1, ""},
	} {
		row := strconv.Itoa(4 + i)
		id := map[string]string{"Bãi Nhà": "bai-nha", "Hòn Tre": "hon-tre", "Nam Du": "nam-du"}[want.name]
		upTo, fresh := admHouseholdsIn(recs, id, 0, from, to)
		totalNew += fresh
		for _, c := range []struct{ ref, want string }{
			{"A" + row, strconv.Itoa(i + 1)}, {"B" + row, want.name}, {"C" + row, want.households},
			{"D" + row, strconv.Itoa(fresh)}, {"E" + row, strconv.Itoa(upTo)}, {"F" + row, strconv.Itoa(want.selfAble)},
			{"G" + row, strconv.Itoa(upTo + want.selfAble)}, {"K" + row, "30"}, {"M" + row, want.excluded},
		} {
			if got := admCell(t, f, "Tổng hợp ấp", c.ref); got != c.want {
				t.Errorf("Tổng hợp ấp!%s = %q, want %q", c.ref, got, c.want)
			}
		}
	}
	if got := admCell(t, f, "Tổng hợp ấp", "A7"); !strings.HasPrefix(got, "Tổng cộng") {
		t.Errorf("A7 = %q, want the totals row", got)
	}
	if got, want := admCell(t, f, "Tổng hợp ấp", "D7"), strconv.Itoa(totalNew); got != want {
		t.Errorf("total of new households D7 = %q, want %q", got, want)
	}
	// Bãi Nhà met the target every day but Sundays: 26 of 30 days in April.
	if got := admCell(t, f, "Tổng hợp ấp", "J4"); got != "26" {
		t.Errorf("Bãi Nhà days met J4 = %q, want 26", got)
	}

	// Cán bộ: the deactivated officer is listed with his figures.
	rows, err := f.GetRows("Cán bộ")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	upTo, fresh := admHouseholdsIn(recs, "", admGone, from, to)
	for _, r := range rows[3:] {
		if r[1] == "Đỗ Văn Nam" {
			found = true
			if r[2] != "Hòn Tre" || r[5] != strconv.Itoa(upTo) || r[6] != strconv.Itoa(fresh) || r[7] != strconv.Itoa(admRecordsIn(recs, "hon-tre", from, to)) || r[10] != "Đã vô hiệu hóa" {
				t.Errorf("Cán bộ row of the deactivated officer = %q, want %d households, %d new", r, upTo, fresh)
			}
		}
	}
	if !found {
		t.Errorf("Cán bộ has no row for the deactivated officer: %q", rows)
	}

	// Danh sách hộ: one row per record of April, phone kept as text, then
	// the row of totals.
	rows, err = f.GetRows("Danh sách hộ")
	if err != nil {
		t.Fatal(err)
	}
	records := rows[3 : len(rows)-1]
	if got, want := len(records), admRecordsIn(recs, "", from, to); got != want {
		t.Errorf("Danh sách hộ has %d records, want %d", got, want)
	}
	if last := strings.Join(rows[len(rows)-1], " "); !strings.HasPrefix(last, fmt.Sprintf("Cộng %d dòng", len(records))) {
		t.Errorf("last row %q, want the totals", last)
	}
	var failed []string
	for _, r := range records {
		if !strings.HasPrefix(r[4], "09") || len(r[4]) != 10 {
			t.Errorf("phone %q lost its form", r[4])
			break
		}
		if len(r) > 11 && r[11] == "Không đạt" {
			failed = append(failed, r[1]+"|"+r[2])
		}
	}
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "Nam Du|Phạm Văn Nam") {
		t.Errorf("records with a failed check = %q, want one of Nam Du", failed)
	}
	if got := admCell(t, f, "Danh sách hộ", "K4"); !strings.HasPrefix(got, "01/04/2026") {
		t.Errorf("first report time K4 = %q, want 1 April 2026", got)
	}

	// Kiểm tra: the checks of April's records (failed in Nam Du, passed in Bãi Nhà).
	rows, err = f.GetRows("Kiểm tra")
	if err != nil {
		t.Fatal(err)
	}
	var checks []string
	for _, r := range rows[3:] {
		checks = append(checks, r[1]+"|"+r[7])
	}
	if got, want := strings.Join(checks, ","), "Nam Du|Không đạt,Bãi Nhà|Đạt"; got != want && got != "Bãi Nhà|Đạt,Nam Du|Không đạt" {
		t.Errorf("Kiểm tra = %s, want %s", got, want)
	}
}

// A leader gets the report of his own hamlet only, XLSX included.
func TestReportLeaderOwnHamlet(t *testing.T) {
	w := newAdmWorld(t, admNow)
	recs := w.seed()
	rs := w.send(admLeader, "/report thang")
	f := admOpenXLSX(t, rs, "bao-cao-2026-05-bai-nha.xlsx")
	rows, err := f.GetRows("Danh sách hộ")
	if err != nil {
		t.Fatal(err)
	}
	records := rows[3 : len(rows)-1]
	for _, r := range records {
		if r[1] != "Bãi Nhà" {
			t.Fatalf("leader's workbook has a record of %s", r[1])
		}
	}
	if got, want := len(records), admRecordsIn(recs, "bai-nha", admDate(2026, 5, 1), admDate(2026, 5, 14)); got != want {
		t.Errorf("leader's workbook has %d records, want %d", got, want)
	}
	if rows, _ := f.GetRows("Tổng hợp ấp"); len(rows) != 5 || rows[3][1] != "Bãi Nhà" {
		t.Errorf("Tổng hợp ấp = %q, want Bãi Nhà and the totals", rows)
	}
	if got := w.one(w.send(admLeader, "/report tuan hon-tre")); !strings.Contains(got, "chỉ xem được số liệu của ấp mình") {
		t.Errorf("leader asking for another hamlet got %q", got)
	}
}

// Officers cannot use /report; nobody gets it in a group; every export is audited.
func TestReportRefusedAndAudited(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	if got := w.one(w.send(admOfficer, "/report")); got != msgRefused(w.eng.cmds["report"]) || !strings.Contains(got, "trưởng ấp và quản trị viên") {
		t.Errorf("officer /report = %q", got)
	}
	rs := w.sendGroup(admAdmin, "/report nam")
	if len(rs) != 1 || rs[0].Text != msgPrivateOnly || rs[0].File != nil {
		t.Errorf("admin /report in the group = %s", admRender(rs, admGroup))
	}
	w.send(admAdmin, "/report q2")
	var entry campaign.AuditEntry
	w.view(func(tx *store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		for _, e := range log {
			if e.Action == "report.export" {
				entry = e
			}
		}
		return err
	})
	if entry.Actor != w.pid(admAdmin) || !strings.Contains(entry.After, `"file":"bao-cao-2026-q2.xlsx"`) || strings.Contains(entry.After, "09") {
		t.Errorf("audit of the export = %+v", entry)
	}
}

// The summary stays within Telegram's limit even with many hamlets.
func TestReportSummaryLimit(t *testing.T) {
	var stats []scoring.HamletStats
	for i := range 200 {
		stats = append(stats, scoring.HamletStats{Hamlet: scoring.Hamlet{ID: fmt.Sprint(i), Name: fmt.Sprintf("Ấp số %d", i), Households: 500},
			GuidedInPeriod: i, DaysMet: 3, DaysElapsed: 4})
	}
	r := reportData{cur: scoring.ISOWeek(admDate(2026, 5, 14)), stats: stats, periodDays: 7}
	text := r.summary(scoring.DefaultParams())
	if n := utf16Len(text); n > 4096 {
		t.Fatalf("summary of 200 hamlets is %d units", n)
	}
	if err := checkMarks(text); err != nil || !strings.Contains(text, "ấp nữa: xem trong tệp") || !strings.Contains(text, "Cộng") || !strings.Contains(text, "• "+chat.Bold("Ấp số 1")+":") {
		t.Errorf("shortened summary lost its shape:\n%s", text)
	}
}

// /report and /hoso build their documents after the commit, outside the
// write transaction every update shares: an officer's report sent while
// they are being built is saved and answered at once, and the documents
// still arrive (and the export is audited).
func TestDocumentsBuiltOutsideTheWriteTransaction(t *testing.T) {
	for _, tc := range []struct {
		command, wantDoc, audit string
	}{
		{"/report q2", "bao-cao-2026-q2.xlsx", "report.export"},
		{"/hoso bai-nha", "bai-nha", "dossier.export"},
	} {
		t.Run(tc.command, func(t *testing.T) {
			w := newAdmWorld(t, admNow)
			w.seed()
			phone := 912000200 + len(tc.command)
			var during []chat.Reply
			w.eng.afterCommitHook = func() {
				done := make(chan []chat.Reply, 1)
				go func() {
					in := admInput(admOfficer, fmt.Sprintf("/baocao Nguyễn Văn Hậu; Tổ 2; 0%d; khai sinh", phone))
					rs, err := w.eng.Handle(context.Background(), in)
					if err != nil {
						t.Errorf("officer's report: %v", err)
					}
					done <- rs
				}()
				select {
				case during = <-done:
				case <-time.After(10 * time.Second):
					t.Errorf("an officer's report waited for %s to be built", tc.command)
				}
			}
			rs := w.send(admAdmin, tc.command)
			w.eng.afterCommitHook = nil
			if len(during) == 0 || !strings.Contains(during[0].Text, "Đã lưu") {
				t.Errorf("officer's report while %s was built: %s", tc.command, admRender(during, admOfficer))
			}
			var docs []string
			for _, r := range rs {
				if r.File != nil {
					docs = append(docs, r.File.Name)
				}
			}
			if !slices.ContainsFunc(docs, func(n string) bool { return strings.HasPrefix(n, tc.wantDoc) }) {
				t.Errorf("%s sent documents %v, want %s…", tc.command, docs, tc.wantDoc)
			}
			var audited bool
			admin := w.pid(admAdmin)
			w.view(func(tx *store.Tx) error {
				log, err := tx.AuditLog(0, 0)
				for _, e := range log {
					audited = audited || (e.Action == tc.audit && e.Actor == admin)
				}
				return err
			})
			if !audited {
				t.Errorf("%s: no %s audit entry", tc.command, tc.audit)
			}
		})
	}
}
