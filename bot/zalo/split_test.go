package zalo

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// checkChunks verifies the splitter's promises: every chunk within the
// limit, the chunks concatenate to s, no cut inside a grapheme cluster
// (unless the cluster alone exceeds the limit), and bold ranges inside
// their chunk.
func checkChunks(t *testing.T, s string, bold []span, limit int, chunks []chunk) {
	t.Helper()
	var b strings.Builder
	cuts := map[int]bool{}
	for i, c := range chunks {
		if n := utf16Len(c.Text); n > limit {
			t.Fatalf("chunk %d has %d UTF-16 units, limit %d", i, n, limit)
		}
		if c.Text == "" {
			t.Fatalf("chunk %d is empty", i)
		}
		for _, r := range c.Bold {
			if r.Start < 0 || r.End > len(c.Text) || r.Start >= r.End {
				t.Fatalf("chunk %d: bold range %v outside [0,%d)", i, r, len(c.Text))
			}
		}
		b.WriteString(c.Text)
		cuts[b.Len()] = true
	}
	if b.String() != s {
		t.Fatalf("concatenation differs from the input:\n got %q\nwant %q", b.String(), s)
	}
	// Walk the clusters: a cut strictly inside one is allowed only when
	// that cluster is longer than the limit.
	off := 0
	state := -1
	rest := s
	for len(rest) > 0 {
		var cl string
		cl, rest, _, state = uniseg.StepString(rest, state)
		for k := off + 1; k < off+len(cl); k++ {
			if cuts[k] && utf16Len(cl) <= limit {
				t.Fatalf("cut at byte %d inside cluster %q", k, cl)
			}
		}
		off += len(cl)
	}
	// Bold ranges survive: the union of the chunks' ranges, moved back to
	// the input's offsets, equals the input's ranges (split at cuts).
	var got []span
	base := 0
	for _, c := range chunks {
		for _, r := range c.Bold {
			got = append(got, span{r.Start + base, r.End + base})
		}
		base += len(c.Text)
	}
	if mask(got, len(s)) != mask(bold, len(s)) {
		t.Fatalf("bold coverage changed: got %v, want %v", got, bold)
	}
}

// mask marks the bytes of n covered by ranges.
func mask(rs []span, n int) string {
	b := []byte(strings.Repeat(".", n))
	for _, r := range rs {
		for i := r.Start; i < r.End && i < n; i++ {
			b[i] = 'b'
		}
	}
	return string(b)
}

func TestSplitPrefersLinesThenSpaces(t *testing.T) {
	line := strings.Repeat("a", 9) + "\n" // 10 units
	s := strings.Repeat(line, 5)          // 50 units
	chunks := splitText(s, nil, 25)
	checkChunks(t, s, nil, 25, chunks)
	if chunks[0].Text != strings.Repeat(line, 2) {
		t.Errorf("first chunk %q: want two whole lines", chunks[0].Text)
	}
	words := strings.Repeat("từ ", 20) // 60 units
	chunks = splitText(words, nil, 25)
	checkChunks(t, words, nil, 25, chunks)
	for _, c := range chunks[:len(chunks)-1] {
		if !strings.HasSuffix(c.Text, " ") {
			t.Errorf("chunk %q does not end at a space", c.Text)
		}
	}
}

func TestSplitAvoidsBold(t *testing.T) {
	// Line feeds end at 10, 20, 30; bold covers 22..35. The limit 32
	// allows a cut after the line at 30 (inside bold) or at 20 (outside):
	// outside wins, being in the second half of the chunk (≥ 16).
	s := strings.Repeat(strings.Repeat("b", 9)+"\n", 4)
	bold := []span{{22, 35}}
	chunks := splitText(s, bold, 32)
	checkChunks(t, s, bold, 32, chunks)
	if len(chunks[0].Text) != 20 {
		t.Errorf("first chunk has %d bytes, want 20 (the line feed outside bold)", len(chunks[0].Text))
	}
	if len(chunks[0].Bold) != 0 {
		t.Errorf("first chunk bold = %v, want none", chunks[0].Bold)
	}
	if len(chunks[1].Bold) != 1 || chunks[1].Bold[0] != (span{2, 15}) {
		t.Errorf("second chunk bold = %v, want [2,15)", chunks[1].Bold)
	}
	// Bold over every line boundary: the cut falls inside it and the
	// range is split between the chunks.
	bold = []span{{5, 40}}
	chunks = splitText(s, bold, 32)
	checkChunks(t, s, bold, 32, chunks)
	if chunks[0].Bold[0] != (span{5, 30}) || chunks[1].Bold[0] != (span{0, 10}) {
		t.Errorf("bold split as %v | %v, want [5,30) | [0,10)", chunks[0].Bold, chunks[1].Bold)
	}
}

func TestSplitGraphemes(t *testing.T) {
	// Vietnamese in NFD (base + combining marks), emoji with skin tone and
	// ZWJ sequences, surrogate pairs: no cluster is cut.
	nfd := "Nguye\u0302\u0303n " // "Nguyễn " decomposed
	family := "👨\u200d👩\u200d👧\u200d👦"
	s := strings.Repeat(nfd+family+"🇻🇳", 40)
	for _, limit := range []int{2, 3, 7, 11, 16, 100} {
		checkChunks(t, s, nil, limit, splitText(s, nil, limit))
	}
	// A cluster longer than the limit is cut between code points.
	zalgo := "a" + strings.Repeat("\u0301", 50)
	chunks := splitText(zalgo, nil, 10)
	checkChunks(t, zalgo, nil, 10, chunks)
	if len(chunks) != 6 {
		t.Errorf("got %d chunks, want 6", len(chunks))
	}
}

func TestSplitShortTextIsOneChunk(t *testing.T) {
	s := "Xin chào"
	chunks := splitText(s, []span{{0, 3}}, 2000)
	if len(chunks) != 1 || chunks[0].Text != s || len(chunks[0].Bold) != 1 {
		t.Fatalf("got %+v", chunks)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Xin chào\nbạn", 5, 0, 3)
	f.Add(strings.Repeat("👨\u200d👩\u200d👧 ", 30), 7, 2, 40)
	f.Add("a\u0301\u0301\u0301\u0301b", 2, 0, 1)
	f.Add("\xff\xfe\n\r\n x", 3, 1, 4)
	f.Fuzz(func(t *testing.T, s string, limit, bs, be int) {
		if limit < 2 || limit > 5000 || len(s) > 20000 {
			t.Skip()
		}
		var bold []span
		if bs >= 0 && be > bs && be <= len(s) && utf8.RuneStart(byteAt(s, bs)) && (be == len(s) || utf8.RuneStart(byteAt(s, be))) {
			bold = []span{{bs, be}}
		}
		if s == "" {
			return
		}
		checkChunks(t, s, bold, limit, splitText(s, bold, limit))
	})
}

func byteAt(s string, i int) byte {
	if i >= len(s) {
		return 0
	}
	return s[i]
}
