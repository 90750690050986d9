package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Photos a channel does not keep (Zalo's picture URLs expire) are kept in
// the store itself, by the SHA-256 of their bytes, and named in records
// as "local:<hex>". Telegram photos stay with Telegram: their file_id is
// the reference. The bucket is created by the first photo.
var bPhotos = []byte("photos") // sha256 32 → bytes

// LocalPhotoPrefix starts the reference of a photo kept in the store.
const LocalPhotoPrefix = "local:"

// MaxPhotoBytes bounds a photo kept in the store.
const MaxPhotoBytes = 10 << 20

// PutPhoto keeps a photo's bytes and returns its reference; the same bytes
// are kept once.
func (t *Tx) PutPhoto(data []byte) (string, error) {
	if len(data) == 0 || len(data) > MaxPhotoBytes {
		return "", fmt.Errorf("store: photo of %d bytes: must be 1 byte to %d MB", len(data), MaxPhotoBytes>>20)
	}
	sum := sha256.Sum256(data)
	b, err := t.tx.CreateBucketIfNotExists(bPhotos)
	if err != nil {
		return "", fmt.Errorf("store: photos bucket: %w", err)
	}
	if b.Get(sum[:]) == nil {
		if err := b.Put(sum[:], data); err != nil {
			return "", fmt.Errorf("store: save photo: %w", err)
		}
	}
	return LocalPhotoPrefix + hex.EncodeToString(sum[:]), nil
}

// Photo returns the bytes of a photo kept in the store (ref from PutPhoto).
func (t *Tx) Photo(ref string) ([]byte, error) {
	h, ok := strings.CutPrefix(ref, LocalPhotoPrefix)
	if !ok {
		return nil, fmt.Errorf("photo %q: not kept here: %w", ref, ErrNotFound)
	}
	key, err := hex.DecodeString(h)
	if err != nil || len(key) != sha256.Size {
		return nil, fmt.Errorf("photo %q: %w", ref, ErrNotFound)
	}
	b := t.tx.Bucket(bPhotos)
	if b == nil {
		return nil, fmt.Errorf("photo: %w", ErrNotFound)
	}
	v := b.Get(key)
	if v == nil {
		return nil, fmt.Errorf("photo: %w", ErrNotFound)
	}
	return append([]byte(nil), v...), nil
}
