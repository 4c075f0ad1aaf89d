// Package par runs numbered pieces of work on a bounded number of
// goroutines.
package par

import (
	"context"
	"sync"
	"sync/atomic"
)

// Do calls fn(w, i) for every i in 0..n-1 on at most workers goroutines and
// returns when all calls have. w (0 ≤ w < workers) numbers the goroutine,
// so fn can keep state per goroutine. Once ctx is done no further i is
// handed out.
func Do(ctx context.Context, workers, n int, fn func(w, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
}
