package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// admRole is a kind of user for the authorization matrix.
type admRole struct {
	name       string
	user       int64
	registered bool // known to the bot and active
	hamlet     bool // attached to a hamlet
	leader     bool // leader or admin
	admin      bool
	zone       bool // zone leader
	inspector  bool // Standing Committee (spot checks)
}

// People of the matrix besides those of the admin world.
const (
	admZone      int64 = 2301 // zone leader, no hamlet
	admInspector int64 = 2401 // Thường trực UBND, no hamlet
)

var admRoles = []admRole{
	{"unregistered", admStranger, false, false, false, false, false, false},
	{"deactivated officer", admGone, false, false, false, false, false, false},
	{"officer", admOfficer, true, true, false, false, false, false},
	{"leader", admLeader, true, true, true, false, false, false},
	{"zone leader", admZone, true, false, false, false, true, false},
	{"inspector", admInspector, true, false, false, false, false, true},
	{"admin from configuration", admAdmin, true, false, true, true, false, false},
	{"admin of a hamlet", admPromoted, true, true, true, true, false, false},
}

// admMayRun is the product's rule, written independently of allowed():
// who may run a command of each access level.
func admMayRun(a access, r admRole) bool {
	switch a {
	case anyone:
		return true
	case member:
		return r.registered
	case reporter:
		return r.registered && r.hamlet
	case leader:
		return r.leader
	case zone:
		return r.zone || r.admin
	case checker:
		return r.inspector || r.admin
	case admin:
		return r.admin
	}
	return false
}

// TestCommandAccessMatrix runs every command of the engine's table (new
// ones included, automatically) as every kind of user, in a private chat
// and in the group, and checks that it runs exactly when the rules allow,
// and that a refusal says who may use the command.
func TestCommandAccessMatrix(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.officer(admZone, "", campaign.RoleZoneLeader, "Huỳnh Văn Lãnh")
	w.officer(admInspector, "", campaign.RoleInspector, "Trương Thị Trực")
	w.update(func(tx *store.Tx) error {
		o, err := tx.PersonAt(admAddr(admGone))
		if err != nil {
			return err
		}
		o.Active = false
		return tx.PutOfficer(o, 0, "officer.deactivate")
	})
	ran := ""
	names := make([]string, 0, len(w.eng.cmds))
	for name, cmd := range w.eng.cmds {
		names = append(names, name)
		canonical := cmd.name
		cmd.run = func(_ *cx, _ string) error { ran = canonical; return nil }
	}
	slices.Sort(names)
	if len(names) < 10 {
		t.Fatalf("only %d commands in the table: %v", len(names), names)
	}
	for _, name := range names {
		cmd := w.eng.cmds[name]
		for _, r := range admRoles {
			for _, private := range []bool{true, false} {
				where := "group"
				if private {
					where = "private"
				}
				t.Run(name+"/"+r.name+"/"+where, func(t *testing.T) {
					ran = ""
					var rs []chat.Reply
					if private {
						rs = w.send(r.user, "/"+name)
					} else {
						rs = w.sendGroup(r.user, "/"+name)
					}
					may := admMayRun(cmd.access, r)
					want := may && (private || !cmd.private)
					if (ran != "") != want {
						t.Fatalf("/%s by %s in %s chat ran = %v, want %v (replies: %s)", name, r.name, where, ran != "", want, admRender(rs, 0))
					}
					if want {
						return
					}
					if len(rs) != 1 {
						t.Fatalf("refusal: want one reply, got %s", admRender(rs, 0))
					}
					got := rs[0].Text
					switch {
					case may: // allowed, but not here
						if got != msgPrivateOnly || len(rs[0].Choices) != 1 || !strings.HasPrefix(rs[0].Choices[0][0].URL, "https://t.me/dvc_test_bot?start=") {
							t.Errorf("private-only refusal = %s", admRender(rs, 0))
						}
					case !r.registered && r.user == admGone:
						if !strings.Contains(got, "tạm ngừng") || !strings.Contains(got, "kích hoạt lại") {
							t.Errorf("refusal to a deactivated officer = %q, want it to say the account is suspended", got)
						}
					case !r.registered:
						if !strings.Contains(got, "chưa đăng ký") || !strings.Contains(got, code(strconv.FormatInt(r.user, 10))) {
							t.Errorf("refusal to an unregistered user = %q, want it to say so with their account id", got)
						}
					case cmd.access == reporter:
						if got != msgNeedHamlet {
							t.Errorf("refusal to a user without a hamlet = %q", got)
						}
					default:
						if got != msgRefused(cmd) || !strings.Contains(got, "chỉ dành cho") {
							t.Errorf("refusal = %q, want it to say who may use /%s", got, cmd.name)
						}
					}
				})
			}
		}
	}
}

// The rows this work added, pinned: who may run them and where.
func TestAdminCommandRows(t *testing.T) {
	w := newAdmWorld(t, admNow)
	for _, tc := range []struct {
		name    string
		access  access
		private bool
	}{
		{"report", leader, true},
		{"canbo", leader, true},
		{"ap", admin, false},
		{"sosho", admin, false},
		{"vohieu", admin, true},
		{"kichhoat", admin, true},
		{"capquyen", admin, true},
		{"dabiet", reporter, true},
		{"khenthuong", zone, true},
		{"kiemtra", checker, true},
		{"moi", admin, true},
		{"lienket", member, true},
		{"nhom", anyone, false},
		{"hanmuc", admin, false},
	} {
		cmd, ok := w.eng.cmds[tc.name]
		if !ok {
			t.Errorf("/%s is not in the command table", tc.name)
			continue
		}
		if cmd.access != tc.access || cmd.private != tc.private || cmd.usage == "" || cmd.desc == "" {
			t.Errorf("/%s: access %d private %v usage %q, want access %d private %v and an example", tc.name, cmd.access, cmd.private, cmd.usage, tc.access, tc.private)
		}
	}
}

// auditActions lists the audit log as "actor action".
func (w *admWorld) auditActions() []string {
	w.t.Helper()
	var out []string
	w.view(func(tx *store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		for _, e := range log {
			out = append(out, fmt.Sprintf("%d %s", e.Actor, e.Action))
		}
		return err
	})
	return out
}

// storedOfficer is the person with the Telegram account id, as stored.
func (w *admWorld) storedOfficer(id int64) campaign.Officer {
	w.t.Helper()
	var o campaign.Officer
	w.view(func(tx *store.Tx) (err error) { o, err = tx.PersonAt(admAddr(id)); return err })
	return o
}

func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s = %q\nwant it to contain %q", what, got, want)
		}
	}
}

// TestAdminSession keeps a session of the management commands as a golden file.
func TestAdminSession(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	var out strings.Builder
	for _, step := range []struct {
		user int64
		text string
	}{
		{admAdmin, "/ap"},
		{admAdmin, "/sosho nam-du 400"},
		{admAdmin, "/sosho nam-du 400"},
		{admAdmin, "/sosho nam-du bốn trăm"},
		{admAdmin, "/sosho"},
		{admAdmin, "/canbo"},
		{admAdmin, "/canbo hon-tre"},
		{admLeader, "/canbo"},
		{admLeader, "/canbo nam-du"},
		{admAdmin, "/vohieu " + w.num(admOfficer)},
		{admOfficer, "/baocao"},
		{admAdmin, "/vohieu " + w.num(admOfficer)},
		{admAdmin, "/kichhoat số " + w.num(admOfficer)},
		{admPromoted, "/vohieu " + w.num(admAdmin)},
		{admAdmin, "/vohieu abc"},
		{admAdmin, "/vohieu 5555"},
		{admAdmin, "/vohieu 2001"}, // a Telegram id is not a person's number
		{admAdmin, "/capquyen #" + w.num(admOfficer2)},
		{admAdmin, "/capquyen " + w.num(admOfficer2) + " truong_ap"},
		{admAdmin, "/capquyen " + w.num(admOfficer2) + " thu_ky"},
		{admPromoted, "/capquyen " + w.num(admPromoted) + " can_bo"},
		{admOfficer, "/dabiet"},
		{admOfficer, "Lý Văn Tự"},
		{admOfficer, "Tổ 9, ấp Bãi Nhà"},
		{admOfficer, "0988 111 222"},
		{admOfficer, "[press sa:save]"},
		{admOfficer, "/dabiet Lý Văn Tự; Tổ 9, ấp Bãi Nhà; 0988111222"},
		{admOfficer, "/dabiet Mai Thị Hạnh; Tổ 2; 0911000001"},
		{admOfficer, "/dabiet Mai Thị Hạnh; 0911000001"},
		{admOfficer, "/dabiet Đặng Văn Út; Tổ 5; 0977 123 456"},
	} {
		fmt.Fprintf(&out, "@user %d\n> %s\n", step.user, step.text)
		var rs []chat.Reply
		if data, ok := strings.CutPrefix(step.text, "[press "); ok {
			rs = w.press(step.user, strings.TrimSuffix(data, "]"))
		} else {
			rs = w.send(step.user, step.text)
		}
		out.WriteString(admRender(rs, step.user))
	}
	admGolden(t, "report/quan-ly.txt", out.String())
}

func TestDeactivateKeepsRecords(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	officer, admin := w.num(admOfficer), w.pid(admAdmin)
	before := w.send(admAdmin, "/report nam")[0].Text
	rs := w.send(admAdmin, "/vohieu "+officer)
	if len(rs) != 2 || rs[1].To != admAddr(admOfficer) {
		t.Fatalf("want the confirmation and a note to the officer, got %s", admRender(rs, admAdmin))
	}
	wantContains(t, "/vohieu", rs[0].Text, "Đã vô hiệu hóa", "Lê Văn Tám", "số "+officer, "vẫn được tính", code("/kichhoat "+officer))
	if w.storedOfficer(admOfficer).Active {
		t.Fatal("officer still active")
	}
	wantContains(t, "deactivated officer reporting", w.one(w.send(admOfficer, "/baocao Nguyễn Văn X; Tổ 1; 0912000111; khai sinh")),
		"tạm ngừng", "vẫn được tính", "kích hoạt lại")
	if after := w.send(admAdmin, "/report nam")[0].Text; after != before {
		t.Errorf("deactivating changed the figures:\nbefore %s\nafter %s", before, after)
	}
	w.send(admAdmin, "/kichhoat "+officer)
	if !w.storedOfficer(admOfficer).Active {
		t.Fatal("officer not reactivated")
	}
	wantContains(t, "report after reactivation", w.send(admOfficer, "/baocao Nguyễn Văn X; Tổ 1; 0912000111; khai sinh")[0].Text, "Đã lưu")
	log := strings.Join(w.auditActions(), "\n")
	wantContains(t, "audit log", log, fmt.Sprintf("%d officer.deactivate", admin), fmt.Sprintf("%d officer.reactivate", admin), fmt.Sprintf("%d report.export", admin))
}

func TestDeactivateDropsSession(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.send(admOfficer, "/dabiet")
	w.send(admAdmin, "/vohieu "+w.num(admOfficer))
	w.send(admAdmin, "/kichhoat "+w.num(admOfficer))
	if got := w.one(w.send(admOfficer, "Nguyễn Văn An")); got != msgIdle {
		t.Errorf("after reactivation the old conversation went on: %q", got)
	}
}

// TestAdminCommandsTakePersonNumbers: /vohieu, /kichhoat and /capquyen
// name a person by the number /canbo shows (typed as 12, #12, số 12); a
// Telegram account id is not a number of anyone; an admin from
// configuration cannot be changed by command.
func TestAdminCommandsTakePersonNumbers(t *testing.T) {
	w := newAdmWorld(t, admNow)
	list := strings.Join(func() []string {
		var out []string
		for _, r := range w.send(admAdmin, "/canbo") {
			out = append(out, r.Text)
		}
		return out
	}(), "\n")
	n := w.num(admOfficer3)
	wantContains(t, "/canbo", list, bold("Trần Minh Đức")+" — cán bộ ấp · số "+code(n)+" · Telegram", code("/vohieu SỐ"))
	for _, typed := range []string{n, "#" + n, "số " + n, "ID " + n} {
		wantContains(t, "/vohieu "+typed, w.send(admAdmin, "/vohieu "+typed)[0].Text, "Trần Minh Đức")
		if w.storedOfficer(admOfficer3).Active {
			t.Fatalf("/vohieu %s: still active", typed)
		}
		w.send(admAdmin, "/kichhoat "+typed)
		if !w.storedOfficer(admOfficer3).Active {
			t.Fatalf("/kichhoat %s: not active", typed)
		}
	}
	wantContains(t, "a Telegram id", w.one(w.send(admAdmin, "/vohieu 2003")), "Không có ai mang số 2003", "/canbo")
	if !w.storedOfficer(admOfficer3).Active {
		t.Fatal("a Telegram id deactivated the person who has it")
	}
	wantContains(t, "own number", w.one(w.send(admPromoted, "/vohieu "+w.num(admPromoted))), "không tự thay đổi")
	wantContains(t, "configuration admin", w.one(w.send(admPromoted, "/capquyen "+w.num(admAdmin)+" can_bo")),
		"quản trị viên trong cấu hình", "telegram.admin_ids")
	if o := w.storedOfficer(admAdmin); o.Role != "" {
		t.Errorf("the configuration admin's stored role = %q, want none", o.Role)
	}
}

func TestGrantRoles(t *testing.T) {
	w := newAdmWorld(t, admNow)
	if got := w.one(w.send(admOfficer, "/ap")); !strings.Contains(got, "chỉ dành cho quản trị viên") {
		t.Fatalf("officer /ap = %q", got)
	}
	officer := w.num(admOfficer)
	rs := w.send(admAdmin, "/capquyen "+officer)
	wantContains(t, "/capquyen", rs[0].Text, "cán bộ ấp → "+bold("quản trị viên"))
	if len(rs) != 2 || rs[1].To != admAddr(admOfficer) || !strings.Contains(rs[1].Text, "quản trị viên") {
		t.Errorf("the promoted officer is not told: %s", admRender(rs, admAdmin))
	}
	if o := w.storedOfficer(admOfficer); o.Role != campaign.RoleAdmin || o.HamletID != "bai-nha" {
		t.Errorf("stored = %+v", o)
	}
	wantContains(t, "/ap by the new admin", w.send(admOfficer, "/ap")[0].Text, "Các ấp")
	// Still attached to the hamlet: can still report.
	wantContains(t, "report by the new admin", w.send(admOfficer, "/baocao Nguyễn Văn X; Tổ 1; 0912000111; khai sinh")[0].Text, "Đã lưu")
	w.send(admAdmin, "/capquyen "+officer+" truong_ap")
	if o := w.storedOfficer(admOfficer); o.Role != campaign.RoleLeader {
		t.Errorf("role = %s, want leader", o.Role)
	}
	wantContains(t, "leader /ap", w.one(w.send(admOfficer, "/ap")), "chỉ dành cho quản trị viên")
	wantContains(t, "unregistered target", w.one(w.send(admAdmin, "/capquyen 9001")), "Không có ai mang số 9001")
	wantContains(t, "leader granting", w.one(w.send(admLeader, "/capquyen "+w.num(admOfficer2))), "chỉ dành cho quản trị viên")
	log := strings.Join(w.auditActions(), "\n")
	if strings.Count(log, fmt.Sprintf("%d officer.role", w.pid(admAdmin))) != 2 {
		t.Errorf("role changes not audited:\n%s", log)
	}
}

func TestSetHouseholds(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	got := w.one(w.send(admAdmin, "/sosho nam-du 400"))
	wantContains(t, "/sosho", got, "298 → "+bold("400"), "Độ phủ mới: 43/400 hộ = "+bold("10,7%")+" (trước đây 14,4%", "ấp nay cần 01 thủ tục")
	// Configuration loaded again (still 298 there): the correction stays.
	w.update(func(tx *store.Tx) error { return tx.SyncHamlets(admHamlets) })
	var h campaign.Hamlet
	w.view(func(tx *store.Tx) (err error) { h, err = tx.Hamlet("nam-du"); return err })
	if h.Households != 400 {
		t.Errorf("households after config sync = %d, want 400", h.Households)
	}
	wantContains(t, "/ap", w.send(admAdmin, "/ap")[0].Text, code("nam-du")+" — "+bold("Nam Du")+": 400 hộ · 43 hộ biết làm · độ phủ 10,7%")
	wantContains(t, "/sosho 1.250", w.one(w.send(admAdmin, "/sosho Bãi Nhà 1.250")), "812 → "+bold("1.250"))
	wantContains(t, "/sosho 0", w.one(w.send(admAdmin, "/sosho nam-du 0")), "không đúng")
	wantContains(t, "/sosho small", w.one(w.send(admAdmin, "/sosho nam-du 20")), "nhiều hơn số hộ vừa sửa")
	wantContains(t, "audit", strings.Join(w.auditActions(), "\n"), fmt.Sprintf("%d hamlet.households", w.pid(admAdmin)))
}

func TestOfficersListSplits(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.update(func(tx *store.Tx) error {
		for i := range 150 {
			id, err := tx.NewPersonID()
			if err != nil {
				return err
			}
			o := campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: admAddr(int64(5000 + i))}}, FullName: fmt.Sprintf("Nguyễn Thị Cán Bộ Số %d", i),
				HamletID: admHamlets[i%3].ID, Role: campaign.RoleOfficer, Active: true}
			if err := tx.PutOfficer(o, 0, "officer.test"); err != nil {
				return err
			}
		}
		return nil
	})
	rs := w.send(admAdmin, "/canbo")
	if len(rs) < 2 {
		t.Fatalf("156 officers in %d message(s)", len(rs))
	}
	all := ""
	for _, r := range rs {
		all += r.Text
	}
	if n := strings.Count(all, "• "+chat.BoldStart); n != 157 {
		t.Errorf("listed %d people, want 157 (the admin from configuration among them)", n)
	}
	wantContains(t, "last message", rs[len(rs)-1].Text, code("/vohieu SỐ"))
}

func TestSelfAbleFlow(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.send(admOfficer, "/dabiet")
	wantContains(t, "bad name", w.one(w.send(admOfficer, "0912")), "Họ và tên "+bold("chủ hộ")+"?")
	w.send(admOfficer, "trần   văn bảy")
	w.send(admOfficer, "Tổ 7")
	wantContains(t, "bad phone", w.one(w.send(admOfficer, "12345")), bold("Số điện thoại")+" của hộ?")
	sum := w.one(w.send(admOfficer, "0162 345 6789"))
	wantContains(t, "summary", sum, "Chủ hộ: "+bold("Trần Văn Bảy"), "Điện thoại: 0323 456 789")
	rs := w.press(admOfficer, "sa:save")
	wantContains(t, "saved", w.one(rs), "Đã ghi nhận", "Độ phủ ấp Bãi Nhà: 1/812 hộ = "+bold("0,1%"), "không tính vào chỉ tiêu hằng ngày")
	undo := rs[0].Choices[0][0].Value
	var day store.DayCount
	var tot store.HamletTotals
	var hh campaign.Household
	w.view(func(tx *store.Tx) (err error) {
		day = tx.HamletDay("bai-nha", store.DayOf(admNow, admLoc))
		tot = tx.HamletTotals("bai-nha")
		hh, err = tx.HouseholdByPhone("bai-nha", "0323456789")
		return err
	})
	if day.Households != 0 || tot.Able != 1 || tot.Guided != 0 || !hh.SelfAble || hh.SelfAbleBy != w.pid(admOfficer) {
		t.Errorf("stored: day %+v totals %+v household %+v", day, tot, hh)
	}
	if got := w.one(w.press(admOfficer, "sa:save")); got != msgStaleButton {
		t.Errorf("second save = %q", got)
	}
	wantContains(t, "again", w.one(w.send(admOfficer, "/dabiet Trần Văn Bảy; Tổ 7; 0323456789")), "đã được ghi nhận tự làm được từ ngày 14/05/2026")
	if got := w.one(w.press(admOfficer2, undo)); !strings.Contains(got, "Không có ghi nhận nào của anh/chị") {
		t.Errorf("another officer's undo = %q", got)
	}
	wantContains(t, "undo", w.one(w.press(admOfficer, undo)), "Đã hoàn tác", "0/812 hộ")
	wantContains(t, "undo twice", w.one(w.press(admOfficer, undo)), "đã được hoàn tác trước đó")

	// A guided household needs no mark; a late undo is refused.
	w.send(admOfficer, "/baocao Hồ Văn Chín; Tổ 1; 0905111222; khai sinh")
	wantContains(t, "guided", w.one(w.send(admOfficer, "/dabiet Hồ Văn Chín; Tổ 1; 0905111222")), "đã được hướng dẫn")
	rs = w.send(admOfficer, "/dabiet Lâm Thị Mười; Tổ 2; 0905333444")
	w.clock.Add(25 * time.Hour)
	wantContains(t, "late undo", w.one(w.press(admOfficer, rs[0].Choices[0][0].Value)), "quá 24 giờ")
	officer := w.pid(admOfficer)
	wantContains(t, "audit", strings.Join(w.auditActions(), "\n"), fmt.Sprintf("%d household.self_able", officer), fmt.Sprintf("%d household.self_able_undo", officer))
}

func TestSelfAbleRefusals(t *testing.T) {
	w := newAdmWorld(t, admNow)
	if got := w.one(w.send(admAdmin, "/dabiet")); got != msgNeedHamlet {
		t.Errorf("admin without a hamlet = %q", got)
	}
	if got := w.sendGroup(admOfficer, "/dabiet"); len(got) != 1 || got[0].Text != msgPrivateOnly {
		t.Errorf("in the group = %s", admRender(got, admGroup))
	}
	wantContains(t, "two parts", w.one(w.send(admOfficer, "/dabiet Lê Văn A; 0912345678")), "Cần đúng 3 phần", "/dabiet Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678")
	wantContains(t, "bad phone", w.one(w.send(admOfficer, "/dabiet Lê Văn A; Tổ 1; 123")), "/dabiet Nguyễn Văn An")
	w.send(admOfficer, "/dabiet")
	wantContains(t, "cancel", w.one(w.press(admOfficer, "sa:cancel")), "Đã hủy")
	if got := w.one(w.press(admOfficer, "saundo:999")); !strings.Contains(got, "Không có ghi nhận nào của anh/chị") {
		t.Errorf("undo of nothing = %q", got)
	}
}
