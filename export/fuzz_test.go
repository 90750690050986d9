package export

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"Nguyễn Văn An", "Nguye\u0302\u0303n", "=1+1", "-", "@", "＝SUM(A1)", "\t", "a\r\nb", "a\nb", "\"quoted\"",
	"<b>&amp;</b>", "\x00\x01\x1f", "\xff\xfe", "\u200b\u202e", "👨‍👩‍👧", strings.Repeat("ấp ", 4000),
}

// FuzzWriteCSV checks that any text survives the CSV round trip, with only
// the formula guard added.
func FuzzWriteCSV(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	loc := vn(f)
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		r := EvidenceRow{HamletName: s, HouseholdName: s, Address: s, OfficerName: s, Phone: "0912345678"}
		if err := WriteCSV(&buf, loc, SliceRows([]EvidenceRow{r})); err != nil {
			t.Fatalf("WriteCSV: %v", err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\ufeff")))).ReadAll()
		if err != nil {
			t.Fatalf("read back: %v", err)
		}
		if len(recs) != 2 {
			t.Fatalf("%d records, want 2", len(recs))
		}
		want := neutralize(s)
		want = strings.ReplaceAll(want, "\r\n", "\n") // encoding/csv reads a quoted CRLF as LF
		if got := recs[1][3]; got != want {
			t.Errorf("address %q came back as %q, want %q", s, got, want)
		}
		if recs[1][4] != "\t0912345678" {
			t.Errorf("phone came back as %q", recs[1][4])
		}
	})
}

// FuzzWriteXLSX checks that any text gives a workbook excelize opens, with
// valid UTF-8 text without control characters kept as is.
func FuzzWriteXLSX(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	loc := vn(f)
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		r := EvidenceRow{HouseholdName: s, Address: s, Phone: "0912345678", Procedures: []string{s}}
		if err := WriteXLSX(&buf, loc, SliceRows([]EvidenceRow{r}), nil); err != nil {
			t.Fatalf("WriteXLSX: %v", err)
		}
		x := open(t, buf.Bytes())
		if got := cell(t, x, evidenceSheet, "E3"); got != "0912345678" {
			t.Errorf("phone came back as %q", got)
		}
		if utf8.ValidString(s) && len(s) < 10000 && !strings.ContainsFunc(s, func(r rune) bool {
			return r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF)
		}) {
			if got := cell(t, x, evidenceSheet, "D3"); got != s {
				t.Errorf("address %q came back as %q", s, got)
			}
		}
	})
}
