package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/intake"
	"dvcbot/store"
)

// Illustrative people for `dvcbot demo --sample-data`. Every name, address
// and phone number here is made up.
var (
	demoFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Châu", "Danh", "Thạch"}
	demoMiddle = []string{"Văn", "Thị", "Minh", "Hoàng", "Ngọc", "Thanh", "Hữu", "Kim", "Quốc", "Thu"}
	demoGiven  = []string{"An", "Bình", "Cường", "Dũng", "Hoa", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Hải"}
)

// seedDemoData fills an empty demo store with a campaign's worth of
// illustrative reports up to yesterday, so that rankings, reports, spot
// checks and dossiers have something to show. It is deterministic and does
// nothing when the store already holds reports.
func seedDemoData(db *store.DB, cfg *config.Config, now time.Time) (int, error) {
	loc := cfg.Campaign.Location
	rng := rand.New(rand.NewPCG(2026, 1))
	name := func() string {
		return demoFamily[rng.IntN(len(demoFamily))] + " " + demoMiddle[rng.IntN(len(demoMiddle))] + " " + demoGiven[rng.IntN(len(demoGiven))]
	}
	records := 0
	err := db.Update(func(tx *store.Tx) error {
		empty := true
		if err := tx.EachGuidance(time.Time{}, time.Time{}, func(campaign.Guidance) error { empty = false; return errStop }); err != nil && err != errStop {
			return err
		}
		if !empty {
			return nil
		}
		start := cfg.Campaign.Start
		end := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
		if cfg.Campaign.End.Before(end) {
			end = cfg.Campaign.End.AddDate(0, 0, 1)
		}
		phone := 912000000
		for hi, h := range cfg.Hamlets {
			var officers []campaign.PersonID
			for k := 0; k < 2; k++ {
				id, err := tx.NewPersonID()
				if err != nil {
					return err
				}
				officers = append(officers, id)
				role := campaign.RoleOfficer
				if k == 0 {
					role = campaign.RoleLeader
				}
				acct := chat.Addr(chat.Console, fmt.Sprintf("can-bo-%d-%d", hi+1, k+1))
				if err := tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: acct}}, FullName: name(),
					HamletID: h.ID, Role: role, Active: true, JoinedAt: start}, 0, "officer.demo"); err != nil {
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
					if len(households) > 0 && rng.Float64() < 0.15 {
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
					procs := []string{cfg.Procedures[rng.IntN(len(cfg.Procedures)-1)].ID}
					if rng.Float64() < 0.3 {
						procs = append(procs, cfg.Procedures[rng.IntN(len(cfg.Procedures)-1)].ID)
					}
					if _, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: h.ID,
						OfficerID: officers[rng.IntN(len(officers))], At: at, Procedures: procs}); err != nil {
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
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("demo sample data: %w", err)
	}
	return records, nil
}

var errStop = fmt.Errorf("stop")
