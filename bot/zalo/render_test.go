package zalo

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/chat"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/render")

// showCalls renders calls for a golden file: bold (from text_styles) as
// **…**, each message with its length in UTF-16 units.
func showCalls(calls []call) string {
	var b strings.Builder
	for i, c := range calls {
		if c.photo != "" {
			fmt.Fprintf(&b, "== %d: sendPhoto %s, caption of %d units\n", i+1, c.photo, utf16Len(c.text.Text))
		} else {
			fmt.Fprintf(&b, "== %d: sendMessage, %d units\n", i+1, utf16Len(c.text.Text))
		}
		b.WriteString(withBold(c.text))
		b.WriteString("\n")
		if len(c.text.Styles) > 0 {
			b.WriteString("styles:")
			for _, st := range c.text.Styles {
				fmt.Fprintf(&b, " %s@%d+%d", strings.Join(st.St, ","), st.Start, st.Len)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// withBold inserts ** around the styled ranges (UTF-16 offsets).
func withBold(t Text) string {
	marks := map[int]int{} // unit offset → number of ** to insert
	for _, st := range t.Styles {
		marks[st.Start]++
		marks[st.Start+st.Len]++
	}
	var b strings.Builder
	u := 0
	for _, r := range t.Text {
		b.WriteString(strings.Repeat("**", marks[u]))
		b.WriteRune(r)
		u += runeUnits(r)
	}
	b.WriteString(strings.Repeat("**", marks[u]))
	return b.String()
}

type stubLinker struct{}

func (stubLinker) Link(_ context.Context, to chat.Address, f chat.File) (string, time.Time, int, error) {
	return "https://dvc.example.vn/f/" + to.ID + "/" + f.Name + "?sig=abc", time.Date(2026, 3, 2, 1, 30, 0, 0, time.UTC), 3, nil
}

type stubHost struct{}

func (stubHost) OneTime(_ context.Context, f chat.File) (string, error) {
	return "https://dvc.example.vn/p/once-" + f.Name, nil
}

func leaderboard() string {
	var b strings.Builder
	b.WriteString(chat.Bold("BẢNG XẾP HẠNG NGÀY 01/03/2026") + "\n")
	b.WriteString("Phong trào «Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến»\n\n")
	hamlets := []string{"Hòn Tre", "Bãi Bấc", "Bãi Nam", "Hòn Ngang", "Bãi Chướng", "Hòn Nhum", "Hòn Đá Bạc",
		"Hòn Sơn", "Bãi Nhà", "Bãi Xếp", "Hòn Mấu", "Hòn Kiến Vàng", "Hòn Bà"}
	for round := 0; round < 3; round++ {
		for i, h := range hamlets {
			fmt.Fprintf(&b, "%d. %s: %d hộ hôm nay, %d ngày đạt liên tiếp, độ phủ %d,%d%%\n",
				i+1, chat.Bold("Ấp "+h), (i+round)%4, 30-i, 40+i*3, i%10)
		}
		b.WriteString("\n" + chat.Italic("Số liệu minh hoạ.") + "\n\n")
	}
	b.WriteString(chat.Pre("Ấp          Hộ  Ngày\nHòn Tre      3    30\nBãi Bấc      1    29"))
	return b.String()
}

func TestRenderGolden(t *testing.T) {
	to := chat.Addr(chat.Zalo, "6ede9afa1b2c7f3e")
	tests := []struct {
		name   string
		r      chat.Reply
		styles bool
	}{
		{"choices", chat.Reply{To: to, Text: "Hộ " + chat.Bold("Nguyễn Văn An") + " đã được lưu.\nBạn muốn làm gì tiếp?",
			Choices: [][]chat.Choice{
				{{Label: "Báo cáo hộ khác", Value: "cmd:baocao"}, {Label: "Xem hôm nay", Value: "cmd:homnay"}},
				{{Label: "Hướng dẫn", URL: "https://dvc.example.vn/huong-dan"}},
				{{Label: "Xong", Value: "done"}},
			}}, true},
		{"bold_code_pre", chat.Reply{To: to, Text: chat.Bold("Mẫu báo cáo một dòng:") + "\n" +
			chat.Code("/baocao Nguyễn Văn An; ấp Hòn Tre; 0912345678; khai sinh") + "\n\n" +
			chat.Pre("Ấp       Hộ\nHòn Tre   3\nBãi Bấc   1") + "\n" + chat.Italic("Gõ ") + chat.Bold("hoàn tác") + " để huỷ. 👨‍👩‍👧"}, true},
		{"bold_off", chat.Reply{To: to, Text: "Đã lưu " + chat.Bold("3 hộ") + "."}, false},
		{"leaderboard", chat.Reply{To: chat.Addr(chat.Zalo, "9b1f2c3d4e5f6a7b"), Text: leaderboard(), Bulk: true, Group: true}, true},
		{"file_link", chat.Reply{To: to, Text: chat.Bold("Danh sách minh chứng") + " tháng 2.",
			File: &chat.File{Name: "minh-chung-2026-02.xlsx", Bytes: []byte("x")}}, true},
		{"photo_caption", chat.Reply{To: to, Text: "Biểu đồ tiến độ " + chat.Bold("quý I") + ".",
			Photo: &chat.File{Name: "tien-do.png", Bytes: []byte("png")}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &Transport{o: Options{TextLimit: DefaultTextLimit, NoTextStyles: !tt.styles, FileLinker: stubLinker{}, PhotoHost: stubHost{}},
				log: slog.New(slog.DiscardHandler)}
			calls, err := tr.compose(context.Background(), tt.r)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range calls {
				if n := utf16Len(c.text.Text); n > DefaultTextLimit || n == 0 && c.photo == "" {
					t.Errorf("message %d has %d units", i+1, n)
				}
			}
			got := showCalls(calls)
			path := filepath.Join("testdata", "render", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering differs from %s (go test -update rewrites it):\n%s", path, got)
			}
		})
	}
}

func TestRenderMissingLinkerAndHost(t *testing.T) {
	tr := &Transport{o: Options{TextLimit: DefaultTextLimit}, log: slog.New(slog.DiscardHandler)}
	calls, err := tr.compose(context.Background(), chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: "Tệp xuất:",
		File: &chat.File{Name: "bao-cao.xlsx"}, Photo: &chat.File{Name: "bieu-do.png"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != 1 || calls[0].photo != "" {
		t.Fatalf("calls = %+v, want one text", calls)
	}
	for _, want := range []string{"Tệp xuất:", "Không gửi được tệp bao-cao.xlsx", "Không gửi được ảnh bieu-do.png"} {
		if !strings.Contains(calls[0].text.Text, want) {
			t.Errorf("text %q lacks %q", calls[0].text.Text, want)
		}
	}
}

func TestRenderChoicesNumbering(t *testing.T) {
	got := renderChoices([][]chat.Choice{{{Label: "Có", Value: "y"}, {Label: "Trang", URL: "https://x"}}, {{Label: "Không", Value: "n"}}})
	want := "1. Có\nTrang: https://x\n2. Không\n" + ChoiceHint
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := renderChoices([][]chat.Choice{{{Label: "Trang", URL: "https://x"}}}); strings.Contains(got, ChoiceHint) {
		t.Errorf("hint without numbered choices: %q", got)
	}
}
