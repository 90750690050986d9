// Package evidence builds the rows of every evidence list from the store,
// in one place: the /report workbook's «Danh sách hộ» sheet, the annex of
// an award dossier, the CSV and XLSX of `dvcbot export` and the web page's
// downloads. A list holds a guided row (export.RowGuided) per active
// guidance record and a self-declared row (export.RowSelfDeclared) per
// household recorded as able on its own and never guided, so that every
// household counted as able is on every list, marked by its kind.
//
// The package sits between store and export: neither imports it, and it
// imports nothing of the bot.
package evidence

import (
	"fmt"
	"time"

	"dvcbot/campaign"
	"dvcbot/export"
	"dvcbot/store"
)

// Query says which rows a list holds.
type Query struct {
	// From and To bound the rows: records reported, and households marked
	// as able on their own, at From ≤ t < To (zero means unbounded). A
	// household guided before To is on the list by its records only.
	From, To time.Time
	// Hamlet keeps one hamlet's rows ("" keeps every hamlet's).
	Hamlet string
	// Name names the officer of a row: who reported the record, or who
	// recorded the household as able. Nil names them by their stored full
	// name, or "Cán bộ số N" when they have none (OfficerName).
	Name func(campaign.Officer) string
}

// OfficerName is a person's stored full name, or "Cán bộ số N" when they
// have none (someone no longer registered, or who never gave a name).
func OfficerName(o campaign.Officer) string {
	if o.FullName != "" {
		return o.FullName
	}
	return "Cán bộ số " + o.ID.String()
}

// Rows streams the rows of q from tx, oldest first: guided rows by the
// time of their record, self-declared rows by the time the household was
// marked, interleaved. The rows are read as they are yielded, within tx.
func Rows(tx *store.Tx, q Query) export.RowSource {
	name := q.Name
	if name == nil {
		name = OfficerName
	}
	return func(yield func(export.EvidenceRow) error) error {
		// Self-declared households are few beside the records: they are
		// read first and slotted in among the records by time.
		var self []export.EvidenceRow
		err := tx.EachSelfDeclared(q.From, q.To, q.Hamlet, func(s store.SelfDeclared) error {
			self = append(self, SelfDeclaredRow(s, name(s.MarkedBy)))
			return nil
		})
		if err != nil {
			return fmt.Errorf("evidence: self-declared households: %w", err)
		}
		err = tx.EachEvidence(q.From, q.To, q.Hamlet, func(ev store.Evidence) error {
			for len(self) > 0 && self[0].ReportedAt.Before(ev.Guidance.At) {
				if err := yield(self[0]); err != nil {
					return err
				}
				self = self[1:]
			}
			return yield(GuidedRow(ev, name(ev.Officer)))
		})
		if err != nil {
			return err
		}
		for _, r := range self {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// GuidedRow is the row of an active guidance record: the household, the
// procedures (with what was typed after «Khác»), the portal dossier code,
// the number of photos, the reporting officer (named officerName) with the
// account the report came from, and the record's spot-check result.
func GuidedRow(ev store.Evidence, officerName string) export.EvidenceRow {
	g := ev.Guidance
	return export.EvidenceRow{
		Kind:     export.RowGuided,
		HamletID: ev.Hamlet.ID, HamletName: ev.Hamlet.Name,
		HouseholdName: ev.Household.HeadName, Address: ev.Household.Address, Phone: ev.Household.Phone,
		HouseholdID: ev.Household.ID,
		Procedures:  g.Procedures, OtherProcedure: g.OtherProcedure,
		DossierCode: g.DossierCode, Photos: len(g.PhotoFileIDs),
		OfficerName: officerName, OfficerID: g.OfficerID,
		OfficerChannel: g.Via.Channel, OfficerAccount: g.Via.ID,
		ReportedAt: g.At, Check: g.Check,
	}
}

// SelfDeclaredRow is the row of a household recorded as able on its own:
// no procedure, the person who recorded it (named officerName) and when,
// and the household's spot-check result. The account is the recorder's
// first one (a mark does not keep the account it came from).
func SelfDeclaredRow(s store.SelfDeclared, officerName string) export.EvidenceRow {
	h := s.Household
	r := export.EvidenceRow{
		Kind:     export.RowSelfDeclared,
		HamletID: s.Hamlet.ID, HamletName: s.Hamlet.Name,
		HouseholdName: h.HeadName, Address: h.Address, Phone: h.Phone,
		HouseholdID: h.ID,
		OfficerName: officerName, OfficerID: h.SelfAbleBy,
		ReportedAt: h.SelfAbleAt, Check: h.Check.Status,
	}
	if a, ok := s.MarkedBy.Primary(); ok {
		r.OfficerChannel, r.OfficerAccount = a.Channel, a.ID
	} else if len(s.MarkedBy.Accounts) > 0 {
		r.OfficerChannel, r.OfficerAccount = s.MarkedBy.Accounts[0].Channel, s.MarkedBy.Accounts[0].ID
	}
	return r
}
