package intake

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"nguyễn văn  AN", "Nguyễn Văn An"},
		{"Nguyễn Văn Ân", "Nguyễn Văn Ân"},
		{"  trần thị thu hương ", "Trần Thị Thu Hương"},
		{"ĐẶNG QUỐC VIỆT", "Đặng Quốc Việt"},
		{"lê a", "Lê A"},
		{"h'hen niê", "H'Hen Niê"},
		{"H’Hen Niê", "H'Hen Niê"},           // typographic apostrophe (iOS)
		{"nguyễn-trần an", "Nguyễn-Trần An"}, // hyphenated family name
		{"Nguyễn – Trần An", "Nguyễn-Trần An"},
		{"Nguye\u0302\u0303n Va\u0306n A\u0302n", "Nguyễn Văn Ân"}, // NFD (iOS)
		{"Nguyễn\u00a0Văn\u200b An", "Nguyễn Văn An"},
		{"\u200fNguyễn Văn An\u200e", "Nguyễn Văn An"},
		{"Kim Min-jun", "Kim Min-Jun"},
		{"Ông Ích Khiêm", "Ông Ích Khiêm"},
		{"ab", ""}, // one word: error
	}
	for _, tt := range tests {
		got, err := NormalizeName(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizeName(%q) = %q, want error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("NormalizeName(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("NormalizeName(%q) not NFC", tt.in)
		}
		if again, err := NormalizeName(got); err != nil || again != got {
			t.Errorf("not idempotent: %q → %q, %v", got, again, err)
		}
	}
}

func TestNormalizeNameRefuses(t *testing.T) {
	tests := []struct {
		name, in, mention string // mention: a phrase the message must contain
	}{
		{"empty", "", "chưa nhập họ tên chủ hộ"},
		{"invisible only", "\u200b\u200e ", "chưa nhập"},
		{"one word", "Nguyễn", "ít nhất hai chữ"},
		{"digits", "Nguyễn Văn An 2", "chữ số"},
		{"phone instead of name", "0912 345 678", "số điện thoại vào chỗ họ tên"},
		{"emoji", "Nguyễn Văn An 😀", "biểu tượng cảm xúc"},
		{"emoji with variation selector", "Nguyễn An❤️", "biểu tượng cảm xúc"},
		{"flag", "Nguyễn An 🇻🇳", "biểu tượng cảm xúc"},
		{"html", "<b>Nguyễn</b> An", "“<”"},
		{"ampersand", "Nguyễn & An", "“&”"},
		{"at", "an@gmail.com Nguyễn", "“@”"},
		{"comma", "Nguyễn Văn An, Tổ 3", "“,”"},
		{"dot", "Ng. Văn An", "“.”"},
		{"leading hyphen", "-Nguyễn An", "gạch nối"},
		{"trailing apostrophe", "Nguyễn An'", "dấu nháy"},
		{"double hyphen", "Nguyễn--Trần An", "gạch nối"},
		{"lone mark", "Nguyễn \u0301An", "dấu phụ đứng riêng"},
		{"too long", strings.Repeat("Nguyễn ", 12) + "An", "quá giới hạn 80"},
		{"10000 chars", strings.Repeat("a", 10000), "quá giới hạn 80"},
		{"roman numeral", "Nguyễn Văn Ⅻ", "chữ số"},
		{"other script", "Нгуен Ван", "chữ Latinh"},
		{"khmer script", "ថាច់ សុខ", "chữ Latinh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeName(tt.in)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("NormalizeName(%q) = %q, %v; want *FieldError", tt.in, got, err)
			}
			if fe.Field != FieldName {
				t.Errorf("Field = %q, want %q", fe.Field, FieldName)
			}
			if !strings.Contains(fe.Message, tt.mention) {
				t.Errorf("message %q does not mention %q", fe.Message, tt.mention)
			}
			assertSentence(t, fe.Message)
		})
	}
}

func TestNormalizePersonName(t *testing.T) {
	got, err := NormalizePersonName("trần  văn bình")
	if err != nil || got != "Trần Văn Bình" {
		t.Errorf("NormalizePersonName = %q, %v", got, err)
	}
	_, err = NormalizePersonName("Bình")
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(fe.Message, "Họ tên của anh/chị") {
		t.Errorf("one-word officer name: %v", err)
	}
}

// assertSentence checks that a user-facing message is a complete sentence
// with Vietnamese diacritics and no leftover formatting verbs.
func assertSentence(t *testing.T, msg string) {
	t.Helper()
	if msg == "" || !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "thường trú") {
		t.Errorf("message is not a finished sentence: %q", msg)
	}
	if strings.Contains(msg, "%!") || strings.Contains(msg, "  ") {
		t.Errorf("message badly formatted: %q", msg)
	}
	if strings.ToUpper(msg[:1]) != msg[:1] && msg[0] < 0x80 {
		t.Errorf("message does not start with a capital: %q", msg)
	}
}
