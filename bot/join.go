package bot

import (
	"errors"
	"strings"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/store"
)

const stateJoinName = "join_name"

// cmdStart welcomes a user; with an invite code it starts registration,
// with "baocao" it starts a report (deep link from a group).
func (c *cx) cmdStart(args string) error {
	code := strings.TrimSpace(args)
	switch {
	case code == "baocao" && c.known:
		return c.runCommand("baocao", "")
	case code == "" || code == "giup" || code == "baocao":
		if c.known {
			return c.cmdHelp("")
		}
		c.reply(msgNotRegistered)
		return nil
	}
	if !c.in.Private {
		return nil
	}
	inv, err := c.tx.Invite(code)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c.reply("Đường dẫn mời không đúng hoặc đã bị thay đổi. Vui lòng bấm lại đúng đường dẫn quản trị viên gửi, hoặc xin một đường dẫn mới.")
		return nil
	case err != nil:
		return err
	}
	if inv.UsedBy != 0 && inv.UsedBy == c.in.UserID && c.known {
		c.reply("Anh/chị đã đăng ký bằng đường dẫn này rồi. Gõ /giup để xem các lệnh, /baocao để báo cáo.")
		return nil
	}
	if inv.UsedBy != 0 {
		c.reply("Đường dẫn mời này đã được sử dụng. Mỗi đường dẫn chỉ dùng được một lần — vui lòng xin quản trị viên gửi đường dẫn mới.")
		return nil
	}
	if !c.now.Before(inv.ExpiresAt) {
		c.reply("Đường dẫn mời đã hết hạn (ngày " + fmtDate(inv.ExpiresAt, c.e.set.Location) + "). Vui lòng xin quản trị viên gửi đường dẫn mới.")
		return nil
	}
	if c.known && c.who.HamletID != "" && c.who.HamletID == inv.HamletID && c.who.Role == inv.Role {
		c.reply("Anh/chị đã đăng ký ấp này rồi. Gõ /giup để xem các lệnh.")
		return nil
	}
	h, err := c.tx.Hamlet(inv.HamletID)
	if err != nil {
		return err
	}
	c.s.State, c.s.Invite, c.s.Draft = stateJoinName, code, Draft{}
	c.reply("Chào mừng anh/chị tham gia phong trào «" + esc(c.e.set.CampaignName) + "» với vai trò <b>" +
		esc(inv.Role.At(h.Name)) + "</b>.\n\nVui lòng nhập <b>họ và tên đầy đủ</b> của anh/chị (ví dụ: Trần Thị Bích):")
	return nil
}

func (c *cx) onJoinName(text string) error {
	name, err := intake.NormalizePersonName(text)
	if err != nil {
		c.reply(userError(err) + "\n\nVui lòng nhập lại họ và tên đầy đủ của anh/chị, hoặc gõ /huy để dừng.")
		return nil
	}
	inv, err := c.tx.UseInvite(c.s.Invite, c.in.UserID)
	switch {
	case errors.Is(err, store.ErrInviteUsed), errors.Is(err, store.ErrInviteExpire), errors.Is(err, store.ErrNotFound):
		c.s.State, c.s.Invite = "", ""
		c.reply("Đường dẫn mời không còn dùng được (đã được dùng hoặc đã hết hạn). Vui lòng xin quản trị viên gửi đường dẫn mới.")
		return nil
	case err != nil:
		return err
	}
	o := c.who
	if !c.known || o.TelegramID == 0 {
		o = campaign.Officer{TelegramID: c.in.UserID, JoinedAt: c.now}
	}
	o.FullName, o.HamletID, o.Active, o.Unreachable = name, inv.HamletID, true, false
	if o.Role != campaign.RoleAdmin {
		o.Role = inv.Role
	}
	if err := c.tx.PutOfficer(o, c.in.UserID, "officer.join"); err != nil {
		return err
	}
	c.who, c.known = o, true
	c.s.State, c.s.Invite = "", ""
	h, err := c.tx.Hamlet(o.HamletID)
	if err != nil {
		return err
	}
	c.reply("✅ Đăng ký thành công: <b>" + esc(name) + "</b>, " + esc(inv.Role.At(h.Name)) + ".\n\nSau mỗi lần hướng dẫn một hộ, gõ /baocao để báo cáo. Gõ /giup để xem tất cả các lệnh.")
	return nil
}

// cmdInvite (/moi <hamlet-id> [truong_ap]) creates a single-use invite link.
func (c *cx) cmdInvite(args string) error {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 {
		c.reply("Cách dùng: <code>/moi &lt;mã ấp&gt;</code> để mời cán bộ ấp, <code>/moi &lt;mã ấp&gt; truong_ap</code> để mời trưởng ấp.\nVí dụ: <code>/moi " + esc(c.firstHamletID()) + "</code>\n\n" + c.hamletList())
		return nil
	}
	h, ok, err := c.hamletArg(f[0], "")
	if !ok {
		return err
	}
	role := campaign.RoleOfficer
	if len(f) == 2 {
		switch labelKey(f[1]) {
		case "truong ap", "truongap", "truong_ap", "leader":
			role = campaign.RoleLeader
		default:
			if strings.EqualFold(f[1], "truong_ap") {
				role = campaign.RoleLeader
			} else {
				c.reply("Vai trò «" + esc(limitRunes(f[1], 40)) + "» không hợp lệ. Để mời trưởng ấp, gõ: <code>/moi " + esc(h.ID) + " truong_ap</code>")
				return nil
			}
		}
	}
	inv := campaign.Invite{Code: c.e.newCode(), HamletID: h.ID, Role: role, CreatedBy: c.in.UserID,
		CreatedAt: c.now, ExpiresAt: c.now.Add(c.e.set.InviteTTL)}
	if err := c.tx.PutInvite(inv); err != nil {
		return err
	}
	c.reply("Đường dẫn mời <b>" + esc(role.At(h.Name)) + "</b> (dùng một lần, hết hạn " +
		fmtDateTime(inv.ExpiresAt, c.e.set.Location) + "):\n" + esc(c.e.deepLink(inv.Code)) +
		"\n\nGửi đường dẫn này riêng cho đúng người. Người nhận bấm vào đường dẫn, bấm «Bắt đầu» rồi nhập họ tên là xong." +
		"\n(Trên ứng dụng không có đường dẫn, người nhận gõ: <code>/start " + esc(inv.Code) + "</code>)")
	return nil
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
		msg := "Không có ấp mã «" + esc(limitRunes(typed, 40)) + "»."
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
		b.WriteString("\n<code>" + esc(h.ID) + "</code> — " + esc(h.Name))
	}
	return b.String()
}
