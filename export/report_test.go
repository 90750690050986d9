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

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

func sampleReport() ReportWorkbook {
	return ReportWorkbook{
		Title:       "Báo cáo phong trào “Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến”",
		PeriodLabel: "Quý II/2026 (01/04/2026 – 30/06/2026)",
		FiguresAt:   scoring.NewDate(2026, 6, 30),
		GeneratedAt: time.Date(2026, 6, 30, 10, 5, 0, 0, time.UTC), // 17:05 in Vietnam
		Hamlets: []HamletRow{
			{ID: "hon-tre", Name: "Ấp Hòn Tre", Households: 500, NewGuided: 91, HouseholdsGuided: 420, SelfAble: 36, GuidedInPeriod: 95, Able: 456,
				Coverage: 0.912, SpecialProgress: 0.5, DaysMet: 88, DaysElapsed: 91, Streak: 12},
			{ID: "lai-son", Name: "Ấp Lại Sơn", Households: 300, NewGuided: 40, HouseholdsGuided: 140, SelfAble: 10, GuidedInPeriod: 40, Able: 150,
				Coverage: 0.5, SpecialProgress: 0.1, DaysMet: 40, DaysElapsed: 91, Streak: 0,
				Excluded: "Đang bị kiểm tra (Quyết định số 12/QĐ-UBND)"},
			// More able households than its register: shown at 100, noted.
			{ID: "an-son", Name: "Ấp An Sơn", Households: 100, NewGuided: 20, HouseholdsGuided: 110, SelfAble: 5, Able: 115,
				Coverage: 1, SpecialProgress: 1, DaysMet: 91, DaysElapsed: 91, Streak: 91},
		},
		Officers: []OfficerRow{
			{Number: 7, Name: "Trần Văn Đức", HamletName: "Ấp Hòn Tre", Affiliation: string(campaign.AffBoard),
				Role: string(campaign.RoleLeader), Households: 160, NewHouseholds: 60, Procedures: 75, DaysActive: 58, FailedChecks: 0, Active: true},
			{Number: 42, Name: "Phạm Thị Hồng", HamletName: "Ấp Lại Sơn", Affiliation: string(campaign.AffTechTeam), Role: string(campaign.RoleOfficer),
				Households: 40, NewHouseholds: 40, Procedures: 41, DaysActive: 40, FailedChecks: 1, Active: false, Excluded: "Kiểm tra không đạt"},
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
		checkPrint(t, f, sh, 3)
		checkBold(t, f, sh, "B3")
		if got := cell(t, f, sh, "A1"); !strings.HasPrefix(got, "Báo cáo phong trào “Mỗi ngày") {
			t.Errorf("%s!A1 = %q, want the title", sh, got)
		}
		if got, want := cell(t, f, sh, "A2"), "Kỳ báo cáo: Quý II/2026 (01/04/2026 – 30/06/2026) · Số liệu tính đến hết ngày 30/06/2026 · Lập lúc 17:05 ngày 30/06/2026"; got != want {
			t.Errorf("%s!A2 = %q, want %q", sh, got, want)
		}
		if got := cell(t, f, sh, "A3"); got != "STT" {
			t.Errorf("%s!A3 = %q, want STT", sh, got)
		}
		// No hamlet slug and no account id in a document for the council.
		rows, _ := f.GetRows(sh)
		for _, r := range rows {
			for _, c := range r {
				if c == "hon-tre" || c == "lai-son" || c == "7012345678" || c == "Mã ấp" || strings.Contains(c, "Telegram") {
					t.Errorf("%s shows %q", sh, c)
				}
			}
		}
	}

	t.Run("Tổng hợp ấp", func(t *testing.T) {
		const sh = "Tổng hợp ấp"
		want := []string{"STT", "Tên ấp", "Số hộ trong sổ", "Hộ mới được hướng dẫn trong kỳ", "Hộ đã được hướng dẫn (lũy kế)",
			"Hộ tự khai đã biết làm", "Hộ biết làm DVC trực tuyến", "Tỷ lệ bao phủ", "Tiến độ phần quà khen thưởng riêng",
			"Số ngày đạt chỉ tiêu", "Số ngày đã qua", "Chuỗi ngày liên tiếp", "Ghi chú (loại trừ, sổ hộ)"}
		if got := row(t, f, sh, 3); !reflect.DeepEqual(got, want) {
			t.Errorf("header = %q, want %q", got, want)
		}
		tests := []struct{ ref, want string }{
			{"A4", "1"}, {"B4", "Ấp Hòn Tre"}, {"C4", "500"}, {"D4", "91"}, {"E4", "420"}, {"F4", "36"}, {"G4", "456"},
			{"H4", "91,2%"}, {"I4", "50,0%"}, {"J4", "88"}, {"K4", "91"}, {"L4", "12"}, {"M4", ""},
			{"H5", "50,0%"}, {"L5", "0"}, {"M5", "Loại trừ: Đang bị kiểm tra (Quyết định số 12/QĐ-UBND)"},
			// Never more able households than the register; the excess noted.
			{"G6", "100"}, {"H6", "100,0%"}, {"M6", "Số hộ biết làm (115) vượt số hộ trong sổ 15 hộ: cần sửa số hộ của ấp (/sosho)"},
			// Totals: the sums of the rows; 706 of 900 households able
			// (78,44%); special progress weighted (250+30+100)/900 = 42,2%.
			{"A7", "Tổng cộng (3 ấp)"}, {"B7", "Tổng cộng (3 ấp)"}, // one merged cell {"C7", "900"}, {"D7", "151"}, {"E7", "670"}, {"F7", "51"}, {"G7", "706"},
			{"H7", "78,4%"}, {"I7", "42,2%"}, {"J7", ""},
			{"M7", "1 ấp có số hộ biết làm vượt sổ hộ: chỉ tính tối đa bằng số hộ trong sổ"},
		}
		for _, tt := range tests {
			if got := cell(t, f, sh, tt.ref); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
			}
		}
		// The totals row is the sum of the rows above it, column by column.
		for _, col := range []string{"C", "D", "E", "F", "G"} {
			sum := 0
			for r := 4; r <= 6; r++ {
				n, _ := strconv.Atoi(raw(t, f, sh, col+strconv.Itoa(r)))
				sum += n
			}
			if got := raw(t, f, sh, col+"7"); got != strconv.Itoa(sum) {
				t.Errorf("total %s7 = %s, want the sum %d", col, got, sum)
			}
		}
		for _, ref := range []string{"H4", "I4", "H7", "I7"} {
			if typ, _ := f.GetCellType(sh, ref); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("%s type %v: percentages are text in the documents' format", ref, typ)
			}
		}
		if got := raw(t, f, sh, "C4"); got != "500" {
			t.Errorf("households raw = %q, want a number", got)
		}
		if w, _ := f.GetColWidth(sh, "M"); w != 40 {
			t.Errorf("column M width = %v", w)
		}
	})

	t.Run("Cán bộ", func(t *testing.T) {
		const sh = "Cán bộ"
		want := []string{"1", "Trần Văn Đức", "Ấp Hòn Tre", "Ban Nhân dân ấp", "trưởng ấp", "160", "60", "75", "58", "0", "Đang hoạt động"}
		if got := row(t, f, sh, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("row 4 = %q, want %q", got, want)
		}
		want = []string{"2", "Phạm Thị Hồng", "Ấp Lại Sơn", "Tổ công nghệ số cộng đồng", "cán bộ ấp", "40", "40", "41", "40", "1", "Đã vô hiệu hóa", "Kiểm tra không đạt"}
		if got := row(t, f, sh, 5); !reflect.DeepEqual(got, want) {
			t.Errorf("row 5 = %q, want %q", got, want)
		}
		if got := cell(t, f, sh, "D3"); got != "Đơn vị" {
			t.Errorf("D3 = %q", got)
		}
		if got := cell(t, f, sh, "A3"); got != "STT" {
			t.Errorf("A3 = %q, want STT (documents for the council show no person number)", got)
		}
	})

	t.Run("Danh sách hộ", func(t *testing.T) {
		const sh = "Danh sách hộ"
		if got := cell(t, f, sh, "C3"); got != "Chủ hộ" {
			t.Errorf("C3 = %q, want the header", got)
		}
		tests := []struct{ ref, want string }{
			{"C4", "Nguyễn Thị Ánh Tuyết"}, {"E4", "0912345678"}, {"G4", "Đăng ký khai sinh; Đăng ký thường trú"},
			{"H4", "000.00.35.H47-260502-0001"}, {"I4", "2"}, {"L4", "Đạt"}, {"L6", "Không đạt"},
			{"F7", "Tự thực hiện được (tự khai)"},
			{"A8", "Cộng 4 dòng: 3 lượt hướng dẫn của 3 hộ; 1 hộ tự khai đã biết làm; tổng số 4 hộ."},
		}
		for _, tt := range tests {
			if got := cell(t, f, sh, tt.ref); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
			}
		}
		if got := numFmt(t, f, sh, "E4"); got != "#49" {
			t.Errorf("phone number format = %s, want #49", got)
		}
		checkDateCell(t, f, sh, "K4", time.Date(2026, 5, 2, 8, 15, 0, 0, time.UTC))
		checkAutoFilter(t, f, sh, "$A$3:$L$7")
	})

	t.Run("Kiểm tra", func(t *testing.T) {
		const sh = "Kiểm tra"
		want := []string{"STT", "Tên ấp", "Chủ hộ", "Địa chỉ", "Số điện thoại", "Cán bộ báo cáo / ghi nhận", "Thời điểm báo cáo",
			"Kết quả", "Lý do", "Người kiểm tra", "Thời điểm kiểm tra"}
		if got := row(t, f, sh, 3); !reflect.DeepEqual(got, want) {
			t.Errorf("header = %q, want %q", got, want)
		}
		want = []string{"1", "Ấp An Sơn", "Đỗ Thị Lan", "Tổ 1, ấp An Sơn", "0388000111", "Nguyễn Hữu Phước",
			"01/01/2026 07:00", "Không đạt", "Hộ cho biết chưa được hướng dẫn", "Lê Thị Kiểm", "05/01/2026 09:30"}
		if got := row(t, f, sh, 4); !reflect.DeepEqual(got, want) {
			t.Errorf("row 4 = %q, want %q", got, want)
		}
		checkDateCell(t, f, sh, "K4", time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC))
		checkAutoFilter(t, f, sh, "$A$3:$K$5")
		if got := cell(t, f, sh, "H5"); got != "Chưa kiểm tra" {
			t.Errorf("H5 = %q", got)
		}
		if got := cell(t, f, sh, "K5"); got != "" {
			t.Errorf("unchecked record has check time %q, want blank", got)
		}
	})
}

// TestWriteReportProvisional checks a period that has not ended says so.
func TestWriteReportProvisional(t *testing.T) {
	r := sampleReport()
	r.Provisional = true
	var buf bytes.Buffer
	if err := WriteReport(&buf, vn(t), r, procNames); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := cell(t, f, "Tổng hợp ấp", "A2"); !strings.HasPrefix(got, "Kỳ báo cáo: Quý II/2026 (01/04/2026 – 30/06/2026) (tạm tính) · Số liệu tính đến hết ngày 30/06/2026") {
		t.Errorf("A2 = %q", got)
	}
}

// TestWriteReportContinuesEvidence checks evidence past a sheet's row limit
// continues on numbered sheets placed before Kiểm tra, every row once, in
// order, each sheet with its title and header.
func TestWriteReportContinuesEvidence(t *testing.T) {
	const maxRows = 6 // 2 title rows + header + 3 records (the total on the last)
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
			if len(row) > 4 {
				phones = append(phones, row[4])
			}
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
	if got := cell(t, f, "Tổng hợp ấp", "A4"); got != "Tổng cộng (0 ấp)" {
		t.Errorf("A4 = %q, want the totals row", got)
	}
	if got := cell(t, f, "Tổng hợp ấp", "H4"); got != "" {
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
	for _, ref := range []string{"H4", "I4"} {
		if got := raw(t, f, "Tổng hợp ấp", ref); got != "" {
			t.Errorf("%s = %q, want blank for a value that is not a number", ref, got)
		}
	}
}
