package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dvcbot/evidence"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// export writes the evidence list of a period (every active guidance
// record and every household recorded as able on its own, package
// evidence) as CSV or XLSX, to standard output, to a new file, or into a
// folder under a name that says what it holds (export.EvidenceFileName).
// It never overwrites a file nor follows a link (export.CreateNew), and
// removes what it began when writing fails.
func (e env) export(ctx context.Context, args []string) error {
	fs := e.flags("export")
	path := e.configPath(fs)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	hamlet := fs.String("hamlet", "", "")
	format := fs.String("format", "csv", "")
	out := fs.String("out", "", "")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	*format = strings.ToLower(*format)
	if *format != "csv" && *format != "xlsx" {
		return usagef("export", "--format %q: chỉ có csv hoặc xlsx", *format)
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	loc := cfg.Campaign.Location
	start, end := cfg.Campaign.Start, cfg.Campaign.End.AddDate(0, 0, 1)
	if *from != "" {
		if start, err = time.ParseInLocation("2006-01-02", *from, loc); err != nil {
			return usagef("export", "--from %q: ngày viết dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-01", *from)
		}
	}
	if *to != "" {
		t, err := time.ParseInLocation("2006-01-02", *to, loc)
		if err != nil {
			return usagef("export", "--to %q: ngày viết dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-31", *to)
		}
		end = t.AddDate(0, 0, 1)
	}
	scope := "Toàn đặc khu"
	if *hamlet != "" {
		if err := knownHamlet("export", cfg, *hamlet); err != nil {
			return err
		}
		h, _ := cfg.Hamlet(*hamlet)
		scope = "Ấp " + h.Name
	}
	if err := checkDataFile(cfg); err != nil {
		return err
	}
	first, last := scoring.DateOf(start, loc), scoring.DateOf(end.Add(-time.Nanosecond), loc)
	db, closeDB, err := store.OpenReadOnly(cfg.Store.Path, store.Options{Location: loc})
	if err != nil {
		return err
	}
	defer closeDB()

	var w io.Writer = e.stdout
	var f *os.File
	target := *out
	if target != "" {
		if st, err := os.Stat(target); err == nil && st.IsDir() {
			target = filepath.Join(target, export.EvidenceFileName(*hamlet, first, last, *format))
		}
		// A new file of mode 0600, never an existing file or a link:
		// an existing file would keep its mode (0644 lets anyone read the
		// households' personal data) or hold an earlier export.
		if f, err = export.CreateNew(target); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	names := map[string]string{}
	for _, p := range cfg.Procedures {
		names[p.ID] = p.Name
	}
	var guided, self int
	err = db.View(func(tx *store.Tx) error {
		rows := counted(evidence.Rows(tx, evidence.Query{From: start, To: end, Hamlet: *hamlet}), &guided, &self)
		if *format == "csv" {
			return export.WriteEvidenceCSV(w, loc, rows, names)
		}
		_, err := export.WriteAnnex(w, loc, export.Annex{Scope: scope + ", từ ngày " + first.String() + " đến ngày " + last.String(),
			FiguresAt: last, Rows: rows, ProcedureNames: names})
		return err
	})
	if err == nil && f != nil {
		err = f.Close()
	}
	if err != nil {
		if f != nil {
			os.Remove(target) // a half-written export is worse than none
		}
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		fmt.Fprintf(e.stderr, "Đã xuất %d lượt hướng dẫn và %d hộ tự khai đã biết làm vào %s.\n", guided, self, target)
	}
	_ = ctx
	return nil
}

// counted passes rows on, counting the guided and self-declared ones.
func counted(rows export.RowSource, guided, self *int) export.RowSource {
	return func(yield func(export.EvidenceRow) error) error {
		return rows(func(r export.EvidenceRow) error {
			if r.Kind == export.RowSelfDeclared {
				*self++
			} else {
				*guided++
			}
			return yield(r)
		})
	}
}
