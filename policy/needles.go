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
	filter   []uint64            // a power of two of bits, at least 16 per window
	shift    uint                // 64 - log2(bits in filter)
	windows  map[uint64][]window // folded 8-byte window → where it is in which needles
}

// window is one of a needle's sampled 8-byte windows.
type window struct{ needle, off int32 }

// caseBits sets bit 5 of every byte: it lower-cases ASCII letters (and
// merges a few other bytes with others, which the comparison after a
// filter hit sorts out).
const caseBits = 0x2020202020202020

// windowHash maps a folded window to a bit of a filter of 2^(64-shift) bits.
func windowHash(x uint64, shift uint) uint64 { return (x * 0x9e3779b97f4a7c15) >> shift }

func newNeedleSet(texts [][]byte) *needleSet {
	s := &needleSet{texts: texts, windows: map[uint64][]window{}}
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
			s.windows[x] = append(s.windows[x], window{int32(i), int32(off)})
		}
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
			for _, w := range s.windows[x] {
				t := s.texts[w.needle]
				if i := p - int(w.off); i >= 0 && i+len(t) <= len(data) && equalFoldASCII(data[i:i+len(t)], t) {
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
