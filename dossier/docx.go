package dossier

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// A DOCX here is a handful of OOXML parts rendered from the embedded
// templates below; the document body is a list of paragraphs and tables
// built in Go (content.go). Every caller-supplied string reaches the XML
// through the "x" template function, which escapes it.

//go:embed templates/*.xml
var templateFS embed.FS

// Page geometry in twentieths of a point (twips): A4, margins per Decree
// 30/2020/NĐ-CP — top 20 mm, bottom 20 mm, left 30 mm, right 15 mm.
const (
	a4Width      = 11906
	a4Height     = 16838
	marginTop    = 1134 // 20 mm
	marginBottom = 1134 // 20 mm
	marginLeft   = 1701 // 30 mm
	marginRight  = 850  // 15 mm
	textWidth    = a4Width - marginLeft - marginRight
)

// Font sizes in half-points.
const (
	size11 = 22
	size12 = 24
	size13 = 26
	size14 = 28 // the default, set in styles.xml
)

type page struct{ Width, Height, Top, Bottom, Left, Right int }

// run is a piece of text with one formatting.
type run struct {
	Text                    string
	Bold, Italic, Underline bool
	Size                    int  // half-points; 0 = document default (14 pt)
	Tab                     bool // a tab to the next tab stop instead of text
}

// para is one paragraph. Align is an OOXML jc value: left, center, right,
// both (justified). Spacing and indents are in twips.
type para struct {
	Runs               []run
	Align              string
	Before, After      int
	IndLeft, IndRight  int
	FirstLine, Hanging int
	Size               int   // size of the paragraph mark (empty lines)
	KeepNext           bool  // keep with the next paragraph
	Rule               bool  // a horizontal line (top border): pair with indents to shorten it
	Tabs               []int // right-aligned tab stops with a dotted leader: lines to fill in by hand
}

// cell is one table cell; Width is filled in from the table's columns.
type cell struct {
	Paras []para
	Span  int
	Width int
	Shade string // fill colour, hex
	Top   bool   // align contents to the top (default: centre)
}

// row is a table row. Header rows repeat on every page and are kept with
// the next row; other rows never split across pages. (Header rows are not
// marked "cannot split": LibreOffice 7.4 then drops the rows that follow
// when the header falls at the foot of a page.)
type row struct {
	Cells  []cell
	Header bool
}

type table struct {
	Widths     []int
	Rows       []row
	Grid       bool // draw borders
	CellMargin int
	Total      int
}

// block is a paragraph or a table.
type block struct {
	Para  *para
	Table *table
}

type document struct {
	Title  string
	Blocks []block
	Page   page
}

func (d *document) p(p para) {
	if p.Align == "" {
		p.Align = "both"
	}
	d.Blocks = append(d.Blocks, block{Para: &p})
}

func (d *document) table(t table) error {
	t.Total = 0
	for _, w := range t.Widths {
		t.Total += w
	}
	for i := range t.Rows {
		col := 0
		for j := range t.Rows[i].Cells {
			c := &t.Rows[i].Cells[j]
			if c.Span < 1 {
				c.Span = 1
			}
			if col+c.Span > len(t.Widths) {
				return fmt.Errorf("table row %d spans %d columns of %d", i+1, col+c.Span, len(t.Widths))
			}
			c.Width = 0
			for _, w := range t.Widths[col : col+c.Span] {
				c.Width += w
			}
			col += c.Span
			if len(c.Paras) == 0 {
				c.Paras = []para{{}} // a cell must hold a paragraph
			}
			for k := range c.Paras {
				if c.Paras[k].Align == "" {
					c.Paras[k].Align = "left"
				}
				if t.Rows[i].Header {
					c.Paras[k].KeepNext = true
				}
			}
		}
		if col != len(t.Widths) {
			return fmt.Errorf("table row %d has %d columns, want %d", i+1, col, len(t.Widths))
		}
	}
	d.Blocks = append(d.Blocks, block{Table: &t})
	return nil
}

// escape writes s as XML character data: <, >, &, quotes escaped, and
// characters XML cannot hold (control characters) replaced by U+FFFD.
func escape(s string) (string, error) {
	var b strings.Builder
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return "", err
	}
	return b.String(), nil
}

func parseTemplate(name string) (*template.Template, error) {
	t, err := template.New(name).Funcs(template.FuncMap{"x": escape}).
		Option("missingkey=error").ParseFS(templateFS, "templates/"+name)
	if err != nil {
		return nil, fmt.Errorf("dossier: parse template %s: %w", name, err)
	}
	return t, nil
}

func render(name string, data any) ([]byte, error) {
	t, err := parseTemplate(name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("dossier: render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// docx packages d as a Word document. modified stamps the zip entries so
// that the same input always gives the same bytes.
func (d *document) docx(modified time.Time) ([]byte, error) {
	d.Page = page{Width: a4Width, Height: a4Height, Top: marginTop, Bottom: marginBottom, Left: marginLeft, Right: marginRight}
	body, err := render("document.xml", d)
	if err != nil {
		return nil, err
	}
	core, err := render("core.xml", d)
	if err != nil {
		return nil, err
	}
	parts := []struct {
		name string
		data []byte
	}{
		{"[Content_Types].xml", nil},
		{"_rels/.rels", nil},
		{"docProps/core.xml", core},
		{"word/_rels/document.xml.rels", nil},
		{"word/document.xml", body},
		{"word/styles.xml", nil},
		{"word/settings.xml", nil},
	}
	static := map[string]string{
		"[Content_Types].xml":          "content_types.xml",
		"_rels/.rels":                  "rels.xml",
		"word/_rels/document.xml.rels": "document_rels.xml",
		"word/styles.xml":              "styles.xml",
		"word/settings.xml":            "settings.xml",
	}
	if modified.IsZero() || modified.Year() < 1980 {
		modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		data := p.data
		if data == nil {
			data, err = templateFS.ReadFile("templates/" + static[p.name])
			if err != nil {
				return nil, fmt.Errorf("dossier: read template for %s: %w", p.name, err)
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return nil, fmt.Errorf("dossier: zip %s: %w", p.name, err)
		}
		if _, err := w.Write(data); err != nil {
			return nil, fmt.Errorf("dossier: zip %s: %w", p.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("dossier: close zip: %w", err)
	}
	return buf.Bytes(), nil
}

// Helpers to write the content compactly.

func txt(s string) run  { return run{Text: s} }
func bold(s string) run { return run{Text: s, Bold: true} }
func ital(s string) run { return run{Text: s, Italic: true} }

// fill is a dotted line up to the next tab stop.
func fill() run { return run{Tab: true} }

// sized returns runs with their size set.
func sized(size int, rs ...run) []run {
	out := make([]run, len(rs))
	for i, r := range rs {
		r.Size = size
		out[i] = r
	}
	return out
}
