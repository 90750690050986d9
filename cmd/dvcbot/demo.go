package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/bot/console"
	"dvcbot/bot/zalo"
	"dvcbot/campaign"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/internal/sampledata"
	"dvcbot/schedule"
	"dvcbot/store"
	"dvcbot/web"
	"dvcbot/wiring"
)

// demoUser is the account of the person at the terminal: an admin and an
// officer of the first hamlet.
var demoUser = chat.Addr(chat.Console, "demo")

// demoGroup is the leaders' group of the demo: its posts print in the
// terminal, marked as group posts.
var demoGroup = chat.Addr(chat.Console, "nhom-lanh-dao")

func (e env) demo(ctx context.Context, args []string) error {
	fs := e.flags("demo")
	path := fs.String("store", filepath.Join(os.TempDir(), "dvcbot-demo", "dvcbot-demo.db"), "bbolt data file for the demo")
	fresh := fs.Bool("fresh", false, "start from an empty data file")
	sample := fs.Bool("sample-data", false, "fill an empty data file with a campaign's worth of illustrative reports")
	channel := fs.String("channel", "telegram", "how replies are shown: telegram (buttons as numbered choices) or zalo (exactly what a Zalo officer sees)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	cfg := config.Sample()
	cfg.Store.Path = *path
	if err := cfg.Validate(false); err != nil {
		return fmt.Errorf("embedded sample configuration: %w", err)
	}
	if *fresh {
		if err := os.Remove(*path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("demo: %w", err)
		}
	}
	db, err := openStore(cfg, time.Now)
	if err != nil {
		return err
	}
	defer db.Close()
	first := cfg.Hamlets[0]
	if err := db.Update(func(tx *store.Tx) error {
		if _, err := tx.PersonAt(demoUser); err == nil {
			return nil
		}
		id, err := tx.NewPersonID()
		if err != nil {
			return err
		}
		return tx.PutOfficer(campaign.Officer{ID: id, Accounts: []campaign.Account{{Address: demoUser}}, Prefer: chat.Console,
			FullName: "Người Dùng Thử", HamletID: first.ID, Role: campaign.RoleAdmin, Active: true, JoinedAt: time.Now()}, id, "officer.demo")
	}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if *sample {
		n, err := sampledata.Fill(db, sampledata.Options{Hamlets: cfg.Hamlets, Procedures: cfg.Procedures,
			Start: cfg.Campaign.Start, End: cfg.Campaign.End, Location: cfg.Campaign.Location, Now: time.Now()})
		switch {
		case errors.Is(err, sampledata.ErrNotEmpty):
			fmt.Fprintf(e.stdout, "Tệp dữ liệu %s đã có báo cáo nên không tạo thêm dữ liệu minh họa. Muốn bắt đầu lại với dữ liệu minh họa: thêm --fresh.\n", *path)
		case err != nil:
			return err
		default:
			fmt.Fprintf(e.stdout, "Đã tạo %d báo cáo minh họa (tên, địa chỉ, số điện thoại đều là giả) của %d cán bộ giả ở %d ấp.\n", n, 2*len(cfg.Hamlets), len(cfg.Hamlets))
		}
	}
	logger := newLogger(e.stderr, false, cfg.Log.SlogLevel())
	set := wiring.EngineSettings(cfg)
	set.Groups = append(set.Groups, demoGroup)
	// The page of figures, served on this machine only.
	var eng *bot.Engine
	webLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo: web page: %w", err)
	}
	defer webLn.Close()
	cfg.Web.Listen, cfg.Web.PublicURL = webLn.Addr().String(), "http://"+webLn.Addr().String()
	cfg.Web.FilesDir = filepath.Join(filepath.Dir(*path), "web-files")
	webLog := newLogger(e.stderr, false, slog.LevelWarn)
	webSrv, err := wiring.Web(ctx, cfg, db, &eng, nil, webLog, time.Now)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	set.Pages = wiring.Pages{Srv: webSrv, TTL: cfg.Web.LinkTTL}
	eng = bot.New(db, set, bot.WithLogger(logger))
	webCtx, stopWeb := context.WithCancel(ctx)
	webDone := make(chan struct{})
	go func() { defer close(webDone); _ = serveWeb(webCtx, webSrv, webLn, webLog, time.After) }()
	defer func() { stopWeb(); <-webDone }()
	fmt.Fprintf(e.stdout, "dvcbot demo — %s\nDữ liệu lưu tại: %s\nAnh/chị là quản trị viên và cán bộ ấp %s. Gõ /giup để xem các lệnh, /baocao để báo cáo; Ctrl+D để thoát.\n",
		cfg.Campaign.Name, *path, first.Name)
	con := &console.Console{In: e.stdin, Out: e.stdout, User: demoUser, FileDir: filepath.Join(filepath.Dir(*path), "files")}
	switch *channel {
	case "telegram":
	case "zalo":
		caps := chat.CapsOf(chat.Zalo)
		con.Caps, con.Render = &caps, renderZalo
		fmt.Fprintln(e.stdout, "Hiển thị như trên Zalo: không có nút bấm, mỗi khung «— tin nhắn —» là một tin Zalo (tối đa 2.000 ký tự).")
	default:
		return fmt.Errorf("--channel %q: dùng telegram hoặc zalo: %w", *channel, errUsage)
	}
	// The scheduled posts run with the real specs and print here, group
	// posts marked as such; /chay <việc> runs one now.
	sched, err := schedule.New(db, schedule.CampaignJobs(cfg.Schedule, eng), con, schedule.Options{
		Location: cfg.Campaign.Location, CatchUp: cfg.Schedule.CatchUp, Logger: logger, Poll: time.Second})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintln(e.stdout, "Tin theo lịch (nhắc việc, xếp hạng, báo cáo quý, sơ kết, tổng kết) hiện ở đây khi đến giờ; gõ /chay để xem ngay một tin.")
	if link, err := demoPageLink(db, webSrv); err == nil {
		fmt.Fprintln(e.stdout, "Trang số liệu trên web (mở trong trình duyệt trên máy này):", link)
	}
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	go func() { defer close(schedDone); _ = sched.Run(schedCtx) }()
	defer func() { stopSched(); <-schedDone }()
	return con.Run(ctx, eng.WithBackups(wiring.BackupFile(db, cfg.Campaign.Location, time.Now)))
}

// renderZalo shows a reply exactly as the Zalo transport would send it:
// plain text, choices as numbered lines, one block per Zalo message.
func renderZalo(r chat.Reply) string {
	msgs := zalo.RenderText(r, 0, false)
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = m.Text
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts, "\n— tin nhắn tiếp theo —\n")
}

// demoPageLink is the demo user's link to the page of figures.
func demoPageLink(db *store.DB, srv *web.Server) (string, error) {
	var link string
	err := db.Update(func(tx *store.Tx) error {
		o, err := tx.PersonAt(demoUser)
		if err != nil {
			return err
		}
		link, err = srv.PersonLink(tx, o.ID, campaign.RoleAdmin, time.Now())
		return err
	})
	return link, err
}
