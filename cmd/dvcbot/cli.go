package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"dvcbot/config"
)

// command is one subcommand of dvcbot. The top-level help, each
// subcommand's --help and the dispatch all come from commands(): adding a
// subcommand is one entry, adding a flag is one line in its flags (a test
// checks that every flag a subcommand defines is described here).
type command struct {
	name string
	// synopsis is what follows the name on the usage line.
	synopsis string
	// summary says in one line what the command does; detail (optional)
	// adds paragraphs to its --help.
	summary, detail string
	// flags describes each flag the command defines, in Vietnamese.
	flags []flagHelp
	run   func(e env, ctx context.Context, args []string) error
}

// flagHelp is one flag in a command's help: its name, the placeholder of
// its value ("" for a switch) and what it does.
type flagHelp struct{ name, arg, text string }

// configFlag is the --config flag of the commands that read the
// configuration: a file, or $DVCBOT_CONFIG, or the embedded sample with
// DVCBOT_* variables, as serve.
var configFlag = flagHelp{"config", "TỆP", "tệp cấu hình (YAML); mặc định $DVCBOT_CONFIG, nếu không có thì cấu hình mẫu kèm các biến môi trường DVCBOT_…"}

// commands lists dvcbot's subcommands, in the order of the help.
func commands() []command {
	return []command{
		{name: "demo", synopsis: "[--store TỆP] [--fresh] [--sample-data] [--channel telegram|zalo]",
			summary: "chạy thử toàn bộ bot trong cửa sổ dòng lệnh (không cần token, không cần mạng)",
			detail:  "Anh/chị là quản trị viên và cán bộ ấp đầu tiên; nút bấm hiện thành lựa chọn đánh số. Tin gửi nhóm lãnh đạo được đánh dấu. Ctrl+D để thoát.",
			flags: []flagHelp{
				{"store", "TỆP", "tệp dữ liệu bbolt của bản chạy thử"},
				{"fresh", "", "bắt đầu lại từ tệp dữ liệu trống (xóa dữ liệu chạy thử cũ)"},
				{"sample-data", "", "điền vào tệp dữ liệu trống một năm báo cáo minh họa (tên, số điện thoại đều là giả) để xem xếp hạng, báo cáo, khen thưởng"},
				{"channel", "KÊNH", "cách hiện tin trả lời: telegram (nút bấm thành lựa chọn đánh số) hoặc zalo (đúng như cán bộ thấy trên Zalo: không nút bấm, mỗi khung là một tin)"},
			},
			run: func(e env, ctx context.Context, args []string) error {
				err := e.demo(ctx, args)
				var d *damagedFileError
				if errors.As(err, &d) {
					d.demo = true
				}
				return err
			}},
		{name: "serve", synopsis: "[--config TỆP]",
			summary: "chạy bot trên Zalo và/hoặc Telegram (cấu hình từ tệp và các biến môi trường DVCBOT_…)",
			detail:  "Kênh nào có mã bot thì chạy kênh đó (zalo.token hoặc DVCBOT_ZALO_TOKEN; telegram.token hoặc DVCBOT_TELEGRAM_TOKEN); cần ít nhất một. Dừng bằng Ctrl+C hoặc SIGTERM: các tin đang xử lý được làm xong trước khi đóng tệp dữ liệu.",
			flags:   []flagHelp{configFlag},
			run: func(e env, ctx context.Context, args []string) error {
				return e.waitIfDamaged(ctx, e.serve(ctx, args))
			}},
		{name: "check-config", synopsis: "[--config TỆP] [--serve]",
			summary: "kiểm tra cấu hình, chỉ rõ khóa nào sai và cách sửa",
			detail:  "Thiếu mã bot (hoặc, ở chế độ webhook, địa chỉ và mã bí mật) thì chỉ nhắc rằng serve cần chúng, không tính là lỗi, trừ khi có --serve.",
			flags: []flagHelp{configFlag,
				{"serve", "", "coi những gì serve còn thiếu (mã bot…) là lỗi"}},
			run: func(e env, _ context.Context, args []string) error { return e.checkConfig(args) }},
		{name: "export", synopsis: "[--config TỆP] [--format csv|xlsx] [--from NGÀY] [--to NGÀY] [--hamlet MÃ] [--out TỆP]",
			summary: "xuất danh sách minh chứng (các lượt hướng dẫn còn hiệu lực và các hộ tự khai đã biết làm), chạy được khi bot đang chạy",
			detail:  "Tệp có thông tin cá nhân của người dân: chỉ giao cho quản trị viên. Tệp --out được tạo mới với quyền 0600 và không bao giờ ghi đè tệp đã có; --out là một thư mục thì tệp được đặt tên theo kỳ và ấp (bang-chung-…-2026-01-01-den-2026-06-30.csv).",
			flags: []flagHelp{configFlag,
				{"format", "csv|xlsx", "định dạng tệp"},
				{"from", "NGÀY", "ngày đầu, dạng NĂM-THÁNG-NGÀY (mặc định: ngày bắt đầu phong trào)"},
				{"to", "NGÀY", "ngày cuối, tính cả ngày này (mặc định: ngày kết thúc phong trào)"},
				{"hamlet", "MÃ", "chỉ một ấp (mã ấp trong cấu hình)"},
				{"out", "TỆP", "tệp kết quả mới, hoặc thư mục đã có (mặc định: in ra màn hình)"},
			},
			run: func(e env, ctx context.Context, args []string) error { return e.export(ctx, args) }},
		{name: "dossier", synopsis: "[--config TỆP] --hamlet MÃ --out THƯ_MỤC [--date NGÀY]",
			summary: "lập hồ sơ khen thưởng của ấp (Tờ trình, Biên bản họp xét, danh sách hộ), tên tệp ghi ngày số liệu, không ghi đè tệp đã có",
			flags: []flagHelp{configFlag,
				{"hamlet", "MÃ", "mã ấp (bắt buộc)"},
				{"out", "THƯ_MỤC", "thư mục ghi hồ sơ (bắt buộc; tạo nếu chưa có)"},
				{"date", "NGÀY", "số liệu tính đến ngày này, dạng NĂM-THÁNG-NGÀY (mặc định: hôm nay, muộn nhất là ngày kết thúc phong trào)"},
			},
			run: func(e env, ctx context.Context, args []string) error { return e.dossier(ctx, args) }},
		{name: "invite", synopsis: "[--config TỆP] [--role admin|lanh_dao|thuong_truc|truong_ap|can_bo] [--hamlet MÃ]",
			summary: "in một mã mời dùng một lần (quản trị viên đầu tiên không cần tra mã tài khoản)",
			detail:  "Người nhận gửi mã cho bot trên Zalo hoặc Telegram rồi nhập họ tên. Chạy khi bot đã dừng (tệp dữ liệu không được dùng chung); khi bot đang chạy, quản trị viên dùng /moi trong bot.",
			flags: []flagHelp{configFlag,
				{"role", "VAI_TRÒ", "admin (quản trị viên), lanh_dao, thuong_truc, truong_ap hoặc can_bo"},
				{"hamlet", "MÃ", "mã ấp, cho truong_ap và can_bo"}},
			run: func(e env, ctx context.Context, args []string) error { return e.invite(ctx, args) }},
		{name: "reindex", synopsis: "[--config TỆP]",
			summary: "tính lại mọi số liệu tổng hợp từ các bản ghi (dừng bot trước)",
			flags:   []flagHelp{configFlag},
			run:     func(e env, _ context.Context, args []string) error { return e.reindex(args) }},
		{name: "restore", synopsis: "[--config TỆP] --from TỆP [--max-gb N]",
			summary: "khôi phục dữ liệu từ một bản sao lưu (khi bot đã dừng)",
			detail:  "Bản sao lưu được kiểm tra trước; tệp dữ liệu hiện tại được giữ lại bên cạnh (…before-restore-…).",
			flags: []flagHelp{configFlag,
				{"from", "TỆP", "bản sao lưu: dvcbot-….db trong thư mục sao lưu, hoặc tệp .db.gz do /saoluu gửi"},
				{"max-gb", "N", "dung lượng tối đa (GB) khi giải nén một bản sao lưu .gz"},
			},
			run: func(e env, _ context.Context, args []string) error { return e.restore(args) }},
		{name: "healthcheck", synopsis: "[--config TỆP]",
			summary: "hỏi /healthz của bot đang chạy (thoát với mã lỗi nếu bot không ổn)",
			flags:   []flagHelp{configFlag},
			run:     func(e env, ctx context.Context, args []string) error { return e.healthcheck(ctx, args) }},
		{name: "sample-config", synopsis: "",
			summary: "in cấu hình mẫu (13 ấp minh họa, mọi khóa với giá trị mặc định)",
			detail:  "Ví dụ: dvcbot sample-config > dvcbot.yaml",
			run: func(e env, _ context.Context, args []string) error {
				if err := e.parse(e.flags("sample-config"), args); err != nil {
					return err
				}
				_, err := e.stdout.Write(config.SampleYAML())
				return err
			}},
	}
}

// findCommand is the command named name.
func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usageText is the top-level help.
func usageText() string {
	var b strings.Builder
	b.WriteString("dvcbot — bot của phong trào \"Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến\"\n\nCách dùng:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  dvcbot %s\n        %s\n", strings.TrimSpace(c.name+" "+c.synopsis), c.summary)
	}
	b.WriteString("\nXem chi tiết một lệnh: dvcbot <lệnh> --help\n")
	return b.String()
}

// printCommandHelp writes c's help: usage line, summary, detail and every
// flag fs defines, described by c.flags. It returns the flags fs defines
// that c.flags does not describe (a test keeps this empty).
func printCommandHelp(w io.Writer, c command, fs *flag.FlagSet) (undescribed []string) {
	fmt.Fprintf(w, "dvcbot %s — %s\n\nCách dùng:\n  dvcbot %s\n", c.name, c.summary, strings.TrimSpace(c.name+" "+c.synopsis))
	if c.detail != "" {
		fmt.Fprintf(w, "\n%s\n", c.detail)
	}
	if fs == nil {
		return nil
	}
	type line struct{ left, right string }
	var lines []line
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		if !slices.ContainsFunc(c.flags, func(h flagHelp) bool { return h.name == f.Name }) {
			undescribed = append(undescribed, f.Name)
		}
	})
	for _, h := range c.flags { // in the table's order
		f := fs.Lookup(h.name)
		if f == nil {
			continue
		}
		left := "--" + h.name
		if h.arg != "" {
			left += " " + h.arg
		}
		right := h.text
		if d := f.DefValue; d != "" && d != "false" && d != "0" {
			right += " (mặc định: " + d + ")"
		}
		lines = append(lines, line{left, right})
		width = max(width, len([]rune(left)))
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "\nTùy chọn:\n")
		for _, l := range lines {
			fmt.Fprintf(w, "  %s%s  %s\n", l.left, strings.Repeat(" ", width-len([]rune(l.left))), l.right)
		}
	}
	return undescribed
}

// runState is what one run of the command line shares between its parts.
type runState struct {
	// help: the command line asked for a command's help (-h, --help).
	help bool
	// undescribed collects flags shown in a help without a description.
	undescribed []string
}

// wantsHelp reports whether args ask for help: -h, -help or --help
// before a "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--h", "-help", "--help":
			return true
		}
	}
	return false
}

// usageError is a command-line mistake, said in Vietnamese, with where to
// read the command's help.
type usageError struct {
	cmd string // "" for the top level
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg + "\nXem: dvcbot --help"
	}
	return e.msg + "\nXem: dvcbot " + e.cmd + " --help"
}

func (e *usageError) Is(target error) bool { return target == errUsage }

// usagef makes a usage error of the command cmd.
func usagef(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// flagErrors translates the flag package's errors into Vietnamese.
var flagErrors = []struct {
	re  *regexp.Regexp
	out string
}{
	{regexp.MustCompile(`^flag provided but not defined: -+(\S+)`), "không có tùy chọn --$1"},
	{regexp.MustCompile(`^flag needs an argument: -+(\S+)`), "tùy chọn --$1 cần một giá trị"},
	{regexp.MustCompile(`^invalid boolean value "(.*)" for -+(\S+):.*`), "giá trị \"$1\" không hợp lệ cho --$2 (dùng true hoặc false)"},
	{regexp.MustCompile(`^invalid value "(.*)" for flag -+(\S+):.*`), "giá trị \"$1\" không hợp lệ cho --$2"},
	{regexp.MustCompile(`^bad flag syntax: (.*)`), "sai cú pháp tùy chọn: $1"},
}

// translateUsage turns a usage error a command returned into a
// *usageError of cmd, in Vietnamese (the flag package speaks English).
func translateUsage(cmd string, err error) error {
	var ue *usageError
	if err == nil || !errors.Is(err, errUsage) || errors.As(err, &ue) {
		return err
	}
	msg := strings.TrimSuffix(err.Error(), ": "+errUsage.Error())
	for _, fe := range flagErrors {
		if fe.re.MatchString(msg) {
			msg = fe.re.ReplaceAllString(msg, fe.out)
			break
		}
	}
	return &usageError{cmd: cmd, msg: msg}
}

// flags makes the flag set of a command: errors are returned, never
// printed, and -h/--help prints the command's help (when the command line
// asked for it).
func (e env) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		if e.st == nil || !e.st.help {
			return
		}
		c, _ := findCommand(name)
		e.st.undescribed = append(e.st.undescribed, printCommandHelp(e.stdout, c, fs)...)
	}
	return fs
}

// parse parses a command's flags; a mistake is a usage error, and
// positional arguments are refused (no command takes any).
func (e env) parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%v: %w", err, errUsage)
	}
	if fs.NArg() > 0 {
		return usagef(fs.Name(), "không hiểu %q: lệnh %s không nhận đối số nào ngoài các tùy chọn --…", fs.Arg(0), fs.Name())
	}
	return nil
}

// knownHamlet checks a --hamlet value of command cmd against the
// configuration; a wrong one is a usage error listing the valid ids.
func knownHamlet(cmd string, cfg *config.Config, id string) error {
	if _, ok := cfg.Hamlet(id); ok {
		return nil
	}
	ids := make([]string, len(cfg.Hamlets))
	for i, h := range cfg.Hamlets {
		ids[i] = h.ID
	}
	return usagef(cmd, "--hamlet %q: không có ấp mã này trong cấu hình. Các mã ấp: %s", id, strings.Join(ids, ", "))
}
