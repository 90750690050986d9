package telegram

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// token is a piece of Telegram HTML: a tag, an entity or one character.
type token struct {
	s     string
	tag   string // tag name for tags
	open  bool   // a start tag
	close bool   // an end tag
	width int    // UTF-16 units it displays as
	r     rune   // the character (or decoded entity)
}

// htmlTags are the tags of Telegram's HTML; anything else is text.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-spoiler": true, "tg-emoji": true, "span": true,
}

// tokenize splits Telegram HTML into tokens. It is lenient: anything that
// is not a well-formed tag or entity counts as text.
func tokenize(s string) []token {
	var toks []token
	eachToken(s, func(t token) { toks = append(toks, t) })
	return toks
}

// eachToken calls fn with each token of s in turn (see tokenize), without
// collecting them: width, called on every reply, allocates nothing.
func eachToken(s string, fn func(token)) {
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			if end := strings.IndexByte(s[i:], '>'); end > 1 {
				raw := s[i : i+end+1]
				body := raw[1 : len(raw)-1]
				tk := token{s: raw}
				if strings.HasPrefix(body, "/") {
					tk.close = true
					body = body[1:]
				} else {
					tk.open = true
				}
				name, _, _ := strings.Cut(strings.TrimSpace(body), " ")
				tk.tag = strings.ToLower(name)
				if htmlTags[tk.tag] {
					fn(tk)
					i += end + 1
					continue
				}
			}
		case '&':
			if r, n := entity(s[i:]); n > 0 {
				fn(token{s: s[i : i+n], width: utf16.RuneLen(r), r: r})
				i += n
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		w := utf16.RuneLen(r)
		if w < 0 {
			w = 1
		}
		fn(token{s: s[i : i+n], width: w, r: r})
		i += n
	}
}

// entity decodes an HTML entity Telegram accepts at the start of s.
func entity(s string) (rune, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 12 {
		return 0, 0
	}
	body := s[1:end]
	switch body {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	}
	if body[0] != '#' {
		return 0, 0
	}
	var v uint64
	var err error
	if len(body) > 1 && (body[1] == 'x' || body[1] == 'X') {
		v, err = strconv.ParseUint(body[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(body[1:], 10, 32)
	}
	if err != nil || v == 0 || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, 0
	}
	return rune(v), end + 1
}

// width is the displayed length of HTML text in UTF-16 units.
func width(s string) int {
	if !strings.ContainsAny(s, "<&") {
		n := 0
		for _, r := range s {
			n += max(utf16.RuneLen(r), 1)
		}
		return n
	}
	n := 0
	eachToken(s, func(t token) { n += t.width })
	return n
}

// plainText is what HTML text displays as, for resending it without
// parse mode.
func plainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	for _, t := range tokenize(s) {
		switch {
		case t.tag != "":
		case len(t.s) > 1 && t.s[0] == '&':
			b.WriteRune(t.r)
		default:
			b.WriteString(t.s)
		}
	}
	return b.String()
}

// splitHTML cuts HTML text into pieces of at most limit displayed units:
// at the last line break that fits, else the last space, else anywhere
// between characters. Tags open at a cut are closed at the end of the
// piece and reopened at the start of the next one.
func splitHTML(s string, limit int) []string {
	if width(s) <= limit {
		return []string{s}
	}
	toks := tokenize(s)
	var out []string
	var reopen []token // open tags at the start of the current piece
	start := 0
	for start < len(toks) {
		stack := append([]token(nil), reopen...)
		w := 0
		cut, skip := len(toks), 0
		lastNL, lastSP := -1, -1
		var stackNL, stackSP []token
		for i := start; i < len(toks); i++ {
			tk := toks[i]
			if tk.tag == "" && w+tk.width > limit {
				switch {
				case tk.r == '\n':
					cut, skip = i, 1
				case lastNL > start:
					cut, skip, stack = lastNL, 1, stackNL
				case tk.r == ' ':
					cut, skip = i, 1
				case lastSP > start:
					cut, skip, stack = lastSP, 1, stackSP
				default:
					cut, skip = i, 0
				}
				break
			}
			switch {
			case tk.open:
				stack = append(stack, tk)
			case tk.close:
				for k := len(stack) - 1; k >= 0; k-- {
					if stack[k].tag == tk.tag {
						stack = append(stack[:k:k], stack[k+1:]...)
						break
					}
				}
			case tk.r == '\n':
				lastNL, stackNL = i, append([]token(nil), stack...)
			case tk.r == ' ':
				lastSP, stackSP = i, append([]token(nil), stack...)
			}
			w += tk.width
		}
		var b strings.Builder
		for _, tk := range reopen {
			b.WriteString(tk.s)
		}
		for _, tk := range toks[start:cut] {
			b.WriteString(tk.s)
		}
		if cut < len(toks) {
			for k := len(stack) - 1; k >= 0; k-- {
				b.WriteString("</" + stack[k].tag + ">")
			}
		}
		if piece := b.String(); strings.TrimSpace(plainText(piece)) != "" {
			out = append(out, piece)
		}
		reopen = stack
		start = cut + skip
	}
	return out
}
