package bot

import (
	"strings"
	"time"

	"dvcbot/chat"

	"dvcbot/scoring"
	"dvcbot/store"
)

// scoringDate is the campaign-local date of t.
func (e *Engine) scoringDate(t time.Time) scoring.Date {
	return scoring.DateOf(t, e.set.Location)
}

// LeaderboardText renders today's hamlet ranking (no personal data: hamlet
// figures and officers' names only), as posted to the leaders' group and
// answered to /xephang.
func LeaderboardText(ranks []scoring.HamletRank, top []scoring.OfficerRank, p scoring.Params, today scoring.Date) string {
	var b strings.Builder
	b.WriteString("🏆 " + chat.BoldStart + "Bảng xếp hạng ngày " + today.String() + chat.BoldEnd + "\n")
	b.WriteString("Chỉ tiêu: mỗi ấp hướng dẫn ít nhất " + itoa(p.DailyTarget) + " hộ/ngày; mục tiêu độ phủ " + scoring.ThresholdPercent(p.CoverageThreshold) + ".\n")
	met := 0
	for _, r := range ranks {
		if r.MetToday {
			met++
		}
	}
	b.WriteString("Hôm nay " + itoa(met) + "/" + itoa(len(ranks)) + " ấp đạt chỉ tiêu.\n\n")
	// One line per hamlet, no column alignment: read the same on a phone in
	// Telegram and in Zalo (which has no monospaced text).
	for _, r := range ranks {
		mark := "✗"
		if r.MetToday {
			mark = "✓"
		}
		b.WriteString(itoa(r.Rank) + ". " + bold(r.Hamlet.Name) + " " + mark + " " + itoa(r.GuidedToday) + " hộ hôm nay · " +
			scoring.Number(r.HouseholdsGuided) + " hộ từ đầu · phủ " + scoring.Percent(r.Coverage) + " · " + itoa(r.CurrentStreak) + " ngày liên tiếp\n")
	}
	b.WriteString(ital("✓/✗: đạt/chưa đạt chỉ tiêu hôm nay · phủ: độ phủ · ngày liên tiếp: số ngày đạt chỉ tiêu liên tiếp"))
	if len(top) > 0 {
		b.WriteString("\n\n🌟 " + chat.BoldStart + "Cán bộ dẫn đầu tháng " + itoa(int(today.Month)) + "/" + itoa(today.Year) + chat.BoldEnd + "\n")
		for _, o := range top {
			b.WriteString(itoa(o.Rank) + ". " + plain(o.Officer.DisplayName()) + " — " + itoa(o.GuidedInPeriod) + " lượt hộ, " + itoa(o.DaysActive) + " ngày\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// Leaderboard computes today's ranking text from the store: from the
// running totals (no full scan) when they answer for today, otherwise from
// every fact (an earlier day).
func (e *Engine) Leaderboard(tx *store.Tx, today scoring.Date, p scoring.Params) (string, []scoring.HamletRank, error) {
	ranks, top, ok, err := tx.QuickLeaderboard(p, today, 5)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		f, err := tx.Facts("")
		if err != nil {
			return "", nil, err
		}
		ranks = scoring.Leaderboard(f, p, today)
		top = scoring.TopOfficers(f, p, scoring.Month(today.Year, today.Month), 5)
	}
	return LeaderboardText(ranks, top, p, today), ranks, nil
}

// cmdRanking (/xephang) shows today's hamlet ranking.
func (c *cx) cmdRanking(string) error {
	text, _, err := c.e.Leaderboard(c.tx, c.e.scoringDate(c.now), c.e.set.Params)
	if err != nil {
		return err
	}
	c.reply(text)
	return nil
}

// cmdAwards (/khenthuong [DD/MM/YYYY]) lists award candidates and
// exclusions, as of the day given or, without one, as of the day figures
// stop at (scoring's FiguresAt: today, at most the campaign's last day).
func (c *cx) cmdAwards(args string) error {
	at := c.e.set.Params.FiguresAt(c.e.scoringDate(c.now))
	if args != "" {
		d, err := scoring.ParseDate(strings.TrimSpace(args))
		if err != nil {
			c.reply("Ngày «" + plain(args) + "» không đúng. Gõ theo dạng ngày/tháng/năm, ví dụ: " + code("/khenthuong 30/06/2026") + ", hoặc chỉ " + code("/khenthuong") + " để xem số liệu đến hôm nay.")
			return nil
		}
		at = d
	}
	f, err := c.tx.Facts("")
	if err != nil {
		return err
	}
	c.reply(AwardsText(scoring.Candidates(f, c.e.set.Params, at), c.e.set.Params))
	return nil
}

// lowerFirst lower-cases the first letter ("Số liệu …" → "số liệu …").
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// capHeading is what the plan's cap means for those beyond it: "đủ tiêu
// chuẩn, vượt số lượng 06 — Hội đồng xét".
func capHeading(limit int) string {
	return "đủ tiêu chuẩn, vượt số lượng " + scoring.Count2(limit) + " — Hội đồng xét"
}

// beyondCap are the hamlets of a not-selected list that meet the standard
// (or the special-prize condition) and rank beyond the cap.
func beyondCap(not []scoring.HamletCandidate) []scoring.HamletCandidate {
	var out []scoring.HamletCandidate
	for _, c := range not {
		if c.MeetsStandard {
			out = append(out, c)
		}
	}
	return out
}

// ownReasons are a hamlet's reasons under a heading that already says it
// ranks beyond the cap (scoring puts that reason first).
func ownReasons(c scoring.HamletCandidate) string {
	rs := c.Reasons
	if c.MeetsStandard && c.Rank == 0 && len(rs) > 1 {
		rs = rs[1:]
	}
	return strings.Join(rs, "; ")
}

// AwardsText renders award candidates with the reason for every inclusion
// and exclusion (admins and zone leaders only: it names officers, never
// households): the collectives proposed and those meeting the standard
// beyond the cap (for the council), the special prizes («phần quà khen
// thưởng riêng») with how far each other hamlet is from the condition, the
// individuals proposed for review («đề nghị xét») and who is not proposed.
func AwardsText(a scoring.Awards, p scoring.Params) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(s + "\n") }
	line("🎖 " + bold("Danh sách đề nghị khen thưởng"))
	line(scoring.FiguresAtText(a.At) + ".")
	ns := a.NotSelected

	line("\n" + bold("Tập thể") + " (tối đa " + scoring.Count2(p.MaxCollectives) + "; độ phủ từ " + scoring.ThresholdPercent(p.CoverageThreshold) + "):")
	if len(a.Collectives) == 0 {
		line("— Chưa có ấp nào đủ tiêu chuẩn.")
	}
	for _, h := range a.Collectives {
		line(itoa(h.Rank) + ". Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(h.Reason()))
	}
	if beyond := beyondCap(ns.Collectives); len(beyond) > 0 {
		if n := a.CollectiveNote(); n != "" {
			line("ℹ️ " + plain(n))
		}
		line(bold(upperFirst(capHeading(p.MaxCollectives))) + ":")
		for _, h := range beyond {
			tie := ""
			if h.Tie {
				tie = " (ngang số liệu với ấp xếp thứ " + scoring.Count2(len(a.Collectives)) + ")"
			}
			line("• Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(ownReasons(h)) + tie)
		}
	}

	line("\n" + bold(upperFirst(scoring.SpecialPrizeName)) + " (" + scoring.Count2(p.SpecialPrizes) + " phần quà; điều kiện: " + p.SpecialConditionText() + "):")
	note := a.SpecialNote(p)
	switch {
	case len(a.Special) == 0 && note != "":
		line("— " + plain(note))
	case len(a.Special) == 0:
		line("— Chưa có ấp nào đủ điều kiện.")
	}
	for _, h := range a.Special {
		line(itoa(h.Rank) + ". Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(h.Reason()))
	}
	if note != "" && len(a.Special) > 0 {
		line("ℹ️ " + plain(note))
	}
	var short []scoring.HamletCandidate
	for _, h := range ns.Special {
		if h.MeetsStandard {
			tie := ""
			if h.Tie {
				tie = " (ngang số liệu với ấp xếp thứ " + scoring.Count2(len(a.Special)) + ")"
			}
			line("• Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(h.Reason()) + tie)
			continue
		}
		short = append(short, h)
	}
	if len(short) > 0 {
		line(bold("Chưa đạt điều kiện") + ":")
		for _, h := range short {
			line("• Ấp " + plain(h.Stats.Hamlet.Name) + ": " + plain(h.Reason()))
		}
	}

	line("\n" + bold("Cá nhân đề nghị xét") + " (tối đa " + scoring.Count2(p.MaxIndividuals) + "):")
	if len(a.Individuals) == 0 {
		line("— Chưa có cá nhân nào.")
	}
	for _, o := range a.Individuals {
		line(itoa(o.Rank) + ". " + plain(o.Stats.Officer.DisplayName()) + " — " + plain(o.Reason()))
	}
	line(ital(scoring.IndividualsNote))

	var notHamlets []scoring.HamletCandidate
	for _, h := range ns.Collectives {
		if !h.MeetsStandard {
			notHamlets = append(notHamlets, h)
		}
	}
	if len(notHamlets)+len(ns.Individuals) > 0 {
		line("\n" + bold("Chưa được đề nghị") + ":")
		for _, h := range notHamlets {
			line("• Ấp " + plain(h.Stats.Hamlet.Name) + ": " + plain(h.Reason()))
		}
		for _, o := range ns.Individuals {
			tie := ""
			if o.Tie {
				tie = " (ngang số liệu với cá nhân xếp thứ " + scoring.Count2(len(a.Individuals)) + ")"
			}
			line("• " + plain(o.Stats.Officer.DisplayName()) + ": " + plain(o.Reason()) + tie)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
