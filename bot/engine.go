// Package bot is dvcbot's conversation engine: it turns what a user did in a
// chat (an Input) into stored records and replies, independent of any chat
// transport. Transports (Telegram in bot/telegram, the terminal in
// bot/console) translate their own updates to Inputs and send the Replies.
//
// Each Input is handled in one bbolt transaction (group-committed with
// concurrent inputs through store.DB.Batch): the conversation state, the
// records it creates and the processed update id are stored together, and
// the replies are returned only after the commit, so "đã lưu" is never said
// of something that is not on disk, and a re-delivered update is applied
// at most once.
package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"dvcbot/chat"

	"dvcbot/campaign"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Settings are the parts of configuration the engine needs.
type Settings struct {
	CampaignName string
	Start, End   time.Time // campaign dates (local midnight)
	Location     *time.Location
	DailyTarget  int
	Procedures   []campaign.Procedure
	// Admins are the accounts of the admins named in configuration
	// (telegram.admin_ids, zalo.admin_ids): admin whatever the store says,
	// and never stored as such.
	Admins []chat.Address
	// Groups are the leaders' groups from configuration, at most one per
	// channel (telegram.group_chat_id, zalo.group_chat_id). A channel
	// without one may get one linked with /nhom; Telegram may migrate its
	// group to a supergroup with a new id, which the store remembers.
	Groups []chat.Address
	// GroupsOK reports whether the bot may post into groups on a channel
	// (Zalo: getMe's can_join_groups); nil means every channel may.
	GroupsOK  func(channel string) bool
	InviteTTL time.Duration
	// Params are the scoring rules (targets, thresholds, caps).
	Params scoring.Params
	// SpotCheckRate is the share of not-yet-checked records /kiemtra draws by default (0.10 when 0).
	SpotCheckRate float64
	// ZaloName returns the Zalo bot's display name, to tell people where
	// to send a code ("" without Zalo).
	ZaloName func() string
	// RatePerMinute and RateBurst bound each person's inbound messages
	// (limits.messages_per_minute, limits.burst; defaults RatePerMinute
	// and RateBurst when 0, no limit when negative: load tests only).
	RatePerMinute float64
	RateBurst     int
	// Pages is the web page of figures (nil: not set up): /trang.
	Pages Pages
	// Usage reports each quota-limited channel's use this month (nil: none).
	Usage func() []chat.Usage
	// BotUsername returns the Telegram bot's @username for deep links
	// (known only once the transport has called getMe; "" without Telegram).
	BotUsername func() string
}

// Engine handles inputs from every chat.
type Engine struct {
	db    *store.DB
	set   Settings
	now   func() time.Time
	log   *slog.Logger
	cmds  map[string]*command
	order []string
	// states answer typed text in a conversation state; callbacks answer
	// choices by the kind before the colon of their value. Both are built
	// by New (flows) and never changed afterwards.
	states    map[string]func(*cx, string) error
	callbacks map[string]func(*cx, string) error
	// newCode returns a fresh random invite code.
	newCode func() string
	// afterCommitHook, when set (tests only), runs before each piece of
	// work after the commit.
	afterCommitHook func()
	// observe, when set, learns what each handled input did.
	observe func(Outcome)
	// dl keeps track of answers in flight (delivery.go).
	dl *delivery
	// limit bounds each person's inbound messages (limits.go).
	limit *limiter
}

// Outcome is what handling one input did, for metrics: facts from the
// engine itself, never read back from reply texts.
type Outcome struct {
	// Saved is the number of reports durably saved.
	Saved int
	// Failed is set when the input could not be handled (nothing of it
	// was stored).
	Failed bool
}

// WithObserver sets a function told the Outcome of every handled input.
func WithObserver(fn func(Outcome)) Option { return func(e *Engine) { e.observe = fn } }

// Option changes an Engine built by New.
type Option func(*Engine)

// WithClock injects the clock (tests walk through days with it).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithCodes injects the invite code generator (tests use fixed codes).
func WithCodes(f func() string) Option { return func(e *Engine) { e.newCode = f } }

// New returns an engine over an open store.
func New(db *store.DB, set Settings, opts ...Option) *Engine {
	e := &Engine{db: db, set: set, now: time.Now, log: slog.New(slog.DiscardHandler), newCode: randomCode, dl: newDelivery()}
	if e.set.Location == nil {
		e.set.Location = time.UTC
	}
	if e.set.DailyTarget < 1 {
		e.set.DailyTarget = 1
	}
	if e.set.InviteTTL <= 0 {
		e.set.InviteTTL = 7 * 24 * time.Hour
	}
	if e.set.Params.CampaignStart.IsZero() {
		e.set.Params = scoring.DefaultParams()
		e.set.Params.DailyTarget = e.set.DailyTarget
	}
	if e.set.BotUsername == nil {
		e.set.BotUsername = func() string { return "" }
	}
	if e.set.RatePerMinute == 0 {
		e.set.RatePerMinute = RatePerMinute
	}
	if e.set.RateBurst <= 0 {
		e.set.RateBurst = RateBurst
	}
	e.limit = newLimiter(e.set.RatePerMinute, e.set.RateBurst)
	if e.set.ZaloName == nil {
		e.set.ZaloName = func() string { return "" }
	}
	if e.set.GroupsOK == nil {
		e.set.GroupsOK = func(string) bool { return true }
	}
	for _, o := range opts {
		o(e)
	}
	e.registerCommands()
	e.registerFlows()
	return e
}

// codeAlphabet is what invite and link codes are made of: capital letters
// and digits without the look-alikes 0/O and 1/I, so a code read aloud or
// copied by hand survives.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// CodeLen is the length of an invite or link code.
const CodeLen = 8

// randomCode is a single-use code of CodeLen characters from codeAlphabet
// (40 bits), read case-insensitively.
func randomCode() string {
	b := make([]byte, CodeLen)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on Linux
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b)
}

// Commands is the command menu registered with the transport.
func (e *Engine) Commands() []Command {
	var out []Command
	for _, name := range e.order {
		c := e.cmds[name]
		if c.menu {
			out = append(out, Command{Name: c.name, Description: c.desc})
		}
	}
	return out
}

// Session is one user's conversation state in one chat, stored as JSON.
// States are strings so that stored sessions survive code changes.
type Session struct {
	State   string        `json:"state,omitempty"`
	Invite  string        `json:"invite,omitempty"`
	Draft   Draft         `json:"draft,omitempty"`
	Choices []chat.Choice `json:"choices,omitempty"` // the keyboard last offered
	Last    uint64        `json:"last,omitempty"`    // last saved record, for photos sent right after
	LastAt  time.Time     `json:"last_at,omitempty"`
	Updated time.Time     `json:"updated,omitempty"`
	// LastSelf is the household last recorded as able on its own (/dabiet),
	// at LastSelfAt: «hoàn tác» typed later still undoes it within 24 hours.
	LastSelf   uint64    `json:"last_self,omitempty"`
	LastSelfAt time.Time `json:"last_self_at,omitempty"`
	// Resume and Line are a report begun earlier and the new one-line
	// report waiting while the person decides which to keep.
	Resume string `json:"resume,omitempty"`
	Line   string `json:"line,omitempty"`
	// Job is the /chay job waiting for the admin's confirmation.
	Job string `json:"job,omitempty"`

	// Check is a spot-check result awaiting its reason (/kiemtra).
	Check *CheckDraft `json:"check,omitempty"`
	// Exclude is an exclusion awaiting its ground or details (/loaitru).
	Exclude *ExclusionDraft `json:"exclude,omitempty"`
}

// endFlow drops the conversation under way and everything it collected
// (what /huy cancels); what was saved (Last, LastSelf) stays, for photos
// and «hoàn tác».
func (s *Session) endFlow() {
	s.State, s.Draft, s.Invite, s.Resume, s.Line, s.Job = "", Draft{}, "", "", "", ""
	s.Check, s.Exclude = nil, nil
}

// Draft is a report being collected step by step.
type Draft struct {
	Name        string   `json:"name,omitempty"`
	Address     string   `json:"address,omitempty"`
	Phone       string   `json:"phone,omitempty"`
	HouseholdID uint64   `json:"household_id,omitempty"`
	Procedures  []string `json:"procedures,omitempty"`
	Other       string   `json:"other,omitempty"`
	Dossier     string   `json:"dossier,omitempty"`
	Photos      []string `json:"photos,omitempty"`
	Editing     bool     `json:"editing,omitempty"` // return to the summary after this step
	Warned      string   `json:"warned,omitempty"`  // phone whose other-hamlet warning was accepted
	DupOK       bool     `json:"dup_ok,omitempty"`  // saving the same household again today was confirmed
	Note        string   `json:"note,omitempty"`    // warning of a one-line report, shown once it is saved
}

// cx is everything one step can see and do.
type cx struct {
	e     *Engine
	tx    *store.Tx
	in    chat.Input
	now   time.Time
	today store.Day
	// who is the person as the engine treats them: their stored record with
	// the role configuration gives (an admin from configuration is admin
	// whatever is stored). stored is the record as kept, the only one ever
	// written back; found says whether there is one.
	who     campaign.Officer
	stored  campaign.Officer
	found   bool
	known   bool // registered with a role (or an admin from configuration)
	s       *Session
	replies []chat.Reply
	saved   int // reports saved by this step
	// offered are the choices a reply sent after the commit will offer
	// (typed answers must match them though the reply is not built yet).
	offered [][]chat.Choice
	// after holds work to run once this step is committed (afterCommit);
	// readOnly marks the context such work runs in, whose audits wait in
	// audits for a write transaction of their own.
	after    []func(*cx) error
	readOnly bool
	audits   []pendingAudit
	posts    []pendingPosts
}

// pendingPosts are posts built after the commit, enqueued with the audits.
type pendingPosts struct {
	key   string
	items []store.OutboxItem
}

// enqueue queues posts for the scheduler to send: now in a write step,
// with the audits in work run after the commit.
func (c *cx) enqueue(key string, items []store.OutboxItem) error {
	if c.readOnly {
		c.posts = append(c.posts, pendingPosts{key, items})
		return nil
	}
	_, err := c.tx.EnqueuePosts(key, items...)
	return err
}

// pendingAudit is an audit entry of work run after the commit.
type pendingAudit struct {
	action        string
	before, after any
}

// afterCommit runs fn once the step's transaction is committed, in a
// read-only transaction that sees it, so that building a large document
// (a workbook, a dossier) does not hold up everyone else's reports: the
// write transaction is shared by every update being handled. fn's replies
// follow the step's. fn must not write; its audit entries (c.audit) are
// written in a transaction of their own before its replies go out.
func (c *cx) afterCommit(fn func(*cx) error) { c.after = append(c.after, fn) }

// audit writes an audit entry by the user, or keeps it for after the
// read-only work (afterCommit).
func (c *cx) audit(action string, before, after any) error {
	if c.readOnly {
		c.audits = append(c.audits, pendingAudit{action, before, after})
		return nil
	}
	return c.tx.Audit(c.who.ID, action, before, after)
}

// reply answers in the chat the input came from. On a channel without
// buttons a «Hủy» choice becomes the line "Gõ /huy để dừng." (a numbered
// «Hủy» would cancel a step when a number was meant).
func (c *cx) reply(text string, choices ...[]chat.Choice) {
	if !c.in.Caps.Buttons {
		var kept [][]chat.Choice
		cancel := false
		for _, row := range choices {
			var r []chat.Choice
			for _, ch := range row {
				if strings.HasSuffix(ch.Value, ":cancel") {
					cancel = true
					continue
				}
				r = append(r, ch)
			}
			if len(r) > 0 {
				kept = append(kept, r)
			}
		}
		if cancel && !strings.Contains(text, "/huy") {
			text += "\nGõ /huy để dừng."
		}
		choices = kept
	}
	c.replies = append(c.replies, chat.Reply{To: c.in.Chat, Text: text, Choices: choices})
}

// tap tells how to pick a choice: "bấm «Lưu»" where the channel has
// buttons, "gõ «lưu»" where it has none.
func (c *cx) tap(label string) string {
	if c.in.Caps.Buttons {
		return "bấm «" + label + "»"
	}
	return "gõ «" + strings.ToLower(label) + "»"
}

func lastKeyboard(rs []chat.Reply) [][]chat.Choice {
	for i := len(rs) - 1; i >= 0; i-- {
		if len(rs[i].Choices) > 0 {
			return rs[i].Choices
		}
	}
	return nil
}

func flatten(rows [][]chat.Choice) []chat.Choice {
	var out []chat.Choice
	for _, r := range rows {
		for _, b := range r {
			if b.Value != "" {
				out = append(out, b)
			}
		}
	}
	return out
}

// Handle applies one input and returns the replies once it is stored.
// When it could not be stored, the replies say so («chưa được lưu», once
// per update) and the error wraps ErrNotStored: the transport must not
// confirm the update. A re-delivered update gets the replies it was first
// given if they were never confirmed sent (see Delivered), else nothing.
func (e *Engine) Handle(ctx context.Context, in chat.Input) ([]chat.Reply, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if ok, warn := e.limit.allow(in.From, e.now()); !ok {
		if !warn {
			return nil, nil // refused again: told and logged at the first refusal
		}
		e.log.Warn("inbound limit reached", "channel", in.From.Channel)
		if in.Private {
			return []chat.Reply{{To: in.Chat, Text: msgTooFast}}, nil
		}
		return nil, nil
	}
	var c *cx
	var again []chat.Reply
	update := updateKey(in)
	confirmed := e.dl.takeDelivered()
	err := e.db.Batch(func(tx *store.Tx) error {
		c, again = nil, nil // Batch may run this more than once
		if err := tx.ClearPending(confirmed...); err != nil {
			return err
		}
		if update != "" && tx.Processed(update) {
			again = e.dl.resend(update, tx.PendingReplies(update))
			return nil
		}
		done, err := e.step(tx, in)
		if err != nil {
			return err
		}
		if update != "" {
			pending, err := pendingJSON(done.replies)
			if err != nil {
				return err
			}
			if err := tx.MarkProcessed(update, pending); err != nil {
				return err
			}
			if pending != nil {
				e.dl.started(update) // in flight now: a copy of the update later in this batch is not answered again
			}
		}
		c = done
		return nil
	})
	if err != nil {
		e.dl.putBack(confirmed)
		e.log.Error("handle update failed", "update", in.Update, "channel", in.Chat.Channel, "err", err)
		e.report(Outcome{Failed: true})
		if e.dl.failed(update, err, e.now()) {
			return nil, fmt.Errorf("%w: %w", ErrNotStored, err)
		}
		return []chat.Reply{{To: in.Chat, Text: msgInternalError}}, fmt.Errorf("%w: %w", ErrNotStored, err)
	}
	e.dl.wrote()
	e.dl.cleared(confirmed)
	if c == nil {
		return again, nil
	}
	e.report(Outcome{Saved: c.saved})
	replies := c.replies
	if update != "" && len(replies) > 0 {
		e.dl.started(update)
	}
	for _, fn := range c.after {
		out, err := e.runAfterCommit(c, fn)
		if err != nil {
			e.log.Error("work after commit failed", "update", in.Update, "channel", in.Chat.Channel, "err", err)
			return append(replies, chat.Reply{To: in.Chat, Text: msgInternalError}), nil
		}
		replies = append(replies, out...)
	}
	return replies, nil
}

func (e *Engine) report(o Outcome) {
	if e.observe != nil {
		e.observe(o)
	}
}

// runAfterCommit runs fn (afterCommit) in a read-only transaction, then
// writes its audit entries; its replies count only once they are written.
func (e *Engine) runAfterCommit(step *cx, fn func(*cx) error) ([]chat.Reply, error) {
	if e.afterCommitHook != nil {
		e.afterCommitHook()
	}
	var rc cx
	err := e.db.View(func(tx *store.Tx) error {
		rc = cx{e: e, tx: tx, in: step.in, now: step.now, today: step.today, who: step.who, stored: step.stored,
			found: step.found, known: step.known, s: &Session{}, readOnly: true}
		return fn(&rc)
	})
	if err != nil {
		return nil, err
	}
	if len(rc.audits) > 0 || len(rc.posts) > 0 {
		err = e.db.Batch(func(tx *store.Tx) error {
			for _, a := range rc.audits {
				if err := tx.Audit(step.who.ID, a.action, a.before, a.after); err != nil {
					return err
				}
			}
			for _, p := range rc.posts {
				if _, err := tx.EnqueuePosts(p.key, p.items...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bot: audit after commit: %w", err)
		}
	}
	return rc.replies, nil
}

// step runs inside the write transaction.
func (e *Engine) step(tx *store.Tx, in chat.Input) (*cx, error) {
	now := tx.Now()
	c := &cx{e: e, tx: tx, in: in, now: now, today: store.DayOf(now, e.set.Location), s: &Session{}}
	if raw := tx.Session(in.Chat, in.From); raw != nil {
		if err := json.Unmarshal(raw, c.s); err != nil {
			e.log.Warn("unreadable session reset", "channel", in.Chat.Channel, "err", err)
			*c.s = Session{}
		}
	}
	if err := c.identify(); err != nil {
		return nil, err
	}
	before := c.s.State
	if err := c.dispatch(); err != nil {
		return nil, err
	}
	// Typed answers match the keyboard last offered; a step without one
	// forgets the old keyboard, a reply without buttons in the same step keeps it.
	if c.offered != nil {
		c.s.Choices = flatten(c.offered)
	} else if kb := lastKeyboard(c.replies); kb != nil {
		c.s.Choices = flatten(kb)
	} else if c.s.State != before || c.s.State == "" {
		c.s.Choices = nil
	}
	c.s.Updated = now
	// A session is kept while it has a keyboard to answer, even outside a
	// conversation (the «Hoàn tác» of /dabiet, typed as its label).
	var raw []byte
	if c.s.State != "" || c.s.Last != 0 || c.s.LastSelf != 0 || len(c.s.Choices) > 0 {
		var err error
		if raw, err = json.Marshal(c.s); err != nil {
			return nil, fmt.Errorf("bot: encode session: %w", err)
		}
	}
	if err := tx.PutSession(in.Chat, in.From, raw); err != nil {
		return nil, err
	}
	return c, nil
}

// isConfigAdmin reports whether addr is an admin's account in configuration.
func (e *Engine) isConfigAdmin(addr chat.Address) bool {
	return slices.Contains(e.set.Admins, addr)
}

// configAdminAccount is the first of o's accounts that configuration names
// as an admin's; ok is false when none is.
func (e *Engine) configAdminAccount(o campaign.Officer) (addr chat.Address, ok bool) {
	for _, a := range o.Accounts {
		if e.isConfigAdmin(a.Address) {
			return a.Address, true
		}
	}
	return chat.Address{}, false
}

// identify finds the person behind the input's sender. An admin from
// configuration writing for the first time becomes a person with no stored
// role (roles from configuration are never stored, so removing someone
// from configuration takes their rights at the next start); a person who
// wrote again after blocking the bot is reachable again.
func (c *cx) identify() error {
	o, err := c.tx.PersonAt(c.in.From)
	switch {
	case err == nil:
		c.stored, c.found = o, true
	case errors.Is(err, store.ErrNotFound):
	default:
		return err
	}
	if !c.found && c.e.isConfigAdmin(c.in.From) {
		id, err := c.tx.NewPersonID()
		if err != nil {
			return err
		}
		c.stored = campaign.Officer{ID: id, FullName: intake.CleanText(c.in.Name), Active: true, JoinedAt: c.now,
			Accounts: []campaign.Account{{Address: c.in.From}}}
		if err := c.tx.PutOfficer(c.stored, id, "person.config_admin"); err != nil {
			return err
		}
		c.found = true
	}
	if !c.found {
		return nil
	}
	if c.stored.SetUnreachable(c.in.From, false) {
		if err := c.tx.PutOfficer(c.stored, c.stored.ID, "officer.reachable"); err != nil {
			return err
		}
	}
	c.setWho(c.stored)
	return nil
}

// dispatch routes the input: commands first, then button presses and
// answers to the current step.
func (c *cx) dispatch() error {
	// Line breaks are kept: a report may come as four lines of one message.
	text := intake.CleanLines(c.in.Text)
	if c.in.Callback != nil {
		return c.onCallback(c.in.Callback.Data)
	}
	if strings.HasPrefix(text, "/") {
		name, args := splitCommand(text)
		return c.runCommand(name, args)
	}
	if !c.in.Private {
		return nil // the bot does not read ordinary group talk
	}
	// A code sent alone works like "/start CODE" (someone not registered
	// who sends something shaped like a code is told if it is wrong).
	if code, ok := parseCode(text); ok && (c.s.State == "" || !c.known) {
		if _, err := c.tx.Invite(code); err == nil || (!c.known && c.s.State != stateJoinName) {
			return c.useCode(code)
		}
	}
	if !c.known && c.s.State != stateJoinName {
		c.reply(c.notRegistered())
		return nil
	}
	if c.in.Unsupported != "" {
		c.reply(unsupportedText(c.in.Unsupported))
		return nil
	}
	if c.in.Photo != nil {
		return c.onPhoto()
	}
	if c.in.ContactPhone != "" && c.s.State == stateReportPhone {
		text = c.in.ContactPhone
	}
	// A typed number or label answers the keyboard last offered.
	if b, ok := matchChoice(text, c.s.Choices); ok && c.s.State != stateReportProcs {
		return c.onCallback(b.Value)
	}
	if c.s.State == "" || c.s.State == stateSpotReason {
		if done, err := c.onTypedResult(text); done || err != nil {
			return err
		}
	}
	if c.s.State == "" && labelKey(text) == "hoan tac" {
		return c.undoTyped()
	}
	if h, ok := c.e.states[c.s.State]; ok {
		if !c.mayContinue(c.s.State) {
			return nil
		}
		return h(c, text)
	}
	c.reply(msgIdle)
	return nil
}

// unsupportedText answers a message the bot cannot read.
func unsupportedText(kind string) string {
	what := map[string]string{"sticker": "nhãn dán (sticker)", "voice": "tin nhắn thoại", "file": "tệp đính kèm",
		"video": "video", "location": "vị trí"}[kind]
	if what == "" {
		what = "loại tin nhắn này (tệp, video hay đường dẫn)"
	}
	return "Bot chưa đọc được " + what + ". Bot chỉ đọc tin nhắn chữ và ảnh chụp: hãy gõ nội dung bằng chữ (ảnh minh chứng thì gửi ảnh). Gõ /baocao để báo cáo, /giup để xem hướng dẫn."
}

// splitCommand separates "/cmd@bot args" into "cmd" and "args"; the
// arguments may start on the next line.
func splitCommand(text string) (string, string) {
	rest := text[1:]
	name, args := rest, ""
	if i := strings.IndexAny(rest, " \n"); i >= 0 {
		name, args = rest[:i], rest[i+1:]
	}
	name, _, _ = strings.Cut(name, "@")
	return strings.ToLower(name), strings.TrimSpace(args)
}

// matchChoice matches typed text against offered choices: by its 1-based
// number among the choices a number may pick (never a TypedOnly one, which
// channels without buttons do not number), or by the label without
// diacritics and symbols.
func matchChoice(text string, choices []chat.Choice) (chat.Choice, bool) {
	if len(choices) == 0 || text == "" {
		return chat.Choice{}, false
	}
	var n int
	if _, err := fmt.Sscanf(text, "%d", &n); err == nil && fmt.Sprint(n) == text {
		i := 0
		for _, b := range choices {
			if Destructive(b) {
				continue
			}
			if i++; i == n {
				return b, true
			}
		}
		return chat.Choice{}, false
	}
	want := labelKey(text)
	if want == "" {
		return chat.Choice{}, false
	}
	for _, b := range choices {
		if labelKey(b.Label) == want {
			return b, true
		}
	}
	return chat.Choice{}, false
}

// Destructive reports whether a button undoes something saved: a bare
// number typed after a save (a phone number begun, a count) must not
// undo it, so such a button is answered only by a press or its label.
// (The terminal, which has no buttons to press, sends a typed number as
// the press itself.)
func Destructive(b chat.Choice) bool {
	return b.TypedOnly || strings.HasPrefix(b.Value, "undo:") || strings.HasPrefix(b.Value, "saundo:")
}

// labelKey folds a label for comparison, dropping emoji and punctuation.
func labelKey(s string) string {
	f := intake.Fold(s)
	var b strings.Builder
	for _, r := range f {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == ' ' {
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// onCallback handles a button press (or a typed choice).
func (c *cx) onCallback(data string) error {
	kind, arg, _ := strings.Cut(data, ":")
	if kind == "cmd" {
		return c.runCommand(arg, "")
	}
	if !c.known {
		c.reply(c.notRegistered())
		return nil
	}
	if h, ok := c.e.callbacks[kind]; ok {
		if !c.mayContinue(kind) {
			return nil
		}
		return h(c, arg)
	}
	c.reply(msgStaleButton)
	return nil
}
