package bot

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// maxMessageUnits is Telegram's limit on a message's text after entity
// parsing, in UTF-16 code units ("Bad Request: message is too long").
const maxMessageUnits = 4096

// maxCaptionUnits is the limit for the caption of a document or photo.
const maxCaptionUnits = 1024

// telegramTags are the tags this product may use (Telegram accepts a few
// more synonyms; the engine promises this subset).
var telegramTags = map[string]bool{"b": true, "i": true, "u": true, "s": true, "a": true, "code": true, "pre": true, "blockquote": true}

var (
	entityRE = regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});`)
	hrefRE   = regexp.MustCompile(`^a href="[^"<>]*"$`)
	codeRE   = regexp.MustCompile(`^code class="language-[a-z0-9_+-]+"$`)
)

// checkTelegramHTML reports why Telegram would refuse s as a message in
// HTML parse mode (or why it breaks this product's rules), or nil. It
// returns the text a user would see.
func checkTelegramHTML(s string, limit int) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("text is not valid UTF-8")
	}
	var visible strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", fmt.Errorf("unescaped '<' at byte %d: %q", i, around(s, i))
			}
			tag := s[i+1 : i+j]
			i += j + 1
			if strings.HasPrefix(tag, "/") {
				name := tag[1:]
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("closing </%s> does not match open tags %v", name, stack)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, _, hasAttr := strings.Cut(tag, " ")
			if !telegramTags[name] {
				return "", fmt.Errorf("tag <%s> is not one of Telegram's (unescaped '<'?) near %q", tag, around(s, i-j-1))
			}
			switch {
			case name == "a":
				if !hrefRE.MatchString(tag) {
					return "", fmt.Errorf("link tag <%s> needs exactly href=\"...\"", tag)
				}
			case name == "code" && hasAttr:
				if !codeRE.MatchString(tag) {
					return "", fmt.Errorf("tag <%s> has unexpected attributes", tag)
				}
			case hasAttr:
				return "", fmt.Errorf("tag <%s> has attributes", tag)
			}
			for _, open := range stack {
				if open == "code" || (open == "pre" && name != "code") {
					return "", fmt.Errorf("<%s> nested in <%s>, which Telegram does not allow", name, open)
				}
			}
			stack = append(stack, name)
		case '&':
			m := entityRE.FindString(s[i:])
			if m == "" {
				return "", fmt.Errorf("unescaped '&' at byte %d: %q", i, around(s, i))
			}
			visible.WriteString("x")
			i += len(m)
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			visible.WriteRune(r)
			i += n
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("tags left open: %v", stack)
	}
	text := visible.String()
	if strings.TrimSpace(text) == "" {
		return "", errors.New("message text is empty")
	}
	if n := len(utf16.Encode([]rune(text))); n > limit {
		return "", fmt.Errorf("message is too long: %d UTF-16 units, Telegram allows %d", n, limit)
	}
	return text, nil
}

func around(s string, i int) string {
	lo, hi := max(0, i-30), min(len(s), i+30)
	return s[lo:hi]
}

// checkReply checks everything Telegram would refuse in a reply.
func checkReply(r Reply) error {
	limit := maxMessageUnits
	if r.Document != nil || r.Photo != nil {
		limit = maxCaptionUnits
	}
	if _, err := checkTelegramHTML(r.Text, limit); err != nil {
		return fmt.Errorf("reply %q: %w", clipForLog(r.Text), err)
	}
	for _, row := range r.Buttons {
		if len(row) == 0 {
			return errors.New("empty keyboard row")
		}
		for _, b := range row {
			switch {
			case strings.TrimSpace(b.Text) == "":
				return errors.New("button without text")
			case (b.Data == "") == (b.URL == ""):
				return fmt.Errorf("button %q needs exactly one of callback data and URL", b.Text)
			case len(b.Data) > 64:
				return fmt.Errorf("button %q: callback data is %d bytes, Telegram allows 64", b.Text, len(b.Data))
			case b.URL != "" && !strings.HasPrefix(b.URL, "https://"):
				return fmt.Errorf("button %q: URL %q is not https", b.Text, b.URL)
			}
		}
	}
	return nil
}

func clipForLog(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func TestCheckTelegramHTML(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"Chào <b>anh</b> &amp; chị", true},
		{"<a href=\"https://t.me/x?start=1\">mở</a>", true},
		{"<pre><code class=\"language-go\">x</code></pre>", true},
		{"<b><i>x</i></b>", true},
		{"&#8364; &#x20AC; &quot;", true},
		{"a < b", false},
		{"Tom & Jerry", false},
		{"&nbsp;", false},
		{"<b>x", false},
		{"<b><i>x</b></i>", false},
		{"<script>x</script>", false},
		{"<code><b>x</b></code>", false},
		{"<b onclick=\"x\">x</b>", false},
		{"   ", false},
		{"<b></b>", false},
		{"\xff", false},
		{strings.Repeat("a", 4096), true},
		{strings.Repeat("a", 4097), false},
		{strings.Repeat("😀", 2049), false}, // two UTF-16 units each
	} {
		_, err := checkTelegramHTML(tc.in, maxMessageUnits)
		if (err == nil) != tc.ok {
			t.Errorf("checkTelegramHTML(%q) = %v, want ok=%v", clipForLog(tc.in), err, tc.ok)
		}
	}
}
