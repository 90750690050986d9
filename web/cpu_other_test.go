//go:build !unix

package web

import "testing"

func loopCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	for b.Loop() {
		f()
	}
}
