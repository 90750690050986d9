package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
	"dvcbot/store"
)

func registered(t *testing.T) *world {
	w := newWorld(t)
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	return w
}

func TestSameUpdateAppliedOnce(t *testing.T) {
	w := registered(t)
	in := w.input()
	in.Text = "/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"
	first := w.handle(in)
	if len(first) != 1 || !strings.Contains(first[0].Text, "Đã lưu") {
		t.Fatalf("first delivery: %+v", first)
	}
	second := w.handle(in)
	if len(second) != 0 {
		t.Errorf("second delivery of update %s answered: %+v", in.Update, second)
	}
	if c := w.counts(); c.Guidance != 1 || c.Households != 1 {
		t.Errorf("after a re-delivered update: %v, want 1 record", c)
	}
	// After a restart the update is still known.
	w.restart()
	if again := w.handle(in); len(again) != 0 {
		t.Errorf("re-delivery after a restart answered: %+v", again)
	}
	if c := w.counts(); c.Guidance != 1 {
		t.Errorf("after a re-delivery following a restart: %v, want 1 record", c)
	}
	// Inputs without an update id are never deduplicated.
	in.Update = ""
	in.Text = "/toi"
	for i := 0; i < 2; i++ {
		if rs := w.handle(in); len(rs) != 1 {
			t.Errorf("input without update id, try %d: %d replies", i, len(rs))
		}
	}
}

// TestSameUpdateConcurrently delivers one update twice at the same moment
// (two pollers after a crash): it is applied once.
func TestSameUpdateConcurrently(t *testing.T) {
	w := registered(t)
	in := w.input()
	in.Text = "/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"
	var wg sync.WaitGroup
	answered := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs, err := w.eng.Handle(context.Background(), in)
			if err != nil {
				t.Error(err)
			}
			answered <- len(rs)
		}()
	}
	wg.Wait()
	close(answered)
	n := 0
	for a := range answered {
		n += a
	}
	if n != 1 {
		t.Errorf("%d replies to one update delivered 8 times, want 1", n)
	}
	if c := w.counts(); c.Guidance != 1 {
		t.Errorf("%v, want 1 record", c)
	}
}

// TestManyOfficersAtOnce: reports from many chats at the same time are all
// stored, each household once, with the day's figures right.
func TestManyOfficersAtOnce(t *testing.T) {
	w := fastWorld(t)
	const n = 40
	for i := 0; i < n; i++ {
		w.addOfficer(int64(5000+i), "bai-nha", campaign.RoleOfficer, "Cán Bộ")
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := tg(int64(5000 + i))
			phone := "09" + strings.Repeat(string(rune('0'+i%10)), 4) + string(rune('0'+i/10)) + "000"
			rs, err := w.eng.Handle(context.Background(), chat.Input{Update: strconv.Itoa(100 + i), Chat: id, From: id, Private: true,
				Caps: chat.CapsOf(chat.Telegram), Text: "/baocao Nguyễn Văn An; Tổ 3; " + phone + "; khai sinh"})
			if err != nil || len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") {
				t.Errorf("officer %s: %v %+v", id, err, rs)
			}
		}(i)
	}
	wg.Wait()
	c := w.counts()
	if c.Guidance != n || c.Households != n || c.TodayHouseholds != n {
		t.Errorf("%v, today %d; want %d of each", c, c.TodayHouseholds, n)
	}
}

func TestStepByStepStoresTheEvidence(t *testing.T) {
	w := registered(t)
	w.text("/baocao")
	w.text("nguyễn văn  an")
	w.text("Tổ 3, ấp Bãi Nhà")
	w.text("01623456789")
	w.press("p:khai_sinh")
	w.press("p:khac")
	w.press("p:done")
	w.text("Cấp đổi thẻ <căn cước>")
	w.photo("PHOTO-1")
	w.text("g22.115-260502-0001")
	if c := w.counts(); c.Guidance != 0 {
		t.Fatalf("saved before Lưu: %v", c)
	}
	rs := w.press("r:save")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") || len(rs[0].Choices) != 1 || rs[0].Choices[0][0].Value != "undo:1" {
		t.Fatalf("save: %+v", rs)
	}
	g := w.guidance(1)
	officer := w.pid(officerID)
	want := campaign.Guidance{ID: 1, HouseholdID: 1, HamletID: "bai-nha", OfficerID: officer, Via: tg(officerID), At: worldStart,
		Procedures: []string{"khai_sinh", "khac"}, OtherProcedure: "Cấp đổi thẻ <căn cước>", DossierCode: "G22.115-260502-0001",
		PhotoFileIDs: []string{"PHOTO-1"}, Status: campaign.GuidanceActive}
	if !g.At.Equal(want.At) || strings.Join(g.Procedures, "+") != "khai_sinh+khac" || g.OtherProcedure != want.OtherProcedure ||
		g.DossierCode != want.DossierCode || strings.Join(g.PhotoFileIDs, ",") != "PHOTO-1" || g.OfficerID != officer ||
		g.Via != want.Via || g.HamletID != "bai-nha" || !g.Counts() {
		t.Errorf("stored record\n got %+v\nwant %+v", g, want)
	}
	h := w.household(g.HouseholdID)
	if h.HeadName != "Nguyễn Văn An" || h.Address != "Tổ 3, ấp Bãi Nhà" || h.Phone != "0323456789" || h.HamletID != "bai-nha" || h.CreatedBy != officer {
		t.Errorf("stored household %+v", h)
	}
	// What the officer typed is shown as typed (a transport escapes it for
	// its own markup), never as markup.
	if !strings.Contains(rs[0].Text, "Cấp đổi thẻ <căn cước>") || strings.Contains(rs[0].Text, "&lt;") {
		t.Errorf("the free text is not shown as typed in the confirmation: %q", rs[0].Text)
	}
}

func TestKnownPhoneAddsToTheSameHousehold(t *testing.T) {
	w := registered(t)
	w.text("/baocao Nguyễn Văn An; Tổ 3; 0912 345 678; khai sinh")
	w.text("/baocao")
	w.text("Nguyễn Văn An")
	w.text("Tổ 3")
	rs := w.text("+84912345678")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "đã có trong ấp") {
		t.Fatalf("known phone not offered: %+v", rs)
	}
	w.press("r:known_yes")
	w.text("thường trú")
	w.press("r:skip")
	// The household was reported today already: asked before a second record.
	if rs := w.press("r:save"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Hôm nay anh/chị đã báo cáo hộ") {
		t.Fatalf("save of a household reported today: %+v", rs)
	}
	if rs := w.press("r:dup_yes"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") {
		t.Fatalf("«Vẫn lưu»: %+v", rs)
	}
	g1, g2 := w.guidance(1), w.guidance(2)
	if g1.HouseholdID != g2.HouseholdID {
		t.Errorf("records of the same phone in different households: %d, %d", g1.HouseholdID, g2.HouseholdID)
	}
	if c := w.counts(); c.Households != 1 || c.Guidance != 2 || c.TodayHouseholds != 1 {
		t.Errorf("%v, today %d", c, c.TodayHouseholds)
	}
}

// TestGroupNeverShowsPersonalData: a report typed in the group is neither
// saved nor echoed; the answer opens the private chat.
func TestGroupNeverShowsPersonalData(t *testing.T) {
	w := registered(t)
	rs := w.group("/baocao Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678; khai sinh")
	if len(rs) != 1 {
		t.Fatalf("replies: %+v", rs)
	}
	r := rs[0]
	for _, personal := range []string{"Nguyễn", "An;", "Tổ 3", "0912", "345", "khai sinh"} {
		if strings.Contains(r.Text, personal) {
			t.Errorf("group reply shows %q: %q", personal, r.Text)
		}
	}
	if r.To != tg(groupChat) || len(r.Choices) != 1 || r.Choices[0][0].URL != "https://t.me/dvc_test_bot?start=baocao" {
		t.Errorf("group reply %+v: want one button opening the private chat", r)
	}
	if c := w.counts(); c.Guidance != 0 || c.Households != 0 {
		t.Errorf("a report typed in the group was stored: %v", c)
	}
	// Ordinary talk in the group is not answered, and starts nothing.
	if rs := w.group("0912345678"); len(rs) != 0 {
		t.Errorf("the bot answered ordinary group talk: %+v", rs)
	}
}

func TestRestartMidConversation(t *testing.T) {
	w := registered(t)
	w.text("/baocao")
	w.text("Nguyễn Văn An")
	w.text("Tổ 3")
	w.restart()
	rs := w.text("0912345678")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "bước 4/5") {
		t.Fatalf("after a restart at the phone step: %+v", rs)
	}
	w.press("p:thuong_tru")
	w.restart()
	w.press("p:done")
	w.restart()
	w.press("r:skip")
	w.restart()
	if rs := w.press("r:save"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") {
		t.Fatalf("save after restarts: %+v", rs)
	}
	g := w.guidance(1)
	if strings.Join(g.Procedures, "+") != "thuong_tru" || w.household(1).HeadName != "Nguyễn Văn An" {
		t.Errorf("record after restarts: %+v", g)
	}
}

func TestUndoWindow(t *testing.T) {
	w := registered(t)
	w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	w.clock.Add(24 * time.Hour)
	if rs := w.press("undo:1"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã hoàn tác") {
		t.Errorf("undo at exactly 24 h: %+v", rs)
	}
	if w.guidance(1).Counts() {
		t.Errorf("record still counts after undo")
	}
	w.text("/baocao Trần Thị Bích; Tổ 5; 0987654321; khai sinh")
	w.clock.Add(24*time.Hour + time.Second)
	if rs := w.press("undo:2"); len(rs) != 1 || !strings.Contains(rs[0].Text, "quá 24 giờ") {
		t.Errorf("undo after 24 h: %+v", rs)
	}
	if !w.guidance(2).Counts() {
		t.Errorf("record undone after 24 h")
	}
}

// TestTypedNumberDoesNotUndo: a bare number typed right after a save does
// not answer the «Hoàn tác» button (it would delete the report just
// saved); the button's label still does.
func TestTypedNumberDoesNotUndo(t *testing.T) {
	w := registered(t)
	w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	for _, typed := range []string{"1", "01", "2"} {
		for _, r := range w.text(typed) {
			if strings.Contains(r.Text, "Đã hoàn tác") {
				t.Errorf("typing %q undid the report: %q", typed, r.Text)
			}
		}
		if !w.guidance(1).Counts() {
			t.Fatalf("typing %q undid the report", typed)
		}
	}
	w.text("/baocao Trần Thị Bích; Tổ 5; 0987654321; khai sinh")
	if rs := w.text("hoàn tác"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã hoàn tác báo cáo số 2") {
		t.Errorf("typing the label: %+v", rs)
	}
	if w.guidance(2).Counts() {
		t.Errorf("record 2 still counts after typing «hoàn tác»")
	}
}

// TestTypedLabelUndoesSelfAble: «Hoàn tác» under a /dabiet answers its
// label typed, like the one under a report, even in a fresh session; a
// bare number still does not undo.
func TestTypedLabelUndoesSelfAble(t *testing.T) {
	w := registered(t)
	w.text("/dabiet Nguyễn Văn An; Tổ 3, ấp Bãi Nhà; 0912345678")
	w.text("1")
	if !w.household(1).SelfAble {
		t.Fatalf("typing 1 undid the /dabiet")
	}
	w.text("/dabiet Trần Thị Bích; Tổ 5, ấp Bãi Nhà; 0987654321")
	if rs := w.text("hoàn tác"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã hoàn tác") {
		t.Errorf("typing the label: %+v", rs)
	}
	if w.household(2).SelfAble {
		t.Errorf("household still recorded as able after typing «hoàn tác»")
	}
}

// TestTypedProceduresReplaceWhenEditing: without buttons, the officer who
// picked a wrong procedure must be able to correct it through Sửa → Thủ tục.
func TestTypedProceduresReplaceWhenEditing(t *testing.T) {
	w := registered(t)
	stepsTo(w, 3)
	w.text("3")       // tạm trú, by mistake
	w.text("bỏ qua")  // no dossier code
	w.text("sửa")     // Sửa
	w.text("thủ tục") // the procedures
	rs := w.text("2") // thường trú, the right one
	if len(rs) == 0 || !strings.Contains(rs[0].Text, "Thủ tục: Đăng ký thường trú\n") {
		t.Errorf("summary after correcting the procedure by typing: %q", rs[0].Text)
	}
}

// TestKhacOnlyAsAWord: "khách sạn" is not "Khác"; "khác:cấp đổi" keeps the whole text.
func TestKhacOnlyAsAWord(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"khách sạn lưu trú", "Không tìm thấy thủ tục"},
		{"khác:cấp đổi thẻ căn cước", "(bước 5/5)"},
	} {
		w := registered(t)
		stepsTo(w, 3)
		rs := w.text(tc.typed)
		if len(rs) == 0 || !strings.Contains(rs[0].Text, tc.want) {
			t.Errorf("%q: reply %q, want %q", tc.typed, rs[0].Text, tc.want)
			continue
		}
		if tc.want == "(bước 5/5)" {
			rs = w.press("r:skip")
			if !strings.Contains(rs[0].Text, "Khác: cấp đổi thẻ căn cước") {
				t.Errorf("%q: summary %q", tc.typed, rs[0].Text)
			}
		}
	}
}

// TestOneLineWarningNamesAButtonItHas: the possible-duplicate warning after
// a one-line report must not tell the officer to press a button that is
// not there (the one-line reply has only «Hoàn tác»).
func TestOneLineWarningNamesAButtonItHas(t *testing.T) {
	w := registered(t)
	w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	rs := w.text("/baocao Nguyễn Văn An; Tổ 3; 0977111222; kết hôn")
	if len(rs) != 1 || !strings.Contains(rs[0].Text, "có thể trùng hộ") {
		t.Fatalf("no duplicate warning: %+v", rs)
	}
	checkNamedButtons(t, rs[0])
}

// checkNamedButtons fails when the text asks to press «X» and the reply has
// no button X.
func checkNamedButtons(t *testing.T, r chat.Reply) {
	t.Helper()
	labels := map[string]bool{}
	for _, row := range r.Choices {
		for _, b := range row {
			labels[labelKey(b.Label)] = true
		}
	}
	text := strings.ReplaceAll(chat.Plain(r.Text), "Bấm «", "bấm «")
	for {
		i := strings.Index(text, "bấm «")
		if i < 0 {
			return
		}
		text = text[i+len("bấm «"):]
		name, rest, _ := strings.Cut(text, "»")
		if !labels[labelKey(name)] {
			t.Errorf("the reply asks to press «%s» but has no such button: %q", name, r.Text)
		}
		text = rest
	}
}

// TestOneLineErrorShowsTheExampleOnce: a refused one-line report quotes the
// example line once, not twice.
func TestOneLineErrorShowsTheExampleOnce(t *testing.T) {
	w := registered(t)
	rs := w.text("/baocao Nguyễn Văn An; Tổ 3; 091234567; khai sinh")
	if n := strings.Count(chat.Plain(rs[0].Text), intake.LineExample); n != 1 {
		t.Errorf("the example appears %d times:\n%s", n, rs[0].Text)
	}
}

// TestRepliesNameOnlyButtonsTheyHave runs the common flows and checks that
// every «button» the text asks to press is on the reply.
func TestRepliesNameOnlyButtonsTheyHave(t *testing.T) {
	w := registered(t)
	for _, rs := range [][]chat.Reply{
		w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"),
		w.text("/baocao"),
		w.text("Trần Thị Bích"),
		w.text("Tổ 5"),
		w.text("0987654321"),
		w.press("p:khai_sinh"),
		w.press("p:done"),
		w.text("ab"),
		w.press("r:skip"),
		w.press("r:save"),
	} {
		for _, r := range rs {
			if len(r.Choices) > 0 {
				checkNamedButtons(t, r)
			}
		}
	}
}

// TestUnregisteredNeverToldToReport: a person who has not joined is never
// told to use /baocao, which would only refuse them.
func TestUnregisteredNeverToldToReport(t *testing.T) {
	w := newWorld(t)
	w.user = tg(adminID)
	w.text("/moi bai-nha")
	for _, joining := range []bool{false, true} {
		w.user = tg(3001)
		if joining {
			w.text("/start " + testCode(1))
		}
		for _, rs := range [][]chat.Reply{w.photo("P1"), w.text("/huy"), w.text("/huy"), w.text("xin chào"), w.text("/giup")} {
			for _, r := range rs {
				if strings.Contains(r.Text, "/baocao") {
					t.Errorf("joining=%v: an unregistered person is told %q", joining, r.Text)
				}
			}
		}
	}
}

// TestStoreFailureIsNotSaved: when the store fails, the user hears that
// nothing was saved (once per update), Handle says so with ErrNotStored so
// that the transport does not confirm the update, and the re-delivery is
// applied later.
func TestStoreFailureIsNotSaved(t *testing.T) {
	var logs bytes.Buffer
	w := newWorld(t)
	w.logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w.restart()
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	w.text("/baocao")
	w.text("Nguyễn Văn An")
	w.text("Tổ 3, ấp Bãi Nhà")
	w.db.Close() // the disk is gone
	in := w.input()
	in.Text = "/baocao Trần Thị Bích; Tổ 5, ấp Bãi Nhà; 0987654321; khai sinh"
	rs, err := w.eng.Handle(context.Background(), in)
	if !errors.Is(err, ErrNotStored) || len(rs) != 1 || !strings.Contains(rs[0].Text, "chưa được lưu") || rs[0].To != in.Chat {
		t.Fatalf("when the store fails: %+v, %v; want «chưa được lưu» and ErrNotStored", rs, err)
	}
	if err := w.eng.WriteHealth(); err == nil {
		t.Error("WriteHealth is nil after a failed write")
	}
	// The same update failing again is not apologised for twice.
	if rs, err := w.eng.Handle(context.Background(), in); !errors.Is(err, ErrNotStored) || len(rs) != 0 {
		t.Errorf("second failure of the same update: %+v, %v; want no reply and ErrNotStored", rs, err)
	}
	w.open()
	// Re-delivered once the store works: applied, as a one-line report
	// sent while another was half typed (asked which to keep).
	if rs := w.handle(in); len(rs) != 1 || !strings.Contains(rs[0].Text, "báo cáo dở") {
		t.Errorf("re-delivery after the failure: %+v", rs)
	}
	if rs := w.press("r:restart"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") {
		t.Errorf("«Bỏ báo cáo dở»: %+v", rs)
	}
	if err := w.eng.WriteHealth(); err != nil {
		t.Errorf("WriteHealth after a successful write: %v", err)
	}
	if c := w.counts(); c.Guidance != 1 {
		t.Errorf("%v, want the re-delivered report saved once", c)
	}
	for _, personal := range []string{"Nguyễn", "Trần", "Bích", "0987654321", "987 654", "Tổ 3", "Tổ 5", "Bãi Nhà"} {
		if strings.Contains(logs.String(), personal) {
			t.Errorf("the log holds personal data %q:\n%s", personal, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "handle update failed") {
		t.Errorf("the failure was not logged:\n%s", logs.String())
	}
}

// TestRedeliveryBeforeConfirmationAnsweredAgain: when the process dies
// after storing a report but before the transport confirmed sending the
// answer, the update comes again after the restart: it is not applied
// twice, and the officer gets the answer they never saw; once confirmed,
// a further re-delivery is silent.
func TestRedeliveryBeforeConfirmationAnsweredAgain(t *testing.T) {
	w := registered(t)
	w.unconfirmed = true
	in := w.input()
	in.Text = "/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"
	first := w.handle(in)
	if len(first) != 1 || !strings.Contains(first[0].Text, "Đã lưu") {
		t.Fatalf("first delivery: %+v", first)
	}
	// In the same process the answer is still on its way: no second copy.
	if rs := w.handle(in); len(rs) != 0 {
		t.Errorf("re-delivery while the answer is in flight: %+v", rs)
	}
	w.restart()
	again := w.handle(in)
	if len(again) != 1 || again[0].Text != first[0].Text || again[0].To != first[0].To {
		t.Errorf("re-delivery after a restart: %+v, want the first answer again", again)
	}
	if c := w.counts(); c.Guidance != 1 {
		t.Errorf("%v, want the report saved once", c)
	}
	w.eng.Delivered(in.Chat.Channel, in.Update)
	// Confirmed, and taken by a transaction that has not committed yet
	// (another update's, queued behind this one's): the store still holds
	// the answer, yet a re-delivery gets no second copy.
	taken := w.eng.dl.takeDelivered()
	if rs := w.handle(in); len(rs) != 0 {
		t.Errorf("re-delivery while the confirmation was being written: %+v", rs)
	}
	w.eng.dl.putBack(taken)
	w.text("/toi") // the confirmation is written with the next input
	w.restart()
	if rs := w.handle(in); len(rs) != 0 {
		t.Errorf("re-delivery after the answer was confirmed: %+v", rs)
	}
}

// TestCommandMenu: the menu Telegram's setMyCommands accepts (names of
// 1–32 lowercase letters, digits and underscores; descriptions of 1–256
// characters), with the officer's commands in it.
func TestCommandMenu(t *testing.T) {
	w := newWorld(t)
	name := regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	seen := map[string]bool{}
	for _, c := range w.eng.Commands() {
		if !name.MatchString(c.Name) {
			t.Errorf("command name %q is not valid for Telegram", c.Name)
		}
		if n := utf8.RuneCountInString(c.Description); n < 1 || n > 256 || !looksVietnamese(c.Description) {
			t.Errorf("command %s: description %q", c.Name, c.Description)
		}
		if seen[c.Name] {
			t.Errorf("command %s listed twice", c.Name)
		}
		seen[c.Name] = true
	}
	for _, want := range []string{"baocao", "huy", "toi", "giup"} {
		if !seen[want] {
			t.Errorf("command menu lacks /%s", want)
		}
	}
	if len(seen) > 100 {
		t.Errorf("%d commands; Telegram allows 100", len(seen))
	}
}

// TestInboundRateLimit: a person sending faster than the limits (by
// default 30 messages a minute, bursts of 10) is told once, and what they
// sent meanwhile is neither stored nor answered; others are not held up,
// and the limit refills with time.
func TestInboundRateLimit(t *testing.T) {
	w := newWorld(t)
	w.set = func(s *Settings) { s.RatePerMinute, s.RateBurst = 0, 0 } // the defaults
	w.restart()
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	for i := range RateBurst {
		if rs := w.text("/toi"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Kết quả của Lê Văn Tám") {
			t.Fatalf("message %d of a burst: %+v", i+1, rs)
		}
	}
	rs := w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	if len(rs) != 1 || rs[0].Text != msgTooFast {
		t.Fatalf("the message after the burst: %+v, want the limit said", rs)
	}
	if rs := w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"); len(rs) != 0 {
		t.Errorf("a second message over the limit: %+v, want no answer", rs)
	}
	if c := w.counts(); c.Guidance != 0 {
		t.Errorf("%v: a report sent over the limit was stored", c)
	}
	// Someone else is not held up.
	w.user = tg(3001)
	if rs := w.text("/giup"); len(rs) != 1 || rs[0].Text == msgTooFast {
		t.Errorf("another person: %+v", rs)
	}
	// Two seconds give back one message (30 a minute).
	w.clock.Add(2 * time.Second)
	w.user = tg(officerID)
	if rs := w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh"); len(rs) != 1 || !strings.Contains(rs[0].Text, "Đã lưu") {
		t.Errorf("after two seconds: %+v", rs)
	}
	if rs := w.text("/toi"); len(rs) != 1 || rs[0].Text != msgTooFast {
		t.Errorf("over the limit again: %+v, want it said again", rs)
	}
}

// An officer whose day passes implausibleDay households is reported to
// the admins once that day; the check reads no record while the day's
// records are few, nor after the day was flagged.
func TestImplausibleDayFlaggedOnce(t *testing.T) {
	w := fastWorld(t)
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	flags := func() (n int, text string) {
		t.Helper()
		if err := w.db.View(func(tx *store.Tx) error {
			pending, err := tx.PendingPosts(0)
			for _, p := range pending {
				if strings.HasPrefix(p.JobKey, "implausible/") {
					n++
					text = p.Reply.Text
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return n, text
	}
	report := func(i int) {
		t.Helper()
		rs := w.text(fmt.Sprintf("/baocao Nguyễn Văn Số %s; Tổ 3; 09%08d; khai sinh", numberName(i), 12345600+i))
		if len(rs) == 0 || !strings.Contains(rs[0].Text, "Đã lưu") {
			t.Fatalf("report %d: %+v", i, rs)
		}
	}
	for i := range implausibleDay {
		report(i)
	}
	if n, _ := flags(); n != 0 {
		t.Fatalf("flagged at %d households", implausibleDay)
	}
	report(implausibleDay)
	n, text := flags()
	if n != 1 || !strings.Contains(text, "Số liệu bất thường") || !strings.Contains(text, "Lê Văn Tám") || !strings.Contains(text, fmt.Sprint(implausibleDay+1)+" hộ") {
		t.Fatalf("after %d households: %d posts, %q", implausibleDay+1, n, text)
	}
	report(implausibleDay + 1)
	if n, _ := flags(); n != 1 {
		t.Fatalf("flagged again the same day: %d posts", n)
	}
}

// numberName spells i with letters only (household names have no digits).
func numberName(i int) string {
	words := []string{"Không", "Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín"}
	s := words[i%10]
	for i /= 10; i > 0; i /= 10 {
		s = words[i%10] + " " + s
	}
	return s
}
