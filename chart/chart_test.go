package chart

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strings"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

var sampleOut = flag.String("sample", "", "write the sample chart PNG to this file (e.g. /tmp/chart-sample.png)")

// sampleBars are the 13 hamlets of the illustrative configuration.
func sampleBars() []Bar {
	return []Bar{
		{"Bãi Nhà", 0.982}, {"Bãi Ngự", 0.95}, {"Hòn Tre", 0.912}, {"Lại Sơn", 1},
		{"An Sơn", 0.874}, {"Nam Du", 0.9499}, {"Hòn Mấu", 0.63}, {"Củ Tron", 0.05},
		{"Hòn Sơn", 0.967}, {"Hòn Đước", 0}, {"Bãi Giếng", 0.781}, {"Ấp Hòn Nghệ", 0.955},
		{"Thiên Hải Sơn", 0.702},
	}
}

const sampleTitle = "Độ phủ dịch vụ công trực tuyến theo ấp — 28/11/2026"

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

func TestCoveragePNGSizeAndContent(t *testing.T) {
	for _, tc := range []struct {
		name          string
		bars          []Bar
		width, height int
	}{
		{"13 hamlets, landscape", sampleBars(), 1200, 700},
		{"13 hamlets, phone-sized", sampleBars(), 640, 480},
		{"one hamlet", []Bar{{"Bãi Nhà", 0.5}}, 800, 600},
		{"short names fit unrotated", []Bar{{"A", 0.99}, {"B", 0.1}}, 1000, 600},
		{"odd size", sampleBars(), 1001, 777},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := CoveragePNG(sampleTitle, tc.bars, 0.95, tc.width, tc.height)
			if err != nil {
				t.Fatal(err)
			}
			img := decode(t, b)
			if got := img.Bounds().Size(); got.X != tc.width || got.Y != tc.height {
				t.Fatalf("size %v, want %dx%d", got, tc.width, tc.height)
			}
			if n := countColour(img, colorMet) + countColour(img, colorBelow); n < 500 {
				t.Errorf("only %d bar pixels: chart looks blank", n)
			}
			if distinctColours(img) < 10 {
				t.Errorf("image has fewer than 10 colours: looks blank")
			}
		})
	}
}

func TestCoveragePNGColoursBarsByThreshold(t *testing.T) {
	all := func(v float64) []Bar {
		bs := sampleBars()
		for i := range bs {
			bs[i].Value = v
		}
		return bs
	}
	met, err := CoveragePNG("", all(0.95), 0.95, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	below, err := CoveragePNG("", all(0.9), 0.95, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	// The colour key shows a small swatch of each colour; bars add far more.
	mi, bi := decode(t, met), decode(t, below)
	if a, b := countColour(mi, colorMet), countColour(mi, colorBelow); a < 10*b {
		t.Errorf("all at 95%% of 95%%: %d met pixels vs %d below pixels; want bars in the 'met' colour", a, b)
	}
	if a, b := countColour(bi, colorMet), countColour(bi, colorBelow); b < 10*a {
		t.Errorf("all at 90%% of 95%%: %d met pixels vs %d below pixels; want bars in the 'below' colour", a, b)
	}
}

func TestCoveragePNGRejectsBadInput(t *testing.T) {
	nan := 0.0
	nan = nan / nan
	for _, tc := range []struct {
		name      string
		bars      []Bar
		threshold float64
		w, h      int
		want      string
	}{
		{"no bars", nil, 0.95, 800, 600, "no hamlet"},
		{"tiny", sampleBars(), 0.95, 10, 10, "size"},
		{"huge", sampleBars(), 0.95, 100000, 600, "size"},
		{"threshold zero", sampleBars(), 0, 800, 600, "threshold"},
		{"threshold percent", sampleBars(), 95, 800, 600, "threshold"},
		{"NaN value", []Bar{{"Bãi Nhà", nan}}, 0.95, 800, 600, "Bãi Nhà"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CoveragePNG("x", tc.bars, tc.threshold, tc.w, tc.h)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestPercentAndTargetLabel(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0.95, "95%"}, {0.912, "91,2%"}, {1, "100%"}, {0, "0%"}, {0.9499, "94,9%"},
		{0.925, "92,5%"}, {95.0 / 100, "95%"}, {19.0 / 20, "95%"}, {0.0001, "0%"},
	} {
		if got := Percent(tc.in); got != tc.want {
			t.Errorf("Percent(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := TargetLabel(0.95); got != "Mục tiêu 95%" {
		t.Errorf("TargetLabel(0.95) = %q", got)
	}
	if got := TargetLabel(0.925); got != "Mục tiêu 92,5%" {
		t.Errorf("TargetLabel(0.925) = %q", got)
	}
}

// TestFontCoversVietnamese checks that the fonts used have a real glyph
// (not .notdef) for every letter of Vietnamese and every label drawn.
func TestFontCoversVietnamese(t *testing.T) {
	var all strings.Builder
	all.WriteString(sampleTitle + "Độ phủ (%)" + TargetLabel(0.925) + "Đạt mục tiêu (từ 95%)Chưa đạt (dưới 95%)0123456789")
	for _, b := range sampleBars() {
		all.WriteString(b.Label)
	}
	all.WriteString("aăâbcdđeêghiklmnoôơpqrstuưvxy")
	all.WriteString(strings.ToUpper("aăâbcdđeêghiklmnoôơpqrstuưvxy"))
	for _, base := range "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY" {
		for _, mark := range "\u0300\u0301\u0303\u0309\u0323" { // huyền sắc ngã hỏi nặng
			all.WriteString(norm.NFC.String(string(base) + string(mark)))
		}
	}
	for r := rune(0x1EA0); r <= 0x1EF9; r++ {
		all.WriteRune(r)
	}
	for name, ttf := range map[string][]byte{"regular": liberationsansregular.TTF, "bold": liberationsansbold.TTF} {
		f, err := sfnt.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		var buf sfnt.Buffer
		for _, r := range all.String() {
			if r == ' ' {
				continue
			}
			if i, err := f.GlyphIndex(&buf, r); err != nil || i == 0 {
				t.Errorf("Liberation Sans %s has no glyph for %q (U+%04X)", name, r, r)
			}
		}
	}
}

// TestDecomposedLabelsRenderLikeComposed: a name typed in NFD (combining
// marks) must produce exactly the same image as its NFC form.
func TestDecomposedLabelsRenderLikeComposed(t *testing.T) {
	nfc := sampleBars()
	nfd := sampleBars()
	for i := range nfd {
		nfd[i].Label = norm.NFD.String(nfd[i].Label)
	}
	a, err := CoveragePNG(norm.NFD.String(sampleTitle), nfd, 0.95, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	b, err := CoveragePNG(sampleTitle, nfc, 0.95, 800, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("NFD labels render differently from NFC labels")
	}
}

// TestWriteSample writes the sample chart when -sample is given, for a
// person to look at.
func TestWriteSample(t *testing.T) {
	if *sampleOut == "" {
		t.Skip("pass -sample FILE to write the sample chart")
	}
	b, err := CoveragePNG(sampleTitle, sampleBars(), 0.95, 1200, 700)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(*sampleOut, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func countColour(img image.Image, c color.RGBA) int {
	px := toRGBA(img).Pix
	n := 0
	for i := 0; i+3 < len(px); i += 4 {
		if px[i] == c.R && px[i+1] == c.G && px[i+2] == c.B {
			n++
		}
	}
	return n
}

func distinctColours(img image.Image) int {
	px := toRGBA(img).Pix
	seen := map[[4]uint8]bool{}
	for i := 0; i+3 < len(px); i += 4 * 7 {
		seen[[4]uint8{px[i], px[i+1], px[i+2], px[i+3]}] = true
	}
	return len(seen)
}

func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(img.Bounds())
	draw.Draw(r, r.Bounds(), img, img.Bounds().Min, draw.Src)
	return r
}
