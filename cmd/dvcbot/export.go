package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dvcbot/export"
	"dvcbot/store"
)

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
	if *hamlet != "" {
		if err := knownHamlet("export", cfg, *hamlet); err != nil {
			return err
		}
	}
	if err := checkDataFile(cfg); err != nil {
		return err
	}
	db, closeDB, err := store.OpenReadOnly(cfg.Store.Path, store.Options{Location: loc})
	if err != nil {
		return err
	}
	defer closeDB()

	var w io.Writer = e.stdout
	var f *os.File
	if *out != "" {
		// A new file of mode 0600 renamed over --out at the end: opening
		// an existing file would keep its mode (0644 lets anyone read the
		// households' personal data) and follow a symbolic link.
		if f, err = os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*.tmp"); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer func() {
			f.Close()
			os.Remove(f.Name()) // gone already after the rename
		}()
		w = f
	}
	names := map[string]string{}
	for _, p := range cfg.Procedures {
		names[p.ID] = p.Name
	}
	n := 0
	err = db.View(func(tx *store.Tx) error {
		rows := evidenceRows(tx, start, end, *hamlet, &n)
		if *format == "csv" {
			return export.WriteCSV(w, loc, rows)
		}
		return export.WriteXLSX(w, loc, rows, names)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		fmt.Fprintf(e.stderr, "Đã xuất %d lượt hướng dẫn vào %s.\n", n, *out)
	}
	_ = ctx
	return nil
}

// evidenceRows streams the store's evidence as export rows, counting them in n.
func evidenceRows(tx *store.Tx, from, to time.Time, hamlet string, n *int) export.RowSource {
	return func(yield func(export.EvidenceRow) error) error {
		return tx.EachEvidence(from, to, hamlet, func(ev store.Evidence) error {
			*n++
			return yield(export.EvidenceRow{
				HamletID: ev.Hamlet.ID, HamletName: ev.Hamlet.Name,
				HouseholdName: ev.Household.HeadName, Address: ev.Household.Address, Phone: ev.Household.Phone,
				Procedures: ev.Guidance.Procedures, OtherProcedure: ev.Guidance.OtherProcedure,
				OfficerName: ev.Officer.FullName, OfficerChannel: ev.Guidance.Via.Channel, OfficerAccount: ev.Guidance.Via.ID,
				ReportedAt: ev.Guidance.At, Check: ev.Guidance.Check,
				DossierCode: ev.Guidance.DossierCode, Photos: len(ev.Guidance.PhotoFileIDs), HouseholdID: ev.Household.ID, OfficerID: ev.Guidance.OfficerID,
			})
		})
	}
}
