package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"dvcbot/chat"
	"dvcbot/intake"
	"dvcbot/scoring"
	"dvcbot/store"
)

// Files serves documents and pictures to channels that cannot send them
// (Zalo): a signed link to a file kept on disk for a while, and a
// one-time URL to a picture for sendPhoto.
//
// # Who a file link works for
//
// A file link is made for the person the bot sends it to (Options.Resolve
// turns the chat address into a person) and carries a random 128-bit file
// id with that person and its expiry, signed with the store's key. The
// store keeps the file's record under the id, with the person, the expiry
// and the downloads left. A download is served only when the signature
// holds, the record names the same person, the link has not expired and a
// download is left; otherwise 403.
//
// A messenger's in-app browser, or the phone's download manager it hands
// the file to, knows nothing of the dashboard's session, so the link
// cannot demand one: it is a bearer link, sent only in the person's
// private chat with the bot. What keeps a forwarded link from serving
// anyone for long is that it expires (web.file_ttl, 24 h), works a few
// times (web.file_uses, 3) and that its file is deleted afterwards. When
// the browser does hold a dashboard session, it must be the same person's:
// a session of someone else is refused. Every download is audited.
//
// Opening the link shows a page naming the file (a link preview fetched by
// the messenger's servers uses no download); the download itself is its
// own address below it.
type Files struct {
	s      *Server
	mu     sync.Mutex
	photos map[string]photo
}

// photo is a picture waiting for its one fetch.
type photo struct {
	data        []byte
	contentType string
	expires     time.Time
}

// Link stores a document for the person at to and returns its signed
// link, when it expires and how many downloads it allows.
func (f *Files) Link(ctx context.Context, to chat.Address, file chat.File) (string, time.Time, int, error) {
	s := f.s
	if s.opt.FilesDir == "" {
		return "", time.Time{}, 0, errors.New("web: file link: no folder for files (web.files_dir)")
	}
	if s.opt.Resolve == nil {
		return "", time.Time{}, 0, errors.New("web: file link: no way to tell who an address is")
	}
	person, err := s.opt.Resolve(ctx, to)
	if err != nil {
		return "", time.Time{}, 0, fmt.Errorf("web: file link for %s: %w", to, err)
	}
	if person == 0 {
		return "", time.Time{}, 0, fmt.Errorf("web: file link for %s: %w", to, ErrUnknownPerson)
	}
	var id [fileIDSize]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", time.Time{}, 0, fmt.Errorf("web: file link: %w", err)
	}
	name := cleanFileName(file.Name)
	path := filepath.Join(s.opt.FilesDir, hex.EncodeToString(id[:]))
	if err := writeFile(path, file.Bytes); err != nil {
		return "", time.Time{}, 0, fmt.Errorf("web: file link %s: %w", name, err)
	}
	now := s.now()
	rec := store.WebFile{ID: hex.EncodeToString(id[:]), Person: person, Name: name, Path: path,
		Size: int64(len(file.Bytes)), Created: now, Expires: now.Add(s.opt.FileTTL).Truncate(time.Second), UsesLeft: s.opt.FileUses}
	if err := s.src.PutFile(ctx, rec); err != nil {
		_ = os.Remove(path)
		return "", time.Time{}, 0, fmt.Errorf("web: file link %s: %w", name, err)
	}
	tok := s.sign.fileToken(fileClaim{ID: id, Person: person, Expires: rec.Expires})
	return s.public + "/tep/" + tok, rec.Expires, rec.UsesLeft, nil
}

// writeFile writes data to path through a temporary file, readable by the
// owner only.
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// OneTime keeps a picture in memory for Options.PhotoTTL (2 minutes) and
// returns an unguessable URL (128 random bits) that serves it once: the
// first fetch (Zalo's, during sendPhoto) takes it away.
func (f *Files) OneTime(ctx context.Context, file chat.File) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ext := strings.ToLower(filepath.Ext(file.Name))
	ctype := mime.TypeByExtension(ext)
	if !strings.HasPrefix(ctype, "image/") {
		ctype = http.DetectContentType(file.Bytes)
		if !strings.HasPrefix(ctype, "image/") {
			return "", fmt.Errorf("web: one-time photo %q is not a picture (%s)", file.Name, ctype)
		}
		exts, _ := mime.ExtensionsByType(ctype)
		ext = ".img"
		if len(exts) > 0 {
			ext = exts[0]
		}
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("web: one-time photo: %w", err)
	}
	name := base64.RawURLEncoding.EncodeToString(id[:]) + ext
	now := f.s.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropPhotos(now)
	f.photos[name] = photo{data: file.Bytes, contentType: ctype, expires: now.Add(f.s.opt.PhotoTTL)}
	return f.s.public + "/anh/" + name, nil
}

// dropPhotos forgets the pictures no longer waiting at now (f.mu held).
func (f *Files) dropPhotos(now time.Time) {
	for k, p := range f.photos {
		if !now.Before(p.expires) {
			delete(f.photos, k)
		}
	}
}

// servePhoto (GET /anh/{name}) serves a one-time picture and forgets it.
func (f *Files) servePhoto(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	now := f.s.now()
	f.mu.Lock()
	p, ok := f.photos[name]
	if ok && r.Method != http.MethodHead {
		delete(f.photos, name)
	}
	f.mu.Unlock()
	if !ok || !now.Before(p.expires) {
		f.s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", p.contentType)
	h.Set("Content-Length", strconv.Itoa(len(p.data)))
	h.Set("Content-Disposition", contentDisposition("inline", name))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(p.data)
}

// refuse says why a file link does not serve, and how to get a new one.
func (f *Files) refuse(w http.ResponseWriter, r *http.Request, lines ...string) {
	f.s.message(w, r, http.StatusForbidden, "Liên kết tải tệp không dùng được", append(lines,
		"Xin gửi lại lệnh cho bot (ví dụ /report hay /hoso) để nhận liên kết mới."))
}

// open checks a file link and returns its record.
func (f *Files) open(w http.ResponseWriter, r *http.Request) (store.WebFile, bool) {
	s := f.s
	now := s.now()
	c, err := s.sign.readFile(r.PathValue("token"), now)
	switch {
	case errors.Is(err, errExpired):
		f.refuse(w, r, "Liên kết đã hết hạn và tệp đã được xóa để giữ an toàn số liệu.")
		return store.WebFile{}, false
	case err != nil:
		f.refuse(w, r, "Liên kết bị sai hoặc thiếu ký tự.")
		return store.WebFile{}, false
	}
	if !s.limit.allow(c.Person, now) {
		s.tooMany(w, r)
		return store.WebFile{}, false
	}
	rec, err := s.src.File(r.Context(), hex.EncodeToString(c.ID[:]))
	switch {
	case errors.Is(err, store.ErrNotFound):
		f.refuse(w, r, "Tệp đã được xóa (liên kết hết hạn hoặc đã tải đủ số lần).")
		return rec, false
	case err != nil:
		s.serverError(w, r, err)
		return rec, false
	}
	if rec.Person != c.Person {
		f.refuse(w, r, "Liên kết bị sai hoặc thiếu ký tự.")
		return rec, false
	}
	if !now.Before(rec.Expires) {
		f.refuse(w, r, "Liên kết đã hết hạn và tệp đã được xóa để giữ an toàn số liệu.")
		return rec, false
	}
	if rec.UsesLeft <= 0 {
		f.refuse(w, r, "Tệp đã được tải đủ "+strconv.Itoa(s.opt.FileUses)+" lần cho phép.")
		return rec, false
	}
	if v, why, err := s.viewerOf(r); err == nil && why == refuseNone && v.ID != rec.Person {
		f.refuse(w, r, "Liên kết này được gửi cho người khác; trình duyệt này đang mở trang của một người khác.")
		return rec, false
	}
	return rec, true
}

// landing (GET /tep/{token}) names the file and offers its download.
func (f *Files) landing(w http.ResponseWriter, r *http.Request) {
	rec, ok := f.open(w, r)
	if !ok {
		return
	}
	f.s.render(w, r, http.StatusOK, "file", fileView{
		Name:     rec.Name,
		Size:     byteSize(rec.Size),
		Expires:  rec.Expires.In(f.s.loc).Format("15:04 ngày 02/01/2006"),
		UsesLeft: rec.UsesLeft,
		Download: f.s.url("/tep/" + r.PathValue("token") + "/tai"),
	})
}

// fileView is what the file page shows.
type fileView struct {
	Name, Size, Expires string
	UsesLeft            int
	Download            string
}

func (fileView) title() string { return "Tải tệp" }

// download (GET /tep/{token}/tai) takes one use and sends the file (a
// HEAD request takes none). A file with no use left is deleted once sent.
func (f *Files) download(w http.ResponseWriter, r *http.Request) {
	rec, ok := f.open(w, r)
	if !ok {
		return
	}
	file, err := os.Open(rec.Path)
	if err != nil {
		f.refuse(w, r, "Tệp không còn trên máy chủ.")
		return
	}
	defer file.Close()
	if r.Method != http.MethodHead {
		if rec, err = f.s.src.UseFile(r.Context(), rec.ID); err != nil {
			if errors.Is(err, store.ErrUsedUp) || errors.Is(err, store.ErrNotFound) {
				f.refuse(w, r, "Tệp đã được tải đủ "+strconv.Itoa(f.s.opt.FileUses)+" lần cho phép.")
			} else {
				f.s.serverError(w, r, err)
			}
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", contentType(rec.Name))
	h.Set("Content-Disposition", contentDisposition("attachment", rec.Name))
	h.Set("Content-Length", strconv.FormatInt(rec.Size, 10))
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, file); err != nil {
		f.s.log.Info("web: file download cut short", "err", err)
	}
	if rec.UsesLeft <= 0 {
		f.remove(context.WithoutCancel(r.Context()), rec)
	}
}

// remove deletes a file and its record.
func (f *Files) remove(ctx context.Context, rec store.WebFile) {
	if err := os.Remove(rec.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
		f.s.log.Error("web: delete file", "err", err)
		return
	}
	if err := f.s.src.DeleteFile(ctx, rec.ID); err != nil {
		f.s.log.Error("web: forget file", "err", err)
	}
}

// Sweep deletes the files whose links expired or were used up, with their
// records, and any file of the folder no record names (left by a crash
// between writing it and recording it) once older than a minute; it
// returns how many files it deleted.
func (f *Files) Sweep(ctx context.Context) (int, error) {
	s := f.s
	now := s.now()
	f.mu.Lock()
	f.dropPhotos(now)
	f.mu.Unlock()
	if s.opt.FilesDir == "" {
		return 0, nil
	}
	recs, err := s.src.Files(ctx)
	if err != nil {
		return 0, fmt.Errorf("web: sweep files: %w", err)
	}
	n := 0
	known := map[string]bool{}
	for _, rec := range recs {
		if now.Before(rec.Expires) && rec.UsesLeft > 0 {
			known[filepath.Base(rec.Path)] = true
			continue
		}
		if err := os.Remove(rec.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, fmt.Errorf("web: sweep files: %w", err)
		} else if err == nil {
			n++
		}
		if err := s.src.DeleteFile(ctx, rec.ID); err != nil {
			return n, fmt.Errorf("web: sweep files: %w", err)
		}
	}
	entries, err := os.ReadDir(s.opt.FilesDir)
	if errors.Is(err, os.ErrNotExist) {
		return n, nil
	} else if err != nil {
		return n, fmt.Errorf("web: sweep files: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || known[e.Name()] {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < time.Minute {
			continue
		}
		if err := os.Remove(filepath.Join(s.opt.FilesDir, e.Name())); err == nil {
			n++
		}
	}
	return n, nil
}

// Run sweeps every interval until ctx ends; tick gives the interval's
// ticks (time.NewTicker(every).C in production, a channel in tests).
func (f *Files) Run(ctx context.Context, tick <-chan time.Time) error {
	for {
		if _, err := f.Sweep(ctx); err != nil && ctx.Err() == nil {
			f.s.log.Error("web: sweep files", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		}
	}
}

// contentType is the MIME type of a file by its extension.
func contentType(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".csv":
		return "text/csv; charset=utf-8"
	case ".pdf":
		return "application/pdf"
	case ".zip":
		return "application/zip"
	case ".gz":
		return "application/gzip"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	}
	return "application/octet-stream"
}

// contentDisposition names a download as RFC 6266 says: an ASCII name for
// old clients (diacritics folded: "danh-sach-ho-bai-nha.xlsx") and the
// real name, in UTF-8, percent-encoded in filename* (RFC 8187).
func contentDisposition(kind, name string) string {
	return kind + `; filename="` + asciiName(name) + `"; filename*=UTF-8''` + rfc8187(name)
}

// asciiName folds a file name to ASCII letters, digits, dots and dashes.
func asciiName(name string) string {
	ext := filepath.Ext(name)
	base := intake.Fold(strings.TrimSuffix(name, ext))
	var b strings.Builder
	dash := false
	for _, r := range base {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_'
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		out = "tep"
	}
	return out + strings.ToLower(asciiExt(ext))
}

func asciiExt(ext string) string {
	for _, r := range ext {
		if r > '~' || r == '"' || r == '\\' || r <= ' ' {
			return ""
		}
	}
	return ext
}

// rfc8187 percent-encodes every byte but RFC 8187's attr-char.
func rfc8187(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

// cleanFileName keeps the base name of a file, without control characters
// or path separators; "tep" when nothing is left.
func cleanFileName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, intake.CleanText(name))
	name = strings.TrimLeft(strings.TrimSpace(name), ".")
	if name == "" {
		return "tep"
	}
	if r := []rune(name); len(r) > 120 {
		ext := []rune(filepath.Ext(name))
		name = string(r[:120-len(ext)]) + string(ext)
	}
	return name
}

// byteSize writes a size for people: "12 KB", "3,4 MB".
func byteSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " byte"
	case n < 1024*1024:
		return scoring.Number(int((n+1023)/1024)) + " KB"
	default:
		tenths := (n*10 + 1024*1024 - 1) / (1024 * 1024)
		return strconv.FormatInt(tenths/10, 10) + "," + strconv.FormatInt(tenths%10, 10) + " MB"
	}
}
