package chat

import (
	"html"
	"regexp"
	"strings"
)

var htmlTagRE = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^>]*)?>`)

// FromHTML reads a text in Telegram's HTML subset, as dvcbot stored queued
// posts before schema 5, into a marked text: b/strong, i/em, code and pre
// become marks, other tags are dropped (a link keeps its text) and
// entities are unescaped.
func FromHTML(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range htmlTagRE.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(Strip(html.UnescapeString(s[last:m[0]])))
		last = m[1]
		closing := m[3] > m[2]
		switch strings.ToLower(s[m[4]:m[5]]) {
		case "b", "strong":
			b.WriteByte(pick(closing, boldOff, boldOn))
		case "i", "em":
			b.WriteByte(pick(closing, italicOf, italicOn))
		case "code":
			b.WriteByte(pick(closing, codeOff, codeOn))
		case "pre":
			b.WriteByte(pick(closing, preOff, preOn))
		}
	}
	b.WriteString(Strip(html.UnescapeString(s[last:])))
	return b.String()
}

func pick(closing bool, off, on byte) byte {
	if closing {
		return off
	}
	return on
}
