package intake

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"plain", "Tổ 3, ấp Bãi Nhà", "Tổ 3, ấp Bãi Nhà"},
		{"trim and fold spaces", "  Nguyễn   Văn \t\n An  ", "Nguyễn Văn An"},
		{"nbsp and narrow nbsp", "Nguyễn\u00a0Văn\u202fAn", "Nguyễn Văn An"},
		{"ideographic and line separators", "a\u3000b\u2028c\u2029d\u0085e", "a b c d e"},
		{"crlf", "dòng 1\r\ndòng 2", "dòng 1 dòng 2"},
		{"NFD to NFC", "Nguye\u0302\u0303n", "Nguyễn"},
		{"invalid bytes dropped", "Ng\xffuy\xc3ễn", "Nguyễn"},
		{"truncated multibyte dropped", "An\xe1\xba", "An"},
		{"replacement char dropped", "A\ufffdn", "An"},
		{"control chars dropped", "A\x00\x07n\x1b[0m", "An[0m"},
		{"C1 control dropped", "A\u0080\u009fn", "An"},
		{"zero width", "Ng\u200buy\u200c\u200d\u2060ễn\ufeff", "Nguyễn"},
		{"LRM RLM", "\u200eAn\u200f", "An"},
		{"bidi embeddings and isolates", "\u202aA\u202b\u202c\u202d\u202en\u2066\u2067\u2068\u2069", "An"},
		{"soft hyphen", "Ng\u00aduyễn", "Nguyễn"},
		{"zero width between letter and its mark composes", "e\u200b\u0301", "é"},
		{"emoji kept", "Nhà 🏠 số 5", "Nhà 🏠 số 5"},
		{"space before combining mark kept", "a \u0301b", "a \u0301b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanText(tt.in)
			if got != tt.want {
				t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := CleanText(got); again != got {
				t.Errorf("not idempotent: %q → %q", got, again)
			}
		})
	}
}

func TestCleanTextNFDEqualsNFC(t *testing.T) {
	for _, s := range []string{
		"Nguyễn Văn Ân", "Trần Thị Thu Hương", "Lê Đức Thọ", "Huỳnh Ngọc Ánh",
		"Tổ 3, ấp Bãi Nhà", "Phạm Thị Kiều Oanh", "Đặng Quốc Việt", "Ông Ích Khiêm",
	} {
		nfd := norm.NFD.String(s)
		if nfd == s {
			t.Fatalf("test data %q has no decomposable letters", s)
		}
		if got := CleanText(nfd); got != s {
			t.Errorf("CleanText(NFD %q) = %q, want NFC %q", s, got, s)
		}
		if Fold(nfd) != Fold(s) {
			t.Errorf("Fold differs between NFD and NFC for %q", s)
		}
	}
}

func TestCleanTextLongInput(t *testing.T) {
	in := strings.Repeat("Nguyễn  \u200b\t", 10000/9) + strings.Repeat("\xff", 100)
	got := CleanText(in)
	if !utf8.ValidString(got) {
		t.Fatal("invalid UTF-8")
	}
	if strings.Contains(got, "  ") || strings.ContainsRune(got, '\u200b') || strings.HasSuffix(got, " ") {
		t.Fatalf("not cleaned: %q…", got[:40])
	}
	if CleanText(got) != got {
		t.Fatal("not idempotent")
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Nguyễn Văn Ân", "nguyen van an"},
		{"ĐẶNG THỊ ĐÀO", "dang thi dao"},
		{"đăng ký thường trú", "dang ky thuong tru"},
		{"Cấp phiếu lý lịch tư pháp", "cap phieu ly lich tu phap"},
		{"Gia hạn thẻ BHYT hộ gia đình", "gia han the bhyt ho gia dinh"},
		{"  Ưu   Ơn ", "uu on"},
		{"Liên thông khai sinh – thường trú", "lien thong khai sinh – thuong tru"},
		{"a \u0301 b", "a b"}, // a lone mark between spaces disappears
		{"", ""},
	}
	for _, tt := range tests {
		got := Fold(tt.in)
		if got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if Fold(got) != got {
			t.Errorf("Fold not idempotent on %q", got)
		}
	}
	if Fold("Nguyễn Văn Ân") != Fold("nguyen van an") || Fold("NGUYEN VAN AN") != Fold("nguyễn văn ân") {
		t.Error("diacritic- and case-insensitive comparison fails")
	}
}
