package intake

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0912345678", "0912345678"},
		{"0912 345 678", "0912345678"},
		{"0912.345.678", "0912345678"},
		{"0912-345-678", "0912345678"},
		{"(0912) 345 678", "0912345678"},
		{"0912–345–678", "0912345678"}, // en dash from autocorrect
		{" 0912\u00a0345\u00a0678 ", "0912345678"},
		{"\u202a0912345678\u202c", "0912345678"}, // bidi marks around a pasted number
		{"+84912345678", "0912345678"},
		{"+84 912 345 678", "0912345678"},
		{"+84 (0) 912 345 678", "0912345678"},
		{"+840912345678", "0912345678"},
		{"84912345678", "0912345678"},
		{"84 0912 345 678", "0912345678"},
		{"0084912345678", "0912345678"},
		{"00840912345678", "0912345678"},
		{"912345678", "0912345678"}, // leading 0 lost in a spreadsheet
		{"0321234567", "0321234567"},
		{"0521234567", "0521234567"},
		{"0701234567", "0701234567"},
		{"0861234567", "0861234567"},
		{"0991234567", "0991234567"},
		// landlines: 02 + area code + number, 11 digits, kept
		{"02973846123", "02973846123"},
		{"0297 3846 123", "02973846123"},
		{"(0297) 3.846.123", "02973846123"},
		{"02438251234", "02438251234"},
		{"+84 297 3846 123", "02973846123"},
		{"842973846123", "02973846123"},
		// old 11-digit mobiles
		{"01689 123 456", "0389123456"},
		{"+84 1689 123 456", "0389123456"},
		{"841689123456", "0389123456"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Errorf("not idempotent on %q: %q, %v", got, again, err)
		}
	}
}

func TestNormalizePhoneOldMobilePrefixes(t *testing.T) {
	table := map[string]string{
		"0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
		"0167": "037", "0168": "038", "0169": "039",
		"0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
		"0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
		"0186": "056", "0188": "058", "0199": "059",
	}
	for old, now := range table {
		got, err := NormalizePhone(old + "1234567")
		if err != nil || got != now+"1234567" {
			t.Errorf("NormalizePhone(%s1234567) = %q, %v; want %s1234567", old, got, err, now)
		}
	}
	for _, unknown := range []string{"0161", "0170", "0187", "0190", "0100"} {
		_, err := NormalizePhone(unknown + "1234567")
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(fe.Message, "Đầu số cũ "+unknown) {
			t.Errorf("NormalizePhone(%s1234567): %v; want unknown-old-prefix error", unknown, err)
		}
	}
}

func TestNormalizePhoneRefuses(t *testing.T) {
	tests := []struct{ in, mention string }{
		{"", "chưa nhập số điện thoại"},
		{"\u200b", "chưa nhập số điện thoại"},
		{"không có", "không có chữ cái"},
		{"0912 345 67O", "không có chữ cái"}, // letter O for zero
		{"091234567", "mới có 9 chữ số"},
		{"12345", "phải bắt đầu bằng số 0"},
		{"113", "phải bắt đầu bằng số 0"},
		{"09123456789", "chỉ có 10 chữ số"},
		{"0912345678 0987654321", "chỉ nhập một số"},
		{"0912345678/0987654321", "chỉ nhập một số"},
		{"+1 202 555 0100", "số điện thoại Việt Nam"},
		{"0912+345678", "Dấu “+”"},
		{"++84912345678", "Dấu “+”"},
		{"0297384612", "phải có 11 chữ số"},
		{"0162123456", "số di động cũ 11 chữ số"},
		{"0412345678", "Đầu số 04 không phải"},
		{"0012345678", "Đầu số 00 không phải"},
		{"0612345678", "Đầu số 06 không phải"},
		{"0912#345678", "ký tự “#”"},
		{"０９１２３４５６７８", "kiểu thông thường 0–9"},
		{"---", "chưa có chữ số nào"},
		{strings.Repeat("9", 10000), "nhiều hơn bình thường"},
		{"0912345678😀", "ký tự “😀”"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("NormalizePhone(%.30q) = %q, %v; want *FieldError", tt.in, got, err)
			continue
		}
		if fe.Field != FieldPhone {
			t.Errorf("Field = %q", fe.Field)
		}
		if !strings.Contains(fe.Message, tt.mention) {
			t.Errorf("NormalizePhone(%.30q): message %q does not mention %q", tt.in, fe.Message, tt.mention)
		}
		assertSentence(t, fe.Message)
	}
}

func TestFormatPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0912345678", "0912 345 678"},
		{"+84 912 345 678", "0912 345 678"},
		{"01689123456", "0389 123 456"},
		{"02973846123", "0297 3846 123"},
		{"02438251234", "024 3825 1234"},
		{"02838251234", "028 3825 1234"},
		{"abc", "abc"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := FormatPhone(tt.in); got != tt.want {
			t.Errorf("FormatPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
