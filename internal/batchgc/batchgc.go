// Package batchgc sets the garbage collector for a process whose whole job
// is one build or check of a site: `peerpress build`, `peerpress check`,
// and `peerpress-bench prof`, which profiles them.
package batchgc

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// MemoryLimit is the soft memory limit Tune sets.
const MemoryLimit = 3 << 30

// GCPercent is the GOGC Tune sets.
const GCPercent = 200

// LargeGCPercent is the GOGC of a process whose live heap is large (see
// Tune).
const LargeGCPercent = 400

// The live heap from which GOGC grows from GCPercent, and at which it
// reaches LargeGCPercent (variables for the tests).
var smallHeap, largeHeap uint64 = 256 << 20, 512 << 20

// Tune sets the collector for a run over a whole site, unless GOGC or
// GOMEMLIMIT say otherwise. The heap may grow to three times what is live
// before a collection (GOGC=200): a 100,000-post build used 15% less user
// CPU (the collector marks the posts' small objects less often), and a
// 10,000-post one peaks near 0.7 GiB instead of 0.45 GiB. A soft limit of
// 3 GiB makes the collector work harder near it, and only there: the check
// holds every post of the site parsed at once, and a 100,000-post site
// stays under 4 GiB.
//
// After each collection GOGC follows the live heap (gcPercent): from 256
// MiB live it grows, to 400 at 512 MiB. A collection costs more than its
// share the larger the live heap (marking 550 MB of a 100,000-post build's
// records misses the caches more than 130 MB of a 10,000-post one: 19
// times the mark CPU for 11 times the work), and there the memory limit,
// not GOGC, bounds the heap anyway. 100,000 posts, warm build, two pairs:
// user CPU 63.6 / 63.1 s at GOGC 200 against 54.4 / 54.7 s at 400, peak
// RSS 2.9 / 2.7 against 3.15 GB. A 10,000-post build stays at 200: 400
// saved it 0.3 s of 5.7 for a peak of 0.7 GiB instead of 0.5.
func Tune() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
		follow.Do(func() { afterGC(adjust) })
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
	}
}

var follow sync.Once

// gcPercent is the GOGC for a live heap of live bytes: GCPercent up to
// smallHeap, LargeGCPercent from largeHeap, in proportion between.
func gcPercent(live uint64) int {
	switch {
	case live <= smallHeap:
		return GCPercent
	case live >= largeHeap:
		return LargeGCPercent
	}
	return GCPercent + int((live-smallHeap)*(LargeGCPercent-GCPercent)/(largeHeap-smallHeap))
}

// set is the GOGC adjust last set (0: GCPercent).
var set atomic.Int32

// adjust sets GOGC for the live heap the last collection left.
func adjust() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	p := gcPercent(s[0].Value.Uint64())
	if old := int(set.Swap(int32(p))); p != old && (old != 0 || p != GCPercent) {
		debug.SetGCPercent(p)
	}
}

// afterGC calls fn on the finalizer goroutine after every collection, for
// the life of the process: a finalizer that sets itself again on the
// object it was called for, which the next collection finds unreachable.
func afterGC(fn func()) {
	type sentinel struct{ _ *int } // holds a pointer: never a tiny allocation, whose finalizer may not run
	var again func(*sentinel)
	again = func(s *sentinel) {
		fn()
		runtime.SetFinalizer(s, again)
	}
	runtime.SetFinalizer(&sentinel{}, again)
}
