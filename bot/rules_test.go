package bot

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Tests of the plan's rules as the bot applies them (issue 11).

// TestReportsOutsideTheCampaignRefused: a report (/baocao in one line or
// step by step, /dabiet) counts from 00:00 on the first day to 23:59:59 on
// the last; a moment before or after is refused with the campaign's dates
// and nothing is saved.
func TestReportsOutsideTheCampaignRefused(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"the last second before the campaign", time.Date(2025, 12, 31, 23, 59, 59, 0, admLoc), false},
		{"00:00 on the first day", time.Date(2026, 1, 1, 0, 0, 0, 0, admLoc), true},
		{"23:59:59 on the first day", time.Date(2026, 1, 1, 23, 59, 59, 0, admLoc), true},
		{"00:00 on the last day", time.Date(2026, 12, 31, 0, 0, 0, 0, admLoc), true},
		{"23:59:59 on the last day", time.Date(2026, 12, 31, 23, 59, 59, 0, admLoc), true},
		{"00:00 after the last day", time.Date(2027, 1, 1, 0, 0, 0, 0, admLoc), false},
		{"ten days after", time.Date(2027, 1, 10, 9, 0, 0, 0, admLoc), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newAdmWorld(t, tc.at)
			count := func() (guided, able int) {
				w.view(func(tx *store.Tx) error {
					tot := tx.HamletTotals("bai-nha")
					guided, able = tot.Guided, tot.Able
					return nil
				})
				return
			}
			line := w.one(w.send(admOfficer, "/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"))
			self := w.one(w.send(admOfficer, "/dabiet Trần Thị Bình; Tổ 4; 0912345679"))
			steps := w.one(w.send(admOfficer, "/baocao"))
			selfSteps := w.one(w.send(admOfficer, "/dabiet"))
			guided, able := count()
			if tc.ok {
				wantContains(t, "one line", line, "Đã lưu")
				wantContains(t, "self-declared", self, "Đã ghi nhận")
				wantContains(t, "step by step", steps, "bước 1/5")
				wantContains(t, "self-declared step by step", selfSteps, "bước 1/3")
				if guided != 1 || able != 2 {
					t.Errorf("stored %d guided, %d able; want 1 and 2", guided, able)
				}
				return
			}
			when := "đã kết thúc"
			next := "gõ /toi để xem kết quả"
			if tc.at.Year() == 2025 {
				when, next = "chưa bắt đầu", "Vui lòng báo cáo từ ngày 01/01/2026"
			}
			for name, got := range map[string]string{"one line": line, "self-declared": self, "step by step": steps, "self-declared step by step": selfSteps} {
				wantContains(t, name, got, "Phong trào diễn ra từ ngày 01/01/2026 đến hết ngày 31/12/2026", when,
					"báo cáo này không được ghi nhận", next, tc.at.Format("02/01/2006"))
			}
			if guided != 0 || able != 0 {
				t.Errorf("stored %d guided, %d able outside the campaign", guided, able)
			}
		})
	}
}

// TestReportBegunBeforeMidnightOfTheLastDay: a report begun at 23:58 on
// the last day and saved after midnight is refused when saved, and the
// draft is dropped.
func TestReportBegunBeforeMidnightOfTheLastDay(t *testing.T) {
	w := newAdmWorld(t, time.Date(2026, 12, 31, 23, 58, 0, 0, admLoc))
	w.send(admOfficer, "/baocao")
	w.send(admOfficer, "Nguyễn Văn An")
	w.send(admOfficer, "Tổ 3")
	w.send(admOfficer, "0912345678")
	w.send(admOfficer, "khai sinh")
	w.press(admOfficer, "p:done")
	w.press(admOfficer, "r:skip")
	w.clock.Set(time.Date(2027, 1, 1, 0, 0, 5, 0, admLoc))
	got := w.one(w.press(admOfficer, "r:save"))
	wantContains(t, "save after midnight", got, "đã kết thúc vào ngày 01/01/2027", "không được ghi nhận")
	w.view(func(tx *store.Tx) error {
		if tot := tx.HamletTotals("bai-nha"); tot.Guided != 0 {
			t.Errorf("saved after the campaign: %+v", tot)
		}
		return nil
	})
	if got := w.one(w.send(admOfficer, "/huy")); !strings.Contains(got, "Không có thao tác nào đang làm dở") {
		t.Errorf("the draft was kept: /huy says %q", got)
	}
}

// rulesWorld is the spot-check world with tiny registers, so that awards
// are within reach: Bãi Nhà and Nam Du of 2 households each, and engine
// rules changed by tweak.
func rulesWorld(t *testing.T, tweak func(*scoring.Params)) *world {
	t.Helper()
	w := spotWorld(t)
	hs := []campaign.Hamlet{{ID: "bai-nha", Name: "Bãi Nhà", Households: 2}, {ID: "nam-du", Name: "Nam Du", Households: 2},
		{ID: "hon-tre", Name: "Hòn Tre", Households: 874}, honNho}
	if err := w.db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(hs) }); err != nil {
		t.Fatal(err)
	}
	set := w.settings()
	set.Params = scoring.DefaultParams()
	if tweak != nil {
		tweak(&set.Params)
	}
	w.eng = New(w.db, set, WithClock(w.clock.Now))
	return w
}

// TestAwardsBeyondTheCapAndTheSpecialCondition: three hamlets meet the
// collective standard and one collective award is offered: the others are
// «đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét» in /khenthuong and in
// their own dossier, never «chưa đủ tiêu chuẩn»; the special-prize
// condition leaves fewer hamlets than prizes, said plainly, with how far
// each other hamlet is.
func TestAwardsBeyondTheCapAndTheSpecialCondition(t *testing.T) {
	w := rulesWorld(t, func(p *scoring.Params) { p.MaxCollectives = 1 })
	// Bãi Nhà: 5 households reported over a register of 2 (beyond it), one
	// with two procedures; Nam Du: its 2 households, one procedure each;
	// Hòn Nhỏ: its 2 households. A second procedure for both of Hòn Nhỏ's
	// households meets the special-prize condition there.
	w.user = tg(honNhoID)
	for _, line := range []string{"Hộ Số Tám; Tổ 1, ấp Hòn Nhỏ; 0912345608; thường trú", "Hộ Số Chín; Tổ 1, ấp Hòn Nhỏ; 0912345609; thường trú"} {
		w.text("/baocao " + line)
		mustContain(t, "second procedure", joinTexts(w.press("r:dup_yes")), "Đã lưu") // the same household twice today: asked first
	}
	w.user = tg(adminID)

	awards := joinTexts(w.text("/khenthuong"))
	mustContain(t, "/khenthuong", awards,
		"Số liệu tính đến hết ngày 02/03/2026.",
		bold("Tập thể")+" (tối đa 01; độ phủ từ 95,0%):\n1. Ấp ",
		"ℹ️ Có 03 ấp đủ tiêu chuẩn tập thể: 01 ấp xếp đầu được đề nghị; 02 ấp còn lại đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét.",
		bold("Đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét")+":\n• Ấp ",
		bold("Phần quà khen thưởng riêng")+" (03 phần quà; điều kiện: ấp từ 365 hộ trở lên: mỗi hộ được hướng dẫn 01 thủ tục, ấp dưới 365 hộ: mỗi hộ 02 thủ tục; đạt 95,0% số hộ của ấp):\n1. Ấp Hòn Nhỏ",
		"ℹ️ Chỉ có 01 ấp đủ điều kiện (95,0% số hộ của ấp được hướng dẫn đủ số thủ tục) nên chỉ đề nghị 01/03 phần quà khen thưởng riêng.",
		"• Ấp Nam Du: 0,0% số hộ (0/2) đã được hướng dẫn đủ 02 thủ tục (ấp dưới 365 hộ), chưa đạt điều kiện 95,0% (2 hộ): còn thiếu 2 hộ",
		"số hộ biết làm vượt số hộ trong sổ 3 hộ: cần sửa số hộ của ấp (/sosho)",
		bold("Cá nhân đề nghị xét")+" (tối đa 26)", scoring.IndividualsNote)
	mustNotContain(t, "/khenthuong", awards, "chưa đủ tiêu chuẩn", "giải đặc biệt", "Giải đặc biệt")

	// The first of the three is proposed; the others' dossiers propose them
	// for the council.
	var beyond []string
	for _, line := range strings.Split(awards, "\n") {
		if name, ok := strings.CutPrefix(line, "• Ấp "); ok && strings.Contains(line, "độ phủ 100,0%") {
			beyond = append(beyond, name[:strings.Index(name, " — ")])
		}
	}
	if len(beyond) != 2 {
		t.Fatalf("hamlets beyond the cap: %q", beyond)
	}
	ids := map[string]string{"Bãi Nhà": "bai-nha", "Nam Du": "nam-du", "Hòn Nhỏ": "hon-nho"}
	rs := w.text("/hoso " + ids[beyond[0]])
	docs := documents(t, rs)
	proposal := docxText(t, docs[ids[beyond[0]]+"-to-trinh-2026-03-02.docx"])
	mustContain(t, "status", rs[0].Text, "✅ Ấp "+beyond[0]+" đủ tiêu chuẩn khen thưởng tập thể, vượt số lượng 01 — Hội đồng xét; Tờ trình vẫn đề nghị tập thể.")
	mustContain(t, "Tờ trình", proposal, "1. Tập thể (01): Ban Nhân dân ấp "+beyond[0], "đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét")
	mustNotContain(t, "Tờ trình", proposal, "chưa đủ tiêu chuẩn")

	// The group sees the proposed hamlets and those beyond the cap, never why anyone is left out.
	var group strings.Builder
	if err := w.db.View(func(tx *store.Tx) error {
		rs, err := w.eng.posts(tx, JobSemiannual, w.clock.Now().Add(12*time.Hour), true) // 20:00: today's figures
		for _, r := range rs {
			if r.Group {
				group.WriteString(r.Text + "\n")
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "group outlook", group.String(), "Đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét: ấp ",
		"Phần quà khen thưởng riêng (03 phần quà): ấp Hòn Nhỏ (100,0% số hộ đủ 02 thủ tục).",
		"Chỉ có 01 ấp đủ điều kiện", "Cá nhân đề nghị xét (tối đa 26)")
	mustNotContain(t, "group outlook", group.String(), "còn thiếu", "độ phủ 0,0%")
}

// TestReviewPeriods: the period and the day the figures stop at of each
// review, scheduled or run by hand (/chay), and when they are provisional.
func TestReviewPeriods(t *testing.T) {
	w := newAdmWorld(t, admNow)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, admLoc) }
	for _, tc := range []struct {
		job         string
		at          time.Time
		manual      bool
		period      string
		figuresAt   scoring.Date
		provisional bool
	}{
		{JobSemiannual, at(2026, 7, 1, 8), false, "6 tháng đầu năm 2026", scoring.NewDate(2026, 6, 30), false},
		{JobSemiannual, at(2026, 5, 20, 20), true, "6 tháng đầu năm 2026", scoring.NewDate(2026, 5, 20), true},
		{JobSemiannual, at(2026, 12, 15, 10), true, "6 tháng đầu năm 2026", scoring.NewDate(2026, 6, 30), false},
		{JobSemiannual, at(2027, 2, 1, 10), true, "6 tháng đầu năm 2026", scoring.NewDate(2026, 6, 30), false},
		{JobYearend, at(2026, 12, 31, 20), false, "năm 2026", scoring.NewDate(2026, 12, 31), true},
		{JobYearend, at(2027, 1, 1, 8), false, "năm 2026", scoring.NewDate(2026, 12, 31), false},
		{JobYearend, at(2027, 2, 1, 10), true, "năm 2026", scoring.NewDate(2026, 12, 31), false},
		{JobQuarterly, at(2026, 4, 1, 8), false, "quý I/2026", scoring.NewDate(2026, 3, 31), false},
		{JobQuarterly, at(2026, 5, 14, 10), true, "quý II/2026", scoring.NewDate(2026, 5, 13), true},
		{JobQuarterly, at(2027, 1, 1, 8), false, "quý IV/2026", scoring.NewDate(2026, 12, 31), false},
		{JobQuarterly, at(2026, 1, 1, 8), false, "quý IV/2025", scoring.NewDate(2025, 12, 31), false},
	} {
		r := w.eng.reviewPeriod(tc.job, tc.at, tc.manual)
		if r.period.Label != tc.period || r.at != tc.figuresAt || r.provisional != tc.provisional {
			t.Errorf("%s at %s (manual %v): %s, figures to %s, provisional %v; want %s, %s, %v", tc.job, tc.at.Format("02/01/2006 15:04"),
				tc.manual, r.period.Label, r.at, r.provisional, tc.period, tc.figuresAt, tc.provisional)
		}
	}
	// /chay soket in December: the first half-year, final; in May: «tạm tính».
	for _, tc := range []struct {
		at         time.Time
		want, not  string
		provisonal bool
	}{
		{at(2026, 12, 15, 10), "Số liệu tính đến hết ngày 30/06/2026 (từ ngày 01/01/2026).", "tạm tính", false},
		{at(2026, 5, 20, 20), "Sơ kết phong trào 6 tháng đầu năm 2026 (tạm tính)", "6 tháng cuối năm", true},
	} {
		w.clock.Set(tc.at)
		var text strings.Builder
		w.view(func(tx *store.Tx) error {
			rs, err := w.eng.posts(tx, JobSemiannual, tc.at, true)
			for _, r := range rs {
				text.WriteString(r.Text + "\n")
			}
			return err
		})
		wantContains(t, "/chay soket at "+tc.at.Format("02/01"), text.String(), tc.want)
		if strings.Contains(text.String(), tc.not) {
			t.Errorf("/chay soket at %s says %q", tc.at.Format("02/01"), tc.not)
		}
	}
}

// TestSelfDeclaredHouseholdsAreSpotChecked: a household recorded with
// /dabiet is drawn by /kiemtra like a guided one (its card says so, its
// number starts with H), its result is typed «H… không đạt: lý do», and a
// failed result bars the hamlet and the officer who recorded it; the
// result shows in /kiemtra ketqua and in the /report workbook's checks.
func TestSelfDeclaredHouseholdsAreSpotChecked(t *testing.T) {
	w := spotWorld(t)
	w.user = tg(honNhoID)
	mustContain(t, "/dabiet", joinTexts(w.text("/dabiet Đỗ Văn Tư; Tổ 2, ấp Hòn Nhỏ; 0912345610")), "Đã ghi nhận")
	var hid uint64
	if err := w.db.View(func(tx *store.Tx) error {
		h, err := tx.HouseholdByPhone("hon-nho", "0912345610")
		hid = h.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	ref := "H" + strconv.FormatUint(hid, 10)

	w.user = tg(adminID)
	rs := w.text("/kiemtra 100")
	all := joinTexts(rs)
	mustContain(t, "draw", all, "trong 9 lượt báo cáo và 1 hộ tự khai đã biết làm chưa kiểm tra", "Trong đó 1 hộ tự khai",
		bold("Hộ tự khai "+ref)+" — ấp Hòn Nhỏ", "Chủ hộ: "+bold("Đỗ Văn Tư"), "Ghi nhận: hộ tự làm được dịch vụ công trực tuyến",
		"Cán bộ ghi nhận: Nguyễn Thị Dung, 08:00 02/03/2026")
	if w.choice("kt:"+ref+":f") == "" {
		t.Fatal("no result buttons for the self-declared household")
	}
	// Typed, as on a channel without buttons.
	got := joinTexts(w.text(strings.ToLower(ref) + " không đạt: hộ nói chưa tự nộp hồ sơ trực tuyến bao giờ"))
	mustContain(t, "result", got, "Đã ghi kết quả "+bold("Không đạt")+" cho hộ tự khai "+ref,
		"Ấp Hòn Nhỏ và cán bộ ghi nhận hộ Nguyễn Thị Dung không còn được xét khen thưởng")
	if h := w.household(hid); h.Check.Status != campaign.CheckFailed || h.Check.MarkedBy != w.pid(honNhoID) || h.Check.By != w.pid(adminID) {
		t.Errorf("household check = %+v", h.Check)
	}
	awards := joinTexts(w.text("/khenthuong"))
	mustContain(t, "/khenthuong", awards, "• Ấp Hòn Nhỏ: kiểm tra ngẫu nhiên không đạt ngày 02/03/2026", "• Nguyễn Thị Dung: kiểm tra ngẫu nhiên không đạt ngày 02/03/2026")
	mustContain(t, "/kiemtra ketqua", joinTexts(w.text("/kiemtra ketqua")), "Hộ tự khai đã biết làm đã có kết quả kiểm tra: 1/1",
		"hộ tự khai "+bold("Đỗ Văn Tư")+" ("+ref+"), ghi nhận bởi Nguyễn Thị Dung. Lý do: hộ nói chưa tự nộp hồ sơ trực tuyến bao giờ")
	// Undoing the mark does not undo the failed check.
	if err := w.db.Update(func(tx *store.Tx) error { return tx.UnmarkSelfAble(hid, w.pid(honNhoID)) }); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "/khenthuong after undo", joinTexts(w.text("/khenthuong")), "• Ấp Hòn Nhỏ: kiểm tra ngẫu nhiên không đạt")

	// The /report workbook's checks list it as a self-declared household.
	rs = w.text("/report thang hon-nho")
	var file []byte
	for _, r := range rs {
		if r.File != nil {
			file = r.File.Bytes
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("report workbook: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.SheetChecks)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(rows), "Đỗ Văn Tư (hộ tự khai)") || !strings.Contains(fmt.Sprint(rows), "Không đạt") {
		t.Errorf("checks sheet: %q", rows)
	}
}

// TestExclusionGroundsTypedOnZalo: without buttons, the grounds are
// numbered lines; a typed number or the ground's name picks one, and
// «Lý do khác» requires its text.
func TestExclusionGroundsTypedOnZalo(t *testing.T) {
	w := spotWorld(t)
	zadmin := chat.Addr(chat.Zalo, "zalo-admin")
	w.addPerson(zadmin, "", campaign.RoleAdmin, "Quản Trị Zalo")
	w.user = zadmin
	dung := w.pid(honNhoID).String()
	ask := w.text("/loaitru canbo " + dung)
	if len(ask) != 1 {
		t.Fatalf("%d replies", len(ask))
	}
	mustContain(t, "grounds", ask[0].Text, "gõ số thứ tự hoặc tên căn cứ", "Gõ /huy để dừng.")
	if n := len(flatten(ask[0].Choices)); n != 6 {
		t.Errorf("%d choices on Zalo, want the 6 grounds (no «Hủy» choice)", n)
	}
	mustContain(t, "typed number", joinTexts(w.text("2")), "Căn cứ: "+bold("Đang bị xem xét xử lý vi phạm hành chính"), "gõ «không ghi thêm»")
	mustContain(t, "no details", joinTexts(w.text("không ghi thêm")), "Đã loại trừ cán bộ "+bold("Nguyễn Thị Dung"))
	xs := w.exclusions()
	if len(xs) != 1 || xs[0].Ground != campaign.GroundAdministrative || xs[0].Reason != "" {
		t.Fatalf("exclusions = %+v", xs)
	}
	// The ground's name typed; «Lý do khác» needs its reason.
	w.text("/loaitru ap hon-nho")
	mustContain(t, "typed name", joinTexts(w.text("Thanh tra, kiểm tra")), "Căn cứ: "+bold("Đang bị thanh tra, kiểm tra khi có dấu hiệu vi phạm"))
	w.text("/huy")
	w.text("/loaitru ap hon-nho")
	mustContain(t, "other", joinTexts(w.text("lý do khác")), "Vui lòng gõ "+bold("lý do")+" (bắt buộc")
	mustContain(t, "empty reason", joinTexts(w.text("   ")), "bắt buộc")
	mustContain(t, "reason", joinTexts(w.text("Chờ kết luận của Đoàn kiểm tra")), "Đã loại trừ ấp "+bold("Hòn Nhỏ"), "Căn cứ: Lý do khác: Chờ kết luận của Đoàn kiểm tra")
	mustContain(t, "list", joinTexts(w.text("/loaitru")), "căn cứ: Chờ kết luận của Đoàn kiểm tra", "căn cứ: Đang bị xem xét xử lý vi phạm hành chính")
	// An officer whose rights are gone cannot finish one (flowAccess).
	w.text("/loaitru ap nam-du")
	if err := w.db.Update(func(tx *store.Tx) error {
		o := w.person(zadmin)
		o.Role = campaign.RoleOfficer
		o.HamletID = "nam-du"
		return tx.PutOfficer(o, 0, "test")
	}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, "demoted", joinTexts(w.text("1")), "không có quyền tiếp tục việc này")
	if len(w.exclusions()) != 2 {
		t.Errorf("exclusions after a demoted admin's answer: %+v", w.exclusions())
	}
}

// TestAffiliationsAndTheHamletHeadsDossier: an admin changes an officer's
// affiliation (/capquyen), /canbo shows it, the hamlet head prepares the
// hamlet's own dossier (/hoso) with roles and affiliations, and no other.
func TestAffiliationsAndTheHamletHeadsDossier(t *testing.T) {
	w := spotWorld(t)
	const headID int64 = 4002
	w.addOfficer(headID, "hon-nho", campaign.RoleLeader, "Võ Văn Em")
	w.user = tg(headID)
	w.text("/baocao Hộ Số Mười; Tổ 3, ấp Hòn Nhỏ; 0912345611; khai sinh")

	w.user = tg(adminID)
	dung := w.pid(honNhoID).String()
	mustContain(t, "/capquyen", joinTexts(w.text("/capquyen "+dung+" tocongnghe")), "Đã đổi cho "+bold("Nguyễn Thị Dung"),
		"đơn vị chưa ghi → "+bold("Tổ công nghệ số cộng đồng"))
	if o := w.person(tg(honNhoID)); o.Affiliation != campaign.AffTechTeam || o.Role != campaign.RoleOfficer {
		t.Errorf("stored = %+v", o)
	}
	mustContain(t, "again", joinTexts(w.text("/capquyen "+dung+" tocongnghe")), "không có gì thay đổi")
	mustContain(t, "both", joinTexts(w.text("/capquyen "+w.pid(headID).String()+" truong_ap bannhandan")), "đơn vị chưa ghi → "+bold("Ban Nhân dân ấp"))
	mustContain(t, "/canbo", joinTexts(w.text("/canbo hon-nho")), "Nguyễn Thị Dung")
	mustContain(t, "/canbo", joinTexts(w.text("/canbo hon-nho")), "cán bộ ấp · Tổ công nghệ số cộng đồng", "trưởng ấp · Ban Nhân dân ấp")
	if a := w.auditActions("officer.affiliation"); len(a) != 2 {
		t.Errorf("affiliation changes audited %d times, want 2", len(a))
	}

	w.user = tg(headID)
	rs := w.text("/hoso")
	docs := documents(t, rs)
	if len(docs) != 3 {
		t.Fatalf("the hamlet head's /hoso: %d documents\n%s", len(docs), joinTexts(rs))
	}
	proposal := docxText(t, docs["hon-nho-to-trinh-2026-03-02.docx"])
	mustContain(t, "Tờ trình", proposal, "Võ Văn Em\nTrưởng ấp\nBan Nhân dân ấp", "Nguyễn Thị Dung\nTổ công nghệ số cộng đồng")
	mustNotContain(t, "Tờ trình", proposal, "Cán bộ ấp Hòn Nhỏ")
	mustContain(t, "own hamlet by id", joinTexts(w.text("/hoso hon-nho")), "Hồ sơ khen thưởng ấp Hòn Nhỏ")
	other := w.text("/hoso bai-nha")
	mustContain(t, "another hamlet", joinTexts(other), "chỉ lập được hồ sơ của ấp mình")
	if len(documents(t, other)) != 0 {
		t.Error("a hamlet head got another hamlet's dossier")
	}
	if a := w.auditActions("dossier.export"); len(a) != 2 || a[0].Actor != w.pid(headID) {
		t.Errorf("dossier audit = %+v", a)
	}
}

// TestRegisterWarnings: more able households than a hamlet's register:
// /ap, /report and /hoso say so and ask for /sosho; figures stop at the
// register.
func TestRegisterWarnings(t *testing.T) {
	w := newAdmWorld(t, admNow)
	w.seed()
	w.update(func(tx *store.Tx) error { return tx.SetHouseholds("nam-du", 10, 0) })
	warn := "Số hộ biết làm của ấp Nam Du (43) vượt số hộ trong sổ (10) 33 hộ: số liệu chỉ tính tối đa bằng số hộ trong sổ; quản trị viên hãy kiểm tra và sửa số hộ bằng lệnh /sosho."
	ap := w.send(admAdmin, "/ap")
	wantContains(t, "/ap", ap[0].Text, code("nam-du")+" — "+bold("Nam Du")+": 10 hộ · 10 hộ biết làm · độ phủ 100,0%\n   ⚠️ "+warn)
	wantContains(t, "/report", w.send(admAdmin, "/report thang")[0].Text, "⚠️ "+warn)
	rs := w.send(admAdmin, "/hoso nam-du")
	wantContains(t, "/hoso", rs[0].Text, "⚠️ "+warn)
	if !strings.Contains(w.send(admAdmin, "/ap")[0].Text, "⚠️") {
		t.Error("no warning")
	}
	// A corrected register: no warning.
	w.send(admAdmin, "/sosho nam-du 298")
	if got := w.send(admAdmin, "/ap")[0].Text; strings.Contains(got, "vượt số hộ trong sổ") {
		t.Errorf("/ap still warns: %s", got)
	}
}
