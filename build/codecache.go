package build

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// codePack is the persistent cache of highlighted code blocks behind
// markdown.CodeCache, of rendered post bodies (mdcache.go) and of the
// policy scanner's hits on them (policy.ScanCache): one pack
// file, read at the start of a build and brought, at its end, to hold
// exactly the entries this build used, so it never lists more than the
// site has now. Highlighting is most of the cost of rendering a post with
// code; a rebuild reads it back instead.
//
// A pack is the entries back to back, then an index, then a footer:
//
//	entries  the bytes of each entry
//	index    count × (key [32]byte, offset uint64, length uint32, crc32 uint32)
//	footer   index offset uint64, count uint32, crc32 of the index uint32, packMagic
//
// (integers little-endian; the CRCs are IEEE). A pack that does not read
// back whole is ignored, and so is an entry whose CRC does not match: a
// damaged cache costs time, never a wrong page.
//
// A build writes only its new entries, to a file beside the pack. At its
// end they are appended to the pack over the old index, with a new index
// listing the old entries the build used and the new ones; the bytes of
// unused old entries stay behind until they are more than half the pack,
// when the pack is written afresh with only the used entries. So an
// unchanged or slightly changed site costs no rewrite of a pack that grows
// with it (160 MB for 10,000 posts). An append cut short leaves a pack
// whose footer or index CRC no longer checks out, which reads as empty: the
// next build starts cold.
type codePack struct {
	path string

	old     *os.File // the previous pack, or nil
	index   map[[sha256.Size]byte]packEntry
	oldData uint64 // where the previous pack's entries end: its index
	oldFoot []byte // the previous pack's footer, to tell whether it changed since

	mu    sync.Mutex
	tmp   *os.File // this build's new entries, or nil when they cannot be written
	w     *bufio.Writer
	off   uint64
	wrote map[[sha256.Size]byte]packEntry // new entries, offsets in tmp
	kept  map[[sha256.Size]byte]packEntry // old entries used again, offsets in old
	// read holds the keys of old entries Get returned whole: only those
	// are kept without rewriting (a damaged entry is written afresh).
	read sync.Map
	werr error // why the new entries could not be written, if they could not
}

type packEntry struct {
	off uint64
	n   uint32
	crc uint32
}

const (
	packMagic      = "PPCODE1\n"
	packEntrySize  = sha256.Size + 8 + 4 + 4
	packFooterSize = 8 + 4 + 4 + len(packMagic)
	// packMaxEntry bounds an entry's length when reading an index: a
	// larger one means the file is not a pack.
	packMaxEntry = 64 << 20
)

// openCodePack opens the pack at path (a missing or unreadable one is an
// empty cache) and starts the next one beside it. It fails when the
// directory cannot be written: the build then runs without a cache.
func openCodePack(path string) (*codePack, error) {
	c := &codePack{path: path, wrote: map[[sha256.Size]byte]packEntry{}, kept: map[[sha256.Size]byte]packEntry{}}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("code cache %s: %w", path, err)
	}
	removeStalePacks(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-")
	if err != nil {
		return nil, fmt.Errorf("code cache %s: %w", path, err)
	}
	c.tmp, c.w = tmp, bufio.NewWriterSize(tmp, 1<<20)
	if f, err := os.Open(path); err == nil {
		if index, at, err := readPackIndex(f); err == nil {
			c.old, c.index, c.oldData = f, index, at
			c.oldFoot = make([]byte, packFooterSize)
			if st, err := f.Stat(); err != nil || st.Size() < int64(packFooterSize) {
				c.oldFoot = nil
			} else if _, err := f.ReadAt(c.oldFoot, st.Size()-int64(packFooterSize)); err != nil {
				c.oldFoot = nil
			}
		} else {
			f.Close()
		}
	}
	return c, nil
}

// stalePack is how old a next pack must be before a later build takes it
// for the leftover of a build that was killed and removes it.
const stalePack = time.Hour

// removeStalePacks removes the next packs of path that builds killed
// before their end left behind.
func removeStalePacks(path string) {
	tmps, _ := filepath.Glob(path + ".new-*")
	for _, t := range tmps {
		if st, err := os.Lstat(t); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > stalePack {
			os.Remove(t)
		}
	}
}

// readPackIndex reads and checks a pack's footer and index.
func readPackIndex(f *os.File) (map[[sha256.Size]byte]packEntry, uint64, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := st.Size()
	if size < int64(packFooterSize) {
		return nil, 0, errors.New("short pack")
	}
	foot := make([]byte, packFooterSize)
	if _, err := f.ReadAt(foot, size-int64(packFooterSize)); err != nil {
		return nil, 0, err
	}
	if string(foot[16:]) != packMagic {
		return nil, 0, errors.New("not a pack")
	}
	at := binary.LittleEndian.Uint64(foot[0:])
	count := uint64(binary.LittleEndian.Uint32(foot[8:]))
	if at > uint64(size) || count*packEntrySize != uint64(size)-uint64(packFooterSize)-at {
		return nil, 0, errors.New("bad pack footer")
	}
	idx := make([]byte, count*packEntrySize)
	if _, err := f.ReadAt(idx, int64(at)); err != nil {
		return nil, 0, err
	}
	if crc32.ChecksumIEEE(idx) != binary.LittleEndian.Uint32(foot[12:]) {
		return nil, 0, errors.New("bad pack index")
	}
	index := make(map[[sha256.Size]byte]packEntry, count)
	for rec := idx; len(rec) > 0; rec = rec[packEntrySize:] {
		var key [sha256.Size]byte
		copy(key[:], rec)
		e := packEntry{
			off: binary.LittleEndian.Uint64(rec[32:]),
			n:   binary.LittleEndian.Uint32(rec[40:]),
			crc: binary.LittleEndian.Uint32(rec[44:]),
		}
		if e.n > packMaxEntry || e.off+uint64(e.n) > at {
			return nil, 0, errors.New("bad pack entry")
		}
		index[key] = e
	}
	return index, at, nil
}

// empty reports whether the pack read at the start holds nothing.
func (c *codePack) empty() bool { return len(c.index) == 0 }

// has reports whether the pack read at the start holds key.
func (c *codePack) has(key [sha256.Size]byte) bool {
	_, ok := c.index[key]
	return ok
}

// Get implements markdown.CodeCache.
func (c *codePack) Get(key [sha256.Size]byte) ([]byte, bool) {
	e, ok := c.index[key]
	if !ok {
		return nil, false
	}
	b := make([]byte, e.n)
	if _, err := c.old.ReadAt(b, int64(e.off)); err != nil || crc32.ChecksumIEEE(b) != e.crc {
		return nil, false
	}
	c.read.Store(key, true)
	return b, true
}

// Put implements markdown.CodeCache: the entry stays in the pack. An old
// entry with the same bytes that Get read back whole is kept where it is;
// anything else is written.
func (c *codePack) Put(key [sha256.Size]byte, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w == nil || len(data) > packMaxEntry {
		return
	}
	if _, ok := c.wrote[key]; ok {
		return
	}
	if _, ok := c.kept[key]; ok {
		return
	}
	crc := crc32.ChecksumIEEE(data)
	if e, ok := c.index[key]; ok && e.n == uint32(len(data)) && e.crc == crc {
		if _, whole := c.read.Load(key); whole {
			c.kept[key] = e
			return
		}
	}
	if _, err := c.w.Write(data); err != nil {
		c.w, c.werr = nil, err // the next pack is lost; the build goes on
		return
	}
	c.wrote[key] = packEntry{off: c.off, n: uint32(len(data)), crc: crc}
	c.off += uint64(len(data))
}

// commit brings the pack to this build's entries: appended to the old
// pack, or in a new one when most of the old is unused (see codePack).
func (c *codePack) commit() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.closeOld()
	if c.w == nil {
		c.abortLocked()
		if c.werr != nil {
			return fmt.Errorf("code cache %s: %w", c.path, c.werr)
		}
		return nil
	}
	err := c.w.Flush()
	var kept uint64
	for _, e := range c.kept {
		kept += uint64(e.n)
	}
	if err == nil {
		if c.old != nil && (c.oldData-kept)*2 <= c.oldData+c.off {
			err = c.appendOld()
		} else {
			err = c.rewrite()
		}
	}
	c.abortLocked() // the new entries' file
	if err != nil {
		return fmt.Errorf("code cache %s: %w", c.path, err)
	}
	return nil
}

// appendOld writes the new entries over the old pack's index, then the
// index of the kept and new entries. It holds an exclusive lock on the
// pack while it checks that the file is still the one this build read,
// unchanged (another build may have appended to it or put a new one in
// place since), and writes; otherwise it rewrites.
func (c *codePack) appendOld() error {
	f, err := os.OpenFile(c.path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return c.rewrite()
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return err
	}
	if same, err := c.unchanged(f); err != nil {
		return err
	} else if !same {
		f.Close() // Windows renames over no open file
		return c.rewrite()
	}
	if _, err := c.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := f.Seek(int64(c.oldData), io.SeekStart); err != nil {
		return err
	}
	// File to file: copy_file_range, no pass through this process.
	if n, err := io.Copy(f, io.LimitReader(c.tmp, int64(c.off))); err != nil {
		return err
	} else if uint64(n) != c.off {
		return fmt.Errorf("appended %d of %d bytes", n, c.off)
	}
	entries := maps.Clone(c.kept)
	for k, e := range c.wrote {
		e.off += c.oldData
		entries[k] = e
	}
	end, err := writePackIndex(f, c.oldData+c.off, entries)
	if err != nil {
		return err
	}
	return f.Truncate(int64(end))
}

// unchanged reports whether f is the pack this build read, with the same
// size and footer.
func (c *codePack) unchanged(f *os.File) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := c.old.Stat()
	if err != nil || !os.SameFile(a, b) || a.Size() < int64(packFooterSize) {
		return false, err
	}
	foot := make([]byte, packFooterSize)
	if _, err := f.ReadAt(foot, a.Size()-int64(packFooterSize)); err != nil {
		return false, err
	}
	return bytes.Equal(foot, c.oldFoot), nil
}

// rewrite makes a new pack of the new and kept entries and puts it in
// place of the old: the file of new entries becomes the pack, the kept
// ones copied after them, then the index. The new entries, most of a
// pack's bytes after a cold build (1.6 GB for 100,000 posts), are not
// copied again.
func (c *codePack) rewrite() error {
	if _, err := c.tmp.Seek(int64(c.off), io.SeekStart); err != nil {
		return err
	}
	w := bufio.NewWriterSize(c.tmp, 1<<20)
	entries := make(map[[sha256.Size]byte]packEntry, len(c.kept)+len(c.wrote))
	maps.Copy(entries, c.wrote)
	off := c.off
	for _, k := range sortedKeys(c.kept) {
		e := c.kept[k]
		if n, err := io.Copy(w, io.NewSectionReader(c.old, int64(e.off), int64(e.n))); err != nil || n != int64(e.n) {
			return cmp.Or(err, io.ErrUnexpectedEOF)
		}
		entries[k] = packEntry{off: off, n: e.n, crc: e.crc}
		off += uint64(e.n)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := writePackIndex(c.tmp, off, entries); err != nil {
		return err
	}
	if err := c.tmp.Close(); err != nil {
		return err
	}
	c.closeOld() // Windows renames over no open file
	if err := os.Rename(c.tmp.Name(), c.path); err != nil {
		return err
	}
	c.w, c.tmp = nil, nil // it is the pack now
	return nil
}

// writePackIndex writes the index of entries and the footer at offset at
// of f and returns where they end.
func writePackIndex(f *os.File, at uint64, entries map[[sha256.Size]byte]packEntry) (uint64, error) {
	var idx bytes.Buffer
	// Sorted, so that the same entries give the same index.
	keys := sortedKeys(entries)
	for _, k := range keys {
		e := entries[k]
		idx.Write(k[:])
		idx.Write(binary.LittleEndian.AppendUint64(nil, e.off))
		idx.Write(binary.LittleEndian.AppendUint32(nil, e.n))
		idx.Write(binary.LittleEndian.AppendUint32(nil, e.crc))
	}
	foot := binary.LittleEndian.AppendUint64(nil, at)
	foot = binary.LittleEndian.AppendUint32(foot, uint32(len(keys)))
	foot = binary.LittleEndian.AppendUint32(foot, crc32.ChecksumIEEE(idx.Bytes()))
	foot = append(foot, packMagic...)
	idx.Write(foot)
	if _, err := f.WriteAt(idx.Bytes(), int64(at)); err != nil {
		return 0, err
	}
	return at + uint64(idx.Len()), nil
}

func sortedKeys(m map[[sha256.Size]byte]packEntry) [][sha256.Size]byte {
	keys := make([][sha256.Size]byte, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	return keys
}

// abort drops this build's new entries and keeps the old pack as it was.
func (c *codePack) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeOld()
	c.abortLocked()
}

func (c *codePack) abortLocked() {
	if c.tmp != nil {
		c.tmp.Close()
		os.Remove(c.tmp.Name())
	}
	c.w, c.tmp = nil, nil
}

func (c *codePack) closeOld() {
	if c.old != nil {
		c.old.Close()
		c.old = nil
		c.index = nil
	}
}
