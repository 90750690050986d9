package bot

import (
	"strings"
	"time"

	"dvcbot/chat"

	"dvcbot/store"
)

// monthStart is the first local day of the month containing d.
func monthStart(d store.Day) store.Day {
	t := d.Date()
	return store.DayOf(time.Date(t.Year(), t.Month(), 1, 12, 0, 0, 0, time.UTC), time.UTC)
}

// cmdMe (/toi) shows the officer's own figures and the hamlet's status today.
func (c *cx) cmdMe(string) error {
	var b strings.Builder
	name := c.who.FullName
	if name == "" {
		name = "anh/chị"
	}
	b.WriteString(chat.BoldStart + "Kết quả của " + plain(name) + chat.BoldEnd)
	b.WriteString(" (" + plain(c.who.Role.At(c.hamletName())) + ")\n")
	today := c.tx.OfficerDay(c.who.ID, c.today)
	b.WriteString("Hôm nay " + c.today.Date().Format("02/01") + ": " + itoa(today.Households) + " hộ, " + itoa(today.Procedures) + " thủ tục\n")
	var mHH, mProc, mDays int
	start := monthStart(c.today)
	if err := c.tx.OfficerDays(c.who.ID, start, c.today, func(_ store.Day, dc store.DayCount) error {
		mHH += dc.Households
		mProc += dc.Procedures
		if dc.Households > 0 {
			mDays++
		}
		return nil
	}); err != nil {
		return err
	}
	t := c.today.Date()
	b.WriteString("Tháng " + itoa(int(t.Month())) + "/" + itoa(t.Year()) + ": " + itoa(mHH) + " lượt hộ, " + itoa(mProc) + " thủ tục, " + itoa(mDays) + " ngày có báo cáo\n")
	total := c.tx.OfficerHouseholds(c.who.ID)
	b.WriteString("Từ đầu phong trào: " + itoa(total) + " hộ đã hướng dẫn")
	if c.who.HamletID != "" {
		b.WriteString("\n\n" + c.hamletToday())
	}
	c.reply(b.String())
	return nil
}

// hamletName is the name of the user's hamlet ("" when none).
func (c *cx) hamletName() string {
	if c.who.HamletID == "" {
		return ""
	}
	h, err := c.tx.Hamlet(c.who.HamletID)
	if err != nil {
		return c.who.HamletID
	}
	return h.Name
}
