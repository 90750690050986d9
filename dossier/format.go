package dossier

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"dvcbot/scoring"
)

// vnZone is Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving, so a fixed
// zone gives the same calendar dates without needing the tz database.
var vnZone = time.FixedZone("ICT", 7*60*60)

// blank is the dotted line left for a person to fill in by hand.
const (
	blank      = "…………"
	blankShort = "……"
	blankLong  = "……………………………………"
)

// Number formats n the Vietnamese way, with dots between thousands:
// 1234567 → "1.234.567" (scoring.Number).
func Number(n int) string { return scoring.Number(n) }

// Percent formats a fraction in the one format of every document: one
// decimal and a decimal comma, 0.912 → "91,2%", 0.95 → "95,0%", 1 →
// "100,0%" (scoring.Percent). It truncates rather than rounds, so a
// coverage of 0.9499 is never shown as "95,0%".
func Percent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return blank + "%"
	}
	return scoring.Percent(f)
}

// threshold formats a configured threshold: one decimal ("95,0%"), more
// only where it has them (scoring.ThresholdPercent).
func threshold(f float64) string { return scoring.ThresholdPercent(f) }

// shortDate is DD/MM/YYYY in Vietnam time.
func shortDate(t time.Time) string {
	return t.In(vnZone).Format("02/01/2006")
}

// PlaceDate is the place-and-date line of a document per Decree
// 30/2020/NĐ-CP: "Kiên Hải, ngày 28 tháng 11 năm 2026", with a leading zero
// for days below 10 and for months 1 and 2. A zero date leaves the day and
// month as dotted blanks; year is used then (empty year → blank too).
func PlaceDate(place string, date time.Time, year int) string {
	if date.IsZero() {
		y := blank
		if year > 0 {
			y = strconv.Itoa(year)
		}
		return fmt.Sprintf("%s, ngày %s tháng %s năm %s", place, blank, blank, y)
	}
	d := date.In(vnZone)
	month := strconv.Itoa(int(d.Month()))
	if d.Month() <= time.February {
		month = "0" + month
	}
	return fmt.Sprintf("%s, ngày %02d tháng %s năm %d", place, d.Day(), month, d.Year())
}

// clean normalises a caller's string to NFC, trims it and turns runs of
// white space (including line breaks) into single spaces.
func clean(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// hamletName drops a leading "Ấp"/"ấp" from a hamlet's name, so that
// "Ấp Hòn Nghệ" reads "Ban Nhân dân ấp Hòn Nghệ", not "ấp Ấp Hòn Nghệ".
func hamletName(s string) string {
	s = clean(s)
	rs := []rune(s)
	if len(rs) > 3 && (rs[0] == 'Ấ' || rs[0] == 'ấ') && rs[1] == 'p' && unicode.IsSpace(rs[2]) {
		return strings.TrimSpace(string(rs[3:]))
	}
	return s
}
