package bot

import (
	"strings"
	"testing"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/intake"
)

// conversationStates drives a fresh world into each state a user can be
// in: the user to speak as, and the inputs that get there.
var conversationStates = []struct {
	name  string
	user  int64
	setup func(w *world)
}{
	{"unregistered", 3001, func(w *world) {}},
	{"idle", officerID, func(w *world) {}},
	{"idle after a saved report", officerID, func(w *world) {
		w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
	}},
	{"join_name", 3002, func(w *world) {
		w.user = tg(adminID)
		w.text("/moi bai-nha")
		w.user = tg(3002)
		w.text("/start " + testCode(1))
	}},
	{"join_confirm", officerID, func(w *world) {
		w.user = tg(adminID)
		w.text("/moi nam-du")
		w.user = tg(officerID)
		w.text(testCode(1))
	}},
	{"report_name", officerID, func(w *world) { w.text("/baocao") }},
	{"report_address", officerID, func(w *world) { w.text("/baocao"); w.text("Nguyễn Văn An") }},
	{"report_phone", officerID, func(w *world) { stepsTo(w, 2) }},
	{"report_known", officerID, func(w *world) {
		w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
		stepsTo(w, 3)
	}},
	{"report_elsewhere", officerID, func(w *world) {
		w.user = tg(2101)
		w.text("/baocao Nguyễn Văn An; Tổ 3; 0912345678; khai sinh")
		w.user = tg(officerID)
		stepsTo(w, 3)
	}},
	{"report_procs", officerID, func(w *world) { stepsTo(w, 3) }},
	{"report_other", officerID, func(w *world) { stepsTo(w, 3); w.press("p:khac"); w.press("p:done") }},
	{"report_dossier", officerID, func(w *world) { stepsTo(w, 4) }},
	{"report_confirm", officerID, func(w *world) { stepsTo(w, 5) }},
	{"report_edit", officerID, func(w *world) { stepsTo(w, 5); w.press("r:edit") }},
}

// stepsTo starts a report and answers n steps correctly.
func stepsTo(w *world, n int) {
	answers := []func(){
		func() { w.text("Nguyễn Văn An") },
		func() { w.text("Tổ 3, ấp Bãi Nhà") },
		func() { w.text("0912345678") },
		func() { w.press("p:khai_sinh"); w.press("p:done") },
		func() { w.press("r:skip") },
	}
	w.text("/baocao")
	for _, a := range answers[:n] {
		a()
	}
}

// badInputs are texts no officer means to send.
var badInputs = []struct{ name, text string }{
	{"invalid UTF-8", "\xff\xfe\xfd"},
	{"invalid UTF-8 inside a name", "Nguy\xc3n V\xe0n An"},
	{"emoji", "😀👍🏽🇻🇳"},
	{"emoji and text", "Nguyễn 😀 An"},
	{"zero-width only", "\u200b\u200c\u200d\ufeff\u2060"},
	{"zero-width inside a word", "Ng\u200buyễn V\u200dăn An"},
	{"RTL override", "\u202eNguyễn Văn An\u202c"},
	{"Arabic", "نص عربي"},
	{"10,000 characters", strings.Repeat("a", 10000)},
	{"10,000 Vietnamese characters", strings.Repeat("ệ", 10000)},
	{"10,000 characters with spaces", strings.Repeat("ấp ", 3334)},
	{"10,000 digits", strings.Repeat("9", 10000)},
	{"10,000 digits with spaces", strings.Repeat("1 ", 5000)},
	{"10,000-character command", "/" + strings.Repeat("x", 10000)},
	{"10,000-character one-line report", "/baocao " + strings.Repeat("a;", 5000)},
	{"10,000-character procedure", "/baocao Nguyễn Văn An; Tổ 3; 0912345678; " + strings.Repeat("z", 10000)},
	{"HTML", "<b>đậm</b> & <i>"},
	{"HTML script", "<script>alert(1)</script>"},
	{"HTML entities", "&amp; &lt; &#0; & &nbsp"},
	{"Markdown", "*đậm* _nghiêng_ [liên kết](http://x) `mã` ~gạch~"},
	{"Markdown brackets only", "*_["},
	{"one-line report with HTML", "/baocao <b>An</b>; <i>Tổ</i> & 3; 0912345678; <khai sinh>"},
	{"one-line report, HTML procedure", "/baocao Nguyễn Văn An; Tổ 3; 0912345678; <b>đăng ký</b>"},
	{"one-line report, HTML other", "/baocao Nguyễn Văn An; Tổ 3; 0912345678; khác: <script>&"},
	{"control characters", "\x00\x01\x1b[31m\x7f"},
	{"only spaces and newlines", "   \t\n  \u00a0"},
	{"NUL inside a name", "Nguyễn\x00 Văn An"},
	{"command with HTML", "/<b>x</b>"},
	{"start with HTML code", "/start <b>&</b>"},
}

// vietnameseLetters are letters only Vietnamese text has (among the
// languages officers might see).
const vietnameseLetters = "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯ"

func looksVietnamese(s string) bool { return strings.ContainsAny(s, vietnameseLetters) }

// validAnswer reports whether text is a valid answer in the state, one that
// may change what is stored.
func validAnswer(state, text string) bool {
	switch {
	case state == "join_name":
		_, err := intake.NormalizePersonName(text)
		return err == nil
	case state != "unregistered" && strings.HasPrefix(text, "/baocao "):
		_, err := intake.ParseLine(text, testProcedures)
		return err == nil
	}
	return false
}

// TestBadInputEveryState feeds every bad input in every conversation state:
// a clear Vietnamese reply that Telegram accepts, and nothing stored.
func TestBadInputEveryState(t *testing.T) {
	for _, st := range conversationStates {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			for _, bad := range badInputs {
				t.Run(bad.name, func(t *testing.T) {
					w := fastWorld(t)
					w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
					w.addOfficer(2101, "nam-du", campaign.RoleOfficer, "Trần Văn Bảy")
					st.setup(w)
					w.user = tg(st.user)
					before := w.counts()
					replies := w.text(bad.text) // checkReply runs on every reply
					if len(replies) == 0 {
						t.Fatalf("no reply to %q", clipForLog(bad.text))
					}
					for _, r := range replies {
						if r.To != tg(st.user) {
							t.Errorf("reply to %s, want %s", r.To, tg(st.user))
						}
						if !looksVietnamese(r.Text) {
							t.Errorf("reply is not Vietnamese: %q", clipForLog(r.Text))
						}
					}
					if after := w.counts(); after != before && !validAnswer(st.name, bad.text) {
						t.Errorf("stored data changed:\nbefore %v\nafter  %v", before, after)
					}
					// The conversation goes on: /huy always answers.
					if rs := w.text("/huy"); len(rs) == 0 {
						t.Errorf("no reply to /huy after the bad input")
					}
				})
			}
		})
	}
}

// TestBadCallbacks presses buttons that were never offered.
func TestBadCallbacks(t *testing.T) {
	for _, data := range []string{"", ":", "r:", "p:", "undo:", "undo:18446744073709551616999", "undo:-1",
		"p:khong_co", "r:f_khong", "x:y", "cmd:", "cmd:<b>", "\xff\xfe", "r:save\x00", "<b>&"} {
		w := fastWorld(t)
		w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
		stepsTo(w, 2)
		before := w.counts()
		replies := w.press(data)
		if len(replies) == 0 {
			t.Errorf("press %q: no reply", data)
		}
		if after := w.counts(); after != before {
			t.Errorf("press %q: stored data changed: %v → %v", data, before, after)
		}
		// The report in progress is still at the phone step.
		if rs := w.text("0912345678"); len(rs) == 0 || !strings.Contains(rs[0].Text, "Thủ tục") {
			t.Errorf("press %q: the report did not continue at the phone step: %v", data, rs)
		}
	}
}

// FuzzEngineInput feeds arbitrary text into a session in the middle of a
// report: no panic, a reply Telegram accepts, and nothing saved before the
// summary (where typing Lưu or its number saves).
func FuzzEngineInput(f *testing.F) {
	for _, bad := range badInputs {
		f.Add(uint8(3), bad.text)
	}
	for i, s := range []string{"Nguyễn Văn An", "Tổ 3", "0912345678", "1, 2", "khác: x", "G22-0001", "1", "2", "lưu", "/huy", "/baocao a;b;c;d", "/toi", "/start x"} {
		f.Add(uint8(i), s)
	}
	w := fastWorld(f)
	w.addOfficer(officerID, "bai-nha", campaign.RoleOfficer, "Lê Văn Tám")
	run := 1
	f.Fuzz(func(t *testing.T, step uint8, text string) {
		w.t = t
		run++
		w.user = tg(officerID)
		// Each run has its own chat, so sessions do not interfere.
		send := func(in chat.Input) []chat.Reply {
			in.Chat = tg(int64(run))
			return w.handle(in)
		}
		in := w.input()
		in.Text = "/baocao"
		send(in)
		answers := []string{"Nguyễn Văn An", "Tổ 3, ấp Bãi Nhà", "0987654321", "1", "bỏ qua"}
		k := int(step) % (len(answers) + 1)
		for _, a := range answers[:k] {
			in := w.input()
			in.Text = a
			send(in)
		}
		before := w.counts()
		in = w.input()
		in.Text = text
		replies := send(in)
		if len(replies) == 0 {
			t.Fatalf("no reply to %q", text)
		}
		atSummary := k == len(answers)
		command := strings.HasPrefix(intake.CleanText(text), "/")
		if after := w.counts(); after.Guidance != before.Guidance && !atSummary && !command {
			t.Errorf("a record was saved by typing %q at step %d", text, k)
		}
	})
}
