package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/robfig/cron/v3"

	"dvcbot/campaign"
)

// FieldError is one problem in the configuration, tied to the key at fault
// (e.g. "hamlets[3].id"). Its message never contains a secret.
type FieldError struct {
	Key string // the YAML key, list items indexed from 0
	Msg string // what is wrong and what to do, in Vietnamese
}

// Error is "key: message".
func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

// Problems lists the FieldErrors inside err (as returned by Load, Parse or
// Validate), in order.
func Problems(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

var (
	idPattern     = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// MinWebhookSecret is the shortest webhook secret accepted: anyone who
// guesses it can post updates to the bot as any user.
const MinWebhookSecret = 16

// maxNameRunes bounds hamlet and procedure names (they go on buttons).
const maxNameRunes = 100

// Validate checks every value and the values against each other. forServe
// adds what running against Telegram needs (a token, and the webhook's URL
// and secret in webhook mode). It returns all problems joined, each a
// *FieldError naming its key, or nil.
func (c *Config) Validate(forServe bool) error {
	v := &validator{}
	c.validateCampaign(v)
	c.validateTelegram(v, forServe)
	c.validateZalo(v, forServe)
	if forServe && c.Telegram.Token == "" && c.Zalo.Token == "" {
		v.fail("zalo.token", "chưa có mã bot nào: bot chạy trên kênh nào có mã — đặt mã bot Zalo (%s, lấy trong Zalo Bot Creator) hoặc mã bot Telegram (%s)",
			EnvName("zalo.token"), EnvName("telegram.token"))
	}
	c.validateStore(v)
	c.validateHamlets(v)
	c.validateProcedures(v)
	c.validateSchedule(v)
	c.validateRest(v)
	c.validateWeb(v)
	return errors.Join(v.errs...)
}

type validator struct{ errs []error }

func (v *validator) fail(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{Key: key, Msg: fmt.Sprintf(format, args...)})
}

func (c *Config) validateCampaign(v *validator) {
	cp := c.Campaign
	if cp.Name == "" {
		v.fail("campaign.name", "chưa có tên phong trào — ghi tên đầy đủ của phong trào thi đua")
	}
	switch {
	case strings.TrimSpace(cp.Timezone) == "":
		v.fail("campaign.timezone", `chưa có múi giờ — dùng "Asia/Ho_Chi_Minh"`)
	default:
		if _, err := time.LoadLocation(cp.Timezone); err != nil {
			v.fail("campaign.timezone", `không có múi giờ %q — dùng tên IANA như "Asia/Ho_Chi_Minh"`, cp.Timezone)
		} else if cp.Location == nil {
			v.fail("campaign.timezone", "múi giờ chưa được nạp — hãy đọc cấu hình bằng config.Load")
		}
	}
	if cp.Start.IsZero() {
		v.fail("campaign.start", `chưa có ngày bắt đầu — ví dụ "2026-01-01"`)
	}
	if cp.End.IsZero() {
		v.fail("campaign.end", `chưa có ngày kết thúc — ví dụ "2026-12-31"`)
	}
	if !cp.Start.IsZero() && !cp.End.IsZero() && dateKey(cp.End) < dateKey(cp.Start) {
		v.fail("campaign.end", "ngày kết thúc %s trước ngày bắt đầu %s — sửa lại một trong hai ngày",
			cp.End.Format(dateLayout), cp.Start.Format(dateLayout))
	}
	if cp.DailyTarget < 1 {
		v.fail("campaign.daily_target", "phải từ 1 trở lên (số hộ cần hướng dẫn mỗi ngày), đang là %d", cp.DailyTarget)
	}
	for i, d := range cp.DaysOff {
		if !cp.Start.IsZero() && !cp.End.IsZero() && (dateKey(d) < dateKey(cp.Start) || dateKey(d) > dateKey(cp.End)) {
			v.fail(fmt.Sprintf("campaign.days_off[%d]", i), "ngày %s nằm ngoài thời gian phong trào (%s – %s) — bỏ ngày này hoặc sửa lại",
				d.Format(dateLayout), cp.Start.Format(dateLayout), cp.End.Format(dateLayout))
		}
	}
}

func (c *Config) validateTelegram(v *validator, forServe bool) {
	t := c.Telegram
	if t.Token == "" {
		// Without a token the Telegram channel does not run; serve needs a
		// token on at least one channel (checked in Validate).
	} else if strings.ContainsAny(t.Token, " \t\r\n/?#%") {
		// Never print the token itself.
		v.fail("telegram.token", "mã bot chứa ký tự không hợp lệ (khoảng trắng, /, ?, #, %%) — dán lại đúng mã từ @BotFather")
	}
	checkEndpoint(v, "telegram.api_endpoint", DefaultAPIEndpoint, t.APIEndpoint)
	if t.PollTimeout < 0 || t.PollTimeout > 600 {
		v.fail("telegram.poll_timeout", "phải từ 0 đến 600 giây, đang là %d", t.PollTimeout)
	}
	for i, id := range t.AdminIDs {
		if id <= 0 {
			v.fail(fmt.Sprintf("telegram.admin_ids[%d]", i), "mã người dùng Telegram phải là số dương, đang là %d", id)
		}
	}
	switch t.Mode {
	case ModePolling, ModeWebhook:
	default:
		v.fail("telegram.mode", `không biết chế độ %q — dùng "polling" hoặc "webhook"`, t.Mode)
	}
	w := t.Webhook
	switch {
	case w.SecretToken == "":
	case !secretPattern.MatchString(w.SecretToken):
		v.fail("telegram.webhook.secret_token", "chỉ được gồm 1–256 ký tự A-Z, a-z, 0-9, _ và - (quy định của Telegram)")
	case len(w.SecretToken) < MinWebhookSecret:
		// The secret itself is never printed.
		v.fail("telegram.webhook.secret_token", "mã bí mật quá ngắn (%d ký tự) — cần ít nhất %d ký tự ngẫu nhiên, tạo ví dụ bằng: openssl rand -hex 24",
			len(w.SecretToken), MinWebhookSecret)
	}
	if w.URL != "" {
		if u, err := url.Parse(w.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			v.fail("telegram.webhook.url", "phải là địa chỉ https:// công khai, ví dụ https://bot.example.vn/telegram")
		}
	}
	if t.Mode == ModeWebhook {
		if _, _, err := net.SplitHostPort(w.Listen); err != nil {
			v.fail("telegram.webhook.listen", `cần dạng máy:cổng, ví dụ ":8443" hoặc "127.0.0.1:8080"`)
		}
		if forServe && w.URL == "" {
			v.fail("telegram.webhook.url", "chế độ webhook cần địa chỉ https:// công khai của bot")
		}
		if forServe && w.SecretToken == "" {
			v.fail("telegram.webhook.secret_token", "chế độ webhook cần một mã bí mật (16–256 ký tự A-Z, a-z, 0-9, _ và -) — đặt qua biến môi trường %s", EnvName("telegram.webhook.secret_token"))
		}
	}
	r := t.Rate
	if !(r.GlobalPerSecond > 0) {
		v.fail("telegram.rate.global_per_second", "phải lớn hơn 0 (Telegram cho phép khoảng 30 tin/giây)")
	}
	if !(r.PerChatPerSecond > 0) {
		v.fail("telegram.rate.per_chat_per_second", "phải lớn hơn 0 (Telegram cho phép khoảng 1 tin/giây mỗi cuộc trò chuyện)")
	}
	if !(r.GroupPerMinute > 0) {
		v.fail("telegram.rate.group_per_minute", "phải lớn hơn 0 (Telegram cho phép khoảng 20 tin/phút mỗi nhóm)")
	}
}

// checkEndpoint requires the URL format ep of a channel's endpoint key to
// hold exactly two %s (token, method) and no other verb; example is the
// right form. The value is not echoed: it may hold a token by mistake.
func checkEndpoint(v *validator, key, example, ep string) {
	hint := ` — dạng đúng: "` + example + `" (%s thứ nhất là mã bot, thứ hai là tên phương thức)`
	rest := strings.ReplaceAll(strings.ReplaceAll(ep, "%%", ""), "%s", "")
	if strings.Count(ep, "%s") != 2 || strings.Contains(rest, "%") {
		v.errs = append(v.errs, &FieldError{Key: key, Msg: "phải chứa đúng hai %s và không chứa % nào khác" + hint})
		return
	}
	u, err := url.Parse(fmt.Sprintf(ep, "TOKEN", "getMe"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.errs = append(v.errs, &FieldError{Key: key, Msg: "không phải địa chỉ http(s) hợp lệ" + hint})
	}
}

// zaloIDPattern is a Zalo user or group id: letters and digits (Zalo's ids
// are long decimal or hexadecimal strings).
var zaloIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// zaloSecretPattern is a Zalo webhook secret: 8–256 characters.
var zaloSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,256}$`)

func (c *Config) validateZalo(v *validator, forServe bool) {
	z := c.Zalo
	if strings.ContainsAny(z.Token, " \t\r\n/?#%") {
		v.fail("zalo.token", "mã bot chứa ký tự không hợp lệ (khoảng trắng, /, ?, #, %%) — dán lại đúng mã từ Zalo Bot Creator")
	}
	checkEndpoint(v, "zalo.api_endpoint", DefaultZaloEndpoint, z.APIEndpoint)
	if z.PollTimeout < 1 || z.PollTimeout > 600 {
		v.fail("zalo.poll_timeout", "phải từ 1 đến 600 giây, đang là %d", z.PollTimeout)
	}
	for i, id := range z.AdminIDs {
		if !zaloIDPattern.MatchString(id) {
			v.fail(fmt.Sprintf("zalo.admin_ids[%d]", i), "mã người dùng Zalo chỉ gồm chữ và số (bot cho biết mã này khi người đó nhắn cho bot), đang là %q", limit(id, 40))
		}
	}
	if z.GroupChatID != "" && !zaloIDPattern.MatchString(z.GroupChatID) {
		v.fail("zalo.group_chat_id", "mã nhóm Zalo chỉ gồm chữ và số; để trống rồi dùng lệnh /nhom để bot tự nhận nhóm")
	}
	switch z.Mode {
	case ModePolling, ModeWebhook:
	default:
		v.fail("zalo.mode", `không biết chế độ %q — dùng "webhook" (chạy thật) hoặc "polling" (thử nghiệm)`, z.Mode)
	}
	w := z.Webhook
	if w.SecretToken != "" && !zaloSecretPattern.MatchString(w.SecretToken) {
		v.fail("zalo.webhook.secret_token", "phải gồm 8–256 ký tự A-Z, a-z, 0-9, _ và - (quy định của Zalo)")
	}
	if w.URL != "" {
		if u, err := url.Parse(w.URL); err != nil || u.Scheme != "https" || u.Host == "" {
			v.fail("zalo.webhook.url", "phải là địa chỉ https:// công khai, ví dụ https://bot.example.vn/zalo")
		}
	}
	if z.Mode == ModeWebhook && z.Token != "" {
		if _, _, err := net.SplitHostPort(w.Listen); err != nil {
			v.fail("zalo.webhook.listen", `cần dạng máy:cổng, ví dụ "127.0.0.1:8444"`)
		}
		if forServe && w.URL == "" {
			v.fail("zalo.webhook.url", "chế độ webhook cần địa chỉ https:// công khai của bot (Zalo chỉ gọi tới địa chỉ công khai)")
		}
		if forServe && w.SecretToken == "" {
			v.fail("zalo.webhook.secret_token", "chế độ webhook cần một mã bí mật (8–256 ký tự A-Z, a-z, 0-9, _ và -) — đặt qua biến môi trường %s", EnvName("zalo.webhook.secret_token"))
		}
	}
	if z.MonthlyMessageQuota < 1 {
		v.fail("zalo.monthly_message_quota", "phải lớn hơn 0 (gói Basic: 3000 tin/tháng — xem bảng giá Zalo Bot)")
	}
	if z.UserQuota < 1 {
		v.fail("zalo.user_quota", "phải lớn hơn 0 (gói Basic: 50 người dùng)")
	}
}

// limit cuts a value quoted in an error.
func limit(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (c *Config) validateStore(v *validator) {
	s := c.Store
	if s.Path == "" {
		v.fail("store.path", `chưa có đường dẫn tệp dữ liệu — ví dụ "/data/dvcbot.db"`)
	}
	if s.BackupKeep < 1 {
		v.fail("store.backup_keep", "phải giữ ít nhất 1 bản sao lưu, đang là %d", s.BackupKeep)
	}
	checkCron(v, "store.backup_schedule", s.BackupSchedule)
}

func (c *Config) validateHamlets(v *validator) {
	if len(c.Hamlets) == 0 {
		v.fail("hamlets", "chưa có ấp nào — liệt kê các ấp với id, name, households")
		return
	}
	ids := map[string]int{}
	names := map[string]int{}
	for i, h := range c.Hamlets {
		key := fmt.Sprintf("hamlets[%d]", i)
		checkID(v, key+".id", h.ID, ids, "ấp", "bai-nha")
		checkName(v, key+".name", h.Name, names)
		if h.Households <= 0 {
			v.fail(key+".households", "số hộ phải lớn hơn 0, đang là %d — ghi số hộ thực tế của ấp theo sổ hộ", h.Households)
		}
	}
}

func (c *Config) validateProcedures(v *validator) {
	if len(c.Procedures) == 0 {
		v.fail("procedures", `chưa có thủ tục nào — cần ít nhất thủ tục "khac"`)
		return
	}
	ids := map[string]int{}
	names := map[string]int{}
	for i, p := range c.Procedures {
		key := fmt.Sprintf("procedures[%d]", i)
		checkID(v, key+".id", p.ID, ids, "thủ tục", "khai_sinh")
		checkName(v, key+".name", p.Name, names)
	}
	if _, ok := ids[campaign.OtherProcedureID]; !ok {
		v.fail("procedures", `thiếu thủ tục có id "khac" (Khác) — cán bộ cần nó để ghi thủ tục ngoài danh mục`)
	}
}

func checkID(v *validator, key, id string, seen map[string]int, what, example string) {
	if !idPattern.MatchString(id) {
		v.fail(key, "mã %s %q không hợp lệ — chỉ dùng 1–32 ký tự a-z, 0-9, _ và -, ví dụ %q", what, id, example)
		return
	}
	if j, dup := seen[id]; dup {
		parent := key[:strings.Index(key, "[")]
		v.fail(key, "trùng mã %q với %s[%d].id — mỗi %s cần một mã riêng", id, parent, j, what)
		return
	}
	seen[id] = indexOf(key)
}

func checkName(v *validator, key, name string, seen map[string]int) {
	switch {
	case name == "":
		v.fail(key, "chưa có tên — ghi tên tiếng Việt có dấu")
		return
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		v.fail(key, "tên chứa ký tự không hợp lệ")
		return
	case utf8.RuneCountInString(name) > maxNameRunes:
		v.fail(key, "tên dài quá %d ký tự — rút gọn lại", maxNameRunes)
		return
	}
	fold := strings.ToLower(name)
	if j, dup := seen[fold]; dup {
		parent := key[:strings.Index(key, "[")]
		v.fail(key, "trùng tên %q với %s[%d].name — mỗi mục cần một tên riêng", name, parent, j)
		return
	}
	seen[fold] = indexOf(key)
}

// indexOf reads i out of "list[i].field".
func indexOf(key string) int {
	var i int
	if a := strings.Index(key, "["); a >= 0 {
		fmt.Sscanf(key[a+1:], "%d", &i)
	}
	return i
}

// checkCron accepts what robfig/cron's standard parser accepts: five fields
// or a descriptor such as "@daily" or "@every 5s".
func checkCron(v *validator, key, spec string) {
	if spec == "" {
		v.fail(key, `chưa có lịch — dùng cú pháp cron 5 trường, ví dụ "0 16 * * *", hoặc "@every 1h"`)
		return
	}
	if _, err := cron.ParseStandard(spec); err != nil {
		v.fail(key, `lịch %q không hợp lệ (%v) — dùng cú pháp cron 5 trường (phút giờ ngày tháng thứ), ví dụ "0 16 * * *", hoặc "@every 1h"`, spec, err)
	}
}

func (c *Config) validateSchedule(v *validator) {
	s := c.Schedule
	checkCron(v, "schedule.reminder", s.Reminder)
	checkCron(v, "schedule.escalation", s.Escalation)
	checkCron(v, "schedule.leaderboard", s.Leaderboard)
	checkCron(v, "schedule.quarterly", s.Quarterly)
	checkCron(v, "schedule.semiannual", s.Semiannual)
	checkCron(v, "schedule.yearend", s.Yearend)
	if s.CatchUp < 0 {
		v.fail("schedule.catch_up", `không được âm — ví dụ "6h", hoặc "0s" để không chạy bù`)
	}
}

func (c *Config) validateRest(v *validator) {
	a := c.Awards
	if !(a.CoverageThreshold > 0 && a.CoverageThreshold <= 1) {
		v.fail("awards.coverage_threshold", "phải lớn hơn 0 và không quá 1 (0.95 là 95%%), đang là %g", a.CoverageThreshold)
	}
	if a.SpecialHouseholdThreshold < 1 {
		v.fail("awards.special_household_threshold", "phải từ 1 trở lên (kế hoạch dùng 365), đang là %d", a.SpecialHouseholdThreshold)
	}
	if !(a.SpecialMinShare > 0 && a.SpecialMinShare <= 1) {
		v.fail("awards.special_min_share", "phải lớn hơn 0 và không quá 1 (0.95 là 95%% số hộ của ấp được hướng dẫn đủ số thủ tục), đang là %g", a.SpecialMinShare)
	}
	if a.MaxCollectives < 0 {
		v.fail("awards.max_collectives", "không được âm, đang là %d", a.MaxCollectives)
	}
	if a.MaxIndividuals < 0 {
		v.fail("awards.max_individuals", "không được âm, đang là %d", a.MaxIndividuals)
	}
	if a.SpecialPrizes < 0 {
		v.fail("awards.special_prizes", "không được âm, đang là %d", a.SpecialPrizes)
	}
	if !(c.SpotCheck.Rate > 0 && c.SpotCheck.Rate <= 1) {
		v.fail("spotcheck.rate", "phải lớn hơn 0 và không quá 1 (0.10 là 10%%), đang là %g", c.SpotCheck.Rate)
	}
	if c.Ops.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Ops.Listen); err != nil {
			v.fail("ops.listen", `cần dạng máy:cổng, ví dụ "127.0.0.1:9090" (để trống nếu không dùng)`)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.fail("log.level", `không biết mức %q — dùng "debug", "info", "warn" hoặc "error"`, c.Log.Level)
	}
	if c.Limits.MessagesPerMinute < 0 {
		v.fail("limits.messages_per_minute", "không được âm (0 = không giới hạn), đang là %v", c.Limits.MessagesPerMinute)
	}
	if c.Limits.Burst < 1 {
		v.fail("limits.burst", "phải từ 1 trở lên, đang là %d", c.Limits.Burst)
	}
	if c.Invite.TTL <= 0 {
		v.fail("invite.ttl", `phải lớn hơn 0 — ví dụ "168h" hoặc "7d"`)
	}
}
