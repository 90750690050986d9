package scoring

import (
	"strconv"
	"time"
)

// PeriodKind says how a Period was built; stored and compared as a string.
type PeriodKind string

// The kinds of period a report can cover.
const (
	KindDay     PeriodKind = "day"
	KindWeek    PeriodKind = "week" // ISO week, Monday to Sunday
	KindMonth   PeriodKind = "month"
	KindQuarter PeriodKind = "quarter"
	KindHalf    PeriodKind = "half" // half-year: 01/01–30/06 or 01/07–31/12
	KindYear    PeriodKind = "year"
	KindRange   PeriodKind = "range" // any from–to
)

// Period is an inclusive range of civil days with a Vietnamese label for
// messages. A Period whose To is before its From is empty.
type Period struct {
	From, To Date
	Kind     PeriodKind
	Label    string
}

// Day is the single day d ("ngày 02/05/2026").
func Day(d Date) Period { return newPeriod(KindDay, d, d) }

// ISOWeek is the Monday–Sunday week containing d ("tuần 23/2026 (01/06–07/06)").
func ISOWeek(d Date) Period {
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	from := d.AddDays(-back)
	return newPeriod(KindWeek, from, from.AddDays(6))
}

// Month is calendar month m of year y ("tháng 5/2026"); out-of-range months
// are normalised (month 13 of 2025 is January 2026).
func Month(y int, m time.Month) Period {
	from := NewDate(y, m, 1)
	to := NewDate(from.Year, from.Month+1, 1).AddDays(-1)
	return newPeriod(KindMonth, from, to)
}

// Quarter is quarter q (1–4) of year y ("quý II/2026"); out-of-range
// quarters are normalised (quarter 0 of 2026 is quarter IV of 2025).
func Quarter(y, q int) Period {
	from := NewDate(y, time.Month((q-1)*3+1), 1)
	to := NewDate(from.Year, from.Month+3, 1).AddDays(-1)
	return newPeriod(KindQuarter, from, to)
}

// Half is half-year h (1 or 2) of year y ("6 tháng đầu năm 2026");
// out-of-range halves are normalised like Quarter.
func Half(y, h int) Period {
	from := NewDate(y, time.Month((h-1)*6+1), 1)
	to := NewDate(from.Year, from.Month+6, 1).AddDays(-1)
	return newPeriod(KindHalf, from, to)
}

// Year is the calendar year y ("năm 2026").
func Year(y int) Period {
	return newPeriod(KindYear, Date{y, time.January, 1}, Date{y, time.December, 31})
}

// Range is from–to inclusive ("từ 01/05/2026 đến 15/05/2026"); the two ends
// are swapped when given in the wrong order.
func Range(from, to Date) Period {
	if to.Before(from) {
		from, to = to, from
	}
	return newPeriod(KindRange, from, to)
}

// Previous is the period of the same kind just before p: the day, week,
// month, quarter, half-year or year before, or for a range the range of the
// same length ending the day before p starts. It is not clipped.
func (p Period) Previous() Period {
	switch p.Kind {
	case KindDay:
		return Day(p.From.AddDays(-1))
	case KindWeek:
		return ISOWeek(p.From.AddDays(-7))
	case KindMonth:
		return Month(p.From.Year, p.From.Month-1)
	case KindQuarter:
		return Quarter(p.From.Year, quarterOf(p.From.Month)-1)
	case KindHalf:
		return Half(p.From.Year, halfOf(p.From.Month)-1)
	case KindYear:
		return Year(p.From.Year - 1)
	default:
		n := p.Days()
		if n == 0 {
			n = 1
		}
		return Range(p.From.AddDays(-n), p.From.AddDays(-1))
	}
}

// Clip is p limited to start..end (the campaign). The kind is kept; labels
// that show dates (weeks, ranges) show the clipped dates. The result is
// empty when p lies outside start..end.
func (p Period) Clip(start, end Date) Period {
	from, to := p.From, p.To
	if from.Before(start) {
		from = start
	}
	if to.After(end) {
		to = end
	}
	if to.Before(from) {
		return Period{From: from, To: to, Kind: p.Kind, Label: p.Label}
	}
	if from == p.From && to == p.To {
		return p
	}
	c := Period{From: from, To: to, Kind: p.Kind, Label: p.Label}
	if p.Kind == KindWeek || p.Kind == KindRange {
		c.Label = periodLabel(p.Kind, from, to)
	}
	return c
}

// Empty reports whether p contains no day.
func (p Period) Empty() bool { return p.From.IsZero() || p.To.Before(p.From) }

// Days is the number of days in p (0 when empty).
func (p Period) Days() int {
	if p.Empty() {
		return 0
	}
	return DaysBetween(p.From, p.To) + 1
}

// Contains reports whether d falls within p.
func (p Period) Contains(d Date) bool {
	return !p.Empty() && !d.Before(p.From) && !d.After(p.To)
}

// String is the period's label.
func (p Period) String() string { return p.Label }

func newPeriod(k PeriodKind, from, to Date) Period {
	return Period{From: from, To: to, Kind: k, Label: periodLabel(k, from, to)}
}

func periodLabel(k PeriodKind, from, to Date) string {
	switch k {
	case KindDay:
		return "ngày " + from.String()
	case KindWeek:
		y, w := from.Time(time.UTC).ISOWeek()
		return "tuần " + strconv.Itoa(w) + "/" + strconv.Itoa(y) + " (" + from.String()[:5] + "–" + to.String()[:5] + ")"
	case KindMonth:
		return "tháng " + strconv.Itoa(int(from.Month)) + "/" + strconv.Itoa(from.Year)
	case KindQuarter:
		return "quý " + [...]string{"I", "II", "III", "IV"}[quarterOf(from.Month)-1] + "/" + strconv.Itoa(from.Year)
	case KindHalf:
		if halfOf(from.Month) == 1 {
			return "6 tháng đầu năm " + strconv.Itoa(from.Year)
		}
		return "6 tháng cuối năm " + strconv.Itoa(from.Year)
	case KindYear:
		return "năm " + strconv.Itoa(from.Year)
	default:
		return "từ " + from.String() + " đến " + to.String()
	}
}

func quarterOf(m time.Month) int { return (int(m)-1)/3 + 1 }
func halfOf(m time.Month) int    { return (int(m)-1)/6 + 1 }
