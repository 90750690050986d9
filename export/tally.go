package export

import (
	"hash/fnv"
	"slices"
	"strings"

	"dvcbot/campaign"
)

// Tally counts an evidence list the way documents state its figures, so
// that a document's «hộ» and «lượt» are the list's own: «lượt» are guided
// rows (reports), «hộ» distinct households.
type Tally struct {
	Rows         int // every row of the list
	Reports      int // «lượt»: guided rows
	SelfDeclared int // self-declared rows
	// Households counts distinct households on the list (guided or
	// self-declared); Guided those with at least one guided row.
	Households, Guided int
	// SelfDeclaredOnly counts self-declared households with no guided row
	// on the list: Households = Guided + SelfDeclaredOnly.
	SelfDeclaredOnly int
	Procedures       int // procedures over the guided rows
	WithDossierCode  int // guided rows with a portal dossier code
	Photos           int // photos over every row
	// ByHamlet has the same counts per hamlet id, hamlets in the order first
	// met (ByHamlet[i].HamletID).
	ByHamlet []HamletTally
}

// HamletTally is one hamlet's share of a Tally.
type HamletTally struct {
	HamletID, HamletName                 string
	Rows, Reports, SelfDeclared          int
	Households, Guided, SelfDeclaredOnly int
	Procedures, WithDossierCode, Photos  int
}

// Hamlet is the tally of one hamlet (zero counts when it has no row).
func (t Tally) Hamlet(id string) HamletTally {
	for _, h := range t.ByHamlet {
		if h.HamletID == id {
			return h
		}
	}
	return HamletTally{HamletID: id}
}

// Summary is the tally in one Vietnamese sentence, as the last row of an
// evidence sheet states it: "Cộng 5 dòng: 4 lượt hướng dẫn của 3 hộ; 1 hộ
// tự khai đã biết làm; tổng số 4 hộ."
func (t Tally) Summary() string {
	var b strings.Builder
	b.WriteString("Cộng " + number(t.Rows) + " dòng: " + number(t.Reports) + " lượt hướng dẫn của " + number(t.Guided) + " hộ")
	if t.SelfDeclared > 0 {
		b.WriteString("; " + number(t.SelfDeclaredOnly) + " hộ tự khai đã biết làm")
	}
	b.WriteString("; tổng số " + number(t.Households) + " hộ.")
	if t.Reports > t.Guided {
		b.WriteString(" Một hộ được hướng dẫn nhiều lượt (nhiều lần, hoặc bởi nhiều cán bộ) chỉ tính một hộ.")
	}
	return b.String()
}

// tallier counts rows as they stream past.
type tallier struct {
	t      Tally
	hamlet map[string]int // hamlet id → index in t.ByHamlet
	seen   map[uint64]hhSeen
}

// hhSeen is what is known of one household on the list.
type hhSeen struct {
	hamlet       int32
	guided, self bool
}

func newTallier() *tallier {
	return &tallier{hamlet: map[string]int{}, seen: map[uint64]hhSeen{}}
}

// add counts one row.
func (c *tallier) add(r *EvidenceRow) {
	hi, ok := c.hamlet[r.HamletID]
	if !ok {
		hi = len(c.t.ByHamlet)
		c.hamlet[r.HamletID] = hi
		c.t.ByHamlet = append(c.t.ByHamlet, HamletTally{HamletID: r.HamletID, HamletName: r.HamletName})
	}
	h := &c.t.ByHamlet[hi]
	c.t.Rows++
	h.Rows++
	photos := max(r.Photos, 0)
	c.t.Photos += photos
	h.Photos += photos
	key := householdKey(r)
	s, ok := c.seen[key]
	if !ok {
		s.hamlet = int32(hi)
	}
	if r.Kind == RowSelfDeclared {
		c.t.SelfDeclared++
		h.SelfDeclared++
		s.self = true
	} else {
		c.t.Reports++
		h.Reports++
		c.t.Procedures += len(r.Procedures)
		h.Procedures += len(r.Procedures)
		if strings.TrimSpace(r.DossierCode) != "" {
			c.t.WithDossierCode++
			h.WithDossierCode++
		}
		s.guided = true
	}
	c.seen[key] = s
}

// done counts the distinct households and returns the tally.
func (c *tallier) done() Tally {
	for _, s := range c.seen {
		h := &c.t.ByHamlet[s.hamlet]
		c.t.Households++
		h.Households++
		if s.guided {
			c.t.Guided++
			h.Guided++
		} else {
			c.t.SelfDeclaredOnly++
			h.SelfDeclaredOnly++
		}
	}
	return c.t
}

// householdKey identifies a row's household: its id, or a hash of its
// hamlet and phone (a household is its phone within a hamlet).
func householdKey(r *EvidenceRow) uint64 {
	if r.HouseholdID != 0 {
		return r.HouseholdID
	}
	h := fnv.New64a()
	h.Write([]byte(r.HamletID))
	h.Write([]byte{0})
	h.Write([]byte(r.Phone))
	return h.Sum64() | 1<<63 // never equal to a small store id
}

// Count tallies the rows of src without writing them.
func Count(src RowSource) (Tally, error) {
	c := newTallier()
	err := each(src, func(r EvidenceRow) error { c.add(&r); return nil })
	return c.done(), err
}

// CountHouseholds counts the distinct households among the guided rows of
// src that keep accepts (every guided row when keep is nil): for instance
// the households the officers of a proposal guided, each counted once
// however many of them guided it.
func CountHouseholds(src RowSource, keep func(*EvidenceRow) bool) (int, error) {
	seen := map[uint64]struct{}{}
	err := each(src, func(r EvidenceRow) error {
		if r.Kind != RowSelfDeclared && (keep == nil || keep(&r)) {
			seen[householdKey(&r)] = struct{}{}
		}
		return nil
	})
	return len(seen), err
}

// OfficersOf is a keep function for CountHouseholds: the rows reported by
// one of ids.
func OfficersOf(ids ...campaign.PersonID) func(*EvidenceRow) bool {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return func(r *EvidenceRow) bool {
		_, ok := slices.BinarySearch(ids, r.OfficerID)
		return ok
	}
}
