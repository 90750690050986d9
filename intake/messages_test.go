package intake

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestMessagesGolden keeps every message an officer can see in one file,
// testdata/messages.golden, so that a reviewer can read the Vietnamese as a
// whole. Run `go test ./intake -run Golden -update` after changing a message
// on purpose.
func TestMessagesGolden(t *testing.T) {
	cases := []struct {
		fn string
		in string
		f  func(string) error
	}{
		{"NormalizeName", "", errOf(NormalizeName)},
		{"NormalizeName", "Nguyễn", errOf(NormalizeName)},
		{"NormalizeName", "Nguyễn Văn An 2", errOf(NormalizeName)},
		{"NormalizeName", "0912 345 678", errOf(NormalizeName)},
		{"NormalizeName", "Nguyễn Văn An 😀", errOf(NormalizeName)},
		{"NormalizeName", "an@gmail.com Nguyễn", errOf(NormalizeName)},
		{"NormalizeName", "<b>Nguyễn</b> An", errOf(NormalizeName)},
		{"NormalizeName", "Nguyễn An'", errOf(NormalizeName)},
		{"NormalizeName", "Nguyễn \u0301An", errOf(NormalizeName)},
		{"NormalizeName", strings.Repeat("Nguyễn ", 12) + "An", errOf(NormalizeName)},
		{"NormalizePersonName", "Bình", errOf(NormalizePersonName)},
		{"NormalizeAddress", "", errOf(NormalizeAddress)},
		{"NormalizeAddress", "...", errOf(NormalizeAddress)},
		{"NormalizeAddress", strings.Repeat("x", 201), errOf(NormalizeAddress)},
		{"NormalizePhone", "", errOf(NormalizePhone)},
		{"NormalizePhone", "không có", errOf(NormalizePhone)},
		{"NormalizePhone", "091234567", errOf(NormalizePhone)},
		{"NormalizePhone", "0912345678 0987654321", errOf(NormalizePhone)},
		{"NormalizePhone", "0912345678/0987654321", errOf(NormalizePhone)},
		{"NormalizePhone", "09123456789", errOf(NormalizePhone)},
		{"NormalizePhone", "12345", errOf(NormalizePhone)},
		{"NormalizePhone", "+1 202 555 0100", errOf(NormalizePhone)},
		{"NormalizePhone", "0912+345678", errOf(NormalizePhone)},
		{"NormalizePhone", "0297384612", errOf(NormalizePhone)},
		{"NormalizePhone", "0162123456", errOf(NormalizePhone)},
		{"NormalizePhone", "01611234567", errOf(NormalizePhone)},
		{"NormalizePhone", "0412345678", errOf(NormalizePhone)},
		{"NormalizePhone", "0912#345678", errOf(NormalizePhone)},
		{"NormalizePhone", "０９１２３４５６７８", errOf(NormalizePhone)},
		{"NormalizePhone", "---", errOf(NormalizePhone)},
		{"ParseLine", "", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678", parseErr},
		{"ParseLine", "Nguyễn Văn An, Tổ 3, 0912345678, khai sinh", parseErr},
		{"ParseLine", "Nguyễn; Tổ 3; 0912345678; khai sinh", parseErr},
		{"ParseLine", "Nguyễn Văn An; 0912345678; Tổ 3; khai sinh", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 091234567; khai sinh", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; , ,", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; cấp căn cước", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; khác", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; khác: " + strings.Repeat("a", 201), parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; thẻ BHYT", parseErr},
		{"ParseLine", "Nguyễn Văn An; Tổ 3; 0912345678; đăng ký", parseErr},
	}
	var b strings.Builder
	for _, c := range cases {
		err := c.f(c.in)
		if err == nil {
			t.Fatalf("%s(%q): no error", c.fn, c.in)
		}
		field := ""
		if fe, ok := err.(*FieldError); ok {
			field = " [" + fe.Field + "]"
		}
		fmt.Fprintf(&b, "%s(%.70q)%s\n\t%s\n\n", c.fn, c.in, field, err)
	}
	golden(t, "messages.golden", b.String())
}

func errOf(f func(string) (string, error)) func(string) error {
	return func(s string) error { _, err := f(s); return err }
}

func parseErr(s string) error { _, err := ParseLine(s, catalogue); return err }

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file; run with -update if the change is intended.\ngot:\n%s", path, got)
	}
}
