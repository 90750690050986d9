package web

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
)

func TestGrantTokens(t *testing.T) {
	s := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)
	g := grant{Person: 200001, Role: campaign.RoleLeader, Generation: 7, Expires: now.Add(time.Hour)}
	tok := s.grantToken(labelLink, g)
	got, err := s.readGrant(labelLink, tok, now)
	if err != nil || got.Person != g.Person || got.Role != g.Role || got.Generation != g.Generation || !got.Expires.Equal(g.Expires) {
		t.Fatalf("readGrant = %+v, %v; want %+v", got, err, g)
	}
	if _, err := s.readGrant(labelLink, tok, now.Add(time.Hour)); !errors.Is(err, errExpired) {
		t.Errorf("at its expiry: %v, want errExpired", err)
	}
	if _, err := s.readGrant(labelSession, tok, now); !errors.Is(err, errForged) {
		t.Errorf("a link token read as a session: %v, want errForged", err)
	}
	other := signer{key: []byte("another key of thirty-two bytes!")}
	if _, err := other.readGrant(labelLink, tok, now); !errors.Is(err, errForged) {
		t.Errorf("under another key: %v, want errForged", err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	for i := range raw {
		bad := append([]byte(nil), raw...)
		bad[i] ^= 0x01
		if _, err := s.readGrant(labelLink, base64.RawURLEncoding.EncodeToString(bad), now); !errors.Is(err, errForged) {
			t.Fatalf("byte %d flipped: %v, want errForged", i, err)
		}
	}
	for _, bad := range []string{"", "x", "!!!", tok[:len(tok)-1], tok + "A", strings.Repeat("A", 600)} {
		if _, err := s.readGrant(labelLink, bad, now); !errors.Is(err, errForged) {
			t.Errorf("readGrant(%q) = %v, want errForged", bad, err)
		}
	}
	// A role that is not one is refused even when signed.
	bad := s.grantToken(labelLink, grant{Person: 1, Role: "superuser", Expires: now.Add(time.Hour)})
	if _, err := s.readGrant(labelLink, bad, now); !errors.Is(err, errForged) {
		t.Errorf("unknown role: %v", err)
	}
}

func TestFileTokens(t *testing.T) {
	s := signer{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 11, 28, 20, 0, 0, 0, time.UTC)
	c := fileClaim{ID: [16]byte{1, 2, 3}, Person: 100001, Expires: now.Add(24 * time.Hour)}
	tok := s.fileToken(c)
	got, err := s.readFile(tok, now)
	if err != nil || got.ID != c.ID || got.Person != c.Person || !got.Expires.Equal(c.Expires) {
		t.Fatalf("readFile = %+v, %v", got, err)
	}
	if _, err := s.readFile(tok, now.Add(24*time.Hour)); !errors.Is(err, errExpired) {
		t.Errorf("expired: %v", err)
	}
	if _, err := s.readGrant(labelLink, tok, now); !errors.Is(err, errForged) {
		t.Errorf("a file token read as a link: %v", err)
	}
	link := s.grantToken(labelLink, grant{Person: 1, Role: campaign.RoleAdmin, Expires: now.Add(time.Hour)})
	if _, err := s.readFile(link, now); !errors.Is(err, errForged) {
		t.Errorf("a link read as a file token: %v", err)
	}
}
