//go:build race

package backup

// raceEnabled: the race detector turns on checkptr, whose findings on
// deliberately damaged files are fatal, not recoverable.
const raceEnabled = true
