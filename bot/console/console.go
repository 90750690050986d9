// Package console is a chat transport in the terminal: it runs the same
// conversation engine as Telegram and Zalo, for `dvcbot demo` and for tests
// that drive it through standard input. It renders replies the way a
// channel would (Telegram's buttons as numbered choices, or exactly what a
// Zalo officer sees) and marks posts meant for the leaders' group.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"dvcbot/bot"
	"dvcbot/chat"
)

// Renderer turns a reply's text and choices into what the screen shows.
type Renderer func(r chat.Reply) string

// Console reads lines from In as one person's private chat and writes
// replies to Out.
type Console struct {
	In  io.Reader
	Out io.Writer
	// User is the person at the terminal (default console:demo).
	User chat.Address
	// Caps is what the rendered channel can show (default: buttons and
	// files, like Telegram without its markup).
	Caps *chat.Caps
	// Render shows a reply's text and choices (default RenderButtons).
	Render Renderer
	// FileDir is where attachments (spreadsheets, documents, charts) are saved.
	FileDir string

	mu   sync.Mutex
	keys []chat.Choice // the numbered choices last shown to the user
}

func (c *Console) user() chat.Address {
	if c.User.IsZero() {
		return chat.Addr(chat.Console, "demo")
	}
	return c.User
}

func (c *Console) caps() chat.Caps {
	if c.Caps != nil {
		return *c.Caps
	}
	return chat.CapsOf(chat.Console)
}

// Run reads lines until In ends or ctx is cancelled.
func (c *Console) Run(ctx context.Context, h bot.Handler) error {
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	c.prompt()
	me := c.user()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := sc.Text()
		// Lines typed at a terminal are read once and never re-delivered,
		// so they carry no update id.
		in := chat.Input{Chat: me, From: me, Private: true, Text: line, Caps: c.caps()}
		if rest, ok := strings.CutPrefix(line, "/anh "); ok { // simulate sending a photo
			in.Text, in.Photo = "", &chat.Photo{Ref: "demo-photo-" + strings.TrimSpace(rest)}
		}
		if b, ok := c.pressed(line); ok {
			// A terminal has nothing to tap: the number shown is the tap.
			in.Text, in.Callback = "", &chat.Callback{ID: "console", Data: b.Value}
		}
		replies, err := h.Handle(ctx, in)
		if err != nil {
			fmt.Fprintf(c.Out, "(lỗi: %v)\n", err)
		}
		for _, r := range replies {
			if err := c.Send(ctx, r); err != nil {
				return err
			}
		}
		c.prompt()
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("console: read: %w", err)
	}
	return nil
}

func (c *Console) prompt() { fmt.Fprint(c.Out, "\n> ") }

// pressed is the button the line's number picks among those last shown,
// on a rendering with buttons: the terminal's way of tapping one (so the
// number shown for «Hoàn tác» taps it, as on Telegram; typed elsewhere, a
// bare number never undoes anything).
func (c *Console) pressed(line string) (chat.Choice, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if !c.caps().Buttons || err != nil || n < 1 || n > len(c.keys) {
		return chat.Choice{}, false
	}
	return c.keys[n-1], true
}

// RenderButtons shows a reply as on a channel with buttons: the text
// without its emphasis, then the choices as numbered [n] buttons.
func RenderButtons(r chat.Reply) string {
	var b strings.Builder
	b.WriteString(chat.Plain(r.Text))
	b.WriteString("\n")
	n := 0
	for _, row := range r.Choices {
		var cells []string
		for _, btn := range row {
			if btn.URL != "" {
				cells = append(cells, fmt.Sprintf("[%s: %s]", btn.Label, btn.URL))
				continue
			}
			n++
			cells = append(cells, fmt.Sprintf("[%d] %s", n, btn.Label))
		}
		b.WriteString("   " + strings.Join(cells, "   ") + "\n")
	}
	if n > 0 {
		b.WriteString("   (gõ số để chọn)\n")
	}
	return b.String()
}

// Send prints one reply; attachments are saved to FileDir.
func (c *Console) Send(_ context.Context, r chat.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	me := c.user()
	var b strings.Builder
	switch {
	case r.Group:
		b.WriteString("\n📢 [Tin gửi nhóm lãnh đạo]\n")
	case r.To != me:
		fmt.Fprintf(&b, "\n✉️ [Tin gửi riêng cho %s]\n", r.To)
	case r.Edit != "" && c.caps().Edit:
		b.WriteString("\n(cập nhật)\n")
	default:
		b.WriteString("\n")
	}
	render := c.Render
	if render == nil {
		render = RenderButtons
	}
	b.WriteString(strings.TrimRight(render(r), "\n") + "\n")
	if r.To == me && !r.Group && len(r.Choices) > 0 {
		c.keys = c.keys[:0]
		for _, row := range r.Choices {
			for _, btn := range row {
				if btn.URL == "" {
					c.keys = append(c.keys, btn)
				}
			}
		}
	}
	for _, f := range []*chat.File{r.File, r.Photo} {
		if f == nil {
			continue
		}
		dir := c.FileDir
		if dir == "" {
			dir = os.TempDir()
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("console: save %s: %w", f.Name, err)
		}
		p := filepath.Join(dir, filepath.Base(f.Name))
		if err := os.WriteFile(p, f.Bytes, 0o600); err != nil {
			return fmt.Errorf("console: save %s: %w", f.Name, err)
		}
		fmt.Fprintf(&b, "📎 Tệp đính kèm đã lưu: %s\n", p)
	}
	_, err := io.WriteString(c.Out, b.String())
	return err
}
