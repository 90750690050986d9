// Package config loads, validates and describes dvcbot's configuration.
//
// The configuration is a YAML file (keys in snake_case, see sample.yaml,
// embedded and used when no file is given). Every key can be overridden by an
// environment variable named DVCBOT_ followed by the key in upper case with
// dots replaced by underscores: telegram.token → DVCBOT_TELEGRAM_TOKEN,
// telegram.webhook.secret_token → DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN.
// Lists of numbers or dates (telegram.admin_ids, campaign.days_off) are given
// in the environment separated by commas or spaces; the lists of records
// (hamlets, procedures) as a JSON array. An empty variable counts as unset.
//
// Loading never consults the process environment unless asked to
// (LoadEnviron): the environment is passed in, so tests stay hermetic.
//
// Errors are for the operator who edits the file: each one starts with the
// exact key at fault (list items indexed from 0, as in jq/yq:
// hamlets[3].id) followed by what is wrong and what to do, in Vietnamese
// like every other message of the product. Secrets (telegram.token,
// telegram.webhook.secret_token) never appear in an error or in fmt/JSON
// output of the configuration.
//
// This is the only package of dvcbot that imports viper; the Config it
// returns is made of plain structs.
package config

import (
	"log/slog"
	"strings"
	"time"

	"dvcbot/campaign"
)

// Config is dvcbot's whole configuration, parsed: dates are time.Time at
// local midnight in the campaign time zone, durations are time.Duration.
type Config struct {
	// Source is the file the configuration was read from; empty for the
	// embedded sample or bytes given to Parse.
	Source     string               `json:"-"`
	Campaign   Campaign             `json:"campaign"`
	Telegram   Telegram             `json:"telegram"`
	Zalo       Zalo                 `json:"zalo"`
	Store      Store                `json:"store"`
	Hamlets    []campaign.Hamlet    `json:"hamlets"`
	Procedures []campaign.Procedure `json:"procedures"`
	Schedule   Schedule             `json:"schedule"`
	Awards     Awards               `json:"awards"`
	SpotCheck  SpotCheck            `json:"spotcheck"`
	Ops        Ops                  `json:"ops"`
	Log        Log                  `json:"log"`
	Invite     Invite               `json:"invite"`
	Limits     Limits               `json:"limits"`
	Web        Web                  `json:"web"`
}

// Campaign describes the emulation movement: its name, period and daily target.
type Campaign struct {
	Name string `json:"name"`
	// Start and End are the first and last day of the campaign (inclusive),
	// at midnight in Location.
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Timezone string    `json:"timezone"`
	// Location is Timezone loaded; never nil after a successful Load.
	Location *time.Location `json:"-"`
	// DailyTarget is the number of households a hamlet must guide in a day
	// for the day to be met.
	DailyTarget int `json:"daily_target"`
	// DaysOff are dates (midnight in Location) on which nothing is sent and
	// no target applies.
	DaysOff []time.Time `json:"days_off"`
}

// Telegram modes of receiving updates.
const (
	ModePolling = "polling"
	ModeWebhook = "webhook"
)

// DefaultAPIEndpoint is the Bot API URL format: token, then method.
const DefaultAPIEndpoint = "https://api.telegram.org/bot%s/%s"

// Telegram is how the bot talks to the Bot API. Its fmt and JSON forms hide
// the token and the webhook secret.
type Telegram struct {
	Token string `json:"token"`
	// APIEndpoint is a format with two %s: the token, then the method name.
	APIEndpoint string `json:"api_endpoint"`
	// GroupChatID is the leaders' group; 0 when there is none yet.
	GroupChatID int64 `json:"group_chat_id"`
	// AdminIDs are Telegram user ids who are admins from the first start.
	AdminIDs []int64 `json:"admin_ids"`
	// Mode is ModePolling or ModeWebhook.
	Mode string `json:"mode"`
	// PollTimeout is the long-polling timeout in seconds.
	PollTimeout int     `json:"poll_timeout"`
	Webhook     Webhook `json:"webhook"`
	Rate        Rate    `json:"rate"`
}

// Webhook configures webhook mode. Its fmt and JSON forms hide the secret.
type Webhook struct {
	// Listen is the local address the webhook server binds to.
	Listen string `json:"listen"`
	// URL is the public HTTPS address given to setWebhook.
	URL string `json:"url"`
	// SecretToken is sent by Telegram in X-Telegram-Bot-Api-Secret-Token.
	SecretToken string `json:"secret_token"`
}

// DefaultZaloEndpoint is the Zalo Bot API URL format: token, then method.
const DefaultZaloEndpoint = "https://bot-api.zaloplatforms.com/bot%s/%s"

// Zalo is how the bot talks to the Zalo Bot Platform. The channel runs
// when Token is set. Its fmt and JSON forms hide the token and the secret.
type Zalo struct {
	Token string `json:"token"`
	// APIEndpoint is a format with two %s: the token, then the method name.
	APIEndpoint string `json:"api_endpoint"`
	// Mode is ModeWebhook (production: Zalo never delivers a message twice
	// and keeps none while the bot is down) or ModePolling (development).
	Mode string `json:"mode"`
	// PollTimeout is the long-polling timeout in seconds.
	PollTimeout int     `json:"poll_timeout"`
	Webhook     Webhook `json:"webhook"`
	// AdminIDs are Zalo user ids (strings) who are admins from the start.
	AdminIDs []string `json:"admin_ids"`
	// GroupChatID is the leaders' Zalo group; "" to link one with /nhom.
	GroupChatID string `json:"group_chat_id"`
	// MonthlyMessageQuota and UserQuota are the plan's limits (Basic:
	// 3,000 messages and 50 users a month): check them on the pricing page.
	MonthlyMessageQuota int `json:"monthly_message_quota"`
	UserQuota           int `json:"user_quota"`
}

// Rate holds Telegram's sending limits the bot keeps under.
type Rate struct {
	GlobalPerSecond  float64 `json:"global_per_second"`
	PerChatPerSecond float64 `json:"per_chat_per_second"`
	GroupPerMinute   float64 `json:"group_per_minute"`
}

// Store configures the bbolt file and its backups.
type Store struct {
	// Path is the bbolt file; a relative path is from the working directory.
	Path string `json:"path"`
	// BackupDir defaults to "backups" beside Path.
	BackupDir      string `json:"backup_dir"`
	BackupKeep     int    `json:"backup_keep"`
	BackupSchedule string `json:"backup_schedule"`
}

// Schedule holds the cron specs (robfig/cron standard syntax or
// descriptors such as "@every 5s"), read in the campaign time zone.
type Schedule struct {
	Reminder    string `json:"reminder"`
	Escalation  string `json:"escalation"`
	Leaderboard string `json:"leaderboard"`
	Quarterly   string `json:"quarterly"`
	Semiannual  string `json:"semiannual"`
	Yearend     string `json:"yearend"`
	// CatchUp is how late a job missed while the bot was down may still run.
	CatchUp time.Duration `json:"catch_up"`
}

// Awards holds the thresholds and caps of the plan's awards.
type Awards struct {
	// CoverageThreshold is the share of households able to file online that
	// a collective award requires, in (0, 1].
	CoverageThreshold float64 `json:"coverage_threshold"`
	// SpecialHouseholdThreshold: hamlets with at least this many households
	// need 1 procedure per household for the special prize, smaller ones 2.
	SpecialHouseholdThreshold int `json:"special_household_threshold"`
	// SpecialMinShare is the share of a hamlet's register that must have
	// been guided through the required procedures (1 or 2 per household)
	// for the hamlet to be eligible for a special prize (phần quà khen
	// thưởng riêng), in (0, 1]; 0.95 by default, the collective award's bar.
	SpecialMinShare float64 `json:"special_min_share"`
	MaxCollectives  int     `json:"max_collectives"`
	MaxIndividuals  int     `json:"max_individuals"`
	SpecialPrizes   int     `json:"special_prizes"`
}

// SpotCheck configures random checks of reported households.
type SpotCheck struct {
	// Rate is the share of not-yet-checked records drawn by default, in (0, 1].
	Rate float64 `json:"rate"`
}

// Ops configures the health and metrics server.
type Ops struct {
	// Listen is the address of /healthz and /metrics; empty disables it.
	Listen string `json:"listen"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `json:"level"`
}

// SlogLevel is Level as a slog.Level (info when unknown).
func (l Log) SlogLevel() slog.Level {
	switch strings.ToLower(l.Level) {
	case "debug":
		return slog.LevelDebug
	case "warn", "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

// Invite configures join links.
// Limits bound what one person may send: far above real use (a few
// reports a day), they stop a runaway client or a loop of pasted messages.
type Limits struct {
	// MessagesPerMinute per person (0: no limit), with bursts of Burst.
	MessagesPerMinute float64 `json:"messages_per_minute"`
	Burst             int     `json:"burst"`
}

// Invite configures invite codes.
type Invite struct {
	// TTL is how long an invite code stays valid.
	TTL time.Duration `json:"ttl"`
}

// Hamlet returns the configured hamlet with that id.
func (c *Config) Hamlet(id string) (campaign.Hamlet, bool) {
	for _, h := range c.Hamlets {
		if h.ID == id {
			return h, true
		}
	}
	return campaign.Hamlet{}, false
}

// Procedure returns the catalogue entry with that id.
func (c *Config) Procedure(id string) (campaign.Procedure, bool) {
	for _, p := range c.Procedures {
		if p.ID == id {
			return p, true
		}
	}
	return campaign.Procedure{}, false
}

// IsAdmin reports whether the Telegram user id is listed in telegram.admin_ids.
func (c *Config) IsAdmin(id int64) bool {
	for _, a := range c.Telegram.AdminIDs {
		if a == id {
			return true
		}
	}
	return false
}

// Loc is the campaign time zone (UTC if none was loaded).
func (c *Config) Loc() *time.Location {
	if c.Campaign.Location != nil {
		return c.Campaign.Location
	}
	return time.UTC
}

// LocalDate is midnight, in the campaign time zone, of the local calendar
// day that contains t.
func (c *Config) LocalDate(t time.Time) time.Time {
	loc := c.Loc()
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// DayOff reports whether t falls, in the campaign time zone, on one of
// campaign.days_off.
func (c *Config) DayOff(t time.Time) bool {
	k := dateKey(t.In(c.Loc()))
	for _, d := range c.Campaign.DaysOff {
		if dateKey(d) == k {
			return true
		}
	}
	return false
}

// InCampaign reports whether t falls, in the campaign time zone, on a day
// from campaign.start to campaign.end inclusive.
func (c *Config) InCampaign(t time.Time) bool {
	k := dateKey(t.In(c.Loc()))
	return k >= dateKey(c.Campaign.Start) && k <= dateKey(c.Campaign.End)
}

// dateKey orders calendar dates: the date of t read in t's own location.
func dateKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}
