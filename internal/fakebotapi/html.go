package fakebotapi

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// allowedTags are the tags of Telegram's HTML parse mode.
var allowedTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "a": true, "code": true, "pre": true,
	"blockquote": true, "tg-spoiler": true, "tg-emoji": true, "span": true,
}

// parseHTML turns Telegram HTML into the plain text it displays, with the
// error text Telegram's server gives (after "can't parse entities: ").
func parseHTML(s string) (string, error) {
	var out strings.Builder
	var stack []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch c {
		case '&':
			if r, n := decodeEntity(s[i:]); n > 0 {
				out.WriteRune(r)
				i += n
				continue
			}
			out.WriteByte(c)
			i++
		case '<':
			begin := i
			i++
			if i < len(s) && s[i] == '/' {
				i++
				j := i
				for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
					j++
				}
				name := strings.ToLower(s[i:j])
				for j < len(s) && isSpace(s[j]) {
					j++
				}
				if len(stack) == 0 {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", begin)
				}
				if j >= len(s) || s[j] != '>' {
					return "", fmt.Errorf("Unclosed end tag at byte offset %d", begin)
				}
				top := stack[len(stack)-1]
				if name != "" && name != top {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top, name)
				}
				stack = stack[:len(stack)-1]
				i = j + 1
				continue
			}
			j := i
			for j < len(s) && !isSpace(s[j]) && s[j] != '>' {
				j++
			}
			if j >= len(s) {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			name := strings.ToLower(s[i:j])
			if !allowedTags[name] {
				return "", fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
			}
			attrs, end, err := parseAttrs(s, j, name, begin)
			if err != nil {
				return "", err
			}
			if name == "span" && attrs["class"] != "tg-spoiler" {
				return "", fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, name)
			i = end + 1
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return out.String(), nil
}

// parseAttrs reads the attributes of a start tag from s[i:] up to its
// closing '>' and returns them with the position of that '>'.
func parseAttrs(s string, i int, tag string, begin int) (map[string]string, int, error) {
	attrs := map[string]string{}
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, 0, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
		}
		if s[i] == '>' {
			return attrs, i, nil
		}
		j := i
		for j < len(s) && !isSpace(s[j]) && !strings.ContainsRune("=>/\"'", rune(s[j])) {
			j++
		}
		name := strings.ToLower(s[i:j])
		if name == "" {
			return nil, 0, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
		}
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return nil, 0, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
		}
		if s[j] != '=' {
			attrs[name] = ""
			i = j
			continue
		}
		j++
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j >= len(s) {
			return nil, 0, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
		}
		var value strings.Builder
		if q := s[j]; q == '"' || q == '\'' {
			j++
			for j < len(s) && s[j] != q {
				if s[j] == '&' {
					if r, n := decodeEntity(s[j:]); n > 0 {
						value.WriteRune(r)
						j += n
						continue
					}
				}
				value.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				return nil, 0, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			j++
		} else {
			k := j
			for k < len(s) && (isAlnum(s[k]) || s[k] == '.' || s[k] == '-') {
				k++
			}
			if k >= len(s) {
				return nil, 0, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			if !isSpace(s[k]) && s[k] != '>' {
				return nil, 0, fmt.Errorf("Unexpected end of name token at byte offset %d", k)
			}
			value.WriteString(strings.ToLower(s[j:k]))
			j = k
		}
		attrs[name] = value.String()
		i = j
	}
}

// decodeEntity decodes one of the entities Telegram accepts at the start of
// s (&lt; &gt; &amp; &quot; and numeric ones). n is 0 when s does not start
// with one; Telegram then keeps the '&' as it is.
func decodeEntity(s string) (rune, int) {
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

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// utf16Len is the length of s in UTF-16 code units, the unit Telegram uses
// for entity offsets and, conservatively here, for length limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// renderText validates a text or caption as Telegram does and returns what
// the user sees. An empty description means it is valid.
func renderText(text, parseMode string, limit int, tooLong string) (plain, description string) {
	if !utf8.ValidString(text) {
		return "", "Bad Request: text must be encoded in UTF-8"
	}
	plain = text
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		p, err := parseHTML(text)
		if err != nil {
			return "", "Bad Request: can't parse entities: " + err.Error()
		}
		plain = p
	case "markdown", "markdownv2":
		// Not validated: the bot uses HTML only.
	default:
		return "", "Bad Request: unsupported parse_mode"
	}
	plain = strings.TrimSpace(plain)
	if utf16Len(plain) > limit {
		return "", tooLong
	}
	return plain, ""
}
