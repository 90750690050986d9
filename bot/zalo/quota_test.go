package zalo

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestMeterMonthBoundaryInVietnam(t *testing.T) {
	// 2026-01-31 23:59:59 in Asia/Ho_Chi_Minh is 16:59:59 UTC.
	clock := newClock(time.Date(2026, 1, 31, 16, 59, 59, 0, time.UTC))
	var warns []QuotaWarning
	m := NewMeter(MeterOptions{MonthlyMessageQuota: 10, UserQuota: 5, Now: clock.Now,
		OnWarning: func(w QuotaWarning) { warns = append(warns, w) }})
	for i := range 7 {
		m.CountIn("u" + string(rune('a'+i%3)))
	}
	if len(warns) != 0 {
		t.Fatalf("warned at 70 %%: %+v", warns)
	}
	m.CountOut() // 8 of 10
	if len(warns) != 1 || warns[0] != (QuotaWarning{Kind: "messages", Month: "2026-01", Used: 8, Limit: 10}) {
		t.Fatalf("warnings %+v", warns)
	}
	m.CountOut()
	if len(warns) != 1 {
		t.Fatal("warned twice in a month")
	}
	if m.OptionalBlocked() {
		t.Fatal("optional blocked at 90 %")
	}
	m.CountOut() // 10 of 10
	if !m.OptionalBlocked() {
		t.Fatal("optional not blocked at 100 %")
	}
	st := m.State()
	if st.Month != "2026-01" || st.In != 7 || st.Out != 3 || !reflect.DeepEqual(st.Users, []string{"ua", "ub", "uc"}) {
		t.Fatalf("state %+v", st)
	}
	// One second later it is February in Vietnam (still January in UTC).
	clock.Advance(time.Second)
	if m.OptionalBlocked() {
		t.Fatal("optional still blocked in a new month")
	}
	if st := m.State(); st.Month != "2026-02" || st.In != 0 || st.Out != 0 || len(st.Users) != 0 || len(st.Warned) != 0 {
		t.Fatalf("new month state %+v", st)
	}
	for range 8 {
		m.CountOut()
	}
	if len(warns) != 2 || warns[1].Month != "2026-02" {
		t.Fatalf("no warning in the new month: %+v", warns)
	}
	// Users: 4 of 5 is 80 %.
	for _, u := range []string{"a", "b", "c", "a", "d"} {
		m.CountIn(u)
	}
	if len(warns) != 3 || warns[2].Kind != "users" || warns[2].Used != 4 {
		t.Fatalf("user warning %+v", warns)
	}
}

func TestMeterSaveAndRestore(t *testing.T) {
	clock := newClock(time.Date(2026, 5, 10, 3, 0, 0, 0, time.UTC))
	var saved []MeterState
	m := NewMeter(MeterOptions{Now: clock.Now, SaveEvery: time.Minute,
		Save: func(s MeterState) error { saved = append(saved, s); return nil }})
	m.CountIn("u1") // first change: saved at once
	clock.Advance(10 * time.Second)
	m.CountOut() // within the minute: not saved
	if len(saved) != 1 {
		t.Fatalf("saved %d times, want 1", len(saved))
	}
	clock.Advance(time.Minute)
	m.CountOut()
	if len(saved) != 2 || saved[1].Out != 2 {
		t.Fatalf("saves %+v", saved)
	}
	if err := m.Flush(); err != nil || len(saved) != 2 {
		t.Fatalf("flush without changes saved again (%d) or failed: %v", len(saved), err)
	}
	m.CountIn("u2")
	if err := m.Flush(); err != nil || len(saved) != 3 {
		t.Fatalf("flush after a change: %d saves, %v", len(saved), err)
	}
	// The state survives JSON and Restore.
	raw, err := json.Marshal(saved[2])
	if err != nil {
		t.Fatal(err)
	}
	var back MeterState
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	m2 := NewMeter(MeterOptions{Now: clock.Now})
	if err := m2.Restore(back); err != nil {
		t.Fatal(err)
	}
	if got := m2.State(); !reflect.DeepEqual(got, saved[2]) {
		t.Fatalf("restored %+v, want %+v", got, saved[2])
	}
	// An earlier month's state restarts the counters; a later one is
	// refused.
	if err := m2.Restore(MeterState{Month: "2026-04", In: 99}); err != nil {
		t.Fatal(err)
	}
	if got := m2.State(); got.In != 0 || got.Month != "2026-05" {
		t.Fatalf("old month restored as %+v", got)
	}
	if err := m2.Restore(MeterState{Month: "2026-06"}); err == nil {
		t.Fatal("a future month was accepted")
	}
	if err := m2.Restore(MeterState{Month: "May"}); err == nil {
		t.Fatal("a bad month was accepted")
	}
}

func TestValidate(t *testing.T) {
	good := Options{Token: "123:abc", WebhookURL: "https://dvc.example.vn/zalo", SecretToken: "12345678"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		mod  func(*Options)
		key  string
	}{
		{"no token", func(o *Options) { o.Token = "" }, KeyToken},
		{"token with a slash", func(o *Options) { o.Token = "a/b" }, KeyToken},
		{"http webhook", func(o *Options) { o.WebhookURL = "http://dvc.example.vn/zalo" }, KeyWebhookURL},
		{"no webhook", func(o *Options) { o.WebhookURL = "" }, KeyWebhookURL},
		{"short secret", func(o *Options) { o.SecretToken = "1234567" }, KeySecret},
		{"long secret", func(o *Options) { o.SecretToken = string(make([]byte, 257)) }, KeySecret},
		{"secret with a space", func(o *Options) { o.SecretToken = "1234 5678" }, KeySecret},
		{"bad mode", func(o *Options) { o.Mode = "push" }, KeyMode},
		{"bad endpoint", func(o *Options) { o.Endpoint = "https://x/%s" }, KeyEndpoint},
	}
	for _, tt := range tests {
		o := good
		tt.mod(&o)
		err := o.Validate()
		if err == nil || !containsKey(err.Error(), tt.key) {
			t.Errorf("%s: %v, want an error naming %s", tt.name, err, tt.key)
		}
	}
	polling := Options{Token: "123:abc", Mode: ModePolling}
	if err := polling.Validate(); err != nil {
		t.Errorf("polling needs no webhook: %v", err)
	}
	for _, id := range []string{"6ede9afa1b2c7f3e", "1459232241454765289", "ABCdef0"} {
		if err := ValidateID("zalo.admin_ids", id); err != nil {
			t.Errorf("ValidateID(%q): %v", id, err)
		}
	}
	for _, id := range []string{"", "6ede 9afa", "-100123", "zalo:abc", "ü", string(make([]byte, 129))} {
		if err := ValidateID("zalo.group_chat_id", id); err == nil || !containsKey(err.Error(), "zalo.group_chat_id") {
			t.Errorf("ValidateID(%q) = %v", id, err)
		}
	}
}

func containsKey(s, key string) bool {
	return len(s) >= len(key) && s[:len(key)] == key
}
