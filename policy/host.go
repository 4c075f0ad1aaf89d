package policy

import (
	"bytes"
	"net/netip"
	"net/url"
	"path"
	"strings"

	"github.com/peerpress/peerpress/internal/slug"
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
// folded text, at its probe events.
func (p *Policy) findHosts(lower []byte, evs []event) []hostSpan {
	var out []hostSpan
	var seen map[int]bool
	record := func(h hostSpan) {
		if seen == nil {
			seen = map[int]bool{}
		}
		if !seen[h.start] {
			seen[h.start] = true
			out = append(out, h)
		}
	}
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
		if !strings.Contains(h, ".") || strings.HasPrefix(h, ".") {
			return
		}
		record(hostSpan{start: start, end: end, host: h, why: why})
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
	for _, ev := range evs {
		i, j := int(ev.start), int(ev.end)
		switch ev.kind {
		case probeHostSuffix:
			if !endsName(j) {
				continue
			}
			if int(ev.arg) >= p.probe.tlds { // an internal domain
				if i > 0 && isLabelByte(lower[i-1]) {
					continue
				}
				hostAt(j, "an internal domain of "+p.employerName)
				continue
			}
			if i == 0 || !isLabelByte(lower[i-1]) {
				continue
			}
			hostAt(j, "an internal-only name (*"+p.probe.suffixes[ev.arg]+")")
		case probeIPv4:
			if i > 0 && (lower[i-1] >= '0' && lower[i-1] <= '9' || lower[i-1] == '.') {
				continue
			}
			k := i
			for k < len(lower) && (lower[k] >= '0' && lower[k] <= '9' || lower[k] == '.') {
				k++
			}
			cand := strings.TrimRight(string(lower[i:k]), ".")
			if k < len(lower) && isLabelByte(lower[k]) && lower[k] != '-' {
				continue
			}
			if a, err := netip.ParseAddr(cand); err == nil && a.Is4() && privateAddr(a) {
				record(hostSpan{start: i, end: i + len(cand), host: cand, why: "a private network address"})
			}
		case probeIPv6:
			if i > 0 && (isHex(lower[i-1]) || lower[i-1] == ':' || isLabelByte(lower[i-1])) {
				continue
			}
			k := i
			for k < len(lower) && (isHex(lower[k]) || lower[k] == ':') {
				k++
			}
			cand := string(lower[i:k])
			if strings.Count(cand, ":") < 2 {
				continue
			}
			if a, err := netip.ParseAddr(cand); err == nil && privateAddr(a) {
				record(hostSpan{start: i, end: k, host: cand, why: "a private network address"})
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
// definitions, href/src attributes and bare http(s) URLs in text, at its
// probe events.
func findLinks(text []byte, evs []event) []link {
	var out []link
	var seen map[int]bool // starts already added
	add := func(s, e int, image bool) {
		for s < e && (text[s] == '<' || text[s] == ' ') {
			s++
		}
		for e > s && text[e-1] == '>' {
			e--
		}
		if s >= e {
			return
		}
		if seen[s] {
			return
		}
		if seen == nil {
			seen = map[int]bool{}
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
	for _, ev := range evs {
		i, j := int(ev.start), int(ev.end)
		switch ev.kind {
		case probeLinkParen: // [text](dest) and ![alt](dest)
			s := j
			for s < len(text) && text[s] == ' ' {
				s++
			}
			image := false
			if k := bytes.LastIndexByte(text[:i], '['); k > 0 && text[k-1] == '!' {
				image = true
			}
			add(s, destEnd(s), image)
		case probeRefDef: // [ref]: dest, at the start of a line
			ls, _ := lineAt(text, i)
			t := bytes.TrimLeft(text[ls:i], " ")
			if len(t) == 0 || t[0] != '[' || bytes.IndexByte(t[1:], ']') >= 0 || len(t) > 1 && t[1] == '^' {
				continue // not a definition, or a footnote's ([^1]: text)
			}
			s := j
			for s < len(text) && text[s] == ' ' {
				s++
			}
			add(s, destEnd(s), false)
		case probeAttr: // href="..." and src="..."
			s := j
			if s < len(text) && (text[s] == '"' || text[s] == '\'') {
				q := text[s]
				s++
				e := bytes.IndexByte(text[s:], q)
				if e >= 0 {
					add(s, s+e, ev.arg == 1)
				}
			}
		case probeURL: // bare URLs
			if i > 0 && isLabelByte(text[i-1]) {
				continue
			}
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

// postSlug is the slug of a post: its slug key, else its file or bundle name.
func postSlug(post *Post) string {
	if post.Meta != nil && post.Meta.Slug != "" {
		return slug.Make(post.Meta.Slug)
	}
	name := path.Base(post.Path)
	if name == "index.md" || name == "_index.md" {
		name = path.Base(path.Dir(post.Path))
	}
	return slug.Make(strings.TrimSuffix(name, path.Ext(name)))
}
