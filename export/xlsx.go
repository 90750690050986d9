package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// fontName is the font of every workbook, as of the documents (Decree
// 30/2020/NĐ-CP).
const fontName = "Times New Roman"

// excelizeMaxRows is the number of rows an XLSX sheet can hold.
const excelizeMaxRows = excelize.TotalRows

// evidenceSheet is the name of the (first) sheet holding evidence rows.
const evidenceSheet = "Danh sách hộ"

// column is one column of a sheet: its header and width in characters.
type column struct {
	header string
	width  float64
}

// evidenceColumns are the columns of the evidence sheets. Documents for the
// council carry no hamlet slug and no account id (the CSV has them).
var evidenceColumns = []column{
	{"STT", 6},
	{"Tên ấp", 16},
	{"Chủ hộ", 24},
	{"Địa chỉ", 32},
	{"Số điện thoại", 13},
	{"Hình thức", 14},
	{"Thủ tục đã hướng dẫn", 40},
	{"Mã hồ sơ", 20},
	{"Ảnh", 6},
	{"Cán bộ hướng dẫn / ghi nhận", 22},
	{"Thời điểm báo cáo", 18},
	{"Kiểm tra", 14},
}

// DefaultAnnexTitle is the title of an evidence list without one.
const DefaultAnnexTitle = "Danh sách hộ gia đình được hướng dẫn thực hiện dịch vụ công trực tuyến"

// Annex is an evidence list as a workbook for people: the /hoso annex or an
// export for the office.
type Annex struct {
	// Title is the first row (DefaultAnnexTitle when empty); Scope an
	// optional line under it ("Ấp Hòn Tre, từ ngày 01/01/2026").
	Title, Scope string
	// FiguresAt is the day the list stops at, stated under the title
	// ("Số liệu tính đến hết ngày 28/11/2026"); zero leaves the line out.
	FiguresAt scoring.Date
	// GeneratedAt, when set, is stated with the time the file was made.
	GeneratedAt time.Time
	Rows        RowSource
	// ProcedureNames names the procedures by id (the plan's catalogue
	// fills in the ids it lacks; an unknown id is shown as is).
	ProcedureNames map[string]string
}

// WriteAnnex writes an evidence list as an XLSX workbook for people: one
// sheet "Danh sách hộ" (continued on "Danh sách hộ (2)", … past the sheet
// row limit) with the title, the day the figures stop at, a bold header row
// frozen and repeated on every printed page, an STT column, the phone as
// text, the procedures by name with what was typed after «Khác», the portal
// dossier code and the number of photos, self-declared households marked
// as such, the report time as a real date-time in loc, and a last row
// summing the list (Tally.Summary); printed landscape, fitted to the page
// width, in Times New Roman. It returns the list's tally, whose figures are
// the ones the last row states.
func WriteAnnex(w io.Writer, loc *time.Location, a Annex) (Tally, error) {
	if loc == nil {
		return Tally{}, errNilLocation
	}
	b, err := newBook(loc, excelizeMaxRows)
	if err != nil {
		return Tally{}, err
	}
	defer b.close()
	title := a.Title
	if title == "" {
		title = DefaultAnnexTitle
	}
	pre := []string{title}
	var sub []string
	if a.Scope != "" {
		sub = append(sub, a.Scope)
	}
	if !a.FiguresAt.IsZero() {
		sub = append(sub, scoring.FiguresAtText(a.FiguresAt))
	}
	if !a.GeneratedAt.IsZero() {
		sub = append(sub, "Lập lúc "+a.GeneratedAt.In(loc).Format("15:04 ngày 02/01/2006"))
	}
	if len(sub) > 0 {
		pre = append(pre, strings.Join(sub, " · "))
	}
	t, err := b.writeEvidence(pre, a.Rows, a.ProcedureNames)
	if err != nil {
		return t, err
	}
	return t, b.write(w)
}

// styles are the cell style ids registered in one workbook.
type styles struct {
	title, subtitle, header     int
	text, count, id             int
	percent, datetime           int
	boldText, boldCount, boldPc int
	stt, wrap, code, boldWrap   int
}

// book is one workbook being written sheet after sheet.
type book struct {
	f       *excelize.File
	loc     *time.Location
	maxRows int // rows a sheet may hold, header and title rows included
	st      styles
	sheets  int
}

// newBook starts an empty workbook whose sheets hold at most maxRows rows.
func newBook(loc *time.Location, maxRows int) (*book, error) {
	b := &book{f: excelize.NewFile(), loc: loc, maxRows: maxRows}
	// The first sheet is the active one. Set now: SetActiveSheet reads every
	// worksheet back, which for a streamed sheet means parsing it again.
	b.f.SetActiveSheet(0)
	if err := b.f.SetDefaultFont(fontName); err != nil {
		_ = b.f.Close()
		return nil, fmt.Errorf("export: default font: %w", err)
	}
	if err := b.registerStyles(); err != nil {
		_ = b.f.Close()
		return nil, err
	}
	return b, nil
}

// close releases the workbook's temporary files.
func (b *book) close() { _ = b.f.Close() }

// registerStyles registers the cell styles. Percentages are text cells
// written by scoring.Percent ("91,2%": one decimal, a decimal comma,
// truncated), right-aligned: Excel's own 0.0% format would round 94,99% up
// to "95.0%" and show the decimal point of the reader's locale.
func (b *book) registerStyles() error {
	dt := "dd/mm/yyyy hh:mm"
	font := func(bold, italic bool, size float64) *excelize.Font {
		return &excelize.Font{Family: fontName, Bold: bold, Italic: italic, Size: size}
	}
	right := &excelize.Alignment{Horizontal: "right"}
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1},
		{Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1},
		{Type: "bottom", Color: "595959", Style: 1},
	}
	totalBorder := []excelize.Border{{Type: "top", Color: "595959", Style: 1}}
	defs := []struct {
		id *int
		s  *excelize.Style
	}{
		{&b.st.title, &excelize.Style{Font: font(true, false, 14)}},
		{&b.st.subtitle, &excelize.Style{Font: font(false, true, 12)}},
		{&b.st.header, &excelize.Style{
			Font:      font(true, false, 12),
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Border:    border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		}},
		{&b.st.text, &excelize.Style{Font: font(false, false, 12), NumFmt: 49}}, // @: text, keeps a phone's leading zero when edited
		{&b.st.count, &excelize.Style{Font: font(false, false, 12), NumFmt: 3}}, // #,##0
		{&b.st.id, &excelize.Style{Font: font(false, false, 12), NumFmt: 1}},    // 0: never scientific notation
		{&b.st.percent, &excelize.Style{Font: font(false, false, 12), NumFmt: 49, Alignment: right}},
		{&b.st.datetime, &excelize.Style{Font: font(false, false, 12), CustomNumFmt: &dt}},
		{&b.st.boldText, &excelize.Style{Font: font(true, false, 12), Border: totalBorder}},
		{&b.st.boldCount, &excelize.Style{Font: font(true, false, 12), Border: totalBorder, NumFmt: 3}},
		{&b.st.boldPc, &excelize.Style{Font: font(true, false, 12), Border: totalBorder, NumFmt: 49, Alignment: right}},
		{&b.st.stt, &excelize.Style{Font: font(false, false, 12), NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "center"}}},
		{&b.st.wrap, &excelize.Style{Font: font(false, false, 12), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.st.boldWrap, &excelize.Style{Font: font(true, false, 12), Border: totalBorder, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&b.st.code, &excelize.Style{Font: font(false, false, 12), NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true}}},
	}
	for _, d := range defs {
		id, err := b.f.NewStyle(d.s)
		if err != nil {
			return fmt.Errorf("export: create cell style: %w", err)
		}
		*d.id = id
	}
	return nil
}

// sheet is one sheet being streamed.
type sheet struct {
	b      *book
	name   string
	sw     *excelize.StreamWriter
	header int // row number of the header row
	row    int // last row written
	ncols  int
}

// startSheet adds a sheet (the workbook's first sheet takes the place of the
// default one) with the preamble lines above a frozen header row.
func (b *book) startSheet(name string, preamble []string, cols []column) (*sheet, error) {
	if b.sheets == 0 {
		if err := b.f.SetSheetName(b.f.GetSheetName(0), name); err != nil {
			return nil, fmt.Errorf("export: name sheet %q: %w", name, err)
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("export: add sheet %q: %w", name, err)
	}
	b.sheets++
	if err := b.printSetup(name, len(preamble)+1); err != nil {
		return nil, err
	}
	sw, err := b.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("export: stream sheet %q: %w", name, err)
	}
	s := &sheet{b: b, name: name, sw: sw, header: len(preamble) + 1, ncols: len(cols)}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return nil, fmt.Errorf("export: sheet %q: column width: %w", name, err)
		}
	}
	first := fmt.Sprintf("A%d", s.header+1)
	if err := sw.SetPanes(&excelize.Panes{
		Freeze:      true,
		YSplit:      s.header,
		TopLeftCell: first,
		ActivePane:  "bottomLeft",
		Selection:   []excelize.Selection{{SQRef: first, ActiveCell: first, Pane: "bottomLeft"}},
	}); err != nil {
		return nil, fmt.Errorf("export: sheet %q: freeze header: %w", name, err)
	}
	for i, line := range preamble {
		st, opts := b.st.subtitle, excelize.RowOpts{}
		if i == 0 {
			st, opts = b.st.title, excelize.RowOpts{Height: 22}
		}
		if err := s.addRow([]any{excelize.Cell{StyleID: st, Value: line}}, opts); err != nil {
			return nil, err
		}
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = excelize.Cell{StyleID: b.st.header, Value: c.header}
	}
	if err := s.addRow(hdr, excelize.RowOpts{Height: 48}); err != nil { // three lines of a wrapped header
		return nil, err
	}
	return s, nil
}

// printSetup lays out a sheet for printing: A4 landscape, fitted to the
// page width (as many pages down as needed), the rows down to the header
// repeated on every page, the page number in the footer. It must run
// before the sheet's stream writer starts: the sheet's properties are
// written first.
func (b *book) printSetup(name string, header int) error {
	a4, landscape, one, any := 9, "landscape", 1, 0
	fit := true
	if err := b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return fmt.Errorf("export: sheet %q: fit to page: %w", name, err)
	}
	if err := b.f.SetPageLayout(name, &excelize.PageLayoutOptions{
		Size: &a4, Orientation: &landscape, FitToWidth: &one, FitToHeight: &any,
	}); err != nil {
		return fmt.Errorf("export: sheet %q: page layout: %w", name, err)
	}
	if err := b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: "&C&\"Times New Roman\"&10Trang &P/&N"}); err != nil {
		return fmt.Errorf("export: sheet %q: footer: %w", name, err)
	}
	if err := b.f.SetDefinedName(&excelize.DefinedName{
		Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$1:$%d", name, header), Scope: name,
	}); err != nil {
		return fmt.Errorf("export: sheet %q: print titles: %w", name, err)
	}
	return nil
}

// full reports whether the sheet has no room for another row.
func (s *sheet) full() bool { return s.row >= s.b.maxRows }

// addRow writes the next row.
func (s *sheet) addRow(vals []any, opts ...excelize.RowOpts) error {
	s.row++
	if err := s.sw.SetRow(fmt.Sprintf("A%d", s.row), vals, opts...); err != nil {
		return fmt.Errorf("export: sheet %q row %d: %w", s.name, s.row, err)
	}
	return nil
}

// doneWithTotal ends the sheet with a bold last row stating the total
// (across the table, out of the auto filter's range).
func (s *sheet) doneWithTotal(total string) error {
	last := s.row
	if err := s.addRow([]any{excelize.Cell{StyleID: s.b.st.boldText, Value: total}}); err != nil {
		return err
	}
	end, err := excelize.ColumnNumberToName(s.ncols)
	if err != nil {
		return fmt.Errorf("export: sheet %q: %w", s.name, err)
	}
	if err := s.sw.MergeCell(fmt.Sprintf("A%d", s.row), fmt.Sprintf("%s%d", end, s.row)); err != nil {
		return fmt.Errorf("export: sheet %q: total row: %w", s.name, err)
	}
	return s.finish(last)
}

// done adds an auto filter over the table (when it has rows) and ends the
// sheet.
func (s *sheet) done() error { return s.finish(s.row) }

// finish adds an auto filter over the table down to row last (when it has
// rows) and ends the sheet.
func (s *sheet) finish(last int) error {
	if last > s.header {
		col, err := excelize.ColumnNumberToName(s.ncols)
		if err != nil {
			return fmt.Errorf("export: sheet %q: %w", s.name, err)
		}
		ref := fmt.Sprintf("A%d:%s%d", s.header, col, last)
		if err := s.b.f.AutoFilter(s.name, ref, nil); err != nil {
			return fmt.Errorf("export: sheet %q: auto filter: %w", s.name, err)
		}
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("export: finish sheet %q: %w", s.name, err)
	}
	return nil
}

// write writes the workbook to w. The ZIP goes straight to w: excelize's
// own Write would first build the whole file in memory, which a
// 2,000,000-row export cannot afford.
func (b *book) write(w io.Writer) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	// Everything goes to zw; the buffer excelize hands to its ZipWriter
	// stays empty, and so does what it copies to io.Discard.
	if err := b.f.Write(io.Discard); err != nil {
		return fmt.Errorf("export: write workbook: %w", err)
	}
	return nil
}

// writeEvidence streams the evidence rows onto "Danh sách hộ" and, past a
// sheet's row limit, onto "Danh sách hộ (2)", "Danh sách hộ (3)", …, then
// the row summing the list, and returns the list's tally.
func (b *book) writeEvidence(preamble []string, rows RowSource, procedureNames map[string]string) (Tally, error) {
	s, err := b.startSheet(evidenceSheet, preamble, evidenceColumns)
	if err != nil {
		return Tally{}, err
	}
	names := withCatalogue(procedureNames)
	tally := newTallier()
	part := 1
	vals := make([]any, len(evidenceColumns))
	var sb strings.Builder
	var writeErr error
	err = each(rows, func(r EvidenceRow) error {
		if writeErr != nil {
			return writeErr // the source went on after an error
		}
		if s.full() {
			if writeErr = s.done(); writeErr != nil {
				return writeErr
			}
			part++
			if s, writeErr = b.startSheet(fmt.Sprintf("%s (%d)", evidenceSheet, part), preamble, evidenceColumns); writeErr != nil {
				return writeErr
			}
		}
		tally.add(&r)
		vals[0] = excelize.Cell{StyleID: b.st.stt, Value: tally.t.Rows}
		vals[1] = text(r.HamletName)
		vals[2] = text(r.HouseholdName)
		vals[3] = text(r.Address)
		vals[4] = excelize.Cell{StyleID: b.st.text, Value: r.Phone}
		vals[5] = r.Kind.Label()
		vals[6] = text(procedureLabel(&sb, r.Procedures, r.OtherProcedure, names))
		vals[7] = nil
		if r.DossierCode != "" {
			vals[7] = excelize.Cell{StyleID: b.st.code, Value: r.DossierCode}
		}
		vals[8] = nil
		if r.Photos > 0 {
			vals[8] = b.count(r.Photos)
		}
		vals[9] = text(r.OfficerName)
		vals[10] = b.dateCell(r.ReportedAt)
		vals[11] = r.Check.Label()
		writeErr = s.addRow(vals)
		return writeErr
	})
	t := tally.done()
	if writeErr != nil {
		return t, writeErr
	}
	if err != nil {
		return t, fmt.Errorf("export: read evidence rows for XLSX: %w", err)
	}
	if s.full() {
		if err := s.done(); err != nil {
			return t, err
		}
		if s, err = b.startSheet(fmt.Sprintf("%s (%d)", evidenceSheet, part+1), preamble, evidenceColumns); err != nil {
			return t, err
		}
	}
	return t, s.doneWithTotal(t.Summary())
}

// procedureLabel names the procedures for people: catalogue names joined by
// "; ", the free text of "Khác" after its name.
func procedureLabel(sb *strings.Builder, ids []string, other string, names map[string]string) string {
	sb.Reset()
	otherShown := false
	for i, id := range ids {
		if i > 0 {
			sb.WriteString("; ")
		}
		name, ok := names[id]
		if !ok || name == "" {
			name = id
		}
		sb.WriteString(name)
		if id == campaign.OtherProcedureID && other != "" && !otherShown {
			sb.WriteString(": ")
			sb.WriteString(other)
			otherShown = true
		}
	}
	if other != "" && !otherShown {
		if sb.Len() > 0 {
			sb.WriteString("; ")
		}
		name := names[campaign.OtherProcedureID]
		if name == "" {
			name = "Khác"
		}
		sb.WriteString(name)
		sb.WriteString(": ")
		sb.WriteString(other)
	}
	return sb.String()
}

// text is a string cell value; an empty string leaves the cell empty.
func text(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dateCell is a date-time cell holding t's wall time in the book's location,
// or an empty cell for the zero time.
func (b *book) dateCell(t time.Time) any {
	v, ok := excelTime(t, b.loc)
	if !ok {
		return nil
	}
	return excelize.Cell{StyleID: b.st.datetime, Value: v}
}

// percentCell is a fraction as a right-aligned text cell in the one format
// of every document ("91,2%", scoring.Percent), or an empty cell for a
// value that is not a finite number.
func percentCell(v float64, style int) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: scoring.Percent(v)}
}

// number is n with Vietnamese thousands separators.
func number(n int) string { return scoring.Number(n) }

// excelTime is the Excel serial date-time (1900 date system) of t's wall
// clock in loc; ok is false for the zero time and dates Excel cannot show.
func excelTime(t time.Time, loc *time.Location) (serial float64, ok bool) {
	if t.IsZero() {
		return 0, false
	}
	wall := t.In(loc)
	y, m, d := wall.Date()
	if y < 1901 || y > 9999 {
		return 0, false
	}
	// 25569 is the serial of 1970-01-01 (Excel counts the non-existent
	// 29/02/1900, so this holds from 01/03/1900 on).
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + 25569
	secs := float64(wall.Hour()*3600+wall.Minute()*60+wall.Second()) + float64(wall.Nanosecond())/1e9
	// The serial's binary fraction can fall a hair short of the minute
	// (07:00 as 06:59:59.99…), which LibreOffice then shows as 06:59: a
	// millisecond more is invisible in every format.
	return float64(days) + (secs+1e-3)/86400, true
}

// wrappedHeight is the height of a row whose wrapped text s runs in a
// column width characters wide (Times New Roman 12 pt), or 0 for one line:
// streamed rows are not fitted to their text by the spreadsheet.
func wrappedHeight(s string, width float64) float64 {
	n := utf8.RuneCountInString(s)
	perLine := int(width * 1.05)
	if perLine < 1 || n <= perLine {
		return 0
	}
	return float64((n+perLine-1)/perLine) * 16
}
