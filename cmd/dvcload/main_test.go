package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// A short run of each mode saves reports and reports no errors, also
// when every household is headed by the same name (each one at its own
// address is a new household, not a duplicate question).
func TestLoadSmoke(t *testing.T) {
	for _, tc := range []struct {
		mode      string
		namesakes bool
	}{{"oneline", false}, {"guided", false}, {"oneline", true}, {"guided", true}} {
		name := tc.mode
		if tc.namesakes {
			name += "-namesakes"
		}
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			args := []string{"-hamlets", "3", "-officers", "4", "-pause", "0", "-mode", tc.mode,
				"-warmup", "200ms", "-duration", "1s", "-dir", t.TempDir()}
			if tc.namesakes {
				args = append(args, "-namesakes")
			}
			err := run(args, &out)
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`reports saved: +(\d+)`).FindStringSubmatch(out.String())
			if m == nil {
				t.Fatalf("no report count in:\n%s", out.String())
			}
			if n, _ := strconv.Atoi(m[1]); n == 0 {
				t.Fatalf("nothing saved:\n%s", out.String())
			}
			for _, want := range []string{"errors:          0", "latency:", "peak RSS:", "disk probe:"} {
				if !bytes.Contains(out.Bytes(), []byte(want)) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
	if _, err := parse([]string{"-mode", "fast"}, &bytes.Buffer{}); err == nil {
		t.Fatal("unknown mode accepted")
	}
	if _, err := parse([]string{"-channel", "viber"}, &bytes.Buffer{}); err == nil {
		t.Fatal("unknown channel accepted")
	}
}

// A short run of the Zalo webhook mode saves reports (pushes answered
// 200), gets every answer, and reports no errors; the guided mode is
// refused there.
func TestLoadSmokeZalo(t *testing.T) {
	var out bytes.Buffer
	err := run([]string{"-channel", "zalo", "-hamlets", "3", "-officers", "4", "-pause", "0",
		"-warmup", "200ms", "-duration", "1s", "-dir", t.TempDir()}, &out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`reports saved: +(\d+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no report count in:\n%s", out.String())
	}
	if n, _ := strconv.Atoi(m[1]); n == 0 {
		t.Fatalf("nothing saved:\n%s", out.String())
	}
	for _, want := range []string{"Zalo webhook", "errors:          0", "latency:", "0 handle errors", "0 failed, 0 uncertain"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run([]string{"-channel", "zalo", "-mode", "guided", "-duration", "1s"}, &bytes.Buffer{}); err == nil {
		t.Error("the guided mode was accepted on Zalo")
	}
}
