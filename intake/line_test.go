package intake

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"dvcbot/campaign"
	"golang.org/x/text/unicode/norm"
)

func TestParseLine(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Line
		procs []string
	}{
		{
			name:  "the documented example",
			in:    strings.TrimPrefix(LineExample, "/baocao "),
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3, ấp Bãi Nhà", Phone: "0912345678"},
			procs: []string{"khai_sinh", "thuong_tru"},
		},
		{
			name:  "command left in, messy spacing, lower case",
			in:    "/baocao   nguyễn văn  an ;tổ 3, ấp bãi nhà;0912.345.678 ; khai sinh",
			want:  Line{Name: "Nguyễn Văn An", Address: "tổ 3, ấp bãi nhà", Phone: "0912345678"},
			procs: []string{"khai_sinh"},
		},
		{
			name:  "command with bot name",
			in:    "/baocao@dvc_kienhai_bot Lê Thị Bé; Ấp Bãi Giếng; +84 912 345 678; 3",
			want:  Line{Name: "Lê Thị Bé", Address: "Ấp Bãi Giếng", Phone: "0912345678"},
			procs: []string{"tam_tru"},
		},
		{
			name:  "pipes, plus signs, old number",
			in:    "Trần Văn Tư | Tổ 1, ấp Hòn Tre | 01689 123 456 | khai tử + trích lục",
			want:  Line{Name: "Trần Văn Tư", Address: "Tổ 1, ấp Hòn Tre", Phone: "0389123456"},
			procs: []string{"khai_tu", "trich_luc"},
		},
		{
			name:  "NFD typed on iOS equals NFC",
			in:    norm.NFD.String(strings.TrimPrefix(LineExample, "/baocao ")),
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3, ấp Bãi Nhà", Phone: "0912345678"},
			procs: []string{"khai_sinh", "thuong_tru"},
		},
		{
			name:  "duplicates collapse, trailing separators ignored",
			in:    "Nguyễn Văn An; Tổ 3; 0912345678; khai sinh, Khai Sinh, 1, KHAI_SINH, dkks,;",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "0912345678"},
			procs: []string{"khai_sinh"},
		},
		{
			name:  "khác with free text",
			in:    "Nguyễn Văn An; Tổ 3; 0912345678; khai sinh, khác: cấp đổi căn cước",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "0912345678", Other: "cấp đổi căn cước"},
			procs: []string{"khai_sinh", "khac"},
		},
		{
			name:  "khac without diacritics, free text with commas",
			in:    "Nguyễn Văn An; Tổ 3; 0912345678; khac cap doi CCCD, cap nhat VNeID, thường trú",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "0912345678", Other: "cap doi CCCD, cap nhat VNeID"},
			procs: []string{"khac", "thuong_tru"},
		},
		{
			name:  "two khác tokens",
			in:    "Nguyễn Văn An; Tổ 3; 0912345678; Khác - đổi CCCD, khác: đăng ký VNeID mức 2",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "0912345678", Other: "đổi CCCD; đăng ký VNeID mức 2"},
			procs: []string{"khac"},
		},
		{
			name:  "ambiguous token after khác is free text",
			in:    "Nguyễn Văn An; Tổ 3; 0912345678; khác: hướng dẫn, đăng ký",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "0912345678", Other: "hướng dẫn, đăng ký"},
			procs: []string{"khac"},
		},
		{
			name:  "liên thông by its phrase",
			in:    "Nguyễn Văn An; Tổ 3; 0297 3846 123; liên thông, gia hạn bhyt",
			want:  Line{Name: "Nguyễn Văn An", Address: "Tổ 3", Phone: "02973846123"},
			procs: []string{"lien_thong", "bhyt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLine(tt.in, catalogue)
			if err != nil {
				t.Fatalf("ParseLine(%q): %v", tt.in, err)
			}
			if gotIDs := ids(got.Procedures); !slices.Equal(gotIDs, tt.procs) {
				t.Errorf("procedures = %v, want %v", gotIDs, tt.procs)
			}
			if got.Name != tt.want.Name || got.Address != tt.want.Address || got.Phone != tt.want.Phone || got.Other != tt.want.Other {
				t.Errorf("ParseLine(%q) =\n %+v, want\n %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		name, in, field, mention string
	}{
		{"empty", "", FieldLine, "chưa nhập nội dung"},
		{"only command", "/baocao", FieldLine, "chưa nhập nội dung"},
		{"three parts", "Nguyễn Văn An; Tổ 3; 0912345678", FieldLine, "đã nhập 3 phần"},
		{"five parts", "Nguyễn Văn An; Tổ 3; ấp 2; 0912345678; khai sinh", FieldLine, "đã nhập 5 phần"},
		{"commas instead of semicolons", "Nguyễn Văn An, Tổ 3, 0912345678, khai sinh", FieldLine, "không dùng dấu phẩy"},
		{"empty middle part", "Nguyễn Văn An;; 0912345678; khai sinh", FieldAddress, "chưa nhập địa chỉ"},
		{"bad name", "Nguyễn; Tổ 3; 0912345678; khai sinh", FieldName, "ít nhất hai chữ"},
		{"emoji name", "Nguyễn An 😀; Tổ 3; 0912345678; khai sinh", FieldName, "biểu tượng cảm xúc"},
		{"bad address", "Nguyễn Văn An; ...; 0912345678; khai sinh", FieldAddress, "chữ hoặc số"},
		{"bad phone", "Nguyễn Văn An; Tổ 3; 091234567; khai sinh", FieldPhone, "mới có 9 chữ số"},
		{"phone and address swapped", "Nguyễn Văn An; 0912345678; Tổ 3; khai sinh", FieldPhone, "phần thứ 2"},
		{"phone first", "0912345678; Nguyễn Văn An; Tổ 3; khai sinh", FieldPhone, "phần thứ 1"},
		{"no procedure", "Nguyễn Văn An; Tổ 3; 0912345678; , ,", FieldProcedure, "chưa nhập thủ tục"},
		{"unknown procedure", "Nguyễn Văn An; Tổ 3; 0912345678; khai sinh, cấp căn cước", FieldProcedure, "“cấp căn cước”"},
		{"unknown procedure points to /giup", "Nguyễn Văn An; Tổ 3; 0912345678; xyz", FieldProcedure, "/giup"},
		{"khác without text", "Nguyễn Văn An; Tổ 3; 0912345678; khai sinh, khác", FieldProcedure, "chưa ghi tên thủ tục"},
		{"khác by number without text", "Nguyễn Văn An; Tổ 3; 0912345678; 13", FieldProcedure, "chưa ghi tên thủ tục"},
		{"khác too long", "Nguyễn Văn An; Tổ 3; 0912345678; khác: " + strings.Repeat("a", 201), FieldProcedure, "quá giới hạn 200"},
		{"10000 chars", strings.Repeat("Nguyễn Văn An; ", 700), FieldLine, "đã nhập 700 phần"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLine(tt.in, catalogue)
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("ParseLine(%.60q) = %v; want *FieldError", tt.in, err)
			}
			if fe.Field != tt.field {
				t.Errorf("Field = %q, want %q (%s)", fe.Field, tt.field, fe.Message)
			}
			if !strings.Contains(fe.Message, tt.mention) {
				t.Errorf("message %q does not mention %q", fe.Message, tt.mention)
			}
			if !strings.HasSuffix(fe.Message, LineExample) {
				t.Errorf("message does not repeat the example: %q", fe.Message)
			}
			assertSentence(t, fe.Message)
		})
	}
}

func TestParseLineAmbiguous(t *testing.T) {
	_, err := ParseLine("Nguyễn Văn An; Tổ 3; 0912345678; khai sinh, thẻ BHYT", catalogue)
	var ae *AmbiguousError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *AmbiguousError", err)
	}
	if ae.Token != "thẻ BHYT" || !slices.Equal(ids(ae.Candidates), []string{"bhyt", "lien_thong"}) {
		t.Errorf("AmbiguousError = %+v", ae)
	}
	msg := ae.Error()
	for _, want := range []string{"“thẻ BHYT”", "Gia hạn thẻ BHYT hộ gia đình", "Liên thông khai sinh", "ghi rõ hơn"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %q", msg, want)
		}
	}
	assertSentence(t, msg)
}

func TestParseLineWithoutOtherInCatalogue(t *testing.T) {
	cat := slices.DeleteFunc(slices.Clone(catalogue), func(p campaign.Procedure) bool { return p.ID == campaign.OtherProcedureID })
	_, err := ParseLine("Nguyễn Văn An; Tổ 3; 0912345678; khác: đổi CCCD", cat)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != FieldProcedure || strings.Contains(fe.Message, OtherExample) {
		t.Errorf("err = %v; want unknown procedure without the “khác:” suggestion", err)
	}
}

func TestParseLineOnFourLines(t *testing.T) {
	cat := campaign.DefaultProcedures()
	want, err := ParseLine("Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678; khai sinh, thường trú", cat)
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{
		"command alone first": "/baocao\nNguyễn Văn An\nTổ 3, ấp Bãi Nhà\n0912345678\nkhai sinh, thường trú",
		"command with name":   "/baocao Nguyễn Văn An\nTổ 3, ấp Bãi Nhà\n0912 345 678\nkhai sinh, thuong tru",
		"no command, CRLF":    "Nguyễn Văn An\r\nTổ 3, ấp Bãi Nhà\r\n0912345678\r\nkhai sinh, thường trú\r\n",
		"blank lines, semis":  "/baocao@dvc_bot\n\nNguyễn Văn An;\n Tổ 3, ấp Bãi Nhà \n\n0912345678|\nkhai sinh, thường trú",
	} {
		got, err := ParseLine(in, cat)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got.Name != want.Name || got.Address != want.Address || got.Phone != want.Phone || len(got.Procedures) != len(want.Procedures) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	if _, err := ParseLine("/baocao\nNguyễn Văn An\nTổ 3, ấp Bãi Nhà\nkhai sinh", cat); err == nil {
		t.Error("three lines accepted as a report")
	}
}

func TestCleanLines(t *testing.T) {
	if got := CleanLines("  a  b \n\n c\u200b \r\nd"); got != "a b\nc\nd" {
		t.Errorf("CleanLines = %q", got)
	}
	if got := CleanLines("one  line"); got != "one line" {
		t.Errorf("CleanLines = %q", got)
	}
}
