package bot

import (
	"strings"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/scoring"
)

// cmdQuota (/hanmuc) shows each quota-limited channel's use this month.
func (c *cx) cmdQuota(string) error {
	var us []string
	if c.e.set.Usage != nil {
		for _, u := range c.e.set.Usage() {
			us = append(us, UsageText(u))
		}
	}
	if len(us) == 0 {
		c.reply("Bot không chạy kênh nào có hạn mức tin nhắn (Zalo), nên không có gì để báo.")
		return nil
	}
	c.reply("📶 " + bold("Hạn mức tin nhắn tháng này") + "\n" + strings.Join(us, "\n\n") +
		"\n\nTrên 80% bot báo cho quản trị viên; trên 95% bot ngừng các tin không thiết yếu (nhắc việc lần hai, bản xếp hạng gửi riêng), vẫn trả lời báo cáo.")
	return nil
}

// UsageText is one channel's use of its quota in Vietnamese.
func UsageText(u chat.Usage) string {
	var b strings.Builder
	b.WriteString(campaign.ChannelLabel(u.Channel) + ", tháng " + monthLabel(u.Month) + ":\n")
	what := "tin gửi đi"
	if u.CountsIn {
		what = "tin nhận và gửi"
	}
	b.WriteString("• " + scoring.Number(u.Messages()) + " " + what)
	if u.MessageQuota > 0 {
		b.WriteString(" / " + scoring.Number(u.MessageQuota) + " (" + scoring.PercentOf(min(u.Messages(), u.MessageQuota), u.MessageQuota) + ")")
	}
	b.WriteString(" — nhận " + scoring.Number(u.In) + ", gửi " + scoring.Number(u.Out) + "\n")
	b.WriteString("• " + scoring.Number(u.Users) + " người đã nhắn cho bot")
	if u.UserQuota > 0 {
		b.WriteString(" / " + scoring.Number(u.UserQuota) + " người tối đa")
	}
	return b.String()
}

// monthLabel turns "2026-12" into "12/2026".
func monthLabel(m string) string {
	y, mo, ok := strings.Cut(m, "-")
	if !ok {
		return m
	}
	return strings.TrimPrefix(mo, "0") + "/" + y
}
