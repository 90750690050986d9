package zalo

import (
	"fmt"
	"testing"
	"time"
)

// The memory of handled updates keeps the newest DedupeSize keys younger
// than DedupeWindow: older or surplus ones are forgotten (a copy of them
// is handled again, and the engine's durable check stops it), newer ones
// are still known.
func TestDedupeWindow(t *testing.T) {
	clock := newClock(time.Date(2026, 3, 10, 2, 0, 0, 0, time.UTC))
	d := newDedupe(100, 10*time.Minute, clock.Now)
	handle := func(key string) bool {
		e, first := d.begin(key)
		if first {
			d.end(key, e, true)
		}
		return first
	}
	for i := range 1000 {
		if !handle(fmt.Sprint("k", i)) {
			t.Fatalf("k%d taken for a duplicate", i)
		}
		if n := d.size(); n > 101 {
			t.Fatalf("%d keys remembered after %d updates, want at most 100", n, i+1)
		}
	}
	if handle("k999") || handle("k900") {
		t.Fatal("one of the newest 100 keys was forgotten")
	}
	if !handle("k899") {
		t.Fatal("a key beyond the newest 100 is still remembered")
	}
	// Age: ten minutes later every key is forgotten.
	clock.Advance(10 * time.Minute)
	if !handle("k950") {
		t.Fatal("a key older than the window is still remembered")
	}
	if n := d.size(); n != 1 {
		t.Fatalf("%d keys remembered after the window passed, want 1", n)
	}
	// A failed key is forgotten at once.
	e, _ := d.begin("bad")
	d.end("bad", e, false)
	if !handle("bad") {
		t.Fatal("a key whose handling failed is still remembered")
	}
}
