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
)

// MemoryLimit is the soft memory limit Tune sets.
const MemoryLimit = 3 << 30

// GCPercent is the GOGC Tune sets to begin with.
const GCPercent = 200

// LargeGCPercent is the GOGC of a process whose live heap is large (see
// Tune).
const LargeGCPercent = 400

// The live heap from which GOGC grows from GCPercent, and at which it
// reaches LargeGCPercent.
const smallHeap, largeHeap = 256 << 20, 512 << 20

// Tune sets the collector for a run over a whole site, unless GOGC or
// GOMEMLIMIT say otherwise. The heap may grow to three times what is live
// before a collection (GOGC=200): a 100,000-post build used 15% less user
// CPU (the collector marks the posts' small objects less often), and a
// 10,000-post one peaks near 0.7 GiB instead of 0.45 GiB. A soft limit of
// 3 GiB makes the collector work harder near it, and only there: the check
// holds every post of the site parsed at once, and a 100,000-post site
// stays under 4 GiB.
//
// When it sets both, after each collection GOGC follows the live heap
// (gcPercent): from 256 MiB live it grows, to 400 at 512 MiB. A collection costs more than its
// share the larger the live heap (marking 550 MB of a 100,000-post build's
// records misses the caches more than 130 MB of a 10,000-post one: 19
// times the mark CPU for 11 times the work), and there the memory limit,
// not GOGC, bounds the heap anyway. 100,000 posts, warm build, two pairs:
// user CPU 63.6 / 63.1 s at GOGC 200 against 54.4 / 54.7 s at 400, peak
// RSS 2.9 / 2.7 against 3.15 GB. A 10,000-post build stays at 200: 400
// saved it 0.3 s of 5.7 for a peak of 0.7 GiB instead of 0.5.
func Tune() {
	gogc, limit := os.Getenv("GOGC") == "", os.Getenv("GOMEMLIMIT") == ""
	if gogc {
		debug.SetGCPercent(GCPercent)
	}
	if limit {
		debug.SetMemoryLimit(MemoryLimit)
	}
	if following() {
		follow.once.Do(func() {
			follow.mu.Lock()
			follow.small, follow.large, follow.set = smallHeap, largeHeap, GCPercent
			follow.mu.Unlock()
			afterGC(adjust)
		})
	}
}

// following reports whether Tune lets GOGC follow the live heap: only when
// it sets both GOGC and the memory limit (a larger GOGC counts on that
// limit to bound the heap).
func following() bool { return os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" }

// follow is the state of adjust.
var follow struct {
	once         sync.Once
	mu           sync.Mutex
	small, large uint64 // smallHeap and largeHeap (the tests change them)
	set          int    // the GOGC adjust last set
}

// gcPercent is the GOGC for a live heap of live bytes: GCPercent up to
// small, LargeGCPercent from large, in proportion between.
func gcPercent(live, small, large uint64) int {
	switch {
	case live <= small:
		return GCPercent
	case live >= large:
		return LargeGCPercent
	}
	return GCPercent + int((live-small)*(LargeGCPercent-GCPercent)/(large-small))
}

// adjust sets GOGC for the live heap the last collection left.
func adjust() {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	follow.mu.Lock()
	defer follow.mu.Unlock()
	if p := gcPercent(s[0].Value.Uint64(), follow.small, follow.large); p != follow.set {
		follow.set = p
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
