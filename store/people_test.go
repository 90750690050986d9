package store_test

import (
	"errors"
	"testing"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// TestPeopleAndAccounts: a person gets dvcbot's own id from a sequence;
// each of their accounts finds them; an account belongs to one person at
// a time, a refused save changes nothing, and an account dropped from the
// record is released; per-account unreachability is kept.
func TestPeopleAndAccounts(t *testing.T) {
	db, path := openStore(t, &storeClock{t: march2})
	tg, zl := chat.Addr(chat.Telegram, "123456789"), chat.Addr(chat.Zalo, "6ede9afa4b2e")
	var an, binh campaign.PersonID
	mustUpdate(t, db, func(tx *store.Tx) error {
		var err error
		if an, err = tx.NewPersonID(); err != nil {
			return err
		}
		if binh, err = tx.NewPersonID(); err != nil {
			return err
		}
		if an != 1 || binh != 2 {
			t.Errorf("first person ids = %d, %d; want 1, 2", an, binh)
		}
		if err := tx.PutOfficer(campaign.Officer{ID: an, FullName: "Nguyễn Văn An", HamletID: "bai-nha", Role: campaign.RoleOfficer,
			Active: true, Prefer: chat.Zalo, Accounts: []campaign.Account{{Address: tg, Unreachable: true}, {Address: zl}}}, 0, "officer.join"); err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{ID: binh, FullName: "Trần Thị Bình", HamletID: "nam-du", Role: campaign.RoleLeader,
			Active: true, Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "987")}}}, an, "officer.join")
	})
	// Another person claiming An's Zalo account is refused, even when the
	// caller goes on and commits: neither the record nor the index moves.
	free := chat.Addr(chat.Telegram, "555")
	mustUpdate(t, db, func(tx *store.Tx) error {
		err := tx.PutOfficer(campaign.Officer{ID: binh, FullName: "Trần Thị Bình", HamletID: "nam-du", Role: campaign.RoleLeader, Active: true,
			Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "987")}, {Address: free}, {Address: zl}}}, binh, "person.link")
		if !errors.Is(err, store.ErrAccountTaken) {
			t.Errorf("claiming another person's account: err = %v, want ErrAccountTaken", err)
		}
		if err := tx.PutOfficer(campaign.Officer{ID: 3, Accounts: []campaign.Account{{Address: chat.Addr("sms", "0912345678")}}}, 0, "t"); err == nil {
			t.Errorf("an account on an unknown channel was saved")
		}
		return nil
	})
	db.Close()
	db = reopen(t, path, &storeClock{t: march2})
	_ = db.View(func(tx *store.Tx) error {
		for _, a := range []chat.Address{tg, zl} {
			if o, err := tx.PersonAt(a); err != nil || o.ID != an || o.FullName != "Nguyễn Văn An" {
				t.Errorf("PersonAt(%s) = %+v, %v; want person %d", a, o, err, an)
			}
		}
		if _, err := tx.PersonAt(free); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PersonAt of an account a refused save listed = %v, want ErrNotFound", err)
		}
		if _, err := tx.Officer(3); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a person with an invalid account was saved: %v", err)
		}
		o, err := tx.Officer(an)
		if err != nil {
			return err
		}
		if len(o.Accounts) != 2 || !o.Accounts[0].Unreachable || o.Accounts[1].Unreachable {
			t.Errorf("accounts after reopen = %+v, want telegram unreachable, zalo reachable", o.Accounts)
		}
		if p, ok := o.Primary(); !ok || p != zl {
			t.Errorf("Primary = %v, %v; want %s", p, ok, zl)
		}
		b, err := tx.Officer(binh)
		if err != nil || len(b.Accounts) != 1 {
			t.Errorf("Bình after a refused link = %+v, %v", b, err)
		}
		log, err := tx.AuditLog(0, 0)
		if err != nil {
			return err
		}
		var joins []campaign.PersonID
		for _, e := range log {
			if e.Action == "officer.join" {
				joins = append(joins, e.Actor)
			}
		}
		if len(joins) != 2 || joins[0] != 0 || joins[1] != an {
			t.Errorf("join entries by %v, want [0 %d]", joins, an)
		}
		return nil
	})
	// Dropping an account releases it for someone else.
	mustUpdate(t, db, func(tx *store.Tx) error {
		o, err := tx.Officer(an)
		if err != nil {
			return err
		}
		o.Accounts = o.Accounts[1:]
		if err := tx.PutOfficer(o, an, "person.unlink"); err != nil {
			return err
		}
		if _, err := tx.PersonAt(tg); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PersonAt of a dropped account = %v, want ErrNotFound", err)
		}
		b, err := tx.Officer(binh)
		if err != nil {
			return err
		}
		b.Accounts = append(b.Accounts, campaign.Account{Address: tg})
		return tx.PutOfficer(b, binh, "person.link")
	})
	_ = db.View(func(tx *store.Tx) error {
		if o, err := tx.PersonAt(tg); err != nil || o.ID != binh {
			t.Errorf("PersonAt(%s) after it moved = %+v, %v; want person %d", tg, o, err, binh)
		}
		if o, err := tx.PersonAt(zl); err != nil || o.ID != an {
			t.Errorf("PersonAt(%s) = %+v, %v; want person %d", zl, o, err, an)
		}
		return nil
	})
}
