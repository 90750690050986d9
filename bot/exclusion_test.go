package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

func (w *world) exclusions() []campaign.Exclusion {
	w.t.Helper()
	var out []campaign.Exclusion
	if err := w.db.View(func(tx *store.Tx) (err error) { out, err = tx.Exclusions(); return err }); err != nil {
		w.t.Fatal(err)
	}
	return out
}

func TestExclusionsAddListLift(t *testing.T) {
	w := spotWorld(t)
	mustContain(t, "empty list", joinTexts(w.text("/loaitru")), "Hiện không có cán bộ hay ấp nào bị loại trừ")
	dung, admin := w.pid(honNhoID).String(), w.pid(adminID)

	// Exclude an officer (by their number in /canbo): the plan's grounds
	// are offered, then details; stored, audited, shown with the ground and
	// details where candidates are.
	ask := joinTexts(w.text("/loaitru canbo " + dung))
	mustContain(t, "grounds offered", ask, "Chọn "+bold("căn cứ")+" theo Kế hoạch", "1. Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật",
		"6. Lý do khác")
	mustContain(t, "details asked", joinTexts(w.press("lt:ky_luat")), "Căn cứ: "+bold("Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật"), "Không ghi thêm")
	got := joinTexts(w.text("Quyết định số 05/QĐ-UBND ngày 01/03/2026"))
	mustContain(t, "exclude officer", got, "Đã loại trừ cán bộ "+bold("Nguyễn Thị Dung")+" (ấp Hòn Nhỏ, số "+dung+")", "từ hôm nay 02/03/2026",
		"Căn cứ: Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật\nChi tiết: Quyết định số 05/QĐ-UBND ngày 01/03/2026", code("/boloaitru canbo "+dung))
	xs := w.exclusions()
	if len(xs) != 1 || xs[0].Kind != campaign.ExcludeOfficer || xs[0].Target != dung || xs[0].Ground != campaign.GroundDiscipline ||
		xs[0].Reason != "Quyết định số 05/QĐ-UBND ngày 01/03/2026" || xs[0].By != admin || !xs[0].At.Equal(worldStart) {
		t.Fatalf("stored exclusions = %+v", xs)
	}
	if a := w.auditActions("exclusion.add"); len(a) != 1 || a[0].Actor != admin {
		t.Fatalf("exclusion audit = %+v", a)
	}
	awards := joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards", awards, "• Nguyễn Thị Dung: đang bị loại trừ: Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật: Quyết định số 05/QĐ-UBND ngày 01/03/2026", "1. Ấp Hòn Nhỏ")

	// Exclude a hamlet (the id in any case) in one line: the ground's word, then details.
	w.clock.Add(24 * time.Hour)
	mustContain(t, "exclude hamlet", joinTexts(w.text("/loaitru ấp HON-NHO khieunai Đơn ngày 01/03/2026")), "Đã loại trừ ấp "+bold("Hòn Nhỏ"),
		"Căn cứ: Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ")
	awards = joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards", awards, "Chưa có ấp nào đủ tiêu chuẩn", "• Ấp Hòn Nhỏ: đang bị loại trừ: Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ: Đơn ngày 01/03/2026")

	// The list shows both, with ground, date and who.
	list := joinTexts(w.text("/loaitru"))
	mustContain(t, "list", list, "Đang bị loại trừ khỏi khen thưởng"+chat.BoldEnd+" (2)",
		"• Cán bộ "+bold("Nguyễn Thị Dung")+" (ấp Hòn Nhỏ, số "+dung+") — từ 02/03/2026, căn cứ: Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật: Quyết định số 05/QĐ-UBND ngày 01/03/2026 (ghi bởi quản trị viên (số "+admin.String()+"))",
		"• Ấp "+bold("Hòn Nhỏ")+" (hon-nho) — từ 03/03/2026, căn cứ: Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ: Đơn ngày 01/03/2026")

	// A new ground replaces the old one and keeps the date.
	mustContain(t, "update", joinTexts(w.text("/loaitru canbo "+dung+" thanhtra")), "Đã cập nhật căn cứ loại trừ", "Căn cứ: Đang bị thanh tra, kiểm tra khi có dấu hiệu vi phạm",
		"Vẫn tính từ ngày 02/03/2026")
	for _, x := range w.exclusions() {
		if x.Kind == campaign.ExcludeOfficer && (x.Ground != campaign.GroundInspection || x.Reason != "" || !x.At.Equal(worldStart)) {
			t.Errorf("updated exclusion = %+v", x)
		}
	}

	// Lift both: audited, candidates again.
	mustContain(t, "lift officer", joinTexts(w.text("/boloaitru canbo "+dung)), "Đã bỏ loại trừ Cán bộ "+bold("Nguyễn Thị Dung"))
	mustContain(t, "lift hamlet", joinTexts(w.text("/boloaitru ap hon-nho")), "Đã bỏ loại trừ Ấp "+bold("Hòn Nhỏ"))
	if xs := w.exclusions(); len(xs) != 0 {
		t.Fatalf("exclusions left: %+v", xs)
	}
	if a := w.auditActions("exclusion.lift"); len(a) != 2 || a[0].Actor != admin || !strings.Contains(a[0].Before, "thanh_tra") {
		t.Fatalf("lift audit = %+v", a)
	}
	awards = joinTexts(w.text("/khenthuong"))
	mustContain(t, "awards after lifting", awards, "1. Ấp Hòn Nhỏ", ". Nguyễn Thị Dung — hướng dẫn 2 hộ")
	mustNotContain(t, "awards after lifting", awards, "loại trừ")
	// As of the day before, the officer's exclusion (02/03, lifted 03/03)
	// was in force and is shown; the hamlet's, placed and lifted on 03/03,
	// never was.
	past := joinTexts(w.text("/khenthuong 02/03/2026"))
	mustContain(t, "awards as of 02/03 after lifting", past, "• Nguyễn Thị Dung: đang bị loại trừ: Đang bị thanh tra, kiểm tra khi có dấu hiệu vi phạm")
	mustNotContain(t, "awards as of 02/03 after lifting", past, "Đơn ngày 01/03/2026")
	var lifted []campaign.Exclusion
	if err := w.db.View(func(tx *store.Tx) (err error) { lifted, err = tx.LiftedExclusions(); return err }); err != nil {
		t.Fatal(err)
	}
	if len(lifted) != 2 {
		t.Fatalf("lifted exclusions = %+v", lifted)
	}
	for _, x := range lifted {
		if x.LiftedBy != admin || !x.LiftedAt.Equal(worldStart.Add(24*time.Hour)) || (x.Target != dung && x.Target != "hon-nho") {
			t.Errorf("lifted exclusion = %+v", x)
		}
	}
	mustContain(t, "lift again", joinTexts(w.text("/boloaitru canbo "+dung)), "Không có trường hợp loại trừ nào với cán bộ «"+dung+"»")
}

func TestExclusionBadInput(t *testing.T) {
	w := spotWorld(t)
	dung := w.pid(honNhoID).String()
	long := strings.Repeat("x", maxReasonRunes+1)
	for _, tc := range []struct {
		user int64
		in   string
		want string
	}{
		{adminID, "/loaitru canbo " + dung + " khac", "Với «Lý do khác», cần ghi rõ lý do"},
		{adminID, "/loaitru canbo " + dung + " " + long, "quá 300 ký tự"},
		{adminID, "/loaitru canbo 9999 Kỷ luật", "Không có cán bộ nào mang số 9999"},
		{adminID, "/loaitru canbo 4001 Kỷ luật", "Không có cán bộ nào mang số 4001"}, // a Telegram id is nobody's number
		{adminID, "/loaitru canbo abc Kỷ luật", "«abc» không phải số của cán bộ"},
		{adminID, "/loaitru ap dao-ngoc Khiếu nại", "Không có ấp mã «dao-ngoc»"},
		{adminID, "/loaitru ai " + dung + " Kỷ luật", "Cách dùng:"},
		{adminID, "/boloaitru", "Cách dùng:"},
		{adminID, "/boloaitru ap bai-nha", "Không có trường hợp loại trừ nào với ấp «bai-nha»"},
		{officerID, "/loaitru canbo " + dung + " Kỷ luật", "Lệnh /loaitru chỉ dành cho quản trị viên"},
		{officerID, "/boloaitru canbo " + dung, "Lệnh /boloaitru chỉ dành cho quản trị viên"},
		{officerID, "/loaitru", "Lệnh /loaitru chỉ dành cho quản trị viên"},
	} {
		w.user = tg(tc.user)
		before := w.counts()
		mustContain(t, fmt.Sprintf("%d %q", tc.user, tc.in), joinTexts(w.text(tc.in)), tc.want)
		if after := w.counts(); after != before {
			t.Errorf("%q changed the store: %v → %v", tc.in, before, after)
		}
	}
	w.user = tg(adminID)
	mustContain(t, "group", joinTexts(w.group("/loaitru canbo "+dung+" Kỷ luật")), msgPrivateOnly)
	if xs := w.exclusions(); len(xs) != 0 {
		t.Fatalf("bad input stored exclusions: %+v", xs)
	}
	// The reason keeps its exact (normalised) words, 300 characters allowed.
	ok := strings.Repeat("ệ", maxReasonRunes)
	w.text("/loaitru canbo " + dung + " " + ok)
	if xs := w.exclusions(); len(xs) != 1 || xs[0].Reason != ok {
		t.Fatalf("exclusion with a 300-character reason = %+v", xs)
	}
}
