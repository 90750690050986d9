package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"

	"dvcbot/campaign"
)

func mustParse(t *testing.T, yaml string, env ...string) *Config {
	t.Helper()
	c, err := Parse([]byte(yaml), env)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func keysOf(err error) []string {
	var keys []string
	for _, p := range Problems(err) {
		keys = append(keys, p.Key)
	}
	return keys
}

func TestSampleLoadsAndValidates(t *testing.T) {
	c, err := Load("", nil)
	if err != nil {
		t.Fatalf(`Load(""): %v`, err)
	}
	if err := c.Validate(false); err != nil {
		t.Fatalf("sample does not validate:\n%v", err)
	}
	if err := c.Validate(true); !slices.Equal(keysOf(err), []string{"zalo.token"}) {
		t.Errorf("Validate(true) of the sample = %v, want only the missing token", err)
	}
	if !reflect.DeepEqual(c, Sample()) {
		t.Error(`Load("") differs from Sample()`)
	}
	if c.Source != "" {
		t.Errorf("Source = %q, want empty for the embedded sample", c.Source)
	}

	cp := c.Campaign
	if cp.Name != "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến" {
		t.Errorf("campaign name = %q", cp.Name)
	}
	if cp.Location == nil || cp.Location.String() != "Asia/Ho_Chi_Minh" {
		t.Fatalf("location = %v", cp.Location)
	}
	wantStart := time.Date(2026, 1, 1, 0, 0, 0, 0, cp.Location)
	wantEnd := time.Date(2026, 12, 31, 0, 0, 0, 0, cp.Location)
	if !cp.Start.Equal(wantStart) || !cp.End.Equal(wantEnd) {
		t.Errorf("period = %v – %v, want %v – %v", cp.Start, cp.End, wantStart, wantEnd)
	}
	if _, off := cp.Start.Zone(); off != 7*3600 {
		t.Errorf("start is not at local midnight: offset %d", off)
	}
	if cp.DailyTarget != 1 || c.Telegram.Token != "" {
		t.Errorf("daily target %d, token set %v", cp.DailyTarget, c.Telegram.Token != "")
	}

	if len(c.Hamlets) != 13 {
		t.Fatalf("%d hamlets, want 13", len(c.Hamlets))
	}
	var big, small int
	for _, h := range c.Hamlets {
		if h.Households < 150 || h.Households > 900 {
			t.Errorf("hamlet %s has %d households, outside the plausible 150–900", h.ID, h.Households)
		}
		if h.Households >= 365 {
			big++
		} else {
			small++
		}
	}
	if big == 0 || small == 0 {
		t.Errorf("sample should have hamlets on both sides of 365: %d ≥365, %d <365", big, small)
	}
	if !reflect.DeepEqual(c.Procedures, DefaultProcedures()) {
		t.Errorf("sample catalogue differs from DefaultProcedures:\n%v\n%v", c.Procedures, DefaultProcedures())
	}
	if _, ok := c.Procedure(campaign.OtherProcedureID); !ok {
		t.Error(`sample lacks "khac"`)
	}

	text := string(SampleYAML())
	for _, want := range []string{"MINH HỌA", "ILLUSTRATIVE", "sổ hộ"} {
		if !strings.Contains(text, want) {
			t.Errorf("sample.yaml should say %q about its hamlets", want)
		}
	}
	b := SampleYAML()
	b[0] = 'X'
	if SampleYAML()[0] == 'X' {
		t.Error("SampleYAML returns the embedded bytes themselves, not a copy")
	}
}

// The sample is the reference for operators: it must show every key.
func TestSampleShowsEveryKey(t *testing.T) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(SampleYAML())); err != nil {
		t.Fatal(err)
	}
	got := v.AllKeys()
	sort.Strings(got)
	if want := Keys(); !slices.Equal(got, want) {
		t.Errorf("sample keys\n%v\nwant\n%v", got, want)
	}
}

// The values in the sample are the defaults: a file with only hamlets
// gives the same configuration.
func TestDefaultsMatchSample(t *testing.T) {
	c := mustParse(t, `
hamlets:
  - {id: bai-nha, name: Bãi Nhà, households: 812}
`)
	s := Sample()
	s.Hamlets = c.Hamlets
	if !reflect.DeepEqual(c, s) {
		t.Errorf("defaults differ from the sample:\n%+v\n%+v", c, s)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"api_endpoint", c.Telegram.APIEndpoint, "https://api.telegram.org/bot%s/%s"},
		{"mode", c.Telegram.Mode, ModePolling},
		{"poll_timeout", c.Telegram.PollTimeout, 30},
		{"global_per_second", c.Telegram.Rate.GlobalPerSecond, 30.0},
		{"per_chat_per_second", c.Telegram.Rate.PerChatPerSecond, 1.0},
		{"group_per_minute", c.Telegram.Rate.GroupPerMinute, 20.0},
		{"store.path", c.Store.Path, "dvcbot.db"},
		{"store.backup_dir", c.Store.BackupDir, "backups"},
		{"store.backup_keep", c.Store.BackupKeep, 30},
		{"store.backup_schedule", c.Store.BackupSchedule, "0 2 * * *"},
		{"reminder", c.Schedule.Reminder, "0 16 * * *"},
		{"escalation", c.Schedule.Escalation, "0 19 * * *"},
		{"leaderboard", c.Schedule.Leaderboard, "0 20 * * *"},
		{"quarterly", c.Schedule.Quarterly, "0 8 1 1,4,7,10 *"},
		{"semiannual", c.Schedule.Semiannual, "0 8 1 7 *"},
		{"yearend", c.Schedule.Yearend, "0 20 31 12 *"},
		{"catch_up", c.Schedule.CatchUp, 6 * time.Hour},
		{"coverage_threshold", c.Awards.CoverageThreshold, 0.95},
		{"special_household_threshold", c.Awards.SpecialHouseholdThreshold, 365},
		{"special_min_share", c.Awards.SpecialMinShare, 0.95},
		{"max_collectives", c.Awards.MaxCollectives, 6},
		{"max_individuals", c.Awards.MaxIndividuals, 26},
		{"special_prizes", c.Awards.SpecialPrizes, 3},
		{"spotcheck.rate", c.SpotCheck.Rate, 0.10},
		{"ops.listen", c.Ops.Listen, "127.0.0.1:9090"},
		{"log.level", c.Log.Level, "info"},
		{"invite.ttl", c.Invite.TTL, 7 * 24 * time.Hour},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestEnvOverrides(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	tests := []struct {
		name  string
		env   []string
		check func(c *Config) (got, want any)
	}{
		{"token", []string{"DVCBOT_TELEGRAM_TOKEN=123:abc"},
			func(c *Config) (any, any) { return c.Telegram.Token, "123:abc" }},
		{"nested webhook secret", []string{"DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN=s3cr3t_-X"},
			func(c *Config) (any, any) { return c.Telegram.Webhook.SecretToken, "s3cr3t_-X" }},
		{"webhook url and listen", []string{"DVCBOT_TELEGRAM_WEBHOOK_URL=https://bot.example.vn/tg", "DVCBOT_TELEGRAM_WEBHOOK_LISTEN=127.0.0.1:8080"},
			func(c *Config) (any, any) {
				return c.Telegram.Webhook.URL + " " + c.Telegram.Webhook.Listen, "https://bot.example.vn/tg 127.0.0.1:8080"
			}},
		{"mode", []string{"DVCBOT_TELEGRAM_MODE=Webhook"},
			func(c *Config) (any, any) { return c.Telegram.Mode, ModeWebhook }},
		{"admin ids, commas and spaces", []string{"DVCBOT_TELEGRAM_ADMIN_IDS=111, 222 333"},
			func(c *Config) (any, any) { return c.Telegram.AdminIDs, []int64{111, 222, 333} }},
		{"group chat id", []string{"DVCBOT_TELEGRAM_GROUP_CHAT_ID=-1001234567890"},
			func(c *Config) (any, any) { return c.Telegram.GroupChatID, int64(-1001234567890) }},
		{"api endpoint", []string{"DVCBOT_TELEGRAM_API_ENDPOINT=http://127.0.0.1:8081/bot%s/%s"},
			func(c *Config) (any, any) { return c.Telegram.APIEndpoint, "http://127.0.0.1:8081/bot%s/%s" }},
		{"poll timeout as duration", []string{"DVCBOT_TELEGRAM_POLL_TIMEOUT=45s"},
			func(c *Config) (any, any) { return c.Telegram.PollTimeout, 45 }},
		{"rate", []string{"DVCBOT_TELEGRAM_RATE_GROUP_PER_MINUTE=12.5"},
			func(c *Config) (any, any) { return c.Telegram.Rate.GroupPerMinute, 12.5 }},
		{"store path moves backups too", []string{"DVCBOT_STORE_PATH=/data/dvcbot.db"},
			func(c *Config) (any, any) {
				return c.Store.Path + " " + c.Store.BackupDir, "/data/dvcbot.db /data/backups"
			}},
		{"backup dir", []string{"DVCBOT_STORE_BACKUP_DIR=/backup", "DVCBOT_STORE_BACKUP_KEEP=7"},
			func(c *Config) (any, any) { return fmt.Sprint(c.Store.BackupDir, c.Store.BackupKeep), "/backup7" }},
		{"daily target", []string{"DVCBOT_CAMPAIGN_DAILY_TARGET=2"},
			func(c *Config) (any, any) { return c.Campaign.DailyTarget, 2 }},
		{"campaign end", []string{"DVCBOT_CAMPAIGN_END=2026-06-30"},
			func(c *Config) (any, any) { return c.Campaign.End, time.Date(2026, 6, 30, 0, 0, 0, 0, loc) }},
		{"days off list", []string{"DVCBOT_CAMPAIGN_DAYS_OFF=2026-04-30,2026-05-01 2026-09-02"},
			func(c *Config) (any, any) {
				return c.Campaign.DaysOff, []time.Time{
					time.Date(2026, 4, 30, 0, 0, 0, 0, loc),
					time.Date(2026, 5, 1, 0, 0, 0, 0, loc),
					time.Date(2026, 9, 2, 0, 0, 0, 0, loc)}
			}},
		{"schedule", []string{"DVCBOT_SCHEDULE_REMINDER=@every 5s", "DVCBOT_SCHEDULE_CATCH_UP=30m"},
			func(c *Config) (any, any) {
				return fmt.Sprint(c.Schedule.Reminder, " ", c.Schedule.CatchUp), "@every 5s 30m0s"
			}},
		{"awards as percent", []string{"DVCBOT_AWARDS_COVERAGE_THRESHOLD=100%"},
			func(c *Config) (any, any) { return c.Awards.CoverageThreshold, 1.0 }},
		{"special share as percent", []string{"DVCBOT_AWARDS_SPECIAL_MIN_SHARE=90%"},
			func(c *Config) (any, any) { return c.Awards.SpecialMinShare, 0.9 }},
		{"spotcheck", []string{"DVCBOT_SPOTCHECK_RATE=0.2"},
			func(c *Config) (any, any) { return c.SpotCheck.Rate, 0.2 }},
		{"ops and log", []string{"DVCBOT_OPS_LISTEN=:9100", "DVCBOT_LOG_LEVEL=DEBUG"},
			func(c *Config) (any, any) { return c.Ops.Listen + " " + c.Log.Level, ":9100 debug" }},
		{"invite ttl in days", []string{"DVCBOT_INVITE_TTL=3d"},
			func(c *Config) (any, any) { return c.Invite.TTL, 72 * time.Hour }},
		{"hamlets as JSON", []string{`DVCBOT_HAMLETS=[{"id":"a","name":"Ấp A","households":10}]`},
			func(c *Config) (any, any) {
				return c.Hamlets, []campaign.Hamlet{{ID: "a", Name: "Ấp A", Households: 10}}
			}},
		{"procedures as JSON", []string{`DVCBOT_PROCEDURES=[{"id":"khac","name":"Khác"}]`},
			func(c *Config) (any, any) { return c.Procedures, []campaign.Procedure{{ID: "khac", Name: "Khác"}} }},
		{"empty variable is unset", []string{"DVCBOT_STORE_PATH="},
			func(c *Config) (any, any) { return c.Store.Path, "dvcbot.db" }},
		{"last entry wins", []string{"DVCBOT_LOG_LEVEL=warn", "DVCBOT_LOG_LEVEL=error"},
			func(c *Config) (any, any) { return c.Log.Level, "error" }},
		{"other variables ignored", []string{"TELEGRAM_TOKEN=x", "DVCBOTX=1", "PATH=/bin"},
			func(c *Config) (any, any) { return c.Telegram.Token, "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("", tt.env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got, want := tt.check(c); !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestEnvOverridesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dvcbot.yaml")
	yaml := "telegram:\n  token: from-file\n  webhook:\n    secret_token: fromfile\nhamlets:\n  - {id: a, name: Ấp A, households: 10}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, []string{"DVCBOT_TELEGRAM_TOKEN=from-env", "DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN=fromenv"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "from-env" || c.Telegram.Webhook.SecretToken != "fromenv" {
		t.Errorf("environment did not win over the file: %q %q", c.Telegram.Token, c.Telegram.Webhook.SecretToken)
	}
	if c.Source != path {
		t.Errorf("Source = %q, want %q", c.Source, path)
	}
	if c, _ := Load(path, nil); c.Telegram.Token != "from-file" {
		t.Errorf("file token not read")
	}
}

// Tests never see the real environment unless they ask for it.
func TestProcessEnvironmentNotReadByLoad(t *testing.T) {
	t.Setenv("DVCBOT_TELEGRAM_TOKEN", "from-process")
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "" {
		t.Error("Load read the process environment")
	}
	c, err = LoadEnviron("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Telegram.Token != "from-process" {
		t.Error("LoadEnviron did not read the process environment")
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("err = %v, want it to name %s", err, path)
	}
}

// Values that cannot be read are reported by Load, all at once, by key.
func TestLoadErrorsNameTheKey(t *testing.T) {
	hamlet := "hamlets:\n  - {id: a, name: A, households: 10}\n"
	tests := []struct {
		name string
		yaml string
		env  []string
		keys []string
	}{
		{"not a number", "campaign:\n  daily_target: một\n", nil, []string{"campaign.daily_target"}},
		{"fractional target", "campaign:\n  daily_target: 1.5\n", nil, []string{"campaign.daily_target"}},
		{"bad date", "campaign:\n  start: 01/01/2026\n", nil, []string{"campaign.start"}},
		{"unquoted date", "campaign:\n  start: 2026-02-01\n", nil, nil},
		{"bad day off", "campaign:\n  days_off: [2026-04-30, 30/4]\n", nil, []string{"campaign.days_off[1]"}},
		{"bad admin id", "telegram:\n  admin_ids: [1, abc]\n", nil, []string{"telegram.admin_ids[1]"}},
		{"bad admin id from env", "", []string{"DVCBOT_TELEGRAM_ADMIN_IDS=1,x"}, []string{"telegram.admin_ids[1]"}},
		{"bad duration", "schedule:\n  catch_up: 6\n", nil, []string{"schedule.catch_up"}},
		{"bad ttl from env", "", []string{"DVCBOT_INVITE_TTL=a week"}, []string{"invite.ttl"}},
		{"bad float", "awards:\n  coverage_threshold: cao\n", nil, []string{"awards.coverage_threshold"}},
		{"token is a list", "telegram:\n  token: [a, b]\n", nil, []string{"telegram.token"}},
		{"misspelt key", "telegram:\n  tokne: x\n", nil, []string{"telegram.tokne"}},
		{"unknown section", "campain:\n  name: x\n", nil, []string{"campain.name"}},
		{"hamlets not a list", "hamlets:\n  bai-nha: 10\n", nil, []string{"hamlets", "hamlets.bai-nha"}},
		{"hamlet field misspelt", "hamlets:\n  - {id: a, name: A, household: 10}\n", nil, []string{"hamlets[0].household"}},
		{"households not a number", "hamlets:\n  - {id: a, name: A, households: nhiều}\n", nil, []string{"hamlets[0].households"}},
		{"hamlet not a map", "hamlets:\n  - bai-nha\n", nil, []string{"hamlets[0]"}},
		{"hamlets JSON bad", "", []string{"DVCBOT_HAMLETS=bai-nha:10"}, []string{"hamlets"}},
		{"procedure field", "procedures:\n  - {id: khac, name: Khác, ten: x}\n", nil, []string{"procedures[0].ten"}},
		{"several at once", "campaign:\n  daily_target: x\n  end: never\nlog:\n  lvl: info\n", nil,
			[]string{"log.lvl", "campaign.end", "campaign.daily_target"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := tt.yaml
			if !strings.Contains(yaml, "hamlets") {
				yaml += hamlet
			}
			_, err := Parse([]byte(yaml), tt.env)
			got := keysOf(err)
			sort.Strings(got)
			want := slices.Clone(tt.keys)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("problem keys = %v, want %v\nerror: %v", got, want, err)
			}
			for _, p := range Problems(err) {
				if !strings.HasPrefix(p.Error(), p.Key+": ") || len(p.Msg) < 10 {
					t.Errorf("unhelpful message %q", p.Error())
				}
			}
		})
	}
	if _, err := Parse([]byte("campaign: [\n"), nil); err == nil || !strings.Contains(err.Error(), "YAML") {
		t.Errorf("broken YAML: err = %v", err)
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	tests := []struct {
		name     string
		forServe bool
		mutate   func(c *Config)
		key      string // "" = valid
		contains string
	}{
		{"sample is valid", false, func(c *Config) {}, "", ""},
		{"duplicate hamlet id", false, func(c *Config) { c.Hamlets[3].ID = "bai-nha" }, "hamlets[3].id", `trùng mã "bai-nha" với hamlets[0].id`},
		{"hamlet id upper case", false, func(c *Config) { c.Hamlets[2].ID = "Hon-Tre" }, "hamlets[2].id", "a-z"},
		{"hamlet id with diacritics", false, func(c *Config) { c.Hamlets[2].ID = "hòn-tre" }, "hamlets[2].id", ""},
		{"hamlet id too long", false, func(c *Config) { c.Hamlets[2].ID = strings.Repeat("a", 33) }, "hamlets[2].id", "1–32"},
		{"hamlet id empty", false, func(c *Config) { c.Hamlets[0].ID = "" }, "hamlets[0].id", ""},
		{"hamlet id 32 long", false, func(c *Config) { c.Hamlets[2].ID = strings.Repeat("a", 32) }, "", ""},
		{"households zero", false, func(c *Config) { c.Hamlets[5].Households = 0 }, "hamlets[5].households", "lớn hơn 0"},
		{"households negative", false, func(c *Config) { c.Hamlets[5].Households = -3 }, "hamlets[5].households", "-3"},
		{"hamlet name empty", false, func(c *Config) { c.Hamlets[1].Name = "" }, "hamlets[1].name", "chưa có tên"},
		{"hamlet name duplicate", false, func(c *Config) { c.Hamlets[4].Name = "bãi nhà" }, "hamlets[4].name", "hamlets[0].name"},
		{"hamlet name control char", false, func(c *Config) { c.Hamlets[4].Name = "Ấp\x00" }, "hamlets[4].name", ""},
		{"hamlet name too long", false, func(c *Config) { c.Hamlets[4].Name = strings.Repeat("ấ", 101) }, "hamlets[4].name", "100"},
		{"no hamlets", false, func(c *Config) { c.Hamlets = nil }, "hamlets", ""},
		{"duplicate procedure id", false, func(c *Config) { c.Procedures[1].ID = "khai_sinh" }, "procedures[1].id", `trùng mã "khai_sinh"`},
		{"procedure id bad", false, func(c *Config) { c.Procedures[1].ID = "thường trú" }, "procedures[1].id", ""},
		{"procedure name empty", false, func(c *Config) { c.Procedures[0].Name = "" }, "procedures[0].name", ""},
		{"khac missing", false, func(c *Config) { c.Procedures = c.Procedures[:len(c.Procedures)-1] }, "procedures", `"khac"`},
		{"unknown time zone", false, func(c *Config) { c.Campaign.Timezone = "Asia/Saigonn" }, "campaign.timezone", "Asia/Saigonn"},
		{"empty time zone", false, func(c *Config) { c.Campaign.Timezone = "" }, "campaign.timezone", ""},
		{"campaign name empty", false, func(c *Config) { c.Campaign.Name = "" }, "campaign.name", ""},
		{"end before start", false, func(c *Config) { c.Campaign.End = c.Campaign.Start.AddDate(0, 0, -1) }, "campaign.end", "2025-12-31"},
		{"one-day campaign", false, func(c *Config) { c.Campaign.End = c.Campaign.Start }, "", ""},
		{"no start", false, func(c *Config) { c.Campaign.Start = time.Time{} }, "campaign.start", ""},
		{"daily target zero", false, func(c *Config) { c.Campaign.DailyTarget = 0 }, "campaign.daily_target", "1"},
		{"day off before start", false, func(c *Config) {
			c.Campaign.DaysOff = []time.Time{c.Campaign.Start, c.Campaign.Start.AddDate(0, 0, -1)}
		}, "campaign.days_off[1]", "2025-12-31"},
		{"day off after end", false, func(c *Config) { c.Campaign.DaysOff = []time.Time{c.Campaign.End.AddDate(0, 0, 1)} }, "campaign.days_off[0]", ""},
		{"day off on last day", false, func(c *Config) { c.Campaign.DaysOff = []time.Time{c.Campaign.End} }, "", ""},
		{"coverage zero", false, func(c *Config) { c.Awards.CoverageThreshold = 0 }, "awards.coverage_threshold", ""},
		{"coverage above 1", false, func(c *Config) { c.Awards.CoverageThreshold = 95 }, "awards.coverage_threshold", "95"},
		{"coverage exactly 1", false, func(c *Config) { c.Awards.CoverageThreshold = 1 }, "", ""},
		{"special threshold", false, func(c *Config) { c.Awards.SpecialHouseholdThreshold = 0 }, "awards.special_household_threshold", ""},
		{"special share zero", false, func(c *Config) { c.Awards.SpecialMinShare = 0 }, "awards.special_min_share", ""},
		{"special share as percent", false, func(c *Config) { c.Awards.SpecialMinShare = 95 }, "awards.special_min_share", "95"},
		{"special share exactly 1", false, func(c *Config) { c.Awards.SpecialMinShare = 1 }, "", ""},
		{"negative caps", false, func(c *Config) { c.Awards.MaxIndividuals = -1 }, "awards.max_individuals", ""},
		{"spotcheck zero", false, func(c *Config) { c.SpotCheck.Rate = 0 }, "spotcheck.rate", ""},
		{"token missing for serve", true, func(c *Config) { c.Telegram.Token = "" }, "zalo.token", "DVCBOT_TELEGRAM_TOKEN"},
		{"zalo id with spaces", false, func(c *Config) { c.Zalo.AdminIDs = []string{"6ede 9afa"} }, "zalo.admin_ids[0]", "mã người dùng Zalo"},
		{"zalo secret too short", false, func(c *Config) { c.Zalo.Webhook.SecretToken = "short" }, "zalo.webhook.secret_token", "8–256"},
		{"zalo webhook url not https", false, func(c *Config) { c.Zalo.Webhook.URL = "http://x.vn/z" }, "zalo.webhook.url", "https://"},
		{"zalo webhook without secret", true, func(c *Config) {
			c.Zalo.Token, c.Zalo.Mode, c.Zalo.Webhook.URL, c.Zalo.Webhook.SecretToken = "z:1", ModeWebhook, "https://x.vn/z", ""
		}, "zalo.webhook.secret_token", "DVCBOT_ZALO_WEBHOOK_SECRET_TOKEN"},
		{"zalo mode unknown", false, func(c *Config) { c.Zalo.Mode = "push" }, "zalo.mode", "webhook"},
		{"zalo group id bad", false, func(c *Config) { c.Zalo.GroupChatID = "nhóm" }, "zalo.group_chat_id", "/nhom"},
		{"token missing is fine otherwise", false, func(c *Config) { c.Telegram.Token = "" }, "", ""},
		{"token with a space", false, func(c *Config) { c.Telegram.Token = "123:abc def" }, "telegram.token", ""},
		{"serve with token", true, func(c *Config) { c.Telegram.Token = "123:abc" }, "", ""},
		{"mode unknown", false, func(c *Config) { c.Telegram.Mode = "push" }, "telegram.mode", `"push"`},
		{"webhook needs url", true, func(c *Config) {
			c.Telegram.Token, c.Telegram.Mode, c.Telegram.Webhook.SecretToken = "1:a", ModeWebhook, "abcdefghijklmnop"
		}, "telegram.webhook.url", "https://"},
		{"webhook needs secret", true, func(c *Config) {
			c.Telegram.Token, c.Telegram.Mode, c.Telegram.Webhook.URL = "1:a", ModeWebhook, "https://bot.example.vn/tg"
		}, "telegram.webhook.secret_token", ""},
		{"webhook complete", true, func(c *Config) {
			c.Telegram.Token, c.Telegram.Mode = "1:a", ModeWebhook
			c.Telegram.Webhook.URL, c.Telegram.Webhook.SecretToken = "https://bot.example.vn/tg", strings.Repeat("A-z_9", 51)
		}, "", ""},
		{"webhook url not https", false, func(c *Config) { c.Telegram.Webhook.URL = "http://bot.example.vn/tg" }, "telegram.webhook.url", "https"},
		{"webhook listen bad", false, func(c *Config) { c.Telegram.Mode, c.Telegram.Webhook.Listen = ModeWebhook, "8443" }, "telegram.webhook.listen", ""},
		{"secret bad characters", false, func(c *Config) { c.Telegram.Webhook.SecretToken = "có dấu" }, "telegram.webhook.secret_token", "1–256"},
		{"secret too long", false, func(c *Config) { c.Telegram.Webhook.SecretToken = strings.Repeat("a", 257) }, "telegram.webhook.secret_token", ""},
		{"endpoint one %s", false, func(c *Config) { c.Telegram.APIEndpoint = "https://api.telegram.org/bot%s" }, "telegram.api_endpoint", "hai %s"},
		{"endpoint %d", false, func(c *Config) { c.Telegram.APIEndpoint = "https://x/bot%s/%s/%d" }, "telegram.api_endpoint", ""},
		{"endpoint not a URL", false, func(c *Config) { c.Telegram.APIEndpoint = "bot%s/%s" }, "telegram.api_endpoint", "http"},
		{"endpoint local fake", false, func(c *Config) { c.Telegram.APIEndpoint = "http://127.0.0.1:43210/bot%s/%s" }, "", ""},
		{"poll timeout negative", false, func(c *Config) { c.Telegram.PollTimeout = -1 }, "telegram.poll_timeout", ""},
		{"admin id negative", false, func(c *Config) { c.Telegram.AdminIDs = []int64{5, -5} }, "telegram.admin_ids[1]", ""},
		{"rate zero", false, func(c *Config) { c.Telegram.Rate.GlobalPerSecond = 0 }, "telegram.rate.global_per_second", ""},
		{"cron reminder bad", false, func(c *Config) { c.Schedule.Reminder = "16h" }, "schedule.reminder", `"16h"`},
		{"cron six fields", false, func(c *Config) { c.Schedule.Escalation = "0 0 19 * * *" }, "schedule.escalation", ""},
		{"cron leaderboard empty", false, func(c *Config) { c.Schedule.Leaderboard = "" }, "schedule.leaderboard", ""},
		{"cron quarterly bad month", false, func(c *Config) { c.Schedule.Quarterly = "0 8 1 13 *" }, "schedule.quarterly", ""},
		{"cron semiannual", false, func(c *Config) { c.Schedule.Semiannual = "@bogus" }, "schedule.semiannual", ""},
		{"cron yearend", false, func(c *Config) { c.Schedule.Yearend = "0 25 31 12 *" }, "schedule.yearend", ""},
		{"cron backup", false, func(c *Config) { c.Store.BackupSchedule = "daily" }, "store.backup_schedule", ""},
		{"@every 5s accepted", false, func(c *Config) { c.Schedule.Reminder = "@every 5s" }, "", ""},
		{"@daily accepted", false, func(c *Config) { c.Schedule.Leaderboard = "@daily" }, "", ""},
		{"CRON_TZ accepted", false, func(c *Config) { c.Schedule.Yearend = "CRON_TZ=Asia/Ho_Chi_Minh 0 20 31 12 *" }, "", ""},
		{"catch up negative", false, func(c *Config) { c.Schedule.CatchUp = -time.Hour }, "schedule.catch_up", ""},
		{"store path empty", false, func(c *Config) { c.Store.Path = "" }, "store.path", ""},
		{"backup keep zero", false, func(c *Config) { c.Store.BackupKeep = 0 }, "store.backup_keep", ""},
		{"ops listen bad", false, func(c *Config) { c.Ops.Listen = "9090" }, "ops.listen", ""},
		{"ops disabled", false, func(c *Config) { c.Ops.Listen = "" }, "", ""},
		{"log level", false, func(c *Config) { c.Log.Level = "verbose" }, "log.level", ""},
		{"invite ttl", false, func(c *Config) { c.Invite.TTL = 0 }, "invite.ttl", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Sample()
			tt.mutate(c)
			err := c.Validate(tt.forServe)
			if tt.key == "" {
				if err != nil {
					t.Fatalf("unexpected problems:\n%v", err)
				}
				return
			}
			probs := Problems(err)
			if len(probs) != 1 || probs[0].Key != tt.key {
				t.Fatalf("problems = %v, want exactly one on %s\n%v", keysOf(err), tt.key, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.key+": ") {
				t.Errorf("message %q does not start with the key", msg)
			}
			if !strings.Contains(msg, tt.contains) {
				t.Errorf("message %q should contain %q", msg, tt.contains)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Sample()
	c.Hamlets[3].ID = "bai-nha"
	c.Hamlets[7].Households = 0
	c.Campaign.Timezone = "Mars/Olympus"
	c.Schedule.Reminder = "mỗi ngày"
	c.Procedures = c.Procedures[:3]
	err := c.Validate(true)
	want := []string{"campaign.timezone", "zalo.token", "hamlets[3].id", "hamlets[7].households", "procedures", "schedule.reminder"}
	if got := keysOf(err); !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	if n := strings.Count(err.Error(), "\n") + 1; n != len(want) {
		t.Errorf("error has %d lines, want one per problem:\n%v", n, err)
	}
}

// A file with the problems of a real operator: check-config names each.
func TestCheckConfigScenario(t *testing.T) {
	c := mustParse(t, `
campaign:
  timezone: Asia/Ho_Chi_Minh
  start: "2026-01-01"
  end: "2025-12-31"
hamlets:
  - {id: bai-nha, name: Bãi Nhà, households: 812}
  - {id: bai-ngu, name: Bãi Ngự, households: 0}
  - {id: bai-nha, name: Bãi Nhà B, households: 10}
`)
	err := c.Validate(true)
	want := []string{"campaign.end", "zalo.token", "hamlets[1].households", "hamlets[2].id"}
	if got := keysOf(err); !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v\n%v", got, want, err)
	}
}

const (
	testToken  = "7712345678:AAHsuperSECRETtokenValue_-xyz"
	testSecret = "WebhookSecretValue-123"
)

func secretConfig(t *testing.T) *Config {
	t.Helper()
	return mustParse(t, "hamlets:\n  - {id: a, name: A, households: 10}\n",
		"DVCBOT_TELEGRAM_TOKEN="+testToken,
		"DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN="+testSecret,
		"DVCBOT_TELEGRAM_WEBHOOK_URL=https://bot.example.vn/hook",
		"DVCBOT_TELEGRAM_MODE=webhook")
}

func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	for _, s := range []string{testToken, testSecret, "superSECRETtoken", "WebhookSecretValue"} {
		if strings.Contains(out, s) {
			t.Errorf("%s shows a secret (%q):\n%s", what, s, out)
		}
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	c := secretConfig(t)
	if err := c.Validate(true); err != nil {
		t.Fatalf("config with secrets should be valid: %v", err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		assertNoSecret(t, verb+" of *Config", fmt.Sprintf(verb, c))
		assertNoSecret(t, verb+" of Config", fmt.Sprintf(verb, *c))
		assertNoSecret(t, verb+" of Telegram", fmt.Sprintf(verb, c.Telegram))
		assertNoSecret(t, verb+" of Webhook", fmt.Sprintf(verb, c.Telegram.Webhook))
		assertNoSecret(t, verb+" of &Telegram", fmt.Sprintf(verb, &c.Telegram))
	}
	if out := fmt.Sprintf("%+v", c.Telegram); !strings.Contains(out, "Token:***") || !strings.Contains(out, "SecretToken:***") ||
		!strings.Contains(out, "Mode:webhook") {
		t.Errorf("%%+v of Telegram should show the other fields and *** for secrets: %s", out)
	}
	if out := fmt.Sprintf("%#v", c.Telegram); !strings.HasPrefix(out, "config.Telegram{") || !strings.Contains(out, `Token:"***"`) ||
		!strings.Contains(out, `Webhook:config.Webhook{`) {
		t.Errorf("%%#v of Telegram = %s", out)
	}

	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "JSON", string(j))
	if !strings.Contains(string(j), `"token":"***"`) || !strings.Contains(string(j), `"secret_token":"***"`) {
		t.Errorf("JSON should mask the secrets: %s", j)
	}

	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("cfg", "config", c, "telegram", c.Telegram, "raw", *c)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", c, "telegram", c.Telegram, "raw", *c)
	assertNoSecret(t, "slog", buf.String())

	r := c.Redacted()
	if r.Telegram.Token != Masked || r.Telegram.Webhook.SecretToken != Masked {
		t.Errorf("Redacted left secrets: %q %q", r.Telegram.Token, r.Telegram.Webhook.SecretToken)
	}
	if c.Telegram.Token != testToken || c.Telegram.Webhook.SecretToken != testSecret {
		t.Error("Redacted changed the original")
	}
	if e := Sample().Redacted(); e.Telegram.Token != "" || e.Telegram.Webhook.SecretToken != "" {
		t.Error("Redacted should leave unset secrets empty")
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	c := secretConfig(t)
	c.Telegram.Token = testToken + " trailing"
	c.Telegram.Webhook.SecretToken = testSecret + "!"
	c.Telegram.APIEndpoint = "https://api.telegram.org/bot" + testToken + "/%s"
	c.Telegram.Webhook.URL = "ftp://" + testSecret
	err := c.Validate(true)
	want := []string{"telegram.token", "telegram.api_endpoint", "telegram.webhook.secret_token", "telegram.webhook.url"}
	if got := keysOf(err); !slices.Equal(got, want) {
		t.Errorf("keys = %v, want %v", got, want)
	}
	assertNoSecret(t, "validation error", err.Error())

	// A secret where a list or a number is expected.
	_, err = Parse([]byte("telegram:\n  token: ["+testToken+"]\n  group_chat_id: "+testSecret+"\n"), nil)
	if got := keysOf(err); !slices.Contains(got, "telegram.token") || !slices.Contains(got, "telegram.group_chat_id") {
		t.Errorf("keys = %v", got)
	}
	assertNoSecret(t, "load error", err.Error())
}

func TestHelpers(t *testing.T) {
	c := mustParse(t, `
campaign:
  days_off: ["2026-04-30", "2026-09-02"]
telegram:
  admin_ids: [111, 222]
hamlets:
  - {id: bai-nha, name: Bãi Nhà, households: 812}
  - {id: nam-du, name: Nam Du, households: 298}
`)
	if h, ok := c.Hamlet("nam-du"); !ok || h.Households != 298 || h.Name != "Nam Du" {
		t.Errorf("Hamlet(nam-du) = %v %v", h, ok)
	}
	if _, ok := c.Hamlet("bai-ngu"); ok {
		t.Error("unknown hamlet found")
	}
	if p, ok := c.Procedure("ly_lich"); !ok || p.Name != "Cấp phiếu lý lịch tư pháp" {
		t.Errorf("Procedure(ly_lich) = %v %v", p, ok)
	}
	if !c.IsAdmin(222) || c.IsAdmin(333) || c.IsAdmin(0) {
		t.Error("IsAdmin wrong")
	}

	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	days := []struct {
		at         string
		off, inCam bool
	}{
		{"2025-12-31T16:59:59Z", false, false}, // 23:59:59 on 31/12/2025 local
		{"2025-12-31T17:00:00Z", false, true},  // 00:00 on 01/01/2026 local
		{"2026-04-29T16:59:59Z", false, true},  // still 29/04 local
		{"2026-04-29T17:00:00Z", true, true},   // 30/04 local begins
		{"2026-04-30T16:59:59Z", true, true},   // 30/04 local ends
		{"2026-04-30T17:00:00Z", false, true},
		{"2026-09-02T08:00:00+07:00", true, true},
		{"2026-12-31T16:59:59Z", false, true},
		{"2026-12-31T17:00:00Z", false, false},
	}
	for _, d := range days {
		tm := utc(d.at)
		if got := c.DayOff(tm); got != d.off {
			t.Errorf("DayOff(%s) = %v, want %v", d.at, got, d.off)
		}
		if got := c.InCampaign(tm); got != d.inCam {
			t.Errorf("InCampaign(%s) = %v, want %v", d.at, got, d.inCam)
		}
	}
	ld := c.LocalDate(utc("2026-04-29T17:30:00Z"))
	if want := time.Date(2026, 4, 30, 0, 0, 0, 0, c.Campaign.Location); !ld.Equal(want) || ld.Location() != c.Campaign.Location {
		t.Errorf("LocalDate = %v, want %v", ld, want)
	}
	if got := (Log{Level: "debug"}).SlogLevel(); got != slog.LevelDebug {
		t.Errorf("SlogLevel = %v", got)
	}
}

func TestNamesNormalised(t *testing.T) {
	// "Bãi Nhà" typed in NFD (decomposed) with extra spaces.
	c := mustParse(t, "hamlets:\n  - {id: bai-nha, name: \"  Ba\u0303i   Nha\u0300 \", households: 10}\n")
	if c.Hamlets[0].Name != "Bãi Nhà" {
		t.Errorf("name = %q, want NFC %q", c.Hamlets[0].Name, "Bãi Nhà")
	}
}

func TestEveryKeyOverridableByEnv(t *testing.T) {
	if got := EnvName("telegram.webhook.secret_token"); got != "DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN" {
		t.Errorf("EnvName = %s", got)
	}
	values := map[string]string{
		"campaign.name":                      "Phong trào khác",
		"campaign.start":                     "2026-02-01",
		"campaign.end":                       "2026-11-30",
		"campaign.timezone":                  "Asia/Bangkok",
		"campaign.daily_target":              "2",
		"campaign.days_off":                  "2026-04-30",
		"telegram.token":                     "1:x",
		"telegram.api_endpoint":              "http://127.0.0.1:1/bot%s/%s",
		"telegram.group_chat_id":             "-100",
		"telegram.admin_ids":                 "7",
		"telegram.mode":                      "webhook",
		"telegram.poll_timeout":              "10",
		"telegram.webhook.listen":            ":8080",
		"telegram.webhook.url":               "https://x.vn/h",
		"telegram.webhook.secret_token":      "abc",
		"telegram.rate.global_per_second":    "10",
		"telegram.rate.per_chat_per_second":  "0.5",
		"telegram.rate.group_per_minute":     "10",
		"zalo.token":                         "z:1",
		"zalo.api_endpoint":                  "http://127.0.0.1:2/bot%s/%s",
		"zalo.mode":                          "polling",
		"zalo.poll_timeout":                  "10",
		"zalo.webhook.listen":                ":8081",
		"zalo.webhook.url":                   "https://x.vn/z",
		"zalo.webhook.secret_token":          "abcdefgh",
		"zalo.admin_ids":                     "6ede9afa1b2c,12345",
		"zalo.group_chat_id":                 "g123",
		"zalo.monthly_message_quota":         "5000",
		"zalo.user_quota":                    "80",
		"store.path":                         "/data/x.db",
		"store.backup_dir":                   "/b",
		"store.backup_keep":                  "3",
		"store.backup_schedule":              "@daily",
		"schedule.reminder":                  "@every 5s",
		"schedule.escalation":                "@every 6s",
		"schedule.leaderboard":               "@every 7s",
		"schedule.quarterly":                 "@every 8s",
		"schedule.semiannual":                "@every 9s",
		"schedule.yearend":                   "@every 10s",
		"schedule.catch_up":                  "1h",
		"awards.coverage_threshold":          "0.9",
		"awards.special_household_threshold": "300",
		"awards.special_min_share":           "0.9",
		"awards.max_collectives":             "5",
		"awards.max_individuals":             "20",
		"awards.special_prizes":              "2",
		"spotcheck.rate":                     "0.2",
		"ops.listen":                         ":9100",
		"log.level":                          "debug",
		"invite.ttl":                         "24h",
		"limits.messages_per_minute":         "60",
		"limits.burst":                       "20",
		"web.listen":                         ":8091",
		"web.public_url":                     "https://dvc.example.vn",
		"web.link_ttl":                       "7d",
		"web.file_ttl":                       "2h",
		"web.file_uses":                      "5",
		"web.files_dir":                      "/f",
		"hamlets":                            `[{"id":"x","name":"X","households":5}]`,
		"procedures":                         `[{"id":"khac","name":"Khác"}]`,
	}
	base := Sample()
	for _, k := range Keys() {
		val, ok := values[k]
		if !ok {
			t.Errorf("no test value for key %s", k)
			continue
		}
		c, err := Load("", []string{EnvName(k) + "=" + val})
		if err != nil {
			t.Errorf("%s=%s: %v", EnvName(k), val, err)
			continue
		}
		if reflect.DeepEqual(c, base) {
			t.Errorf("%s=%s changed nothing", EnvName(k), val)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(SampleYAML(), "DVCBOT_TELEGRAM_ADMIN_IDS=1,2")
	f.Add([]byte("hamlets:\n  - {id: a, name: A, households: 1}\n"), "DVCBOT_CAMPAIGN_DAYS_OFF=2026-01-02")
	f.Add([]byte("campaign: {start: 2026-13-01}"), `DVCBOT_HAMLETS=[{"id":1}]`)
	f.Fuzz(func(t *testing.T, data []byte, env string) {
		c, err := Parse(data, strings.Split(env, "\n"))
		if err != nil {
			if len(Problems(err)) == 0 && !strings.Contains(err.Error(), "YAML") {
				t.Fatalf("error without a key: %v", err)
			}
			return
		}
		_ = c.Validate(true)
		_ = fmt.Sprintf("%+v", c)
	})
}

func TestZaloOnlyServes(t *testing.T) {
	c, err := Load("", []string{"DVCBOT_ZALO_TOKEN=123:abc", "DVCBOT_ZALO_MODE=polling", "DVCBOT_ZALO_ADMIN_IDS=6ede9afa1b2c, 8512345678901234567"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(true); err != nil {
		t.Fatalf("a Zalo token alone must be enough to serve: %v", err)
	}
	if !slices.Equal(c.Zalo.AdminIDs, []string{"6ede9afa1b2c", "8512345678901234567"}) {
		t.Errorf("admin ids = %q", c.Zalo.AdminIDs)
	}
	if c.Zalo.MonthlyMessageQuota != 3000 || c.Zalo.UserQuota != 50 {
		t.Errorf("quotas = %d, %d; want the Basic plan's 3000 and 50", c.Zalo.MonthlyMessageQuota, c.Zalo.UserQuota)
	}
	for _, out := range []string{fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c.Zalo)} {
		if strings.Contains(out, "123:abc") {
			t.Errorf("the Zalo token is printed: %s", out)
		}
	}
	j, _ := json.Marshal(c)
	if strings.Contains(string(j), "123:abc") {
		t.Error("the Zalo token is in the JSON form")
	}
}
