package e2ezalo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"dvcbot/internal/fakezalo"
)

var update = flag.Bool("update", false, "rewrite the golden transcripts in testdata/")

// A transcript (testdata/*.txt) is a conversation with the whole bot over
// Zalo, and what the fake Zalo Bot API recorded of the bot's answers:
// texts exactly as sent (plain text, choices as numbered lines), one
// message per "<". Lines the test reads:
//
//	# comment                   kept as is
//	@officerA                   who speaks from now on (admin, officerA,
//	                            officerB, stranger, leader: see world_test.go)
//	> text                      a message in their private chat with the bot
//	>| more text                a further line of the same message
//	> [group] text              a message in the leaders' group, picking the
//	                            bot in the @ picker ("@Bot DVC Kiên Hải text")
//	> [sticker] / [voice] / [unsupported]   content the bot cannot read
//	! clock +25h | +30m | 20:00 move the clock (20:00: that time of the day)
//	! restart                   close everything, reopen the store
//	! tick                      the scheduler runs what is due
//
// Lines the test writes (rewritten by -update):
//
//	< first line of a message   to the speaker's chat; <{to NAME} to someone
//	| further lines             else, <{group} to the group; <{photo} a
//	                            sendPhoto (its caption follows)
//	~ bold «…» «…»              the message's text_styles, as the text they cover
//
// The web server's address reads https://dvc.example.vn and signed tokens
// <token>, so that the transcripts do not change from run to run.
func TestGoldenTranscripts(t *testing.T) {
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
			got := play(t, string(want))
			if got == string(want) {
				return
			}
			if *update {
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("updated %s", file)
				return
			}
			t.Errorf("%s: the bot's messages differ from the transcript (go test ./internal/e2ezalo -run TestGoldenTranscripts -update accepts them):\n%s",
				file, diff(string(want), got))
		})
	}
}

// people are the speakers a transcript may name.
var people = map[string]person{
	"admin": admin, "officerA": officerA, "officerB": officerB, "stranger": stranger, "leader": leader,
}

// groupID is the leaders' Zalo group of the transcripts.
const groupID = "4f0c9e7d21b3group"

func isOutput(line string) bool {
	return strings.HasPrefix(line, "<") || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "~ ")
}

// play runs a transcript's inputs against a new world and returns the
// transcript with what the fake recorded.
func play(t *testing.T, script string) string {
	w := newWorld(t, options{canJoinGroups: strings.Contains(script, "[group]")})
	var out strings.Builder
	lines := strings.Split(strings.TrimRight(script, "\n"), "\n")
	who := admin
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if isOutput(line) {
			continue
		}
		out.WriteString(line + "\n")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "@"):
			p, ok := people[strings.TrimPrefix(line, "@")]
			if !ok {
				t.Fatalf("line %d: unknown person %q", i+1, line)
			}
			who = p
		case strings.HasPrefix(line, "! "):
			w.command(strings.TrimPrefix(line, "! "), &out, i+1)
		case strings.HasPrefix(line, ">| "):
			t.Fatalf("line %d: a continuation without a message", i+1)
		case strings.HasPrefix(line, "> "):
			text := strings.TrimPrefix(line, "> ")
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], ">| ") {
				i++
				out.WriteString(lines[i] + "\n")
				text += "\n" + strings.TrimPrefix(lines[i], ">| ")
			}
			w.clk.Add(typing)
			var u fakezalo.Update
			switch {
			case text == "[sticker]":
				u = w.fz.Other(fakezalo.EventSticker, who.ID, who.Name)
			case text == "[voice]":
				u = w.fz.Other(fakezalo.EventVoice, who.ID, who.Name)
			case text == "[unsupported]":
				u = w.fz.Other(fakezalo.EventUnsupported, who.ID, who.Name)
			case strings.HasPrefix(text, "[group] "):
				u = w.fz.Group(groupID, who.ID, who.Name, strings.TrimPrefix(text, "[group] "), true)
			default:
				u = w.fz.Private(who.ID, who.Name, text)
			}
			w.render(&out, w.exchange(u), who)
		default:
			t.Fatalf("line %d: cannot read %q", i+1, line)
		}
	}
	return out.String()
}

// command runs a "!" line.
func (w *world) command(cmd string, out *strings.Builder, n int) {
	t := w.t
	switch {
	case cmd == "restart":
		w.restart()
	case cmd == "tick":
		before := len(w.fz.All())
		if err := w.sched.Tick(t.Context()); err != nil {
			t.Fatalf("line %d: tick: %v", n, err)
		}
		w.render(out, w.fz.All()[before:], person{})
	case strings.HasPrefix(cmd, "clock +"):
		d, err := parseDuration(strings.TrimPrefix(cmd, "clock +"))
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		w.clk.Add(d)
	case strings.HasPrefix(cmd, "clock "):
		at, err := time.Parse("15:04", strings.TrimPrefix(cmd, "clock "))
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		now := w.clk.Now().In(w.cfg.Campaign.Location)
		target := time.Date(now.Year(), now.Month(), now.Day(), at.Hour(), at.Minute(), 0, 0, now.Location())
		if target.Before(now) {
			t.Fatalf("line %d: %s is already past (%s)", n, cmd, now.Format("15:04:05"))
		}
		w.clk.Add(target.Sub(now))
	default:
		t.Fatalf("line %d: unknown command %q", n, cmd)
	}
}

// parseDuration reads 25h, 30m, 8d.
func parseDuration(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

var (
	fileToken = regexp.MustCompile(`/tep/[A-Za-z0-9_-]+`)
	photoName = regexp.MustCompile(`/anh/[A-Za-z0-9_-]+(\.[a-z]+)?`)
)

// normalize replaces what changes from run to run.
func (w *world) normalize(s string) string {
	s = strings.ReplaceAll(s, w.site.URL, "https://dvc.example.vn")
	s = fileToken.ReplaceAllString(s, "/tep/<token>")
	return photoName.ReplaceAllString(s, "/anh/<one-time>$1")
}

// render writes messages the fake recorded, seen from who's chat.
func (w *world) render(out *strings.Builder, msgs []fakezalo.Message, who person) {
	names := map[string]string{groupID: "group"}
	for name, p := range people {
		names[p.ID] = name
	}
	for _, m := range msgs {
		head := "<"
		switch {
		case m.ChatID == groupID:
			head += "{group}"
		case m.ChatID != who.ID:
			name := names[m.ChatID]
			if name == "" {
				name = m.ChatID
			}
			head += "{to " + name + "}"
		}
		body := m.Text
		if m.Method == "sendPhoto" {
			head += "{photo " + w.normalize(m.Photo) + "}"
			body = m.Caption
		}
		for i, l := range strings.Split(body, "\n") {
			if i == 0 {
				out.WriteString(strings.TrimRight(head+" "+l, " ") + "\n")
			} else {
				out.WriteString(strings.TrimRight("| "+l, " ") + "\n")
			}
		}
		if len(m.Styles) > 0 {
			units := utf16.Encode([]rune(m.Text))
			var parts []string
			for _, st := range m.Styles {
				covered := "?"
				if st.Start >= 0 && st.Start+st.Len <= len(units) {
					covered = string(utf16.Decode(units[st.Start : st.Start+st.Len]))
				}
				parts = append(parts, strings.Join(st.St, "+")+" «"+covered+"»")
			}
			out.WriteString("~ " + strings.Join(parts, " ") + "\n")
		}
	}
	// Message texts carry the web server's address: normalize after the fact.
	s := w.normalize(out.String())
	out.Reset()
	out.WriteString(s)
}

// diff shows the first lines where two transcripts differ.
func diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out strings.Builder
	shown := 0
	for i := 0; i < max(len(a), len(b)) && shown < 20; i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			fmt.Fprintf(&out, "line %d:\n  want %q\n  got  %q\n", i+1, x, y)
			shown++
		}
	}
	return out.String()
}
