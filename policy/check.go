package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/peerpress/peerpress/build/source"
	"github.com/peerpress/peerpress/internal/par"
	yaml "go.yaml.in/yaml/v4"
)

// Post is one post to check. The build fills it; Check parses File and Meta
// itself when both File and Err are nil.
type Post struct {
	// Path is slash-separated and relative to the site root.
	Path string
	// File is the parsed file; nil when parsing failed.
	File *source.File
	// Err is the parse error (reported as fm.syntax).
	Err *source.Error
	// Meta and Problems are source.DecodeMeta(File).
	Meta     *source.Meta
	Problems []source.Problem

	// What the check found of the products the post names, so that
	// firstProduct does not scan the post again: scannedBy is the policy
	// whose checkPost scanned every text of File.
	scannedBy    *Policy
	namesProduct bool
	productAt    source.Pos
}

// Options tune a check.
type Options struct {
	// Now is the clock for training, waivers and dates; zero means time.Now().
	Now time.Time
	// Changed, when not nil, limits the author.* and review.* rules to the
	// posts it accepts (e.g. those changed since a git revision).
	Changed func(path string) bool
	// PostURL returns a post's absolute permalink. It is needed for
	// share.too-long (skipped when nil) and to recognise links to internal
	// posts by URL.
	PostURL func(*Post) string
	// Hashtags are the site-wide share hashtags (site.yaml share.hashtags).
	Hashtags []string
	// StripImages is true when site.yaml strips image metadata on publish;
	// image.gps is then not reported.
	StripImages bool
	// Reviewed, when not nil, returns the evidence of review for a post: the
	// ids, e-mail addresses or GitHub logins of the people who approved it
	// (from Reviewed-by trailers or pull-request approvals). It is consulted
	// for review.unverified when disclosure.yaml sets review.verify.
	Reviewed func(*Post) []string
	// Site, when not nil, is every post of the site, when Check is given
	// only some of them (the dev server checks the changed ones): the
	// links of the checked posts are judged against all of them
	// (content.broken-link).
	Site []*Post
	// Pages are published texts that are not posts (author bios): their
	// front matter and body are scanned for what no public page may
	// carry (secrets, codenames, confidential markers, internal links and
	// hosts, unapproved clients, internal titles, GPS in images); no post
	// rules apply to them.
	Pages []*Post
	// Cache, when not nil, keeps the word scanner's hits on post bodies
	// between runs (see ScanCache); CacheID, in every key, tells apart the
	// code that found them (package build gives the running binary's hash).
	Cache   ScanCache
	CacheID []byte
}

// run is the state of one Check call. It is read-only while posts are
// checked in parallel.
type run struct {
	p    *Policy
	fsys fs.FS
	opts Options
	// internal posts, for audience.internal-link
	internalSlug map[string]string // slug → path
	internalURL  map[string]string // URL without scheme and trailing slash → path
	internalFile map[string]string // path → path
	siteHosts    map[string]bool
	site         *siteIndex // for content.broken-link
	// leaks finds the internal posts' titles in public posts'
	// texts (audience.leak at the source, before anything is rendered).
	leaks *LeakScanner
}

// postResult is what checking one post produced.
type postResult struct {
	findings []found
	images   []string // image files to check for GPS data
	skipped  bool     // author/review rules were skipped (not changed)
}

// Check checks posts against the policy and returns the sorted report, with
// waivers applied. fsys is the site root; it is read for posts that are not
// parsed yet and for images. Posts are checked in parallel (at most
// GOMAXPROCS at a time). If ctx is cancelled the report holds what was done.
func (p *Policy) Check(ctx context.Context, fsys fs.FS, posts []*Post, opts Options) *Report {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := &run{p: p, fsys: fsys, opts: opts,
		internalSlug: map[string]string{}, internalURL: map[string]string{}, internalFile: map[string]string{}, siteHosts: map[string]bool{}}
	for _, d := range p.domains {
		r.siteHosts[d] = true
	}
	// Parse what the caller did not, so the internal posts are known.
	forEach(ctx, len(posts), func(i int) {
		post := posts[i]
		if post.File == nil && post.Err == nil {
			parsePost(fsys, post)
		}
		if post.File != nil && post.Meta == nil {
			post.Meta, post.Problems = source.DecodeMeta(post.File)
		}
	})
	for _, post := range posts {
		if post.Meta == nil {
			continue
		}
		if u := r.postURL(post); u != "" {
			if h := linkHost(u); h != "" {
				r.siteHosts[h] = true
			}
		}
		if post.Meta.Audience != "internal" {
			continue
		}
		r.internalSlug[postSlug(post)] = post.Path
		r.internalFile[post.Path] = post.Path
		if u := r.postURL(post); u != "" {
			r.internalURL[normURL(u)] = post.Path
		}
	}

	if opts.Site != nil {
		r.indexSite(opts.Site)
	} else {
		r.indexSite(posts)
	}
	var titles []InternalPost
	for _, post := range posts {
		if post.Meta != nil && post.Meta.Audience == "internal" {
			titles = append(titles, InternalPost{File: post.Path, Title: post.Meta.Title})
		}
	}
	if l := p.NewLeakScanner(titles); l.set != nil {
		r.leaks = l
	}

	results := make([]postResult, len(posts))
	scanners := make([]*scanner, runtime.GOMAXPROCS(0)) // one per goroutine
	par.Do(ctx, len(scanners), len(posts), func(w, i int) {
		if scanners[w] == nil {
			scanners[w] = newScanner(p, true)
		}
		results[i] = r.checkPost(scanners[w], posts[i])
	})

	pageResults := make([]postResult, len(opts.Pages))
	if len(opts.Pages) > 0 {
		sc := newScanner(p, true)
		for i, pg := range opts.Pages {
			if pg.File != nil {
				pageResults[i] = r.checkPage(sc, pg)
			}
		}
	}
	results = append(results, pageResults...)
	posts = append(posts[:len(posts):len(posts)], opts.Pages...)

	rep := &Report{Files: len(posts)}
	imageAuthors := map[string][]string{}
	var images []string
	var all []found
	for i, res := range results {
		all = append(all, res.findings...)
		for _, img := range res.images {
			if _, ok := imageAuthors[img]; !ok {
				images = append(images, img)
			}
			if posts[i].Meta != nil {
				imageAuthors[img] = append(imageAuthors[img], posts[i].Meta.Authors...)
			}
		}
	}
	sort.Strings(images)
	gps := make([][]found, len(images))
	forEach(ctx, len(images), func(i int) { gps[i] = r.checkImage(images[i]) })
	for _, g := range gps {
		all = append(all, g...)
	}
	rep.Findings = r.applyWaivers(all, posts, results, imageAuthors)
	rep.Sort()
	return rep
}

// forEach calls fn(0..n-1) on at most GOMAXPROCS goroutines.
func forEach(ctx context.Context, n int, fn func(i int)) {
	par.Do(ctx, runtime.GOMAXPROCS(0), n, func(_, i int) { fn(i) })
}

// parsePost reads and parses post.Path from fsys.
func parsePost(fsys fs.FS, post *Post) {
	data, err := fs.ReadFile(fsys, post.Path)
	if err != nil {
		post.Err = source.Errorf(post.Path, source.Pos{Line: 1, Col: 1}, "cannot read: %v", err)
		return
	}
	f, err := source.Parse(post.Path, data)
	if err != nil {
		var se *source.Error
		if !errors.As(err, &se) {
			se = source.Errorf(post.Path, source.Pos{Line: 1, Col: 1}, "%v", err)
		}
		post.Err = se
		return
	}
	post.File = f
	post.Meta, post.Problems = source.DecodeMeta(f)
}

func (r *run) postURL(post *Post) string {
	if r.opts.PostURL == nil {
		return ""
	}
	return r.opts.PostURL(post)
}

// normURL drops the scheme, query, fragment and trailing slash of a URL.
func normURL(u string) string {
	u = strings.ToLower(u)
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	return strings.TrimSuffix(u, "/")
}

// finding makes a finding with the rule's effective severity; ok is false
// when the rule is off.
func (p *Policy) finding(rule, file string, pos source.Pos, format string, args ...any) (Finding, bool) {
	sev := p.severity[rule]
	if sev == Off || sev == "" {
		return Finding{}, false
	}
	if pos.Line < 1 {
		pos = source.Pos{Line: 1, Col: 1}
	}
	return Finding{File: file, Line: pos.Line, Column: max(pos.Col, 1), Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...)}, true
}

// found is a finding with the text its rule matched. The text may be a
// secret, so it is never output; a waiver's match: is looked for in it.
type found struct {
	Finding
	match string
}

// postCheck collects one post's findings.
type postCheck struct {
	r    *run
	post *Post
	page bool // an author bio (Options.Pages), not a post: no links judged as a post's
	out  []found
	// detected entities: index → first position and count
	products, competitors, clients map[int]*seen
	shares                         []shareText
}

type seen struct {
	pos   source.Pos
	count int
}

type shareText struct {
	name  string
	lower []byte
	pos   source.Pos
}

func (pc *postCheck) add(rule string, pos source.Pos, match, format string, args ...any) {
	if f, ok := pc.r.p.finding(rule, pc.post.Path, pos, format, args...); ok {
		pc.out = append(pc.out, found{f, match})
	}
}

// unit is one text of a post: a front-matter value or the body.
type unit struct {
	name string
	text []byte
	pos  source.Pos // front-matter values: the value node's position
	body bool
}

// units returns the texts of a post that are scanned.
func units(f *source.File) []unit {
	var out []unit
	scalar := func(name string) {
		if _, v := f.Lookup(name); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			out = append(out, unit{name: name, text: []byte(v.Value), pos: source.NodePos(v)})
		}
	}
	list := func(name string) {
		if _, v := f.Lookup(name); v != nil && v.Kind == yaml.SequenceNode {
			for _, it := range v.Content {
				if it.Kind == yaml.ScalarNode && it.Value != "" {
					out = append(out, unit{name: name, text: []byte(it.Value), pos: source.NodePos(it)})
				}
			}
		}
	}
	scalar("title")
	scalar("summary")
	scalar("description")
	// What ends up in URLs, page names and feed categories is published
	// as much as the title is.
	scalar("slug")
	list("tags")
	list("categories")
	list("aliases")
	name := path.Base(f.Path)
	if name == "index.md" || name == "_index.md" {
		name = path.Base(path.Dir(f.Path))
	}
	if name = strings.TrimSuffix(name, path.Ext(name)); name != "" {
		out = append(out, unit{name: "file name", text: []byte(name), pos: source.Pos{Line: 1, Col: 1}})
	}
	if _, v := f.Lookup("share"); v != nil {
		switch v.Kind {
		case yaml.ScalarNode:
			if v.Tag == "!!str" && v.Value != "off" && v.Value != "false" {
				out = append(out, unit{name: "share", text: []byte(v.Value), pos: source.NodePos(v)})
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, sv := v.Content[i], v.Content[i+1]
				if sv.Kind == yaml.ScalarNode {
					out = append(out, unit{name: "share." + k.Value, text: []byte(sv.Value), pos: source.NodePos(sv)})
				}
			}
		}
	}
	out = append(out, unit{name: "body", text: f.Body, body: true})
	return out
}

func (u unit) posAt(f *source.File, off int) source.Pos {
	if !u.body {
		return u.pos
	}
	return f.OffsetPos(off)
}

// checkPage scans a published page that is not a post (see Options.Pages).
func (r *run) checkPage(sc *scanner, page *Post) postResult {
	pc := &postCheck{r: r, post: page, page: true, products: map[int]*seen{}, competitors: map[int]*seen{}, clients: map[int]*seen{}}
	var res postResult
	for _, u := range units(page.File) {
		pc.scanUnit(sc, u, true, &res)
	}
	res.findings = pc.out
	return res
}

// checkPost applies every per-post rule.
func (r *run) checkPost(sc *scanner, post *Post) postResult {
	pc := &postCheck{r: r, post: post, products: map[int]*seen{}, competitors: map[int]*seen{}, clients: map[int]*seen{}}
	p := r.p
	if post.Err != nil {
		pos := post.Err.Pos
		pc.add(ruleFMSyntax, pos, "", "%s", post.Err.Msg)
		return postResult{findings: pc.out}
	}
	f := post.File
	if f == nil {
		return postResult{}
	}
	if post.Meta == nil {
		post.Meta, post.Problems = source.DecodeMeta(f)
	}
	m := post.Meta
	for _, pr := range post.Problems {
		pc.add(pr.Rule, pr.Pos, "", "%s", pr.Msg)
	}
	public := m.Audience != "internal"

	// Declared ids must exist.
	for _, g := range []struct {
		key  string
		ids  []string
		what string
		es   []Entity
	}{{"products", m.Products, "product", p.products}, {"mentions.competitors", m.Competitors, "competitor", p.competitors}, {"mentions.clients", m.Clients, "client", p.clients}} {
		for _, id := range g.ids {
			if entityIndex(g.es, id) < 0 {
				pc.add(ruleFMUnknownID, pc.keyPos(g.key), id, "%s lists %q, which is not a %s in %s (known: %s)", g.key, id, g.what, DisclosureFile, entityIDs(g.es))
			}
		}
	}

	// Scan every text.
	var res postResult
	for _, u := range units(f) {
		pc.scanUnit(sc, u, public, &res)
	}

	post.scannedBy, post.namesProduct = p, false
	for _, s := range pc.products {
		if !post.namesProduct || before(s.pos, post.productAt) {
			post.productAt, post.namesProduct = s.pos, true
		}
	}

	// Declarations against detections.
	for _, i := range sortedKeys(pc.products) {
		s := pc.products[i]
		e := p.products[i]
		if !contains(m.Products, e.ID) {
			pc.add(ruleDiscloseProduct, s.pos, e.ID, "the post names the product %s (%s) but products: does not declare it; add %q to products: so the disclosure is shown%s", e.Names[0], e.ID, e.ID, more(s.count))
		}
	}
	for _, i := range sortedKeys(pc.competitors) {
		s := pc.competitors[i]
		e := p.competitors[i]
		if !contains(m.Competitors, e.ID) {
			pc.add(ruleMentionCompetitor, s.pos, e.ID, "the post names the competitor %s (%s) but mentions.competitors does not declare it; declare it and get a legal review%s", e.Names[0], e.ID, more(s.count))
		}
	}
	if public {
		for _, i := range sortedKeys(pc.clients) {
			s := pc.clients[i]
			e := p.clients[i]
			if e.ReferenceApproved && !contains(m.Clients, e.ID) {
				pc.add(ruleMentionClient, s.pos, e.ID, "the post names the client %s (%s) but mentions.clients does not declare it; add %q to mentions.clients%s", e.Names[0], e.ID, e.ID, more(s.count))
			}
		}
		for _, id := range m.Clients {
			if i := entityIndex(p.clients, id); i >= 0 && !p.clients[i].ReferenceApproved && pc.clients[i] == nil {
				pc.add(ruleMentionClient, pc.keyPos("mentions.clients"), id, "mentions.clients declares %s, but %s has no approved reference (clients.%s.reference_approved is false); a public post may not name it", id, p.clients[i].Names[0], id)
			}
		}
	}

	// Hand-written share text must disclose.
	if public && !m.ShareOff && p.discusses(m, len(pc.products) > 0) {
		for _, s := range pc.shares {
			if p.hasApproved(s.lower) {
				continue
			}
			if amb := p.ambiguousIn(s.lower); amb != "" {
				pc.add(ruleDiscloseAmbiguous, s.pos, amb, "%s relies on %q, which readers do not understand as a disclosure; write %q", s.name, amb, p.ShareDisclosure())
				continue
			}
			pc.add(ruleDiscloseShare, s.pos, "", "%s does not disclose that the author works at %s; include an approved phrase such as %q", s.name, p.employerName, p.approvedExample())
		}
	}

	changed := r.opts.Changed == nil || r.opts.Changed(post.Path)
	if changed {
		pc.people()
	}
	res.skipped = !changed
	if r.opts.PostURL != nil && !m.ShareOff {
		pc.shareLength()
	}
	if public && !r.opts.StripImages {
		res.images = append(res.images, r.postImages(post)...)
	}
	res.findings = pc.out
	return res
}

func (pc *postCheck) keyPos(key string) source.Pos {
	if pos, ok := pc.post.Meta.Pos[key]; ok {
		return pos
	}
	return pc.post.File.Open
}

// scanUnit runs the scanners over one text.
func (pc *postCheck) scanUnit(sc *scanner, u unit, public bool, res *postResult) {
	p, f := pc.r.p, pc.post.File
	folded := true // sc.lower holds u.text folded
	if u.body {
		folded = pc.r.scanWords(sc, u.text, public)
	} else {
		sc.words(u.text, public) // short: scanning costs less than a look-up
	}
	for _, h := range sc.hits {
		pos := u.posAt(f, h.start)
		matched := string(u.text[h.start:h.end])
		switch h.kind {
		case kindProduct, kindCompetitor, kindClient:
			t := p.match.terms[h.term]
			m := pc.products
			switch h.kind {
			case kindCompetitor:
				m = pc.competitors
			case kindClient:
				m = pc.clients
			}
			if s := m[t.entity]; s == nil {
				m[t.entity] = &seen{pos: pos, count: 1}
			} else {
				s.count++
				if before(pos, s.pos) {
					s.pos = pos
				}
			}
			if h.kind == kindClient && public && !p.clients[t.entity].ReferenceApproved {
				e := p.clients[t.entity]
				pc.add(ruleMentionClient, pos, matched, "the post names the client %s, which has not approved being named (clients.%s.reference_approved is false); remove the name or get a signed reference", matched, e.ID)
			}
		case kindConfidential:
			pc.add(ruleTermsConfidential, pos, matched, "%q marks confidential material; remove it and whatever it marks", matched)
		case kindPolitics:
			pc.add(ruleTermsPolitics, pos, matched, "%q touches politics; keep political topics out of the company blog or get comms review", matched)
		case kindCodename:
			pc.add(ruleTermsCodename, pos, matched, "%q is a project codename (listed in %s); remove it", redactName(matched), p.codenameFile)
		}
	}
	sc.evs = p.probe.events(u.text, sc.evs[:0])
	for _, s := range p.findSecrets(u.text, sc.evs) {
		msg := fmt.Sprintf("%s %q; remove it and revoke it, it must be treated as leaked", s.what, redact(s.value))
		if s.what == "private key" {
			msg = "private key block; remove it and revoke the key, it must be treated as leaked"
		}
		pc.add(ruleSecretKey, u.posAt(f, s.start), s.value, "%s", msg)
	}
	links := findLinks(u.text, sc.evs)
	var flagged [][2]int
	if public {
		for _, l := range links {
			if why := pc.internalLink(l.dest); why != "" {
				shown := withoutUserinfo(l.dest)
				pc.add(ruleAudienceLink, u.posAt(f, l.start), shown, "a public post links to %s (%s); readers cannot follow it and it reveals internal names", shown, why)
				flagged = append(flagged, [2]int{l.start, l.end})
			}
		}
	}
	if u.body && !pc.page {
		pc.brokenLinks(u.text, links, flagged)
	}
	if !public {
		return
	}
	if l := pc.r.leaks; l != nil {
		for _, m := range l.set.find(u.text, nil) {
			ip := l.internal[l.needles[m.needle].post]
			start := int(m.end) - len(l.texts[m.needle])
			pc.add(ruleAudienceLeak, u.posAt(f, start), ip.Title, "this public post quotes the title of the internal post %s (%q); nothing internal may appear in a public post: rephrase it", ip.File, ip.Title)
		}
	}
	if !folded && len(sc.evs) > 0 { // findHosts reads the folded text around events
		sc.lower = fold(sc.lower, u.text)
	}
	for _, h := range p.findHosts(sc.lower, sc.evs) {
		inLink := false
		for _, fl := range flagged {
			inLink = inLink || h.start >= fl[0] && h.end <= fl[1]
		}
		if !inLink {
			name := string(u.text[h.start:h.end])
			pc.add(ruleSecretHost, u.posAt(f, h.start), name, "%q is %s; a public post must not name internal hosts or addresses", name, h.why)
		}
	}
	if u.body && !pc.r.opts.StripImages {
		for _, l := range links {
			if img := pc.imageRef(l); img != "" {
				res.images = append(res.images, img)
			}
		}
	}
	if strings.HasPrefix(u.name, "share") {
		pc.shares = append(pc.shares, shareText{name: u.name, lower: append([]byte(nil), sc.lower...), pos: u.pos})
	}
}

// redactName shows the first letter of a codename only.
func redactName(s string) string {
	r := []rune(s)
	if len(r) <= 1 {
		return "…"
	}
	return string(r[:1]) + "…"
}

// internalLink reports why dest, a link in a public post, is internal, or "".
func (pc *postCheck) internalLink(dest string) string {
	r := pc.r
	dest = strings.TrimSpace(dest)
	if dest == "" || strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "mailto:") {
		return ""
	}
	if h, ok := quickHost(dest); ok {
		// The common case, an absolute link elsewhere, without parsing.
		if _, internal := r.p.internalHost(h); !internal && !r.siteHosts[h] {
			return ""
		}
	}
	u, err := url.Parse(dest)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host != "" {
		if why, ok := r.p.internalHost(host); ok {
			return why
		}
		if p, ok := r.internalURL[normURL(dest)]; ok {
			return "the internal post " + p
		}
		if !r.siteHosts[host] {
			return ""
		}
	}
	if u.Scheme != "" && host == "" {
		return ""
	}
	ref := u.Path
	if ref == "" {
		return ""
	}
	if strings.HasSuffix(ref, ".md") && !strings.HasPrefix(ref, "/") {
		target := path.Join(path.Dir(pc.post.Path), ref)
		if p, ok := r.internalFile[target]; ok {
			return "the internal post " + p
		}
		return ""
	}
	// Resolve against the post's own page, /posts/<slug>/.
	abs := ref
	if !strings.HasPrefix(ref, "/") {
		abs = path.Join("/posts/"+postSlug(pc.post)+"/", ref)
	}
	segs := strings.Split(strings.Trim(abs, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "posts" {
			if p, ok := r.internalSlug[strings.ToLower(segs[i+1])]; ok {
				return "the internal post " + p
			}
		}
	}
	return ""
}

// withoutUserinfo removes "user:password@" from a URL, so that messages
// never repeat a password.
func withoutUserinfo(dest string) string {
	i := strings.Index(dest, "://")
	if i < 0 {
		return dest
	}
	rest := dest[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	if at := strings.LastIndexByte(rest[:end], '@'); at >= 0 {
		return dest[:i+3] + rest[at+1:]
	}
	return dest
}

// quickHost returns the lower-case host of an http(s) URL without parsing
// it fully; ok is false when the URL is not that simple.
func quickHost(dest string) (string, bool) {
	rest, ok := strings.CutPrefix(dest, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(dest, "http://"); !ok {
			return "", false
		}
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.ContainsAny(rest, "@[%:") || rest == "" {
		return "", false
	}
	return strings.ToLower(rest), true
}

// imageRef returns the site path of a local image a body link points at.
func (pc *postCheck) imageRef(l link) string {
	d := strings.TrimSpace(l.dest)
	if d == "" || strings.Contains(d, "://") || strings.HasPrefix(d, "//") || strings.HasPrefix(d, "#") || strings.HasPrefix(d, "data:") {
		return ""
	}
	if i := strings.IndexAny(d, "?#"); i >= 0 {
		d = d[:i]
	}
	if s, err := url.PathUnescape(d); err == nil {
		d = s
	}
	if !isImageName(d) {
		return ""
	}
	var p string
	if strings.HasPrefix(d, "/") {
		p = path.Join("static", d)
	} else {
		p = path.Join(path.Dir(pc.post.Path), d)
	}
	if !fs.ValidPath(p) {
		return ""
	}
	return p
}

func isImageName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".jpg", ".jpeg", ".png", ".webp":
		return true
	}
	return false
}

// postImages returns the bundle's images and the post's Open Graph image.
func (r *run) postImages(post *Post) []string {
	var out []string
	if path.Base(post.Path) == "index.md" {
		dir := path.Dir(post.Path)
		_ = fs.WalkDir(r.fsys, dir, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if !d.IsDir() && isImageName(q) {
				out = append(out, q)
			}
			return nil
		})
	}
	if img := post.Meta.Image; img != "" && !strings.Contains(img, "://") {
		if p := path.Join(path.Dir(post.Path), img); fs.ValidPath(p) && isImageName(p) {
			out = append(out, p)
		}
	}
	return out
}

// checkImage reports image.gps for one image file.
func (r *run) checkImage(name string) []found {
	data, err := fs.ReadFile(r.fsys, name)
	if err != nil || !hasGPS(data) {
		return nil
	}
	f, ok := r.p.finding(ruleImageGPS, name, source.Pos{Line: 1, Col: 1}, "the image carries GPS coordinates in its EXIF data, which tell readers where it was taken; remove them (exiftool -gps:all= %s) or set images.strip_metadata: true in site.yaml", path.Base(name))
	if !ok {
		return nil
	}
	return []found{{f, ""}}
}

// discusses reports whether a post discusses the employer's products:
// declared in products: or detected in the text.
func (p *Policy) discusses(m *source.Meta, detected bool) bool {
	return detected || len(m.Products) > 0
}

// DiscussesProducts reports whether a post discusses the employer's
// products: it declares some in products: or names one in its title,
// summary, description, body or share text.
func (p *Policy) DiscussesProducts(post *Post) bool {
	if post == nil {
		return false
	}
	if post.Meta != nil && len(post.Meta.Products) > 0 {
		return true
	}
	if post.File == nil {
		return false
	}
	_, ok := p.firstProduct(post)
	return ok
}

// firstProduct returns where a post first names a product.
func (p *Policy) firstProduct(post *Post) (source.Pos, bool) {
	if post.scannedBy == p {
		return post.productAt, post.namesProduct
	}
	sc := newScanner(p, false)
	var first source.Pos
	found := false
	for _, u := range units(post.File) {
		sc.words(u.text, false)
		for _, h := range sc.hits {
			if h.kind == kindProduct {
				pos := u.posAt(post.File, h.start)
				if !found || before(pos, first) {
					first, found = pos, true
				}
			}
		}
	}
	return first, found
}

func (p *Policy) hasApproved(lower []byte) bool {
	for _, a := range p.approved {
		if containsPhrase(lower, fold(nil, []byte(a))) {
			return true
		}
	}
	return false
}

func (p *Policy) ambiguousIn(lower []byte) string {
	for _, a := range p.ambiguous {
		if containsPhrase(lower, fold(nil, []byte(a))) {
			return a
		}
	}
	return ""
}

func (p *Policy) approvedExample() string {
	if len(p.approved) > 0 {
		return p.approved[0]
	}
	return p.ShareDisclosure()
}

func before(a, b source.Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
}

// sortedKeys returns the keys of m in increasing order.
func sortedKeys(m map[int]*seen) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

func entityIndex(es []Entity, id string) int {
	for i, e := range es {
		if e.ID == id {
			return i
		}
	}
	return -1
}

func entityIDs(es []Entity) string {
	if len(es) == 0 {
		return "none"
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return strings.Join(ids, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func more(n int) string {
	switch n {
	case 0, 1:
		return ""
	case 2:
		return " (named once more later)"
	}
	return fmt.Sprintf(" (named %d more times)", n-1)
}
