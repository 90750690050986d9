//go:build race

package bot

// admRace is true when the tests run with the race detector, which makes
// the year-scale test too slow to be worth it (its logic runs in the
// small tests too).
const admRace = true
