package export

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
)

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, vn(t), SliceRows(sampleRows()), procNames); err != nil {
		t.Fatalf("WriteXLSX: %v", err)
	}
	f := open(t, buf.Bytes())
	const sh = "Danh sách hộ"
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{sh}) {
		t.Fatalf("sheets = %q, want [%q]", got, sh)
	}
	wantHeader := []string{"Mã ấp", "Tên ấp", "Chủ hộ", "Địa chỉ", "Số điện thoại", "Thủ tục",
		"Cán bộ hướng dẫn", "Kênh báo cáo", "Thời điểm báo cáo", "Kiểm tra"}
	if got := row(t, f, sh, 1); !reflect.DeepEqual(got, wantHeader) {
		t.Errorf("header = %q, want %q", got, wantHeader)
	}
	checkFrozen(t, f, sh, 1)

	tests := []struct{ ref, want string }{
		{"A2", "hon-tre"},
		{"B2", "Ấp Hòn Tre"},
		{"C2", "Nguyễn Thị Ánh Tuyết"},
		{"D2", "Tổ 3, ấp Bãi Nhà, đặc khu Kiên Hải"},
		{"E2", "0912345678"},
		{"F2", "Đăng ký khai sinh; Đăng ký thường trú"},
		{"G2", "Trần Văn Đức"},
		{"H2", "Telegram"},
		{"I2", "02/05/2026 08:15"},
		{"J2", "Đạt"},
		{"F3", "Khác: Đăng ký biến động đất đai"},
		{"H3", "Zalo"},
		{"I3", "31/12/2026 23:59"},
		{"J3", "Chưa kiểm tra"},
		// XLSX text cells are never evaluated: kept exactly as entered.
		{"D4", `=HYPERLINK("http://x","bấm")`},
		{"G4", "@Nguyễn Hữu Phước"},
		{"H4", ""}, // no channel known
		{"I4", "01/01/2026 07:00"},
		{"J4", "Không đạt"},
	}
	for _, tt := range tests {
		if got := cell(t, f, sh, tt.ref); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if formula, _ := f.GetCellFormula(sh, "D4"); formula != "" {
		t.Errorf("D4 has formula %q, want plain text", formula)
	}

	// Phone: a text cell with the text format, leading zero intact.
	if typ, _ := f.GetCellType(sh, "E2"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("phone cell type = %v, want a string", typ)
	}
	if got := numFmt(t, f, sh, "E2"); got != "#49" {
		t.Errorf("phone number format = %s, want #49 (@, text)", got)
	}
	// Channel: a text cell named as people write it; the account id on
	// the channel is left to the CSV.
	if typ, _ := f.GetCellType(sh, "H3"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("channel cell type = %v, want a string", typ)
	}
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(c, "123456789") || strings.Contains(c, "6ede9afa") {
				t.Errorf("an account id is in the workbook: %q", c)
			}
		}
	}
	checkDateCell(t, f, sh, "I2", time.Date(2026, 5, 2, 8, 15, 0, 0, time.UTC))

	checkAutoFilter(t, f, sh, "$A$1:$J$4")

	widths := map[string]float64{"C": 26, "D": 36, "E": 14, "F": 44, "I": 18}
	for col, want := range widths {
		if got, _ := f.GetColWidth(sh, col); got != want {
			t.Errorf("column %s width = %v, want %v", col, got, want)
		}
	}
}

// checkAutoFilter asserts the sheet has an auto filter over ref.
func checkAutoFilter(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	want := "'" + sheet + "'!" + ref
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.RefersTo == want {
			return
		}
	}
	t.Errorf("no auto filter %s in %+v", want, f.GetDefinedName())
}

// checkFrozen asserts the rows up to header are frozen.
func checkFrozen(t *testing.T, f *excelize.File, sheet string, header int) {
	t.Helper()
	p, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatalf("%s panes: %v", sheet, err)
	}
	if !p.Freeze || p.YSplit != header || p.XSplit != 0 || p.TopLeftCell != "A"+strconv.Itoa(header+1) {
		t.Errorf("%s panes = %+v, want frozen below row %d", sheet, p, header)
	}
}

// checkDateCell asserts ref holds a real date-time number equal to the wall
// time want (given in UTC fields), shown as dd/mm/yyyy hh:mm.
func checkDateCell(t *testing.T, f *excelize.File, sheet, ref string, want time.Time) {
	t.Helper()
	if typ, _ := f.GetCellType(sheet, ref); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s!%s type = %v, want a number", sheet, ref, typ)
	}
	v, err := strconv.ParseFloat(raw(t, f, sheet, ref), 64)
	if err != nil {
		t.Fatalf("%s!%s is not numeric: %v", sheet, ref, err)
	}
	got, err := excelize.ExcelDateToTime(v, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := got.Sub(want); d < -time.Second || d > time.Second {
		t.Errorf("%s!%s = %v, want %v (local wall time)", sheet, ref, got, want)
	}
	if got := numFmt(t, f, sheet, ref); got != "dd/mm/yyyy hh:mm" {
		t.Errorf("%s!%s number format = %q, want dd/mm/yyyy hh:mm", sheet, ref, got)
	}
}

func TestExcelTime(t *testing.T) {
	loc := vn(t)
	tests := []struct {
		in   time.Time
		want float64
		ok   bool
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, loc), 46023, true},
		{time.Date(2026, 1, 1, 12, 0, 0, 0, loc), 46023.5, true},
		{time.Date(2025, 12, 31, 17, 0, 0, 0, time.UTC), 46023, true}, // 00:00 on 01/01 in Vietnam
		{time.Date(1970, 1, 1, 0, 0, 0, 0, loc), 25569, true},
		{time.Time{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := excelTime(tt.in, loc)
		if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("excelTime(%v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestProcedureLabel(t *testing.T) {
	var sb strings.Builder
	tests := []struct {
		ids   []string
		other string
		want  string
	}{
		{nil, "", ""},
		{[]string{"khai_sinh"}, "", "Đăng ký khai sinh"},
		{[]string{"khai_sinh", "bhyt"}, "", "Đăng ký khai sinh; Gia hạn thẻ BHYT hộ gia đình"},
		{[]string{"khai_sinh", "khac"}, "Cấp đổi sổ đỏ", "Đăng ký khai sinh; Khác: Cấp đổi sổ đỏ"},
		{[]string{"khai_sinh"}, "Cấp đổi sổ đỏ", "Đăng ký khai sinh; Khác: Cấp đổi sổ đỏ"},
		{[]string{"khong_ro"}, "", "khong_ro"},
		{[]string{"unused_name"}, "", "unused_name"},
	}
	for _, tt := range tests {
		if got := procedureLabel(&sb, tt.ids, tt.other, procNames); got != tt.want {
			t.Errorf("procedureLabel(%q, %q) = %q, want %q", tt.ids, tt.other, got, tt.want)
		}
	}
}

func TestWriteXLSXErrors(t *testing.T) {
	errSource := errors.New("bbolt cursor broke")
	src := func(yield func(EvidenceRow) error) error { return errSource }
	if err := WriteXLSX(&bytes.Buffer{}, vn(t), src, procNames); !errors.Is(err, errSource) {
		t.Errorf("WriteXLSX = %v, want %v", err, errSource)
	}
	if err := WriteXLSX(&bytes.Buffer{}, nil, nil, nil); err == nil {
		t.Error("WriteXLSX with a nil location = nil, want an error")
	}
	if err := WriteXLSX(&failingWriter{after: 100}, vn(t), SliceRows(sampleRows()), nil); err == nil {
		t.Error("WriteXLSX to a failing writer = nil, want an error")
	}
}

// TestWriteXLSXEmpty checks that an export without rows is a valid workbook
// with its header.
func TestWriteXLSXEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, vn(t), nil, nil); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if got := cell(t, f, "Danh sách hộ", "A1"); got != "Mã ấp" {
		t.Errorf("A1 = %q", got)
	}
	if rows, _ := f.GetRows("Danh sách hộ"); len(rows) != 1 {
		t.Errorf("got %d rows, want the header only", len(rows))
	}
}

// TestWriteXLSXInvalidText checks that text no XML file can hold (control
// characters, invalid UTF-8) does not break the workbook.
func TestWriteXLSXInvalidText(t *testing.T) {
	r := sampleRows()[0]
	r.HouseholdName = "Nguyễn\x00\x01 Văn \xff An <b>&amp;</b>"
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, vn(t), SliceRows([]EvidenceRow{r}), procNames); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	got := cell(t, f, "Danh sách hộ", "C2")
	if !strings.HasPrefix(got, "Nguyễn") || !strings.Contains(got, "<b>&amp;</b>") {
		t.Errorf("C2 = %q", got)
	}
	if got := cell(t, f, "Danh sách hộ", "E2"); got != "0912345678" {
		t.Errorf("E2 = %q", got)
	}
}

func TestCheckLabelsInXLSX(t *testing.T) {
	var rows []EvidenceRow
	for _, c := range []campaign.CheckStatus{campaign.CheckNone, campaign.CheckPassed, campaign.CheckFailed, campaign.CheckUnreachable} {
		r := sampleRows()[0]
		r.Check = c
		rows = append(rows, r)
	}
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, vn(t), SliceRows(rows), procNames); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	for i, want := range []string{"Chưa kiểm tra", "Đạt", "Không đạt", "Chưa liên lạc được"} {
		if got := cell(t, f, "Danh sách hộ", "J"+strconv.Itoa(i+2)); got != want {
			t.Errorf("J%d = %q, want %q", i+2, got, want)
		}
	}
}
