package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

// TestScenarioLogsHoldNoPersonalData runs a whole working day through the
// real Telegram transport against the fake Bot API — joining by invite,
// a step-by-step report with buttons, one-line reports, undo, wrong
// answers, a re-delivered update, a 429, a blocked user, /report and
// /saoluu — with logs at debug level, then scans the logs for every
// household name, phone (in the forms people type them) and address used,
// and for the bot token. None may appear. The /saoluu file is then
// restored into a fresh folder and compared record by record.
func TestScenarioLogsHoldNoPersonalData(t *testing.T) {
	fake, clock := serveWorld(t, 1)
	dir := t.TempDir()
	// The scenario types far faster than a person: no per-person limit.
	s := startServe(t, fake, clock, dir, "DVCBOT_LIMITS_MESSAGES_PER_MINUTE=0")
	eventually(t, "the bot polling", func() bool { return fake.Calls("getUpdates") > 0 })

	// An admin invites an officer, who joins.
	m := say(t, fake, serveAdmin, "/moi bai-nha")
	code := regexp.MustCompile(`start=([A-Za-z0-9_-]+)`).FindStringSubmatch(m.Text)
	if code == nil {
		t.Fatalf("no invite link in %q", m.Text)
	}
	const officer int64 = 3001
	say(t, fake, officer, "/start "+code[1])
	if m := say(t, fake, officer, "Phạm Thị Hoa"); !strings.Contains(m.Text, "Đăng ký thành công") {
		t.Fatalf("join: %q", m.Text)
	}

	// A report step by step, with a wrong phone first.
	household := []struct{ name, address, phone string }{
		{"Nguyễn Thị Lụa", "Số 12 Hẻm Cây Dừa, tổ 7, ấp Bãi Nhà", "0903 123 456"},
		{"Trần Văn Bé Hai", "Nhà số 45 đường Bến Tàu, tổ 2", "+84 912.345.678"},
		{"Lê Thị Mỹ Duyên", "Tổ 9, Xóm Lưới, ấp Bãi Nhà", "01689123456"}, // old 11-digit mobile
		{"Võ Văn Kiệt Hùng", "Khu Gò Găng, tổ 11", "0987-654-321"},
	}
	say(t, fake, officer, "/baocao")
	say(t, fake, officer, household[0].name)
	say(t, fake, officer, household[0].address)
	if m := say(t, fake, officer, "0903 12"); !strings.Contains(m.Text, "❌") {
		t.Fatalf("a wrong phone accepted: %q", m.Text)
	}
	say(t, fake, officer, household[0].phone)
	press(t, fake, officer, "p:khai_sinh")
	press(t, fake, officer, "p:done")
	press(t, fake, officer, "r:skip")
	if m := press(t, fake, officer, "r:save"); !strings.HasPrefix(m.Text, savedPrefix) {
		t.Fatalf("step-by-step report not saved: %q", m.Text)
	}

	// One-line reports; one undone.
	for _, h := range household[1:] {
		if m := say(t, fake, officer, "/baocao "+h.name+"; "+h.address+"; "+h.phone+"; khai sinh, thường trú"); !strings.HasPrefix(m.Text, savedPrefix) {
			t.Fatalf("one-line report not saved: %q", m.Text)
		}
	}
	undo := ""
	for _, row := range lastTo(fake, officer).Buttons {
		for _, b := range row {
			if strings.HasPrefix(b.Data, "undo:") {
				undo = b.Data
			}
		}
	}
	if m := press(t, fake, officer, undo); !strings.Contains(m.Text, "Đã hoàn tác") {
		t.Fatalf("undo: %q", m.Text)
	}

	// Wrong one-line reports, a photo, a shared contact.
	for _, bad := range []string{
		"/baocao Nguyễn Thị Lụa; Số 12 Hẻm Cây Dừa; 0123; khai sinh",
		"/baocao 12345; Nhà số 45 đường Bến Tàu; 0912345678; khai sinh",
		"/baocao Lê Thị Mỹ Duyên; ; 01689123456; khai sinh",
		"/baocao Võ Văn Kiệt Hùng; Khu Gò Găng; 0987654321; thủ tục không có",
		"/baocao <b>Đặng</b> & Thị; Tổ 3; 0912 000 111",
	} {
		if m := say(t, fake, officer, bad); !strings.Contains(m.Text, "❌") && !strings.Contains(m.Text, "Thiếu") {
			t.Logf("answer to %q: %q", bad, m.Text)
		}
	}
	say(t, fake, officer, "/baocao")
	n := len(fake.SentTo(officer))
	fake.SendContact(officer, officer, "+84903123456", "Lụa", 0)
	fake.WaitSentTo(waitCtx(t), officer, n+1)
	say(t, fake, officer, "/huy")

	// Telegram re-delivers an update the bot already applied: no second answer.
	before := len(fake.SentTo(officer))
	id := fake.SendText(officer, officer, "/toi")
	fake.WaitSentTo(waitCtx(t), officer, before+1)
	eventually(t, "the update confirmed", func() bool { return fake.Pending() == 0 })
	if !fake.Redeliver(id) {
		t.Fatal("redeliver refused")
	}
	say(t, fake, officer, "/toi")
	if got := len(fake.SentTo(officer)); got != before+2 {
		t.Fatalf("%d answers after a re-delivery, want %d", got-before, 2)
	}

	// A 429, then a user who blocked the bot.
	fake.FailNext("sendMessage", 1, 429, "", map[string]any{"retry_after": 1})
	say(t, fake, officer, "/giup")
	const blocked int64 = 3002
	fake.Block(blocked)
	fake.SendText(blocked, blocked, "/baocao Nguyễn Thị Lụa; tổ 7; 0903123456; khai sinh")
	eventually(t, "the blocked user's update handled", func() bool { return fake.Pending() == 0 })

	// Admin commands that carry personal data.
	say(t, fake, serveAdmin, "/report tuan")
	hasDoc := func(suffix string) func() bool {
		return func() bool {
			for _, m := range fake.SentTo(serveAdmin) {
				if m.Document != nil && strings.HasSuffix(m.Document.Name, suffix) {
					return true
				}
			}
			return false
		}
	}
	eventually(t, "the /report workbook", hasDoc(".xlsx"))
	n = len(fake.SentTo(serveAdmin))
	fake.SendText(serveAdmin, serveAdmin, "/saoluu")
	eventually(t, "the /saoluu file", hasDoc(".db.gz"))
	var backupDoc *fakebotapi.File
	for _, m := range fake.SentTo(serveAdmin)[n:] {
		if m.Document != nil {
			backupDoc = m.Document
		}
	}
	if backupDoc == nil || !strings.HasSuffix(backupDoc.Name, ".db.gz") || len(backupDoc.Bytes) < 100 {
		t.Fatalf("/saoluu sent %+v", fake.SentTo(serveAdmin)[n:])
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// The scan.
	logs := s.logs.String() + s.stdout.String()
	if !strings.Contains(logs, `"level":"`) || strings.Count(logs, "\n") < 5 {
		t.Fatalf("suspiciously few logs:\n%s", logs)
	}
	var secrets []string
	for _, h := range household {
		secrets = append(secrets, h.name, intake.Fold(h.name), strings.ToUpper(h.name), h.address, intake.Fold(h.address))
		secrets = append(secrets, phoneForms(h.phone)...)
	}
	secrets = append(secrets, "Phạm Thị Hoa", serveToken, strings.SplitN(serveToken, ":", 2)[1])
	for _, sec := range secrets {
		if sec != "" && strings.Contains(logs, sec) {
			t.Errorf("the logs contain %q", sec)
		}
	}
	if t.Failed() || os.Getenv("DVCBOT_SHOW_LOGS") != "" {
		t.Logf("logs:\n%s", logs)
	}

	// The /saoluu file restores into a fresh folder with every record.
	from := filepath.Join(t.TempDir(), backupDoc.Name)
	if err := os.WriteFile(from, backupDoc.Bytes, 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "restored", "dvcbot.db")
	r := runCmd(t, "", []string{"DVCBOT_STORE_PATH=" + fresh}, "restore", "--from", from)
	if r.err != nil {
		t.Fatalf("restore: %v\n%s", r.err, r.stdout)
	}
	if !strings.Contains(r.stdout, "4 báo cáo hướng dẫn") || !strings.Contains(r.stdout, "Đã khôi phục") {
		t.Fatalf("restore said:\n%s", r.stdout)
	}
	compareStores(t, s.store, fresh)
}

// phoneForms are the ways a phone number is written: as typed, digits
// only, national and international forms of the normalised number.
func phoneForms(typed string) []string {
	digits := regexp.MustCompile(`\D`).ReplaceAllString(typed, "")
	forms := []string{typed, digits}
	if p, err := intake.NormalizePhone(typed); err == nil {
		forms = append(forms, p, "+84"+p[1:], "84"+p[1:], p[1:], p[:4]+" "+p[4:7]+" "+p[7:], p[:4]+"."+p[4:7]+"."+p[7:])
	}
	return forms
}

// compareStores compares two data files record by record: hamlets,
// officers, households and guidance records.
func compareStores(t *testing.T, wantPath, gotPath string) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	read := func(path string) (hamlets []campaign.Hamlet, officers []campaign.Officer, households []campaign.Household, records []campaign.Guidance) {
		db, err := store.Open(path, store.Options{Location: loc, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		err = db.View(func(tx *store.Tx) error {
			var err error
			if hamlets, err = tx.Hamlets(); err != nil {
				return err
			}
			if officers, err = tx.Officers(); err != nil {
				return err
			}
			return tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
				records = append(records, g)
				hh, err := tx.Household(g.HouseholdID)
				households = append(households, hh)
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	h1, o1, hh1, g1 := read(wantPath)
	h2, o2, hh2, g2 := read(gotPath)
	if len(g1) == 0 {
		t.Fatal("nothing to compare")
	}
	same := func(what string, a, b any) {
		t.Helper()
		if sa, sb := strings.TrimSpace(fmtAny(a)), strings.TrimSpace(fmtAny(b)); sa != sb {
			t.Errorf("%s differ:\nlive     %s\nrestored %s", what, sa, sb)
		}
	}
	same("hamlets", h1, h2)
	same("officers", o1, o2)
	same("households", hh1, hh2)
	same("guidance records", g1, g2)
}

func fmtAny(v any) string { return fmt.Sprintf("%+v", v) }
