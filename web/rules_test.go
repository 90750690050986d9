package web

import (
	"strings"
	"testing"

	"dvcbot/campaign"
	"dvcbot/scoring"
	"dvcbot/store"
)

// TestAwardsBeyondTheCap: with fewer awards than hamlets meeting the
// standard (one collective, one special prize, a lower special-prize
// share), the page lists the others under «đủ tiêu chuẩn, vượt số lượng 01
// — Hội đồng xét» with the bot's note, and a hamlet beyond the cap is never
// said to fall short, on the overview or on its own page.
func TestAwardsBeyondTheCap(t *testing.T) {
	db := sampleDB(t)
	p := params()
	p.MaxCollectives, p.SpecialPrizes, p.SpecialMinShare = 1, 1, 0.10
	h := newHarness(t, db, func(o *Options) { o.Params = p })
	var awards scoring.Awards
	if err := db.View(func(tx *store.Tx) error {
		f, err := tx.Facts("")
		awards = scoring.Candidates(f, p, p.FiguresAt(scoring.DateOf(sampleNow, zoneLoc)))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var beyond, specialBeyond []scoring.HamletCandidate
	for _, c := range awards.NotSelected.Collectives {
		if c.MeetsStandard {
			beyond = append(beyond, c)
		}
	}
	for _, c := range awards.NotSelected.Special {
		if c.MeetsStandard {
			specialBeyond = append(specialBeyond, c)
		}
	}
	if len(awards.Collectives) != 1 || len(beyond) == 0 || len(specialBeyond) == 0 {
		t.Fatalf("the sample should have hamlets beyond both caps: %d + %d collectives, %d special beyond", len(awards.Collectives), len(beyond), len(specialBeyond))
	}
	c := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	code, body := h.get("/", c)
	if code != 200 {
		t.Fatalf("overview: %d", code)
	}
	text := visibleText(body)
	for _, want := range []string{"Đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét", awards.CollectiveNote()} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	for _, b := range append(beyond, specialBeyond...) {
		if !strings.Contains(text, "Ấp "+b.Stats.Hamlet.Name+"</a> — "+b.Reason()) {
			t.Errorf("hamlet beyond the cap %s missing with %q", b.Stats.Hamlet.Name, b.Reason())
		}
	}
	if strings.Contains(text, "chưa đủ tiêu chuẩn") {
		t.Error("the overview says a hamlet falls short")
	}
	for _, b := range beyond[:1] {
		code, body := h.get("/ap/"+b.Stats.Hamlet.ID, c)
		if code != 200 {
			t.Fatalf("hamlet page: %d", code)
		}
		text := visibleText(body)
		if !strings.Contains(text, "Đủ tiêu chuẩn, vượt số lượng 01 — Hội đồng xét.") || strings.Contains(text, "Chưa được đề nghị.") {
			t.Errorf("the page of %s does not say it meets the standard beyond the cap:\n%s", b.Stats.Hamlet.Name, text)
		}
	}
	for _, b := range specialBeyond[:1] {
		_, body := h.get("/ap/"+b.Stats.Hamlet.ID, c)
		if text := visibleText(body); !strings.Contains(text, "Đạt điều kiện, vượt số lượng 01 phần quà — Hội đồng xét.") {
			t.Errorf("the page of %s does not say it meets the special-prize condition beyond the cap", b.Stats.Hamlet.Name)
		}
	}
}
