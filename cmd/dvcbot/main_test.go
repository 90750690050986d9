package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/store"
)

// result is what one run of the command printed.
type result struct {
	stdout, stderr string
	err            error
}

// runCmd runs dvcbot with args, standard input and environment variables,
// as main does.
func runCmd(t *testing.T, stdin string, env []string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, args, strings.NewReader(stdin), &out, &errOut, env)
	return result{stdout: out.String(), stderr: errOut.String(), err: err}
}

// putTelegramPerson registers o as a new person whose Telegram account is
// tgID, and returns the person's own id.
func putTelegramPerson(tx *store.Tx, tgID int64, o campaign.Officer) (campaign.PersonID, error) {
	id, err := tx.NewPersonID()
	if err != nil {
		return 0, err
	}
	o.ID = id
	o.Accounts = []campaign.Account{{Address: chat.Addr(chat.Telegram, strconv.FormatInt(tgID, 10))}}
	o.Prefer = chat.Telegram
	return id, tx.PutOfficer(o, 0, "officer.test")
}

// lines joins the lines typed at the terminal.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestDemoScriptedSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo", "demo.db")
	script := lines(
		// One line, with an old 11-digit mobile and procedures without diacritics.
		"/baocao nguyễn văn  an; Tổ 3, ấp Bãi Nhà; 01623456789; khai sinh, thuong tru",
		// Step by step, every choice typed as its number.
		"/baocao",
		"Trần Thị Bích",
		"Tổ 5, ấp Bãi Nhà",
		"0987 654 321",
		"7, 11", // procedures by number
		"1",     // Bỏ qua (no dossier code)
		"1",     // Lưu
		"/toi",
	)
	r := runCmd(t, script, nil, "demo", "--fresh", "--store", path)
	if r.err != nil {
		t.Fatalf("demo: %v\n%s\n%s", r.err, r.stdout, r.stderr)
	}
	for _, want := range []string{
		path, // the data file is named
		"Đã lưu báo cáo số 1: hộ Nguyễn Văn An — Đăng ký khai sinh; Đăng ký thường trú.",
		"(bước 4/5) Thủ tục",
		"[1] Bỏ qua",
		"Kiểm tra lại báo cáo",
		"Điện thoại: 0987 654 321",
		"Thủ tục: Cấp phiếu lý lịch tư pháp; Gia hạn thẻ BHYT hộ gia đình",
		"Đã lưu báo cáo số 2: hộ Trần Thị Bích",
		"Hôm nay ấp Bãi Nhà đã hướng dẫn 2 hộ — đạt chỉ tiêu ngày ✓",
		"Từ đầu phong trào: 2 hộ đã hướng dẫn",
		"(gõ số để chọn)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "<b>") || strings.Contains(r.stdout, "&lt;") {
		t.Errorf("demo output shows HTML markup:\n%s", r.stdout)
	}
	if strings.Contains(r.stderr, "0987654321") || strings.Contains(r.stderr, "Trần Thị Bích") {
		t.Errorf("personal data in the log:\n%s", r.stderr)
	}
	if t.Failed() {
		t.Logf("output:\n%s", r.stdout)
	}

	// --fresh starts over.
	r = runCmd(t, lines("/toi"), nil, "demo", "--fresh", "--store", path)
	if r.err != nil || !strings.Contains(r.stdout, "Từ đầu phong trào: 0 hộ đã hướng dẫn") {
		t.Errorf("demo --fresh kept the data (%v):\n%s", r.err, r.stdout)
	}
}

// TestDemoSecondRun: a second demo on the same data file answers every line
// and sees the earlier reports.
func TestDemoSecondRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	r := runCmd(t, lines("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh", "/toi", "/toi"), nil, "demo", "--fresh", "--store", path)
	if r.err != nil || !strings.Contains(r.stdout, "Đã lưu báo cáo số 1") {
		t.Fatalf("first run: %v\n%s", r.err, r.stdout)
	}
	r = runCmd(t, lines("/toi"), nil, "demo", "--store", path)
	if r.err != nil || !strings.Contains(r.stdout, "Từ đầu phong trào: 1 hộ đã hướng dẫn") {
		t.Errorf("second run did not answer /toi with the earlier report (%v):\n%s", r.err, r.stdout)
	}
}

func TestDemoPhotoAndInvite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	r := runCmd(t, lines("/baocao Lê Văn Cường; Tổ 1; 0905123456; tạm trú", "/anh p1", "/moi bai-nha", "/moi"), nil,
		"demo", "--fresh", "--store", path)
	if r.err != nil {
		t.Fatalf("demo: %v", r.err)
	}
	for _, want := range []string{"Đã lưu ảnh minh chứng vào báo cáo số 1", "Mã các ấp:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, r.stdout)
		}
	}
	// The invite shows its code (8 of A–Z and 2–9) and how to send it; the
	// demo has no Telegram bot, so no deep link.
	m := regexp.MustCompile(`Mã mời cán bộ ấp Bãi Nhà: ([A-Z2-9]{8}) `).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("demo output has no invite code:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "/start "+m[1]) {
		t.Errorf("the invite does not say to send /start %s:\n%s", m[1], r.stdout)
	}
	if strings.Contains(r.stdout, "https://t.me/") {
		t.Errorf("the demo shows a Telegram link to a bot it does not have:\n%s", r.stdout)
	}
}

// sampleWith returns the sample configuration with some text replaced.
func sampleWith(t *testing.T, pairs ...string) string {
	t.Helper()
	s := string(config.SampleYAML())
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("the sample configuration no longer contains %q", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckConfig(t *testing.T) {
	const secret = "123456:AAHsecretTOKENdoNotPrint"
	good := writeFile(t, "good.yaml", sampleWith(t))
	env := []string{"DVCBOT_TELEGRAM_TOKEN=" + secret}
	r := runCmd(t, "", env, "check-config", "--config", good)
	if r.err != nil {
		t.Fatalf("check-config of the sample: %v", r.err)
	}
	if !strings.Contains(r.stdout, "hợp lệ") || !strings.Contains(r.stdout, "13 ấp") || strings.Contains(r.stdout, "Còn thiếu") {
		t.Errorf("check-config output: %q", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("the token was printed")
	}

	for _, tc := range []struct {
		name    string
		pairs   []string
		env     []string
		wantKey string
	}{
		{"duplicate hamlet id", []string{`id: "bai-ngu"`, `id: "bai-nha"`}, env, "hamlets[1].id"},
		{"households zero", []string{`households: 436`, `households: 0`}, env, "hamlets[1].households"},
		{"households negative", []string{`households: 812`, `households: -5`}, env, "hamlets[0].households"},
		{"unknown time zone", []string{`timezone: "Asia/Ho_Chi_Minh"`, `timezone: "Asia/Kien_Hai"`}, env, "campaign.timezone"},
		{"end before start", []string{`end: "2026-12-31"`, `end: "2025-12-31"`}, env, "campaign.end"},
		{"duplicate procedure id", []string{`id: "tam_tru"`, `id: "khai_sinh"`}, env, "procedures[2].id"},
		{"unknown key", []string{"daily_target: 1", "daily_target: 1\n  dayly_target: 2"}, env, "campaign.dayly_target"},
		{"bad token, not printed", nil, []string{"DVCBOT_TELEGRAM_TOKEN=abc def/" + secret}, "telegram.token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "bad.yaml", sampleWith(t, tc.pairs...))
			r := runCmd(t, "", tc.env, "check-config", "--config", p)
			if r.err == nil {
				t.Fatalf("check-config accepted it: %s", r.stdout)
			}
			if !strings.Contains(r.err.Error(), tc.wantKey) {
				t.Errorf("error does not name %s:\n%v", tc.wantKey, r.err)
			}
			if strings.Contains(r.err.Error()+r.stdout+r.stderr, secret) {
				t.Errorf("the token was printed: %v", r.err)
			}
		})
	}

	// Without --config nor DVCBOT_CONFIG: what serve would read, the sample and the environment.
	if r := runCmd(t, "", env, "check-config"); r.err != nil || !strings.Contains(r.stdout, "cấu hình mẫu kèm các biến môi trường") {
		t.Errorf("check-config without --config: %v\n%s", r.err, r.stdout)
	}
	if r := runCmd(t, "", nil, "check-config", "--config", filepath.Join(t.TempDir(), "missing.yaml")); r.err == nil {
		t.Errorf("check-config of a missing file succeeded")
	}
}

// fillDemoStore runs the demo with reports and returns the data file.
func fillDemoStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data.db")
	r := runCmd(t, lines(
		"/baocao Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 01623456789; khai sinh, thuong tru",
		"/anh p1", // a photo of the first report
		"/baocao Trần Thị Bích; Tổ 5, \"ấp\" Bãi Nhà; +84 987.654.321; ly lich tu phap",
		"/baocao Lê Văn Cường; Tổ 1; 0905123456; khác: cấp đổi thẻ căn cước",
		"/baocao Đỗ Thị Dung; Tổ 2; 0905999888; tạm trú",
		"1", // Hoàn tác: the last report is undone and must not be exported
	), nil, "demo", "--fresh", "--store", path)
	if r.err != nil || strings.Count(r.stdout, "Đã lưu báo cáo số") != 4 || !strings.Contains(r.stdout, "Đã hoàn tác báo cáo số 4") ||
		!strings.Contains(r.stdout, "Đã lưu ảnh minh chứng vào báo cáo số 1") {
		t.Fatalf("filling the store through the demo: %v\n%s", r.err, r.stdout)
	}
	return path
}

var rfc3339Local = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$`)

func checkCSV(t *testing.T, data string) {
	t.Helper()
	// A byte-order mark (Excel reads the file as UTF-8), then the header:
	// the columns of earlier versions first, the officer's Telegram id now
	// the channel and the account reported from.
	const header = "hamlet_id,hamlet_name,household_name,address,phone,procedures,officer_name,officer_channel,officer_account,reported_at," +
		"kind,dossier_code,procedures_text,photos"
	if first, _, _ := strings.Cut(data, "\n"); first != "\ufeff"+header {
		t.Errorf("CSV header = %q, want a byte-order mark and %q", first, header)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(rows) != 4 {
		t.Fatalf("CSV has %d rows, want header + 3 (the undone report left out):\n%s", len(rows), data)
	}
	want := [][]string{
		// Phones start with a tab so that a spreadsheet keeps their 0.
		{"bai-nha", "Bãi Nhà", "Nguyễn Văn An", "Tổ 3, ấp Bãi Nhà", "\t0323456789", "khai_sinh+thuong_tru", "Người Dùng Thử", "console", "demo"},
		{"bai-nha", "Bãi Nhà", "Trần Thị Bích", "Tổ 5, \"ấp\" Bãi Nhà", "\t0987654321", "ly_lich", "Người Dùng Thử", "console", "demo"},
		{"bai-nha", "Bãi Nhà", "Lê Văn Cường", "Tổ 1", "\t0905123456", "khac", "Người Dùng Thử", "console", "demo"},
	}
	wantTail := [][]string{
		{"guided", "", "Đăng ký khai sinh; Đăng ký thường trú", "1"},
		{"guided", "", "Cấp phiếu lý lịch tư pháp", "0"},
		{"guided", "", "Khác: cấp đổi thẻ căn cước", "0"},
	}
	for i, w := range want {
		got := rows[i+1]
		if len(got) != 14 {
			t.Errorf("row %d has %d columns", i+1, len(got))
			continue
		}
		if strings.Join(got[:9], "|") != strings.Join(w, "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, got[:9], w)
		}
		if strings.Join(got[10:], "|") != strings.Join(wantTail[i], "|") {
			t.Errorf("row %d kind, dossier_code, procedures_text, photos:\n got %q\nwant %q", i+1, got[10:], wantTail[i])
		}
		if !rfc3339Local.MatchString(got[9]) {
			t.Errorf("row %d reported_at %q is not RFC 3339 in +07:00", i+1, got[9])
		}
		if at, err := time.Parse(time.RFC3339, got[9]); err != nil || time.Since(at) > time.Hour || time.Since(at) < -time.Minute {
			t.Errorf("row %d reported_at %q is not the time of the report (%v)", i+1, got[9], err)
		}
	}
}

func TestExportCSV(t *testing.T) {
	path := fillDemoStore(t)
	env := []string{"DVCBOT_STORE_PATH=" + path}
	r := runCmd(t, "", env, "export", "--format", "csv", "--from", "2000-01-01", "--to", "2100-12-31")
	if r.err != nil {
		t.Fatalf("export: %v\n%s", r.err, r.stderr)
	}
	checkCSV(t, r.stdout)

	// --hamlet filters, --out writes a file.
	out := filepath.Join(t.TempDir(), "x.csv")
	r = runCmd(t, "", env, "export", "--format", "csv", "--hamlet", "nam-du", "--from", "2000-01-01", "--to", "2100-12-31", "--out", out)
	if r.err != nil {
		t.Fatalf("export --hamlet: %v", r.err)
	}
	if data, _ := os.ReadFile(out); strings.Count(string(data), "\n") != 1 || !strings.HasPrefix(string(data), "\ufeffhamlet_id,") {
		t.Errorf("export of a hamlet without records:\n%s", data)
	}
	if strings.Contains(r.stderr, "0323456789") {
		t.Errorf("personal data on standard error: %s", r.stderr)
	}
	// A period without records exports only the header.
	r = runCmd(t, "", env, "export", "--format", "csv", "--from", "2001-01-01", "--to", "2001-12-31")
	if r.err != nil || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("export of an empty period: %v\n%s", r.err, r.stdout)
	}
	for _, args := range [][]string{
		{"export", "--format", "pdf"},
		{"export", "--format", "csv", "--from", "02/03/2026"},
		{"export", "--format", "csv", "--to", "2026-13-01"},
	} {
		if r := runCmd(t, "", env, args...); !errors.Is(r.err, errUsage) {
			t.Errorf("%v: err = %v, want a usage error", args, r.err)
		}
	}
	if r := runCmd(t, "", env, "export", "--format", "csv", "--hamlet", "khong-co"); r.err == nil || !strings.Contains(r.err.Error(), "khong-co") {
		t.Errorf("export of an unknown hamlet: %v", r.err)
	}
}

func TestExportXLSX(t *testing.T) {
	path := fillDemoStore(t)
	out := filepath.Join(t.TempDir(), "evidence.xlsx")
	r := runCmd(t, "", []string{"DVCBOT_STORE_PATH=" + path}, "export", "--format", "xlsx", "--from", "2000-01-01", "--to", "2100-12-31", "--out", out)
	if r.err != nil {
		t.Fatalf("export xlsx: %v\n%s", r.err, r.stderr)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("excelize cannot read the export: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		t.Fatal("no sheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	var header []string
	var data [][]string
	for _, row := range rows {
		switch {
		case header == nil && len(row) > 5:
			header = row
		case header != nil && len(row) > 5:
			data = append(data, row)
		}
	}
	if header == nil || len(data) != 3 {
		t.Fatalf("sheet %q: header %q and %d data rows, want 3:\n%q", sheets[0], header, len(data), rows)
	}
	if !strings.Contains(strings.Join(header, "|"), "Số điện thoại") {
		t.Errorf("header is not Vietnamese: %q", header)
	}
	joined := strings.Join(data[0], "|")
	for _, want := range []string{"Nguyễn Văn An", "0323456789", "Bãi Nhà", "Đăng ký khai sinh"} {
		if !strings.Contains(joined, want) {
			t.Errorf("first row %q lacks %q", joined, want)
		}
	}
	if !strings.Contains(r.stderr, "3 lượt hướng dẫn") {
		t.Errorf("export does not say how many records it wrote: %q", r.stderr)
	}
}

// TestExportWhileBotRuns: the bot holds the data file for writing and
// serves snapshots; export still works and sees every record.
func TestExportWhileBotRuns(t *testing.T) {
	path := fillDemoStore(t)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	db, err := store.Open(path, store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = db.ServeSnapshots(ctx) }()
	defer func() { cancel(); wg.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(store.SnapshotSocket(path)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("snapshot socket never appeared")
		}
		time.Sleep(time.Millisecond)
	}
	r := runCmd(t, "", []string{"DVCBOT_STORE_PATH=" + path}, "export", "--format", "csv", "--from", "2000-01-01", "--to", "2100-12-31")
	if r.err != nil {
		t.Fatalf("export while the bot runs: %v", r.err)
	}
	checkCSV(t, r.stdout)
	// The demo itself cannot open the held file: it says so at once.
	start := time.Now()
	r = runCmd(t, "", nil, "demo", "--store", path)
	if !errors.Is(r.err, store.ErrLocked) {
		t.Errorf("demo on a held file: %v, want ErrLocked", r.err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("demo on a held file took %v", time.Since(start))
	}
}

func TestSampleConfig(t *testing.T) {
	r := runCmd(t, "", nil, "sample-config")
	if r.err != nil {
		t.Fatal(r.err)
	}
	cfg, err := config.Parse([]byte(r.stdout), nil)
	if err != nil {
		t.Fatalf("sample-config output does not load: %v", err)
	}
	if err := cfg.Validate(false); err != nil {
		t.Errorf("sample-config output is not valid: %v", err)
	}
	if len(cfg.Hamlets) != 13 {
		t.Errorf("sample has %d hamlets, want 13", len(cfg.Hamlets))
	}
	if !strings.Contains(r.stdout, "MINH HỌA") {
		t.Errorf("sample does not say its hamlets are illustrative")
	}
}

func TestUsage(t *testing.T) {
	if r := runCmd(t, "", nil); !errors.Is(r.err, errUsage) || !strings.Contains(r.stderr, "dvcbot demo") {
		t.Errorf("no command: %v, stderr %q", r.err, r.stderr)
	}
	if r := runCmd(t, "", nil, "frobnicate"); !errors.Is(r.err, errUsage) || !strings.Contains(r.err.Error(), "frobnicate") {
		t.Errorf("unknown command: %v", r.err)
	}
	if r := runCmd(t, "", nil, "help"); r.err != nil || !strings.Contains(r.stdout, "dvcbot export") {
		t.Errorf("help: %v, %q", r.err, r.stdout)
	}
	if r := runCmd(t, "", nil, "demo", "--no-such-flag"); !errors.Is(r.err, errUsage) {
		t.Errorf("demo with an unknown flag: %v", r.err)
	}
}

// TestExportPeriodBoundaries: --from and --to are local days, both included.
func TestExportPeriodBoundaries(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	path := filepath.Join(t.TempDir(), "data.db")
	cfg := config.Sample()
	db, err := store.Open(path, store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(2025, 12, 31, 23, 59, 59, 0, loc), // before the campaign
		time.Date(2026, 3, 1, 23, 59, 59, 0, loc),
		time.Date(2026, 3, 2, 0, 0, 0, 0, loc),
		time.Date(2026, 3, 2, 23, 59, 59, 0, loc),
		time.Date(2026, 3, 3, 0, 0, 0, 0, loc),
	}
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(cfg.Hamlets); err != nil {
			return err
		}
		officer, err := putTelegramPerson(tx, 2001, campaign.Officer{FullName: "Lê Văn Tám", HamletID: "bai-nha",
			Role: campaign.RoleOfficer, Active: true})
		if err != nil {
			return err
		}
		for i, at := range times {
			hh, err := tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: "Nguyễn Văn An",
				Address: "=HYPERLINK(\"http://x\")", Phone: fmt.Sprintf("091234567%d", i), CreatedBy: officer}, "nguyen van an")
			if err != nil {
				return err
			}
			g := campaign.Guidance{HouseholdID: hh.ID, HamletID: "bai-nha", OfficerID: officer,
				Via: chat.Addr(chat.Telegram, "2001"), At: at, Procedures: []string{"khai_sinh"}}
			if i == 3 {
				g.DossierCode, g.PhotoFileIDs = "000.00.22.H40-260302-0001", []string{"PHOTO-1", "PHOTO-2"}
			}
			if _, err := tx.AddGuidance(g); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"DVCBOT_STORE_PATH=" + path}
	reportedAt := func(r result) []string {
		t.Helper()
		if r.err != nil {
			t.Fatalf("export: %v", r.err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.stdout, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, row := range rows[1:] {
			out = append(out, row[9])
			// The record of 2 March 23:59:59 has a dossier code and two photos.
			wantCode, wantPhotos := "", "0"
			if row[9] == "2026-03-02T23:59:59+07:00" {
				wantCode, wantPhotos = "000.00.22.H40-260302-0001", "2"
			}
			if row[11] != wantCode || row[13] != wantPhotos {
				t.Errorf("record of %s: dossier_code %q, photos %q; want %q, %s", row[9], row[11], row[13], wantCode, wantPhotos)
			}
			if row[3] != "'=HYPERLINK(\"http://x\")" {
				t.Errorf("address %q not protected against formula injection", row[3])
			}
			if row[6] != "Lê Văn Tám" || row[7] != "telegram" || row[8] != "2001" {
				t.Errorf("officer columns %q, want Lê Văn Tám on telegram 2001", row[6:9])
			}
		}
		return out
	}
	got := reportedAt(runCmd(t, "", env, "export", "--format", "csv", "--from", "2026-03-02", "--to", "2026-03-02"))
	if want := "2026-03-02T00:00:00+07:00 2026-03-02T23:59:59+07:00"; strings.Join(got, " ") != want {
		t.Errorf("export of 2 March: %q, want %q", got, want)
	}
	got = reportedAt(runCmd(t, "", env, "export", "--format", "csv"))
	if len(got) != 4 || got[0] != "2026-03-01T23:59:59+07:00" {
		t.Errorf("export of the whole campaign: %q, want the 4 records of 2026", got)
	}
}

func TestReindexCommand(t *testing.T) {
	path := fillDemoStore(t)
	env := []string{"DVCBOT_STORE_PATH=" + path}
	before := runCmd(t, "", env, "export", "--format", "csv", "--from", "2000-01-01", "--to", "2100-12-31")
	r := runCmd(t, "", env, "reindex")
	if r.err != nil || !strings.Contains(r.stdout, "Đã tính lại số liệu tổng hợp") {
		t.Fatalf("reindex: %v %q", r.err, r.stdout)
	}
	after := runCmd(t, "", env, "export", "--format", "csv", "--from", "2000-01-01", "--to", "2100-12-31")
	if before.stdout != after.stdout {
		t.Errorf("reindex changed the evidence:\n%s\n%s", before.stdout, after.stdout)
	}
	// The figures the demo shows are the same after a rebuild.
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	db, err := store.Open(path, store.Options{Location: loc})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *store.Tx) error {
		if tot := tx.HamletTotals("bai-nha"); tot.Guided != 3 || tot.Able != 3 || tot.Proc2 != 1 {
			t.Errorf("totals after reindex = %+v, want 3 guided, 3 able, 1 with two procedures", tot)
		}
		return nil
	})
	// While the file is held, reindex says so at once.
	if r := runCmd(t, "", env, "reindex"); !errors.Is(r.err, store.ErrLocked) {
		t.Errorf("reindex on a held file: %v, want ErrLocked", r.err)
	}
}
