package bot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"dvcbot/chat"
)

// Replies in tests and golden files are shown channel-neutrally, the way a
// reviewer reads them: emphasis as *bold*, _italic_ and `code`, a
// preformatted block between lines of ```, and choices as the numbers a
// person may type ("[1] ✅ Lưu"), each with the value it sends.

// renderText shows a marked reply text with readable emphasis.
func renderText(s string) string {
	var b strings.Builder
	spans := chat.Spans(s)
	for i, sp := range spans {
		switch sp.Style {
		case chat.BoldStyle:
			b.WriteString("*" + sp.Text + "*")
		case chat.ItalicStyle:
			b.WriteString("_" + sp.Text + "_")
		case chat.CodeStyle:
			b.WriteString("`" + sp.Text + "`")
		case chat.PreStyle:
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
				b.WriteString("\n")
			}
			b.WriteString("```\n" + strings.TrimSuffix(sp.Text, "\n") + "\n```")
			if i+1 < len(spans) && !strings.HasPrefix(spans[i+1].Text, "\n") {
				b.WriteString("\n")
			}
		default:
			b.WriteString(sp.Text)
		}
	}
	return b.String()
}

// renderChoices shows a reply's choices row by row: "[n] Label {value}",
// numbered as a typed number picks them; a choice no number picks (one
// that undoes something: Destructive) shows "[–]", a link "[Label](url)".
func renderChoices(rows [][]chat.Choice) []string {
	var out []string
	n := 0
	for _, row := range rows {
		var cells []string
		for _, c := range row {
			switch {
			case c.Value == "":
				cells = append(cells, "["+c.Label+"]("+c.URL+")")
			case Destructive(c):
				cells = append(cells, "[–] "+c.Label+" {"+c.Value+"}")
			default:
				n++
				cells = append(cells, fmt.Sprintf("[%d] %s {%s}", n, c.Label, c.Value))
			}
		}
		out = append(out, strings.Join(cells, "   "))
	}
	return out
}

// replyTags are what a transcript line says of a reply besides its text:
// another recipient, an edit, a group post, an attachment.
func replyTags(r chat.Reply, to chat.Address) []string {
	var tags []string
	if r.Edit != "" {
		tags = append(tags, "edit")
	}
	if !to.IsZero() && r.To != to {
		tags = append(tags, "to "+r.To.String())
	}
	if r.Group {
		tags = append(tags, "group")
	}
	if r.Optional {
		tags = append(tags, "optional")
	}
	if len(r.Fallback) > 0 {
		var fb []string
		for _, a := range r.Fallback {
			fb = append(fb, a.String())
		}
		tags = append(tags, "fallback "+strings.Join(fb, " "))
	}
	if r.File != nil {
		tags = append(tags, "document "+r.File.Name)
	}
	if r.Photo != nil {
		tags = append(tags, "photo "+r.Photo.Name)
	}
	return tags
}

// renderReply writes one reply as transcripts show it: "<" and the first
// line (with tags in braces), "|" and each further line, then the choices
// indented by two spaces.
func renderReply(b *strings.Builder, r chat.Reply, to chat.Address) {
	prefix := "< "
	if tags := replyTags(r, to); len(tags) > 0 {
		prefix = "<{" + strings.Join(tags, ", ") + "} "
	}
	for i, l := range strings.Split(renderText(r.Text), "\n") {
		if i == 0 {
			b.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
			continue
		}
		b.WriteString(strings.TrimRight("| "+l, " ") + "\n")
	}
	for _, row := range renderChoices(r.Choices) {
		b.WriteString("  " + row + "\n")
	}
}

// maxMessageUnits is Telegram's limit on a message's text, in UTF-16 code
// units; the engine keeps every reply within it (transports split only
// what a channel allows less of).
const maxMessageUnits = 4096

// maxCaptionUnits is the limit for the caption of a document or photo.
const maxCaptionUnits = 1024

// htmlLeftovers are pieces of Telegram HTML that must no longer appear in
// reply texts (the engine speaks in marks), unless a person typed them.
var htmlLeftovers = []string{"&lt;", "&gt;", "&amp;", "&quot;", "&#", "<b>", "</b>", "<i>", "</i>", "<code>", "</code>", "<pre>", "</pre>", "<a href", "</a>"}

// checkMarks reports a text whose emphasis marks a transport would not
// render as written: a span opened inside another (its mark is ignored), a
// closing mark without its opening one, a span left open.
func checkMarks(s string) error {
	open := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < chat.BoldStart[0] || c > chat.PreEnd[0] {
			continue
		}
		isOpen := (c-chat.BoldStart[0])%2 == 0
		switch {
		case isOpen && open != 0:
			return fmt.Errorf("emphasis opened inside another at byte %d: %q", i, around(s, i))
		case isOpen:
			open = c
		case open == 0 || c != open+1:
			return fmt.Errorf("emphasis closed without being opened at byte %d: %q", i, around(s, i))
		default:
			open = 0
		}
	}
	if open != 0 {
		return errors.New("emphasis left open at the end of the text")
	}
	return nil
}

// checkReply reports what a channel would refuse in a reply, or what
// breaks the engine's promises: marks well formed, no Telegram HTML left
// (typed is what people sent, which may hold such text), a visible text
// within Telegram's limits, choices a transport can send.
func checkReply(r chat.Reply, typed string) error {
	if r.To.IsZero() {
		return errors.New("reply without a recipient")
	}
	if !utf8.ValidString(r.Text) {
		return errors.New("text is not valid UTF-8")
	}
	if err := checkMarks(r.Text); err != nil {
		return err
	}
	for _, h := range htmlLeftovers {
		if strings.Contains(r.Text, h) && !strings.Contains(typed, h) {
			return fmt.Errorf("Telegram HTML %q left in the text: %q", h, clipForLog(chat.Plain(r.Text)))
		}
	}
	text := chat.Plain(r.Text)
	if strings.TrimSpace(text) == "" && r.File == nil && r.Photo == nil {
		return errors.New("message text is empty")
	}
	limit := maxMessageUnits
	if r.File != nil || r.Photo != nil {
		limit = maxCaptionUnits
	}
	if n := len(utf16.Encode([]rune(text))); n > limit {
		return fmt.Errorf("message is too long: %d UTF-16 units, Telegram allows %d", n, limit)
	}
	for _, row := range r.Choices {
		if len(row) == 0 {
			return errors.New("empty row of choices")
		}
		for _, b := range row {
			switch {
			case strings.TrimSpace(b.Label) == "":
				return errors.New("choice without a label")
			case chat.Plain(b.Label) != b.Label:
				return fmt.Errorf("choice %q has emphasis marks in its label", b.Label)
			case (b.Value == "") == (b.URL == ""):
				return fmt.Errorf("choice %q needs exactly one of a value and a URL", b.Label)
			case len(b.Value) > 64:
				return fmt.Errorf("choice %q: value is %d bytes, Telegram's callback data allows 64", b.Label, len(b.Value))
			case b.URL != "" && !strings.HasPrefix(b.URL, "https://"):
				return fmt.Errorf("choice %q: URL %q is not https", b.Label, b.URL)
			}
		}
	}
	return nil
}

func around(s string, i int) string {
	lo, hi := max(0, i-30), min(len(s), i+30)
	return s[lo:hi]
}

func clipForLog(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func TestRenderText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Đã " + bold("lưu") + " hộ " + code("/baocao") + " " + ital("ghi chú"), "Đã *lưu* hộ `/baocao` _ghi chú_"},
		{"Bảng:\n" + pre("Ấp  Hộ\nA   1") + "\nHết", "Bảng:\n```\nẤp  Hộ\nA   1\n```\nHết"},
		{"Bảng: " + pre("x") + "sau", "Bảng: \n```\nx\n```\nsau"},
		{"a <b> & c", "a <b> & c"},
	} {
		if got := renderText(tc.in); got != tc.want {
			t.Errorf("renderText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	rows := renderChoices([][]chat.Choice{{{Label: "↩️ Hoàn tác", Value: "undo:1", TypedOnly: true}, {Label: "✅ Lưu", Value: "r:save"}, {Label: "Mở", URL: "https://t.me/x"}}, {{Label: "Sửa", Value: "r:edit"}}})
	if got := strings.Join(rows, "\n"); got != "[–] ↩️ Hoàn tác {undo:1}   [1] ✅ Lưu {r:save}   [Mở](https://t.me/x)\n[2] Sửa {r:edit}" {
		t.Errorf("renderChoices = %q", got)
	}
}

func TestCheckReply(t *testing.T) {
	to := chat.Addr(chat.Telegram, "1")
	for _, tc := range []struct {
		r     chat.Reply
		typed string
		ok    bool
	}{
		{chat.Reply{To: to, Text: "Chào " + bold("anh") + " & chị <3"}, "", true},
		{chat.Reply{To: to, Text: "Chào"}, "", true},
		{chat.Reply{Text: "Chào"}, "", false},
		{chat.Reply{To: to, Text: "\x11a\x15b\x16\x12"}, "", false}, // code inside bold
		{chat.Reply{To: to, Text: "a\x12"}, "", false},
		{chat.Reply{To: to, Text: "a\x11b"}, "", false},
		{chat.Reply{To: to, Text: "\x11a\x14"}, "", false}, // bold closed as italic
		{chat.Reply{To: to, Text: "Tên: &lt;An&gt;"}, "", false},
		{chat.Reply{To: to, Text: "Tên: <b>An</b>"}, "", false},
		{chat.Reply{To: to, Text: "Tên: <b>An</b>"}, "/baocao <b>An</b>; …", true},
		{chat.Reply{To: to, Text: "   "}, "", false},
		{chat.Reply{To: to, Text: bold("")}, "", false},
		{chat.Reply{To: to, Text: "\xff"}, "", false},
		{chat.Reply{To: to, Text: strings.Repeat("a", 4096)}, "", true},
		{chat.Reply{To: to, Text: strings.Repeat("a", 4097)}, "", false},
		{chat.Reply{To: to, Text: strings.Repeat("😀", 2049)}, "", false}, // two UTF-16 units each
		{chat.Reply{To: to, Text: strings.Repeat("a", 1025), File: &chat.File{Name: "x"}}, "", false},
		{chat.Reply{To: to, Text: "x", Choices: [][]chat.Choice{{}}}, "", false},
		{chat.Reply{To: to, Text: "x", Choices: [][]chat.Choice{{{Label: "a", Value: "v", URL: "https://x"}}}}, "", false},
		{chat.Reply{To: to, Text: "x", Choices: [][]chat.Choice{{{Label: bold("a"), Value: "v"}}}}, "", false},
		{chat.Reply{To: to, Text: "x", Choices: [][]chat.Choice{{{Label: "a", Value: strings.Repeat("v", 65)}}}}, "", false},
		{chat.Reply{To: to, Text: "x", Choices: [][]chat.Choice{{{Label: "a", URL: "http://x"}}}}, "", false},
	} {
		if err := checkReply(tc.r, tc.typed); (err == nil) != tc.ok {
			t.Errorf("checkReply(%+v) = %v, want ok=%v", tc.r, err, tc.ok)
		}
	}
}
