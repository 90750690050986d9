package scoring

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date is a local civil day (in the campaign time zone). The zero Date means
// "no date" and sorts before every real date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the civil day of instant t in loc (nil means UTC).
func DateOf(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return Date{Year: y, Month: m, Day: d}
}

// NewDate is the civil day y-m-d, normalised like time.Date (31/04 is 01/05).
func NewDate(y int, m time.Month, d int) Date {
	return fromDays(daysFromCivil(y, m, d))
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// AddDays is the day n days after d (before it when n < 0).
func (d Date) AddDays(n int) Date { return fromDays(d.days() + n) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp.Compare(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp.Compare(int(d.Month), int(e.Month))
	default:
		return cmp.Compare(d.Day, e.Day)
	}
}

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Equal reports whether d and e are the same day.
func (d Date) Equal(e Date) bool { return d == e }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	w := (d.days() + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// String is d as DD/MM/YYYY (the Vietnamese way), or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	var b [10]byte
	put2(b[0:2], d.Day)
	b[2] = '/'
	put2(b[3:5], int(d.Month))
	b[5] = '/'
	if d.Year >= 0 && d.Year <= 9999 {
		put2(b[6:8], d.Year/100)
		put2(b[8:10], d.Year%100)
		return string(b[:])
	}
	return string(b[:6]) + strconv.Itoa(d.Year)
}

// ISO is d as YYYY-MM-DD, as file names and job keys write it
// ("2026-05-02").
func (d Date) ISO() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Quarter is the quarter of the year d falls in (1–4).
func (d Date) Quarter() int { return quarterOf(d.Month) }

// Half is the half of the year d falls in (1 or 2).
func (d Date) Half() int { return halfOf(d.Month) }

// Time is midnight at the start of d in loc (nil means UTC).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// DaysBetween is the number of days from a to b: 0 for the same day, 1 when
// b is the day after a, negative when b is before a.
func DaysBetween(a, b Date) int { return b.days() - a.days() }

// FormatDate is d as DD/MM/YYYY, or "" for the zero Date.
func FormatDate(d Date) string { return d.String() }

// ParseDate reads a date written day/month/year ("02/05/2026", "2/5/2026",
// "02-05-2026" or "02.05.2026").
func ParseDate(s string) (Date, error) {
	t := strings.TrimSpace(s)
	sep := strings.IndexAny(t, "/-.")
	if sep < 0 {
		return Date{}, fmt.Errorf("ngày %q không đúng dạng: hãy viết ngày/tháng/năm, ví dụ 02/05/2026", s)
	}
	parts := strings.Split(t, t[sep:sep+1])
	if len(parts) != 3 {
		return Date{}, fmt.Errorf("ngày %q không đúng dạng: hãy viết ngày/tháng/năm, ví dụ 02/05/2026", s)
	}
	var n [3]int
	for i, p := range parts {
		if p == "" || len(p) > 4 || (i < 2 && len(p) > 2) || (i == 2 && len(p) != 4) {
			return Date{}, fmt.Errorf("ngày %q không đúng dạng: hãy viết ngày/tháng/năm với năm đủ 4 chữ số, ví dụ 02/05/2026", s)
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return Date{}, fmt.Errorf("ngày %q có ký tự không phải chữ số: hãy viết ngày/tháng/năm, ví dụ 02/05/2026", s)
			}
		}
		n[i], _ = strconv.Atoi(p)
	}
	d := Date{Year: n[2], Month: time.Month(n[1]), Day: n[0]}
	if n[1] < 1 || n[1] > 12 || n[0] < 1 || NewDate(d.Year, d.Month, d.Day) != d {
		return Date{}, fmt.Errorf("ngày %q không có trên lịch: hãy kiểm tra lại ngày và tháng", s)
	}
	return d, nil
}

// days is the number of days since 1970-01-01 (proleptic Gregorian).
func (d Date) days() int { return daysFromCivil(d.Year, d.Month, d.Day) }

// daysFromCivil is Howard Hinnant's days_from_civil, normalising months
// outside 1..12 first.
func daysFromCivil(y int, mon time.Month, d int) int {
	m := int(mon) - 1
	y += m / 12
	m %= 12
	if m < 0 {
		m += 12
		y--
	}
	m++ // 1..12
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromDays is Howard Hinnant's civil_from_days.
func fromDays(z int) Date {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{Year: y, Month: time.Month(m), Day: d}
}

func put2(b []byte, n int) {
	b[0] = byte('0' + n/10%10)
	b[1] = byte('0' + n%10)
}
