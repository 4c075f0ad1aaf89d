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
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() == 0 {
		t.Fatalf("%s is empty", path)
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

// needsPageCache skips the test where files just written in dir are not
// in the page cache (a tmpfs holds them in memory and no advice drops
// them; ZFS, FUSE with direct I/O or a 9p mount cache elsewhere or not at
// all).
func needsPageCache(t *testing.T, dir string) {
	t.Helper()
	p := filepath.Join(dir, "probe")
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 64<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(p)
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	if fs.Type == unix.TMPFS_MAGIC || fs.Type == unix.RAMFS_MAGIC || resident(t, p) == 0 {
		t.Skipf("files written in %s do not stay in the page cache to be dropped from it", dir)
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
	// Every full batch is dropped; the last one (files%retireFiles) is
	// only closed, and may or may not still be cached.
	if most := files % retireFiles; cached > most {
		t.Errorf("%d of %d files in the page cache after the build, want at most %d (the last batch)", cached, files, most)
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
	// With room for eight batches of retireFiles, a batch is retireFiles.
	if l.Max < uint64(8*retireFiles) {
		return
	}
	low.Cur = uint64(8 * retireFiles)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	if got := retireBatch(); got != retireFiles {
		t.Errorf("retireBatch() = %d with %d open files allowed, want %d", got, low.Cur, retireFiles)
	}
}
