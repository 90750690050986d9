package export

import (
	"bytes"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
)

func sampleReport() ReportWorkbook {
	return ReportWorkbook{
		Title:       "Báo cáo phong trào “Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến”",
		PeriodLabel: "Quý II/2026 (01/04/2026 – 30/06/2026)",
		GeneratedAt: time.Date(2026, 6, 30, 10, 5, 0, 0, time.UTC), // 17:05 in Vietnam
		Hamlets: []HamletRow{
			{ID: "hon-tre", Name: "Ấp Hòn Tre", Households: 500, GuidedInPeriod: 91, Able: 456,
				Coverage: 0.912, SpecialProgress: 0.5, DaysMet: 88, DaysElapsed: 91, Streak: 12},
			{ID: "lai-son", Name: "Ấp Lại Sơn", Households: 300, GuidedInPeriod: 40, Able: 150,
				Coverage: 0.5, SpecialProgress: 0.1, DaysMet: 40, DaysElapsed: 91, Streak: 0,
				Excluded: "Đang bị kiểm tra (Quyết định số 12/QĐ-UBND)"},
		},
		Officers: []OfficerRow{
			{Number: 12, Name: "Trần Văn Đức", HamletName: "Ấp Hòn Tre", Role: string(campaign.RoleLeader),
				Households: 60, Procedures: 75, DaysActive: 58, FailedChecks: 0, Active: true},
			{Number: 407, Name: "Phạm Thị Hồng", HamletName: "Ấp Lại Sơn", Role: string(campaign.RoleOfficer),
				Households: 40, Procedures: 41, DaysActive: 40, FailedChecks: 1, Active: false, Excluded: "Kiểm tra không đạt"},
		},
		Evidence: SliceRows(sampleRows()),
		Checks: []CheckRow{
			{HamletName: "Ấp An Sơn", HouseholdName: "Đỗ Thị Lan", Address: "Tổ 1, ấp An Sơn", Phone: "0388000111",
				OfficerName: "Nguyễn Hữu Phước", ReportedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
				CheckedAt: time.Date(2026, 1, 5, 2, 30, 0, 0, time.UTC), Status: campaign.CheckFailed,
				Reason: "Hộ cho biết chưa được hướng dẫn", CheckedByName: "Lê Thị Kiểm"},
			{HamletName: "Ấp Hòn Tre", HouseholdName: "Nguyễn Thị Ánh Tuyết", Phone: "0912345678",
				OfficerName: "Trần Văn Đức", ReportedAt: time.Date(2026, 5, 2, 1, 15, 0, 0, time.UTC)},
		},
	}
}

func TestWriteReport(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReport(&buf, vn(t), sampleReport(), procNames); err != nil {
		t.Fatalf("WriteReport: %v", err)
	}
	f := open(t, buf.Bytes())
	wantSheets := []string{"Tổng hợp ấp", "Cán bộ", "Danh sách hộ", "Kiểm tra"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, wantSheets) {
		t.Fatalf("sheets = %q, want %q", got, wantSheets)
	}
	if got := f.GetActiveSheetIndex(); got != 0 {
		t.Errorf("active sheet = %d, want 0 (Tổng hợp ấp)", got)
	}
	for _, sh := range wantSheets {
		checkFrozen(t, f, sh, 3)
		if got := cell(t, f, sh, "A1"); !strings.HasPrefix(got, "Báo cáo phong trào “Mỗi ngày") {
			t.Errorf("%s!A1 = %q, want the title", sh, got)
		}
		if got, want := cell(t, f, sh, "A2"), "Kỳ báo cáo: Quý II/2026 (01/04/2026 – 30/06/2026) · Lập lúc 17:05 ngày 30/06/2026"; got != want {
			t.Errorf("%s!A2 = %q, want %q", sh, got, want)
		}
	}

	t.Run("Tổng hợp ấp", func(t *testing.T) {
		const sh = "Tổng hợp ấp"
		want := []string{"Mã ấp", "Tên ấp", "Số hộ", "Hộ được hướng dẫn trong kỳ", "Hộ biết làm DVC trực tuyến",
			"Tỷ lệ bao phủ", "Tiến độ giải đặc biệt", "Số ngày đạt chỉ tiêu", "Số ngày đã qua",
			"Chuỗi ngày liên tiếp", "Loại trừ (lý do)"}
		if got := row(t, f, sh, 3); !reflect.DeepEqual(got, want) {
			t.Errorf("header = %q, want %q", got, want)
		}
		tests := []struct{ ref, want string }{
			{"A4", "hon-tre"}, {"B4", "Ấp Hòn Tre"}, {"C4", "500"}, {"D4", "91"}, {"E4", "456"},
			{"F4", "91.2%"}, {"G4", "50.0%"}, {"H4", "88"}, {"I4", "91"}, {"J4", "12"}, {"K4", ""},
			{"F5", "50.0%"}, {"J5", "0"}, {"K5", "Đang bị kiểm tra (Quyết định số 12/QĐ-UBND)"},
			// Totals: 606 of 800 households able; special progress weighted (250+30)/800.
			{"A6", "Tổng cộng"}, {"B6", "2 ấp"}, {"C6", "800"}, {"D6", "131"}, {"E6", "606"},
			{"F6", "75.8%"}, {"G6", "35.0%"}, {"H6", ""},
		}
		for _, tt := range tests {
			if got := cell(t, f, sh, tt.ref); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
			}
		}
		if got := raw(t, f, sh, "F4"); got != "0.912" {
			t.Errorf("coverage raw = %q, want 0.912 (a real number)", got)
		}
		for _, ref := range []string{"F4", "G4", "F6", "G6"} {
			if got := numFmt(t, f, sh, ref); got != "0.0%" {
				t.Errorf("%s number format = %q, want 0.0%%", ref, got)
			}
		}
		if v, _ := strconv.ParseFloat(raw(t, f, sh, "F6"), 64); math.Abs(v-606.0/800) > 1e-12 {
			t.Errorf("total coverage = %v, want %v", v, 606.0/800)
		}
		if got := raw(t, f, sh, "C4"); got != "500" {
			t.Errorf("households raw = %q, want a number", got)
		}
		if w, _ := f.GetColWidth(sh, "K"); w != 36 {
			t.Errorf("column K width = %v", w)
		}
	})

	t.Run("Cán bộ", func(t *testing.T) {
		const sh = "Cán bộ"
		want := []string{"12", "Trần Văn Đức", "Ấp Hòn Tre", "trưởng ấp", "60", "75", "58", "0", "Đang hoạt động"}
		if got := row(t, f, sh, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("row 4 = %q, want %q", got, want)
		}
		want = []string{"407", "Phạm Thị Hồng", "Ấp Lại Sơn", "cán bộ ấp", "40", "41", "40", "1", "Đã vô hiệu hóa", "Kiểm tra không đạt"}
		if got := row(t, f, sh, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("row 5 = %q, want %q", got, want)
		}
		if got := cell(t, f, sh, "B3"); got != "Họ và tên" {
			t.Errorf("B3 = %q", got)
		}
		if got := cell(t, f, sh, "A3"); got != "Số cán bộ" {
			t.Errorf("A3 = %q, want the person number header", got)
		}
		if got := raw(t, f, sh, "A5"); got != "407" {
			t.Errorf("person number raw = %q, want a number", got)
		}
	})

	t.Run("Danh sách hộ", func(t *testing.T) {
		const sh = "Danh sách hộ"
		if got := cell(t, f, sh, "C3"); got != "Chủ hộ" {
			t.Errorf("C3 = %q, want the header", got)
		}
		tests := []struct{ ref, want string }{
			{"C4", "Nguyễn Thị Ánh Tuyết"}, {"E4", "0912345678"}, {"F4", "Đăng ký khai sinh; Đăng ký thường trú"},
			{"J4", "Đạt"}, {"J6", "Không đạt"},
		}
		for _, tt := range tests {
			if got := cell(t, f, sh, tt.ref); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
			}
		}
		if got := numFmt(t, f, sh, "E4"); got != "#49" {
			t.Errorf("phone number format = %s, want #49", got)
		}
		checkDateCell(t, f, sh, "I4", time.Date(2026, 5, 2, 8, 15, 0, 0, time.UTC))
		checkAutoFilter(t, f, sh, "$A$3:$J$6")
	})

	t.Run("Kiểm tra", func(t *testing.T) {
		const sh = "Kiểm tra"
		want := []string{"Tên ấp", "Chủ hộ", "Địa chỉ", "Số điện thoại", "Cán bộ báo cáo", "Thời điểm báo cáo",
			"Kết quả", "Lý do", "Người kiểm tra", "Thời điểm kiểm tra"}
		if got := row(t, f, sh, 3); !reflect.DeepEqual(got, want) {
			t.Errorf("header = %q, want %q", got, want)
		}
		want = []string{"Ấp An Sơn", "Đỗ Thị Lan", "Tổ 1, ấp An Sơn", "0388000111", "Nguyễn Hữu Phước",
			"01/01/2026 07:00", "Không đạt", "Hộ cho biết chưa được hướng dẫn", "Lê Thị Kiểm", "05/01/2026 09:30"}
		if got := row(t, f, sh, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("row 4 = %q, want %q", got, want)
		}
		checkDateCell(t, f, sh, "J4", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC))
		checkAutoFilter(t, f, sh, "$A$3:$J$5")
		if got := cell(t, f, sh, "G5"); got != "Chưa kiểm tra" {
			t.Errorf("G5 = %q", got)
		}
		if got := cell(t, f, sh, "J5"); got != "" {
			t.Errorf("unchecked record has check time %q, want blank", got)
		}
	})
}

// TestWriteReportContinuesEvidence checks evidence past a sheet's row limit
// continues on numbered sheets placed before Kiểm tra, every row once, in
// order, each sheet with its title and header.
func TestWriteReportContinuesEvidence(t *testing.T) {
	const maxRows = 6 // 2 title rows + header + 3 records
	r := sampleReport()
	r.Evidence = synthRows(8)
	var buf bytes.Buffer
	if err := writeReport(&buf, vn(t), r, procNames, maxRows); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	want := []string{"Tổng hợp ấp", "Cán bộ", "Danh sách hộ", "Danh sách hộ (2)", "Danh sách hộ (3)", "Kiểm tra"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	var phones []string
	for _, sh := range want[2:5] {
		checkFrozen(t, f, sh, 3)
		if got := cell(t, f, sh, "E3"); got != "Số điện thoại" {
			t.Errorf("%s!E3 = %q, want the header", sh, got)
		}
		rows, _ := f.GetRows(sh)
		if len(rows) > maxRows {
			t.Errorf("%s has %d rows, limit %d", sh, len(rows), maxRows)
		}
		for _, row := range rows[3:] {
			phones = append(phones, row[4])
		}
	}
	var wantPhones []string
	for i := range 8 {
		wantPhones = append(wantPhones, fmt.Sprintf("09%08d", i))
	}
	if !reflect.DeepEqual(phones, wantPhones) {
		t.Errorf("phones over the evidence sheets = %q, want %q", phones, wantPhones)
	}
}

func TestWriteReportEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReport(&buf, vn(t), ReportWorkbook{}, nil); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := f.GetSheetList(); len(got) != 4 {
		t.Errorf("sheets = %q", got)
	}
	if got := cell(t, f, "Tổng hợp ấp", "A4"); got != "Tổng cộng" {
		t.Errorf("A4 = %q, want the totals row", got)
	}
	if got := cell(t, f, "Tổng hợp ấp", "F4"); got != "" {
		t.Errorf("coverage of nothing = %q, want blank", got)
	}
	if got := cell(t, f, "Tổng hợp ấp", "A2"); got != "Kỳ báo cáo: (không ghi)" {
		t.Errorf("A2 = %q", got)
	}
}

func TestWriteReportNotANumber(t *testing.T) {
	r := ReportWorkbook{Hamlets: []HamletRow{{ID: "x", Name: "Ấp X", Coverage: math.NaN(), SpecialProgress: math.Inf(1)}}}
	var buf bytes.Buffer
	if err := WriteReport(&buf, vn(t), r, nil); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	for _, ref := range []string{"F4", "G4"} {
		if got := raw(t, f, "Tổng hợp ấp", ref); got != "" {
			t.Errorf("%s = %q, want blank for a value that is not a number", ref, got)
		}
	}
}
