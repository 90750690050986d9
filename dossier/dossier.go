// Package dossier produces a hamlet's award dossier (hồ sơ khen thưởng) as
// Word documents an officer can edit, sign and file: the Hamlet Board's
// proposal (Tờ trình) and the minutes of its review meeting (Biên bản họp
// xét), laid out per Decree 30/2020/NĐ-CP, plus the evidence list as an
// XLSX annex. It takes plain values and does no database access.
package dossier

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// NameCount is a procedure and how many times it was guided.
type NameCount struct {
	Name  string
	Count int
}

// Hamlet is what the dossier states about the collective: its figures over
// the period From..To.
type Hamlet struct {
	ID   string // used in file names: letters, digits, '-' and '_' only
	Name string // e.g. "Hòn Tre" or "Ấp Hòn Tre"

	Households int     // households in the hamlet (the register)
	Guided     int     // households guided by the hamlet's officers
	Able       int     // households able to file online: guided or able on their own
	Coverage   float64 // Able ÷ Households, 0..1

	K               int     // procedures required per household for the special prize (1 or 2; 0 leaves the prize out)
	SpecialProgress float64 // households with ≥ K procedures ÷ Households, 0..1

	DaysMet       int // days on which the daily target was met
	DaysElapsed   int // campaign days in the period
	LongestStreak int // longest run of consecutive days met

	Procedures       int         // procedures guided in all
	ProceduresByName []NameCount // the same, per procedure, most frequent first

	// Spot checks: ChecksTotal is the number of records drawn for checking;
	// those not yet passed, failed or unreachable are still awaiting a call.
	ChecksPassed, ChecksFailed, ChecksUnreachable, ChecksTotal int

	CoverageReachedOn time.Time // first day coverage reached the threshold; zero if not reached
	From, To          time.Time // the period the figures cover
}

// Individual is one person proposed for the certificate of merit, with
// their figures over the period.
type Individual struct {
	Name       string
	Role       string // e.g. "Cán bộ không chuyên trách ấp", "Tổ công nghệ số cộng đồng"
	Households int    // households guided
	Procedures int    // procedures guided
	DaysActive int    // days on which they guided at least one household
}

// Input is everything a dossier says.
type Input struct {
	Zone        string // the special zone, "Kiên Hải"
	Campaign    string // the movement's name, "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến"
	Hamlet      Hamlet
	Individuals []Individual // in the order they are to be listed
	Date        time.Time    // date of the documents; zero leaves "ngày … tháng …" blank
	Leader      string       // hamlet head who signs the proposal; empty leaves a dotted blank
	Eligible    bool         // the collective meets the award criteria and is proposed
	Notes       []string     // extra remarks, one per line (initiatives, reasons for exclusion, …)
	// Threshold is the coverage the collective award requires (0.95); zero
	// leaves the comparison with the standard out of the text.
	Threshold float64
}

// ErrNothingToPropose means the collective is not eligible and no
// individual is listed, so there is no proposal to write.
var ErrNothingToPropose = errors.New("dossier: nothing to propose: the hamlet is not eligible and no individual is listed")

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (in Input) validate() error {
	switch {
	case clean(in.Zone) == "":
		return errors.New("dossier: zone name is empty: set it (e.g. \"Kiên Hải\")")
	case clean(in.Campaign) == "":
		return errors.New("dossier: campaign name is empty: set the movement's name")
	case hamletName(in.Hamlet.Name) == "":
		return errors.New("dossier: hamlet name is empty")
	}
	h := in.Hamlet
	for _, f := range []struct {
		name string
		v    int
	}{
		{"households", h.Households}, {"guided", h.Guided}, {"able", h.Able}, {"K", h.K},
		{"days met", h.DaysMet}, {"days elapsed", h.DaysElapsed}, {"longest streak", h.LongestStreak},
		{"procedures", h.Procedures}, {"checks passed", h.ChecksPassed}, {"checks failed", h.ChecksFailed},
		{"checks unreachable", h.ChecksUnreachable}, {"checks total", h.ChecksTotal},
	} {
		if f.v < 0 {
			return fmt.Errorf("dossier: hamlet %q: %s is negative (%d)", h.Name, f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"coverage", h.Coverage}, {"special-prize progress", h.SpecialProgress}, {"threshold", in.Threshold}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("dossier: hamlet %q: %s is not a fraction (%v)", h.Name, f.name, f.v)
		}
	}
	for i, p := range in.Individuals {
		if clean(p.Name) == "" {
			return fmt.Errorf("dossier: individual %d has no name", i+1)
		}
		if p.Households < 0 || p.Procedures < 0 || p.DaysActive < 0 {
			return fmt.Errorf("dossier: individual %q has a negative figure", p.Name)
		}
	}
	return nil
}

// Proposal returns the Hamlet Board's Tờ trình proposing that the Chairman
// of the zone's People's Committee award a certificate of merit to the
// hamlet (when Eligible) and to the listed individuals. It returns
// ErrNothingToPropose when there is neither.
func Proposal(in Input) ([]byte, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if !in.Eligible && len(in.Individuals) == 0 {
		return nil, ErrNothingToPropose
	}
	d, err := proposalDoc(in)
	if err != nil {
		return nil, err
	}
	return d.docx(in.Date)
}

// Minutes returns the Biên bản họp xét: the minutes of the hamlet's review
// meeting with the summary of achievements and the evidence figures, the
// proposed individuals, and blanks for attendance, votes and signatures.
func Minutes(in Input) ([]byte, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	d, err := minutesDoc(in)
	if err != nil {
		return nil, err
	}
	return d.docx(in.Date)
}

// File names written by WriteAll, after the hamlet id.
const (
	SuffixProposal = "-to-trinh.docx"
	SuffixMinutes  = "-bien-ban.docx"
	SuffixEvidence = "-danh-sach-ho.xlsx"
)

// WriteAll writes the hamlet's dossier into dir (created if missing):
// <id>-to-trinh.docx, <id>-bien-ban.docx and, when evidenceXLSX is not
// empty, <id>-danh-sach-ho.xlsx. The files hold personal data and are
// readable by their owner only. When there is nothing to propose it still
// writes the minutes and the annex, and returns an error wrapping
// ErrNothingToPropose.
func WriteAll(dir string, in Input, evidenceXLSX []byte) error {
	if !idPattern.MatchString(in.Hamlet.ID) {
		return fmt.Errorf("dossier: hamlet id %q cannot name a file: use letters, digits, '-' or '_'", in.Hamlet.ID)
	}
	minutes, err := Minutes(in)
	if err != nil {
		return err
	}
	proposal, propErr := Proposal(in)
	if propErr != nil && !errors.Is(propErr, ErrNothingToPropose) {
		return propErr
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("dossier: create %s: %w", dir, err)
	}
	files := []struct {
		suffix string
		data   []byte
	}{{SuffixMinutes, minutes}, {SuffixProposal, proposal}, {SuffixEvidence, evidenceXLSX}}
	for _, f := range files {
		if len(f.data) == 0 {
			continue
		}
		if err := writeFile(filepath.Join(dir, in.Hamlet.ID+f.suffix), f.data); err != nil {
			return err
		}
	}
	if propErr != nil {
		return fmt.Errorf("dossier: hamlet %s: wrote the minutes only: %w", in.Hamlet.ID, propErr)
	}
	return nil
}

// writeFile writes data through a temporary file and a rename, so that a
// reader never sees half a document.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dossier-*")
	if err != nil {
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	return nil
}
