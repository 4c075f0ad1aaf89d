package build

import (
	"html"
	"net/url"
	"strings"
	"unicode/utf8"
)

// urlAttrs are the HTML attributes whose value is one URL.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "poster": true, "cite": true, "data": true,
	"action": true, "formaction": true, "background": true, "longdesc": true, "xlink:href": true,
}

// rawTextTags are the elements whose content is not markup.
var rawTextTags = map[string]bool{"script": true, "style": true, "textarea": true, "title": true}

// feedHTML rewrites a post's HTML for a feed, where it is read away from
// the post's page:
//
//   - every URL in href, src, srcset, poster, cite (and the other URL
//     attributes) is made absolute, resolved against base (the post's
//     permalink) exactly as a browser on the post's page resolves it: a
//     bundle file "chart.png" becomes base + "chart.png", "/x" becomes the
//     base's origin + "/x", "#fn:1" becomes base + "#fn:1";
//   - the heading anchor links the Markdown renderer adds (<a class="anchor">#</a>)
//     are dropped: in a feed reader they are a stray "#" after each heading;
//   - characters XML 1.0 does not allow (controls, U+FFFE, U+FFFF,
//     surrogates, invalid UTF-8) are removed.
//
// Everything else is copied byte for byte.
func feedHTML(s string, base *url.URL) string {
	s = xmlSafe(s)
	b := make([]byte, 0, len(s)+len(s)/8)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			b = append(b, s[i:]...)
			break
		}
		b = append(b, s[i:i+j]...)
		i += j
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := len(s)
			if k := strings.Index(s[i+4:], "-->"); k >= 0 {
				end = i + 4 + k + 3
			}
			b = append(b, s[i:end]...)
			i = end
		case i+1 < len(s) && isASCIILetter(s[i+1]):
			t := scanTag(s, i)
			if t.name == "a" && hasClass(t.attr(s, "class"), "anchor") {
				// Drop the anchor, its text and the space before it.
				end := len(s)
				if k := indexFold(s[t.end:], "</a>"); k >= 0 {
					end = t.end + k + len("</a>")
				}
				if n := len(b); n > 0 && b[n-1] == ' ' {
					b = b[:n-1]
				}
				i = end
				continue
			}
			b = t.rewrite(b, s, base)
			i = t.end
			if rawTextTags[t.name] && !t.selfClosing {
				end := len(s)
				if k := indexFold(s[i:], "</"+t.name); k >= 0 {
					end = i + k
				}
				b = append(b, s[i:end]...)
				i = end
			}
		default: // an end tag, a declaration or a lone '<'
			b = append(b, '<')
			i++
		}
	}
	return string(b)
}

// tag is a start tag found by scanTag.
type tag struct {
	name        string // lower case
	start, end  int    // s[start:end] is the whole tag, '<' to '>'
	attrs       []attr
	selfClosing bool
}

// attr is one attribute of a tag: s[vstart:vend] is its raw value, and
// s[qstart:qend] the value with its quotes, if any.
type attr struct {
	name                       string // lower case
	vstart, vend, qstart, qend int
	hasValue                   bool
}

// attr returns the unescaped value of the named attribute, or "".
func (t *tag) attr(s, name string) string {
	for _, a := range t.attrs {
		if a.name == name && a.hasValue {
			return html.UnescapeString(s[a.vstart:a.vend])
		}
	}
	return ""
}

// scanTag reads the start tag at s[i] (s[i] == '<', s[i+1] a letter) the
// way an HTML tokenizer does.
func scanTag(s string, i int) tag {
	t := tag{start: i}
	k := i + 1
	for k < len(s) && !isHTMLSpace(s[k]) && s[k] != '>' && s[k] != '/' {
		k++
	}
	t.name = strings.ToLower(s[i+1 : k])
	for k < len(s) {
		for k < len(s) && (isHTMLSpace(s[k]) || s[k] == '/') {
			if s[k] == '/' && k+1 < len(s) && s[k+1] == '>' {
				t.selfClosing = true
			}
			k++
		}
		if k >= len(s) || s[k] == '>' {
			break
		}
		ns := k
		for k < len(s) && !isHTMLSpace(s[k]) && s[k] != '>' && s[k] != '/' && (s[k] != '=' || k == ns) {
			k++
		}
		a := attr{name: strings.ToLower(s[ns:k])}
		m := k
		for m < len(s) && isHTMLSpace(s[m]) {
			m++
		}
		if m < len(s) && s[m] == '=' {
			m++
			for m < len(s) && isHTMLSpace(s[m]) {
				m++
			}
			a.hasValue = true
			a.qstart = m
			if m < len(s) && (s[m] == '"' || s[m] == '\'') {
				q := s[m]
				e := strings.IndexByte(s[m+1:], q)
				if e < 0 {
					a.vstart, a.vend, a.qend = m+1, len(s), len(s)
				} else {
					a.vstart, a.vend, a.qend = m+1, m+1+e, m+1+e+1
				}
			} else {
				e := m
				for e < len(s) && !isHTMLSpace(s[e]) && s[e] != '>' {
					e++
				}
				a.vstart, a.vend, a.qend = m, e, e
			}
			k = a.qend
		}
		t.attrs = append(t.attrs, a)
	}
	t.end = min(k+1, len(s))
	return t
}

// rewrite appends the tag to b with its URL attributes made absolute.
func (t *tag) rewrite(b []byte, s string, base *url.URL) []byte {
	at := t.start
	for _, a := range t.attrs {
		if !a.hasValue || (!urlAttrs[a.name] && a.name != "srcset") {
			continue
		}
		old := html.UnescapeString(s[a.vstart:a.vend])
		var v string
		if a.name == "srcset" {
			v = absSrcset(base, old)
		} else {
			v = absURL(base, old)
		}
		if v == old {
			continue
		}
		b = append(b, s[at:a.qstart]...)
		b = append(b, '"')
		b = append(b, html.EscapeString(v)...)
		b = append(b, '"')
		at = a.qend
	}
	return append(b, s[at:t.end]...)
}

// absURL resolves ref against base (an absolute URL) as RFC 3986 does,
// leaving the encoding of ref's path, query and fragment as written. A URL
// with a scheme (https:, mailto:, data:) and the empty URL stay as they are.
func absURL(base *url.URL, ref string) string {
	v := strings.Trim(ref, " \t\n\f\r")
	if v == "" || hasScheme(v) {
		return ref
	}
	if strings.HasPrefix(v, "//") {
		return base.Scheme + ":" + v
	}
	p, suffix := v, ""
	if k := strings.IndexAny(v, "?#"); k >= 0 {
		p, suffix = v[:k], v[k:]
	}
	bp := base.EscapedPath()
	if bp == "" {
		bp = "/"
	}
	switch {
	case p == "":
		p = bp
		if strings.HasPrefix(suffix, "#") && base.RawQuery != "" {
			suffix = "?" + base.RawQuery + suffix
		}
	case p[0] == '/':
		p = removeDots(p)
	default:
		p = removeDots(bp[:strings.LastIndexByte(bp, '/')+1] + p)
	}
	return base.Scheme + "://" + base.Host + p + suffix
}

// absSrcset makes every URL of a srcset attribute absolute, keeping the
// descriptors ("2x", "640w").
func absSrcset(base *url.URL, v string) string {
	var out []string
	for i := 0; ; {
		for i < len(v) && (isHTMLSpace(v[i]) || v[i] == ',') {
			i++
		}
		if i >= len(v) {
			break
		}
		start := i
		for i < len(v) && !isHTMLSpace(v[i]) {
			i++
		}
		u := v[start:i]
		desc := ""
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			ds, depth := i, 0
			for i < len(v) && (v[i] != ',' || depth > 0) {
				switch v[i] {
				case '(':
					depth++
				case ')':
					depth = max(depth-1, 0)
				}
				i++
			}
			desc = strings.Join(strings.Fields(v[ds:i]), " ")
		}
		c := absURL(base, u)
		if desc != "" {
			c += " " + desc
		}
		out = append(out, c)
	}
	return strings.Join(out, ", ")
}

// removeDots removes "." and ".." segments from an absolute path
// (RFC 3986 section 5.2.4).
func removeDots(p string) string {
	if !strings.Contains(p, ".") {
		return p
	}
	segs := strings.Split(p, "/")[1:]
	out := make([]string, 0, len(segs))
	for i, s := range segs {
		last := i == len(segs)-1
		switch s {
		case ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
			continue
		}
		if last {
			out = append(out, "")
		}
	}
	return "/" + strings.Join(out, "/")
}

// hasScheme reports whether v starts with a URL scheme ("https:", "mailto:").
func hasScheme(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case isASCIILetter(c):
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func hasClass(list, name string) bool {
	for _, c := range strings.Fields(list) {
		if c == name {
			return true
		}
	}
	return false
}

// indexFold is strings.Index, ASCII case-insensitive for an ASCII needle.
func indexFold(s, needle string) int {
	for i := 0; i+len(needle) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || 0x20 <= r && r <= 0xD7FF ||
		0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= 0x10FFFF
}

// xmlSafe returns s without the characters XML 1.0 does not allow and
// without invalid UTF-8. ASCII is checked a byte at a time (feeds carry
// whole posts, and each goes through here for every feed it is in).
func xmlSafe(s string) string {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return xmlStrip(s, i)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if !xmlChar(r) || r == utf8.RuneError && w == 1 {
			return xmlStrip(s, i)
		}
		i += w
	}
	return s
}

// xmlStrip is xmlSafe from s[i], the first character to drop, on.
func xmlStrip(s string, i int) string {
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if xmlChar(r) && (r != utf8.RuneError || w > 1) {
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}
