package export

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"dvcbot/scoring"
)

// ErrFileExists means an export's output file is already there: exports
// never overwrite a file.
var ErrFileExists = errors.New("export: the file already exists; it is not overwritten")

// CreateNew creates the file at path for an export, readable by its owner
// only (it holds personal data), and fails with an error wrapping
// ErrFileExists when a file (or a link) of that name is already there.
func CreateNew(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("%w: %s", ErrFileExists, path)
	}
	if err != nil {
		return nil, fmt.Errorf("export: create %s: %w", path, err)
	}
	return f, nil
}

// EvidenceFileName names an evidence export by what it holds, so that two
// periods or two hamlets never share a name: "bang-chung-2026-01-01-den-
// 2026-06-30.csv", "bang-chung-bai-nha-2026-01-01-den-2026-06-30.xlsx".
// hamlet is a hamlet id (letters, digits, '-' and '_'), empty for all;
// ext is "csv" or "xlsx".
func EvidenceFileName(hamlet string, from, to scoring.Date, ext string) string {
	var b strings.Builder
	b.WriteString("bang-chung")
	if hamlet != "" {
		b.WriteString("-" + hamlet)
	}
	if !from.IsZero() {
		b.WriteString("-" + from.ISO())
	}
	if !to.IsZero() {
		b.WriteString("-den-" + to.ISO())
	}
	return b.String() + "." + strings.TrimPrefix(ext, ".")
}
