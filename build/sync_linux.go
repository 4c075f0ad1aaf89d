package build

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFile does nothing on Linux: syncTree flushes the whole staging
// directory with one syncfs(2) instead of one fsync(2) per file, which on a
// site of thousands of files costs a journal commit each.
func syncFile(*os.File) error { return nil }

// syncTree makes every file and directory written under dir durable: one
// syncfs(2) on the file system that holds it.
func syncTree(_ *os.Root, dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}

// syncIsOneCall: syncTree is a single syncfs(2), cheap to run early too.
const syncIsOneCall = true

// dropsCache: dropCached releases pages, so a stage retires its written
// files in synced batches (see fileWriter.retirer).
const dropsCache = true

// dropCached tells the kernel that the n bytes of f from off (all of it
// when n is 0) will not be read again soon: clean pages among them leave
// the page cache now (posix_fadvise POSIX_FADV_DONTNEED), and their
// memory serves the next file written or read instead of new memory.
func dropCached(f *os.File, off, n int64) {
	unix.Fadvise(int(f.Fd()), off, n, unix.FADV_DONTNEED) // advice: its failure changes nothing written
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
