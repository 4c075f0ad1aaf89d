package batchgc

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTune(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	Tune()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("GOGC %d, want %d", got, GCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != MemoryLimit {
		t.Errorf("memory limit %d, want %d", got, MemoryLimit)
	}
	if !following() {
		t.Error("GOGC does not follow the live heap although Tune set GOGC and the limit")
	}
	// A limit of the user's own (higher, or off) would not bound a larger
	// GOGC: it stays as set.
	t.Setenv("GOMEMLIMIT", "off")
	if following() {
		t.Error("GOGC follows the live heap under the user's GOMEMLIMIT")
	}
	// The environment wins.
	t.Setenv("GOGC", "50")
	t.Setenv("GOMEMLIMIT", "1GiB")
	Tune()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set to %d although the environment sets it", got)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != math.MaxInt64 {
		t.Errorf("memory limit set to %d although the environment sets it", got)
	}
}

func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, GCPercent}, {100 << 20, GCPercent}, {256 << 20, GCPercent},
		{384 << 20, (GCPercent + LargeGCPercent) / 2},
		{512 << 20, LargeGCPercent}, {3 << 30, LargeGCPercent},
	} {
		if got := gcPercent(c.live, smallHeap, largeHeap); got != c.want {
			t.Errorf("gcPercent(%d MiB) = %d, want %d", c.live>>20, got, c.want)
		}
	}
}

// setThresholds sets adjust's thresholds and what it last set.
func setThresholds(small, large uint64, set int) {
	follow.mu.Lock()
	follow.small, follow.large, follow.set = small, large, set
	follow.mu.Unlock()
}

// TestFollow: the function afterGC registers runs after every collection;
// after one that leaves a large live heap, GOGC is LargeGCPercent, after
// one that leaves a small heap, GCPercent again.
func TestFollow(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(GCPercent))
	defer setThresholds(smallHeap, largeHeap, GCPercent)
	setThresholds(1<<20, 2<<20, GCPercent)
	gcPercentNow := func() int { p := debug.SetGCPercent(GCPercent); debug.SetGCPercent(p); return p }

	ran := make(chan struct{}, 1)
	afterGC(func() {
		select {
		case ran <- struct{}{}:
		default:
		}
	})
	for range 2 { // and again: the finalizer sets itself again
		runtime.GC()
		<-ran
	}
	live := make([][]byte, 64) // 16 MiB, far past the 2 MiB
	for i := range live {
		live[i] = make([]byte, 256<<10)
	}
	runtime.GC()
	adjust()
	if got := gcPercentNow(); got != LargeGCPercent {
		t.Errorf("GOGC %d with 16 MiB live, want %d", got, LargeGCPercent)
	}
	runtime.KeepAlive(live)
	setThresholds(1<<40, 2<<40, LargeGCPercent)
	runtime.GC()
	adjust()
	if got := gcPercentNow(); got != GCPercent {
		t.Errorf("GOGC %d with a small heap, want %d", got, GCPercent)
	}
}
