package export

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var withLibreOffice = flag.Bool("libreoffice", false, "open the report workbook in LibreOffice Calc")

// TestLibreOfficeOpensReport checks that a real spreadsheet application
// opens the report workbook (it is zipped by this package, not by excelize's
// own Write) and shows the Vietnamese text, phones and dates. Skipped, with
// the reason, where LibreOffice Calc is not installed. LibreOffice takes
// some 20 s to start with a fresh profile, so the test runs only when asked:
//
//	go test ./export -run LibreOffice -libreoffice
func TestLibreOfficeOpensReport(t *testing.T) {
	if !*withLibreOffice {
		t.Skip("opens the workbook in LibreOffice only with -libreoffice (about 20 s)")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed; install libreoffice-calc-nogui to run this test")
	}
	dir := t.TempDir()
	// A workbook saved by excelize itself, converted in the same run, tells
	// whether Calc is there at all.
	ref := excelize.NewFile()
	_ = ref.SetCellValue("Sheet1", "A1", "xin chào")
	if err := ref.SaveAs(filepath.Join(dir, "reference.xlsx")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteReport(&buf, vn(t), sampleReport(), procNames); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.xlsx"), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "pdf", "--outdir", dir, filepath.Join(dir, "reference.xlsx"), filepath.Join(dir, "report.xlsx"))
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if _, statErr := os.Stat(filepath.Join(dir, "reference.pdf")); err != nil || statErr != nil {
		t.Skipf("LibreOffice cannot convert a plain excelize workbook here (is Calc installed?): %v %v: %s", err, statErr, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.pdf")); err != nil {
		t.Fatalf("LibreOffice could not open the report workbook: %s", out)
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed: the report opened, its text is not checked")
	}
	text, err := exec.CommandContext(ctx, pdftotext, "-layout", filepath.Join(dir, "report.pdf"), "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	for _, want := range []string{"Ấp Hòn Tre", "91,2%", "Tổng cộng", "Nguyễn Thị Ánh Tuyết",
		"0912345678", "02/05/2026 08:15", "Đăng ký khai sinh; Đăng ký thường trú", "Hộ cho biết chưa được hướng dẫn",
		"Tự thực hiện được (tự khai)", "260502-0001", "01/01/2026 07:00", "Số liệu tính đến hết ngày 30/06/2026",
		"Cộng 4 dòng: 3 lượt hướng dẫn của 3 hộ"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("LibreOffice's rendering lacks %q", want)
		}
	}
}
