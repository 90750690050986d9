package e2ezalo

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"
)

// tinyJPEG is a small real JPEG whose pixels depend on shade.
func tinyJPEG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.SetGray(0, 0, color.Gray{Y: 255 - shade})
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	dashboardLink = regexp.MustCompile(`https://\S+/v/[A-Za-z0-9_.-]+`)
	photoHref     = regexp.MustCompile(`href="(/anh-minh-chung/(\d+)/1)"`)
)

// Evidence photos reach the admin's household list on the web whichever
// channel they came by: a Zalo officer's picture is kept in the store, a
// Telegram officer's stays with Telegram and is fetched by its file_id
// when the admin opens it.
func TestEvidencePhotosOnWeb(t *testing.T) {
	w := newWorld(t, options{telegram: true})
	const tgOfficer = int64(700001)
	w.say(admin, "/moi bai-nha")
	w.tgSay(tgOfficer, w.lastCode())
	if m := w.tgSay(tgOfficer, "Lý Văn Hải"); !strings.Contains(m.Plain, "Đăng ký thành công") {
		t.Fatalf("Telegram join: %q", m.Plain)
	}
	if m := w.tgSay(tgOfficer, reportLine); !strings.Contains(m.Plain, "Đã lưu báo cáo số 1") {
		t.Fatalf("Telegram report: %q", m.Plain)
	}
	tgPhoto := tinyJPEG(t, 40)
	w.ftg.AddFile("TG-PHOTO-1", tgPhoto)
	before := len(w.ftg.SentTo(tgOfficer))
	w.clk.Add(typing)
	w.ftg.SendPhoto(tgOfficer, tgOfficer, "TG-PHOTO-1", "")
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := w.ftg.WaitSentTo(ctx, tgOfficer, before+1); err != nil {
		t.Fatalf("no answer to the Telegram photo: %v", err)
	}
	if m := w.ftg.SentTo(tgOfficer)[before]; !strings.Contains(m.Plain, "Đã lưu ảnh minh chứng vào báo cáo số 1") {
		t.Fatalf("Telegram photo: %q", m.Plain)
	}

	w.join(officerA, "bai-nha", "Trần Thị Bích")
	mustContain(t, text(t, w.say(officerA, "/baocao Đỗ Thị Mai; Tổ 2, ấp Bãi Nhà; 0934567890; ket hon"), officerA), "Đã lưu báo cáo số 2")
	zaloPhoto := tinyJPEG(t, 200)
	u := w.fz.HostPhoto("minh-chung.jpg", zaloPhoto)
	w.clk.Add(typing)
	mustContain(t, text(t, w.exchange(w.fz.Image(officerA.ID, officerA.Name, u, "")), officerA), "Đã lưu ảnh minh chứng vào báo cáo số 2")

	// The Zalo admin opens the web page from /trang and the hamlet's
	// household list.
	link := dashboardLink.FindString(text(t, w.say(admin, "/trang"), admin))
	if link == "" {
		t.Fatal("/trang gave no link")
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := *w.client
	c.Jar = jar
	get := func(url string) (int, []byte) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}
	if code, _ := get(link); code != http.StatusSeeOther {
		t.Fatalf("opening the link: %d", code)
	}
	code, page := get(w.site.URL + "/ap/bai-nha/ho")
	if code != http.StatusOK {
		t.Fatalf("household list: %d %.300s", code, page)
	}
	want := map[string][]byte{"1": tgPhoto, "2": zaloPhoto}
	for _, m := range photoHref.FindAllSubmatch(page, -1) {
		record := string(m[2])
		code, body := get(w.site.URL + string(m[1]))
		if code != http.StatusOK || !bytes.Equal(body, want[record]) {
			t.Errorf("photo of report %s: %d, %d bytes, want the %d bytes the officer sent", record, code, len(body), len(want[record]))
		}
		delete(want, record)
	}
	if len(want) != 0 {
		t.Errorf("the household list links no photo for reports %v", want)
	}
}
