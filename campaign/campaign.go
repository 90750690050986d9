// Package campaign holds the domain types shared by every layer of dvcbot:
// hamlets, officers, households, guidance records and the facts recorded
// about them. It has no I/O and depends only on the standard library.
package campaign

import (
	"strconv"
	"strings"
	"time"

	"dvcbot/chat"
)

// Role is what a registered person may do. Stored as a string so that the
// values never change meaning when code is reordered.
type Role string

// The roles a person can hold.
const (
	RoleOfficer Role = "officer" // reports guided households
	RoleLeader  Role = "leader"  // hamlet head: reports, and sees the hamlet's figures
	RoleAdmin   Role = "admin"   // Culture–Society Office: everything
	// RoleZoneLeader is a leader of the zone (Chairman, Vice-Chairmen,
	// heads of office): reads leaderboards, reviews and the dashboard, sees
	// no household's personal data and runs no admin command.
	RoleZoneLeader Role = "zone_leader"
	// RoleInspector is the Standing Committee of the zone People's
	// Committee (Thường trực UBND đặc khu), who runs the random spot checks
	// without being a full admin.
	RoleInspector Role = "inspector"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOfficer, RoleLeader, RoleAdmin, RoleZoneLeader, RoleInspector:
		return true
	}
	return false
}

// Label is the role's Vietnamese name for messages.
func (r Role) Label() string {
	switch r {
	case RoleLeader:
		return "trưởng ấp"
	case RoleAdmin:
		return "quản trị viên"
	case RoleZoneLeader:
		return "lãnh đạo đặc khu"
	case RoleInspector:
		return "Thường trực UBND đặc khu"
	default:
		return "cán bộ ấp"
	}
}

// PersonID is a person's own id in dvcbot (a store sequence, small and
// typeable: the number /canbo shows). A Telegram or Zalo account is an
// address of a person (chat.Address), never their id. 0 is nobody (or the
// system, as an audit actor).
type PersonID int64

// Affiliation is where an officer works in the hamlet, as the plan names
// the competing individuals. Stored as a string.
type Affiliation string

// The plan's affiliations.
const (
	AffBoard    Affiliation = "ban_nhan_dan" // Ban Nhân dân ấp
	AffFront    Affiliation = "mat_tran"     // Mặt trận Tổ quốc ấp
	AffUnion    Affiliation = "doan_the"     // đoàn thể (Đoàn, Hội)
	AffTechTeam Affiliation = "to_cnsc"      // tổ công nghệ số cộng đồng
)

// Label is the affiliation's Vietnamese name ("" when unset).
func (a Affiliation) Label() string {
	switch a {
	case AffBoard:
		return "Ban Nhân dân ấp"
	case AffFront:
		return "Mặt trận Tổ quốc ấp"
	case AffUnion:
		return "Đoàn thể ấp"
	case AffTechTeam:
		return "Tổ công nghệ số cộng đồng"
	}
	return ""
}

// At names the role in a hamlet without repeating "ấp": "cán bộ ấp Bãi Nhà",
// "trưởng ấp Bãi Nhà", "quản trị viên, ấp Bãi Nhà" (never brackets, which
// the name is often shown in already).
func (r Role) At(hamlet string) string {
	if hamlet == "" {
		return r.Label()
	}
	if r == RoleAdmin {
		return r.Label() + ", ấp " + hamlet
	}
	return r.Label() + " " + hamlet
}

// Hamlet is one ấp taking part in the campaign.
type Hamlet struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Households int    `json:"households"`
}

// Procedure is one online public service in the catalogue.
type Procedure struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// OtherProcedureID is the catalogue id of "Khác" (free text).
const OtherProcedureID = "khac"

// DefaultProcedures is the catalogue of the plan (the brief), in the order
// officers see it, "Khác" last: the configuration's default and the
// catalogue tests use.
func DefaultProcedures() []Procedure {
	return []Procedure{
		{ID: "khai_sinh", Name: "Đăng ký khai sinh"},
		{ID: "thuong_tru", Name: "Đăng ký thường trú"},
		{ID: "tam_tru", Name: "Đăng ký tạm trú"},
		{ID: "luu_tru", Name: "Thông báo lưu trú"},
		{ID: "khai_tu", Name: "Đăng ký khai tử"},
		{ID: "ket_hon", Name: "Đăng ký kết hôn"},
		{ID: "ly_lich", Name: "Cấp phiếu lý lịch tư pháp"},
		{ID: "hon_nhan", Name: "Xác nhận tình trạng hôn nhân"},
		{ID: "trich_luc", Name: "Cấp bản sao trích lục hộ tịch"},
		{ID: "gplx", Name: "Đổi giấy phép lái xe"},
		{ID: "bhyt", Name: "Gia hạn thẻ BHYT hộ gia đình"},
		{ID: "lien_thong", Name: "Liên thông khai sinh – thường trú – cấp thẻ BHYT cho trẻ dưới 6 tuổi"},
		{ID: OtherProcedureID, Name: "Khác"},
	}
}

// Officer is a registered person: officer, hamlet head, zone leader,
// inspector or admin. Their Telegram and Zalo accounts are addresses of the
// person; the person's id is dvcbot's own.
type Officer struct {
	ID       PersonID  `json:"id"`
	Accounts []Account `json:"accounts,omitempty"`
	// Prefer is the channel the person linked last (or joined on): their
	// scheduled messages go there first.
	Prefer   string `json:"prefer,omitempty"`
	FullName string `json:"full_name"`
	HamletID string `json:"hamlet_id"` // empty for admins, zone leaders and inspectors
	// Role is the stored role; "" for a person known only as an admin
	// from configuration (roles from configuration are never stored).
	Role Role `json:"role,omitempty"`
	// Affiliation is where the officer works in the hamlet (may be unset).
	Affiliation Affiliation `json:"affiliation,omitempty"`
	Active      bool        `json:"active"`
	JoinedAt    time.Time   `json:"joined_at"`
}

// Account is one of a person's addresses on a channel.
type Account struct {
	chat.Address
	// Unreachable is set when the channel said the person cannot be
	// written to (they blocked the bot); cleared when they write again.
	Unreachable bool `json:"unreachable,omitempty"`
}

// Account returns the person's account on a channel.
func (o Officer) Account(channel string) (Account, bool) {
	for _, a := range o.Accounts {
		if a.Channel == channel {
			return a, true
		}
	}
	return Account{}, false
}

// Has reports whether addr is one of the person's accounts.
func (o Officer) Has(addr chat.Address) bool {
	for _, a := range o.Accounts {
		if a.Address == addr {
			return true
		}
	}
	return false
}

// Reachable lists the accounts that can be written to, in the order they
// were linked.
func (o Officer) Reachable() []chat.Address {
	var out []chat.Address
	for _, a := range o.Accounts {
		if !a.Unreachable {
			out = append(out, a.Address)
		}
	}
	return out
}

// Primary is the account a message for the person goes to: the preferred
// channel's when reachable, else the first reachable one.
func (o Officer) Primary() (chat.Address, bool) {
	if a, ok := o.Account(o.Prefer); ok && !a.Unreachable {
		return a.Address, true
	}
	r := o.Reachable()
	if len(r) == 0 {
		return chat.Address{}, false
	}
	return r[0], true
}

// Channels names the channels the person uses ("Zalo, Telegram").
func (o Officer) Channels() string {
	var names []string
	for _, a := range o.Accounts {
		names = append(names, ChannelLabel(a.Channel))
	}
	return strings.Join(names, ", ")
}

// ChannelLabel is a channel's name as people write it.
func ChannelLabel(channel string) string {
	switch channel {
	case chat.Telegram:
		return "Telegram"
	case chat.Zalo:
		return "Zalo"
	case chat.Console:
		return "máy tính"
	}
	return channel
}

// SetUnreachable marks one account (un)reachable and reports whether it
// changed.
func (o *Officer) SetUnreachable(addr chat.Address, v bool) bool {
	for i := range o.Accounts {
		if o.Accounts[i].Address == addr && o.Accounts[i].Unreachable != v {
			o.Accounts[i].Unreachable = v
			return true
		}
	}
	return false
}

// String is the person id in decimal, as typed in admin commands.
func (p PersonID) String() string { return strconv.FormatInt(int64(p), 10) }

// ParsePersonID reads a person id typed in decimal ("12").
func ParsePersonID(s string) (PersonID, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return PersonID(n), true
}

// Invite is a single-use join code created by an admin.
type Invite struct {
	Code     string `json:"code"`
	HamletID string `json:"hamlet_id"`
	Role     Role   `json:"role"`
	// Affiliation is given to the officer who joins with it (may be unset).
	Affiliation Affiliation `json:"affiliation,omitempty"`
	// Purpose says what using the code does; "" registers someone.
	Purpose InvitePurpose `json:"purpose,omitempty"`
	// Link is the person whose other channel's account the code links
	// (Purpose InviteLink).
	Link      PersonID  `json:"link,omitempty"`
	CreatedBy PersonID  `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedBy    PersonID  `json:"used_by,omitempty"`
	UsedAt    time.Time `json:"used_at,omitempty"`
}

// InvitePurpose says what a single-use code does.
type InvitePurpose string

// What a code does.
const (
	InviteJoin  InvitePurpose = ""      // registers a person with a role (and hamlet)
	InviteLink  InvitePurpose = "link"  // adds an account on another channel to a person (/lienket)
	InviteGroup InvitePurpose = "group" // makes the group it is sent in the leaders' group (/nhom)
)

// Household is a family identified within the campaign by its normalised
// phone number.
type Household struct {
	ID        uint64    `json:"id"`
	HamletID  string    `json:"hamlet_id"`
	HeadName  string    `json:"head_name"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"` // normalised, 0xxxxxxxxx
	CreatedBy PersonID  `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// SelfAble is set when the household was recorded as already able to
	// file online on its own (counts for coverage, not for daily targets).
	SelfAble   bool      `json:"self_able,omitempty"`
	SelfAbleBy PersonID  `json:"self_able_by,omitempty"`
	SelfAbleAt time.Time `json:"self_able_at,omitempty"`
	// Check is the spot-check result of the household as self-declared
	// (zero when it was never checked as such): a household able on its
	// own has no guidance record to carry one.
	Check SelfCheck `json:"check,omitzero"`
}

// SelfCheck is the spot-check result of a household recorded as able on
// its own (/dabiet). It names the person who recorded the household, so
// that a failed check bars them (and the hamlet) from awards even when the
// record is undone afterwards, as a failed check on a guidance record does.
type SelfCheck struct {
	Status CheckStatus `json:"status"`
	Reason string      `json:"reason,omitempty"`
	// MarkedBy is who recorded the household as able on its own, as of
	// the check.
	MarkedBy PersonID  `json:"marked_by"`
	By       PersonID  `json:"by"` // who recorded the result
	At       time.Time `json:"at"`
}

// GuidanceStatus says whether a guidance record counts.
type GuidanceStatus string

// Guidance record statuses.
const (
	GuidanceActive    GuidanceStatus = "active"
	GuidanceRetracted GuidanceStatus = "retracted"
)

// CheckStatus is the spot-check state of a guidance record.
type CheckStatus string

// Spot-check states.
const (
	CheckNone        CheckStatus = ""            // not checked
	CheckPassed      CheckStatus = "passed"      // Đạt
	CheckFailed      CheckStatus = "failed"      // Không đạt
	CheckUnreachable CheckStatus = "unreachable" // Chưa liên lạc được
)

// Label is the check status in Vietnamese.
func (c CheckStatus) Label() string {
	switch c {
	case CheckPassed:
		return "Đạt"
	case CheckFailed:
		return "Không đạt"
	case CheckUnreachable:
		return "Chưa liên lạc được"
	default:
		return "Chưa kiểm tra"
	}
}

// Guidance is one visit in which an officer guided a household through one
// or more online procedures: the campaign's evidence record.
type Guidance struct {
	ID          uint64   `json:"id"`
	HouseholdID uint64   `json:"household_id"`
	HamletID    string   `json:"hamlet_id"`
	OfficerID   PersonID `json:"officer_id"`
	// Via is the officer's account the report came from (its channel
	// tells Telegram from Zalo in the exports).
	Via            chat.Address   `json:"via,omitzero"`
	At             time.Time      `json:"at"`
	Procedures     []string       `json:"procedures"`
	OtherProcedure string         `json:"other_procedure,omitempty"`
	DossierCode    string         `json:"dossier_code,omitempty"`
	PhotoFileIDs   []string       `json:"photo_file_ids,omitempty"`
	Status         GuidanceStatus `json:"status"`
	RetractedAt    time.Time      `json:"retracted_at,omitempty"`
	Check          CheckStatus    `json:"check,omitempty"`
	CheckReason    string         `json:"check_reason,omitempty"`
	CheckedBy      PersonID       `json:"checked_by,omitempty"`
	CheckedAt      time.Time      `json:"checked_at,omitempty"`
}

// Counts reports whether the record counts towards any figure.
func (g Guidance) Counts() bool { return g.Status == GuidanceActive }

// ExclusionKind says what an exclusion applies to.
type ExclusionKind string

// Exclusion kinds.
const (
	ExcludeOfficer ExclusionKind = "officer"
	ExcludeHamlet  ExclusionKind = "hamlet"
)

// ExclusionGround is one of the plan's grounds for not proposing an award
// (Kế hoạch, mục IV.3): a collective or an individual under one of them is
// not proposed while it lasts. Stored as a string.
type ExclusionGround string

// The plan's grounds, in the order the plan lists them, and GroundOther for
// anything else (the reason's free text then says what).
const (
	GroundDiscipline     ExclusionGround = "ky_luat"    // xem xét thi hành kỷ luật
	GroundAdministrative ExclusionGround = "xu_ly_vphc" // xử lý vi phạm hành chính
	GroundProsecution    ExclusionGround = "dieu_tra"   // điều tra, truy tố, xét xử
	GroundInspection     ExclusionGround = "thanh_tra"  // thanh tra, kiểm tra khi có dấu hiệu vi phạm
	GroundComplaint      ExclusionGround = "khieu_nai"  // đơn thư khiếu nại, tố cáo đang được xác minh
	GroundOther          ExclusionGround = "khac"       // lý do khác (ghi rõ)
)

// ExclusionGrounds lists the grounds in the order they are offered: the
// plan's five, then «Lý do khác».
func ExclusionGrounds() []ExclusionGround {
	return []ExclusionGround{GroundDiscipline, GroundAdministrative, GroundProsecution, GroundInspection, GroundComplaint, GroundOther}
}

// Label is the ground as the plan words it, for choices and documents
// ("" for an unknown ground).
func (g ExclusionGround) Label() string {
	switch g {
	case GroundDiscipline:
		return "Đang trong thời gian cơ quan có thẩm quyền xem xét thi hành kỷ luật"
	case GroundAdministrative:
		return "Đang bị xem xét xử lý vi phạm hành chính"
	case GroundProsecution:
		return "Đang trong quá trình điều tra, truy tố, xét xử"
	case GroundInspection:
		return "Đang bị thanh tra, kiểm tra khi có dấu hiệu vi phạm"
	case GroundComplaint:
		return "Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ"
	case GroundOther:
		return "Lý do khác"
	}
	return ""
}

// Short is the ground in a few words, for choice buttons and table cells.
func (g ExclusionGround) Short() string {
	switch g {
	case GroundDiscipline:
		return "Xem xét kỷ luật"
	case GroundAdministrative:
		return "Xử lý vi phạm hành chính"
	case GroundProsecution:
		return "Điều tra, truy tố, xét xử"
	case GroundInspection:
		return "Thanh tra, kiểm tra"
	case GroundComplaint:
		return "Đơn thư khiếu nại, tố cáo"
	case GroundOther:
		return "Lý do khác"
	}
	return ""
}

// Valid reports whether g is one of ExclusionGrounds.
func (g ExclusionGround) Valid() bool { return g.Label() != "" }

// ParseExclusionGround reads a ground given as its number in
// ExclusionGrounds (1–6) or its stored value ("ky_luat").
func ParseExclusionGround(s string) (ExclusionGround, bool) {
	gs := ExclusionGrounds()
	if len(s) == 1 && s[0] >= '1' && int(s[0]-'0') <= len(gs) {
		return gs[s[0]-'1'], true
	}
	if g := ExclusionGround(s); g.Valid() {
		return g, true
	}
	return "", false
}

// ExclusionReason is the reason of an exclusion as documents state it: the
// ground's label, then the free text after a colon ("Có đơn thư khiếu nại,
// tố cáo đang được xác minh, làm rõ: đơn ngày 02/05/2026"). Without a
// ground (exclusions recorded before grounds existed, or «Lý do khác») it
// is the free text alone.
func ExclusionReason(g ExclusionGround, text string) string {
	if g == "" || g == GroundOther {
		if text == "" && g == GroundOther {
			return g.Label()
		}
		return text
	}
	if text == "" {
		return g.Label()
	}
	return g.Label() + ": " + text
}

// Exclusion removes an officer or a hamlet from every award, with a reason
// (one of the plan's grounds, and free text).
type Exclusion struct {
	Kind   ExclusionKind `json:"kind"`
	Target string        `json:"target"` // hamlet id, or officer person id in decimal
	// Ground is the plan's ground (empty on exclusions recorded before
	// grounds existed); Reason is the free text, required with GroundOther.
	Ground ExclusionGround `json:"ground,omitempty"`
	Reason string          `json:"reason"`
	By     PersonID        `json:"by"`
	At     time.Time       `json:"at"`
	// LiftedAt and LiftedBy are set on an exclusion that was lifted: it
	// is kept so that award candidates as of an earlier day still show it.
	LiftedAt time.Time `json:"lifted_at,omitzero"`
	LiftedBy PersonID  `json:"lifted_by,omitempty"`
}

// Text is the exclusion's reason as documents state it (ExclusionReason).
func (e Exclusion) Text() string { return ExclusionReason(e.Ground, e.Reason) }

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	Seq    uint64    `json:"seq"`
	At     time.Time `json:"at"`
	Actor  PersonID  `json:"actor"`
	Action string    `json:"action"`
	Before string    `json:"before,omitempty"` // JSON of the state before
	After  string    `json:"after,omitempty"`  // JSON of the state after
}
