package bot

import (
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// invite returns a stored invite.
func (w *world) invite(code string) campaign.Invite {
	w.t.Helper()
	var inv campaign.Invite
	if err := w.db.View(func(tx *store.Tx) (err error) { inv, err = tx.Invite(code); return err }); err != nil {
		w.t.Fatalf("invite %s: %v", code, err)
	}
	return inv
}

// newInvite has the admin from configuration create an invite with /moi
// and returns its code.
func (w *world) newInvite(args string) string {
	w.t.Helper()
	user := w.user
	w.user = tg(adminID)
	defer func() { w.user = user }()
	rs := w.text("/moi " + args)
	code := testCode(w.codes)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, bold(code)) {
		w.t.Fatalf("/moi %s = %s", args, joinTexts(rs))
	}
	return code
}

func firstText(rs []chat.Reply) string {
	if len(rs) == 0 {
		return ""
	}
	return rs[0].Text
}

// TestCodeTypedAlone: a code sent alone in a private chat works like
// "/start CODE", in any case, with spaces, dashes or dots between groups.
func TestCodeTypedAlone(t *testing.T) {
	for _, typed := range []func(code string) string{
		func(c string) string { return c },
		func(c string) string { return strings.ToLower(c) },
		func(c string) string { return "  " + strings.ToLower(c[:4]) + " " + c[4:] + " " },
		func(c string) string { return c[:4] + "-" + c[4:] },
		func(c string) string { return c[:4] + "." + strings.ToLower(c[4:]) },
	} {
		w := newWorld(t)
		code := w.newInvite("nam-du truong_ap")
		w.user = tg(3001)
		text := typed(code)
		if got := firstText(w.text(text)); !strings.Contains(got, "Chào mừng") || !strings.Contains(got, bold("trưởng ấp Nam Du")) {
			t.Errorf("%q: %q, want the welcome of /start %s", text, got, code)
			continue
		}
		if got := firstText(w.text("Trần Văn Bảy")); !strings.Contains(got, "Đăng ký thành công") {
			t.Errorf("%q: name answered %q", text, got)
			continue
		}
		p := w.person(tg(3001))
		if p.Role != campaign.RoleLeader || p.HamletID != "nam-du" || p.FullName != "Trần Văn Bảy" || w.invite(code).UsedBy != p.ID {
			t.Errorf("%q: stored %+v, invite %+v", text, p, w.invite(code))
		}
	}
}

// TestCodeTypedAloneOnlyWhereItCanBe: a code-shaped text is a code only in
// a private chat, outside a conversation; in a group it is ignored, and
// as an answer to a report's question it is that answer (the invite stays
// unused).
func TestCodeTypedAloneOnlyWhereItCanBe(t *testing.T) {
	w := registered(t)
	code := w.newInvite("hon-tre")
	w.user = tg(3001)
	if rs := w.group(code); len(rs) != 0 {
		t.Errorf("a code in the group was answered: %s", joinTexts(rs))
	}
	if rs := w.group("/start " + code); !strings.Contains(firstText(rs), "chỉ dùng trong tin nhắn riêng") {
		t.Errorf("/start CODE in the group = %s", joinTexts(rs))
	}
	w.user = tg(officerID)
	w.text("/baocao")
	if got := firstText(w.text(code)); !strings.Contains(got, "Họ và tên "+bold("chủ hộ")) {
		t.Errorf("a code typed at the name step = %q, want the name asked again", got)
	}
	if inv := w.invite(code); inv.UsedBy != 0 {
		t.Errorf("invite used: %+v", inv)
	}
	if p := w.person(tg(officerID)); p.HamletID != "bai-nha" || p.Role != campaign.RoleOfficer {
		t.Errorf("the officer changed: %+v", p)
	}
}

// TestRegisteredPersonAskedBeforeMoving: a registered person who sends an
// invite is asked first; «Giữ như cũ» (pressed or typed) keeps everything
// and the invite unused, for the person it was meant for; «Chuyển» moves
// them, keeping their reports.
func TestRegisteredPersonAskedBeforeMoving(t *testing.T) {
	w := registered(t)
	officer := w.pid(officerID)
	w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	code := w.newInvite("nam-du truong_ap")

	rs := w.text(code)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "Anh/chị đang là "+bold("cán bộ ấp Bãi Nhà")) ||
		!strings.Contains(rs[0].Text, bold("trưởng ấp Nam Du")) || len(rs[0].Choices) != 1 || len(rs[0].Choices[0]) != 2 ||
		rs[0].Choices[0][0].Value != "j:yes" || rs[0].Choices[0][1] != (chat.Choice{Label: "Giữ như cũ", Value: "j:no"}) {
		t.Fatalf("an invite sent by a registered person: %s", RenderReplies(rs, tg(officerID)))
	}
	// Anything else typed asks again; nothing changes meanwhile.
	if got := firstText(w.text("Nguyễn Văn An")); !strings.Contains(got, "có muốn chuyển không") {
		t.Errorf("text while asked = %q", got)
	}
	for _, keep := range []func() []chat.Reply{
		func() []chat.Reply { return w.text("giữ như cũ") },
		func() []chat.Reply { w.text(code); return w.text("2") },
		func() []chat.Reply { w.text(code); return w.press("j:no") },
	} {
		if got := firstText(keep()); !strings.Contains(got, "Đã giữ nguyên") || !strings.Contains(got, "chưa bị dùng") {
			t.Errorf("keeping = %q", got)
		}
		if p := w.person(tg(officerID)); p.Role != campaign.RoleOfficer || p.HamletID != "bai-nha" || !p.Active {
			t.Fatalf("kept, yet stored %+v", p)
		}
		if inv := w.invite(code); inv.UsedBy != 0 {
			t.Fatalf("kept, yet the invite is used: %+v", inv)
		}
	}
	// The old question's button no longer moves anyone.
	if got := firstText(w.press("j:yes")); got != msgStaleButton {
		t.Errorf("«Chuyển» pressed after keeping = %q", got)
	}
	if p := w.person(tg(officerID)); p.HamletID != "bai-nha" {
		t.Fatalf("moved by a stale button: %+v", p)
	}

	// The person it was meant for joins with it.
	w.user = tg(3001)
	w.text(code)
	w.text("Trần Văn Bảy")
	if p := w.person(tg(3001)); p.Role != campaign.RoleLeader || p.HamletID != "nam-du" || w.invite(code).UsedBy != p.ID {
		t.Fatalf("the invitee: %+v, invite %+v", p, w.invite(code))
	}

	// Another invite, accepted: moved, reports kept.
	w.user = tg(officerID)
	code = w.newInvite("nam-du")
	w.text("/start " + code)
	if got := firstText(w.press("j:yes")); !strings.Contains(got, "Đã chuyển") || !strings.Contains(got, bold("cán bộ ấp Nam Du")) {
		t.Errorf("moving = %q", got)
	}
	p := w.person(tg(officerID))
	if p.ID != officer || p.HamletID != "nam-du" || p.Role != campaign.RoleOfficer || p.FullName != "Lê Văn Tám" || w.invite(code).UsedBy != officer {
		t.Errorf("after moving: %+v, invite %+v", p, w.invite(code))
	}
	if g := w.guidance(1); g.OfficerID != officer || g.HamletID != "bai-nha" || !g.Counts() {
		t.Errorf("the report made before moving: %+v", g)
	}
	// The same code again: already used by them.
	if got := firstText(w.text(code)); !strings.Contains(got, "đã dùng mã này rồi") {
		t.Errorf("own used code = %q", got)
	}
}

// TestConfigAdminRemovedLosesAdminAfterJoining: an admin from
// configuration who takes a hamlet's invite is stored with the invite's
// role, never as admin; once removed from configuration they are that
// officer and nothing more.
func TestConfigAdminRemovedLosesAdminAfterJoining(t *testing.T) {
	w := newWorld(t)
	code := w.newInvite("hon-tre")
	w.user = tg(adminID)
	w.text(code)
	// Known only by an account, they give their full name first.
	if got := firstText(w.press("j:yes")); !strings.Contains(got, "họ và tên đầy đủ") {
		t.Fatalf("joining = %q, want the question for a full name", got)
	}
	if got := firstText(w.text("Trần Quốc Bảo")); !strings.Contains(got, "Đăng ký thành công") {
		t.Fatalf("giving the name = %q", got)
	}
	p := w.person(tg(adminID))
	if p.FullName != "Trần Quốc Bảo" {
		t.Errorf("name = %q", p.FullName)
	}
	if p.Role != campaign.RoleOfficer || p.HamletID != "hon-tre" || !p.Active {
		t.Fatalf("stored %+v, want the invite's role (officer of Hòn Tre)", p)
	}
	// Still admin while in configuration.
	if got := firstText(w.text("/ap")); !strings.Contains(got, "Các ấp") {
		t.Errorf("/ap while in configuration = %q", got)
	}
	w.set = func(s *Settings) { s.Admins = nil }
	w.restart()
	for _, cmd := range []string{"/ap", "/moi bai-nha", "/canbo", "/vohieu 1", "/kiemtra", "/saoluu"} {
		if got := firstText(w.text(cmd)); !strings.Contains(got, "chỉ dành cho") {
			t.Errorf("%s after removal from configuration = %q", cmd, got)
		}
	}
	if got := firstText(w.text("/baocao Lý Văn Hải; Tổ 1, ấp Hòn Tre; 0901234567; khai sinh")); !strings.Contains(got, "Đã lưu") {
		t.Errorf("reporting as an officer of Hòn Tre = %q", got)
	}
	if g := w.guidance(1); g.OfficerID != p.ID || g.HamletID != "hon-tre" {
		t.Errorf("record %+v", g)
	}
	// Nothing the engine did stored the admin role.
	if p := w.person(tg(adminID)); p.Role != campaign.RoleOfficer {
		t.Errorf("stored role %q", p.Role)
	}
}

// TestConfigAdminIsNeverStoredAsAdmin: an admin from configuration who
// writes becomes a person without a stored role; removed from
// configuration, they are not registered at all.
func TestConfigAdminIsNeverStoredAsAdmin(t *testing.T) {
	w := newWorld(t)
	w.user = tg(adminID)
	w.text("/ap")
	if p := w.person(tg(adminID)); p.Role != "" || p.HamletID != "" {
		t.Fatalf("stored %+v, want no role", p)
	}
	w.set = func(s *Settings) { s.Admins = nil }
	w.restart()
	if got := firstText(w.text("/ap")); !strings.Contains(got, "chưa đăng ký") || !strings.Contains(got, code("1001")) {
		t.Errorf("/ap after removal = %q", got)
	}
}

// TestLinkSecondAccount: /lienket gives a code that, sent from the person's
// account on another channel, links it to the same person: reports from
// both count for them, and scheduled messages go to the channel linked
// last.
func TestLinkSecondAccount(t *testing.T) {
	w := registered(t)
	officer := w.pid(officerID)
	rs := w.text("/lienket")
	code := testCode(1)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, bold(code)) {
		t.Fatalf("/lienket = %s", joinTexts(rs))
	}
	zalo := chat.Addr(chat.Zalo, "z-officer")
	w.user = zalo
	if got := firstText(w.text(strings.ToLower(code))); !strings.Contains(got, "Đã liên kết tài khoản Zalo này với "+bold("Lê Văn Tám")) {
		t.Fatalf("the code from Zalo = %q", got)
	}
	p := w.person(zalo)
	if p.ID != officer || !p.Has(tg(officerID)) || !p.Has(zalo) || len(p.Accounts) != 2 || p.Prefer != chat.Zalo {
		t.Fatalf("person after linking: %+v", p)
	}
	if a, ok := p.Primary(); !ok || a != zalo {
		t.Errorf("primary account %v, want the one linked last", a)
	}
	if got := firstText(w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")); !strings.Contains(got, "Đã lưu") {
		t.Fatalf("report from Zalo = %q", got)
	}
	w.user = tg(officerID)
	if got := firstText(w.text("/baocao Trần Thị Bích; Tổ 5; 0987654321; thường trú")); !strings.Contains(got, "Đã lưu") {
		t.Fatalf("report from Telegram = %q", got)
	}
	g1, g2 := w.guidance(1), w.guidance(2)
	if g1.OfficerID != officer || g1.Via != zalo || g2.OfficerID != officer || g2.Via != tg(officerID) {
		t.Errorf("records %+v / %+v, want both the officer's, each by its account", g1, g2)
	}
	var day store.DayCount
	_ = w.db.View(func(tx *store.Tx) error { day = tx.OfficerDay(officer, store.DayOf(w.clock.Now(), hcm)); return nil })
	if day.Households != 2 {
		t.Errorf("the officer's day = %+v, want both households", day)
	}
	for _, who := range []chat.Address{zalo, tg(officerID)} {
		w.user = who
		if got := firstText(w.text("/toi")); !strings.Contains(got, "Hôm nay 02/03: 2 hộ, 2 thủ tục") {
			t.Errorf("/toi from %s = %q", who, got)
		}
	}
	// The code is used: another account cannot take it.
	w.user = chat.Addr(chat.Zalo, "z-other")
	if got := firstText(w.text(code)); !strings.Contains(got, "đã được sử dụng") {
		t.Errorf("the used code from another account = %q", got)
	}
	if _, err := func() (campaign.Officer, error) {
		var o campaign.Officer
		err := w.db.View(func(tx *store.Tx) (err error) { o, err = tx.PersonAt(chat.Addr(chat.Zalo, "z-other")); return err })
		return o, err
	}(); err == nil {
		t.Error("another account was linked with a used code")
	}
	// A code expires after a day.
	w.user = tg(officerID)
	w.text("/lienket")
	w.clock.Add(24*time.Hour + time.Second)
	w.user = chat.Addr(chat.Console, "1")
	if got := firstText(w.text(testCode(2))); !strings.Contains(got, "hết hạn") {
		t.Errorf("an expired link code = %q", got)
	}
}

// TestGroupCode: /nhom (admins and zone leaders, in private) gives a code
// that, sent in a group, makes it the leaders' group of its channel.
func TestGroupCode(t *testing.T) {
	w := registered(t)
	if got := firstText(w.text("/nhom")); !strings.Contains(got, "chỉ dành cho quản trị viên và lãnh đạo đặc khu") {
		t.Errorf("/nhom by an officer = %q", got)
	}
	w.user = tg(adminID)
	rs := w.text("/nhom")
	nhom := testCode(1)
	if len(rs) != 1 || !strings.Contains(rs[0].Text, code("/nhom "+nhom)) {
		t.Fatalf("/nhom = %s", joinTexts(rs))
	}
	// In the private chat the code is refused and stays unused.
	if got := firstText(w.text("/nhom " + nhom)); !strings.Contains(got, "phải được gửi trong nhóm") {
		t.Errorf("/nhom CODE in private = %q", got)
	}
	zgroup := chat.Addr(chat.Zalo, "zg-leaders")
	in := w.input()
	in.Chat, in.From, in.Private, in.Caps, in.Text = zgroup, chat.Addr(chat.Zalo, "z-anyone"), false, chat.CapsOf(chat.Zalo), "/nhom "+strings.ToLower(nhom)
	if got := firstText(w.handle(in)); !strings.Contains(got, "Đã chọn nhóm này làm nhóm lãnh đạo trên Zalo") {
		t.Fatalf("/nhom CODE in a Zalo group = %q", got)
	}
	_ = w.db.View(func(tx *store.Tx) error {
		if got := tx.LinkedGroup(chat.Zalo); got != "zg-leaders" {
			t.Errorf("LinkedGroup(zalo) = %q", got)
		}
		// The configured Telegram group stays; Zalo's is the linked one.
		if got := w.eng.GroupChats(tx); len(got) != 2 || got[0] != tg(groupChat) || got[1] != zgroup {
			t.Errorf("GroupChats = %v", got)
		}
		return nil
	})
}
