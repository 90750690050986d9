package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/store"
)

// The file links satisfy what the Zalo transport asks for.
var (
	_ interface {
		Link(ctx context.Context, to chat.Address, f chat.File) (url string, expires time.Time, uses int, err error)
	} = (*Files)(nil)
	_ interface {
		OneTime(ctx context.Context, f chat.File) (url string, err error)
	} = (*Files)(nil)
)

func TestFileLink(t *testing.T) {
	db := newStore(t)
	h := newHarness(t, db)
	files := h.srv.Files()
	content := []byte("PK\x03\x04 báo cáo quý")
	u, expires, uses, err := files.Link(t.Context(), chat.Addr(chat.Zalo, "100001"), chat.File{Name: "Báo cáo quý II – ấp Bãi Nhà.xlsx", Bytes: content})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://dvc.example.vn/tep/") || !expires.Equal(sampleNow.Add(24*time.Hour)) || uses != 3 {
		t.Fatalf("Link = %q, %v, %d", u, expires, uses)
	}
	// The page names the file and takes no download (a link preview).
	for range 5 {
		code, body := h.get(u, nil)
		if code != 200 || !strings.Contains(body, "Báo cáo quý II – ấp Bãi Nhà.xlsx") || !strings.Contains(body, "còn 3 lần tải") {
			t.Fatalf("file page: %d\n%s", code, clip(body))
		}
	}
	download := u + "/tai"
	for i := range 3 {
		res := h.do("GET", download, nil)
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 || string(b) != string(content) {
			t.Fatalf("download %d: %d %q", i+1, res.StatusCode, b)
		}
		hd := res.Header
		if hd.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" ||
			hd.Get("Content-Disposition") != `attachment; filename="bao-cao-quy-ii-ap-bai-nha.xlsx"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20II%20%E2%80%93%20%E1%BA%A5p%20B%C3%A3i%20Nh%C3%A0.xlsx` ||
			hd.Get("Cache-Control") != "no-store" || hd.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download headers: %v", hd)
		}
	}
	// Used up: refused, and the file is gone.
	if code, body := h.get(download, nil); code != 403 || !strings.Contains(body, "/report") {
		t.Errorf("fourth download: %d", code)
	}
	if code, _ := h.get(u, nil); code != 403 {
		t.Errorf("page of a used-up link: %d", code)
	}
	if left := filesIn(t, h.srv.opt.FilesDir); len(left) != 0 {
		t.Errorf("files left after the last download: %v", left)
	}
	// Every download is audited, without names.
	var audited int
	if err := db.View(func(tx *store.Tx) error {
		log, err := tx.AuditLog(0, 0)
		for _, e := range log {
			if e.Action == "web.file_download" {
				audited++
				if e.Actor != 100001 || strings.Contains(e.After, "Bãi") {
					t.Errorf("audit entry %+v", e)
				}
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if audited != 3 {
		t.Errorf("%d downloads audited, want 3", audited)
	}
}

func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestFileLinkRefusals(t *testing.T) {
	db := newStore(t)
	h := newHarness(t, db)
	files := h.srv.Files()
	link := func(to string) string {
		t.Helper()
		u, _, _, err := files.Link(t.Context(), chat.Addr(chat.Telegram, to), chat.File{Name: "sao-luu.db", Bytes: []byte("backup")})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	u := link("100001")
	tok := strings.TrimPrefix(u, "https://dvc.example.vn/tep/")
	// Forged: any change to the token.
	for _, bad := range []string{tok[:len(tok)-1] + "A", "A" + tok[1:], tok[:20], "x", strings.Repeat("A", len(tok))} {
		if bad == tok {
			continue
		}
		for _, p := range []string{"/tep/" + bad, "/tep/" + bad + "/tai"} {
			if code, body := h.get(p, nil); code != 403 || !strings.Contains(body, "Liên kết tải tệp không dùng được") {
				t.Errorf("forged %s: %d", p, code)
			}
		}
	}
	// Bound to the person: a token for another person over the same file
	// (made with the server's own key, as no attacker can) is refused.
	c, err := h.srv.sign.readFile(tok, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	c.Person = zoneLeaderID
	if code, _ := h.get("/tep/"+h.srv.sign.fileToken(c)+"/tai", nil); code != 403 {
		t.Errorf("token moved to another person: %d", code)
	}
	// A browser with someone else's session is refused; the person's own is welcome.
	other := h.session(zoneLeaderID, campaign.RoleZoneLeader)
	if code, body := h.get(u+"/tai", other); code != 403 || !strings.Contains(body, "người khác") {
		t.Errorf("someone else's session: %d", code)
	}
	own := h.session(adminID, campaign.RoleAdmin)
	if code, _ := h.get(u+"/tai", own); code != 200 {
		t.Errorf("the person's own session: %d", code)
	}
	// Expired: refused at the second it expires, and swept away.
	u2 := link("100001")
	h.clock.Add(24*time.Hour - time.Second)
	if code, _ := h.get(u2, nil); code != 200 {
		t.Errorf("a second before expiry: %d", code)
	}
	if n, err := files.Sweep(t.Context()); err != nil || n != 0 {
		t.Errorf("sweep before expiry: %d, %v", n, err)
	}
	h.clock.Add(time.Second)
	for _, p := range []string{u2, u2 + "/tai", u, u + "/tai"} {
		if code, body := h.get(p, nil); code != 403 || !strings.Contains(body, "hết hạn") {
			t.Errorf("expired %s: %d", p, code)
		}
	}
	if n, err := files.Sweep(t.Context()); err != nil || n != 2 {
		t.Errorf("sweep after expiry deleted %d files, %v; want 2", n, err)
	}
	if left := filesIn(t, h.srv.opt.FilesDir); len(left) != 0 {
		t.Errorf("files left after the sweep: %v", left)
	}
	recs, _ := (&StoreSource{DB: db}).Files(t.Context())
	if len(recs) != 0 {
		t.Errorf("records left after the sweep: %v", recs)
	}
	// A file no record names (a crash between writing and recording) goes
	// once a minute old.
	stray := filepath.Join(h.srv.opt.FilesDir, "0123")
	if err := os.WriteFile(stray, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := h.clock.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(stray, old, old); err != nil {
		t.Fatal(err)
	}
	if n, err := files.Sweep(t.Context()); err != nil || n != 1 {
		t.Errorf("stray file: swept %d, %v", n, err)
	}
	// Nobody to send to: an error, no file kept.
	if _, _, _, err := files.Link(t.Context(), chat.Addr(chat.Zalo, "not-a-number"), chat.File{Name: "a.xlsx"}); err == nil {
		t.Error("a link for an unknown address was made")
	}
	if left := filesIn(t, h.srv.opt.FilesDir); len(left) != 0 {
		t.Errorf("files left: %v", left)
	}
}

func TestFileSweepRun(t *testing.T) {
	h := newHarness(t, newStore(t))
	files := h.srv.Files()
	if _, _, _, err := files.Link(t.Context(), chat.Addr(chat.Zalo, "100001"), chat.File{Name: "a.docx", Bytes: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	tick := make(chan time.Time)
	done := make(chan error)
	go func() { done <- files.Run(ctx, tick) }()
	h.clock.Add(25 * time.Hour)
	tick <- h.clock.Now() // the sweep after this tick sees the file expired
	tick <- h.clock.Now() // and has finished once the next tick is taken
	if left := filesIn(t, h.srv.opt.FilesDir); len(left) != 0 {
		t.Errorf("files left after a tick: %v", left)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestOneTimePhoto(t *testing.T) {
	h := newHarness(t, newStore(t))
	files := h.srv.Files()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	u, err := files.OneTime(t.Context(), chat.File{Name: "bang-xep-hang.png", Bytes: png})
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u, "https://dvc.example.vn/anh/")
	if len(name) != 22+len(".png") || !strings.HasSuffix(name, ".png") {
		t.Fatalf("one-time URL %q: want 128 random bits", u)
	}
	u2, _ := files.OneTime(t.Context(), chat.File{Name: "bang-xep-hang.png", Bytes: png})
	if u2 == u {
		t.Fatal("two photos share a URL")
	}
	res := h.do("HEAD", u, nil) // a HEAD does not use it up
	if res.StatusCode != 200 {
		t.Errorf("HEAD: %d", res.StatusCode)
	}
	res = h.do("GET", u, nil)
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || string(b) != string(png) || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("first fetch: %d %q %q", res.StatusCode, b, res.Header.Get("Content-Type"))
	}
	if code, _ := h.get(u, nil); code != http.StatusNotFound {
		t.Errorf("second fetch: %d, want 404", code)
	}
	// After two minutes the other one is gone unfetched.
	h.clock.Add(2 * time.Minute)
	if code, _ := h.get(u2, nil); code != http.StatusNotFound {
		t.Errorf("fetch after 2 minutes: %d, want 404", code)
	}
	if code, _ := h.get("/anh/AAAAAAAAAAAAAAAAAAAAAA.png", nil); code != http.StatusNotFound {
		t.Errorf("guessed URL: %d", code)
	}
	// A picture without a picture's name is recognised; a document is refused.
	if u, err := files.OneTime(t.Context(), chat.File{Name: "chart", Bytes: png}); err != nil || !strings.HasSuffix(u, ".png") {
		t.Errorf("unnamed PNG: %q, %v", u, err)
	}
	if _, err := files.OneTime(t.Context(), chat.File{Name: "x.xlsx", Bytes: []byte("PK\x03\x04")}); err == nil {
		t.Error("a document was given a photo URL")
	}
}

func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"bao-cao-2026-q2.xlsx":    `attachment; filename="bao-cao-2026-q2.xlsx"; filename*=UTF-8''bao-cao-2026-q2.xlsx`,
		`Tờ trình "ấp" Đồng.docx`: `attachment; filename="to-trinh-ap-dong.docx"; filename*=UTF-8''T%E1%BB%9D%20tr%C3%ACnh%20%22%E1%BA%A5p%22%20%C4%90%E1%BB%93ng.docx`,
		"sao lưu 28/11.db":        `attachment; filename="sao-luu-28-11.db"; filename*=UTF-8''sao%20l%C6%B0u%2028%2F11.db`,
		"Ấp;\r\nX-Evil: 1.xlsx":   `attachment; filename="ap-x-evil-1.xlsx"; filename*=UTF-8''%E1%BA%A4p%3B%0D%0AX-Evil%3A%201.xlsx`,
	} {
		if got := contentDisposition("attachment", name); got != want {
			t.Errorf("contentDisposition(%q)\n got %s\nwant %s", name, got, want)
		}
	}
	if got := cleanFileName("../../etc/passwd\x00.xlsx"); strings.ContainsAny(got, "/\x00") || strings.HasPrefix(got, ".") {
		t.Errorf("cleanFileName = %q", got)
	}
}
