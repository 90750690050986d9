package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/dossier"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
	"dvcbot/wiring"
)

// dossierStore writes a store with two hamlets: Hòn Nhỏ (2 households, both
// guided on 2 March 2026) and Nam Du (nothing guided).
func dossierStore(t *testing.T) (cfgPath string, vars []string) {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "dvcbot.db")
	cfgPath = filepath.Join(dir, "dvcbot.yaml")
	if err := os.WriteFile(cfgPath, config.SampleYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	vars = []string{"DVCBOT_STORE_PATH=" + dbPath,
		`DVCBOT_HAMLETS=[{"id":"hon-nho","name":"Hòn Nhỏ","households":2},{"id":"nam-du","name":"Nam Du","households":298}]`}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, loc)
	db, err := store.Open(dbPath, store.Options{Now: func() time.Time { return now }, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "hon-nho", Name: "Hòn Nhỏ", Households: 2}, {ID: "nam-du", Name: "Nam Du", Households: 298}}); err != nil {
			return err
		}
		officer, err := putTelegramPerson(tx, 4001, campaign.Officer{FullName: "Nguyễn Thị Dung", HamletID: "hon-nho", Role: campaign.RoleOfficer, Active: true})
		if err != nil {
			return err
		}
		for i, name := range []string{"Trần Văn Hai", "Lê Thị Ba"} {
			hh, err := tx.AddHousehold(campaign.Household{HamletID: "hon-nho", HeadName: name, Address: "Tổ 1, ấp Hòn Nhỏ",
				Phone: "091234560" + string(rune('1'+i)), CreatedBy: officer}, name)
			if err != nil {
				return err
			}
			if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "hon-nho", OfficerID: officer, Procedures: []string{"khai_sinh", "thuong_tru"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfgPath, vars
}

func runDossier(t *testing.T, vars []string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"dossier"}, args...), strings.NewReader(""), &out, &errOut, vars)
	return out.String() + errOut.String(), err
}

// docxBody is the text of word/document.xml with the tags dropped.
func docxBody(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("%s is not a DOCX: %v", path, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		in := false
		for _, r := range string(b) {
			switch {
			case r == '<':
				in = true
			case r == '>':
				in = false
			case !in:
				text.WriteRune(r)
			}
		}
		return text.String()
	}
	t.Fatalf("%s has no word/document.xml", path)
	return ""
}

func TestDossierCommandWritesTheFiles(t *testing.T) {
	cfg, vars := dossierStore(t)
	out := filepath.Join(t.TempDir(), "ho-so")
	stdout, err := runDossier(t, vars, "--config", cfg, "--hamlet", "hon-nho", "--out", out, "--date", "2026-03-02")
	if err != nil {
		t.Fatalf("dossier: %v\n%s", err, stdout)
	}
	for _, want := range []string{"Hồ sơ khen thưởng ấp Hòn Nhỏ. Số liệu tính đến hết ngày 02/03/2026.", filepath.Join(out, "hon-nho-to-trinh-2026-03-02.docx"),
		filepath.Join(out, "hon-nho-bien-ban-2026-03-02.docx"), filepath.Join(out, "hon-nho-danh-sach-ho-2026-03-02.xlsx"),
		"Danh sách hộ: Cộng 2 dòng: 2 lượt hướng dẫn của 2 hộ; tổng số 2 hộ.", "đủ tiêu chuẩn, được đề nghị khen thưởng tập thể (xếp thứ 1/06)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	proposal := docxBody(t, filepath.Join(out, "hon-nho-to-trinh-2026-03-02.docx"))
	for _, want := range []string{"TỜ TRÌNH", "Ban Nhân dân ấp Hòn Nhỏ kính trình", "Tổng số hộ gia đình trên địa bàn ấp: 2 hộ", "Nguyễn Thị Dung"} {
		if !strings.Contains(proposal, want) {
			t.Errorf("Tờ trình lacks %q", want)
		}
	}
	minutes := docxBody(t, filepath.Join(out, "hon-nho-bien-ban-2026-03-02.docx"))
	for _, want := range []string{"BIÊN BẢN", "tổng số thủ tục dịch vụ công trực tuyến đã hướng dẫn: 4 thủ tục", "Đăng ký thường trú"} {
		if !strings.Contains(minutes, want) {
			t.Errorf("Biên bản lacks %q", want)
		}
	}
	st, err := os.Stat(filepath.Join(out, "hon-nho-danh-sach-ho-2026-03-02.xlsx"))
	if err != nil || st.Size() == 0 {
		t.Fatalf("annex: %v", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("annex with personal data is readable by others: %v", st.Mode())
	}
	// The same day again: nothing is overwritten, and it says so.
	if stdout, err := runDossier(t, vars, "--config", cfg, "--hamlet", "hon-nho", "--out", out, "--date", "2026-03-02"); !errors.Is(err, dossier.ErrExists) {
		t.Errorf("a second dossier of the same day: %v\n%s", err, stdout)
	}
}

func TestDossierCommandIneligibleHamlet(t *testing.T) {
	cfg, vars := dossierStore(t)
	out := t.TempDir()
	stdout, err := runDossier(t, vars, "--config", cfg, "--hamlet", "nam-du", "--out", out, "--date", "2026-03-02")
	if err != nil {
		t.Fatalf("dossier of an ineligible hamlet: %v\n%s", err, stdout)
	}
	for _, want := range []string{"Nam Du chưa đủ tiêu chuẩn khen thưởng tập thể: độ phủ 0,0% < 95,0%", "Không lập Tờ trình"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "nam-du-to-trinh-2026-03-02.docx")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a Tờ trình with nothing to propose was written (%v)", err)
	}
	if !strings.Contains(docxBody(t, filepath.Join(out, "nam-du-bien-ban-2026-03-02.docx")), "Tập thể chưa đủ tiêu chuẩn đề nghị khen thưởng tập thể") {
		t.Error("Biên bản does not say why the hamlet is not proposed")
	}
}

// The web page's dossier download: an eligible hamlet gets both
// documents; one with nothing to propose gets the minutes and no proposal
// (the page then says why), never an error.
func TestWebDossier(t *testing.T) {
	cfgPath, vars := dossierStore(t)
	cfg, err := config.Load(cfgPath, vars)
	if err != nil {
		t.Fatal(err)
	}
	db, closeDB, err := store.OpenReadOnly(cfg.Store.Path, store.Options{Location: cfg.Campaign.Location})
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	eng := bot.New(db, wiring.EngineSettings(cfg))
	at := scoring.DateOf(time.Date(2026, 3, 2, 12, 0, 0, 0, cfg.Campaign.Location), cfg.Campaign.Location)
	d, err := wiring.Dossier(context.Background(), eng, "hon-nho", at)
	if err != nil || len(d.Proposal) == 0 || len(d.Minutes) == 0 {
		t.Fatalf("eligible hamlet: proposal %d bytes, minutes %d bytes, %v", len(d.Proposal), len(d.Minutes), err)
	}
	d, err = wiring.Dossier(context.Background(), eng, "nam-du", at)
	if err != nil || d.Proposal != nil || len(d.Minutes) == 0 {
		t.Fatalf("nothing to propose: proposal %d bytes, minutes %d bytes, %v", len(d.Proposal), len(d.Minutes), err)
	}
}

func TestDossierCommandUsage(t *testing.T) {
	cfg, vars := dossierStore(t)
	for _, args := range [][]string{
		{"--config", cfg, "--out", t.TempDir()},
		{"--config", cfg, "--hamlet", "hon-nho"},
		{"--config", cfg, "--hamlet", "hon-nho", "--out", t.TempDir(), "--date", "02/03/2026"},
	} {
		if _, err := runDossier(t, vars, args...); !errors.Is(err, errUsage) {
			t.Errorf("dossier %v: err = %v, want a usage error", args, err)
		}
	}
	if _, err := runDossier(t, vars, "--config", cfg, "--hamlet", "khong-co", "--out", t.TempDir()); err == nil || !strings.Contains(err.Error(), "khong-co") {
		t.Errorf("unknown hamlet: err = %v", err)
	}
}

// TestExportListsSelfDeclaredAndNeverOverwrites: the CLI export holds the
// households recorded as able on their own (kind self_declared, the one who
// recorded them), a folder given as --out gets a file named by the period
// and the hamlet, and an existing file is never overwritten.
func TestExportListsSelfDeclaredAndNeverOverwrites(t *testing.T) {
	cfg, vars := dossierStore(t)
	var dbPath string
	for _, v := range vars {
		if p, ok := strings.CutPrefix(v, "DVCBOT_STORE_PATH="); ok {
			dbPath = p
		}
	}
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	marked := time.Date(2026, 3, 3, 10, 0, 0, 0, loc)
	db, err := store.Open(dbPath, store.Options{Now: func() time.Time { return marked }, Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		o, err := tx.PersonAt(chat.Addr(chat.Telegram, "4001"))
		if err != nil {
			return err
		}
		_, err = tx.AddHousehold(campaign.Household{HamletID: "hon-nho", HeadName: "Đỗ Văn Tư", Address: "Tổ 2, ấp Hòn Nhỏ",
			Phone: "0912345609", CreatedBy: o.ID, SelfAble: true, SelfAbleBy: o.ID, SelfAbleAt: marked}, "do van tu")
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	r := runCmd(t, "", vars, "export", "--config", cfg, "--format", "csv", "--hamlet", "hon-nho", "--from", "2026-03-01", "--to", "2026-03-31", "--out", dir)
	if r.err != nil {
		t.Fatalf("export into a folder: %v\n%s", r.err, r.stderr)
	}
	path := filepath.Join(dir, "bang-chung-hon-nho-2026-03-01-den-2026-03-31.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("export file: %v (stderr %q)", err, r.stderr)
	}
	if !strings.Contains(r.stderr, "Đã xuất 2 lượt hướng dẫn và 1 hộ tự khai đã biết làm vào "+path) {
		t.Errorf("stderr = %q", r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want the header, 2 records and the self-declared household:\n%s", len(lines), data)
	}
	last := lines[3]
	for _, want := range []string{"Đỗ Văn Tư", "Nguyễn Thị Dung", ",self_declared,"} {
		if !strings.Contains(last, want) {
			t.Errorf("self-declared row %q lacks %q", last, want)
		}
	}
	for _, l := range lines[1:3] {
		if !strings.Contains(l, ",guided,") {
			t.Errorf("guided row %q", l)
		}
	}
	// Again: the file is there, nothing is overwritten.
	r = runCmd(t, "", vars, "export", "--config", cfg, "--format", "csv", "--hamlet", "hon-nho", "--from", "2026-03-01", "--to", "2026-03-31", "--out", dir)
	if !errors.Is(r.err, export.ErrFileExists) {
		t.Errorf("a second export over the file: %v", r.err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(data) {
		t.Error("the export file was changed")
	}
	r = runCmd(t, "", vars, "export", "--config", cfg, "--format", "xlsx", "--out", path)
	if !errors.Is(r.err, export.ErrFileExists) {
		t.Errorf("an export over an existing file: %v", r.err)
	}
}
