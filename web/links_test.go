package web

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/store"
)

// newStore is an empty store of the sample's hamlets with a few people.
func newStore(t testing.TB) *store.DB {
	t.Helper()
	now := sampleNow
	db, err := store.Open(filepath.Join(t.TempDir(), "t.db"), store.Options{Now: func() time.Time { return now }, Location: zoneLoc, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *store.Tx) error {
		if err := tx.SyncHamlets(sampleCfg.Hamlets); err != nil {
			return err
		}
		for _, o := range []campaign.Officer{
			{ID: adminID, FullName: "Quản Trị Thử", Role: campaign.RoleAdmin, Active: true},
			{ID: zoneLeaderID, FullName: "Lãnh Đạo Thử", Role: campaign.RoleZoneLeader, Active: true},
			{ID: headID, FullName: "Trưởng Ấp Thử", HamletID: "bai-nha", Role: campaign.RoleLeader, Active: true},
			{ID: officerID, FullName: "Cán Bộ Thử", HamletID: "bai-nha", Role: campaign.RoleOfficer, Active: true},
		} {
			if err := tx.PutOfficer(o, 0, "officer.test"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestOpenLinkSetsSessionAndDropsToken(t *testing.T) {
	h := newHarness(t, newStore(t))
	link := h.link(zoneLeaderID, campaign.RoleZoneLeader)
	if !strings.HasPrefix(link, "https://dvc.example.vn/v/") {
		t.Fatalf("link %q", link)
	}
	res := h.do("GET", link, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("open link: %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, x := range res.Cookies() {
		if x.Name == sessionCookie {
			c = x
		}
	}
	if c == nil {
		t.Fatal("no session cookie")
	}
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie flags: HttpOnly %v Secure %v SameSite %v Path %q", c.HttpOnly, c.Secure, c.SameSite, c.Path)
	}
	if want := sampleNow.Add(30 * 24 * time.Hour); c.Expires.Before(want.Add(-time.Second)) || c.Expires.After(want.Add(time.Second)) {
		t.Errorf("cookie expires %v, want 30 days from now (%v)", c.Expires, want)
	}
	if strings.Contains(c.Value, strings.TrimPrefix(link, "https://dvc.example.vn/v/")) {
		t.Error("the session cookie is the link's token itself")
	}
	if code, body := h.get("/", c); code != 200 || !strings.Contains(body, "Bảng xếp hạng hôm nay") {
		t.Errorf("overview with the session: %d", code)
	}
	// The link's token is never a session, nor the other way round.
	tok := strings.TrimPrefix(link, "https://dvc.example.vn/v/")
	if code, body := h.get("/", &http.Cookie{Name: sessionCookie, Value: tok}); code != 403 || !strings.Contains(body, "Liên kết không đúng") {
		t.Errorf("link token as cookie: %d", code)
	}
	if code, _ := h.get("/v/"+c.Value, nil); code != 403 {
		t.Errorf("session cookie as link: %d", code)
	}
}

func TestRefusedLinks(t *testing.T) {
	db := newStore(t)
	h := newHarness(t, db)
	const again = "/trang"
	check := func(name, target string, c *http.Cookie, wantCode int, wantText string) {
		t.Helper()
		code, body := h.get(target, c)
		if code != wantCode || !strings.Contains(body, wantText) || !strings.Contains(body, again) {
			t.Errorf("%s: %d, want %d with %q and how to get a new link; body:\n%s", name, code, wantCode, wantText, clip(body))
		}
	}
	check("no session", "/", nil, 403, "Cần liên kết cá nhân")
	link := h.link(headID, campaign.RoleLeader)
	check("forged", link[:len(link)-2]+"xy", nil, 403, "Liên kết không đúng")
	check("garbage", "/v/abc", nil, 403, "Liên kết không đúng")

	// Expired: 30 days later the link and its session stop.
	c := h.session(headID, campaign.RoleLeader)
	link = h.link(headID, campaign.RoleLeader) // a newer link revokes the session just made
	check("revoked by a newer link", "/", c, 403, "không còn hiệu lực")
	res := h.do("GET", link, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("newest link: %d", res.StatusCode)
	}
	c = res.Cookies()[0]
	h.clock.Add(30*24*time.Hour - time.Second)
	if code, _ := h.get("/", c); code != 200 {
		t.Errorf("a second before expiry: %d", code)
	}
	h.clock.Add(time.Second)
	check("expired session", "/", c, 403, "Liên kết đã hết hạn")
	check("expired link", link, nil, 403, "Liên kết đã hết hạn")

	// Revoke (/vohieu), deactivation and a change of role.
	h.clock.Add(-30 * 24 * time.Hour)
	c = h.session(headID, campaign.RoleLeader)
	if err := db.Update(func(tx *store.Tx) error { return h.srv.Revoke(tx, headID) }); err != nil {
		t.Fatal(err)
	}
	check("revoked", "/", c, 403, "không còn hiệu lực")
	c = h.session(headID, campaign.RoleLeader)
	setOfficer(t, db, headID, func(o *campaign.Officer) { o.Active = false })
	check("deactivated", "/", c, 403, "không còn hiệu lực")
	setOfficer(t, db, headID, func(o *campaign.Officer) { o.Active = true })
	c = h.session(headID, campaign.RoleLeader)
	setOfficer(t, db, headID, func(o *campaign.Officer) { o.Role = campaign.RoleOfficer })
	check("role changed", "/", c, 403, "không còn hiệu lực")
	// A refused session is forgotten by the browser.
	res = h.do("GET", "/", nil, c)
	if cs := res.Cookies(); len(cs) != 1 || cs[0].Name != sessionCookie || cs[0].MaxAge >= 0 {
		t.Errorf("refused session not cleared: %v", cs)
	}
	// An unknown person's link is refused, not a server error.
	var u string
	if err := db.Update(func(tx *store.Tx) (err error) {
		u, err = h.srv.PersonLink(tx, 999, campaign.RoleAdmin, h.clock.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("unknown person", u, nil, 403, "không còn hiệu lực")
}

func setOfficer(t *testing.T, db *store.DB, id campaign.PersonID, f func(*campaign.Officer)) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		o, err := tx.Officer(id)
		if err != nil {
			return err
		}
		f(&o)
		return tx.PutOfficer(o, 0, "officer.test")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConfigAdminWithoutRecord(t *testing.T) {
	db := newStore(t)
	srv, err := New(t.Context(), &StoreSource{DB: db, Admins: []campaign.PersonID{555}}, Options{PublicURL: "https://x.vn", Params: params()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	h := &harness{t: t, db: db, srv: srv, clock: &clock{t: sampleNow}}
	c := h.session(555, campaign.RoleAdmin)
	if code, _ := h.get("/ap/bai-nha/ho", c); code != 200 {
		t.Errorf("config admin: households %d", code)
	}
}

func TestSecurityHeadersAndNotFound(t *testing.T) {
	h := newHarness(t, newStore(t))
	c := h.session(adminID, campaign.RoleAdmin)
	for _, tc := range []struct {
		method, target string
		code           int
	}{
		{"GET", "/", 200},
		{"GET", "/khong-co", 404},
		{"GET", "/ap/khong-co-ap-nay", 404},
		{"DELETE", "/", 404},
		{"POST", "/", 404},
		{"PUT", "/ap/bai-nha", 404},
		{"GET", "/.env", 404},
		{"GET", "/kieu.css", 200},
		{"GET", "/v/", 404},
	} {
		res := h.do(tc.method, tc.target, nil, c)
		if res.StatusCode != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.target, res.StatusCode, tc.code)
		}
		hd := res.Header
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s %s: CSP %q", tc.method, tc.target, csp)
		}
		if hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s %s: headers %v", tc.method, tc.target, hd)
		}
		if tc.target != "/kieu.css" && hd.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", tc.method, tc.target, hd.Get("Cache-Control"))
		}
	}
	if code, body := h.get("/khong-co", c); code != 404 || !strings.Contains(body, "Không có trang này") {
		t.Errorf("404 page: %d", code)
	}
}

func TestPathPrefix(t *testing.T) {
	h := newHarness(t, newStore(t), func(o *Options) { o.PublicURL = "https://dvc.example.vn/bang/" })
	link := h.link(adminID, campaign.RoleAdmin)
	if !strings.HasPrefix(link, "https://dvc.example.vn/bang/v/") {
		t.Fatalf("link %q", link)
	}
	res := h.do("GET", link, nil)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/bang/" {
		t.Fatalf("open: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	c := res.Cookies()[0]
	if c.Path != "/bang/" {
		t.Errorf("cookie path %q", c.Path)
	}
	if code, body := h.get("/bang/", c); code != 200 || !strings.Contains(body, `href="/bang/kieu.css"`) || !strings.Contains(body, `href="/bang/ap/bai-nha"`) {
		t.Errorf("page under the prefix: %d", code)
	}
	for _, p := range []string{"/", "/ap/bai-nha", "/bangx/", "/kieu.css"} {
		if code, _ := h.get(p, c); code != 404 {
			t.Errorf("%s outside the prefix: %d, want 404", p, code)
		}
	}
}

func TestRequestLimit(t *testing.T) {
	h := newHarness(t, newStore(t))
	c := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	// A leader browsing freely: a page a second for ten minutes.
	for i := range 600 {
		if code, _ := h.get("/", c); code != 200 {
			t.Fatalf("page %d at one a second: %d", i, code)
		}
		h.clock.Add(time.Second)
	}
	// 60 pages in one minute, never stopped.
	for i := range 60 {
		if code, _ := h.get("/", c); code != 200 {
			t.Fatalf("page %d of 60 in a minute: %d", i, code)
		}
		h.clock.Add(time.Second)
	}
	// A loop with no pause is stopped, and others are not.
	stopped := 0
	for range 300 {
		if code, _ := h.get("/", c); code == http.StatusTooManyRequests {
			stopped++
		}
	}
	if stopped == 0 {
		t.Error("300 requests at once were never limited")
	}
	other := h.session(adminID, campaign.RoleAdmin)
	if code, _ := h.get("/", other); code != 200 {
		t.Errorf("another person limited too: %d", code)
	}
	h.clock.Add(time.Minute)
	if code, _ := h.get("/", c); code != 200 {
		t.Errorf("a minute later: %d", code)
	}
}

func TestLogsHoldNoTokensNorPersonalData(t *testing.T) {
	db := sampleDB(t)
	h := newHarness(t, db)
	link := h.link(adminID, campaign.RoleAdmin)
	res := h.do("GET", link, nil)
	c := res.Cookies()[0]
	h.get("/ap/bai-nha/ho", c)
	h.do("POST", "/ap/bai-nha/ho", strings.NewReader("q=Nguy%E1%BB%85n"), c)
	h.get(link+"x", nil)
	log := h.logText()
	if !strings.Contains(log, `route="GET /ap/{hamlet}/ho"`) {
		t.Fatalf("no request line in the log:\n%s", log)
	}
	tok := strings.TrimPrefix(link, "https://dvc.example.vn/v/")
	for _, bad := range []string{tok, c.Value, "Nguyễn", "Nguy%", "bai-nha"} {
		if strings.Contains(log, bad) {
			t.Errorf("log holds %q:\n%s", bad, log)
		}
	}
}

func clip(s string) string {
	if i := strings.Index(s, "<main>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 800 {
		s = s[:800] + "…"
	}
	return s
}

func TestConfigOptions(t *testing.T) {
	c := *sampleCfg
	c.Web.PublicURL = "https://dvc.kienhai.gov.vn"
	o := ConfigOptions(&c, params())
	if o.PublicURL != c.Web.PublicURL || o.LinkTTL != 30*24*time.Hour || o.FileTTL != 24*time.Hour || o.FileUses != 3 ||
		o.FilesDir == "" || o.Location != zoneLoc || len(o.Procedures) != 13 || o.CampaignName == "" {
		t.Errorf("ConfigOptions = %+v", o)
	}
	srv, err := New(t.Context(), &StoreSource{DB: newStore(t)}, o)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, err := New(t.Context(), &StoreSource{DB: newStore(t)}, ConfigOptions(sampleCfg, params())); err == nil {
		t.Error("a server without a public address was made")
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, newStore(t))
	c := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	if res := h.doWithOrigin("POST", "/thoat", nil, "https://evil.example", c); res.StatusCode != 403 || len(res.Cookies()) != 0 {
		t.Errorf("cross-site logout: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	res := h.doWithOrigin("POST", "/thoat", nil, "https://dvc.example.vn", c)
	if res.StatusCode != 200 || len(res.Cookies()) != 1 || res.Cookies()[0].MaxAge >= 0 {
		t.Errorf("logout: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	if code, _ := h.get("/thoat", c); code != 404 {
		t.Errorf("GET /thoat: %d", code)
	}
	// An oversized search is refused, not read.
	a := h.session(adminID, campaign.RoleAdmin)
	res = h.do("POST", "/ap/bai-nha/ho", strings.NewReader("q="+strings.Repeat("a", 100_000)), a)
	if res.StatusCode != 403 {
		t.Errorf("oversized form: %d", res.StatusCode)
	}
}
