// Package par runs numbered pieces of work on a bounded number of
// goroutines.
package par

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// Do calls fn(w, i) for every i in 0..n-1 on at most workers goroutines and
// returns when all calls have. w (0 ≤ w < workers) numbers the goroutine,
// so fn can keep state per goroutine. Once ctx is done no further i is
// handed out. If a call panics, no further i is handed out either, and Do
// panics with the first value (and the worker's stack) on the caller's
// goroutine, as a loop run there would: a recover in the caller sees it.
func Do(ctx context.Context, workers, n int, fn func(w, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Pointer[workerPanic]
	for w := range min(workers, n) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					first.CompareAndSwap(nil, &workerPanic{value: v, stack: debug.Stack()})
				}
			}()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || first.Load() != nil {
					return
				}
				fn(w, i)
			}
		})
	}
	wg.Wait()
	if p := first.Load(); p != nil {
		panic(p)
	}
}

// workerPanic is what Do panics with: the worker's panic value and stack.
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) String() string {
	return fmt.Sprintf("%v\n\nin a worker goroutine:\n%s", p.value, p.stack)
}
