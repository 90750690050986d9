package chat

import "strings"

// Reply texts carry emphasis as marks: single ASCII control characters
// that never survive the cleaning of what people type (intake.CleanText
// drops control characters), so a name or an address can never open or
// close one. Transports turn them into their own markup (Telegram HTML,
// Zalo text_styles or nothing) with Spans; logs and plain channels use
// Plain. Marks do not nest: an opening mark inside an open span is
// ignored, as is a stray closing one.
const (
	boldOn   = '\x11'
	boldOff  = '\x12'
	italicOn = '\x13'
	italicOf = '\x14'
	codeOn   = '\x15'
	codeOff  = '\x16'
	preOn    = '\x17'
	preOff   = '\x18'
)

// Style is how a span of text is shown.
type Style uint8

// Styles of a span.
const (
	Normal Style = iota
	BoldStyle
	ItalicStyle
	CodeStyle // inline monospace: codes, ids, commands to type
	PreStyle  // a preformatted block: tables
)

// Span is a run of text in one style.
type Span struct {
	Style Style
	Text  string
}

// Bold marks s as emphasised.
func Bold(s string) string { return wrap(boldOn, boldOff, s) }

// Italic marks s as a side note.
func Italic(s string) string { return wrap(italicOn, italicOf, s) }

// Code marks s as something to copy or type exactly (a code, a command).
func Code(s string) string { return wrap(codeOn, codeOff, s) }

// Pre marks s as a preformatted block (a table in monospace).
func Pre(s string) string { return wrap(preOn, preOff, s) }

func wrap(on, off byte, s string) string {
	return string(on) + Strip(s) + string(off)
}

// isMark reports whether b is one of the marks.
func isMark(b byte) bool { return b >= boldOn && b <= preOff }

// Strip removes every mark from s: use it on anything a person typed or
// the store holds before it goes into a reply text.
func Strip(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r >= boldOn && r <= preOff }) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if !isMark(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// Plain is the text without emphasis.
func Plain(s string) string { return Strip(s) }

// Spans splits a marked text into runs of one style each, in order;
// adjacent runs of the same style are merged and empty runs dropped.
func Spans(s string) []Span {
	var out []Span
	style := Normal
	start := 0
	var cur strings.Builder
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		if n := len(out); n > 0 && out[n-1].Style == style {
			out[n-1].Text += cur.String()
		} else {
			out = append(out, Span{Style: style, Text: cur.String()})
		}
		cur.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isMark(c) {
			continue
		}
		cur.WriteString(s[start:i])
		start = i + 1
		on, off := styleOf(c)
		switch {
		case on != Normal && style == Normal:
			flush()
			style = on
		case off != Normal && style == off:
			flush()
			style = Normal
		}
	}
	cur.WriteString(s[start:])
	flush()
	return out
}

// styleOf says which style a mark opens or closes.
func styleOf(c byte) (on, off Style) {
	switch c {
	case boldOn:
		return BoldStyle, Normal
	case boldOff:
		return Normal, BoldStyle
	case italicOn:
		return ItalicStyle, Normal
	case italicOf:
		return Normal, ItalicStyle
	case codeOn:
		return CodeStyle, Normal
	case codeOff:
		return Normal, CodeStyle
	case preOn:
		return PreStyle, Normal
	case preOff:
		return Normal, PreStyle
	}
	return Normal, Normal
}

// Join renders spans back into a marked text (the inverse of Spans).
func Join(spans []Span) string {
	var b strings.Builder
	for _, sp := range spans {
		switch sp.Style {
		case BoldStyle:
			b.WriteString(Bold(sp.Text))
		case ItalicStyle:
			b.WriteString(Italic(sp.Text))
		case CodeStyle:
			b.WriteString(Code(sp.Text))
		case PreStyle:
			b.WriteString(Pre(sp.Text))
		default:
			b.WriteString(Strip(sp.Text))
		}
	}
	return b.String()
}

// Marks for spans built piece by piece (a bold title made of several
// parts); prefer Bold, Code, … for a single piece.
const (
	BoldStart   = string(rune(boldOn))
	BoldEnd     = string(rune(boldOff))
	ItalicStart = string(rune(italicOn))
	ItalicEnd   = string(rune(italicOf))
	CodeStart   = string(rune(codeOn))
	CodeEnd     = string(rune(codeOff))
	PreStart    = string(rune(preOn))
	PreEnd      = string(rune(preOff))
)
