package bot

import (
	"strings"

	"dvcbot/chat"

	"dvcbot/campaign"
)

// access says who may run a command.
type access int

const (
	anyone   access = iota // even people not registered yet
	member                 // any registered person
	reporter               // registered with a hamlet (officers, leaders, admins attached to a hamlet)
	leader                 // hamlet leaders (their hamlet) and admins
	zone                   // zone leaders and admins
	checker                // the Standing Committee (inspector) and admins: spot checks
	admin                  // Culture–Society Office only
)

// command is one row of the authorization table.
type command struct {
	name    string
	desc    string // menu description (Vietnamese)
	usage   string // example for /giup
	access  access
	private bool // handles personal data: private chat only
	menu    bool // shown in Telegram's command menu
	run     func(c *cx, args string) error
}

// registerCommands builds the one table that decides every command.
func (e *Engine) registerCommands() {
	e.cmds = map[string]*command{}
	for _, cmd := range []*command{
		{name: "start", desc: "Bắt đầu / tham gia bằng mã mời", access: anyone, run: (*cx).cmdStart},
		{name: "baocao", desc: "Báo cáo hộ vừa được hướng dẫn", usage: "/baocao Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678; khai sinh, thường trú", access: reporter, private: true, menu: true, run: (*cx).cmdReport},
		{name: "huy", desc: "Hủy thao tác đang làm", usage: "/huy", access: anyone, menu: true, run: (*cx).cmdCancel},
		{name: "toi", desc: "Kết quả của tôi và của ấp hôm nay", usage: "/toi", access: member, menu: true, run: (*cx).cmdMe},
		{name: "giup", desc: "Hướng dẫn sử dụng", usage: "/giup", access: anyone, menu: true, run: (*cx).cmdHelp},
		{name: "xephang", desc: "Bảng xếp hạng các ấp hôm nay", usage: "/xephang", access: member, menu: true, run: (*cx).cmdRanking},
		{name: "khenthuong", desc: "Danh sách đề nghị khen thưởng (lãnh đạo, quản trị)", usage: "/khenthuong hoặc /khenthuong 30/06/2026", access: zone, private: true, menu: true, run: (*cx).cmdAwards},
		{name: "chay", desc: "Chạy ngay một việc theo lịch: nhắc việc, xếp hạng, báo cáo quý, sơ kết, tổng kết (quản trị)", usage: "/chay xephang", access: admin, private: true, run: (*cx).cmdRunJob},
		{name: "moi", desc: "Tạo mã mời cán bộ, trưởng ấp, lãnh đạo (quản trị)", usage: "/moi bai-nha, /moi bai-nha truong_ap, /moi lanhdao", access: admin, private: true, menu: true, run: (*cx).cmdInvite},
		{name: "report", desc: "Số liệu theo kỳ kèm tệp Excel (trưởng ấp, quản trị)", usage: "/report tuan, /report quy 2, /report 01/05/2026 15/05/2026", access: leader, private: true, menu: true, run: (*cx).cmdReportFigures},
		{name: "canbo", desc: "Danh sách cán bộ, số liệu và số của từng người (trưởng ấp, quản trị)", usage: "/canbo hoặc /canbo bai-nha", access: leader, private: true, menu: true, run: (*cx).cmdOfficers},
		{name: "ap", desc: "Danh sách ấp, số hộ và độ phủ (quản trị)", usage: "/ap", access: admin, menu: true, run: (*cx).cmdHamlets},
		{name: "sosho", desc: "Sửa số hộ của ấp theo sổ hộ (quản trị)", usage: "/sosho bai-nha 820", access: admin, run: (*cx).cmdSetHouseholds},
		{name: "vohieu", desc: "Vô hiệu hóa tài khoản cán bộ, báo cáo cũ vẫn được tính (quản trị)", usage: "/vohieu 12", access: admin, private: true, run: (*cx).cmdDeactivate},
		{name: "kichhoat", desc: "Kích hoạt lại tài khoản cán bộ (quản trị)", usage: "/kichhoat 12", access: admin, private: true, run: (*cx).cmdReactivate},
		{name: "capquyen", desc: "Cấp quyền quản trị viên, đổi vai trò hoặc đơn vị của cán bộ (quản trị)", usage: "/capquyen 12 truong_ap, /capquyen 12 mattran", access: admin, private: true, run: (*cx).cmdGrant},
		{name: "dabiet", desc: "Ghi nhận hộ đã tự làm được dịch vụ công trực tuyến", usage: "/dabiet Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678", access: reporter, private: true, menu: true, run: (*cx).cmdSelfAble},
		{name: "saoluu", desc: "Gửi bản sao lưu dữ liệu mới nhất (quản trị)", usage: "/saoluu", access: admin, private: true, run: (*cx).cmdBackup},
		{name: "kiemtra", desc: "Kiểm tra ngẫu nhiên: chọn hộ để gọi điện, ghi kết quả (Thường trực UBND, quản trị)", usage: "/kiemtra, /kiemtra 10 bai-nha, /kiemtra ketqua", access: checker, private: true, menu: true, run: (*cx).cmdSpotCheck},
		{name: "loaitru", desc: "Loại trừ cán bộ hoặc ấp khỏi khen thưởng, có lý do; không kèm gì để xem danh sách (quản trị)", usage: "/loaitru canbo 12, /loaitru ap bai-nha thanhtra Kết luận số 12/KL", access: admin, private: true, run: (*cx).cmdExclude},
		{name: "boloaitru", desc: "Bỏ loại trừ cán bộ hoặc ấp (quản trị)", usage: "/boloaitru canbo 12 hoặc /boloaitru ap bai-nha", access: admin, private: true, run: (*cx).cmdLiftExclusion},
		{name: "trang", desc: "Liên kết riêng tới trang số liệu trên web", usage: "/trang", access: member, private: true, menu: true, run: (*cx).cmdPage},
		{name: "lienket", desc: "Liên kết tài khoản Zalo và Telegram của mình", usage: "/lienket", access: member, private: true, menu: true, run: (*cx).cmdLink},
		{name: "nhom", desc: "Chọn nhóm lãnh đạo nhận bảng xếp hạng (quản trị, lãnh đạo)", usage: "/nhom", access: anyone, run: (*cx).cmdGroup},
		{name: "hanmuc", desc: "Số tin nhắn Zalo đã dùng trong tháng so với hạn mức (quản trị)", usage: "/hanmuc", access: admin, run: (*cx).cmdQuota},
		{name: "hoso", desc: "Hồ sơ khen thưởng của ấp: Tờ trình, Biên bản họp xét, danh sách hộ (trưởng ấp cho ấp mình, quản trị)", usage: "/hoso bai-nha", access: leader, private: true, menu: true, run: (*cx).cmdDossier},
	} {
		e.cmds[cmd.name] = cmd
		e.order = append(e.order, cmd.name)
	}
	// English and unaccented aliases that officers type.
	for alias, name := range map[string]string{"help": "giup", "report_household": "baocao", "cancel": "huy", "me": "toi"} {
		if c, ok := e.cmds[name]; ok {
			e.cmds[alias] = c
		}
	}
}

// allowed reports whether the current user may run cmd.
func (c *cx) allowed(cmd *command) bool { return c.may(cmd.access) }

// may reports whether the current user has access a (commands, flows).
func (c *cx) may(a access) bool {
	switch a {
	case anyone:
		return true
	case member:
		return c.known
	case reporter:
		return c.known && c.who.HamletID != ""
	case leader:
		return c.known && (c.who.Role == campaign.RoleLeader || c.who.Role == campaign.RoleAdmin)
	case zone:
		return c.known && (c.who.Role == campaign.RoleZoneLeader || c.who.Role == campaign.RoleAdmin)
	case checker:
		return c.known && (c.who.Role == campaign.RoleInspector || c.who.Role == campaign.RoleAdmin)
	case admin:
		return c.known && c.who.Role == campaign.RoleAdmin
	}
	return false
}

func (c *cx) runCommand(name, args string) error {
	cmd, ok := c.e.cmds[name]
	if !ok {
		if !c.in.Private {
			return nil // another bot's command in a group
		}
		c.reply(msgUnknownCommand(name))
		return nil
	}
	if !c.allowed(cmd) {
		switch {
		case !c.known:
			c.reply(c.notRegistered())
		case cmd.access == reporter:
			c.reply(msgNeedHamlet)
		default:
			c.reply(msgRefused(cmd))
		}
		return nil
	}
	if cmd.private && !c.in.Private {
		if !c.in.Caps.DeepLinks {
			botName := ""
			if c.in.Chat.Channel == chat.Zalo {
				botName = c.e.set.ZaloName()
			}
			c.reply(msgPrivateOnlyTyped(botName, name))
			return nil
		}
		c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: msgPrivateOnly,
			Choices: [][]chat.Choice{{{Label: "Mở tin nhắn riêng với bot", URL: c.e.deepLink(privateStart(name))}}}})
		return nil
	}
	return cmd.run(c, args)
}

// privateStart is the deep-link payload that opens a private chat and runs a command.
func privateStart(name string) string {
	if name == "baocao" {
		return "baocao"
	}
	return "giup"
}

func (e *Engine) deepLink(payload string) string {
	return "https://t.me/" + strings.TrimPrefix(e.set.BotUsername(), "@") + "?start=" + payload
}

func (c *cx) cmdHelp(string) error {
	var b strings.Builder
	b.WriteString(chat.BoldStart + "Hướng dẫn sử dụng bot " + plain(c.e.set.CampaignName) + chat.BoldEnd + "\n")
	if !c.known {
		b.WriteString("\n" + c.notRegistered())
		c.reply(b.String())
		return nil
	}
	b.WriteString("Anh/chị là " + chat.BoldStart + plain(c.who.Role.At(c.hamletName())) + chat.BoldEnd + ".\n")
	for _, name := range c.e.order {
		cmd := c.e.cmds[name]
		if cmd.name == "start" || !c.allowed(cmd) {
			continue
		}
		b.WriteString("\n/" + cmd.name + " — " + plain(cmd.desc))
		if cmd.usage != "" && cmd.usage != "/"+cmd.name {
			b.WriteString("\n   Ví dụ: " + code(cmd.usage))
		}
	}
	if c.allowed(c.e.cmds["baocao"]) {
		b.WriteString("\n\nBáo cáo nhanh một dòng: họ tên; địa chỉ; số điện thoại; thủ tục (phân cách bằng dấu chấm phẩy hoặc |). Thủ tục gõ có dấu hay không dấu đều được, ví dụ «khai sinh», «thuong tru», «ly lich tu phap».\nDanh sách thủ tục:\n")
		for i, p := range c.e.set.Procedures {
			b.WriteString(itoa(i+1) + ". " + plain(p.Name) + "\n")
		}
	}
	c.reply(strings.TrimRight(b.String(), "\n"))
	return nil
}

func (c *cx) cmdCancel(string) error {
	if !c.known {
		joining := c.s.State == stateJoinName
		c.s.endFlow()
		if joining {
			c.reply("Đã dừng đăng ký, chưa có gì được lưu. Khi sẵn sàng, gửi lại mã mời (nếu còn hạn) để đăng ký.")
			return nil
		}
		c.reply("Không có thao tác nào đang làm dở. " + c.notRegistered())
		return nil
	}
	what := c.cancelled()
	c.s.endFlow()
	if what == "" {
		msg := "Không có thao tác nào đang làm dở."
		if c.s.Last != 0 && c.now.Sub(c.s.LastAt) <= undoWindow {
			msg += " Báo cáo số " + itoa(int(c.s.Last)) + " vừa lưu vẫn được giữ; nếu báo cáo nhầm, " + c.tap("Hoàn tác") + "."
			if c.in.Caps.Buttons {
				c.reply(msg, undoChoice("undo:"+itoa(int(c.s.Last))))
				return nil
			}
		} else {
			msg += " Gõ /baocao để báo cáo hộ vừa hướng dẫn."
		}
		c.reply(msg)
		return nil
	}
	c.reply("Đã hủy " + what + ". Những gì đã lưu trước đó vẫn giữ nguyên. Gõ /baocao khi cần báo cáo.")
	return nil
}

// cancelled names what /huy drops in the current state ("" for nothing).
func (c *cx) cancelled() string {
	d := c.s.Draft
	household := ""
	if d.Name != "" {
		household = " hộ " + bold(d.Name)
	}
	switch {
	case c.s.State == stateReportRestart:
		return "báo cáo đang làm dở" + household + " (chưa lưu) và báo cáo vừa gửi (chưa lưu)"
	case c.s.State == stateReportDup:
		return "lần báo cáo trùng" + household + " (chưa lưu; báo cáo trước vẫn giữ)"
	case strings.HasPrefix(c.s.State, "report_"):
		return "báo cáo đang làm dở" + household + " (chưa lưu)"
	case strings.HasPrefix(c.s.State, "selfable_"):
		return "ghi nhận hộ tự làm được" + household + " (chưa lưu)"
	case c.s.State == stateSpotReason:
		return "việc ghi kết quả kiểm tra «Không đạt» (kết quả của hộ giữ như cũ)"
	case c.s.State == stateExcludeGround || c.s.State == stateExcludeDetails:
		return "việc loại trừ đang ghi dở (chưa loại trừ ai)"
	case c.s.State == stateJoinConfirm:
		return "việc chuyển vai trò (mã mời chưa bị dùng)"
	case c.s.State != "":
		return "thao tác đang làm"
	}
	return ""
}
