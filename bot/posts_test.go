package bot_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dvcbot/bot"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// The tests of scheduled posts run in an external test package so that
// their helpers never clash with the engine's own tests. Golden files are
// under testdata/posts; rewrite them with -update (the flag the package's
// transcript tests declare).
func updateGolden() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var vnZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The people of the posts world, by their Telegram account (pa gives the
// address).
const (
	pAdmin      int64 = 1001 // admin from configuration
	pOfficerBN  int64 = 2001 // officer of Bãi Nhà
	pOfficerND  int64 = 2002 // officer of Nam Du
	pOfficerHT  int64 = 2003 // officer of Hòn Tre
	pInactiveHT int64 = 2004 // deactivated officer of Hòn Tre
	pBlockedHT  int64 = 2005 // officer of Hòn Tre who blocked the bot
	pLeaderBN   int64 = 3001 // leader of Bãi Nhà
	pLeaderND   int64 = 3002 // leader of Nam Du
	pStoredAdm  int64 = 4001 // admin registered in the store
	pGroup      int64 = -100123
)

// pa is a Telegram account of the posts world.
func pa(id int64) chat.Address { return chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)) }

var postHamlets = []campaign.Hamlet{
	{ID: "bai-nha", Name: "Bãi Nhà", Households: 40},
	{ID: "hon-tre", Name: "Hòn Tre", Households: 30},
	{ID: "nam-du", Name: "Nam Du", Households: 20},
}

var postProcedures = []campaign.Procedure{
	{ID: "khai_sinh", Name: "Đăng ký khai sinh"},
	{ID: "thuong_tru", Name: "Đăng ký thường trú"},
	{ID: "khac", Name: "Khác"},
}

// postsWorld is a store with an engine and a settable clock.
type postsWorld struct {
	t      *testing.T
	now    time.Time
	db     *store.DB
	eng    *bot.Engine
	phone  int
	set    bot.Settings
	update int
}

func postSettings(daysOff ...scoring.Date) bot.Settings {
	p := scoring.DefaultParams()
	p.DaysOff = daysOff
	return bot.Settings{
		CampaignName: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Start:        time.Date(2026, 1, 1, 0, 0, 0, 0, vnZone),
		End:          time.Date(2026, 12, 31, 0, 0, 0, 0, vnZone),
		Location:     vnZone,
		DailyTarget:  1,
		Procedures:   postProcedures,
		Admins:       []chat.Address{pa(pAdmin)},
		Groups:       []chat.Address{pa(pGroup)},
		Params:       p,
		BotUsername:  func() string { return "dvc_test_bot" },
		// The clock stands still: no limit on messages a minute.
		RatePerMinute: -1,
	}
}

func newPostsWorld(t *testing.T, set bot.Settings) *postsWorld {
	t.Helper()
	w := &postsWorld{t: t, now: time.Date(2026, 4, 15, 8, 0, 0, 0, vnZone), set: set}
	db, err := store.Open(filepath.Join(t.TempDir(), "posts.db"), store.Options{Now: func() time.Time { return w.now }, Location: vnZone, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	if err := db.Update(func(tx *store.Tx) error { return tx.SyncHamlets(postHamlets) }); err != nil {
		t.Fatal(err)
	}
	w.eng = bot.New(db, set, bot.WithClock(func() time.Time { return w.now }))
	return w
}

// person registers a person with the Telegram account id.
func (w *postsWorld) person(id int64, hamlet string, role campaign.Role, name string, change ...func(*campaign.Officer)) {
	w.t.Helper()
	w.personAt(pa(id), hamlet, role, name, change...)
}

// personAt registers a person with one account.
func (w *postsWorld) personAt(addr chat.Address, hamlet string, role campaign.Role, name string, change ...func(*campaign.Officer)) {
	w.t.Helper()
	err := w.db.Update(func(tx *store.Tx) error {
		pid, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		o := campaign.Officer{ID: pid, Accounts: []campaign.Account{{Address: addr}}, Prefer: addr.Channel,
			FullName: name, HamletID: hamlet, Role: role, Active: true, JoinedAt: w.now}
		for _, c := range change {
			c(&o)
		}
		return tx.PutOfficer(o, 0, "officer.test")
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// handle sends a message of addr in their private chat (or a group).
func (w *postsWorld) handle(from, where chat.Address, text string) []chat.Reply {
	w.t.Helper()
	w.update++
	rs, err := w.eng.Handle(context.Background(), chat.Input{Update: strconv.Itoa(w.update), Chat: where, From: from,
		Private: where == from, Caps: chat.CapsOf(where.Channel), Text: text})
	if err != nil {
		w.t.Fatal(err)
	}
	return rs
}

// guide records that officer guided a new household of hamlet on the local day d at 10:00.
func (w *postsWorld) guide(officer int64, hamlet string, d time.Time) {
	w.t.Helper()
	w.phone++
	name := fmt.Sprintf("Hộ Dân Số %d", w.phone)
	err := w.db.Update(func(tx *store.Tx) error {
		p, err := tx.PersonAt(pa(officer))
		if err != nil {
			return err
		}
		hh, err := tx.AddHousehold(campaign.Household{HamletID: hamlet, HeadName: name, Address: fmt.Sprintf("Tổ %d, ấp thử", w.phone),
			Phone: fmt.Sprintf("09123%05d", w.phone), CreatedBy: p.ID}, intake.Fold(name))
		if err != nil {
			return err
		}
		_, err = tx.AddGuidance(campaign.Guidance{HouseholdID: hh.ID, HamletID: hamlet, OfficerID: p.ID, Via: pa(officer),
			At: time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, vnZone), Procedures: []string{"khai_sinh"}})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// standardWorld: 2 May 2026, 16:00. Bãi Nhà met every day from 20/04 to
// 01/05 (a streak of 12) but not today; Nam Du met today; Hòn Tre met on
// 01/05 only.
func standardWorld(t *testing.T, set bot.Settings) *postsWorld {
	w := newPostsWorld(t, set)
	w.person(pOfficerBN, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	w.person(pOfficerND, "nam-du", campaign.RoleOfficer, "Nguyễn Thị Lan")
	w.person(pOfficerHT, "hon-tre", campaign.RoleOfficer, "Phạm Minh Châu")
	w.person(pInactiveHT, "hon-tre", campaign.RoleOfficer, "Đỗ Văn Nghỉ", func(o *campaign.Officer) { o.Active = false })
	w.person(pBlockedHT, "hon-tre", campaign.RoleOfficer, "Võ Thị Chặn", func(o *campaign.Officer) { o.Accounts[0].Unreachable = true })
	w.person(pLeaderBN, "bai-nha", campaign.RoleLeader, "Trần Thị Hoa")
	w.person(pLeaderND, "nam-du", campaign.RoleLeader, "Huỳnh Văn Mạnh")
	w.person(pStoredAdm, "", campaign.RoleAdmin, "Mai Thu Thảo")
	for d := time.Date(2026, 4, 20, 0, 0, 0, 0, vnZone); d.Day() != 2; d = d.AddDate(0, 0, 1) {
		w.guide(pOfficerBN, "bai-nha", d)
	}
	w.guide(pOfficerHT, "hon-tre", time.Date(2026, 5, 1, 0, 0, 0, 0, vnZone))
	w.guide(pOfficerND, "nam-du", time.Date(2026, 5, 2, 0, 0, 0, 0, vnZone))
	w.guide(pOfficerND, "nam-du", time.Date(2026, 5, 2, 0, 0, 0, 0, vnZone))
	w.now = time.Date(2026, 5, 2, 16, 0, 0, 0, vnZone)
	return w
}

var may2 = scoring.NewDate(2026, time.May, 2)

func (w *postsWorld) posts(fn func(tx *store.Tx) ([]chat.Reply, error)) []chat.Reply {
	w.t.Helper()
	var out []chat.Reply
	if err := w.db.View(func(tx *store.Tx) (err error) {
		out, err = fn(tx)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	for _, r := range out {
		if err := bot.CheckReply(r, ""); err != nil {
			w.t.Errorf("post to %s: %v\n%s", r.To, err, bot.RenderText(r.Text))
		}
	}
	return out
}

// recipients lists who the posts go to, in order, once per run of posts.
func recipients(rs []chat.Reply) []chat.Address {
	var out []chat.Address
	for _, r := range rs {
		if len(out) == 0 || out[len(out)-1] != r.To {
			out = append(out, r.To)
		}
	}
	return out
}

// addrs lists the Telegram accounts ids.
func addrs(ids ...int64) []chat.Address {
	var out []chat.Address
	for _, id := range ids {
		out = append(out, pa(id))
	}
	return out
}

// sameSet reports whether a and b hold the same addresses, in any order.
func sameSet(a, b []chat.Address) bool {
	key := func(as []chat.Address) string {
		var ss []string
		for _, x := range as {
			ss = append(ss, x.String())
		}
		slices.Sort(ss)
		return strings.Join(ss, " ")
	}
	return key(a) == key(b)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "posts", name)
	if updateGolden() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Posts -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./bot -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestRemindersGoToHamletsNotMetToday(t *testing.T) {
	w := standardWorld(t, postSettings())
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Reminders(tx, may2) })
	// Bãi Nhà (not met): its officer and its leader; Hòn Tre (not met): its
	// active, reachable officer only; Nam Du met today: nobody.
	want := addrs(pOfficerBN, pLeaderBN, pOfficerHT)
	if got := recipients(rs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("reminders to %v, want %v", got, want)
	}
	for _, r := range rs {
		if !r.Bulk || r.Group || len(r.Choices) != 1 || len(r.Choices[0]) != 1 || r.Choices[0][0] != (chat.Choice{Label: "📝 Báo cáo ngay", Value: "cmd:baocao"}) {
			t.Errorf("reminder to %s: bulk %v group %v choices %v", r.To, r.Bulk, r.Group, r.Choices)
		}
	}
	if !strings.Contains(rs[0].Text, "Ấp đang có chuỗi 12 ngày đạt liên tiếp — đừng để đứt chuỗi!") {
		t.Errorf("Bãi Nhà's reminder does not put its 12-day streak at stake:\n%s", rs[0].Text)
	}
	if !strings.Contains(rs[2].Text, "đạt tiếp hôm nay là ấp có chuỗi 2 ngày liên tiếp") {
		t.Errorf("Hòn Tre's reminder:\n%s", rs[2].Text)
	}
	golden(t, "reminder.golden", bot.RenderText(rs[0].Text)+"\n")

	// Once Bãi Nhà reports, only Hòn Tre is reminded.
	w.guide(pOfficerBN, "bai-nha", w.now)
	rs = w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Reminders(tx, may2) })
	if got := recipients(rs); fmt.Sprint(got) != fmt.Sprint(addrs(pOfficerHT)) {
		t.Errorf("after Bãi Nhà reported, reminders to %v", got)
	}
}

func TestReminderButtonStartsReport(t *testing.T) {
	w := standardWorld(t, postSettings())
	rs, err := w.eng.Handle(context.Background(), chat.Input{Update: "1", Chat: pa(pOfficerBN), From: pa(pOfficerBN), Private: true,
		Caps: chat.CapsOf(chat.Telegram), Callback: &chat.Callback{ID: "cb1", Data: "cmd:baocao", MessageID: "7"}})
	if err != nil || len(rs) == 0 || !strings.Contains(rs[0].Text, "Họ và tên") {
		t.Fatalf("pressing «Báo cáo ngay» = %+v, %v; want the first question of /baocao", rs, err)
	}
}

func TestNoRemindersOnDaysOffOrOutsideCampaign(t *testing.T) {
	w := standardWorld(t, postSettings(may2))
	for _, d := range []scoring.Date{may2, scoring.NewDate(2025, 12, 31), scoring.NewDate(2027, 1, 2)} {
		for name, fn := range map[string]func(*store.Tx, scoring.Date) ([]chat.Reply, error){
			"Reminders": w.eng.Reminders, "Escalations": w.eng.Escalations,
		} {
			if rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return fn(tx, d) }); len(rs) != 0 {
				t.Errorf("%s on %s: %d posts, want none", name, d, len(rs))
			}
		}
	}
}

func TestEscalationsReachLeadersOnly(t *testing.T) {
	w := standardWorld(t, postSettings())
	w.now = w.now.Add(3 * time.Hour)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Escalations(tx, may2) })
	if got := recipients(rs); fmt.Sprint(got) != fmt.Sprint(addrs(pLeaderBN)) {
		t.Fatalf("escalations to %v, want only Bãi Nhà's leader %d (Hòn Tre has no leader, Nam Du met)", got, pLeaderBN)
	}
	if !strings.Contains(rs[0].Text, "Cán bộ của ấp: Lê Văn Tám.") || len(rs[0].Choices) != 1 {
		t.Errorf("escalation:\n%s", rs[0].Text)
	}
	golden(t, "escalation.golden", bot.RenderText(rs[0].Text)+"\n")
}

func TestDailyLeaderboardPostsTextAndChart(t *testing.T) {
	w := standardWorld(t, postSettings())
	w.now = time.Date(2026, 5, 2, 20, 0, 0, 0, vnZone)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.DailyLeaderboard(tx, may2) })
	if len(rs) != 2 {
		t.Fatalf("%d posts, want the ranking and the chart", len(rs))
	}
	// Every leader is on Telegram, which has the group: nobody gets a
	// private copy, and the group's posts carry them as the fallback.
	leaders := addrs(pLeaderBN, pLeaderND, pStoredAdm, pAdmin)
	for _, r := range rs {
		if r.To != pa(pGroup) || !r.Group || !r.Bulk || r.Optional || !sameSet(r.Fallback, leaders) {
			t.Errorf("post to %s group %v bulk %v optional %v fallback %v; want the leaders' group, bulk, falling back to %v", r.To, r.Group, r.Bulk, r.Optional, r.Fallback, leaders)
		}
	}
	golden(t, "leaderboard.golden", bot.RenderText(rs[0].Text)+"\n")
	var direct string
	_ = w.db.View(func(tx *store.Tx) error {
		direct, _, _ = w.eng.Leaderboard(tx, may2, w.set.Params)
		return nil
	})
	if rs[0].Text != direct {
		t.Error("the posted leaderboard differs from LeaderboardText")
	}
	if rs[1].Photo == nil || !strings.HasSuffix(rs[1].Photo.Name, ".png") {
		t.Fatalf("second post has no PNG: %+v", rs[1])
	}
	img, err := png.Decode(bytes.NewReader(rs[1].Photo.Bytes))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1000 || b.Dy() != 600 {
		t.Errorf("chart is %dx%d, want 1000x600", b.Dx(), b.Dy())
	}
	noPersonalData(t, w, rs)
}

// noPersonalData fails when a group post shows a household's name, phone or address.
func noPersonalData(t *testing.T, w *postsWorld, rs []chat.Reply) {
	t.Helper()
	for i := 1; i <= w.phone; i++ {
		for _, s := range []string{fmt.Sprintf("Hộ Dân Số %d", i), fmt.Sprintf("09123%05d", i), fmt.Sprintf("Tổ %d, ấp thử", i)} {
			for _, r := range rs {
				if r.Group && strings.Contains(r.Text, s) {
					t.Errorf("group post shows personal data %q", s)
				}
			}
		}
	}
}

// TestNoGroupPrivateOptionalCopies: without a leaders' group, each leader
// (hamlet heads, zone leaders, admins) gets the leaderboard privately, as
// optional traffic; officers never do.
func TestNoGroupPrivateOptionalCopies(t *testing.T) {
	set := postSettings()
	set.Groups = nil
	w := standardWorld(t, set)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.DailyLeaderboard(tx, may2) })
	if got, want := recipients(rs), addrs(pLeaderBN, pLeaderND, pStoredAdm, pAdmin); !sameSet(got, want) || len(rs) != 2*len(want) {
		t.Fatalf("%d posts to %v, want the ranking and the chart to each of %v", len(rs), got, want)
	}
	for _, r := range rs {
		if r.Group || !r.Bulk || !r.Optional || len(r.Fallback) != 0 {
			t.Errorf("private copy to %s: group %v bulk %v optional %v fallback %v", r.To, r.Group, r.Bulk, r.Optional, r.Fallback)
		}
	}
	noPersonalData(t, w, rs)
	// A leader who blocked the bot gets nothing; a deactivated one neither.
	w.person(3003, "hon-tre", campaign.RoleLeader, "Lâm Văn Chặn", func(o *campaign.Officer) { o.Accounts[0].Unreachable = true })
	w.person(3004, "hon-tre", campaign.RoleLeader, "Tô Văn Nghỉ", func(o *campaign.Officer) { o.Active = false })
	rs = w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.DailyLeaderboard(tx, may2) })
	if got := recipients(rs); !sameSet(got, addrs(pLeaderBN, pLeaderND, pStoredAdm, pAdmin)) {
		t.Errorf("with an unreachable and a deactivated leader, posts to %v", got)
	}
}

// TestGroupOnOneChannelPrivateOnTheOther: leaders on a channel with a
// group are reached through it; leaders on a channel without one (or
// whose channel may not post into groups) get optional private copies.
func TestGroupOnOneChannelPrivateOnTheOther(t *testing.T) {
	set := postSettings()
	set.GroupsOK = func(channel string) bool { return channel != chat.Zalo }
	set.Groups = append(set.Groups, chat.Addr(chat.Zalo, "zgroup")) // not allowed: ignored
	w := standardWorld(t, set)
	zaloLeader := chat.Addr(chat.Zalo, "z-3005")
	w.personAt(zaloLeader, "", campaign.RoleZoneLeader, "Đặng Văn Đạo")
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.DailyLeaderboard(tx, may2) })
	var group, private []chat.Reply
	for _, r := range rs {
		if r.Group {
			group = append(group, r)
		} else {
			private = append(private, r)
		}
	}
	if len(group) != 2 || group[0].To != pa(pGroup) || !sameSet(group[0].Fallback, addrs(pLeaderBN, pLeaderND, pStoredAdm, pAdmin)) {
		t.Errorf("group posts: %s", bot.RenderReplies(group, chat.Address{}))
	}
	if len(private) != 2 || private[0].To != zaloLeader || !private[0].Optional {
		t.Errorf("private copies: %s", bot.RenderReplies(private, chat.Address{}))
	}
}

// TestLinkedGroupGetsTheLeaderboard: an admin's /nhom code sent in a group
// (with the bot mentioned) makes it the leaders' group of its channel:
// stored, and the next leaderboard goes there with the channel's leaders
// as fallback instead of private copies.
func TestLinkedGroupGetsTheLeaderboard(t *testing.T) {
	set := postSettings()
	set.Groups = nil
	w := standardWorld(t, set)
	admin, group := pa(pAdmin), chat.Addr(chat.Zalo, "zg-1")
	zaloAdmin := chat.Addr(chat.Zalo, "z-4002")
	w.personAt(zaloAdmin, "", campaign.RoleAdmin, "Phan Văn Quản")
	rs := w.handle(admin, admin, "/nhom")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "Mã nhóm") {
		t.Fatalf("/nhom = %s", bot.RenderReplies(rs, admin))
	}
	code := regexp.MustCompile(`/nhom ([A-Z2-9]{8})`).FindStringSubmatch(chat.Plain(rs[0].Text))
	if code == nil {
		t.Fatalf("no code in %q", chat.Plain(rs[0].Text))
	}
	// Sent privately, it is refused and stays usable.
	if rs := w.handle(zaloAdmin, zaloAdmin, code[1]); len(rs) != 1 || !strings.Contains(rs[0].Text, "trong nhóm") {
		t.Errorf("group code sent privately = %s", bot.RenderReplies(rs, zaloAdmin))
	}
	rs = w.handle(zaloAdmin, group, "/nhom@dvc_bot "+strings.ToLower(code[1]))
	if len(rs) != 1 || rs[0].To != group || !strings.Contains(rs[0].Text, "Đã chọn nhóm này làm nhóm lãnh đạo trên Zalo") {
		t.Fatalf("/nhom CODE in the group = %s", bot.RenderReplies(rs, group))
	}
	_ = w.db.View(func(tx *store.Tx) error {
		if got := tx.LinkedGroup(chat.Zalo); got != "zg-1" {
			t.Errorf("LinkedGroup(zalo) = %q", got)
		}
		if got := w.eng.GroupChats(tx); fmt.Sprint(got) != fmt.Sprint([]chat.Address{group}) {
			t.Errorf("GroupChats = %v", got)
		}
		return nil
	})
	// Used once: a second group cannot take it.
	if rs := w.handle(zaloAdmin, chat.Addr(chat.Zalo, "zg-2"), "/nhom "+code[1]); len(rs) != 1 || !strings.Contains(rs[0].Text, "đã được sử dụng") {
		t.Errorf("code used again = %s", bot.RenderReplies(rs, chat.Address{}))
	}
	rs = w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.DailyLeaderboard(tx, may2) })
	var toGroup, private int
	for _, r := range rs {
		switch {
		case r.To == group && r.Group && sameSet(r.Fallback, []chat.Address{zaloAdmin}):
			toGroup++
		case !r.Group && r.Optional && r.To.Channel == chat.Telegram:
			private++
		default:
			t.Errorf("unexpected post %+v", r)
		}
	}
	if toGroup != 2 || private != 2*4 {
		t.Errorf("%d posts to the Zalo group, %d private copies on Telegram; want 2 and 8:\n%s", toGroup, private, bot.RenderReplies(rs, chat.Address{}))
	}
}

func TestMigratedGroupGetsThePosts(t *testing.T) {
	w := standardWorld(t, postSettings())
	if err := w.eng.MigrateGroup(-555, -1009); err != nil { // another group: ignored
		t.Fatal(err)
	}
	if err := w.eng.MigrateGroup(pGroup, -1001234567); err != nil {
		t.Fatal(err)
	}
	_ = w.db.View(func(tx *store.Tx) error {
		if got := w.eng.GroupChats(tx); fmt.Sprint(got) != fmt.Sprint(addrs(-1001234567)) {
			t.Errorf("GroupChats = %v after migration", got)
		}
		return nil
	})
}

func TestQuarterlyReportToAdmins(t *testing.T) {
	w := standardWorld(t, postSettings())
	w.now = time.Date(2026, 7, 1, 8, 0, 0, 0, vnZone)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Posts(tx, bot.JobQuarterly, w.now) })
	if got := recipients(rs); len(got) != 2 || !sameSet(got, addrs(pAdmin, pStoredAdm)) {
		t.Fatalf("quarterly report to %v, want the admins", got)
	}
	var text strings.Builder
	var docs int
	for _, r := range rs {
		if r.Group {
			t.Error("quarterly report posted to the group")
		}
		if r.To != pa(pAdmin) {
			continue
		}
		if r.File != nil {
			docs++
			checkAnnex(t, r.File)
			continue
		}
		text.WriteString(bot.RenderText(r.Text) + "\n---\n")
	}
	if docs != 1 {
		t.Errorf("%d annexes, want 1", docs)
	}
	got := text.String()
	for _, want := range []string{"Báo cáo kiểm tra quý II/2026", "đến hết ngày 30/06/2026", "Lê Văn Tám (Bãi Nhà) — 12 lượt hộ", "Danh sách đề nghị khen thưởng", "Số liệu tính đến hết ngày 30/06/2026.", "Chưa có báo cáo trong kỳ"} {
		if !strings.Contains(got, want) {
			t.Errorf("quarterly report lacks %q:\n%s", want, got)
		}
	}
	golden(t, "quarterly.golden", got)
}

func checkAnnex(t *testing.T, f *chat.File) {
	t.Helper()
	if !strings.HasSuffix(f.Name, ".xlsx") {
		t.Errorf("annex %q is not an .xlsx", f.Name)
	}
	x, err := excelize.OpenReader(bytes.NewReader(f.Bytes))
	if err != nil {
		t.Fatalf("annex: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows("Danh sách hộ")
	if err != nil {
		t.Fatalf("annex evidence sheet: %v (sheets %v)", err, x.GetSheetList())
	}
	found := false
	for _, r := range rows {
		if strings.Contains(strings.Join(r, "|"), "Hộ Dân Số 1") {
			found = true
		}
	}
	if !found {
		t.Errorf("the admins' annex lacks the evidence (household names): %v", rows)
	}
}

func TestHalfYearReview(t *testing.T) {
	w := standardWorld(t, postSettings())
	w.now = time.Date(2026, 7, 1, 8, 0, 0, 0, vnZone)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Posts(tx, bot.JobSemiannual, w.now) })
	var group strings.Builder
	var photo, docs, admin int
	for _, r := range rs {
		switch {
		case r.Group:
			if r.To != pa(pGroup) || r.File != nil {
				t.Errorf("group post to %s with document %v", r.To, r.File != nil)
			}
			if r.Photo != nil {
				photo++
				continue
			}
			group.WriteString(bot.RenderText(r.Text) + "\n---\n")
		case r.To == pa(pAdmin) || r.To == pa(pStoredAdm):
			admin++
			if r.File != nil {
				docs++
			}
		default:
			t.Errorf("review sent to %s", r.To)
		}
	}
	if photo != 1 || docs != 2 || admin < 4 {
		t.Errorf("review: %d charts to the group, %d annexes to admins (%d admin posts); want 1 and 2", photo, docs, admin)
	}
	got := group.String()
	for _, want := range []string{"Sơ kết phong trào 6 tháng đầu năm 2026", "đến hết ngày 30/06/2026", "Lê Văn Tám"} {
		if !strings.Contains(got, want) {
			t.Errorf("review lacks %q:\n%s", want, got)
		}
	}
	for _, never := range []string{"Chưa có báo cáo trong kỳ", "Đỗ Văn Nghỉ", "loại trừ"} {
		if strings.Contains(got, never) {
			t.Errorf("the group review shows %q (admins only)", never)
		}
	}
	noPersonalData(t, w, rs)
	golden(t, "review_group.golden", got)
}

func TestPostRules(t *testing.T) {
	w := newPostsWorld(t, postSettings(scoring.NewDate(2026, 7, 1), may2))
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, vnZone) }
	for _, tc := range []struct {
		job      string
		at       time.Time
		key      string
		skip     string // substring; "" = not skipped
		postpone bool
		deadline time.Time
	}{
		{bot.JobReminder, at(2026, 5, 3, 16), "reminder/2026-05-03", "", false, at(2026, 5, 4, 0)},
		{bot.JobEscalation, at(2026, 5, 3, 19), "escalation/2026-05-03", "", false, at(2026, 5, 4, 0)},
		{bot.JobLeaderboard, at(2026, 5, 3, 20), "leaderboard/2026-05-03", "", false, at(2026, 5, 5, 0)},
		{bot.JobLeaderboard, at(2026, 5, 2, 20), "leaderboard/2026-05-02", "ngày nghỉ", false, at(2026, 5, 4, 0)},
		{bot.JobReminder, at(2027, 1, 2, 16), "reminder/2027-01-02", "ngoài thời gian phong trào", false, at(2027, 1, 3, 0)},
		{bot.JobReminder, at(2025, 12, 31, 16), "reminder/2025-12-31", "ngoài thời gian phong trào", false, at(2026, 1, 1, 0)},
		{bot.JobQuarterly, at(2026, 1, 1, 8), "quarterly/2025-Q4", "ngoài thời gian phong trào", false, time.Time{}},
		{bot.JobQuarterly, at(2026, 4, 1, 8), "quarterly/2026-Q1", "", false, time.Time{}},
		{bot.JobQuarterly, at(2026, 7, 1, 8), "quarterly/2026-Q2", "", true, time.Time{}},
		{bot.JobQuarterly, at(2027, 1, 1, 8), "quarterly/2026-Q4", "", false, time.Time{}},
		{bot.JobQuarterly, at(2027, 4, 1, 8), "quarterly/2027-Q1", "ngoài thời gian phong trào", false, time.Time{}},
		{bot.JobSemiannual, at(2026, 7, 1, 8), "semiannual/2026-H1", "", true, time.Time{}},
		{bot.JobSemiannual, at(2026, 6, 30, 20), "semiannual/2026-H1", "", false, time.Time{}},
		{bot.JobYearend, at(2026, 12, 31, 20), "yearend/2026", "", false, time.Time{}},
		{bot.JobYearend, at(2027, 12, 31, 20), "yearend/2027", "ngoài thời gian phong trào", false, time.Time{}},
	} {
		r := w.eng.PostRule(tc.job, tc.at)
		if r.Key != tc.key || r.Postpone != tc.postpone || !r.Deadline.Equal(tc.deadline) ||
			(tc.skip == "") != (r.Skip == "") || !strings.Contains(r.Skip, tc.skip) {
			t.Errorf("PostRule(%s, %s) = %+v; want key %s, skip %q, postpone %v, deadline %v", tc.job, tc.at.Format("2006-01-02 15:04"), r, tc.key, tc.skip, tc.postpone, tc.deadline)
		}
	}
}

func TestRunJobNowCommand(t *testing.T) {
	w := standardWorld(t, postSettings())
	send := func(user int64, update int64, text string, press string) []chat.Reply {
		t.Helper()
		in := chat.Input{Update: strconv.FormatInt(update, 10), Chat: pa(user), From: pa(user), Private: true, Caps: chat.CapsOf(chat.Telegram), Text: text}
		if press != "" {
			in.Callback = &chat.Callback{ID: "cb", Data: press, MessageID: "9"}
		}
		rs, err := w.eng.Handle(context.Background(), in)
		if err != nil {
			t.Fatalf("%s%s: %v", text, press, err)
		}
		return rs
	}
	handle := func(user int64, update int64, text string) string {
		t.Helper()
		rs := send(user, update, text, "")
		if len(rs) == 0 {
			t.Fatalf("%s: no reply", text)
		}
		return rs[0].Text
	}
	outbox := func() []store.OutboxItem {
		var pending []store.OutboxItem
		_ = w.db.View(func(tx *store.Tx) (err error) { pending, err = tx.PendingPosts(0); return err })
		return pending
	}
	if got := handle(pOfficerBN, 1, "/chay nhacviec"); !strings.Contains(got, "chỉ dành cho quản trị viên") {
		t.Errorf("an officer ran /chay: %s", got)
	}
	if got := handle(pAdmin, 2, "/chay"); !strings.Contains(got, "/chay xephang") || !strings.Contains(got, "/chay tongket") {
		t.Errorf("/chay without a job: %s", got)
	}
	// Nothing goes out before the admin has seen to whom.
	rs := send(pAdmin, 3, "/chay nhắc việc", "")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "sẽ gửi 3 tin") || !strings.Contains(rs[0].Text, "riêng cho 3 người trên Telegram") ||
		len(rs[0].Choices) != 1 || rs[0].Choices[0][0].Value != "run:yes" || rs[0].Choices[0][1].Value != "run:no" {
		t.Fatalf("/chay nhắc việc = %s", bot.RenderReplies(rs, pa(pAdmin)))
	}
	if n := len(outbox()); n != 0 {
		t.Fatalf("%d posts queued before the confirmation", n)
	}
	if got := send(pAdmin, 4, "", "run:no"); len(got) != 1 || !strings.Contains(got[0].Text, "Đã không gửi") || len(outbox()) != 0 {
		t.Errorf("«Không gửi» = %s, outbox %d", bot.RenderReplies(got, pa(pAdmin)), len(outbox()))
	}
	handle(pAdmin, 5, "/chay nhắc việc")
	if got := send(pAdmin, 6, "", "run:yes"); len(got) != 1 || !strings.Contains(got[0].Text, "3 tin đã vào hàng gửi") {
		t.Errorf("«Gửi ngay» = %s", bot.RenderReplies(got, pa(pAdmin)))
	}
	// The same update delivered again is applied once.
	if rs := send(pAdmin, 6, "", "run:yes"); len(rs) != 0 {
		t.Errorf("re-delivered «Gửi ngay» = %v", rs)
	}
	pending := outbox()
	if len(pending) != 3 || pending[0].Reply.To != pa(pOfficerBN) || !pending[0].Reply.Bulk || !strings.Contains(pending[0].JobKey, "reminder/2026-05-02/chay/") {
		t.Fatalf("outbox after /chay = %+v", pending)
	}
	if r := pending[0].Reply; len(r.Choices) != 1 || r.Choices[0][0].Value != "cmd:baocao" || !strings.Contains(r.Text, "Ấp đang có chuỗi") {
		t.Errorf("stored reminder reads back as %+v", r)
	}
	// The old question's button runs nothing more.
	if got := send(pAdmin, 7, "", "run:yes"); len(got) != 1 || len(outbox()) != 3 {
		t.Errorf("«Gửi ngay» pressed again = %s, outbox %d", bot.RenderReplies(got, pa(pAdmin)), len(outbox()))
	}
}

// A province-sized report is cut into several posts, each within
// Telegram's limit and each valid HTML on its own (tables never cut
// through a <pre>).
func TestLongReportsAreSplitCleanly(t *testing.T) {
	w := newPostsWorld(t, postSettings())
	var hs []campaign.Hamlet
	for i := range 300 {
		hs = append(hs, campaign.Hamlet{ID: fmt.Sprintf("ap-%03d", i), Name: fmt.Sprintf("Ấp Thử Nghiệm Số %03d", i), Households: 500})
	}
	if err := w.db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(hs); err != nil {
			return err
		}
		for i := range 400 {
			id, err := tx.NewPersonID()
			if err != nil {
				return err
			}
			o := campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: pa(int64(10000 + i))}}, FullName: fmt.Sprintf("Nguyễn Văn Cán Bộ %03d", i),
				HamletID: hs[i%len(hs)].ID, Role: campaign.RoleOfficer, Active: true}
			if err := tx.PutOfficer(o, 0, "officer.test"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		w.guide(int64(10000+i), hs[i%len(hs)].ID, time.Date(2026, 5, 2, 0, 0, 0, 0, vnZone))
	}
	w.now = time.Date(2026, 7, 1, 8, 0, 0, 0, vnZone)
	rs := w.posts(func(tx *store.Tx) ([]chat.Reply, error) { return w.eng.Posts(tx, bot.JobQuarterly, w.now) })
	texts, tables := 0, 0
	for _, r := range rs {
		if r.To != pa(pAdmin) || r.File != nil {
			continue
		}
		texts++
		if strings.Count(r.Text, "\n• ") >= 2 || strings.HasPrefix(r.Text, "• ") {
			tables++ // a section of hamlet lines
		}
	}
	if texts < 5 || tables < 2 {
		t.Errorf("the report came as %d posts (%d with a table); want it cut into several", texts, tables)
	}
}
