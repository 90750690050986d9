package export

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"dvcbot/campaign"
)

// EvidenceRow is one active guidance record as exported: who was guided,
// through what, by whom and when.
type EvidenceRow struct {
	HamletID      string
	HamletName    string
	HouseholdName string
	Address       string
	Phone         string   // normalised, 0xxxxxxxxx
	Procedures    []string // catalogue ids
	// OtherProcedure is the free text given with "Khác"; optional, shown in
	// the XLSX only.
	OtherProcedure string
	OfficerName    string
	// OfficerChannel and OfficerAccount are the channel ("telegram",
	// "zalo") and the account id on it of the officer who reported.
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

// CSVHeader is the exact header row of the CSV evidence export.
var CSVHeader = []string{
	"hamlet_id", "hamlet_name", "household_name", "address", "phone",
	"procedures", "officer_name", "officer_channel", "officer_account", "reported_at",
}

// errNilLocation is returned when a writer is given no time zone.
var errNilLocation = errors.New("export: time zone is nil: pass the campaign's *time.Location")

// WriteCSV writes the evidence rows as CSV with the header [CSVHeader]:
// procedures as ids joined by "+", reported_at in RFC 3339 in loc, text that
// a spreadsheet would take for a formula prefixed with a single quote.
func WriteCSV(w io.Writer, loc *time.Location, rows RowSource) error {
	if loc == nil {
		return errNilLocation
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export: write CSV header: %w", err)
	}
	rec := make([]string, len(CSVHeader))
	n := 0
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
		rec[4] = neutralize(r.Phone)
		rec[5] = neutralize(strings.Join(r.Procedures, "+"))
		rec[6] = neutralize(r.OfficerName)
		rec[7] = neutralize(r.OfficerChannel)
		rec[8] = neutralize(r.OfficerAccount)
		rec[9] = ""
		if !r.ReportedAt.IsZero() {
			rec[9] = r.ReportedAt.In(loc).Format(time.RFC3339)
		}
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

// WriteXLSX writes the evidence rows as an XLSX workbook for people: one
// sheet "Danh sách hộ" (continued on "Danh sách hộ (2)", … past the sheet
// row limit) with Vietnamese headers, a frozen header row, the phone as text,
// procedure names looked up in procedureNames (id → name; an unknown id is
// shown as is), and the report time as a real date-time in loc.
func WriteXLSX(w io.Writer, loc *time.Location, rows RowSource, procedureNames map[string]string) error {
	if loc == nil {
		return errNilLocation
	}
	b, err := newBook(loc, excelizeMaxRows)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.writeEvidence(nil, rows, procedureNames); err != nil {
		return err
	}
	return b.write(w)
}
