package intake

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"dvcbot/campaign"
	"golang.org/x/text/unicode/norm"
)

var fuzzSeeds = []string{
	"", " ", "Nguyễn Văn Ân", "Nguye\u0302\u0303n Va\u0306n A\u0302n", "nguyễn văn  AN",
	"H’Hen Niê", "Tổ 3, ấp Bãi Nhà", "\xff\xfe\xc3", "a\u200b\u0301b", "\u202eAn\u202c",
	"a \u0301 b", "😀👨‍👩‍👧", "\u00a0\u3000\t\r\n", "İstanbul ǅemal", "ﬁ ß Σσς",
	"0912 345 678", "+84 1689 123 456", "0084 297 3846 123", "84912345678", "912345678",
	strings.Repeat("ab ", 3400),
	LineExample,
	"nguyễn văn an | tổ 3 | 0912.345.678 | khai sinh + khác: đổi CCCD, cập nhật VNeID",
	"Lê A; ấp 1; 01689123456; thẻ bhyt",
}

func FuzzCleanText(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanText(s)
		if !utf8.ValidString(c) {
			t.Fatalf("CleanText(%q) = %q: invalid UTF-8", s, c)
		}
		if !norm.NFC.IsNormalString(c) {
			t.Fatalf("CleanText(%q) = %q: not NFC", s, c)
		}
		if again := CleanText(c); again != c {
			t.Fatalf("CleanText not idempotent: %q → %q → %q", s, c, again)
		}
		if strings.HasPrefix(c, " ") || strings.HasSuffix(c, " ") || strings.Contains(c, "  ") {
			t.Fatalf("CleanText(%q) = %q: untidy spaces", s, c)
		}
		for _, r := range c {
			if (unicode.IsSpace(r) && r != ' ') || invisible(r) || r == utf8.RuneError {
				t.Fatalf("CleanText(%q) = %q: kept %U", s, c, r)
			}
		}
		if utf8.ValidString(s) {
			if d := CleanText(norm.NFD.String(s)); d != c {
				t.Fatalf("NFD and NFC clean differently: %q vs %q", d, c)
			}
		}

		fo := Fold(s)
		if !utf8.ValidString(fo) || Fold(fo) != fo || CleanText(fo) != fo {
			t.Fatalf("Fold(%q) = %q: invalid, untidy or not idempotent (%q)", s, fo, Fold(fo))
		}

		if n, err := NormalizeName(s); err == nil {
			if again, err := NormalizeName(n); err != nil || again != n {
				t.Fatalf("NormalizeName not idempotent: %q → %q → %q, %v", s, n, again, err)
			}
			if !norm.NFC.IsNormalString(n) || utf8.RuneCountInString(n) > MaxNameRunes || len(strings.Fields(n)) < 2 {
				t.Fatalf("NormalizeName(%q) = %q breaks its contract", s, n)
			}
		} else {
			checkFieldError(t, err, FieldName)
		}
		if a, err := NormalizeAddress(s); err == nil {
			if again, err := NormalizeAddress(a); err != nil || again != a {
				t.Fatalf("NormalizeAddress not idempotent: %q → %q → %q, %v", s, a, again, err)
			}
		} else {
			checkFieldError(t, err, FieldAddress)
		}
		for _, p := range MatchProcedures(catalogue, s) {
			if p.ID == "" {
				t.Fatalf("MatchProcedures(%q) returned an empty procedure", s)
			}
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"0162 123 4567", "(0297) 3.846.123", "+840912345678", "++84", "+", "0", "84", "0084"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := NormalizePhone(s)
		if err != nil {
			checkFieldError(t, err, FieldPhone)
			if FormatPhone(s) != s {
				t.Fatalf("FormatPhone changed an invalid number %q", s)
			}
			return
		}
		if len(p) != 10 && len(p) != 11 || p[0] != '0' || !allDigits(p) {
			t.Fatalf("NormalizePhone(%q) = %q: not a national number", s, p)
		}
		if len(p) == 11 && p[1] != '2' || len(p) == 10 && !strings.ContainsRune("35789", rune(p[1])) {
			t.Fatalf("NormalizePhone(%q) = %q: wrong prefix for its length", s, p)
		}
		if again, err := NormalizePhone(p); err != nil || again != p {
			t.Fatalf("NormalizePhone not idempotent: %q → %q → %q, %v", s, p, again, err)
		}
		f := FormatPhone(p)
		if back, err := NormalizePhone(f); err != nil || back != p {
			t.Fatalf("FormatPhone(%q) = %q does not read back: %q, %v", p, f, back, err)
		}
	})
}

func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Add("Nguyễn Văn An; Tổ 3; 0912345678; khác: a+b, 1, khác - c")
	f.Add("Nguyễn Văn An; Tổ 3; 0912345678; 13, khac")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLine(s, catalogue)
		if err != nil {
			var ae *AmbiguousError
			if errors.As(err, &ae) {
				if len(ae.Candidates) < 2 || !utf8.ValidString(ae.Error()) {
					t.Fatalf("bad AmbiguousError %+v", ae)
				}
				return
			}
			checkFieldError(t, err, "")
			return
		}
		for _, v := range []string{l.Name, l.Address, l.Phone, l.Other} {
			if !utf8.ValidString(v) || CleanText(v) != v {
				t.Fatalf("ParseLine(%q): field %q not clean", s, v)
			}
		}
		if n, _ := NormalizeName(l.Name); n != l.Name {
			t.Fatalf("name %q not normalised", l.Name)
		}
		if p, _ := NormalizePhone(l.Phone); p != l.Phone {
			t.Fatalf("phone %q not normalised", l.Phone)
		}
		if len(l.Procedures) == 0 {
			t.Fatalf("ParseLine(%q): no procedures", s)
		}
		seen := map[string]bool{}
		hasOther := false
		for _, p := range l.Procedures {
			if seen[p.ID] {
				t.Fatalf("ParseLine(%q): duplicate %s", s, p.ID)
			}
			seen[p.ID] = true
			hasOther = hasOther || p.ID == campaign.OtherProcedureID
		}
		if hasOther != (l.Other != "") {
			t.Fatalf("ParseLine(%q): Khác %v but Other %q", s, hasOther, l.Other)
		}
		if strings.Contains(l.Other, ";") {
			return
		}
		// Idempotence: the parsed line, written out again, parses the same.
		var procs []string
		for _, p := range l.Procedures {
			if p.ID == campaign.OtherProcedureID {
				procs = append(procs, "khac: "+l.Other)
			} else {
				procs = append(procs, p.ID)
			}
		}
		again, err := ParseLine(strings.Join([]string{l.Name, l.Address, l.Phone, strings.Join(procs, ", ")}, "; "), catalogue)
		if err != nil {
			t.Fatalf("ParseLine(%q) = %+v, which does not parse again: %v", s, l, err)
		}
		if again.Name != l.Name || again.Address != l.Address || again.Phone != l.Phone || again.Other != l.Other ||
			strings.Join(ids(again.Procedures), ",") != strings.Join(ids(l.Procedures), ",") {
			t.Fatalf("ParseLine not idempotent:\n %+v\n %+v", l, again)
		}
	})
}

// checkFieldError asserts that err is a *FieldError for field (any field
// when empty) with a valid, non-empty Vietnamese message.
func checkFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if field != "" && fe.Field != field || fe.Field == "" {
		t.Fatalf("Field = %q, want %q", fe.Field, field)
	}
	if fe.Message == "" || !utf8.ValidString(fe.Message) {
		t.Fatalf("bad message %q", fe.Message)
	}
}
