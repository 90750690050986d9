package web

import (
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"dvcbot/scoring"
)

// The charts are SVG written by hand, inline in the page. Why not the
// chart package the bot uses (gonum/plot): it draws PNG for chat messages,
// with fonts embedded; on a page, SVG stays sharp at any zoom, weighs a
// few kilobytes, takes its font (with every Vietnamese diacritic) from the
// page, needs no script, passes a Content-Security-Policy without inline
// styles (geometry is attributes, colours come from the stylesheet), and
// carries its figures as text that a screen reader and a test can read.
// The charts are simple enough (bars and one line) that a few dozen lines
// each say exactly what is drawn.

// hbar is one bar of a horizontal bar chart.
type hbar struct {
	Label string  // shown left of the bar (shortened when long)
	Title string  // the full label, as a tooltip
	Value float64 // length as a share of the axis, 0..1
	Text  string  // the figure shown after the bar
	Good  bool    // reaches the target (drawn in the "met" colour)
	ID    string  // data-id, for tests
}

// Geometry of the bar charts, in SVG units (the viewBox scales them to
// the width of the page: 1 unit ≈ 1 CSS pixel on a 390 px phone).
const (
	chartWidth  = 360.0
	labelWidth  = 104.0
	valueWidth  = 48.0
	rowHeight   = 22.0
	barHeight   = 14.0
	chartTop    = 18.0
	chartBottom = 6.0
)

// hbarChart draws bars left to right, one row each, with a dashed line at
// threshold (a share of the axis; none when negative) labelled thLabel.
func hbarChart(title string, bars []hbar, threshold float64, thLabel string) template.HTML {
	var b strings.Builder
	axis := chartWidth - labelWidth - valueWidth
	h := chartTop + rowHeight*float64(len(bars)) + chartBottom
	b.WriteString(`<svg class="bieu-do" viewBox="0 0 ` + f1(chartWidth) + ` ` + f1(h) + `" role="img" aria-label="` + esc(title) + `">`)
	b.WriteString(`<title>` + esc(title) + `</title>`)
	for i, bar := range bars {
		y := chartTop + rowHeight*float64(i)
		w := axis * clamp01(bar.Value)
		cls := "cot"
		if bar.Good {
			cls += " dat"
		}
		b.WriteString(`<g class="` + cls + `" data-id="` + esc(bar.ID) + `">`)
		b.WriteString(`<title>` + esc(bar.Title+": "+bar.Text) + `</title>`)
		b.WriteString(`<text class="nhan" x="` + f1(labelWidth-6) + `" y="` + f1(y+barHeight-3) + `" text-anchor="end">` + esc(shorten(bar.Label, 16)) + `</text>`)
		b.WriteString(`<rect class="nen" x="` + f1(labelWidth) + `" y="` + f1(y) + `" width="` + f1(axis) + `" height="` + f1(barHeight) + `"/>`)
		if w > 0 {
			b.WriteString(`<rect class="thanh" x="` + f1(labelWidth) + `" y="` + f1(y) + `" width="` + f1(w) + `" height="` + f1(barHeight) + `"/>`)
		}
		b.WriteString(`<text class="so" x="` + f1(labelWidth+axis+4) + `" y="` + f1(y+barHeight-3) + `">` + esc(bar.Text) + `</text>`)
		b.WriteString(`</g>`)
	}
	if threshold >= 0 {
		x := labelWidth + axis*clamp01(threshold)
		b.WriteString(`<line class="nguong" data-threshold="` + strconv.FormatFloat(threshold, 'f', -1, 64) + `" x1="` + f1(x) + `" y1="` + f1(chartTop-4) +
			`" x2="` + f1(x) + `" y2="` + f1(h-chartBottom+2) + `"/>`)
		b.WriteString(`<text class="nhan-nguong" x="` + f1(x) + `" y="` + f1(chartTop-7) + `" text-anchor="middle">` + esc(thLabel) + `</text>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Geometry of the trend chart.
const (
	trendHeight = 170.0
	trendLeft   = 34.0
	trendRight  = 8.0
	trendTop    = 10.0
	trendBottom = 22.0
)

// trendChart draws the households guided each week as a line, with a
// scale on the left and month marks below; the week still under way is
// joined by a dashed segment and drawn hollow, so that its smaller figure
// does not read as a drop.
func trendChart(title string, weeks []weekPoint) template.HTML {
	var b strings.Builder
	b.WriteString(`<svg class="bieu-do xu-huong" viewBox="0 0 ` + f1(chartWidth) + ` ` + f1(trendHeight) + `" role="img" aria-label="` + esc(title) + `">`)
	b.WriteString(`<title>` + esc(title) + `</title>`)
	top := 0
	for _, w := range weeks {
		top = max(top, w.Households)
	}
	step := niceStep(top)
	top = 4 * step
	plotW := chartWidth - trendLeft - trendRight
	plotH := trendHeight - trendTop - trendBottom
	base := trendTop + plotH
	y := func(v int) float64 { return base - plotH*float64(v)/float64(top) }
	for g := 0; g <= top; g += step {
		b.WriteString(`<line class="luoi" x1="` + f1(trendLeft) + `" y1="` + f1(y(g)) + `" x2="` + f1(chartWidth-trendRight) + `" y2="` + f1(y(g)) + `"/>`)
		b.WriteString(`<text class="nhan" x="` + f1(trendLeft-4) + `" y="` + f1(y(g)+4) + `" text-anchor="end">` + scoring.Number(g) + `</text>`)
	}
	n := len(weeks)
	x := func(i int) float64 {
		if n <= 1 {
			return trendLeft + plotW/2
		}
		return trendLeft + plotW*float64(i)/float64(n-1)
	}
	lastMonth := time.Month(0)
	for i, w := range weeks {
		// A month is marked at the first week that starts in it.
		if m := w.From.Month; m != lastMonth && (i == 0 || w.From.Day <= 7) {
			lastMonth = m
			b.WriteString(`<text class="nhan" x="` + f1(x(i)) + `" y="` + f1(trendHeight-6) + `" text-anchor="middle">T` + strconv.Itoa(int(m)) + `</text>`)
		}
	}
	if n == 0 {
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	done := n
	if weeks[n-1].Ongoing && n > 1 {
		done = n - 1
	}
	var pts strings.Builder
	for i, w := range weeks[:done] {
		if i > 0 {
			pts.WriteByte(' ')
		}
		pts.WriteString(f1(x(i)) + "," + f1(y(w.Households)))
	}
	b.WriteString(`<polyline class="duong" points="` + pts.String() + `"/>`)
	last := weeks[n-1]
	dot := "diem"
	note := ""
	if done < n {
		b.WriteString(`<polyline class="duong doan-cuoi" points="` + f1(x(n-2)) + "," + f1(y(weeks[n-2].Households)) + " " +
			f1(x(n-1)) + "," + f1(y(last.Households)) + `"/>`)
		dot, note = "diem rong", " (tuần đang diễn ra)"
	}
	b.WriteString(`<circle class="` + dot + `" cx="` + f1(x(n-1)) + `" cy="` + f1(y(last.Households)) + `" r="3"><title>` +
		esc("Tuần "+last.From.String()[:5]+" – "+last.To.String()+": "+scoring.Number(last.Households)+" lượt hộ"+note) + `</title></circle>`)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep is the step of a four-step scale reaching at least n: 1, 2,
// 2.5, 3, 4, 5, 6 or 8 times a power of ten, whole.
func niceStep(n int) int {
	q := max(1, (n+3)/4)
	for p := 1; ; p *= 10 {
		for _, m := range []int{10, 20, 25, 30, 40, 50, 60, 80, 100} {
			if s := m * p / 10; s*10 == m*p && s >= q {
				return s
			}
		}
	}
}

// barSVG is a bar as long as share (0..1) of its line, for lists.
func barSVG(share float64) template.HTML {
	w := f1(100 * clamp01(share))
	return template.HTML(`<svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect class="nen" width="100" height="8"/><rect class="thanh" width="` + w + `" height="8"/></svg>`)
}

func clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// f1 writes a coordinate with at most one decimal.
func f1(x float64) string { return strconv.FormatFloat(math.Round(x*10)/10, 'f', -1, 64) }

func esc(s string) string { return template.HTMLEscapeString(s) }

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
