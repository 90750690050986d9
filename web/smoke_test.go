package web

import (
	"os"
	"testing"

	"dvcbot/campaign"
)

func TestSmokeWritePages(t *testing.T) {
	h := newHarness(t, sampleDB(t))
	c := h.session(adminID, campaign.RoleAdmin)
	for name, p := range map[string]string{"overview": "/", "hamlet": "/ap/bai-nha", "households": "/ap/bai-nha/ho"} {
		code, body := h.get(p, c)
		if code != 200 {
			t.Errorf("%s: %d\n%s", p, code, body)
		}
		os.WriteFile("/tmp/web-"+name+".html", []byte(body), 0o644)
	}
	c = h.session(officerID, campaign.RoleOfficer)
	code, body := h.get("/toi", c)
	if code != 200 {
		t.Errorf("/toi: %d\n%s", code, body)
	}
	os.WriteFile("/tmp/web-me.html", []byte(body), 0o644)
}
