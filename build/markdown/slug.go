package markdown

import (
	"strconv"
	"strings"
	"unicode"
)

// Slug turns text into a slug for URLs and heading ids. Letters (of any
// script) are lower-cased and kept, as are digits and combining marks that
// follow a kept character (so decomposed "ü" and Devanagari vowel signs
// survive); apostrophes are dropped ("it's" → "its"); every other run of
// characters becomes a single "-", and leading and trailing dashes are
// trimmed. Text without letters or digits gives "".
//
//	"Über Lötzinn"   → "über-lötzinn"
//	"日本語の見出し"  → "日本語の見出し"
//	"C++ & Go!"      → "c-go"
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingDash := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// fall through to write r
		case unicode.Is(unicode.M, r) && b.Len() > 0 && !pendingDash:
			// A mark attached to a kept character.
		case isApostrophe(r):
			// Dropped, not a separator: "Don't" → "dont".
			continue
		default:
			pendingDash = b.Len() > 0
			continue
		}
		if pendingDash {
			b.WriteByte('-')
			pendingDash = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// isApostrophe reports whether r is an apostrophe, straight or typographic.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ'
}

// idSet hands out unique element ids within one document.
type idSet struct {
	used map[string]bool
	next map[string]int // next suffix to try per base id
}

func newIDSet() *idSet {
	return &idSet{used: map[string]bool{}, next: map[string]int{}}
}

// reserve marks id as taken (an explicit {#id}).
func (s *idSet) reserve(id string) {
	s.used[id] = true
}

// unique returns base if it is free, else the first free "base-N" for
// N = 1, 2, ...; an empty base becomes "section". The result is reserved.
func (s *idSet) unique(base string) string {
	if base == "" {
		base = "section"
	}
	if !s.used[base] {
		s.used[base] = true
		return base
	}
	for n := max(s.next[base], 1); ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if !s.used[id] {
			s.used[id] = true
			s.next[base] = n + 1
			return id
		}
	}
}
