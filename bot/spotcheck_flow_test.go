package bot

import (
	"fmt"
	"regexp"
	"strconv"
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

var cardHead = regexp.MustCompile(`^Báo cáo số (\d+) — ấp `)

// cards returns the households of the sample pages among replies, keyed
// by record id: the page (reply) each is on. Pages are read by their text
// ("Báo cáo số 12 — ấp …" opens each household), as on every channel.
func cards(rs []chat.Reply) map[string]chat.Reply {
	out := map[string]chat.Reply{}
	for _, r := range rs {
		for _, block := range strings.Split(chat.Plain(r.Text), "\n\n") {
			if m := cardHead.FindStringSubmatch(block); m != nil {
				out[m[1]] = r
			}
		}
	}
	return out
}

// card is the block of a sample page about one record ("Báo cáo số ID — ấp …"
// and its lines), with its marks.
func card(page chat.Reply, id string) string {
	for _, block := range strings.Split(page.Text, "\n\n") {
		if strings.HasPrefix(chat.Plain(block), "Báo cáo số "+id+" — ") {
			return block
		}
	}
	return ""
}

// cardOf finds the household of a hamlet among the sample pages and
// returns its record id.
func cardOf(t *testing.T, rs []chat.Reply, hamletName string) string {
	t.Helper()
	for id, r := range cards(rs) {
		if strings.HasPrefix(chat.Plain(card(r, id)), "Báo cáo số "+id+" — ấp "+hamletName+"\n") {
			return id
		}
	}
	t.Fatalf("no household of %s in:\n%s", hamletName, joinTexts(rs))
	return ""
}

// choice is the value of the latest offered choice that is prefix or
// starts with prefix and a colon (a spot-check result carries its page:
// "kt:12:f" → "kt:12:f:s1.0").
func (w *world) choice(prefix string) string {
	w.t.Helper()
	best, at := "", -1
	for v, msg := range w.buttons {
		if v != prefix && !strings.HasPrefix(v, prefix+":") {
			continue
		}
		if n, _ := strconv.Atoi(msg); n > at {
			best, at = v, n
		}
	}
	if best == "" {
		w.t.Fatalf("no choice %s offered", prefix)
	}
	return best
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
	// 9 records, 10% is 1, but 4 active officers in 3 hamlets: 4
	// households, on one page between a header and a footer.
	if len(cs) != 4 || len(rs) != 3 {
		t.Fatalf("got %d households in %d replies, want 4 on one page between a header and a footer:\n%s", len(cs), len(rs), joinTexts(rs))
	}
	mustContain(t, "header", rs[0].Text, "Mẫu kiểm tra ngẫu nhiên số 1", bold("4")+" hộ trong 9 lượt báo cáo chưa kiểm tra", "4/4 cán bộ")
	mustContain(t, "footer", rs[2].Text, code("1234 đạt"), code("H56 chưa liên lạc"))
	all := joinTexts(rs)
	for _, name := range []string{"Lê Văn Tám", "Trần Thị Bích", "Phạm Văn Cường", "Nguyễn Thị Dung"} {
		if strings.Count(all, "Cán bộ: "+name+",") != 1 {
			t.Errorf("officer %s should have exactly one household in the sample:\n%s", name, all)
		}
	}
	page := rs[1]
	for id := range cs {
		c := card(page, id)
		mustContain(t, "household "+id, c, bold("Báo cáo số "+id)+" — ấp ", "Chủ hộ: "+chat.BoldStart+"Hộ Số", ", Tổ 1, ấp", "Điện thoại: 0912 345 6",
			"Thủ tục: Đăng ký khai sinh", "Minh chứng: không có mã hồ sơ, không có ảnh", ", 08:00 02/03/2026", "Kết quả: ⏳ "+bold("Chưa kiểm tra"))
		// A row of three results per household, each naming it.
		row := -1
		for i, r := range page.Choices {
			if len(r) > 0 && strings.HasPrefix(r[0].Value, "kt:"+id+":") {
				row = i
			}
		}
		if row < 0 || len(page.Choices[row]) != 3 {
			t.Errorf("household %s: choices %+v", id, page.Choices)
			continue
		}
		for i, act := range []string{"p", "f", "u"} {
			if b := page.Choices[row][i]; !strings.HasPrefix(b.Value, "kt:"+id+":"+act+":") || !strings.HasSuffix(b.Label, " "+id) {
				t.Errorf("household %s, result %s: %+v", id, act, b)
			}
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
	mustContain(t, "second draw", rs2[0].Text, "Chỉ còn 5 hộ chưa kiểm tra nên chọn tất cả.")
	for id := range cards(rs2) {
		if _, dup := cs[id]; dup {
			t.Errorf("record %s drawn twice", id)
		}
	}
	if n := len(cards(rs2)); n != 5 {
		t.Errorf("second draw: %d households, want the 5 left", n)
	}
	mustContain(t, "third draw", joinTexts(w.text("/kiemtra")), "Không còn hộ nào chưa được chọn kiểm tra")
	// Households without a result can be sent again.
	rs3 := w.text("/kiemtra cho")
	if n := len(cards(rs3)); n != 9 {
		t.Errorf("/kiemtra cho sent %d households, want 9", n)
	}
	mustContain(t, "/kiemtra cho", rs3[0].Text, "Còn "+bold("9")+" hộ đã chọn chưa có kết quả")
}

func TestSpotCheckOneHamlet(t *testing.T) {
	w := spotWorld(t)
	rs := w.text("/kiemtra 5 nam-du")
	cs := cards(rs)
	if len(cs) != 2 {
		t.Fatalf("%d households, want Nam Du's 2 records:\n%s", len(cs), joinTexts(rs))
	}
	for id, page := range cs {
		mustContain(t, "household", chat.Plain(card(page, id)), "— ấp Nam Du\n")
	}
	mustContain(t, "header", rs[0].Text, "của ấp Nam Du", "Chỉ còn 2 hộ")
}

func TestSpotCheckResultsChangeAwards(t *testing.T) {
	w := spotWorld(t)
	before := joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards before any check", before, "1. Ấp Hòn Nhỏ", ". Nguyễn Thị Dung — hướng dẫn 2 hộ")

	rs := w.text("/kiemtra")
	id := cardOf(t, rs, "Hòn Nhỏ")
	fail := w.choice("kt:" + id + ":f")
	pageMsg := w.buttons[fail]

	// Không đạt asks for the reason first; nothing is stored yet.
	ask := joinTexts(w.press(fail))
	mustContain(t, "reason prompt", ask, "Ghi "+bold("Không đạt"), "lý do")
	if g := w.guidance(parseID(t, id)); g.Check != campaign.CheckNone {
		t.Fatalf("check stored before the reason: %+v", g)
	}
	// The question survives a restart.
	w.restart()
	long := strings.Repeat("á", maxReasonRunes+1)
	mustContain(t, "long reason", joinTexts(w.text(long)), "quá 300 ký tự")
	got := w.text("Hộ nói không được ai hướng dẫn")
	if len(got) != 2 || got[0].Edit != pageMsg {
		t.Fatalf("want the page edited then a confirmation, got %+v", got)
	}
	admin := w.pid(adminID)
	mustContain(t, "edited page", card(got[0], id), "Kết quả: ❌ "+bold("Không đạt")+" — lý do: Hộ nói không được ai hướng dẫn", "bởi quản trị viên (số "+admin.String()+")")
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
	fixed := w.press(w.choice("kt:" + id + ":p"))
	if len(fixed) != 2 || fixed[0].Edit != pageMsg {
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
	mustContain(t, "same result", joinTexts(w.press(w.choice("kt:"+id+":p"))), "không có gì thay đổi")
	if n := len(w.auditActions("guidance.check")); n != 2 {
		t.Errorf("%d check audit entries after a repeated press, want 2", n)
	}

	// Chưa liên lạc được on another household.
	other := cardOf(t, rs, "Nam Du")
	w.press(w.choice("kt:" + other + ":u"))
	if g := w.guidance(parseID(t, other)); g.Check != campaign.CheckUnreachable {
		t.Fatalf("unreachable not stored: %+v", g)
	}
	mustContain(t, "results", joinTexts(w.text("/kiemtra ketqua")), "✅ Đạt 1 · ❌ Không đạt 0 · 📵 Chưa liên lạc được 1 · ⏳ Chờ gọi 2.")
	mustContain(t, "results of one hamlet", joinTexts(w.text("/kiemtra ket qua nam-du")), "— ấp Nam Du", "Đã chọn 1 hộ: ✅ Đạt 0 · ❌ Không đạt 0 · 📵 Chưa liên lạc được 1")
}

// TestSpotCheckTypedResults: results typed as «1234 đạt», «1234 không đạt:
// lý do», «1234 chưa liên lạc» work on every channel (Zalo has no
// buttons), for records of a sample only; the inspector (Thường trực
// UBND) may record them too.
func TestSpotCheckTypedResults(t *testing.T) {
	w := spotWorld(t)
	inspector := chat.Addr(chat.Zalo, "z-inspector")
	w.addPerson(inspector, "", campaign.RoleInspector, "Trương Thị Trực")
	w.user = inspector
	rs := w.text("/kiemtra")
	if len(cards(rs)) != 4 {
		t.Fatalf("the inspector's draw on Zalo: %s", joinTexts(rs))
	}
	id := cardOf(t, rs, "Hòn Nhỏ")
	other := cardOf(t, rs, "Nam Du")
	mustContain(t, "failed with a reason", joinTexts(w.text(id+" không đạt: hộ nói chưa ai hướng dẫn")), "Đã ghi kết quả "+bold("Không đạt"))
	g := w.guidance(parseID(t, id))
	if g.Check != campaign.CheckFailed || g.CheckReason != "hộ nói chưa ai hướng dẫn" || g.CheckedBy != w.person(inspector).ID {
		t.Fatalf("stored = %+v", g)
	}
	mustContain(t, "passed", joinTexts(w.text(id+" đạt")), "Đã ghi kết quả "+bold("Đạt"), "(trước đó: Không đạt)")
	mustContain(t, "unreachable", joinTexts(w.text(other+" chưa liên lạc")), "Đã ghi kết quả "+bold("Chưa liên lạc được"))
	if g := w.guidance(parseID(t, other)); g.Check != campaign.CheckUnreachable {
		t.Fatalf("stored = %+v", g)
	}
	// Không đạt without a reason asks for it.
	mustContain(t, "failed without a reason", joinTexts(w.text(other+" không đạt")), "Vui lòng gõ "+bold("lý do"))
	w.text("Số không liên lạc được, hàng xóm nói không có ai hướng dẫn")
	if g := w.guidance(parseID(t, other)); g.Check != campaign.CheckFailed || !strings.HasPrefix(g.CheckReason, "Số không liên lạc được") {
		t.Fatalf("stored = %+v", g)
	}
	// A record outside every sample is refused, and changes nothing.
	var outside string
	for n := 1; n <= 9; n++ {
		if s := strconv.Itoa(n); cards(rs)[s].Text == "" {
			outside = s
			break
		}
	}
	before := w.counts()
	mustContain(t, "outside the samples", joinTexts(w.text(outside+" đạt")), "không nằm trong mẫu kiểm tra nào")
	if g := w.guidance(parseID(t, outside)); g.Check != campaign.CheckNone || w.counts() != before {
		t.Errorf("a record outside the samples was checked: %+v", g)
	}
	// An officer typing the same is not recording anything.
	w.user = tg(officerID)
	w.text(id + " đạt")
	if g := w.guidance(parseID(t, id)); g.Check != campaign.CheckPassed || g.CheckedBy != w.person(inspector).ID {
		t.Errorf("an officer's typed result changed the check: %+v", g)
	}
}

func TestSpotCheckReasonCancelled(t *testing.T) {
	w := spotWorld(t)
	rs := w.text("/kiemtra")
	id := cardOf(t, rs, "Nam Du")
	w.press(w.choice("kt:" + id + ":f"))
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
		{officerID, "[press kt:1:p]", "không có quyền tiếp tục việc này"}, // a tap is checked against the role too
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
