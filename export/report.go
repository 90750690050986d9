package export

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/scoring"
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
	// FiguresAt is the day the figures stop at, stated on every sheet
	// ("Số liệu tính đến hết ngày 30/06/2026"); zero leaves it unsaid.
	FiguresAt scoring.Date
	// Provisional marks figures of a period that has not ended («tạm
	// tính», scoring.ProvisionalMark), said after the period.
	Provisional bool
	GeneratedAt time.Time
	Hamlets     []HamletRow
	Officers    []OfficerRow
	Evidence    RowSource // the period's active guidance records
	Checks      []CheckRow
}

// HamletRow is one hamlet's figures for the period. «Hộ» are distinct
// households; able households are shown at most the register (the excess
// is noted instead).
type HamletRow struct {
	ID, Name   string
	Households int // households in the hamlet's register
	// NewGuided counts distinct households first guided in the period
	// (scoring.HamletStats.NewGuided).
	NewGuided int
	// HouseholdsGuided counts distinct households guided up to the day the
	// figures stop at (scoring.HamletStats.HouseholdsGuided).
	HouseholdsGuided int
	// SelfAble counts households recorded as able on their own and never
	// guided (scoring.HamletStats.SelfAble).
	SelfAble int
	// GuidedInPeriod sums each day's households guided in the period (a
	// household guided on two days counts twice). Kept for callers; not
	// shown, being neither «hộ» nor «lượt».
	GuidedInPeriod int
	// Able counts households able to file online (guided or on their own),
	// as reported: the sheet shows at most Households and notes the excess.
	Able            int
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
	// admin commands take); documents do not show it.
	Number     campaign.PersonID
	Name       string
	HamletName string
	// Affiliation is where the officer works in the hamlet, as the plan
	// names it (campaign.Affiliation's label or value); empty when unset.
	Affiliation string
	Role        string // campaign.Role value or a label
	// Households counts distinct households the officer guided up to the
	// day the figures stop at (scoring.OfficerStats.Households).
	Households int
	// NewHouseholds counts distinct households the officer first guided in
	// the period (scoring.OfficerStats.NewHouseholds).
	NewHouseholds int
	Procedures    int // procedures guided in the period
	DaysActive    int // days in the period with at least one report
	FailedChecks  int
	Active        bool
	Excluded      string // reason the officer is excluded from awards; empty if not
}

// CheckRow is one spot check of a reported household: of a guidance record
// (OfficerName reported it at ReportedAt), or of a household recorded as
// able on its own (Kind RowSelfDeclared: OfficerName recorded it then).
type CheckRow struct {
	// Kind is RowGuided (the default when empty) or RowSelfDeclared, shown
	// after the household's name.
	Kind                                                   RowKind
	HamletName, HouseholdName, Address, Phone, OfficerName string
	ReportedAt, CheckedAt                                  time.Time
	Status                                                 campaign.CheckStatus
	Reason, CheckedByName                                  string
}

var hamletColumns = []column{
	{"STT", 6},
	{"Tên ấp", 20},
	{"Số hộ trong sổ", 10},
	{"Hộ mới được hướng dẫn trong kỳ", 13},
	{"Hộ đã được hướng dẫn (lũy kế)", 13},
	{"Hộ tự khai đã biết làm", 11},
	{"Hộ biết làm DVC trực tuyến", 13},
	{"Tỷ lệ bao phủ", 10},
	{"Tiến độ phần quà khen thưởng riêng", 13},
	{"Số ngày đạt chỉ tiêu", 10},
	{"Số ngày đã qua", 9},
	{"Chuỗi ngày liên tiếp", 10},
	{"Ghi chú (loại trừ, sổ hộ)", 40},
}

var officerColumns = []column{
	{"STT", 6},
	{"Họ và tên", 26},
	{"Ấp", 18},
	{"Đơn vị", 27},
	{"Vai trò", 14},
	{"Số hộ đã hướng dẫn (lũy kế)", 12},
	{"Hộ mới trong kỳ", 10},
	{"Số thủ tục đã hướng dẫn trong kỳ", 12},
	{"Số ngày hoạt động", 10},
	{"Kiểm tra không đạt", 10},
	{"Trạng thái", 16},
	{"Loại trừ (lý do)", 32},
}

var checkColumns = []column{
	{"STT", 6},
	{"Tên ấp", 18},
	{"Chủ hộ", 26},
	{"Địa chỉ", 36},
	{"Số điện thoại", 14},
	{"Cán bộ báo cáo / ghi nhận", 24},
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
	if _, err := b.writeEvidence(preamble, r.Evidence, names); err != nil {
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
	if r.Provisional {
		sub += " (" + scoring.ProvisionalMark + ")"
	}
	if !r.FiguresAt.IsZero() {
		sub += " · " + scoring.FiguresAtText(r.FiguresAt)
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
	var households, newGuided, guided, self, able, over int
	var special float64
	for i, h := range rows {
		reg := max(h.Households, 0)
		shown := min(h.Able, reg) // never more able households than the register
		households += reg
		newGuided += h.NewGuided
		guided += h.HouseholdsGuided
		self += h.SelfAble
		able += shown
		sp := h.SpecialProgress
		if !math.IsNaN(sp) && !math.IsInf(sp, 0) {
			special += min(max(sp, 0), 1) * float64(reg)
		}
		var notes []string
		if h.Excluded != "" {
			notes = append(notes, "Loại trừ: "+h.Excluded)
		}
		if h.Able > reg {
			over++
			notes = append(notes, fmt.Sprintf("Số hộ biết làm (%s) vượt số hộ trong sổ %s hộ: cần sửa số hộ của ấp (/sosho)",
				number(h.Able), number(h.Able-reg)))
		}
		note := strings.Join(notes, ". ")
		if err := s.addRow([]any{
			excelize.Cell{StyleID: b.st.stt, Value: i + 1}, text(h.Name),
			b.count(h.Households), b.count(h.NewGuided), b.count(h.HouseholdsGuided), b.count(h.SelfAble), b.count(shown),
			percentCell(h.Coverage, b.st.percent), percentCell(h.SpecialProgress, b.st.percent),
			b.count(h.DaysMet), b.count(h.DaysElapsed), b.count(h.Streak),
			excelize.Cell{StyleID: b.st.wrap, Value: note},
		}, excelize.RowOpts{Height: wrappedHeight(note, hamletColumns[len(hamletColumns)-1].width)}); err != nil {
			return err
		}
	}
	// Totals: sums of the counts shown above; the rates over all the
	// hamlets' households (the special-prize progress weighted by
	// households). Days are per hamlet and have no total.
	total := []any{
		excelize.Cell{StyleID: b.st.boldText, Value: fmt.Sprintf("Tổng cộng (%d ấp)", len(rows))},
		excelize.Cell{StyleID: b.st.boldText},
		excelize.Cell{StyleID: b.st.boldCount, Value: households},
		excelize.Cell{StyleID: b.st.boldCount, Value: newGuided},
		excelize.Cell{StyleID: b.st.boldCount, Value: guided},
		excelize.Cell{StyleID: b.st.boldCount, Value: self},
		excelize.Cell{StyleID: b.st.boldCount, Value: able},
		excelize.Cell{StyleID: b.st.boldPc},
		excelize.Cell{StyleID: b.st.boldPc},
	}
	if households > 0 {
		total[7] = excelize.Cell{StyleID: b.st.boldPc, Value: scoring.PercentOf(able, households)}
		total[8] = percentCell(special/float64(households), b.st.boldPc)
	}
	for range len(hamletColumns) - len(total) - 1 {
		total = append(total, excelize.Cell{StyleID: b.st.boldText})
	}
	note := ""
	if over > 0 {
		note = fmt.Sprintf("%d ấp có số hộ biết làm vượt sổ hộ: chỉ tính tối đa bằng số hộ trong sổ", over)
	}
	total = append(total, excelize.Cell{StyleID: b.st.boldWrap, Value: note})
	if err := s.addRow(total, excelize.RowOpts{Height: wrappedHeight(note, hamletColumns[len(hamletColumns)-1].width)}); err != nil {
		return err
	}
	// The label spans the STT and name columns, too narrow apart.
	if err := s.sw.MergeCell(fmt.Sprintf("A%d", s.row), fmt.Sprintf("B%d", s.row)); err != nil {
		return fmt.Errorf("export: sheet %q: totals row: %w", s.name, err)
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
	for i, o := range rows {
		role := o.Role
		if campaign.Role(role).Valid() {
			role = campaign.Role(role).Label()
		}
		aff := o.Affiliation
		if l := campaign.Affiliation(aff).Label(); l != "" {
			aff = l
		}
		state := "Đã vô hiệu hóa"
		if o.Active {
			state = "Đang hoạt động"
		}
		if err := s.addRow([]any{
			excelize.Cell{StyleID: b.st.stt, Value: i + 1},
			text(o.Name), text(o.HamletName), text(aff), text(role),
			b.count(o.Households), b.count(o.NewHouseholds), b.count(o.Procedures), b.count(o.DaysActive), b.count(o.FailedChecks),
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
	for i, c := range rows {
		if s.full() {
			return fmt.Errorf("export: sheet %q: more than %d spot checks do not fit on one sheet", SheetChecks, b.maxRows-s.header)
		}
		name := c.HouseholdName
		if c.Kind == RowSelfDeclared {
			name += " (hộ tự khai)"
		}
		if err := s.addRow([]any{
			excelize.Cell{StyleID: b.st.stt, Value: i + 1}, text(c.HamletName), text(name), text(c.Address),
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
