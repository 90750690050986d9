package console

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dvcbot/chat"
)

// handlerFunc adapts a function to bot.Handler.
type handlerFunc func(ctx context.Context, in chat.Input) ([]chat.Reply, error)

func (f handlerFunc) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	return f(ctx, in)
}

// run types lines into a console answered by h and returns the screen.
func run(t *testing.T, c *Console, h handlerFunc, lines ...string) string {
	t.Helper()
	var out strings.Builder
	c.In, c.Out = strings.NewReader(strings.Join(lines, "\n")+"\n"), &out
	if err := c.Run(context.Background(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}

var demo = chat.Addr(chat.Console, "demo")

func TestLinesBecomeInputs(t *testing.T) {
	var got []chat.Input
	h := func(_ context.Context, in chat.Input) ([]chat.Reply, error) {
		got = append(got, in)
		return nil, nil
	}
	run(t, &Console{}, h, "/baocao", "Nguyễn Văn An", "/anh p1")
	caps := chat.CapsOf(chat.Console)
	want := []chat.Input{
		{Chat: demo, From: demo, Private: true, Text: "/baocao", Caps: caps},
		{Chat: demo, From: demo, Private: true, Text: "Nguyễn Văn An", Caps: caps},
		{Chat: demo, From: demo, Private: true, Photo: &chat.Photo{Ref: "demo-photo-p1"}, Caps: caps},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("inputs:\n%+v\nwant\n%+v", got, want)
	}
}

// The numbers shown next to choices tap them; a number that is no choice
// (or on a rendering without buttons) is text.
func TestNumbersTapTheLastChoicesShown(t *testing.T) {
	var got []chat.Input
	h := func(_ context.Context, in chat.Input) ([]chat.Reply, error) {
		got = append(got, in)
		if in.Text == "/hoi" {
			return []chat.Reply{{To: in.Chat, Text: "Chọn " + chat.Bold("một"), Choices: [][]chat.Choice{
				{{Label: "Có", Value: "yes"}, {Label: "Trang", URL: "https://example.invalid/x"}},
				{{Label: "Không", Value: "no"}},
			}}}, nil
		}
		return nil, nil
	}
	out := run(t, &Console{}, h, "/hoi", "2", "3", "1")
	if len(got) != 4 {
		t.Fatalf("%d inputs", len(got))
	}
	if cb := got[1].Callback; cb == nil || cb.Data != "no" || got[1].Text != "" {
		t.Errorf("«2» = %+v, want a tap on «Không»", got[1])
	}
	if got[2].Callback != nil || got[2].Text != "3" {
		t.Errorf("«3» = %+v, want the text 3 (there are two choices)", got[2])
	}
	if cb := got[3].Callback; cb == nil || cb.Data != "yes" {
		t.Errorf("«1» = %+v, want a tap on «Có»", got[3])
	}
	for _, want := range []string{"Chọn một\n", "[1] Có", "[Trang: https://example.invalid/x]", "[2] Không", "(gõ số để chọn)"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x11\x12") {
		t.Errorf("emphasis marks on the screen: %q", out)
	}

	// Rendered as Zalo (no buttons): a number is text for the engine.
	got = nil
	zalo := chat.CapsOf(chat.Zalo)
	run(t, &Console{Caps: &zalo, Render: func(r chat.Reply) string { return chat.Plain(r.Text) }}, h, "/hoi", "2")
	if len(got) != 2 || got[1].Callback != nil || got[1].Text != "2" || got[1].Caps != zalo {
		t.Errorf("on Zalo «2» = %+v", got[1])
	}
}

// Scheduled posts print marked by where they would go; their choices do
// not replace the ones the person was answering.
func TestSendMarksGroupAndOtherPeoplesPosts(t *testing.T) {
	var out strings.Builder
	c := &Console{Out: &out}
	ctx := context.Background()
	if err := c.Send(ctx, chat.Reply{To: demo, Text: "Bước 1", Choices: [][]chat.Choice{{{Label: "Hủy", Value: "cancel"}}}}); err != nil {
		t.Fatal(err)
	}
	posts := []chat.Reply{
		{To: chat.Addr(chat.Console, "nhom-lanh-dao"), Group: true, Text: chat.Bold("Bảng xếp hạng"), Choices: [][]chat.Choice{{{Label: "Xem", Value: "view"}}}},
		{To: chat.Addr(chat.Telegram, "42"), Text: "Nhắc việc", Optional: true},
	}
	for _, p := range posts {
		if err := c.Send(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s := out.String()
	for _, want := range []string{"📢 [Tin gửi nhóm lãnh đạo]\nBảng xếp hạng", "✉️ [Tin gửi riêng cho telegram:42]\nNhắc việc"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if b, ok := c.pressed("1"); !ok || b.Value != "cancel" {
		t.Errorf("«1» after a group post taps %+v, want the person's «Hủy»", b)
	}
}

func TestFilesSavedInFileDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "files")
	var out strings.Builder
	c := &Console{Out: &out, FileDir: dir}
	r := chat.Reply{To: demo, Text: "Báo cáo", File: &chat.File{Name: "../../bao-cao.xlsx", Bytes: []byte("PK")}}
	if err := c.Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "bao-cao.xlsx")
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "PK" {
		t.Fatalf("file not saved inside FileDir: %v", err)
	}
	if st, _ := os.Stat(p); st.Mode().Perm()&0o077 != 0 {
		t.Errorf("an attachment with personal data is readable by others: %v", st.Mode())
	}
	if !strings.Contains(out.String(), "📎 Tệp đính kèm đã lưu: "+p) {
		t.Errorf("screen = %q", out.String())
	}
}

func TestHandlerErrorShownAndReadingGoesOn(t *testing.T) {
	n := 0
	h := func(_ context.Context, in chat.Input) ([]chat.Reply, error) {
		n++
		if n == 1 {
			return []chat.Reply{{To: in.Chat, Text: "Xin lỗi"}}, errors.New("store: disk full")
		}
		return []chat.Reply{{To: in.Chat, Text: "ok " + in.Text}}, nil
	}
	out := run(t, &Console{}, h, "a", "b")
	if !strings.Contains(out, "(lỗi: store: disk full)") || !strings.Contains(out, "Xin lỗi") || !strings.Contains(out, "ok b") {
		t.Errorf("screen:\n%s", out)
	}
}
