package build

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
)

// Write puts outputs in place at dir: they are written to a temporary
// directory beside dir through os.Root (which refuses paths that escape it),
// in parallel, made durable, and the directory then swapped in for the old
// one. On any failure the previous contents of dir are left exactly as they
// were.
func Write(ctx context.Context, dir string, outputs []Output) (err error) {
	st, err := newStage(dir)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			st.abort()
		}
	}()
	w := st.writer()
	for _, o := range outputs {
		if err := ctx.Err(); err != nil {
			w.close()
			return err
		}
		if err := w.put(o.Path, o.Data, false); err != nil {
			break
		}
	}
	if err := w.close(); err != nil {
		return err
	}
	return st.commit()
}

// writers is the number of goroutines a stage writes files on. Creating
// files and directories mostly waits on the file system, so there are more
// of them than CPUs, and rendering, which needs the CPUs, never waits for
// a write.
func writers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// writerQueue is how many files each writer goroutine's queue holds.
const writerQueue = 4

// fileWriter writes files into a stage on writers() goroutines. put queues
// a file (blocking when the short queue is full, so memory stays bounded)
// and reports the first error of any write so far; close waits for every
// queued write and returns that error. The files of one directory go to
// one goroutine, which creates them through a handle on the directory it
// keeps while they come: a post's page and share.json cost one lookup of
// posts/<slug>/, not one each.
//
// Where dropCached works (Linux), a written file is not closed at once but
// handed to the retirer, which takes them in batches: the file system is
// synced (one syncfs), and each file's pages leave the page cache before it
// is closed. A build so keeps at most three batches of its output in the
// page cache (the one being synced and the queue of two behind it), not
// the whole site: a 100,000-post site is 4 GB, which the
// build never reads back, and each page of it cached is a page of memory
// the kernel must find; dropped, the next files reuse the same memory.
// Measured on this project's 2-core VM (a Firecracker guest, whose free
// memory goes back to the host, so memory not used lately costs a fault on
// the host to touch again), warm builds, interleaved: 100,000 posts 49.1 /
// 45.1 s (30.0 / 25.9 s of system time) against 42.7 / 40.5 s (16.3 /
// 15.2 s); 10,000 posts 4.30 / 4.61 / 4.51 s against 4.41 / 4.43 / 4.33 s.
// Each batch's syncfs also flushes what other programs wrote to the file
// system, and commits its journal: about 100 of them for a 100,000-post
// site (208,000 files).
// On file systems that cache outside the page cache (ZFS) the drop
// frees nothing and the syncs cost what they cost.
type fileWriter struct {
	st     *stage
	queues []chan Output
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	retire chan retired // nil: each file is closed once written
	rwg    sync.WaitGroup
}

// retired is a written file, still open, waiting for its batch.
type retired struct {
	f    *os.File
	rel  string
	size int
}

// A retirer's batch: this many files, or files of this many bytes,
// whichever comes first. The files of a batch and of the queue to the
// retirer (two batches) are open at once, so the batch is also at most an
// eighth of the open-file limit: three eighths in all.
var retireFiles, retireBytes = 2048, 64 << 20

// retireBatch returns how many files a batch holds.
func retireBatch() int { return max(1, min(retireFiles, openFileLimit()/8)) }

// retirer syncs and drops the files it is handed, batch by batch (see
// fileWriter), and closes them. The last batch is only closed: commit
// syncs it.
func (w *fileWriter) retirer(batchFiles int) {
	var batch []retired
	size := 0
	done := func(last bool) {
		// Only synced pages can go; after a failure nothing is
		// committed, so there is no sync to wait for.
		drop := !last && w.failed() == nil
		if drop {
			if err := w.st.sync(); err != nil {
				w.fail(fmt.Errorf("write %s: %w", w.st.dir, err))
				drop = false
			}
		}
		for _, r := range batch {
			if drop {
				dropCached(r.f)
			}
			if err := r.f.Close(); err != nil {
				w.fail(fmt.Errorf("write %s: %w", r.rel, err))
			}
		}
		batch, size = batch[:0], 0
	}
	for r := range w.retire {
		batch = append(batch, r)
		size += r.size
		if len(batch) >= batchFiles || size >= retireBytes {
			done(false)
		}
	}
	done(true)
}

func (s *stage) writer() *fileWriter {
	n := writers()
	w := &fileWriter{st: s, queues: make([]chan Output, n)}
	if dropsCache {
		b := retireBatch()
		w.retire = make(chan retired, 2*b)
		w.rwg.Go(func() { w.retirer(b) })
	}
	for i := range w.queues {
		q := make(chan Output, writerQueue)
		w.queues[i] = q
		w.wg.Go(func() {
			var d dirHandle
			defer d.close()
			for o := range q {
				if w.failed() != nil {
					continue
				}
				if err := s.writeIn(&d, o.Path, o.Data, w.retire); err != nil {
					w.fail(err)
				}
				if o.recycle {
					recyclePage(o.Data)
				}
			}
		})
	}
	return w
}

// fail records err unless an error came first.
func (w *fileWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *fileWriter) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// put queues data to be written as rel. With recycle, data is a page's
// buffer (pageBuf) that nothing reads once it is written: the writer hands
// it back for the next page.
func (w *fileWriter) put(rel string, data []byte, recycle bool) error {
	if err := w.failed(); err != nil {
		return err
	}
	h := maphash.String(dirSeed, path.Dir(rel))
	w.queues[h%uint64(len(w.queues))] <- Output{Path: rel, Data: data, recycle: recycle}
	return nil
}

// failWrite, set only by tests, is asked before each file is written; an
// error it returns is that file's write error (a full disk, say).
var failWrite func(rel string) error

// dirSeed spreads directories over a fileWriter's goroutines.
var dirSeed = maphash.MakeSeed()

func (w *fileWriter) close() error {
	for _, q := range w.queues {
		close(q)
	}
	w.wg.Wait()
	if w.retire != nil {
		close(w.retire)
		w.rwg.Wait()
	}
	return w.err
}

// stage is a build's output directory while it is being filled: a
// temporary directory beside the target, written through os.Root. Its
// write method is safe for concurrent use.
type stage struct {
	dir, tmp string
	root     *os.Root
	dirf     *os.File // tmp, opened before anything is written in it (see syncTree)
	mu       sync.Mutex
	made     map[string]bool // directories that exist in root
	early    chan struct{}   // closed when flushEarly's sync is done
	syncErr  error           // the first error of any sync of the stage
}

// newStage creates the temporary directory for dir.
func newStage(dir string) (*stage, error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".new-")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	dirf, err := os.Open(tmp)
	if err != nil {
		root.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("write %s: %w", dir, err)
	}
	return &stage{dir: dir, tmp: tmp, root: root, dirf: dirf, made: map[string]bool{".": true}}, nil
}

// dirHandle is a writer goroutine's open directory: the last one it
// wrote into.
type dirHandle struct {
	dir  string
	root *os.Root // nil: none open
}

func (d *dirHandle) close() {
	if d.root != nil {
		d.root.Close()
		d.root = nil
	}
}

// writeIn writes one output file (rel is slash-separated) in a single
// write call, through d, which it points at rel's directory first (making
// the directory if need be), and closes it, or hands it to retire when
// that is not nil. Each file is new: writing the same path twice is an
// error.
func (s *stage) writeIn(d *dirHandle, rel string, data []byte, retire chan<- retired) error {
	if failWrite != nil {
		if err := failWrite(rel); err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
	}
	dir, name := path.Split(rel)
	dir = path.Clean(dir)
	if d.root == nil || d.dir != dir {
		d.close()
		if !s.exists(dir) {
			s.mu.Lock()
			err := s.root.MkdirAll(dir, 0o755)
			if err == nil {
				s.made[dir] = true
			}
			s.mu.Unlock()
			if err != nil {
				return fmt.Errorf("write %s: %w", rel, err)
			}
		}
		root, err := s.root.OpenRoot(dir)
		if err != nil {
			return fmt.Errorf("write %s: %w", rel, err)
		}
		d.dir, d.root = dir, root
	}
	f, err := d.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if err := syncFile(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", rel, err)
	}
	if retire != nil {
		retire <- retired{f: f, rel: rel, size: len(data)}
		return nil
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", rel, err)
	}
	return nil
}

func (s *stage) exists(d string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.made[d]
}

// commit makes everything written durable and swaps the directory in.
func (s *stage) commit() error {
	if s.early != nil {
		<-s.early
	}
	if err := s.sync(); err != nil { // or an earlier sync's error
		s.abort()
		return fmt.Errorf("write %s: %w", s.dir, err)
	}
	s.root.Close()
	s.dirf.Close()
	if err := swap(s.tmp, s.dir); err != nil {
		os.RemoveAll(s.tmp)
		return err
	}
	return nil
}

// flushEarly starts making what is written so far durable, on its own
// goroutine, so that the disk writes overlap the rest of the build and
// commit's sync has less left to wait for. Only where the sync is one
// syncfs (Linux): elsewhere it fsyncs every directory, which commit does
// again anyway.
func (s *stage) flushEarly() {
	if !syncIsOneCall {
		return
	}
	done := make(chan struct{})
	s.early = done
	go func() {
		defer close(done)
		s.sync() // its error is kept for commit
	}()
}

// sync makes what is written so far durable (syncTree) and returns the
// first error any sync of the stage met: a writeback error is reported
// once to each open file, so the sync that sees it may not be commit's.
func (s *stage) sync() error {
	err := syncTree(s)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.syncErr == nil {
		s.syncErr = err
	}
	return s.syncErr
}

// abort removes the temporary directory; the target is untouched.
func (s *stage) abort() {
	s.root.Close()
	s.dirf.Close()
	os.RemoveAll(s.tmp)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// swap replaces dir with tmp: the old dir is moved aside, tmp renamed into
// place, and the old one removed; if the second rename fails the old dir is
// moved back.
func swap(tmp, dir string) error {
	old := ""
	if _, err := os.Lstat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return fmt.Errorf("replace %s: %w", dir, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	syncDir(filepath.Dir(dir))
	if old != "" {
		return removeTree(old)
	}
	return nil
}

// removeWorkers is how many unlinks removeTree has in flight. Unlinking is
// bound by the file system, not the CPU; on this project's 2-core ext4
// machine, in one run each of a test program, eight at once removed a
// 21,000-file site in 2.2 s where one took 3.5 s (32 did no better).
const removeWorkers = 8

// removeTree removes dir and everything under it, as os.RemoveAll does
// (symbolic links are removed, not followed), with the unlinks spread over
// removeWorkers goroutines: files first, then directories deepest first.
func removeTree(dir string) error {
	var files []string
	var levels [][]string
	for level := []string{dir}; len(level) > 0; {
		levels = append(levels, level)
		var next []string
		for _, d := range level {
			ents, err := os.ReadDir(d)
			if err != nil {
				return os.RemoveAll(dir)
			}
			for _, e := range ents {
				if p := filepath.Join(d, e.Name()); e.IsDir() {
					next = append(next, p)
				} else {
					files = append(files, p)
				}
			}
		}
		level = next
	}
	unlink := func(paths []string) {
		forEachOn(context.Background(), removeWorkers, len(paths), func(i int) error {
			os.Remove(paths[i]) // what is left is reported by RemoveAll below
			return nil
		})
	}
	unlink(files)
	for i := len(levels) - 1; i > 0; i-- {
		unlink(levels[i])
	}
	// Whatever is left (a file that could not be removed, one that
	// appeared meanwhile) is removed, or reported, here.
	return os.RemoveAll(dir)
}
