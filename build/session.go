package build

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peerpress/peerpress/build/markdown"
	"github.com/peerpress/peerpress/build/share"
	"github.com/peerpress/peerpress/build/source"
	"github.com/peerpress/peerpress/policy"
)

// cache keeps what the dev server's rebuilds can reuse: parsed posts and
// their rendered Markdown by path, and what is derived from a parsed post
// (its product disclosure, its share snippets, its local references) by the
// identity of that parse. A changed file gets a new parse, so derived entries
// of the old one are simply never looked up again (forget drops them).
type cache struct {
	mu      sync.Mutex
	parsed  map[string]*policy.Post
	md      map[string]*mdEntry // by post path
	engine  *markdown.Engine
	engOpt  markdown.Options
	derived map[*policy.Post]*derived
	// renders counts Markdown renders, for Snapshot.Rendered.
	renders atomic.Int64
}

// derived holds the results computed from one parsed post.
type derived struct {
	pol        *policy.Policy // the policy disclosure was computed with
	disclosure bool
	shareIn    share.Input
	share      *share.Set
	post       *Post // decoded, before linking; for future and base
	future     bool
	base       string
	refs       []ref
	refsDone   bool
	slug       string
}

func newCache() *cache {
	return &cache{parsed: map[string]*policy.Post{}, md: map[string]*mdEntry{}, derived: map[*policy.Post]*derived{}}
}

func (c *cache) post(path string) *policy.Post {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.parsed[path]
}

func (c *cache) putPost(p *policy.Post) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.parsed[p.Path] = p
	c.mu.Unlock()
}

// mdEntry is a post body's rendered Markdown, with the HTML converted for
// templates once (not at every rebuild).
type mdEntry struct {
	res                *markdown.Result
	html, summary, toc template.HTML
}

func (c *cache) markdown(path string) *mdEntry {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.md[path]
}

// putMarkdown remembers a post's rendered body and returns its entry.
func (c *cache) putMarkdown(path string, r *markdown.Result) *mdEntry {
	e := &mdEntry{html: template.HTML(r.HTML), summary: template.HTML(r.SummaryHTML), toc: template.HTML(r.TOC)}
	lean := *r // the bytes live on as strings in e
	lean.HTML, lean.SummaryHTML, lean.TOC = nil, nil, nil
	e.res = &lean
	if c == nil {
		return e
	}
	c.renders.Add(1)
	c.mu.Lock()
	c.md[path] = e
	c.mu.Unlock()
	return e
}

// mdEngine returns the cached engine when its options match.
func (c *cache) mdEngine(o markdown.Options) *markdown.Engine {
	if c == nil {
		return markdown.New(o)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.engine == nil || c.engOpt != o {
		c.engine, c.engOpt = markdown.New(o), o
		c.md = map[string]*mdEntry{}
	}
	return c.engine
}

// entry returns the derived entry of a parsed post, creating it. The caller
// holds c.mu.
func (c *cache) entry(p *policy.Post) *derived {
	d := c.derived[p]
	if d == nil {
		d = &derived{}
		c.derived[p] = d
	}
	return d
}

// discloses is pol.DiscussesProducts(p), remembered per parse.
func (c *cache) discloses(pol *policy.Policy, p *policy.Post) bool {
	if c == nil {
		return pol.DiscussesProducts(p)
	}
	c.mu.Lock()
	d := c.entry(p)
	if d.pol == pol {
		v := d.disclosure
		c.mu.Unlock()
		return v
	}
	c.mu.Unlock()
	v := pol.DiscussesProducts(p)
	c.mu.Lock()
	d.pol, d.disclosure = pol, v
	c.mu.Unlock()
	return v
}

// share returns the post's share snippets for in, composing them with gen
// unless the same input was composed for this parse before.
func (c *cache) share(p *policy.Post, in share.Input, gen func() *share.Set) *share.Set {
	if c == nil {
		return gen()
	}
	c.mu.Lock()
	d := c.entry(p)
	if d.share != nil && d.shareIn.Title == in.Title && d.shareIn.URL == in.URL && d.shareIn.Disclosure == in.Disclosure &&
		slices.Equal(d.shareIn.Hashtags, in.Hashtags) {
		s := d.share
		c.mu.Unlock()
		return s
	}
	c.mu.Unlock()
	s := gen()
	c.mu.Lock()
	d.shareIn, d.share = in, s
	c.mu.Unlock()
	return s
}

// decoded returns the post as decode made it for this parse, before it was
// linked to authors and tags, or nil.
func (c *cache) decoded(p *policy.Post, future bool, base string, pol *policy.Policy) *Post {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.derived[p]
	if d == nil || d.post == nil || d.future != future || d.base != base || d.pol != pol {
		return nil
	}
	return d.post
}

// putDecoded remembers a copy of a freshly decoded post.
func (c *cache) putDecoded(p *policy.Post, future bool, base string, pol *policy.Policy, post *Post) {
	if c == nil {
		return
	}
	cp := *post
	c.mu.Lock()
	d := c.entry(p)
	d.post, d.future, d.base = &cp, future, base
	c.mu.Unlock()
}

// drop forgets what was derived from parses that are no longer used.
func (c *cache) drop(ps []*policy.Post) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range ps {
		delete(c.derived, p)
	}
}

// localRefs is localRefs(p.File), remembered per parse.
func (c *cache) localRefs(p *policy.Post) []ref {
	if c == nil {
		return localRefs(p.File)
	}
	c.mu.Lock()
	d := c.entry(p)
	if d.refsDone {
		r := d.refs
		c.mu.Unlock()
		return r
	}
	c.mu.Unlock()
	r := localRefs(p.File)
	c.mu.Lock()
	d.refs, d.refsDone = r, true
	c.mu.Unlock()
	return r
}

// slugOf is slugOf(sp), remembered per parse.
func (c *cache) slugOf(sp sourcePost) string {
	if c == nil {
		return slugOf(sp)
	}
	c.mu.Lock()
	d := c.entry(sp.check)
	s := d.slug
	c.mu.Unlock()
	if s != "" {
		return s
	}
	s = slugOf(sp)
	c.mu.Lock()
	d.slug = s
	c.mu.Unlock()
	return s
}

// forget drops what is cached for the post file name, or for every post
// file below it when name is a directory.
func (c *cache) forget(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for p, post := range c.parsed {
		if p == name || strings.HasPrefix(p, name+"/") {
			delete(c.derived, post)
			delete(c.parsed, p)
			delete(c.md, p)
		}
	}
	delete(c.md, name)
}

// reset drops everything.
func (c *cache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parsed = map[string]*policy.Post{}
	c.md = map[string]*mdEntry{}
	c.derived = map[*policy.Post]*derived{}
	c.engine = nil
}

// Session keeps a site loaded for the dev server. Invalidate reports changed
// files; Rebuild then re-reads, re-checks and re-renders only those posts and
// recomputes lists, feeds and share snippets from the cached parts. Every
// Rebuild makes an immutable Snapshot whose pages are rendered when first
// requested, so a reader never sees a half-built site.
//
// The policy check is incremental too: findings of posts whose file did not
// change are reused. The whole site is checked again whenever that could
// give a different answer: a policy or site.yaml change, a change to the set
// of internal posts (links to them are findings in other posts), a changed
// post that a waiver names or that has images, an image or other file
// changing, and when the clock passes a date a finding depends on (training
// and waiver expiry). So the report always equals a full check's.
type Session struct {
	opts  Options
	cache *cache

	mu      sync.Mutex // guards pending and snap
	pending map[string]bool
	snap    *Snapshot

	run      sync.Mutex // serializes Rebuild; guards the fields below
	n        int
	cfg      *Config
	pol      *policy.Policy
	list     []sourcePost         // the last listing of content/posts; nil: read it again
	known    map[string]knownKind // the paths under content/posts in list
	checks   *checkCache
	lastGood map[string]*policy.Post // by path: the last parse of a post that had no syntax error
	// Set by apply, cleared by a successful build: posts may have moved (a
	// post was added, removed or renamed, or a changed post's slug
	// differs); templates or site data may have changed (render the home
	// page early); the old parses of the changed posts.
	moving, layout bool
	replaced       []*policy.Post
}

// knownKind is what a path under content/posts was at the last listing.
type knownKind int

const (
	unknown   knownKind = iota
	knownPost           // a post file
	knownDir            // a bundle directory
	knownFile           // a bundle's other file
)

// NewSession starts a dev session. opts.Dev is forced on; a zero opts.Now
// means the clock is read at every Rebuild.
func NewSession(opts Options) *Session {
	opts.Dev = true
	if opts.Audience == "" {
		opts.Audience = "public"
	}
	return &Session{opts: opts, cache: newCache(), pending: map[string]bool{}, lastGood: map[string]*policy.Post{}}
}

// Invalidate records that the given slash-separated, site-relative paths
// (files or directories) changed, were created or were removed. The next
// Rebuild re-reads them. site.yaml, anything under policy/, "." or a path
// the session does not know how to handle makes it start over. It is safe
// to call while a Rebuild runs: those paths count for the next one.
func (s *Session) Invalidate(paths []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range paths {
		p = path.Clean(strings.TrimPrefix(strings.ReplaceAll(p, "\\", "/"), "/"))
		s.pending[p] = true
	}
}

// Current returns the latest snapshot (nil before the first Rebuild).
func (s *Session) Current() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

// Snapshot is one consistent build of the site, rendered lazily. When a
// rebuild fails, its snapshot carries the error and the findings but serves
// the pages of the last good one.
type Snapshot struct {
	// Build counts the session's rebuilds, from 1.
	Build int
	// Report holds the policy and content findings (never nil).
	Report *policy.Report
	// Err is a failure that stopped the build: a broken site.yaml or policy
	// file, a theme error. The pages are then the previous good build's.
	Err error
	// Took is the rebuild's duration.
	Took time.Duration
	// Moved maps the URL paths of posts that moved in this rebuild (a slug
	// changed, a file was renamed) to their new URL paths.
	Moved map[string]string
	// Posts is the number of posts on the site (drafts and scheduled
	// included); Checked how many the policy check read in this rebuild;
	// Rendered how many bodies were converted from Markdown.
	Posts, Checked, Rendered int
	// Refresh is when the snapshot goes stale without any file changing
	// (a scheduled post is due, a training or waiver expires); zero if never.
	Refresh time.Time

	pages *pageSet        // nil until the first good build
	stale map[string]bool // post sources shown in their last good version
}

// StaleAt returns the source file of the post whose page is at urlPath
// ("/posts/x/") when the page shows the post's last good version because
// its front matter no longer parses; "" otherwise.
func (s *Snapshot) StaleAt(urlPath string) string {
	if len(s.stale) == 0 || s.pages == nil {
		return ""
	}
	s.pages.index()
	for src := range s.stale {
		if s.pages.urls[src] == urlPath {
			return src
		}
	}
	return ""
}

// pageSet is the output of one good build: shared by the snapshots of the
// failed rebuilds that follow it.
type pageSet struct {
	plan  []Pending // sorted by Path
	posts []*Post
	mu    sync.Mutex
	done  map[string]*lazyPage

	once  sync.Once
	urls  map[string]string // post source → URL path, made when first needed
	title map[string]string // post source → title
}

// find returns the planned output at path.
func (ps *pageSet) find(path string) (Pending, bool) {
	i, ok := slices.BinarySearchFunc(ps.plan, path, func(p Pending, path string) int { return strings.Compare(p.Path, path) })
	if !ok {
		return Pending{}, false
	}
	return ps.plan[i], true
}

// index makes urls and title.
func (ps *pageSet) index() {
	ps.once.Do(func() {
		ps.urls = make(map[string]string, len(ps.posts))
		ps.title = make(map[string]string, len(ps.posts))
		for _, p := range ps.posts {
			ps.urls[p.Source] = p.RelPermalink
			ps.title[p.Source] = p.Title
		}
	})
}

type lazyPage struct {
	once sync.Once
	data []byte
	err  error
}

// Rebuild applies the invalidated paths, then loads, checks and plans the
// site. On a failure the new snapshot serves the previous snapshot's pages.
func (s *Session) Rebuild(ctx context.Context) *Snapshot {
	s.run.Lock()
	defer s.run.Unlock()
	start := time.Now()
	s.mu.Lock()
	pending := s.pending
	s.pending = map[string]bool{}
	prev := s.snap
	s.mu.Unlock()

	opts := s.opts
	opts.cache = s.cache
	if opts.Now.IsZero() {
		opts.Now = start
	}
	full, dirty := s.apply(opts.Site, pending)
	if !dirty && prev != nil && prev.Err == nil && (prev.Refresh.IsZero() || opts.Now.Before(prev.Refresh)) {
		return prev // nothing changed: the same snapshot
	}
	s.n++
	s.cache.renders.Store(0)
	snap := &Snapshot{Build: s.n}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				// Start over next time: the caches may be half updated.
				s.cache.reset()
				s.cfg, s.pol, s.list, s.known, s.checks = nil, nil, nil, nil, nil
				err = fmt.Errorf("internal error (please report it): %v", r)
			}
		}()
		return s.build(ctx, opts, snap, full)
	}()
	snap.Rendered = int(s.cache.renders.Load())
	if snap.Report == nil {
		snap.Report = &policy.Report{}
	}
	if err != nil {
		snap.Err = err
		snap.pages = nil
		if prev != nil {
			snap.pages = prev.pages
		}
	} else {
		if prev != nil && prev.pages != nil && s.moving {
			snap.Moved = moves(prev, snap)
		}
		s.moving, s.layout, s.replaced = false, false, nil
	}
	snap.Took = time.Since(start)
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
	return snap
}

// apply drops what the pending paths make stale. It reports whether the
// policy check must read every post, and whether anything is to be done at
// all; it sets s.moving, s.layout and s.replaced.
func (s *Session) apply(fsys fs.FS, pending map[string]bool) (fullCheck, dirty bool) {
	names := make([]string, 0, len(pending))
	for p := range pending {
		names = append(names, p)
	}
	sort.Strings(names)
	everything := false
	for _, p := range names {
		switch {
		case p == "." || p == "site.yaml" || p == "policy" || strings.HasPrefix(p, "policy/"):
			everything = true
		case strings.HasPrefix(p, "content/posts/"):
			kind := s.known[p]
			switch {
			case kind == knownPost && isRegular(fsys, p):
				// A post's text changed.
				if old := s.cache.post(p); old != nil {
					s.replaced = append(s.replaced, old)
				}
				s.cache.forget(p)
			case kind == unknown && !exists(fsys, p):
				continue // a file that came and went: an editor's or a tool's temporary file
			default:
				// A post was created, removed or renamed, or a bundle's file
				// or a directory changed.
				s.cache.forget(p)
				s.list = nil
				if !postFileName(p) {
					fullCheck = true
				}
			}
		case p == "content" || p == "content/posts":
			s.cache.forget("content/posts")
			s.list = nil
			fullCheck = true
		case p == "themes" || strings.HasPrefix(p, "themes/") || p == "layouts" || strings.HasPrefix(p, "layouts/"):
			s.layout = true // templates are parsed again at every rebuild
		case strings.HasPrefix(p, "content/") || p == "static" || strings.HasPrefix(p, "static/"):
			// Author pages and static files are read at every rebuild, but
			// an image a post points to (image:) may be anywhere, and the
			// policy reads images.
			s.layout = true
			if isImage(p) || path.Ext(p) == "" {
				fullCheck = true
			}
		default:
			everything = true
		}
		dirty = true
	}
	if everything {
		s.cache.reset()
		s.cfg, s.pol, s.list, s.known, s.checks = nil, nil, nil, nil, nil
		fullCheck = true
	}
	if s.cfg == nil {
		s.layout, dirty = true, true
	}
	s.moving = s.moving || s.list == nil
	return fullCheck, dirty
}

// postFileName reports whether p names a post file: content/posts/x.md or
// content/posts/x/index.md.
func postFileName(p string) bool {
	rest := strings.TrimPrefix(p, "content/posts/")
	if !strings.Contains(rest, "/") {
		return strings.HasSuffix(rest, ".md")
	}
	dir, file, _ := strings.Cut(rest, "/")
	return dir != "" && file == "index.md"
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

func isRegular(fsys fs.FS, name string) bool {
	st, err := fs.Stat(fsys, name)
	return err == nil && st.Mode().IsRegular()
}

// build fills snap. It returns the error that stopped it.
func (s *Session) build(ctx context.Context, opts Options, snap *Snapshot, fullCheck bool) error {
	fsys := opts.Site
	if s.cfg == nil {
		cfg, err := LoadConfig(fsys)
		if err != nil {
			return &ConfigError{err}
		}
		if opts.BaseURL != "" {
			cfg.BaseURL = opts.BaseURL
			if err := cfg.validate(); err != nil {
				return &ConfigError{fmt.Errorf("-baseurl: %w", err)}
			}
		}
		s.cfg = &cfg
	}
	if s.pol == nil {
		pol, err := policy.Load(fsys)
		if err != nil {
			return &ConfigError{err}
		}
		s.pol = pol
	}
	if s.list == nil {
		list, err := listPosts(fsys)
		if err != nil {
			return err
		}
		s.list = list
		s.known = make(map[string]knownKind, len(list))
		for _, sp := range list {
			s.known[sp.check.Path] = knownPost
			if sp.bundle != "" {
				s.known[sp.bundle] = knownDir
				for _, r := range sp.resources {
					s.known[r] = knownFile
				}
			}
		}
	}
	posts := make([]sourcePost, len(s.list))
	for i, sp := range s.list {
		posts[i] = sp
		posts[i].check = &policy.Post{Path: sp.check.Path} // never parse into a cached post
	}
	if err := parsePosts(ctx, fsys, posts, s.cache); err != nil {
		return err
	}
	for _, old := range s.replaced {
		nu := s.cache.post(old.Path)
		if nu == nil || nu.Meta == nil || old.Meta == nil || nu.Meta.Slug != old.Meta.Slug {
			s.moving = true // the post's URL may have changed
		}
	}
	site := &Site{Config: *s.cfg, Policy: s.pol, posts: posts, bios: listBios(opts.Site)}
	snap.Posts = len(posts)

	rep, changed, err := s.check(ctx, site, opts, fullCheck)
	if err != nil {
		return err
	}
	checked := len(changed)
	if changed == nil {
		checked = len(posts)
	}
	rep.Findings = append(rep.Findings, site.contentFindings(ctx, opts)...)
	rep.Sort()
	snap.Report, snap.Checked = rep, checked

	// A post whose front matter does not parse keeps its last good version
	// on the site (the finding says what is wrong) rather than vanishing.
	for _, old := range s.replaced {
		if old.File != nil {
			s.lastGood[old.Path] = old
		}
	}
	shown := posts
	var broken map[string]bool
	for i, sp := range posts {
		if sp.check.File != nil {
			continue
		}
		if broken == nil {
			broken = map[string]bool{}
		}
		broken[sp.check.Path] = true
		if g := s.lastGood[sp.check.Path]; g != nil {
			if &shown[0] == &posts[0] {
				shown = slices.Clone(posts)
			}
			shown[i].check = g
		}
	}
	for path, g := range s.lastGood {
		if !broken[path] {
			delete(s.lastGood, path)
			s.cache.drop([]*policy.Post{g})
		}
	}

	snap.stale = broken
	r, err := newRenderer(opts, &Site{Config: site.Config, Policy: site.Policy, posts: shown})
	if err != nil {
		return err
	}
	if err := r.prepare(ctx); err != nil {
		return err
	}
	plan, _, err := r.plan()
	if err != nil {
		return err
	}
	snap.pages = &pageSet{plan: plan, posts: r.posts, done: map[string]*lazyPage{}}
	snap.Refresh = s.refresh(opts.Now, posts)

	// Render now the pages every theme change could break and the pages of
	// the posts that changed: a template error keeps the last good site.
	var pre []string
	if s.layout {
		pre = append(pre, "index.html", "404.html")
	}
	for _, p := range r.posts {
		if len(pre) >= 8 {
			break
		}
		if changed[r.checks[p]] {
			pre = append(pre, "posts/"+p.Slug+"/index.html")
		}
	}
	for _, p := range pre {
		if _, err := snap.Get(p); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// refresh returns the next time after now when the site or its findings
// change by themselves, or the zero time.
func (s *Session) refresh(now time.Time, posts []sourcePost) time.Time {
	next := time.Time{}
	consider := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if s.checks != nil {
		consider(s.checks.until)
	}
	for _, sp := range posts {
		m := sp.check.Meta
		if m == nil {
			continue
		}
		if m.PublishDate.IsZero() {
			consider(m.Date)
		} else {
			consider(m.PublishDate)
		}
		consider(m.ExpiryDate)
	}
	return next
}

// checkCache holds the findings of the last policy check, per post parse.
type checkCache struct {
	pol    *policy.Policy
	sig    [32]byte                          // siteSignature of the posts it saw
	byPost map[*policy.Post][]policy.Finding // findings in each post's file
	other  []policy.Finding                  // findings in other files: waivers.yaml, images
	until  time.Time                         // when date-dependent findings may change
}

// check runs the policy over the site, reading only the posts whose
// findings are not known yet when that gives the same report as a full check.
// It returns the posts it read, or nil when it read every post.
func (s *Session) check(ctx context.Context, site *Site, opts Options, full bool) (*policy.Report, map[*policy.Post]bool, error) {
	posts := site.posts
	cc := s.checks
	sig := siteSignature(posts, site.bios)
	if cc == nil || cc.pol != site.Policy || cc.sig != sig || !opts.Now.Before(cc.until) {
		full = true
	}
	var subset []sourcePost
	if !full {
		present := make(map[*policy.Post]bool, len(posts))
		for _, sp := range posts {
			present[sp.check] = true
			if _, ok := cc.byPost[sp.check]; ok {
				continue
			}
			if risky(site.Policy, sp.check) {
				full = true
				break
			}
			subset = append(subset, sp)
		}
		for p := range cc.byPost {
			if full {
				break
			}
			if !present[p] {
				if risky(site.Policy, p) {
					full = true
				}
				delete(cc.byPost, p)
			}
		}
	}
	if full {
		subset = posts
		cc = &checkCache{pol: site.Policy, sig: sig, until: dateBoundary(site.Policy, opts.Now)}
	} else {
		// The internal posts go along so links to them are recognised.
		in := map[*policy.Post]bool{}
		for _, sp := range subset {
			in[sp.check] = true
		}
		for _, sp := range posts {
			if !in[sp.check] && sp.check.Meta != nil && sp.check.Meta.Audience == "internal" {
				subset = append(subset, sp)
			}
		}
	}
	checks := make([]*policy.Post, len(subset))
	byPath := make(map[string]*policy.Post, len(subset))
	for i, sp := range subset {
		checks[i] = sp.check
		byPath[sp.check.Path] = sp.check
	}
	all := make([]*policy.Post, len(posts))
	for i, sp := range posts {
		all[i] = sp.check
	}
	rep := site.Policy.Check(ctx, opts.Site, checks, site.checkOptions(opts, policy.Options{Now: opts.Now, Site: all}, subset))
	if err := ctx.Err(); err != nil {
		s.checks = nil
		return nil, nil, err
	}
	fresh := make(map[*policy.Post][]policy.Finding, len(subset))
	var other []policy.Finding
	for _, f := range rep.Findings {
		if p := byPath[f.File]; p != nil {
			fresh[p] = append(fresh[p], f)
		} else {
			other = append(other, f)
		}
	}
	if full {
		cc.byPost, cc.other = fresh, other
	}
	var read map[*policy.Post]bool
	if !full {
		read = make(map[*policy.Post]bool, len(checks))
	}
	for _, p := range checks {
		cc.byPost[p] = fresh[p]
		if read != nil {
			read[p] = true
		}
	}
	s.checks = cc
	out := &policy.Report{Files: len(posts)}
	for _, sp := range posts {
		out.Findings = append(out.Findings, cc.byPost[sp.check]...)
	}
	out.Findings = append(out.Findings, cc.other...)
	return out, read, nil
}

// siteSignature hashes what one post's findings can depend on in the
// others: every post's path, slug, aliases and bundle files
// (content.broken-link), and which posts are internal, with their titles
// (audience.internal-link, audience.leak). When it changes, every post is
// checked again; so is every change to an author's bio (its findings are
// kept with the other files').
func siteSignature(posts []sourcePost, bios []*policy.Post) [32]byte {
	h := sha256.New()
	for _, b := range bios {
		io.WriteString(h, b.Path+"\x00")
		h.Write(b.File.Data)
		io.WriteString(h, "\x00")
	}
	for _, sp := range posts {
		io.WriteString(h, sp.check.Path+"\x00")
		if m := sp.check.Meta; m != nil {
			io.WriteString(h, m.Slug+"\x00"+strings.Join(m.Aliases, "\x01")+"\x00")
			if m.Audience == "internal" {
				io.WriteString(h, "internal\x00"+m.Title+"\x00")
			}
		}
		io.WriteString(h, strings.Join(sp.resources, "\x01")+"\n")
	}
	return [32]byte(h.Sum(nil))
}

// risky reports whether a post's findings reach beyond its own file: it has
// images (image.gps findings are on the image file) or a waiver names it.
func risky(pol *policy.Policy, p *policy.Post) bool {
	if path.Base(p.Path) == "index.md" || (p.Meta != nil && p.Meta.Image != "") {
		return true
	}
	for _, w := range pol.Waivers() {
		if waiverCovers(w.Path, p.Path) {
			return true
		}
	}
	return false
}

// waiverCovers mirrors the policy's waiver path matching: the same path, a
// path.Match pattern, or a directory containing the file.
func waiverCovers(pattern, file string) bool {
	if pattern == file {
		return true
	}
	if ok, _ := path.Match(pattern, file); ok {
		return true
	}
	return strings.HasPrefix(file, strings.TrimSuffix(pattern, "/")+"/")
}

// dateBoundary returns the first time after now at which a finding of the
// policy can change with the clock alone: a training expiry, the start of
// its 30-day notice and each day of the notice's countdown, a waiver expiry.
func dateBoundary(pol *policy.Policy, now time.Time) time.Time {
	next := now.Add(24 * time.Hour)
	consider := func(t time.Time) {
		if t.After(now) && t.Before(next) {
			next = t
		}
	}
	const day = 24 * time.Hour
	for _, p := range pol.People() {
		if p.TrainingExpires.IsZero() {
			continue
		}
		for k := 0; k <= 31; k++ {
			t := p.TrainingExpires.Add(-time.Duration(k) * day)
			consider(t)
			consider(t.Add(90 * time.Second)) // the day count rounds up
		}
	}
	for _, w := range pol.Waivers() {
		consider(w.Expires.Add(time.Nanosecond))
	}
	return next
}

// moves maps the URLs of posts that moved from prev to snap: same file with
// a new slug, or a file renamed (matched by title, or the only one removed
// and the only one added).
func moves(prev, snap *Snapshot) map[string]string {
	out := map[string]string{}
	pp, np := prev.pages, snap.pages
	pp.index()
	np.index()
	var removed, added []string
	for src, old := range pp.urls {
		nu, ok := np.urls[src]
		switch {
		case !ok:
			removed = append(removed, src)
		case nu != old:
			out[old] = nu
		}
	}
	for src := range np.urls {
		if _, ok := pp.urls[src]; !ok {
			added = append(added, src)
		}
	}
	sort.Strings(removed)
	sort.Strings(added)
	used := map[string]bool{}
	for _, r := range removed {
		for _, a := range added {
			if !used[a] && pp.title[r] == np.title[a] {
				out[pp.urls[r]], used[a] = np.urls[a], true
				break
			}
		}
	}
	if len(removed) == 1 && len(added) == 1 && !used[added[0]] {
		out[pp.urls[removed[0]]] = np.urls[added[0]]
	}
	for old := range out {
		if _, still := snap.pages.find(strings.TrimPrefix(old, "/") + "index.html"); still || out[old] == old {
			delete(out, old) // the old URL is still a page
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// ErrNotFound is returned by Get for a path the site does not have.
var ErrNotFound = errors.New("not found")

// Ready reports whether the snapshot has pages to serve: false only until
// the first successful build.
func (sn *Snapshot) Ready() bool { return sn != nil && sn.pages != nil }

// Get returns the bytes of an output path ("posts/x/index.html"), rendering
// it on first request.
func (sn *Snapshot) Get(path string) ([]byte, error) {
	if !sn.Ready() {
		return nil, ErrNotFound
	}
	ps := sn.pages
	p, ok := ps.find(path)
	if !ok {
		return nil, ErrNotFound
	}
	ps.mu.Lock()
	lp := ps.done[path]
	if lp == nil {
		lp = &lazyPage{}
		ps.done[path] = lp
	}
	ps.mu.Unlock()
	lp.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				lp.data, lp.err = nil, fmt.Errorf("render %s: internal error (please report it): %v", path, r)
			}
		}()
		lp.data, lp.err = p.Gen()
		if lp.err != nil {
			lp.err = fmt.Errorf("render %s: %w", path, lp.err)
		}
	})
	return lp.data, lp.err
}

// Problem is one thing the overlay and the terminal show.
type Problem struct {
	File         string // slash-separated, relative to the site root; "" when unknown
	Line, Column int
	Severity     policy.Severity
	Rule         string // a rule ID, or "build" for an error that stopped the build
	Message      string
}

// String formats the problem as "file:line:col: severity rule: message".
func (p Problem) String() string {
	loc := ""
	if p.File != "" {
		loc = p.File
		if p.Line > 0 {
			loc += fmt.Sprintf(":%d:%d", p.Line, max(p.Column, 1))
		}
		loc += ": "
	}
	return fmt.Sprintf("%s%s %s: %s", loc, p.Severity, p.Rule, p.Message)
}

// Problems returns the snapshot's unwaived problems: the build error first,
// then error findings, then warnings, each in report order.
func (sn *Snapshot) Problems() []Problem {
	var out []Problem
	if sn.Err != nil {
		for _, e := range unjoin(sn.Err) {
			pr := Problem{Severity: policy.Error, Rule: "build", Message: e.Error()}
			var se *source.Error
			if errors.As(e, &se) {
				pr.File, pr.Line, pr.Column, pr.Message = se.Path, se.Pos.Line, se.Pos.Col, se.Msg
			}
			out = append(out, pr)
		}
	}
	for _, sev := range []policy.Severity{policy.Error, policy.Warning} {
		for _, f := range sn.Report.Findings {
			if f.Waived() || f.Severity != sev {
				continue
			}
			out = append(out, Problem{File: f.File, Line: f.Line, Column: f.Column, Severity: f.Severity, Rule: f.Rule, Message: f.Message})
		}
	}
	return out
}

// Messages returns Problems as text lines.
func (sn *Snapshot) Messages() []string {
	ps := sn.Problems()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return unjoin(ce.Err)
	}
	return []error{err}
}

// paths lists the snapshot's output paths, sorted (for tests).
func (sn *Snapshot) paths() []string {
	if !sn.Ready() {
		return nil
	}
	out := make([]string, len(sn.pages.plan))
	for i, p := range sn.pages.plan {
		out[i] = p.Path
	}
	return out
}
