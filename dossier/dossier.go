// Package dossier produces a hamlet's award dossier (hồ sơ khen thưởng) as
// Word documents an officer can edit, sign and file: the Hamlet Board's
// proposal (Tờ trình) and the minutes of its review meeting (Biên bản họp
// xét), laid out per Decree 30/2020/NĐ-CP, plus the evidence list as an
// XLSX annex. It takes plain values and does no database access.
package dossier

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	// SpecialDone and SpecialNeeded, when SpecialNeeded is set, state the
	// special-prize condition: SpecialDone households have K procedures,
	// SpecialNeeded must (Input.SpecialShare of the register).
	SpecialDone, SpecialNeeded int

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
	Name string
	Role string // e.g. "Phó Trưởng ấp", "Cán bộ không chuyên trách ấp"
	// Affiliation is where the person works in the hamlet, as the plan
	// names it (campaign.Affiliation's label: "Ban Nhân dân ấp", "Mặt trận
	// Tổ quốc ấp", "Đoàn thể ấp", "Tổ công nghệ số cộng đồng"); printed
	// with the role.
	Affiliation string
	Households  int // distinct households guided
	Procedures  int // procedures guided
	DaysActive  int // days on which they guided at least one household
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
	// BeyondCap is set when the collective meets the standard but ranks
	// beyond the number of collective awards (CollectiveCap): it is still
	// proposed, and the documents say «đủ tiêu chuẩn, vượt số lượng 06 —
	// Hội đồng xét», never that it falls short.
	BeyondCap     bool
	CollectiveCap int // the plan's number of collective awards (6)
	// IndividualsHouseholds is the distinct households the listed
	// individuals guided, each counted once however many of them guided it
	// (store.Tx.HouseholdsGuidedBy): the total of the individuals table.
	// Zero means unknown: the total is then the sum of the rows, said so.
	IndividualsHouseholds int
	// SpecialShare is the special-prize condition (0.95 of the register);
	// zero leaves the comparison out.
	SpecialShare float64
}

// proposesCollective reports whether the documents propose the collective:
// it meets the standard, within the cap or beyond it (the council decides).
func (in Input) proposesCollective() bool { return in.Eligible || in.BeyondCap }

// FiguresAt is the day the figures stop at: Hamlet.To, else Date (zero
// when neither is set).
func (in Input) FiguresAt() time.Time {
	if !in.Hamlet.To.IsZero() {
		return in.Hamlet.To
	}
	return in.Date
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
		{"special done", h.SpecialDone}, {"special needed", h.SpecialNeeded},
		{"individuals' households", in.IndividualsHouseholds}, {"collective cap", in.CollectiveCap},
	} {
		if f.v < 0 {
			return fmt.Errorf("dossier: hamlet %q: %s is negative (%d)", h.Name, f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"coverage", h.Coverage}, {"special-prize progress", h.SpecialProgress}, {"threshold", in.Threshold}, {"special share", in.SpecialShare}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("dossier: hamlet %q: %s is not a fraction (%v)", h.Name, f.name, f.v)
		}
	}
	sum, most := 0, 0
	for i, p := range in.Individuals {
		if clean(p.Name) == "" {
			return fmt.Errorf("dossier: individual %d has no name", i+1)
		}
		if p.Households < 0 || p.Procedures < 0 || p.DaysActive < 0 {
			return fmt.Errorf("dossier: individual %q has a negative figure", p.Name)
		}
		sum += p.Households
		most = max(most, p.Households)
	}
	// Distinct households of the table: at least its largest row, at most
	// the rows added up.
	if d := in.IndividualsHouseholds; d != 0 && (d < most || d > sum) {
		return fmt.Errorf("dossier: individuals' distinct households %d: want between the largest row (%d) and the sum of the rows (%d)", d, most, sum)
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
	if !in.proposesCollective() && len(in.Individuals) == 0 {
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
// empty, <id>-danh-sach-ho.xlsx, replacing files of the same names. The
// files hold personal data and are readable by their owner only. When there
// is nothing to propose it still writes the minutes and the annex, and
// returns an error wrapping ErrNothingToPropose.
//
// Deprecated: use WriteDossier, whose names are dated by the day the
// figures stop at and which never overwrites a file. WriteAll stays until
// `dvcbot dossier` moves to it.
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

// FileName is the name of one file of a hamlet's dossier whose figures
// stop at day figuresAt: "hon-tre-to-trinh-2026-11-28.docx" for the
// suffix SuffixProposal. Dossiers of two days never share a name.
func FileName(hamletID string, figuresAt time.Time, suffix string) string {
	base, ext := suffix, ""
	if i := strings.LastIndexByte(suffix, '.'); i >= 0 {
		base, ext = suffix[:i], suffix[i:]
	}
	if figuresAt.IsZero() {
		return hamletID + base + ext
	}
	return hamletID + base + "-" + figuresAt.In(vnZone).Format("2006-01-02") + ext
}

// FileName is the name of one file of this dossier (see the function
// FileName), dated by the day its figures stop at.
func (in Input) FileName(suffix string) string { return FileName(in.Hamlet.ID, in.FiguresAt(), suffix) }

// ErrExists means a dossier file of the same name is already in the folder:
// nothing is overwritten.
var ErrExists = errors.New("dossier: a file of the same name already exists; it is not overwritten")

// WriteDossier writes the hamlet's dossier into dir (created if missing)
// under names dated by the day its figures stop at (Input.FileName): the
// minutes, the proposal (unless there is nothing to propose) and, when
// evidenceXLSX is not empty, the evidence annex. It never overwrites a
// file: when one of the names is taken it writes nothing and returns an
// error wrapping ErrExists. It returns the paths written; with nothing to
// propose it still writes the minutes and the annex and returns an error
// wrapping ErrNothingToPropose. The files hold personal data and are
// readable by their owner only.
func WriteDossier(dir string, in Input, evidenceXLSX []byte) ([]string, error) {
	if !idPattern.MatchString(in.Hamlet.ID) {
		return nil, fmt.Errorf("dossier: hamlet id %q cannot name a file: use letters, digits, '-' or '_'", in.Hamlet.ID)
	}
	minutes, err := Minutes(in)
	if err != nil {
		return nil, err
	}
	proposal, propErr := Proposal(in)
	if propErr != nil && !errors.Is(propErr, ErrNothingToPropose) {
		return nil, propErr
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dossier: create %s: %w", dir, err)
	}
	files := []struct {
		path string
		data []byte
	}{
		{filepath.Join(dir, in.FileName(SuffixProposal)), proposal},
		{filepath.Join(dir, in.FileName(SuffixMinutes)), minutes},
		{filepath.Join(dir, in.FileName(SuffixEvidence)), evidenceXLSX},
	}
	for _, f := range files {
		if len(f.data) == 0 {
			continue
		}
		if _, err := os.Lstat(f.path); err == nil {
			return nil, fmt.Errorf("%w: %s", ErrExists, f.path)
		}
	}
	var written []string
	for _, f := range files {
		if len(f.data) == 0 {
			continue
		}
		if err := writeNew(f.path, f.data); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	if propErr != nil {
		return written, fmt.Errorf("dossier: hamlet %s: wrote the minutes only: %w", in.Hamlet.ID, propErr)
	}
	return written, nil
}

// writeNew writes data to a new file at path through a temporary file and
// a hard link, so that a reader never sees half a document and an existing
// file is never replaced (the link fails: ErrExists).
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".dossier-*")
	if err != nil {
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("dossier: write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
		return fmt.Errorf("dossier: write %s: %w", path, err)
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
