package wiring

import (
	"strconv"

	"dvcbot/bot"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/scoring"
)

// EngineSettings maps configuration to the engine's settings.
func EngineSettings(cfg *config.Config, username func() string) bot.Settings {
	return bot.Settings{
		CampaignName:  cfg.Campaign.Name,
		Start:         cfg.Campaign.Start,
		End:           cfg.Campaign.End,
		Location:      cfg.Campaign.Location,
		DailyTarget:   cfg.Campaign.DailyTarget,
		Procedures:    cfg.Procedures,
		Admins:        Admins(cfg),
		RatePerMinute: rateOf(cfg.Limits.MessagesPerMinute),
		RateBurst:     cfg.Limits.Burst,
		Groups:        Groups(cfg),
		InviteTTL:     cfg.Invite.TTL,
		BotUsername:   username,
		Params:        ScoringParams(cfg),

		SpotCheckRate: cfg.SpotCheck.Rate,
	}
}

// rateOf maps limits.messages_per_minute (0: none) to the engine's setting
// (negative: none).
func rateOf(perMinute float64) float64 {
	if perMinute <= 0 {
		return -1
	}
	return perMinute
}

// Admins are the accounts of the admins named in configuration.
func Admins(cfg *config.Config) []chat.Address {
	var out []chat.Address
	for _, id := range cfg.Telegram.AdminIDs {
		out = append(out, chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)))
	}
	for _, id := range cfg.Zalo.AdminIDs {
		out = append(out, chat.Addr(chat.Zalo, id))
	}
	return out
}

// Groups are the leaders' groups named in configuration.
func Groups(cfg *config.Config) []chat.Address {
	var out []chat.Address
	if id := cfg.Telegram.GroupChatID; id != 0 {
		out = append(out, chat.Addr(chat.Telegram, strconv.FormatInt(id, 10)))
	}
	if id := cfg.Zalo.GroupChatID; id != "" {
		out = append(out, chat.Addr(chat.Zalo, id))
	}
	return out
}

// ScoringParams maps configuration to the scoring rules.
func ScoringParams(cfg *config.Config) scoring.Params {
	loc := cfg.Campaign.Location
	p := scoring.Params{
		CampaignStart:             scoring.DateOf(cfg.Campaign.Start, loc),
		CampaignEnd:               scoring.DateOf(cfg.Campaign.End, loc),
		DailyTarget:               cfg.Campaign.DailyTarget,
		CoverageThreshold:         cfg.Awards.CoverageThreshold,
		SpecialHouseholdThreshold: cfg.Awards.SpecialHouseholdThreshold,
		SpecialMinShare:           cfg.Awards.SpecialMinShare,
		MaxCollectives:            cfg.Awards.MaxCollectives,
		MaxIndividuals:            cfg.Awards.MaxIndividuals,
		SpecialPrizes:             cfg.Awards.SpecialPrizes,
	}
	for _, d := range cfg.Campaign.DaysOff {
		p.DaysOff = append(p.DaysOff, scoring.DateOf(d, loc))
	}
	return p
}
