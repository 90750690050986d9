package intake

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeAddress(t *testing.T) {
	tests := []struct {
		in, want, mention string
	}{
		{in: "  Tổ 3,  ấp Bãi Nhà ", want: "Tổ 3, ấp Bãi Nhà"},
		{in: "To\u0302\u0309 3, a\u0302\u0301p Ba\u0303i Nha\u0300", want: "Tổ 3, ấp Bãi Nhà"},
		{in: "Số 12\nẤp Hòn Tre", want: "Số 12 Ấp Hòn Tre"},
		{in: "15", want: "15"},
		{in: "Nhà 🏠 cạnh chợ", want: "Nhà 🏠 cạnh chợ"},
		{in: "<Tổ 3> & ấp 2", want: "<Tổ 3> & ấp 2"}, // kept; escaping is the renderer's job
		{in: strings.Repeat("ấ", 200), want: strings.Repeat("ấ", 200)},
		{in: "", mention: "chưa nhập địa chỉ"},
		{in: " \u200b\t", mention: "chưa nhập địa chỉ"},
		{in: "...", mention: "phải có chữ hoặc số"},
		{in: "🏠🏠", mention: "phải có chữ hoặc số"},
		{in: strings.Repeat("ấ", 201), mention: "dài 201 ký tự"},
		{in: strings.Repeat("x", 10000), mention: "quá giới hạn 200"},
	}
	for _, tt := range tests {
		got, err := NormalizeAddress(tt.in)
		if tt.mention == "" {
			if err != nil || got != tt.want {
				t.Errorf("NormalizeAddress(%.20q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			if again, _ := NormalizeAddress(got); again != got {
				t.Errorf("not idempotent on %q", got)
			}
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != FieldAddress {
			t.Errorf("NormalizeAddress(%.20q) = %q, %v; want address error", tt.in, got, err)
			continue
		}
		if !strings.Contains(fe.Message, tt.mention) {
			t.Errorf("message %q does not mention %q", fe.Message, tt.mention)
		}
		assertSentence(t, fe.Message)
	}
}
