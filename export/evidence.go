package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dvcbot/campaign"
)

// RowKind says why a household is on an evidence list.
type RowKind string

// The kinds of evidence rows, as the CSV's kind column writes them.
const (
	// RowGuided is an active guidance record: an officer guided the
	// household through one or more procedures (a «lượt»).
	RowGuided RowKind = "guided"
	// RowSelfDeclared is a household an officer recorded (/dabiet) as
	// already able to file online on its own: it counts towards coverage
	// and can be spot-checked like a guided one, but no procedure was
	// guided.
	RowSelfDeclared RowKind = "self_declared"
)

// Label is the kind as the XLSX «Hình thức» column shows it.
func (k RowKind) Label() string {
	if k == RowSelfDeclared {
		return "Tự thực hiện được (tự khai)"
	}
	return "Được hướng dẫn"
}

// csv is the kind as the CSV writes it: the empty kind is a guided record.
func (k RowKind) csv() string {
	if k == RowSelfDeclared {
		return string(RowSelfDeclared)
	}
	return string(RowGuided)
}

// EvidenceRow is one line of an evidence list: an active guidance record
// (who was guided, through what, by whom and when) or a household recorded
// as able on its own (Kind RowSelfDeclared: no procedures; OfficerName is
// who recorded it, ReportedAt when).
type EvidenceRow struct {
	// Kind is RowGuided (the default when empty) or RowSelfDeclared.
	Kind          RowKind
	HamletID      string
	HamletName    string
	HouseholdName string
	Address       string
	Phone         string // normalised, 0xxxxxxxxx
	// HouseholdID identifies the household when counting distinct
	// households («hộ»); 0 means the hamlet and the phone do.
	HouseholdID uint64
	Procedures  []string // catalogue ids
	// OtherProcedure is the free text given with "Khác"; shown after the
	// procedure's name in the XLSX and in the CSV's procedures_text.
	OtherProcedure string
	// DossierCode is the portal's dossier code (mã hồ sơ) the officer gave,
	// if any: evidence the filing was made.
	DossierCode string
	// Photos is the number of photos attached to the record as evidence.
	Photos      int
	OfficerName string
	// OfficerID is the officer's person id (to count by officer; never
	// printed).
	OfficerID campaign.PersonID
	// OfficerChannel and OfficerAccount are the channel ("telegram",
	// "zalo") and the account id on it of the officer who reported (or
	// recorded a self-declared household): in the admins' CSV only.
	OfficerChannel string
	OfficerAccount string
	ReportedAt     time.Time
	Check          campaign.CheckStatus
}

// RowSource streams evidence rows: it calls yield once per row, in the order
// the rows are to appear, and stops and returns yield's error (wrapped or
// not) as soon as yield returns one. The row passed to yield is not kept
// after yield returns, so a source may reuse it. A nil RowSource has no rows.
type RowSource func(yield func(EvidenceRow) error) error

// SliceRows is a RowSource over rows already in memory.
func SliceRows(rows []EvidenceRow) RowSource {
	return func(yield func(EvidenceRow) error) error {
		for _, r := range rows {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// CSVHeader is the exact header row of the CSV evidence export: the
// household and the officer (officer_channel "telegram" or "zalo" and
// officer_account, the id on it, in place of the Telegram id of versions
// before Zalo), then kind, dossier_code, procedures_text and photos.
var CSVHeader = []string{
	"hamlet_id", "hamlet_name", "household_name", "address", "phone",
	"procedures", "officer_name", "officer_channel", "officer_account", "reported_at",
	"kind", "dossier_code", "procedures_text", "photos",
}

// utf8BOM starts every CSV export, so that Excel on Windows reads it as
// UTF-8 and shows the diacritics.
const utf8BOM = "\ufeff"

// errNilLocation is returned when a writer is given no time zone.
var errNilLocation = errors.New("export: time zone is nil: pass the campaign's *time.Location")

// WriteCSV writes the evidence rows as CSV (see WriteEvidenceCSV), naming
// procedures in procedures_text with the plan's catalogue
// (campaign.DefaultProcedures).
func WriteCSV(w io.Writer, loc *time.Location, rows RowSource) error {
	return WriteEvidenceCSV(w, loc, rows, nil)
}

// WriteEvidenceCSV writes the evidence rows as CSV: a UTF-8 byte-order
// mark, the header [CSVHeader], then one record per row — procedures as
// ids joined by "+", reported_at in RFC 3339 in loc, kind guided or
// self_declared, procedures_text the procedures' names (procedureNames,
// falling back to the plan's catalogue, then to the id) joined by "; " with
// the text typed after «Khác», photos the number of photos. Text a
// spreadsheet would take for a formula is prefixed with a single quote;
// the phone, and a dossier code a spreadsheet would read as a number or a
// date, start with a tab so that Excel keeps them as text (see the package
// documentation).
func WriteEvidenceCSV(w io.Writer, loc *time.Location, rows RowSource, procedureNames map[string]string) error {
	if loc == nil {
		return errNilLocation
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("export: write CSV byte-order mark: %w", err)
	}
	names := withCatalogue(procedureNames)
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export: write CSV header: %w", err)
	}
	rec := make([]string, len(CSVHeader))
	n := 0
	var sb strings.Builder
	var writeErr error
	err := each(rows, func(r EvidenceRow) error {
		if writeErr != nil {
			return writeErr // the source went on after an error
		}
		n++
		rec[0] = neutralize(r.HamletID)
		rec[1] = neutralize(r.HamletName)
		rec[2] = neutralize(r.HouseholdName)
		rec[3] = neutralize(r.Address)
		rec[4] = keepText(neutralize(r.Phone))
		rec[5] = neutralize(strings.Join(r.Procedures, "+"))
		rec[6] = neutralize(r.OfficerName)
		rec[7] = neutralize(r.OfficerChannel)
		rec[8] = neutralize(r.OfficerAccount)
		rec[9] = ""
		if !r.ReportedAt.IsZero() {
			rec[9] = r.ReportedAt.In(loc).Format(time.RFC3339)
		}
		rec[10] = r.Kind.csv()
		rec[11] = keepText(neutralize(r.DossierCode))
		rec[12] = neutralize(procedureLabel(&sb, r.Procedures, r.OtherProcedure, names))
		rec[13] = strconv.Itoa(max(r.Photos, 0))
		if err := cw.Write(rec); err != nil {
			writeErr = fmt.Errorf("export: write CSV row %d: %w", n, err)
			return writeErr
		}
		return nil
	})
	if writeErr != nil {
		return writeErr
	}
	if err != nil {
		return fmt.Errorf("export: read evidence rows for CSV: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export: write CSV: %w", err)
	}
	return nil
}

// withCatalogue is names completed with the plan's catalogue for the ids
// it lacks (a nil names gives the catalogue).
func withCatalogue(names map[string]string) map[string]string {
	out := make(map[string]string, len(names)+16)
	for _, p := range campaign.DefaultProcedures() {
		out[p.ID] = p.Name
	}
	for id, name := range names {
		if name != "" {
			out[id] = name
		}
	}
	return out
}

// each runs fn over the rows of src; a nil src has none.
func each(src RowSource, fn func(EvidenceRow) error) error {
	if src == nil {
		return nil
	}
	return src(fn)
}

// neutralize prefixes s with a single quote when a spreadsheet opening the
// CSV would take it for a formula (OWASP "CSV injection").
func neutralize(s string) string {
	if s == "" {
		return s
	}
	r, _ := utf8.DecodeRuneInString(s)
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return "'" + s
	}
	return s
}

// keepText prefixes with a tab a value a spreadsheet would read as a number
// or a date — digits, possibly with . , / : - or spaces between them, such
// as a phone 0912345678 (shown as 912345678) or a code 2026-001 — so that
// Excel keeps it as text, leading zeros included. Anything else is left
// as is. The tab is formula-free: a cell "\t0912345678" can never run.
func keepText(s string) string {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return s
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && !strings.ContainsRune(".,/:- ", rune(c)) {
			return s
		}
	}
	return "\t" + s
}

// WriteXLSX writes the evidence rows as an XLSX workbook for people (see
// WriteAnnex) with the default title and no date the figures stop at;
// procedure ids are named through procedureNames.
func WriteXLSX(w io.Writer, loc *time.Location, rows RowSource, procedureNames map[string]string) error {
	_, err := WriteAnnex(w, loc, Annex{Rows: rows, ProcedureNames: procedureNames})
	return err
}
