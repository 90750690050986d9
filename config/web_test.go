package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWebDefaults(t *testing.T) {
	c := Sample()
	w := c.Web
	if w.Listen != "127.0.0.1:8090" || w.PublicURL != "" || w.LinkTTL != 30*24*time.Hour ||
		w.FileTTL != 24*time.Hour || w.FileUses != 3 {
		t.Errorf("web defaults = %+v", w)
	}
	if want := filepath.Join(filepath.Dir(c.Store.Path), "web-files"); w.FilesDir != want {
		t.Errorf("files_dir = %q, want %q", w.FilesDir, want)
	}
	if w.Enabled() {
		t.Error("the web server is enabled without a public address")
	}
}

func TestWebValidate(t *testing.T) {
	// The sample's hamlets with the web keys from the environment.
	load := func(env ...string) *Config {
		t.Helper()
		c, err := Load("", env)
		if err != nil {
			t.Fatalf("%v: %v", env, err)
		}
		return c
	}
	ok := [][]string{
		{"DVCBOT_WEB_PUBLIC_URL=https://dvc.kienhai.gov.vn"},
		{"DVCBOT_WEB_PUBLIC_URL=https://dvc.kienhai.gov.vn/bang/"},
		{"DVCBOT_WEB_PUBLIC_URL=http://127.0.0.1:8090"},
		{"DVCBOT_WEB_PUBLIC_URL=http://localhost:8090", "DVCBOT_WEB_LISTEN=[::1]:8090"},
	}
	for _, env := range ok {
		if err := load(env...).Validate(false); err != nil {
			t.Errorf("%s: %v", env, err)
		}
	}
	bad := map[string]string{
		"DVCBOT_WEB_PUBLIC_URL=http://dvc.kienhai.gov.vn":      "web.public_url",
		"DVCBOT_WEB_PUBLIC_URL=https://dvc.vn/?a=1":            "web.public_url",
		"DVCBOT_WEB_PUBLIC_URL=dvc.kienhai.gov.vn":             "web.public_url",
		"DVCBOT_WEB_LISTEN=8090":                               "web.listen",
		"DVCBOT_WEB_LINK_TTL=0s":                               "web.link_ttl",
		"DVCBOT_WEB_FILE_TTL=-1h":                              "web.file_ttl",
		"DVCBOT_WEB_FILE_USES=0":                               "web.file_uses",
		"DVCBOT_WEB_PUBLIC_URL=https://user:pw@dvc.kienhai.vn": "web.public_url",
	}
	for y, key := range bad {
		err := load(y).Validate(false)
		ps := Problems(err)
		if len(ps) != 1 || ps[0].Key != key {
			t.Errorf("%s: problems %v, want one about %s", y, err, key)
			continue
		}
		if strings.Contains(ps[0].Msg, "pw") {
			t.Errorf("%s: message repeats the password: %s", y, ps[0].Msg)
		}
	}
	if c := mustParse(t, "web: {public_url: 'https://dvc.vn/'}"); c.Web.PublicURL != "https://dvc.vn" {
		t.Errorf("trailing slash kept: %q", c.Web.PublicURL)
	}
}
