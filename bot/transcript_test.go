package bot

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"dvcbot/campaign"
)

// The -update flag rewrites the expected replies of the golden transcripts
// in testdata/. Other golden tests of the package share it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files in testdata/")
	}
}

// updateTranscripts reports whether -update was given.
func updateTranscripts() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// A transcript (testdata/*.txt) is a conversation with the engine. Lines
// the test reads:
//
//	# comment                       kept as is
//	! officer 2001 bai-nha officer Lê Văn Tám   register a person in the store
//	                                 (role officer | leader | admin)
//	! clock +8d | +25h | +30m | 2026-03-02T23:59:59   move the clock (local time)
//	! restart                        close the store, reopen it, new engine
//	! redeliver                      handle the last input again, same update id
//	@user 2002                       who speaks from now on (in their private chat)
//	> text                           a message
//	> [press r:save]                 press the inline button with that data
//	> [photo FILE-ID]                send a photo
//	> [contact 0912345678]           share a contact card
//	> [group] text                   a message in the leaders' group chat
//	? store                          what is stored (rendered on the next line)
//
// Lines the test writes (rewritten by -update):
//
//	< first line of a reply          (<{edit} for an edited message, <{to ID} for
//	| further lines of the reply      a message to another chat, <{group} for the group)
//	  [Text|data] [Text|url:https://…]   the reply's inline keyboard, row by row
//	= guidance 1 (active 1), …       the answer to "? store"
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata/")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := runTranscript(t, string(want))
			if got == string(want) {
				return
			}
			if updateTranscripts() {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
				return
			}
			t.Errorf("%s: replies differ from the transcript (run go test ./bot -run TestTranscripts -update to accept):\n%s",
				file, lineDiff(string(want), got))
		})
	}
}

// isOutput reports whether a transcript line is written by the test.
func isOutput(line string) bool {
	return strings.HasPrefix(line, "<") || strings.HasPrefix(line, "|") ||
		strings.HasPrefix(line, "  [") || strings.HasPrefix(line, "=")
}

// runTranscript plays the inputs of a transcript and returns it with the
// replies the engine gave.
func runTranscript(t *testing.T, script string) string {
	w := newWorld(t)
	var out strings.Builder
	lines := strings.Split(strings.TrimRight(script, "\n"), "\n")
	for n, line := range lines {
		if isOutput(line) {
			continue
		}
		out.WriteString(line + "\n")
		where := fmt.Sprintf("line %d %q", n+1, line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@user "):
			id, err := strconv.ParseInt(strings.TrimSpace(line[len("@user "):]), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			w.user = id
		case strings.HasPrefix(line, "! "):
			w.directive(where, strings.Fields(line[2:]))
		case line == "? store":
			fmt.Fprintf(&out, "= %s\n", w.counts())
		case strings.HasPrefix(line, "> "):
			renderReplies(&out, w.user, w.play(where, line[2:]))
		default:
			t.Fatalf("%s: not a transcript line", where)
		}
	}
	return out.String()
}

func (w *world) directive(where string, f []string) {
	t := w.t
	switch {
	case len(f) >= 5 && f[0] == "officer":
		id, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || !campaign.Role(f[3]).Valid() {
			t.Fatalf("%s: want ! officer ID HAMLET ROLE NAME…", where)
		}
		w.addOfficer(id, f[2], campaign.Role(f[3]), strings.Join(f[4:], " "))
	case len(f) == 2 && f[0] == "clock":
		if strings.HasPrefix(f[1], "+") {
			d, err := parseStep(f[1][1:])
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			w.clock.Add(d)
			return
		}
		at, err := time.ParseInLocation("2006-01-02T15:04:05", f[1], hcm)
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		w.clock.Set(at)
	case len(f) == 1 && f[0] == "restart":
		w.restart()
	default:
		t.Fatalf("%s: unknown directive", where)
	}
}

// parseStep reads "8d", "25h", "30m", "1s".
func parseStep(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// play performs one "> " line.
func (w *world) play(where, s string) []Reply {
	switch {
	case s == "[redeliver]":
		return w.handle(w.last)
	case strings.HasPrefix(s, "[press ") && strings.HasSuffix(s, "]"):
		return w.press(s[len("[press ") : len(s)-1])
	case strings.HasPrefix(s, "[photo ") && strings.HasSuffix(s, "]"):
		return w.photo(s[len("[photo ") : len(s)-1])
	case strings.HasPrefix(s, "[contact ") && strings.HasSuffix(s, "]"):
		in := w.input()
		in.ContactPhone = s[len("[contact ") : len(s)-1]
		return w.handle(in)
	case strings.HasPrefix(s, "[group] "):
		return w.group(s[len("[group] "):])
	case strings.HasPrefix(s, "["):
		w.t.Fatalf("%s: unknown action", where)
	}
	return w.text(s)
}

func renderReplies(out *strings.Builder, chat int64, replies []Reply) {
	for _, r := range replies {
		var tags []string
		if r.EditMessageID != 0 {
			tags = append(tags, "edit")
		}
		if r.ChatID != chat {
			tags = append(tags, fmt.Sprintf("to %d", r.ChatID))
		}
		if r.Group {
			tags = append(tags, "group")
		}
		if r.Document != nil {
			tags = append(tags, "document "+r.Document.Name)
		}
		if r.Photo != nil {
			tags = append(tags, "photo "+r.Photo.Name)
		}
		prefix := "< "
		if len(tags) > 0 {
			prefix = "<{" + strings.Join(tags, ", ") + "} "
		}
		for i, l := range strings.Split(r.Text, "\n") {
			if i == 0 {
				out.WriteString(strings.TrimRight(prefix+l, " ") + "\n")
				continue
			}
			out.WriteString(strings.TrimRight("| "+l, " ") + "\n")
		}
		for _, row := range r.Buttons {
			var cells []string
			for _, b := range row {
				if b.URL != "" {
					cells = append(cells, "["+b.Text+"|url:"+b.URL+"]")
				} else {
					cells = append(cells, "["+b.Text+"|"+b.Data+"]")
				}
			}
			out.WriteString("  " + strings.Join(cells, " ") + "\n")
		}
	}
}

// lineDiff shows the lines around the first difference.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d\n", i+1)
	for j := max(0, i-3); j < i; j++ {
		fmt.Fprintf(&b, "   %s\n", wl[j])
	}
	for j := i; j < min(len(wl), i+6); j++ {
		fmt.Fprintf(&b, "-  %s\n", wl[j])
	}
	for j := i; j < min(len(gl), i+6); j++ {
		fmt.Fprintf(&b, "+  %s\n", gl[j])
	}
	return b.String()
}
