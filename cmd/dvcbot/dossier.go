package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dvcbot/bot"
	"dvcbot/dossier"
	"dvcbot/scoring"
	"dvcbot/store"
	"dvcbot/wiring"
)

// dossier writes a hamlet's award dossier (Tờ trình, Biên bản họp xét and
// the evidence annex) into a folder under names dated by the day its
// figures stop at (by default today, at most the campaign's last day),
// never overwriting a file, reading the store without writing to it (a
// snapshot from the running bot when it holds the file).
func (e env) dossier(ctx context.Context, args []string) error {
	fs := e.flags("dossier")
	path := e.configPath(fs)
	hamlet := fs.String("hamlet", "", "")
	out := fs.String("out", "", "")
	date := fs.String("date", "", "")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *hamlet == "" || *out == "" {
		return usagef("dossier", "cần --hamlet MÃ_ẤP và --out THƯ_MỤC")
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	if err := knownHamlet("dossier", cfg, *hamlet); err != nil {
		return err
	}
	loc := cfg.Campaign.Location
	at := wiring.ScoringParams(cfg).FiguresAt(scoring.DateOf(time.Now(), loc))
	if *date != "" {
		t, err := time.ParseInLocation("2006-01-02", *date, loc)
		if err != nil {
			return usagef("dossier", "--date %q: ngày viết dạng NĂM-THÁNG-NGÀY, ví dụ 2026-12-31", *date)
		}
		at = scoring.DateOf(t, loc)
	}
	if err := checkDataFile(cfg); err != nil {
		return err
	}
	db, closeDB, err := store.OpenReadOnly(cfg.Store.Path, store.Options{Location: loc})
	if err != nil {
		return err
	}
	defer closeDB()
	eng := bot.New(db, wiring.EngineSettings(cfg))
	d, err := eng.Dossier(ctx, *hamlet, at)
	if err != nil {
		return err
	}
	written, werr := dossier.WriteDossier(*out, d.Input, d.Evidence)
	if werr != nil && !errors.Is(werr, dossier.ErrNothingToPropose) {
		return werr
	}
	fmt.Fprintf(e.stdout, "Hồ sơ khen thưởng ấp %s. %s.\n", d.Input.Hamlet.Name, scoring.FiguresAtText(at))
	for _, p := range written {
		fmt.Fprintf(e.stdout, "  %s\n", p)
	}
	fmt.Fprintln(e.stdout, "Danh sách hộ: "+d.Tally.Summary())
	fmt.Fprintln(e.stdout, d.Status())
	if werr != nil {
		fmt.Fprintln(e.stdout, "Không lập Tờ trình vì không có tập thể hay cá nhân nào của ấp được đề nghị.")
	}
	return nil
}
