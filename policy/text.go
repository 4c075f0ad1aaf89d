package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text matching. Every text (title, summary, description, share text, the raw
// Markdown body) is lower-cased once into a buffer of the same length, so
// byte offsets in the folded text are offsets in the original; then split
// into words. Term lists and codenames are matched on whole words, so a
// match starts and ends on a word boundary by construction.

// asciiWord[b] reports whether ASCII byte b is part of a word.
var asciiWord = func() (t [128]bool) {
	for b := 0; b < 128; b++ {
		t[b] = b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
	}
	return t
}()

// isWordRune reports whether r is part of a word: letters, digits, marks and '_'.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// foldRune lower-cases the non-ASCII rune at src[i:] into dst[i:] (see
// fold) and returns it, its lower case and its length.
func foldRune(dst, src []byte, i int) (r, l rune, n int) {
	r, n = utf8.DecodeRune(src[i:])
	l = unicode.ToLower(r)
	if l != r && utf8.RuneLen(l) == n {
		utf8.EncodeRune(dst[i:], l)
	} else {
		copy(dst[i:i+n], src[i:i+n])
	}
	return r, l, n
}

// fold lower-cases src into dst (reused), keeping every byte offset: a
// rune whose lower case has a different UTF-8 length is left as it is.
func fold(dst, src []byte) []byte {
	if cap(dst) < len(src) {
		dst = make([]byte, len(src), len(src)+len(src)/4)
	}
	dst = dst[:len(src)]
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst[i] = c
			i++
			continue
		}
		_, _, n := foldRune(dst, src, i)
		i += n
	}
	return dst
}

// token is one word of a folded text.
type token struct {
	start, end int32
	// joined is true when only spaces, one line break, hyphens or emphasis
	// markers separate the token from the previous one, so that the two can
	// form one phrase ("Acme Metals", "Acme-Metals", "Acme\nMetals").
	joined bool
	// stop is true for a stop word (set only when codenames are scanned).
	stop bool
	h    uint64
}

// wordHash is the seeded 64-bit hash of a folded word used for codename
// window fingerprints and the stop-word set. It reads the word 8 bytes at a
// time (the last 1 to 8 bytes as two overlapping loads, or three single
// bytes for short words, so every byte counts) and mixes each load with a
// 64×64→128-bit multiply, as wyhash does. (It replaced byte-at-a-time
// FNV-1a; on its own that measured no faster, but the SWAR tokenizer below
// hashes a word only where it ends, which needs a hash of the whole word.)
func wordHash(seed uint64, w []byte) uint64 {
	if len(w) <= 8 {
		return shortHash(seed, w)
	}
	h := seed ^ uint64(len(w))*hashK1
	for len(w) > 8 {
		h = mum(binary.LittleEndian.Uint64(w)^hashK1, h^hashK2)
		w = w[8:]
	}
	return mum(tail(w)^hashK2, h^hashK1)
}

const hashK1, hashK2 = 0xa0761d6478bd642f, 0xe7037ed1a0b428db

// shortHash is wordHash of a word of at most 8 bytes (most words).
// foldTokenize writes the same formula out itself: the call is over Go's
// inlining budget, and making it cost the tokenizer a quarter of its speed
// (BenchmarkFoldTokenize 315-322 vs 219-237 MB/s). FuzzFoldTokenize checks
// its tokens' hashes against hashWord.
func shortHash(seed uint64, w []byte) uint64 {
	return mum(tail(w)^hashK2, seed^uint64(len(w))*hashK1^hashK1)
}

// tail packs the last 0 to 8 bytes of a word into a word: two overlapping
// 4-byte loads, or its first, middle and last bytes (w's length is mixed in
// by the caller, so together they determine every byte).
func tail(w []byte) uint64 {
	if n := len(w); n >= 4 {
		return uint64(binary.LittleEndian.Uint32(w))<<32 | uint64(binary.LittleEndian.Uint32(w[n-4:]))
	} else if n > 0 {
		return uint64(w[0])<<16 | uint64(w[n>>1])<<8 | uint64(w[n-1])
	}
	return 0
}

// mum is the 128-bit product of a and b folded to 64 bits.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// hashWord is wordHash of a string.
func hashWord(seed uint64, w string) uint64 { return wordHash(seed, []byte(w)) }

// foldTab maps an ASCII byte to its lower case, with the high bit set when
// it is part of a word.
var foldTab = func() (t [128]byte) {
	for b := 0; b < 128; b++ {
		t[b] = byte(b)
		if 'A' <= b && b <= 'Z' {
			t[b] = byte(b + 'a' - 'A')
		}
		if asciiWord[b] {
			t[b] |= 0x80
		}
	}
	return t
}()

// SWAR (SIMD within a register) constants: a byte of ones, and the high
// bit of every byte.
const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// swarGE sets the high bit of each byte of x (every byte < 0x80) that is
// ≥ c (c ≤ 0x80); the sum cannot carry into the next byte.
func swarGE(x uint64, c byte) uint64 { return (x + (0x80-uint64(c))*swarOnes) & swarHigh }

// swarFold lower-cases 8 ASCII bytes and returns them with, for each byte,
// the high bit set when it is a word byte ([a-z0-9_] after folding).
func swarFold(x uint64) (lower, word uint64) {
	upper := swarGE(x, 'A') &^ swarGE(x, 'Z'+1)
	lower = x | upper>>2 // 0x80>>2 is 0x20, the case bit
	word = swarGE(lower, 'a') &^ swarGE(lower, 'z'+1)
	word |= swarGE(lower, '0') &^ swarGE(lower, '9'+1)
	word |= ^((lower ^ '_'*swarOnes) + 0x7f*swarOnes) & swarHigh // == '_'
	return lower, word
}

// foldTokenize lower-cases src into dst (see fold) and splits it into words
// in the same pass. ASCII text goes 8 bytes at a time: folded and classified
// with SWAR arithmetic, then only the word boundaries are visited; a chunk
// with a non-ASCII byte goes byte by byte and rune by rune up to that rune.
func foldTokenize(dst []byte, toks []token, src []byte, seed uint64) ([]byte, []token) {
	if cap(dst) < len(src) {
		dst = make([]byte, len(src), len(src)+len(src)/4)
	}
	dst = dst[:len(src)]
	toks = toks[:0]
	prevEnd, start := -1, -1
	for i := 0; i < len(src); {
		lim := len(src)
		if i+8 <= len(src) {
			x := binary.LittleEndian.Uint64(src[i:])
			if high := x & swarHigh; high != 0 {
				lim = i + bits.TrailingZeros64(high)/8 + 1
			} else {
				lower, word := swarFold(x)
				binary.LittleEndian.PutUint64(dst[i:], lower)
				// One bit per byte, then the bytes where word and not-word
				// alternate (the byte before the chunk is a word byte when
				// a word is open).
				m := (word >> 7) * 0x0102040810204080 >> 56
				in := uint64(0)
				if start >= 0 {
					in = 1
				}
				for tr := (m ^ (m<<1 | in)) & 0xff; tr != 0; tr &= tr - 1 {
					k := bits.TrailingZeros64(tr)
					if m>>k&1 != 0 {
						start = i + k
						continue
					}
					// A word ends: newToken, written out by hand (shortHash
					// for the common short word, joinByte for a one-byte gap).
					end := i + k
					var h uint64
					if w := dst[start:end]; len(w) <= 8 {
						h = mum(tail(w)^hashK2, seed^uint64(len(w))*hashK1^hashK1)
					} else {
						h = wordHash(seed, w)
					}
					j := false
					if start-prevEnd == 1 && prevEnd >= 0 {
						j = joinByte[dst[prevEnd]]
					} else if prevEnd >= 0 {
						j = joinable(dst[prevEnd:start])
					}
					toks = append(toks, token{start: int32(start), end: int32(end), h: h, joined: j})
					prevEnd, start = end, -1
				}
				i += 8
				continue
			}
		}
		// Byte by byte up to lim (the end, or the first non-ASCII byte of
		// the chunk, whose whole rune is taken).
		for i < lim {
			n, isWord := 1, false
			if c := src[i]; c < utf8.RuneSelf {
				v := foldTab[c]
				dst[i] = v & 0x7f
				isWord = v >= 0x80
			} else {
				var r, l rune
				r, l, n = foldRune(dst, src, i)
				isWord = isWordRune(l) || isWordRune(r)
			}
			if isWord {
				if start < 0 {
					start = i
				}
			} else if start >= 0 {
				toks = append(toks, newToken(dst, seed, prevEnd, start, i))
				prevEnd, start = i, -1
			}
			i += n
		}
	}
	if start >= 0 {
		toks = append(toks, newToken(dst, seed, prevEnd, start, len(src)))
	}
	return dst, toks
}

// newToken is the word dst[start:end] of a folded text whose previous word
// ends at prevEnd (-1 if none).
func newToken(dst []byte, seed uint64, prevEnd, start, end int) token {
	return token{start: int32(start), end: int32(end), h: wordHash(seed, dst[start:end]), joined: prevEnd >= 0 && joinable(dst[prevEnd:start])}
}

// joinable reports whether gap may separate the words of one phrase.
func joinable(gap []byte) bool {
	if len(gap) == 1 {
		return joinByte[gap[0]]
	}
	newlines, hyphens := 0, 0
	for i := 0; i < len(gap); i++ {
		switch gap[i] {
		case ' ', '\t', '\r', '*':
		case '\n':
			newlines++
		case '-':
			hyphens++
		case 0xc2: // U+00A0 no-break space
			if i+1 < len(gap) && gap[i+1] == 0xa0 {
				i++
				continue
			}
			return false
		default:
			return false
		}
	}
	return newlines <= 1 && (newlines == 0 || hyphens == 0)
}

// joinByte[c] reports whether the one-byte gap c joins two words.
var joinByte = [256]bool{' ': true, '-': true, '\n': true}

// tokenWords returns the lower-cased words of s.
func tokenWords(s string) []string {
	lower, toks := foldTokenize(nil, nil, []byte(s), 0)
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(lower[t.start:t.end])
	}
	return out
}

// termKind says which list a term comes from.
type termKind uint8

const (
	kindProduct termKind = iota
	kindCompetitor
	kindClient
	kindConfidential
	kindPolitics
	kindCodename // not a term: a codename window
)

// term is one phrase to find.
type term struct {
	words  []string
	kind   termKind
	entity int // index into products, competitors or clients
	text   string
}

// matcher finds every term of a policy in a tokenized text with one map
// lookup per word (after a cheap filter on first byte and length).
type matcher struct {
	terms []term
	first map[string][]int32 // first word → terms, longest first
	// lens[b] has bit n-1 set when a term's first word starts with byte b and
	// is n bytes long (n ≥ 64 sets bit 63).
	lens [256]uint64
}

func newMatcher(p *Policy) *matcher {
	m := &matcher{first: map[string][]int32{}}
	add := func(text string, kind termKind, entity int) {
		w := tokenWords(text)
		if len(w) == 0 {
			return
		}
		m.terms = append(m.terms, term{words: w, kind: kind, entity: entity, text: text})
	}
	for _, g := range []struct {
		kind termKind
		es   []Entity
	}{{kindProduct, p.products}, {kindCompetitor, p.competitors}, {kindClient, p.clients}} {
		for i, e := range g.es {
			for _, n := range e.Names {
				add(n, g.kind, i)
			}
		}
	}
	for _, t := range p.confidential {
		add(t, kindConfidential, -1)
	}
	for _, t := range p.politics {
		add(t, kindPolitics, -1)
	}
	for i, t := range m.terms {
		f := t.words[0]
		m.first[f] = append(m.first[f], int32(i))
		m.lens[f[0]] |= 1 << (min(len(f), 64) - 1)
	}
	for _, idx := range m.first {
		sort.SliceStable(idx, func(a, b int) bool { return len(m.terms[idx[a]].words) > len(m.terms[idx[b]].words) })
	}
	return m
}

// hit is one match in a text: a term or a codename.
type hit struct {
	kind       termKind
	term       int32 // index into matcher.terms; -1 for a codename
	start, end int   // byte offsets
}

// stopWordList holds common English function words. A codename may not
// contain one (AddCodename refuses it), so word windows that contain one are
// never hashed: in prose they are about half of all words, and skipping them
// saves most of the SHA-256 work.
const stopWordList = "a an the of to in on at by for from with and or but nor is are was were be been being it its this that these those as if then than so we you he she they i me my our your their his her him them us not no do does did done has have had will would can could should may might must shall am into onto via per"

// stopSet is an open-addressing set of the stop words, keyed by their
// wordHash under the policy's seed.
type stopSet struct {
	h [256]uint64
	w [256]string
}

func newStopSet(seed uint64) *stopSet {
	s := &stopSet{}
	for _, w := range strings.Fields(stopWordList) {
		h := hashWord(seed, w) | 1
		i := h & 255
		for s.h[i] != 0 {
			i = (i + 1) & 255
		}
		s.h[i], s.w[i] = h, w
	}
	return s
}

// has reports whether the folded word w with wordHash h is a stop word.
func (s *stopSet) has(h uint64, w []byte) bool {
	h |= 1
	for i := h & 255; s.h[i] != 0; i = (i + 1) & 255 {
		if s.h[i] == h && s.w[i] == string(w) {
			return true
		}
	}
	return false
}

// scanner holds one worker's buffers. It is not safe for concurrent use.
type scanner struct {
	p     *Policy
	lower []byte
	toks  []token
	hits  []hit
	evs   []event
	// cache1 and cache2 are direct-mapped sets of fingerprints of 1- and
	// 2-word windows already known not to be codenames, so frequent words and
	// pairs are hashed with SHA-256 once per worker, not once per occurrence.
	// 3-word windows repeat too rarely to be worth caching.
	cache1, cache2 []uint64
	buf            []byte
}

const (
	cache1Bits = 14
	cache2Bits = 16
)

// newScanner returns a scanner; codenames says whether it will look for
// codenames (which needs the caches).
func newScanner(p *Policy, codenames bool) *scanner {
	s := &scanner{p: p}
	if codenames && len(p.codenames) > 0 {
		s.cache1 = make([]uint64, 1<<cache1Bits)
		s.cache2 = make([]uint64, 1<<cache2Bits)
		s.buf = make([]byte, len(p.salt)+1+maxCodename+1)
		n := copy(s.buf, p.salt)
		s.buf[n] = '\n'
	}
	return s
}

// words scans text for terms and codenames. The hits are in s.hits, sorted
// by offset; s.lower holds the folded text.
func (s *scanner) words(text []byte, codenames bool) {
	s.lower, s.toks = foldTokenize(s.lower, s.toks, text, s.p.seed)
	s.hits = s.hits[:0]
	m := s.p.match
	lower, toks := s.lower, s.toks
	skip := 0
	for i := range toks {
		t := &toks[i]
		if codenames && s.cache1 != nil {
			t.stop = t.end-t.start <= 6 && s.p.stop.has(t.h, lower[t.start:t.end])
			s.codenameWindows(i)
		}
		if i < skip {
			continue
		}
		w := lower[t.start:t.end]
		if m.lens[w[0]]&(1<<(min(len(w), 64)-1)) == 0 {
			continue
		}
		cands, ok := m.first[string(w)]
		if !ok {
			continue
		}
	cand:
		for _, ti := range cands {
			tm := &m.terms[ti]
			if i+len(tm.words) > len(toks) {
				continue
			}
			for j := 1; j < len(tm.words); j++ {
				u := &toks[i+j]
				if !u.joined || string(lower[u.start:u.end]) != tm.words[j] {
					continue cand
				}
			}
			last := toks[i+len(tm.words)-1]
			s.hits = append(s.hits, hit{kind: tm.kind, term: ti, start: int(t.start), end: int(last.end)})
			skip = i + len(tm.words)
			break
		}
	}
	if codenames && s.cache1 != nil {
		sort.SliceStable(s.hits, func(a, b int) bool { return s.hits[a].start < s.hits[b].start })
		// Codenames that start at the same word ("Bluefin" and "Bluefin
		// Horizon") are one finding: the longest.
		out := s.hits[:0]
		for _, h := range s.hits {
			if n := len(out); n > 0 && h.kind == kindCodename && out[n-1].kind == kindCodename && out[n-1].start == h.start {
				out[n-1].end = max(out[n-1].end, h.end)
				continue
			}
			out = append(out, h)
		}
		s.hits = out
	}
}

// Window fingerprints: distinct odd multipliers per window size.
const (
	fpK1 = 0x9e3779b97f4a7c15
	fpK2 = 0xc2b2ae3d27d4eb4f
	fpK3 = 0x165667b19e3779f9
)

// codenameWindows checks the 1-, 2- and 3-word windows that end at token i
// and contain no stop word.
func (s *scanner) codenameWindows(i int) {
	toks := s.toks
	t := &toks[i]
	if t.stop {
		return
	}
	fp := t.h*fpK1 | 1
	s.window(i, i, fp, s.cache1)
	if i < 1 || !t.joined || toks[i-1].stop {
		return
	}
	p := &toks[i-1]
	fp2 := (bits.RotateLeft64(p.h*fpK2, 31) ^ t.h*fpK1) + fpK3 | 1
	s.window(i-1, i, fp2, s.cache2)
	if i < 2 || !p.joined || toks[i-2].stop {
		return
	}
	s.window(i-2, i, 0, nil)
}

// window hashes the words from token a to token b (unless cache holds the
// fingerprint fp as a known non-codename) and records a hit if it is a
// codename.
func (s *scanner) window(a, b int, fp uint64, cache []uint64) {
	var slot *uint64
	if cache != nil {
		slot = &cache[fp&uint64(len(cache)-1)]
		if *slot == fp {
			return
		}
	}
	n := len(s.p.salt) + 1
	buf := s.buf
	for k := a; k <= b; k++ {
		w := s.lower[s.toks[k].start:s.toks[k].end]
		if k > a {
			buf[n] = ' '
			n++
		}
		if n+len(w) > len(buf)-1 {
			return // too long to be a codename
		}
		n += copy(buf[n:], w)
	}
	sum := sha256.Sum256(buf[:n])
	if k := binary.LittleEndian.Uint16(sum[:]); s.p.codenameFilter[k/64]&(1<<(k%64)) != 0 && s.p.codenames[sum] {
		s.hits = append(s.hits, hit{kind: kindCodename, term: -1, start: int(s.toks[a].start), end: int(s.toks[b].end)})
		return
	}
	if slot != nil {
		*slot = fp
	}
}

// containsPhrase reports whether folded text contains the folded phrase on
// word boundaries (a phrase starting or ending with a non-word character,
// like "#sp", needs no boundary on that side).
func containsPhrase(lowerText, lowerPhrase []byte) bool {
	if len(lowerPhrase) == 0 {
		return false
	}
	for off := 0; off <= len(lowerText)-len(lowerPhrase); {
		i := bytes.Index(lowerText[off:], lowerPhrase)
		if i < 0 {
			return false
		}
		i += off
		if boundaryBefore(lowerText, i, lowerPhrase) && boundaryAfter(lowerText, i+len(lowerPhrase), lowerPhrase) {
			return true
		}
		off = i + 1
	}
	return false
}

func boundaryBefore(text []byte, i int, phrase []byte) bool {
	r, _ := utf8.DecodeRune(phrase)
	if !isWordRune(r) || i == 0 {
		return true
	}
	p, _ := utf8.DecodeLastRune(text[:i])
	return !isWordRune(p)
}

func boundaryAfter(text []byte, j int, phrase []byte) bool {
	r, _ := utf8.DecodeLastRune(phrase)
	if !isWordRune(r) || j >= len(text) {
		return true
	}
	n, _ := utf8.DecodeRune(text[j:])
	return !isWordRune(n)
}
