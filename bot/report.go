package bot

import (
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Report conversation states.
const (
	stateReportName      = "report_name"
	stateReportAddress   = "report_address"
	stateReportPhone     = "report_phone"
	stateReportKnown     = "report_known"     // phone known in the hamlet: add to that household?
	stateReportElsewhere = "report_elsewhere" // phone known in another hamlet: go on?
	stateReportProcs     = "report_procs"
	stateReportOther     = "report_other"
	stateReportDossier   = "report_dossier"
	stateReportConfirm   = "report_confirm"
	stateReportEdit      = "report_edit"
	stateReportDup       = "report_dup"     // the same household again today: save anyway?
	stateReportRestart   = "report_restart" // a new report over one begun: drop it?
)

// undoWindow is how long an officer may undo their own report.
const undoWindow = 24 * time.Hour

// photoWindow is how long after saving a photo still joins that report.
const photoWindow = 30 * time.Minute

// repeatStep answers text where a button is expected by asking again.
func (c *cx) repeatStep(string) error { c.askAgain(); return nil }

var cancelRow = []chat.Choice{{Label: "❌ Hủy", Value: "r:cancel"}}

// backRow returns from correcting one field to the summary.
var backRow = []chat.Choice{{Label: "↩️ Quay lại", Value: "r:back"}}

// stepRow is the choice under a step's question: «Quay lại» to the
// summary while one field is being corrected («Hủy» would throw the whole
// report away), «Hủy» otherwise.
func (c *cx) stepRow() []chat.Choice {
	if c.s.Draft.Editing {
		return backRow
	}
	return cancelRow
}

// outsideCampaign answers, and reports true, when a report made now falls
// outside the campaign (scoring.Params.CheckReportTime): such a report is
// not saved, whatever its form (/baocao step by step or in one message,
// /dabiet), and whatever was begun is dropped.
func (c *cx) outsideCampaign() bool {
	err := c.e.set.Params.CheckReportTime(c.now, c.e.set.Location)
	if err == nil {
		return false
	}
	next := " Các báo cáo đã lưu trong thời gian phong trào vẫn được giữ và tính đủ; gõ /toi để xem kết quả."
	var oe *scoring.OutsideCampaignError
	if errors.As(err, &oe) && oe.Day.Before(oe.Start) {
		next = " Vui lòng báo cáo từ ngày " + oe.Start.String() + "."
	}
	if strings.HasPrefix(c.s.State, "report_") || strings.HasPrefix(c.s.State, "selfable_") {
		c.s.endFlow()
	}
	c.reply("⛔ " + plain(err.Error()) + next)
	return true
}

// cmdReport starts the step-by-step report, or saves a one-line report.
func (c *cx) cmdReport(args string) error {
	if c.outsideCampaign() {
		return nil
	}
	if c.draftOpen() {
		c.askRestart(args)
		return nil
	}
	if args != "" {
		c.s.State, c.s.Draft = "", Draft{}
		return c.oneLine(args)
	}
	c.s.State, c.s.Draft = stateReportName, Draft{}
	if !c.in.Caps.Buttons {
		// Every message counts against a channel quota without buttons
		// (Zalo): offer the one-message form first.
		c.reply("📝 " + bold("Báo cáo hộ được hướng dẫn") + "\nCách nhanh nhất: gửi " + bold("một tin nhắn 4 dòng") + ":\n" +
			pre(reportTemplate) + "\n(dòng 4: một hoặc nhiều thủ tục, cách nhau dấu phẩy)\n\n" +
			"Hoặc trả lời từng câu (bước 1/5): họ và tên " + bold("chủ hộ") + "?\nGõ /huy để dừng.")
		return nil
	}
	c.reply("📝 "+bold("Báo cáo hộ được hướng dẫn")+" (bước 1/5)\nHọ và tên "+bold("chủ hộ")+"?", cancelRow)
	return nil
}

// reportTemplate is the four-line form of a report, as an example.
const reportTemplate = "Nguyễn Văn An\nTổ 3, ấp Bãi Nhà\n0912345678\nkhai sinh, thường trú"

// undoChoice is the choice that retracts what was just saved (a tap, or
// its label typed in full: never a bare number).
func undoChoice(value string) []chat.Choice {
	return []chat.Choice{{Label: "↩️ Hoàn tác", Value: value, TypedOnly: true}}
}

// undoHint tells how to undo what was just saved: a tap where the channel
// has buttons, the word «hoàn tác» typed where it has none.
func (c *cx) undoHint(what string) string {
	if c.in.Caps.Buttons {
		return what + "? Bấm «Hoàn tác» (trong 24 giờ)."
	}
	return what + "? Gõ " + code("hoàn tác") + " (trong 24 giờ)."
}

// askAgain repeats the question of the current step.
func (c *cx) askAgain() {
	switch c.s.State {
	case stateReportName:
		c.reply("Họ và tên "+bold("chủ hộ")+"?", c.stepRow())
	case stateReportAddress:
		c.reply("(bước 2/5) "+bold("Địa chỉ")+" của hộ (số nhà, tổ, ấp)?", c.stepRow())
	case stateReportPhone:
		c.reply("(bước 3/5) "+bold("Số điện thoại")+" của hộ?", c.stepRow())
	case stateReportProcs:
		c.askProcs("")
	case stateReportOther:
		c.reply("Thủ tục «Khác» là thủ tục gì? Gõ tên thủ tục (tối đa 200 ký tự).", c.stepRow())
	case stateReportDossier:
		c.reply("(bước 5/5) "+bold("Mã hồ sơ")+" trên Cổng Dịch vụ công (nếu có). Không có thì "+c.tap("Bỏ qua")+".",
			[]chat.Choice{{Label: "Bỏ qua", Value: "r:skip"}}, c.stepRow())
	case stateReportKnown, stateReportElsewhere:
		c.askPhoneConflict()
	case stateReportConfirm:
		c.showSummary()
	case stateReportEdit:
		c.reply("Anh/chị muốn sửa mục nào?",
			[]chat.Choice{{Label: "Họ tên", Value: "r:f_name"}, {Label: "Địa chỉ", Value: "r:f_address"}},
			[]chat.Choice{{Label: "Số điện thoại", Value: "r:f_phone"}, {Label: "Thủ tục", Value: "r:f_procs"}},
			[]chat.Choice{{Label: "Mã hồ sơ", Value: "r:f_dossier"}, {Label: "↩️ Quay lại", Value: "r:back"}})
	}
}

// next moves to state (or back to the summary when editing one field).
func (c *cx) next(state string) {
	if c.s.Draft.Editing && state != stateReportOther && state != stateReportKnown && state != stateReportElsewhere {
		c.s.Draft.Editing = false
		state = stateReportConfirm
	}
	c.s.State = state
	c.askAgain()
}

func (c *cx) onName(text string) error {
	if strings.Count(text, "\n") >= 2 {
		// The whole report in one message, after /baocao alone.
		c.s.State, c.s.Draft = "", Draft{}
		return c.oneLine(text)
	}
	name, err := intake.NormalizeName(text)
	if err != nil {
		c.reply(userError(err)+"\n\nHọ và tên "+bold("chủ hộ")+"?", c.stepRow())
		return nil
	}
	c.s.Draft.Name = name
	c.next(stateReportAddress)
	return nil
}

func (c *cx) onAddress(text string) error {
	addr, err := intake.NormalizeAddress(text)
	if err != nil {
		c.reply(userError(err)+"\n\n"+bold("Địa chỉ")+" của hộ (số nhà, tổ, ấp)?", c.stepRow())
		return nil
	}
	c.s.Draft.Address = addr
	c.next(stateReportPhone)
	return nil
}

func (c *cx) onPhone(text string) error {
	phone, err := intake.NormalizePhone(text)
	if err != nil {
		c.reply(userError(err)+"\n\n"+bold("Số điện thoại")+" của hộ?", c.stepRow())
		return nil
	}
	d := &c.s.Draft
	d.Phone, d.HouseholdID = phone, 0
	hh, err := c.tx.HouseholdByPhone(c.who.HamletID, phone)
	switch {
	case err == nil:
		d.HouseholdID = hh.ID
		c.s.State = stateReportKnown
		c.askPhoneConflict()
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	others, err := c.tx.HouseholdsByPhone(phone)
	if err != nil {
		return err
	}
	if len(others) > 0 && d.Warned != phone {
		c.s.State = stateReportElsewhere
		c.askPhoneConflict()
		return nil
	}
	c.next(stateReportProcs)
	return nil
}

// askPhoneConflict asks what to do with a phone already in the campaign.
func (c *cx) askPhoneConflict() {
	d := c.s.Draft
	if c.s.State == stateReportKnown {
		hh, err := c.tx.Household(d.HouseholdID)
		if err != nil {
			c.s.State = stateReportPhone
			c.askAgain()
			return
		}
		c.reply("ℹ️ Số "+intake.FormatPhone(d.Phone)+" đã có trong ấp: hộ "+bold(hh.HeadName)+", "+plain(hh.Address)+
			".\nGhi thêm thủ tục lần này cho hộ đó?",
			[]chat.Choice{{Label: "✅ Đúng, ghi cho hộ này", Value: "r:known_yes"}},
			[]chat.Choice{{Label: "✏️ Nhập số khác", Value: "r:phone_again"}}, cancelRow)
		return
	}
	others, _ := c.tx.HouseholdsByPhone(d.Phone)
	names := make([]string, 0, len(others))
	for _, o := range others {
		if h, err := c.tx.Hamlet(o.HamletID); err == nil {
			names = append(names, h.Name)
		}
	}
	c.reply("⚠️ Số "+intake.FormatPhone(d.Phone)+" đã được báo cáo ở ấp "+chat.BoldStart+plain(strings.Join(names, ", "))+
		chat.BoldEnd+". Nếu hộ này thật sự ở ấp mình (ví dụ đã chuyển về), anh/chị vẫn có thể tiếp tục.",
		[]chat.Choice{{Label: "Vẫn tiếp tục", Value: "r:else_yes"}},
		[]chat.Choice{{Label: "✏️ Nhập số khác", Value: "r:phone_again"}}, cancelRow)
}

// askProcs shows the catalogue as toggles; editID edits the earlier keyboard.
func (c *cx) askProcs(editID string) {
	chosen := map[string]bool{}
	for _, p := range c.s.Draft.Procedures {
		chosen[p] = true
	}
	var rows [][]chat.Choice
	var list strings.Builder
	for i, p := range c.e.set.Procedures {
		mark := ""
		if chosen[p.ID] {
			mark = "✓ "
		}
		rows = append(rows, []chat.Choice{{Label: mark + p.Name, Value: "p:" + p.ID}})
		list.WriteString("\n" + itoa(i+1) + ". " + mark + plain(p.Name))
	}
	rows = append(rows, []chat.Choice{{Label: "➡️ Xong", Value: "p:done"}}, c.stepRow())
	if !c.in.Caps.Buttons {
		// Without buttons the numbered list is the choice: one message
		// with the numbers or names answers it.
		c.reply("(bước 4/5) " + bold("Thủ tục") + " đã hướng dẫn — gõ số hoặc tên, cách nhau dấu phẩy (ví dụ: " +
			code("1, 2") + " hoặc " + code("khai sinh, thuong tru") + "):" + list.String() + "\nGõ /huy để dừng.")
		return
	}
	text := "(bước 4/5) " + bold("Thủ tục") + " đã hướng dẫn — chọn một hoặc nhiều, rồi bấm «Xong». Có thể gõ số hoặc tên, cách nhau dấu phẩy (ví dụ: " + code("1, 2") + " hoặc " + code("khai sinh, thuong tru") + ")." + list.String()
	if editID != "" {
		c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: text, Choices: rows, Edit: editID})
		return
	}
	c.reply(text, rows...)
}

func (c *cx) onProcButton(arg string) error {
	if c.s.State != stateReportProcs {
		c.reply(msgStaleButton)
		return nil
	}
	if arg == "done" {
		return c.procsDone()
	}
	if _, ok := c.procedure(arg); !ok {
		c.reply(msgStaleButton)
		return nil
	}
	d := &c.s.Draft
	found := false
	for i, p := range d.Procedures {
		if p == arg {
			d.Procedures = append(d.Procedures[:i:i], d.Procedures[i+1:]...)
			found = true
			break
		}
	}
	if !found {
		d.Procedures = append(d.Procedures, arg)
	}
	edit := ""
	if c.in.Callback != nil {
		edit = c.in.Callback.MessageID
	}
	c.askProcs(edit)
	return nil
}

func (c *cx) procedure(id string) (campaign.Procedure, bool) {
	for _, p := range c.e.set.Procedures {
		if p.ID == id {
			return p, true
		}
	}
	return campaign.Procedure{}, false
}

// onProcsText takes procedures typed as numbers or names.
func (c *cx) onProcsText(text string) error {
	if k := labelKey(text); k == "xong" || k == "done" || k == "tiep" {
		return c.procsDone()
	}
	if k := labelKey(text); k == "huy" {
		return c.cmdCancel("")
	}
	var picked []string
	other := ""
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == '+' || r == '|' }) {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		// "1 3 5" typed with spaces.
		if nums := strings.Fields(tok); len(nums) > 1 && allDigits(nums) {
			for _, n := range nums {
				ms := intake.MatchProcedures(c.e.set.Procedures, n)
				if len(ms) != 1 {
					c.reply("❌ Không có thủ tục số " + plain(limitRunes(n, 40)) + ". Hãy chọn số từ 1 đến " + itoa(len(c.e.set.Procedures)) + ".")
					c.askProcs("")
					return nil
				}
				picked = append(picked, ms[0].ID)
			}
			continue
		}
		ms := intake.MatchProcedures(c.e.set.Procedures, tok)
		switch {
		case len(ms) == 1:
			picked = append(picked, ms[0].ID)
		case len(ms) == 0:
			if rest, ok := otherProcedureText(tok); ok {
				picked = append(picked, campaign.OtherProcedureID)
				other = rest
				continue
			}
			msg := "❌ Không tìm thấy thủ tục «" + plain(limitRunes(tok, 60)) + "»."
			if near := c.nearProcedures(tok); len(near) > 0 {
				msg += " Có phải: " + strings.Join(near, "; ") + "?"
			}
			c.reply(msg + " Chọn lại trong danh sách dưới đây.")
			c.askProcs("")
			return nil
		default:
			var names []string
			for _, m := range ms {
				names = append(names, "• "+plain(m.Name))
			}
			c.reply("❓ «" + plain(limitRunes(tok, 60)) + "» khớp với nhiều thủ tục:\n" + strings.Join(names, "\n") + "\nHãy gõ rõ hơn hoặc chọn số thứ tự trong danh sách dưới đây.")
			c.askProcs("")
			return nil
		}
	}
	if len(picked) == 0 {
		c.askProcs("")
		return nil
	}
	// A typed answer is the whole list: it replaces what was ticked, so an
	// officer without buttons can also remove a wrong procedure.
	c.s.Draft.Procedures = dedupeStrings(picked)
	if other != "" {
		c.s.Draft.Other = limitRunes(other, 200)
	}
	return c.procsDone()
}

// nearProcedures names up to three procedures that share a word of three
// letters or more with what was typed (diacritics ignored), the closest first.
func (c *cx) nearProcedures(typed string) []string {
	words := strings.Fields(intake.Fold(typed))
	type hit struct {
		name  string
		score int
	}
	var hits []hit
	for _, p := range c.e.set.Procedures {
		if p.ID == campaign.OtherProcedureID {
			continue
		}
		name := " " + intake.Fold(p.Name) + " "
		score := 0
		for _, w := range words {
			if len([]rune(w)) >= 3 && strings.Contains(name, " "+w) {
				score++
			}
		}
		if score > 0 {
			hits = append(hits, hit{p.Name, score})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return b.score - a.score })
	var out []string
	for i := 0; i < len(hits) && i < 3; i++ {
		out = append(out, "«"+plain(hits[i].name)+"»")
	}
	return out
}

// otherProcedureText recognises "khác: <text>" typed as a procedure: the
// word "khác" (with or without diacritics) followed by a separator or the
// end, and returns the text after it.
func otherProcedureText(tok string) (string, bool) {
	r := []rune(intake.CleanText(tok))
	if len(r) < 4 || intake.Fold(string(r[:4])) != "khac" {
		return "", false
	}
	if len(r) > 4 && (unicode.IsLetter(r[4]) || unicode.IsDigit(r[4])) {
		return "", false
	}
	return strings.TrimSpace(strings.TrimLeft(string(r[4:]), " :-–")), true
}

func allDigits(ss []string) bool {
	for _, s := range ss {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
	}
	return true
}

func dedupeStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func limitRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (c *cx) procsDone() error {
	d := &c.s.Draft
	if len(d.Procedures) == 0 {
		c.reply("Anh/chị chưa chọn thủ tục nào. Hãy chọn ít nhất một thủ tục rồi " + c.tap("Xong") + ".")
		c.askProcs("")
		return nil
	}
	hasOther := false
	for _, p := range d.Procedures {
		hasOther = hasOther || p == campaign.OtherProcedureID
	}
	if !hasOther {
		d.Other = ""
	}
	if hasOther && d.Other == "" {
		c.s.State = stateReportOther
		c.askAgain()
		return nil
	}
	c.next(stateReportDossier)
	return nil
}

func (c *cx) onOther(text string) error {
	if text == "" || utf8.RuneCountInString(text) > 200 {
		c.reply("❌ Tên thủ tục khác cần từ 1 đến 200 ký tự. Vui lòng gõ lại.", c.stepRow())
		return nil
	}
	c.s.Draft.Other = text
	c.next(stateReportDossier)
	return nil
}

func (c *cx) onDossier(text string) error {
	dc, ok := dossierCode(text)
	if !ok {
		c.reply("❌ Mã hồ sơ chỉ gồm chữ không dấu, số và các dấu . - / _ (từ 4 đến 50 ký tự, có chữ số), ví dụ "+code("G22.115-260502-0001")+". Gõ lại, hoặc "+c.tap("Bỏ qua")+".",
			[]chat.Choice{{Label: "Bỏ qua", Value: "r:skip"}}, c.stepRow())
		return nil
	}
	c.s.Draft.Dossier = dc
	c.next(stateReportConfirm)
	return nil
}

func dossierCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 4 || len(s) > 50 || !strings.ContainsAny(s, "0123456789") {
		return "", false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-/_", r)) {
			return "", false
		}
	}
	return strings.ToUpper(s), true
}

func (c *cx) procedureNames(ids []string, other string) string {
	var names []string
	for _, id := range ids {
		p, ok := c.procedure(id)
		if !ok {
			names = append(names, plain(id))
			continue
		}
		if id == campaign.OtherProcedureID && other != "" {
			names = append(names, plain(p.Name)+": "+plain(other))
			continue
		}
		names = append(names, plain(p.Name))
	}
	return strings.Join(names, "; ")
}

func (c *cx) showSummary() {
	d := c.s.Draft
	var b strings.Builder
	b.WriteString(bold("Kiểm tra lại báo cáo") + "\n")
	b.WriteString("Chủ hộ: " + bold(d.Name) + "\n")
	b.WriteString("Địa chỉ: " + plain(d.Address) + "\n")
	b.WriteString("Điện thoại: " + intake.FormatPhone(d.Phone) + "\n")
	b.WriteString("Thủ tục: " + c.procedureNames(d.Procedures, d.Other) + "\n")
	if d.Dossier != "" {
		b.WriteString("Mã hồ sơ: " + plain(d.Dossier) + "\n")
	}
	if n := len(d.Photos); n > 0 {
		b.WriteString("Ảnh minh chứng: " + itoa(n) + " ảnh\n")
	}
	if w := c.duplicateWarning(d, false); w != "" {
		b.WriteString(w + "\n")
	}
	b.WriteString("\nThông tin đúng chưa?")
	c.reply(b.String(), []chat.Choice{{Label: "✅ Lưu", Value: "r:save"}, {Label: "✏️ Sửa", Value: "r:edit"}, {Label: "❌ Hủy", Value: "r:cancel"}})
}

// duplicateWarning flags a household of the same name and address with
// another phone: likely the same family, worth a look, not a refusal.
func (c *cx) duplicateWarning(d Draft, oneLine bool) string {
	if d.HouseholdID != 0 {
		return ""
	}
	same, err := c.tx.HouseholdsAt(c.who.HamletID, intake.Fold(d.Name), d.Address)
	if err != nil {
		return ""
	}
	for _, h := range same {
		if h.Phone != d.Phone {
			fix := c.tap("Sửa") + " và nhập số cũ"
			if oneLine {
				fix = c.tap("Hoàn tác") + " rồi báo cáo lại với số cũ"
			}
			return "⚠️ Ấp đã có hộ cùng tên và địa chỉ với số " + intake.FormatPhone(h.Phone) + " — có thể trùng hộ. Nếu đúng là hộ đó, " + fix + "."
		}
	}
	return ""
}

func (c *cx) onReportButton(arg string) error {
	if arg == "cancel" {
		return c.cmdCancel("")
	}
	want := map[string]string{"save": stateReportConfirm, "edit": stateReportConfirm, "skip": stateReportDossier,
		"known_yes": stateReportKnown, "else_yes": stateReportElsewhere, "back": stateReportEdit,
		"dup_yes": stateReportDup, "dup_no": stateReportDup, "restart": stateReportRestart, "resume": stateReportRestart}
	editingBack := arg == "back" && c.s.Draft.Editing && strings.HasPrefix(c.s.State, "report_")
	if st, ok := want[arg]; ok && c.s.State != st && !editingBack {
		c.reply(msgStaleButton)
		return nil
	}
	if strings.HasPrefix(arg, "f_") && c.s.State != stateReportEdit {
		c.reply(msgStaleButton)
		return nil
	}
	if arg == "phone_again" && c.s.State != stateReportKnown && c.s.State != stateReportElsewhere {
		c.reply(msgStaleButton)
		return nil
	}
	d := &c.s.Draft
	switch arg {
	case "save":
		return c.saveDraft()
	case "edit":
		c.s.State = stateReportEdit
		c.askAgain()
	case "back":
		d.Editing = false
		c.s.State = stateReportConfirm
		c.askAgain()
	case "dup_yes":
		d.DupOK = true
		return c.saveDraft()
	case "dup_no":
		c.s.State, c.s.Draft = "", Draft{}
		c.reply("Đã không lưu lần báo cáo trùng này. Báo cáo trước của hộ vẫn giữ nguyên.")
	case "restart":
		line := c.s.Line
		c.s.endFlow()
		if line != "" {
			return c.oneLine(line)
		}
		return c.cmdReport("")
	case "resume":
		c.s.State, c.s.Line, c.s.Resume = c.s.Resume, "", ""
		if c.s.State == "" {
			c.s.State = stateReportName
		}
		c.askAgain()
	case "skip":
		d.Dossier = ""
		c.next(stateReportConfirm)
	case "known_yes":
		c.next(stateReportProcs)
	case "else_yes":
		d.Warned = d.Phone
		c.next(stateReportProcs)
	case "phone_again":
		d.Phone, d.HouseholdID = "", 0
		c.s.State = stateReportPhone
		c.askAgain()
	case "f_name", "f_address", "f_phone", "f_procs", "f_dossier":
		d.Editing = true
		c.s.State = map[string]string{"f_name": stateReportName, "f_address": stateReportAddress, "f_phone": stateReportPhone,
			"f_procs": stateReportProcs, "f_dossier": stateReportDossier}[arg]
		c.askAgain()
	default:
		c.reply(msgStaleButton)
	}
	return nil
}

// saveDraft stores the report collected step by step.
func (c *cx) saveDraft() error {
	d := c.s.Draft
	if d.Name == "" || d.Address == "" || d.Phone == "" || len(d.Procedures) == 0 {
		c.reply("Báo cáo còn thiếu thông tin nên chưa lưu được. Gõ /baocao để làm lại.")
		c.s.State, c.s.Draft = "", Draft{}
		return nil
	}
	if c.outsideCampaign() {
		return nil
	}
	if c.askDuplicate(d) {
		return nil
	}
	g, hh, created, err := c.saveReport(d)
	if err != nil {
		return err
	}
	c.s.State, c.s.Draft = "", Draft{}
	c.s.Last, c.s.LastAt = g.ID, c.now
	c.confirmSaved(g, hh, created, d.Note)
	return nil
}

// askDuplicate asks before saving a household the officer already reported
// today (a second tap, a message sent twice), keeping the draft; it
// reports whether it asked.
func (c *cx) askDuplicate(d Draft) bool {
	if d.DupOK || d.HouseholdID == 0 {
		return false
	}
	start := c.today.Date()
	from := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, c.e.set.Location)
	var earlier campaign.Guidance
	_ = c.tx.OfficerGuidance(c.who.ID, from, c.now.Add(time.Second), func(g campaign.Guidance) (bool, error) {
		if g.HouseholdID == d.HouseholdID && g.Counts() {
			earlier = g
			return false, nil
		}
		return true, nil
	})
	if earlier.ID == 0 {
		return false
	}
	name := d.Name
	if hh, err := c.tx.Household(d.HouseholdID); err == nil {
		name = hh.HeadName
	}
	c.s.State, c.s.Draft = stateReportDup, d
	c.reply("⚠️ Hôm nay anh/chị đã báo cáo hộ "+bold(name)+" rồi (báo cáo số "+itoa(int(earlier.ID))+" lúc "+
		earlier.At.In(c.e.set.Location).Format("15:04")+": "+c.procedureNames(earlier.Procedures, earlier.OtherProcedure)+
		").\nVẫn lưu thêm một lần nữa cho hộ này?",
		[]chat.Choice{{Label: "Vẫn lưu", Value: "r:dup_yes"}, {Label: "Không lưu", Value: "r:dup_no"}})
	return true
}

// draftOpen reports whether a guided report has something typed in it.
func (c *cx) draftOpen() bool {
	d := c.s.Draft
	return strings.HasPrefix(c.s.State, "report_") && c.s.State != stateReportRestart && c.s.State != stateReportDup &&
		(d.Name != "" || d.Address != "" || d.Phone != "" || len(d.Procedures) > 0)
}

// askRestart asks, when a new report starts over a guided one begun
// earlier, whether to drop the earlier one; line is the new one-line
// report ("" for the guided form), kept until the answer.
func (c *cx) askRestart(line string) {
	what := "đang báo cáo dở"
	if c.s.Draft.Name != "" {
		what += " hộ " + bold(c.s.Draft.Name)
	}
	c.s.Resume, c.s.Line, c.s.State = c.s.State, line, stateReportRestart
	next := "bắt đầu báo cáo mới"
	if line != "" {
		next = "lưu báo cáo vừa gửi"
	}
	c.reply("Anh/chị "+what+" (chưa lưu). Bỏ báo cáo dở đó để "+next+"?",
		[]chat.Choice{{Label: "Bỏ báo cáo dở", Value: "r:restart"}, {Label: "Tiếp tục báo cáo dở", Value: "r:resume"}})
}

// saveReport creates the household if new and the guidance record.
func (c *cx) saveReport(d Draft) (campaign.Guidance, campaign.Household, bool, error) {
	var hh campaign.Household
	var err error
	created := false
	if d.HouseholdID != 0 {
		hh, err = c.tx.Household(d.HouseholdID)
	} else {
		hh, err = c.tx.HouseholdByPhone(c.who.HamletID, d.Phone)
		if errors.Is(err, store.ErrNotFound) {
			hh, err = c.tx.AddHousehold(campaign.Household{HamletID: c.who.HamletID, HeadName: d.Name, Address: d.Address,
				Phone: d.Phone, CreatedBy: c.who.ID}, intake.Fold(d.Name))
			created = true
		}
	}
	if err != nil {
		return campaign.Guidance{}, hh, false, err
	}
	g, err := c.tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hh.HamletID, OfficerID: c.who.ID,
		Via: c.in.From, Procedures: d.Procedures, OtherProcedure: d.Other, DossierCode: d.Dossier, PhotoFileIDs: d.Photos})
	if err != nil {
		return g, hh, created, err
	}
	c.saved++
	return g, hh, created, c.flagImplausible()
}

// confirmSaved answers a saved report with the hamlet's status today and an undo button.
func (c *cx) confirmSaved(g campaign.Guidance, hh campaign.Household, created bool, warning string) {
	var b strings.Builder
	b.WriteString("✅ " + bold("Đã lưu") + " báo cáo số " + itoa(int(g.ID)) + ": hộ " + bold(hh.HeadName) + " — " + c.procedureNames(g.Procedures, g.OtherProcedure) + ".")
	if !created {
		b.WriteString("\n(Ghi thêm cho hộ đã có trong ấp.)")
	}
	if warning != "" {
		b.WriteString("\n" + warning)
	}
	b.WriteString("\n" + c.hamletToday())
	b.WriteString("\nCó ảnh minh chứng thì gửi ngay trong 30 phút. " + c.undoHint("Báo cáo nhầm"))
	c.reply(b.String(), undoChoice("undo:"+itoa(int(g.ID))))
}

// hamletToday says whether the officer's hamlet met today's target.
func (c *cx) hamletToday() string {
	h, err := c.tx.Hamlet(c.who.HamletID)
	if err != nil {
		return ""
	}
	n := c.tx.HamletDay(h.ID, c.today).Households
	if n >= c.e.set.DailyTarget {
		return "Hôm nay ấp " + plain(h.Name) + " đã hướng dẫn " + itoa(n) + " hộ — " + bold("đạt") + " chỉ tiêu ngày ✓"
	}
	return "Hôm nay ấp " + plain(h.Name) + " đã hướng dẫn " + itoa(n) + " hộ — còn thiếu " + itoa(c.e.set.DailyTarget-n) + " hộ để đạt chỉ tiêu ngày."
}

// oneLine saves "/baocao họ tên; địa chỉ; điện thoại; thủ tục, …" at once.
func (c *cx) oneLine(args string) error {
	line, err := intake.ParseLine(args, c.e.set.Procedures)
	if err != nil {
		msg := userError(err)
		if !strings.Contains(msg, plain(intake.LineExample)) {
			msg += "\n\nMẫu báo cáo một dòng:\n" + code(intake.LineExample)
		}
		c.reply(msg + "\nHoặc gõ /baocao (không kèm gì) để được hỏi từng bước.")
		return nil
	}
	d := Draft{Name: line.Name, Address: line.Address, Phone: line.Phone, Other: line.Other}
	for _, p := range line.Procedures {
		d.Procedures = append(d.Procedures, p.ID)
	}
	warning := ""
	if hh, err := c.tx.HouseholdByPhone(c.who.HamletID, d.Phone); err == nil {
		d.HouseholdID = hh.ID
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	} else if others, err := c.tx.HouseholdsByPhone(d.Phone); err != nil {
		return err
	} else if len(others) > 0 {
		warning = "⚠️ Số này cũng đã được báo cáo ở ấp khác. Nếu nhầm, hãy hoàn tác báo cáo này."
	} else {
		warning = c.duplicateWarning(d, true)
	}
	d.Note = warning
	if c.outsideCampaign() {
		return nil
	}
	if c.askDuplicate(d) {
		return nil
	}
	g, hh, created, err := c.saveReport(d)
	if err != nil {
		return err
	}
	c.s.State, c.s.Draft = "", Draft{}
	c.s.Last, c.s.LastAt = g.ID, c.now
	c.confirmSaved(g, hh, created, warning)
	return nil
}

// undoTyped answers «hoàn tác» typed after other messages: the latest of
// the report and the /dabiet record saved in this chat within 24 hours.
func (c *cx) undoTyped() error {
	report := c.s.Last != 0 && c.now.Sub(c.s.LastAt) <= undoWindow
	self := c.s.LastSelf != 0 && c.now.Sub(c.s.LastSelfAt) <= undoWindow
	switch {
	case report && (!self || !c.s.LastSelfAt.After(c.s.LastAt)):
		return c.undoReport(c.s.Last)
	case self:
		return c.undoSelf(c.s.LastSelf)
	}
	c.reply("Không có báo cáo nào anh/chị vừa lưu trong 24 giờ qua để hoàn tác. Báo cáo cũ hơn: vui lòng báo quản trị viên để điều chỉnh.")
	return nil
}

// onUndo answers «Hoàn tác» under a saved report ("undo:<id>").
func (c *cx) onUndo(arg string) error {
	var id uint64
	for _, r := range arg {
		if r < '0' || r > '9' {
			c.reply(msgStaleButton)
			return nil
		}
		id = id*10 + uint64(r-'0')
	}
	return c.undoReport(id)
}

// undoReport retracts the officer's own record within the undo window.
func (c *cx) undoReport(id uint64) error {
	g, err := c.tx.Guidance(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (g.OfficerID != c.who.ID || !c.in.Private)) {
		c.reply("Không có báo cáo số " + itoa(int(id)) + " nào của anh/chị để hoàn tác. Gõ /toi để xem kết quả của mình.")
		return nil
	} else if err != nil {
		return err
	}
	if g.Status == campaign.GuidanceRetracted {
		c.reply("Báo cáo số " + itoa(int(id)) + " đã được hoàn tác trước đó.")
		return nil
	}
	if c.now.Sub(g.At) > undoWindow {
		c.reply("Báo cáo số " + itoa(int(id)) + " đã quá 24 giờ nên không tự hoàn tác được. Vui lòng báo quản trị viên để điều chỉnh.")
		return nil
	}
	if _, err := c.tx.RetractGuidance(id, c.who.ID); err != nil {
		return err
	}
	if c.s.Last == id {
		c.s.Last = 0
	}
	who := ""
	if hh, err := c.tx.Household(g.HouseholdID); err == nil {
		who = " (hộ " + bold(hh.HeadName) + ")"
	}
	c.reply("↩️ Đã hoàn tác báo cáo số " + itoa(int(id)) + who + ". Báo cáo này không còn được tính.\n" + c.hamletToday())
	return nil
}

// photoRef is the reference to keep for the input's photo: the channel's
// own (Telegram's file_id), or the photo's bytes kept in the store when
// the channel does not keep it. ok is false when the photo could not be
// had (answered).
func (c *cx) photoRef() (string, bool, error) {
	p := c.in.Photo
	switch {
	case len(p.Data) > store.MaxPhotoBytes:
		c.reply("Ảnh quá lớn (trên " + itoa(store.MaxPhotoBytes>>20) + " MB) nên chưa được lưu. Vui lòng chụp lại hoặc gửi ảnh nhỏ hơn.")
		return "", false, nil
	case len(p.Data) > 0:
		ref, err := c.tx.PutPhoto(p.Data)
		return ref, err == nil, err
	case p.Ref != "" && !strings.HasPrefix(p.Ref, "http"):
		// A channel's durable reference; a URL is not (Zalo's expire).
		return p.Ref, true, nil
	}
	c.reply("Bot chưa tải được ảnh này nên ảnh chưa được lưu. Vui lòng gửi lại ảnh.")
	return "", false, nil
}

// onPhoto keeps a photo as evidence of the report in progress or just saved.
func (c *cx) onPhoto() error {
	if !c.known {
		c.reply("Anh/chị chưa hoàn tất đăng ký nên ảnh chưa được lưu. Vui lòng nhập họ và tên đầy đủ của anh/chị để hoàn tất.")
		return nil
	}
	ref, ok, err := c.photoRef()
	if err != nil || !ok {
		return err
	}
	if strings.HasPrefix(c.s.State, "report_") {
		if len(c.s.Draft.Photos) >= 10 {
			c.reply("Mỗi báo cáo lưu tối đa 10 ảnh. Ảnh này không được lưu thêm.")
			return nil
		}
		c.s.Draft.Photos = append(c.s.Draft.Photos, ref)
		c.reply("📷 Đã nhận ảnh minh chứng; ảnh sẽ được lưu cùng báo cáo. Tiếp tục trả lời câu hỏi ở trên nhé.")
		return nil
	}
	if c.s.Last != 0 && c.now.Sub(c.s.LastAt) <= photoWindow {
		g, err := c.tx.Guidance(c.s.Last)
		if err == nil && g.OfficerID == c.who.ID && g.Counts() && len(g.PhotoFileIDs) < 10 {
			if err := c.tx.AddPhoto(g.ID, ref, c.who.ID); err != nil {
				return err
			}
			c.reply("📷 Đã lưu ảnh minh chứng vào báo cáo số " + itoa(int(g.ID)) + ".")
			return nil
		}
	}
	c.reply("Ảnh chỉ được lưu kèm một báo cáo. Gõ /baocao rồi gửi ảnh trong lúc báo cáo (hoặc trong 30 phút sau khi lưu).")
	return nil
}
