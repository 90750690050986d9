package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// The spot-check world: three hamlets of the harness plus Hòn Nhỏ, a
// hamlet of 2 households whose coverage reaches 100% (so it is an award
// candidate), and one officer or two per hamlet with a few reports.
const (
	officer2ID int64 = 2002 // Bãi Nhà
	namDuID    int64 = 3001 // Nam Du
	honNhoID   int64 = 4001 // Hòn Nhỏ
)

var honNho = campaign.Hamlet{ID: "hon-nho", Name: "Hòn Nhỏ", Households: 2}

func spotWorld(t *testing.T) *world {
	t.Helper()
	w := fastWorld(t)
	if err := w.db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(append(testHamlets[:3:3], honNho)) }); err != nil {
		t.Fatal(err)
	}
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	w.addOfficer(officer2ID, "bai-nha", campaign.RoleOfficer, "Trần Thị Bích")
	w.addOfficer(namDuID, "nam-du", campaign.RoleOfficer, "Phạm Văn Cường")
	w.addOfficer(honNhoID, "hon-nho", campaign.RoleOfficer, "Nguyễn Thị Dung")
	phone := 0
	report := func(officer int64, n int, hamlet string) {
		w.user = tg(officer)
		for range n {
			phone++
			rs := w.text(fmt.Sprintf("/baocao Hộ Số %s; Tổ 1, ấp %s; 09123456%02d; khai sinh", spellNumber(phone), hamlet, phone))
			if !strings.Contains(joinTexts(rs), "Đã lưu") {
				t.Fatalf("report not saved: %s", joinTexts(rs))
			}
		}
	}
	report(officerID, 3, "Bãi Nhà")
	report(officer2ID, 2, "Bãi Nhà")
	report(namDuID, 2, "Nam Du")
	report(honNhoID, 2, "Hòn Nhỏ")
	w.user = tg(adminID)
	w.text("/giup") // the admin from configuration has written once: a person of the store
	return w
}

// spellNumber names household heads without digits (names refuse them).
func spellNumber(n int) string {
	words := []string{"Không", "Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín"}
	if n < 10 {
		return words[n]
	}
	return words[n/10] + " " + strings.ToLower(words[n%10])
}

func joinTexts(rs []chat.Reply) string {
	var parts []string
	for _, r := range rs {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, "\n---\n")
}

var cardData = regexp.MustCompile(`^kt:(\d+):p$`)

// cards returns the household cards among replies, keyed by record id.
func cards(rs []chat.Reply) map[string]chat.Reply {
	out := map[string]chat.Reply{}
	for _, r := range rs {
		for _, row := range r.Choices {
			for _, b := range row {
				if m := cardData.FindStringSubmatch(b.Value); m != nil {
					out[m[1]] = r
				}
			}
		}
	}
	return out
}

// cardOf finds the card of a hamlet among replies and returns its record id.
func cardOf(t *testing.T, rs []chat.Reply, hamletName string) string {
	t.Helper()
	for id, r := range cards(rs) {
		if strings.Contains(r.Text, "Ấp: "+hamletName+"\n") {
			return id
		}
	}
	t.Fatalf("no card of %s in:\n%s", hamletName, joinTexts(rs))
	return ""
}

func (w *world) auditActions(action string) []campaign.AuditEntry {
	w.t.Helper()
	var out []campaign.AuditEntry
	if err := w.db.View(func(tx *store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		for _, e := range log {
			if e.Action == action {
				out = append(out, e)
			}
		}
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return out
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, got)
		}
	}
}

func mustNotContain(t *testing.T, what, got string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(got, u) {
			t.Errorf("%s contains %q:\n%s", what, u, got)
		}
	}
}

func TestSpotCheckDrawRepresentsEveryOfficer(t *testing.T) {
	w := spotWorld(t)
	rs := w.text("/kiemtra")
	cs := cards(rs)
	// 9 records, 10% is 1, but 4 active officers in 3 hamlets: 4 households.
	if len(cs) != 4 || len(rs) != 6 {
		t.Fatalf("got %d cards in %d replies, want 4 cards between a header and a footer:\n%s", len(cs), len(rs), joinTexts(rs))
	}
	mustContain(t, "header", rs[0].Text, "Mẫu kiểm tra ngẫu nhiên số 1", bold("4")+" hộ trong 9 lượt báo cáo chưa kiểm tra", "4/4 cán bộ")
	all := joinTexts(rs)
	for _, name := range []string{"Lê Văn Tám", "Trần Thị Bích", "Phạm Văn Cường", "Nguyễn Thị Dung"} {
		if strings.Count(all, "Cán bộ báo cáo: "+name) != 1 {
			t.Errorf("officer %s should have exactly one household in the sample:\n%s", name, all)
		}
	}
	for id, c := range cs {
		mustContain(t, "card "+id, c.Text, "Chủ hộ: "+chat.BoldStart+"Hộ Số", "Địa chỉ: Tổ 1, ấp", "Điện thoại: 0912 345 6", "Thủ tục: Đăng ký khai sinh",
			"lúc 08:00 02/03/2026 (báo cáo số "+id+")", "Kết quả: "+bold("⏳ Chưa kiểm tra"))
		if len(c.Choices) != 2 || c.Choices[0][1].Value != "kt:"+id+":f" || c.Choices[1][0].Value != "kt:"+id+":u" {
			t.Errorf("card %s choices = %+v", id, c.Choices)
		}
	}
	// Who drew it and when is stored and audited.
	admin := w.pid(adminID)
	audit := w.auditActions("spotcheck.sample")
	if len(audit) != 1 || audit[0].Actor != admin || !audit[0].At.Equal(worldStart) {
		t.Fatalf("sample audit = %+v", audit)
	}
	err := w.db.View(func(tx *store.Tx) error {
		ss, err := tx.SpotSamples()
		if len(ss) != 1 || ss[0].By != admin || len(ss[0].Guidance) != 4 || ss[0].Eligible != 9 || ss[0].Requested != 4 {
			t.Errorf("stored samples = %+v", ss)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The next draw never takes a record already drawn.
	rs2 := w.text("/kiemtra 100")
	mustContain(t, "second draw", rs2[0].Text, "Chỉ còn 5 lượt báo cáo chưa kiểm tra nên chọn tất cả.")
	for id := range cards(rs2) {
		if _, dup := cs[id]; dup {
			t.Errorf("record %s drawn twice", id)
		}
	}
	if n := len(cards(rs2)); n != 5 {
		t.Errorf("second draw: %d cards, want the 5 left", n)
	}
	mustContain(t, "third draw", joinTexts(w.text("/kiemtra")), "Không còn lượt báo cáo nào chưa được chọn kiểm tra")
	// Cards without a result can be sent again.
	rs3 := w.text("/kiemtra cho")
	if n := len(cards(rs3)); n != 9 {
		t.Errorf("/kiemtra cho sent %d cards, want 9", n)
	}
	mustContain(t, "/kiemtra cho", rs3[0].Text, "Còn "+bold("9")+" hộ đã chọn chưa có kết quả")
}

func TestSpotCheckOneHamlet(t *testing.T) {
	w := spotWorld(t)
	rs := w.text("/kiemtra 5 nam-du")
	cs := cards(rs)
	if len(cs) != 2 {
		t.Fatalf("%d cards, want Nam Du's 2 records:\n%s", len(cs), joinTexts(rs))
	}
	for _, c := range cs {
		mustContain(t, "card", c.Text, "Ấp: Nam Du\n")
	}
	mustContain(t, "header", rs[0].Text, "của ấp Nam Du", "Chỉ còn 2 lượt")
}

func TestSpotCheckResultsChangeAwards(t *testing.T) {
	w := spotWorld(t)
	before := joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards before any check", before, "1. Ấp Hòn Nhỏ", ". Nguyễn Thị Dung — hướng dẫn 2 hộ")

	rs := w.text("/kiemtra")
	id := cardOf(t, rs, "Hòn Nhỏ")
	cardMsg := w.buttons["kt:"+id+":f"]

	// Không đạt asks for the reason first; nothing is stored yet.
	ask := joinTexts(w.press("kt:" + id + ":f"))
	mustContain(t, "reason prompt", ask, "Ghi "+bold("Không đạt"), "lý do")
	if g := w.guidance(parseID(t, id)); g.Check != campaign.CheckNone {
		t.Fatalf("check stored before the reason: %+v", g)
	}
	// The question survives a restart.
	w.restart()
	long := strings.Repeat("á", maxReasonRunes+1)
	mustContain(t, "long reason", joinTexts(w.text(long)), "quá 300 ký tự")
	got := w.text("Hộ nói không được ai hướng dẫn")
	if len(got) != 2 || got[0].Edit != cardMsg {
		t.Fatalf("want the card edited then a confirmation, got %+v", got)
	}
	admin := w.pid(adminID)
	mustContain(t, "edited card", got[0].Text, "Kết quả: "+bold("❌ Không đạt")+" — lý do: Hộ nói không được ai hướng dẫn", "bởi quản trị viên (số "+admin.String()+")")
	mustContain(t, "confirmation", got[1].Text, "Đã ghi kết quả "+bold("Không đạt"), "Ấp Hòn Nhỏ và cán bộ Nguyễn Thị Dung không còn được xét khen thưởng")
	g := w.guidance(parseID(t, id))
	if g.Check != campaign.CheckFailed || g.CheckReason != "Hộ nói không được ai hướng dẫn" || g.CheckedBy != admin || !g.CheckedAt.Equal(worldStart) {
		t.Fatalf("stored check = %+v", g)
	}

	// At once: the hamlet and its officer leave the award lists, with the reason.
	after := joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards after a failed check", after, "Chưa có ấp nào đủ điều kiện", "• Ấp Hòn Nhỏ: kiểm tra ngẫu nhiên không đạt ngày 02/03/2026",
		"• Nguyễn Thị Dung: kiểm tra ngẫu nhiên không đạt ngày 02/03/2026")
	mustNotContain(t, "awards after a failed check", after, "1. Ấp Hòn Nhỏ", ". Nguyễn Thị Dung — hướng dẫn 2 hộ")

	results := joinTexts(w.text("/kiemtra ketqua"))
	mustContain(t, "results", results, "Đã chọn 4 hộ qua 1 lần chọn mẫu: ✅ Đạt 0 · ❌ Không đạt 1 · 📵 Chưa liên lạc được 0 · ⏳ Chờ gọi 3.",
		"Lượt báo cáo đã có kết quả kiểm tra: 1/9", "• Hòn Nhỏ: chọn 1 — đạt 0, không đạt 1, chưa liên lạc được 0, chờ gọi 0 ⚠️", "• Hòn Tre: chưa kiểm tra",
		"Ấp Hòn Nhỏ: hộ "+chat.BoldStart+"Hộ Số", "của Nguyễn Thị Dung ngày 02/03/2026. Lý do: Hộ nói không được ai hướng dẫn")

	// An admin corrects the result by pressing another button: audited, and the awards come back.
	w.clock.Add(3600e9)
	fixed := w.press("kt:" + id + ":p")
	if len(fixed) != 2 || fixed[0].Edit != cardMsg {
		t.Fatalf("correction replies = %+v", fixed)
	}
	mustContain(t, "correction", fixed[1].Text, "Đã ghi kết quả "+bold("Đạt"), "(trước đó: Không đạt)", "được xét lại")
	if g := w.guidance(parseID(t, id)); g.Check != campaign.CheckPassed || g.CheckReason != "" {
		t.Fatalf("corrected check = %+v", g)
	}
	checks := w.auditActions("guidance.check")
	if len(checks) != 2 || !strings.Contains(checks[0].After, `"check":"failed"`) || !strings.Contains(checks[1].Before, `"check":"failed"`) ||
		!strings.Contains(checks[1].After, `"check":"passed"`) || checks[1].Actor != admin {
		t.Fatalf("check audit = %+v", checks)
	}
	mustContain(t, "awards after the correction", joinTexts(w.text("/khenthuong")), "1. Ấp Hòn Nhỏ", "kiểm tra ngẫu nhiên: 1 lần đạt", ". Nguyễn Thị Dung — hướng dẫn 2 hộ")
	// Pressing the same result again changes nothing.
	mustContain(t, "same result", joinTexts(w.press("kt:"+id+":p")), "không có gì thay đổi")
	if n := len(w.auditActions("guidance.check")); n != 2 {
		t.Errorf("%d check audit entries after a repeated press, want 2", n)
	}

	// Chưa liên lạc được on another household.
	other := cardOf(t, rs, "Nam Du")
	w.press("kt:" + other + ":u")
	if g := w.guidance(parseID(t, other)); g.Check != campaign.CheckUnreachable {
		t.Fatalf("unreachable not stored: %+v", g)
	}
	mustContain(t, "results", joinTexts(w.text("/kiemtra ketqua")), "✅ Đạt 1 · ❌ Không đạt 0 · 📵 Chưa liên lạc được 1 · ⏳ Chờ gọi 2.")
	mustContain(t, "results of one hamlet", joinTexts(w.text("/kiemtra ket qua nam-du")), "— ấp Nam Du", "Đã chọn 1 hộ: ✅ Đạt 0 · ❌ Không đạt 0 · 📵 Chưa liên lạc được 1")
}

func TestSpotCheckReasonCancelled(t *testing.T) {
	w := spotWorld(t)
	rs := w.text("/kiemtra")
	id := cardOf(t, rs, "Nam Du")
	w.press("kt:" + id + ":f")
	mustContain(t, "cancel", joinTexts(w.press("kt:"+id+":x")), "Đã hủy, kết quả của hộ này giữ nguyên: Chưa kiểm tra.")
	if g := w.guidance(parseID(t, id)); g.Check != campaign.CheckNone {
		t.Fatalf("check stored after cancel: %+v", g)
	}
	// Typing now is not taken as a reason.
	mustNotContain(t, "after cancel", joinTexts(w.text("Hộ không nghe máy")), "Đã ghi")
}

func TestSpotCheckRefusedAndBadInput(t *testing.T) {
	w := spotWorld(t)
	for _, tc := range []struct {
		user int64
		in   string
		want string
	}{
		{officerID, "/kiemtra", "Lệnh /kiemtra chỉ dành cho Thường trực UBND đặc khu và quản trị viên"},
		{officerID, "[press kt:1:p]", "Lệnh /kiemtra chỉ dành cho Thường trực UBND đặc khu và quản trị viên"},
		{adminID, "/kiemtra ketqua", "Chưa có lần kiểm tra nào"},
		{adminID, "/kiemtra 0", "Số hộ cần chọn phải từ 1 trở lên"},
		{adminID, "/kiemtra bai-nha hon-tre", "Không hiểu «hon-tre»"},
		{adminID, "/kiemtra dao-ngoc", "Không có ấp mã «dao-ngoc»"},
		{adminID, "/kiemtra cho", "Không có hộ nào đã chọn mà chưa có kết quả"},
		{adminID, "[press kt:999:p]", msgStaleButton},
		{adminID, "[press kt:abc:p]", msgStaleButton},
		{adminID, "[press kt:1:z]", msgStaleButton},
		{adminID, "[group] /kiemtra", msgPrivateOnly},
	} {
		w.user = tg(tc.user)
		before := w.counts()
		var rs []chat.Reply
		switch {
		case strings.HasPrefix(tc.in, "[press "):
			rs = w.press(strings.TrimSuffix(strings.TrimPrefix(tc.in, "[press "), "]"))
		case strings.HasPrefix(tc.in, "[group] "):
			rs = w.group(strings.TrimPrefix(tc.in, "[group] "))
		default:
			rs = w.text(tc.in)
		}
		mustContain(t, fmt.Sprintf("%d %q", tc.user, tc.in), joinTexts(rs), tc.want)
		if after := w.counts(); after != before {
			t.Errorf("%q changed the store: %v → %v", tc.in, before, after)
		}
	}
	if g := w.guidance(1); g.Check != campaign.CheckNone {
		t.Fatalf("an officer's press stored a check: %+v", g)
	}
}

func parseID(t *testing.T, s string) uint64 {
	t.Helper()
	var id uint64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}
