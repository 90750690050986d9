package zalo

import (
	"fmt"
	"strings"
	"time"

	"dvcbot/chat"
)

// DefaultTextLimit is the longest sendMessage text, in UTF-16 units (Zalo
// documents 2,000 characters; UTF-16 units are never fewer).
const DefaultTextLimit = 2000

// ChoiceHint follows numbered choices: Zalo has no buttons, and the engine
// reads a typed number or label as the choice.
const ChoiceHint = "(Trả lời bằng cách gõ số thứ tự hoặc tên của lựa chọn.)"

// campaignZone is Asia/Ho_Chi_Minh: UTC+7 all year (Vietnam has no
// daylight saving time), fixed so that no tzdata is needed.
var campaignZone = time.FixedZone("ICT", 7*60*60)

// Text is one sendMessage: plain text and its text_styles.
type Text struct {
	Text   string
	Styles []TextStyle
}

// renderOptions says how replies become Zalo messages.
type renderOptions struct {
	limit    int  // UTF-16 units per message
	noStyles bool // send no text_styles
}

// composeText builds the plain text of a reply with its bold byte
// ranges: the reply text (bold spans kept as ranges, code and
// preformatted text plain, lines kept), then notice (a file link or the
// reason there is none) and the choices as numbered lines with the hint.
func composeText(text string, choices [][]chat.Choice, notice string) (string, []span) {
	var b strings.Builder
	var bold []span
	for _, sp := range chat.Spans(text) {
		if sp.Style == chat.BoldStyle {
			bold = append(bold, span{b.Len(), b.Len() + len(sp.Text)})
		}
		b.WriteString(sp.Text)
	}
	para := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			trimmed := strings.TrimRight(b.String(), "\n")
			if len(trimmed) != b.Len() {
				b.Reset()
				b.WriteString(trimmed)
				bold = clip(bold, 0, len(trimmed))
			}
			b.WriteString("\n\n")
		}
		b.WriteString(s)
	}
	para(notice)
	para(renderChoices(choices))
	return b.String(), bold
}

// renderChoices shows choices as "1. Label" lines (numbered in reading
// order, as the engine numbers them: only choices with a Value that a
// number may pick), links as "Label: URL", then ChoiceHint when something
// is numbered. A TypedOnly choice (an undo) is left out: the reply's text
// says which word to type, and a number must never pick it.
func renderChoices(rows [][]chat.Choice) string {
	var lines []string
	n := 0
	for _, row := range rows {
		for _, c := range row {
			label := chat.Strip(c.Label)
			switch {
			case c.TypedOnly:
			case c.URL != "":
				lines = append(lines, label+": "+c.URL)
			case c.Value != "":
				n++
				lines = append(lines, fmt.Sprintf("%d. %s", n, label))
			case label != "":
				lines = append(lines, label)
			}
		}
	}
	if n > 0 {
		lines = append(lines, ChoiceHint)
	}
	return strings.Join(lines, "\n")
}

// toTexts splits a composed text into messages within the limit, with
// bold ranges as text_styles (unless turned off). Trailing line feeds of
// a chunk are dropped and blank chunks skipped: Zalo refuses empty texts.
func toTexts(text string, bold []span, o renderOptions) []Text {
	limit := o.limit
	if limit <= 0 {
		limit = DefaultTextLimit
	}
	var out []Text
	for _, c := range splitText(text, bold, limit) {
		t := strings.TrimRight(c.Text, "\r\n")
		if strings.TrimSpace(t) == "" {
			continue
		}
		msg := Text{Text: t}
		if !o.noStyles {
			for _, r := range clip(c.Bold, 0, len(t)) {
				start := utf16Len(t[:r.Start])
				msg.Styles = append(msg.Styles, TextStyle{Start: start, Len: utf16Len(t[r.Start:r.End]), St: []string{"b"}})
			}
		}
		out = append(out, msg)
	}
	return out
}

// RenderText is how a reply's text and choices look on Zalo, without its
// file or photo: the messages sendMessage would carry. `dvcbot demo
// --channel zalo` and golden tests use it.
func RenderText(r chat.Reply, limit int, styles bool) []Text {
	text, bold := composeText(r.Text, r.Choices, "")
	return toTexts(text, bold, renderOptions{limit: limit, noStyles: !styles})
}

// fileNotice tells where to download a file that Zalo cannot send.
func fileNotice(name, link string, expires time.Time, uses int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tệp %s: %s", chat.Strip(name), link)
	if !expires.IsZero() {
		fmt.Fprintf(&b, "\nLiên kết dùng được đến %s", expires.In(campaignZone).Format("15:04 ngày 02/01/2006"))
		if uses > 0 {
			fmt.Fprintf(&b, ", mở được %d lần", uses)
		}
		b.WriteString(", chỉ dành cho anh/chị.")
	} else if uses > 0 {
		fmt.Fprintf(&b, "\nLiên kết mở được %d lần, chỉ dành cho anh/chị.", uses)
	}
	return b.String()
}

// noFileNotice explains a file that could not be linked.
func noFileNotice(name string) string {
	return fmt.Sprintf("Không gửi được tệp %s: Zalo không gửi được tệp và máy chủ chưa cấu hình đường dẫn tải về. Vui lòng báo quản trị viên.", chat.Strip(name))
}

// noPhotoNotice explains a picture that could not be hosted.
func noPhotoNotice(name string) string {
	return fmt.Sprintf("Không gửi được ảnh %s: máy chủ chưa cấu hình nơi đặt ảnh cho Zalo. Vui lòng báo quản trị viên.", chat.Strip(name))
}
