package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"dvcbot/bot"
	"dvcbot/campaign"
	"dvcbot/store"
	"dvcbot/wiring"
)

// inviteRoles are the roles `dvcbot invite --role` takes, by their
// command-line names.
var inviteRoles = map[string]campaign.Role{
	"admin":       campaign.RoleAdmin,
	"quan_tri":    campaign.RoleAdmin,
	"lanh_dao":    campaign.RoleZoneLeader,
	"thuong_truc": campaign.RoleInspector,
	"truong_ap":   campaign.RoleLeader,
	"can_bo":      campaign.RoleOfficer,
}

// invite prints a single-use join code made from the command line, so the
// first admin needs no account id in configuration: they send the code to
// the bot on Zalo or Telegram. The data file must not be in use (run it
// before starting the bot, or use /moi in the bot once an admin exists).
func (e env) invite(ctx context.Context, args []string) error {
	fs := e.flags("invite")
	path := e.configPath(fs)
	hamlet := fs.String("hamlet", "", "")
	role := fs.String("role", "admin", "")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	r, ok := inviteRoles[strings.ToLower(strings.TrimSpace(*role))]
	if !ok {
		return fmt.Errorf("vai trò %q không có — dùng admin, lanh_dao, thuong_truc, truong_ap hoặc can_bo: %w", *role, errUsage)
	}
	cfg, err := e.loadConfig(*path, false)
	if err != nil {
		return err
	}
	if *hamlet != "" {
		if err := knownHamlet("invite", cfg, *hamlet); err != nil {
			return err
		}
	}
	db, err := openStore(cfg, time.Now)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("tệp dữ liệu %s đang được bot dùng: dừng bot rồi chạy lại lệnh này, hoặc nhờ một quản trị viên gõ /moi trong bot: %w", cfg.Store.Path, err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	eng := bot.New(db, wiring.EngineSettings(cfg))
	_, text, err := eng.CreateInvite(ctx, *hamlet, r, "")
	if err != nil {
		if strings.Contains(err.Error(), "needs a hamlet") || strings.Contains(err.Error(), "has no hamlet") {
			return fmt.Errorf("vai trò %s %s: %w", *role, map[bool]string{true: "cần --hamlet", false: "không gắn với ấp, bỏ --hamlet"}[r == campaign.RoleOfficer || r == campaign.RoleLeader], errUsage)
		}
		return err
	}
	fmt.Fprintln(e.stdout, text)
	return nil
}
