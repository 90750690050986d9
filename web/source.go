package web

import (
	"context"
	"errors"

	"dvcbot/campaign"
	"dvcbot/export"
	"dvcbot/scoring"
	"dvcbot/store"
)

// ErrUnknownPerson is what a Source answers for a person it does not know.
var ErrUnknownPerson = errors.New("web: unknown person")

// Person is someone who may open the dashboard, as the store knows them now.
type Person struct {
	ID   campaign.PersonID
	Name string
	Role campaign.Role
	// HamletID is the person's hamlet; "" for zone-wide people.
	HamletID string
	// Active is false once an admin deactivated the person: their links
	// and sessions stop working.
	Active bool
	// Generation is the person's link generation (store.Tx.WebGeneration):
	// links and sessions of another generation are revoked.
	Generation uint32
}

// Source is what the web server reads and keeps. Every read is one
// read-only store transaction, and every figure comes from the same store
// queries the bot uses (store.Tx.Facts and the aggregates) and is computed
// by package scoring. StoreSource implements it over *store.DB.
type Source interface {
	// Key returns the key that signs links, sessions and file links,
	// creating it on first use.
	Key(ctx context.Context) ([]byte, error)
	// Person returns a person's identity, role and link generation;
	// ErrUnknownPerson when there is no such person.
	Person(ctx context.Context, id campaign.PersonID) (Person, error)
	// Version changes whenever a figure may have changed.
	Version(ctx context.Context) (uint64, error)
	// Zone reads every fact scoring needs and the spot-check tallies, in
	// one read transaction.
	Zone(ctx context.Context) (ZoneData, error)
	// Hamlet reads one hamlet's day counts, its officers' day counts and
	// the households guided through each procedure.
	Hamlet(ctx context.Context, q HamletQuery) (HamletData, error)
	// Households lists one hamlet's households (admins only) with their
	// records.
	Households(ctx context.Context, q HouseholdQuery) (HouseholdPage, error)
	// Record returns one guidance record (store.ErrNotFound when none):
	// the evidence photos of the household list.
	Record(ctx context.Context, id uint64) (campaign.Guidance, error)
	// Evidence calls fn with the evidence rows of one hamlet (or every
	// hamlet when hamlet is ""): the active records and the households
	// recorded as able on their own, as every evidence list holds them
	// (package evidence), streamed from a read transaction that lasts as
	// long as fn.
	Evidence(ctx context.Context, hamlet string, fn func(export.RowSource) error) error

	// PutFile stores a file link's record.
	PutFile(ctx context.Context, f store.WebFile) error
	// File returns a file link's record (store.ErrNotFound when none).
	File(ctx context.Context, id string) (store.WebFile, error)
	// UseFile takes one use of a file link (store.ErrUsedUp when none is
	// left) and returns the record with the uses left.
	UseFile(ctx context.Context, id string) (store.WebFile, error)
	// DeleteFile forgets a file link's record.
	DeleteFile(ctx context.Context, id string) error
	// Files lists every file link's record.
	Files(ctx context.Context) ([]store.WebFile, error)
}

// GenerationTx is the write transaction in which a link is made or
// revoked: *store.Tx. The bot makes the link of /trang, and revokes links
// on /vohieu, inside the transaction of the command.
type GenerationTx interface {
	BumpWebGeneration(campaign.PersonID) (uint32, error)
}

// ZoneData is what the zone's figures are computed from.
type ZoneData struct {
	// Version is Source.Version as of the read.
	Version uint64
	// Facts are every fact (store.Tx.Facts("")).
	Facts scoring.Facts
	// Spot are the spot-check tallies by hamlet id.
	Spot map[string]SpotTally
}

// SpotTally counts one hamlet's spot checks as /kiemtra ketqua does:
// records and self-declared households drawn (or given a result), and among
// them those with each result and those still waiting for a call.
type SpotTally struct {
	Drawn, Passed, Failed, Unreachable, Waiting int
}

// Checked is the number of drawn records with a result.
func (t SpotTally) Checked() int { return t.Passed + t.Failed + t.Unreachable }

// HamletQuery asks for one hamlet's day counts From..To, and for its
// officers' day counts OfficersFrom..To (an officer's days are read from
// their records, so only the days shown are asked for).
type HamletQuery struct {
	Hamlet       string
	From, To     scoring.Date
	Officers     []int64
	OfficersFrom scoring.Date
}

// HamletData is what one hamlet's page reads besides the zone's figures.
type HamletData struct {
	Days        []scoring.HamletDay
	OfficerDays []scoring.OfficerDay
	// Procedures counts distinct households guided through each procedure
	// (by catalogue id).
	Procedures map[string]int
}

// HouseholdQuery asks for a page of one hamlet's households.
type HouseholdQuery struct {
	Hamlet string
	// Name, when set, keeps households whose folded name (intake.Fold)
	// contains it; Phone, when set, keeps the household with that
	// normalised phone.
	Name, Phone string
	Offset      int
	Limit       int
}

// HouseholdPage is one page of households.
type HouseholdPage struct {
	Total int // households matching in all
	Rows  []HouseholdRow
}

// HouseholdRow is one household with its records, oldest first.
type HouseholdRow struct {
	Household campaign.Household
	Records   []RecordRow
	// SelfDrawn: the household was drawn for a spot check as self-declared.
	SelfDrawn bool
}

// RecordRow is one guidance record as the household list shows it.
type RecordRow struct {
	Guidance campaign.Guidance
	Officer  string // the reporting officer's name
	Drawn    bool   // drawn for a spot check
}
