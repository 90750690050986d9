package export

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"dvcbot/scoring"
)

func TestCreateNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bang-chung.csv")
	f, err := CreateNew(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("đầu tiên"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 (personal data)", fi.Mode().Perm())
	}
	if _, err := CreateNew(path); !errors.Is(err, ErrFileExists) {
		t.Errorf("second create: %v, want ErrFileExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "đầu tiên" {
		t.Errorf("the file was touched: %q", b)
	}
}

func TestEvidenceFileName(t *testing.T) {
	h1 := scoring.Half(2026, 1)
	for _, tc := range []struct {
		hamlet   string
		from, to scoring.Date
		ext      string
		want     string
	}{
		{"", h1.From, h1.To, "csv", "bang-chung-2026-01-01-den-2026-06-30.csv"},
		{"bai-nha", h1.From, h1.To, ".xlsx", "bang-chung-bai-nha-2026-01-01-den-2026-06-30.xlsx"},
		{"bai-nha", h1.From, scoring.NewDate(2026, 6, 29), "xlsx", "bang-chung-bai-nha-2026-01-01-den-2026-06-29.xlsx"},
		{"", scoring.Date{}, scoring.Date{}, "csv", "bang-chung.csv"},
	} {
		if got := EvidenceFileName(tc.hamlet, tc.from, tc.to, tc.ext); got != tc.want {
			t.Errorf("EvidenceFileName = %q, want %q", got, tc.want)
		}
	}
}
