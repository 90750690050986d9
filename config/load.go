package config

import (
	"bytes"
	_ "embed" // sample.yaml
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh must load even without system zoneinfo
	"unicode"

	"github.com/spf13/viper"
	"golang.org/x/text/unicode/norm"

	"dvcbot/campaign"
)

//go:embed sample.yaml
var sampleYAML []byte

// EnvPrefix starts the name of every environment variable that overrides a key.
const EnvPrefix = "DVCBOT"

// dateLayout is how dates are written in the file and the environment.
const dateLayout = "2006-01-02"

// SampleYAML returns the embedded sample configuration (13 illustrative
// hamlets, the procedure catalogue, every key with its default), for
// printing as a starting point.
func SampleYAML() []byte {
	return bytes.Clone(sampleYAML)
}

// Sample returns the embedded sample configuration, parsed, without any
// environment override. It has no token, so it validates only with
// Validate(false).
func Sample() *Config {
	c, err := Parse(sampleYAML, nil)
	if err != nil {
		panic("config: embedded sample.yaml does not parse: " + err.Error())
	}
	return c
}

// DefaultProcedures returns the procedure catalogue used when the file
// lists none (the same as in the sample): campaign.DefaultProcedures.
func DefaultProcedures() []campaign.Procedure { return campaign.DefaultProcedures() }

// defaults lists every scalar (and scalar-list) key with its default value.
// Registering them all is also what lets the environment override them.
func defaults() []struct {
	key string
	val any
} {
	return append([]struct {
		key string
		val any
	}{
		{"campaign.name", "Mỗi ngày hướng dẫn 01 gia đình thực hiện dịch vụ công trực tuyến"},
		{"campaign.start", "2026-01-01"},
		{"campaign.end", "2026-12-31"},
		{"campaign.timezone", "Asia/Ho_Chi_Minh"},
		{"campaign.daily_target", 1},
		{"campaign.days_off", []any{}},
		{"telegram.token", ""},
		{"telegram.api_endpoint", DefaultAPIEndpoint},
		{"telegram.group_chat_id", 0},
		{"telegram.admin_ids", []any{}},
		{"telegram.mode", ModePolling},
		{"telegram.poll_timeout", 30},
		{"telegram.webhook.listen", "127.0.0.1:8443"},
		{"telegram.webhook.url", ""},
		{"telegram.webhook.secret_token", ""},
		{"telegram.rate.global_per_second", 30},
		{"telegram.rate.per_chat_per_second", 1},
		{"telegram.rate.group_per_minute", 20},
		{"zalo.token", ""},
		{"zalo.api_endpoint", DefaultZaloEndpoint},
		{"zalo.mode", ModeWebhook},
		{"zalo.poll_timeout", 30},
		{"zalo.webhook.listen", "127.0.0.1:8444"},
		{"zalo.webhook.url", ""},
		{"zalo.webhook.secret_token", ""},
		{"zalo.admin_ids", []any{}},
		{"zalo.group_chat_id", ""},
		{"zalo.monthly_message_quota", 3000},
		{"zalo.user_quota", 50},
		{"store.path", "dvcbot.db"},
		{"store.backup_dir", ""},
		{"store.backup_keep", 30},
		{"store.backup_schedule", "0 2 * * *"},
		{"schedule.reminder", "0 16 * * *"},
		{"schedule.escalation", "0 19 * * *"},
		{"schedule.leaderboard", "0 20 * * *"},
		{"schedule.quarterly", "0 8 1 1,4,7,10 *"},
		{"schedule.semiannual", "0 8 1 7 *"},
		{"schedule.yearend", "0 20 31 12 *"},
		{"schedule.catch_up", "6h"},
		{"awards.coverage_threshold", 0.95},
		{"awards.special_household_threshold", 365},
		{"awards.special_min_share", 0.95},
		{"awards.max_collectives", 6},
		{"awards.max_individuals", 26},
		{"awards.special_prizes", 3},
		{"spotcheck.rate", 0.10},
		{"ops.listen", "127.0.0.1:9090"},
		{"log.level", "info"},
		{"invite.ttl", "168h"},
		{"limits.messages_per_minute", 30},
		{"limits.burst", 10},
	}, webDefaults()...)
}

// Record-list keys: not scalars, given in the environment as JSON arrays.
const (
	keyHamlets    = "hamlets"
	keyProcedures = "procedures"
)

// Keys lists every configuration key, sorted.
func Keys() []string {
	var keys []string
	for _, d := range defaults() {
		keys = append(keys, d.key)
	}
	keys = append(keys, keyHamlets, keyProcedures)
	sort.Strings(keys)
	return keys
}

// EnvName is the environment variable that overrides key:
// "telegram.webhook.secret_token" → "DVCBOT_TELEGRAM_WEBHOOK_SECRET_TOKEN".
func EnvName(key string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads the YAML file at path (the embedded sample when path is
// empty), applies the overrides found in env ("NAME=value" entries, as
// os.Environ returns them; nil for none) and parses every value. It reports
// every key it cannot read, but does not check the values against each
// other: call Validate for that.
func Load(path string, env []string) (*Config, error) {
	if path == "" {
		return Parse(sampleYAML, env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("đọc tệp cấu hình %s: %w", path, err)
	}
	c, err := Parse(data, env)
	if err != nil {
		return nil, fmt.Errorf("tệp cấu hình %s:\n%w", path, err)
	}
	c.Source = path
	return c, nil
}

// LoadEnviron is Load with the process environment.
func LoadEnviron(path string) (*Config, error) {
	return Load(path, os.Environ())
}

// Parse is Load for YAML already in memory.
func Parse(data []byte, env []string) (*Config, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	defs := defaults()
	known := map[string]bool{keyHamlets: true, keyProcedures: true}
	for _, d := range defs {
		v.SetDefault(d.key, d.val)
		known[d.key] = true
	}
	sections := map[string]bool{}
	for k := range known {
		for i := strings.LastIndex(k, "."); i > 0; i = strings.LastIndex(k[:i], ".") {
			sections[k[:i]] = true
		}
	}
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return nil, fmt.Errorf("không đọc được YAML: %w — kiểm tra thụt lề và dấu hai chấm", err)
	}

	r := &reader{v: v}
	for _, k := range v.AllKeys() {
		if !known[k] && !sections[k] {
			r.fail(k, "khóa không được hỗ trợ — kiểm tra chính tả, các khóa hợp lệ có trong cấu hình mẫu")
		}
	}

	// Environment overrides: the last entry of a name wins, empty is unset.
	envMap := map[string]string{}
	for _, kv := range env {
		if name, val, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(name, EnvPrefix+"_") {
			envMap[name] = val
		}
	}
	for _, d := range defs {
		if val := envMap[EnvName(d.key)]; strings.TrimSpace(val) != "" {
			v.Set(d.key, val)
		}
	}
	for _, key := range []string{keyHamlets, keyProcedures} {
		name := EnvName(key)
		val := envMap[name]
		if strings.TrimSpace(val) == "" {
			continue
		}
		var list []any
		if err := json.Unmarshal([]byte(val), &list); err != nil {
			r.fail(key, fmt.Sprintf("biến môi trường %s phải là một mảng JSON, ví dụ %s", name, envListExample(key)))
			continue
		}
		v.Set(key, list)
	}

	c := &Config{}
	cp := &c.Campaign
	cp.Name = r.text("campaign.name")
	cp.Timezone = strings.TrimSpace(r.str("campaign.timezone"))
	if loc, err := time.LoadLocation(cp.Timezone); err == nil && cp.Timezone != "" {
		cp.Location = loc
	}
	dateLoc := cp.Location
	if dateLoc == nil {
		dateLoc = time.UTC // the bad zone itself is reported by Validate
	}
	cp.Start = r.date("campaign.start", dateLoc)
	cp.End = r.date("campaign.end", dateLoc)
	cp.DailyTarget = r.int("campaign.daily_target")
	cp.DaysOff = r.dates("campaign.days_off", dateLoc)

	t := &c.Telegram
	t.Token = strings.TrimSpace(r.str("telegram.token"))
	t.APIEndpoint = strings.TrimSpace(r.str("telegram.api_endpoint"))
	t.GroupChatID = r.int64("telegram.group_chat_id")
	t.AdminIDs = r.int64s("telegram.admin_ids")
	t.Mode = strings.ToLower(strings.TrimSpace(r.str("telegram.mode")))
	t.PollTimeout = r.seconds("telegram.poll_timeout")
	t.Webhook.Listen = strings.TrimSpace(r.str("telegram.webhook.listen"))
	t.Webhook.URL = strings.TrimSpace(r.str("telegram.webhook.url"))
	t.Webhook.SecretToken = strings.TrimSpace(r.str("telegram.webhook.secret_token"))
	t.Rate.GlobalPerSecond = r.float("telegram.rate.global_per_second")
	t.Rate.PerChatPerSecond = r.float("telegram.rate.per_chat_per_second")
	t.Rate.GroupPerMinute = r.float("telegram.rate.group_per_minute")

	z := &c.Zalo
	z.Token = strings.TrimSpace(r.str("zalo.token"))
	z.APIEndpoint = strings.TrimSpace(r.str("zalo.api_endpoint"))
	z.Mode = strings.ToLower(strings.TrimSpace(r.str("zalo.mode")))
	z.PollTimeout = r.seconds("zalo.poll_timeout")
	z.Webhook.Listen = strings.TrimSpace(r.str("zalo.webhook.listen"))
	z.Webhook.URL = strings.TrimSpace(r.str("zalo.webhook.url"))
	z.Webhook.SecretToken = strings.TrimSpace(r.str("zalo.webhook.secret_token"))
	z.AdminIDs = r.strs("zalo.admin_ids")
	z.GroupChatID = strings.TrimSpace(r.str("zalo.group_chat_id"))
	z.MonthlyMessageQuota = r.int("zalo.monthly_message_quota")
	z.UserQuota = r.int("zalo.user_quota")

	s := &c.Store
	s.Path = strings.TrimSpace(r.str("store.path"))
	s.BackupDir = strings.TrimSpace(r.str("store.backup_dir"))
	if s.BackupDir == "" && s.Path != "" {
		s.BackupDir = filepath.Join(filepath.Dir(s.Path), "backups")
	}
	s.BackupKeep = r.int("store.backup_keep")
	s.BackupSchedule = strings.TrimSpace(r.str("store.backup_schedule"))

	c.Hamlets = r.hamlets()
	c.Procedures = r.procedures()

	sc := &c.Schedule
	sc.Reminder = strings.TrimSpace(r.str("schedule.reminder"))
	sc.Escalation = strings.TrimSpace(r.str("schedule.escalation"))
	sc.Leaderboard = strings.TrimSpace(r.str("schedule.leaderboard"))
	sc.Quarterly = strings.TrimSpace(r.str("schedule.quarterly"))
	sc.Semiannual = strings.TrimSpace(r.str("schedule.semiannual"))
	sc.Yearend = strings.TrimSpace(r.str("schedule.yearend"))
	sc.CatchUp = r.duration("schedule.catch_up")

	a := &c.Awards
	a.CoverageThreshold = r.float("awards.coverage_threshold")
	a.SpecialHouseholdThreshold = r.int("awards.special_household_threshold")
	a.SpecialMinShare = r.float("awards.special_min_share")
	a.MaxCollectives = r.int("awards.max_collectives")
	a.MaxIndividuals = r.int("awards.max_individuals")
	a.SpecialPrizes = r.int("awards.special_prizes")

	c.SpotCheck.Rate = r.float("spotcheck.rate")
	c.Ops.Listen = strings.TrimSpace(r.str("ops.listen"))
	c.Log.Level = strings.ToLower(strings.TrimSpace(r.str("log.level")))
	c.Invite.TTL = r.duration("invite.ttl")
	c.Limits.MessagesPerMinute = r.float("limits.messages_per_minute")
	c.Limits.Burst = r.int("limits.burst")
	c.Web = r.web(s.Path)

	if len(r.errs) > 0 {
		return nil, errors.Join(r.errs...)
	}
	return c, nil
}

func envListExample(key string) string {
	if key == keyHamlets {
		return `[{"id":"bai-nha","name":"Bãi Nhà","households":420}]`
	}
	return `[{"id":"khac","name":"Khác"}]`
}

// reader turns viper's loosely typed values into typed ones, recording one
// FieldError per key it cannot read. It never puts a value into an error
// message, so secrets cannot leak through it.
type reader struct {
	v    *viper.Viper
	errs []error
}

func (r *reader) fail(key, msg string) {
	r.errs = append(r.errs, &FieldError{Key: key, Msg: msg})
}

func (r *reader) get(key string) any {
	val := r.v.Get(key)
	if val == nil {
		for _, d := range defaults() {
			if d.key == key {
				return d.val
			}
		}
	}
	return val
}

func (r *reader) str(key string) string {
	s, ok := scalarString(r.get(key))
	if !ok {
		r.fail(key, "cần một giá trị đơn (chuỗi), không phải danh sách hay nhóm khóa")
	}
	return s
}

// text is str normalised to NFC with runs of spaces folded.
func (r *reader) text(key string) string {
	return cleanText(r.str(key))
}

func scalarString(val any) (string, bool) {
	switch x := val.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case int, int64, int32, uint, uint64, uint32, float64, float32, bool:
		return fmt.Sprint(x), true
	case time.Time:
		return x.Format(dateLayout), true
	default:
		return "", false
	}
}

func cleanText(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

func (r *reader) int(key string) int {
	n, ok := toInt64(r.get(key))
	if !ok || n > math.MaxInt32 || n < math.MinInt32 {
		r.fail(key, "cần một số nguyên, ví dụ 1")
		return 0
	}
	return int(n)
}

func (r *reader) int64(key string) int64 {
	n, ok := toInt64(r.get(key))
	if !ok {
		r.fail(key, "cần một số nguyên, ví dụ -1001234567890")
	}
	return n
}

func toInt64(val any) (int64, bool) {
	switch x := val.(type) {
	case int:
		return int64(x), true
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	case uint:
		return int64(x), x <= math.MaxInt64
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, false
		}
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	default:
		return 0, false
	}
}

func (r *reader) float(key string) float64 {
	val := r.get(key)
	switch x := val.(type) {
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		pct := strings.HasSuffix(s, "%")
		f, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			if pct {
				f /= 100
			}
			return f
		}
	default:
		if n, ok := toInt64(val); ok {
			return float64(n)
		}
	}
	r.fail(key, "cần một số, ví dụ 0.95")
	return 0
}

// seconds reads a whole number of seconds: 30, "30" or "30s".
func (r *reader) seconds(key string) int {
	val := r.get(key)
	if n, ok := toInt64(val); ok && n >= math.MinInt32 && n <= math.MaxInt32 {
		return int(n)
	}
	if s, ok := val.(string); ok {
		if d, err := parseDuration(s); err == nil && d%time.Second == 0 {
			return int(d / time.Second)
		}
	}
	r.fail(key, "cần số giây (số nguyên), ví dụ 30")
	return 0
}

func (r *reader) duration(key string) time.Duration {
	if s, ok := r.get(key).(string); ok {
		if d, err := parseDuration(s); err == nil {
			return d
		}
	}
	r.fail(key, `cần một khoảng thời gian như "6h", "30m" hoặc "7d"`)
	return 0
}

// parseDuration is time.ParseDuration that also accepts whole days ("7d").
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 36500 {
			return 0, fmt.Errorf("số ngày không hợp lệ: %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func (r *reader) date(key string, loc *time.Location) time.Time {
	d, ok := toDate(r.get(key), loc)
	if !ok {
		r.fail(key, `cần một ngày dạng NĂM-THÁNG-NGÀY, ví dụ "2026-01-01"`)
	}
	return d
}

func toDate(val any, loc *time.Location) (time.Time, bool) {
	switch x := val.(type) {
	case time.Time:
		y, m, d := x.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc), true
	case string:
		t, err := time.ParseInLocation(dateLayout, strings.TrimSpace(x), loc)
		return t, err == nil
	default:
		return time.Time{}, false
	}
}

// list reads a list given either as a YAML sequence or, from the
// environment, as one string separated by commas, semicolons or spaces.
func (r *reader) list(key string) []any {
	switch x := r.get(key).(type) {
	case nil:
		return nil
	case []any:
		return x
	case string:
		var out []any
		for _, f := range strings.FieldsFunc(x, func(c rune) bool {
			return c == ',' || c == ';' || unicode.IsSpace(c)
		}) {
			out = append(out, f)
		}
		return out
	case int, int64, uint64, float64:
		return []any{x}
	default:
		r.fail(key, "cần một danh sách")
		return nil
	}
}

func (r *reader) int64s(key string) []int64 {
	var out []int64
	for i, item := range r.list(key) {
		n, ok := toInt64(item)
		if !ok {
			r.fail(fmt.Sprintf("%s[%d]", key, i), "cần một số nguyên (mã người dùng Telegram), ví dụ 123456789")
			continue
		}
		out = append(out, n)
	}
	return out
}

// strs reads a list of ids given as strings or numbers ("6ede…", 123).
func (r *reader) strs(key string) []string {
	var out []string
	for i, item := range r.list(key) {
		switch x := item.(type) {
		case string:
			out = append(out, strings.TrimSpace(x))
		case int, int64, uint64:
			out = append(out, fmt.Sprint(x))
		case float64:
			if x != math.Trunc(x) || x > 1<<53 {
				r.fail(fmt.Sprintf("%s[%d]", key, i), "số quá lớn để đọc đúng — ghi mã trong dấu ngoặc kép, ví dụ \"8512345678901234567\"")
				continue
			}
			out = append(out, strconv.FormatInt(int64(x), 10))
		default:
			r.fail(fmt.Sprintf("%s[%d]", key, i), "cần một mã dạng chữ, ví dụ \"6ede9afa1b2c4d5e\"")
		}
	}
	return out
}

func (r *reader) dates(key string, loc *time.Location) []time.Time {
	var out []time.Time
	for i, item := range r.list(key) {
		d, ok := toDate(item, loc)
		if !ok {
			r.fail(fmt.Sprintf("%s[%d]", key, i), `cần một ngày dạng NĂM-THÁNG-NGÀY, ví dụ "2026-04-30"`)
			continue
		}
		out = append(out, d)
	}
	return out
}

// records reads a list of maps, checking that each holds only the allowed
// fields.
func (r *reader) records(key string, fields ...string) []map[string]any {
	val := r.v.Get(key)
	if val == nil {
		return nil
	}
	items, ok := val.([]any)
	if !ok {
		r.fail(key, "cần một danh sách, mỗi mục bắt đầu bằng dấu gạch ngang (- id: ...)")
		return nil
	}
	out := make([]map[string]any, 0, len(items))
	for i, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			r.fail(fmt.Sprintf("%s[%d]", key, i), "cần một mục có các khóa "+strings.Join(fields, ", "))
			out = append(out, map[string]any{})
			continue
		}
		lower := make(map[string]any, len(m))
		for k, v := range m {
			lower[strings.ToLower(k)] = v
		}
		var unknown []string
		for k := range lower {
			if !contains(fields, k) {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		for _, k := range unknown {
			r.fail(fmt.Sprintf("%s[%d].%s", key, i, k), "khóa không được hỗ trợ — chỉ dùng "+strings.Join(fields, ", "))
		}
		out = append(out, lower)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (r *reader) field(key string, i int, m map[string]any, name string) (string, bool) {
	s, ok := scalarString(m[name])
	if !ok {
		r.fail(fmt.Sprintf("%s[%d].%s", key, i, name), "cần một giá trị đơn (chuỗi)")
	}
	return s, ok
}

func (r *reader) hamlets() []campaign.Hamlet {
	recs := r.records(keyHamlets, "id", "name", "households")
	out := make([]campaign.Hamlet, 0, len(recs))
	for i, m := range recs {
		var h campaign.Hamlet
		id, _ := r.field(keyHamlets, i, m, "id")
		name, _ := r.field(keyHamlets, i, m, "name")
		h.ID = strings.TrimSpace(id)
		h.Name = cleanText(name)
		if raw, present := m["households"]; present && raw != nil {
			n, ok := toInt64(raw)
			if !ok || n > math.MaxInt32 || n < math.MinInt32 {
				r.fail(fmt.Sprintf("%s[%d].households", keyHamlets, i), "cần số hộ là một số nguyên, ví dụ 420")
			} else {
				h.Households = int(n)
			}
		}
		out = append(out, h)
	}
	return out
}

func (r *reader) procedures() []campaign.Procedure {
	if r.v.Get(keyProcedures) == nil {
		return DefaultProcedures()
	}
	recs := r.records(keyProcedures, "id", "name")
	out := make([]campaign.Procedure, 0, len(recs))
	for i, m := range recs {
		id, _ := r.field(keyProcedures, i, m, "id")
		name, _ := r.field(keyProcedures, i, m, "name")
		out = append(out, campaign.Procedure{ID: strings.TrimSpace(id), Name: cleanText(name)})
	}
	return out
}
