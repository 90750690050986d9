package bot

import (
	"errors"
	"strings"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/store"
)

// Exclusions (/loaitru, /boloaitru): an admin takes an officer or a hamlet
// out of every award on one of the plan's grounds (Kế hoạch, mục IV.3:
// discipline, administrative violation, investigation and prosecution,
// inspection, complaint — or «Lý do khác», written out), with details, and
// lifts it later. Both are audited by the store; scoring lists the excluded
// with "đang bị loại trừ: <căn cứ>: <chi tiết>" wherever candidates are
// shown.

// /loaitru conversation states: the ground to choose, then the details.
const (
	stateExcludeGround  = "exclude_ground"
	stateExcludeDetails = "exclude_details"
)

// ExclusionDraft is an exclusion being recorded step by step.
type ExclusionDraft struct {
	Kind   campaign.ExclusionKind   `json:"kind"`
	Target string                   `json:"target"`
	Ground campaign.ExclusionGround `json:"ground,omitempty"`
}

// groundWords are the one-word names of the grounds typed in the one-line
// form ("/loaitru canbo 12 kyluat …"), by ground.
var groundWords = map[string]campaign.ExclusionGround{
	"kyluat": campaign.GroundDiscipline, "xulyvphc": campaign.GroundAdministrative, "vphc": campaign.GroundAdministrative,
	"dieutra": campaign.GroundProsecution, "thanhtra": campaign.GroundInspection, "kiemtra": campaign.GroundInspection,
	"khieunai": campaign.GroundComplaint, "tocao": campaign.GroundComplaint, "khac": campaign.GroundOther,
}

// groundByWord reads a ground's one-word name as typed: "kyluat",
// "Kỷ luật", "ky_luat", "thanh tra".
func groundByWord(s string) (campaign.ExclusionGround, bool) {
	g, ok := groundWords[strings.ReplaceAll(labelKey(strings.ReplaceAll(s, "_", " ")), " ", "")]
	return g, ok
}

// groundWord is the word typed for a ground in the one-line form.
func groundWord(g campaign.ExclusionGround) string {
	switch g {
	case campaign.GroundDiscipline:
		return "kyluat"
	case campaign.GroundAdministrative:
		return "vphc"
	case campaign.GroundProsecution:
		return "dieutra"
	case campaign.GroundInspection:
		return "thanhtra"
	case campaign.GroundComplaint:
		return "khieunai"
	}
	return "khac"
}

// exclusionUsage is how /loaitru and /boloaitru are used, with the grounds.
func exclusionUsage() string {
	var b strings.Builder
	b.WriteString("Cách dùng:\n" +
		code("/loaitru") + " — xem các trường hợp đang bị loại trừ\n" +
		code("/loaitru canbo 12") + " — loại trừ cán bộ số 12 (số xem bằng /canbo): bot hỏi căn cứ và chi tiết\n" +
		code("/loaitru ap bai-nha") + " — loại trừ ấp\n" +
		code("/loaitru canbo 12 kyluat Quyết định số 05/QĐ-UBND ngày 02/05/2026") + " — ghi ngay một dòng: căn cứ rồi chi tiết\n" +
		code("/boloaitru canbo 12") + " hoặc " + code("/boloaitru ap bai-nha") + " — bỏ loại trừ\n" +
		"Căn cứ theo Kế hoạch (mục IV.3):")
	for _, g := range campaign.ExclusionGrounds() {
		b.WriteString("\n• " + code(groundWord(g)) + " — " + plain(g.Label()))
	}
	b.WriteString("\nVới «Lý do khác» (" + code("khac") + ") phải ghi rõ lý do.")
	return b.String()
}

// exclusionKind reads "canbo" / "ap" (with or without diacritics, or in English).
func exclusionKind(word string) (campaign.ExclusionKind, bool) {
	switch labelKey(word) {
	case "canbo", "cb", "officer", "canhan":
		return campaign.ExcludeOfficer, true
	case "ap", "hamlet", "tapthe":
		return campaign.ExcludeHamlet, true
	}
	return "", false
}

// exclusionTarget resolves the target of an exclusion command: a hamlet id
// or a registered officer's Telegram id. It returns the stored target, a
// description for replies, or ok false after replying why not.
func (c *cx) exclusionTarget(kind campaign.ExclusionKind, word string) (target, label string, ok bool, err error) {
	if kind == campaign.ExcludeHamlet {
		h, ok, err := c.hamletArg(word, "")
		if !ok {
			return "", "", false, err
		}
		return h.ID, "ấp " + bold(h.Name), true, nil
	}
	id, ok := parsePersonID(word)
	if !ok {
		c.reply("«" + plain(limitRunes(word, 40)) + "» không phải số của cán bộ. Gõ /canbo để xem số của từng cán bộ.\n\n" + exclusionUsage())
		return "", "", false, nil
	}
	o, err := c.tx.Officer(id)
	if errors.Is(err, store.ErrNotFound) {
		c.reply("Không có cán bộ nào mang số " + id.String() + ". Gõ /canbo để xem số của từng cán bộ.")
		return "", "", false, nil
	} else if err != nil {
		return "", "", false, err
	}
	return id.String(), c.exclusionWho(o), true, nil
}

// exclusionWho names an officer: "cán bộ " + bold("Lê Văn Tám") + " (ấp Bãi Nhà, số 12)".
func (c *cx) exclusionWho(o campaign.Officer) string {
	name := o.FullName
	if name == "" {
		name = "số " + o.ID.String()
	}
	place := ""
	if o.HamletID != "" {
		place = "ấp " + plain(c.spotHamletName(o.HamletID)) + ", "
	}
	return "cán bộ " + bold(name) + " (" + place + "số " + o.ID.String() + ")"
}

// exclusionLabel names the target of a stored exclusion.
func (c *cx) exclusionLabel(e campaign.Exclusion) string {
	if e.Kind == campaign.ExcludeHamlet {
		return "Ấp " + bold((c.spotHamletName(e.Target))) + " (" + plain(e.Target) + ")"
	}
	id, ok := campaign.ParsePersonID(e.Target)
	if !ok {
		return "Cán bộ " + plain(e.Target)
	}
	if o, err := c.tx.Officer(id); err == nil {
		return upperFirst(c.exclusionWho(o))
	}
	return "Cán bộ số " + plain(e.Target)
}

// cmdExclude (/loaitru [canbo <số> | ap <mã ấp>] [căn cứ] [chi tiết])
// excludes an officer or a hamlet: with the ground and details typed, at
// once; otherwise it offers the plan's grounds as choices (tapped, or typed
// as their number or name where there are no buttons) and asks for the
// details. Given nothing, it lists the exclusions in force.
func (c *cx) cmdExclude(args string) error {
	if c.s.State == stateExcludeGround || c.s.State == stateExcludeDetails {
		c.s.State, c.s.Exclude = "", nil // a new /loaitru replaces the one begun
	}
	f := strings.Fields(args)
	if len(f) == 0 {
		return c.listExclusions()
	}
	kind, ok := exclusionKind(f[0])
	if !ok || len(f) < 2 {
		c.reply(exclusionUsage())
		return nil
	}
	target, label, ok, err := c.exclusionTarget(kind, f[1])
	if err != nil || !ok {
		return err
	}
	d := ExclusionDraft{Kind: kind, Target: target}
	if len(f) == 2 {
		c.s.State, c.s.Draft, c.s.Exclude = stateExcludeGround, Draft{}, &d
		c.askGround(label)
		return nil
	}
	ground, details := splitGround(f[2:])
	if ground == campaign.GroundOther && details == "" {
		c.reply("Với «Lý do khác», cần ghi rõ lý do sau chữ " + code("khac") + ".\nVí dụ: " + chat.CodeStart + "/loaitru " +
			plain(f[0]) + " " + plain(f[1]) + " khac Đang chờ kết luận của Đoàn kiểm tra" + chat.CodeEnd)
		return nil
	}
	d.Ground = ground
	return c.saveExclusion(d, details)
}

// splitGround reads the ground at the start of the one-line form — its
// word (kyluat, vphc, dieutra, thanhtra, khieunai, khac) or its number in
// the list (1–6) — and returns it with the details after it. Text that
// names no ground is «Lý do khác» with the whole text as its reason.
func splitGround(words []string) (campaign.ExclusionGround, string) {
	first := strings.TrimRight(words[0], ":,.-)")
	rest := strings.TrimLeft(strings.TrimSpace(strings.Join(words[1:], " ")), ":,-– ")
	if g, ok := groundByWord(first); ok {
		return g, rest
	}
	if len(first) == 1 {
		if g, ok := campaign.ParseExclusionGround(first); ok {
			return g, rest
		}
	}
	return campaign.GroundOther, strings.TrimSpace(strings.Join(words, " "))
}

// groundChoices are the plan's grounds as choices, one a row, and «Hủy».
func groundChoices() [][]chat.Choice {
	var rows [][]chat.Choice
	for _, g := range campaign.ExclusionGrounds() {
		rows = append(rows, []chat.Choice{{Label: g.Short(), Value: "lt:" + string(g)}})
	}
	return append(rows, []chat.Choice{{Label: "❌ Hủy", Value: "lt:cancel"}})
}

// askGround asks on which of the plan's grounds the target is excluded.
func (c *cx) askGround(label string) {
	var b strings.Builder
	b.WriteString("⛔ Loại trừ " + label + " khỏi mọi danh sách khen thưởng.\nChọn " + bold("căn cứ") + " theo Kế hoạch (mục IV.3)")
	if !c.in.Caps.Buttons {
		// The choices follow as numbered lines.
		b.WriteString(", gõ số thứ tự hoặc tên căn cứ:")
		c.reply(b.String(), groundChoices()...)
		return
	}
	b.WriteString(":")
	for i, g := range campaign.ExclusionGrounds() {
		b.WriteString("\n" + itoa(i+1) + ". " + plain(g.Label()))
	}
	c.reply(b.String(), groundChoices()...)
}

// exclusionDraftLabel names the target of the exclusion being recorded.
func (c *cx) exclusionDraftLabel(d *ExclusionDraft) string {
	return c.exclusionLabel(campaign.Exclusion{Kind: d.Kind, Target: d.Target})
}

// onGroundText answers text typed while a ground is awaited that matches
// no choice (their numbers and names are taken as choices): a ground's word
// (kyluat, thanhtra, …) is taken, anything else asks again.
func (c *cx) onGroundText(text string) error {
	d := c.s.Exclude
	if d == nil {
		c.s.State = ""
		c.reply(msgStaleButton)
		return nil
	}
	if g, ok := groundByWord(text); ok {
		return c.onExcludeButton(string(g))
	}
	c.reply("Chưa rõ căn cứ «" + plain(clipArg(text)) + "».")
	c.askGround(c.exclusionDraftLabel(d))
	return nil
}

// onExcludeButton handles lt:<ground>, lt:none (no details) and lt:cancel.
func (c *cx) onExcludeButton(arg string) error {
	d := c.s.Exclude
	switch {
	case arg == "cancel" && d != nil:
		c.s.State, c.s.Exclude = "", nil
		c.reply("Đã hủy, không loại trừ ai. Gõ /loaitru để xem danh sách đang bị loại trừ.")
		return nil
	case d == nil:
		c.reply(msgStaleButton)
		return nil
	case arg == "none" && c.s.State == stateExcludeDetails && d.Ground != campaign.GroundOther:
		c.s.State, c.s.Exclude = "", nil
		return c.saveExclusion(*d, "")
	case c.s.State == stateExcludeGround:
		g := campaign.ExclusionGround(arg)
		if !g.Valid() {
			c.reply(msgStaleButton)
			return nil
		}
		d.Ground = g
		c.s.State = stateExcludeDetails
		c.askDetails(d)
		return nil
	}
	c.reply(msgStaleButton)
	return nil
}

// askDetails asks for the details of the ground chosen: required for
// «Lý do khác», optional otherwise.
func (c *cx) askDetails(d *ExclusionDraft) {
	if d.Ground == campaign.GroundOther {
		c.reply("Căn cứ: "+bold(d.Ground.Label())+".\nVui lòng gõ "+bold("lý do")+" (bắt buộc, tối đa "+itoa(maxReasonRunes)+" ký tự).",
			[]chat.Choice{{Label: "❌ Hủy", Value: "lt:cancel"}})
		return
	}
	c.reply("Căn cứ: "+bold(d.Ground.Label())+".\nGõ "+bold("chi tiết")+" (số, ngày văn bản, cơ quan…; tối đa "+itoa(maxReasonRunes)+" ký tự), hoặc "+
		c.tap("Không ghi thêm")+".",
		[]chat.Choice{{Label: "Không ghi thêm", Value: "lt:none"}}, []chat.Choice{{Label: "❌ Hủy", Value: "lt:cancel"}})
}

// onExcludeDetails takes the details typed and records the exclusion.
func (c *cx) onExcludeDetails(text string) error {
	d := c.s.Exclude
	if d == nil {
		c.s.State = ""
		c.reply(msgStaleButton)
		return nil
	}
	details := strings.TrimSpace(text)
	if details == "" {
		c.askDetails(d)
		return nil
	}
	if msg := reasonTooLong(details); msg != "" {
		c.reply(msg)
		c.askDetails(d)
		return nil
	}
	c.s.State, c.s.Exclude = "", nil
	return c.saveExclusion(*d, details)
}

// saveExclusion records the exclusion (keeping the day it came into force
// when it replaces one in force) and says what it means.
func (c *cx) saveExclusion(d ExclusionDraft, details string) error {
	if msg := reasonTooLong(details); msg != "" {
		c.reply(msg)
		return nil
	}
	e := campaign.Exclusion{Kind: d.Kind, Target: d.Target, Ground: d.Ground, Reason: details, By: c.who.ID}
	updated := false
	exs, err := c.tx.Exclusions()
	if err != nil {
		return err
	}
	for _, x := range exs {
		if x.Kind == d.Kind && x.Target == d.Target {
			e.At, updated = x.At, true // keep the day it came into force
		}
	}
	if err := c.tx.PutExclusion(e); err != nil {
		return err
	}
	label := lowerFirst(c.exclusionLabel(e))
	why := "Căn cứ: " + plain(e.Ground.Label())
	if details != "" && e.Ground != campaign.GroundOther {
		why += "\nChi tiết: " + plain(details)
	} else if details != "" {
		why += ": " + plain(details)
	}
	if updated {
		c.reply("✏️ Đã cập nhật căn cứ loại trừ " + label + ".\n" + why + "\n(Vẫn tính từ ngày " + fmtDate(e.At, c.e.set.Location) + ".)")
		return nil
	}
	word := "canbo"
	if d.Kind == campaign.ExcludeHamlet {
		word = "ap"
	}
	c.reply("⛔ Đã loại trừ " + label + " khỏi mọi danh sách khen thưởng, từ hôm nay " + fmtDate(c.now, c.e.set.Location) +
		".\n" + why + "\nĐể bỏ loại trừ: " + chat.CodeStart + "/boloaitru " + word + " " + plain(d.Target) + chat.CodeEnd)
	return nil
}

// cmdLiftExclusion (/boloaitru canbo <id> | ap <hamlet-id>) lifts an exclusion.
func (c *cx) cmdLiftExclusion(args string) error {
	f := strings.Fields(args)
	kind, ok := campaign.ExclusionKind(""), false
	if len(f) == 2 {
		kind, ok = exclusionKind(f[0])
	}
	if !ok {
		c.reply(exclusionUsage())
		return nil
	}
	target := strings.ToLower(f[1])
	if id, ok := parsePersonID(target); ok && kind == campaign.ExcludeOfficer {
		target = id.String()
	}
	err := c.tx.DeleteExclusion(kind, target, c.who.ID)
	if errors.Is(err, store.ErrNotFound) {
		c.reply("Không có trường hợp loại trừ nào với " + map[campaign.ExclusionKind]string{campaign.ExcludeHamlet: "ấp", campaign.ExcludeOfficer: "cán bộ"}[kind] +
			" «" + plain(limitRunes(f[1], 40)) + "». Gõ /loaitru để xem danh sách đang bị loại trừ.")
		return nil
	} else if err != nil {
		return err
	}
	c.reply("✅ Đã bỏ loại trừ " + c.exclusionLabel(campaign.Exclusion{Kind: kind, Target: target}) +
		". Từ nay được xét khen thưởng trở lại theo số liệu (xem /khenthuong).")
	return nil
}

// listExclusions shows every exclusion in force with its reason and date.
func (c *cx) listExclusions() error {
	exs, err := c.tx.Exclusions()
	if err != nil {
		return err
	}
	if len(exs) == 0 {
		c.reply("Hiện không có cán bộ hay ấp nào bị loại trừ khỏi khen thưởng.\n\n" + exclusionUsage())
		return nil
	}
	var b strings.Builder
	b.WriteString("⛔ " + bold("Đang bị loại trừ khỏi khen thưởng") + " (" + itoa(len(exs)) + ")\n")
	loc := c.e.set.Location
	for _, e := range exs {
		b.WriteString("• " + c.exclusionLabel(e) + " — từ " + fmtDate(e.At, loc) + ", căn cứ: " + plain(e.Text()) +
			" (ghi bởi " + plain(c.spotWho(e.By)) + ")\n")
	}
	b.WriteString("\nBỏ loại trừ: " + code("/boloaitru canbo <số cán bộ>") + " hoặc " + code("/boloaitru ap <mã ấp>"))
	c.reply(b.String())
	return nil
}
