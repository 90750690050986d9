package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 12 item 11: export --out writes a file only its owner can read,
// even over an existing file readable by others, and never through a
// symbolic link.
func TestExportOutIsPrivate(t *testing.T) {
	path := fillDemoStore(t)
	env := []string{"DVCBOT_STORE_PATH=" + path}
	dir := t.TempDir()
	out := filepath.Join(dir, "bang-chung.csv")
	if err := os.WriteFile(out, []byte("cũ\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(out, 0o644) // whatever the umask
	elsewhere := filepath.Join(dir, "elsewhere.txt")
	if err := os.WriteFile(elsewhere, []byte("không được ghi đè\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{out, link, filepath.Join(dir, "moi.xlsx")} {
		format := strings.TrimPrefix(filepath.Ext(target), ".")
		r := runCmd(t, "", env, "export", "--format", format, "--from", "2000-01-01", "--to", "2100-12-31", "--out", target)
		if r.err != nil {
			t.Fatalf("export --out %s: %v", target, r.err)
		}
		fi, err := os.Lstat(target)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v), want a regular file of mode 0600", target, fi.Mode(), err)
		}
	}
	if data, _ := os.ReadFile(out); !strings.HasPrefix(strings.TrimPrefix(string(data), "\ufeff"), "hamlet_id,") {
		t.Errorf("export over an existing file wrote %q", data)
	}
	if data, _ := os.ReadFile(elsewhere); string(data) != "không được ghi đè\n" {
		t.Errorf("export followed the link and wrote %q", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// Issue 12 item 11: check-config refuses a webhook secret shorter than 16
// characters, naming the key.
func TestCheckConfigShortWebhookSecret(t *testing.T) {
	cfg := writeFile(t, "dvcbot.yaml", string(mustSample(t)))
	env := []string{"DVCBOT_TELEGRAM_TOKEN=123:abc", "DVCBOT_TELEGRAM_MODE=webhook",
		"DVCBOT_TELEGRAM_WEBHOOK_URL=https://bot.example.vn/tg", "DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN=ngan-qua"}
	r := runCmd(t, "", env, "check-config", "--config", cfg)
	if r.err == nil || !strings.Contains(r.err.Error(), "telegram.webhook.secret_token") || strings.Contains(r.err.Error(), "ngan-qua") {
		t.Fatalf("check-config with an 8-character secret: %v", r.err)
	}
	env[3] = "DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN=du-dai-16-ky-tu-x"
	if r := runCmd(t, "", env, "check-config", "--config", cfg); r.err != nil {
		t.Fatalf("check-config with a 17-character secret: %v", r.err)
	}
}
