package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peerpress/peerpress/build/markdown"
	"github.com/peerpress/peerpress/build/share"
	"github.com/peerpress/peerpress/build/source"
	slugpkg "github.com/peerpress/peerpress/internal/slug"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/themes"
)

// pageKinds are the templates a theme provides, one file each in layouts/.
var pageKinds = [...]string{"home", "post", "author", "authors", "tag", "tags", "404"}

// renderer holds one build's state: configuration, markdown engine and
// parsed templates.
type renderer struct {
	opts Options
	site *Site
	cfg  Config
	md   *markdown.Engine
	// mdOpts configures md; mdCached counts the bodies taken from the pack.
	mdOpts   markdown.Options
	mdCached atomic.Int64
	theme    fs.FS
	tmpl     map[string]*template.Template
	// partialSet holds _base.html and the partials; partials caches what
	// partialCached made from it this build.
	partialSet *template.Template
	partials   partialCache
	// recycle: page buffers come from pageBufs, and the streamed build,
	// which sets it, hands each back once its file is written.
	recycle bool
	// markup is, per page kind, the most bytes a page of that kind listing
	// no posts has had beyond its post's body and contents: the size page
	// allocates.
	markup map[string]*atomic.Int64
	info   *SiteInfo
	posts  []*Post // listed posts, newest first
	hidden []*policy.Post
	// rendered maps a post to its policy record and feed items, for verify.
	checks map[*Post]*policy.Post
	// lazyBodies defers rendering post bodies from prepare to the streamed
	// build (see Build), which renders each just before its page.
	lazyBodies bool
	// resources are the bundles' files by post source, built on first use.
	resources map[string][]string
	base      string // cfg.basePath()
	// feed is what the feeds of the plan share (feeds.go); set by plan.
	feed *feedState
}

func newRenderer(opts Options, site *Site) (*renderer, error) {
	r := &renderer{opts: opts, site: site, cfg: site.Config, checks: map[*Post]*policy.Post{}}
	r.base = r.cfg.basePath()
	mo := markdown.Options{UnsafeHTML: r.cfg.Markup.UnsafeHTML, TOCMinHeadings: r.cfg.Markup.TOCMinHeadings}
	r.mdOpts = mo
	if opts.pack != nil {
		mo.CodeCache = opts.pack
	}
	r.md = opts.cache.mdEngine(mo)
	theme, err := r.themeFS()
	if err != nil {
		return nil, err
	}
	r.theme = theme
	if err := r.parseTemplates(); err != nil {
		return nil, &ConfigError{err}
	}
	return r, nil
}

// themeFS returns the theme: Options.Theme, else the site's themes/<name>,
// else the embedded default. A site's own layouts/ directory overrides
// templates of the same name (see overlayFS).
func (r *renderer) themeFS() (fs.FS, error) {
	var base fs.FS
	switch {
	case r.opts.Theme != nil:
		base = r.opts.Theme
	default:
		dir := "themes/" + r.cfg.Theme
		if st, err := fs.Stat(r.opts.Site, dir); err == nil && st.IsDir() {
			sub, err := fs.Sub(r.opts.Site, dir)
			if err != nil {
				return nil, err
			}
			base = sub
		} else if r.cfg.Theme == "default" {
			base = themes.Default()
		} else {
			return nil, &ConfigError{fmt.Errorf("site.yaml: theme %q: no directory %s", r.cfg.Theme, dir)}
		}
	}
	if st, err := fs.Stat(r.opts.Site, "layouts"); err == nil && st.IsDir() {
		over, _ := fs.Sub(r.opts.Site, ".")
		return overlayFS{over: over, base: base}, nil
	}
	return base, nil
}

// overlayFS serves layouts/ files from over when present there, else from base.
type overlayFS struct{ over, base fs.FS }

func (o overlayFS) Open(name string) (fs.File, error) {
	if strings.HasPrefix(name, "layouts/") {
		if f, err := o.over.Open(name); err == nil {
			if st, err := f.Stat(); err == nil && !st.IsDir() {
				return f, nil
			}
			f.Close()
		}
	}
	return o.base.Open(name)
}

func (r *renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"dateFmt": func(t time.Time) string { return t.Format("2 January 2006") },
		"isoDate": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"relURL":  func(p string) string { return r.base + strings.TrimPrefix(p, "/") },
		"absURL":  func(p string) string { return r.cfg.BaseURL + strings.TrimPrefix(p, "/") },
		"add":     func(a, b int) int { return a + b },
		"sub":     func(a, b int) int { return a - b },
		"join":    strings.Join,
		"lower":   strings.ToLower,
		// platformName is share.Name: one call where a template of
		// if-eq branches made up to five (a post page's share panel names
		// a platform 20 times).
		"platformName":  share.Name,
		"partialCached": r.partialCached,
	}
}

// partialKey identifies one cached partial: the template set it ran in
// ("" for the theme's shared one, else a page kind), its name and variants.
type partialKey struct {
	scope, name string
	n           int
	v           [4]any
}

// partialCached executes the template name with data once per build for
// each distinct list of variants, and returns the output again for the same
// name and variants, as Hugo's partialCached does: the variants must
// determine the output, data alone is not part of the key. Pieces every
// page repeats (the site header and footer, a post's card in every list)
// then cost one execution, not one per page. A variant is a string, bool,
// number or pointer (compared by identity).
//
// The template runs in the set of _base.html and the partials, shared by
// every page kind, unless the calling page's layout defines it or a
// template it calls anew: then in that page kind's set, cached for that
// kind (see parseTemplates).
func (r *renderer) partialCached(name string, data any, variants ...any) (template.HTML, error) {
	return r.partialCachedIn(r.partialSet, "", name, data, variants)
}

func (r *renderer) partialCachedIn(set *template.Template, scope, name string, data any, variants []any) (template.HTML, error) {
	key := partialKey{scope: scope, name: name, n: len(variants)}
	if len(variants) > len(key.v) {
		return "", fmt.Errorf("partialCached %q: at most %d variants", name, len(key.v))
	}
	for i, v := range variants {
		if v != nil {
			switch reflect.TypeOf(v).Kind() {
			case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64, reflect.Pointer:
			default:
				return "", fmt.Errorf("partialCached %q: a %T cannot be a variant; use a string, bool, number or pointer", name, v)
			}
		}
		key.v[i] = v
	}
	if h, ok := r.partials.load(key); ok {
		return h, nil
	}
	var b strings.Builder
	if err := set.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	h := template.HTML(b.String())
	r.partials.store(key, h)
	return h, nil
}

// partialCache maps a partialKey to its output: a map behind a
// read-write lock rather than a sync.Map, whose trie of nodes a look-up
// walks level by level. The default theme looks up three on every page
// (head assets, header, footer) and one for each post card, author card
// and avatar on it, in a map of at least one entry a post (its card):
// a sync.Map's look-ups took 0.8 % of a 10,000-post build's CPU profile
// and 1.6 % of a 100,000-post one's, the deeper trie missing the caches
// more.
type partialCache struct {
	mu sync.RWMutex
	m  map[partialKey]template.HTML
}

func (c *partialCache) load(k partialKey) (template.HTML, bool) {
	c.mu.RLock()
	h, ok := c.m[k]
	c.mu.RUnlock()
	return h, ok
}

func (c *partialCache) store(k partialKey, h template.HTML) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[partialKey]template.HTML{}
	}
	c.m[k] = h
	c.mu.Unlock()
}

// redefined returns the templates of a page kind's set t whose output can
// differ from the shared set's (shared holds its templates' text, see
// templateTexts): those its layout defines anew and those that call one of
// them. It reads the parse trees, so it must run before either set is
// executed (escaping rewrites them).
func redefined(shared map[string]string, t *template.Template) map[string]bool {
	changed := map[string]bool{}
	for _, x := range t.Templates() {
		if x.Tree == nil {
			continue
		}
		if d, ok := shared[x.Name()]; !ok || d != x.Tree.Root.String() {
			changed[x.Name()] = true
		}
	}
	for grew := true; grew; {
		grew = false
		for _, x := range t.Templates() {
			if x.Tree == nil || changed[x.Name()] {
				continue
			}
			for _, c := range calls(x.Tree.Root) {
				if changed[c] || c == anyTemplate {
					changed[x.Name()], grew = true, true
					break
				}
			}
		}
	}
	return changed
}

// templateTexts maps the names of set's templates to their parse trees'
// text.
func templateTexts(set *template.Template) map[string]string {
	texts := map[string]string{}
	for _, x := range set.Templates() {
		if x.Tree != nil {
			texts[x.Name()] = x.Tree.Root.String()
		}
	}
	return texts
}

func (r *renderer) parseTemplates() error {
	base, err := fs.ReadFile(r.theme, "layouts/_base.html")
	if err != nil {
		return fmt.Errorf("theme: %w", err)
	}
	root, err := template.New("_base.html").Funcs(r.funcs()).Parse(string(base))
	if err != nil {
		return fmt.Errorf("theme: layouts/_base.html: %w", err)
	}
	partials, _ := fs.Glob(r.theme, "layouts/partials/*.html")
	sort.Strings(partials)
	for _, p := range partials {
		data, err := fs.ReadFile(r.theme, p)
		if err != nil {
			return fmt.Errorf("theme: %w", err)
		}
		if _, err := root.New(path.Base(p)).Parse(string(data)); err != nil {
			return fmt.Errorf("theme: %s: %w", p, err)
		}
	}
	// The set without page layouts runs partialCached's templates; it is
	// never cloned after, so it may be executed.
	r.partialSet = root
	r.tmpl = map[string]*template.Template{}
	r.markup = map[string]*atomic.Int64{}
	shared := templateTexts(root)
	for _, kind := range pageKinds {
		r.markup[kind] = new(atomic.Int64)
		name := "layouts/" + kind + ".html"
		data, err := fs.ReadFile(r.theme, name)
		if err != nil {
			return fmt.Errorf("theme: %w", err)
		}
		t, err := root.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(kind + ".html").Parse(string(data)); err != nil {
			return fmt.Errorf("theme: %s: %w", name, err)
		}
		// A page layout may redefine a partial (say post-card on the
		// home page): partialCached then runs that page kind's own.
		changed, kind := redefined(shared, t), kind
		t.Funcs(template.FuncMap{"partialCached": func(name string, data any, variants ...any) (template.HTML, error) {
			if changed[name] {
				return r.partialCachedIn(t, kind, name, data, variants)
			}
			return r.partialCachedIn(root, "", name, data, variants)
		}})
		r.tmpl[kind] = t
	}
	return nil
}

// visible decides whether a post is part of this build.
func (r *renderer) visible(p *policy.Post) (show, future bool) {
	m := p.Meta
	if p.File == nil || m == nil {
		return false, false
	}
	if m.Audience == "internal" && r.opts.Audience != "internal" {
		return false, false
	}
	if m.Draft && !r.opts.Drafts && !r.opts.Dev {
		return false, false
	}
	pub := m.Date
	if !m.PublishDate.IsZero() {
		pub = m.PublishDate
	}
	future = pub.After(r.opts.Now)
	if future && !r.opts.Dev {
		return false, true
	}
	if !m.ExpiryDate.IsZero() && !m.ExpiryDate.After(r.opts.Now) {
		return false, future
	}
	return true, future
}

// Pending is an output whose bytes are produced on demand: a full build
// generates every one (in parallel); the dev server only those requested.
type Pending struct {
	Path string
	Gen  func() ([]byte, error)
	// page: Gen returns a buffer of its own (from pageBuf in a streamed
	// build, which hands it back with recyclePage once it is written).
	page bool
}

// prepare selects, decodes and links the posts of this build.
func (r *renderer) prepare(ctx context.Context) error {
	type job struct {
		sp     sourcePost
		future bool
	}
	var jobs []job
	for _, sp := range r.site.posts {
		show, future := r.visible(sp.check)
		if !show {
			if sp.check.Meta != nil && sp.check.Meta.Audience == "internal" && r.opts.Audience != "internal" {
				r.hidden = append(r.hidden, sp.check)
			}
			continue
		}
		jobs = append(jobs, job{sp, future})
	}
	posts := make([]*Post, len(jobs))
	err := forEach(ctx, len(jobs), func(i int) error {
		p, err := r.decode(jobs[i].sp, jobs[i].future)
		posts[i] = p
		return err
	})
	if err != nil {
		return err
	}
	for i, p := range posts {
		r.checks[p] = jobs[i].sp.check
	}
	slices.SortFunc(posts, func(a, b *Post) int {
		if c := b.Date.Compare(a.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	r.posts = posts
	authors, tags, err := r.taxonomies(posts)
	if err != nil {
		return err
	}
	r.info = &SiteInfo{
		Title: r.cfg.Title, Description: r.cfg.Description, BaseURL: r.cfg.BaseURL, Language: r.cfg.Language, Employer: r.site.Policy.EmployerName(),
		Audience: r.opts.Audience, Authors: authors, Tags: tags, Posts: posts, Generator: "peerpress " + r.opts.Version, Dev: r.opts.Dev,
	}
	if len(posts) > 0 {
		r.info.Year = posts[0].Date.Year()
	}
	if r.lazyBodies {
		return nil // the streamed build composes each post's snippets before its page
	}
	return forEach(ctx, len(posts), func(i int) error {
		r.shareSet(posts[i])
		return nil
	})
}

// plan lists every output of the site with the function that makes it.
func (r *renderer) plan() ([]Pending, Stats, error) {
	var stats Stats
	var plan []Pending
	page := func(rel string, pg *Page) {
		plan = append(plan, Pending{Path: rel, Gen: func() ([]byte, error) { return r.page(rel, pg) }, page: true})
		stats.Pages++
	}
	data := func(rel string, b []byte) {
		plan = append(plan, Pending{Path: rel, Gen: func() ([]byte, error) { return b, nil }})
	}
	siteFeeds := r.siteFeedLinks()
	posts, authors, tags := r.posts, r.info.Authors, r.info.Tags

	// Home, paginated.
	pages := paginate(posts, r.cfg.Paging)
	for i, chunk := range pages {
		rel := "index.html"
		if i > 0 {
			rel = "page/" + strconv.Itoa(i+1) + "/index.html"
		}
		pg := &Page{Kind: "home", Title: r.cfg.Title, Description: r.cfg.Description, Posts: chunk, Feeds: siteFeeds,
			Pager: r.pager(i+1, len(pages), "")}
		pg.RelPermalink, pg.Permalink = r.urls(strings.TrimSuffix(rel, "index.html"))
		page(rel, pg)
	}
	// Posts, their share snippets, bundles and aliases.
	for _, p := range posts {
		dir := "posts/" + p.Slug + "/"
		page(dir+"index.html", &Page{Kind: "post", Title: p.Title, Description: p.Description, Post: p, Permalink: p.Permalink,
			RelPermalink: p.RelPermalink, Feeds: siteFeeds, NoIndex: p.Draft || p.Future})
		if p.Share != nil || r.lazyBodies && r.shareable(p) {
			// p.Share is read when the file is made: a streamed build
			// composes it just before.
			plan = append(plan, Pending{Path: dir + "share.json", Gen: func() ([]byte, error) { return p.Share.JSON() }})
		}
		for _, res := range r.bundleResources(p) {
			res := res
			plan = append(plan, Pending{Path: dir + strings.TrimPrefix(res, p.Dir+"/"), Gen: func() ([]byte, error) { return r.resource(res) }})
		}
		for _, alias := range p.Aliases {
			if out := aliasOutput(alias); out != "" {
				data(out, redirectPage(p.Permalink))
			}
		}
	}
	stats.Posts = len(posts)
	// Authors.
	for _, a := range authors {
		pg := &Page{Kind: "author", Title: a.Name, Description: a.Statement, Author: a, Posts: a.Posts,
			Feeds: append([]FeedLink{{Title: a.Name + " — " + r.cfg.Title, Type: "application/rss+xml", URL: a.FeedURL}}, siteFeeds...)}
		pg.RelPermalink, pg.Permalink = a.RelPermalink, a.Permalink
		page("authors/"+a.ID+"/index.html", pg)
	}
	pg := &Page{Kind: "authors", Title: "Authors", Description: "The engineers who write " + r.cfg.Title, Feeds: siteFeeds}
	pg.RelPermalink, pg.Permalink = r.urls("authors/")
	page("authors/index.html", pg)
	// Tags.
	for _, t := range tags {
		pg := &Page{Kind: "tag", Title: "Posts tagged “" + t.Name + "”", Description: "Posts about " + t.Name + " on " + r.cfg.Title, Term: t, Posts: t.Posts,
			Feeds: append([]FeedLink{{Title: t.Name + " — " + r.cfg.Title, Type: "application/rss+xml", URL: t.FeedURL}}, siteFeeds...)}
		pg.RelPermalink, pg.Permalink = t.RelPermalink, t.Permalink
		page("tags/"+t.Slug+"/index.html", pg)
	}
	pg = &Page{Kind: "tags", Title: "Tags", Description: "Every topic on " + r.cfg.Title, Feeds: siteFeeds}
	pg.RelPermalink, pg.Permalink = r.urls("tags/")
	page("tags/index.html", pg)
	pg = &Page{Kind: "404", Title: "Page not found", NoIndex: true, Feeds: siteFeeds}
	pg.RelPermalink, pg.Permalink = r.urls("404.html")
	page("404.html", pg)

	feeds := r.feeds(posts, authors, tags)
	plan = append(plan, feeds...)
	stats.Feeds = len(feeds)
	// The sitemap needs the paths only (plan is sorted in place below; the
	// closures are not kept, so a streamed build can release them).
	listed := make([]Pending, len(plan))
	for i := range plan {
		listed[i].Path = plan[i].Path
	}
	plan = append(plan, Pending{Path: "sitemap.xml", Gen: func() ([]byte, error) { return r.sitemap(listed), nil }})
	data("robots.txt", r.robots())
	static, err := r.static()
	if err != nil {
		return nil, stats, err
	}
	plan = append(plan, static...)
	slices.SortFunc(plan, func(a, b Pending) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(plan); i++ {
		if plan[i].Path == plan[i-1].Path {
			return nil, stats, fmt.Errorf("two outputs would be written to %s; rename one of the posts, tags, aliases or static files", plan[i].Path)
		}
	}
	return plan, stats, nil
}

// render produces every output file in memory.
func (r *renderer) render(ctx context.Context) ([]Output, Stats, error) {
	if err := r.prepare(ctx); err != nil {
		return nil, Stats{}, err
	}
	plan, stats, err := r.plan()
	if err != nil {
		return nil, stats, err
	}
	outs := make([]Output, len(plan))
	err = forEach(ctx, len(plan), func(i int) error {
		b, err := plan[i].Gen()
		outs[i] = Output{Path: plan[i].Path, Data: b}
		return err
	})
	return outs, stats, err
}

// urls returns the site-relative and absolute URL of an output path.
func (r *renderer) urls(rel string) (relURL, absURL string) {
	return r.base + rel, r.cfg.BaseURL + rel
}

func (r *renderer) siteFeedLinks() []FeedLink {
	_, rss := r.urls("index.xml")
	_, atom := r.urls("atom.xml")
	_, js := r.urls("feed.json")
	return []FeedLink{
		{Title: r.cfg.Title + " (RSS)", Type: "application/rss+xml", URL: rss},
		{Title: r.cfg.Title + " (Atom)", Type: "application/atom+xml", URL: atom},
		{Title: r.cfg.Title + " (JSON Feed)", Type: "application/feed+json", URL: js},
	}
}

func (r *renderer) pager(n, total int, prefix string) *Pager {
	p := &Pager{Number: n, Total: total}
	link := func(i int) string {
		if i == 1 {
			u, _ := r.urls(prefix)
			return u
		}
		u, _ := r.urls(prefix + "page/" + strconv.Itoa(i) + "/")
		return u
	}
	if n > 1 {
		p.PrevURL = link(n - 1)
	}
	if n < total {
		p.NextURL = link(n + 1)
	}
	return p
}

func paginate(posts []*Post, size int) [][]*Post {
	var out [][]*Post
	for i := 0; i < len(posts); i += size {
		out = append(out, posts[i:min(i+size, len(posts))])
	}
	if len(out) == 0 {
		out = append(out, nil)
	}
	return out
}

// page executes a page template.
func (r *renderer) page(rel string, pg *Page) ([]byte, error) {
	pg.Site = r.info
	if r.opts.Audience == "internal" {
		pg.NoIndex = true
	}
	// One allocation of about the page's size instead of a few doublings.
	// A page that lists posts (a tag, an author, a page of the home list)
	// grows with them: 8 KiB of markup and about 1 KiB a post. Any other
	// page takes the largest markup of its kind so far, plus its post's
	// body and contents (the largest list page would make every later one
	// reserve its size).
	var body int
	if pg.Post != nil {
		body = len(pg.Post.Content) + len(pg.Post.TOC)
	}
	var seen *atomic.Int64
	size := 8<<10 + 1<<10*len(pg.Posts)
	if len(pg.Posts) == 0 {
		seen = r.markup[pg.Kind] // set with r.tmpl, for every page kind
		size = int(seen.Load()) + body + 1<<10
	}
	var buf *bytes.Buffer
	if r.recycle {
		buf = bytes.NewBuffer(pageBuf(size))
	} else {
		// Kept (Run, the dev server): the size asked for, not a
		// larger recycled buffer.
		buf = bytes.NewBuffer(make([]byte, 0, size))
	}
	if err := r.tmpl[pg.Kind].ExecuteTemplate(buf, "base", pg); err != nil {
		return nil, fmt.Errorf("render %s: %w", rel, err)
	}
	if seen != nil {
		m := int64(buf.Len() - body)
		for old := seen.Load(); m > old && !seen.CompareAndSwap(old, m); old = seen.Load() {
		}
	}
	return buf.Bytes(), nil
}

// pageBufs holds page buffers a streamed build has written (see
// recyclePage), for the next pages to fill: the pages are a fifth of
// what a build allocates (a warm 10,000-post build: 314 of 1,685 MB), and
// each allocated anew is one more stretch of heap for the collector to
// make room for and the kernel to fault in.
var pageBufs sync.Pool // of *[]byte

// maxPooledPage is the largest buffer recyclePage keeps: post pages and
// short lists, not an author's page of every post.
const maxPooledPage = 256 << 10

// pageBuf returns an empty buffer of at least size bytes' capacity.
func pageBuf(size int) []byte {
	if v, ok := pageBufs.Get().(*[]byte); ok && cap(*v) >= size {
		return (*v)[:0]
	}
	return make([]byte, 0, size)
}

// recyclePage gives back a page's buffer once nothing reads it any more.
func recyclePage(b []byte) {
	if cap(b) <= maxPooledPage {
		b = b[:0]
		pageBufs.Put(&b)
	}
}

// decode turns a checked post into a Post with its Markdown rendered once.
func (r *renderer) decode(sp sourcePost, future bool) (*Post, error) {
	m, f := sp.check.Meta, sp.check.File
	p := &Post{
		Source: f.Path, Dir: sp.bundle, Slug: r.opts.cache.slugOf(sp), Title: m.Title, Summary: m.Summary, Description: m.Description,
		Date: m.Date, Lastmod: m.Lastmod, Categories: m.Categories, Audience: m.Audience, Voice: m.Voice, Draft: m.Draft, Future: future,
		Aliases: m.Aliases, Products: m.Products,
	}
	if p.Description == "" {
		p.Description = p.Summary
	}
	if p.Lastmod.IsZero() {
		p.Lastmod = p.Date
	}
	p.RelPermalink, p.Permalink = r.urls("posts/" + p.Slug + "/")
	p.Canonical = p.Permalink
	if m.Canonical != "" {
		p.Canonical = m.Canonical
	}
	if m.Image != "" {
		p.Image = r.cfg.BaseURL + "posts/" + p.Slug + "/" + strings.TrimPrefix(m.Image, "./")
	}
	p.Disclosure = r.opts.cache.discloses(r.site.Policy, sp.check)
	if !r.lazyBodies {
		if err := r.renderBody(p, f); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// renderBody renders a post's Markdown (once: the result is reused by its
// page, every feed and the verify stage) and fills the fields that come
// from it. prepare calls it for every post, unless lazyBodies defers it to
// the streamed build, which renders each body just before its page.
func (r *renderer) renderBody(p *Post, f *source.File) error {
	md := r.opts.cache.markdown(f.Path)
	if md == nil {
		res, err := r.renderMarkdown(f.Body)
		if err != nil {
			return fmt.Errorf("render %s: %w", f.Path, err)
		}
		md = r.opts.cache.putMarkdown(f.Path, res)
	}
	r.useBody(p, md)
	return nil
}

// useBody fills the fields of p that come from its rendered body.
func (r *renderer) useBody(p *Post, md *mdEntry) {
	res := md.res
	p.Content, p.SummaryHTML, p.TOC = md.html, md.summary, md.toc
	p.WordCount, p.ReadingTime = res.Words, res.ReadingMinutes
	if p.Image == "" && len(res.Images) > 0 && !strings.Contains(res.Images[0].Dest, "://") {
		p.Image = r.cfg.BaseURL + "posts/" + p.Slug + "/" + strings.TrimPrefix(res.Images[0].Dest, "./")
	}
}

// taxonomies links posts to authors and tags.
func (r *renderer) taxonomies(posts []*Post) ([]*Author, []*Term, error) {
	byID := map[string]*Author{}
	author := func(id string) (*Author, error) {
		if a, ok := byID[id]; ok {
			return a, nil
		}
		person, ok := r.site.Policy.Person(id)
		if !ok {
			return nil, fmt.Errorf("unknown person %q", id)
		}
		a := &Author{ID: id, Name: person.Name, Title: person.Title, Employer: person.Employer, Statement: r.site.Policy.Statement(person)}
		a.RelPermalink, a.Permalink = r.urls("authors/" + id + "/")
		_, a.FeedURL = r.urls("authors/" + id + "/index.xml")
		for _, k := range []struct{ key, name, prefix string }{
			{"linkedin", "LinkedIn", ""}, {"mastodon", "Mastodon", ""}, {"x", "X", "https://x.com/"}, {"bluesky", "Bluesky", "https://bsky.app/profile/"}, {"website", "Website", ""},
		} {
			v := person.Profiles[k.key]
			if v == "" {
				continue
			}
			u := v
			switch {
			case k.key == "mastodon":
				a.Mastodon = v
				u = mastodonURL(v)
			case k.prefix != "" && !strings.Contains(v, "://"):
				u = k.prefix + strings.TrimPrefix(v, "@")
			}
			if u != "" {
				a.Profiles = append(a.Profiles, Profile{Name: k.name, URL: u})
			}
		}
		if person.GitHub != "" {
			a.Profiles = append(a.Profiles, Profile{Name: "GitHub", URL: "https://github.com/" + person.GitHub})
		}
		bio, err := authorBio(r.opts.Site, r.md, id)
		if err != nil {
			return nil, err
		}
		a.Bio = template.HTML(bio)
		byID[id] = a
		return a, nil
	}
	byTag := map[string]*Term{}
	slugs := map[string]string{} // tag name → slug
	for _, p := range posts {
		m := r.checks[p].Meta
		for _, id := range m.Authors {
			a, err := author(id)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p.Source, err)
			}
			p.Authors = append(p.Authors, a)
			a.Posts = append(a.Posts, p)
			p.Statements = append(p.Statements, a.Statement)
		}
		for _, id := range m.ReviewedBy {
			if a, err := author(id); err == nil {
				p.Reviewers = append(p.Reviewers, a)
			}
		}
		for _, name := range m.Tags {
			slug, ok := slugs[name]
			if !ok {
				slug = slugpkg.Make(name)
				slugs[name] = slug
			}
			if slug == "" {
				continue
			}
			t, ok := byTag[slug]
			if !ok {
				t = &Term{Name: name, Slug: slug}
				t.RelPermalink, t.Permalink = r.urls("tags/" + slug + "/")
				_, t.FeedURL = r.urls("tags/" + slug + "/index.xml")
				byTag[slug] = t
			}
			if slices.Contains(p.Tags, t) {
				continue // "Go" and "go" in one post: one tag
			}
			p.Tags = append(p.Tags, t)
			t.Posts = append(t.Posts, p)
		}
	}
	var authors []*Author
	for _, p := range posts { // only people who wrote a listed post get a page
		for _, a := range p.Authors {
			if len(a.Posts) > 0 && !containsAuthor(authors, a) {
				authors = append(authors, a)
			}
		}
	}
	sort.Slice(authors, func(i, j int) bool { return authors[i].ID < authors[j].ID })
	tags := make([]*Term, 0, len(byTag))
	for _, t := range byTag {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Slug < tags[j].Slug })
	return authors, tags, nil
}

func containsAuthor(list []*Author, a *Author) bool {
	for _, b := range list {
		if b == a {
			return true
		}
	}
	return false
}

// mastodonURL turns "@user@host" into https://host/@user.
func mastodonURL(handle string) string {
	if strings.Contains(handle, "://") {
		return handle
	}
	parts := strings.Split(strings.TrimPrefix(handle, "@"), "@")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	return "https://" + parts[1] + "/@" + parts[0]
}

// shareable reports whether a post gets share snippets: not with
// `share: off`, and never an internal post, which exists only in the
// internal edition and must not be shared outside (its URL is not public).
func (r *renderer) shareable(p *Post) bool {
	m := r.checks[p].Meta
	return !m.ShareOff && m.Audience != "internal"
}

// shareSet composes the post's share snippets.
func (r *renderer) shareSet(p *Post) {
	m := r.checks[p].Meta
	if !r.shareable(p) {
		return
	}
	var tags []string
	for _, t := range p.Tags {
		tags = append(tags, t.Name)
	}
	tags = append(tags, r.cfg.Share.Hashtags...)
	in := share.Input{Title: p.Title, URL: p.Permalink, Disclosure: r.site.Policy.ShareDisclosure(), Hashtags: tags}
	p.Share = r.opts.cache.share(r.checks[p], in, func() *share.Set {
		set, _ := share.Build(in, m.Share)
		return &set
	})
}

// resource reads a bundle file, stripping image metadata when site.yaml asks.
func (r *renderer) resource(name string) ([]byte, error) {
	data, err := fs.ReadFile(r.opts.Site, name)
	if err != nil {
		return nil, fmt.Errorf("copy %s: %w", name, err)
	}
	if r.cfg.Images.StripMetadata && isImage(name) {
		if data, err = policy.StripMetadata(data); err != nil {
			return nil, fmt.Errorf("strip metadata from %s: %w", name, err)
		}
	}
	return data, nil
}

func (r *renderer) bundleResources(p *Post) []string {
	if p.Dir == "" {
		return nil
	}
	if r.resources == nil {
		r.resources = map[string][]string{}
		for _, sp := range r.site.posts {
			if sp.bundle != "" {
				r.resources[sp.check.Path] = sp.resources
			}
		}
	}
	return r.resources[p.Source]
}

func isImage(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".heic":
		return true
	}
	return false
}

// aliasOutput is the file an alias is written to, as Hugo does: a path
// ending in .html or .htm is that file, any other a directory's
// index.html. It is "" for what cannot be an alias: nothing, "/", a URL, a
// path leaving the site (content.bad-alias reports them).
func aliasOutput(alias string) string {
	if strings.Contains(alias, "://") || strings.HasPrefix(alias, "//") {
		return ""
	}
	a := strings.Trim(path.Clean("/"+alias), "/")
	if a == "" || !fs.ValidPath(a) {
		return ""
	}
	if ext := strings.ToLower(path.Ext(a)); ext == ".html" || ext == ".htm" {
		return a
	}
	return a + "/index.html"
}

func redirectPage(to string) []byte {
	t := template.HTMLEscapeString(to)
	return []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Moved</title><link rel="canonical" href="` + t +
		`"><meta name="robots" content="noindex"><meta http-equiv="refresh" content="0; url=` + t + `"></head><body><p>This page moved to <a href="` + t + `">` + t + "</a>.</p></body></html>\n")
}

// sitemap lists every HTML page but 404, redirects, drafts and scheduled
// posts, with lastmod for posts.
func (r *renderer) sitemap(plan []Pending) []byte {
	lastmod := map[string]time.Time{}
	for _, p := range r.posts {
		lastmod["posts/"+p.Slug+"/index.html"] = p.Lastmod
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	// Redirects, drafts and scheduled posts (the last two built only with
	// -drafts or by the dev server, and marked noindex) are left out.
	skip := map[string]bool{}
	for _, p := range r.posts {
		for _, a := range p.Aliases {
			skip[aliasOutput(a)] = true
		}
		if p.Draft || p.Future {
			skip["posts/"+p.Slug+"/index.html"] = true
		}
	}
	paths := make([]string, 0, len(plan))
	for _, o := range plan {
		if strings.HasSuffix(o.Path, "index.html") && !skip[o.Path] {
			paths = append(paths, o.Path)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		_, u := r.urls(strings.TrimSuffix(p, "index.html"))
		b.WriteString("  <url><loc>" + template.HTMLEscapeString(u) + "</loc>")
		if t, ok := lastmod[p]; ok {
			b.WriteString("<lastmod>" + t.UTC().Format(time.RFC3339) + "</lastmod>")
		}
		b.WriteString("</url>\n")
	}
	b.WriteString("</urlset>\n")
	return b.Bytes()
}

func (r *renderer) robots() []byte {
	if r.opts.Audience == "internal" {
		return []byte("User-agent: *\nDisallow: /\n")
	}
	_, sm := r.urls("sitemap.xml")
	return []byte("User-agent: *\nAllow: /\n\nSitemap: " + sm + "\n")
}

// static copies the theme's static/ and the site's static/ (which wins).
func (r *renderer) static() ([]Pending, error) {
	files := map[string]fs.FS{}
	collect := func(fsys fs.FS, root string) error {
		return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == root {
				return fs.SkipDir
			}
			if err != nil {
				return err
			}
			if d.IsDir() || skipName(d.Name()) {
				return nil
			}
			rel := strings.TrimPrefix(p, root+"/")
			sub, _ := fs.Sub(fsys, root)
			files[rel] = sub
			return nil
		})
	}
	if err := collect(r.theme, "static"); err != nil {
		return nil, fmt.Errorf("theme static: %w", err)
	}
	if err := collect(r.opts.Site, "static"); err != nil {
		return nil, fmt.Errorf("static: %w", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Pending, 0, len(names))
	for _, n := range names {
		fsys := files[n]
		out = append(out, Pending{Path: n, Gen: func() ([]byte, error) { return fs.ReadFile(fsys, n) }})
	}
	return out, nil
}

// verify checks the rendered site: every post that discusses products shows
// its disclosure, and a public build leaks nothing internal.
func (r *renderer) verify(outs []Output) []policy.Finding {
	byPath := make(map[string][]byte, len(outs))
	for _, o := range outs {
		byPath[o.Path] = o.Data
	}
	var rendered []policy.Rendered
	for _, p := range r.posts {
		rd := policy.Rendered{Post: r.checks[p], PageHTML: byPath["posts/"+p.Slug+"/index.html"], FeedItems: r.feedItems(p, byPath)}
		if p.Share != nil {
			rd.EmployeeShare = map[string]string{}
			for k, s := range p.Share.Employee {
				rd.EmployeeShare[k] = s.Text
			}
		}
		rendered = append(rendered, rd)
	}
	findings := r.site.Policy.CheckRendered(rendered)
	if len(r.hidden) > 0 {
		var internal []policy.InternalPost
		for _, h := range r.hidden {
			sp := sourcePost{check: h}
			for _, s := range r.site.posts {
				if s.check == h {
					sp = s
				}
			}
			slug := slugOf(sp)
			_, u := r.urls("posts/" + slug + "/")
			internal = append(internal, policy.InternalPost{File: h.Path, Title: h.Meta.Title, Slug: slug, URL: u, Pos: h.Meta.Pos["audience"]})
		}
		arts := make([]policy.Artifact, len(outs))
		for i, o := range outs {
			arts[i] = policy.Artifact{Path: o.Path, Data: o.Data}
		}
		findings = append(findings, r.site.Policy.CheckLeaks(arts, internal)...)
	}
	return findings
}
