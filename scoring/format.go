package scoring

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Percent is fraction x (0.912) as a Vietnamese percentage with one decimal
// and a decimal comma ("91,2%"). It truncates instead of rounding, so a
// figure below a threshold never reads as reaching it (94,99% shows as
// "94,9%", never "95,0%") and only a complete figure shows "100,0%".
func Percent(x float64) string {
	if math.IsNaN(x) {
		x = 0
	}
	neg := x < 0
	if neg {
		x = -x
	}
	// The tiny epsilon absorbs binary noise (0.29*1000 = 289.99999…).
	tenths := int64(math.Floor(x*1000 + 1e-9))
	s := tenthsString(tenths)
	if neg && tenths > 0 {
		s = "-" + s
	}
	return s + "%"
}

// PercentOf is num ÷ den as Percent shows it, computed exactly with
// integers (and "0,0%" when den is 0).
func PercentOf(num, den int) string {
	if den <= 0 || num <= 0 {
		return "0,0%"
	}
	return tenthsString(int64(num)*1000/int64(den)) + "%"
}

// ThresholdPercent is a configured threshold (0.95) as a percentage in the
// one format every figure uses, one decimal and a decimal comma ("95,0%",
// "95,5%"), with more decimals only where the threshold has them
// ("95,25%"), so that it is never shown rounded.
func ThresholdPercent(x float64) string {
	ppm := thresholdPPM(x) // millionths: 950000 = 95%
	neg := ppm < 0
	if neg {
		ppm = -ppm
	}
	whole := ppm / 10000
	frac := ppm % 10000
	s := strconv.FormatInt(whole, 10)
	f := strings.TrimRight(strconv.FormatInt(frac+10000, 10)[1:], "0")
	if f == "" {
		f = "0"
	}
	s += "," + f
	if neg {
		s = "-" + s
	}
	return s + "%"
}

// Number is n with Vietnamese thousands separators ("12.345").
func Number(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return sign + s
}

// Count2 writes a small count with two digits, as administrative texts do
// ("06 tập thể", "03 phần quà"); 10 and more as Number does.
func Count2(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return Number(n)
}

func tenthsString(t int64) string {
	return strconv.FormatInt(t/10, 10) + "," + strconv.FormatInt(t%10, 10)
}

// CompareNames orders names the Vietnamese way: letters in the Vietnamese
// alphabet (a ă â b c d đ e ê … ô ơ … ư …), ignoring case and tone marks
// first, then tones (ngang, huyền, hỏi, ngã, sắc, nặng), then the raw text.
// NFC and NFD input compare alike. It returns -1, 0 or +1.
func CompareNames(a, b string) int {
	if c := strings.Compare(nameKey(a), nameKey(b)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// Vietnamese vowels, six runes each: the bare vowel, then its toned forms
// in collation order (huyền, hỏi, ngã, sắc, nặng).
const vnVowels = "aàảãáạ" + "ăằẳẵắặ" + "âầẩẫấậ" + "eèẻẽéẹ" + "êềểễếệ" + "iìỉĩíị" +
	"oòỏõóọ" + "ôồổỗốộ" + "ơờởỡớợ" + "uùủũúụ" + "ưừửữứự" + "yỳỷỹýỵ"

// The alphabet in Vietnamese order (with f j w z where Latin puts them).
const vnAlphabet = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"

// nameKey is a byte string that sorts names in Vietnamese order: one byte
// per letter (primary), a separator, then one tone byte per letter.
func nameKey(s string) string {
	prim := make([]byte, 0, len(s))
	tone := make([]byte, 0, len(s))
	last := -1 // index in prim of the last letter, for combining marks
	for _, r := range strings.ToLower(s) {
		switch r {
		case '\u0300', '\u0309', '\u0303', '\u0301', '\u0323': // NFD tone marks
			if last >= 0 {
				tone[last] = byte(1 + strings.IndexRune("\u0300\u0309\u0303\u0301\u0323", r)/2)
			}
			continue
		case '\u0306', '\u0302', '\u031b': // NFD breve, circumflex, horn
			if last >= 0 {
				prim[last] = modify(prim[last], r)
			}
			continue
		}
		if p, t, ok := vnLetter(r); ok {
			prim = append(prim, p)
			tone = append(tone, t)
			last = len(prim) - 1
			continue
		}
		last = -1
		switch {
		case r == ' ' || r == '\t':
			prim = append(prim, 0x01)
		case r >= '0' && r <= '9':
			prim = append(prim, byte(0x02+r-'0'))
		default:
			prim = append(prim, 0x0F)
			prim = utf8.AppendRune(prim, r)
		}
	}
	return string(prim) + "\x00" + string(tone)
}

// vnLetter maps a lower-case letter to its primary byte and tone (0–5).
func vnLetter(r rune) (byte, byte, bool) {
	if r == 'đ' || (r >= 'a' && r <= 'z') {
		return letterByte(r), 0, true
	}
	if r < 0xC0 {
		return 0, 0, false
	}
	i := 0
	base := rune(0)
	for _, v := range vnVowels {
		if i%6 == 0 {
			base = v
		}
		if v == r {
			return letterByte(base), byte(i % 6), true
		}
		i++
	}
	return 0, 0, false
}

func letterByte(r rune) byte {
	i := 0
	for _, a := range vnAlphabet {
		if a == r {
			return byte(0x10 + i)
		}
		i++
	}
	return 0x0F
}

// modify applies an NFD breve, circumflex or horn to a primary letter byte.
func modify(p byte, mark rune) byte {
	var from, to []rune
	switch mark {
	case '\u0306':
		from, to = []rune("a"), []rune("ă")
	case '\u0302':
		from, to = []rune("aeo"), []rune("âêô")
	case '\u031b':
		from, to = []rune("ou"), []rune("ơư")
	}
	for i, f := range from {
		if letterByte(f) == p {
			return letterByte(to[i])
		}
	}
	return p
}
