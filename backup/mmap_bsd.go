//go:build unix && !linux

package backup

// populate: other systems map pages as they are touched.
const populate = 0
