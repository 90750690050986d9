//go:build !race

package bot

// admRace is true when the tests run with the race detector.
const admRace = false
