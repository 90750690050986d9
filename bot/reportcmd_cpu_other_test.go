//go:build !unix

package bot

import "time"

// admCPUTime is not available here.
func admCPUTime() (time.Duration, bool) { return 0, false }
