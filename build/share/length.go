package share

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// urlWeight is what a link counts on X (the length of a t.co link) and on
// Mastodon (its fixed placeholder length).
const urlWeight = 23

// Platforms lists the supported platforms in output order: "x", "mastodon",
// "bluesky", "linkedin", "threads". The caller owns the returned slice.
func Platforms() []string {
	return []string{"x", "mastodon", "bluesky", "linkedin", "threads"}
}

// Name returns the platform's display name ("X", "Mastodon", "Bluesky",
// "LinkedIn", "Threads"), or platform itself when it is not one of those.
func Name(platform string) string {
	switch platform {
	case "x":
		return "X"
	case "mastodon":
		return "Mastodon"
	case "bluesky":
		return "Bluesky"
	case "linkedin":
		return "LinkedIn"
	case "threads":
		return "Threads"
	}
	return platform
}

// Limit returns the platform's length limit (x 280, mastodon 500, bluesky
// 300, linkedin 3000, threads 500), or 0 for an unknown platform.
func Limit(platform string) int {
	switch platform {
	case "x":
		return 280
	case "mastodon", "threads":
		return 500
	case "bluesky":
		return 300
	case "linkedin":
		return 3000
	}
	return 0
}

// Length measures text by the platform's rules (see the package
// documentation). An unknown platform counts grapheme clusters.
func Length(platform, text string) int {
	switch platform {
	case "x":
		return xLength(text)
	case "mastodon":
		return mastodonLength(text)
	}
	return graphemes(text)
}

// graphemes counts the grapheme clusters of s, as
// uniseg.GraphemeClusterCount does, with a fast path for ASCII text.
func graphemes(s string) int {
	n, state := 0, -1
	for s != "" {
		if k := asciiRun(s); k > 0 {
			n, s, state = n+k, s[k:], -1
			continue
		}
		_, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		n++
	}
	return n
}

// asciiRun returns the length of the longest prefix of s whose bytes are
// each a grapheme cluster of its own: ASCII other than CR (which pairs with
// LF), and not the ASCII byte just before a non-ASCII one (which may be a
// combining mark that joins it). A cluster boundary follows the prefix.
func asciiRun(s string) int {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf && s[i] != '\r' {
		i++
	}
	if i > 0 && i < len(s) && s[i] >= utf8.RuneSelf {
		i--
	}
	return i
}

// xLength is twitter-text's weighted length (v3 configuration, emoji parsing
// on), divided by its scale of 100.
func xLength(s string) int {
	n, last := 0, 0
	for _, u := range findURLs(s, true) {
		n += xWeight(s[last:u.start]) + urlWeight
		last = u.end
	}
	return n + xWeight(s[last:])
}

// xWeight weighs text that holds no link, one grapheme cluster at a time.
func xWeight(s string) int { return weighClusters(s, true) }

// weighClusters is xWeight; with ascii false it takes every cluster from
// uniseg, ASCII ones included (the reference the fast path is fuzzed
// against).
func weighClusters(s string, ascii bool) int {
	n, state := 0, -1
	var c string
	for s != "" {
		if k := asciiRun(s); ascii && k > 0 {
			n, s, state = n+k, s[k:], -1 // each weighs 1
			continue
		}
		c, s, _, state = uniseg.FirstGraphemeClusterInString(s, state)
		if len(c) == 1 {
			n++ // ASCII
			continue
		}
		k := emojiLen(c)
		if k > 0 {
			n += 2
		}
		for _, r := range c[k:] {
			n += runeWeight(r)
		}
	}
	return n
}

// runeWeight is twitter-text v3's weight of one code point.
func runeWeight(r rune) int {
	switch {
	case r <= 0x10FF,
		0x2000 <= r && r <= 0x200D,
		0x2010 <= r && r <= 0x201F,
		0x2032 <= r && r <= 0x2037:
		return 1
	}
	return 2
}

const (
	zwj    = 0x200D // zero width joiner
	vs16   = 0xFE0F // variation selector 16: emoji presentation
	keycap = 0x20E3
)

func isRegionalIndicator(r rune) bool { return 0x1F1E6 <= r && r <= 0x1F1FF }

func isEmojiModifier(r rune) bool { return 0x1F3FB <= r && r <= 0x1F3FF }

func isTag(r rune) bool { return 0xE0020 <= r && r <= 0xE007F }

// emojiLen returns the length in bytes of the emoji sequence that starts the
// grapheme cluster c, or 0 if c does not start with an emoji. It follows what
// twemoji (used by twitter-text) matches: flags, keycaps, and pictographs with
// their presentation selectors, skin tones, tags and ZWJ-joined pictographs;
// "©" and "®" count only with U+FE0F.
func emojiLen(c string) int {
	r0, w0 := utf8.DecodeRuneInString(c)
	r1, w1 := utf8.DecodeRuneInString(c[w0:])
	switch {
	case isRegionalIndicator(r0):
		if isRegionalIndicator(r1) {
			return w0 + w1
		}
		return w0
	case r0 == '#' || r0 == '*' || '0' <= r0 && r0 <= '9':
		if r1 == keycap {
			return w0 + w1
		}
		if r1 == vs16 {
			if r2, w2 := utf8.DecodeRuneInString(c[w0+w1:]); r2 == keycap {
				return w0 + w1 + w2
			}
		}
		return 0
	case isExtPict(r0):
		if runeWeight(r0) == 1 && r1 != vs16 {
			return 0 // text presentation: © ®
		}
		i := w0
		for i < len(c) {
			r, w := utf8.DecodeRuneInString(c[i:])
			switch {
			case r == vs16 || r == keycap || isEmojiModifier(r) || isTag(r):
				i += w
			case r == zwj:
				next, wn := utf8.DecodeRuneInString(c[i+w:])
				if !isExtPict(next) {
					return i
				}
				i += w + wn
			default:
				return i
			}
		}
		return i
	}
	return 0
}

// mastodonLength is Mastodon's StatusLengthValidator: links become a
// 23-character placeholder, @user@domain becomes @user, then grapheme
// clusters are counted.
func mastodonLength(s string) int {
	ents := mastodonEntities(s)
	if len(ents) == 0 {
		return graphemes(s)
	}
	var b strings.Builder
	last := 0
	for _, e := range ents {
		b.WriteString(s[last:e.start])
		b.WriteString(e.repl)
		last = e.end
	}
	b.WriteString(s[last:])
	return graphemes(b.String())
}

// entity is a stretch of text that a platform counts as something else.
type entity struct {
	start, end int
	repl       string
}

// mastodonEntities returns the links (with a protocol) and remote mentions
// of s, in order and without overlaps (the earlier one wins).
func mastodonEntities(s string) []entity {
	var all []entity
	urls := findURLs(s, false)
	mentions := findRemoteMentions(s)
	for len(urls) > 0 || len(mentions) > 0 {
		var e entity
		if len(mentions) == 0 || len(urls) > 0 && urls[0].start <= mentions[0].start {
			e = entity{urls[0].start, urls[0].end, strings.Repeat("x", urlWeight)}
			urls = urls[1:]
		} else {
			e = mentions[0]
			mentions = mentions[1:]
		}
		if len(all) > 0 && e.start < all[len(all)-1].end {
			continue
		}
		all = append(all, e)
	}
	return all
}

// isWordRune is Ruby's [[:word:]]: letters, marks, decimal digits and
// connector punctuation.
func isWordRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.Nd, unicode.Pc)
}

// findRemoteMentions finds @user@domain mentions as Mastodon's MENTION_RE
// does and replaces each with @user.
func findRemoteMentions(s string) []entity {
	var out []entity
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		if i > 0 {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if prev == '=' || prev == '/' || isWordRune(prev) {
				continue
			}
		}
		user := i + 1 + dottedRun(s[i+1:], func(r rune) bool {
			return r < utf8.RuneSelf && (r == '_' || isASCIIAlnum(byte(r)))
		})
		if user == i+1 || user >= len(s) || s[user] != '@' {
			continue
		}
		end := user + 1 + dottedRun(s[user+1:], isWordRune)
		if end == user+1 {
			continue
		}
		// Mastodon skips a mention followed by another @, a Latin accent or
		// "://".
		if next, _ := utf8.DecodeRuneInString(s[end:]); next == '@' || next == '＠' || isLatinAccent(next) || strings.HasPrefix(s[end:], "://") {
			continue
		}
		out = append(out, entity{i, end, s[i:user]})
		i = end - 1
	}
	return out
}

// dottedRun returns the byte length of the longest prefix of s of the form
// W+ ([.-]+ W+)* where W is a rune for which ok is true.
func dottedRun(s string, ok func(rune) bool) int {
	end, i := 0, 0
	for i < len(s) {
		j := i
		for j < len(s) {
			r, w := utf8.DecodeRuneInString(s[j:])
			if !ok(r) {
				break
			}
			j += w
		}
		if j == i {
			break
		}
		end = j
		for j < len(s) && (s[j] == '.' || s[j] == '-') {
			j++
		}
		if j == end {
			break
		}
		i = j
	}
	return end
}

func isASCIIAlnum(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}
