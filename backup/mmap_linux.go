package backup

import "syscall"

// populate asks Linux to map every page at once (MAP_POPULATE): faulting
// them in one by one, as the walk touches them, took seven times longer
// (BENCHMARKS.md).
const populate = syscall.MAP_POPULATE
