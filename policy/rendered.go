package policy

import (
	"bytes"
	"encoding/json"
	"html"
	"html/template"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/peerpress/peerpress/build/share"
	"github.com/peerpress/peerpress/build/source"
)

// Rendered is what the build produced for one post.
type Rendered struct {
	Post *Post
	// PageHTML is the post's page (posts/<slug>/index.html).
	PageHTML []byte
	// FeedItems are the HTML contents of the post's feed items.
	FeedItems [][]byte
	// EmployeeShare maps a platform to the employee share text.
	EmployeeShare map[string]string
}

// Artifact is one output file of a build.
type Artifact struct {
	Path string
	Data []byte
}

// InternalPost is an internal post that a public build must not reveal.
type InternalPost struct {
	// File is the post's source file, relative to the site root.
	File  string
	Title string
	Slug  string
	// URL is the absolute URL the post would have.
	URL string
	// Pos is the position of the post's audience key (zero: line 1).
	Pos source.Pos
}

// CheckRendered verifies the disclosure on the rendered site. For every post
// that discusses the employer's products, each author's disclosure statement
// must be in the page's byline region (after the start of the article and
// before the summary) and at the start of every feed item (disclose.byline).
// For every post, each employee share text must start with ShareDisclosure()
// (disclose.share-missing). These findings are not subject to waivers.
func (p *Policy) CheckRendered(rs []Rendered) []Finding {
	var out []Finding
	for _, rd := range rs {
		post := rd.Post
		if post == nil || post.File == nil || post.Meta == nil {
			continue
		}
		add := func(rule string, pos source.Pos, format string, args ...any) {
			if f, ok := p.finding(rule, post.Path, pos, format, args...); ok {
				out = append(out, f)
			}
		}
		if p.DiscussesProducts(post) {
			pos := post.File.Open
			if pp, ok := post.Meta.Pos["products"]; ok {
				pos = pp
			} else if fp, ok := p.firstProduct(post); ok {
				pos = fp
			}
			var stmts []string
			for _, id := range post.Meta.Authors {
				if per, ok := p.people[id]; ok {
					stmts = append(stmts, share.NormalizeSpace(p.Statement(per)))
				}
			}
			if len(stmts) > 0 {
				if rd.PageHTML != nil {
					for _, s := range missingFromByline(rd.PageHTML, stmts, share.NormalizeSpace(post.Meta.Summary)) {
						add(ruleDiscloseByline, pos, "the page of this post does not show the disclosure %q in its byline, before the summary; the theme must render it (it discusses %s products)", s, p.employerName)
					}
				}
				for i, item := range rd.FeedItems {
					for _, s := range missingFromStart(item, stmts) {
						add(ruleDiscloseByline, pos, "feed item %d of this post does not start with the disclosure %q", i+1, s)
					}
				}
			}
		}
		want := share.NormalizeSpace(p.ShareDisclosure())
		platforms := make([]string, 0, len(rd.EmployeeShare))
		for k := range rd.EmployeeShare {
			platforms = append(platforms, k)
		}
		sort.Strings(platforms)
		for _, k := range platforms {
			if want != "" && !strings.HasPrefix(share.NormalizeSpace(rd.EmployeeShare[k]), want) {
				pos := post.File.Open
				if sp, ok := post.Meta.Pos["share"]; ok {
					pos = sp
				}
				add(ruleDiscloseShare, pos, "the employee share text for %s does not start with the disclosure %q", k, want)
			}
		}
	}
	return out
}

// missingFromByline returns the statements that do not appear in the page
// between the start of its article (or body) and the summary. Without a
// summary in the page, they must appear near the start of the article.
func missingFromByline(page []byte, stmts []string, summary string) []string {
	start := bytes.Index(page, []byte("<article"))
	if start < 0 {
		start = max(bytes.Index(page, []byte("<body")), 0)
	}
	page = page[start:]
	// The byline is near the top: the text of the first few KB of the
	// article usually settles it. The text of page[:n], cut just before a
	// tag, is a prefix of the whole page's text, so a first occurrence in
	// it is the first occurrence; and a statement not in it ends past it,
	// which is past limit once limit is within it. A page whose summary is
	// not near the top is read again in longer parts, then whole: at most
	// about 1.33 times the text of reading it whole once.
	summaryStart := prefixRunes(summary, 60)
	for n := 8 << 10; ; n *= 4 {
		cut := len(page)
		if n < len(page) {
			if j := bytes.LastIndexByte(page[:n], '<'); j > 0 {
				cut = j
			}
		}
		missing, limit, summaryFound := bylineMissing(htmlText(page[:cut]), stmts, summary)
		if cut == len(page) || summaryFound || summaryStart == "" && limit >= 0 {
			return missing
		}
	}
}

// bylineMissing is missingFromByline on the text of the article (or a
// prefix of it): the statements missing before the summary, or before
// about 600 characters when the summary is not in text. limit is -1 when
// that bound is past the end of text (a longer prefix could decide
// otherwise); summaryFound says whether the summary's start was found.
func bylineMissing(text string, stmts []string, summary string) (missing []string, limit int, summaryFound bool) {
	limit = -1
	if s := prefixRunes(summary, 60); s != "" {
		limit = strings.Index(text, s)
	}
	summaryFound = limit >= 0
	if !summaryFound {
		limit = 600
		for _, s := range stmts {
			limit += len(s) + 1
		}
	}
	for _, s := range stmts {
		if i := strings.Index(text, s); i < 0 || i+len(s) > limit {
			missing = append(missing, s)
		}
	}
	if limit > len(text) {
		limit = -1
	}
	return missing, limit, summaryFound
}

// missingFromStart returns the statements that are not at the start of a
// feed item: they must all come first, after at most a short label such as
// "Disclosure:" (no sentence of content before them).
func missingFromStart(item []byte, stmts []string) []string {
	text := htmlText(item)
	limit := 24
	for _, s := range stmts {
		limit += len(s) + 1
	}
	first := len(text)
	for _, s := range stmts {
		if i := strings.Index(text, s); i >= 0 {
			first = min(first, i)
		}
	}
	lead := strings.ContainsAny(text[:first], ".!?") || first > 24
	var missing []string
	for _, s := range stmts {
		if i := strings.Index(text, s); i < 0 || i+len(s) > limit || lead {
			missing = append(missing, s)
		}
	}
	return missing
}

func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// htmlText returns the text of an HTML fragment: tags, comments, scripts
// and styles removed, entities decoded, white space collapsed.
func htmlText(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); {
		if b[i] != '<' {
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				j = len(b) - i
			}
			sb.WriteString(html.UnescapeString(string(b[i : i+j])))
			i += j
			continue
		}
		if bytes.HasPrefix(b[i:], []byte("<!--")) {
			j := bytes.Index(b[i:], []byte("-->"))
			if j < 0 {
				break
			}
			i += j + 3
			continue
		}
		j := bytes.IndexByte(b[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(string(b[i+1 : i+j]))
		i += j + 1
		for _, raw := range []string{"script", "style"} {
			if strings.HasPrefix(tag, raw) && (len(tag) == len(raw) || tag[len(raw)] == ' ') {
				k := bytes.Index(bytes.ToLower(b[i:]), []byte("</"+raw))
				if k < 0 {
					i = len(b)
				} else {
					i += k
				}
			}
		}
		if !inlineTag(tag) {
			sb.WriteByte(' ')
		}
	}
	return share.NormalizeSpace(sb.String())
}

// inlineTag reports whether a tag (its text after '<') is an inline
// element, which does not separate words.
func inlineTag(tag string) bool {
	name := strings.TrimPrefix(tag, "/")
	if i := strings.IndexAny(name, " \t\n/"); i >= 0 {
		name = name[:i]
	}
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var":
		return true
	}
	return false
}

// CheckLeaks verifies that no internal post's title, slug or URL appears in
// the output of a public build, output paths included. Titles shorter than
// 12 characters are ignored (too common to mean anything); a slug must stand
// alone (a slug "lab" does not match "label" or "lab-notes"), and a slug of
// one word counts only in a path ("/lab"). Each finding points at the
// internal post's source file and names the output file.
func (p *Policy) CheckLeaks(outputs []Artifact, internal []InternalPost) []Finding {
	return p.NewLeakScanner(internal).Check(outputs)
}

// LeakScanner is CheckLeaks with its search built once, for a build that
// checks its outputs in batches as they are made. It is safe for
// concurrent use.
type LeakScanner struct {
	p        *Policy
	internal []InternalPost
	texts    [][]byte
	needles  []leakNeedle
	set      *needleSet
}

type leakNeedle struct {
	post int
	what string
	slug bool // needs slug boundaries
	path bool // needs a '/' before it
}

// NewLeakScanner prepares the search for the internal posts' titles,
// slugs and URLs.
func (p *Policy) NewLeakScanner(internal []InternalPost) *LeakScanner {
	l := &LeakScanner{p: p, internal: internal}
	if len(internal) == 0 {
		return l
	}
	addNeedle := func(s string, n leakNeedle) {
		if s == "" {
			return
		}
		l.texts = append(l.texts, asciiLower([]byte(s)))
		l.needles = append(l.needles, n)
	}
	for i, ip := range internal {
		if t := strings.TrimSpace(ip.Title); utf8.RuneCountInString(t) >= 12 {
			seen := map[string]bool{}
			for _, v := range titleForms(t) {
				if !seen[v] {
					seen[v] = true
					addNeedle(v, leakNeedle{post: i, what: "title"})
				}
			}
		}
		if s := strings.ToLower(strings.Trim(ip.Slug, "/")); s != "" {
			addNeedle(s, leakNeedle{post: i, what: "slug", slug: true, path: !strings.ContainsAny(s, "-_")})
		}
		if u := strings.TrimSuffix(normURL(ip.URL), "/"); u != "" && strings.Contains(u, "/") {
			addNeedle(u, leakNeedle{post: i, what: "URL", slug: true})
		}
	}
	l.set = newNeedleSet(l.texts)
	return l
}

// Check returns the audience.leak findings of outputs, as CheckLeaks.
func (l *LeakScanner) Check(outputs []Artifact) []Finding {
	if len(l.internal) == 0 {
		return nil
	}
	internal, needles, texts := l.internal, l.needles, l.texts
	type key struct{ post, out int }
	found := map[key]string{}
	var keys []key
	var ms []match
	for oi, o := range outputs {
		if isBinaryName(o.Path) {
			continue
		}
		for _, data := range [][]byte{[]byte("/" + o.Path), o.Data} {
			ms = l.set.find(data, ms[:0])
			for _, m := range ms {
				n := needles[m.needle]
				end := int(m.end)
				start := end - len(texts[m.needle])
				if n.slug && !slugBoundary(data, start, end) {
					continue
				}
				if n.path && (start == 0 || data[start-1] != '/') {
					continue
				}
				k := key{n.post, oi}
				if _, ok := found[k]; !ok {
					found[k] = n.what
					keys = append(keys, k)
				}
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if internal[a.post].File != internal[b.post].File {
			return internal[a.post].File < internal[b.post].File
		}
		return outputs[a.out].Path < outputs[b.out].Path
	})
	var out []Finding
	for _, k := range keys {
		ip := internal[k.post]
		what := found[k]
		shown := ip.Slug
		switch what {
		case "title":
			shown = ip.Title
		case "URL":
			shown = ip.URL
		}
		if f, ok := l.p.finding(ruleAudienceLeak, ip.File, ip.Pos, "this internal post's %s %q appears in the public output %s; nothing internal may appear in a public build", what, shown, outputs[k.out].Path); ok {
			out = append(out, f)
		}
	}
	return out
}

// titleForms returns a title as it may be written in HTML, XML and JSON.
func titleForms(t string) []string {
	forms := []string{t, html.EscapeString(t), template.HTMLEscapeString(t), strings.ReplaceAll(template.HTMLEscapeString(t), "+", "&#43;")}
	if b, err := json.Marshal(t); err == nil {
		forms = append(forms, strings.Trim(string(b), `"`))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(t) == nil {
		forms = append(forms, strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return forms
}

func isBinaryName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".ico", ".woff", ".woff2", ".ttf", ".otf", ".pdf", ".zip", ".gz", ".mp4", ".webm", ".mp3":
		return true
	}
	return false
}

// slugBoundary reports whether data[start:end] is not part of a longer
// slug-like word (letters, digits, '-' and '_').
func slugBoundary(data []byte, start, end int) bool {
	word := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c >= 0x80
	}
	return (start == 0 || !word(data[start-1])) && (end >= len(data) || !word(data[end]))
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
