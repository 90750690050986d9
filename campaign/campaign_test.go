package campaign

import (
	"strings"
	"testing"
)

// TestExclusionGrounds checks the plan's grounds (Kế hoạch, mục IV.3) are
// all offered, in the plan's order, with «Lý do khác» last.
func TestExclusionGrounds(t *testing.T) {
	gs := ExclusionGrounds()
	want := []string{"kỷ luật", "vi phạm hành chính", "điều tra, truy tố, xét xử", "thanh tra, kiểm tra", "khiếu nại, tố cáo", "Lý do khác"}
	if len(gs) != len(want) {
		t.Fatalf("%d grounds, want %d", len(gs), len(want))
	}
	seen := map[ExclusionGround]bool{}
	for i, g := range gs {
		if !strings.Contains(g.Label(), want[i]) || g.Short() == "" || !g.Valid() || seen[g] {
			t.Errorf("ground %d = %q (%q, %q)", i+1, g, g.Label(), g.Short())
		}
		seen[g] = true
		if p, ok := ParseExclusionGround(string(rune('1' + i))); !ok || p != g {
			t.Errorf("ParseExclusionGround(%d) = %q, %v", i+1, p, ok)
		}
		if p, ok := ParseExclusionGround(string(g)); !ok || p != g {
			t.Errorf("ParseExclusionGround(%q) = %q, %v", g, p, ok)
		}
	}
	for _, bad := range []string{"", "0", "7", "kyluat", "Kỷ luật"} {
		if g, ok := ParseExclusionGround(bad); ok {
			t.Errorf("ParseExclusionGround(%q) = %q", bad, g)
		}
	}
	if ExclusionGround("x").Valid() || ExclusionGround("x").Label() != "" {
		t.Error("an unknown ground is valid")
	}
}

func TestExclusionReason(t *testing.T) {
	for _, tc := range []struct {
		g    ExclusionGround
		text string
		want string
	}{
		{GroundComplaint, "đơn ngày 02/05/2026", "Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ: đơn ngày 02/05/2026"},
		{GroundDiscipline, "", "Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật"},
		{GroundOther, "đang nghỉ dài hạn", "đang nghỉ dài hạn"},
		{GroundOther, "", "Lý do khác"},
		{"", "Đang bị thanh tra", "Đang bị thanh tra"}, // recorded before grounds existed
	} {
		if got := ExclusionReason(tc.g, tc.text); got != tc.want {
			t.Errorf("ExclusionReason(%q, %q) = %q, want %q", tc.g, tc.text, got, tc.want)
		}
		if got := (Exclusion{Ground: tc.g, Reason: tc.text}).Text(); got != tc.want {
			t.Errorf("Exclusion.Text = %q", got)
		}
	}
}
