package fakebotapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// maxDownload is the largest file the Bot API lets a bot download
// (getFile answers "file is too big" above it).
const maxDownload = 20 << 20

// AddFile makes fileID's content data, for getFile and the file download
// URL (https://api.telegram.org/file/bot<token>/<file_path>).
func (s *Server) AddFile(fileID string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[fileID] = data
}

type wireFile struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int    `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// getFile answers like Telegram: an unknown id is "invalid file_id", a file
// over 20 MB "file is too big"; otherwise a file_path valid for download.
func (s *Server) getFile(p *request) result {
	id := p.values["file_id"]
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.files[id]
	if !ok {
		return errResult(http.StatusBadRequest, "Bad Request: invalid file_id")
	}
	if len(data) > maxDownload {
		return errResult(http.StatusBadRequest, "Bad Request: file is too big")
	}
	s.fileSeq++
	path := "photos/file_" + strconv.Itoa(s.fileSeq) + ".jpg"
	s.filePaths[path] = id
	return okResult(wireFile{FileID: id, FileUniqueID: id + "-u", FileSize: len(data), FilePath: path})
}

// serveFile serves GET /file/bot<token>/<file_path>: the bytes, or 404
// for an unknown path and 401 for a wrong token, like Telegram.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	token, path, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/file/bot"), "/")
	if !ok || token != s.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	s.mu.Lock()
	s.calls["file"]++
	data, found := s.files[s.filePaths[path]]
	s.mu.Unlock()
	if !found {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
}
