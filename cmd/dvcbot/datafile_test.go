package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"dvcbot/backup"
)

// damagedStore makes a data file with a multi-level tree (2,000 officers),
// a good backup of it in the backup folder beside it, and a newer backup
// that is damaged (so the fix must name the older, good one). It returns
// the data file's bytes, its page size, and the good backup's path.
func damagedStore(t *testing.T) (path string, raw []byte, ps uint64, good string) {
	t.Helper()
	dir := t.TempDir()
	path = filepath.Join(dir, "dvcbot.db")
	registerOfficers(t, path, 10001, 2000)
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	snap, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	info, err := backup.Write(fileSnapshot{snap}, filepath.Join(dir, "backups"), time.Date(2026, 3, 1, 2, 0, 0, 0, loc))
	if err != nil {
		t.Fatal(err)
	}
	newer := filepath.Join(dir, "backups", backup.FileName(time.Date(2026, 3, 2, 2, 0, 0, 0, loc)))
	if err := os.WriteFile(newer, bytes.Repeat([]byte("hỏng "), 5000), 0o600); err != nil {
		t.Fatal(err)
	}
	if raw, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	ps = uint64(db.Info().PageSize)
	db.Close()
	return path, raw, ps, info.Path
}

// fileSnapshot hands out a file's bytes as a snapshot.
type fileSnapshot struct{ f *os.File }

func (s fileSnapshot) WriteSnapshot(w io.Writer) (int64, error) { return io.Copy(w, s.f) }

// damages are the kinds of damage of issue 12 item 2, each a patch of the
// file's bytes: every one of them made bbolt panic (or fault) at start.
func damages(t *testing.T, path string, raw []byte, ps uint64) map[string][]byte {
	t.Helper()
	le := binary.LittleEndian
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var branch uint64
	db.View(func(tx *bolt.Tx) error {
		branch = uint64(tx.Bucket([]byte("officers")).Root())
		return nil
	})
	db.Close()
	if flags := le.Uint16(raw[branch*ps+8:]); flags != 0x01 {
		t.Fatalf("bucket officers has no branch root (page %d, flags %#x)", branch, flags)
	}
	leaf := branch // its leftmost leaf
	for le.Uint16(raw[leaf*ps+8:]) == 0x01 {
		leaf = le.Uint64(raw[leaf*ps+16+8:])
	}
	meta := func(i uint64, at int) uint64 { return le.Uint64(raw[i*ps+16+uint64(at):]) }
	root := meta(0, 16) // of the newer meta page
	if meta(1, 48) > meta(0, 48) {
		root = meta(1, 16)
	}
	patch := func(fn func(b []byte)) []byte {
		b := bytes.Clone(raw)
		fn(b)
		return b
	}
	return map[string][]byte{
		"branch page points outside the file": patch(func(b []byte) { le.PutUint64(b[branch*ps+16+8:], 1<<40) }),
		"leaf page flagged branch":            patch(func(b []byte) { le.PutUint16(b[leaf*ps+8:], 0x01) }),
		"element count too large":             patch(func(b []byte) { le.PutUint16(b[root*ps+10:], 0xffff) }),
		"freelist pages flagged leaf": patch(func(b []byte) {
			le.PutUint16(b[meta(0, 32)*ps+8:], 0x02)
			le.PutUint16(b[meta(1, 32)*ps+8:], 0x02)
		}),
		"file cut short": raw[:meta(0, 40)*ps/2], // half of its pages (the file is grown ahead of them)
	}
}

// Issue 12 item 2: a damaged data file stops every command that opens it
// with a message naming the file and the restore command with the newest
// good backup — no panic, exit status 3.
func TestDamagedDataFileStopsWithTheFix(t *testing.T) {
	path, raw, ps, good := damagedStore(t)
	cfgPath := writeFile(t, "dvcbot.yaml", string(mustSample(t)))
	env := []string{"DVCBOT_STORE_PATH=" + path, "DVCBOT_TELEGRAM_TOKEN=123:abc", "DVCBOT_OPS_LISTEN=",
		"DVCBOT_TELEGRAM_API_ENDPOINT=" + refusingBotAPI(t)}
	commands := [][]string{
		{"serve"},
		{"reindex"},
		{"export", "--format", "csv"},
		{"dossier", "--hamlet", "bai-nha", "--out", t.TempDir()},
		{"demo", "--store", path},
		{"reindex", "--config", cfgPath},
	}
	for kind, b := range damages(t, path, raw, ps) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range commands {
			t.Run(kind+"/"+strings.Join(args[:1], ""), func(t *testing.T) {
				r := runCmd(t, "/toi\n", env, args...)
				var d *damagedFileError
				if !errors.As(r.err, &d) || !errors.Is(r.err, backup.ErrInvalid) || exitCode(r.err) != exitDamaged {
					t.Fatalf("%v: %v (exit %d), want a damaged-file error, exit %d", args, r.err, exitCode(r.err), exitDamaged)
				}
				msg := r.err.Error()
				fix := "dvcbot restore --from " + good
				if len(args) > 1 && args[1] == "--config" {
					fix = "dvcbot restore --config " + cfgPath + " --from " + good
				}
				wants := []string{"tệp dữ liệu " + path + " bị hỏng", fix, "lúc 02:00 ngày 01/03/2026"}
				if args[0] == "demo" { // the demo takes no backups: it starts afresh
					wants = []string{"tệp dữ liệu " + path + " bị hỏng", "dvcbot demo --fresh --store " + path}
				}
				for _, want := range wants {
					if !strings.Contains(msg, want) {
						t.Errorf("message lacks %q:\n%s", want, msg)
					}
				}

			})
		}
	}
	// The command the message gives puts the good backup back.
	r := runCmd(t, "", env, "restore", "--from", good)
	if r.err != nil {
		t.Fatalf("restore: %v", r.err)
	}
	if r := runCmd(t, "", env, "reindex"); r.err != nil {
		t.Fatalf("reindex after the restore: %v", r.err)
	}
}

// refusingBotAPI is a Bot API that refuses every token: a serve that got
// past the check stops at once instead of waiting for Telegram.
func refusingBotAPI(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/bot%s/%s"
}

func mustSample(t *testing.T) []byte {
	t.Helper()
	r := runCmd(t, "", nil, "sample-config")
	if r.err != nil {
		t.Fatal(r.err)
	}
	return []byte(r.stdout)
}

// With no good backup the message says so and what to do instead.
func TestDamagedDataFileWithoutBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dvcbot.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 1<<14), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, "", []string{"DVCBOT_STORE_PATH=" + path}, "reindex")
	if exitCode(r.err) != exitDamaged {
		t.Fatalf("reindex: %v", r.err)
	}
	for _, want := range []string{"Không có bản sao lưu nào trong " + filepath.Join(dir, "backups"), "/saoluu", "dvcbot restore --from <tệp sao lưu>"} {
		if !strings.Contains(r.err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, r.err)
		}
	}
}

// signalWriter is a stderr that says when something was written.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
	once  sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	defer w.once.Do(func() { close(w.wrote) })
	return w.buf.Write(p)
}

func (w *signalWriter) String() string { w.mu.Lock(); defer w.mu.Unlock(); return w.buf.String() }

// In the Docker image (DVCBOT_ON_DAMAGED_FILE=wait) serve prints the fix
// once and waits for docker stop instead of exiting into a restart loop;
// then it exits with status 3.
func TestServeWaitsOnDamagedFileInDocker(t *testing.T) {
	path, raw, ps, good := damagedStore(t)
	if err := os.WriteFile(path, damages(t, path, raw, ps)["freelist pages flagged leaf"], 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"DVCBOT_STORE_PATH=" + path, "DVCBOT_TELEGRAM_TOKEN=123:abc", envOnDamaged + "=wait",
		"DVCBOT_TELEGRAM_API_ENDPOINT=" + refusingBotAPI(t)}
	ctx, stop := context.WithCancel(context.Background())
	stderr := &signalWriter{wrote: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), &bytes.Buffer{}, stderr, env) }()
	select {
	case <-stderr.wrote:
	case err := <-done:
		t.Fatalf("serve returned %v before being stopped", err)
	}
	select {
	case err := <-done:
		t.Fatalf("serve returned %v before being stopped", err)
	default:
	}
	stop() // docker stop
	err := <-done
	if exitCode(err) != exitDamaged || strings.Contains(err.Error(), "restore") {
		t.Errorf("after stop: %v (exit %d), want a short reminder and exit %d", err, exitCode(err), exitDamaged)
	}
	out := stderr.String()
	if strings.Count(out, "dvcbot restore --from "+good) != 1 || !strings.Contains(out, "docker stop") {
		t.Errorf("stderr:\n%s", out)
	}
}

// The real binary: exit status 3, the message on standard error, and no
// Go stack trace.
func TestDamagedDataFileBinaryExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	path, raw, ps, good := damagedStore(t)
	api := refusingBotAPI(t)
	bin := filepath.Join(t.TempDir(), "dvcbot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for kind, b := range damages(t, path, raw, ps) {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "serve")
		cmd.Env = []string{"DVCBOT_STORE_PATH=" + path, "DVCBOT_TELEGRAM_TOKEN=123:abc", "DVCBOT_OPS_LISTEN=",
			"DVCBOT_TELEGRAM_API_ENDPOINT=" + api}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != exitDamaged {
			t.Errorf("%s: %v, want exit status %d\n%s", kind, err, exitDamaged, stderr.String())
		}
		if s := stderr.String(); strings.Contains(s, "goroutine ") || strings.Contains(s, "panic") || !strings.Contains(s, "--from "+good) {
			t.Errorf("%s: stderr:\n%s", kind, s)
		}
	}
}
