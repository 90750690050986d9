package dossier

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"dvcbot/scoring"
)

// This file holds the wording of the two documents. Paragraph spacing is
// in twips (20 per point); 567 twips = 1 cm.

const (
	indentFirst = 567 // first-line indent of body paragraphs
	bodyAfter   = 100 // space after a body paragraph
)

// names derived once from the input.
type names struct {
	zone     string // "Kiên Hải"
	hamlet   string // "Hòn Tre"
	board    string // "Ban Nhân dân ấp Hòn Tre"
	campaign string // "Mỗi ngày hướng dẫn 01 gia đình …"
	year     string // "2026", or a blank
	period   string // " (từ ngày 01/01/2026 đến ngày 28/11/2026)", or ""
}

func namesOf(in Input) names {
	n := names{
		zone:     clean(in.Zone),
		hamlet:   hamletName(in.Hamlet.Name),
		campaign: strings.Trim(clean(in.Campaign), "\"“”"),
		year:     blank,
	}
	n.board = "Ban Nhân dân ấp " + n.hamlet
	for _, t := range []time.Time{in.Hamlet.From, in.Hamlet.To, in.Date} {
		if !t.IsZero() {
			n.year = fmt.Sprint(t.In(vnZone).Year())
			break
		}
	}
	h := in.Hamlet
	switch {
	case !h.From.IsZero() && !h.To.IsZero():
		n.period = fmt.Sprintf(" (từ ngày %s đến ngày %s)", shortDate(h.From), shortDate(h.To))
	case !h.To.IsZero():
		n.period = fmt.Sprintf(" (tính đến ngày %s)", shortDate(h.To))
	}
	return n
}

func (n names) yearInt() int {
	var y int
	fmt.Sscan(n.year, &y)
	return y
}

// header writes the two-column heading of Decree 30/2020/NĐ-CP: the
// issuing body and the document number on the left, the national name and
// motto and the place and date on the right.
func header(d *document, in Input, n names, number string) error {
	rule := func(indent int) para {
		return para{Rule: true, IndLeft: indent, IndRight: indent, Size: 4, Align: "center", Before: 80}
	}
	center := func(size int, rs ...run) para {
		return para{Runs: sized(size, rs...), Align: "center"}
	}
	return d.table(table{
		Widths: []int{3555, 5800},
		Rows: []row{
			{Cells: []cell{
				// The superior body (Decree 30/2020/NĐ-CP: tên cơ quan chủ
				// quản) above the issuing body, the Hamlet Board.
				{Top: true, Paras: []para{
					center(size13, txt("ỦY BAN NHÂN DÂN")),
					center(size13, txt(strings.ToUpper("Đặc khu "+n.zone))),
					center(size13, bold("BAN NHÂN DÂN")),
					center(size13, bold(strings.ToUpper("Ấp "+n.hamlet))),
					rule(1150),
				}},
				{Top: true, Paras: []para{
					center(size13, bold("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")),
					center(size14, run{Text: "Độc lập - Tự do - Hạnh phúc", Bold: true, Underline: true}),
				}},
			}},
			{Cells: []cell{
				{Paras: []para{{Runs: sized(size13, txt("Số: "+blank+"/"+number)), Align: "center", Before: 120}}},
				{Paras: []para{{Runs: sized(size14, ital(PlaceDate(n.zone, in.Date, n.yearInt()))), Align: "center", Before: 120}}},
			}},
		},
		CellMargin: 0,
	})
}

// title writes the document's name and subject, centred, with the short
// rule beneath and the day the figures stop at.
func title(d *document, in Input, name, subject string) {
	d.p(para{Runs: []run{bold(name)}, Align: "center", Before: 360, KeepNext: true})
	d.p(para{Runs: []run{bold(subject)}, Align: "center", KeepNext: true, IndLeft: 400, IndRight: 400})
	d.p(para{Rule: true, IndLeft: 3600, IndRight: 3600, Size: 4, Align: "center", Before: 40, KeepNext: true})
	d.p(para{Runs: sized(size13, ital(figuresAtText(in))), Align: "center", Before: 60})
}

// figuresAtText is "Số liệu tính đến hết ngày 28/11/2026".
func figuresAtText(in Input) string {
	at := in.FiguresAt()
	if at.IsZero() {
		return scoring.FiguresAtText(scoring.Date{})
	}
	return scoring.FiguresAtText(scoring.DateOf(at, vnZone))
}

// body writes a justified paragraph with a first-line indent.
func (d *document) body(rs ...run) {
	d.p(para{Runs: rs, FirstLine: indentFirst, After: bodyAfter})
}

// line writes a left-aligned paragraph with blanks to fill in by hand: each
// fill() run is a dotted line; with one fill it runs to the right margin,
// with two the first ends at 60% of the line.
func (d *document) line(rs ...run) {
	var tabs []int
	fills := 0
	for _, r := range rs {
		if r.Tab {
			fills++
		}
	}
	switch fills {
	case 0:
	case 1:
		tabs = []int{textWidth}
	default:
		tabs = []int{textWidth * 6 / 10, textWidth}
	}
	d.p(para{Runs: rs, FirstLine: indentFirst, After: bodyAfter, Align: "left", Tabs: tabs})
}

// heading writes a bold paragraph kept with what follows.
func (d *document) heading(s string) {
	d.p(para{Runs: []run{bold(s)}, FirstLine: indentFirst, After: bodyAfter, Before: 60, KeepNext: true})
}

// bullets writes "- text" paragraphs.
func (d *document) bullets(lines []string) {
	for _, l := range lines {
		d.body(txt("- " + l))
	}
}

// achievements are the hamlet's results as sentences with the evidence
// figures, shared by both documents. Able households are stated at most
// the register.
func achievements(in Input, n names) []string {
	h := in.Hamlet
	var out []string

	able := shownAble(h)
	cov := fmt.Sprintf("Tổng số hộ gia đình trên địa bàn ấp: %s hộ; số hộ biết thực hiện các bước nộp hồ sơ trực tuyến: %s hộ, đạt %s",
		Number(h.Households), Number(able), Percent(h.Coverage))
	if in.Threshold > 0 {
		cov += fmt.Sprintf(" (tiêu chuẩn: từ %s đến 100,0%%)", threshold(in.Threshold))
	}
	if !h.CoverageReachedOn.IsZero() && in.Threshold > 0 {
		cov += fmt.Sprintf("; đạt mức %s từ ngày %s", threshold(in.Threshold), shortDate(h.CoverageReachedOn))
	}
	if self := able - min(h.Guided, able); self > 0 {
		cov += fmt.Sprintf("; trong đó %s hộ được hướng dẫn, %s hộ tự thực hiện được (tự khai, có tên trong danh sách kèm theo)",
			Number(able-self), Number(self))
	}
	out = append(out, cov+".")

	proc := fmt.Sprintf("Số hộ được cán bộ ấp trực tiếp hướng dẫn: %s hộ; tổng số thủ tục dịch vụ công trực tuyến đã hướng dẫn: %s thủ tục",
		Number(h.Guided), Number(h.Procedures))
	if top := topProcedures(h.ProceduresByName, 3); top != "" {
		proc += ", nhiều nhất là " + top
	}
	out = append(out, proc+".")

	days := fmt.Sprintf("Thực hiện mô hình “mỗi ngày hướng dẫn 01 gia đình”: %s/%s ngày đạt chỉ tiêu%s; chuỗi ngày liên tục đạt chỉ tiêu dài nhất: %s ngày.",
		Number(h.DaysMet), Number(h.DaysElapsed), n.period, Number(h.LongestStreak))
	out = append(out, days)

	if h.K > 0 {
		out = append(out, specialSentence(in))
	}

	out = append(out, checksSentence(h))
	return out
}

// shownAble is the able households as documents state them: at most the
// register.
func shownAble(h Hamlet) int {
	if h.Households > 0 {
		return min(h.Able, h.Households)
	}
	return h.Able
}

// specialSentence states the special-prize condition and how far the
// hamlet is from it.
func specialSentence(in Input) string {
	h := in.Hamlet
	s := fmt.Sprintf("Điều kiện %s (hướng dẫn %s thủ tục dịch vụ công trực tuyến mỗi hộ): %s số hộ của ấp đã được hướng dẫn đủ số thủ tục",
		scoring.SpecialPrizeName, scoring.Count2(h.K), Percent(h.SpecialProgress))
	if h.SpecialNeeded > 0 {
		done := h.SpecialDone
		if h.Households > 0 {
			done = min(done, h.Households) // never more than the register
		}
		s += fmt.Sprintf(" (%s/%s hộ)", Number(done), Number(h.Households))
		cond := ""
		if in.SpecialShare > 0 {
			cond = " " + threshold(in.SpecialShare)
		}
		if short := h.SpecialNeeded - done; short > 0 {
			s += fmt.Sprintf(", chưa đạt điều kiện%s (%s hộ): còn thiếu %s hộ", cond, Number(h.SpecialNeeded), Number(short))
		} else {
			s += fmt.Sprintf(", đạt điều kiện%s", cond)
		}
	}
	return s + "."
}

// checksSentence states the spot-check results.
func checksSentence(h Hamlet) string {
	done := h.ChecksPassed + h.ChecksFailed + h.ChecksUnreachable
	total := max(h.ChecksTotal, done)
	if total == 0 {
		return "Kiểm tra ngẫu nhiên các trường hợp đã hướng dẫn: chưa có trường hợp nào được kiểm tra."
	}
	s := fmt.Sprintf("Kiểm tra ngẫu nhiên các trường hợp đã hướng dẫn: %s trường hợp, trong đó đạt %s, không đạt %s, chưa liên lạc được %s",
		Number(total), Number(h.ChecksPassed), Number(h.ChecksFailed), Number(h.ChecksUnreachable))
	if pending := total - done; pending > 0 {
		s += fmt.Sprintf(", chưa có kết quả %s", Number(pending))
	}
	return s + "."
}

// topProcedures lists the k most guided procedures: "đăng ký khai sinh
// (300 lượt), …".
func topProcedures(ps []NameCount, k int) string {
	var parts []string
	for _, p := range ps {
		if len(parts) == k {
			break
		}
		if name := clean(p.Name); name != "" && p.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s lượt)", name, Number(p.Count)))
		}
	}
	return strings.Join(parts, ", ")
}

// notes returns the non-empty lines of in.Notes.
func notes(in Input) []string {
	var out []string
	for _, n := range in.Notes {
		for _, line := range strings.Split(n, "\n") {
			if l := clean(line); l != "" {
				out = append(out, l)
			}
		}
	}
	return out
}

// headCell is a shaded, bold, centred table heading.
func headCell(size int, s string) cell {
	return cell{Shade: "EDEDED", Paras: []para{{Runs: sized(size, bold(s)), Align: "center"}}}
}

// individualsTable lists the proposed individuals with their figures and
// their role and affiliation; withVote adds a column for the meeting's
// vote. The total of households counts each household once
// (Input.IndividualsHouseholds); when that is below the sum of the rows,
// a note under the table says why.
func individualsTable(d *document, in Input, withVote bool) error {
	ppl := in.Individuals
	hdr := func(s string) cell { return headCell(size11, s) }
	c := func(s, align string) cell {
		return cell{Paras: []para{{Runs: sized(size13, txt(s)), Align: align}}}
	}
	widths := []int{700, 2755, 2300, 1200, 1200, 1200}
	head := []cell{hdr("STT"), hdr("Họ và tên"), hdr("Chức vụ, đơn vị"), hdr("Số hộ đã hướng dẫn"), hdr("Số thủ tục đã hướng dẫn"), hdr("Số ngày có hướng dẫn")}
	if withVote {
		widths = []int{650, 2395, 1910, 1100, 1100, 1100, 1100}
		head = append(head, hdr("Tỷ lệ đồng ý (%)"))
	}
	rows := []row{{Header: true, Cells: head}}
	var sumH, sumP int
	for i, p := range ppl {
		role := cell{Paras: roleParas(p)}
		cells := []cell{
			c(fmt.Sprint(i+1), "center"), c(clean(p.Name), "left"), role,
			c(Number(p.Households), "center"), c(Number(p.Procedures), "center"), c(Number(p.DaysActive), "center"),
		}
		if withVote {
			cells = append(cells, c(blankShort, "center"))
		}
		rows = append(rows, row{Cells: cells})
		sumH += p.Households
		sumP += p.Procedures
	}
	households, label := sumH, "Cộng"
	if in.IndividualsHouseholds > 0 {
		households, label = in.IndividualsHouseholds, "Cộng (mỗi hộ tính một lần)"
	}
	total := []cell{
		{Span: 3, Paras: []para{{Runs: sized(size13, bold(label)), Align: "center"}}},
		{Paras: []para{{Runs: sized(size13, bold(Number(households))), Align: "center"}}},
		{Paras: []para{{Runs: sized(size13, bold(Number(sumP))), Align: "center"}}},
		{},
	}
	if withVote {
		total = append(total, cell{})
	}
	rows = append(rows, row{Cells: total})
	if err := d.table(table{Widths: widths, Rows: rows, Grid: true, CellMargin: 80}); err != nil {
		return fmt.Errorf("dossier: individuals table: %w", err)
	}
	switch {
	case in.IndividualsHouseholds > 0 && in.IndividualsHouseholds < sumH:
		d.p(para{Runs: sized(size12, ital(fmt.Sprintf("Ghi chú: có hộ được từ hai cá nhân trở lên cùng hướng dẫn; dòng Cộng tính mỗi hộ một lần (%s hộ), cộng các dòng là %s hộ.",
			Number(in.IndividualsHouseholds), Number(sumH)))), FirstLine: indentFirst, After: bodyAfter})
	case in.IndividualsHouseholds == 0 && len(ppl) > 1:
		d.p(para{Runs: sized(size12, ital("Ghi chú: dòng Cộng là tổng các dòng; một hộ được hai cá nhân cùng hướng dẫn được tính ở cả hai dòng.")),
			FirstLine: indentFirst, After: bodyAfter})
	}
	if g := in.Hamlet.Guided; in.IndividualsHouseholds > 0 && in.IndividualsHouseholds != g {
		d.p(para{Runs: sized(size12, ital(fmt.Sprintf("Các cá nhân đề nghị đã hướng dẫn %s hộ; toàn ấp có %s hộ được cán bộ ấp hướng dẫn.",
			Number(in.IndividualsHouseholds), Number(g)))), FirstLine: indentFirst, After: bodyAfter})
	}
	d.p(para{Size: 12})
	return nil
}

// roleParas is an individual's role and affiliation, one per line.
func roleParas(p Individual) []para {
	var ps []para
	role, aff := clean(p.Role), clean(p.Affiliation)
	if role != "" {
		ps = append(ps, para{Runs: sized(size13, txt(role)), Align: "left"})
	}
	if aff != "" && !strings.EqualFold(aff, role) {
		ps = append(ps, para{Runs: sized(size12, ital(aff)), Align: "left"})
	}
	if len(ps) == 0 {
		ps = append(ps, para{Runs: sized(size13, txt(blankLong)), Align: "left"})
	}
	return ps
}

// criteriaTable is the plan's standards for the collective (Kế hoạch, mục
// IV.1.a) as rows the meeting fills in; the coverage row is filled from
// the figures.
func criteriaTable(d *document, in Input) error {
	h := in.Hamlet
	cov := fmt.Sprintf("%s (%s/%s hộ)", Percent(h.Coverage), Number(shownAble(h)), Number(h.Households))
	switch {
	case in.Threshold <= 0:
	case !h.CoverageReachedOn.IsZero():
		cov += ": đạt"
	default:
		cov += ": chưa đạt"
	}
	standard := "Từ 95% đến 100% hộ gia đình trên địa bàn ấp biết thực hiện các bước nộp hồ sơ trực tuyến"
	if in.Threshold > 0 {
		standard = "Từ " + threshold(in.Threshold) + " đến 100,0% hộ gia đình trên địa bàn ấp biết thực hiện các bước nộp hồ sơ trực tuyến"
	}
	items := [][2]string{
		{"Gương mẫu chấp hành tốt chủ trương của Đảng, chính sách pháp luật của Nhà nước", blank},
		{"Nội bộ đoàn kết, thực hiện tốt các bước hướng dẫn người dân thực hiện thủ tục hành chính", blank},
		{standard, cov},
		{"Có sáng kiến hoặc giải pháp mới trong công tác hướng dẫn người dân thực hiện thủ tục hành chính (khuyến khích)", blank},
	}
	hdr := func(s string) cell { return headCell(size12, s) }
	rows := []row{{Header: true, Cells: []cell{hdr("STT"), hdr("Tiêu chuẩn của Kế hoạch"), hdr("Ý kiến của cuộc họp")}}}
	for i, it := range items {
		rows = append(rows, row{Cells: []cell{
			{Paras: []para{{Runs: sized(size13, txt(fmt.Sprint(i+1))), Align: "center"}}},
			{Paras: []para{{Runs: sized(size13, txt(it[0]))}}},
			{Paras: []para{{Runs: sized(size13, txt(it[1])), Align: "center"}}},
		}})
	}
	d.body(txt("Đánh giá tập thể " + namesOf(in).board + " theo tiêu chuẩn của Kế hoạch:"))
	if err := d.table(table{Widths: []int{700, 5355, 3300}, Rows: rows, Grid: true, CellMargin: 80}); err != nil {
		return fmt.Errorf("dossier: criteria table: %w", err)
	}
	d.p(para{Size: 12})
	return nil
}

// individualCriteriaTable is the plan's standards for individuals (Kế
// hoạch, mục IV.1.b) as a column each, one row per person, for the meeting
// to fill in.
func individualCriteriaTable(d *document, ppl []Individual) error {
	hdr := func(s string) cell { return headCell(size11, s) }
	c := func(s, align string) cell {
		return cell{Paras: []para{{Runs: sized(size13, txt(s)), Align: align}}}
	}
	rows := []row{{Header: true, Cells: []cell{
		hdr("STT"), hdr("Họ và tên"),
		hdr("Gương mẫu chấp hành, phẩm chất đạo đức tốt, đoàn kết nội bộ"),
		hdr("Hoàn thành tốt nhiệm vụ được giao"),
		hdr("Thành thạo thao tác hướng dẫn nộp hồ sơ trực tuyến"),
		hdr("Không vi phạm kỷ luật, kỷ cương hành chính"),
	}}}
	for i, p := range ppl {
		rows = append(rows, row{Cells: []cell{
			c(fmt.Sprint(i+1), "center"), c(clean(p.Name), "left"),
			c(blankShort, "center"), c(blankShort, "center"), c(blankShort, "center"), c(blankShort, "center"),
		}})
	}
	d.body(txt("Đánh giá từng cá nhân theo tiêu chuẩn của Kế hoạch (ghi “Đạt” hoặc “Không đạt”):"))
	if err := d.table(table{Widths: []int{650, 2400, 1576, 1576, 1576, 1577}, Rows: rows, Grid: true, CellMargin: 80}); err != nil {
		return fmt.Errorf("dossier: individual criteria table: %w", err)
	}
	d.p(para{Size: 12})
	return nil
}

// signature writes a two-column block: left and right are the paragraphs
// of each side.
func signature(d *document, left, right []para) error {
	if err := d.table(table{
		Widths:     []int{4300, 5055},
		Rows:       []row{{Cells: []cell{{Top: true, Paras: left}, {Top: true, Paras: right}}}},
		CellMargin: 0,
	}); err != nil {
		return fmt.Errorf("dossier: signature block: %w", err)
	}
	d.p(para{})
	return nil
}

// signer is the right-hand signature: titles, room to sign, the name.
func signer(titles []string, hint, name string) []para {
	var ps []para
	for _, t := range titles {
		ps = append(ps, para{Runs: sized(size13, bold(t)), Align: "center", KeepNext: true})
	}
	if hint != "" {
		ps = append(ps, para{Runs: sized(size13, ital(hint)), Align: "center", KeepNext: true})
	}
	for range 4 {
		ps = append(ps, para{KeepNext: true, Align: "center"})
	}
	if name = clean(name); name == "" {
		name = blankLong
	}
	ps = append(ps, para{Runs: []run{bold(name)}, Align: "center"})
	return ps
}

func proposalDoc(in Input) (*document, error) {
	n := namesOf(in)
	d := &document{Title: "Tờ trình đề nghị khen thưởng - " + n.board}
	if err := header(d, in, n, "TTr-BND"); err != nil {
		return nil, err
	}
	whom := "tập thể và cá nhân"
	switch {
	case !in.proposesCollective():
		whom = "cá nhân"
	case len(in.Individuals) == 0:
		whom = "tập thể"
	}
	title(d, in, "TỜ TRÌNH", fmt.Sprintf("Về việc đề nghị Chủ tịch Ủy ban nhân dân đặc khu tặng Giấy khen cho %s có thành tích xuất sắc trong phong trào thi đua thực hiện mô hình “%s” năm %s",
		whom, n.campaign, n.year))
	d.p(para{Runs: []run{txt("Kính gửi: Chủ tịch Ủy ban nhân dân đặc khu " + n.zone + ".")}, Align: "center", Before: 240, After: 240})

	d.body(ital("Căn cứ Luật Thi đua, khen thưởng năm 2022;"))
	d.body(ital("Căn cứ Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ quy định về phân cấp, phân quyền trong lĩnh vực thi đua, khen thưởng; quy định chi tiết và hướng dẫn thi hành một số điều của Luật Thi đua, khen thưởng;"))
	d.body(ital(fmt.Sprintf("Căn cứ Kế hoạch số %s/KH-UBND ngày %s tháng 01 năm %s của Ủy ban nhân dân đặc khu %s về phát động phong trào thi đua thực hiện mô hình “%s” trên địa bàn đặc khu năm %s;",
		blank, blank, n.year, n.zone, n.campaign, n.year)))
	d.body(ital(fmt.Sprintf("Căn cứ Biên bản họp xét thi đua, khen thưởng ngày %s tháng %s năm %s của %s,", blank, blank, n.year, n.board)))

	var parts []string
	if in.proposesCollective() {
		parts = append(parts, "01 tập thể")
	}
	if k := len(in.Individuals); k > 0 {
		parts = append(parts, scoring.Count2(k)+" cá nhân")
	}
	d.body(txt(fmt.Sprintf("%s kính trình Chủ tịch Ủy ban nhân dân đặc khu %s xem xét, tặng Giấy khen cho %s đã có thành tích xuất sắc trong phong trào thi đua thực hiện mô hình “%s” năm %s%s, cụ thể như sau:",
		n.board, n.zone, strings.Join(parts, " và "), n.campaign, n.year, n.period)))

	if in.proposesCollective() {
		d.heading(fmt.Sprintf("1. Tập thể (01): %s, đặc khu %s", n.board, n.zone))
		d.body(txt("Tóm tắt thành tích:"))
	} else {
		d.heading("1. Kết quả thực hiện mô hình của ấp")
	}
	d.bullets(achievements(in, n))
	switch {
	case in.BeyondCap && !in.Eligible:
		d.body(txt(beyondCapText(in, n)))
	case !in.Eligible:
		d.body(txt(fmt.Sprintf("Tập thể %s chưa đủ tiêu chuẩn đề nghị khen thưởng trong đợt này.", n.board)))
	}
	if len(in.Individuals) > 0 {
		d.heading(fmt.Sprintf("2. Cá nhân đề nghị xét khen thưởng (%s), xếp theo số liệu hướng dẫn:", scoring.Count2(len(in.Individuals))))
		if err := individualsTable(d, in, false); err != nil {
			return nil, err
		}
	}
	if ns := notes(in); len(ns) > 0 {
		d.heading("Ghi chú:")
		d.bullets(ns)
	}
	d.body(txt(fmt.Sprintf("Hình thức khen thưởng: Giấy khen của Chủ tịch Ủy ban nhân dân đặc khu. Mức khen thưởng thực hiện theo quy định tại Nghị định số 152/2025/NĐ-CP ngày 14 tháng 6 năm 2025 của Chính phủ; kinh phí khen thưởng từ Quỹ thi đua, khen thưởng của đặc khu %s.", n.zone)))
	d.body(txt(fmt.Sprintf("Hồ sơ kèm theo: Biên bản họp xét thi đua, khen thưởng của %s; danh sách hộ gia đình được hướng dẫn thực hiện dịch vụ công trực tuyến (họ và tên, địa chỉ, số điện thoại, thủ tục, mã hồ sơ, ảnh minh chứng; hộ tự thực hiện được ghi rõ là tự khai).", n.board)))
	d.body(txt(fmt.Sprintf("%s kính trình Chủ tịch Ủy ban nhân dân đặc khu %s (qua Phòng Văn hóa - Xã hội, cơ quan Thường trực Hội đồng Thi đua - Khen thưởng đặc khu) xem xét, quyết định./.", n.board, n.zone)))

	recipients := []para{
		{Runs: sized(size12, run{Text: "Nơi nhận:", Bold: true, Italic: true}), Align: "left", Before: 240},
		{Runs: sized(size11, txt("- Như trên;")), Align: "left"},
		{Runs: sized(size11, txt("- Hội đồng Thi đua - Khen thưởng đặc khu (qua Phòng Văn hóa - Xã hội);")), Align: "left"},
		{Runs: sized(size11, txt("- Lưu: VT.")), Align: "left"},
	}
	if err := signature(d, recipients, append([]para{{Before: 240, Size: 4}}, signer([]string{"TM. BAN NHÂN DÂN ẤP", "TRƯỞNG ẤP"}, "", in.Leader)...)); err != nil {
		return nil, err
	}
	return d, nil
}

func minutesDoc(in Input) (*document, error) {
	n := namesOf(in)
	h := in.Hamlet
	d := &document{Title: "Biên bản họp xét thi đua, khen thưởng - " + n.board}
	if err := header(d, in, n, "BB-BND"); err != nil {
		return nil, err
	}
	title(d, in, "BIÊN BẢN", fmt.Sprintf("Họp xét thi đua, khen thưởng phong trào thi đua thực hiện mô hình “%s” năm %s", n.campaign, n.year))

	d.p(para{Before: 240})
	d.line(txt(fmt.Sprintf("Thời gian: vào lúc %s giờ %s phút, ngày %s tháng %s năm %s.", blankShort, blankShort, blankShort, blankShort, n.year)))
	d.line(txt("Địa điểm: "), fill())

	d.heading("I. THÀNH PHẦN THAM DỰ")
	d.line(txt("1. Chủ trì: Ông (bà) "), fill(), txt(", chức vụ: "), fill())
	d.line(txt("2. Thư ký: Ông (bà) "), fill(), txt(", chức vụ: "), fill())
	d.line(txt(fmt.Sprintf("3. Thành viên %s có mặt: %s/%s; vắng mặt: %s, lý do: ", n.board, blankShort, blankShort, blankShort)), fill())
	d.line(txt("Họ và tên các thành viên có mặt: "), fill())
	d.line(fill())

	d.heading("II. NỘI DUNG")
	d.body(txt(fmt.Sprintf("Chủ trì thông qua tiêu chuẩn, số lượng khen thưởng theo Kế hoạch phát động phong trào thi đua thực hiện mô hình “%s” của Ủy ban nhân dân đặc khu %s. Thư ký báo cáo tóm tắt thành tích và số liệu minh chứng của tập thể và cá nhân%s như sau:",
		n.campaign, n.zone, n.period)))

	d.heading("1. Tóm tắt thành tích của tập thể " + n.board)
	d.bullets(achievements(in, n))
	if err := evidenceTable(d, in, n); err != nil {
		return nil, err
	}
	if err := criteriaTable(d, in); err != nil {
		return nil, err
	}
	if len(h.ProceduresByName) > 0 {
		d.body(txt("Thủ tục dịch vụ công trực tuyến đã hướng dẫn, theo từng thủ tục:"))
		if err := proceduresTable(d, h.ProceduresByName); err != nil {
			return nil, err
		}
	}

	d.heading("2. Tóm tắt thành tích của cá nhân đề nghị xét khen thưởng")
	if len(in.Individuals) == 0 {
		d.body(txt("Không có cá nhân được đề nghị khen thưởng."))
	} else {
		d.body(txt("Danh sách cá nhân đề nghị xét, xếp theo số liệu hướng dẫn; cuộc họp xét từng cá nhân theo tiêu chuẩn của Kế hoạch:"))
		if err := individualsTable(d, in, true); err != nil {
			return nil, err
		}
		if err := individualCriteriaTable(d, in.Individuals); err != nil {
			return nil, err
		}
	}
	if ns := notes(in); len(ns) > 0 {
		d.heading("3. Ghi chú")
		d.bullets(ns)
	}

	d.heading("III. KẾT QUẢ BIỂU QUYẾT")
	if in.proposesCollective() {
		if in.BeyondCap && !in.Eligible {
			d.body(txt(beyondCapText(in, n)))
		}
		d.body(txt(fmt.Sprintf("Hội nghị thảo luận, biểu quyết đề nghị Chủ tịch Ủy ban nhân dân đặc khu %s tặng Giấy khen cho:", n.zone)))
		d.line(txt(fmt.Sprintf("- Tập thể %s: số thành viên đồng ý %s/%s, đạt %s%%.", n.board, blankShort, blankShort, blankShort)))
	} else {
		d.body(txt(fmt.Sprintf("Tập thể %s chưa đủ tiêu chuẩn đề nghị khen thưởng trong đợt này.", n.board)))
		if len(in.Individuals) > 0 {
			d.body(txt(fmt.Sprintf("Hội nghị thảo luận, biểu quyết đề nghị Chủ tịch Ủy ban nhân dân đặc khu %s tặng Giấy khen cho:", n.zone)))
		}
	}
	if k := len(in.Individuals); k > 0 {
		d.body(txt(fmt.Sprintf("- %s cá nhân có tên tại mục II.2, với tỷ lệ đồng ý của từng cá nhân ghi tại cột “Tỷ lệ đồng ý (%%)”.", scoring.Count2(k))))
	}

	d.heading("IV. KẾT LUẬN")
	for range 3 {
		d.line(fill())
	}
	d.body(txt(fmt.Sprintf("Cuộc họp kết thúc vào lúc %s giờ %s phút cùng ngày. Biên bản đã được thông qua trước hội nghị và các thành viên dự họp thống nhất./.", blankShort, blankShort)))

	gap := para{Before: 240, Size: 4}
	if err := signature(d,
		append([]para{gap}, signer([]string{"THƯ KÝ"}, "(Ký, ghi rõ họ tên)", "")...),
		append([]para{gap}, signer([]string{"CHỦ TRÌ"}, "(Ký, ghi rõ họ tên)", "")...),
	); err != nil {
		return nil, err
	}
	return d, nil
}

// beyondCapText says the collective meets the standard and ranks beyond
// the number of collective awards: the council decides.
func beyondCapText(in Input, n names) string {
	limit := "06"
	if in.CollectiveCap > 0 {
		limit = scoring.Count2(in.CollectiveCap)
	}
	return fmt.Sprintf("Tập thể %s đủ tiêu chuẩn, vượt số lượng %s — Hội đồng xét.", n.board, limit)
}

// evidenceTable is the collective's figures as a two-column table.
func evidenceTable(d *document, in Input, n names) error {
	h := in.Hamlet
	reached := "Chưa đạt"
	if !h.CoverageReachedOn.IsZero() {
		reached = shortDate(h.CoverageReachedOn)
	}
	cov := Percent(h.Coverage)
	if in.Threshold > 0 {
		cov += " (tiêu chuẩn: từ " + threshold(in.Threshold) + ")"
	}
	able := shownAble(h)
	items := [][2]string{
		{"Tổng số hộ gia đình trên địa bàn ấp", Number(h.Households) + " hộ"},
		{"Số hộ được cán bộ ấp hướng dẫn", Number(h.Guided) + " hộ"},
		{"Số hộ tự thực hiện được (tự khai)", Number(able-min(h.Guided, able)) + " hộ"},
		{"Số hộ biết thực hiện nộp hồ sơ trực tuyến (đã được hướng dẫn hoặc tự thực hiện được)", Number(able) + " hộ"},
		{"Tỷ lệ hộ biết thực hiện (độ phủ)", cov},
	}
	if in.Threshold > 0 {
		items = append(items, [2]string{"Ngày đạt mức " + threshold(in.Threshold), reached})
	}
	items = append(items,
		[2]string{"Số ngày đạt chỉ tiêu “mỗi ngày hướng dẫn 01 gia đình”", Number(h.DaysMet) + "/" + Number(h.DaysElapsed) + " ngày"},
		[2]string{"Chuỗi ngày liên tục đạt chỉ tiêu dài nhất", Number(h.LongestStreak) + " ngày"},
		[2]string{"Tổng số thủ tục dịch vụ công trực tuyến đã hướng dẫn", Number(h.Procedures) + " thủ tục"},
	)
	if h.K > 0 {
		v := Percent(h.SpecialProgress) + " số hộ"
		if h.SpecialNeeded > 0 {
			done := h.SpecialDone
			if h.Households > 0 {
				done = min(done, h.Households)
			}
			v = Number(done) + " hộ (" + Percent(h.SpecialProgress) + "); điều kiện: " + Number(h.SpecialNeeded) + " hộ"
		}
		items = append(items, [2]string{"Số hộ đã được hướng dẫn đủ " + scoring.Count2(h.K) + " thủ tục (" + scoring.SpecialPrizeName + ")", v})
	}
	done := h.ChecksPassed + h.ChecksFailed + h.ChecksUnreachable
	items = append(items,
		[2]string{"Số trường hợp được kiểm tra ngẫu nhiên", Number(max(h.ChecksTotal, done))},
		[2]string{"Kết quả kiểm tra: đạt / không đạt / chưa liên lạc được", fmt.Sprintf("%s / %s / %s", Number(h.ChecksPassed), Number(h.ChecksFailed), Number(h.ChecksUnreachable))},
	)
	hdr := func(s string) cell { return headCell(size12, s) }
	rows := []row{{Header: true, Cells: []cell{hdr("STT"), hdr("Chỉ tiêu"), hdr("Kết quả")}}}
	for i, it := range items {
		rows = append(rows, row{Cells: []cell{
			{Paras: []para{{Runs: sized(size13, txt(fmt.Sprint(i+1))), Align: "center"}}},
			{Paras: []para{{Runs: sized(size13, txt(it[0]))}}},
			{Paras: []para{{Runs: sized(size13, txt(it[1])), Align: "center"}}},
		}})
	}
	d.body(txt("Số liệu minh chứng của tập thể " + n.board + ":"))
	if err := d.table(table{Widths: []int{700, 5355, 3300}, Rows: rows, Grid: true, CellMargin: 80}); err != nil {
		return fmt.Errorf("dossier: evidence table: %w", err)
	}
	d.p(para{Size: 12})
	return nil
}

// proceduresTable lists every procedure guided with its count.
func proceduresTable(d *document, ps []NameCount) error {
	hdr := func(s string) cell { return headCell(size12, s) }
	rows := []row{{Header: true, Cells: []cell{hdr("STT"), hdr("Thủ tục"), hdr("Số lượt hướng dẫn")}}}
	i := 0
	for _, p := range ps {
		name := clean(p.Name)
		if name == "" {
			continue
		}
		i++
		rows = append(rows, row{Cells: []cell{
			{Paras: []para{{Runs: sized(size13, txt(fmt.Sprint(i))), Align: "center"}}},
			{Paras: []para{{Runs: sized(size13, txt(upperFirst(name)))}}},
			{Paras: []para{{Runs: sized(size13, txt(Number(p.Count))), Align: "center"}}},
		}})
	}
	if err := d.table(table{Widths: []int{700, 5355, 3300}, Rows: rows, Grid: true, CellMargin: 80}); err != nil {
		return fmt.Errorf("dossier: procedures table: %w", err)
	}
	d.p(para{Size: 12})
	return nil
}

// upperFirst capitalises the first letter: "đăng ký khai sinh" → "Đăng ký
// khai sinh".
func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return strings.ToUpper(string(r)) + s[size:]
}
