package policy

import (
	"bytes"
	"crypto/sha256"
	"hash/maphash"
	"math/bits"
	"sort"
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
		r, n := utf8.DecodeRune(src[i:])
		l := unicode.ToLower(r)
		if l != r && utf8.RuneLen(l) == n {
			utf8.EncodeRune(dst[i:], l)
		} else {
			copy(dst[i:i+n], src[i:i+n])
		}
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
	h      uint64
}

// tokenize splits folded text into words.
func tokenize(lower []byte, toks []token, seed maphash.Seed) []token {
	toks = toks[:0]
	prevEnd := -1
	for i := 0; i < len(lower); {
		c := lower[i]
		var word bool
		n := 1
		if c < utf8.RuneSelf {
			word = asciiWord[c]
		} else {
			var r rune
			r, n = utf8.DecodeRune(lower[i:])
			word = isWordRune(r)
		}
		if !word {
			i += n
			continue
		}
		start := i
		i += n
		for i < len(lower) {
			c := lower[i]
			if c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
				i++
				continue
			}
			r, n := utf8.DecodeRune(lower[i:])
			if !isWordRune(r) {
				break
			}
			i += n
		}
		t := token{start: int32(start), end: int32(i), h: maphash.Bytes(seed, lower[start:i])}
		if prevEnd >= 0 {
			t.joined = joinable(lower[prevEnd:start])
		}
		toks = append(toks, t)
		prevEnd = i
	}
	return toks
}

// joinable reports whether gap may separate the words of one phrase.
func joinable(gap []byte) bool {
	if len(gap) == 1 {
		return gap[0] == ' ' || gap[0] == '-' || gap[0] == '\n'
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

// tokenWords returns the lower-cased words of s.
func tokenWords(s string) []string {
	lower := fold(nil, []byte(s))
	var seed maphash.Seed
	seed = maphash.MakeSeed()
	toks := tokenize(lower, nil, seed)
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

// scanner holds one worker's buffers. It is not safe for concurrent use.
type scanner struct {
	p     *Policy
	lower []byte
	toks  []token
	hits  []hit
	// cache is a direct-mapped set of fingerprints of word windows already
	// known not to be codenames, so frequent words and phrases are hashed
	// with SHA-256 once per worker instead of once per occurrence.
	cache []uint64
	buf   [128]byte
}

const cacheBits = 16

func newScanner(p *Policy) *scanner {
	s := &scanner{p: p}
	if len(p.codenames) > 0 {
		s.cache = make([]uint64, 1<<cacheBits)
		n := copy(s.buf[:], p.salt)
		s.buf[n] = '\n'
	}
	return s
}

// words scans text for terms and codenames. The hits are in s.hits, sorted
// by offset; s.lower holds the folded text.
func (s *scanner) words(text []byte, codenames bool) {
	s.lower = fold(s.lower, text)
	s.toks = tokenize(s.lower, s.toks, s.p.seed)
	s.hits = s.hits[:0]
	m := s.p.match
	lower, toks := s.lower, s.toks
	skip := 0
	for i := range toks {
		t := &toks[i]
		if codenames && s.cache != nil {
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
	if codenames && s.cache != nil {
		sort.SliceStable(s.hits, func(a, b int) bool { return s.hits[a].start < s.hits[b].start })
	}
}

// Window fingerprints: distinct odd multipliers per window size.
const (
	fpK1 = 0x9e3779b97f4a7c15
	fpK2 = 0xc2b2ae3d27d4eb4f
	fpK3 = 0x165667b19e3779f9
)

// codenameWindows checks the 1-, 2- and 3-word windows that end at token i.
func (s *scanner) codenameWindows(i int) {
	toks := s.toks
	t := &toks[i]
	fp := t.h*fpK1 | 1
	s.window(i, i, fp)
	if i >= 1 && t.joined {
		p := &toks[i-1]
		fp2 := (bits.RotateLeft64(p.h*fpK2, 31) ^ t.h*fpK1) + fpK3 | 1
		s.window(i-1, i, fp2)
		if i >= 2 && p.joined {
			q := &toks[i-2]
			fp3 := (bits.RotateLeft64(q.h*fpK3, 17) ^ bits.RotateLeft64(p.h*fpK2, 31) ^ t.h*fpK1) + fpK2 | 1
			s.window(i-2, i, fp3)
		}
	}
}

// window hashes the words from token a to token b (unless the fingerprint is
// cached as a known non-codename) and records a hit if it is a codename.
func (s *scanner) window(a, b int, fp uint64) {
	slot := &s.cache[fp>>(64-cacheBits)]
	if *slot == fp {
		return
	}
	n := len(s.p.salt) + 1
	buf := s.buf[:]
	for k := a; k <= b; k++ {
		w := s.lower[s.toks[k].start:s.toks[k].end]
		if k > a {
			if n >= len(buf) {
				return
			}
			buf[n] = ' '
			n++
		}
		if n+len(w) > len(buf) || n+len(w)-len(s.p.salt)-1 > maxCodename {
			*slot = fp
			return
		}
		n += copy(buf[n:], w)
	}
	if s.p.codenames[sha256.Sum256(buf[:n])] {
		s.hits = append(s.hits, hit{kind: kindCodename, term: -1, start: int(s.toks[a].start), end: int(s.toks[b].end)})
		return
	}
	*slot = fp
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
