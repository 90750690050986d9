package zalo

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Quota defaults: the free Basic plan (late 2026). Check the pricing page
// before a deployment; they are configuration.
const (
	DefaultMonthlyMessageQuota = 3000
	DefaultUserQuota           = 50
)

// Thresholds of the quota meter, in percent of a quota.
const (
	WarnPercent     = 80 // OnQuotaWarning, once per month and kind
	OptionalPercent = 95 // Reply.Optional sends are skipped from here on
)

// MeterState is the month-to-date usage of one bot, as saved and restored
// (JSON). Month is the calendar month in Asia/Ho_Chi_Minh ("2026-03"):
// counters restart at local midnight on the first of each month.
type MeterState struct {
	Month string `json:"month"`
	// In counts messages received (every update carrying a message,
	// including group messages the bot ignores and duplicates Zalo sent).
	In int `json:"in"`
	// Out counts send calls that may have reached Zalo (sendMessage,
	// sendPhoto; one per chunk), failed ones included.
	Out int `json:"out"`
	// Users are the distinct ids of people who wrote to the bot this month.
	Users []string `json:"users,omitempty"`
	// Warned lists the warnings already given this month ("messages",
	// "users").
	Warned []string `json:"warned,omitempty"`
}

// QuotaWarning is given once per month and kind when usage reaches
// WarnPercent of a quota.
type QuotaWarning struct {
	Kind  string // "messages" or "users"
	Month string
	Used  int
	Limit int
}

// Meter counts a bot's month-to-date messages and users. Zalo offers no
// remaining-quota API, so this is dvcbot's own count: it may differ from
// Zalo's (for instance if Zalo does not count inbound messages).
type Meter struct {
	now      func() time.Time
	msgQuota int
	usrQuota int
	onWarn   func(QuotaWarning)
	save     func(MeterState) error
	every    time.Duration

	mu       sync.Mutex
	st       MeterState
	users    map[string]bool
	warned   map[string]bool
	dirty    bool
	lastSave time.Time
	saving   bool
}

// MeterOptions configures a Meter.
type MeterOptions struct {
	// MonthlyMessageQuota is the plan's messages per month (default 3000).
	MonthlyMessageQuota int
	// UserQuota is the plan's users per bot (default 50).
	UserQuota int
	// OnWarning is called (outside the meter's lock) when usage first
	// reaches WarnPercent of a quota in a month.
	OnWarning func(QuotaWarning)
	// Save persists the state; it is called at most every SaveEvery
	// (default 60 s) after a change, and by Flush.
	Save      func(MeterState) error
	SaveEvery time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// NewMeter returns a meter for the current month with nothing counted.
func NewMeter(o MeterOptions) *Meter {
	if o.MonthlyMessageQuota <= 0 {
		o.MonthlyMessageQuota = DefaultMonthlyMessageQuota
	}
	if o.UserQuota <= 0 {
		o.UserQuota = DefaultUserQuota
	}
	if o.SaveEvery <= 0 {
		o.SaveEvery = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Meter{now: o.Now, msgQuota: o.MonthlyMessageQuota, usrQuota: o.UserQuota, onWarn: o.OnWarning, save: o.Save, every: o.SaveEvery}
	m.reset(MonthOf(o.Now()))
	return m
}

// MonthOf is the calendar month of t in Asia/Ho_Chi_Minh, as "2006-01".
func MonthOf(t time.Time) string { return t.In(campaignZone).Format("2006-01") }

func (m *Meter) reset(month string) {
	m.st = MeterState{Month: month}
	m.users = map[string]bool{}
	m.warned = map[string]bool{}
}

// Restore loads a saved state. A state of an earlier month is dropped at
// the next count (the counters restart); one from a later month than the
// clock's is refused.
func (m *Meter) Restore(s MeterState) error {
	if _, err := time.Parse("2006-01", s.Month); err != nil {
		return fmt.Errorf("zalo: restore quota meter: month %q: %w", s.Month, err)
	}
	if s.In < 0 || s.Out < 0 {
		return errors.New("zalo: restore quota meter: negative counter")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := MonthOf(m.now())
	if s.Month > cur {
		return fmt.Errorf("zalo: restore quota meter: month %s is after the current month %s", s.Month, cur)
	}
	if s.Month < cur {
		m.reset(cur)
		m.dirty = true
		return nil
	}
	m.reset(cur)
	m.st.In, m.st.Out = s.In, s.Out
	for _, u := range s.Users {
		m.users[u] = true
	}
	for _, w := range s.Warned {
		m.warned[w] = true
	}
	return nil
}

// State is a copy of the current counters (Users and Warned sorted).
func (m *Meter) State() MeterState {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.roll()
	return m.stateLocked()
}

func (m *Meter) stateLocked() MeterState {
	s := m.st
	s.Users = sortedKeys(m.users)
	s.Warned = sortedKeys(m.warned)
	return s
}

func sortedKeys(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// roll restarts the counters when the month changed.
func (m *Meter) roll() {
	if cur := MonthOf(m.now()); cur != m.st.Month {
		m.reset(cur)
		m.dirty = true
	}
}

// CountIn counts a received message from user (empty: no user counted).
func (m *Meter) CountIn(user string) { m.count(1, 0, user) }

// CountOut counts one send call.
func (m *Meter) CountOut() { m.count(0, 1, "") }

func (m *Meter) count(in, out int, user string) {
	m.mu.Lock()
	m.roll()
	m.st.In += in
	m.st.Out += out
	if user != "" {
		m.users[user] = true
	}
	m.dirty = true
	var warns []QuotaWarning
	if used := m.st.In + m.st.Out; !m.warned["messages"] && used*100 >= WarnPercent*m.msgQuota {
		m.warned["messages"] = true
		warns = append(warns, QuotaWarning{Kind: "messages", Month: m.st.Month, Used: used, Limit: m.msgQuota})
	}
	if used := len(m.users); !m.warned["users"] && used*100 >= WarnPercent*m.usrQuota {
		m.warned["users"] = true
		warns = append(warns, QuotaWarning{Kind: "users", Month: m.st.Month, Used: used, Limit: m.usrQuota})
	}
	save := m.takeSaveLocked(false)
	m.mu.Unlock()
	for _, w := range warns {
		if m.onWarn != nil {
			m.onWarn(w)
		}
	}
	save()
}

// takeSaveLocked returns the save to run after unlocking (a no-op when
// none is due).
func (m *Meter) takeSaveLocked(force bool) func() error {
	now := m.now()
	if m.save == nil || m.saving || !m.dirty || (!force && now.Sub(m.lastSave) < m.every) {
		return func() error { return nil }
	}
	m.saving, m.dirty, m.lastSave = true, false, now
	st := m.stateLocked()
	return func() error {
		err := m.save(st)
		m.mu.Lock()
		m.saving = false
		if err != nil {
			m.dirty = true
		}
		m.mu.Unlock()
		return err
	}
}

// Flush saves the state now if it changed since the last save.
func (m *Meter) Flush() error {
	m.mu.Lock()
	save := m.takeSaveLocked(true)
	m.mu.Unlock()
	if err := save(); err != nil {
		return fmt.Errorf("zalo: save quota meter: %w", err)
	}
	return nil
}

// OptionalBlocked reports whether optional traffic is off: messages this
// month have reached OptionalPercent of the quota.
func (m *Meter) OptionalBlocked() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.roll()
	return (m.st.In+m.st.Out)*100 >= OptionalPercent*m.msgQuota
}

// Quotas returns the configured message and user quotas.
func (m *Meter) Quotas() (messages, users int) { return m.msgQuota, m.usrQuota }
