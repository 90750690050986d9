package intake

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizeName validates and normalises the full name of a household head.
// The name is cleaned (see CleanText) and must have at least two words of
// letters (any script, with combining marks), where an apostrophe or a hyphen
// may join letters inside a word (H'Hen, Nguyễn-Trần); it is 2–80 characters
// long. Digits, emoji, punctuation and symbols are refused with a *FieldError
// naming the problem. Each word (and each part after an inner apostrophe or
// hyphen) is capitalised: "nguyễn văn  AN" → "Nguyễn Văn An". Typographic
// apostrophes (’ ʼ ‘) become ' and Unicode hyphens become -.
func NormalizeName(s string) (string, error) {
	return normalizeName(s, "họ tên chủ hộ")
}

// NormalizePersonName validates and normalises an officer's own full name
// with the same rules as NormalizeName (officers, too, give their full name
// of at least two words); only the wording of the error messages differs.
func NormalizePersonName(s string) (string, error) {
	return normalizeName(s, "họ tên của anh/chị")
}

func normalizeName(s, what string) (string, error) {
	s = CleanText(s)
	s = strings.Map(func(r rune) rune {
		switch r {
		case '’', 'ʼ', '‘', '`', '´':
			return '\''
		case '‐', '‑', '‒', '–', '—', '−':
			return '-'
		}
		return r
	}, s)
	// Dashes typed with spaces around them ("Nguyễn - Trần") join the parts.
	s = strings.ReplaceAll(s, " - ", "-")
	What := upperFirst(what)
	retry := fmt.Sprintf(" Anh/chị vui lòng nhập đầy đủ họ và tên bằng chữ, ví dụ %s.", NameExample)
	if s == "" {
		return "", fieldErr(FieldName, fmt.Sprintf("Anh/chị chưa nhập %s.%s", what, retry))
	}
	if err := checkNameRunes(s, What, retry); err != nil {
		return "", err
	}
	n := utf8.RuneCountInString(s)
	if n > MaxNameRunes {
		return "", fieldErr(FieldName, fmt.Sprintf("%s dài %d ký tự, quá giới hạn %d ký tự. Anh/chị vui lòng chỉ nhập họ và tên, không ghi thêm thông tin khác.", What, n, MaxNameRunes))
	}
	ws := strings.Split(s, " ")
	if len(ws) < 2 || n < MinNameRunes {
		return "", fieldErr(FieldName, fmt.Sprintf("%s cần có cả họ và tên (ít nhất hai chữ).%s", What, retry))
	}
	for i, w := range ws {
		ws[i] = capitalise(w)
	}
	return norm.NFC.String(strings.Join(ws, " ")), nil
}

// checkNameRunes refuses the first character that cannot be part of a name,
// with a message describing that kind of character.
func checkNameRunes(s, What, retry string) error {
	if looksLikePhone(s) {
		return fieldErr(FieldName, fmt.Sprintf("%s không được có chữ số; có vẻ anh/chị đã nhập số điện thoại vào chỗ họ tên.%s", What, retry))
	}
	prev := ' ' // previous rune; ' ' at a word start
	for _, r := range s {
		switch {
		case isEmoji(r):
			return fieldErr(FieldName, fmt.Sprintf("%s không được có biểu tượng cảm xúc hay hình vẽ.%s", What, retry))
		case unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r):
			// Names are written in the Latin alphabet as on the citizen
			// identity card (ethnic-minority names too, romanised).
			return fieldErr(FieldName, fmt.Sprintf("%s phải viết bằng chữ cái tiếng Việt (chữ Latinh có dấu) như trên căn cước, ký tự “%c” không dùng được.%s", What, r, retry))
		case unicode.IsLetter(r):
		case unicode.In(r, unicode.Mn, unicode.Mc):
			if !unicode.IsLetter(prev) && !unicode.In(prev, unicode.Mn, unicode.Mc) {
				return fieldErr(FieldName, fmt.Sprintf("%s có dấu thanh hoặc dấu phụ đứng riêng, không gắn vào chữ cái nào.%s", What, retry))
			}
		case r == ' ':
			if prev == '\'' || prev == '-' {
				return joinerErr(What)
			}
		case r == '\'' || r == '-':
			if !unicode.IsLetter(prev) && !unicode.In(prev, unicode.Mn, unicode.Mc) {
				return joinerErr(What)
			}
		case unicode.IsDigit(r) || unicode.IsNumber(r):
			return fieldErr(FieldName, fmt.Sprintf("%s không được có chữ số.%s", What, retry))
		case r == '@':
			return fieldErr(FieldName, fmt.Sprintf("%s không được có ký tự “@” (địa chỉ thư điện tử hay tên tài khoản không phải là họ tên).%s", What, retry))
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			return fieldErr(FieldName, fmt.Sprintf("%s không được có ký tự “%c”; họ tên chỉ gồm chữ cái, dấu cách và có thể có dấu nháy (') hoặc gạch nối (-) giữa các chữ.%s", What, r, retry))
		default:
			return fieldErr(FieldName, fmt.Sprintf("%s có ký tự không phải chữ cái (mã U+%04X).%s", What, r, retry))
		}
		prev = r
	}
	if prev == '\'' || prev == '-' {
		return joinerErr(What)
	}
	return nil
}

func joinerErr(What string) error {
	return fieldErr(FieldName, fmt.Sprintf("%s chỉ được có dấu nháy (') hoặc gạch nối (-) ở giữa hai chữ cái, ví dụ H'Hen Niê hoặc Nguyễn-Trần An. Anh/chị vui lòng nhập lại họ tên.", What))
}

// looksLikePhone reports whether s holds at least 7 digits, i.e. is more
// likely a phone number than a name with a stray digit.
func looksLikePhone(s string) bool {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n >= 7
}

// isEmoji reports whether r is a pictograph, emoji modifier, regional
// indicator or variation selector.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, // mahjong … symbols and pictographs extended-A
		r >= 0x2600 && r <= 0x27BF, // misc symbols, dingbats
		r >= 0x1F1E6 && r <= 0x1F1FF,
		r >= 0xFE00 && r <= 0xFE0F,
		r >= 0xE0020 && r <= 0xE007F:
		return true
	}
	return false
}

// capitalise upper-cases the first letter of w and of every part after an
// inner apostrophe or hyphen, and lower-cases the rest.
func capitalise(w string) string {
	var b strings.Builder
	b.Grow(len(w))
	start := true
	for _, r := range w {
		switch {
		case r == '\'' || r == '-':
			start = true
		case start && unicode.IsLetter(r):
			r = unicode.ToTitle(r)
			start = false
		default:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// upperFirst upper-cases the first rune of s (for sentence starts).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
