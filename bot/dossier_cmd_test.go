package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dvcbot/chat"
	"dvcbot/dossier"
	"dvcbot/scoring"
	"dvcbot/store"
)

// docxText is the visible text of a DOCX: its paragraphs, one per line.
func docxText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a DOCX (zip): %v", err)
	}
	var doc []byte
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			doc, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if doc == nil {
		t.Fatal("DOCX without word/document.xml")
	}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("document.xml: %v", err)
		}
		switch el := tok.(type) {
		case xml.CharData:
			out.Write(el)
		case xml.EndElement:
			if el.Name.Local == "p" {
				out.WriteByte('\n')
			}
		}
	}
	return out.String()
}

// xlsxRows reads the evidence sheet of an XLSX.
func xlsxRows(t *testing.T, b []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not an XLSX: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows("Danh sách hộ")
	if err != nil {
		t.Fatalf("sheet «Danh sách hộ»: %v", err)
	}
	return rows
}

// annexRecords are the rows of an annex's evidence sheet after its header
// row (the records, then the total).
func annexRecords(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows := xlsxRows(t, b)
	for i, r := range rows {
		if len(r) > 0 && r[0] == "STT" {
			return rows[i+1:]
		}
	}
	t.Fatalf("no header row in the annex: %v", rows)
	return nil
}

func documents(t *testing.T, rs []chat.Reply) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, r := range rs {
		if r.File != nil {
			out[r.File.Name] = r.File.Bytes
		}
	}
	return out
}

func TestDossierEligibleHamlet(t *testing.T) {
	w := spotWorld(t)
	w.addOfficer(4002, "hon-nho", "leader", "Võ Văn Em")
	rs := w.text("/hoso hon-nho")
	if len(rs) != 3 {
		t.Fatalf("%d replies, want 3 documents:\n%s", len(rs), joinTexts(rs))
	}
	docs := documents(t, rs)
	for _, name := range []string{"hon-nho-to-trinh-2026-03-02.docx", "hon-nho-bien-ban-2026-03-02.docx", "hon-nho-danh-sach-ho-2026-03-02.xlsx"} {
		if len(docs[name]) == 0 {
			t.Fatalf("no document %s among %v", name, rs)
		}
	}
	mustContain(t, "caption", rs[0].Text, "Hồ sơ khen thưởng ấp Hòn Nhỏ"+chat.BoldEnd+" — số liệu tính đến hết ngày 02/03/2026",
		"✅ Ấp Hòn Nhỏ đủ tiêu chuẩn, được đề nghị khen thưởng tập thể (xếp thứ 1/06)", "Cá nhân đề nghị xét: 01.")
	mustContain(t, "annex caption", rs[2].Text, "Cộng 2 dòng: 2 lượt hướng dẫn của 2 hộ; tổng số 2 hộ.", "không chuyển tiếp")

	proposal := docxText(t, docs["hon-nho-to-trinh-2026-03-02.docx"])
	mustContain(t, "Tờ trình", proposal, "Ban Nhân dân ấp Hòn Nhỏ kính trình", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TỜ TRÌNH", "Kiên Hải, ngày 02 tháng 3 năm 2026",
		"Tổng số hộ gia đình trên địa bàn ấp: 2 hộ", "đạt 100,0%", "Nguyễn Thị Dung", "Võ Văn Em", "Tập thể xếp thứ 1/06")
	minutes := docxText(t, docs["hon-nho-bien-ban-2026-03-02.docx"])
	mustContain(t, "Biên bản", minutes, "BIÊN BẢN", "Hòn Nhỏ", "Số hộ được cán bộ ấp trực tiếp hướng dẫn: 2 hộ", "tổng số thủ tục dịch vụ công trực tuyến đã hướng dẫn: 2 thủ tục",
		"Đăng ký khai sinh", "Nguyễn Thị Dung", "chưa có trường hợp nào được kiểm tra")

	rows := annexRecords(t, docs["hon-nho-danh-sach-ho-2026-03-02.xlsx"])
	if len(rows) != 3 || !strings.HasPrefix(strings.Join(rows[2], " "), "Cộng 2 dòng") {
		t.Fatalf("annex has %d rows after its header, want 2 records and the total: %v", len(rows), rows)
	}
	mustContain(t, "annex", strings.Join(append(rows[0], rows[1]...), "|"), "Hộ Số Tám", "Hộ Số Chín", "0912345608", "Nguyễn Thị Dung", "Đăng ký khai sinh")
}

func TestDossierAfterAFailedCheck(t *testing.T) {
	w := spotWorld(t)
	id := cardOf(t, w.text("/kiemtra"), "Hòn Nhỏ")
	w.press(w.choice("kt:" + id + ":f"))
	w.text("Hộ nói không được ai hướng dẫn")

	rs := w.text("/hoso hon-nho")
	if len(rs) != 3 {
		t.Fatalf("%d replies, want 3:\n%s", len(rs), joinTexts(rs))
	}
	// Nobody of the hamlet can be proposed: no Tờ trình, said plainly.
	if rs[0].File != nil {
		t.Fatalf("a Tờ trình with nothing to propose: %+v", rs[0])
	}
	mustContain(t, "first reply", rs[0].Text, "⚠️ Ấp Hòn Nhỏ chưa đủ tiêu chuẩn khen thưởng tập thể: kiểm tra ngẫu nhiên không đạt ngày 02/03/2026",
		"Không có cá nhân nào của ấp được đề nghị xét", "Không lập Tờ trình")
	docs := documents(t, rs)
	minutes := docxText(t, docs["hon-nho-bien-ban-2026-03-02.docx"])
	mustContain(t, "Biên bản", minutes, "Tập thể chưa đủ tiêu chuẩn đề nghị khen thưởng tập thể tính đến ngày 02/03/2026: kiểm tra ngẫu nhiên không đạt",
		"Cá nhân Nguyễn Thị Dung chưa được đề nghị xét khen thưởng: kiểm tra ngẫu nhiên không đạt", "không đạt 1")
	if len(docs["hon-nho-danh-sach-ho-2026-03-02.xlsx"]) == 0 {
		t.Fatal("no annex")
	}
}

func TestDossierIneligibleHamletWithIndividuals(t *testing.T) {
	w := spotWorld(t)
	w.text("/kiemtra 1 bai-nha") // one record drawn, awaiting a call
	rs := w.text("/hoso bai-nha")
	docs := documents(t, rs)
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3:\n%s", len(docs), joinTexts(rs))
	}
	mustContain(t, "caption", rs[0].Text, "chưa đủ tiêu chuẩn khen thưởng tập thể: độ phủ 0,6% < 95,0%", "Cá nhân đề nghị xét: 02.")
	proposal := docxText(t, docs["bai-nha-to-trinh-2026-03-02.docx"])
	mustContain(t, "Tờ trình", proposal, "Lê Văn Tám", "Trần Thị Bích", "Tập thể chưa đủ tiêu chuẩn đề nghị khen thưởng tập thể tính đến ngày 02/03/2026: độ phủ 0,6% < 95,0%")
	mustContain(t, "Biên bản", docxText(t, docs["bai-nha-bien-ban-2026-03-02.docx"]), "Tổng số hộ gia đình trên địa bàn ấp: 812 hộ", "5 hộ", "chưa có kết quả 1")
}

func TestDossierUsageAndAccess(t *testing.T) {
	w := spotWorld(t)
	for _, tc := range []struct {
		user     int64
		in, want string
	}{
		{adminID, "/hoso", "Cách dùng: " + code("/hoso <mã ấp>")},
		{adminID, "/hoso dao-ngoc", "Không có ấp mã «dao-ngoc»"},
		{adminID, "/hoso bai-nha nam-du", "Cách dùng"},
		{officerID, "/hoso bai-nha", "Lệnh /hoso chỉ dành cho trưởng ấp và quản trị viên"},
	} {
		w.user = tg(tc.user)
		rs := w.text(tc.in)
		mustContain(t, tc.in, joinTexts(rs), tc.want)
		if len(documents(t, rs)) != 0 {
			t.Errorf("%q sent documents", tc.in)
		}
	}
	w.user = tg(adminID)
	if rs := w.group("/hoso bai-nha"); len(documents(t, rs)) != 0 || !strings.Contains(joinTexts(rs), msgPrivateOnly) {
		t.Errorf("/hoso in the group: %s", joinTexts(rs))
	}
}

func TestEngineDossier(t *testing.T) {
	w := spotWorld(t)
	d, err := w.eng.Dossier(context.Background(), "hon-nho", scoring.NewDate(2026, 3, 2))
	if err != nil {
		t.Fatal(err)
	}
	h := d.Input.Hamlet
	if !d.Input.Eligible || d.Rank != 1 || h.Households != 2 || h.Guided != 2 || h.Able != 2 || h.Coverage != 1 || h.Procedures != 2 ||
		h.DaysMet != 1 || d.Records != 2 || len(d.Input.Individuals) != 1 || d.Input.Individuals[0].Households != 2 || d.Input.Zone != DossierZone {
		t.Fatalf("dossier = %+v", d)
	}
	if _, err := dossier.WriteDossier(t.TempDir(), d.Input, d.Evidence); err != nil {
		t.Fatalf("WriteDossier: %v", err)
	}
	// As of the day before the reports, nothing counts.
	d, err = w.eng.Dossier(context.Background(), "hon-nho", scoring.NewDate(2026, 3, 1))
	if err != nil {
		t.Fatal(err)
	}
	if d.Input.Eligible || d.Input.Hamlet.Guided != 0 || d.Records != 0 {
		t.Fatalf("dossier as of the day before = %+v", d)
	}
	if _, err := w.eng.Dossier(context.Background(), "dao-ngoc", scoring.NewDate(2026, 3, 2)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown hamlet: err = %v, want ErrNotFound", err)
	}
}
