package telegram

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// An evidence photo a Telegram user sent comes back by its file_id
// (getFile, then the download URL beside the API endpoint); an unknown id
// or a file over 20 MB is ErrFileUnavailable, and no error carries the
// token.
func TestFetchFile(t *testing.T) {
	h := newHarness(t, 1, nil)
	jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte("x"), 5000)...)
	h.srv.AddFile("PHOTO-1", jpeg)
	h.srv.AddFile("HUGE", make([]byte, MaxDownload+1))
	got, err := h.tr.FetchFile(waitCtx(t), "PHOTO-1")
	if err != nil || !bytes.Equal(got, jpeg) {
		t.Fatalf("FetchFile: %d bytes, %v", len(got), err)
	}
	if h.srv.Calls("getfile") != 1 || h.srv.Calls("file") != 1 {
		t.Errorf("getFile %d, downloads %d; want 1 and 1", h.srv.Calls("getfile"), h.srv.Calls("file"))
	}
	for _, id := range []string{"NO-SUCH-FILE", "HUGE"} {
		_, err := h.tr.FetchFile(waitCtx(t), id)
		if !errors.Is(err, ErrFileUnavailable) {
			t.Errorf("%s: %v, want ErrFileUnavailable", id, err)
		}
		if err != nil && strings.Contains(err.Error(), testToken) {
			t.Errorf("%s: the error carries the token: %v", id, err)
		}
	}
}

func TestFileEndpoint(t *testing.T) {
	for _, tc := range []struct{ api, want string }{
		{DefaultEndpoint, "https://api.telegram.org/file/bot%s/%s"},
		{"http://127.0.0.1:8081/bot%s/%s", "http://127.0.0.1:8081/file/bot%s/%s"},
		{"https://proxy.example/tg/bot%s/%s", "https://proxy.example/tg/file/bot%s/%s"},
	} {
		if got, ok := fileEndpoint(tc.api); !ok || got != tc.want {
			t.Errorf("fileEndpoint(%q) = %q, %v; want %q", tc.api, got, ok, tc.want)
		}
	}
	if _, ok := fileEndpoint("https://example/%s/%s"); ok {
		t.Error("an endpoint without the bot path gave a file address")
	}
}
