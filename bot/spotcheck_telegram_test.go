package bot_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/internal/fakebotapi"
	"dvcbot/store"
)

// TestSpotCheckThroughTelegram runs the spot-check flow end to end through
// the Telegram transport and the fake Bot API: the admin draws a sample,
// presses «Không đạt» under the household's card, types the reason, and
// sees the card edited in place.
func TestSpotCheckThroughTelegram(t *testing.T) {
	const admin int64 = 1001
	loc := time.FixedZone("ICT", 7*3600)
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, loc) }
	db, err := store.Open(filepath.Join(t.TempDir(), "d.db"), store.Options{Now: now, Location: loc, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var recordID uint64
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets([]campaign.Hamlet{{ID: "hon-nho", Name: "Hòn Nhỏ", Households: 2}}); err != nil {
			return err
		}
		dung, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		if err := tx.PutOfficer(campaign.Officer{ID: dung, Accounts: []campaign.Account{{Address: chat.Addr(chat.Telegram, "4001")}},
			FullName: "Nguyễn Thị Dung", HamletID: "hon-nho", Role: campaign.RoleOfficer, Active: true}, 0, "test"); err != nil {
			return err
		}
		hh, err := tx.AddHousehold(campaign.Household{HamletID: "hon-nho", HeadName: "Trần Văn Hai", Address: "Tổ 1, ấp Hòn Nhỏ", Phone: "0912345601", CreatedBy: dung}, "tran van hai")
		if err != nil {
			return err
		}
		g, err := tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: "hon-nho", OfficerID: dung, Procedures: []string{"khai_sinh"}})
		recordID = g.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	eng := bot.New(db, bot.Settings{CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến", Location: loc,
		Procedures: []campaign.Procedure{{ID: "khai_sinh", Name: "Đăng ký khai sinh"}}, Admins: []chat.Address{chat.Addr(chat.Telegram, "1001")}}, bot.WithClock(now))

	srv := fakebotapi.New("777000:TEST-spotcheck")
	defer srv.Close()
	clock := fakebotapi.NewFastClock(now(), 1000)
	srv.SetClock(clock.Now)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tr, err := telegram.New(ctx, telegram.Options{Token: srv.Token(), Endpoint: srv.Endpoint(), PollTimeout: 5 * time.Second,
		Now: clock.Now, After: clock.After, Grace: time.Hour, Commands: eng.Commands()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- tr.Run(runCtx, eng) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		tr.Shutdown(context.Background())
	}()

	// waitFor polls the messages sent to the admin until one matches.
	waitFor := func(what string, match func(fakebotapi.SentMessage) bool) fakebotapi.SentMessage {
		t.Helper()
		for {
			for _, m := range srv.SentTo(admin) {
				if match(m) {
					return m
				}
			}
			if ctx.Err() != nil {
				t.Fatalf("no %s among %+v", what, srv.SentTo(admin))
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	srv.SendText(admin, admin, "/kiemtra")
	card := waitFor("sample page", func(m fakebotapi.SentMessage) bool {
		return m.Method == "sendMessage" && len(m.Buttons) > 0 && strings.HasPrefix(m.Buttons[0][0].Data, "kt:")
	})
	id := strconv.FormatUint(recordID, 10)
	if !strings.Contains(card.Plain, "Điện thoại: 0912 345 601") || !strings.Contains(card.Text, "Chủ hộ: <b>Trần Văn Hai</b>") ||
		!strings.Contains(card.Plain, "Cán bộ: Nguyễn Thị Dung") || !strings.Contains(card.Text, "<b>Báo cáo số "+id+"</b> — ấp Hòn Nhỏ") {
		t.Fatalf("page = %+v", card)
	}
	// One row of three results for the household: ✅ ❌ 📵, each with its number.
	if len(card.Buttons) != 1 || len(card.Buttons[0]) != 3 || card.Buttons[0][1].Text != "❌ "+id {
		t.Fatalf("page buttons = %+v", card.Buttons)
	}
	failData := card.Buttons[0][1].Data
	if !strings.HasPrefix(failData, "kt:"+id+":f:") {
		t.Fatalf("«Không đạt» button data = %q", failData)
	}

	press := srv.PressButton(admin, admin, card.MessageID, failData)
	waitFor("reason prompt", func(m fakebotapi.SentMessage) bool { return strings.Contains(m.Plain, "Vui lòng gõ lý do") })
	srv.SendText(admin, admin, "Hộ nói không được ai hướng dẫn")
	// The page shows the result, with its buttons to correct it. (The engine
	// asks for an edit of the page; a transport that cannot edit sends it anew.)
	edited := waitFor("updated page", func(m fakebotapi.SentMessage) bool {
		return strings.Contains(m.Plain, "Kết quả: ❌ Không đạt — lý do: Hộ nói không được ai hướng dẫn")
	})
	if len(edited.Buttons) != 1 || len(edited.Buttons[0]) != 3 || (edited.Method == "editMessageText" && edited.MessageID != card.MessageID) {
		t.Fatalf("updated page = %+v", edited)
	}
	waitFor("confirmation", func(m fakebotapi.SentMessage) bool {
		return strings.Contains(m.Plain, "Ấp Hòn Nhỏ và cán bộ Nguyễn Thị Dung không còn được xét khen thưởng")
	})
	for !srv.CallbackAnswered(press) {
		if ctx.Err() != nil {
			t.Fatal("button press never answered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	err = db.View(func(tx *store.Tx) error {
		p, err := tx.PersonAt(chat.Addr(chat.Telegram, "1001"))
		if err != nil {
			return err
		}
		g, err := tx.Guidance(recordID)
		if err == nil && (g.Check != campaign.CheckFailed || g.CheckedBy != p.ID || g.CheckReason != "Hộ nói không được ai hướng dẫn") {
			t.Errorf("stored check = %+v", g)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
