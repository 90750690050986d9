package config

import (
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Web configures the dashboard leaders open from a signed link (/trang)
// and the signed links through which files and pictures reach people on
// channels that cannot send them (Zalo). One listener serves both, behind
// the reverse proxy that answers PublicURL.
type Web struct {
	// Listen is the local address of the web server; empty disables it.
	Listen string `json:"listen"`
	// PublicURL is the https address the reverse proxy forwards to Listen
	// (links are built on it); empty disables the dashboard and file links.
	PublicURL string `json:"public_url"`
	// LinkTTL is how long a personal dashboard link (and its session) lasts.
	LinkTTL time.Duration `json:"link_ttl"`
	// FileTTL is how long a file link lasts; the file is deleted after it.
	FileTTL time.Duration `json:"file_ttl"`
	// FileUses is how many downloads a file link allows.
	FileUses int `json:"file_uses"`
	// FilesDir holds the files behind file links; default "web-files"
	// beside the data file.
	FilesDir string `json:"files_dir"`
}

// Enabled reports whether the web server is configured to run.
func (w Web) Enabled() bool { return w.Listen != "" && w.PublicURL != "" }

// webDefaults are the web.* keys with their defaults.
func webDefaults() []struct {
	key string
	val any
} {
	return []struct {
		key string
		val any
	}{
		{"web.listen", "127.0.0.1:8090"},
		{"web.public_url", ""},
		{"web.link_ttl", "720h"},
		{"web.file_ttl", "24h"},
		{"web.file_uses", 3},
		{"web.files_dir", ""},
	}
}

// web reads the web.* keys; storePath places the default files folder.
func (r *reader) web(storePath string) Web {
	w := Web{
		Listen:    strings.TrimSpace(r.str("web.listen")),
		PublicURL: strings.TrimRight(strings.TrimSpace(r.str("web.public_url")), "/"),
		LinkTTL:   r.duration("web.link_ttl"),
		FileTTL:   r.duration("web.file_ttl"),
		FileUses:  r.int("web.file_uses"),
		FilesDir:  strings.TrimSpace(r.str("web.files_dir")),
	}
	if w.FilesDir == "" && storePath != "" {
		w.FilesDir = filepath.Join(filepath.Dir(storePath), "web-files")
	}
	return w
}

func (c *Config) validateWeb(v *validator) {
	w := c.Web
	if w.Listen != "" {
		if _, _, err := net.SplitHostPort(w.Listen); err != nil {
			v.fail("web.listen", `cần dạng máy:cổng, ví dụ "127.0.0.1:8090" (để trống nếu không dùng trang web)`)
		}
	}
	if w.PublicURL != "" {
		u, err := url.Parse(w.PublicURL)
		switch {
		case err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
			v.fail("web.public_url", `cần một địa chỉ đầy đủ, không có ?… hay #…, ví dụ "https://dvc.kienhai.gov.vn"`)
		case u.Scheme == "http" && isLoopback(u.Hostname()):
			// Local trials (dvcbot demo) only.
		case u.Scheme != "https":
			v.fail("web.public_url", `phải bắt đầu bằng https:// (máy chủ ủy quyền như Caddy hay nginx giữ chứng chỉ); chỉ địa chỉ máy này (127.0.0.1, localhost) mới được dùng http://`)
		}
	}
	if w.LinkTTL <= 0 {
		v.fail("web.link_ttl", `phải lớn hơn 0 — ví dụ "720h" hoặc "30d"`)
	}
	if w.FileTTL <= 0 {
		v.fail("web.file_ttl", `phải lớn hơn 0 — ví dụ "24h"`)
	}
	if w.FileUses < 1 {
		v.fail("web.file_uses", "phải từ 1 trở lên (số lần tải một tệp), đang là %d", w.FileUses)
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
