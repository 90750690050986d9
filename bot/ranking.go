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
	b.WriteString(chat.PreStart)
	b.WriteString("#  Ấp              Nay  Hộ   Phủ    Chuỗi\n")
	for _, r := range ranks {
		mark := "✗"
		if r.MetToday {
			mark = "✓"
		}
		name := []rune(r.Hamlet.Name)
		if len(name) > 15 {
			name = append(name[:14], '…')
		}
		b.WriteString(pad(itoa(r.Rank), 3) + pad(plain(string(name)), 16) + pad(mark+itoa(r.GuidedToday), 5) +
			pad(itoa(r.HouseholdsGuided), 5) + pad(scoring.Percent(r.Coverage), 7) + itoa(r.CurrentStreak) + "\n")
	}
	b.WriteString(chat.PreEnd)
	b.WriteString("Nay: ✓/✗ đạt chỉ tiêu và số hộ hôm nay · Hộ: số hộ đã hướng dẫn từ đầu phong trào · Phủ: độ phủ · Chuỗi: số ngày đạt liên tiếp")
	if len(top) > 0 {
		b.WriteString("\n\n🌟 " + chat.BoldStart + "Cán bộ dẫn đầu tháng " + itoa(int(today.Month)) + "/" + itoa(today.Year) + chat.BoldEnd + "\n")
		for _, o := range top {
			b.WriteString(itoa(o.Rank) + ". " + plain(o.Officer.DisplayName()) + " — " + itoa(o.GuidedInPeriod) + " lượt hộ, " + itoa(o.DaysActive) + " ngày\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// pad right-pads s to n runes (for the monospaced table).
func pad(s string, n int) string {
	l := len([]rune(s))
	if strings.Contains(s, "&") { // escaped entities take one column each
		l = len([]rune(strings.NewReplacer("&", "&", "<", "<", ">", ">", "\"", `"`).Replace(s)))
	}
	if l >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-l)
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

// cmdAwards (/khenthuong [DD/MM/YYYY]) lists award candidates and exclusions.
func (c *cx) cmdAwards(args string) error {
	at := c.e.scoringDate(c.now)
	if args != "" {
		d, err := scoring.ParseDate(strings.TrimSpace(args))
		if err != nil {
			c.reply("Ngày «" + plain(args) + "» không đúng. Gõ theo dạng ngày/tháng/năm, ví dụ: " + code("/khenthuong 30/06/2026") + ", hoặc chỉ " + code("/khenthuong") + " cho hôm nay.")
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

// AwardsText renders award candidates with the reason for every inclusion
// and exclusion (admins only: it names officers, never households).
func AwardsText(a scoring.Awards, p scoring.Params) string {
	var b strings.Builder
	b.WriteString("🎖 " + chat.BoldStart + "Danh sách đề nghị khen thưởng tính đến ngày " + a.At.String() + chat.BoldEnd + "\n")
	b.WriteString("\n" + bold("Tập thể") + " (tối đa " + itoa(p.MaxCollectives) + "; độ phủ ≥ " + scoring.ThresholdPercent(p.CoverageThreshold) + "):\n")
	if len(a.Collectives) == 0 {
		b.WriteString("— Chưa có ấp nào đủ điều kiện.\n")
	}
	for _, h := range a.Collectives {
		b.WriteString(itoa(h.Rank) + ". Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(h.Reason()) + "\n")
	}
	b.WriteString("\n" + bold("Giải đặc biệt") + " (" + itoa(p.SpecialPrizes) + " ấp tiêu biểu):\n")
	if len(a.Special) == 0 {
		b.WriteString("— Chưa có ấp nào đủ điều kiện.\n")
	}
	for _, h := range a.Special {
		b.WriteString(itoa(h.Rank) + ". Ấp " + plain(h.Stats.Hamlet.Name) + " — " + plain(h.Reason()) + "\n")
	}
	b.WriteString("\n" + bold("Cá nhân") + " (tối đa " + itoa(p.MaxIndividuals) + "):\n")
	if len(a.Individuals) == 0 {
		b.WriteString("— Chưa có cá nhân nào đủ điều kiện.\n")
	}
	for _, o := range a.Individuals {
		b.WriteString(itoa(o.Rank) + ". " + plain(o.Stats.Officer.DisplayName()) + " — " + plain(o.Reason()) + "\n")
	}
	ns := a.NotSelected
	if len(ns.Collectives)+len(ns.Individuals) > 0 {
		b.WriteString("\n" + bold("Chưa được đề nghị") + ":\n")
		for _, h := range ns.Collectives {
			b.WriteString("• Ấp " + plain(h.Stats.Hamlet.Name) + ": " + plain(h.Reason()) + "\n")
		}
		for _, o := range ns.Individuals {
			b.WriteString("• " + plain(o.Stats.Officer.DisplayName()) + ": " + plain(o.Reason()) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
