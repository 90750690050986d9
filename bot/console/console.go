// Package console is a chat transport in the terminal: it runs the same
// conversation engine as Telegram, showing inline keyboards as numbered
// choices (typing the number or the label answers them) and marking posts
// meant for the leaders' group. `dvcbot demo` uses it, and tests drive it
// through standard input.
package console

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"dvcbot/bot"
)

// Console reads lines from In as one user's private chat and writes replies to Out.
type Console struct {
	In     io.Reader
	Out    io.Writer
	UserID int64
	// FileDir is where attachments (spreadsheets, documents, charts) are saved.
	FileDir string

	mu   sync.Mutex
	keys []bot.Button // the numbered buttons last shown to the user
}

var tagRE = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9-]*(\s[^>]*)?>`)

// Plain turns Telegram HTML into terminal text.
func Plain(s string) string {
	s = strings.ReplaceAll(s, "<b>", "")
	s = strings.ReplaceAll(s, "</b>", "")
	return html.UnescapeString(tagRE.ReplaceAllString(s, ""))
}

// Run reads lines until In ends or ctx is cancelled.
func (c *Console) Run(ctx context.Context, h bot.Handler) error {
	sc := bufio.NewScanner(c.In)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	c.prompt()
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		line := sc.Text()
		in := bot.Input{ChatID: c.UserID, UserID: c.UserID, Private: true, Text: line}
		if strings.HasPrefix(line, "/anh ") { // simulate sending a photo
			in.Text, in.PhotoFileID = "", "demo-photo-"+strings.TrimSpace(line[5:])
		}
		if b, ok := c.pressed(line); ok {
			// A terminal has no buttons: the number typed for one that
			// undoes a save is its press (Telegram requires a tap).
			in.Text, in.Callback = "", &bot.Callback{ID: "console", Data: b.Data}
		}
		// Lines typed at a terminal are read once and never re-delivered,
		// so they carry no update id (ids restarting at 1 on every run
		// would look like updates already applied).
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

// pressed is the destructive button (bot.Destructive) the line's number
// picks among those last shown, if any.
func (c *Console) pressed(line string) (bot.Button, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || n < 1 || n > len(c.keys) || !bot.Destructive(c.keys[n-1]) {
		return bot.Button{}, false
	}
	return c.keys[n-1], true
}

// Send prints one reply; attachments are saved to FileDir.
func (c *Console) Send(_ context.Context, r bot.Reply) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	switch {
	case r.Group:
		b.WriteString("\n📢 [Tin gửi nhóm lãnh đạo]\n")
	case r.ChatID != c.UserID:
		fmt.Fprintf(&b, "\n✉️ [Tin gửi người dùng %d]\n", r.ChatID)
	case r.EditMessageID != 0:
		b.WriteString("\n(cập nhật)\n")
	default:
		b.WriteString("\n")
	}
	b.WriteString(Plain(r.Text))
	b.WriteString("\n")
	n := 0
	if r.ChatID == c.UserID && !r.Group && len(r.Buttons) > 0 {
		c.keys = c.keys[:0]
	}
	for _, row := range r.Buttons {
		var cells []string
		for _, btn := range row {
			if btn.URL != "" {
				cells = append(cells, fmt.Sprintf("[%s: %s]", btn.Text, btn.URL))
				continue
			}
			if r.ChatID == c.UserID && !r.Group {
				c.keys = append(c.keys, btn)
			}
			n++
			cells = append(cells, fmt.Sprintf("[%d] %s", n, btn.Text))
		}
		b.WriteString("   " + strings.Join(cells, "   ") + "\n")
	}
	if n > 0 {
		b.WriteString("   (gõ số để chọn)\n")
	}
	for _, f := range []*bot.File{r.Document, r.Photo} {
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
