package web

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/evidence"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// StoreSource is the Source over today's store, where a person's id is
// their Telegram user id (campaign.PersonID(telegramID)) and scoring's
// officer ids are the same numbers. When the store keys people by
// campaign.PersonID, only Person and the officer names below change.
type StoreSource struct {
	DB *store.DB
	// Admins are people who are admins even without a record (tests).
	Admins []campaign.PersonID
	// ConfigAdmins are the admins' accounts from configuration
	// (telegram.admin_ids, zalo.admin_ids): a person holding one is an
	// admin, as the bot treats them.
	ConfigAdmins []chat.Address
}

var _ Source = (*StoreSource)(nil)

// Key returns the web key, created in a write transaction on first use.
func (s *StoreSource) Key(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var key []byte
	err := s.DB.View(func(tx *store.Tx) (err error) {
		key, err = tx.WebKey()
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		err = s.DB.Update(func(tx *store.Tx) (err error) {
			key, err = tx.WebKey()
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("web: key: %w", err)
	}
	return key, nil
}

// Person reads the person's record; their role is the one the bot gives
// them (an account among ConfigAdmins makes an admin, whatever is stored).
func (s *StoreSource) Person(ctx context.Context, id campaign.PersonID) (Person, error) {
	if err := ctx.Err(); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.DB.View(func(tx *store.Tx) error {
		o, err := tx.Officer(id)
		switch {
		case err == nil:
			p = Person{ID: id, Name: o.FullName, Role: o.Role, HamletID: o.HamletID, Active: o.Active}
			for _, a := range o.Accounts {
				if slices.Contains(s.ConfigAdmins, a.Address) {
					p.Role, p.Active = campaign.RoleAdmin, true
				}
			}
		case errors.Is(err, store.ErrNotFound):
			if !slices.Contains(s.Admins, id) {
				return ErrUnknownPerson
			}
			p = Person{ID: id} // made an admin below
		default:
			return err
		}
		if slices.Contains(s.Admins, id) {
			p.Role, p.Active = campaign.RoleAdmin, true
		}
		p.Generation = tx.WebGeneration(id)
		return nil
	})
	if err != nil && !errors.Is(err, ErrUnknownPerson) {
		return p, fmt.Errorf("web: person %d: %w", id, err)
	}
	return p, err
}

// Version is the store's change sequence.
func (s *StoreSource) Version(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var v uint64
	err := s.DB.View(func(tx *store.Tx) error { v = tx.ChangeSeq(); return nil })
	return v, err
}

// Zone reads every fact and the spot-check tallies in one transaction.
func (s *StoreSource) Zone(ctx context.Context) (ZoneData, error) {
	if err := ctx.Err(); err != nil {
		return ZoneData{}, err
	}
	var z ZoneData
	err := s.DB.View(func(tx *store.Tx) error {
		z.Version = tx.ChangeSeq()
		f, err := tx.Facts("")
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		z.Facts = f
		z.Spot, err = spotTallies(tx, f.Checks)
		return err
	})
	if err != nil {
		return ZoneData{}, fmt.Errorf("web: zone figures: %w", err)
	}
	return z, nil
}

// spotTallies counts spot checks by hamlet as /kiemtra ketqua does: every
// record and self-declared household with a result (from the check facts,
// retracted or unmarked ones too), and every record drawn that is still
// active, and every household drawn still recorded as able, that waits for
// a call.
//
// Note for the bot: /kiemtra ketqua walks every record to count the same;
// it could count from the check facts and the drawn records as here.
func spotTallies(tx *store.Tx, checks []scoring.Check) (map[string]SpotTally, error) {
	out := map[string]SpotTally{}
	checked := make(map[uint64]bool, len(checks))
	checkedHH := map[uint64]bool{}
	for _, c := range checks {
		if c.HouseholdID != 0 {
			checkedHH[c.HouseholdID] = true
		} else {
			checked[c.GuidanceID] = true
		}
		t := out[c.HamletID]
		t.Drawn++
		switch c.Status {
		case scoring.CheckPassed:
			t.Passed++
		case scoring.CheckFailed:
			t.Failed++
		case scoring.CheckUnreachable:
			t.Unreachable++
		}
		out[c.HamletID] = t
	}
	err := tx.EachDrawn(func(gid, _ uint64) error {
		if checked[gid] {
			return nil
		}
		g, err := tx.Guidance(gid)
		if err != nil {
			return err
		}
		if !g.Counts() || g.Check != campaign.CheckNone {
			return nil // drawn, then retracted before anyone called
		}
		t := out[g.HamletID]
		t.Drawn++
		t.Waiting++
		out[g.HamletID] = t
		return nil
	})
	if err != nil {
		return out, err
	}
	err = tx.EachDrawnHousehold(func(id, _ uint64) error {
		if checkedHH[id] {
			return nil
		}
		h, err := tx.Household(id)
		if err != nil {
			return err
		}
		if !h.SelfAble {
			return nil // drawn, then unmarked before anyone called
		}
		t := out[h.HamletID]
		t.Drawn++
		t.Waiting++
		out[h.HamletID] = t
		return nil
	})
	return out, err
}

// Hamlet reads one hamlet's day counts, its officers' and its procedures.
func (s *StoreSource) Hamlet(ctx context.Context, q HamletQuery) (HamletData, error) {
	if err := ctx.Err(); err != nil {
		return HamletData{}, err
	}
	var d HamletData
	hamlet := q.Hamlet
	f, t, of := store.DayOfDate(q.From), store.DayOfDate(q.To), store.DayOfDate(q.OfficersFrom)
	err := s.DB.View(func(tx *store.Tx) error {
		if err := tx.HamletDays(hamlet, f, t, func(day store.Day, c store.DayCount) error {
			d.Days = append(d.Days, scoring.HamletDay{HamletID: hamlet, Date: day.ScoringDate(), Households: c.Households})
			return nil
		}); err != nil {
			return err
		}
		for _, o := range q.Officers {
			if err := tx.OfficerDays(campaign.PersonID(o), of, t, func(day store.Day, c store.DayCount) error {
				d.OfficerDays = append(d.OfficerDays, scoring.OfficerDay{OfficerID: o, Date: day.ScoringDate(),
					Households: c.Households, Procedures: c.Procedures})
				return nil
			}); err != nil {
				return err
			}
		}
		var err error
		d.Procedures, err = tx.HamletProcedures(hamlet)
		return err
	})
	if err != nil {
		return HamletData{}, fmt.Errorf("web: hamlet %s figures: %w", hamlet, err)
	}
	return d, nil
}

// Households reads a page of a hamlet's households with their records.
func (s *StoreSource) Households(ctx context.Context, q HouseholdQuery) (HouseholdPage, error) {
	if err := ctx.Err(); err != nil {
		return HouseholdPage{}, err
	}
	var page HouseholdPage
	err := s.DB.View(func(tx *store.Tx) error {
		var hs []campaign.Household
		collect := func(h campaign.Household) error { hs = append(hs, h); return nil }
		var err error
		switch {
		case q.Phone != "":
			all, err := tx.HouseholdsByPhone(q.Phone)
			if err != nil {
				return err
			}
			for _, h := range all {
				if h.HamletID == q.Hamlet {
					page.Total++
					if page.Total > q.Offset && (q.Limit <= 0 || len(hs) < q.Limit) {
						hs = append(hs, h)
					}
				}
			}
		case q.Name != "":
			page.Total, err = tx.HamletHouseholdsMatching(q.Hamlet, q.Name, q.Offset, q.Limit, collect)
		default:
			page.Total, err = tx.HamletHouseholds(q.Hamlet, q.Offset, q.Limit, collect)
		}
		if err != nil {
			return err
		}
		names := map[campaign.PersonID]string{}
		for _, h := range hs {
			if err := ctx.Err(); err != nil {
				return err
			}
			recs, err := tx.GuidanceOfHousehold(h.ID)
			if err != nil {
				return err
			}
			row := HouseholdRow{Household: h}
			for _, g := range recs {
				name, ok := names[g.OfficerID]
				if !ok {
					name = officerName(tx, g.OfficerID)
					names[g.OfficerID] = name
				}
				_, drawn := tx.DrawnIn(g.ID)
				row.Records = append(row.Records, RecordRow{Guidance: g, Officer: name, Drawn: drawn})
			}
			_, row.SelfDrawn = tx.HouseholdDrawnIn(h.ID)
			page.Rows = append(page.Rows, row)
		}
		return nil
	})
	if err != nil {
		return HouseholdPage{}, fmt.Errorf("web: households of %s: %w", q.Hamlet, err)
	}
	return page, nil
}

// officerName is the stored name of a reporting officer, or "Cán bộ số N".
func officerName(tx *store.Tx, id campaign.PersonID) string {
	if o, err := tx.Officer(id); err == nil && o.FullName != "" {
		return o.FullName
	}
	return "Cán bộ số " + id.String()
}

// Record returns one guidance record.
func (s *StoreSource) Record(ctx context.Context, id uint64) (campaign.Guidance, error) {
	if err := ctx.Err(); err != nil {
		return campaign.Guidance{}, err
	}
	var g campaign.Guidance
	err := s.DB.View(func(tx *store.Tx) (err error) { g, err = tx.Guidance(id); return err })
	return g, err
}

// Evidence streams a hamlet's (or every hamlet's) evidence rows — active
// records and self-declared households — with the bot's evidence builder.
func (s *StoreSource) Evidence(ctx context.Context, hamlet string, fn func(export.RowSource) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := s.DB.View(func(tx *store.Tx) error {
		rows := evidence.Rows(tx, evidence.Query{Hamlet: hamlet})
		return fn(func(yield func(export.EvidenceRow) error) error {
			return rows(func(r export.EvidenceRow) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				return yield(r)
			})
		})
	})
	if err != nil {
		return fmt.Errorf("web: evidence: %w", err)
	}
	return nil
}

// PutFile stores a file link's record.
func (s *StoreSource) PutFile(ctx context.Context, f store.WebFile) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.DB.Update(func(tx *store.Tx) error { return tx.PutWebFile(f) })
}

// File returns a file link's record.
func (s *StoreSource) File(ctx context.Context, id string) (store.WebFile, error) {
	if err := ctx.Err(); err != nil {
		return store.WebFile{}, err
	}
	var f store.WebFile
	err := s.DB.View(func(tx *store.Tx) (err error) { f, err = tx.WebFile(id); return err })
	return f, err
}

// UseFile takes one use of a file link.
func (s *StoreSource) UseFile(ctx context.Context, id string) (store.WebFile, error) {
	if err := ctx.Err(); err != nil {
		return store.WebFile{}, err
	}
	var f store.WebFile
	err := s.DB.Update(func(tx *store.Tx) (err error) { f, err = tx.UseWebFile(id); return err })
	return f, err
}

// DeleteFile forgets a file link's record.
func (s *StoreSource) DeleteFile(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.DB.Update(func(tx *store.Tx) error { return tx.DeleteWebFile(id) })
}

// Files lists every file link's record.
func (s *StoreSource) Files(ctx context.Context) ([]store.WebFile, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []store.WebFile
	err := s.DB.View(func(tx *store.Tx) error {
		return tx.EachWebFile(func(f store.WebFile) error { out = append(out, f); return nil })
	})
	return out, err
}
