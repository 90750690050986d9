package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
)

// excelizeMaxRows is the number of rows an XLSX sheet can hold.
const excelizeMaxRows = excelize.TotalRows

// evidenceSheet is the name of the (first) sheet holding evidence rows.
const evidenceSheet = "Danh sách hộ"

// column is one column of a sheet: its header and width in characters.
type column struct {
	header string
	width  float64
}

// evidenceColumns are the columns of the evidence sheets, in the order of
// the CSV columns, plus the spot-check status.
var evidenceColumns = []column{
	{"Mã ấp", 10},
	{"Tên ấp", 18},
	{"Chủ hộ", 26},
	{"Địa chỉ", 36},
	{"Số điện thoại", 14},
	{"Thủ tục", 44},
	{"Cán bộ hướng dẫn", 24},
	{"Kênh báo cáo", 12},
	{"Thời điểm báo cáo", 18},
	{"Kiểm tra", 18},
}

// channelLabel names a channel as people write it ("" stays "").
func channelLabel(ch string) string {
	if ch == "" {
		return ""
	}
	return campaign.ChannelLabel(ch)
}

// styles are the cell style ids registered in one workbook.
type styles struct {
	title, subtitle, header     int
	text, count, id             int
	percent, datetime           int
	boldText, boldCount, boldPc int
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
	if err := b.registerStyles(); err != nil {
		_ = b.f.Close()
		return nil, err
	}
	return b, nil
}

// close releases the workbook's temporary files.
func (b *book) close() { _ = b.f.Close() }

func (b *book) registerStyles() error {
	pct, dt := "0.0%", "dd/mm/yyyy hh:mm"
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
		{&b.st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&b.st.subtitle, &excelize.Style{Font: &excelize.Font{Italic: true}}},
		{&b.st.header, &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
			Border:    border,
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		}},
		{&b.st.text, &excelize.Style{NumFmt: 49}}, // @: text, keeps a phone's leading zero when edited
		{&b.st.count, &excelize.Style{NumFmt: 3}}, // #,##0
		{&b.st.id, &excelize.Style{NumFmt: 1}},    // 0: never scientific notation
		{&b.st.percent, &excelize.Style{CustomNumFmt: &pct}},
		{&b.st.datetime, &excelize.Style{CustomNumFmt: &dt}},
		{&b.st.boldText, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: totalBorder}},
		{&b.st.boldCount, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: totalBorder, NumFmt: 3}},
		{&b.st.boldPc, &excelize.Style{Font: &excelize.Font{Bold: true}, Border: totalBorder, CustomNumFmt: &pct}},
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
	if err := s.addRow(hdr, excelize.RowOpts{Height: 32}); err != nil {
		return nil, err
	}
	return s, nil
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

// done adds an auto filter over the table (when it has rows) and ends the
// sheet.
func (s *sheet) done() error {
	if s.row > s.header {
		last, err := excelize.ColumnNumberToName(s.ncols)
		if err != nil {
			return fmt.Errorf("export: sheet %q: %w", s.name, err)
		}
		ref := fmt.Sprintf("A%d:%s%d", s.header, last, s.row)
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
// sheet's row limit, onto "Danh sách hộ (2)", "Danh sách hộ (3)", …
func (b *book) writeEvidence(preamble []string, rows RowSource, names map[string]string) error {
	s, err := b.startSheet(evidenceSheet, preamble, evidenceColumns)
	if err != nil {
		return err
	}
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
		vals[0] = text(r.HamletID)
		vals[1] = text(r.HamletName)
		vals[2] = text(r.HouseholdName)
		vals[3] = text(r.Address)
		vals[4] = excelize.Cell{StyleID: b.st.text, Value: r.Phone}
		vals[5] = text(procedureLabel(&sb, r.Procedures, r.OtherProcedure, names))
		vals[6] = text(r.OfficerName)
		vals[7] = text(channelLabel(r.OfficerChannel))
		vals[8] = b.dateCell(r.ReportedAt)
		vals[9] = r.Check.Label()
		writeErr = s.addRow(vals)
		return writeErr
	})
	if writeErr != nil {
		return writeErr
	}
	if err != nil {
		return fmt.Errorf("export: read evidence rows for XLSX: %w", err)
	}
	return s.done()
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

// percentCell is a 0.0% cell, or an empty cell for a value that is not a
// finite number.
func percentCell(v float64, style int) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

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
	return float64(days) + secs/86400, true
}
