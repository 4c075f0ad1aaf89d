package par

import (
	"context"
	"sync"
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
