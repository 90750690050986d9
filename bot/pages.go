package bot

import (
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

// Pages makes and revokes the personal links of the web page of figures
// (the web package's server), in the step's own write transaction.
type Pages interface {
	// PersonLink is a new signed link for the person in their role; the
	// person's earlier links stop working.
	PersonLink(tx *store.Tx, person campaign.PersonID, role campaign.Role, now time.Time) (string, error)
	// Revoke ends every link and session of the person.
	Revoke(tx *store.Tx, person campaign.PersonID) error
	// LinkTTL is how long a link lasts.
	LinkTTL() time.Duration
}

// cmdPage (/trang) gives the person a link to the web page of figures:
// leaders see the zone and (hamlet heads) their hamlet, admins everything,
// an officer their own figures.
func (c *cx) cmdPage(string) error {
	p := c.e.set.Pages
	if p == nil {
		c.reply("Trang số liệu trên web chưa được bật cho bot này (cần cấu hình web.public_url). Vui lòng báo người quản lý máy chủ.")
		return nil
	}
	url, err := p.PersonLink(c.tx, c.who.ID, c.who.Role, c.now)
	if err != nil {
		return err
	}
	what := map[campaign.Role]string{
		campaign.RoleAdmin:      "số liệu toàn đặc khu, từng ấp, danh sách hộ và các tệp tải về",
		campaign.RoleZoneLeader: "số liệu toàn đặc khu và từng ấp (không có thông tin cá nhân của người dân)",
		campaign.RoleInspector:  "số liệu toàn đặc khu và từng ấp (không có thông tin cá nhân của người dân)",
		campaign.RoleLeader:     "số liệu toàn đặc khu và ấp của anh/chị (không có thông tin cá nhân của người dân)",
	}[c.who.Role]
	if what == "" {
		what = "kết quả của riêng anh/chị"
	}
	c.reply("🌐 Trang số liệu của anh/chị: " + plain(url) + "\n" +
		"Trang cho xem " + what + ". Liên kết chỉ dành cho anh/chị, dùng được đến " +
		fmtDate(c.now.Add(p.LinkTTL()), c.e.set.Location) + "; đừng chuyển cho người khác. " +
		"Gõ /trang để lấy liên kết mới: liên kết cũ sẽ hết hiệu lực.")
	return nil
}

// pagesFooter ends posts for leaders with the way to the web page.
func (e *Engine) pagesFooter() string {
	if e.set.Pages == nil {
		return ""
	}
	return "\n🌐 Xem chi tiết trên trang số liệu: gửi /trang cho bot để nhận liên kết riêng."
}
