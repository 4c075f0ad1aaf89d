package par

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestDo(t *testing.T) {
	for _, tt := range []struct{ workers, n int }{{1, 0}, {1, 5}, {3, 100}, {8, 3}} {
		seen := make([]int, tt.n)
		var mu sync.Mutex
		workers := map[int]bool{}
		Do(context.Background(), tt.workers, tt.n, func(w, i int) {
			seen[i]++
			mu.Lock()
			workers[w] = true
			mu.Unlock()
		})
		for i, c := range seen {
			if c != 1 {
				t.Errorf("workers %d n %d: item %d done %d times", tt.workers, tt.n, i, c)
			}
		}
		for w := range workers {
			if w < 0 || w >= tt.workers {
				t.Errorf("worker number %d out of 0..%d", w, tt.workers-1)
			}
		}
		if len(workers) > min(tt.workers, tt.n) {
			t.Errorf("%d goroutines for %d workers and %d items", len(workers), tt.workers, tt.n)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	Do(ctx, 1, 10, func(int, int) { calls++ })
	if calls != 0 {
		t.Errorf("%d calls after the context was done", calls)
	}
}

// TestDoPanic: a worker's panic reaches the caller's goroutine, where a
// recover sees it, with the value and the worker's stack; no further items
// are handed out.
func TestDoPanic(t *testing.T) {
	var calls atomic.Int64
	got := func() (v any) {
		defer func() { v = recover() }()
		Do(context.Background(), 1, 100, func(_, i int) {
			calls.Add(1)
			if i == 3 {
				panic("item 3")
			}
		})
		return nil
	}()
	p, ok := got.(*workerPanic)
	if !ok || p.value != "item 3" || !strings.Contains(p.String(), "TestDoPanic") {
		t.Fatalf("recovered %v, want the worker's panic with its stack", got)
	}
	if n := calls.Load(); n != 4 {
		t.Errorf("%d calls, want 4 (none after the panic)", n)
	}
}
