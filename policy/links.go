package policy

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
)

// siteIndex is what content.broken-link knows of the site: every post's
// slug (any audience, drafts included: a link to one is not broken, and
// audience.internal-link judges links to internal posts), every alias, and
// each post's source file.
type siteIndex struct {
	slugs    map[string]*Post // slug → post
	aliases  map[string]bool  // alias path, trimmed of slashes, lower case
	files    map[string]*Post // source path → post
	basePath string           // the site's path below its host ("/" or "/blog/")
}

func (r *run) indexSite(posts []*Post) {
	ix := &siteIndex{slugs: map[string]*Post{}, aliases: map[string]bool{}, files: map[string]*Post{}, basePath: "/"}
	for _, post := range posts {
		if post.Meta == nil {
			continue
		}
		slug := postSlug(post)
		ix.slugs[slug] = post
		ix.files[post.Path] = post
		for _, a := range post.Meta.Aliases {
			ix.aliases[strings.ToLower(strings.Trim(path.Clean("/"+a), "/"))] = true
		}
		if ix.basePath == "/" {
			if u, err := url.Parse(r.postURL(post)); err == nil {
				if b, ok := strings.CutSuffix(u.Path, "posts/"+slug+"/"); ok && b != "" {
					ix.basePath = b
				}
			}
		}
	}
	r.site = ix
}

// brokenLinks reports the links of a post's body that lead nowhere on the
// site and its reference links whose label is not defined (CommonMark
// shows those as bracketed text). Links audience.internal-link reported
// (flagged) are left to it.
func (pc *postCheck) brokenLinks(body []byte, links []link, flagged [][2]int) {
	// The code spans are found only when there is something to excuse.
	var code [][2]int
	codeDone := false
	inCode := func(at int) bool {
		if !codeDone {
			codeDone = true
			if bytes.IndexByte(body, '`') >= 0 || bytes.IndexByte(body, '~') >= 0 {
				code = codeSpans(body)
			}
		}
		return inSpans(code, at)
	}
	type broken struct {
		at         int
		match, msg string
	}
	var found []broken
	for _, l := range links {
		if l.image || slices.ContainsFunc(flagged, func(f [2]int) bool { return f[0] <= l.start && l.start < f[1] }) {
			continue
		}
		if why := pc.brokenLink(l.dest); why != "" && !inCode(l.start) {
			found = append(found, broken{l.start, l.dest, fmt.Sprintf("the link %s leads nowhere: %s", l.dest, why)})
		}
	}
	if bytes.Contains(body, []byte("][")) {
		inCode(0)
		defs := refDefs(body, code)
		for _, u := range refUses(body, code) {
			if !defs[u.label] {
				found = append(found, broken{u.start, u.label, fmt.Sprintf("the reference [%s] is not defined, so it shows as bracketed text; add a line \"[%s]: URL\" or fix the label (or put code in backticks)", u.label, u.label)})
			}
		}
	}
	// In order, so that positions are counted in one pass over the body.
	slices.SortStableFunc(found, func(a, b broken) int { return a.at - b.at })
	ps := pc.post.File.Positions()
	for _, b := range found {
		pc.add(ruleContentLink, ps.At(b.at), b.match, "%s", b.msg)
	}
}

// brokenLink returns why dest, a link in the body of a post, leads nowhere
// on this site, or "". Only links into the site are judged: root-relative
// and relative paths and URLs on the site's own hosts, under /posts/ (a
// post, an alias, a file of the post) and /authors/; a relative link to a
// .md file must name a post, and by its URL.
func (pc *postCheck) brokenLink(dest string) string {
	r, ix := pc.r, pc.r.site
	dest = strings.TrimSpace(dest)
	if dest == "" || dest[0] == '#' || ix == nil {
		return ""
	}
	if h, ok := quickHost(dest); ok && !r.siteHosts[h] {
		return "" // the common case, a link elsewhere, without parsing
	}
	u, err := url.Parse(dest)
	if err != nil || u.Opaque != "" {
		return ""
	}
	if u.Scheme != "" || u.Host != "" {
		if s := strings.ToLower(u.Scheme); s != "" && s != "http" && s != "https" || !r.siteHosts[strings.ToLower(u.Hostname())] {
			return ""
		}
	}
	ref := u.Path
	if ref == "" {
		return ""
	}
	if u.Host == "" && !strings.HasPrefix(ref, "/") && strings.EqualFold(path.Ext(ref), ".md") {
		target := path.Join(path.Dir(pc.post.Path), ref)
		if p, ok := ix.files[target]; ok {
			return "it names " + target + ", whose source is not published; link to its page, /posts/" + postSlug(p) + "/"
		}
		return "there is no post " + target + "; link to a post's page, /posts/<slug>/"
	}
	abs := ref
	if !strings.HasPrefix(ref, "/") {
		abs = path.Join("/posts/"+postSlug(pc.post)+"/", ref)
	} else if b := strings.TrimSuffix(ix.basePath, "/"); b != "" && (abs == b || strings.HasPrefix(abs, b+"/")) {
		abs = abs[len(b):]
	}
	rel := strings.Trim(path.Clean(abs), "/")
	if ix.aliases[strings.ToLower(rel)] {
		return ""
	}
	segs := strings.Split(rel, "/")
	if len(segs) < 2 {
		return ""
	}
	switch segs[0] {
	case "posts":
		p, ok := ix.slugs[strings.ToLower(segs[1])]
		if !ok {
			return "no post has the slug " + segs[1]
		}
		if len(segs) == 2 {
			return ""
		}
		file := strings.Join(segs[2:], "/")
		if file == "index.html" || file == "share.json" {
			return ""
		}
		if dir, ok := strings.CutSuffix(p.Path, "/index.md"); ok {
			if _, err := fs.Stat(r.fsys, dir+"/"+file); err == nil {
				return ""
			}
		}
		return "the post " + p.Path + " has no file " + file
	case "authors":
		if _, ok := r.p.people[segs[1]]; !ok {
			return "nobody in " + PeopleFile + " has the id " + segs[1]
		}
	}
	return ""
}

// codeSpans returns the byte ranges of a Markdown text that are code
// (fenced code blocks and inline code spans), sorted: links there are text,
// not links.
func codeSpans(text []byte) [][2]int {
	var out [][2]int
	lineStart := 0
	for lineStart < len(text) {
		end := lineEnd(text, lineStart)
		line := text[lineStart:end]
		if fence, ok := openFence(line); ok {
			// The block runs to a closing fence of the same character, at
			// least as long, or to the end of the text.
			close := len(text)
			for s := end + 1; s < len(text); {
				e := lineEnd(text, s)
				if closesFence(text[s:e], fence) {
					close = e
					break
				}
				s = e + 1
			}
			out = append(out, [2]int{lineStart, close})
			lineStart = close + 1
			continue
		}
		lineStart = end + 1
	}
	// Inline code between the blocks: a run of backticks up to the next run
	// of the same length in the same paragraph.
	var spans [][2]int
	prev := 0
	for _, b := range append(out, [2]int{len(text), len(text)}) {
		spans = appendCodeSpans(spans, text, prev, b[0])
		spans = append(spans, b)
		prev = b[1]
	}
	return spans[:len(spans)-1]
}

// lineEnd returns the offset of the newline ending the line that starts at
// s, or len(text).
func lineEnd(text []byte, s int) int {
	if e := bytes.IndexByte(text[s:], '\n'); e >= 0 {
		return s + e
	}
	return len(text)
}

// indent returns how many of a line's first bytes are spaces, up to three
// (CommonMark's allowance before a fence or a definition).
func indent(line []byte) int {
	i := 0
	for i < len(line) && i < 3 && line[i] == ' ' {
		i++
	}
	return i
}

// openFence returns the fence (``` or ~~~, or longer) a line opens with,
// after at most three spaces.
func openFence(line []byte) ([]byte, bool) {
	i := indent(line)
	if i+3 > len(line) || line[i] != '`' && line[i] != '~' {
		return nil, false
	}
	c, j := line[i], i
	for j < len(line) && line[j] == c {
		j++
	}
	if j-i < 3 || c == '`' && bytes.IndexByte(line[j:], '`') >= 0 {
		return nil, false
	}
	return line[i:j], true
}

// closesFence reports whether a line closes a block opened with fence: at
// most three spaces, then at least as many of the same character, then
// nothing but spaces.
func closesFence(line, fence []byte) bool {
	t := bytes.TrimRight(line, " \t\r")
	t = t[indent(t):]
	return len(t) >= len(fence) && len(bytes.Trim(t, string(fence[:1]))) == 0
}

// appendCodeSpans appends the inline code spans of text[from:to]: a run of
// backticks up to the next run of the same length in the same paragraph
// (one without is literal). Linear: each paragraph's runs are listed once.
func appendCodeSpans(out [][2]int, text []byte, from, to int) [][2]int {
	type run struct{ start, end int }
	var runs []run
	next := map[int]int{} // run length → index in runs of the next candidate
	for p := from; p < to; {
		pe := to
		if k := bytes.Index(text[p:to], []byte("\n\n")); k >= 0 {
			pe = p + k
		}
		runs = runs[:0]
		for i := p; i < pe; {
			k := bytes.IndexByte(text[i:pe], '`')
			if k < 0 {
				break
			}
			s, e := i+k, i+k
			for e < pe && text[e] == '`' {
				e++
			}
			runs = append(runs, run{s, e})
			i = e
		}
		clear(next)
		for k := 0; k < len(runs); k++ {
			n := runs[k].end - runs[k].start
			m := max(next[n], k+1)
			for m < len(runs) && runs[m].end-runs[m].start != n {
				m++
			}
			next[n] = m
			if m == len(runs) {
				continue // no closing run: literal backticks
			}
			out = append(out, [2]int{runs[k].start, runs[m].end})
			k = m
		}
		p = pe + 2
	}
	return out
}

// inSpans reports whether offset i is inside one of the spans, which are
// sorted and do not overlap (as codeSpans returns them).
func inSpans(spans [][2]int, i int) bool {
	k := sort.Search(len(spans), func(k int) bool { return spans[k][1] > i })
	return k < len(spans) && spans[k][0] <= i
}

// refDefs returns the normalised labels of the reference definitions in a
// text ("[label]: dest" at the start of a line, outside code).
func refDefs(text []byte, code [][2]int) map[string]bool {
	defs := map[string]bool{}
	for s := 0; s < len(text); {
		e := lineEnd(text, s)
		line := text[s:e]
		i := indent(line)
		if i < len(line) && line[i] == '[' && !inSpans(code, s+i) {
			if c := bytes.Index(line[i:], []byte("]:")); c > 1 {
				defs[normLabel(line[i+1:i+c])] = true
			}
		}
		s = e + 1
	}
	return defs
}

// refUse is a reference link, [text][label] or [label][], in a text.
type refUse struct {
	start int // of the label
	label string
}

// refUses returns the full and collapsed reference links of a text
// outside code. Linear: the last '[', ']' and newline before each "][" are
// tracked as the scan goes.
func refUses(text []byte, code [][2]int) []refUse {
	var out []refUse
	open, closed, nl := -1, -1, -1 // last '[', ']' and '\n' before the scan
	seen := 0
	for i := 0; ; {
		k := bytes.Index(text[i:], []byte("]["))
		if k < 0 {
			return out
		}
		at := i + k
		if seen < at {
			seg := text[seen:at]
			if j := bytes.LastIndexByte(seg, '['); j >= 0 {
				open = seen + j
			}
			if j := bytes.LastIndexByte(seg, ']'); j >= 0 {
				closed = seen + j
			}
			if j := bytes.LastIndexByte(seg, '\n'); j >= 0 {
				nl = seen + j
			}
			seen = at
		}
		i = at + 2
		if inSpans(code, at) || at > 0 && text[at-1] == '\\' {
			continue
		}
		end := bytes.IndexAny(text[i:], "]\n[")
		if end < 0 || text[i+end] != ']' {
			continue
		}
		label := text[i : i+end]
		start := i
		if len(bytes.TrimSpace(label)) == 0 {
			// [label][]: the text is the label.
			if open < 0 || open < nl || closed > open {
				continue
			}
			label, start = text[open+1:at], open+1
		}
		if bytes.HasPrefix(label, []byte("^")) {
			continue // a footnote
		}
		out = append(out, refUse{start: start, label: normLabel(label)})
		i += end + 1
	}
}

// normLabel matches labels as CommonMark does: case-insensitively, with
// runs of white space as one space.
func normLabel(b []byte) string {
	return strings.ToLower(strings.Join(strings.Fields(string(b)), " "))
}
