package bot

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"dvcbot/chat"
	"dvcbot/intake"
)

// seeded is a reproducible random stream for the sampler.
func seeded(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	for i := range 8 {
		s[i] = byte(seed >> (8 * i))
	}
	return rand.NewChaCha8(s)
}

// units builds records: for each "hamlet/officer" stratum, that many records.
func units(strata map[string]int, inactive ...int64) []sampleUnit {
	keys := make([]string, 0, len(strata))
	for k := range strata {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []sampleUnit
	id := uint64(1)
	for _, k := range keys {
		var hamlet string
		var officer int64
		if _, err := fmt.Sscanf(k, "%1s/%d", &hamlet, &officer); err != nil {
			panic(k)
		}
		for range strata[k] {
			out = append(out, sampleUnit{ID: id, Hamlet: hamlet, Officer: officer, Active: !slices.Contains(inactive, officer)})
			id++
		}
	}
	return out
}

// fataler is what checkSample needs of *testing.T and *rapid.T.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkSample checks what every sample must satisfy and returns the
// records drawn per officer and per hamlet.
func checkSample(t fataler, us, got []sampleUnit, n int) (map[int64]int, map[string]int) {
	t.Helper()
	distinct := map[uint64]sampleUnit{}
	for _, u := range us {
		distinct[u.ID] = u
	}
	if want := min(max(n, 0), len(distinct)); len(got) != want {
		t.Fatalf("drew %d records, want %d (n=%d, %d records)", len(got), want, n, len(distinct))
	}
	seen := map[uint64]bool{}
	officers, hamlets := map[int64]int{}, map[string]int{}
	for _, g := range got {
		if seen[g.ID] {
			t.Fatalf("record %d drawn twice", g.ID)
		}
		seen[g.ID] = true
		if u, ok := distinct[g.ID]; !ok || u != g {
			t.Fatalf("drew %+v, which is not one of the records", g)
		}
		officers[g.Officer]++
		hamlets[g.Hamlet]++
	}
	return officers, hamlets
}

func TestDrawSampleStratified(t *testing.T) {
	for _, tc := range []struct {
		name     string
		strata   map[string]int
		inactive []int64
		n        int
		// want: every active officer (true) or only every hamlet (false) represented
		everyOfficer bool
	}{
		{"one big officer and small ones", map[string]int{"a/1": 200, "a/2": 3, "b/3": 1, "c/4": 5}, nil, 10, true},
		{"exactly one per stratum", map[string]int{"a/1": 20, "a/2": 20, "b/3": 20}, nil, 3, true},
		{"fewer than strata, more than hamlets", map[string]int{"a/1": 5, "a/2": 5, "a/3": 5, "b/4": 5, "b/5": 5}, nil, 3, false},
		{"inactive officer not favoured", map[string]int{"a/1": 50, "a/2": 50, "b/3": 50}, []int64{2}, 2, false},
		{"n larger than the records", map[string]int{"a/1": 2, "b/2": 1}, nil, 10, true},
		{"n zero", map[string]int{"a/1": 2}, nil, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us := units(tc.strata, tc.inactive...)
			for seed := range uint64(50) {
				got, err := drawSample(us, tc.n, seeded(seed))
				if err != nil {
					t.Fatal(err)
				}
				officers, hamlets := checkSample(t, us, got, tc.n)
				if tc.n == 0 {
					continue
				}
				for _, u := range us {
					if hamlets[u.Hamlet] == 0 {
						t.Fatalf("seed %d: hamlet %s has records but none drawn: %v", seed, u.Hamlet, got)
					}
					if tc.everyOfficer && officers[u.Officer] == 0 {
						t.Fatalf("seed %d: officer %d has records but none drawn: %v", seed, u.Officer, got)
					}
					if slices.Contains(tc.inactive, u.Officer) && officers[u.Officer] > 0 && tc.n < len(tc.strata) {
						t.Fatalf("seed %d: inactive officer %d drawn before active ones: %v", seed, u.Officer, got)
					}
				}
			}
		})
	}
}

func TestDrawSampleProportional(t *testing.T) {
	// 10 seats: one per officer, the 7 others in proportion to what is
	// left (97 and 7 records of 104): officer 1 gets 1+6 or 1+7.
	us := units(map[string]int{"a/1": 98, "a/2": 8, "b/3": 1})
	for seed := range uint64(20) {
		got, err := drawSample(us, 10, seeded(seed))
		if err != nil {
			t.Fatal(err)
		}
		officers, _ := checkSample(t, us, got, 10)
		if officers[1] < 7 || officers[1] > 8 || officers[3] != 1 {
			t.Fatalf("seed %d: per officer %v, want officer 1 with 7–8 records and officer 3 with 1", seed, officers)
		}
	}
}

func TestDrawSampleUniformWithinStratum(t *testing.T) {
	// Every record of a stratum is equally likely: 20 records, 5 drawn,
	// 4000 draws → each record about 1000 times.
	us := units(map[string]int{"a/1": 20})
	hits := map[uint64]int{}
	r := seeded(7)
	for range 4000 {
		got, err := drawSample(us, 5, r)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range got {
			hits[g.ID]++
		}
	}
	for _, u := range us {
		if h := hits[u.ID]; h < 850 || h > 1150 {
			t.Errorf("record %d drawn %d times in 4000 draws of 5 of 20, want about 1000", u.ID, h)
		}
	}
}

func TestDrawSampleDuplicatesAndRandomErrors(t *testing.T) {
	us := units(map[string]int{"a/1": 3})
	us = append(us, us[0], us[1])
	got, err := drawSample(us, 10, seeded(1))
	if err != nil {
		t.Fatal(err)
	}
	checkSample(t, us, got, 10)

	_, err = drawSample(units(map[string]int{"a/1": 30, "b/2": 30}), 5, failingReader{})
	if !errors.Is(err, errNoRandom) {
		t.Fatalf("err = %v, want the random source's error", err)
	}
}

var errNoRandom = errors.New("no randomness")

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errNoRandom }

func TestDrawSampleProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		nUnits := rapid.IntRange(0, 120).Draw(t, "records")
		hamlets := rapid.IntRange(1, 5).Draw(t, "hamlets")
		officers := rapid.IntRange(1, 12).Draw(t, "officers")
		var us []sampleUnit
		for i := range nUnits {
			o := rapid.IntRange(1, officers).Draw(t, fmt.Sprintf("officer%d", i))
			us = append(us, sampleUnit{
				ID:      rapid.Uint64Range(1, 400).Draw(t, fmt.Sprintf("id%d", i)),
				Hamlet:  string(rune('a' + (o-1)%hamlets)),
				Officer: int64(o),
				Active:  o%4 != 0,
			})
		}
		// A record keeps its stratum: later copies of an id are the same record.
		first := map[uint64]sampleUnit{}
		for i, u := range us {
			if f, ok := first[u.ID]; ok {
				us[i] = f
			} else {
				first[u.ID] = u
			}
		}
		n := rapid.IntRange(-2, 150).Draw(t, "n")
		got, err := drawSample(us, n, seeded(rapid.Uint64().Draw(t, "seed")))
		if err != nil {
			t.Fatal(err)
		}
		perOfficer, perHamlet := checkSample(t, us, got, n)
		strata := stratify(us)
		allHamlets := map[string]bool{}
		for _, s := range strata {
			allHamlets[s.hamlet] = true
		}
		if n >= len(strata) {
			for _, s := range strata {
				if perOfficer[s.officer] == 0 {
					t.Fatalf("n=%d ≥ %d strata but officer %d not drawn", n, len(strata), s.officer)
				}
			}
		}
		if n >= len(allHamlets) {
			for h := range allHamlets {
				if perHamlet[h] == 0 {
					t.Fatalf("n=%d ≥ %d hamlets but hamlet %s not drawn", n, len(allHamlets), h)
				}
			}
		}
		if !slices.IsSortedFunc(got, func(a, b sampleUnit) int {
			return cmp.Or(strings.Compare(a.Hamlet, b.Hamlet), cmp.Compare(a.Officer, b.Officer), cmp.Compare(a.ID, b.ID))
		}) {
			t.Fatalf("sample not ordered by hamlet, officer, id: %v", got)
		}
	})
}

func TestDefaultSampleSize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		strata map[string]int
		rate   float64
		want   int
	}{
		{"none", nil, 0.1, 0},
		{"10% rounded up", map[string]int{"a/1": 101}, 0.1, 11},
		{"exactly 10%", map[string]int{"a/1": 100}, 0.1, 10},
		{"at least one per officer", map[string]int{"a/1": 10, "a/2": 10, "b/3": 10}, 0.05, 3},
		{"never more than the records", map[string]int{"a/1": 1, "b/2": 1}, 0.1, 2},
		{"rate out of range means 10%", map[string]int{"a/1": 50}, 0, 5},
		{"another rate", map[string]int{"a/1": 50}, 0.2, 10},
	} {
		if got := defaultSampleSize(units(tc.strata), tc.rate); got != tc.want {
			t.Errorf("%s: defaultSampleSize = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestUniformRange(t *testing.T) {
	r := seeded(3)
	for _, n := range []int{0, 1, 2, 3, 7, 1 << 40} {
		for range 100 {
			v, err := uniform(r, n)
			if err != nil {
				t.Fatal(err)
			}
			if v < 0 || (n > 0 && v >= n) || (n <= 1 && v != 0) {
				t.Fatalf("uniform(%d) = %d", n, v)
			}
		}
	}
}

// TestPhoneLink: a card shows the household's phone grouped for reading
// (channels and phones make it tappable themselves), and nothing typed
// can become emphasis.
func TestPhoneLink(t *testing.T) {
	for in, want := range map[string]string{
		"0912345678":  "0912 345 678",
		"02973123456": intake.FormatPhone("02973123456"),
	} {
		if got := phoneLink(in); got != want {
			t.Errorf("phoneLink(%q) = %q, want %q", in, got, want)
		}
	}
	if got := phoneLink("09\x11123"); chat.Plain(got) != got {
		t.Errorf("phoneLink kept an emphasis mark: %q", got)
	}
}
