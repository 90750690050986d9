package store

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"dvcbot/campaign"
)

// What the web dashboard and its file links keep (package web). The
// buckets are created by the first write that needs them
// (CreateBucketIfNotExists in that write transaction), so files written
// before the dashboard existed need no migration: a missing bucket reads
// as "nothing yet".
var (
	bWeb      = []byte("web")       // "hmac_key" → 32 random bytes
	bWebGen   = []byte("web_gen")   // person 8 → link generation 4
	bWebFiles = []byte("web_files") // file id → JSON WebFile
)

var webKeyName = []byte("hmac_key")

// WebKeySize is the length of the key that signs dashboard links, session
// cookies and file links.
const WebKeySize = 32

// Errors of the web buckets callers branch on.
var (
	// ErrUsedUp means a file link has no use left.
	ErrUsedUp = errors.New("store: file link used up")
)

// WebKey returns the key that signs dashboard links and file links,
// creating it (32 bytes from crypto/rand) on first use. In a read-only
// transaction a store without a key yet answers ErrNotFound.
func (t *Tx) WebKey() ([]byte, error) {
	if b := t.tx.Bucket(bWeb); b != nil {
		if v := b.Get(webKeyName); len(v) == WebKeySize {
			return bytes.Clone(v), nil
		}
	}
	if !t.tx.Writable() {
		return nil, fmt.Errorf("store: web key: %w", ErrNotFound)
	}
	b, err := t.tx.CreateBucketIfNotExists(bWeb)
	if err != nil {
		return nil, fmt.Errorf("store: web bucket: %w", err)
	}
	key := make([]byte, WebKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("store: web key: %w", err)
	}
	if err := b.Put(webKeyName, key); err != nil {
		return nil, fmt.Errorf("store: save web key: %w", err)
	}
	return bytes.Clone(key), nil
}

// WebGeneration is the person's link generation: a link or session signed
// with another generation is revoked. 0 until the first link.
func (t *Tx) WebGeneration(p campaign.PersonID) uint32 {
	b := t.tx.Bucket(bWebGen)
	if b == nil {
		return 0
	}
	v := b.Get(i64(int64(p)))
	if len(v) != 4 {
		return 0
	}
	return binary.BigEndian.Uint32(v)
}

// BumpWebGeneration moves the person to a new link generation, revoking
// every dashboard link and session they had, and returns it.
func (t *Tx) BumpWebGeneration(p campaign.PersonID) (uint32, error) {
	b, err := t.tx.CreateBucketIfNotExists(bWebGen)
	if err != nil {
		return 0, fmt.Errorf("store: web generation bucket: %w", err)
	}
	gen := t.WebGeneration(p) + 1
	if err := b.Put(i64(int64(p)), binary.BigEndian.AppendUint32(nil, gen)); err != nil {
		return 0, fmt.Errorf("store: web generation of person %d: %w", p, err)
	}
	return gen, nil
}

// WebFile is a document behind a signed file link: who it is for, where it
// lies on disk, until when and how many more times it may be downloaded.
type WebFile struct {
	ID       string            `json:"id"` // random, in hex
	Person   campaign.PersonID `json:"person"`
	Name     string            `json:"name"` // the name the download is saved under
	Path     string            `json:"path"` // on disk
	Size     int64             `json:"size"`
	Created  time.Time         `json:"created"`
	Expires  time.Time         `json:"expires"`
	UsesLeft int               `json:"uses_left"`
}

// PutWebFile stores (or replaces) a file link's record.
func (t *Tx) PutWebFile(f WebFile) error {
	b, err := t.tx.CreateBucketIfNotExists(bWebFiles)
	if err != nil {
		return fmt.Errorf("store: web files bucket: %w", err)
	}
	if err := putJSON(b, []byte(f.ID), f); err != nil {
		return fmt.Errorf("store: save web file: %w", err)
	}
	return nil
}

// WebFile returns a file link's record (ErrNotFound when there is none).
func (t *Tx) WebFile(id string) (WebFile, error) {
	var f WebFile
	b := t.tx.Bucket(bWebFiles)
	if b == nil {
		return f, fmt.Errorf("web file: %w", ErrNotFound)
	}
	v := b.Get([]byte(id))
	if v == nil {
		return f, fmt.Errorf("web file: %w", ErrNotFound)
	}
	if err := getJSON(v, &f); err != nil {
		return f, fmt.Errorf("store: web file: %w", err)
	}
	return f, nil
}

// UseWebFile takes one use of a file link and returns its record with the
// uses left after this one; ErrUsedUp when none was left, ErrNotFound
// when there is no such link. The download is audited (ids only).
func (t *Tx) UseWebFile(id string) (WebFile, error) {
	f, err := t.WebFile(id)
	if err != nil {
		return f, err
	}
	if f.UsesLeft <= 0 {
		return f, ErrUsedUp
	}
	f.UsesLeft--
	if err := t.PutWebFile(f); err != nil {
		return f, err
	}
	return f, t.Audit(f.Person, "web.file_download", nil, map[string]any{"file": f.ID, "uses_left": f.UsesLeft})
}

// DeleteWebFile forgets a file link's record (the caller removes the file).
func (t *Tx) DeleteWebFile(id string) error {
	b := t.tx.Bucket(bWebFiles)
	if b == nil {
		return nil
	}
	if err := b.Delete([]byte(id)); err != nil {
		return fmt.Errorf("store: delete web file: %w", err)
	}
	return nil
}

// EachWebFile calls fn for every file link's record, by id.
func (t *Tx) EachWebFile(fn func(WebFile) error) error {
	b := t.tx.Bucket(bWebFiles)
	if b == nil {
		return nil
	}
	return b.ForEach(func(_, v []byte) error {
		var f WebFile
		if err := getJSON(v, &f); err != nil {
			return fmt.Errorf("store: web file: %w", err)
		}
		return fn(f)
	})
}

// ChangeSeq grows with every audited change (records, undos, checks,
// exclusions, household counts, people): figures computed at one value
// stay right until it moves. The web dashboard keys its cache by it.
func (t *Tx) ChangeSeq() uint64 { return t.tx.Bucket(bAudit).Sequence() }

// HamletProcedures counts, for each procedure guided in the hamlet by
// active records, the distinct households guided through it, from the
// households' facts (the hamlet's households come from the name index, so
// only they are read).
func (t *Tx) HamletProcedures(hamlet string) (map[string]int, error) {
	out := map[string]int{}
	hh := t.tx.Bucket(bHH)
	err := t.eachHamletName(hamlet, func(_ []byte, id uint64) error {
		v := hh.Get(u64(id))
		if v == nil {
			return nil
		}
		r, err := readFacts(v)
		if err != nil {
			return fmt.Errorf("store: procedures of hamlet %s: %w", hamlet, err)
		}
		r.eachProcedure(func(id []byte, _ Day) { out[string(id)]++ })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// HamletHouseholds calls fn for the hamlet's households in the order of
// their folded names, skipping the first skip and stopping after limit
// (0: no limit); it returns how many households the hamlet has in all.
func (t *Tx) HamletHouseholds(hamlet string, skip, limit int, fn func(campaign.Household) error) (int, error) {
	return t.HamletHouseholdsMatching(hamlet, "", skip, limit, fn)
}

// HamletHouseholdsMatching calls fn for the hamlet's households whose
// folded name contains folded (the caller folds it as intake.Fold does),
// in name order, skipping skip and stopping after limit; it returns how
// many match in all.
func (t *Tx) HamletHouseholdsMatching(hamlet, folded string, skip, limit int, fn func(campaign.Household) error) (int, error) {
	want := []byte(folded)
	n := 0
	err := t.eachHamletName(hamlet, func(name []byte, id uint64) error {
		if !bytes.Contains(name, want) {
			return nil
		}
		n++
		if n <= skip || (limit > 0 && n > skip+limit) {
			return nil
		}
		h, err := t.Household(id)
		if err != nil {
			return err
		}
		return fn(h)
	})
	return n, err
}

// eachHamletName calls fn with the folded name and id of every household
// of the hamlet, in name order, from the name index.
func (t *Tx) eachHamletName(hamlet string, fn func(foldedName []byte, id uint64) error) error {
	prefix := cat([]byte(hamlet), sep)
	c := t.tx.Bucket(bNameIdx).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if err := fn(k[len(prefix):len(k)-9], readU64(k[len(k)-8:])); err != nil {
			return err
		}
	}
	return nil
}
