// Package build turns a peerpress site into a static website.
//
// A site is a directory (read as an fs.FS) holding site.yaml, content/posts,
// content/authors, policy/ and themes/. Run takes it through named stages:
//
//	load    site.yaml, the policy files and every post, parsed with positions
//	check   the disclosure policy (package policy); any error stops here
//	decode  passing posts → typed posts, Markdown rendered once each
//	render  posts + theme → pages, feeds, share snippets, sitemap, in memory
//	verify  the rendered bytes are checked again: disclosures present, nothing internal leaked
//
// and Write puts the outputs in place: a temporary directory beside the target,
// written through os.Root, fsynced, then swapped in, so the previous site
// survives any failure. The same input always gives byte-identical output.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/peerpress/peerpress/build/source"
	"github.com/peerpress/peerpress/internal/par"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/policy/report"
)

// Options control a build.
type Options struct {
	// Site is the site root.
	Site fs.FS
	// Audience is "public" (default) or "internal".
	Audience string
	// Now is the clock for every date-dependent decision.
	Now time.Time
	// Drafts includes draft posts.
	Drafts bool
	// BaseURL overrides site.yaml's baseURL.
	BaseURL string
	// Dev is the dev server's mode: drafts and future posts are shown (marked)
	// and pages load the live-reload script.
	Dev bool
	// Version is the peerpress version, for the generator meta tag.
	Version string
	// Theme, when set, is used instead of the site's themes/ directory and the
	// embedded default theme.
	Theme fs.FS
	// CodeCache is the file of the persistent cache of highlighted code
	// blocks that Build reads and, when the build succeeds, rewrites with
	// the blocks it used; empty means none. The output is the same with or
	// without it.
	CodeCache string

	cache *cache    // the dev server's, between rebuilds
	pack  *codePack // CodeCache, open during Build
}

// Output is one file of the built site.
type Output struct {
	// Path is slash-separated, relative to the output directory.
	Path string
	Data []byte
	// recycle: Data is a page buffer to hand back once written (see
	// fileWriter.put).
	recycle bool
}

// Stats counts what a build produced.
type Stats struct {
	Posts, Pages, Feeds, Files int
	// MarkdownCached is how many post bodies came rendered from the cache
	// (Options.CodeCache) instead of being rendered again.
	MarkdownCached int
}

// Stage is one stage of a build and how long it took.
type Stage struct {
	Name string
	Time time.Duration
}

// stopwatch records consecutive stages into a Result's Stages.
type stopwatch struct {
	last time.Time
	res  *Result
}

// lap ends the current stage, naming it.
func (s *stopwatch) lap(name string) {
	now := time.Now()
	s.res.Stages = append(s.res.Stages, Stage{name, now.Sub(s.last)})
	s.last = now
}

// Result is the outcome of Run.
type Result struct {
	Config  Config
	Policy  *policy.Policy
	Report  *policy.Report
	Outputs []Output // sorted by Path
	Posts   []*Post  // the rendered posts, newest first
	Stats   Stats
	Stages  []Stage // the wall time of each stage, in the order they ran
	// CacheErr is why Build could not use or save Options.CodeCache; the
	// site is built all the same.
	CacheErr error
}

// ErrFindings is returned (wrapped) by Run when the policy check or the
// verification of the rendered site found error-level problems; Result.Report
// lists them.
var ErrFindings = errors.New("policy check failed")

// ConfigError marks a broken site.yaml or policy file (exit code 2).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Site is a loaded site: configuration, policy and parsed posts.
type Site struct {
	Config Config
	Policy *policy.Policy
	posts  []sourcePost
	bios   []*policy.Post // author bios, scanned like posts' texts
}

// Load reads site.yaml, the policy and every post. Errors in site.yaml or the
// policy files are *ConfigError; content errors are left for Check to report.
func Load(ctx context.Context, opts Options) (*Site, error) {
	cfg, err := LoadConfig(opts.Site)
	if err != nil {
		return nil, &ConfigError{err}
	}
	if opts.BaseURL != "" {
		cfg.BaseURL = opts.BaseURL
		if err := cfg.validate(); err != nil {
			// The flag's value is wrong, not site.yaml: say so without a position.
			msg := err.Error()
			var se *source.Error
			if errors.As(err, &se) {
				msg = se.Msg
			}
			return nil, &ConfigError{fmt.Errorf("-baseurl: %s", msg)}
		}
	}
	pol, err := policy.Load(opts.Site)
	if err != nil {
		return nil, &ConfigError{err}
	}
	posts, err := listPosts(opts.Site)
	if err != nil {
		return nil, err
	}
	if err := parsePosts(ctx, opts.Site, posts, opts.cache); err != nil {
		return nil, err
	}
	return &Site{Config: cfg, Policy: pol, posts: posts, bios: listBios(opts.Site)}, nil
}

// SlugOwner returns the source file of the post whose page is
// /posts/<slug>/, or "".
func (s *Site) SlugOwner(slug string) string {
	for _, sp := range s.posts {
		if sp.check.File != nil && slugOf(sp) == slug {
			return sp.check.Path
		}
	}
	return ""
}

// PostPaths returns the posts' source files, relative to the site root.
func (s *Site) PostPaths() []string {
	out := make([]string, len(s.posts))
	for i, sp := range s.posts {
		out[i] = sp.check.Path
	}
	return out
}

// Check runs the policy over the loaded posts. only, when not nil, limits the
// report to the posts it accepts.
func (s *Site) Check(ctx context.Context, opts Options, popts policy.Options) *policy.Report {
	posts := make([]*policy.Post, len(s.posts))
	for i, sp := range s.posts {
		posts[i] = sp.check
	}
	rep := s.Policy.Check(ctx, opts.Site, posts, s.checkOptions(opts, popts, s.posts))
	rep.Findings = append(rep.Findings, s.contentFindings(ctx, opts)...)
	rep.Sort()
	return rep
}

// checkOptions completes the policy options from the site configuration;
// PostURL knows the given posts.
func (s *Site) checkOptions(opts Options, popts policy.Options, posts []sourcePost) policy.Options {
	if popts.Now.IsZero() {
		popts.Now = opts.Now
	}
	popts.Hashtags = s.Config.Share.Hashtags
	popts.Pages = s.bios
	popts.StripImages = s.Config.Images.StripMetadata
	if popts.PostURL == nil {
		slugs := make(map[*policy.Post]string, len(posts))
		for _, sp := range posts {
			slugs[sp.check] = slugOf(sp)
		}
		popts.PostURL = func(p *policy.Post) string { return s.Config.BaseURL + "posts/" + slugs[p] + "/" }
	}
	return popts
}

// contentFindings reports what the policy does not: duplicate slugs and
// images or files a post references that do not exist.
func (s *Site) contentFindings(ctx context.Context, opts Options) []policy.Finding {
	// Missing local files, each post on its own (its whole body is scanned).
	missing := make([][]policy.Finding, len(s.posts))
	par.Do(ctx, runtime.GOMAXPROCS(0), len(s.posts), func(_, i int) {
		p := s.posts[i].check
		if p.File == nil {
			return
		}
		for _, ref := range opts.cache.localRefs(p) {
			target := resolveRef(p.Path, ref.dest)
			if target == "" {
				continue
			}
			if _, err := fs.Stat(opts.Site, target); err != nil {
				missing[i] = append(missing[i], policy.Finding{File: p.Path, Line: ref.pos.Line, Column: ref.pos.Col, Rule: "content.missing-file", Severity: policy.Error,
					Message: fmt.Sprintf("%q does not exist (looked for %s); add the file or fix the path", ref.dest, target)})
			}
		}
	})
	var out []policy.Finding
	bySlug := map[string]string{}
	// Aliases: each must be a page of its own, not one the site makes.
	taken := map[string]string{}
	for _, sp := range s.posts {
		if sp.check.File != nil {
			taken["posts/"+opts.cache.slugOf(sp)+"/index.html"] = "the page of " + sp.check.Path
		}
	}
	for i, sp := range s.posts {
		p := sp.check
		if p.File == nil {
			continue
		}
		slug := opts.cache.slugOf(sp)
		if other, ok := bySlug[slug]; ok {
			pos := p.File.Open
			if ps, ok := p.Meta.Pos["slug"]; ok {
				pos = ps
			}
			out = append(out, policy.Finding{File: p.Path, Line: pos.Line, Column: pos.Col, Rule: "content.duplicate-slug", Severity: policy.Error,
				Message: fmt.Sprintf("slug %q is also used by %s; give one of them a different `slug:`", slug, other)})
		} else {
			bySlug[slug] = p.Path
		}
		out = append(out, missing[i]...)
		if p.Meta == nil {
			continue
		}
		pos := p.File.Open
		if ps, ok := p.Meta.Pos["aliases"]; ok {
			pos = ps
		}
		for _, a := range p.Meta.Aliases {
			var why string
			o := aliasOutput(a)
			top, _, _ := strings.Cut(o, "/")
			switch {
			case o == "":
				why = "is not a path on this site; give one such as /2024/old-name/"
			case reservedTop[top] || o == "index.html" || o == "404.html":
				why = "is a page the site makes itself; give the post's old path"
			case taken[o] != "":
				why = "would be written where " + taken[o] + " is; remove one of them"
			default:
				taken[o] = "an alias of " + p.Path
				continue
			}
			out = append(out, policy.Finding{File: p.Path, Line: pos.Line, Column: pos.Col, Rule: "content.bad-alias", Severity: policy.Error,
				Message: fmt.Sprintf("alias %q %s", a, why)})
		}
	}
	return out
}

// reservedTop are the output directories the site makes itself (lists,
// feeds, theme files): no alias may be written into them.
var reservedTop = map[string]bool{"tags": true, "authors": true, "page": true, "css": true, "js": true}

// withoutUnbuilt drops the findings in expired posts and, unless drafts,
// in drafts (and in their bundles): the build does not publish them, and a
// draft merged with its reviewers still to come must not stop the site
// from being published. check still reports them.
func (s *Site) withoutUnbuilt(fs []policy.Finding, now time.Time, drafts bool) []policy.Finding {
	retired := map[string]bool{}
	for _, sp := range s.posts {
		m := sp.check.Meta
		if m == nil || !(m.Draft && !drafts) && (m.ExpiryDate.IsZero() || m.ExpiryDate.After(now)) {
			continue
		}
		retired[sp.check.Path] = true
		if sp.bundle != "" {
			retired[sp.bundle] = true
		}
	}
	if len(retired) == 0 {
		return fs
	}
	in := func(file string) bool {
		for ; file != "." && file != "/"; file = path.Dir(file) {
			if retired[file] {
				return true
			}
		}
		return false
	}
	kept := fs[:0]
	for _, f := range fs {
		if !in(f.File) {
			kept = append(kept, f)
		}
	}
	return kept
}

// checked is the start every build shares: options defaulted, the site
// loaded and checked, and a renderer ready, with the stopwatch that goes on
// timing the build's stages into the Result. When the check fails it
// returns the report and an error wrapping ErrFindings.
func checked(ctx context.Context, opts *Options) (*renderer, *Result, *stopwatch, error) {
	if opts.Audience == "" {
		opts.Audience = "public"
	}
	if opts.Audience != "public" && opts.Audience != "internal" {
		return nil, nil, nil, fmt.Errorf("audience must be public or internal, not %q", opts.Audience)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	res := &Result{}
	sw := &stopwatch{last: time.Now(), res: res}
	site, err := Load(ctx, *opts)
	if err != nil {
		return nil, nil, nil, err
	}
	sw.lap("load")
	res.Config, res.Policy = site.Config, site.Policy
	popts := policy.Options{Now: opts.Now}
	if id := binaryID(); opts.pack != nil && id != nil {
		popts.Cache, popts.CacheID = opts.pack, id
	}
	res.Report = site.Check(ctx, *opts, popts)
	if !opts.Dev {
		res.Report.Findings = site.withoutUnbuilt(res.Report.Findings, opts.Now, opts.Drafts)
	}
	sw.lap("check")
	if res.Report.Failed() && !opts.Dev {
		return nil, res, nil, fmt.Errorf("%w: %s", ErrFindings, report.Plural(errCount(res.Report), "error"))
	}
	r, err := newRenderer(*opts, site)
	if err != nil {
		return nil, res, nil, err
	}
	return r, res, sw, nil // parsing the templates counts in the next stage
}

// Run loads, checks and renders the site in memory. When the check fails it
// returns the report and an error wrapping ErrFindings, and renders nothing.
func Run(ctx context.Context, opts Options) (*Result, error) {
	r, res, sw, err := checked(ctx, &opts)
	if err != nil {
		return res, err
	}
	outs, stats, err := r.render(ctx)
	if err != nil {
		return res, err
	}
	sw.lap("render")
	fs := r.verify(outs)
	sw.lap("verify")
	if len(fs) > 0 {
		res.Report.Findings = append(res.Report.Findings, fs...)
		res.Report.Sort()
		if res.Report.Failed() && !opts.Dev {
			return res, fmt.Errorf("%w: %s in the rendered site", ErrFindings, report.Plural(errCount(res.Report), "error"))
		}
	}
	sort.Slice(outs, func(i, j int) bool { return outs[i].Path < outs[j].Path })
	stats.Files = len(outs)
	res.Outputs, res.Stats, res.Posts = outs, stats, r.posts
	return res, nil
}

func errCount(r *policy.Report) int { e, _, _ := r.Counts(); return e }

// ref is a local file a post body references.
type ref struct {
	dest string
	pos  source.Pos
}

// localRefs returns the relative image destinations in a post body, with
// their positions in the file.
func localRefs(f *source.File) []ref {
	var out []ref
	body := f.Body
	for off := 0; ; {
		i := bytes.Index(body[off:], []byte("]("))
		if i < 0 {
			break
		}
		start := off + i + 2
		// Only images: the "[" must be preceded by "!" somewhere on the same label.
		lb := bytes.LastIndexByte(body[:off+i], '[')
		isImage := lb > 0 && body[lb-1] == '!'
		end := bytes.IndexAny(body[start:], ") \n")
		if end < 0 {
			break
		}
		dest := string(body[start : start+end])
		off = start + end
		if !isImage || dest == "" || strings.Contains(dest, "://") || strings.HasPrefix(dest, "/") ||
			strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "data:") || strings.HasPrefix(dest, "mailto:") {
			continue
		}
		out = append(out, ref{dest: dest, pos: f.OffsetPos(start)})
	}
	return out
}

// resolveRef resolves a relative reference from a post to a site path.
func resolveRef(postPath, dest string) string {
	dest, _, _ = strings.Cut(dest, "#")
	dest, _, _ = strings.Cut(dest, "?")
	if dest == "" {
		return ""
	}
	dir := postPath[:strings.LastIndex(postPath, "/")+1]
	p := cleanJoin(dir, dest)
	if !fs.ValidPath(p) {
		return ""
	}
	return p
}

// cleanJoin joins a directory and a relative reference and cleans the result.
func cleanJoin(dir, rel string) string {
	return strings.TrimPrefix(path.Clean(dir+rel), "/")
}
