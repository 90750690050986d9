package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"dvcbot/campaign"
)

// Tokens are signed with HMAC-SHA256 under the store's web key, truncated
// to 128 bits (enough against forgery: an attacker gets one guess per
// request and 2^128 to go through). Each kind of token signs a different
// label first, so that a link token can never pass for a session cookie
// or a file link, nor the other way round.
//
// Layout (then base64url without padding):
//
//	link, session: version 1 | person 8 | generation 4 | expiry 8 | role length 1 | role | mac 16
//	file:          version 1 | file id 16 | person 8 | expiry 8 | mac 16
const (
	tokenVersion = 1
	macSize      = 16
	fileIDSize   = 16
)

// Labels of the token kinds.
const (
	labelLink    = "dvcbot web link\x00"
	labelSession = "dvcbot web session\x00"
	labelFile    = "dvcbot web file\x00"
)

// Why a token is refused.
var (
	errForged  = errors.New("web: token forged or damaged")
	errExpired = errors.New("web: token expired")
)

// grant is what a link or session token says: who, in which role, until
// when, and in which of the person's link generations.
type grant struct {
	Person     campaign.PersonID
	Role       campaign.Role
	Generation uint32
	Expires    time.Time
}

type signer struct{ key []byte }

func (s signer) mac(label string, payload []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(label))
	m.Write(payload)
	return m.Sum(nil)[:macSize]
}

func (s signer) seal(label string, payload []byte) string {
	return base64.RawURLEncoding.EncodeToString(append(payload, s.mac(label, payload)...))
}

// open checks the token's signature and returns its payload.
func (s signer) open(label, token string) ([]byte, error) {
	if len(token) > 512 {
		return nil, errForged
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 1+macSize || raw[0] != tokenVersion {
		return nil, errForged
	}
	payload, sum := raw[:len(raw)-macSize], raw[len(raw)-macSize:]
	if !hmac.Equal(sum, s.mac(label, payload)) {
		return nil, errForged
	}
	return payload, nil
}

func (s signer) grantToken(label string, g grant) string {
	b := make([]byte, 0, 22+len(g.Role))
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(g.Person))
	b = binary.BigEndian.AppendUint32(b, g.Generation)
	b = binary.BigEndian.AppendUint64(b, uint64(g.Expires.Unix()))
	b = append(b, byte(len(g.Role)))
	b = append(b, g.Role...)
	return s.seal(label, b)
}

// readGrant checks a link or session token, including its expiry at now
// (the generation is checked against the store by the caller).
func (s signer) readGrant(label, token string, now time.Time) (grant, error) {
	p, err := s.open(label, token)
	if err != nil {
		return grant{}, err
	}
	if len(p) < 22 || len(p) != 22+int(p[21]) {
		return grant{}, errForged
	}
	g := grant{
		Person:     campaign.PersonID(binary.BigEndian.Uint64(p[1:])),
		Generation: binary.BigEndian.Uint32(p[9:]),
		Expires:    time.Unix(int64(binary.BigEndian.Uint64(p[13:])), 0),
		Role:       campaign.Role(p[22:]),
	}
	if !g.Role.Valid() || g.Person == 0 {
		return grant{}, errForged
	}
	if !now.Before(g.Expires) {
		return g, errExpired
	}
	return g, nil
}

// fileClaim is what a file link says: which file, for whom, until when.
type fileClaim struct {
	ID      [fileIDSize]byte
	Person  campaign.PersonID
	Expires time.Time
}

func (s signer) fileToken(c fileClaim) string {
	b := make([]byte, 0, 33)
	b = append(b, tokenVersion)
	b = append(b, c.ID[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Person))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Expires.Unix()))
	return s.seal(labelFile, b)
}

// readFile checks a file link's signature and expiry at now.
func (s signer) readFile(token string, now time.Time) (fileClaim, error) {
	p, err := s.open(labelFile, token)
	if err != nil {
		return fileClaim{}, err
	}
	if len(p) != 33 {
		return fileClaim{}, errForged
	}
	var c fileClaim
	copy(c.ID[:], p[1:17])
	c.Person = campaign.PersonID(binary.BigEndian.Uint64(p[17:]))
	c.Expires = time.Unix(int64(binary.BigEndian.Uint64(p[25:])), 0)
	if !now.Before(c.Expires) {
		return c, errExpired
	}
	return c, nil
}
