package bot

import (
	"cmp"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Management commands of admins (and leaders, for their own hamlet):
// /canbo, /vohieu, /kichhoat, /capquyen, /ap, /sosho.

// findHamlet looks a hamlet up by id (any case) or by its name typed with
// or without diacritics ("bai-nha", "Bãi Nhà", "bai nha", "ấp Bãi Nhà").
func findHamlet(hs []campaign.Hamlet, s string) (campaign.Hamlet, bool) {
	s = strings.TrimSpace(s)
	for _, h := range hs {
		if strings.EqualFold(h.ID, s) {
			return h, true
		}
	}
	f := intake.Fold(s)
	for _, h := range hs {
		if n := intake.Fold(h.Name); f == n || f == "ap "+n {
			return h, true
		}
	}
	return campaign.Hamlet{}, false
}

// hamletNames maps hamlet ids to names.
func hamletNames(hs []campaign.Hamlet) map[string]string {
	m := make(map[string]string, len(hs))
	for _, h := range hs {
		m[h.ID] = h.Name
	}
	return m
}

// parsePersonID reads a person's number as typed ("12", "#12", "số 12",
// "ID 12"): the number /canbo shows.
func parsePersonID(s string) (campaign.PersonID, bool) {
	s = strings.TrimSpace(s)
	if f := intake.Fold(s); strings.HasPrefix(f, "id ") || strings.HasPrefix(f, "id:") || strings.HasPrefix(f, "so ") {
		s = strings.TrimSpace(s[strings.IndexAny(s, " :")+1:])
	}
	return campaign.ParsePersonID(strings.TrimPrefix(strings.TrimSpace(s), "#"))
}

// splitMessages packs a heading, blocks and a footer into as few messages
// as fit Telegram's limit, never cutting a block.
func splitMessages(head string, blocks []string, foot string) []string {
	var out []string
	cur := head
	for _, b := range blocks {
		if utf16Len(cur)+1+utf16Len(b) > reportTextLimit && cur != "" {
			out = append(out, strings.TrimRight(cur, "\n"))
			cur = ""
		}
		if cur != "" {
			cur += "\n"
		}
		cur += b
	}
	if foot != "" {
		if utf16Len(cur)+2+utf16Len(foot) > reportTextLimit {
			out = append(out, strings.TrimRight(cur, "\n"))
			cur = foot
		} else {
			cur += "\n\n" + foot
		}
	}
	return append(out, strings.TrimRight(cur, "\n"))
}

// officerStatus is an officer's state as /canbo shows it.
func officerStatus(o campaign.Officer) string {
	if !o.Active {
		return "⛔ đã vô hiệu hóa"
	}
	var blocked []string
	for _, a := range o.Accounts {
		if a.Unreachable {
			blocked = append(blocked, campaign.ChannelLabel(a.Channel))
		}
	}
	if len(blocked) > 0 {
		return "📵 đã chặn bot trên " + strings.Join(blocked, ", ")
	}
	return "✅ đang hoạt động"
}

// cmdOfficers (/canbo [mã ấp]) lists officers with their figures and ids.
// Leaders see their own hamlet only.
func (c *cx) cmdOfficers(args string) error {
	hs, err := c.tx.Hamlets()
	if err != nil {
		return err
	}
	names := hamletNames(hs)
	isAdmin := c.who.Role == campaign.RoleAdmin
	want := ""
	if args != "" {
		h, ok := findHamlet(hs, args)
		if !ok {
			c.reply("Không có ấp «" + plain(clipArg(args)) + "».\n\n" + c.hamletList())
			return nil
		}
		want = h.ID
	}
	if !isAdmin {
		if want != "" && want != c.who.HamletID {
			c.reply("Anh/chị là " + plain(c.who.Role.At(c.hamletName())) + " nên chỉ xem được cán bộ của ấp mình. Gõ " + code("/canbo") + " (không kèm mã ấp).")
			return nil
		}
		want = c.who.HamletID
	}
	officers, err := c.tx.Officers()
	if err != nil {
		return err
	}
	officers = slices.DeleteFunc(officers, func(o campaign.Officer) bool { return want != "" && o.HamletID != want })
	if len(officers) == 0 {
		text := "Ấp " + plain(names[want]) + " chưa có cán bộ nào đăng ký."
		if want == "" {
			text = "Chưa có cán bộ nào đăng ký."
		}
		if isAdmin {
			text += " Tạo mã mời: " + code("/moi "+cmp.Or(want, c.firstHamletID()))
		}
		c.reply(text)
		return nil
	}
	slices.SortStableFunc(officers, func(a, b campaign.Officer) int {
		ha, hb := names[a.HamletID], names[b.HamletID]
		if (ha == "") != (hb == "") { // officers without a hamlet last
			if ha == "" {
				return 1
			}
			return -1
		}
		if c := scoring.CompareNames(ha, hb); c != 0 {
			return c
		}
		return scoring.CompareNames(a.FullName, b.FullName)
	})
	active := 0
	var blocks []string
	group := "\x00"
	for _, o := range officers {
		if o.Active {
			active++
		}
		if want == "" && o.HamletID != group {
			group = o.HamletID
			title := "Không thuộc ấp nào"
			if n, ok := names[o.HamletID]; ok {
				title = "Ấp " + n
			} else if o.HamletID != "" {
				title = "Ấp " + o.HamletID
			}
			blocks = append(blocks, "\n"+bold(title))
		}
		a, err := c.tx.OfficerActivity(o.ID)
		if err != nil {
			return err
		}
		last := "chưa báo cáo"
		if a.LastDay != store.NoDay {
			last = "báo cáo gần nhất " + a.LastDay.ScoringDate().String()
		}
		name := o.FullName
		if name == "" {
			name = "(chưa có tên)"
		}
		aff := ""
		if l := o.Affiliation.Label(); l != "" {
			aff = " · " + l
		}
		blocks = append(blocks, "• "+bold(name)+" — "+plain(c.roleLabel(o)+aff)+" · số "+code(o.ID.String())+channelsOf(o)+"\n   "+
			scoring.Number(a.Households)+" hộ · "+itoa(a.DaysActive)+" ngày có báo cáo · "+last+" · "+officerStatus(o))
	}
	title := "👥 " + chat.BoldStart + "Cán bộ"
	if want != "" {
		title += " ấp " + plain(names[want])
	}
	title += chat.BoldEnd + ": " + itoa(len(officers)) + " người, " + itoa(active) + " đang hoạt động"
	foot := ital("Số hộ và số ngày tính từ đầu phong trào.")
	if isAdmin {
		foot += "\nVô hiệu hóa: " + code("/vohieu SỐ") + " · kích hoạt lại: " + code("/kichhoat SỐ") + " · đổi vai trò: " + code("/capquyen SỐ truong_ap") +
			" · đổi đơn vị: " + code("/capquyen SỐ mattran") + " (SỐ là số của cán bộ trong danh sách này)"
	}
	for _, m := range splitMessages(title, blocks, foot) {
		c.reply(m)
	}
	return nil
}

// roleLabel names a person's role in lists: a person with no stored role
// is an admin from configuration, or (removed from it since) nobody yet.
func (c *cx) roleLabel(o campaign.Officer) string {
	if o.Role != "" {
		return o.Role.Label()
	}
	if _, ok := c.e.configAdminAccount(o); ok {
		return "quản trị viên (theo cấu hình)"
	}
	return "chưa có vai trò"
}

// channelsOf is " · Zalo, Telegram": the channels a person uses.
func channelsOf(o campaign.Officer) string {
	if len(o.Accounts) == 0 {
		return ""
	}
	return " · " + o.Channels()
}

// targetOfficer finds the registered person an admin command names by
// their number in /canbo, or replies why it cannot.
func (c *cx) targetOfficer(args, usage string) (campaign.Officer, bool, error) {
	id, ok := parsePersonID(args)
	if !ok {
		c.reply("Cách dùng: " + code(usage) + "\nSố của cán bộ xem bằng lệnh /canbo.")
		return campaign.Officer{}, false, nil
	}
	if id == c.who.ID {
		c.reply("Anh/chị không tự thay đổi tài khoản của chính mình được. Vui lòng nhờ một quản trị viên khác.")
		return campaign.Officer{}, false, nil
	}
	o, err := c.tx.Officer(id)
	if errors.Is(err, store.ErrNotFound) {
		c.reply("Không có ai mang số " + id.String() + ". Gõ /canbo để xem số của từng cán bộ.")
		return o, false, nil
	} else if err != nil {
		return o, false, err
	}
	if a, ok := c.e.configAdminAccount(o); ok {
		c.reply("Người số " + id.String() + " là quản trị viên trong cấu hình (" + adminKey(a.Channel) + ") nên không đổi được bằng lệnh. Muốn thay đổi, sửa cấu hình rồi khởi động lại bot.")
		return campaign.Officer{}, false, nil
	}
	return o, true, nil
}

// adminKey is the configuration key listing a channel's admins.
func adminKey(channel string) string { return channel + ".admin_ids" }

// notify sends a message to every reachable account of a person.
func (c *cx) notify(o campaign.Officer, text string) {
	for _, a := range o.Reachable() {
		c.replies = append(c.replies, chat.Reply{To: a, Text: text})
	}
}

// dropSessions forgets the person's unfinished conversations with the bot
// (in their private chats on every channel).
func (c *cx) dropSessions(o campaign.Officer) error {
	for _, a := range o.Accounts {
		if err := c.tx.PutSession(a.Address, a.Address, nil); err != nil {
			return err
		}
	}
	return nil
}

// describe names an officer in replies: "Lê Văn Tám (cán bộ ấp Bãi Nhà, số 12)".
func (c *cx) describe(o campaign.Officer) string {
	place := ""
	if o.HamletID != "" {
		if h, err := c.tx.Hamlet(o.HamletID); err == nil {
			place = h.Name
		} else {
			place = o.HamletID
		}
	}
	name := o.FullName
	if name == "" {
		name = "Người dùng"
	}
	return bold(name) + " (" + plain(o.Role.At(place)) + ", số " + o.ID.String() + ")"
}

// cmdDeactivate (/vohieu <id>) stops an officer from using the bot; their
// records stay and still count.
func (c *cx) cmdDeactivate(args string) error {
	o, ok, err := c.targetOfficer(args, "/vohieu 12")
	if err != nil || !ok {
		return err
	}
	if !o.Active {
		c.reply(c.describe(o) + " đã bị vô hiệu hóa từ trước. Để kích hoạt lại: " + code("/kichhoat "+o.ID.String()))
		return nil
	}
	o.Active = false
	if err := c.tx.PutOfficer(o, c.who.ID, "officer.deactivate"); err != nil {
		return err
	}
	// A report left half-way is dropped with the account, and so are the
	// links to the web page.
	if err := c.dropSessions(o); err != nil {
		return err
	}
	if p := c.e.set.Pages; p != nil {
		if err := p.Revoke(c.tx, o.ID); err != nil {
			return err
		}
	}
	c.reply("⛔ Đã vô hiệu hóa " + c.describe(o) + ".\nNgười này không báo cáo được nữa. Các báo cáo trước đây vẫn được giữ và vẫn được tính.\nĐể kích hoạt lại: " + code("/kichhoat "+o.ID.String()))
	c.notify(o, "Tài khoản của anh/chị trên bot đã được quản trị viên tạm ngừng. Các báo cáo trước đây vẫn được giữ và vẫn được tính. Nếu cần tiếp tục báo cáo, vui lòng liên hệ Phòng Văn hóa – Xã hội.")
	return nil
}

// cmdReactivate (/kichhoat <id>) lets a deactivated officer use the bot again.
func (c *cx) cmdReactivate(args string) error {
	o, ok, err := c.targetOfficer(args, "/kichhoat 12")
	if err != nil || !ok {
		return err
	}
	if o.Active {
		c.reply(c.describe(o) + " đang hoạt động, không cần kích hoạt.")
		return nil
	}
	o.Active = true
	if err := c.tx.PutOfficer(o, c.who.ID, "officer.reactivate"); err != nil {
		return err
	}
	c.reply("✅ Đã kích hoạt lại " + c.describe(o) + ". Người này báo cáo được như trước.")
	c.notify(o, "Tài khoản của anh/chị trên bot đã được kích hoạt lại. Gõ /giup để xem các lệnh.")
	return nil
}

// roleArg reads the role named after /capquyen <id>: admin (also when
// nothing is named), hamlet leader or officer.
func roleArg(s string) (campaign.Role, bool) {
	if wordKey(s) == "" {
		return campaign.RoleAdmin, true
	}
	r, ok := wordRole(s)
	if ok && (r == campaign.RoleAdmin || r == campaign.RoleLeader || r == campaign.RoleOfficer) {
		return r, true
	}
	return "", false
}

// grantUsage is how /capquyen is used.
func grantUsage() string {
	return "Cách dùng:\n" + code("/capquyen 12") + " — cấp quyền quản trị viên cho người số 12\n" +
		code("/capquyen 12 truong_ap") + " hoặc " + code("/capquyen 12 can_bo") + " — đổi vai trò trong ấp\n" +
		code("/capquyen 12 mattran") + " — đổi đơn vị của cán bộ: " + code("bannhandan") + " (Ban Nhân dân ấp), " + code("mattran") +
		" (Mặt trận Tổ quốc ấp), " + code("doanthe") + " (đoàn thể ấp), " + code("tocongnghe") + " (tổ công nghệ số cộng đồng)\n" +
		code("/capquyen 12 truong_ap bannhandan") + " — đổi cả hai\nSố của từng người xem bằng lệnh /canbo."
}

// grantArgs reads the words after /capquyen's number: a role (quan_tri,
// truong_ap, can_bo, also typed with spaces and diacritics) and an
// affiliation (bannhandan, mattran, doanthe, tocongnghe), in any order;
// with neither, the role is admin. ok is false after answering why not.
func (c *cx) grantArgs(words []string) (role campaign.Role, aff campaign.Affiliation, ok bool) {
	if len(words) == 0 {
		return campaign.RoleAdmin, "", true
	}
	if r, ok := roleArg(strings.Join(words, " ")); ok {
		return r, "", true
	}
	for _, w := range words {
		if r, ok := roleArg(w); ok && role == "" {
			role = r
			continue
		}
		if a, ok := wordAffiliation(w); ok && aff == "" {
			aff = a
			continue
		}
		c.reply("Không hiểu «" + plain(clipArg(w)) + "»: đó không phải vai trò (" + code("quan_tri") + ", " + code("truong_ap") + ", " + code("can_bo") +
			") hay đơn vị (" + code("bannhandan") + ", " + code("mattran") + ", " + code("doanthe") + ", " + code("tocongnghe") + ").\n\n" + grantUsage())
		return "", "", false
	}
	return role, aff, true
}

// cmdGrant (/capquyen <id> [quan_tri|truong_ap|can_bo] [đơn vị]) changes a
// registered person's role, an officer's affiliation (where the plan says
// they work: Ban Nhân dân ấp, Mặt trận, đoàn thể, tổ công nghệ số cộng
// đồng), or both; with neither it makes them an admin.
func (c *cx) cmdGrant(args string) error {
	f := strings.Fields(args)
	if len(f) == 0 {
		c.reply(grantUsage())
		return nil
	}
	role, aff, ok := c.grantArgs(f[1:])
	if !ok {
		return nil
	}
	o, ok, err := c.targetOfficer(f[0], "/capquyen 12 truong_ap")
	if err != nil || !ok {
		return err
	}
	if !o.Active {
		c.reply(c.describe(o) + " đang bị vô hiệu hóa. Kích hoạt lại trước: " + code("/kichhoat "+o.ID.String()))
		return nil
	}
	newRole := o.Role
	if role != "" {
		newRole = role
	}
	switch {
	case newRole != campaign.RoleAdmin && o.HamletID == "":
		c.reply(c.describe(o) + " chưa thuộc ấp nào nên không làm " + plain(newRole.Label()) + " được. Gửi cho người này mã mời của ấp (/moi).")
		return nil
	case aff != "" && o.HamletID == "":
		c.reply(c.describe(o) + " không thuộc ấp nào nên không có đơn vị trong ấp.")
		return nil
	case newRole == o.Role && (aff == "" || aff == o.Affiliation):
		what := plain(o.Role.Label())
		if aff != "" {
			what += ", đơn vị " + plain(aff.Label())
		}
		c.reply(c.describe(o) + " đã là " + what + ", không có gì thay đổi.")
		return nil
	}
	who, before, beforeAff := c.describe(o), o.Role, o.Affiliation
	o.Role = newRole
	if aff != "" {
		o.Affiliation = aff
	}
	action := "officer.affiliation"
	if o.Role != before {
		action = "officer.role"
	}
	if err := c.tx.PutOfficer(o, c.who.ID, action); err != nil {
		return err
	}
	var done, note []string
	if o.Role != before {
		// What they had begun under the old role is dropped, as with /vohieu.
		if err := c.dropSessions(o); err != nil {
			return err
		}
		done = append(done, "vai trò "+plain(before.Label())+" → "+bold(o.Role.Label()))
		note = append(note, "Anh/chị nay là "+bold(o.Role.Label())+" trên bot. Gõ /giup để xem các lệnh dùng được.")
	}
	if o.Affiliation != beforeAff {
		was := beforeAff.Label()
		if was == "" {
			was = "chưa ghi"
		}
		done = append(done, "đơn vị "+plain(was)+" → "+bold(o.Affiliation.Label()))
		note = append(note, "Đơn vị của anh/chị trên bot nay là "+bold(o.Affiliation.Label())+" (ghi trong hồ sơ khen thưởng).")
	}
	c.reply("✅ Đã đổi cho " + who + ": " + strings.Join(done, "; ") + ".")
	c.notify(o, strings.Join(note, "\n"))
	return nil
}

// coverageLine is "812 hộ · 100 hộ biết làm · độ phủ 12,3%"; able
// households are shown at most the register (registerWarning says when
// more were reported).
func coverageLine(h campaign.Hamlet, t store.HamletTotals) string {
	return scoring.Number(h.Households) + " hộ · " + scoring.Number(min(t.Able, max(h.Households, 0))) + " hộ biết làm · độ phủ " + coverageOf(t.Able, h.Households)
}

// registerWarning is scoring's sentence asking admins to correct the
// register of a hamlet whose able households (from the running totals)
// exceed it; "" when they do not.
func registerWarning(h campaign.Hamlet, t store.HamletTotals) string {
	s := scoring.HamletStats{Hamlet: scoring.Hamlet{ID: h.ID, Name: h.Name, Households: h.Households}, Able: t.Able,
		Excess: max(0, t.Able-max(h.Households, 0))}
	return s.RegisterWarning()
}

// coverageOf is able ÷ households as shown to users, never above 100,0%.
func coverageOf(able, households int) string {
	if households <= 0 {
		return "chưa có số hộ"
	}
	return scoring.PercentOf(min(able, households), households)
}

// cmdHamlets (/ap) lists the hamlets with id, households and coverage.
func (c *cx) cmdHamlets(string) error {
	hs, err := c.tx.Hamlets()
	if err != nil {
		return err
	}
	if len(hs) == 0 {
		c.reply("Chưa có ấp nào trong cấu hình (mục hamlets).")
		return nil
	}
	slices.SortStableFunc(hs, func(a, b campaign.Hamlet) int { return scoring.CompareNames(a.Name, b.Name) })
	var households, able int
	var blocks []string
	for _, h := range hs {
		t := c.tx.HamletTotals(h.ID)
		households += max(h.Households, 0)
		able += min(t.Able, max(h.Households, 0))
		block := code(h.ID) + " — " + bold(h.Name) + ": " + coverageLine(h, t)
		if w := registerWarning(h, t); w != "" {
			block += "\n   ⚠️ " + plain(w)
		}
		blocks = append(blocks, block)
	}
	head := "🏘 " + bold("Các ấp") + ": " + itoa(len(hs)) + " ấp, " + scoring.Number(households) + " hộ, độ phủ chung " +
		coverageOf(able, households) + " (mục tiêu " + scoring.ThresholdPercent(c.e.set.Params.CoverageThreshold) + ")\n"
	foot := "Sửa số hộ của một ấp theo sổ hộ: " + chat.CodeStart + "/sosho " + plain(hs[0].ID) + " " + itoa(hs[0].Households) + chat.CodeEnd + "\nXem số liệu một ấp: " + chat.CodeStart + "/report tuan " + plain(hs[0].ID) + chat.CodeEnd
	for _, m := range splitMessages(head, blocks, foot) {
		c.reply(m)
	}
	return nil
}

var householdCountRE = regexp.MustCompile(`^(\d{1,3}([.,]\d{3})+|\d+)$`)

// cmdSetHouseholds (/sosho <mã ấp> <số hộ>) corrects a hamlet's household
// count (audited; kept when configuration is loaded again).
func (c *cx) cmdSetHouseholds(args string) error {
	f := strings.Fields(args)
	usage := "Cách dùng: " + code("/sosho <mã ấp> <số hộ>") + ", ví dụ " + chat.CodeStart + "/sosho " + plain(c.firstHamletID()) + " 820" + chat.CodeEnd
	if len(f) < 2 {
		c.reply(usage + "\n\n" + c.hamletList())
		return nil
	}
	hs, err := c.tx.Hamlets()
	if err != nil {
		return err
	}
	// "<id> <n>", or a hamlet name of several words before the number.
	h, ok := findHamlet(hs, f[0])
	raw := strings.Join(f[1:], " ")
	if !ok {
		h, ok = findHamlet(hs, strings.Join(f[:len(f)-1], " "))
		raw = f[len(f)-1]
	}
	if !ok {
		c.reply("Không có ấp «" + plain(clipArg(strings.Join(f[:len(f)-1], " "))) + "».\n" + usage + "\n\n" + c.hamletList())
		return nil
	}
	n := 0
	if householdCountRE.MatchString(raw) {
		n, err = strconv.Atoi(strings.NewReplacer(".", "", ",", "").Replace(raw))
	}
	if err != nil || n < 1 || n > 1_000_000 {
		c.reply("Số hộ «" + plain(clipArg(raw)) + "» không đúng: ghi một số nguyên dương, ví dụ 820 hoặc 1.250.\n" + usage)
		return nil
	}
	if n == h.Households {
		c.reply("Ấp " + plain(h.Name) + " đã có số hộ là " + scoring.Number(n) + ", không cần sửa.")
		return nil
	}
	if err := c.tx.SetHouseholds(h.ID, n, c.who.ID); err != nil {
		return err
	}
	t := c.tx.HamletTotals(h.ID)
	p := c.e.set.Params
	var b strings.Builder
	b.WriteString("✅ Đã sửa số hộ ấp " + bold(h.Name) + ": " + scoring.Number(h.Households) + " → " + bold(scoring.Number(n)) + " hộ.\n")
	b.WriteString("Độ phủ mới: " + scoring.Number(min(t.Able, n)) + "/" + scoring.Number(n) + " hộ = " + chat.BoldStart + coverageOf(t.Able, n) +
		chat.BoldEnd + " (trước đây " + coverageOf(t.Able, h.Households) + "; mục tiêu " + scoring.ThresholdPercent(p.CoverageThreshold) + ").")
	if k, was := p.RequiredProcedures(n), p.RequiredProcedures(h.Households); k != was {
		b.WriteString("\n" + upperFirst(scoring.SpecialPrizeName) + ": ấp nay cần " + scoring.Count2(k) + " thủ tục cho mỗi hộ (ấp từ " + scoring.Number(p.SpecialHouseholdThreshold) +
			" hộ trở lên cần 01, ấp dưới " + scoring.Number(p.SpecialHouseholdThreshold) + " hộ cần 02).")
	}
	if t.Able > n {
		b.WriteString("\n⚠️ Số hộ biết làm (" + scoring.Number(t.Able) + ") nhiều hơn số hộ vừa sửa: độ phủ chỉ tính tối đa 100,0% (bằng số hộ trong sổ). Vui lòng kiểm tra lại sổ hộ và các báo cáo của ấp.")
	}
	b.WriteString("\nSố hộ này được giữ nguyên cả khi cấu hình được nạp lại.")
	c.reply(b.String())
	return nil
}
