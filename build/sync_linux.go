package build

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFile does nothing on Linux: syncTree flushes the whole staging
// directory with one syncfs(2) instead of one fsync(2) per file, which on a
// site of thousands of files costs a journal commit each.
func syncFile(*os.File) error { return nil }

// syncTree makes every file and directory written in the stage durable:
// one syncfs(2) on the file system that holds it, through the stage's
// directory opened before anything was written in it (Linux reports a
// writeback error to each file descriptor opened before it happened).
func syncTree(s *stage) error { return unix.Syncfs(int(s.dirf.Fd())) }

// syncIsOneCall: syncTree is a single syncfs(2), cheap to run early too.
const syncIsOneCall = true

// dropsCache: dropCached releases pages, so a stage retires its written
// files in synced batches (see fileWriter.retirer).
const dropsCache = true

// dropCached tells the kernel that f will not be read again soon
// (posix_fadvise POSIX_FADV_DONTNEED): its clean, unmapped pages leave
// the page cache now, and their memory serves the next file written
// instead of new memory.
func dropCached(f *os.File) {
	unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED) // advice: its failure changes nothing written
}

// openFileLimit is the process's limit on open files (RLIMIT_NOFILE;
// Go raises the soft limit to the hard one at start).
func openFileLimit() int {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil || l.Cur > 1<<20 {
		return 1 << 20
	}
	return int(l.Cur)
}

// lockFile takes an exclusive lock on f (flock(2)), released when f is
// closed: two builds committing to one cache pack take turns.
func lockFile(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX) }
