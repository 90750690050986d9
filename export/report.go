package export

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
)

// Sheet names of the /report workbook, in order. Evidence past the first
// sheet's row limit continues on "Danh sách hộ (2)", … placed before
// "Kiểm tra".
const (
	SheetHamlets  = "Tổng hợp ấp"
	SheetOfficers = "Cán bộ"
	SheetEvidence = evidenceSheet
	SheetChecks   = "Kiểm tra"
)

// ReportWorkbook is everything the /report workbook shows for one period.
type ReportWorkbook struct {
	Title       string // first line of every sheet, e.g. "Báo cáo phong trào …"
	PeriodLabel string // e.g. "Năm 2026" or "01/04/2026 – 30/06/2026"
	GeneratedAt time.Time
	Hamlets     []HamletRow
	Officers    []OfficerRow
	Evidence    RowSource // the period's active guidance records
	Checks      []CheckRow
}

// HamletRow is one hamlet's figures for the period.
type HamletRow struct {
	ID, Name        string
	Households      int     // households in the hamlet
	GuidedInPeriod  int     // households guided in the period
	Able            int     // households able to file online (guided or on their own)
	Coverage        float64 // Able ÷ Households, 0..1
	SpecialProgress float64 // special-prize progress, 0..1
	DaysMet         int     // days the daily target was met
	DaysElapsed     int     // days of the period elapsed
	Streak          int     // current run of days met
	Excluded        string  // reason the hamlet is excluded from awards; empty if not
}

// OfficerRow is one officer's figures for the period.
type OfficerRow struct {
	// Number is the person's number in dvcbot (the one /canbo shows and
	// admin commands take).
	Number       campaign.PersonID
	Name         string
	HamletName   string
	Role         string // campaign.Role value or a label
	Households   int    // households guided
	Procedures   int    // procedures guided
	DaysActive   int    // days with at least one report
	FailedChecks int
	Active       bool
	Excluded     string // reason the officer is excluded from awards; empty if not
}

// CheckRow is one spot check of a reported household.
type CheckRow struct {
	HamletName, HouseholdName, Address, Phone, OfficerName string
	ReportedAt, CheckedAt                                  time.Time
	Status                                                 campaign.CheckStatus
	Reason, CheckedByName                                  string
}

var hamletColumns = []column{
	{"Mã ấp", 10},
	{"Tên ấp", 20},
	{"Số hộ", 10},
	{"Hộ được hướng dẫn trong kỳ", 14},
	{"Hộ biết làm DVC trực tuyến", 14},
	{"Tỷ lệ bao phủ", 11},
	{"Tiến độ giải đặc biệt", 12},
	{"Số ngày đạt chỉ tiêu", 11},
	{"Số ngày đã qua", 10},
	{"Chuỗi ngày liên tiếp", 11},
	{"Loại trừ (lý do)", 36},
}

var officerColumns = []column{
	{"Số cán bộ", 10},
	{"Họ và tên", 26},
	{"Ấp", 18},
	{"Vai trò", 12},
	{"Số hộ đã hướng dẫn", 12},
	{"Số thủ tục đã hướng dẫn", 12},
	{"Số ngày hoạt động", 11},
	{"Kiểm tra không đạt", 11},
	{"Trạng thái", 16},
	{"Loại trừ (lý do)", 36},
}

var checkColumns = []column{
	{"Tên ấp", 18},
	{"Chủ hộ", 26},
	{"Địa chỉ", 36},
	{"Số điện thoại", 14},
	{"Cán bộ báo cáo", 24},
	{"Thời điểm báo cáo", 18},
	{"Kết quả", 18},
	{"Lý do", 36},
	{"Người kiểm tra", 24},
	{"Thời điểm kiểm tra", 18},
}

// WriteReport writes the /report workbook: sheets Tổng hợp ấp (with a
// totals row), Cán bộ, Danh sách hộ (streamed; continued on "Danh sách hộ
// (2)", … past the sheet row limit) and Kiểm tra, the first one active. Each
// sheet starts with the title and the period, then a frozen header row.
// Times are shown in loc; procedure ids are named through procedureNames.
func WriteReport(w io.Writer, loc *time.Location, r ReportWorkbook, procedureNames map[string]string) error {
	return writeReport(w, loc, r, procedureNames, excelizeMaxRows)
}

// writeReport is WriteReport with sheets of at most maxRows rows.
func writeReport(w io.Writer, loc *time.Location, r ReportWorkbook, names map[string]string, maxRows int) error {
	if loc == nil {
		return errNilLocation
	}
	b, err := newBook(loc, maxRows)
	if err != nil {
		return err
	}
	defer b.close()
	preamble := reportPreamble(r, loc)
	if err := b.writeHamlets(preamble, r.Hamlets); err != nil {
		return err
	}
	if err := b.writeOfficers(preamble, r.Officers); err != nil {
		return err
	}
	if err := b.writeEvidence(preamble, r.Evidence, names); err != nil {
		return err
	}
	if err := b.writeChecks(preamble, r.Checks); err != nil {
		return err
	}
	return b.write(w)
}

// reportPreamble is the title block above each sheet's table.
func reportPreamble(r ReportWorkbook, loc *time.Location) []string {
	title := r.Title
	if title == "" {
		title = "Báo cáo phong trào “Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến”"
	}
	sub := "Kỳ báo cáo: " + r.PeriodLabel
	if r.PeriodLabel == "" {
		sub = "Kỳ báo cáo: (không ghi)"
	}
	if !r.GeneratedAt.IsZero() {
		sub += " · Lập lúc " + r.GeneratedAt.In(loc).Format("15:04 ngày 02/01/2006")
	}
	return []string{title, sub}
}

func (b *book) writeHamlets(preamble []string, rows []HamletRow) error {
	s, err := b.startSheet(SheetHamlets, preamble, hamletColumns)
	if err != nil {
		return err
	}
	var households, guided, able int
	var special float64
	for _, h := range rows {
		households += h.Households
		guided += h.GuidedInPeriod
		able += h.Able
		special += h.SpecialProgress * float64(h.Households)
		if err := s.addRow([]any{
			text(h.ID), text(h.Name),
			b.count(h.Households), b.count(h.GuidedInPeriod), b.count(h.Able),
			percentCell(h.Coverage, b.st.percent), percentCell(h.SpecialProgress, b.st.percent),
			b.count(h.DaysMet), b.count(h.DaysElapsed), b.count(h.Streak),
			text(h.Excluded),
		}); err != nil {
			return err
		}
	}
	// Totals: sums of the counts; the rates over all the hamlets' households
	// (the special-prize progress weighted by households). Days are per
	// hamlet and have no total.
	total := []any{
		excelize.Cell{StyleID: b.st.boldText, Value: "Tổng cộng"},
		excelize.Cell{StyleID: b.st.boldText, Value: fmt.Sprintf("%d ấp", len(rows))},
		excelize.Cell{StyleID: b.st.boldCount, Value: households},
		excelize.Cell{StyleID: b.st.boldCount, Value: guided},
		excelize.Cell{StyleID: b.st.boldCount, Value: able},
		excelize.Cell{StyleID: b.st.boldPc},
		excelize.Cell{StyleID: b.st.boldPc},
	}
	if households > 0 {
		total[5] = percentCell(float64(able)/float64(households), b.st.boldPc)
		total[6] = percentCell(special/float64(households), b.st.boldPc)
	}
	for range len(hamletColumns) - len(total) {
		total = append(total, excelize.Cell{StyleID: b.st.boldText})
	}
	if err := s.addRow(total); err != nil {
		return err
	}
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("export: finish sheet %q: %w", s.name, err)
	}
	return nil
}

func (b *book) writeOfficers(preamble []string, rows []OfficerRow) error {
	s, err := b.startSheet(SheetOfficers, preamble, officerColumns)
	if err != nil {
		return err
	}
	for _, o := range rows {
		role := o.Role
		if campaign.Role(role).Valid() {
			role = campaign.Role(role).Label()
		}
		state := "Đã vô hiệu hóa"
		if o.Active {
			state = "Đang hoạt động"
		}
		if err := s.addRow([]any{
			excelize.Cell{StyleID: b.st.id, Value: int64(o.Number)},
			text(o.Name), text(o.HamletName), text(role),
			b.count(o.Households), b.count(o.Procedures), b.count(o.DaysActive), b.count(o.FailedChecks),
			state, text(o.Excluded),
		}); err != nil {
			return err
		}
	}
	return s.done()
}

func (b *book) writeChecks(preamble []string, rows []CheckRow) error {
	s, err := b.startSheet(SheetChecks, preamble, checkColumns)
	if err != nil {
		return err
	}
	for _, c := range rows {
		if s.full() {
			return fmt.Errorf("export: sheet %q: more than %d spot checks do not fit on one sheet", SheetChecks, b.maxRows-s.header)
		}
		if err := s.addRow([]any{
			text(c.HamletName), text(c.HouseholdName), text(c.Address),
			excelize.Cell{StyleID: b.st.text, Value: c.Phone},
			text(c.OfficerName), b.dateCell(c.ReportedAt),
			c.Status.Label(), text(c.Reason), text(c.CheckedByName), b.dateCell(c.CheckedAt),
		}); err != nil {
			return err
		}
	}
	return s.done()
}

// count is an integer cell with a thousands separator.
func (b *book) count(n int) any { return excelize.Cell{StyleID: b.st.count, Value: n} }
