package store_test

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/store"
)

func TestWebKeyAndGenerations(t *testing.T) {
	clock := &storeClock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, hcm)}
	db, path := openStore(t, clock)
	// A store without a key says so in a read transaction.
	err := db.View(func(tx *store.Tx) error { _, err := tx.WebKey(); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("WebKey in a read transaction of a new store: %v", err)
	}
	var key []byte
	if err := db.Update(func(tx *store.Tx) (err error) { key, err = tx.WebKey(); return err }); err != nil {
		t.Fatal(err)
	}
	if len(key) != store.WebKeySize || bytes.Equal(key, make([]byte, store.WebKeySize)) {
		t.Fatalf("key %x", key)
	}
	var gen0, gen1, gen2 uint32
	err = db.Update(func(tx *store.Tx) (err error) {
		gen0 = tx.WebGeneration(7)
		if gen1, err = tx.BumpWebGeneration(7); err != nil {
			return err
		}
		gen2, err = tx.BumpWebGeneration(7)
		return err
	})
	if err != nil || gen0 != 0 || gen1 != 1 || gen2 != 2 {
		t.Fatalf("generations %d %d %d, %v", gen0, gen1, gen2, err)
	}
	db.Close()
	// Both survive a restart; the key is not made again.
	db = reopen(t, path, clock)
	defer db.Close()
	err = db.View(func(tx *store.Tx) error {
		k, err := tx.WebKey()
		if err != nil || !bytes.Equal(k, key) {
			t.Errorf("key after restart: %x, %v", k, err)
		}
		if g := tx.WebGeneration(7); g != 2 {
			t.Errorf("generation after restart: %d", g)
		}
		if g := tx.WebGeneration(8); g != 0 {
			t.Errorf("someone else's generation: %d", g)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWebFiles(t *testing.T) {
	clock := &storeClock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, hcm)}
	db, _ := openStore(t, clock)
	defer db.Close()
	f := store.WebFile{ID: "ab", Person: 7, Name: "Báo cáo.xlsx", Path: "/x/ab", Size: 3, Created: clock.Now(), Expires: clock.Now().Add(time.Hour), UsesLeft: 2}
	if err := db.Update(func(tx *store.Tx) error { return tx.PutWebFile(f) }); err != nil {
		t.Fatal(err)
	}
	before := seq(t, db)
	for want := 1; want >= 0; want-- {
		var got store.WebFile
		err := db.Update(func(tx *store.Tx) (err error) { got, err = tx.UseWebFile("ab"); return err })
		if err != nil || got.UsesLeft != want || got.Name != f.Name {
			t.Fatalf("use: %+v, %v; want %d left", got, err, want)
		}
	}
	if err := db.Update(func(tx *store.Tx) error { _, err := tx.UseWebFile("ab"); return err }); !errors.Is(err, store.ErrUsedUp) {
		t.Errorf("third use: %v, want ErrUsedUp", err)
	}
	if after := seq(t, db); after != before+2 {
		t.Errorf("change sequence moved from %d to %d over two audited downloads", before, after)
	}
	var n int
	err := db.Update(func(tx *store.Tx) error {
		if err := tx.EachWebFile(func(store.WebFile) error { n++; return nil }); err != nil {
			return err
		}
		if err := tx.DeleteWebFile("ab"); err != nil {
			return err
		}
		_, err := tx.WebFile("ab")
		return err
	})
	if n != 1 || !errors.Is(err, store.ErrNotFound) {
		t.Errorf("listed %d, after delete: %v", n, err)
	}
}

func seq(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	var s uint64
	if err := db.View(func(tx *store.Tx) error { s = tx.ChangeSeq(); return nil }); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestHamletProceduresAndHouseholds(t *testing.T) {
	clock := &storeClock{t: time.Date(2026, 5, 2, 9, 0, 0, 0, hcm)}
	db, _ := openStore(t, clock)
	defer db.Close()
	names := []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Nguyễn Thị Dung"}
	before := seq(t, db)
	err := db.Update(func(tx *store.Tx) error {
		var ids []uint64
		for i, n := range names {
			h, err := tx.AddHousehold(campaign.Household{HamletID: "bai-nha", HeadName: n, Address: "Tổ 1", Phone: "091234567" + string(rune('0'+i))}, intake.Fold(n))
			if err != nil {
				return err
			}
			ids = append(ids, h.ID)
		}
		if _, err := tx.AddHousehold(campaign.Household{HamletID: "nam-du", HeadName: "Nguyễn Văn Em", Phone: "0987654321"}, intake.Fold("Nguyễn Văn Em")); err != nil {
			return err
		}
		recs := []campaign.Guidance{
			{HouseholdID: ids[0], HamletID: "bai-nha", OfficerID: 1, Procedures: []string{"khai_sinh", "bhyt"}},
			{HouseholdID: ids[0], HamletID: "bai-nha", OfficerID: 1, Procedures: []string{"khai_sinh"}},
			{HouseholdID: ids[1], HamletID: "bai-nha", OfficerID: 1, Procedures: []string{"bhyt"}},
			{HouseholdID: ids[2], HamletID: "bai-nha", OfficerID: 1, Procedures: []string{"tam_tru"}},
		}
		for _, g := range recs {
			if _, err := tx.AddGuidance(g); err != nil {
				return err
			}
		}
		g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: ids[3], HamletID: "bai-nha", OfficerID: 1, Procedures: []string{"ket_hon"}})
		if err != nil {
			return err
		}
		_, err = tx.RetractGuidance(g.ID, 1) // retracted: counts for nothing
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if after := seq(t, db); after <= before {
		t.Errorf("change sequence did not move with new records: %d → %d", before, after)
	}
	err = db.View(func(tx *store.Tx) error {
		got, err := tx.HamletProcedures("bai-nha")
		if err != nil {
			return err
		}
		want := map[string]int{"khai_sinh": 1, "bhyt": 2, "tam_tru": 1}
		if len(got) != len(want) {
			t.Errorf("procedures %v, want %v", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("procedures %v, want %v", got, want)
				break
			}
		}
		var page []string
		total, err := tx.HamletHouseholds("bai-nha", 1, 2, func(h campaign.Household) error { page = append(page, h.HeadName); return nil })
		if err != nil || total != 4 || len(page) != 2 || page[0] != "Nguyễn Thị Dung" || page[1] != "Nguyễn Văn An" {
			t.Errorf("households page: %v of %d, %v (want by folded name: le, nguyen thi, nguyen van, tran)", page, total, err)
		}
		var found []string
		total, err = tx.HamletHouseholdsMatching("bai-nha", "nguyen", 0, 0, func(h campaign.Household) error { found = append(found, h.HeadName); return nil })
		if err != nil || total != 2 || len(found) != 2 {
			t.Errorf("matching nguyen in bai-nha: %v (%d), %v", found, total, err)
		}
		total, err = tx.HamletHouseholdsMatching("bai-nha", "van", 1, 5, func(campaign.Household) error { return nil })
		if err != nil || total != 2 {
			t.Errorf("matching van: %d, %v", total, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
