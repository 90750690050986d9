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
	"dvcbot/scoring"
)

func TestWriteXLSX(t *testing.T) {
	var buf bytes.Buffer
	tally, err := WriteAnnex(&buf, vn(t), Annex{Scope: "Ấp Hòn Tre và các ấp lân cận", FiguresAt: scoring.NewDate(2026, 11, 28),
		Rows: SliceRows(sampleRows()), ProcedureNames: procNames})
	if err != nil {
		t.Fatalf("WriteAnnex: %v", err)
	}
	f := open(t, buf.Bytes())
	const sh = "Danh sách hộ"
	if got := f.GetSheetList(); !reflect.DeepEqual(got, []string{sh}) {
		t.Fatalf("sheets = %q, want [%q]", got, sh)
	}
	if got := cell(t, f, sh, "A1"); got != DefaultAnnexTitle {
		t.Errorf("title = %q", got)
	}
	if got, want := cell(t, f, sh, "A2"), "Ấp Hòn Tre và các ấp lân cận · Số liệu tính đến hết ngày 28/11/2026"; got != want {
		t.Errorf("A2 = %q, want %q", got, want)
	}
	// For the council: no hamlet slug, no account id.
	wantHeader := []string{"STT", "Tên ấp", "Chủ hộ", "Địa chỉ", "Số điện thoại", "Hình thức", "Thủ tục đã hướng dẫn",
		"Mã hồ sơ", "Ảnh", "Cán bộ hướng dẫn / ghi nhận", "Thời điểm báo cáo", "Kiểm tra"}
	if got := row(t, f, sh, 3); !reflect.DeepEqual(got, wantHeader) {
		t.Errorf("header = %q, want %q", got, wantHeader)
	}
	checkFrozen(t, f, sh, 3)
	checkPrint(t, f, sh, 3)
	checkBold(t, f, sh, "A3")

	tests := []struct{ ref, want string }{
		{"A4", "1"},
		{"B4", "Ấp Hòn Tre"},
		{"C4", "Nguyễn Thị Ánh Tuyết"},
		{"D4", "Tổ 3, ấp Bãi Nhà, đặc khu Kiên Hải"},
		{"E4", "0912345678"},
		{"F4", "Được hướng dẫn"},
		{"G4", "Đăng ký khai sinh; Đăng ký thường trú"},
		{"H4", "000.00.35.H47-260502-0001"},
		{"I4", "2"},
		{"J4", "Trần Văn Đức"},
		{"K4", "02/05/2026 08:15"},
		{"L4", "Đạt"},
		{"A5", "2"},
		{"G5", "Khác: Đăng ký biến động đất đai"},
		{"H5", ""},
		{"I5", ""},
		{"K5", "31/12/2026 23:59"},
		{"L5", "Chưa kiểm tra"},
		// XLSX text cells are never evaluated: kept exactly as entered.
		{"D6", `=HYPERLINK("http://x","bấm")`},
		{"H6", "=cmd|' /C calc'!A0"},
		{"J6", "@Nguyễn Hữu Phước"},
		{"K6", "01/01/2026 07:00"},
		{"L6", "Không đạt"},
		// The self-declared household is on the list, marked as such.
		{"C7", "Võ Thị Mai"},
		{"F7", "Tự thực hiện được (tự khai)"},
		{"G7", ""},
		{"J7", "Trần Văn Đức"},
		// The last row sums the list.
		{"A8", "Cộng 4 dòng: 3 lượt hướng dẫn của 3 hộ; 1 hộ tự khai đã biết làm; tổng số 4 hộ."},
	}
	for _, tt := range tests {
		if got := cell(t, f, sh, tt.ref); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.ref, got, tt.want)
		}
	}
	for _, ref := range []string{"D6", "H6"} {
		if formula, _ := f.GetCellFormula(sh, ref); formula != "" {
			t.Errorf("%s has formula %q, want plain text", ref, formula)
		}
	}
	if rows, _ := f.GetRows(sh); len(rows) != 8 {
		t.Errorf("%d rows, want title, scope, header, 4 rows and the total", len(rows))
	}
	if tally.Rows != 4 || tally.Reports != 3 || tally.SelfDeclared != 1 || tally.Households != 4 || tally.Guided != 3 ||
		tally.SelfDeclaredOnly != 1 || tally.Procedures != 4 || tally.WithDossierCode != 2 || tally.Photos != 2 {
		t.Errorf("tally = %+v", tally)
	}

	// Phone: a text cell with the text format, leading zero intact.
	if typ, _ := f.GetCellType(sh, "E4"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("phone cell type = %v, want a string", typ)
	}
	if got := numFmt(t, f, sh, "E4"); got != "#49" {
		t.Errorf("phone number format = %s, want #49 (@, text)", got)
	}
	if got := numFmt(t, f, sh, "H4"); got != "#49" {
		t.Errorf("dossier code number format = %s, want #49 (@, text)", got)
	}
	checkDateCell(t, f, sh, "K4", time.Date(2026, 5, 2, 8, 15, 0, 0, time.UTC))
	checkAutoFilter(t, f, sh, "$A$3:$L$7")

	widths := map[string]float64{"A": 6, "C": 24, "D": 32, "E": 13, "G": 40, "H": 20, "K": 18}
	for col, want := range widths {
		if got, _ := f.GetColWidth(sh, col); got != want {
			t.Errorf("column %s width = %v, want %v", col, got, want)
		}
	}
}

// TestWriteXLSXDefaults checks the evidence list without a scope or a day:
// the default title, the header under it.
func TestWriteXLSXDefaults(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, vn(t), SliceRows(sampleRows()[:1]), procNames); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	want := [][]string{{DefaultAnnexTitle}, {"STT", "Tên ấp"}}
	for i, w := range want {
		if got := row(t, f, "Danh sách hộ", i+1); !reflect.DeepEqual(got[:len(w)], w) {
			t.Errorf("row %d = %q, want %q…", i+1, got, w)
		}
	}
	checkFrozen(t, f, "Danh sách hộ", 2)
	checkPrint(t, f, "Danh sách hộ", 2)
}

// checkPrint asserts the sheet prints on A4 landscape, fitted to the page
// width, with the rows down to the header repeated on every page, and that
// the workbook's font is Times New Roman.
func checkPrint(t *testing.T, f *excelize.File, sheet string, header int) {
	t.Helper()
	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatalf("%s page layout: %v", sheet, err)
	}
	if pl.Orientation == nil || *pl.Orientation != "landscape" || pl.Size == nil || *pl.Size != 9 ||
		pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
		t.Errorf("%s page layout: orientation %v size %v fit %v×%v", sheet, deref(pl.Orientation), deref(pl.Size), deref(pl.FitToWidth), deref(pl.FitToHeight))
	}
	if sp, err := f.GetSheetProps(sheet); err != nil || sp.FitToPage == nil || !*sp.FitToPage {
		t.Errorf("%s does not fit to the page: %v", sheet, err)
	}
	want := "'" + sheet + "'!$1:$" + strconv.Itoa(header)
	found := false
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" && d.Scope == sheet && d.RefersTo == want {
			found = true
		}
	}
	if !found {
		t.Errorf("%s: no print titles %s in %+v", sheet, want, f.GetDefinedName())
	}
	if font, _ := f.GetDefaultFont(); font != "Times New Roman" {
		t.Errorf("default font %q, want Times New Roman", font)
	}
	id, _ := f.GetCellStyle(sheet, "A"+strconv.Itoa(header))
	if st, _ := f.GetStyle(id); st == nil || st.Font == nil || st.Font.Family != "Times New Roman" {
		t.Errorf("%s header font is not Times New Roman: %+v", sheet, st)
	}
}

// checkBold asserts the cell is bold.
func checkBold(t *testing.T, f *excelize.File, sheet, ref string) {
	t.Helper()
	id, _ := f.GetCellStyle(sheet, ref)
	if st, _ := f.GetStyle(id); st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("%s!%s is not bold", sheet, ref)
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
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
		// A millisecond is added so that no reader shows 06:59 for 07:00.
		if ok != tt.ok || math.Abs(got-tt.want) > 2e-8 || (ok && got < tt.want) {
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
	if got := cell(t, f, "Danh sách hộ", "A2"); got != "STT" {
		t.Errorf("A2 = %q", got)
	}
	rows, _ := f.GetRows("Danh sách hộ")
	if len(rows) != 3 || rows[2][0] != "Cộng 0 dòng: 0 lượt hướng dẫn của 0 hộ; tổng số 0 hộ." {
		t.Errorf("got %q, want the title, the header and the total", rows)
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
	got := cell(t, f, "Danh sách hộ", "C3")
	if !strings.HasPrefix(got, "Nguyễn") || !strings.Contains(got, "<b>&amp;</b>") {
		t.Errorf("C3 = %q", got)
	}
	if got := cell(t, f, "Danh sách hộ", "E3"); got != "0912345678" {
		t.Errorf("E3 = %q", got)
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
		if got := cell(t, f, "Danh sách hộ", "L"+strconv.Itoa(i+3)); got != want {
			t.Errorf("L%d = %q, want %q", i+3, got, want)
		}
	}
}
