// Package chart draws the campaign's charts as PNG images: today the
// coverage of every hamlet against the award threshold, posted with the
// daily leaderboard and the reviews.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"

	stdfont "golang.org/x/image/font"
	"golang.org/x/text/unicode/norm"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Bar is one hamlet's bar: its name and its coverage as a fraction (0..1).
type Bar struct {
	Label string
	Value float64
}

// Size limits of the image, in pixels.
const (
	MinWidth  = 320
	MinHeight = 240
	MaxSide   = 4000
)

// Colours: bars that reached the threshold are blue, the others orange
// (a pair that colour-blind readers still tell apart).
var (
	colorMet    = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb4, A: 0xff}
	colorBelow  = color.RGBA{R: 0xe6, G: 0x6a, B: 0x0d, A: 0xff}
	colorTarget = color.RGBA{R: 0xc6, G: 0x28, B: 0x28, A: 0xff}
	colorGrid   = color.Gray{Y: 0xdd}
	colorText   = color.Gray{Y: 0x20}
)

// Typeface used for every text. The Liberation fonts shipped with gonum/plot
// (codeberg.org/go-fonts/liberation) have glyphs for all of Vietnamese —
// ă â đ ê ô ơ ư and the whole Latin Extended Additional block U+1EA0..U+1EF9
// with the tone marks — whereas the Go fonts (golang.org/x/image/font/gofont)
// lack ơ, ư and all of U+1EA0..U+1EF9. The sans variant reads best at small
// sizes on a phone screen.
var (
	typeface = font.Font{Typeface: "Liberation", Variant: "Sans"}
)

// epsilon absorbs floating-point noise when a coverage equals the
// threshold (95/100 must count as reaching 0.95).
const epsilon = 1e-9

// CoveragePNG draws the coverage of each hamlet as a bar chart and returns
// it encoded as a width×height PNG. Bars keep the order given; the y axis
// runs from 0 to 100%; a dashed line marks threshold (a fraction, e.g.
// 0.95) and bars at or above it are coloured differently from those below.
// Labels are normalised to NFC so that text typed on any keyboard renders
// with its diacritics.
func CoveragePNG(title string, bars []Bar, threshold float64, width, height int) ([]byte, error) {
	if len(bars) == 0 {
		return nil, errors.New("chart: no hamlet to draw: pass at least one bar")
	}
	if width < MinWidth || height < MinHeight || width > MaxSide || height > MaxSide {
		return nil, fmt.Errorf("chart: image size %d×%d out of range: use %d..%d × %d..%d pixels",
			width, height, MinWidth, MaxSide, MinHeight, MaxSide)
	}
	if math.IsNaN(threshold) || threshold <= 0 || threshold > 1 {
		return nil, fmt.Errorf("chart: threshold %v out of range: give a fraction in (0, 1], e.g. 0.95", threshold)
	}
	clean := make([]Bar, len(bars))
	for i, b := range bars {
		if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) {
			return nil, fmt.Errorf("chart: bar %d (%q) has no numeric value", i+1, b.Label)
		}
		clean[i] = Bar{Label: norm.NFC.String(strings.TrimSpace(b.Label)), Value: b.Value}
	}

	// Scale everything with the width: 1000 px wide is drawn at 96 dpi, so
	// the layout, measured in points, looks the same at any size.
	dpi := int(math.Round(float64(width) * 96 / 1000))
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	canvas := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))
	dc := draw.New(canvas)

	hdlr := text.Plain{Fonts: font.NewCache(liberation.Collection())}
	style := func(size vg.Length, bold bool) text.Style {
		f := font.From(typeface, size)
		if bold {
			f.Weight = stdfont.WeightBold
		}
		return text.Style{Color: colorText, Font: f, Handler: hdlr}
	}

	header := drawHeader(dc, norm.NFC.String(title), threshold, style)

	p := plot.New()
	p.TextHandler = hdlr
	p.BackgroundColor = color.White
	p.Legend.TextStyle = style(10, false)

	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Label.Text = "Độ phủ (%)"
	p.Y.Label.TextStyle = style(11, false)
	p.Y.Label.TextStyle.XAlign = draw.XCenter
	p.Y.Label.TextStyle.YAlign = draw.YBottom
	p.Y.Tick.Label = style(10, false)
	p.Y.Tick.Label.XAlign = draw.XRight
	p.Y.Tick.Label.YAlign = draw.YCenter
	yticks := make([]plot.Tick, 0, 11)
	for v := 0; v <= 100; v += 10 {
		yticks = append(yticks, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yticks)

	p.X.Min, p.X.Max = -0.5, float64(len(clean))-0.5
	p.X.Tick.Label = style(10, false)
	names := make([]string, len(clean))
	for i, b := range clean {
		names[i] = b.Label
	}
	p.NominalX(names...)
	p.X.Tick.Label.XAlign = draw.XCenter
	p.X.Tick.Label.YAlign = draw.YTop
	// Rotate the hamlet names when the longest does not fit under its bar.
	plotWidth := dc.Max.X - dc.Min.X - vg.Points(90)
	slot := plotWidth / vg.Length(len(clean))
	for _, n := range names {
		if p.X.Tick.Label.Width(n) > slot*0.92 {
			p.X.Tick.Label.Rotation = math.Pi / 6
			p.X.Tick.Label.XAlign = draw.XRight
			p.X.Tick.Label.YAlign = draw.YCenter
			break
		}
	}

	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = colorGrid
	grid.Horizontal.Width = vg.Points(0.5)
	p.Add(grid)

	// Bars, then the dashed line across them, then the percentages on
	// white boxes so that the line never strikes through a figure.
	cb := &coverageBars{bars: clean, threshold: threshold, label: style(9, false)}
	p.Add(cb)
	p.Add(&targetLine{
		threshold: threshold,
		label:     style(10, true),
		text:      TargetLabel(threshold),
	})
	p.Add(valueLabels{cb})

	margin := vg.Points(6)
	p.Draw(draw.Crop(dc, margin, -margin, margin, -header))

	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas.Image()); err != nil {
		return nil, fmt.Errorf("chart: encode PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// TargetLabel is the caption of the threshold line, e.g. "Mục tiêu 95%" or
// "Mục tiêu 92,5%".
func TargetLabel(threshold float64) string {
	return "Mục tiêu " + Percent(threshold)
}

// Percent formats a fraction as a Vietnamese percentage with at most one
// decimal, a decimal comma and no trailing ",0": 0.912 → "91,2%",
// 0.95 → "95%". It truncates rather than rounds, so 0.9499 shows as
// "94,9%" and never looks as if it had reached 95%.
func Percent(f float64) string {
	tenths := math.Floor(f*1000 + epsilon)
	s := strconv.FormatFloat(tenths/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + "%"
}

// drawHeader draws the title and the colour key across the top of c and
// returns the height it used.
func drawHeader(c draw.Canvas, title string, threshold float64, style func(vg.Length, bool) text.Style) vg.Length {
	pad := vg.Points(8)
	y := c.Max.Y - pad
	if title != "" {
		ts := style(14, true)
		ts.XAlign = draw.XCenter
		ts.YAlign = draw.YTop
		c.FillText(ts, vg.Point{X: c.Center().X, Y: y}, title)
		y -= ts.Rectangle(title).Size().Y + vg.Points(6)
	}

	ks := style(10, false)
	ks.YAlign = draw.YCenter
	pct := Percent(threshold)
	items := []struct {
		clr  color.Color
		text string
	}{
		{colorMet, "Đạt mục tiêu (từ " + pct + ")"},
		{colorBelow, "Chưa đạt (dưới " + pct + ")"},
	}
	sw := vg.Points(12)
	gap := vg.Points(5)
	space := vg.Points(18)
	total := vg.Length(0)
	for i, it := range items {
		total += sw + gap + ks.Width(it.text)
		if i > 0 {
			total += space
		}
	}
	x := c.Center().X - total/2
	rowH := ks.Rectangle("Ấp").Size().Y
	cy := y - rowH/2
	for _, it := range items {
		r := vg.Rectangle{Min: vg.Point{X: x, Y: cy - sw/2}, Max: vg.Point{X: x + sw, Y: cy + sw/2}}
		c.SetColor(it.clr)
		c.Fill(r.Path())
		x += sw + gap
		c.FillText(ks, vg.Point{X: x, Y: cy}, it.text)
		x += ks.Width(it.text) + space
	}
	y -= rowH + pad
	return c.Max.Y - y
}

// coverageBars draws one bar per hamlet, coloured by whether it reached
// the threshold, with its percentage above it.
type coverageBars struct {
	bars      []Bar
	threshold float64
	label     text.Style
}

func (b *coverageBars) met(v float64) bool { return v+epsilon >= b.threshold }

func height(v float64) float64 { return 100 * math.Max(0, math.Min(1, v)) }

// Plot implements plot.Plotter.
func (b *coverageBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, bar := range b.bars {
		x0, x1 := trX(float64(i)-0.34), trX(float64(i)+0.34)
		y0, y1 := trY(0), trY(height(bar.Value))
		clr := colorBelow
		if b.met(bar.Value) {
			clr = colorMet
		}
		if y1 > y0 {
			r := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
			c.SetColor(clr)
			c.Fill(r.Path())
		}
	}
}

// valueLabels writes each bar's percentage above it on a white box.
type valueLabels struct{ *coverageBars }

// Plot implements plot.Plotter.
func (v valueLabels) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	ls := v.label
	ls.XAlign = draw.XCenter
	ls.YAlign = draw.YBottom
	for i, bar := range v.bars {
		s := Percent(bar.Value)
		pt := vg.Point{X: trX(float64(i)), Y: trY(height(bar.Value)) + vg.Points(2)}
		r := ls.Rectangle(s).Add(pt)
		r.Min.X -= vg.Points(1.5)
		r.Max.X += vg.Points(1.5)
		c.SetColor(color.White)
		c.Fill(r.Path())
		c.FillText(ls, pt, s)
	}
}

// DataRange implements plot.DataRanger.
func (b *coverageBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(b.bars)) - 0.5, 0, 100
}

// GlyphBoxes implements plot.GlyphBoxer so that the value labels above
// full bars get room at the top of the plot.
func (b *coverageBars) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	boxes := make([]plot.GlyphBox, len(b.bars))
	for i, bar := range b.bars {
		s := Percent(bar.Value)
		w := b.label.Width(s)
		h := b.label.Rectangle(s).Size().Y
		boxes[i] = plot.GlyphBox{
			X: plt.X.Norm(float64(i)),
			Y: plt.Y.Norm(height(bar.Value)),
			Rectangle: vg.Rectangle{
				Min: vg.Point{X: -w / 2, Y: 0},
				Max: vg.Point{X: w / 2, Y: h + vg.Points(2)},
			},
		}
	}
	return boxes
}

// targetLine is the dashed threshold line, captioned in the right margin.
type targetLine struct {
	threshold float64
	label     text.Style
	text      string
}

// Plot implements plot.Plotter.
func (t *targetLine) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	y := trY(100 * t.threshold)
	ls := draw.LineStyle{
		Color:  colorTarget,
		Width:  vg.Points(1.5),
		Dashes: []vg.Length{vg.Points(6), vg.Points(4)},
	}
	c.StrokeLine2(ls, trX(plt.X.Min), y, trX(plt.X.Max), y)
	ts := t.label
	ts.Color = colorTarget
	ts.XAlign = draw.XLeft
	ts.YAlign = draw.YCenter
	c.FillText(ts, vg.Point{X: trX(plt.X.Max) + vg.Points(4), Y: y}, t.text)
}

// GlyphBoxes implements plot.GlyphBoxer: the caption needs room to the
// right of the data area.
func (t *targetLine) GlyphBoxes(plt *plot.Plot) []plot.GlyphBox {
	w := t.label.Width(t.text)
	h := t.label.Rectangle(t.text).Size().Y
	return []plot.GlyphBox{{
		X: 1,
		Y: plt.Y.Norm(100 * t.threshold),
		Rectangle: vg.Rectangle{
			Min: vg.Point{X: vg.Points(4), Y: -h / 2},
			Max: vg.Point{X: vg.Points(4) + w + vg.Points(2), Y: h / 2},
		},
	}}
}
