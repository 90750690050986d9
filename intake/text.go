package intake

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CleanText repairs and tidies a piece of typed text: invalid UTF-8 bytes and
// U+FFFD are dropped, control characters, zero-width characters, bidi controls
// and every other invisible format character (Unicode category Cf) are removed,
// the text is NFC-normalised, every run of whitespace (including NBSP, tabs and
// line breaks) becomes one space, and the result is trimmed.
// CleanText(CleanText(s)) == CleanText(s).
func CleanText(s string) string {
	if tidyASCII(s) {
		return s
	}
	// Drop invisible characters before composing, so that a stray zero-width
	// character between a letter and its combining mark does not prevent
	// composition (and so the result is stable when cleaned again).
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError: // invalid byte, or a literal U+FFFD
		case unicode.IsSpace(r):
			b.WriteRune(r)
		case invisible(r):
		default:
			b.WriteRune(r)
		}
	}
	composed := norm.NFC.String(b.String())

	b.Reset()
	space := false
	for _, r := range composed {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tidyASCII reports whether s is already clean: printable ASCII with single
// inner spaces (the common case of folded text and phone numbers).
func tidyASCII(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c > '~' || c == ' ' && s[i-1] == ' ' {
			return false
		}
	}
	return true
}

// invisible reports whether r is a character that has no business in typed
// text: C0/C1 controls, format characters (zero-width space/joiners, LRM/RLM,
// bidi embeddings, overrides and isolates, word joiner, BOM, soft hyphen …),
// surrogates and private-use code points.
func invisible(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x200B && r <= 0x200F, r == 0x2060, r == 0xFEFF,
		r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Cs, unicode.Co)
}

// Fold returns s cleaned (see CleanText), lower-cased and stripped of
// diacritics, with đ/Đ mapped to d, for diacritic-insensitive comparison and
// search: Fold("Nguyễn Văn Ân") == "nguyen van an". Fold is idempotent.
func Fold(s string) string {
	s = norm.NFD.String(strings.ToLower(CleanText(s)))
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.Is(unicode.Mn, r):
			return -1
		case r == 'đ' || r == 'Đ':
			return 'd'
		}
		return r
	}, s)
	// CleanText recomposes (NFC) what is left, and tidies the spaces that a
	// removed mark standing alone between two spaces leaves side by side.
	return CleanText(s)
}

// words splits folded text into runs of letters and digits, treating every
// other character (spaces, punctuation, dashes) as a separator.
func words(folded string) []string {
	return strings.FieldsFunc(folded, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
