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
	"dvcbot/chat"
	"dvcbot/store"
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
//	! officer 2001 bai-nha officer Lê Văn Tám   register a person with the
//	                                 Telegram account 2001 in the store
//	                                 (role officer | leader | admin | zone_leader | inspector)
//	! clock +8d | +25h | +30m | 2026-03-02T23:59:59   move the clock (local time)
//	! restart                        close the store, reopen it, new engine
//	! admins telegram:1001 …         restart with these admins in configuration
//	                                 (none after "admins": no admin)
//	@user 2002                       who speaks from now on (in their private
//	                                 chat): a Telegram account, or an address
//	                                 such as zalo:z-2002 or console:1
//	> text                           a message
//	> [press r:save]                 press the choice with that value
//	> [photo FILE-ID]                send a photo
//	> [contact 0912345678]           share a contact card
//	> [group] text                   a message in the leaders' group of the channel
//	> [redeliver]                    handle the last input again, same update id
//	? store                          what is stored (rendered on the next line)
//	? people                         every person with their accounts
//
// Lines the test writes (rewritten by -update):
//
//	< first line of a reply          (<{edit} for an edited message, <{to ADDRESS} for
//	| further lines of the reply      a message to another chat, <{group} for a group post)
//	  [1] ✅ Lưu {r:save}   [Mở](https://…)   the reply's choices, row by row,
//	                                 numbered as a typed number picks them
//	= guidance 1 (active 1), …       the answer to "? store" or "? people"
//
// Emphasis shows as *bold*, _italic_ and `code`; a preformatted block
// stands between lines of ```.
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
		strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "=")
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
			who := strings.TrimSpace(line[len("@user "):])
			if id, err := strconv.ParseInt(who, 10, 64); err == nil {
				w.user = tg(id)
				break
			}
			a, err := chat.ParseAddress(who)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			w.user = a
		case strings.HasPrefix(line, "! "):
			w.directive(where, strings.Fields(line[2:]))
		case line == "? store":
			fmt.Fprintf(&out, "= %s\n", w.counts())
		case line == "? people":
			for _, p := range w.people() {
				fmt.Fprintf(&out, "= %s\n", p)
			}
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
	case len(f) >= 1 && f[0] == "admins":
		// The admins of configuration become these accounts (none: no
		// admin), as after editing the configuration and restarting.
		var admins []chat.Address
		for _, s := range f[1:] {
			a, err := chat.ParseAddress(s)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			admins = append(admins, a)
		}
		w.set = func(s *Settings) { s.Admins = admins }
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
func (w *world) play(where, s string) []chat.Reply {
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

func renderReplies(out *strings.Builder, to chat.Address, replies []chat.Reply) {
	for _, r := range replies {
		renderReply(out, r, to)
	}
}

// people describes every person as "? people" shows them: number, name,
// stored role and hamlet, state and accounts.
func (w *world) people() []string {
	w.t.Helper()
	var out []string
	err := w.db.View(func(tx *store.Tx) error {
		os, err := tx.Officers()
		for _, o := range os {
			var accs []string
			for _, a := range o.Accounts {
				s := a.String()
				if a.Unreachable {
					s += " (unreachable)"
				}
				accs = append(accs, s)
			}
			state := "active"
			if !o.Active {
				state = "inactive"
			}
			out = append(out, fmt.Sprintf("số %d %q role %q hamlet %q aff %q %s prefer %q accounts [%s]",
				o.ID, o.FullName, o.Role, o.HamletID, o.Affiliation, state, o.Prefer, strings.Join(accs, " ")))
		}
		return err
	})
	if err != nil {
		w.t.Fatalf("people: %v", err)
	}
	return out
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
