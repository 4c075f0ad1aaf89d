package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// resident returns how many of the file's pages are in the page cache
// (mincore(2) on a mapping of it).
func resident(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		t.Fatalf("%s: %v (size %d)", path, err, st.Size())
	}
	m, err := unix.Mmap(int(f.Fd()), 0, int(st.Size()), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	page := os.Getpagesize()
	vec := make([]byte, (len(m)+page-1)/page)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&m[0])), uintptr(len(m)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	n := 0
	for _, v := range vec {
		n += int(v & 1)
	}
	return n
}

// needsPageCache skips the test where the temporary directory is a tmpfs:
// its pages are the files, and no advice drops them.
func needsPageCache(t *testing.T, dir string) {
	t.Helper()
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type == unix.TMPFS_MAGIC || fs.Type == unix.RAMFS_MAGIC {
		t.Skipf("%s is in memory (tmpfs): its pages cannot leave the page cache", dir)
	}
}

// TestWriteDropsWrittenPages: a stage's files leave the page cache batch
// by batch once synced, all but the last batch, which commit syncs, and
// their bytes are intact.
func TestWriteDropsWrittenPages(t *testing.T) {
	dir := t.TempDir()
	needsPageCache(t, dir)
	defer func(f, b int) { retireFiles, retireBytes = f, b }(retireFiles, retireBytes)
	retireFiles = 4
	const files = 22
	var outs []Output
	for i := range files {
		outs = append(outs, Output{Path: fmt.Sprintf("d%d/f.html", i), Data: bytes.Repeat([]byte{byte('a' + i)}, 64<<10)})
	}
	out := filepath.Join(dir, "public")
	if err := Write(context.Background(), out, outs); err != nil {
		t.Fatal(err)
	}
	cached := 0
	for _, o := range outs {
		if resident(t, filepath.Join(out, filepath.FromSlash(o.Path))) > 0 {
			cached++
		}
	}
	if want := files % retireFiles; cached != want {
		t.Errorf("%d of %d files in the page cache after the build, want %d (the last batch)", cached, files, want)
	}
	for _, o := range outs {
		if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(o.Path))); err != nil || !bytes.Equal(b, o.Data) {
			t.Fatalf("%s: %v, %d bytes, want %d", o.Path, err, len(b), len(o.Data))
		}
	}
}

// TestRetireBatch: a batch holds at most an eighth of the open-file limit.
func TestRetireBatch(t *testing.T) {
	var l unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	defer unix.Setrlimit(unix.RLIMIT_NOFILE, &l)
	low := l
	low.Cur = 256
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	if got := retireBatch(); got != 32 {
		t.Errorf("retireBatch() = %d with 256 open files allowed, want 32", got)
	}
	low.Cur = 1 << 16
	if low.Cur > l.Max {
		low.Cur = l.Max
	}
	unix.Setrlimit(unix.RLIMIT_NOFILE, &low)
	if got, want := retireBatch(), min(retireFiles, int(low.Cur)/8); got != want {
		t.Errorf("retireBatch() = %d with %d open files allowed, want %d", got, low.Cur, want)
	}
}

// TestCodePackDropsRead: an entry Get read leaves the page cache; the
// bytes are those put.
func TestCodePackDropsRead(t *testing.T) {
	dir := t.TempDir()
	needsPageCache(t, dir)
	path := filepath.Join(dir, "pack")
	c := mustPack(t, path)
	big := bytes.Repeat([]byte("<pre>x</pre>"), 100_000) // 1.2 MB: pages of its own
	c.Put(key("big"), big)
	if err := c.commit(); err != nil {
		t.Fatal(err)
	}
	c = mustPack(t, path)
	defer c.abort()
	// The pack on disk, and read in whole, as a build finds it that
	// follows another soon.
	if f, err := os.Open(path); err != nil || f.Sync() != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	if _, err := os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	before := resident(t, path)
	b, ok := c.Get(key("big"))
	if !ok || !bytes.Equal(b, big) {
		t.Fatalf("Get: %v, %d bytes", ok, len(b))
	}
	after := resident(t, path)
	// The entry's whole pages (all but the two at its ends) are gone.
	if pages := len(big) / os.Getpagesize(); before-after < pages-2 {
		t.Errorf("%d pages of the pack cached before Get, %d after: want the entry's %d gone", before, after, pages)
	}
}
