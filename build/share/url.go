package share

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TagURL adds utm_source=<platform>&utm_medium=social&utm_content=<variant>
// to u, after its existing query parameters and before its fragment. Any
// utm_source, utm_medium or utm_content already in u is replaced, so tagging
// twice gives the same URL. The empty URL stays empty.
func TagURL(u, platform, variant string) string {
	if u == "" {
		return ""
	}
	rest, frag, hasFrag := strings.Cut(u, "#")
	base, query, _ := strings.Cut(rest, "?")
	var params []string
	for p := range strings.SplitSeq(query, "&") {
		k, _, _ := strings.Cut(p, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		switch k {
		case "":
			continue
		case "utm_source", "utm_medium", "utm_content":
			continue
		}
		params = append(params, p)
	}
	params = append(params,
		"utm_source="+url.QueryEscape(platform),
		"utm_medium=social",
		"utm_content="+url.QueryEscape(variant))
	out := base + "?" + strings.Join(params, "&")
	if hasFrag {
		out += "#" + frag
	}
	return out
}

// span is a byte range of a text.
type span struct{ start, end int }

// findURLs finds links the way twitter-text's extractUrlsWithIndices does:
// an optional http:// or https://, a domain whose last label is a known
// top-level domain, an optional port, path and query, with trailing
// punctuation left out. Without bare, a protocol is required (Mastodon).
func findURLs(s string, bare bool) []span {
	if !strings.Contains(s, ".") {
		return nil
	}
	var out []span
	prev := rune(-1) // the rune before i; -1 at the start
	for i := 0; i < len(s); {
		if precedesURL(prev) {
			if end, ok := matchURL(s, i, prev, bare); ok {
				out = append(out, span{i, end})
				prev, _ = utf8.DecodeLastRuneInString(s[:end])
				i = end
				continue
			}
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		prev = r
		i += w
	}
	return out
}

// precedesURL reports whether a link may start after r
// (twitter-text validUrlPrecedingChars).
func precedesURL(r rune) bool {
	if r < 0 {
		return true
	}
	if r < utf8.RuneSelf && isASCIIAlnum(byte(r)) {
		return false
	}
	switch r {
	case '@', '＠', '$', '#', '＃', 0xFFFE, 0xFEFF, 0xFFFF:
		return false
	}
	return true
}

// matchURL matches a link at s[i:] and returns its end.
func matchURL(s string, i int, prev rune, bare bool) (int, bool) {
	j := i
	switch {
	case hasPrefixFold(s[i:], "https://"):
		j += len("https://")
	case hasPrefixFold(s[i:], "http://"):
		j += len("http://")
	default:
		// twitter-text invalidUrlWithoutProtocolPrecedingChars.
		if !bare || prev == '-' || prev == '_' || prev == '.' || prev == '/' {
			return 0, false
		}
	}
	j, ok := matchDomain(s, j, j == i)
	if !ok {
		return 0, false
	}
	if j < len(s) && s[j] == ':' {
		k := j + 1
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
		}
		if k > j+1 {
			j = k
		}
	}
	if j < len(s) && s[j] == '/' {
		j = matchPath(s, j)
	}
	if j < len(s) && s[j] == '?' {
		j = matchQuery(s, j)
	}
	return j, true
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// matchDomain matches subdomain* domain-name TLD at s[i:] and returns its
// end. An ascii domain (one without protocol) may hold only ASCII letters,
// digits, hyphens and Latin accented letters.
func matchDomain(s string, i int, ascii bool) (int, bool) {
	var labels []span
	for p := i; ; {
		q := p
		for q < len(s) {
			r, w := utf8.DecodeRuneInString(s[q:])
			if !isDomainRune(r, ascii) && r != '-' && (ascii || r != '_') {
				break
			}
			q += w
		}
		if q == p {
			break
		}
		labels = append(labels, span{p, q})
		if q+1 < len(s) && s[q] == '.' {
			p = q + 1
			continue
		}
		break
	}
	// The longest run of labels that ends in a top-level domain wins.
	for k := len(labels) - 1; k >= 1; k-- {
		tld := labels[k]
		if next := tld.end; next < len(s) && (s[next] == '@' || s[next] == '+') {
			continue
		}
		if !isTopLevel(s[tld.start:tld.end]) {
			continue
		}
		valid := true
		for n, l := range labels[:k] {
			if !validLabel(s[l.start:l.end], ascii, n == k-1) {
				valid = false
				break
			}
		}
		if valid {
			return tld.end, true
		}
	}
	return 0, false
}

// isTopLevel reports whether label is a known top-level domain or a
// punycode one.
func isTopLevel(label string) bool {
	l := strings.ToLower(label)
	if isTLD(l) {
		return true
	}
	if !strings.HasPrefix(l, "xn--") || len(l) == len("xn--") {
		return false
	}
	for i := len("xn--"); i < len(l); i++ {
		if !isASCIIAlnum(l[i]) {
			return false
		}
	}
	return true
}

// validLabel checks a label before the top-level domain: it starts and ends
// with a domain character; only subdomains (not the last label before the
// TLD) may contain '_'.
func validLabel(l string, ascii, last bool) bool {
	first, _ := utf8.DecodeRuneInString(l)
	end, _ := utf8.DecodeLastRuneInString(l)
	if !isDomainRune(first, ascii) || !isDomainRune(end, ascii) {
		return false
	}
	return !last || !strings.Contains(l, "_")
}

// isDomainRune is twitter-text's validDomainChars: anything but ASCII
// punctuation, spaces, controls, invalid characters and directional marks.
// With ascii, only ASCII letters and digits and Latin accented letters.
func isDomainRune(r rune, ascii bool) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r))
	}
	if ascii {
		return isLatinAccent(r)
	}
	switch {
	case r == utf8.RuneError, r == 0xFFFE, r == 0xFEFF, r == 0xFFFF,
		r == 0x061C, r == 0x200E, r == 0x200F,
		0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069,
		r == 0x180E, unicode.IsSpace(r), unicode.IsControl(r):
		return false
	}
	return true
}

// isLatinAccent is twitter-text's latinAccentChars.
func isLatinAccent(r rune) bool {
	switch {
	case 0xC0 <= r && r <= 0x24F && r != 0xD7 && r != 0xF7,
		r == 0x253, r == 0x254, r == 0x256, r == 0x257, r == 0x259, r == 0x25B,
		r == 0x263, r == 0x268, r == 0x26F, r == 0x272, r == 0x289, r == 0x28B,
		r == 0x2BB, 0x300 <= r && r <= 0x36F, 0x1E00 <= r && r <= 0x1EFF:
		return true
	}
	return false
}

// isPathRune is twitter-text's validGeneralUrlPathChars.
func isPathRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("!*';:=+,.$/%#[]-_~@|&", r)
	}
	return r == '–' || unicode.Is(unicode.Cyrillic, r) || isLatinAccent(r)
}

// isPathEndRune is twitter-text's validUrlPathEndingChars (without the
// parentheses, which matchPath handles).
func isPathEndRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.ContainsRune("+-=_#/", r)
	}
	return unicode.Is(unicode.Cyrillic, r) || isLatinAccent(r)
}

// matchPath matches a path at s[i:] (s[i] == '/') and returns its end: path
// characters and balanced parentheses, ending in a path-ending character or a
// closing parenthesis, so "/foo." leaves the period out.
func matchPath(s string, i int) int {
	end := i + 1
	for k := i + 1; k < len(s); {
		if s[k] == '(' {
			e, ok := matchParens(s, k)
			if !ok {
				break
			}
			k, end = e, e
			continue
		}
		r, w := utf8.DecodeRuneInString(s[k:])
		if !isPathRune(r) {
			break
		}
		k += w
		if isPathEndRune(r) {
			end = k
		}
	}
	return end
}

// matchParens matches twitter-text's validUrlBalancedParens at s[k:]
// (s[k] == '('): up to two levels of balanced parentheses around path
// characters.
func matchParens(s string, k int) (int, bool) {
	k++
	start := k
	k = skipPath(s, k)
	if k < len(s) && s[k] == '(' {
		inner := k + 1
		k = skipPath(s, inner)
		if k == inner || k >= len(s) || s[k] != ')' {
			return 0, false
		}
		k = skipPath(s, k+1)
	} else if k == start {
		return 0, false
	}
	if k >= len(s) || s[k] != ')' {
		return 0, false
	}
	return k + 1, true
}

func skipPath(s string, k int) int {
	for k < len(s) {
		r, w := utf8.DecodeRuneInString(s[k:])
		if !isPathRune(r) {
			break
		}
		k += w
	}
	return k
}

// matchQuery matches a query at s[i:] (s[i] == '?') and returns its end, or i
// when no query-ending character follows.
func matchQuery(s string, i int) int {
	end := i
	for k := i + 1; k < len(s); k++ {
		c := s[k]
		if !isASCIIAlnum(c) && !strings.ContainsRune("!?*'@();:&=+$/%#[]-_.,~|", rune(c)) {
			break
		}
		if isASCIIAlnum(c) || strings.ContainsRune("-_&=#/", rune(c)) {
			end = k + 1
		}
	}
	return end
}
