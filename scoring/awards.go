package scoring

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// HamletCandidate is a hamlet in an award list, selected or not, with why.
type HamletCandidate struct {
	// Rank is the 1-based place among those selected; 0 when not selected.
	Rank  int
	Stats HamletStats
	// Reasons say in Vietnamese why the hamlet is selected (its figures) or
	// why not ("độ phủ 91,2% < 95,0%", "đang bị loại trừ: …").
	Reasons []string
	// MeetsStandard is set on every hamlet that meets the award's standard
	// and stands in no award's way: the selected ones and those beyond the
	// cap («đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét»). Such a hamlet
	// is never said to fall short of the standard.
	MeetsStandard bool
	// Tie is set on a hamlet left out by the cap although it equals the last
	// selected one on every ranking figure: only the final tie-break (id)
	// separated them, and the council may want to decide.
	Tie bool
}

// Reason is the reasons joined with "; ".
func (c HamletCandidate) Reason() string { return strings.Join(c.Reasons, "; ") }

// OfficerCandidate is an officer in the individual award list, selected or
// not, with why. The list is a proposal ranked by figures («đề nghị xét»):
// the plan's qualitative criteria are for the review meeting to judge.
type OfficerCandidate struct {
	Rank    int // 1-based place among those selected; 0 when not selected
	Stats   OfficerStats
	Reasons []string
	Tie     bool // left out by the cap while equal to the last selected on every figure
}

// Reason is the reasons joined with "; ".
func (c OfficerCandidate) Reason() string { return strings.Join(c.Reasons, "; ") }

// NotSelected lists everyone left out of each award, with the reasons:
// first those eligible but beyond the cap (in ranking order), then the
// ineligible ones.
type NotSelected struct {
	Collectives []HamletCandidate
	Special     []HamletCandidate
	Individuals []OfficerCandidate
}

// Awards are the award candidates as of a day.
type Awards struct {
	At Date
	// SpecialPrizes is the number of special prizes the plan offers
	// (Params.SpecialPrizes); Special may hold fewer.
	SpecialPrizes int
	Collectives   []HamletCandidate  // at most MaxCollectives, ranked
	Individuals   []OfficerCandidate // at most MaxIndividuals, ranked
	Special       []HamletCandidate  // at most SpecialPrizes, ranked
	NotSelected   NotSelected
}

// Candidates draws up the award lists as of day at, over the campaign up to
// that day.
//
//   - Collectives (at most MaxCollectives): coverage at or above the
//     threshold, no failed spot check, not excluded; ranked by coverage,
//     then days met, then the earlier day the threshold was reached, then id.
//   - Individuals (at most MaxIndividuals): at least one household guided,
//     no failed spot check on their own records, not excluded; ranked by
//     distinct households guided, then days active, then name, then id.
//   - Special prizes (SpecialPrizes, «phần quà khen thưởng riêng»): at
//     least Params.SpecialShare of the register guided through K
//     procedures each (the plan's condition), no failed spot check, not
//     excluded; ranked by progress (at most 100%), then days met, then id.
//     Fewer eligible hamlets than prizes means fewer prizes
//     (Awards.SpecialNote says so).
//
// Hamlets beyond a cap that meet the standard are listed first among those
// not selected, with MeetsStandard set and the reason «đủ tiêu chuẩn, vượt
// số lượng 06 — Hội đồng xét» before their figures. Coverage and progress
// stop at the register: able households beyond it never raise a rank.
//
// A failed spot check excludes both the record's hamlet and the officer who
// reported it; an excluded officer does not exclude their hamlet. A hamlet
// may win a collective award and a special prize.
func Candidates(f Facts, p Params, at Date) Awards {
	e := newEnv(p)
	campaign := p.Campaign()
	hs := computeHamlets(f, e, campaign, at)
	os := computeOfficers(f, e, campaign, at)
	threshold := ThresholdPercent(p.CoverageThreshold)
	a := Awards{At: at, SpecialPrizes: p.SpecialPrizes}
	a.Collectives, a.NotSelected.Collectives = collectives(hs, e, threshold)
	a.Special, a.NotSelected.Special = special(hs, e)
	a.Individuals, a.NotSelected.Individuals = individuals(os, e)
	return a
}

func collectives(hs []HamletStats, e env, threshold string) (sel, not []HamletCandidate) {
	merit := func(a, b *HamletStats) int {
		if c := coverageOf(b).cmp(coverageOf(a)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.DaysMet, a.DaysMet); c != 0 {
			return c
		}
		return a.ReachedOn.Compare(b.ReachedOn)
	}
	ok := make([]HamletCandidate, 0, len(hs))
	bad := make([]HamletCandidate, 0, len(hs))
	for _, s := range hs {
		why := hamletBars(s)
		switch {
		case s.Hamlet.Households <= 0:
			why = append(why, "chưa khai báo số hộ của ấp")
		case !s.CoverageMet():
			why = append(why, "độ phủ "+coverageText(s)+" < "+threshold)
		}
		if len(why) > 0 {
			bad = append(bad, HamletCandidate{Stats: s, Reasons: append(why, registerText(s)...)})
			continue
		}
		c := HamletCandidate{Stats: s, MeetsStandard: true, Reasons: []string{
			"độ phủ " + coverageText(s) + " ≥ " + threshold +
				" (đạt từ ngày " + s.ReachedOn.String() + ")",
			daysMetText(s),
		}}
		if r := passedText(s.Checks); r != "" {
			c.Reasons = append(c.Reasons, r)
		}
		c.Reasons = append(c.Reasons, registerText(s)...)
		ok = append(ok, c)
	}
	return capHamlets(ok, bad, merit, e.p.MaxCollectives, "tập thể")
}

func special(hs []HamletStats, e env) (sel, not []HamletCandidate) {
	merit := func(a, b *HamletStats) int {
		if c := progressOf(b).cmp(progressOf(a)); c != 0 {
			return c
		}
		return cmp.Compare(b.DaysMet, a.DaysMet)
	}
	share := ThresholdPercent(e.p.SpecialShare())
	ok := make([]HamletCandidate, 0, len(hs))
	bad := make([]HamletCandidate, 0, len(hs))
	for _, s := range hs {
		why := hamletBars(s)
		switch {
		case s.Hamlet.Households <= 0:
			why = append(why, "chưa khai báo số hộ của ấp")
		case s.SpecialDone == 0 && s.HouseholdsGuided == 0:
			why = append(why, "chưa hướng dẫn hộ nào; điều kiện: "+Number(s.SpecialNeeded)+" hộ ("+share+" số hộ) được hướng dẫn đủ "+Count2(s.K)+" thủ tục")
		case !s.SpecialMet():
			why = append(why, specialProgressText(s, e)+", chưa đạt điều kiện "+share+" ("+Number(s.SpecialNeeded)+
				" hộ): còn thiếu "+Number(s.SpecialShort())+" hộ")
		}
		if len(why) > 0 {
			bad = append(bad, HamletCandidate{Stats: s, Reasons: append(why, registerText(s)...)})
			continue
		}
		c := HamletCandidate{Stats: s, MeetsStandard: true, Reasons: []string{
			specialProgressText(s, e) + ", đạt điều kiện " + share,
			daysMetText(s),
		}}
		if r := passedText(s.Checks); r != "" {
			c.Reasons = append(c.Reasons, r)
		}
		c.Reasons = append(c.Reasons, registerText(s)...)
		ok = append(ok, c)
	}
	return capHamlets(ok, bad, merit, e.p.SpecialPrizes, SpecialPrizeName)
}

// SpecialPrizeName is the plan's name of the special prizes, used in every
// list and document (never «giải đặc biệt»).
const SpecialPrizeName = "phần quà khen thưởng riêng"

// SpecialConditionText is the special-prize condition in one phrase, as
// lists state it: "ấp từ 365 hộ trở lên: mỗi hộ được hướng dẫn 01 thủ
// tục, ấp dưới 365 hộ: mỗi hộ 02 thủ tục; đạt 95,0% số hộ của ấp".
func (p Params) SpecialConditionText() string {
	n := Number(p.SpecialHouseholdThreshold)
	return "ấp từ " + n + " hộ trở lên: mỗi hộ được hướng dẫn 01 thủ tục, ấp dưới " + n + " hộ: mỗi hộ 02 thủ tục; đạt " +
		ThresholdPercent(p.SpecialShare()) + " số hộ của ấp"
}

// specialProgressText is "54,7% số hộ (200/365) đã được hướng dẫn đủ 01
// thủ tục (ấp từ 365 hộ trở lên)".
func specialProgressText(s HamletStats, e env) string {
	size := "ấp dưới " + Number(e.p.SpecialHouseholdThreshold) + " hộ"
	if s.K == 1 {
		size = "ấp từ " + Number(e.p.SpecialHouseholdThreshold) + " hộ trở lên"
	}
	done := s.SpecialInRegister()
	return PercentOf(done, s.Hamlet.Households) + " số hộ (" + Number(done) + "/" + Number(s.Hamlet.Households) +
		") đã được hướng dẫn đủ " + Count2(s.K) + " thủ tục (" + size + ")"
}

// registerText flags able households beyond the register.
func registerText(s HamletStats) []string {
	if s.Excess <= 0 || s.Hamlet.Households <= 0 {
		return nil
	}
	return []string{"số hộ biết làm vượt số hộ trong sổ " + Number(s.Excess) + " hộ: cần sửa số hộ của ấp (/sosho)"}
}

// capHamlets ranks the eligible (ok) and barred (bad) hamlets by merit
// (ties by id), selects the first limit eligible ones and says of the
// others beyond the cap that they meet the standard and exceed the number
// the plan allows, for the council to decide; a tie with the last selected
// is marked.
func capHamlets(ok, bad []HamletCandidate, merit func(a, b *HamletStats) int, limit int, what string) (sel, not []HamletCandidate) {
	byMerit := func(a, b HamletCandidate) int {
		if c := merit(&a.Stats, &b.Stats); c != 0 {
			return c
		}
		return strings.Compare(a.Stats.Hamlet.ID, b.Stats.Hamlet.ID)
	}
	slices.SortFunc(ok, byMerit)
	slices.SortFunc(bad, byMerit)
	n := min(limit, len(ok))
	sel = ok[:n:n]
	for i := range sel {
		sel[i].Rank = i + 1
	}
	not = make([]HamletCandidate, 0, len(ok)-n+len(bad))
	for _, c := range ok[n:] {
		c.Reasons = append([]string{capText(limit, what)}, c.Reasons...)
		c.Tie = n > 0 && merit(&sel[n-1].Stats, &c.Stats) == 0
		not = append(not, c)
	}
	return sel, append(not, bad...)
}

// SpecialNote says plainly when fewer hamlets meet the special-prize
// condition than there are prizes, so fewer prizes are proposed ("" when
// every prize has a hamlet).
func (a Awards) SpecialNote(p Params) string {
	n, of := len(a.Special), a.SpecialPrizes
	if n >= of {
		return ""
	}
	cond := "(" + ThresholdPercent(p.SpecialShare()) + " số hộ của ấp được hướng dẫn đủ số thủ tục)"
	if n == 0 {
		return "Chưa có ấp nào đủ điều kiện nhận " + SpecialPrizeName + " " + cond + ": chưa đề nghị phần quà nào trong " +
			Count2(of) + " phần quà."
	}
	return "Chỉ có " + Count2(n) + " ấp đủ điều kiện " + cond + " nên chỉ đề nghị " + Count2(n) + "/" + Count2(of) +
		" " + SpecialPrizeName + "."
}

// CollectiveNote says how many hamlets meet the collective standard when
// more meet it than the plan allows ("" otherwise): the first ones are
// proposed, the others meet the standard and are for the council to decide.
func (a Awards) CollectiveNote() string {
	over := 0
	for _, c := range a.NotSelected.Collectives {
		if c.MeetsStandard {
			over++
		}
	}
	if over == 0 {
		return ""
	}
	n := len(a.Collectives)
	return "Có " + Count2(n+over) + " ấp đủ tiêu chuẩn tập thể: " + Count2(n) + " ấp xếp đầu được đề nghị; " + Count2(over) +
		" ấp còn lại đủ tiêu chuẩn, vượt số lượng " + Count2(n) + " — Hội đồng xét."
}

// IndividualsNote says what the individuals list is: a proposal ranked by
// the figures, the plan's qualitative criteria left to the review meeting.
const IndividualsNote = "Danh sách cá nhân là danh sách đề nghị xét, xếp theo số liệu hướng dẫn; " +
	"các tiêu chuẩn hoàn thành tốt nhiệm vụ, thành thạo thao tác hướng dẫn, không vi phạm kỷ luật, kỷ cương hành chính do cuộc họp xét."

func individuals(os []OfficerStats, e env) (sel, not []OfficerCandidate) {
	ok := make([]int, 0, len(os))
	bad := make([]int, 0, len(os))
	for i := range os {
		if os[i].Eligible() && os[i].Households > 0 {
			ok = append(ok, i)
		} else {
			bad = append(bad, i)
		}
	}
	merit := func(a, b *OfficerStats) int {
		if c := cmp.Compare(b.Households, a.Households); c != 0 {
			return c
		}
		return cmp.Compare(b.DaysActive, a.DaysActive)
	}
	rankOfficers(os, ok, merit, e.p.MaxIndividuals)
	// The ineligible are listed by the same figures, then by id.
	rankOfficers(os, bad, merit, 0)

	limit := e.p.MaxIndividuals
	n := min(limit, len(ok))
	sel = make([]OfficerCandidate, n)
	for r, i := range ok[:n] {
		s := os[i]
		why := []string{
			"hướng dẫn " + Number(s.Households) + " hộ",
			Number(s.DaysActive) + " ngày có báo cáo",
		}
		if t := passedText(s.Checks); t != "" {
			why = append(why, t)
		}
		sel[r] = OfficerCandidate{Rank: r + 1, Stats: s, Reasons: why}
	}
	not = make([]OfficerCandidate, 0, len(os)-n)
	capped := []string{individualCapText(limit)}
	for _, i := range ok[n:] {
		c := OfficerCandidate{Stats: os[i], Reasons: capped}
		c.Tie = n > 0 && merit(&sel[n-1].Stats, &os[i]) == 0
		not = append(not, c)
	}
	none := []string{"chưa hướng dẫn hộ nào"}
	for _, i := range bad {
		s := os[i]
		var why []string
		for _, x := range s.Exclusions {
			why = append(why, exclusionText(x))
		}
		if len(s.FailedChecks) > 0 {
			why = append(why, failedText(s.FailedChecks))
		}
		if s.Households == 0 {
			if why == nil {
				why = none
			} else {
				why = append(why, none[0])
			}
		}
		not = append(not, OfficerCandidate{Stats: s, Reasons: why})
	}
	return sel, not
}

// hamletBars are the reasons that bar a hamlet from every award.
func hamletBars(s HamletStats) []string {
	var why []string
	for _, x := range s.Exclusions {
		why = append(why, exclusionText(x))
	}
	if len(s.FailedChecks) > 0 {
		why = append(why, failedText(s.FailedChecks))
	}
	return why
}

func exclusionText(x Exclusion) string {
	if r := strings.TrimSpace(x.Reason); r != "" {
		return "đang bị loại trừ: " + r
	}
	return "đang bị loại trừ"
}

// failedText names the days of failed spot checks: up to three, then how
// many more.
func failedText(cs []Check) string {
	var days []Date
	for _, c := range cs {
		if !c.Date.IsZero() && !slices.Contains(days, c.Date) {
			days = append(days, c.Date)
		}
	}
	slices.SortFunc(days, Date.Compare)
	const s = "kiểm tra ngẫu nhiên không đạt"
	switch n := len(days); {
	case n == 0:
		return s
	case n == 1:
		return s + " ngày " + days[0].String()
	case n <= 3:
		return s + " ngày " + joinDates(days[:n-1]) + " và " + days[n-1].String()
	default:
		return s + " ngày " + joinDates(days[:3]) + " và " + strconv.Itoa(n-3) + " ngày khác"
	}
}

func joinDates(ds []Date) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

// capText is the reason given to those beyond a cap: they meet the
// standard (or, for individuals, are proposed by their figures) and exceed
// the number the plan allows, for the council to decide.
func capText(limit int, what string) string {
	if limit <= 0 {
		return "kế hoạch không có suất " + what
	}
	if what == SpecialPrizeName {
		return "đủ điều kiện, vượt số lượng " + Count2(limit) + " " + what + " — Hội đồng xét"
	}
	return "đủ tiêu chuẩn, vượt số lượng " + Count2(limit) + " — Hội đồng xét"
}

// individualCapText is the reason given to individuals ranked beyond the
// number the plan allows.
func individualCapText(limit int) string {
	if limit <= 0 {
		return "kế hoạch không có suất cá nhân"
	}
	return "xếp sau " + Count2(limit) + " cá nhân đề nghị xét theo số liệu — Hội đồng xét"
}

func daysMetText(s HamletStats) string {
	return Number(s.DaysMet) + "/" + Number(s.DaysElapsed) + " ngày đạt chỉ tiêu"
}

func passedText(c CheckCounts) string {
	if c.Passed == 0 {
		return ""
	}
	return "kiểm tra ngẫu nhiên: " + Number(c.Passed) + " lần đạt"
}

// coverageText is the hamlet's coverage as shown, never above 100%.
func coverageText(s HamletStats) string {
	return PercentOf(min(s.Able, s.Hamlet.Households), s.Hamlet.Households)
}

// rankOfficers orders ids (indexes into os) by merit, then name (Vietnamese
// order), then id. Names are compared only where they can decide the first
// top places: officers of equal merit further down are listed by id. Ties
// of tens of thousands of officers stay cheap: the places left in a tied
// group are picked without sorting the whole group by name.
func rankOfficers(os []OfficerStats, ids []int, merit func(a, b *OfficerStats) int, top int) {
	slices.SortFunc(ids, func(i, j int) int {
		if c := merit(&os[i], &os[j]); c != 0 {
			return c
		}
		return cmp.Compare(os[i].Officer.ID, os[j].Officer.ID)
	})
	top = min(top, len(ids))
	for gs := 0; gs < top; {
		ge := gs + 1
		for ge < len(ids) && merit(&os[ids[gs]], &os[ids[ge]]) == 0 {
			ge++
		}
		pickByName(os, ids[gs:ge], top-gs)
		gs = ge
	}
}

// pickByName moves the k first of g by name (then id) to its front, in
// that order; the others keep their order behind them.
func pickByName(os []OfficerStats, g []int, k int) {
	if len(g) < 2 {
		return
	}
	keys := make([]string, len(g))
	for p, i := range g {
		keys[p] = nameKey(os[i].Officer.DisplayName())
	}
	less := func(p, q int) bool {
		if c := strings.Compare(keys[p], keys[q]); c != 0 {
			return c < 0
		}
		return os[g[p]].Officer.ID < os[g[q]].Officer.ID
	}
	k = min(k, len(g))
	best := make([]int, 0, k+1) // positions in g, kept sorted
	for p := range g {
		if len(best) == k && !less(p, best[k-1]) {
			continue
		}
		at, _ := slices.BinarySearchFunc(best, p, func(b, p int) int {
			if less(b, p) {
				return -1
			}
			return 1
		})
		best = slices.Insert(best, at, p)
		if len(best) > k {
			best = best[:k]
		}
	}
	chosen := make([]bool, len(g))
	order := make([]int, 0, len(g))
	for _, p := range best {
		chosen[p] = true
		order = append(order, g[p])
	}
	for p, i := range g {
		if !chosen[p] {
			order = append(order, i)
		}
	}
	copy(g, order)
}
