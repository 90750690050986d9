package web

import (
	"cmp"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"dvcbot/campaign"
	"dvcbot/scoring"
)

// Who sees what (issue 13): zone leaders and the Standing Committee see
// every hamlet without personal data; a hamlet head sees the zone and
// their own hamlet; admins see everything, households included; an officer
// sees their own figures only. No page but the admins' household list
// shows a household's name, address or phone.

// seesZone reports whether a role sees the zone overview.
func seesZone(r campaign.Role) bool {
	switch r {
	case campaign.RoleAdmin, campaign.RoleZoneLeader, campaign.RoleInspector, campaign.RoleLeader:
		return true
	}
	return false
}

// seesHamlet reports whether a viewer may open a hamlet's page.
func seesHamlet(v *viewer, hamlet string) bool {
	switch v.Role {
	case campaign.RoleAdmin, campaign.RoleZoneLeader, campaign.RoleInspector:
		return true
	case campaign.RoleLeader:
		return v.HamletID == hamlet
	}
	return false
}

// hamletName is a hamlet's name from the last zone figures (its id before any).
func (s *Server) hamletName(id string) string {
	s.zones.mu.Lock()
	z := s.zones.cur
	s.zones.mu.Unlock()
	if z != nil {
		if rk := z.hamlet(id); rk != nil {
			return rk.Hamlet.Name
		}
	}
	return id
}

// hamletURL is the address of a hamlet's page, or of one below it ("/ho").
func (s *Server) hamletURL(id, below string) string {
	return s.url("/ap/" + url.PathEscape(id) + below)
}

// hamletLink is the address of a hamlet's page when the viewer may open
// it, "" otherwise.
func (s *Server) hamletLink(v *viewer, id string) string {
	if seesHamlet(v, id) {
		return s.hamletURL(id, "")
	}
	return ""
}

// asOf says when the figures stop: "20:05 ngày 28/11/2026".
func (s *Server) asOf(z *zone) string {
	return z.built.In(s.loc).Format("15:04") + " ngày " + z.at.String()
}

// pager links the pages of a long list.
type pager struct {
	Page, Pages int
	Prev, Next  string
	From, To    int // 1-based range shown
	Total       int
}

// pageParam is the page a request asks for (trang=N, 1-based): 1 when
// none or not a page number.
func pageParam(r *http.Request) int {
	if n, err := strconv.Atoi(r.FormValue("trang")); err == nil && n > 1 {
		return n
	}
	return 1
}

// pageOf is the pager of a list of total items at page (pageParam's,
// clamped to the last page) and the range of items it shows.
func (s *Server) pageOf(page, total int, link func(page int) string) (lo, hi int, p pager) {
	per := s.opt.PageSize
	p.Pages = max(1, (total+per-1)/per)
	p.Page = min(page, p.Pages)
	lo, hi = (p.Page-1)*per, min(total, p.Page*per)
	p.From, p.To, p.Total = lo+1, hi, total
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	return lo, hi, p
}

// --- the zone overview ---

type overviewView struct {
	Day, Threshold       string
	Before               string // the campaign has not started: why there is nothing
	Hamlets, MetToday    int
	CoverageMet          int
	Coverage             string
	Guided, Able         string
	Chart, Trend         template.HTML
	Weeks                []weekRow
	Rows                 []rankRow
	Pager                pager
	Awards               awardsView
	Spot                 []spotRow
	SpotTotal            spotRow
	Admin                bool
	DownloadAll          string
	CollectiveRule       string
	SpecialRule          string
	IndividualRule       string
	DailyTarget          int
	TrendTitle, TrendSum string
}

func (overviewView) title() string { return "Toàn đặc khu" }

type rankRow struct {
	Rank             int
	Name, Link, ID   string
	MetToday         bool
	GuidedToday      int
	Guided, Coverage string
	CoverageMet      bool
	Streak           int
}

type weekRow struct {
	From, To   string
	Households string
}

type spotRow struct {
	Name                            string
	Drawn, Checked, Failed, Waiting int
	Passed, Unreachable             int
	Link                            string
}

type awardsView struct {
	// FiguresAt is the day the award lists stop at.
	FiguresAt                         string
	Collectives, Special, Individuals []awardItem
	// BeyondCap are the hamlets meeting the collective standard beyond the
	// cap, for the council (CollectiveNote and BeyondCapTitle say so).
	BeyondCap                      []awardItem
	BeyondCapTitle, CollectiveNote string
	// SpecialNote says plainly when fewer hamlets meet the special-prize
	// condition than there are prizes; SpecialShort are the others with how
	// far each is from it, SpecialBeyond those meeting it beyond the cap.
	SpecialNote                 string
	SpecialShort, SpecialBeyond []awardItem
	IndividualsNote             string
	NotSelected                 []awardItem
	NotSelectedMore             int
	IndividualsMore             int
}

type awardItem struct {
	Rank       int
	Name, Link string
	Reason     string
	Tie        bool
}

// overview (GET /) is the zone's page; an officer is sent to their own.
func (s *Server) overview(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !seesZone(v.Role) {
		http.Redirect(w, r, s.url("/toi"), http.StatusSeeOther)
		return nil
	}
	z, err := s.zone(r.Context())
	if err != nil {
		return err
	}
	lo, hi, pg := s.pageOf(pageParam(r), len(z.ranks), func(n int) string { return s.url("/?trang=" + strconv.Itoa(n)) })
	key := "overview|" + linkClass(v) + "|" + strconv.Itoa(pg.Page)
	html, err := s.body(z, key, "overview", func() any { return s.overviewView(z, v, lo, hi, pg) })
	if err != nil {
		return err
	}
	s.renderFor(w, r, http.StatusOK, v, "raw", "Toàn đặc khu", s.asOf(z), html)
	return nil
}

// linkClass names the viewers who see the same overview: admins (who also
// get the downloads), the others who see every hamlet, and each hamlet's
// head (who may open their own hamlet only).
func linkClass(v *viewer) string {
	switch v.Role {
	case campaign.RoleAdmin:
		return "admin"
	case campaign.RoleLeader:
		return "head:" + v.HamletID
	}
	return "all"
}

// overviewView is the overview of hamlets lo..hi of the ranking.
func (s *Server) overviewView(z *zone, v *viewer, lo, hi int, pg pager) overviewView {
	p := s.opt.Params
	th := scoring.ThresholdPercent(p.CoverageThreshold)
	ov := overviewView{
		Day: z.at.String(), Threshold: th, Hamlets: len(z.ranks), MetToday: z.totals.MetToday,
		CoverageMet: z.totals.CoverageMet, Coverage: scoring.Percent(z.totals.Coverage),
		Guided: scoring.Number(z.totals.HouseholdsGuided), Able: scoring.Number(z.totals.Able),
		Admin: v.Role == campaign.RoleAdmin, DownloadAll: s.url("/tai/danh-sach"), DailyTarget: p.DailyTarget,
		CollectiveRule: "tối đa " + scoring.Count2(p.MaxCollectives) + " tập thể; độ phủ từ " + th,
		SpecialRule:    scoring.Count2(p.SpecialPrizes) + " phần quà; điều kiện: " + p.SpecialConditionText(),
		IndividualRule: "tối đa " + scoring.Count2(p.MaxIndividuals) + " cá nhân; đề nghị xét theo số liệu hướng dẫn",
	}
	if z.at.Before(p.CampaignStart) {
		ov.Before = "Phong trào bắt đầu từ ngày " + p.CampaignStart.String() + " nên chưa có số liệu."
	}
	ov.Pager = pg
	var bars []hbar
	for _, rk := range z.ranks[lo:hi] {
		h := rk.Hamlet
		row := rankRow{Rank: rk.Rank, Name: h.Name, ID: h.ID, MetToday: rk.MetToday, GuidedToday: rk.GuidedToday,
			Guided: scoring.Number(rk.HouseholdsGuided), Coverage: scoring.Percent(rk.Coverage), CoverageMet: rk.CoverageMet(),
			Streak: rk.CurrentStreak}
		row.Link = s.hamletLink(v, h.ID)
		ov.Rows = append(ov.Rows, row)
		bars = append(bars, hbar{Label: h.Name, Title: "Ấp " + h.Name, Value: rk.Coverage, Text: scoring.Percent(rk.Coverage),
			Good: rk.CoverageMet(), ID: h.ID})
		t := z.spot[h.ID]
		ov.Spot = append(ov.Spot, spotRow{Name: h.Name, Link: row.Link, Drawn: t.Drawn, Checked: t.Checked(), Failed: t.Failed,
			Waiting: t.Waiting, Passed: t.Passed, Unreachable: t.Unreachable})
	}
	for _, t := range z.spot {
		ov.SpotTotal.Drawn += t.Drawn
		ov.SpotTotal.Checked += t.Checked()
		ov.SpotTotal.Failed += t.Failed
		ov.SpotTotal.Waiting += t.Waiting
	}
	ov.Chart = hbarChart("Độ phủ từng ấp so với mục tiêu "+th, bars, p.CoverageThreshold, th)
	ov.TrendTitle = "Lượt hộ được hướng dẫn mỗi tuần, toàn đặc khu"
	ov.Trend, ov.Weeks, ov.TrendSum = s.trend(ov.TrendTitle, z.weeks)
	ov.Awards = s.awardsView(z, v)
	return ov
}

// trend is the weekly chart, its rows (newest first) and their sum.
func (s *Server) trend(title string, weeks []weekPoint) (template.HTML, []weekRow, string) {
	total := 0
	rows := make([]weekRow, 0, len(weeks))
	for i := len(weeks) - 1; i >= 0; i-- {
		w := weeks[i]
		total += w.Households
		rows = append(rows, weekRow{From: w.From.String()[:5], To: w.To.String(), Households: scoring.Number(w.Households)})
	}
	return trendChart(title, weeks), rows, scoring.Number(total)
}

// awardsView lists the award candidates as /khenthuong does, with links
// to the hamlets the viewer may open; long lists (a country's) are cut at
// a page's length with the count left out.
func (s *Server) awardsView(z *zone, v *viewer) awardsView {
	var a awardsView
	hamlet := func(c scoring.HamletCandidate) awardItem {
		return awardItem{Rank: c.Rank, Name: "Ấp " + c.Stats.Hamlet.Name, Link: s.hamletLink(v, c.Stats.Hamlet.ID), Reason: c.Reason(), Tie: c.Tie}
	}
	officer := func(c scoring.OfficerCandidate) awardItem {
		return awardItem{Rank: c.Rank, Name: c.Stats.Officer.DisplayName() + s.hamletSuffix(z, c.Stats.Officer.HamletID),
			Link: s.hamletLink(v, c.Stats.Officer.HamletID), Reason: c.Reason(), Tie: c.Tie}
	}
	p := s.opt.Params
	a.FiguresAt = z.awards.At.String()
	for _, c := range z.awards.Collectives {
		a.Collectives = append(a.Collectives, hamlet(c))
	}
	for _, c := range z.awards.Special {
		a.Special = append(a.Special, hamlet(c))
	}
	for _, c := range z.awards.Individuals {
		a.Individuals = append(a.Individuals, officer(c))
	}
	a.CollectiveNote = z.awards.CollectiveNote()
	a.SpecialNote = z.awards.SpecialNote(p)
	a.IndividualsNote = scoring.IndividualsNote
	a.BeyondCapTitle = "Đủ tiêu chuẩn, vượt số lượng " + scoring.Count2(p.MaxCollectives) + " — Hội đồng xét"
	limit := s.opt.PageSize
	ns := z.awards.NotSelected
	for _, c := range ns.Special {
		if c.MeetsStandard {
			a.SpecialBeyond = append(a.SpecialBeyond, hamlet(c))
		} else if len(a.SpecialShort) < limit {
			a.SpecialShort = append(a.SpecialShort, hamlet(c))
		}
	}
	for _, c := range ns.Collectives {
		if c.MeetsStandard {
			a.BeyondCap = append(a.BeyondCap, hamlet(c))
			continue
		}
		if len(a.NotSelected) == limit {
			a.NotSelectedMore++
			continue
		}
		a.NotSelected = append(a.NotSelected, hamlet(c))
	}
	shown := 0
	for _, c := range ns.Individuals {
		if shown == limit {
			a.IndividualsMore++
			continue
		}
		shown++
		a.NotSelected = append(a.NotSelected, officer(c))
	}
	return a
}

// hamletSuffix names an officer's hamlet after their name: " (ấp Bãi Nhà)".
func (s *Server) hamletSuffix(z *zone, id string) string {
	if rk := z.hamlet(id); rk != nil {
		return " (ấp " + rk.Hamlet.Name + ")"
	}
	return ""
}

// --- a hamlet's page ---

type hamletView struct {
	Name, ID          string
	Households        string
	Rank, Of          int
	MetToday          bool
	Open              bool // today is not over and not met yet
	GuidedToday       int
	DailyTarget       int
	Coverage          string
	Able              string
	CoverageNote      string
	CoverageChart     template.HTML
	Streak, Longest   int
	DaysMet, Elapsed  int
	K                 int
	SpecialDone       string
	Special           string
	Standings         []standingView
	Calendar          []monthView // the latest months
	OlderMonths       []monthView // the others, folded
	ProcedureRows     []procRow
	Officers          []officerRow
	Spot              SpotTally
	Trend             template.HTML
	Weeks             []weekRow
	TrendTitle        string
	TrendSum          string
	Admin             bool
	HouseholdsURL     string
	Download          string
	Proposal, Minutes string
	Threshold         string
	// RegisterWarning asks admins to correct the register when more
	// households are able than it holds.
	RegisterWarning string
}

func (h hamletView) title() string { return "Ấp " + h.Name }

type standingView struct {
	Award, Place, Reason, Need string
	Selected                   bool
}

type procRow struct {
	Name       string
	Households int
	Bar        template.HTML
}

type officerRow struct {
	Name                    string
	Inactive                bool
	Households, Month, Days int
	Procedures              int
	Passed, Failed          int
	Award, AwardNeed        string
	Selected                bool
}

// hamlet (GET /ap/{hamlet}) is one hamlet's page.
func (s *Server) hamlet(w http.ResponseWriter, r *http.Request, v *viewer) error {
	id := r.PathValue("hamlet")
	if !seesHamlet(v, id) {
		switch v.Role {
		case campaign.RoleLeader:
			return &forbiddenError{"Trưởng ấp xem được trang của ấp mình và trang toàn đặc khu."}
		case campaign.RoleOfficer:
			return &forbiddenError{"Cán bộ ấp xem được kết quả của chính mình ở trang «Của tôi»."}
		}
		return errNotFound
	}
	z, rk, err := s.zoneHamlet(r.Context(), id)
	if err != nil {
		return err
	}
	cs := z.campaign[id]
	p := s.opt.Params
	th := scoring.ThresholdPercent(p.CoverageThreshold)
	hh := rk.Hamlet.Households
	entries := z.officers[id]
	ids := make([]int64, len(entries))
	for k, e := range entries {
		ids[k] = e.Stats.Officer.ID
	}
	d, err := s.src.Hamlet(r.Context(), HamletQuery{Hamlet: id, From: p.CampaignStart, To: z.at,
		Officers: ids, OfficersFrom: scoring.NewDate(z.at.Year, z.at.Month, 1)})
	if err != nil {
		return err
	}
	hv := hamletView{
		Name: rk.Hamlet.Name, ID: id, Households: scoring.Number(hh), Rank: rk.Rank, Of: len(z.ranks),
		MetToday: rk.MetToday, GuidedToday: rk.GuidedToday, DailyTarget: p.DailyTarget,
		Coverage: scoring.Percent(rk.Coverage), Able: scoring.Number(min(rk.Able, max(hh, 0))),
		Streak: rk.CurrentStreak, Longest: cs.LongestStreak, DaysMet: cs.DaysMet, Elapsed: cs.DaysElapsed,
		K: rk.K, SpecialDone: scoring.Number(min(rk.SpecialDone, max(hh, 0))), Special: scoring.Percent(rk.SpecialProgress),
		Spot: z.spot[id], Threshold: th, Admin: v.Role == campaign.RoleAdmin,
	}
	hv.Open = !rk.MetToday && p.InCampaign(z.at) && !p.IsDayOff(z.at)
	hv.CoverageNote = coverageNote(rk.HamletStats, p)
	if hv.Admin {
		hv.RegisterWarning = rk.RegisterWarning()
	}
	hv.CoverageChart = hbarChart("Độ phủ của ấp "+rk.Hamlet.Name+" so với mục tiêu "+th,
		[]hbar{{Label: rk.Hamlet.Name, Title: "Ấp " + rk.Hamlet.Name, Value: rk.Coverage, Text: scoring.Percent(rk.Coverage), Good: rk.CoverageMet(), ID: id}},
		p.CoverageThreshold, th)
	hv.Standings = []standingView{
		s.collectiveStanding(z, cs),
		s.specialStanding(z, cs),
	}
	hv.Calendar, hv.OlderMonths = splitMonths(hamletCalendar(d.Days, p, z.at))
	hv.ProcedureRows = s.procedures(d.Procedures)
	hv.Officers = s.officerRows(z, entries, d.OfficerDays)
	hv.TrendTitle = "Lượt hộ được hướng dẫn mỗi tuần, ấp " + rk.Hamlet.Name
	known := map[string]int{id: 0}
	hv.Trend, hv.Weeks, hv.TrendSum = s.trend(hv.TrendTitle, weeklyTrend(d.Days, known, p, z.at))
	if hv.Admin {
		hv.HouseholdsURL = s.hamletURL(id, "/ho")
		hv.Download = s.url("/tai/danh-sach/" + url.PathEscape(id))
		if s.opt.Dossier != nil {
			hv.Proposal = s.url("/tai/ho-so/" + url.PathEscape(id) + "/to-trinh")
			hv.Minutes = s.url("/tai/ho-so/" + url.PathEscape(id) + "/bien-ban")
		}
	}
	s.renderFor(w, r, http.StatusOK, v, "hamlet", "", s.asOf(z), hv)
	return nil
}

// coverageNote says what the hamlet still needs for the coverage target,
// or since when it reached it.
func coverageNote(st scoring.HamletStats, p scoring.Params) string {
	th := scoring.ThresholdPercent(p.CoverageThreshold)
	hh := st.Hamlet.Households
	switch {
	case hh <= 0:
		return "Ấp chưa khai báo số hộ nên chưa tính được độ phủ."
	case st.CoverageMet():
		return "Đã đạt " + th + " từ ngày " + st.ReachedOn.String() + "."
	}
	need := p.NeededForCoverage(hh) - min(st.Able, hh)
	return "Còn " + scoring.Number(need) + " hộ để đạt " + th + " (cần " + scoring.Number(p.NeededForCoverage(hh)) + "/" + scoring.Number(hh) + " hộ)."
}

// collectiveStanding is the hamlet's place in the collective award.
func (s *Server) collectiveStanding(z *zone, st scoring.HamletStats) standingView {
	p := s.opt.Params
	c := z.collective[st.Hamlet.ID]
	sv := standingView{Award: "Khen thưởng tập thể", Reason: sentence(c.Reasons)}
	if c.Rank > 0 {
		sv.Selected = true
		sv.Place = "Xếp thứ " + strconv.Itoa(c.Rank) + " trong " + strconv.Itoa(len(z.awards.Collectives)) + " tập thể được đề nghị (tối đa " + strconv.Itoa(p.MaxCollectives) + ")."
		return sv
	}
	if c.MeetsStandard {
		// Beyond the cap: it meets the standard, the council decides.
		sv.Place = "Đủ tiêu chuẩn, vượt số lượng " + scoring.Count2(p.MaxCollectives) + " — Hội đồng xét."
		sv.Reason = sentence(beyondReasons(c))
		if c.Tie {
			sv.Need = "Bằng số liệu với ấp xếp cuối danh sách đề nghị."
		}
		return sv
	}
	sv.Place = "Chưa được đề nghị."
	if st.Eligible() && !st.CoverageMet() && st.Hamlet.Households > 0 {
		sv.Need = coverageNote(st, p)
	}
	return sv
}

// beyondReasons are the reasons of a candidate beyond the cap without the
// first one, which says so (scoring puts it first).
func beyondReasons(c standing) []string {
	if c.MeetsStandard && c.Rank == 0 && len(c.Reasons) > 1 {
		return c.Reasons[1:]
	}
	return c.Reasons
}

// specialStanding is the hamlet's place among the special prizes: proposed,
// meeting the plan's condition beyond the number of prizes, or how many
// households it still lacks to meet the condition (the plan's rule: a
// hamlet that does not meet it gets no prize, whatever its rank).
func (s *Server) specialStanding(z *zone, st scoring.HamletStats) standingView {
	p := s.opt.Params
	c := z.special[st.Hamlet.ID]
	sv := standingView{Award: "Phần quà khen thưởng riêng", Reason: sentence(c.Reasons)}
	if c.Rank > 0 {
		sv.Selected = true
		sv.Place = "Được đề nghị: xếp thứ " + strconv.Itoa(c.Rank) + "/" + scoring.Count2(p.SpecialPrizes) + " phần quà."
		return sv
	}
	if c.MeetsStandard {
		sv.Place = "Đạt điều kiện, vượt số lượng " + scoring.Count2(p.SpecialPrizes) + " phần quà — Hội đồng xét."
		sv.Reason = sentence(beyondReasons(c))
		return sv
	}
	sv.Place = "Chưa đạt điều kiện."
	if st.Eligible() && st.Hamlet.Households > 0 {
		if short := st.SpecialShort(); short > 0 {
			sv.Need = "Còn thiếu " + scoring.Number(short) + " hộ được hướng dẫn đủ " + scoring.Count2(st.K) + " thủ tục để đạt điều kiện (" +
				scoring.Number(st.SpecialNeeded) + "/" + scoring.Number(st.Hamlet.Households) + " hộ, " + scoring.ThresholdPercent(p.SpecialShare()) + " số hộ của ấp)."
		}
	}
	return sv
}

// officerRows are the figures of the hamlet's officers: the campaign's
// from the zone figures, this month's computed by scoring from their day
// counts.
func (s *Server) officerRows(z *zone, entries []officerEntry, days []scoring.OfficerDay) []officerRow {
	p := s.opt.Params
	month := monthFigures(entries, days, p, z.at)
	rows := make([]officerRow, 0, len(entries))
	for _, e := range entries {
		st := e.Stats
		row := officerRow{Name: st.Officer.DisplayName(), Inactive: !st.Officer.Active, Households: st.Households,
			Month: month[st.Officer.ID].GuidedInPeriod, Days: st.TotalDaysActive, Procedures: st.TotalProcedures,
			Passed: st.Checks.Passed, Failed: st.Checks.Failed}
		row.Award, row.AwardNeed, row.Selected = s.individualStanding(z, e)
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b officerRow) int {
		if c := cmp.Compare(b.Households, a.Households); c != 0 {
			return c
		}
		return scoring.CompareNames(a.Name, b.Name)
	})
	return rows
}

// monthFigures computes the officers' figures for the month of day at.
func monthFigures(entries []officerEntry, days []scoring.OfficerDay, p scoring.Params, at scoring.Date) map[int64]scoring.OfficerStats {
	f := scoring.Facts{OfficerDays: days}
	for _, e := range entries {
		f.Officers = append(f.Officers, e.Stats.Officer)
	}
	out := map[int64]scoring.OfficerStats{}
	for _, st := range scoring.Officers(f, p, scoring.Month(at.Year, at.Month), at) {
		out[st.Officer.ID] = st
	}
	return out
}

// individualStanding is an officer's place in the individual award and
// what they still need.
func (s *Server) individualStanding(z *zone, e officerEntry) (place, need string, selected bool) {
	p := s.opt.Params
	c := e.Standing
	if c.Rank > 0 {
		return "Đề nghị xét, xếp thứ " + strconv.Itoa(c.Rank) + "/" + scoring.Count2(p.MaxIndividuals) + ": " + strings.Join(c.Reasons, "; "), "", true
	}
	place = "Chưa được đề nghị xét: " + strings.Join(c.Reasons, "; ")
	st := e.Stats
	last := z.lastIndividual
	if st.Eligible() && last != nil && len(z.awards.Individuals) >= p.MaxIndividuals {
		if x := last.Households - st.Households + 1; x > 0 {
			need = "Còn " + scoring.Number(x) + " hộ để vào nhóm " + scoring.Count2(p.MaxIndividuals) + " cá nhân dẫn đầu."
		}
	}
	if c.Tie {
		need = "Bằng số liệu với người xếp cuối danh sách đề nghị — Hội đồng xét."
	}
	return place, need, false
}

// sentence joins scoring's reasons into a sentence: "Độ phủ 80,7% < 95,0%."
func sentence(reasons []string) string {
	if len(reasons) == 0 {
		return ""
	}
	return upperFirst(strings.Join(reasons, "; ")) + "."
}

// splitMonths keeps the latest three months in view and folds the others.
func splitMonths(ms []monthView) (latest, older []monthView) {
	const shown = 3
	if len(ms) <= shown {
		return ms, nil
	}
	return ms[:shown], ms[shown:]
}

// procedures are the households guided by procedure, most first, each
// with a bar as long as its share of the first.
func (s *Server) procedures(counts map[string]int) []procRow {
	rows := make([]procRow, 0, len(counts))
	for id, n := range counts {
		name := s.procs[id]
		if name == "" {
			name = id
		}
		rows = append(rows, procRow{Name: name, Households: n})
	}
	slices.SortFunc(rows, func(a, b procRow) int {
		if c := cmp.Compare(b.Households, a.Households); c != 0 {
			return c
		}
		return scoring.CompareNames(a.Name, b.Name)
	})
	for i := range rows {
		rows[i].Bar = barSVG(float64(rows[i].Households) / float64(rows[0].Households))
	}
	return rows
}

// --- calendars ---

type monthView struct {
	Title string
	Weeks [][]dayCell
}

type dayCell struct {
	Day   int // 0: a blank cell before the 1st or after the last day
	Class string
	Title string
}

// dayClass and dayTitle say how a day status is drawn and read.
var (
	dayClass = map[scoring.DayStatus]string{scoring.DayOutside: "ngoai", scoring.DayFuture: "sap", scoring.DayOff: "nghi",
		scoring.DayMet: "dat", scoring.DayMissed: "truot", scoring.DayOpen: "mo"}
	dayTitle = map[scoring.DayStatus]string{scoring.DayOutside: "ngoài thời gian phong trào", scoring.DayFuture: "chưa đến",
		scoring.DayOff: "ngày nghỉ", scoring.DayMet: "đạt chỉ tiêu", scoring.DayMissed: "không đạt", scoring.DayOpen: "hôm nay, chưa đạt"}
)

// hamletCalendar lays out the campaign's months up to day at, newest
// first, each day as scoring.Calendar judges it.
func hamletCalendar(days []scoring.HamletDay, p scoring.Params, at scoring.Date) []monthView {
	return calendar(p, at, func(from, to scoring.Date) []dayCell {
		st := scoring.Calendar(days, p, from, to, at)
		cells := make([]dayCell, len(st))
		for i, x := range st {
			d := from.AddDays(i)
			cells[i] = dayCell{Day: d.Day, Class: dayClass[x], Title: d.String() + ": " + dayTitle[x]}
		}
		return cells
	})
}

// calendar builds month grids (Monday first) from the campaign's first
// month to at's month (or the campaign's last), newest first; fill gives
// the cells of the days from..to of one month.
func calendar(p scoring.Params, at scoring.Date, fill func(from, to scoring.Date) []dayCell) []monthView {
	end := p.FiguresAt(at)
	if end.Before(p.CampaignStart) {
		return nil
	}
	var out []monthView
	for y, m := end.Year, end.Month; ; {
		first := scoring.NewDate(y, m, 1)
		if first.Before(scoring.NewDate(p.CampaignStart.Year, p.CampaignStart.Month, 1)) {
			break
		}
		last := scoring.NewDate(y, m+1, 1).AddDays(-1)
		cells := fill(first, last)
		lead := (int(first.Weekday()) + 6) % 7
		row := make([]dayCell, lead, 7)
		mv := monthView{Title: "Tháng " + strconv.Itoa(int(m)) + "/" + strconv.Itoa(y)}
		for _, c := range cells {
			row = append(row, c)
			if len(row) == 7 {
				mv.Weeks = append(mv.Weeks, row)
				row = make([]dayCell, 0, 7)
			}
		}
		if len(row) > 0 {
			row = append(row, make([]dayCell, 7-len(row))...)
			mv.Weeks = append(mv.Weeks, row)
		}
		out = append(out, mv)
		if m == time.January {
			y, m = y-1, time.December
		} else {
			m--
		}
	}
	return out
}
