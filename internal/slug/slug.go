// Package slug makes the slugs of URLs (posts, tags) and heading ids, one
// way for the whole of peerpress: the policy finds a post by the same slug
// the build gives its page.
package slug

import (
	"strings"
	"unicode"
)

// Make turns text into a slug for URLs and heading ids. Letters (of any
// script) are lower-cased and kept, as are digits and combining marks that
// follow a kept character (so decomposed "ü" and Devanagari vowel signs
// survive); apostrophes are dropped ("it's" → "its"); every other run of
// characters becomes a single "-", and leading and trailing dashes are
// trimmed; a '+' after a letter, a digit or another '+' is spelled "plus",
// and a '#' after a letter or digit "sharp", so that the tags C++, C# and
// C get three pages. Text without letters or digits gives "".
//
//	"Über Lötzinn"   → "über-lötzinn"
//	"日本語の見出し"  → "日本語の見出し"
//	"C++ & Go!"      → "c-plus-plus-go"
//	"C# and F#"      → "c-sharp-and-f-sharp"
func Make(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingDash := false
	// What the last rune was: a kept letter or digit, or a '+' spelled out.
	kept, plus := false, false
	word := func(w string) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(w)
		pendingDash, kept = true, false
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// fall through to write r
		case unicode.Is(unicode.M, r) && b.Len() > 0 && !pendingDash:
			// A mark attached to a kept character.
		case isApostrophe(r):
			// Dropped, not a separator: "Don't" → "dont".
			continue
		case r == '+' && (kept || plus):
			word("plus") // "C++" → "c-plus-plus", not "c"
			plus = true
			continue
		case r == '#' && kept:
			word("sharp") // "C#" → "c-sharp", not "c"
			plus = false
			continue
		default:
			pendingDash = b.Len() > 0
			kept, plus = false, false
			continue
		}
		if pendingDash {
			b.WriteByte('-')
			pendingDash = false
		}
		b.WriteRune(unicode.ToLower(r))
		kept, plus = true, false
	}
	return b.String()
}

// isApostrophe reports whether r is an apostrophe, straight or typographic.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ'
}
