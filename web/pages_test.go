package web

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/internal/sampledata"
	"dvcbot/scoring"
	"dvcbot/store"
)

// personalData is every household's name, address and phone (as stored
// and as shown) in the sample store, but names that are also an officer's
// (the sample's names come from one list, and officers' names are shown).
func personalData(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	err := db.View(func(tx *store.Tx) error {
		officers, err := tx.Officers()
		if err != nil {
			return err
		}
		officerNames := map[string]bool{}
		for _, o := range officers {
			officerNames[o.FullName] = true
		}
		for _, h := range sampleCfg.Hamlets {
			if _, err := tx.HamletHouseholds(h.ID, 0, 0, func(hh campaign.Household) error {
				if !officerNames[hh.HeadName] {
					out = append(out, hh.HeadName)
				}
				out = append(out, hh.Address, hh.Phone, intake.FormatPhone(hh.Phone))
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 1000 {
		t.Fatalf("only %d personal strings in the sample", len(out))
	}
	return out
}

// visibleText is a page's HTML unescaped, so that "Nguyễn" written as an
// entity or an escaped character is found as well.
func visibleText(body string) string { return html.UnescapeString(body) }

func TestWhoSeesWhat(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	first, second := sampleCfg.Hamlets[0].ID, sampleCfg.Hamlets[1].ID
	cookies := map[string]*http.Cookie{
		"admin":     h.session(adminID, campaign.RoleAdmin),
		"zone":      h.session(zoneLeaderID, campaign.RoleZoneLeader),
		"inspector": h.session(inspectorID, campaign.RoleInspector),
		"head":      h.session(headID, campaign.RoleLeader),
		"officer":   h.session(officerID, campaign.RoleOfficer),
	}
	want := []struct {
		who, target string
		code        int
	}{
		{"admin", "/", 200}, {"admin", "/ap/" + first, 200}, {"admin", "/ap/" + second, 200},
		{"admin", "/ap/" + first + "/ho", 200}, {"admin", "/tai/danh-sach/" + first, 200}, {"admin", "/toi", 200},
		{"zone", "/", 200}, {"zone", "/ap/" + first, 200}, {"zone", "/ap/" + second, 200},
		{"zone", "/ap/" + first + "/ho", 403}, {"zone", "/tai/danh-sach/" + first, 403}, {"zone", "/tai/danh-sach", 403},
		{"inspector", "/", 200}, {"inspector", "/ap/" + second, 200}, {"inspector", "/ap/" + first + "/ho", 403},
		{"head", "/", 200}, {"head", "/ap/" + first, 200}, {"head", "/ap/" + second, 403},
		{"head", "/ap/" + first + "/ho", 403}, {"head", "/tai/danh-sach/" + first, 403}, {"head", "/toi", 200},
		{"officer", "/", 303}, {"officer", "/toi", 200}, {"officer", "/ap/" + first, 403},
		{"officer", "/ap/" + first + "/ho", 403}, {"officer", "/tai/danh-sach", 403},
	}
	for _, w := range want {
		res := h.do("GET", w.target, nil, cookies[w.who])
		if res.StatusCode != w.code {
			t.Errorf("%s GET %s: %d, want %d", w.who, w.target, res.StatusCode, w.code)
		}
		if w.code == 303 && res.Header.Get("Location") != "/toi" {
			t.Errorf("%s GET %s: sent to %q", w.who, w.target, res.Header.Get("Location"))
		}
	}
	// A hamlet head's overview links their hamlet only.
	_, body := h.get("/", cookies["head"])
	if !strings.Contains(body, `href="/ap/`+first+`"`) || strings.Contains(body, `href="/ap/`+second+`"`) {
		t.Error("the hamlet head's overview links other hamlets, or not their own")
	}
}

func TestNoPersonalDataForLeaders(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	pii := personalData(t, db)
	pages := map[string][]string{}
	for who, c := range map[string]*http.Cookie{
		"zone":      h.session(zoneLeaderID, campaign.RoleZoneLeader),
		"inspector": h.session(inspectorID, campaign.RoleInspector),
		"head":      h.session(headID, campaign.RoleLeader),
		"officer":   h.session(officerID, campaign.RoleOfficer),
	} {
		for _, p := range []string{"/", "/ap/bai-nha", "/ap/hon-tre", "/toi", "/ap/bai-nha/ho", "/tai/danh-sach"} {
			code, body := h.get(p, c)
			pages[who+" "+p] = []string{strconv.Itoa(code), visibleText(body)}
		}
	}
	for page, got := range pages {
		for _, s := range pii {
			if strings.Contains(got[1], s) {
				t.Errorf("%s (%s) shows %q", page, got[0], s)
				break
			}
		}
	}
	// The admin's household list does show them: the check above can fail.
	c := h.session(adminID, campaign.RoleAdmin)
	_, body := h.get("/ap/bai-nha/ho", c)
	shown := 0
	for _, s := range pii {
		if strings.Contains(visibleText(body), s) {
			shown++
		}
	}
	if shown < 50 {
		t.Errorf("the admin's household list shows %d personal strings", shown)
	}
}

// rankRowRE reads the overview's ranking rows.
var rankRowRE = regexp.MustCompile(`(?s)<tr data-hamlet="([^"]+)">\s*<td class="hang">(\d+)</td>.*?<td class="so (dat|chua-dat)">.*?</span> (\d+)</td>\s*<td class="so">([\d.]+)</td>\s*<td class="so(?: dat)?">([\d,]+%)</td>\s*<td class="so">(\d+)</td>`)

func TestOverviewFiguresAreTheBots(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	p := params()
	today := scoring.DateOf(sampleNow, zoneLoc)
	var quick []scoring.HamletRank
	var awards scoring.Awards
	var facts scoring.Facts
	err := db.View(func(tx *store.Tx) error {
		// /xephang: the running totals; /khenthuong: every fact.
		r, _, ok, err := tx.QuickLeaderboard(p, today, 5)
		if err != nil || !ok {
			return errors.Join(err, errors.New("no quick leaderboard"))
		}
		quick = r
		facts, err = tx.Facts("")
		awards = scoring.Candidates(facts, p, p.FiguresAt(today))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	code, body := h.get("/", c)
	if code != 200 {
		t.Fatalf("overview: %d", code)
	}
	rows := rankRowRE.FindAllStringSubmatch(body, -1)
	if len(rows) != len(quick) || len(rows) != 13 {
		t.Fatalf("%d ranking rows, the bot ranks %d", len(rows), len(quick))
	}
	for i, r := range quick {
		got := rows[i]
		want := []string{r.Hamlet.ID, strconv.Itoa(r.Rank), map[bool]string{true: "dat", false: "chua-dat"}[r.MetToday],
			strconv.Itoa(r.GuidedToday), scoring.Number(r.HouseholdsGuided), scoring.Percent(r.Coverage), strconv.Itoa(r.CurrentStreak)}
		if !slices.Equal(got[1:], want) {
			t.Errorf("row %d: %v, the bot says %v", i+1, got[1:], want)
		}
	}
	text := visibleText(body)
	for _, list := range [][]scoring.HamletCandidate{awards.Collectives, awards.Special, awards.NotSelected.Collectives, awards.NotSelected.Special} {
		for _, c := range list {
			if !strings.Contains(text, "Ấp "+c.Stats.Hamlet.Name) || !strings.Contains(text, c.Reason()) {
				t.Errorf("award candidate %s with %q missing", c.Stats.Hamlet.Name, c.Reason())
			}
		}
	}
	for _, list := range [][]scoring.OfficerCandidate{awards.Individuals, awards.NotSelected.Individuals} {
		for _, c := range list {
			if !strings.Contains(text, c.Stats.Officer.DisplayName()) || !strings.Contains(text, c.Reason()) {
				t.Errorf("individual %s with %q missing", c.Stats.Officer.DisplayName(), c.Reason())
			}
		}
	}
	// The ranked lists keep their order and ranks.
	for _, c := range awards.Collectives {
		if !strings.Contains(body, `<li value="`+strconv.Itoa(c.Rank)+`"><a href="/ap/`+c.Stats.Hamlet.ID+`">Ấp `+c.Stats.Hamlet.Name) {
			t.Errorf("collective %d %s not listed at its rank", c.Rank, c.Stats.Hamlet.Name)
		}
	}
	if len(awards.Collectives) == 0 || len(awards.Individuals) < 20 {
		t.Fatalf("the sample should fill the awards: %d collectives, %d individuals", len(awards.Collectives), len(awards.Individuals))
	}
	// The special prizes: the plan's condition leaves fewer hamlets than
	// prizes in the sample, which the page says plainly, as /khenthuong
	// does, with how far each other hamlet is from the condition (checked
	// above with NotSelected.Special).
	note := awards.SpecialNote(p)
	if len(awards.Special) >= p.SpecialPrizes || note == "" {
		t.Fatalf("the sample should have fewer special prizes than the plan's %d: %d", p.SpecialPrizes, len(awards.Special))
	}
	for _, want := range []string{note, "Phần quà khen thưởng riêng", p.SpecialConditionText(), "Cá nhân đề nghị xét", scoring.IndividualsNote} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	for _, never := range []string{"giải đặc biệt", "Giải đặc biệt", "chưa đủ tiêu chuẩn"} {
		if strings.Contains(text, never) {
			t.Errorf("overview says %q", never)
		}
	}
	// The failed check and the exclusion show with their reasons.
	for _, want := range []string{"kiểm tra ngẫu nhiên không đạt ngày", "đang bị loại trừ: đang được xem xét khiếu nại"} {
		if !strings.Contains(text, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	// The weekly trend adds up to the campaign's households guided, as
	// scoring counts them for each week.
	stats := scoring.Sum(scoring.Hamlets(facts, p, p.Campaign(), today))
	if want := "tổng " + scoring.Number(stats.GuidedInPeriod) + " lượt hộ"; !strings.Contains(text, want) {
		t.Errorf("trend total: want %q", want)
	}
	z, err := h.srv.zone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range z.weeks[len(z.weeks)-5:] {
		s := scoring.Sum(scoring.Hamlets(facts, p, scoring.Range(w.From, w.To), today))
		if s.GuidedInPeriod != w.Households {
			t.Errorf("week from %s: %d, scoring says %d", w.From, w.Households, s.GuidedInPeriod)
		}
	}
	// Spot checks: drawn, checked, failed per hamlet add up to the store's.
	var drawn, checked, failed int
	for _, tl := range z.spot {
		drawn += tl.Drawn
		checked += tl.Checked()
		failed += tl.Failed
	}
	if failed != 1 || checked == 0 || drawn <= checked {
		t.Errorf("spot checks: drawn %d, checked %d, failed %d", drawn, checked, failed)
	}
	if !strings.Contains(body, `<th scope="row">Cộng</th><td class="so">`+strconv.Itoa(drawn)+`</td><td class="so">`+strconv.Itoa(checked)+`</td><td class="so">`+strconv.Itoa(failed)+`</td>`) {
		t.Error("the spot-check totals row is not the store's")
	}
	if !strings.Contains(body, `class="nguong" data-threshold="0.95"`) {
		t.Error("no 95% line")
	}
	if !strings.Contains(body, "Số liệu tính đến 20:05 ngày 28/11/2026") {
		t.Error("the date the figures stop at is missing")
	}
}

func TestHamletPage(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db, func(o *Options) {
		o.Dossier = func(_ context.Context, id string, at scoring.Date) (Dossier, error) {
			if id == "nam-du" { // nothing to propose: the minutes only
				return Dossier{Minutes: []byte("PK bien-ban")}, nil
			}
			return Dossier{Proposal: []byte("PK to-trinh " + id + " " + at.String()), Minutes: []byte("PK bien-ban")}, nil
		}
	})
	p := params()
	today := scoring.DateOf(sampleNow, zoneLoc)
	var f scoring.Facts
	var procs map[string]int
	if err := db.View(func(tx *store.Tx) (err error) {
		f, err = tx.Facts("")
		if err == nil {
			procs, err = tx.HamletProcedures("bai-nha")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var st scoring.HamletStats
	for _, s := range scoring.Hamlets(f, p, p.Campaign(), today) {
		if s.Hamlet.ID == "bai-nha" {
			st = s
		}
	}
	c := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	code, body := h.get("/ap/bai-nha", c)
	if code != 200 {
		t.Fatalf("hamlet page: %d", code)
	}
	text := visibleText(body)
	need := p.NeededForCoverage(st.Hamlet.Households) - st.Able
	if st.CoverageMet() || need <= 0 {
		t.Fatalf("the sample's Bãi Nhà should be below 95%%: able %d of %d", st.Able, st.Hamlet.Households)
	}
	for _, want := range []string{
		"Còn " + scoring.Number(need) + " hộ để đạt 95,0%",
		strconv.Itoa(st.DaysMet) + "/" + strconv.Itoa(st.DaysElapsed) + "</span> ngày đạt chỉ tiêu",
		"ngày đạt liên tiếp (dài nhất " + strconv.Itoa(st.LongestStreak) + ")",
		"Khen thưởng tập thể", "Phần quà khen thưởng riêng", "Chưa được đề nghị.", "Chưa đạt điều kiện.",
		"Còn thiếu " + scoring.Number(st.SpecialShort()) + " hộ được hướng dẫn đủ " + fmt.Sprintf("%02d", st.K) + " thủ tục để đạt điều kiện (" +
			scoring.Number(st.SpecialNeeded) + "/" + scoring.Number(st.Hamlet.Households) + " hộ, 95,0% số hộ của ấp).",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("hamlet page lacks %q", want)
		}
	}
	// The calendar's met days are scoring's days met.
	if n := strings.Count(body, `<td class="dat" title=`); n != st.DaysMet {
		t.Errorf("calendar shows %d met days, scoring counts %d", n, st.DaysMet)
	}
	if n := strings.Count(body, `<td class="mo" title=`); n != 1 {
		t.Errorf("calendar shows %d open days, want today", n)
	}
	// Procedures by kind: each with its households.
	for id, n := range procs {
		name := ""
		for _, pr := range sampleCfg.Procedures {
			if pr.ID == id {
				name = pr.Name
			}
		}
		if !strings.Contains(text, `<span class="ten">`+name+`</span>`) || !strings.Contains(text, `<span class="so">`+scoring.Number(n)+`</span>`) {
			t.Errorf("procedure %s (%d households) missing", name, n)
		}
	}
	// Officers' figures: this month's from scoring over their days.
	month := scoring.Officers(f, p, scoring.Month(2026, time.November), today)
	for _, o := range month {
		if o.Officer.HamletID != "bai-nha" {
			continue
		}
		if !strings.Contains(text, "<b>"+scoring.Number(o.GuidedInPeriod)+"</b> lượt hộ tháng này") {
			t.Errorf("officer %s: month figure %d missing", o.Officer.Name, o.GuidedInPeriod)
		}
	}
	if strings.Contains(body, "/ho\"") || strings.Contains(body, "DOCX") {
		t.Error("a zone leader is offered the admins' links")
	}
	// The admin gets the downloads.
	a := h.session(adminID, campaign.RoleAdmin)
	_, body = h.get("/ap/bai-nha", a)
	for _, want := range []string{`href="/ap/bai-nha/ho"`, `href="/tai/danh-sach/bai-nha"`, `href="/tai/ho-so/bai-nha/to-trinh"`, `href="/tai/ho-so/bai-nha/bien-ban"`} {
		if !strings.Contains(body, want) {
			t.Errorf("admin's hamlet page lacks %s", want)
		}
	}
	res := h.do("GET", "/tai/ho-so/bai-nha/to-trinh", nil, a)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(b) != "PK to-trinh bai-nha 28/11/2026" {
		t.Errorf("dossier: %d %q", res.StatusCode, b)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh`) || !strings.Contains(cd, `filename="to-trinh-ap-bai-nha-28-11-2026.docx"`) {
		t.Errorf("dossier Content-Disposition %q", cd)
	}
	if code, _ := h.get("/tai/ho-so/bai-nha/khac", a); code != 404 {
		t.Errorf("unknown document: %d", code)
	}
	// A hamlet with nothing to propose: a page saying so, not an error;
	// its minutes still download.
	code, body = h.get("/tai/ho-so/nam-du/to-trinh", a)
	if code != 200 || !strings.Contains(body, "chưa có gì để đề nghị khen thưởng") || !strings.Contains(body, "Biên bản họp xét vẫn tải được") {
		t.Errorf("nothing to propose: %d\n%s", code, body)
	}
	res = h.do("GET", "/tai/ho-so/nam-du/bien-ban", nil, a)
	if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || string(b) != "PK bien-ban" {
		t.Errorf("minutes of a hamlet with nothing to propose: %d %q", res.StatusCode, b)
	}
}

func TestOfficerSeesOwnFiguresOnly(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	me := campaign.PersonID(sampledata.OfficerID(0, 1))
	c := h.session(me, campaign.RoleOfficer)
	code, body := h.get("/toi", c)
	if code != 200 {
		t.Fatalf("/toi: %d", code)
	}
	var self, colleague campaign.Officer
	var others []campaign.Officer
	if err := db.View(func(tx *store.Tx) error {
		all, err := tx.Officers()
		for _, o := range all {
			switch {
			case o.ID == me:
				self = o
			case o.ID == sampledata.OfficerID(0, 0):
				colleague = o
			default:
				others = append(others, o)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	text := visibleText(body)
	if !strings.Contains(text, "Kết quả của "+self.FullName) {
		t.Error("the officer's own name is missing")
	}
	if strings.Contains(text, colleague.FullName) {
		t.Errorf("the officer sees their colleague %s", colleague.FullName)
	}
	for _, o := range others {
		if o.FullName != self.FullName && strings.Contains(text, o.FullName) {
			t.Errorf("the officer sees %s", o.FullName)
		}
	}
	// The figures are scoring's for this officer.
	p := params()
	today := scoring.DateOf(sampleNow, zoneLoc)
	var st, month scoring.OfficerStats
	if err := db.View(func(tx *store.Tx) error {
		f, err := tx.Facts("")
		for _, s := range scoring.Officers(f, p, p.Campaign(), today) {
			if s.Officer.ID == int64(me) {
				st = s
			}
		}
		for _, s := range scoring.Officers(f, p, scoring.Month(2026, time.November), today) {
			if s.Officer.ID == int64(me) {
				month = s
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		scoring.Number(st.Households) + "</span> hộ đã hướng dẫn từ đầu phong trào (" + scoring.Number(st.TotalProcedures) + " thủ tục, " + scoring.Number(st.TotalDaysActive) + " ngày",
		strconv.Itoa(month.GuidedInPeriod) + "</span> lượt hộ tháng 11/2026 (" + strconv.Itoa(month.Procedures) + " thủ tục, " + strconv.Itoa(month.DaysActive) + " ngày",
		"Khen thưởng cá nhân",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/toi lacks %q", want)
		}
	}
}

func TestHouseholdList(t *testing.T) {
	db := sampleDB(t)
	var gone bool // the channel keeping the photos no longer gives them
	h := newHarness(t, db, func(o *Options) {
		o.PageSize = 20
		o.Photo = func(_ context.Context, ref string) ([]byte, error) {
			if gone {
				return nil, fmt.Errorf("telegram: %w", store.ErrNotFound)
			}
			if !strings.HasPrefix(ref, "ANH-MINH-HOA-") {
				return nil, errors.New("unknown photo")
			}
			return []byte("\x89PNG\r\n\x1a\n" + ref), nil
		}
	})
	a := h.session(adminID, campaign.RoleAdmin)
	var all []campaign.Household
	if err := db.View(func(tx *store.Tx) error {
		_, err := tx.HamletHouseholds("bai-nha", 0, 0, func(hh campaign.Household) error { all = append(all, hh); return nil })
		return err
	}); err != nil {
		t.Fatal(err)
	}
	code, body := h.get("/ap/bai-nha/ho", a)
	if code != 200 {
		t.Fatalf("households: %d", code)
	}
	text := visibleText(body)
	if !strings.Contains(text, all[0].HeadName) || !strings.Contains(text, intake.FormatPhone(all[0].Phone)) || strings.Contains(text, all[20].Phone) {
		t.Error("first page: wrong households")
	}
	if !strings.Contains(body, `href="/ap/bai-nha/ho?trang=2"`) {
		t.Error("no link to the second page")
	}
	_, body = h.get("/ap/bai-nha/ho?trang=2", a)
	if !strings.Contains(visibleText(body), intake.FormatPhone(all[20].Phone)) {
		t.Error("second page: wrong households")
	}
	// Search by name (typed without diacritics) and by phone, in a POST body.
	target := all[7]
	form := url.Values{"q": {intake.Fold(target.HeadName)}}.Encode()
	res := h.do("POST", "/ap/bai-nha/ho", strings.NewReader(form), a)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(visibleText(string(b)), target.Phone[1:4]) || !strings.Contains(visibleText(string(b)), target.HeadName) {
		t.Errorf("search by name: %d", res.StatusCode)
	}
	form = url.Values{"q": {"+84 " + target.Phone[1:]}}.Encode()
	res = h.do("POST", "/ap/bai-nha/ho", strings.NewReader(form), a)
	b, _ = io.ReadAll(res.Body)
	if got := visibleText(string(b)); !strings.Contains(got, "1 hộ khớp") || !strings.Contains(got, target.HeadName) {
		t.Errorf("search by phone: %s", clip(got))
	}
	// A cross-site form is refused.
	req := strings.NewReader(form)
	res = h.doWithOrigin("POST", "/ap/bai-nha/ho", req, "https://evil.example", a)
	if res.StatusCode != 403 {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
	// Evidence: dossier codes, photos and spot-check results appear.
	var withPhoto, withCode, checked bool
	var photoURL string
	for n := 1; n <= (len(all)+19)/20; n++ {
		_, body := h.get("/ap/bai-nha/ho?trang="+strconv.Itoa(n), a)
		withPhoto = withPhoto || strings.Contains(body, `href="/anh-minh-chung/`)
		withCode = withCode || strings.Contains(body, "Mã hồ sơ: <code>G22.")
		checked = checked || strings.Contains(body, `<span class="kt passed">Đạt</span>`)
		if m := regexp.MustCompile(`href="(/anh-minh-chung/\d+/1)"`).FindStringSubmatch(body); m != nil {
			photoURL = m[1]
			res := h.do("GET", m[1], nil, a)
			if b, _ := io.ReadAll(res.Body); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(b, []byte("\x89PNG")) {
				t.Errorf("photo %s: %d %s", m[1], res.StatusCode, res.Header.Get("Content-Type"))
			}
		}
	}
	if !withPhoto || !withCode || !checked {
		t.Errorf("evidence: photo %v, dossier code %v, check result %v", withPhoto, withCode, checked)
	}
	if code, _ := h.get("/anh-minh-chung/1/9", a); code != 404 {
		t.Errorf("a photo that is not there: %d", code)
	}
	// A photo its channel no longer gives: a page saying why, not an error.
	gone = true
	if code, body := h.get(photoURL, a); code != 404 || !strings.Contains(body, "Không lấy được ảnh minh chứng") {
		t.Errorf("photo the channel no longer gives: %d\n%s", code, clip(visibleText(body)))
	}
}

// doWithOrigin is do with an Origin header.
func (h *harness) doWithOrigin(method, target string, body io.Reader, origin string, c *http.Cookie) *http.Response {
	h.t.Helper()
	req, _ := http.NewRequest(method, "https://dvc.example.vn"+target, body)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	req.AddCookie(c)
	rec := newRecorder()
	h.srv.ServeHTTP(rec, req)
	return rec.Result()
}

func TestEvidenceDownload(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	a := h.session(adminID, campaign.RoleAdmin)
	res := h.do("GET", "/tai/danh-sach/bai-nha", nil, a)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("download: %d", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type %q", ct)
	}
	cd := res.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="danh-sach-ho-ap-bai-nha-28-11-2026.xlsx"; filename*=UTF-8''Danh%20s%C3%A1ch%20h%E1%BB%99`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Error("the download may be cached")
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not an XLSX: %v", err)
	}
	var sheet []byte
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") || f.Name == "xl/sharedStrings.xml" {
			r, _ := f.Open()
			x, _ := io.ReadAll(r)
			sheet = append(sheet, x...)
		}
	}
	var phones []string
	if err := db.View(func(tx *store.Tx) error {
		return tx.EachEvidence(time.Time{}, time.Time{}, "bai-nha", func(ev store.Evidence) error {
			phones = append(phones, ev.Household.Phone)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if len(phones) < 100 || !bytes.Contains(sheet, []byte(phones[0])) || !bytes.Contains(sheet, []byte(phones[len(phones)-1])) {
		t.Errorf("the workbook lacks the hamlet's records (%d)", len(phones))
	}
}
