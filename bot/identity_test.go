package bot

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
	"dvcbot/config"
	"dvcbot/dossier"
	"dvcbot/export"
	"dvcbot/internal/sampledata"
	"dvcbot/scoring"
	"dvcbot/store"
)

// TestIdentitiesOnTheSampleYear checks on the sample year (internal/
// sampledata with its spot checks, exclusion, dossier codes, photos and
// households able on their own), through the bot's own paths, that the
// same word means the same count everywhere (issue 11):
//
//   - /report and /hoso agree for the same period: each hamlet's figures,
//     and the hamlet's evidence rows (lượt, hộ, hộ tự khai, procedures,
//     dossier codes, photos);
//   - the evidence list's «hộ» are scoring's: guided, self-declared, able;
//   - the Tờ trình's total of households is the distinct households of its
//     individuals table (a household two of them guided counted once);
//   - the XLSX's sums match its rows: the evidence sheet's last row states
//     its own rows, and the hamlet sheet's totals add up its hamlets.
func TestIdentitiesOnTheSampleYear(t *testing.T) {
	cfg := config.Sample()
	loc := cfg.Loc()
	now := time.Date(2026, 11, 28, 20, 5, 0, 0, loc)
	db, err := store.Open(filepath.Join(t.TempDir(), "sample.db"), store.Options{Now: func() time.Time { return now }, Location: loc, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sampledata.Fill(db, sampledata.Options{Hamlets: cfg.Hamlets, Procedures: cfg.Procedures,
		Start: cfg.Campaign.Start, End: cfg.Campaign.End, Location: loc, Now: now, Extras: true}); err != nil {
		t.Fatal(err)
	}
	p := scoring.Params{
		CampaignStart: scoring.DateOf(cfg.Campaign.Start, loc), CampaignEnd: scoring.DateOf(cfg.Campaign.End, loc),
		DailyTarget: cfg.Campaign.DailyTarget, CoverageThreshold: cfg.Awards.CoverageThreshold,
		SpecialHouseholdThreshold: cfg.Awards.SpecialHouseholdThreshold, SpecialMinShare: cfg.Awards.SpecialMinShare,
		MaxCollectives: cfg.Awards.MaxCollectives, MaxIndividuals: cfg.Awards.MaxIndividuals, SpecialPrizes: cfg.Awards.SpecialPrizes,
	}
	e := New(db, Settings{CampaignName: cfg.Campaign.Name, Start: cfg.Campaign.Start, End: cfg.Campaign.End, Location: loc,
		DailyTarget: cfg.Campaign.DailyTarget, Procedures: cfg.Procedures, Params: p}, WithClock(func() time.Time { return now }))

	today := scoring.DateOf(now, loc)
	at := p.FiguresAt(today)
	q := reportQuery{Period: scoring.Year(2026)}
	cur, why := clipReport(q.Period, p, today)
	if why != "" || cur.To != at {
		t.Fatalf("the year's report: %v %q", cur, why)
	}
	err = db.View(func(tx *store.Tx) error {
		r, err := e.buildReport(tx, q, cur, today)
		if err != nil {
			return err
		}
		wb, err := r.workbook(e, tx)
		if err != nil {
			return err
		}
		// The report's evidence rows, by hamlet, and the workbook as sent.
		var rows []export.EvidenceRow
		if err := wb.Evidence(func(row export.EvidenceRow) error { rows = append(rows, row); return nil }); err != nil {
			return err
		}
		byHamlet := map[string][]export.EvidenceRow{}
		for _, row := range rows {
			byHamlet[row.HamletID] = append(byHamlet[row.HamletID], row)
		}
		var buf bytes.Buffer
		if err := export.WriteReport(&buf, loc, wb, e.procedureNameMap()); err != nil {
			return err
		}
		reportTally, err := export.Count(export.SliceRows(rows))
		if err != nil {
			return err
		}
		checkEvidenceSheet(t, "/report", buf.Bytes(), reportTally)
		checkHamletSheet(t, buf.Bytes(), wb.Hamlets)

		f, err := tx.Facts("")
		if err != nil {
			return err
		}
		awards := scoring.Candidates(f, p, at)
		selfSeen, twoOfficers := 0, 0
		for _, row := range wb.Hamlets {
			d, err := e.buildDossier(tx, row.ID, at)
			if err != nil {
				return err
			}
			h := d.Input.Hamlet
			// /report and /hoso: the same figures for the same period.
			if h.Guided != row.HouseholdsGuided || h.Able != row.Able || h.Coverage != row.Coverage ||
				h.DaysMet != row.DaysMet || h.DaysElapsed != row.DaysElapsed || h.SpecialProgress != row.SpecialProgress {
				t.Errorf("%s: /hoso %+v, /report %+v", row.ID, h, row)
			}
			// The same evidence rows, counted the same.
			ht, err := export.Count(export.SliceRows(byHamlet[row.ID]))
			if err != nil {
				return err
			}
			dt := d.Tally
			if dt.Rows != ht.Rows || dt.Reports != ht.Reports || dt.SelfDeclared != ht.SelfDeclared || dt.Households != ht.Households ||
				dt.Guided != ht.Guided || dt.SelfDeclaredOnly != ht.SelfDeclaredOnly || dt.Procedures != ht.Procedures ||
				dt.WithDossierCode != ht.WithDossierCode || dt.Photos != ht.Photos {
				t.Errorf("%s: annex tally %+v, /report's rows %+v", row.ID, dt, ht)
			}
			// The list's «hộ» are scoring's.
			if dt.Guided != row.HouseholdsGuided || dt.SelfDeclaredOnly != row.SelfAble || dt.Households != row.Able ||
				dt.Procedures != h.Procedures {
				t.Errorf("%s: annex %+v; figures guided %d, self-declared %d, able %d, procedures %d", row.ID, dt,
					row.HouseholdsGuided, row.SelfAble, row.Able, h.Procedures)
			}
			selfSeen += dt.SelfDeclared
			checkEvidenceSheet(t, "annex "+row.ID, d.Evidence, dt)

			// The Tờ trình's total: the distinct households of its individuals.
			var ids []campaign.PersonID
			sum := 0
			for _, c := range awards.Individuals {
				if c.Stats.Officer.HamletID == row.ID {
					ids = append(ids, campaign.PersonID(c.Stats.Officer.ID))
					sum += c.Stats.Households
				}
			}
			if len(ids) != len(d.Input.Individuals) {
				t.Errorf("%s: %d individuals proposed, the dossier lists %d", row.ID, len(ids), len(d.Input.Individuals))
			}
			if len(ids) == 0 {
				continue
			}
			annexRows := map[string]bool{}
			distinct, err := export.CountHouseholds(func(yield func(export.EvidenceRow) error) error {
				for _, r := range byHamlet[row.ID] {
					annexRows[r.Phone] = true
					if err := yield(r); err != nil {
						return err
					}
				}
				return nil
			}, export.OfficersOf(ids...))
			if err != nil {
				return err
			}
			if d.Input.IndividualsHouseholds != distinct {
				t.Errorf("%s: the Tờ trình's total %d, the individuals' distinct households %d", row.ID, d.Input.IndividualsHouseholds, distinct)
			}
			if distinct < sum {
				twoOfficers++
			}
			proposal, err := dossier.Proposal(d.Input)
			if err != nil {
				return err
			}
			text := docxText(t, proposal)
			if !strings.Contains(text, "Cộng (mỗi hộ tính một lần)\n"+scoring.Number(distinct)+"\n") {
				t.Errorf("%s: the Tờ trình's total row does not state %d distinct households", row.ID, distinct)
			}
		}
		if selfSeen == 0 || twoOfficers == 0 {
			t.Errorf("the sample should hold self-declared households (%d) and households guided by two proposed officers (%d hamlets)", selfSeen, twoOfficers)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkEvidenceSheet reads the evidence sheet of an XLSX: its rows after
// the header, counted by kind, must be the tally's, and its last row must
// state the tally (Summary).
func checkEvidenceSheet(t *testing.T, what string, xlsx []byte, want export.Tally) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.SheetEvidence)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	header := -1
	for i, r := range rows {
		if len(r) > 5 && r[0] == "STT" {
			header = i
			break
		}
	}
	if header < 0 {
		t.Fatalf("%s: no header row", what)
	}
	data, last := rows[header+1:len(rows)-1], rows[len(rows)-1]
	guided, self, photos := 0, 0, 0
	for i, r := range data {
		if r[0] != strconv.Itoa(i+1) {
			t.Fatalf("%s: row %d numbered %q", what, i+1, r[0])
		}
		switch r[5] {
		case export.RowGuided.Label():
			guided++
		case export.RowSelfDeclared.Label():
			self++
		default:
			t.Fatalf("%s: row %d of kind %q", what, i+1, r[5])
		}
		if len(r) > 8 && r[8] != "" {
			n, err := strconv.Atoi(r[8])
			if err != nil {
				t.Fatalf("%s: row %d photos %q", what, i+1, r[8])
			}
			photos += n
		}
	}
	if len(data) != want.Rows || guided != want.Reports || self != want.SelfDeclared || photos != want.Photos {
		t.Errorf("%s: sheet has %d rows (%d guided, %d self-declared, %d photos); tally %+v", what, len(data), guided, self, photos, want)
	}
	if got := strings.Join(last, " "); !strings.Contains(got, want.Summary()) {
		t.Errorf("%s: last row %q, want %q", what, got, want.Summary())
	}
}

// checkHamletSheet reads the /report workbook's hamlet sheet: its totals
// row adds up the hamlets' counts as shown.
func checkHamletSheet(t *testing.T, xlsx []byte, hamlets []export.HamletRow) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(export.SheetHamlets)
	if err != nil {
		t.Fatal(err)
	}
	var total []string
	sums := make([]int, 5) // register, new, guided, self-declared, able (shown)
	n := 0
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "Tổng cộng") {
			total = r
			continue
		}
		if len(r) < 7 || r[0] == "STT" {
			continue
		}
		if _, err := strconv.Atoi(r[0]); err != nil {
			continue
		}
		n++
		for i := range sums {
			v, err := strconv.Atoi(digits(r[2+i]))
			if err != nil {
				t.Fatalf("hamlet row %q column %d: %v", r, 2+i, err)
			}
			sums[i] += v
		}
	}
	if n != len(hamlets) || total == nil {
		t.Fatalf("hamlet sheet: %d rows, want %d, total %q", n, len(hamlets), total)
	}
	for i, s := range sums {
		v, err := strconv.Atoi(digits(total[2+i]))
		if err != nil || v != s {
			t.Errorf("hamlet sheet: total column %d = %q, the rows add up to %d", 2+i, total[2+i], s)
		}
	}
}

// digits drops the thousands separators of a count as a spreadsheet shows it.
func digits(s string) string { return strings.NewReplacer(".", "", ",", "").Replace(s) }
