// Package store keeps the campaign's evidence in one bbolt file: hamlets,
// officers, invites, households, guidance records, conversation state,
// processed update ids, aggregates for scoring, and an append-only audit log.
//
// Every write happens in one bbolt transaction (DB.Update or DB.Batch); a
// caller that tells a user "saved" does so only after that call returned nil.
package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterr "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this code writes. A file with a newer
// version is refused; older files are migrated at open.
const SchemaVersion = 5

// Errors callers branch on.
var (
	ErrNotFound     = errors.New("store: not found")
	ErrNewerSchema  = errors.New("store: the data file was written by a newer dvcbot")
	ErrOlderSchema  = errors.New("store: the data file needs upgrading: open it once for writing (start the bot or run dvcbot reindex)")
	ErrLocked       = errors.New("store: the data file is in use by another dvcbot process")
	ErrInviteUsed   = errors.New("store: invite already used")
	ErrInviteExpire = errors.New("store: invite expired")
	ErrAccountTaken = errors.New("store: the account belongs to another person")
)

var (
	bMeta       = []byte("meta")
	bHamlets    = []byte("hamlets")
	bOfficers   = []byte("officers") // person 8 → JSON Officer
	bAccounts   = []byte("accounts") // "channel:id" → person 8
	bInvites    = []byte("invites")
	bHouseholds = []byte("households")
	bPhoneIdx   = []byte("idx_phone")         // phone 0x00 hamlet → household id
	bNameIdx    = []byte("idx_name")          // hamlet 0x00 fold(name) 0x00 household id → nil
	bNameAddr   = []byte("idx_name_addr")     // hamlet 0x00 fold(name) 0x00 fold(address) 0x00 household id → nil
	bGuidance   = []byte("guidance")          // id → JSON
	bGTime      = []byte("idx_g_time")        // unix 8 | id 8 → nil
	bGOfficer   = []byte("idx_g_off")         // officer 8 | unix 8 | id 8 → nil
	bSessions   = []byte("sessions")          // chat address 0x00 user address → engine state
	bUpdates    = []byte("updates")           // channel-qualified update id → unix 8
	bAudit      = []byte("audit")             // seq 8 → JSON
	bHH         = []byte("hh")                // household 8 → its record ids and HouseholdFacts with visits (binary)
	bAggH       = []byte("agg_h")             // hamlet → hamletTotals (binary)
	bAggDH      = []byte("agg_dh")            // day 4 | hamlet → households 4 | procedures 4 | the officers' (officer 8 | households 4 | procedures 4)…
	bAggRun     = []byte("agg_run")           // last day 4 | hamlet → first day 4: runs of days with households guided
	bAggOff     = []byte("agg_off")           // officer 8 → officerFacts (binary): what scoring needs of officers
	bExclusions = []byte("exclusions")        // kind 0x00 target → JSON
	bLifted     = []byte("exclusions_lifted") // kind 0x00 target 0x00 lifted unix 8 → JSON: lifted exclusions
	bChecks     = []byte("idx_checks")        // guidance id 8 → check facts (see checkFacts), records with a check result
	bOutbox     = []byte("outbox")            // id 8 → JSON
	bKV         = []byte("kv")                // small named values (migrated group id, job runs)
)

// Buckets of earlier schemas, dropped by the migrations.
var (
	bGHousehold = []byte("idx_g_hh") // schema 1–3: household 8 | id 8 → nil
	bAggHH      = []byte("agg_hh")   // schema 1–3: household 8 → HouseholdFacts
	bAggDO      = []byte("agg_do")   // schema 2–3: day 4 | officer 8 → households 4 | procedures 4
	bAggHD      = []byte("agg_hd")   // schema 1–2: hamlet 0x00 day 4 → households 4 | procedures 4
	bAggHDH     = []byte("agg_hdh")  // schema 1–2: hamlet 0x00 day 4 | household 8 → records 4
	bAggOD      = []byte("agg_od")   // schema 1–2: officer 8 | day 4 → households 4 | procedures 4
	bAggODH     = []byte("agg_odh")  // schema 1–2: officer 8 | day 4 | household 8 → records 4
	bAggOH      = []byte("agg_oh")   // schema 1–2: officer 8 | household 8 → first day 4
)

var allBuckets = [][]byte{bMeta, bHamlets, bOfficers, bAccounts, bInvites, bHouseholds, bPhoneIdx, bNameIdx, bNameAddr,
	bGuidance, bGTime, bGOfficer, bSessions, bUpdates, bAudit,
	bHH, bAggH, bAggDH, bAggRun, bAggOff, bExclusions, bLifted, bChecks, bOutbox, bKV}

// Options configures Open.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Location is the campaign time zone that decides local days.
	Location *time.Location
	// ReadOnly opens the file for reading only (a shared lock).
	ReadOnly bool
	// Timeout bounds the wait for the file lock (default 2 s).
	Timeout time.Duration
	// NoSync skips fsync (benchmarks of the code path only, never in production).
	NoSync bool
}

// DB is the open campaign store.
type DB struct {
	bolt  *bolt.DB
	now   func() time.Time
	loc   *time.Location
	path  string
	batch batcher // DB.Batch's queue
	// noAggregates makes AddGuidance skip every aggregate: only for the
	// benchmark that measures what the aggregates cost a write.
	noAggregates bool
}

// Open opens (creating if needed) the bbolt file at path, checks its schema
// version and runs migrations.
func Open(path string, opts Options) (*DB, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	if !opts.ReadOnly {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create folder for %s: %w", path, err)
			}
		}
	}
	bopts := &bolt.Options{Timeout: opts.Timeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync}
	if !opts.ReadOnly && strconv.IntSize == 64 && runtime.GOOS != "windows" { // Windows would make the file that large
		bopts.InitialMmapSize = initialMmapSize // writes never wait on readers to remap (snapshot.go)
	}
	bdb, err := bolt.Open(path, 0o600, bopts)
	if err != nil {
		if errors.Is(err, bolterr.ErrTimeout) {
			return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{bolt: bdb, now: opts.Now, loc: opts.Location, path: path}
	if opts.ReadOnly {
		err = bdb.View(func(tx *bolt.Tx) error { return checkVersion(tx) })
	} else {
		err = bdb.Update(db.migrate)
	}
	if err != nil {
		bdb.Close()
		return nil, err
	}
	return db, nil
}

func checkVersion(tx *bolt.Tx) error {
	m := tx.Bucket(bMeta)
	if m == nil {
		return fmt.Errorf("store: %w", ErrNotFound)
	}
	v, _ := strconv.Atoi(string(m.Get([]byte("schema_version"))))
	if v > SchemaVersion {
		return fmt.Errorf("data file schema %d, this program knows %d: %w", v, SchemaVersion, ErrNewerSchema)
	}
	if v < SchemaVersion {
		// Read only, the file cannot be migrated, and its aggregates are
		// not what this program reads.
		return fmt.Errorf("data file schema %d, this program reads %d: %w", v, SchemaVersion, ErrOlderSchema)
	}
	return nil
}

// migrations[i] upgrades a file from version i to i+1.
var migrations = []func(*DB, *bolt.Tx) error{
	func(_ *DB, tx *bolt.Tx) error { // 0 → 1: create every bucket
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	},
	func(*DB, *bolt.Tx) error { return nil }, // 1 → 2: agg_do, built again by 3
	migrateDayFirst,                          // 2 → 3: drop the hamlet-first and officer-first day counts
	migrateHouseholdRecords,                  // 3 → 4: record ids beside the household's facts; every aggregate rebuilt from the records
	migratePeople,                            // 4 → 5: people get dvcbot's own ids; Telegram accounts become addresses
}

func (db *DB) migrate(tx *bolt.Tx) error {
	m, err := tx.CreateBucketIfNotExists(bMeta)
	if err != nil {
		return fmt.Errorf("store: meta bucket: %w", err)
	}
	v, _ := strconv.Atoi(string(m.Get([]byte("schema_version"))))
	if v > SchemaVersion {
		return fmt.Errorf("data file schema %d, this program knows %d: %w", v, SchemaVersion, ErrNewerSchema)
	}
	for ; v < SchemaVersion; v++ {
		if err := migrations[v](db, tx); err != nil {
			return fmt.Errorf("store: migrate to schema %d: %w", v+1, err)
		}
	}
	return m.Put([]byte("schema_version"), []byte(strconv.Itoa(SchemaVersion)))
}

// Close closes the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the file the store was opened from.
func (db *DB) Path() string { return db.path }

// Location is the campaign time zone.
func (db *DB) Location() *time.Location { return db.loc }

// Now is the store's clock.
func (db *DB) Now() time.Time { return db.now() }

// Tx is a read or read-write transaction with the campaign's operations.
type Tx struct {
	tx  *bolt.Tx
	db  *DB
	now time.Time // frozen for the whole transaction
}

// Update runs fn in a read-write transaction committed (and fsynced) when fn
// returns nil.
func (db *DB) Update(fn func(*Tx) error) error {
	return db.bolt.Update(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, db: db, now: db.now()}) })
}

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error { return fn(&Tx{tx: btx, db: db, now: db.now()}) })
}

// Now is the time frozen for this transaction.
func (t *Tx) Now() time.Time { return t.now }

// --- keys ---

func u64(v uint64) []byte { b := make([]byte, 8); binary.BigEndian.PutUint64(b, v); return b }

// i64 encodes a signed id so that keys sort numerically (sign bit flipped).
func i64(v int64) []byte { return u64(uint64(v) ^ (1 << 63)) }

func readI64(b []byte) int64 { return int64(binary.BigEndian.Uint64(b) ^ (1 << 63)) }

func u32(v uint32) []byte { b := make([]byte, 4); binary.BigEndian.PutUint32(b, v); return b }

func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var sep = []byte{0}

// Day is a local calendar day as a count of days since 1970-01-01.
type Day int32

// DayOf is the local day of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Date is the day as a UTC midnight time (year, month, day fields are the local date).
func (d Day) Date() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

func (d Day) key() []byte { return u32(uint32(d) ^ (1 << 31)) }

func readDay(b []byte) Day { return Day(int32(binary.BigEndian.Uint32(b) ^ (1 << 31))) }

// Day is the local day of t in the campaign time zone.
func (db *DB) Day(t time.Time) Day { return DayOf(t, db.loc) }
