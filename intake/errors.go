package intake

import (
	"strings"

	"dvcbot/campaign"
)

// Field labels used in FieldError.Field: the Vietnamese name of the field the
// officer has to correct.
const (
	FieldName      = "họ tên"
	FieldAddress   = "địa chỉ"
	FieldPhone     = "số điện thoại"
	FieldProcedure = "thủ tục"
	FieldLine      = "báo cáo một dòng" // the /baocao line as a whole (wrong number of parts)
)

// Examples quoted in error messages, exported so that the bot's prompts and
// help text say exactly the same thing.
const (
	NameExample    = "Nguyễn Văn An"
	AddressExample = "Tổ 3, ấp Bãi Nhà"
	PhoneExample   = "0912 345 678"
	OtherExample   = "khác: cấp đổi thẻ căn cước"
	// LineFormat is the shape of the one-line report.
	LineFormat = "/baocao <họ tên>; <địa chỉ>; <số điện thoại>; <thủ tục>, <thủ tục>…"
	// LineExample is a complete, valid one-line report.
	LineExample = "/baocao Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678; khai sinh, thường trú"
)

// Limits on the length of typed values, in characters (runes).
const (
	MinNameRunes    = 2
	MaxNameRunes    = 80
	MaxAddressRunes = 200
	MaxOtherRunes   = 200
)

// FieldError is a validation failure of one field an officer typed. Field is
// the Vietnamese field label (one of the Field… constants); Message is a
// complete Vietnamese sentence saying what was wrong and what to do, ready to
// be shown to the officer.
type FieldError struct {
	Field   string
	Message string
}

// Error returns the message meant for the officer.
func (e *FieldError) Error() string { return e.Message }

func fieldErr(field, msg string) *FieldError {
	return &FieldError{Field: field, Message: msg}
}

// AmbiguousError reports a procedure token that matches more than one
// procedure of the catalogue.
type AmbiguousError struct {
	Token      string
	Candidates []campaign.Procedure
}

// Error lists the candidate procedures in Vietnamese and says how to choose.
func (e *AmbiguousError) Error() string {
	var b strings.Builder
	b.WriteString("Thủ tục “")
	b.WriteString(e.Token)
	b.WriteString("” khớp với nhiều thủ tục: ")
	for i, p := range e.Candidates {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Name)
	}
	b.WriteString(". Anh/chị vui lòng ghi rõ hơn tên thủ tục (hoặc gõ số thứ tự của thủ tục trong /giup) rồi gửi lại.")
	return b.String()
}
