package export

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zone database

	"github.com/xuri/excelize/v2"

	"dvcbot/campaign"
)

// vn is the campaign's time zone.
func vn(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatalf("load time zone: %v", err)
	}
	return loc
}

// procNames is a slice of the procedure catalogue.
var procNames = map[string]string{
	"khai_sinh":   "Đăng ký khai sinh",
	"thuong_tru":  "Đăng ký thường trú",
	"ly_lich":     "Cấp phiếu lý lịch tư pháp",
	"bhyt":        "Gia hạn thẻ BHYT hộ gia đình",
	"khac":        "Khác",
	"ket_hon":     "Đăng ký kết hôn",
	"tam_tru":     "Đăng ký tạm trú",
	"luu_tru":     "Thông báo lưu trú",
	"khai_tu":     "Đăng ký khai tử",
	"hon_nhan":    "Xác nhận tình trạng hôn nhân",
	"trich_luc":   "Cấp bản sao trích lục hộ tịch",
	"gplx":        "Đổi giấy phép lái xe",
	"lien_thong":  "Liên thông khai sinh – thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi",
	"unused_name": "",
}

// sampleRows are a few evidence rows with Vietnamese text, given as UTC
// instants (08:15 on 02/05/2026 in Vietnam is 01:15 UTC): three guided
// records, the first with a portal dossier code and two photos, the third
// with a formula for a dossier code, and a household that declared itself
// able.
func sampleRows() []EvidenceRow {
	return []EvidenceRow{
		{
			HamletID: "hon-tre", HamletName: "Ấp Hòn Tre", HouseholdName: "Nguyễn Thị Ánh Tuyết",
			Address: "Tổ 3, ấp Bãi Nhà, đặc khu Kiên Hải", Phone: "0912345678",
			Procedures: []string{"khai_sinh", "thuong_tru"}, OfficerName: "Trần Văn Đức",
			OfficerID: 123456789, OfficerChannel: "telegram", OfficerAccount: "123456789", ReportedAt: time.Date(2026, 5, 2, 1, 15, 0, 0, time.UTC),
			Check: campaign.CheckPassed, DossierCode: "000.00.35.H47-260502-0001", Photos: 2,
		},
		{
			HamletID: "lai-son", HamletName: "Ấp Lại Sơn", HouseholdName: "Lê Văn Bảy",
			Address: "Số 12, đường \"Bãi Bấc\", ấp Lại Sơn", Phone: "0327654321",
			Procedures: []string{"khac"}, OtherProcedure: "Đăng ký biến động đất đai",
			OfficerName: "Phạm Thị Hồng", OfficerChannel: "zalo", OfficerAccount: "6ede9afa4b2e1c07",
			ReportedAt: time.Date(2026, 12, 31, 16, 59, 0, 0, time.UTC), // 23:59 local
		},
		{
			HamletID: "an-son", HamletName: "Ấp An Sơn", HouseholdName: "Đỗ Thị Lan",
			Address: "=HYPERLINK(\"http://x\",\"bấm\")", Phone: "0388000111",
			Procedures: []string{"bhyt"}, OfficerName: "@Nguyễn Hữu Phước",
			OfficerID: 42, OfficerChannel: "telegram", OfficerAccount: "42", ReportedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
			Check: campaign.CheckFailed, DossierCode: "=cmd|' /C calc'!A0",
		},
		{
			Kind: RowSelfDeclared, HamletID: "hon-tre", HamletName: "Ấp Hòn Tre", HouseholdName: "Võ Thị Mai",
			Address: "Tổ 5, ấp Hòn Tre", Phone: "0399111222", OfficerName: "Trần Văn Đức",
			OfficerID: 123456789, OfficerChannel: "telegram", OfficerAccount: "123456789", ReportedAt: time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC),
		},
	}
}

// synthRows generates n evidence rows on the fly (nothing is kept in
// memory): 13 hamlets, three reports per hamlet per day from 01/01/2026 on,
// Vietnamese names and addresses of realistic length.
func synthRows(n int) RowSource {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"}
	middle := []string{"Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh"}
	given := []string{"An", "Bình", "Cường", "Dũng", "Hạnh", "Khoa", "Lan", "Phước", "Tuyết", "Ánh"}
	procs := [][]string{{"khai_sinh"}, {"thuong_tru", "bhyt"}, {"ly_lich"}, {"tam_tru"}, {"lien_thong", "khai_sinh"}}
	checks := []campaign.CheckStatus{campaign.CheckNone, campaign.CheckNone, campaign.CheckNone, campaign.CheckPassed, campaign.CheckFailed}
	start := time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)
	return func(yield func(EvidenceRow) error) error {
		var r EvidenceRow
		for i := range n {
			h := i % 13
			r = EvidenceRow{
				HamletID:       "ap-" + strconv.Itoa(h+1),
				HamletName:     "Ấp Hòn " + given[h%len(given)],
				HouseholdName:  family[i%10] + " " + middle[(i/10)%6] + " " + given[(i/60)%10],
				Address:        fmt.Sprintf("Số %d, tổ %d, ấp Hòn %s, đặc khu Kiên Hải", i%300+1, i%9+1, given[h%len(given)]),
				Phone:          fmt.Sprintf("09%08d", i%100000000),
				Procedures:     procs[i%len(procs)],
				OfficerName:    family[(i/13)%10] + " Văn " + given[h%10],
				OfficerChannel: []string{"telegram", "zalo"}[i%40%2],
				OfficerAccount: strconv.Itoa(1000000000 + i%40),
				ReportedAt:     start.Add(time.Duration(i/39)*24*time.Hour + time.Duration(i%39)*13*time.Minute),
				Check:          checks[i%len(checks)],
			}
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// open reads an XLSX produced by a writer back with excelize.
func open(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open XLSX: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// cell is the formatted value of a cell as a spreadsheet shows it.
func cell(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// raw is the stored value of a cell.
func raw(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, ref, err)
	}
	return v
}

// numFmt is the number format of a cell: its custom code, or the built-in
// format id as "#id".
func numFmt(t *testing.T, f *excelize.File, sheet, ref string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatalf("%s!%s style: %v", sheet, ref, err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatalf("%s!%s style %d: %v", sheet, ref, id, err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return "#" + strconv.Itoa(st.NumFmt)
}

// row is the formatted values of one row.
func row(t *testing.T, f *excelize.File, sheet string, n int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("%s rows: %v", sheet, err)
	}
	if n > len(rows) {
		t.Fatalf("%s has %d rows, want row %d", sheet, len(rows), n)
	}
	return rows[n-1]
}
