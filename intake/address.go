package intake

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// NormalizeAddress validates and cleans a household's address (see
// CleanText): it must not be empty, must hold at least one letter or digit
// and be at most MaxAddressRunes characters long. The cleaned text is
// returned; no other rewriting is done.
func NormalizeAddress(s string) (string, error) {
	s = CleanText(s)
	retry := fmt.Sprintf("Anh/chị vui lòng nhập tổ, ấp nơi hộ đang ở, ví dụ %s.", AddressExample)
	if s == "" {
		return "", fieldErr(FieldAddress, "Anh/chị chưa nhập địa chỉ của hộ. "+retry)
	}
	if n := utf8.RuneCountInString(s); n > MaxAddressRunes {
		return "", fieldErr(FieldAddress, fmt.Sprintf("Địa chỉ dài %d ký tự, quá giới hạn %d ký tự. Anh/chị vui lòng ghi ngắn gọn: số nhà, tổ, ấp.", n, MaxAddressRunes))
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return s, nil
		}
	}
	return "", fieldErr(FieldAddress, "Địa chỉ phải có chữ hoặc số, không chỉ gồm dấu câu hay biểu tượng. "+retry)
}
