package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoSampleData: `demo --sample-data` fills an empty file once with
// illustrative reports, so rankings and award lists have something to show.
func TestDemoSampleData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	r := runCmd(t, lines("/khenthuong", "/xephang"), nil, "demo", "--store", path, "--sample-data")
	if r.err != nil {
		t.Fatalf("demo: %v\n%s", r.err, r.stderr)
	}
	for _, want := range []string{"báo cáo minh họa", "Tập thể (tối đa 06; độ phủ từ 95,0%):\n1. Ấp ", "Cá nhân đề nghị xét (tối đa 26):\n1. ", "Phần quà khen thưởng riêng", "Bảng xếp hạng ngày"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// A second run does not add the sample again, and says so.
	r = runCmd(t, lines("/toi"), nil, "demo", "--store", path, "--sample-data")
	if r.err != nil || strings.Contains(r.stdout, "báo cáo minh họa") || !strings.Contains(r.stdout, "không tạo thêm dữ liệu minh họa") {
		t.Errorf("sample data added twice, or silently not added (%v):\n%s", r.err, r.stdout)
	}
}
