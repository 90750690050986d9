package zalo

import (
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// span is a byte range [Start, End) of a text.
type span struct{ Start, End int }

// chunk is the text of one message and its bold ranges (byte offsets in
// Text).
type chunk struct {
	Text string
	Bold []span
}

// utf16Len counts s in UTF-16 code units, as Zalo's limits and
// text_styles do. Invalid bytes count one unit each (they are sent as
// U+FFFD).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += runeUnits(r)
	}
	return n
}

// runeUnits is r's length in UTF-16 units (ranging over a string yields
// no surrogate, so utf16.RuneLen is never -1 here).
func runeUnits(r rune) int { return utf16.RuneLen(r) }

// boundary is a grapheme cluster boundary: its byte offset, the UTF-16
// units before it, and what ends just before it.
type boundary struct {
	off, units int
	line       bool // after a line feed
	space      bool // after a space or tab
}

// splitText cuts s into chunks of at most limit UTF-16 units whose
// concatenation is s. A cut is made, in this order of preference, after a
// line feed, after a space, or between two grapheme clusters; among
// these, a cut outside a bold range is preferred, and a line or space cut
// is taken only in the second half of the chunk (fewer messages count less
// against Zalo's monthly quota). A grapheme cluster longer than limit
// is cut between its code points. bold holds sorted, disjoint byte
// ranges of s; each chunk gets its own part of them, so no range crosses a
// chunk.
func splitText(s string, bold []span, limit int) []chunk {
	if limit < 2 {
		limit = 2 // room for one surrogate pair
	}
	if utf16Len(s) <= limit {
		return []chunk{{Text: s, Bold: clip(bold, 0, len(s))}}
	}
	bs := boundaries(s, limit)
	inBold := func(off int) bool {
		for _, b := range bold {
			if b.Start < off && off < b.End {
				return true
			}
			if b.Start >= off {
				break
			}
		}
		return false
	}
	var out []chunk
	p := 0 // index into bs of the chunk's start
	for p < len(bs)-1 {
		start := bs[p]
		// j: the furthest boundary within the limit.
		j := p
		for j+1 < len(bs) && bs[j+1].units-start.units <= limit {
			j++
		}
		if j == len(bs)-1 {
			out = append(out, chunk{Text: s[start.off:], Bold: clip(bold, start.off, len(s))})
			break
		}
		best, bestTier := j, 99
		half := limit / 2
		for k := j; k > p; k-- {
			b := bs[k]
			far := b.units-start.units >= half
			tier := 4 // any cluster boundary
			switch {
			case b.line && far:
				tier = 0
			case b.space && far:
				tier = 2
			}
			if inBold(b.off) {
				tier++
			} else if tier == 4 {
				tier = 3
			}
			if tier < bestTier {
				best, bestTier = k, tier
				if tier == 0 {
					break
				}
			}
		}
		cut := bs[best].off
		out = append(out, chunk{Text: s[start.off:cut], Bold: clip(bold, start.off, cut)})
		p = best
	}
	return out
}

// boundaries lists the grapheme cluster boundaries of s, from 0 to
// len(s); a cluster longer than limit gets a boundary between each of its
// code points, so that every step between boundaries fits in a chunk.
func boundaries(s string, limit int) []boundary {
	out := []boundary{{}}
	units, off := 0, 0
	state := -1
	rest := s
	for len(rest) > 0 {
		var cluster string
		cluster, rest, _, state = uniseg.StepString(rest, state)
		if utf16Len(cluster) > limit {
			for _, r := range cluster {
				size := utf8.RuneLen(r)
				if r == utf8.RuneError {
					_, size = utf8.DecodeRuneInString(s[off:])
				}
				off += size
				units += runeUnits(r)
				out = append(out, boundary{off: off, units: units})
			}
			continue
		}
		off += len(cluster)
		units += utf16Len(cluster)
		last := cluster[len(cluster)-1]
		out = append(out, boundary{off: off, units: units, line: last == '\n', space: last == ' ' || last == '\t'})
	}
	return out
}

// clip returns the parts of ranges within [from, to), shifted to start at
// from.
func clip(ranges []span, from, to int) []span {
	var out []span
	for _, r := range ranges {
		a, b := max(r.Start, from), min(r.End, to)
		if a < b {
			out = append(out, span{a - from, b - from})
		}
	}
	return out
}
