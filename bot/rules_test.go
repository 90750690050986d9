package bot

import (
	"strings"
	"testing"
	"time"

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
