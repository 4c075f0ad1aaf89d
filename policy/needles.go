package policy

import (
	"encoding/binary"
	mbits "math/bits"
	"slices"
)

// needleSet finds many lower-case byte strings in a text, ASCII
// case-insensitively, like ahoCorasick, but looks at one text offset in
// every step bytes. With L the shortest needle of 8 bytes or more, step is
// L-7: any occurrence of a long needle then holds exactly one offset that
// is a multiple of step in any step consecutive offsets of the needle that
// start a window of 8 bytes of it. Those 8-byte windows of each needle (at
// its last step window offsets), with the case bit set on every byte, are hashed
// into a filter of 16 bits a window (64 Kibit at least); the text's window at
// each sampled offset is looked up in it, and only a hit goes to the map
// and a full comparison. With hundreds of needles an Aho-Corasick table
// outgrows the caches and every byte waits on memory; here a build's
// leak check (titles, slugs and URLs, about 20 bytes and more) reads the
// output in strides. Needles shorter than 8 bytes still go to an
// Aho-Corasick automaton.
type needleSet struct {
	texts [][]byte
	short *ahoCorasick // needles shorter than 8 bytes, or nil
	// shortIdx maps short's needle numbers to texts' indices.
	shortIdx []int32
	step     int
	filter   []uint64 // a power of two of bits, at least 16 per window
	shift    uint     // 64 - log2(bits in filter)
	// slots is an open-addressed table (linear probing, at most half
	// full) of the folded 8-byte windows, each with where its places lie
	// in wins: where it is in which needles. Most filter hits are windows
	// of a needle (a title's words are the site's words), so every hit
	// pays a look-up: this table in place of a map[uint64][]window, with
	// the needles' heads (see window), took `go test ./policy -bench
	// LeakScanner` from 2,920-3,060 to 3,080-3,370 MB/s with 100
	// internal posts and from 1,060-1,320 to 1,480-1,530 MB/s with
	// 1,000 (three interleaved rounds).
	slots     []windowSlot
	slotShift uint // 64 - log2(len(slots))
	wins      []window
}

// windowSlot is one entry of needleSet.slots; key 0 is an empty slot (no
// folded window is 0: caseBits sets a bit of every byte).
type windowSlot struct {
	key      uint64
	at, size int32 // wins[at:at+size]
}

// window is one of a needle's sampled 8-byte windows: where it is, and the
// needle's first 8 bytes folded as the windows are. Most windows a text
// shares with a needle are a word or two of a title in other prose; the
// needle's first bytes turn most of those away before its text is read.
type window struct {
	needle, off int32
	head        uint64
}

// caseBits sets bit 5 of every byte: it lower-cases ASCII letters (and
// merges a few other bytes with others, which the comparison after a
// filter hit sorts out).
const caseBits = 0x2020202020202020

// windowHash maps a folded window to a bit of a filter of 2^(64-shift) bits.
func windowHash(x uint64, shift uint) uint64 { return (x * 0x9e3779b97f4a7c15) >> shift }

func newNeedleSet(texts [][]byte) *needleSet {
	s := &needleSet{texts: texts}
	windows := map[uint64][]window{}
	var order []uint64 // windows' keys as first met, for a table built the same way every time
	var short [][]byte
	long := 0
	for i, t := range texts {
		if len(t) < 8 {
			short = append(short, t)
			s.shortIdx = append(s.shortIdx, int32(i))
			continue
		}
		long++
		if s.step == 0 || len(t)-7 < s.step {
			s.step = len(t) - 7
		}
	}
	// 16 bits a window (step windows a long needle) keep hits on other
	// text to a few in a hundred offsets; at least 64 Kibit (8 KB), which
	// fits in the L1 cache.
	bits := 1 << 16
	for bits < 16*s.step*long {
		bits <<= 1
	}
	s.filter = make([]uint64, bits/64)
	s.shift = uint(64 - mbits.TrailingZeros(uint(bits)))
	for i, t := range texts {
		if len(t) < 8 {
			continue
		}
		// Any step consecutive windows do; the last ones, because
		// needles often share a beginning (the site's URL, "Lab
		// bulletin"), and a window every needle shares sends every
		// occurrence to a comparison with each of them.
		for off := len(t) - 7 - s.step; off < len(t)-7; off++ {
			x := binary.LittleEndian.Uint64(t[off:]) | caseBits
			h := windowHash(x, s.shift)
			s.filter[h/64] |= 1 << (h % 64)
			if _, ok := windows[x]; !ok {
				order = append(order, x)
			}
			windows[x] = append(windows[x], window{int32(i), int32(off), binary.LittleEndian.Uint64(t) | caseBits})
		}
	}
	size := 2
	for size < 2*len(order) {
		size <<= 1
	}
	s.slots = make([]windowSlot, size)
	s.slotShift = uint(64 - mbits.TrailingZeros(uint(size)))
	for _, x := range order {
		i := windowHash(x, s.slotShift)
		for s.slots[i].key != 0 {
			i = (i + 1) & uint64(size-1)
		}
		s.slots[i] = windowSlot{key: x, at: int32(len(s.wins)), size: int32(len(windows[x]))}
		s.wins = append(s.wins, windows[x]...)
	}
	if len(short) > 0 {
		s.short = newAhoCorasick(short)
	}
	return s
}

// match is a needle found ending at end.
type match struct{ needle, end int32 }

// find appends every match in data to ms, in order of end, then longest
// needle first, then of needle.
func (s *needleSet) find(data []byte, ms []match) []match {
	n0 := len(ms)
	if s.short != nil {
		s.short.scan(data, func(n, end int) bool {
			ms = append(ms, match{s.shortIdx[n], int32(end)})
			return true
		})
	}
	if s.step > 0 {
		for p := 0; p+8 <= len(data); p += s.step {
			x := binary.LittleEndian.Uint64(data[p:]) | caseBits
			if h := windowHash(x, s.shift); s.filter[h/64]&(1<<(h%64)) == 0 {
				continue
			}
			for _, w := range s.lookup(x) {
				t := s.texts[w.needle]
				if i := p - int(w.off); i >= 0 && i+len(t) <= len(data) && binary.LittleEndian.Uint64(data[i:])|caseBits == w.head && equalFoldASCII(data[i:i+len(t)], t) {
					ms = append(ms, match{w.needle, int32(i + len(t))})
				}
			}
		}
	}
	slices.SortFunc(ms[n0:], func(a, b match) int {
		if a.end != b.end {
			return int(a.end - b.end)
		}
		// At one end, the longer needle first (a URL before the slug it
		// ends with), as Aho-Corasick reported them.
		if la, lb := len(s.texts[a.needle]), len(s.texts[b.needle]); la != lb {
			return lb - la
		}
		return int(a.needle - b.needle)
	})
	return ms
}

// lookup returns the places of the folded window x in the needles.
func (s *needleSet) lookup(x uint64) []window {
	mask := uint64(len(s.slots) - 1)
	for i := windowHash(x, s.slotShift); ; i = (i + 1) & mask {
		switch sl := &s.slots[i]; sl.key {
		case x:
			return s.wins[sl.at : sl.at+sl.size]
		case 0:
			return nil
		}
	}
}

// equalFoldASCII reports whether b, with ASCII letters lower-cased, equals
// the lower-case lower. Only ASCII folds, as in ahoCorasick (bytes.EqualFold
// would also match "K" to the Kelvin sign).
func equalFoldASCII(b, lower []byte) bool {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
