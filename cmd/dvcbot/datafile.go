package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dvcbot/backup"
	"dvcbot/config"
)

// exitDamaged is the exit status when the data file is damaged: distinct
// from 1 (any other failure) and 2 (command line), so that a supervisor
// can be told not to restart (systemd: RestartPreventExitStatus=3).
const exitDamaged = 3

// envOnDamaged names the variable that keeps serve waiting, instead of
// exiting, when the data file is damaged: "wait" (set in the Docker
// image, whose --restart policy would otherwise start it again and again).
const envOnDamaged = "DVCBOT_ON_DAMAGED_FILE"

// damagedFileError says that the data file failed backup.CheckDataFile,
// and how to put it right: the restore command with the newest backup
// that checks out.
type damagedFileError struct {
	path      string
	cause     error
	backupDir string
	config    string      // the configuration file to name in the command ("" for none)
	best      backup.Info // the newest verified backup
	found     bool
	searchErr error // reading the backup folder failed
	rejected  int   // backups found damaged on the way
	// demo: the demo's own file, which it can simply start afresh.
	demo bool
}

// Error is the operator's message, in Vietnamese, on several lines.
func (e *damagedFileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "tệp dữ liệu %s bị hỏng: dvcbot dừng lại, không mở tệp này để khỏi làm hỏng thêm dữ liệu.\n", e.path)
	fmt.Fprintf(&b, "Chi tiết kỹ thuật: %v\n", e.cause)
	if e.demo {
		fmt.Fprintf(&b, "Cách khắc phục: bắt đầu lại dữ liệu chạy thử từ tệp trống (xóa tệp hỏng): dvcbot demo --fresh --store %s", e.path)
		return b.String()
	}
	cmd := "dvcbot restore"
	if e.config != "" {
		cmd += " --config " + e.config
	}
	switch {
	case e.found:
		fmt.Fprintf(&b, "Cách khắc phục: để bot dừng, rồi khôi phục từ bản sao lưu tốt mới nhất (lúc %s, đã kiểm tra):\n",
			e.best.Time.Format("15:04 ngày 02/01/2006"))
		fmt.Fprintf(&b, "  %s --from %s\n", cmd, e.best.Path)
		b.WriteString("Lệnh khôi phục giữ tệp hỏng lại bên cạnh (…before-restore-…). Báo cáo gửi sau lúc sao lưu không có trong bản này: nhờ cán bộ gửi lại.")
	default:
		switch {
		case e.searchErr != nil:
			fmt.Fprintf(&b, "Không đọc được thư mục sao lưu %s (%v).\n", e.backupDir, e.searchErr)
		case e.rejected > 0:
			fmt.Fprintf(&b, "Cả %d bản sao lưu trong %s đều hỏng.\n", e.rejected, e.backupDir)
		default:
			fmt.Fprintf(&b, "Không có bản sao lưu nào trong %s.\n", e.backupDir)
		}
		b.WriteString("Cách khắc phục: lấy bản sao lưu đã chép ra ngoài máy chủ, hoặc tệp .db.gz do lệnh /saoluu gửi, rồi khi bot đã dừng chạy:\n")
		fmt.Fprintf(&b, "  %s --from <tệp sao lưu>", cmd)
	}
	return b.String()
}

func (e *damagedFileError) Unwrap() error { return e.cause }

// checkDataFile checks cfg's data file before anything opens it
// (backup.CheckDataFile: bbolt panics on damaged pages). On damage the
// error is a *damagedFileError naming the newest verified backup in
// store.backup_dir.
func checkDataFile(cfg *config.Config) error {
	err := backup.CheckDataFile(cfg.Store.Path)
	if err == nil {
		return nil
	}
	if !errors.Is(err, backup.ErrInvalid) {
		return fmt.Errorf("kiểm tra tệp dữ liệu %s: %w", cfg.Store.Path, err)
	}
	d := &damagedFileError{path: cfg.Store.Path, cause: err, backupDir: cfg.Store.BackupDir, config: cfg.Source}
	var skipped []error
	d.best, d.found, skipped, d.searchErr = backup.NewestVerified(cfg.Store.BackupDir, cfg.Campaign.Location)
	d.rejected = len(skipped)
	return d
}

// exitCode is the process's exit status for an error run returned.
func exitCode(err error) int {
	var d *damagedFileError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &d):
		return exitDamaged
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// reportedError is an error already printed in full: main prints only its
// short form.
type reportedError struct {
	short string
	err   error
}

func (e *reportedError) Error() string { return e.short }
func (e *reportedError) Unwrap() error { return e.err }

// waitIfDamaged keeps serve from exiting on a damaged data file when
// DVCBOT_ON_DAMAGED_FILE=wait (the Docker image): it prints the message
// once and waits for SIGINT/SIGTERM (docker stop), so that a restart
// policy does not start the bot again and again, each time repeating the
// message. The health check meanwhile fails (nothing answers /healthz).
func (e env) waitIfDamaged(ctx context.Context, err error) error {
	var d *damagedFileError
	if !errors.As(err, &d) || e.getenv(envOnDamaged) != "wait" {
		return err
	}
	fmt.Fprintf(e.stderr, "dvcbot: %v\n", err)
	fmt.Fprintf(e.stderr, "dvcbot: bot không chạy và chờ được dừng (%s=wait) để Docker không khởi động lại liên tục: docker stop, khôi phục, rồi docker start.\n", envOnDamaged)
	<-ctx.Done()
	return &reportedError{short: "tệp dữ liệu " + d.path + " bị hỏng (xem hướng dẫn ở trên)", err: err}
}
