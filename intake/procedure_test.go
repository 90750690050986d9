package intake

import (
	"slices"
	"strings"
	"testing"

	"dvcbot/campaign"
	"golang.org/x/text/unicode/norm"
)

func TestMatchProcedures(t *testing.T) {
	tests := []struct {
		query string
		want  []string // ids; empty = unknown
	}{
		// exact id, any case
		{"khai_sinh", []string{"khai_sinh"}},
		{"KHAI_SINH", []string{"khai_sinh"}},
		{"gplx", []string{"gplx"}},
		{"GPLX", []string{"gplx"}},
		{"bhyt", []string{"bhyt"}}, // the id of "Gia hạn thẻ BHYT" wins over name matching
		{"khac", []string{"khac"}},
		// 1-based position in the catalogue
		{"1", []string{"khai_sinh"}},
		{"3", []string{"tam_tru"}},
		{"13", []string{"khac"}},
		{"0", nil},
		{"14", nil},
		{"99999999999999999999999", nil},
		// exact folded name
		{"Đăng ký khai sinh", []string{"khai_sinh"}},
		{"dang ky khai sinh", []string{"khai_sinh"}},
		{"ĐĂNG KÝ THƯỜNG TRÚ", []string{"thuong_tru"}},
		{"khác", []string{"khac"}},
		{"Liên thông khai sinh - thường trú - cấp thẻ BHYT cho trẻ dưới 6 tuổi", []string{"lien_thong"}},
		// name ends with the phrase: "khai sinh" is not the Liên thông procedure
		{"khai sinh", []string{"khai_sinh"}},
		{"Khai Sinh", []string{"khai_sinh"}},
		{"khai sinh", []string{"khai_sinh"}},
		{"thường trú", []string{"thuong_tru"}},
		{"Thuong tru", []string{"thuong_tru"}},
		{"tạm trú", []string{"tam_tru"}},
		{"lưu trú", []string{"luu_tru"}},
		{"khai tử", []string{"khai_tu"}},
		{"kết hôn", []string{"ket_hon"}},
		{"lý lịch tư pháp", []string{"ly_lich"}},
		{"ly lich tu phap", []string{"ly_lich"}},
		{"hôn nhân", []string{"hon_nhan"}},
		{"tình trạng hôn nhân", []string{"hon_nhan"}},
		{"trích lục", []string{"trich_luc"}},
		{"hộ tịch", []string{"trich_luc"}},
		{"giấy phép lái xe", []string{"gplx"}},
		{"lái xe", []string{"gplx"}},
		{"liên thông", []string{"lien_thong"}},
		{"khai sinh thường trú", []string{"lien_thong"}},
		{"khai sinh – thường trú", []string{"lien_thong"}},
		{"gia hạn BHYT", []string{"bhyt"}},
		{"thẻ BHYT hộ gia đình", []string{"bhyt"}},
		{"BHYT trẻ em", nil},
		{"BHYT trẻ", []string{"lien_thong"}},
		// initials
		{"dkks", []string{"khai_sinh"}},
		{"ĐKKS", []string{"khai_sinh"}},
		{"dktt", []string{"thuong_tru", "tam_tru"}}, // đăng ký thường/tạm trú
		// ambiguous: the caller asks which
		{"BHYT", []string{"bhyt"}}, // id, case-insensitive
		{"thẻ bhyt", []string{"bhyt", "lien_thong"}},
		{"đăng ký", []string{"khai_sinh", "thuong_tru", "tam_tru", "khai_tu", "ket_hon"}},
		{"trú", []string{"thuong_tru", "tam_tru", "luu_tru"}},
		// unknown
		{"cấp căn cước", nil},
		{"", nil},
		{"   ", nil},
		{"!!!", nil},
		{"😀", nil},
	}
	for _, tt := range tests {
		got := ids(MatchProcedures(catalogue, tt.query))
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("MatchProcedures(%q) = %v, want %v", tt.query, got, tt.want)
		}
	}
}

// TestMatchProceduresBHYTWithoutID checks the name rule on its own: where
// the id is not "bhyt", "bhyt" is ambiguous between the renewal and the
// Liên thông procedure, since both names contain the word and neither ends
// with it.
func TestMatchProceduresBHYTWithoutID(t *testing.T) {
	cat := slices.Clone(catalogue)
	for i := range cat {
		if cat[i].ID == "bhyt" {
			cat[i].ID = "gia_han_bhyt"
		}
	}
	got := ids(MatchProcedures(cat, "BHYT"))
	if want := []string{"gia_han_bhyt", "lien_thong"}; !slices.Equal(got, want) {
		t.Errorf("MatchProcedures(BHYT) = %v, want %v", got, want)
	}
}

func TestMatchProceduresNFD(t *testing.T) {
	for _, p := range catalogue {
		nfd := norm.NFD.String(strings.ToUpper(p.Name))
		got := MatchProcedures(catalogue, nfd)
		if len(got) != 1 || got[0].ID != p.ID {
			t.Errorf("MatchProcedures(NFD %q) = %v", p.Name, ids(got))
		}
	}
}

func TestMatchProceduresEmptyCatalogue(t *testing.T) {
	for _, q := range []string{"1", "khai sinh", "khac"} {
		if got := MatchProcedures(nil, q); len(got) != 0 {
			t.Errorf("MatchProcedures(nil, %q) = %v", q, got)
		}
	}
	dup := []campaign.Procedure{{ID: "a", Name: "Đăng ký khai sinh"}, {ID: "b", Name: "Đăng ký khai sinh"}}
	if got := ids(MatchProcedures(dup, "khai sinh")); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("duplicate names: %v", got)
	}
}
