package scoring

import (
	"testing"
	"time"
)

func TestOfficerFigures(t *testing.T) {
	w := world{
		hamlets:  []Hamlet{{ID: "a", Households: 100}, {ID: "b", Households: 100}},
		officers: []Officer{{ID: 2, Name: "Trần Bình", HamletID: "b", Active: true}, {ID: 1, Name: "Lê An", HamletID: "a"}},
		recs: cat(
			[]rec{
				{hh: "x", hamlet: "a", officer: 1, day: d(2026, 4, 30), procs: []string{"khai-sinh"}},
				{hh: "x", hamlet: "a", officer: 1, day: may(2), procs: []string{"tam-tru", "bhyt"}},
				{hh: "y", hamlet: "a", officer: 1, day: may(2), procs: []string{"khai-sinh"}},
				{hh: "y", hamlet: "a", officer: 1, day: may(2), procs: []string{"tam-tru"}}, // second visit same day
				{hh: "x", hamlet: "a", officer: 2, day: may(3), procs: []string{"khai-tu"}}, // another officer, same household
				{hh: "z", hamlet: "b", officer: 3, day: may(3)},                             // unregistered officer
				{hh: "w", hamlet: "a", officer: 1, day: may(20)},                            // after the as-of day
			},
		),
		checks: []Check{
			{GuidanceID: 9, HamletID: "a", OfficerID: 1, Date: may(4), Status: CheckFailed},
			{GuidanceID: 8, HamletID: "b", OfficerID: 4, Date: may(4), Status: CheckPassed}, // only a check
		},
		excl: []Exclusion{{Kind: ExcludeOfficer, Target: "2", Reason: "đang bị kỷ luật", Since: may(1)}},
	}
	os := Officers(w.facts(), DefaultParams(), Month(2026, time.May), may(10))
	if len(os) != 4 {
		t.Fatalf("got %d officers, want the 2 registered then ids 3 and 4", len(os))
	}
	if os[0].Officer.ID != 2 || os[1].Officer.ID != 1 || os[2].Officer.ID != 3 || os[3].Officer.ID != 4 {
		t.Errorf("order: %d %d %d %d", os[0].Officer.ID, os[1].Officer.ID, os[2].Officer.ID, os[3].Officer.ID)
	}
	an := os[1]
	if an.Households != 2 || an.NewHouseholds != 1 || an.GuidedInPeriod != 2 || an.Procedures != 4 || an.DaysActive != 1 ||
		an.TotalProcedures != 5 || an.TotalDaysActive != 2 {
		t.Errorf("Lê An: %+v", an)
	}
	if an.Checks.Failed != 1 || len(an.FailedChecks) != 1 || an.Eligible() || an.Excluded {
		t.Errorf("Lê An checks: %+v", an.Checks)
	}
	binh := os[0]
	if binh.Households != 1 || binh.NewHouseholds != 1 || !binh.Excluded || binh.Exclusions[0].Reason != "đang bị kỷ luật" || binh.Eligible() {
		t.Errorf("Trần Bình: %+v", binh)
	}
	if os[2].Officer.DisplayName() != "Cán bộ #3" || os[2].Households != 1 || os[2].Officer.Active {
		t.Errorf("unregistered officer: %+v", os[2])
	}
	if os[3].Checks.Passed != 1 || os[3].Households != 0 {
		t.Errorf("officer known only from a check: %+v", os[3])
	}
	// The hamlet of an excluded officer is not excluded by that alone.
	hs := Hamlets(w.facts(), DefaultParams(), Month(2026, time.May), may(10))
	if hs[1].Excluded || !hs[1].Eligible() {
		t.Errorf("hamlet b must stay eligible: %+v", hs[1])
	}
}

func TestLeaderboard(t *testing.T) {
	hamlets := []Hamlet{
		{ID: "h1", Name: "Ấp Hòn Tre", Households: 10},
		{ID: "h2", Name: "Ấp Bãi Nhà", Households: 10},
		{ID: "h3", Name: "Ấp Đông", Households: 20},
		{ID: "h4", Name: "Ấp An Sơn", Households: 10},
		{ID: "h5", Name: "Ấp Cây Mến", Households: 0},
		{ID: "h6", Name: "Ấp Bắc", Households: 10},
	}
	recs := cat(
		many("a", "h1", 1, 5, may(1)), daily("b", "h1", 1, may(2), may(4)), // 8/10, streak 4, 0 today (not met yet)
		many("c", "h2", 2, 7, may(1)), daily("d", "h2", 2, may(3), may(5)), // 10/10, streak 3 incl. today
		many("e", "h3", 3, 16, may(5)),                                     // 16/20 = 80%, streak 1, 16 today
		many("f", "h4", 4, 4, may(5)), daily("g", "h4", 4, may(1), may(4)), // 8/10, streak 5, 4 today
		daily("i", "h6", 6, may(1), may(4)), many("j", "h6", 6, 4, may(1)), // 8/10, streak 4, 0 today
	)
	got := Leaderboard(world{hamlets: hamlets, recs: recs}.facts(), DefaultParams(), may(5))
	want := []struct {
		id   string
		rank int
	}{{"h2", 1}, {"h4", 2}, {"h6", 3}, {"h1", 3}, {"h3", 5}, {"h5", 6}}
	if len(got) != len(want) {
		t.Fatalf("got %d lines", len(got))
	}
	for i, w := range want {
		if got[i].Hamlet.ID != w.id || got[i].Rank != w.rank {
			t.Errorf("line %d: %s rank %d (cov %v streak %d today %d), want %s rank %d", i+1, got[i].Hamlet.ID,
				got[i].Rank, got[i].Coverage, got[i].CurrentStreak, got[i].GuidedToday, w.id, w.rank)
		}
	}
	if !got[0].MetToday || got[2].MetToday || got[0].Period.Label != "ngày 05/05/2026" {
		t.Errorf("met today / period wrong: %+v", got[0])
	}
}

func TestTopOfficers(t *testing.T) {
	officers := []Officer{
		{ID: 1, Name: "Nguyễn Văn Đức"}, {ID: 2, Name: "Nguyễn Văn Dũng"}, {ID: 3, Name: "Lê Thị Ánh"},
		{ID: 4, Name: "Phạm Hùng"}, {ID: 5, Name: "Võ Nhàn"},
	}
	recs := cat(
		many("a", "x", 1, 3, may(2)), many("b", "x", 1, 2, may(3)), // 5 households, 2 days
		many("c", "x", 2, 5, may(2)),                               // 5 households, 1 day
		many("d", "x", 3, 3, may(2)), many("e", "x", 3, 2, may(4)), // 5 households, 2 days
		many("f", "x", 4, 9, d(2026, 4, 30)), many("g", "x", 4, 1, may(2)), // 1 in May
		many("h", "x", 5, 50, d(2026, 6, 1)), // June
	)
	f := world{hamlets: []Hamlet{{ID: "x", Households: 100}}, officers: officers, recs: recs}.facts()
	got := TopOfficers(f, DefaultParams(), Month(2026, time.May), 3)
	want := []struct {
		id   int64
		rank int
	}{{3, 1}, {1, 1}, {2, 3}}
	if len(got) != 3 {
		t.Fatalf("got %d officers", len(got))
	}
	for i, w := range want {
		if got[i].Officer.ID != w.id || got[i].Rank != w.rank {
			t.Errorf("place %d: %s (%d) rank %d, want id %d rank %d", i+1, got[i].Officer.Name, got[i].Officer.ID, got[i].Rank, w.id, w.rank)
		}
	}
	if all := TopOfficers(f, DefaultParams(), Month(2026, time.May), 10); len(all) != 4 {
		t.Errorf("officers with no household in May must be left out: got %d", len(all))
	}
	if none := TopOfficers(f, DefaultParams(), Month(2026, time.May), 0); len(none) != 0 {
		t.Errorf("n = 0 gives %d", len(none))
	}
}
