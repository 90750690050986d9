package bot

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/evidence"
	"dvcbot/export"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// reportQuery is what /report was asked for.
type reportQuery struct {
	Period   scoring.Period // as asked for, not clipped
	HamletID string         // "" for every hamlet
}

// reportArgError is a /report argument that could not be understood; its
// message is a Vietnamese sentence for the user.
type reportArgError struct{ msg string }

func (e *reportArgError) Error() string { return e.msg }

func argErr(format string, a ...any) error { return &reportArgError{msg: fmt.Sprintf(format, a...)} }

var (
	monthYearRE = regexp.MustCompile(`^(\d{1,2})[/.-](\d{4})$`)
	dateRangeRE = regexp.MustCompile(`^(\d{1,2}[/.-]\d{1,2}[/.-]\d{4})[-–—](\d{1,2}[/.-]\d{1,2}[/.-]\d{4})$`)
	yearRE      = regexp.MustCompile(`^(19|20|21)\d\d$`)
	numberRE    = regexp.MustCompile(`^\d{1,2}$`)
)

// reportFillers are words allowed around dates: "từ 01/05/2026 đến 15/05/2026".
var reportFillers = map[string]bool{"tu": true, "den": true, "toi": true, "-": true, "–": true, "—": true,
	"from": true, "to": true, "ngay": true, "va": true}

// parseReportArgs reads the arguments of /report: a period in Vietnamese
// (with or without diacritics) or English, optionally followed by a hamlet
// id (or name). Months, quarters and halves without a year are those of
// the campaign year that today falls in (the last campaign year once the
// campaign is over).
func parseReportArgs(args string, today scoring.Date, p scoring.Params, hamlets []campaign.Hamlet) (reportQuery, error) {
	var q reportQuery
	fields := strings.Fields(intake.Fold(args))
	fields, q.HamletID = cutHamlet(fields, hamlets)

	// Dates: one day or a range.
	var dates []scoring.Date
	var words []string
	for _, f := range fields {
		if m := dateRangeRE.FindStringSubmatch(f); m != nil {
			for _, s := range m[1:] {
				d, err := scoring.ParseDate(s)
				if err != nil {
					return q, argErr("%s", err.Error())
				}
				dates = append(dates, d)
			}
			continue
		}
		if looksLikeDate(f) {
			d, err := scoring.ParseDate(f)
			if err != nil {
				return q, argErr("%s", err.Error())
			}
			dates = append(dates, d)
			continue
		}
		words = append(words, splitLetterDigits(f)...)
	}
	if len(dates) > 0 {
		for _, w := range words {
			if !reportFillers[w] {
				return q, argErr("Không hiểu «%s» đi kèm ngày. Để xem từ ngày đến ngày, gõ hai ngày cách nhau dấu cách, ví dụ: /report 01/05/2026 15/05/2026", clipArg(w))
			}
		}
		switch len(dates) {
		case 1:
			q.Period = scoring.Day(dates[0])
		case 2:
			q.Period = scoring.Range(dates[0], dates[1])
		default:
			return q, argErr("Chỉ ghi một ngày, hoặc hai ngày (từ ngày đến ngày), ví dụ: /report 01/05/2026 15/05/2026")
		}
		return q, nil
	}

	// A trailing year ("quy 2 2026", "thang 5/2026").
	year := 0
	if n := len(words); n > 0 && yearRE.MatchString(words[n-1]) {
		year, _ = strconv.Atoi(words[n-1])
		words = words[:n-1]
	} else if n > 0 {
		if m := monthYearRE.FindStringSubmatch(words[n-1]); m != nil {
			year, _ = strconv.Atoi(m[2])
			words = append(words[:n-1], m[1])
		}
	}
	// A trailing number: the month, quarter, half or week.
	num, hasNum := 0, false
	if n := len(words); n > 1 && numberRE.MatchString(words[n-1]) {
		num, _ = strconv.Atoi(words[n-1])
		words, hasNum = words[:n-1], true
	} else if n == 2 && (words[0] == "quy" || words[0] == "quarter") {
		if r := slices.Index([]string{"i", "ii", "iii", "iv"}, words[1]); r >= 0 {
			num, words, hasNum = r+1, words[:1], true
		}
	}
	y := year
	if y == 0 {
		y = clampDate(today, p.CampaignStart, p.CampaignEnd).Year
	}
	phrase := strings.Join(words, " ")
	noNumber := func() error {
		if hasNum {
			return argErr("Không hiểu số %d trong «%s».", num, clipArg(phrase))
		}
		return nil
	}
	switch phrase {
	case "", "hom nay", "homnay", "nay", "today", "ngay", "day":
		if phrase == "" && year != 0 && !hasNum {
			q.Period = scoring.Year(year)
			return q, nil
		}
		q.Period = scoring.Day(today)
		return q, errors.Join(noNumber(), noYear(year, phrase))
	case "hom qua", "homqua", "qua", "yesterday":
		q.Period = scoring.Day(today.AddDays(-1))
		return q, errors.Join(noNumber(), noYear(year, phrase))
	case "tuan", "week", "tuan nay", "this week":
		if !hasNum {
			q.Period = scoring.ISOWeek(today)
			return q, noYear(year, phrase)
		}
		d, ok := isoWeekMonday(y, num)
		if !ok {
			return q, argErr("Năm %d không có tuần %d. Tuần đánh số từ 1 đến 52 (có năm đến 53), ví dụ: /report tuan 10", y, num)
		}
		q.Period = scoring.ISOWeek(d)
		return q, nil
	case "tuan truoc", "last week":
		q.Period = scoring.ISOWeek(today.AddDays(-7))
		return q, errors.Join(noNumber(), noYear(year, phrase))
	case "thang", "month", "t", "thang nay", "this month":
		switch {
		case !hasNum && phrase == "t":
			return q, argErr("Ghi số tháng sau chữ t, ví dụ: /report t5 hoặc /report thang 5")
		case !hasNum:
			q.Period = scoring.Month(y, today.Month)
			if year != 0 {
				return q, argErr("Ghi cả số tháng khi ghi năm, ví dụ: /report thang 5/%d", year)
			}
		case num < 1 || num > 12:
			return q, argErr("Tháng phải từ 1 đến 12, ví dụ: /report thang 5")
		default:
			q.Period = scoring.Month(y, time.Month(num))
		}
		return q, nil
	case "thang truoc", "last month":
		q.Period = scoring.Month(today.Year, today.Month-1)
		return q, errors.Join(noNumber(), noYear(year, phrase))
	case "quy", "quarter", "q", "quy nay", "this quarter":
		switch {
		case !hasNum && phrase == "q":
			return q, argErr("Ghi số quý sau chữ q, ví dụ: /report q2 hoặc /report quy 2")
		case !hasNum:
			q.Period = scoring.Quarter(y, today.Quarter())
			if year != 0 {
				return q, argErr("Ghi cả số quý khi ghi năm, ví dụ: /report quy 2 %d", year)
			}
		case num < 1 || num > 4:
			return q, argErr("Quý phải từ 1 đến 4, ví dụ: /report quy 2")
		default:
			q.Period = scoring.Quarter(y, num)
		}
		return q, nil
	case "quy truoc", "last quarter":
		q.Period = scoring.Quarter(today.Year, today.Quarter()-1)
		return q, errors.Join(noNumber(), noYear(year, phrase))
	case "6 thang", "nua nam", "half", "h", "6 thang nay", "so ket":
		switch {
		case !hasNum && phrase == "h":
			return q, argErr("Ghi h1 (6 tháng đầu năm) hoặc h2 (6 tháng cuối năm), ví dụ: /report h1")
		case !hasNum:
			q.Period = scoring.Half(y, today.Half())
			if year != 0 {
				return q, argErr("Ghi rõ 6 tháng đầu hay cuối năm, ví dụ: /report h1 %d", year)
			}
		case num < 1 || num > 2:
			return q, argErr("Nửa năm chỉ có 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm), ví dụ: /report h1")
		default:
			q.Period = scoring.Half(y, num)
		}
		return q, nil
	case "6 thang dau", "6 thang dau nam", "nua dau", "nua dau nam":
		q.Period = scoring.Half(y, 1)
		return q, noNumber()
	case "6 thang cuoi", "6 thang cuoi nam", "nua cuoi", "nua cuoi nam":
		q.Period = scoring.Half(y, 2)
		return q, noNumber()
	case "nam", "year", "ca nam", "nam nay", "this year", "tong ket":
		q.Period = scoring.Year(y)
		return q, noNumber()
	case "nam truoc", "last year":
		q.Period = scoring.Year(today.Year - 1)
		return q, errors.Join(noNumber(), noYear(year, phrase))
	}
	return q, argErr("Không hiểu kỳ báo cáo «%s».", clipArg(strings.TrimSpace(args)))
}

func noYear(year int, phrase string) error {
	if year != 0 {
		return argErr("Không ghi năm sau «%s». Để xem cả năm, gõ: /report nam %d", clipArg(phrase), year)
	}
	return nil
}

func clipArg(s string) string { return limitRunes(s, 40) }

// cutHamlet takes a hamlet id (or its name, without diacritics) off the end
// of the folded fields.
func cutHamlet(fields []string, hamlets []campaign.Hamlet) ([]string, string) {
	n := len(fields)
	if n == 0 {
		return fields, ""
	}
	for _, h := range hamlets {
		if strings.EqualFold(fields[n-1], h.ID) {
			return fields[:n-1], h.ID
		}
	}
	for k := min(n, 4); k >= 1; k-- {
		tail := strings.Join(fields[n-k:], " ")
		for _, h := range hamlets {
			name := intake.Fold(h.Name)
			if tail == name || tail == "ap "+name {
				return fields[:n-k], h.ID
			}
		}
	}
	return fields, ""
}

// looksLikeDate reports whether a field is written like a day/month/year date.
func looksLikeDate(f string) bool {
	seps := strings.Count(f, "/") + strings.Count(f, ".") + strings.Count(f, "-")
	if seps < 2 {
		return false
	}
	for _, r := range f {
		if !(r >= '0' && r <= '9' || r == '/' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

// splitLetterDigits separates letters from digits: "quy2" → "quy", "2";
// "6thang" → "6", "thang". "5/2026" stays whole.
func splitLetterDigits(f string) []string {
	if monthYearRE.MatchString(f) {
		return []string{f}
	}
	var out []string
	start := 0
	rs := []rune(f)
	for i := 1; i < len(rs); i++ {
		if unicode.IsDigit(rs[i]) != unicode.IsDigit(rs[i-1]) {
			out = append(out, string(rs[start:i]))
			start = i
		}
	}
	return append(out, string(rs[start:]))
}

// isoWeekMonday is the Monday of ISO week w of year y.
func isoWeekMonday(y, w int) (scoring.Date, bool) {
	jan4 := scoring.NewDate(y, time.January, 4)
	monday := jan4.AddDays(-((int(jan4.Weekday()) + 6) % 7)).AddDays(7 * (w - 1))
	gy, gw := monday.Time(time.UTC).ISOWeek()
	return monday, w >= 1 && gy == y && gw == w
}

func clampDate(d, lo, hi scoring.Date) scoring.Date {
	if d.Before(lo) {
		return lo
	}
	if d.After(hi) {
		return hi
	}
	return d
}

// clipReport limits a period to the campaign and to today; when nothing
// remains it says why, in Vietnamese.
func clipReport(p scoring.Period, params scoring.Params, today scoring.Date) (scoring.Period, string) {
	campaignDates := params.CampaignStart.String() + " – " + params.CampaignEnd.String()
	if today.Before(params.CampaignStart) {
		return scoring.Period{}, "Phong trào bắt đầu từ ngày " + params.CampaignStart.String() + " nên chưa có số liệu."
	}
	end := params.CampaignEnd
	if today.Before(end) {
		end = today
	}
	cp := p.Clip(params.CampaignStart, end)
	if !cp.Empty() {
		return cp, ""
	}
	if p.From.After(today) && !p.From.After(params.CampaignEnd) {
		return cp, upperFirst(p.Label) + " chưa bắt đầu (hôm nay là " + today.String() + ") nên chưa có số liệu."
	}
	return cp, upperFirst(p.Label) + " nằm ngoài thời gian phong trào (" + campaignDates + ")."
}

// comparePeriod is the stretch of the previous period matching the days of
// cur within orig (the same days of last week when this week is not over),
// clipped to the campaign; ok is false when it has no campaign day.
func comparePeriod(orig, cur scoring.Period, params scoring.Params) (prev scoring.Period, partial, ok bool) {
	full := orig.Previous()
	from := full.From.AddDays(scoring.DaysBetween(orig.From, cur.From))
	to := full.From.AddDays(scoring.DaysBetween(orig.From, cur.To))
	if cur.To == orig.To || to.After(full.To) { // a complete period: all of the previous one
		to = full.To
	}
	prev = scoring.Period{From: from, To: to, Kind: full.Kind, Label: full.Label}.Clip(params.CampaignStart, params.CampaignEnd)
	if prev.Empty() {
		return prev, false, false
	}
	prev.Label = full.Label
	return prev, prev.From != full.From || prev.To != full.To, true
}

// upperFirst capitalises the first letter ("quý II/2026" → "Quý II/2026").
func upperFirst(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// reportFileName names the workbook: bao-cao-2026-q2.xlsx, bao-cao-2026-05.xlsx,
// bao-cao-2026-w10.xlsx, bao-cao-2026-05-02.xlsx, bao-cao-2026.xlsx,
// bao-cao-2026-h1.xlsx, bao-cao-2026-05-01-den-2026-05-15.xlsx; with the
// hamlet id at the end for one hamlet.
func reportFileName(orig, cur scoring.Period, hamlet string) string {
	f := orig.From
	var name string
	switch orig.Kind {
	case scoring.KindDay:
		name = f.ISO()
	case scoring.KindWeek:
		y, w := f.Time(time.UTC).ISOWeek()
		name = fmt.Sprintf("%d-w%02d", y, w)
	case scoring.KindMonth:
		name = fmt.Sprintf("%d-%02d", f.Year, int(f.Month))
	case scoring.KindQuarter:
		name = fmt.Sprintf("%d-q%d", f.Year, f.Quarter())
	case scoring.KindHalf:
		name = fmt.Sprintf("%d-h%d", f.Year, f.Half())
	case scoring.KindYear:
		name = strconv.Itoa(f.Year)
	default:
		name = cur.From.ISO() + "-den-" + cur.To.ISO()
	}
	if hamlet != "" {
		name += "-" + hamlet
	}
	return "bao-cao-" + name + ".xlsx"
}

// reportUsage is the help of /report, with examples.
func reportUsage(leader bool, hamletID string) string {
	var b strings.Builder
	b.WriteString(bold("Cách dùng /report"))
	if leader {
		b.WriteString(" (số liệu ấp của anh/chị)")
	}
	b.WriteString(":\n" + code("/report") + " — hôm nay\n" + code("/report homqua") + " — hôm qua\n" + code("/report tuan") + " — tuần này (" + code("/report tuan truoc") + ": tuần trước)\n" + code("/report thang") + " — tháng này; " + code("/report thang 5") + " — tháng 5\n" + code("/report quy") + " — quý này; " + code("/report quy 2") + " hoặc " + code("/report q2") + " — quý II\n" + code("/report 6thang") + " — 6 tháng (sơ kết); " + code("/report h1") + ", " + code("/report h2") + " — 6 tháng đầu, cuối năm\n" + code("/report nam") + " — cả năm (tổng kết)\n" + code("/report 01/05/2026 15/05/2026") + " — từ ngày đến ngày\nGõ không dấu hoặc tiếng Anh đều được: " + code("today") + ", " + code("yesterday") + ", " + code("week") + ", " + code("month") + ", " + code("q2") + ", " + code("h1") + ", " + code("year") + ".")
	if !leader {
		b.WriteString("\nThêm mã ấp ở cuối để xem một ấp, ví dụ: " + chat.CodeStart + "/report tuan " + plain(hamletID) + chat.CodeEnd + " (gõ /ap để xem mã các ấp).")
	}
	return b.String()
}

// cmdReportFigures (/report [kỳ] [mã ấp]) answers with a summary of the
// period and the XLSX workbook. Leaders get their own hamlet only.
func (c *cx) cmdReportFigures(args string) error {
	isLeader := c.who.Role != campaign.RoleAdmin
	if isLeader && c.who.HamletID == "" {
		c.reply(msgNeedHamlet)
		return nil
	}
	hamlets, err := c.tx.Hamlets()
	if err != nil {
		return err
	}
	params := c.e.set.Params
	today := c.e.scoringDate(c.now)
	q, err := parseReportArgs(args, today, params, hamlets)
	var ae *reportArgError
	if errors.As(err, &ae) {
		c.reply("❌ " + plain(err.Error()) + "\n\n" + reportUsage(isLeader, c.firstHamletID()))
		return nil
	} else if err != nil {
		return err
	}
	if isLeader {
		if q.HamletID != "" && q.HamletID != c.who.HamletID {
			c.reply("Anh/chị là " + plain(c.who.Role.At(c.hamletName())) + " nên chỉ xem được số liệu của ấp mình. Gõ lại không kèm mã ấp, ví dụ: " + code("/report tuan"))
			return nil
		}
		q.HamletID = c.who.HamletID
	}
	cur, why := clipReport(q.Period, params, today)
	if why != "" {
		c.reply(plain(why) + "\n\n" + reportUsage(isLeader, c.firstHamletID()))
		return nil
	}
	// The figures and the workbook are built after the commit, outside the
	// write transaction every report shares.
	c.afterCommit(func(c *cx) error { return c.sendReport(q, cur, today) })
	return nil
}

// sendReport builds and sends /report's summary and workbook (after the commit).
func (c *cx) sendReport(q reportQuery, cur scoring.Period, today scoring.Date) error {
	params := c.e.set.Params
	r, err := c.e.buildReport(c.tx, q, cur, today)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	wb, err := r.workbook(c.e, c.tx)
	if err != nil {
		return err
	}
	var records, self int
	inner := wb.Evidence
	wb.Evidence = func(yield func(export.EvidenceRow) error) error {
		return inner(func(row export.EvidenceRow) error {
			if row.Kind == export.RowSelfDeclared {
				self++
			} else {
				records++
			}
			return yield(row)
		})
	}
	if err := export.WriteReport(&buf, c.e.set.Location, wb, c.e.procedureNameMap()); err != nil {
		return fmt.Errorf("bot: report workbook: %w", err)
	}
	name := reportFileName(q.Period, cur, q.HamletID)
	if buf.Len() > MaxDocumentBytes {
		c.reply(r.summary(params))
		c.reply("⚠️ Tệp Excel của kỳ này nặng " + fmtMB(int64(buf.Len())) +
			", quá giới hạn 50 MB mỗi tệp bot gửi được. Vui lòng chọn kỳ ngắn hơn hoặc một ấp (ví dụ " + code("/report thang "+c.firstHamletID()) +
			"), hoặc nhờ người quản lý máy chủ xuất bằng lệnh " + code("dvcbot export") + ".")
		return nil
	}
	if err := c.audit("report.export", nil, map[string]any{"period": cur.Label,
		"from": cur.From.String(), "to": cur.To.String(), "hamlet": q.HamletID, "records": records, "self_declared": self, "file": name}); err != nil {
		return err
	}
	c.reply(r.summary(params))
	list := itoa(records) + " lượt hướng dẫn"
	if self > 0 {
		list += ", " + itoa(self) + " hộ tự khai đã biết làm"
	}
	c.replies = append(c.replies, chat.Reply{To: c.in.Chat, File: &chat.File{Name: name, Bytes: buf.Bytes()},
		Text: "📎 " + plain(name) + ": tổng hợp ấp, cán bộ, danh sách hộ (" + list + " trong kỳ), kết quả kiểm tra (" + itoa(len(wb.Checks)) + ").\nTệp có thông tin cá nhân của người dân: chỉ dùng cho công việc, không chuyển tiếp vào nhóm."})
	return nil
}

// reportData is everything one /report shows.
type reportData struct {
	query      reportQuery
	cur        scoring.Period // clipped to the campaign and today; figures are as of cur.To
	periodDays int            // days of the period within the campaign
	hamletName string         // "" for every hamlet
	stats      []scoring.HamletStats
	officers   []scoring.OfficerStats
	prev       scoring.Period // the stretch of the previous period compared with
	prevOK     bool
	partial    bool // prev is part of the previous period (same days as cur)
	prevStats  map[string]scoring.HamletStats
	generated  time.Time
	loc        *time.Location
}

// buildReport computes the figures of a report from the aggregates.
func (e *Engine) buildReport(tx *store.Tx, q reportQuery, cur scoring.Period, today scoring.Date) (reportData, error) {
	params := e.set.Params
	r := reportData{query: q, cur: cur, generated: tx.Now(), loc: e.set.Location,
		periodDays: q.Period.Clip(params.CampaignStart, params.CampaignEnd).Days()}
	f, err := tx.Facts(q.HamletID)
	if err != nil {
		return r, err
	}
	r.stats = scoring.Hamlets(f, params, cur, cur.To)
	slices.SortStableFunc(r.stats, func(a, b scoring.HamletStats) int { return scoring.CompareNames(a.Hamlet.Name, b.Hamlet.Name) })
	if q.HamletID != "" && len(r.stats) == 1 {
		r.hamletName = r.stats[0].Hamlet.Name
	}
	r.officers = scoring.Officers(f, params, cur, cur.To)
	r.prev, r.partial, r.prevOK = comparePeriod(q.Period, cur, params)
	if r.prevOK {
		r.prevStats = map[string]scoring.HamletStats{}
		for _, s := range scoring.Hamlets(f, params, r.prev, r.prev.To) {
			r.prevStats[s.Hamlet.ID] = s
		}
	}
	return r, nil
}

// reportTotals are the figures of every hamlet of a report together.
type reportTotals struct {
	guided, newGuided, daysMet, daysElapsed, able, households, special int
}

func totalsOf(stats []scoring.HamletStats) reportTotals {
	var t reportTotals
	for _, s := range stats {
		t.guided += s.GuidedInPeriod
		t.newGuided += s.NewGuided
		t.daysMet += s.DaysMet
		t.daysElapsed += s.DaysElapsed
		t.able += min(s.Able, max(s.Hamlet.Households, 0))
		t.households += max(s.Hamlet.Households, 0)
		t.special += min(s.SpecialDone, max(s.Hamlet.Households, 0))
	}
	return t
}

// tenths is num ÷ den in tenths of a percent, truncated (0 when den is 0).
func tenths(num, den int) int {
	if den <= 0 || num <= 0 {
		return 0
	}
	return int(int64(min(num, den)) * 1000 / int64(den))
}

func signed(n int) string {
	if n > 0 {
		return "+" + scoring.Number(n)
	}
	return scoring.Number(n)
}

func signedTenths(n int) string {
	s := strconv.Itoa(abs(n)/10) + "," + strconv.Itoa(abs(n)%10)
	switch {
	case n > 0:
		return "+" + s
	case n < 0:
		return "-" + s
	}
	return s
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// shortDate is "02/05" (the year is in the label).
func shortDate(d scoring.Date) string { return d.String()[:5] }

// summary is the message text of a report: per hamlet, totals and the
// change since the previous period, within Telegram's 4096 characters.
func (r reportData) summary(p scoring.Params) string {
	var b strings.Builder
	b.WriteString("📊 " + chat.BoldStart + "Báo cáo " + plain(r.cur.Label))
	if r.hamletName != "" {
		b.WriteString(" — ấp " + plain(r.hamletName))
	}
	b.WriteString(provisionalMark(r.provisional()) + chat.BoldEnd)
	if r.cur.Kind == scoring.KindRange {
		b.WriteString(" (" + itoa(r.cur.Days()) + " ngày)")
	}
	b.WriteString("\n")
	if r.cur.Kind != scoring.KindRange && r.cur.From != r.cur.To {
		b.WriteString("Số liệu từ " + r.cur.From.String() + " đến " + r.cur.To.String() + " (" + itoa(r.cur.Days()))
		if r.periodDays > r.cur.Days() {
			b.WriteString(" trong " + itoa(r.periodDays))
		}
		b.WriteString(" ngày")
		if r.periodDays > r.cur.Days() {
			b.WriteString(" của kỳ")
		}
		b.WriteString(")\n")
	}
	head := b.String()
	var body []string
	if r.hamletName != "" {
		body = r.hamletLines(p)
	} else {
		body = r.tableLines()
	}
	tail := r.tailLines(p)
	text := head + strings.Join(body, "\n") + "\n" + strings.Join(tail, "\n")
	// Too long for one message (many hamlets): drop table rows, the
	// workbook has them all.
	for dropped := 0; r.hamletName == "" && utf16Len(text) > reportTextLimit && len(body) > 2; {
		dropped++
		body = append(body[:len(body)-2], body[len(body)-1]) // drop the last hamlet, keep the totals
		note := "(Còn " + itoa(dropped) + " ấp nữa: xem trong tệp.)"
		text = head + strings.Join(body, "\n") + "\n" + note + "\n" + strings.Join(tail, "\n")
	}
	return strings.TrimRight(text, "\n")
}

// reportTextLimit keeps a summary under Telegram's 4096 characters with room to spare.
const reportTextLimit = 4000

// utf16Len is the length of s as Telegram counts it (UTF-16 code units).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += len(utf16.AppendRune(nil, r))
	}
	return n
}

// tableLines are the per-hamlet figures, one line a hamlet (hamletLine,
// with the change since the previous period), then the totals line.
func (r reportData) tableLines() []string {
	var lines []string
	for _, s := range r.stats {
		delta := ""
		if ps, ok := r.prevStats[s.Hamlet.ID]; ok { // only when prevOK
			delta = signed(s.GuidedInPeriod - ps.GuidedInPeriod)
		}
		lines = append(lines, hamletLine(s, delta))
	}
	t := totalsOf(r.stats)
	delta := ""
	if r.prevOK {
		delta = signed(t.guided - totalsOf(r.prevList()).guided)
	}
	return append(lines, figuresLine(bold("Cộng"), scoring.Number(t.guided), delta, "",
		scoring.PercentOf(t.able, t.households), scoring.PercentOf(t.special, t.households)))
}

// prevList is the previous period's stats in the order of the current ones.
func (r reportData) prevList() []scoring.HamletStats {
	var out []scoring.HamletStats
	for _, s := range r.stats {
		if ps, ok := r.prevStats[s.Hamlet.ID]; ok {
			out = append(out, ps)
		}
	}
	return out
}

// hamletLines are the figures of a one-hamlet report as a list.
func (r reportData) hamletLines(p scoring.Params) []string {
	s := r.stats[0]
	hh := s.Hamlet.Households
	lines := []string{
		"• Lượt hộ được hướng dẫn: " + bold(scoring.Number(s.GuidedInPeriod)) + " (trong đó " + scoring.Number(s.NewGuided) + " hộ lần đầu được hướng dẫn)",
		"• Ngày đạt chỉ tiêu: " + itoa(s.DaysMet) + "/" + itoa(s.DaysElapsed) + " ngày · chuỗi hiện tại: " + itoa(s.CurrentStreak) + " ngày",
		"• Độ phủ đến " + r.cur.To.String() + ": " + scoring.Number(min(s.Able, max(hh, 0))) + "/" + scoring.Number(hh) + " hộ = " + chat.BoldStart +
			scoring.Percent(s.Coverage) + chat.BoldEnd + " (mục tiêu " + scoring.ThresholdPercent(p.CoverageThreshold) + ")",
		"• " + upperFirst(scoring.SpecialPrizeName) + ": " + scoring.Number(s.SpecialInRegister()) + "/" + scoring.Number(hh) + " hộ đã được hướng dẫn đủ " +
			scoring.Count2(s.K) + " thủ tục = " + scoring.Percent(s.SpecialProgress) + " (điều kiện: " + scoring.Number(s.SpecialNeeded) + " hộ, " +
			scoring.ThresholdPercent(p.SpecialShare()) + " số hộ)",
	}
	return lines
}

// tailLines are the totals, the comparison, warnings and the legend.
func (r reportData) tailLines(p scoring.Params) []string {
	var lines []string
	t := totalsOf(r.stats)
	if r.hamletName == "" {
		lines = append(lines, chat.BoldStart+"Tổng "+itoa(len(r.stats))+" ấp"+chat.BoldEnd+": "+scoring.Number(t.guided)+" lượt hộ ("+scoring.Number(t.newGuided)+
			" hộ lần đầu được hướng dẫn); số ngày đạt chỉ tiêu cộng các ấp: "+scoring.Number(t.daysMet)+"/"+scoring.Number(t.daysElapsed)+"; độ phủ chung "+
			scoring.PercentOf(t.able, t.households)+"; "+scoring.PercentOf(t.special, t.households)+" số hộ đã được hướng dẫn đủ số thủ tục của "+scoring.SpecialPrizeName+".")
	}
	if r.prevOK {
		pt := totalsOf(r.prevList())
		var b strings.Builder
		b.WriteString("📈 So với ")
		if r.partial {
			b.WriteString("cùng kỳ ")
		}
		b.WriteString(plain(prevLabel(r.prev)))
		if r.partial || r.prev.Kind == scoring.KindWeek || r.prev.Kind == scoring.KindRange {
			if r.prev.From == r.prev.To {
				b.WriteString(" (ngày " + r.prev.From.String() + ")")
			} else {
				b.WriteString(" (" + shortDate(r.prev.From) + " – " + r.prev.To.String() + ")")
			}
		}
		b.WriteString(": " + chat.BoldStart + signed(t.guided-pt.guided) + " lượt hộ" + chat.BoldEnd + " (" + scoring.Number(t.guided) + " so với " + scoring.Number(pt.guided) + ")")
		b.WriteString(", ngày đạt " + signed(t.daysMet-pt.daysMet))
		b.WriteString(", độ phủ " + signedTenths(tenths(t.able, t.households)-tenths(pt.able, pt.households)) + " điểm phần trăm.")
		lines = append(lines, b.String())
	} else {
		lines = append(lines, "📈 Kỳ trước nằm ngoài thời gian phong trào nên không có số liệu để so sánh.")
	}
	var warn []string
	for _, s := range r.stats {
		var why []string
		if n := len(s.FailedChecks); n > 0 {
			why = append(why, itoa(n)+" lần kiểm tra không đạt")
		}
		for _, x := range s.Exclusions {
			r := "bị loại trừ: " + limitRunes(x.Reason, 80)
			if !x.Since.IsZero() {
				r += ", từ " + x.Since.String()
			}
			why = append(why, r)
		}
		if len(why) > 0 {
			warn = append(warn, plain(s.Hamlet.Name)+" — "+plain(strings.Join(why, "; ")))
		}
	}
	if len(warn) > 0 {
		lines = append(lines, "⚠️ Không xét khen thưởng: "+strings.Join(warn, "; ")+".")
	}
	for _, s := range r.stats {
		if w := s.RegisterWarning(); w != "" {
			lines = append(lines, "⚠️ "+plain(w))
		}
	}
	if r.hamletName == "" {
		legend := chat.ItalicStart + "lượt: lượt hộ được hướng dẫn trong kỳ"
		if r.prevOK {
			legend += " (trong ngoặc: so với kỳ trước)"
		}
		lines = append(lines, legend+" · đạt: số ngày đạt chỉ tiêu/số ngày đã qua · phủ: độ phủ đến "+r.cur.To.String()+
			" (mục tiêu "+scoring.ThresholdPercent(p.CoverageThreshold)+") · quà: số hộ đã được hướng dẫn đủ số thủ tục của "+scoring.SpecialPrizeName+chat.ItalicEnd)
	}
	return lines
}

// prevLabel names the period compared with: "tuần 9/2026", "tháng 4/2026", …
func prevLabel(p scoring.Period) string {
	switch p.Kind {
	case scoring.KindWeek:
		y, w := p.From.Time(time.UTC).ISOWeek()
		if p.From.Weekday() != time.Monday { // clipped at the campaign start
			y, w = p.To.Time(time.UTC).ISOWeek()
		}
		return "tuần " + itoa(w) + "/" + itoa(y)
	case scoring.KindRange:
		return "kỳ trước"
	}
	return p.Label
}

// reportExclusions joins the reasons of exclusions in force.
func reportExclusions(xs []scoring.Exclusion) string {
	var rs []string
	for _, x := range xs {
		r := strings.TrimSpace(x.Reason)
		if r == "" {
			r = "bị loại trừ"
		}
		if !x.Since.IsZero() {
			r += " (từ " + x.Since.String() + ")"
		}
		rs = append(rs, r)
	}
	return strings.Join(rs, "; ")
}

// procedureNameMap maps catalogue ids to names for exports.
func (e *Engine) procedureNameMap() map[string]string {
	m := make(map[string]string, len(e.set.Procedures))
	for _, p := range e.set.Procedures {
		m[p.ID] = p.Name
	}
	return m
}

// workbook is the report as the XLSX export shows it. Evidence rows are
// streamed from tx when the workbook is written.
func (r reportData) workbook(e *Engine, tx *store.Tx) (export.ReportWorkbook, error) {
	label := upperFirst(r.cur.Label) + " — số liệu từ " + r.cur.From.String() + " đến " + r.cur.To.String()
	if r.hamletName != "" {
		label += " — ấp " + r.hamletName
	}
	names := map[string]string{}
	for _, s := range r.stats {
		names[s.Hamlet.ID] = s.Hamlet.Name
	}
	offs := slices.Clone(r.officers)
	slices.SortStableFunc(offs, func(a, b scoring.OfficerStats) int {
		if c := scoring.CompareNames(names[a.Officer.HamletID], names[b.Officer.HamletID]); c != 0 {
			return c
		}
		return scoring.CompareNames(a.Officer.Name, b.Officer.Name)
	})
	return e.reportWorkbook(tx, workbookContent{
		title:       "Báo cáo phong trào “" + e.set.CampaignName + "”",
		label:       label,
		figuresAt:   r.cur.To,
		provisional: r.provisional(),
		generated:   r.generated,
		hamlets:     r.stats,
		officers:    offs,
		from:        r.cur.From.Time(r.loc),
		to:          r.cur.To.AddDays(1).Time(r.loc),
		hamlet:      r.query.HamletID,
	})
}

// provisional reports whether the report's period had not ended when the
// report was made: its figures are «tạm tính».
func (r reportData) provisional() bool {
	return !r.query.Period.EndedBy(r.generated, r.loc)
}

// workbookContent is what a report workbook holds: the period's figures,
// and the records and spot checks of records reported in [from, to) (of
// one hamlet, or of every hamlet when hamlet is "").
type workbookContent struct {
	title, label string
	// figuresAt is the day the figures stop at; provisional marks a period
	// that had not ended (both stated on every sheet).
	figuresAt   scoring.Date
	provisional bool
	generated   time.Time // zero: the transaction's time
	hamlets     []scoring.HamletStats
	officers    []scoring.OfficerStats // in the order shown
	from, to    time.Time
	hamlet      string
}

// reportWorkbook is the workbook of /report and of the admins' annexes to
// the quarterly and review posts (export.WriteReport writes it); the
// records are read as it is written.
func (e *Engine) reportWorkbook(tx *store.Tx, c workbookContent) (export.ReportWorkbook, error) {
	if c.generated.IsZero() {
		c.generated = tx.Now()
	}
	wb := export.ReportWorkbook{Title: c.title, PeriodLabel: c.label, GeneratedAt: c.generated,
		FiguresAt: c.figuresAt, Provisional: c.provisional}
	names := map[string]string{}
	for _, s := range c.hamlets {
		names[s.Hamlet.ID] = s.Hamlet.Name
		wb.Hamlets = append(wb.Hamlets, export.HamletRow{ID: s.Hamlet.ID, Name: s.Hamlet.Name, Households: s.Hamlet.Households,
			NewGuided: s.NewGuided, HouseholdsGuided: s.HouseholdsGuided, SelfAble: s.SelfAble,
			GuidedInPeriod: s.GuidedInPeriod, Able: s.Able, Coverage: s.Coverage, SpecialProgress: s.SpecialProgress,
			DaysMet: s.DaysMet, DaysElapsed: s.DaysElapsed, Streak: s.CurrentStreak, Excluded: reportExclusions(s.Exclusions)})
	}
	officers, err := tx.Officers()
	if err != nil {
		return wb, err
	}
	stored := make(map[campaign.PersonID]campaign.Officer, len(officers))
	for _, o := range officers {
		stored[o.ID] = o
	}
	officerName := func(id campaign.PersonID) string {
		o, ok := stored[id]
		if ok && o.FullName != "" {
			return o.FullName
		}
		if _, admin := e.configAdminAccount(o); admin {
			return "Quản trị viên số " + id.String()
		}
		return "Cán bộ số " + id.String()
	}
	for _, s := range c.officers {
		o := stored[campaign.PersonID(s.Officer.ID)]
		role := string(o.Role)
		if role == "" {
			role = string(campaign.RoleOfficer)
		}
		wb.Officers = append(wb.Officers, export.OfficerRow{Number: campaign.PersonID(s.Officer.ID), Name: s.Officer.DisplayName(),
			HamletName: names[s.Officer.HamletID], Affiliation: o.Affiliation.Label(), Role: role,
			Households: s.Households, NewHouseholds: s.NewHouseholds, Procedures: s.Procedures,
			DaysActive: s.DaysActive, FailedChecks: len(s.FailedChecks), Active: s.Officer.Active,
			Excluded: reportExclusions(s.Exclusions)})
	}
	from, to, hamlet := c.from, c.to, c.hamlet
	wb.Evidence = evidence.Rows(tx, evidence.Query{From: from, To: to, Hamlet: hamlet,
		Name: func(o campaign.Officer) string { return officerName(o.ID) }})
	// Kiểm tra: the spot checks of the records reported, and of the
	// households marked as able on their own, in the period.
	err = tx.CheckedGuidance(func(g campaign.Guidance) error {
		if g.At.Before(from) || !g.At.Before(to) || (hamlet != "" && g.HamletID != hamlet) {
			return nil
		}
		hh, err := tx.Household(g.HouseholdID)
		if err != nil {
			return err
		}
		wb.Checks = append(wb.Checks, export.CheckRow{HamletName: names[g.HamletID], HouseholdName: hh.HeadName,
			Address: hh.Address, Phone: hh.Phone, OfficerName: officerName(g.OfficerID), ReportedAt: g.At,
			CheckedAt: g.CheckedAt, Status: g.Check, Reason: g.CheckReason, CheckedByName: officerName(g.CheckedBy)})
		return nil
	})
	if err != nil {
		return wb, err
	}
	err = tx.CheckedSelfDeclared(func(h campaign.Household) error {
		marked := h.SelfAbleAt
		if marked.IsZero() { // the mark was undone after the check
			marked = h.CreatedAt
		}
		if marked.Before(from) || !marked.Before(to) || (hamlet != "" && h.HamletID != hamlet) {
			return nil
		}
		wb.Checks = append(wb.Checks, export.CheckRow{Kind: export.RowSelfDeclared, HamletName: names[h.HamletID],
			HouseholdName: h.HeadName, Address: h.Address, Phone: h.Phone, OfficerName: officerName(h.Check.MarkedBy),
			ReportedAt: marked, CheckedAt: h.Check.At, Status: h.Check.Status, Reason: h.Check.Reason,
			CheckedByName: officerName(h.Check.By)})
		return nil
	})
	if err != nil {
		return wb, err
	}
	slices.SortStableFunc(wb.Checks, func(a, b export.CheckRow) int { return a.CheckedAt.Compare(b.CheckedAt) })
	return wb, nil
}
