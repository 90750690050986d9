package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dvcbot/export"
)

// Issue 12 item 11 and issue 11: export --out writes a new file only its
// owner can read; it never overwrites an existing file (an earlier export,
// readable by others or not) and never writes through a symbolic link: both
// are refused and left as they were.
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
	for _, target := range []string{out, link} {
		r := runCmd(t, "", env, "export", "--format", "csv", "--from", "2000-01-01", "--to", "2100-12-31", "--out", target)
		if !errors.Is(r.err, export.ErrFileExists) {
			t.Errorf("export --out %s over an existing name: %v", target, r.err)
		}
	}
	if data, _ := os.ReadFile(out); string(data) != "cũ\n" {
		t.Errorf("export overwrote an existing file with %q", data)
	}
	if data, _ := os.ReadFile(elsewhere); string(data) != "không được ghi đè\n" {
		t.Errorf("export followed the link and wrote %q", data)
	}
	target := filepath.Join(dir, "moi.xlsx")
	if r := runCmd(t, "", env, "export", "--format", "xlsx", "--from", "2000-01-01", "--to", "2100-12-31", "--out", target); r.err != nil {
		t.Fatalf("export --out %s: %v", target, r.err)
	}
	fi, err := os.Lstat(target)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v (%v), want a regular file of mode 0600", target, fi.Mode(), err)
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
