package policy

import (
	"bytes"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"unicode"
)

// Internal hosts, private addresses and links.

// internalTLDs are suffixes that only resolve inside a network.
var internalTLDs = []string{".internal", ".corp", ".local", ".lan"}

// privateNets are RFC 1918 and RFC 4193 (unique local) ranges.
var privateNets = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

func privateAddr(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range privateNets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// hostSpan is an internal host or private address found in a text.
type hostSpan struct {
	start, end int
	host       string
	why        string
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c >= 'A' && c <= 'Z'
}

func isLabelByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c >= 'A' && c <= 'Z'
}

// internalHost reports whether a lower-case host name or address is internal.
func (p *Policy) internalHost(host string) (string, bool) {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if a, err := netip.ParseAddr(host); err == nil {
		if privateAddr(a) {
			return "a private network address", true
		}
		return "", false
	}
	for _, d := range p.internalDomains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return "an internal domain of " + p.employerName, true
		}
	}
	for _, t := range internalTLDs {
		if strings.HasSuffix(host, t) && len(host) > len(t) {
			return "an internal-only name (*" + t + ")", true
		}
	}
	return "", false
}

// findHosts returns the internal host names and private addresses in the
// folded text.
func (p *Policy) findHosts(lower []byte) []hostSpan {
	var out []hostSpan
	seen := map[int]bool{}
	// hostAt extends the name that ends at end backwards and records it.
	hostAt := func(end int, why string) {
		start := end
		for start > 0 && isHostByte(lower[start-1]) {
			start--
		}
		for start < end && (lower[start] == '.' || lower[start] == '-') {
			start++
		}
		h := string(lower[start:end])
		if seen[start] || !strings.Contains(h, ".") || strings.HasPrefix(h, ".") {
			return
		}
		seen[start] = true
		out = append(out, hostSpan{start: start, end: end, host: h, why: why})
	}
	// endsName reports whether a host name may end at j.
	endsName := func(j int) bool {
		if j >= len(lower) {
			return true
		}
		c := lower[j]
		if isLabelByte(c) || c == '_' {
			return false
		}
		return c != '.' || j+1 >= len(lower) || !isLabelByte(lower[j+1])
	}
	suffixes := make([]string, 0, len(internalTLDs)+len(p.internalDomains))
	suffixes = append(suffixes, internalTLDs...)
	for _, d := range p.internalDomains {
		suffixes = append(suffixes, d)
	}
	for si, suf := range suffixes {
		off := 0
		for {
			i := bytes.Index(lower[off:], []byte(suf))
			if i < 0 {
				break
			}
			i += off
			j := i + len(suf)
			off = i + 1
			if !endsName(j) {
				continue
			}
			if si >= len(internalTLDs) {
				if i > 0 && isLabelByte(lower[i-1]) {
					continue
				}
				hostAt(j, "an internal domain of "+p.employerName)
				continue
			}
			if i == 0 || !isLabelByte(lower[i-1]) {
				continue
			}
			hostAt(j, "an internal-only name (*"+suf+")")
		}
	}
	// Private IPv4 addresses.
	for _, pre := range []string{"10.", "172.", "192.168."} {
		off := 0
		for {
			i := bytes.Index(lower[off:], []byte(pre))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i > 0 && (lower[i-1] >= '0' && lower[i-1] <= '9' || lower[i-1] == '.') {
				continue
			}
			j := i
			for j < len(lower) && (lower[j] >= '0' && lower[j] <= '9' || lower[j] == '.') {
				j++
			}
			cand := strings.TrimRight(string(lower[i:j]), ".")
			if j < len(lower) && (isLabelByte(lower[j]) && lower[j] != '-') {
				continue
			}
			if a, err := netip.ParseAddr(cand); err == nil && a.Is4() && privateAddr(a) && !seen[i] {
				seen[i] = true
				out = append(out, hostSpan{start: i, end: i + len(cand), host: cand, why: "a private network address"})
			}
		}
	}
	// Unique local IPv6 addresses (fc00::/7).
	for _, pre := range []string{"fc", "fd"} {
		off := 0
		for {
			i := bytes.Index(lower[off:], []byte(pre))
			if i < 0 {
				break
			}
			i += off
			off = i + 1
			if i > 0 && (isHex(lower[i-1]) || lower[i-1] == ':' || isLabelByte(lower[i-1])) {
				continue
			}
			j := i
			for j < len(lower) && (isHex(lower[j]) || lower[j] == ':') {
				j++
			}
			cand := string(lower[i:j])
			if strings.Count(cand, ":") < 2 {
				continue
			}
			if a, err := netip.ParseAddr(cand); err == nil && privateAddr(a) && !seen[i] {
				seen[i] = true
				out = append(out, hostSpan{start: i, end: j, host: cand, why: "a private network address"})
			}
		}
	}
	return out
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}

// link is a link destination in a text.
type link struct {
	start, end int
	dest       string
	image      bool
}

// findLinks returns Markdown link and image destinations, reference
// definitions, href/src attributes and bare http(s) URLs in text.
func findLinks(text []byte) []link {
	var out []link
	seen := map[int]bool{}
	add := func(s, e int, image bool) {
		for s < e && (text[s] == '<' || text[s] == ' ') {
			s++
		}
		for e > s && (text[e-1] == '>') {
			e--
		}
		if s >= e || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, link{start: s, end: e, dest: string(text[s:e]), image: image})
	}
	destEnd := func(s int) int {
		e := s
		depth := 0
		for e < len(text) {
			c := text[e]
			if c == ' ' || c == '\n' || c == '\t' || c == '"' || c == '\'' && e > s && text[e-1] == ' ' {
				break
			}
			if c == '(' {
				depth++
			}
			if c == ')' {
				if depth == 0 {
					break
				}
				depth--
			}
			e++
		}
		return e
	}
	// [text](dest) and ![alt](dest)
	for off := 0; ; {
		i := bytes.Index(text[off:], []byte("]("))
		if i < 0 {
			break
		}
		i += off
		off = i + 2
		s := i + 2
		for s < len(text) && text[s] == ' ' {
			s++
		}
		image := false
		// Find the matching [ to see if this is an image.
		if k := bytes.LastIndexByte(text[:i], '['); k > 0 && text[k-1] == '!' {
			image = true
		}
		add(s, destEnd(s), image)
	}
	// [ref]: dest
	for lineStart := 0; lineStart < len(text); {
		le := bytes.IndexByte(text[lineStart:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += lineStart
		}
		l := text[lineStart:le]
		t := bytes.TrimLeft(l, " ")
		if len(t) > 0 && t[0] == '[' {
			if k := bytes.Index(t, []byte("]:")); k > 0 {
				s := lineStart + (len(l) - len(t)) + k + 2
				for s < le && text[s] == ' ' {
					s++
				}
				add(s, destEnd(s), false)
			}
		}
		lineStart = le + 1
	}
	// href="..." and src="..."
	for _, attr := range []string{"href=", "src="} {
		for off := 0; ; {
			i := bytes.Index(text[off:], []byte(attr))
			if i < 0 {
				break
			}
			i += off
			off = i + len(attr)
			s := i + len(attr)
			if s < len(text) && (text[s] == '"' || text[s] == '\'') {
				q := text[s]
				s++
				e := bytes.IndexByte(text[s:], q)
				if e < 0 {
					continue
				}
				add(s, s+e, attr == "src=")
			}
		}
	}
	// bare URLs
	for _, scheme := range []string{"http://", "https://"} {
		for off := 0; ; {
			i := bytes.Index(text[off:], []byte(scheme))
			if i < 0 {
				break
			}
			i += off
			off = i + len(scheme)
			e := destEnd(i)
			for e > i && strings.ContainsRune(".,;:!?*_~`>", rune(text[e-1])) {
				e--
			}
			add(i, e, false)
		}
	}
	return out
}

// linkHost returns the lower-case host of an absolute URL, or "".
func linkHost(dest string) string {
	u, err := url.Parse(strings.TrimSpace(dest))
	if err != nil || u.Host == "" {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// slugify turns text into a slug the way peerpress makes post slugs:
// letters and digits lower-cased, apostrophes dropped, every other run of
// characters a single "-".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case unicode.Is(unicode.M, r) && b.Len() > 0 && !dash:
		case r == '\'' || r == '’' || r == 'ʼ':
			continue
		default:
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// postSlug is the slug of a post: its slug key, else its file or bundle name.
func postSlug(post *Post) string {
	if post.Meta != nil && post.Meta.Slug != "" {
		return slugify(post.Meta.Slug)
	}
	name := path.Base(post.Path)
	if name == "index.md" || name == "_index.md" {
		name = path.Base(path.Dir(post.Path))
	}
	return slugify(strings.TrimSuffix(name, path.Ext(name)))
}
