// Package sampledata fills a store with the illustrative campaign of
// `dvcbot demo --sample-data`: two made-up officers per hamlet reporting
// made-up households day after day, deterministic (the same store every
// time for the same options), so that rankings, reports, the dashboard and
// its browser test have a year to show. Every name, address and phone
// number in it is invented.
//
// Fill makes the same records as cmd/dvcbot's seedDemoData (same generator,
// same seed); Extras adds spot checks, an exclusion, dossier codes and
// photos, which the demo leaves out.
package sampledata

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
	"dvcbot/store"
)

// Illustrative people. Every name, address and phone number is made up.
var (
	family = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Châu", "Danh", "Thạch"}
	middle = []string{"Văn", "Thị", "Minh", "Hoàng", "Ngọc", "Thanh", "Hữu", "Kim", "Quốc", "Thu"}
	given  = []string{"An", "Bình", "Cường", "Dũng", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Hải"}
)

// Options describe the campaign to fill.
type Options struct {
	Hamlets    []campaign.Hamlet
	Procedures []campaign.Procedure // "Khác" last, as in the configuration
	// Start and End are the campaign's first and last days (midnight in
	// Location); reports go up to the day before Now or to End.
	Start, End time.Time
	Location   *time.Location
	Now        time.Time
	// Extras adds what the demo leaves out: spot checks (one failed), an
	// exclusion, dossier codes and photo references.
	Extras bool
}

// OfficerID is the person id of hamlet number hi's k-th officer (k = 0 is
// its hamlet head); their account is OfficerAccount(hi, k).
func OfficerID(hi, k int) campaign.PersonID { return campaign.PersonID(200001 + hi*10 + k) }

// OfficerAccount is the made-up account of hamlet number hi's k-th officer.
func OfficerAccount(hi, k int) chat.Address {
	return chat.Addr(chat.Console, fmt.Sprintf("can-bo-%d-%d", hi+1, k+1))
}

// ErrNotEmpty means the store already holds reports: Fill leaves it alone.
var ErrNotEmpty = errors.New("sampledata: the store already holds reports")

// Fill writes the sample campaign into an empty store in one transaction
// and returns the number of records.
func Fill(db *store.DB, o Options) (int, error) {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	rng := rand.New(rand.NewPCG(2026, 1))
	name := func() string {
		return family[rng.IntN(len(family))] + " " + middle[rng.IntN(len(middle))] + " " + given[rng.IntN(len(given))]
	}
	records := 0
	err := db.Update(func(tx *store.Tx) error {
		stop := errors.New("stop")
		if err := tx.EachGuidance(time.Time{}, time.Time{}, func(campaign.Guidance) error { return stop }); errors.Is(err, stop) {
			return ErrNotEmpty
		} else if err != nil {
			return err
		}
		if err := tx.SyncHamlets(o.Hamlets); err != nil {
			return err
		}
		start := o.Start
		now := o.Now.In(loc)
		end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
		if o.End.Before(end) {
			end = o.End.AddDate(0, 0, 1)
		}
		phone := 912000000
		for hi, h := range o.Hamlets {
			var officers []campaign.PersonID
			for k := 0; k < 2; k++ {
				id := OfficerID(hi, k)
				officers = append(officers, id)
				role := campaign.RoleOfficer
				if k == 0 {
					role = campaign.RoleLeader
				}
				if err := tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: OfficerAccount(hi, k)}},
					FullName: name(), HamletID: h.ID, Role: role, Active: true, JoinedAt: start}, 0, "officer.demo"); err != nil {
					return err
				}
			}
			diligence := 0.55 + 0.45*rng.Float64() // share of days the hamlet reports
			var households []campaign.Household
			for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
				if rng.Float64() > diligence {
					continue
				}
				for n := 1 + rng.IntN(2); n > 0; n-- {
					at := d.Add(time.Duration(7*60+rng.IntN(10*60)) * time.Minute)
					var hh campaign.Household
					// Never more households than the hamlet's register holds.
					if len(households) > 0 && (rng.Float64() < 0.15 || len(households) >= h.Households) {
						hh = households[rng.IntN(len(households))]
					} else {
						phone++
						full := name()
						var err error
						hh, err = tx.AddHousehold(campaign.Household{HamletID: h.ID, HeadName: full,
							Address: fmt.Sprintf("Tổ %d, ấp %s", 1+rng.IntN(8), h.Name), Phone: fmt.Sprintf("0%d", phone),
							CreatedBy: officers[0], CreatedAt: at}, intake.Fold(full))
						if err != nil {
							return err
						}
						households = append(households, hh)
					}
					procs := []string{o.Procedures[rng.IntN(len(o.Procedures)-1)].ID}
					if rng.Float64() < 0.3 {
						procs = append(procs, o.Procedures[rng.IntN(len(o.Procedures)-1)].ID)
					}
					g := campaign.Guidance{HouseholdID: hh.ID, HamletID: h.ID,
						OfficerID: officers[rng.IntN(len(officers))], At: at, Procedures: procs}
					if o.Extras && records%7 == 3 {
						g.DossierCode = fmt.Sprintf("G22.%03d-%06d", 100+records%37, 260000+records)
					}
					if o.Extras && records%11 == 5 {
						g.PhotoFileIDs = []string{fmt.Sprintf("ANH-MINH-HOA-%d", records)}
					}
					if _, err := tx.AddGuidance(g); err != nil {
						return err
					}
					records++
				}
			}
			// Households already able on their own bring some hamlets past 95%.
			target := int(float64(h.Households) * (0.55 + 0.45*rng.Float64()))
			for able := len(households); able < target && able < h.Households; able++ {
				phone++
				full := name()
				if _, err := tx.AddHousehold(campaign.Household{HamletID: h.ID, HeadName: full,
					Address: fmt.Sprintf("Tổ %d, ấp %s", 1+rng.IntN(8), h.Name), Phone: fmt.Sprintf("0%d", phone),
					CreatedBy: officers[0], SelfAble: true, SelfAbleBy: officers[0], SelfAbleAt: end.Add(-time.Hour)}, intake.Fold(full)); err != nil {
					return err
				}
			}
		}
		if o.Extras {
			return extras(tx, rng, end)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sample data: %w", err)
	}
	return records, nil
}

// extras draws one record in 25 for spot checks and records results for
// most of them (one failed, a few unreachable) and excludes one officer.
// (Dossier codes and photo references are given as the records are made.)
func extras(tx *store.Tx, rng *rand.Rand, end time.Time) error {
	var drawn []uint64
	i := 0
	if err := tx.EachGuidance(time.Time{}, time.Time{}, func(g campaign.Guidance) error {
		if i%25 == 12 {
			drawn = append(drawn, g.ID)
		}
		i++
		return nil
	}); err != nil {
		return err
	}
	// admin is the person the sample's spot checks are recorded by: an
	// admin from configuration who never registered.
	const admin campaign.PersonID = 100001
	if _, err := tx.AddSpotSample(store.SpotSample{By: admin, At: end.Add(-2 * time.Hour), Eligible: i, Requested: len(drawn), Guidance: drawn}); err != nil {
		return err
	}
	failed := false
	for i, id := range drawn {
		switch {
		case i%9 == 8:
			continue // still waiting for a call
		case !failed && i > len(drawn)/2:
			failed = true
			if _, err := tx.SetCheck(id, campaign.CheckFailed, "Hộ cho biết chưa được hướng dẫn", admin); err != nil {
				return err
			}
		case rng.IntN(10) == 0:
			if _, err := tx.SetCheck(id, campaign.CheckUnreachable, "Gọi hai lần không nghe máy", admin); err != nil {
				return err
			}
		default:
			if _, err := tx.SetCheck(id, campaign.CheckPassed, "", admin); err != nil {
				return err
			}
		}
	}
	return tx.PutExclusion(campaign.Exclusion{Kind: campaign.ExcludeOfficer, Target: OfficerID(5, 1).String(),
		Reason: "đang được xem xét khiếu nại", By: admin, At: end.Add(-24 * time.Hour)})
}
