package wiring

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"dvcbot/bot/zalo"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/scoring"
)

// Every award and campaign setting an operator writes reaches the scoring
// rules (a setting left out would silently score by the default).
func TestScoringParamsFromConfig(t *testing.T) {
	cfg := config.Sample()
	loc := cfg.Campaign.Location
	cfg.Awards = config.Awards{CoverageThreshold: 0.9, SpecialHouseholdThreshold: 150, SpecialMinShare: 0.8,
		MaxCollectives: 4, MaxIndividuals: 7, SpecialPrizes: 2}
	cfg.Campaign.DailyTarget = 2
	cfg.Campaign.DaysOff = []time.Time{time.Date(2026, 2, 17, 0, 0, 0, 0, loc)}
	p := ScoringParams(cfg)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"coverage_threshold", p.CoverageThreshold, 0.9},
		{"special_household_threshold", p.SpecialHouseholdThreshold, 150},
		{"special_min_share", p.SpecialMinShare, 0.8},
		{"max_collectives", p.MaxCollectives, 4},
		{"max_individuals", p.MaxIndividuals, 7},
		{"special_prizes", p.SpecialPrizes, 2},
		{"daily_target", p.DailyTarget, 2},
		{"start", p.CampaignStart, scoring.DateOf(cfg.Campaign.Start, loc)},
		{"end", p.CampaignEnd, scoring.DateOf(cfg.Campaign.End, loc)},
		{"days_off", len(p.DaysOff), 1},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Admins and groups named in configuration become addresses on their
// channels; no rate limit configured means none.
func TestEngineSettingsFromConfig(t *testing.T) {
	cfg := config.Sample()
	cfg.Telegram.AdminIDs = []int64{1001}
	cfg.Zalo.AdminIDs = []string{"7a31c0de90e2"}
	cfg.Telegram.GroupChatID = -100200
	cfg.Zalo.GroupChatID = "g-55"
	cfg.Limits.MessagesPerMinute = 0
	set := EngineSettings(cfg)
	want := []chat.Address{chat.Addr(chat.Telegram, "1001"), chat.Addr(chat.Zalo, "7a31c0de90e2")}
	if len(set.Admins) != 2 || set.Admins[0] != want[0] || set.Admins[1] != want[1] {
		t.Errorf("admins %v, want %v", set.Admins, want)
	}
	if len(set.Groups) != 2 || set.Groups[0] != chat.Addr(chat.Telegram, "-100200") || set.Groups[1] != chat.Addr(chat.Zalo, "g-55") {
		t.Errorf("groups %v", set.Groups)
	}
	if set.RatePerMinute >= 0 {
		t.Errorf("no limit configured gave %v a minute", set.RatePerMinute)
	}
}

// A reply for a channel that does not run is refused as unreachable (the
// outbox drops it instead of retrying for ever).
func TestRouterWithoutTheChannel(t *testing.T) {
	err := Router{}.Send(context.Background(), chat.Reply{To: chat.Addr(chat.Zalo, "u1"), Text: "x"})
	if !errors.Is(err, ErrNoChannel) || !errors.Is(err, chat.ErrUnreachable) {
		t.Fatalf("Send without the channel: %v", err)
	}
}

// The quota warning says what is used, of which month, and what the bot
// does next, in Vietnamese.
func TestQuotaWarningText(t *testing.T) {
	got := QuotaWarningText(zalo.QuotaWarning{Kind: "messages", Month: "2026-05", Used: 2400, Limit: 3000})
	for _, want := range []string{"2400/3000 tin nhắn", "tháng 5/2026", "95%", "/hanmuc"} {
		if !strings.Contains(got, want) {
			t.Errorf("warning lacks %q: %s", want, got)
		}
	}
	if got := QuotaWarningText(zalo.QuotaWarning{Kind: "users", Month: "2026-12", Used: 40, Limit: 50}); !strings.Contains(got, "40/50 người dùng của hạn mức tháng 12/2026") {
		t.Errorf("users warning: %s", got)
	}
}
