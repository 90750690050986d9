package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
)

// A short run of each mode saves reports and reports no errors.
func TestLoadSmoke(t *testing.T) {
	for _, mode := range []string{"oneline", "guided"} {
		t.Run(mode, func(t *testing.T) {
			var out bytes.Buffer
			err := run([]string{"-hamlets", "3", "-officers", "4", "-pause", "0", "-mode", mode,
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
}
