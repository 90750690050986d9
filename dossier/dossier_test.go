package dossier

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var (
	update = flag.Bool("update", false, "rewrite the golden files in testdata")
	keep   = flag.String("keep", "", "keep the DOCX and PDF files of the LibreOffice test in this directory")
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, vnZone) }

// sample is an eligible hamlet with two individuals.
func sample() Input {
	return Input{
		Zone:     "Kiên Hải",
		Campaign: "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến",
		Hamlet: Hamlet{
			ID: "hon-tre", Name: "Hòn Tre",
			Households: 1234, Guided: 1030, Able: 1180, Coverage: 1180.0 / 1234,
			K: 1, SpecialProgress: 993.0 / 1234, SpecialDone: 993, SpecialNeeded: 1173,
			DaysMet: 300, DaysElapsed: 332, LongestStreak: 120,
			Procedures: 1600,
			ProceduresByName: []NameCount{
				{"gia hạn thẻ BHYT hộ gia đình", 1050}, {"đăng ký khai sinh", 300}, {"đăng ký thường trú", 250},
			},
			ChecksPassed: 118, ChecksFailed: 0, ChecksUnreachable: 2, ChecksTotal: 125,
			CoverageReachedOn: day(2026, 10, 15),
			From:              day(2026, 1, 1), To: day(2026, 11, 28),
		},
		Individuals: []Individual{
			{Name: "Nguyễn Thị Hồng Nhung", Role: "Phó Trưởng ấp", Affiliation: "Ban Nhân dân ấp", Households: 420, Procedures: 610, DaysActive: 280},
			{Name: "Trần Văn Đước", Role: "Thành viên", Affiliation: "Tổ công nghệ số cộng đồng", Households: 630, Procedures: 990, DaysActive: 301},
		},
		// 20 households were guided by both: the table counts them once.
		IndividualsHouseholds: 1030,
		Date:                  day(2026, 11, 28),
		Leader:                "Lê Văn Sơn",
		Eligible:              true,
		Notes:                 []string{"Ấp có cách làm hay: lập nhóm Zalo hỗ trợ bà con cài đặt VNeID."},
		Threshold:             0.95,
		SpecialShare:          0.95,
		CollectiveCap:         6,
	}
}

// ineligible is a hamlet below the threshold, with no date and no leader.
func ineligible() Input {
	in := sample()
	in.Hamlet.ID, in.Hamlet.Name = "hon-nghe", "Ấp Hòn Nghệ"
	in.Hamlet.Households, in.Hamlet.Guided, in.Hamlet.Able, in.Hamlet.Coverage = 300, 240, 270, 0.9
	in.Hamlet.Procedures = 380
	in.Hamlet.ProceduresByName = []NameCount{{"gia hạn thẻ BHYT hộ gia đình", 220}, {"đăng ký tạm trú", 100}, {"khác", 60}}
	in.Hamlet.DaysMet, in.Hamlet.LongestStreak = 251, 40
	in.Hamlet.K, in.Hamlet.SpecialProgress, in.Hamlet.SpecialDone, in.Hamlet.SpecialNeeded = 2, 0.42, 126, 285
	in.Hamlet.CoverageReachedOn = time.Time{}
	in.Hamlet.ChecksFailed = 1
	in.Individuals = []Individual{{Name: "Phạm Thị Ngọc Ánh", Role: "Cán bộ không chuyên trách ấp", Affiliation: "Mặt trận Tổ quốc ấp", Households: 180, Procedures: 260, DaysActive: 200}}
	in.IndividualsHouseholds = 180
	in.Date = time.Time{}
	in.Leader = ""
	in.Eligible = false
	in.Notes = []string{"Độ phủ 90,0% chưa đạt tiêu chuẩn 95,0%.\nCó 01 trường hợp kiểm tra không đạt."}
	return in
}

// beyondCap is a hamlet that meets the standard but ranks seventh: it is
// still proposed, for the council to decide.
func beyondCap() Input {
	in := sample()
	in.Hamlet.ID, in.Hamlet.Name = "bai-nha", "Bãi Nhà"
	in.Eligible, in.BeyondCap = false, true
	in.Notes = []string{"Tập thể đủ tiêu chuẩn, xếp thứ 7 trong danh sách của đặc khu."}
	return in
}

// parts unzips a DOCX and checks every XML part is well-formed.
func parts(t *testing.T, docx []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			if !bytes.HasPrefix(b, []byte("<?xml")) {
				t.Errorf("%s does not start with an XML declaration", f.Name)
			}
			dec := xml.NewDecoder(bytes.NewReader(b))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
				}
			}
		}
	}
	for _, want := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/_rels/document.xml.rels"} {
		if _, ok := out[want]; !ok {
			t.Errorf("DOCX lacks %s", want)
		}
	}
	return out
}

// plainText extracts the text of word/document.xml: one line per
// paragraph; a table row on one line with its cells separated by " | ".
func plainText(t *testing.T, docx []byte) string {
	t.Helper()
	doc := parts(t, docx)["word/document.xml"]
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var out, para strings.Builder
	var cells []string
	depth := 0 // table nesting
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			switch el.Name.Local {
			case "tbl":
				depth++
			case "tc":
				cells = append(cells, "")
			case "tab":
				if len(el.Attr) == 0 { // a tab in a run, not a tab stop
					para.WriteString("……")
				}
			case "t":
				var s string
				if err := dec.DecodeElement(&s, &el); err != nil {
					t.Fatal(err)
				}
				para.WriteString(s)
			}
		case xml.EndElement:
			switch el.Name.Local {
			case "tbl":
				depth--
			case "p":
				if depth > 0 {
					c := &cells[len(cells)-1]
					if para.Len() > 0 {
						if *c != "" {
							*c += " / "
						}
						*c += para.String()
					}
				} else {
					out.WriteString(para.String() + "\n")
				}
				para.Reset()
			case "tr":
				out.WriteString(strings.TrimRight(strings.Join(cells, " | "), " |") + "\n")
				cells = nil
			}
		}
	}
	return out.String()
}

type docCase struct {
	name string
	in   Input
	fn   func(Input) ([]byte, error)
}

func docCases() []docCase {
	return []docCase{
		{"to-trinh", sample(), Proposal},
		{"bien-ban", sample(), Minutes},
		{"to-trinh-khong-du-tieu-chuan", ineligible(), Proposal},
		{"bien-ban-khong-du-tieu-chuan", ineligible(), Minutes},
		{"to-trinh-vuot-so-luong", beyondCap(), Proposal},
		{"bien-ban-vuot-so-luong", beyondCap(), Minutes},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range docCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.fn(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			got := plainText(t, b)
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./dossier -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("text differs from %s (run with -update if the change is intended):\n%s", path, got)
			}
		})
	}
}

func TestDocumentsSayWhatTheyMust(t *testing.T) {
	common := []string{
		"ỦY BAN NHÂN DÂN / ĐẶC KHU KIÊN HẢI / BAN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
		"Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến", "phần quà khen thưởng riêng",
	}
	// One format for percentages: one decimal, a decimal comma.
	percent := regexp.MustCompile(`\d+(,\d)?%`)
	for _, tc := range []struct {
		docCase
		want, not []string
	}{
		{docCases()[0], []string{
			"BAN NHÂN DÂN / ẤP HÒN TRE", "Số: …………/TTr-BND", "Kiên Hải, ngày 28 tháng 11 năm 2026", "TỜ TRÌNH",
			"Số liệu tính đến hết ngày 28/11/2026",
			"Kính gửi: Chủ tịch Ủy ban nhân dân đặc khu Kiên Hải.", "tặng Giấy khen cho 01 tập thể và 02 cá nhân",
			"1. Tập thể (01): Ban Nhân dân ấp Hòn Tre", "1.234 hộ", "1.180 hộ, đạt 95,6%", "tiêu chuẩn: từ 95,0% đến 100,0%",
			"đạt mức 95,0% từ ngày 15/10/2026", "1.030 hộ được hướng dẫn, 150 hộ tự thực hiện được (tự khai", "300/332 ngày",
			"(từ ngày 01/01/2026 đến ngày 28/11/2026)", "1.600 thủ tục", "gia hạn thẻ BHYT hộ gia đình (1.050 lượt)",
			"80,4% số hộ của ấp đã được hướng dẫn đủ số thủ tục (993/1.234 hộ), chưa đạt điều kiện 95,0% (1.173 hộ): còn thiếu 180 hộ",
			"125 trường hợp, trong đó đạt 118, không đạt 0, chưa liên lạc được 2, chưa có kết quả 5",
			"2. Cá nhân đề nghị xét khen thưởng (02)", "Chức vụ, đơn vị",
			"Nguyễn Thị Hồng Nhung | Phó Trưởng ấp / Ban Nhân dân ấp | 420 | 610 | 280", "Trần Văn Đước | Thành viên / Tổ công nghệ số cộng đồng",
			// A household guided by both is counted once; the note says so.
			"Cộng (mỗi hộ tính một lần) | 1.030 | 1.600", "cộng các dòng là 1.050 hộ",
			"Nghị định số 152/2025/NĐ-CP", "Quỹ thi đua, khen thưởng của đặc khu Kiên Hải",
			"Hội đồng Thi đua - Khen thưởng đặc khu", "mã hồ sơ, ảnh minh chứng",
			"Nơi nhận:", "TM. BAN NHÂN DÂN ẤP / TRƯỞNG ẤP", "Lê Văn Sơn", "Ấp có cách làm hay",
		}, []string{"Giải đặc biệt", "giải đặc biệt", "Cán bộ ấp Hòn Tre", "95%", "100%"}},
		{docCases()[1], []string{
			"Số: …………/BB-BND", "BIÊN BẢN", "Họp xét thi đua, khen thưởng", "Số liệu tính đến hết ngày 28/11/2026",
			"Thời gian: vào lúc …… giờ", "Địa điểm: ……", "I. THÀNH PHẦN THAM DỰ", "Chủ trì: Ông (bà) ……", "Thư ký: Ông (bà) ……",
			"Tổng số hộ gia đình trên địa bàn ấp | 1.234 hộ", "Số hộ được cán bộ ấp hướng dẫn | 1.030 hộ",
			"Số hộ tự thực hiện được (tự khai) | 150 hộ", "| 1.180 hộ", "Tỷ lệ hộ biết thực hiện (độ phủ) | 95,6% (tiêu chuẩn: từ 95,0%)",
			"Ngày đạt mức 95,0% | 15/10/2026", "| 300/332 ngày", "| 1.600 thủ tục", "118 / 0 / 2", "Gia hạn thẻ BHYT hộ gia đình | 1.050",
			"993 hộ (80,4%); điều kiện: 1.173 hộ",
			// The plan's criteria, for the meeting to fill in.
			"Gương mẫu chấp hành tốt chủ trương của Đảng, chính sách pháp luật của Nhà nước | ……",
			"Nội bộ đoàn kết", "Từ 95,0% đến 100,0% hộ gia đình trên địa bàn ấp biết thực hiện các bước nộp hồ sơ trực tuyến | 95,6% (1.180/1.234 hộ): đạt",
			"Có sáng kiến hoặc giải pháp mới", "Hoàn thành tốt nhiệm vụ được giao", "Thành thạo thao tác hướng dẫn nộp hồ sơ trực tuyến",
			"Không vi phạm kỷ luật, kỷ cương hành chính", "1 | Nguyễn Thị Hồng Nhung | …… | …… | …… | ……",
			"cá nhân đề nghị xét", "Nguyễn Thị Hồng Nhung | Phó Trưởng ấp / Ban Nhân dân ấp | 420 | 610 | 280 | ……", "Tỷ lệ đồng ý (%)",
			"Cộng (mỗi hộ tính một lần) | 1.030 | 1.600",
			"III. KẾT QUẢ BIỂU QUYẾT", "Tập thể Ban Nhân dân ấp Hòn Tre: số thành viên đồng ý", "IV. KẾT LUẬN",
			"THƯ KÝ / (Ký, ghi rõ họ tên)", "CHỦ TRÌ / (Ký, ghi rõ họ tên)",
		}, []string{"Giải đặc biệt", "Cán bộ ấp Hòn Tre"}},
		{docCases()[2], []string{
			"BAN NHÂN DÂN / ẤP HÒN NGHỆ", "Kiên Hải, ngày ………… tháng ………… năm 2026", "tặng Giấy khen cho 01 cá nhân",
			"1. Kết quả thực hiện mô hình của ấp", "chưa đủ tiêu chuẩn đề nghị khen thưởng", "02 thủ tục", "42,0%",
			"Phạm Thị Ngọc Ánh | Cán bộ không chuyên trách ấp / Mặt trận Tổ quốc ấp",
			"TRƯỞNG ẤP / ……………………………………", "Độ phủ 90,0% chưa đạt tiêu chuẩn 95,0%.", "Có 01 trường hợp kiểm tra không đạt.",
		}, []string{"Ấp Hòn Nghệ", "ẤP ẤP", "01 tập thể", "Ngày đạt mức 95,0% | 15", "cộng các dòng"}},
		{docCases()[3], []string{
			"Ngày đạt mức 95,0% | Chưa đạt", "90,0% (270/300 hộ): chưa đạt", "Tập thể Ban Nhân dân ấp Hòn Nghệ chưa đủ tiêu chuẩn",
			"01 cá nhân có tên tại mục II.2",
		}, []string{"số thành viên đồng ý"}},
		// Beyond the cap: proposed, and never said to fall short.
		{docCases()[4], []string{
			"tặng Giấy khen cho 01 tập thể và 02 cá nhân", "1. Tập thể (01): Ban Nhân dân ấp Bãi Nhà",
			"Tập thể Ban Nhân dân ấp Bãi Nhà đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét.",
		}, []string{"chưa đủ"}},
		{docCases()[5], []string{
			"Tập thể Ban Nhân dân ấp Bãi Nhà đủ tiêu chuẩn, vượt số lượng 06 — Hội đồng xét.", "Tập thể Ban Nhân dân ấp Bãi Nhà: số thành viên đồng ý",
		}, []string{"chưa đủ"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.fn(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			text := plainText(t, b)
			for _, w := range append(common, tc.want...) {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, w := range append(tc.not, "TODO", "XXX", "lorem", "Lorem", "<no value>", "%!", "FIXME") {
				if strings.Contains(text, w) {
					t.Errorf("text contains %q", w)
				}
			}
			for _, p := range percent.FindAllString(text, -1) {
				if !strings.Contains(p, ",") {
					t.Errorf("percentage %q is not in the one format (one decimal, comma)", p)
				}
			}
		})
	}
}

func TestLayoutFollowsDecree30(t *testing.T) {
	b, err := Proposal(sample())
	if err != nil {
		t.Fatal(err)
	}
	p := parts(t, b)
	styles := string(p["word/styles.xml"])
	for _, w := range []string{
		`w:ascii="Times New Roman"`, `w:hAnsi="Times New Roman"`, `w:eastAsia="Times New Roman"`, `w:cs="Times New Roman"`,
		`<w:sz w:val="28"/>`, `w:val="vi-VN"`,
	} {
		if !strings.Contains(styles, w) {
			t.Errorf("styles.xml lacks %s", w)
		}
	}
	doc := string(p["word/document.xml"])
	for _, w := range []string{
		`<w:pgSz w:w="11906" w:h="16838"/>`,                        // A4
		`w:top="1134" w:right="850" w:bottom="1134" w:left="1701"`, // 20, 15, 20, 30 mm
		`<w:b/><w:bCs/><w:u w:val="single"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr><w:t xml:space="preserve">Độc lập - Tự do - Hạnh phúc`,
		`<w:i/><w:iCs/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr><w:t xml:space="preserve">Kiên Hải, ngày 28 tháng 11 năm 2026`,
	} {
		if !strings.Contains(doc, w) {
			t.Errorf("document.xml lacks %s", w)
		}
	}
	// Every font size used is 11–14 pt.
	for _, s := range strings.Split(doc, `<w:sz w:val="`)[1:] {
		v := s[:strings.IndexByte(s, '"')]
		if v != "22" && v != "24" && v != "26" && v != "28" && v != "4" && v != "12" {
			t.Errorf("unexpected font size %s half-points", v)
		}
	}
	ct := string(p["[Content_Types].xml"])
	for name := range p {
		if strings.HasPrefix(name, "word/") && strings.HasSuffix(name, ".xml") && !strings.Contains(ct, `PartName="/`+name+`"`) {
			t.Errorf("[Content_Types].xml does not declare %s", name)
		}
	}
}

func TestEscaping(t *testing.T) {
	in := sample()
	in.Hamlet.Name = `Bãi <Nhà> & "Cá" 'Mú'`
	in.Zone = "Kiên <Hải>"
	in.Campaign = `A & B </w:t>`
	in.Leader = "Lê <b>Văn</b> & Sơn"
	in.Individuals[0].Name = "Nguyễn ]]> Thị\x01 <An>"
	in.Individuals[0].Role = `"Trưởng" & <ấp>`
	in.Hamlet.ProceduresByName[0].Name = "khai sinh <trẻ> & thường trú"
	in.Notes = []string{"<script>alert(1)</script> & ghi chú"}
	for _, fn := range []func(Input) ([]byte, error){Proposal, Minutes} {
		b, err := fn(in)
		if err != nil {
			t.Fatal(err)
		}
		text := plainText(t, b) // fails on malformed XML
		for _, w := range []string{
			`ẤP BÃI <NHÀ> & "CÁ" 'MÚ'`, "Kiên <Hải>", `A & B </w:t>`, `"Trưởng" & <ấp>`,
			"Nguyễn ]]> Thị\uFFFD <An>", "<script>alert(1)</script> & ghi chú",
		} {
			if !strings.Contains(text, w) {
				t.Errorf("text lacks %q", w)
			}
		}
		core := string(parts(t, b)["docProps/core.xml"])
		if !strings.Contains(core, "&lt;Nhà&gt; &amp;") {
			t.Errorf("core.xml title not escaped: %s", core)
		}
	}
}

func FuzzProposalWellFormed(f *testing.F) {
	f.Add("Hòn Tre", "Nguyễn Văn A", "ghi chú")
	f.Add("<&>", "]]>", "\x00\x1f\uFFFE")
	f.Fuzz(func(t *testing.T, hamlet, person, note string) {
		in := sample()
		in.Hamlet.Name, in.Individuals[0].Name, in.Notes = hamlet, person, []string{note}
		for _, fn := range []func(Input) ([]byte, error){Proposal, Minutes} {
			b, err := fn(in)
			if err != nil {
				return // empty names are refused; that is fine
			}
			plainText(t, b)
		}
	})
}

func TestNFDInputComesOutNFC(t *testing.T) {
	in := sample()
	in.Hamlet.Name = norm.NFD.String("Hòn Đước")
	in.Individuals[0].Name = norm.NFD.String("Nguyễn Thị Hồng Nhung")
	b, err := Proposal(in)
	if err != nil {
		t.Fatal(err)
	}
	text := plainText(t, b)
	if !norm.NFC.IsNormalString(text) {
		t.Error("document text is not NFC")
	}
	for _, w := range []string{"ẤP HÒN ĐƯỚC", "Nguyễn Thị Hồng Nhung"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, fn := range []func(Input) ([]byte, error){Proposal, Minutes} {
		a, err := fn(sample())
		if err != nil {
			t.Fatal(err)
		}
		b, _ := fn(sample())
		if !bytes.Equal(a, b) {
			t.Error("same input gave different bytes")
		}
	}
}

func TestRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Input)
		want   string
	}{
		{"no zone", func(in *Input) { in.Zone = " " }, "zone"},
		{"no campaign", func(in *Input) { in.Campaign = "" }, "campaign"},
		{"no hamlet name", func(in *Input) { in.Hamlet.Name = "" }, "hamlet name"},
		{"negative households", func(in *Input) { in.Hamlet.Households = -1 }, "households"},
		{"NaN coverage", func(in *Input) { in.Hamlet.Coverage = zero() / zero() }, "coverage"},
		{"nameless individual", func(in *Input) { in.Individuals[1].Name = "" }, "individual 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := sample()
			tc.change(&in)
			for _, fn := range []func(Input) ([]byte, error){Proposal, Minutes} {
				if _, err := fn(in); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want one mentioning %q", err, tc.want)
				}
			}
		})
	}
}

func zero() float64 { return 0 }

func TestNothingToPropose(t *testing.T) {
	in := ineligible()
	in.Individuals, in.IndividualsHouseholds = nil, 0
	if _, err := Proposal(in); !errors.Is(err, ErrNothingToPropose) {
		t.Fatalf("err = %v, want ErrNothingToPropose", err)
	}
	b, err := Minutes(in)
	if err != nil {
		t.Fatal(err)
	}
	if text := plainText(t, b); !strings.Contains(text, "Không có cá nhân được đề nghị khen thưởng.") {
		t.Error("minutes do not say that nobody is proposed")
	}
}

func TestWriteAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hoso")
	xlsx := []byte("PK\x03\x04 evidence")
	if err := WriteAll(dir, sample(), xlsx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hon-tre-to-trinh.docx", "hon-tre-bien-ban.docx", "hon-tre-danh-sach-ho.xlsx"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("missing %s: %v", name, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others (%v): it holds personal data", name, fi.Mode().Perm())
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "hon-tre-danh-sach-ho.xlsx")); !bytes.Equal(got, xlsx) {
		t.Error("evidence XLSX not written as given")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "hon-tre-to-trinh.docx")); !strings.Contains(plainText(t, got), "TỜ TRÌNH") {
		t.Error("proposal file is not the proposal")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("dir holds %d files, want 3 (no temporary files left)", len(entries))
	}

	t.Run("no annex", func(t *testing.T) {
		dir := t.TempDir()
		if err := WriteAll(dir, sample(), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "hon-tre-danh-sach-ho.xlsx")); !os.IsNotExist(err) {
			t.Error("wrote an XLSX without one")
		}
	})
	t.Run("nothing to propose", func(t *testing.T) {
		dir := t.TempDir()
		in := ineligible()
		in.Individuals, in.IndividualsHouseholds = nil, 0
		err := WriteAll(dir, in, xlsx)
		if !errors.Is(err, ErrNothingToPropose) {
			t.Fatalf("err = %v, want ErrNothingToPropose", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "hon-nghe-bien-ban.docx")); err != nil {
			t.Error("minutes not written")
		}
		if _, err := os.Stat(filepath.Join(dir, "hon-nghe-to-trinh.docx")); !os.IsNotExist(err) {
			t.Error("a proposal was written with nothing to propose")
		}
	})
	t.Run("unsafe id", func(t *testing.T) {
		for _, id := range []string{"", "../etc", "a/b", "hòn-tre"} {
			in := sample()
			in.Hamlet.ID = id
			if err := WriteAll(t.TempDir(), in, nil); err == nil {
				t.Errorf("id %q accepted", id)
			}
		}
	})
}

func TestFormatting(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1.000"}, {1234, "1.234"}, {1234567, "1.234.567"}, {-1234, "-1.234"}} {
		if got := Number(tc.n); got != tc.want {
			t.Errorf("Number(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tc := range []struct {
		f    float64
		want string
	}{{0.912, "91,2%"}, {0.95, "95,0%"}, {1, "100,0%"}, {0.9499, "94,9%"}, {19.0 / 20, "95,0%"}, {0, "0,0%"}} {
		if got := Percent(tc.f); got != tc.want {
			t.Errorf("Percent(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
	for _, tc := range []struct {
		d    time.Time
		year int
		want string
	}{
		{day(2026, 11, 28), 0, "Kiên Hải, ngày 28 tháng 11 năm 2026"},
		{day(2026, 2, 5), 0, "Kiên Hải, ngày 05 tháng 02 năm 2026"},
		{day(2026, 3, 9), 0, "Kiên Hải, ngày 09 tháng 3 năm 2026"},
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), 0, "Kiên Hải, ngày 01 tháng 01 năm 2027"}, // 03:00 in Vietnam
		{time.Time{}, 2026, "Kiên Hải, ngày ………… tháng ………… năm 2026"},
		{time.Time{}, 0, "Kiên Hải, ngày ………… tháng ………… năm …………"},
	} {
		if got := PlaceDate("Kiên Hải", tc.d, tc.year); got != tc.want {
			t.Errorf("PlaceDate(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	for in, want := range map[string]string{"Ấp Hòn Nghệ": "Hòn Nghệ", "ấp  Bãi Nhà": "Bãi Nhà", "Ấp": "Ấp", "Ấpxyz": "Ấpxyz", " Hòn Tre ": "Hòn Tre"} {
		if got := hamletName(in); got != want {
			t.Errorf("hamletName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLibreOfficeRendersVietnamese converts both documents to PDF with
// LibreOffice and checks the Vietnamese text survives (fonts, encoding).
func TestLibreOfficeRendersVietnamese(t *testing.T) {
	office := ""
	for _, name := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(name); err == nil {
			office = p
			break
		}
	}
	if office == "" {
		t.Skip("libreoffice not installed: install libreoffice-writer-nogui (see .ci/run) to check the DOCX renders")
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed: install poppler-utils (see .ci/run) to check the PDF text")
	}
	if testing.Short() {
		t.Skip("LibreOffice conversion skipped in -short mode")
	}
	dir := *keep
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir() // a private profile: parallel runs do not lock each other out
	var files []string
	for _, tc := range docCases() {
		b, err := tc.fn(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, tc.name+".docx")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append([]string{"-env:UserInstallation=file://" + filepath.ToSlash(profile), "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir}, files...)
	if out, err := exec.CommandContext(ctx, office, args...).CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	for _, tc := range docCases() {
		t.Run(tc.name, func(t *testing.T) {
			pdf := filepath.Join(dir, tc.name+".pdf")
			out, err := exec.CommandContext(ctx, pdftotext, "-enc", "UTF-8", pdf, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext %s: %v", pdf, err)
			}
			// Lines wrap where the layout wants: compare with runs of white space as one.
			text := strings.Join(strings.Fields(norm.NFC.String(string(out))), " ")
			want := []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Mỗi ngày hướng dẫn 01 gia đình"}
			if strings.HasPrefix(tc.name, "to-trinh") {
				want = append(want, "TỜ TRÌNH", "Kính gửi: Chủ tịch Ủy ban nhân dân đặc khu Kiên Hải", "Nơi nhận:")
			} else {
				want = append(want, "BIÊN BẢN", "Biên bản", "THƯ KÝ", "CHỦ TRÌ")
			}
			name := hamletName(tc.in.Hamlet.Name)
			want = append(want, "ấp "+name, strings.ToUpper(name))
			for _, w := range tc.in.Individuals {
				want = append(want, w.Name)
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("PDF text lacks %q", w)
				}
			}
			if strings.ContainsRune(text, '\uFFFD') {
				t.Error("PDF text holds replacement characters")
			}
		})
	}
}

func TestFileName(t *testing.T) {
	for _, tc := range []struct {
		at     time.Time
		suffix string
		want   string
	}{
		{day(2026, 11, 28), SuffixProposal, "hon-tre-to-trinh-2026-11-28.docx"},
		{day(2026, 11, 28), SuffixMinutes, "hon-tre-bien-ban-2026-11-28.docx"},
		{day(2026, 6, 30), SuffixEvidence, "hon-tre-danh-sach-ho-2026-06-30.xlsx"},
		// 31/12 at 20:00 UTC is already 01/01 in Vietnam.
		{time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC), SuffixProposal, "hon-tre-to-trinh-2027-01-01.docx"},
		{time.Time{}, SuffixProposal, "hon-tre-to-trinh.docx"},
	} {
		if got := FileName("hon-tre", tc.at, tc.suffix); got != tc.want {
			t.Errorf("FileName(%v, %s) = %q, want %q", tc.at, tc.suffix, got, tc.want)
		}
	}
	in := sample()
	if got := in.FileName(SuffixMinutes); got != "hon-tre-bien-ban-2026-11-28.docx" {
		t.Errorf("Input.FileName = %q", got)
	}
	in.Hamlet.To = time.Time{}
	in.Date = day(2026, 12, 1)
	if got := in.FileName(SuffixMinutes); got != "hon-tre-bien-ban-2026-12-01.docx" {
		t.Errorf("Input.FileName without To = %q (the document's date then)", got)
	}
}

// TestWriteDossier checks the files are named by the day the figures stop
// at, that dossiers of two days sit side by side and that nothing is ever
// overwritten.
func TestWriteDossier(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hoso")
	xlsx := []byte("PK\x03\x04 evidence")
	paths, err := WriteDossier(dir, sample(), xlsx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"hon-tre-to-trinh-2026-11-28.docx", "hon-tre-bien-ban-2026-11-28.docx", "hon-tre-danh-sach-ho-2026-11-28.xlsx"}
	if len(paths) != len(want) {
		t.Fatalf("wrote %q, want %q", paths, want)
	}
	for i, name := range want {
		if paths[i] != filepath.Join(dir, name) {
			t.Errorf("path %d = %s, want %s", i, paths[i], name)
		}
		fi, err := os.Stat(paths[i])
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others (%v)", name, fi.Mode().Perm())
		}
	}
	before, _ := os.ReadFile(paths[0])

	// The same day again: refused, nothing touched.
	again := sample()
	again.Leader = "Người khác"
	if _, err := WriteDossier(dir, again, xlsx); !errors.Is(err, ErrExists) {
		t.Fatalf("second dossier of the same day: err = %v, want ErrExists", err)
	}
	if after, _ := os.ReadFile(paths[0]); !bytes.Equal(before, after) {
		t.Error("an existing Tờ trình was overwritten")
	}
	// Another day: beside the first.
	later := sample()
	later.Hamlet.To, later.Date = day(2026, 12, 31), day(2026, 12, 31)
	if _, err := WriteDossier(dir, later, xlsx); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 6 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %q, want the two dossiers and no temporary file", names)
	}

	t.Run("nothing to propose", func(t *testing.T) {
		in := ineligible()
		in.Hamlet.To = day(2026, 11, 28)
		in.Individuals, in.IndividualsHouseholds = nil, 0
		paths, err := WriteDossier(t.TempDir(), in, nil)
		if !errors.Is(err, ErrNothingToPropose) || len(paths) != 1 || !strings.HasSuffix(paths[0], "hon-nghe-bien-ban-2026-11-28.docx") {
			t.Errorf("paths %q err %v", paths, err)
		}
	})
	t.Run("a link in the way", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "elsewhere")
		if err := os.Symlink(target, filepath.Join(dir, sample().FileName(SuffixMinutes))); err != nil {
			t.Skip(err)
		}
		if _, err := WriteDossier(dir, sample(), nil); !errors.Is(err, ErrExists) {
			t.Errorf("err = %v, want ErrExists", err)
		}
		if _, err := os.Stat(target); !os.IsNotExist(err) {
			t.Error("wrote through a symbolic link")
		}
	})
}

// TestIndividualsHouseholdsValidated checks the table's distinct households
// lie between its largest row and the sum of its rows.
func TestIndividualsHouseholdsValidated(t *testing.T) {
	for _, tc := range []struct {
		n  int
		ok bool
	}{{0, true}, {630, true}, {1050, true}, {629, false}, {1051, false}, {-1, false}} {
		in := sample()
		in.IndividualsHouseholds = tc.n
		_, err := Proposal(in)
		if (err == nil) != tc.ok {
			t.Errorf("IndividualsHouseholds %d: err = %v", tc.n, err)
		}
	}
	// Unknown: the total is the sum, and the document says what it adds.
	in := sample()
	in.IndividualsHouseholds = 0
	b, err := Proposal(in)
	if err != nil {
		t.Fatal(err)
	}
	text := plainText(t, b)
	for _, w := range []string{"Cộng | 1.050 | 1.600", "dòng Cộng là tổng các dòng"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

// TestNeverMoreThanTheRegister checks a document never states more able
// households than the hamlet has.
func TestNeverMoreThanTheRegister(t *testing.T) {
	in := sample()
	in.Hamlet.Households, in.Hamlet.Able, in.Hamlet.Coverage = 1100, 1180, 1
	for _, fn := range []func(Input) ([]byte, error){Proposal, Minutes} {
		b, err := fn(in)
		if err != nil {
			t.Fatal(err)
		}
		text := plainText(t, b)
		if strings.Contains(text, "1.180") {
			t.Error("a document states 1.180 able households of a register of 1.100")
		}
		if !strings.Contains(text, "1.100 hộ, đạt 100,0%") {
			t.Error("able households not stated at the register")
		}
	}
}
