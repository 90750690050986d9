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
// record and every household recorded as able on its own) as CSV or XLSX,
// to standard output, to a new file, or into a folder under a name that
// says what it holds (export.EvidenceFileName). It never overwrites a file.
func (e env) export(ctx context.Context, args []string) error {
	fs := e.flags("export")
	path := fs.String("config", "", "configuration file (YAML)")
	from := fs.String("from", "", "first day YYYY-MM-DD (default: campaign start)")
	to := fs.String("to", "", "last day YYYY-MM-DD, inclusive (default: campaign end)")
	hamlet := fs.String("hamlet", "", "only this hamlet id")
	format := fs.String("format", "csv", "csv or xlsx")
	out := fs.String("out", "", "output file, never overwritten, or an existing folder to write a file named by the period into (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	loc := cfg.Campaign.Location
	start, end := cfg.Campaign.Start, cfg.Campaign.End.AddDate(0, 0, 1)
	if *from != "" {
		if start, err = time.ParseInLocation("2006-01-02", *from, loc); err != nil {
			return fmt.Errorf("--from %q: want YYYY-MM-DD: %w", *from, errUsage)
		}
	}
	if *to != "" {
		t, err := time.ParseInLocation("2006-01-02", *to, loc)
		if err != nil {
			return fmt.Errorf("--to %q: want YYYY-MM-DD: %w", *to, errUsage)
		}
		end = t.AddDate(0, 0, 1)
	}
	hamletName := ""
	if *hamlet != "" {
		h, ok := cfg.Hamlet(*hamlet)
		if !ok {
			return fmt.Errorf("--hamlet %q: no such hamlet in the configuration", *hamlet)
		}
		hamletName = h.Name
	}
	*format = strings.ToLower(*format)
	if *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("--format %q: want csv or xlsx: %w", *format, errUsage)
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
		scope := "Toàn đặc khu"
		if hamletName != "" {
			scope = "Ấp " + hamletName
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
		fmt.Fprintf(e.stderr, "Exported %d records and %d self-declared households to %s.\n", guided, self, target)
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
