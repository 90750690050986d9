package bot

import (
	"errors"
	"strconv"
	"time"

	"dvcbot/chat"
	"dvcbot/intake"
)

// Messages used in more than one place.
var (
	msgInternalError = "⚠️ Xin lỗi, hệ thống đang gặp sự cố nên thao tác vừa rồi " + bold("chưa được lưu") + ". Vui lòng gửi lại sau ít phút; nếu vẫn lỗi, báo cho quản trị viên."
	msgIdle          = "Bot chưa hiểu tin nhắn này. Sau khi hướng dẫn một hộ, gõ /baocao để báo cáo; gõ /toi để xem kết quả; gõ /giup để xem hướng dẫn."
	msgStaleButton   = "Nút này thuộc một thao tác đã xong hoặc đã hủy. Gõ /baocao để báo cáo mới, hoặc /giup để xem hướng dẫn."
	msgNeedHamlet    = "Anh/chị chưa được gắn với ấp nào nên chưa báo cáo được. Vui lòng xin quản trị viên gửi mã mời của ấp mình."
	msgPrivateOnly   = "Để bảo vệ thông tin cá nhân của người dân, việc này chỉ làm trong tin nhắn riêng với bot. Bấm nút dưới đây để mở."
)

// msgPrivateOnlyTyped answers a private-only command in a group on a
// channel without deep links (Zalo): no button can open the private chat,
// so the person is told where to write and what to type.
func msgPrivateOnlyTyped(botName, command string) string {
	where := "với bot"
	if botName != "" {
		where = "cho bot «" + plain(botName) + "»"
	}
	return "Để bảo vệ thông tin cá nhân của người dân, việc này chỉ làm trong tin nhắn riêng với bot. Vui lòng nhắn riêng " +
		where + " rồi gõ " + code("/"+command) + "."
}

func msgUnknownCommand(name string) string {
	return "Không có lệnh /" + plain(limitRunes(name, 40)) + ". Gõ /giup để xem các lệnh dùng được."
}

func msgRefused(cmd *command) string {
	who := "quản trị viên (Phòng Văn hóa – Xã hội)"
	switch cmd.access {
	case leader:
		who = "trưởng ấp và quản trị viên"
	case zone:
		who = "lãnh đạo đặc khu và quản trị viên"
	case checker:
		who = "Thường trực UBND đặc khu và quản trị viên"
	}
	return "Lệnh /" + cmd.name + " chỉ dành cho " + who + ". Gõ /giup để xem các lệnh của anh/chị."
}

// plain is text from a person or the store put into a reply: any
// emphasis mark in it is dropped, so it can never open or close a span.
func plain(s string) string { return chat.Strip(s) }

// bold, code, ital and pre mark one piece of a reply (chat.Bold, …).
func bold(s string) string { return chat.Bold(s) }
func code(s string) string { return chat.Code(s) }
func ital(s string) string { return chat.Italic(s) }
func pre(s string) string  { return chat.Pre(s) }

// userError is the Vietnamese sentence of an input error.
func userError(err error) string {
	var fe *intake.FieldError
	if errors.As(err, &fe) {
		return "❌ " + plain(fe.Message)
	}
	var ae *intake.AmbiguousError
	if errors.As(err, &ae) {
		return "❌ " + plain(ae.Error())
	}
	return "❌ " + plain(err.Error())
}

func itoa(n int) string { return strconv.Itoa(n) }

func fmtDate(t time.Time, loc *time.Location) string { return t.In(loc).Format("02/01/2006") }

func fmtDateTime(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("15:04 02/01/2006")
}
