package export

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readCSV checks the export starts with a UTF-8 byte-order mark and reads
// the records after it.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte("\xef\xbb\xbf"))
	if !ok {
		t.Fatalf("CSV does not start with a UTF-8 byte-order mark (Excel would garble the diacritics): %q", b[:min(len(b), 20)])
	}
	recs, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("read CSV back: %v", err)
	}
	return recs
}

func TestWriteCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, vn(t), SliceRows(sampleRows())); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	golden := filepath.Join("testdata", "evidence.csv.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run go test ./export -run Golden -update to create it): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV differs from %s (rerun with -update if the change is intended)\n got:\n%s\nwant:\n%s", golden, buf.Bytes(), want)
	}
}

func TestWriteCSVReadBack(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteEvidenceCSV(&buf, vn(t), SliceRows(sampleRows()), procNames); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	recs := readCSV(t, buf.Bytes())
	// The first nine columns are as before, in the same order; the new ones
	// come after them.
	if got, want := strings.Join(recs[0], ","), "hamlet_id,hamlet_name,household_name,address,phone,procedures,officer_name,officer_channel,officer_account,reported_at,kind,dossier_code,procedures_text,photos"; got != want {
		t.Errorf("header = %q, want %q", got, want)
	}
	if len(recs) != 5 {
		t.Fatalf("got %d records, want header + 4", len(recs))
	}
	tests := []struct {
		name     string
		rec, col int
		want     string
	}{
		{"hamlet id", 1, 0, "hon-tre"},
		{"hamlet name with diacritics", 1, 1, "Ấp Hòn Tre"},
		{"household name with diacritics", 1, 2, "Nguyễn Thị Ánh Tuyết"},
		{"address with commas", 1, 3, "Tổ 3, ấp Bãi Nhà, đặc khu Kiên Hải"},
		{"phone kept as text for Excel by a leading tab", 1, 4, "\t0912345678"},
		{"procedures ids joined by +", 1, 5, "khai_sinh+thuong_tru"},
		{"officer", 1, 6, "Trần Văn Đức"},
		{"officer channel", 1, 7, "telegram"},
		{"officer account", 1, 8, "123456789"},
		{"reported_at in local time", 1, 9, "2026-05-02T08:15:00+07:00"},
		{"kind guided", 1, 10, "guided"},
		{"dossier code with letters left as is", 1, 11, "000.00.35.H47-260502-0001"},
		{"procedures by name", 1, 12, "Đăng ký khai sinh; Đăng ký thường trú"},
		{"photos", 1, 13, "2"},
		{"address with quotes", 2, 3, `Số 12, đường "Bãi Bấc", ấp Lại Sơn`},
		{"other procedure is its id only", 2, 5, "khac"},
		{"zalo channel", 2, 7, "zalo"},
		{"zalo account", 2, 8, "6ede9afa4b2e1c07"},
		{"late evening stays on its local day", 2, 9, "2026-12-31T23:59:00+07:00"},
		{"no dossier code", 2, 11, ""},
		{"what was typed after Khác", 2, 12, "Khác: Đăng ký biến động đất đai"},
		{"no photos", 2, 13, "0"},
		{"formula-like address neutralised", 3, 3, `'=HYPERLINK("http://x","bấm")`},
		{"formula-like officer neutralised", 3, 6, "'@Nguyễn Hữu Phước"},
		{"midnight UTC is morning local", 3, 9, "2026-01-01T07:00:00+07:00"},
		{"formula-like dossier code neutralised", 3, 11, "'=cmd|' /C calc'!A0"},
		{"self-declared kind", 4, 10, "self_declared"},
		{"self-declared has no procedure", 4, 5, ""},
		{"self-declared has no procedure text", 4, 12, ""},
		{"self-declared phone as text too", 4, 4, "\t0399111222"},
		{"who recorded it", 4, 6, "Trần Văn Đức"},
	}
	for _, tt := range tests {
		if got := recs[tt.rec][tt.col]; got != tt.want {
			t.Errorf("%s: record %d column %s = %q, want %q", tt.name, tt.rec, recs[0][tt.col], got, tt.want)
		}
	}
	// A machine reader gets the phone back by trimming white space.
	if got := strings.TrimSpace(recs[1][4]); got != "0912345678" {
		t.Errorf("trimmed phone = %q", got)
	}
}

// TestWriteCSVNoCellRuns checks that no cell of the export starts with a
// character a spreadsheet takes for a formula, whatever the text.
func TestWriteCSVNoCellRuns(t *testing.T) {
	evil := []string{"=1+1", "+84912345678", "-2+3", "@SUM(A1)", "＝1", "\t=1", "\r=1"}
	var rows []EvidenceRow
	for _, e := range evil {
		rows = append(rows, EvidenceRow{HamletID: e, HamletName: e, HouseholdName: e, Address: e, Phone: e,
			Procedures: []string{e}, OtherProcedure: e, OfficerName: e, DossierCode: e})
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, vn(t), SliceRows(rows)); err != nil {
		t.Fatal(err)
	}
	for i, rec := range readCSV(t, buf.Bytes())[1:] {
		for j, c := range rec {
			if c != "" && strings.ContainsRune("=+-@＝＋－＠\r", []rune(c)[0]) {
				t.Errorf("row %d column %s = %q starts a formula", i+1, CSVHeader[j], c)
			}
			if strings.HasPrefix(c, "\t") && strings.ContainsAny(c[1:2], "=+-@") {
				t.Errorf("row %d column %s = %q: a tab before a formula", i+1, CSVHeader[j], c)
			}
		}
	}
}

func TestKeepText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0912345678", "\t0912345678"},
		{"02973123456", "\t02973123456"},
		{"2026-001", "\t2026-001"},
		{"01/02/2026", "\t01/02/2026"},
		{"12.345", "\t12.345"},
		{"1 234", "\t1 234"},
		{"000.00.35.H47-260502-0001", "000.00.35.H47-260502-0001"},
		{"H47.25-260105-0001", "H47.25-260105-0001"},
		{"'=1", "'=1"},
		{"", ""},
		{"Nguyễn", "Nguyễn"},
	} {
		if got := keepText(tt.in); got != tt.want {
			t.Errorf("keepText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+84912345678", "'+84912345678"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"＝1+1", "'＝1+1"},
		{"＋1", "'＋1"},
		{"－1", "'－1"},
		{"＠x", "'＠x"},
		{`=HYPERLINK("http://evil","bấm")`, `'=HYPERLINK("http://evil","bấm")`},
		// Left alone:
		{"", ""},
		{"0912345678", "0912345678"},
		{"khai_sinh+thuong_tru", "khai_sinh+thuong_tru"},
		{"Nguyễn Văn An", "Nguyễn Văn An"},
		{"Tổ 3 - ấp Bãi Nhà", "Tổ 3 - ấp Bãi Nhà"},
		{"a@b.vn", "a@b.vn"},
		{" =1", " =1"},
		{"'=1", "'=1"},
		{"Đỗ", "Đỗ"},
	}
	for _, tt := range tests {
		if got := neutralize(tt.in); got != tt.want {
			t.Errorf("neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Through the writer, in every free-text column.
		var buf bytes.Buffer
		r := EvidenceRow{HamletID: tt.in, HamletName: tt.in, HouseholdName: tt.in, Address: tt.in, OfficerName: tt.in,
			OfficerChannel: tt.in, OfficerAccount: tt.in}
		if err := WriteCSV(&buf, vn(t), SliceRows([]EvidenceRow{r})); err != nil {
			t.Fatalf("WriteCSV(%q): %v", tt.in, err)
		}
		recs := readCSV(t, buf.Bytes())
		for _, col := range []int{0, 1, 2, 3, 6, 7, 8} {
			got := recs[1][col]
			if got != tt.want {
				t.Errorf("CSV column %s for %q = %q, want %q", recs[0][col], tt.in, got, tt.want)
			}
		}
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriteCSVErrors(t *testing.T) {
	errSource := errors.New("bbolt cursor broke")
	t.Run("source error is returned", func(t *testing.T) {
		src := func(yield func(EvidenceRow) error) error {
			if err := yield(sampleRows()[0]); err != nil {
				return err
			}
			return errSource
		}
		if err := WriteCSV(&bytes.Buffer{}, vn(t), src); !errors.Is(err, errSource) {
			t.Errorf("WriteCSV = %v, want %v", err, errSource)
		}
	})
	t.Run("write error stops the source", func(t *testing.T) {
		yielded := 0
		var sawErr error
		row := sampleRows()[0]
		src := func(yield func(EvidenceRow) error) error {
			for range 5000 {
				yielded++
				if err := yield(row); err != nil {
					sawErr = err
					return err
				}
			}
			return nil
		}
		err := WriteCSV(&failingWriter{after: 10000}, vn(t), src)
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("WriteCSV = %v, want the write error", err)
		}
		if sawErr == nil || yielded == 5000 {
			t.Errorf("source was not stopped by the write error (yielded %d rows)", yielded)
		}
	})
	t.Run("write error returned even if the source drops it", func(t *testing.T) {
		row := sampleRows()[0]
		src := func(yield func(EvidenceRow) error) error {
			for range 5000 {
				_ = yield(row)
			}
			return nil
		}
		if err := WriteCSV(&failingWriter{after: 10000}, vn(t), src); err == nil {
			t.Error("WriteCSV = nil, want the write error")
		}
	})
	t.Run("nil location", func(t *testing.T) {
		if err := WriteCSV(&bytes.Buffer{}, nil, nil); err == nil {
			t.Error("WriteCSV with a nil location = nil, want an error")
		}
	})
	t.Run("nil source writes the header only", func(t *testing.T) {
		var buf bytes.Buffer
		if err := WriteCSV(&buf, vn(t), nil); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != "\ufeff"+strings.Join(CSVHeader, ",")+"\n" {
			t.Errorf("got %q", got)
		}
	})
	t.Run("failing writer at the byte-order mark", func(t *testing.T) {
		if err := WriteCSV(&failingWriter{after: 1}, vn(t), nil); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("WriteCSV = %v, want the write error", err)
		}
	})
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestWriteCSVStreams checks the rows reach the writer while the source is
// still producing them.
func TestWriteCSVStreams(t *testing.T) {
	w := &countingWriter{}
	rows := synthRows(10000)
	src := func(yield func(EvidenceRow) error) error {
		i := 0
		return rows(func(r EvidenceRow) error {
			i++
			if i == 5000 && w.n < 500000 {
				t.Errorf("after 5,000 rows only %d bytes reached the writer", w.n)
			}
			return yield(r)
		})
	}
	if err := WriteCSV(w, vn(t), src); err != nil {
		t.Fatal(err)
	}
}
