package bot

import (
	"errors"
	"strconv"
	"strings"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// /dabiet: households recorded as already able to file online on their
// own. They count in the hamlet's coverage, never in the daily target, are
// listed in every evidence list as self-declared and drawn for spot checks
// like guided ones.

// /dabiet conversation states.
const (
	stateSelfName    = "selfable_name"
	stateSelfAddress = "selfable_address"
	stateSelfPhone   = "selfable_phone"
	stateSelfConfirm = "selfable_confirm"
)

// selfAbleExample is the one-line form of /dabiet.
const selfAbleExample = "/dabiet Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678"

var selfCancelRow = []chat.Choice{{Label: "❌ Hủy", Value: "sa:cancel"}}

// cmdSelfAble (/dabiet) starts the three questions, or records the
// one-line form "/dabiet họ tên; địa chỉ; số điện thoại" at once.
func (c *cx) cmdSelfAble(args string) error {
	if c.outsideCampaign() {
		return nil
	}
	if args != "" {
		return c.selfAbleLine(args)
	}
	c.s.State, c.s.Draft = stateSelfName, Draft{}
	c.reply("🏠 "+bold("Ghi nhận hộ đã tự làm được dịch vụ công trực tuyến")+" (bước 1/3)\n"+
		"Dùng cho hộ đã tự nộp hồ sơ trực tuyến được mà không cần hướng dẫn. Hộ được tính vào độ phủ của ấp, không tính vào chỉ tiêu hằng ngày.\n\n"+
		"Họ và tên "+bold("chủ hộ")+"?", selfCancelRow)
	return nil
}

// askSelf repeats the question of the current /dabiet step.
func (c *cx) askSelf() {
	switch c.s.State {
	case stateSelfName:
		c.reply("Họ và tên "+bold("chủ hộ")+"?", selfCancelRow)
	case stateSelfAddress:
		c.reply("(bước 2/3) "+bold("Địa chỉ")+" của hộ (số nhà, tổ, ấp)?", selfCancelRow)
	case stateSelfPhone:
		c.reply("(bước 3/3) "+bold("Số điện thoại")+" của hộ?", selfCancelRow)
	case stateSelfConfirm:
		c.showSelfSummary()
	}
}

func (c *cx) onSelfName(text string) error {
	name, err := intake.NormalizeName(text)
	if err != nil {
		c.reply(userError(err)+"\n\nHọ và tên "+bold("chủ hộ")+"?", selfCancelRow)
		return nil
	}
	c.s.Draft.Name = name
	c.s.State = stateSelfAddress
	c.askSelf()
	return nil
}

func (c *cx) onSelfAddress(text string) error {
	addr, err := intake.NormalizeAddress(text)
	if err != nil {
		c.reply(userError(err)+"\n\n"+bold("Địa chỉ")+" của hộ (số nhà, tổ, ấp)?", selfCancelRow)
		return nil
	}
	c.s.Draft.Address = addr
	c.s.State = stateSelfPhone
	c.askSelf()
	return nil
}

func (c *cx) onSelfPhone(text string) error {
	phone, err := intake.NormalizePhone(text)
	if err != nil {
		c.reply(userError(err)+"\n\n"+bold("Số điện thoại")+" của hộ?", selfCancelRow)
		return nil
	}
	d := &c.s.Draft
	d.Phone, d.HouseholdID = phone, 0
	hh, known, err := c.knownSelfHousehold(phone)
	if err != nil || known {
		if known {
			c.s.State, c.s.Draft = "", Draft{}
		}
		return err
	}
	d.HouseholdID = hh.ID
	c.s.State = stateSelfConfirm
	c.askSelf()
	return nil
}

// knownSelfHousehold looks the phone up in the officer's hamlet. When the
// household already counts in coverage (recorded as able, or guided) it
// says so and returns known; otherwise it returns the household (ID 0
// when the phone is new to the hamlet).
func (c *cx) knownSelfHousehold(phone string) (campaign.Household, bool, error) {
	hh, err := c.tx.HouseholdByPhone(c.who.HamletID, phone)
	if errors.Is(err, store.ErrNotFound) {
		return campaign.Household{}, false, nil
	} else if err != nil {
		return hh, false, err
	}
	if hh.SelfAble {
		c.reply("ℹ️ Hộ " + bold(hh.HeadName) + " (số " + intake.FormatPhone(phone) + ") đã được ghi nhận tự làm được từ ngày " +
			fmtDate(hh.SelfAbleAt, c.e.set.Location) + ", không cần ghi lại.\n" + c.hamletCoverage())
		return hh, true, nil
	}
	guided, err := c.tx.HouseholdGuided(hh.ID)
	if err != nil {
		return hh, false, err
	}
	if guided {
		c.reply("ℹ️ Số " + intake.FormatPhone(phone) + " là của hộ " + bold(hh.HeadName) + ", đã được hướng dẫn nên đã được tính vào độ phủ. Không cần ghi nhận thêm.\n" + c.hamletCoverage())
		return hh, true, nil
	}
	return hh, false, nil
}

// selfWarnings are the remarks shown before saving: the phone known in
// the hamlet or elsewhere, a likely duplicate.
func (c *cx) selfWarnings(d Draft) []string {
	var out []string
	if d.HouseholdID != 0 {
		if hh, err := c.tx.Household(d.HouseholdID); err == nil {
			out = append(out, "ℹ️ Số này đã có trong ấp: hộ "+bold(hh.HeadName)+", "+plain(hh.Address)+" — sẽ ghi nhận cho hộ đó.")
		}
		return out
	}
	if others, err := c.tx.HouseholdsByPhone(d.Phone); err == nil && len(others) > 0 {
		var names []string
		for _, o := range others {
			if h, err := c.tx.Hamlet(o.HamletID); err == nil {
				names = append(names, h.Name)
			}
		}
		out = append(out, "⚠️ Số này cũng đã có ở ấp "+plain(strings.Join(names, ", "))+". Chỉ ghi nhận nếu hộ thật sự ở ấp mình.")
	}
	if same, err := c.tx.HouseholdsAt(c.who.HamletID, intake.Fold(d.Name), d.Address); err == nil {
		for _, h := range same {
			if h.Phone != d.Phone {
				out = append(out, "⚠️ Ấp đã có hộ cùng tên và địa chỉ với số "+intake.FormatPhone(h.Phone)+" — có thể trùng hộ. Nếu đúng là hộ đó, hủy rồi ghi lại với số cũ.")
				break
			}
		}
	}
	return out
}

func (c *cx) showSelfSummary() {
	d := c.s.Draft
	var b strings.Builder
	b.WriteString(bold("Kiểm tra lại") + "\n")
	b.WriteString("Chủ hộ: " + bold(d.Name) + "\n")
	b.WriteString("Địa chỉ: " + plain(d.Address) + "\n")
	b.WriteString("Điện thoại: " + intake.FormatPhone(d.Phone) + "\n")
	for _, w := range c.selfWarnings(d) {
		b.WriteString(w + "\n")
	}
	b.WriteString("\nGhi nhận hộ này " + bold("đã tự làm được") + " dịch vụ công trực tuyến?")
	c.reply(b.String(), []chat.Choice{{Label: "✅ Lưu", Value: "sa:save"}, {Label: "❌ Hủy", Value: "sa:cancel"}})
}

func (c *cx) onSelfButton(arg string) error {
	switch {
	case arg == "cancel" && strings.HasPrefix(c.s.State, "selfable_"):
		c.s.State, c.s.Draft = "", Draft{}
		c.reply("Đã hủy, chưa ghi nhận gì. Gõ /dabiet khi cần ghi lại.")
		return nil
	case arg == "save" && c.s.State == stateSelfConfirm:
		d := c.s.Draft
		c.s.State, c.s.Draft = "", Draft{}
		if d.Name == "" || d.Address == "" || d.Phone == "" {
			c.reply("Thông tin còn thiếu nên chưa ghi nhận được. Gõ /dabiet để làm lại.")
			return nil
		}
		return c.saveSelfAble(d, nil)
	}
	c.reply(msgStaleButton)
	return nil
}

// saveSelfAble records the household as able on its own and confirms with
// the hamlet's new coverage and an undo button.
func (c *cx) saveSelfAble(d Draft, warnings []string) error {
	if c.outsideCampaign() {
		return nil
	}
	// Look the phone up again: it may have been reported meanwhile.
	hh, known, err := c.knownSelfHousehold(d.Phone)
	if err != nil || known {
		return err
	}
	if hh.ID != 0 {
		if err := c.tx.MarkSelfAble(hh.ID, c.who.ID); err != nil {
			return err
		}
	} else {
		hh, err = c.tx.AddHousehold(campaign.Household{HamletID: c.who.HamletID, HeadName: d.Name, Address: d.Address,
			Phone: d.Phone, CreatedBy: c.who.ID, SelfAble: true, SelfAbleBy: c.who.ID, SelfAbleAt: c.now}, intake.Fold(d.Name))
		if err != nil {
			return err
		}
		if err := c.tx.Audit(c.who.ID, "household.self_able", nil, map[string]any{"id": hh.ID, "hamlet": hh.HamletID}); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString("✅ " + bold("Đã ghi nhận") + " hộ " + bold(hh.HeadName) + " (số " + intake.FormatPhone(d.Phone) + ") đã tự làm được dịch vụ công trực tuyến.")
	b.WriteString(" Hộ được tính vào độ phủ, không tính vào chỉ tiêu hằng ngày.")
	for _, w := range warnings {
		b.WriteString("\n" + w)
	}
	b.WriteString("\n" + c.hamletCoverage())
	b.WriteString("\n" + c.undoHint("Ghi nhận nhầm"))
	c.s.LastSelf, c.s.LastSelfAt = hh.ID, c.now
	c.reply(b.String(), undoChoice("saundo:"+strconv.FormatUint(hh.ID, 10)))
	return nil
}

// hamletCoverage is "Độ phủ ấp Bãi Nhà: 101/812 hộ = 12,4% (mục tiêu 95%)."
func (c *cx) hamletCoverage() string {
	h, err := c.tx.Hamlet(c.who.HamletID)
	if err != nil {
		return ""
	}
	t := c.tx.HamletTotals(h.ID)
	return "Độ phủ ấp " + plain(h.Name) + ": " + itoa(min(t.Able, max(h.Households, 0))) + "/" + itoa(h.Households) + " hộ = " + chat.BoldStart +
		coverageOf(t.Able, h.Households) + chat.BoldEnd + " (mục tiêu " + scoring.ThresholdPercent(c.e.set.Params.CoverageThreshold) + ")."
}

// selfAbleLine records "/dabiet họ tên; địa chỉ; số điện thoại".
func (c *cx) selfAbleLine(args string) error {
	parts := strings.FieldsFunc(args, func(r rune) bool { return r == ';' || r == '|' })
	for len(parts) > 0 && strings.TrimSpace(parts[len(parts)-1]) == "" {
		parts = parts[:len(parts)-1]
	}
	example := "\n\nMẫu một dòng:\n" + code(selfAbleExample) + "\nHoặc gõ /dabiet (không kèm gì) để được hỏi từng bước."
	if len(parts) != 3 {
		c.reply("❌ Cần đúng 3 phần cách nhau dấu chấm phẩy (;): họ tên; địa chỉ; số điện thoại. Anh/chị đã nhập " + itoa(len(parts)) + " phần." + example)
		return nil
	}
	name, err := intake.NormalizeName(parts[0])
	if err != nil {
		c.reply(userError(err) + example)
		return nil
	}
	addr, err := intake.NormalizeAddress(parts[1])
	if err != nil {
		c.reply(userError(err) + example)
		return nil
	}
	phone, err := intake.NormalizePhone(parts[2])
	if err != nil {
		c.reply(userError(err) + example)
		return nil
	}
	d := Draft{Name: name, Address: addr, Phone: phone}
	if hh, err := c.tx.HouseholdByPhone(c.who.HamletID, phone); err == nil {
		d.HouseholdID = hh.ID
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var warnings []string
	if d.HouseholdID == 0 {
		warnings = c.selfWarnings(d)
	}
	return c.saveSelfAble(d, warnings)
}

// onSelfUndo answers «Hoàn tác» under a /dabiet ("saundo:<id>").
func (c *cx) onSelfUndo(arg string) error {
	id, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		c.reply(msgStaleButton)
		return nil
	}
	return c.undoSelf(id)
}

// undoSelf withdraws the officer's own /dabiet within the undo window.
func (c *cx) undoSelf(id uint64) error {
	hh, err := c.tx.Household(id)
	// Only the officer who recorded it, in their private chat, learns
	// anything of the household: an undo forged or typed by someone else
	// (or in a group) names nobody.
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!c.in.Private || !hh.SelfAble || hh.SelfAbleBy != c.who.ID)) {
		c.reply("Không có ghi nhận nào của anh/chị để hoàn tác (có thể đã được hoàn tác trước đó). Gõ /toi để xem kết quả của mình.")
		return nil
	} else if err != nil {
		return err
	}
	if c.now.Sub(hh.SelfAbleAt) > undoWindow {
		c.reply("Ghi nhận hộ " + plain(hh.HeadName) + " đã quá 24 giờ nên không tự hoàn tác được. Vui lòng báo quản trị viên để điều chỉnh.")
		return nil
	}
	if err := c.tx.UnmarkSelfAble(id, c.who.ID); err != nil {
		return err
	}
	if c.s.LastSelf == id {
		c.s.LastSelf = 0
	}
	c.reply("↩️ Đã hoàn tác: hộ " + bold(hh.HeadName) + " không còn được ghi nhận là tự làm được.\n" + c.hamletCoverage())
	return nil
}
