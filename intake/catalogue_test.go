package intake

import "dvcbot/campaign"

// catalogue is the procedure list from the brief, in the order /giup shows it.
var catalogue = []campaign.Procedure{
	{ID: "khai_sinh", Name: "Đăng ký khai sinh"},
	{ID: "thuong_tru", Name: "Đăng ký thường trú"},
	{ID: "tam_tru", Name: "Đăng ký tạm trú"},
	{ID: "luu_tru", Name: "Thông báo lưu trú"},
	{ID: "khai_tu", Name: "Đăng ký khai tử"},
	{ID: "ket_hon", Name: "Đăng ký kết hôn"},
	{ID: "ly_lich", Name: "Cấp phiếu lý lịch tư pháp"},
	{ID: "hon_nhan", Name: "Xác nhận tình trạng hôn nhân"},
	{ID: "trich_luc", Name: "Cấp bản sao trích lục hộ tịch"},
	{ID: "gplx", Name: "Đổi giấy phép lái xe"},
	{ID: "bhyt", Name: "Gia hạn thẻ BHYT hộ gia đình"},
	{ID: "lien_thong", Name: "Liên thông khai sinh – thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi"},
	{ID: campaign.OtherProcedureID, Name: "Khác"},
}

func ids(ps []campaign.Procedure) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}
