package build

import (
	"io/fs"
	"sync"
)

// readAhead reads files in order on their own goroutines, a bounded number
// ahead of the goroutines that use them, so that those (one per CPU) never
// wait for the disk. Files are taken in about the order given (as par.Do
// hands out indexes); each is read once and handed out once.
//
// Why: on this project's 2-core VM, the page cache drops files unread for
// some 30 s, so in a 100,000-post build every post file is read cold again
// when its page is made; two goroutines that each read, then render, left
// the CPUs idle while they waited.
type readAhead struct {
	mu     sync.Mutex
	cond   sync.Cond
	done   map[int]readResult // read, not yet taken
	tokens chan struct{}      // one per file read or being read and not yet taken
	stop   chan struct{}
	wg     sync.WaitGroup
}

type readResult struct {
	data []byte
	err  error
}

// startReadAhead starts reading paths[0], paths[1], … on readers
// goroutines, at most window files ahead of take. A "" path is skipped
// (never taken). Call close when done taking, whether or not every file
// was taken.
func startReadAhead(fsys fs.FS, paths []string, readers, window int) *readAhead {
	a := &readAhead{done: map[int]readResult{}, tokens: make(chan struct{}, window), stop: make(chan struct{})}
	a.cond.L = &a.mu
	jobs := make(chan int)
	a.wg.Go(func() {
		defer close(jobs)
		for k, p := range paths {
			if p == "" {
				continue
			}
			select {
			case a.tokens <- struct{}{}:
			case <-a.stop:
				return
			}
			select {
			case jobs <- k:
			case <-a.stop:
				return
			}
		}
	})
	for range readers {
		a.wg.Go(func() {
			for k := range jobs {
				var data []byte
				// A panic of the fs.FS becomes the file's error, as in
				// forEach's work.
				err := safely(k, func(k int) (err error) {
					data, err = fs.ReadFile(fsys, paths[k])
					return err
				})
				a.mu.Lock()
				a.done[k] = readResult{data, err}
				a.cond.Broadcast()
				a.mu.Unlock()
			}
		})
	}
	return a
}

// take waits for paths[k] to be read and returns its contents. Each k
// (with a path) must be taken at most once.
func (a *readAhead) take(k int) ([]byte, error) {
	a.mu.Lock()
	r, ok := a.done[k]
	for !ok {
		a.cond.Wait()
		r, ok = a.done[k]
	}
	delete(a.done, k)
	a.mu.Unlock()
	<-a.tokens
	return r.data, r.err
}

// close stops reading and waits for the goroutines to end.
func (a *readAhead) close() {
	close(a.stop)
	a.wg.Wait() // files read and never taken are dropped with a
}
