package build

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// codePack is the persistent cache of highlighted code blocks behind
// markdown.CodeCache: one pack file, read at the start of a build and
// replaced at its end by one holding exactly the blocks this build used,
// so it never holds more than the site has now. Highlighting is most of
// the cost of rendering a post with code; a rebuild reads it back instead.
//
// A pack is the blocks' HTML back to back, then an index, then a footer:
//
//	entries  HTML of each block
//	index    count × (key [32]byte, offset uint64, length uint32, crc32 uint32)
//	footer   index offset uint64, count uint32, crc32 of the index uint32, packMagic
//
// (integers little-endian; the CRCs are IEEE). A pack that does not read
// back whole is ignored, and so is an entry whose CRC does not match: a
// damaged cache costs time, never a wrong page.
type codePack struct {
	path string

	old   *os.File // the previous pack, or nil
	index map[[sha256.Size]byte]packEntry

	mu    sync.Mutex
	tmp   *os.File // the next pack, or nil when it cannot be written
	w     *bufio.Writer
	off   uint64
	wrote map[[sha256.Size]byte]packEntry
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
	c := &codePack{path: path, wrote: map[[sha256.Size]byte]packEntry{}}
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
		if index, err := readPackIndex(f); err == nil {
			c.old, c.index = f, index
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
func readPackIndex(f *os.File) (map[[sha256.Size]byte]packEntry, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size < int64(packFooterSize) {
		return nil, errors.New("short pack")
	}
	foot := make([]byte, packFooterSize)
	if _, err := f.ReadAt(foot, size-int64(packFooterSize)); err != nil {
		return nil, err
	}
	if string(foot[16:]) != packMagic {
		return nil, errors.New("not a pack")
	}
	at := binary.LittleEndian.Uint64(foot[0:])
	count := uint64(binary.LittleEndian.Uint32(foot[8:]))
	if at > uint64(size) || count*packEntrySize != uint64(size)-uint64(packFooterSize)-at {
		return nil, errors.New("bad pack footer")
	}
	idx := make([]byte, count*packEntrySize)
	if _, err := f.ReadAt(idx, int64(at)); err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(idx) != binary.LittleEndian.Uint32(foot[12:]) {
		return nil, errors.New("bad pack index")
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
			return nil, errors.New("bad pack entry")
		}
		index[key] = e
	}
	return index, nil
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
	return b, true
}

// Put implements markdown.CodeCache: it adds the block to the next pack.
func (c *codePack) Put(key [sha256.Size]byte, html []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w == nil || len(html) > packMaxEntry {
		return
	}
	if _, ok := c.wrote[key]; ok {
		return
	}
	if _, err := c.w.Write(html); err != nil {
		c.w = nil // the next pack is lost; the build goes on
		return
	}
	c.wrote[key] = packEntry{off: c.off, n: uint32(len(html)), crc: crc32.ChecksumIEEE(html)}
	c.off += uint64(len(html))
}

// commit writes the next pack's index and puts it in place of the old one.
func (c *codePack) commit() error {
	c.closeOld()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.w == nil {
		c.abortLocked()
		return nil
	}
	var idx bytes.Buffer
	keys := make([][sha256.Size]byte, 0, len(c.wrote))
	for k := range c.wrote {
		keys = append(keys, k)
	}
	// Sorted, so that the same blocks give the same index.
	slices.SortFunc(keys, func(a, b [sha256.Size]byte) int { return bytes.Compare(a[:], b[:]) })
	for _, k := range keys {
		e := c.wrote[k]
		idx.Write(k[:])
		idx.Write(binary.LittleEndian.AppendUint64(nil, e.off))
		idx.Write(binary.LittleEndian.AppendUint32(nil, e.n))
		idx.Write(binary.LittleEndian.AppendUint32(nil, e.crc))
	}
	foot := binary.LittleEndian.AppendUint64(nil, c.off)
	foot = binary.LittleEndian.AppendUint32(foot, uint32(len(keys)))
	foot = binary.LittleEndian.AppendUint32(foot, crc32.ChecksumIEEE(idx.Bytes()))
	foot = append(foot, packMagic...)
	_, err := io.Copy(c.w, &idx)
	if err == nil {
		_, err = c.w.Write(foot)
	}
	if err == nil {
		err = c.w.Flush()
	}
	if cerr := c.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(c.tmp.Name(), c.path)
	}
	if err != nil {
		os.Remove(c.tmp.Name())
		return fmt.Errorf("code cache %s: %w", c.path, err)
	}
	c.w, c.tmp = nil, nil
	return nil
}

// abort drops the next pack and keeps the old one.
func (c *codePack) abort() {
	c.closeOld()
	c.mu.Lock()
	defer c.mu.Unlock()
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
