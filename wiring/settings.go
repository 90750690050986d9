package wiring

import (
	"strconv"

	"dvcbot/bot"
	"dvcbot/bot/telegram"
	"dvcbot/bot/zalo"
	"dvcbot/chat"
	"dvcbot/config"
	"dvcbot/scoring"
)

// EngineSettings maps configuration to the engine's settings; what the
// running transports tell (the bots' names, the quota used) is added by
// ChannelSettings.
func EngineSettings(cfg *config.Config) bot.Settings {
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
		Params:        ScoringParams(cfg),

		SpotCheckRate: cfg.SpotCheck.Rate,
	}
}

// ChannelSettings fills the settings the engine reads from the running
// transports: the Telegram bot's @username, the Zalo bot's name, whether
// the Zalo bot may post in groups, and Zalo's quota used this month. tg
// and zt return the transport, nil while (or when) its channel does not
// run; they are called on each use, so the transports may be made after
// the engine.
func ChannelSettings(set *bot.Settings, tg func() *telegram.Transport, zt func() *zalo.Transport) {
	set.BotUsername = func() string {
		if t := tg(); t != nil {
			return t.Username()
		}
		return ""
	}
	set.ZaloName = func() string {
		if z := zt(); z != nil {
			return ZaloName(z.Me())
		}
		return ""
	}
	set.GroupsOK = func(channel string) bool {
		if channel == chat.Zalo {
			z := zt()
			return z != nil && z.Me().CanJoinGroups
		}
		return true
	}
	set.Usage = func() []chat.Usage {
		z := zt()
		if z == nil {
			return nil
		}
		st := z.Stats()
		return []chat.Usage{{Channel: chat.Zalo, Month: st.Month, In: st.MessagesIn, Out: st.MessagesOut, Users: st.Users,
			MessageQuota: st.MessageQuota, UserQuota: st.UserQuota, CountsIn: true}}
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
