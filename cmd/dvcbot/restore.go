package main

import (
	"errors"
	"fmt"

	"dvcbot/backup"
	"dvcbot/store"
)

// restore replaces the data file with a backup while the bot is stopped.
func (e env) restore(args []string) error {
	fs := e.flags("restore")
	path := e.configPath(fs)
	from := fs.String("from", "", "")
	maxGB := fs.Int64("max-gb", backup.MaxRestoreBytes>>30, "")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return usagef("restore", "cần --from TỆP_SAO_LƯU (một tệp dvcbot-….db trong thư mục sao lưu, hoặc tệp .db.gz do /saoluu gửi)")
	}
	if *maxGB < 1 {
		return usagef("restore", "--max-gb phải từ 1 trở lên")
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	now, _ := e.clock()
	fmt.Fprintf(e.stdout, "Kiểm tra bản sao lưu %s …\n", *from)
	res, err := backup.RestoreLimited(*from, cfg.Store.Path, now().In(cfg.Campaign.Location), *maxGB<<30)
	switch {
	case errors.Is(err, backup.ErrTooLarge):
		return fmt.Errorf("bản sao lưu nén %s giải nén ra hơn %d GB nên đã dừng lại (tệp hỏng, hoặc không phải bản sao lưu của dvcbot); dữ liệu hiện tại được giữ nguyên. Nếu chắc chắn đây là bản sao lưu đúng và tệp dữ liệu lớn hơn thế, chạy lại với --max-gb lớn hơn: %w",
			*from, *maxGB, err)
	case errors.Is(err, backup.ErrInUse):
		return fmt.Errorf("tệp dữ liệu %s đang được một bot dvcbot sử dụng: hãy dừng bot (docker stop / systemctl stop) rồi chạy lại lệnh khôi phục: %w", cfg.Store.Path, err)
	case errors.Is(err, store.ErrNewerSchema):
		return fmt.Errorf("bản sao lưu do phiên bản dvcbot mới hơn tạo ra; hãy dùng phiên bản đó để khôi phục: %w", err)
	case errors.Is(err, backup.ErrInvalid):
		return fmt.Errorf("bản sao lưu không dùng được (hỏng, bị cắt ngắn hoặc không phải tệp dữ liệu dvcbot); dữ liệu hiện tại được giữ nguyên: %w", err)
	case err != nil:
		return fmt.Errorf("khôi phục không thành công, dữ liệu hiện tại được giữ nguyên: %w", err)
	}
	s := res.Summary
	fmt.Fprintf(e.stdout, "Bản sao lưu hợp lệ (phiên bản dữ liệu %d): %d ấp, %d cán bộ, %d hộ, %d báo cáo hướng dẫn, %d mục nhật ký.\n",
		s.SchemaVersion, s.Count("hamlets"), s.Count("officers"), s.Count("households"), s.Count("guidance"), s.Count("audit"))
	if res.Previous != "" {
		fmt.Fprintf(e.stdout, "Tệp dữ liệu cũ được giữ lại: %s\n", res.Previous)
	}
	fmt.Fprintf(e.stdout, "Đã khôi phục vào %s. Khởi động lại bot (dvcbot serve) để dùng dữ liệu này.\n", cfg.Store.Path)
	return nil
}
