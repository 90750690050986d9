package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// MaxDownload is the largest file the Bot API lets a bot download (20 MB).
const MaxDownload = 20 << 20

// ErrFileUnavailable: Telegram does not give the file (unknown or expired
// file id, over 20 MB, or no download address for this endpoint).
var ErrFileUnavailable = errors.New("telegram: file unavailable")

// FetchFile downloads a file a user sent (an evidence photo) by its
// file_id: getFile, then the file URL beside the API endpoint
// (…/file/bot<token>/<file_path>, also on a local Bot API server).
func (t *Transport) FetchFile(ctx context.Context, fileID string) ([]byte, error) {
	base, ok := fileEndpoint(t.opts.Endpoint)
	if !ok {
		return nil, fmt.Errorf("%w: endpoint %q has no /bot%%s/ to derive the file address from", ErrFileUnavailable, t.opts.Endpoint)
	}
	resp, err := t.request(ctx, tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		var e *tgbotapi.Error
		if errors.As(err, &e) && e.Code == http.StatusBadRequest {
			return nil, fmt.Errorf("%w: getFile: %s", ErrFileUnavailable, e.Message)
		}
		return nil, fmt.Errorf("telegram: getFile: %w", err)
	}
	var f tgbotapi.File
	if err := json.Unmarshal(resp.Result, &f); err != nil || f.FilePath == "" {
		return nil, fmt.Errorf("%w: getFile gave no file_path", ErrFileUnavailable)
	}
	if f.FileSize > MaxDownload {
		return nil, fmt.Errorf("%w: %d bytes, over 20 MB", ErrFileUnavailable, f.FileSize)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf(base, t.opts.Token, f.FilePath), nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: file request: %w", t.redact(err))
	}
	res, err := t.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", t.redact(err))
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, fmt.Errorf("%w: download answered %s", ErrFileUnavailable, res.Status)
	}
	data, err := io.ReadAll(io.LimitReader(res.Body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", t.redact(err))
	}
	if len(data) > MaxDownload {
		return nil, fmt.Errorf("%w: over 20 MB", ErrFileUnavailable)
	}
	return data, nil
}

// fileEndpoint is the download URL format (token, then file_path) beside
// an API endpoint format: the Bot API serves files at /file/bot<token>/.
func fileEndpoint(api string) (string, bool) {
	i := strings.LastIndex(api, "/bot%s/")
	if i < 0 {
		return "", false
	}
	return api[:i] + "/file/bot%s/" + api[i+len("/bot%s/"):], true
}
