//go:build !unix

package scoring

import "testing"

func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	for b.Loop() {
		f()
	}
}
