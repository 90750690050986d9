package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
	"dvcbot/store"
)

// Joining, linking a second channel and linking a leaders' group all go
// through single-use codes (campaign.Invite): 8 characters from
// codeAlphabet, read case-insensitively, sent to the bot as "/start CODE"
// or alone. Telegram also opens them from a deep link; Zalo has none.

const (
	stateJoinName    = "join_name"    // a new person types their full name
	stateJoinConfirm = "join_confirm" // a registered person opened an invite: move?
)

// linkTTL is how long a /lienket or /nhom code stays valid.
const linkTTL = 24 * time.Hour

// parseCode reads a code as typed: any case, spaces or dashes between
// groups ("abcd-2345"); ok when it has the shape of a code.
func parseCode(s string) (string, bool) {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "").Replace(strings.TrimSpace(s)))
	if len(s) != CodeLen {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(codeAlphabet, s[i]) < 0 {
			return "", false
		}
	}
	return s, true
}

// lookupInvite finds the invite a person typed: a code of today's shape in
// any case, or (for links made before schema 5) the exact older code.
func (c *cx) lookupInvite(typed string) (campaign.Invite, error) {
	if code, ok := parseCode(typed); ok {
		return c.tx.Invite(code)
	}
	return c.tx.Invite(strings.TrimSpace(typed))
}

// notRegistered tells someone the bot does not know how to join, with
// their account id on this channel for an admin who needs it.
func (c *cx) notRegistered() string {
	if c.found && !c.stored.Active && c.stored.Role.Valid() {
		return "Tài khoản của anh/chị trên bot đang tạm ngừng (quản trị viên đã vô hiệu hóa). Các báo cáo trước đây vẫn được giữ và vẫn được tính. " +
			"Nếu cần tiếp tục báo cáo, vui lòng liên hệ Phòng Văn hóa – Xã hội để được kích hoạt lại."
	}
	return "Anh/chị chưa đăng ký sử dụng bot. Để tham gia, xin quản trị viên (Phòng Văn hóa – Xã hội) một " +
		bold("mã mời") + " gồm 8 chữ và số, rồi gửi mã đó cho bot (ví dụ: " + code("ABCD2345") + ").\n" +
		"Mã tài khoản " + campaign.ChannelLabel(c.in.From.Channel) + " của anh/chị: " + code(c.in.From.ID) +
		" (gửi cho quản trị viên nếu được hỏi)."
}

// cmdStart welcomes a user; with a code it joins, links or registers a
// group; with "baocao" it starts a report (deep link from a group).
func (c *cx) cmdStart(args string) error {
	arg := strings.TrimSpace(args)
	switch {
	case arg == "baocao" && c.known:
		return c.runCommand("baocao", "")
	case arg == "" || arg == "giup" || arg == "baocao":
		if c.known {
			return c.cmdHelp("")
		}
		c.reply(c.notRegistered())
		return nil
	}
	return c.useCode(arg)
}

// useCode applies a code someone sent: a join invite, a /lienket code or a
// /nhom code.
func (c *cx) useCode(typed string) error {
	inv, err := c.lookupInvite(typed)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if !c.in.Private {
			return nil
		}
		c.reply("Mã «" + plain(limitRunes(typed, 40)) + "» không đúng. Vui lòng kiểm tra lại từng chữ (mã gồm 8 chữ in hoa và số, không có số 0 và số 1), hoặc xin quản trị viên một mã mới.")
		return nil
	case err != nil:
		return err
	}
	switch inv.Purpose {
	case campaign.InviteGroup:
		return c.linkGroup(inv)
	case campaign.InviteLink:
		return c.linkAccount(inv)
	}
	if !c.in.Private {
		c.reply("Mã mời chỉ dùng trong tin nhắn riêng với bot, để không ai khác dùng mất. Vui lòng nhắn riêng cho bot.")
		return nil
	}
	if done := c.inviteUnusable(inv); done {
		return nil
	}
	if c.known {
		return c.askMove(inv)
	}
	c.s.State, c.s.Invite, c.s.Draft = stateJoinName, inv.Code, Draft{}
	c.reply("Chào mừng anh/chị tham gia phong trào «" + plain(c.e.set.CampaignName) + "» với vai trò " +
		bold(c.inviteRole(inv)) + ".\n\nVui lòng nhập " + bold("họ và tên đầy đủ") + " của anh/chị (ví dụ: Trần Thị Bích):")
	return nil
}

// inviteUnusable answers a used or expired invite and reports whether it did.
func (c *cx) inviteUnusable(inv campaign.Invite) bool {
	switch {
	case inv.UsedBy != 0 && c.found && inv.UsedBy == c.stored.ID:
		c.reply("Anh/chị đã dùng mã này rồi. Gõ /giup để xem các lệnh.")
	case inv.UsedBy != 0:
		c.reply("Mã này đã được sử dụng. Mỗi mã chỉ dùng được một lần — vui lòng xin mã mới.")
	case !c.now.Before(inv.ExpiresAt):
		c.reply("Mã này đã hết hạn (lúc " + fmtDateTime(inv.ExpiresAt, c.e.set.Location) + "). Vui lòng xin mã mới.")
	default:
		return false
	}
	return true
}

// inviteRole names the role an invite gives: "trưởng ấp Bãi Nhà".
func (c *cx) inviteRole(inv campaign.Invite) string {
	place := ""
	if inv.HamletID != "" {
		place = inv.HamletID
		if h, err := c.tx.Hamlet(inv.HamletID); err == nil {
			place = h.Name
		}
	}
	s := inv.Role.At(place)
	if l := inv.Affiliation.Label(); l != "" {
		s += " — " + l
	}
	return s
}

// askMove asks a registered person who opened an invite whether to take
// the new role; the invite stays unused until they say yes.
func (c *cx) askMove(inv campaign.Invite) error {
	now := c.who.Role.At(c.hamletName())
	next := c.inviteRole(inv)
	if c.stored.Role == inv.Role && c.stored.HamletID == inv.HamletID && (inv.Affiliation == "" || inv.Affiliation == c.stored.Affiliation) {
		c.reply("Anh/chị đã là " + bold(now) + " rồi, không cần dùng mã này. Mã vẫn chưa bị dùng: có thể chuyển cho người khác cần tham gia.")
		return nil
	}
	c.s.State, c.s.Invite = stateJoinConfirm, inv.Code
	c.reply("Anh/chị đang là "+bold(now)+". Mã này sẽ chuyển anh/chị sang "+bold(next)+
		"; các báo cáo trước đây vẫn giữ nguyên.\nAnh/chị có muốn chuyển không?",
		[]chat.Choice{{Label: "✅ Chuyển", Value: "j:yes"}, {Label: "Giữ như cũ", Value: "j:no"}})
	return nil
}

// reaskMove answers text typed while askMove waits for a choice.
func (c *cx) reaskMove() error {
	inv, err := c.tx.Invite(c.s.Invite)
	if err != nil {
		c.s.State, c.s.Invite = "", ""
		return c.inviteGone(err)
	}
	return c.askMove(inv)
}

// onJoinButton answers the question of askMove.
func (c *cx) onJoinButton(arg string) error {
	if c.s.State != stateJoinConfirm || c.s.Invite == "" {
		c.reply(msgStaleButton)
		return nil
	}
	code := c.s.Invite
	c.s.State, c.s.Invite = "", ""
	if arg == "yes" && strings.TrimSpace(c.stored.FullName) == "" {
		// Someone known only by an account (an admin from configuration)
		// gives their full name before taking the role.
		c.s.State, c.s.Invite = stateJoinName, code
		c.reply("Vui lòng nhập " + bold("họ và tên đầy đủ") + " của anh/chị (ví dụ: Trần Thị Bích):")
		return nil
	}
	if arg != "yes" {
		c.reply("Đã giữ nguyên: anh/chị vẫn là " + bold(c.who.Role.At(c.hamletName())) + ". Mã mời chưa bị dùng, có thể chuyển cho người cần tham gia.")
		return nil
	}
	inv, err := c.tx.UseInvite(code, c.stored.ID)
	if err != nil {
		return c.inviteGone(err)
	}
	o := c.stored
	o.HamletID, o.Role, o.Active = inv.HamletID, inv.Role, true
	if inv.Affiliation != "" {
		o.Affiliation = inv.Affiliation
	}
	if err := c.tx.PutOfficer(o, o.ID, "officer.move"); err != nil {
		return err
	}
	c.setWho(o)
	c.reply("✅ Đã chuyển: anh/chị nay là " + bold(c.inviteRole(inv)) + ". Gõ /giup để xem các lệnh.")
	return nil
}

// inviteGone answers an invite that UseInvite refused.
func (c *cx) inviteGone(err error) error {
	switch {
	case errors.Is(err, store.ErrInviteUsed), errors.Is(err, store.ErrInviteExpire), errors.Is(err, store.ErrNotFound):
		c.reply("Mã không còn dùng được (đã được dùng hoặc đã hết hạn). Vui lòng xin mã mới.")
		return nil
	}
	return err
}

// setWho makes the stored record o the person of this step, with the role
// configuration gives (identify, and after their record changed).
func (c *cx) setWho(o campaign.Officer) {
	c.stored, c.found = o, true
	c.who = o
	c.known = o.Active && o.Role.Valid()
	if c.e.isConfigAdmin(c.in.From) {
		c.who.Role, c.known = campaign.RoleAdmin, true
	}
}

func (c *cx) onJoinName(text string) error {
	name, err := intake.NormalizePersonName(text)
	if err != nil {
		c.reply(userError(err) + "\n\nVui lòng nhập lại họ và tên đầy đủ của anh/chị, hoặc gõ /huy để dừng.")
		return nil
	}
	o := c.stored
	if !c.found {
		id, err := c.tx.NewPersonID()
		if err != nil {
			return err
		}
		o = campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: c.in.From}}, JoinedAt: c.now}
	}
	inv, err := c.tx.UseInvite(c.s.Invite, o.ID)
	if err != nil {
		c.s.State, c.s.Invite = "", ""
		return c.inviteGone(err)
	}
	// Roles from configuration are never stored: an admin from
	// configuration who joins a hamlet keeps the invite's role on record.
	o.FullName, o.HamletID, o.Role, o.Affiliation, o.Active = name, inv.HamletID, inv.Role, inv.Affiliation, true
	o.Prefer = c.in.From.Channel
	o.SetUnreachable(c.in.From, false)
	if err := c.tx.PutOfficer(o, o.ID, "officer.join"); err != nil {
		return err
	}
	c.setWho(o)
	c.s.State, c.s.Invite = "", ""
	next := "Gõ /giup để xem tất cả các lệnh."
	if o.HamletID != "" {
		next = "Sau mỗi lần hướng dẫn một hộ, gõ /baocao để báo cáo. " + next
	}
	c.reply("✅ Đăng ký thành công: " + bold(name) + ", " + plain(c.inviteRole(inv)) + ".\n\n" + next)
	return nil
}

// linkAccount adds the sender's account on this channel to the person a
// /lienket code was made for.
func (c *cx) linkAccount(inv campaign.Invite) error {
	if !c.in.Private {
		c.reply("Mã liên kết chỉ dùng trong tin nhắn riêng với bot. Vui lòng nhắn riêng cho bot.")
		return nil
	}
	if c.inviteUnusable(inv) {
		return nil
	}
	p, err := c.tx.Officer(inv.Link)
	if err != nil {
		return err
	}
	channel := campaign.ChannelLabel(c.in.From.Channel)
	switch {
	case p.Has(c.in.From):
		c.reply("Tài khoản " + channel + " này đã được liên kết với anh/chị rồi.")
		return nil
	case c.found && c.stored.ID != p.ID && (c.stored.Role != "" || c.stored.HamletID != ""):
		c.reply("Tài khoản " + channel + " này đã thuộc về một người khác trên bot (số " + c.stored.ID.String() +
			") nên không liên kết được. Vui lòng nhờ quản trị viên kiểm tra.")
		return nil
	case c.found && c.stored.ID != p.ID:
		// An admin from configuration who wrote from this account before
		// linking it: the account moves to the person it is linked to.
		old := c.stored
		old.Accounts = nil
		if err := c.tx.PutOfficer(old, p.ID, "person.unlink"); err != nil {
			return err
		}
	}
	// One account per channel: the new one replaces the old.
	p.Accounts = slices.DeleteFunc(slices.Clone(p.Accounts), func(a campaign.Account) bool { return a.Channel == c.in.From.Channel })
	p.Accounts = append(p.Accounts, campaign.Account{Address: c.in.From})
	p.Prefer = c.in.From.Channel
	if _, err := c.tx.UseInvite(inv.Code, p.ID); err != nil {
		return c.inviteGone(err)
	}
	if err := c.tx.PutOfficer(p, p.ID, "person.link"); err != nil {
		return err
	}
	c.setWho(p)
	c.reply("✅ Đã liên kết tài khoản " + channel + " này với " + bold(p.FullName) + " (" + plain(c.who.Role.At(c.hamletName())) +
		"). Từ nay các tin bot gửi riêng cho anh/chị sẽ đi qua " + channel + "; báo cáo từ kênh nào cũng được tính chung.")
	return nil
}

// linkGroup makes the group a /nhom code was sent in the leaders' group of
// its channel.
func (c *cx) linkGroup(inv campaign.Invite) error {
	if c.in.Private {
		c.reply("Mã này dùng trong nhóm lãnh đạo: trong nhóm, nhắc tên bot bằng @ rồi gửi " + code("/nhom "+inv.Code) + ".")
		return nil
	}
	if c.inviteUnusable(inv) {
		return nil
	}
	if _, err := c.tx.UseInvite(inv.Code, inv.CreatedBy); err != nil {
		return c.inviteGone(err)
	}
	if err := c.tx.SetLinkedGroup(c.in.Chat.Channel, c.in.Chat.ID, inv.CreatedBy); err != nil {
		return err
	}
	c.reply("✅ Đã chọn nhóm này làm nhóm lãnh đạo trên " + campaign.ChannelLabel(c.in.Chat.Channel) +
		": bảng xếp hạng hằng ngày, báo cáo quý, sơ kết và tổng kết sẽ được gửi vào đây. Tin trong nhóm không có thông tin cá nhân của người dân.")
	return nil
}

// cmdLink (/lienket) gives a registered person a code to link their
// account on the other channel.
func (c *cx) cmdLink(string) error {
	inv, err := c.newInvite(campaign.Invite{Purpose: campaign.InviteLink, Link: c.who.ID}, linkTTL)
	if err != nil {
		return err
	}
	c.reply("🔗 Mã liên kết của anh/chị: " + bold(inv.Code) + " (dùng một lần, hết hạn " + fmtDateTime(inv.ExpiresAt, c.e.set.Location) + ").\n" +
		"Trên kênh còn lại (Zalo hoặc Telegram), nhắn riêng cho bot đúng mã này. Sau đó báo cáo từ kênh nào cũng được tính chung cho anh/chị.")
	return nil
}

// cmdGroup (/nhom) gives a code that makes a group the leaders' group;
// "/nhom CODE" sent in the group (mentioning the bot) uses it.
func (c *cx) cmdGroup(args string) error {
	if !c.in.Private {
		if strings.TrimSpace(args) == "" {
			return nil
		}
		return c.useCode(args)
	}
	if strings.TrimSpace(args) != "" {
		c.reply("Mã nhóm phải được gửi trong nhóm lãnh đạo, không phải trong tin nhắn riêng. Trong nhóm, nhắc tên bot bằng @ rồi gửi " + code("/nhom "+strings.ToUpper(strings.TrimSpace(args))) + ".")
		return nil
	}
	if !c.may(zone) {
		c.reply("Lệnh /nhom chỉ dành cho quản trị viên và lãnh đạo đặc khu. Gõ /giup để xem các lệnh của anh/chị.")
		return nil
	}
	inv, err := c.newInvite(campaign.Invite{Purpose: campaign.InviteGroup}, linkTTL)
	if err != nil {
		return err
	}
	c.reply("👥 Mã nhóm: " + bold(inv.Code) + " (dùng một lần, hết hạn " + fmtDateTime(inv.ExpiresAt, c.e.set.Location) + ").\n" +
		"Trong nhóm Zalo của lãnh đạo (đã thêm bot vào nhóm), gõ @ và chọn tên bot, rồi gửi: " + code("/nhom "+inv.Code) + "\n" +
		"Bot sẽ gửi bảng xếp hạng và các báo cáo tổng hợp vào nhóm đó. Nếu nhóm không nhận được tin, bot gửi riêng cho từng lãnh đạo.")
	return nil
}

// newInvite stores a fresh code made by the user.
func (c *cx) newInvite(inv campaign.Invite, ttl time.Duration) (campaign.Invite, error) {
	inv.Code, inv.CreatedBy, inv.CreatedAt, inv.ExpiresAt = c.e.newCode(), c.who.ID, c.now, c.now.Add(ttl)
	return inv, c.tx.PutInvite(inv)
}

// inviteArgs reads the words after /moi: a hamlet id, or lanhdao /
// thuongtruc / quantri for roles without a hamlet; then optionally a role
// (truong_ap, can_bo) and an affiliation (bannhandan, mattran, doanthe,
// tocongnghe), in any order.
type inviteArgs struct {
	hamlet string
	role   campaign.Role
	aff    campaign.Affiliation
}

// wordKey folds a word of a command for comparison: no diacritics, case,
// spaces or underscores ("Trưởng ấp", "truong_ap" → "truongap").
func wordKey(w string) string {
	return strings.ReplaceAll(labelKey(strings.ReplaceAll(w, "_", " ")), " ", "")
}

// wordRole reads a role word ("truong_ap", "trưởng ấp", "lanhdao", …).
func wordRole(w string) (campaign.Role, bool) {
	switch wordKey(w) {
	case "quantri", "quantrivien", "admin":
		return campaign.RoleAdmin, true
	case "truongap", "leader":
		return campaign.RoleLeader, true
	case "canbo", "canboap", "officer":
		return campaign.RoleOfficer, true
	case "lanhdao", "lanhdaodackhu", "zoneleader":
		return campaign.RoleZoneLeader, true
	case "thuongtruc", "thuongtrucubnd", "kiemtra", "inspector":
		return campaign.RoleInspector, true
	}
	return "", false
}

// wordAffiliation reads an affiliation word ("mattran", "tổ công nghệ", …).
func wordAffiliation(w string) (campaign.Affiliation, bool) {
	switch wordKey(w) {
	case "bannhandan", "bnd", "bannhandanap":
		return campaign.AffBoard, true
	case "mattran", "mttq", "mattrantoquoc":
		return campaign.AffFront, true
	case "doanthe", "doan", "hoi":
		return campaign.AffUnion, true
	case "tocongnghe", "tocnsc", "tocongnghesocongdong", "tocongnghesocongdongap":
		return campaign.AffTechTeam, true
	}
	return "", false
}

// inviteUsage is how /moi is used.
func (c *cx) inviteUsage() string {
	id := plain(c.firstHamletID())
	return "Cách dùng:\n" + code("/moi "+id) + " — mời cán bộ ấp\n" +
		code("/moi "+id+" truong_ap") + " — mời trưởng ấp\n" +
		code("/moi "+id+" tocongnghe") + " — mời cán bộ ghi rõ đơn vị (" + code("bannhandan") + ", " + code("mattran") + ", " + code("doanthe") + ", " + code("tocongnghe") + ")\n" +
		code("/moi lanhdao") + " — mời lãnh đạo đặc khu (xem bảng xếp hạng, báo cáo, trang số liệu)\n" +
		code("/moi thuongtruc") + " — mời Thường trực UBND đặc khu (kiểm tra ngẫu nhiên)\n" +
		code("/moi quantri") + " — mời quản trị viên"
}

// parseInviteArgs reads /moi's words; ok false with the reason already answered.
func (c *cx) parseInviteArgs(args string) (inviteArgs, bool, error) {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 4 {
		c.reply(c.inviteUsage() + "\n\n" + c.hamletList())
		return inviteArgs{}, false, nil
	}
	var a inviteArgs
	rest := f
	if r, ok := wordRole(f[0]); ok && r != campaign.RoleOfficer && r != campaign.RoleLeader {
		a.role, rest = r, f[1:]
	} else {
		h, ok, err := c.hamletArg(f[0], c.inviteUsage())
		if !ok {
			return a, false, err
		}
		a.hamlet, a.role, rest = h.ID, campaign.RoleOfficer, f[1:]
	}
	for _, w := range rest {
		if r, ok := wordRole(w); ok && a.hamlet != "" && (r == campaign.RoleOfficer || r == campaign.RoleLeader) {
			a.role = r
			continue
		}
		if af, ok := wordAffiliation(w); ok && a.hamlet != "" {
			a.aff = af
			continue
		}
		c.reply("Không hiểu «" + plain(limitRunes(w, 40)) + "» trong lệnh /moi.\n\n" + c.inviteUsage())
		return a, false, nil
	}
	return a, true, nil
}

// cmdInvite (/moi …) creates a single-use invite code.
func (c *cx) cmdInvite(args string) error {
	a, ok, err := c.parseInviteArgs(args)
	if !ok {
		return err
	}
	inv, err := c.newInvite(campaign.Invite{HamletID: a.hamlet, Role: a.role, Affiliation: a.aff}, c.e.set.InviteTTL)
	if err != nil {
		return err
	}
	c.reply(c.e.inviteText(inv, c.inviteRole(inv), c.e.set.Location))
	return nil
}

// inviteText tells an admin how to hand an invite over, on every channel
// the bot runs on.
func (e *Engine) inviteText(inv campaign.Invite, role string, loc *time.Location) string {
	var b strings.Builder
	b.WriteString("Mã mời " + bold(role) + ": " + bold(inv.Code) + " (dùng một lần, hết hạn " + fmtDateTime(inv.ExpiresAt, loc) + ").\n")
	b.WriteString("Gửi mã này riêng cho đúng người. Người nhận nhắn riêng cho bot đúng mã này (hoặc " + code("/start "+inv.Code) + ") rồi nhập họ tên là xong.")
	if name := e.set.ZaloName(); name != "" {
		b.WriteString("\n• Trên Zalo: tìm bot «" + plain(name) + "», nhắn mã " + code(inv.Code) + ".")
	}
	if u := strings.TrimPrefix(e.set.BotUsername(), "@"); u != "" {
		b.WriteString("\n• Trên Telegram: bấm " + plain(e.deepLink(inv.Code)) + ".")
	}
	return b.String()
}

// CreateInvite makes a join code from the command line (dvcbot invite), so
// the first admin needs no account id: hamlet may be empty for roles
// without one. It returns the invite and the text to hand over.
func (e *Engine) CreateInvite(ctx context.Context, hamlet string, role campaign.Role, aff campaign.Affiliation) (campaign.Invite, string, error) {
	if err := ctx.Err(); err != nil {
		return campaign.Invite{}, "", err
	}
	if !role.Valid() {
		return campaign.Invite{}, "", fmt.Errorf("bot: invite: unknown role %q", role)
	}
	needsHamlet := role == campaign.RoleOfficer || role == campaign.RoleLeader
	if needsHamlet != (hamlet != "") {
		if needsHamlet {
			return campaign.Invite{}, "", fmt.Errorf("bot: invite: role %s needs a hamlet (--hamlet)", role)
		}
		return campaign.Invite{}, "", fmt.Errorf("bot: invite: role %s has no hamlet", role)
	}
	var inv campaign.Invite
	var text string
	err := e.db.Update(func(tx *store.Tx) error {
		c := &cx{e: e, tx: tx, now: tx.Now(), s: &Session{}}
		if hamlet != "" {
			if _, err := tx.Hamlet(hamlet); err != nil {
				return fmt.Errorf("hamlet %q: %w", hamlet, err)
			}
		}
		var err error
		inv, err = c.newInvite(campaign.Invite{HamletID: hamlet, Role: role, Affiliation: aff}, e.set.InviteTTL)
		if err != nil {
			return err
		}
		text = chat.Plain(e.inviteText(inv, c.inviteRole(inv), e.set.Location))
		return nil
	})
	if err != nil {
		return campaign.Invite{}, "", fmt.Errorf("bot: invite: %w", err)
	}
	return inv, text, nil
}

func (c *cx) firstHamletID() string {
	hs, _ := c.tx.Hamlets()
	if len(hs) > 0 {
		return hs[0].ID
	}
	return "bai-nha"
}

// hamletArg finds the hamlet a user typed the id of (any case); when there
// is none it answers so, with usage (if any) and the list of ids, and ok is
// false.
func (c *cx) hamletArg(typed, usage string) (h campaign.Hamlet, ok bool, err error) {
	h, err = c.tx.Hamlet(strings.ToLower(typed))
	if errors.Is(err, store.ErrNotFound) {
		msg := "Không có ấp mã «" + plain(limitRunes(typed, 40)) + "»."
		if usage != "" {
			msg += "\n\n" + usage
		}
		c.reply(msg + "\n\n" + c.hamletList())
		return h, false, nil
	}
	return h, err == nil, err
}

func (c *cx) hamletList() string {
	hs, err := c.tx.Hamlets()
	if err != nil || len(hs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Mã các ấp:")
	for _, h := range hs {
		b.WriteString("\n" + code(h.ID) + " — " + plain(h.Name))
	}
	return b.String()
}
