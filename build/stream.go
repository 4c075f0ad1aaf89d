package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"text/template/parse"

	"github.com/peerpress/peerpress/build/source"
	"github.com/peerpress/peerpress/internal/par"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/policy/report"
	"go.yaml.in/yaml/v4"
)

// Build is Run followed by Write, streamed: each output is written to the
// staging directory beside dir as soon as it is rendered, checked by the
// verify stage while it is at hand, and dropped, so the rendered site is
// never held in memory whole. The staging directory replaces dir only when
// everything, verification of the rendered pages included, succeeded; on
// any failure dir is left exactly as it was. The files written are
// byte-for-byte those of Run's Outputs.
//
// Result.Outputs is nil. To keep memory flat, with the default theme each
// post's parsed source is released once its page is written, and so are
// its Content and share snippets unless a feed or a template other than
// the post page needs them: Result.Posts may carry empty Content and nil
// Share.
func Build(ctx context.Context, opts Options, dir string) (*Result, error) {
	var cacheErr error
	if opts.CodeCache != "" {
		if opts.pack, cacheErr = openCodePack(opts.CodeCache); opts.pack != nil {
			defer opts.pack.abort() // a no-op after commit
			binaryID()              // now, not when the binary may have been replaced
		}
	}
	r, res, sw, err := checked(ctx, &opts)
	if err != nil {
		return res, err
	}
	st, err := newStage(dir)
	if err != nil {
		return res, err
	}
	committed := false
	defer func() {
		if !committed {
			st.abort()
		}
	}()
	stats, findings, err := r.stream(ctx, st, sw)
	if err != nil {
		return res, err
	}
	if len(findings) > 0 {
		res.Report.Findings = append(res.Report.Findings, findings...)
		res.Report.Sort()
		if res.Report.Failed() && !opts.Dev {
			return res, fmt.Errorf("%w: %s in the rendered site", ErrFindings, report.Plural(errCount(res.Report), "error"))
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := st.commit(); err != nil {
		return res, err
	}
	committed = true
	if opts.pack != nil {
		// The site is built; a cache that cannot be saved costs the next
		// build time, nothing else, but the user should know.
		cacheErr = opts.pack.commit()
	}
	sw.lap("commit")
	res.CacheErr = cacheErr
	res.Stats, res.Posts = stats, r.posts
	return res, nil
}

// stream renders every output on GOMAXPROCS goroutines and hands each to
// st as soon as it exists. It returns the verify stage's findings, the same
// as r.verify would on the whole output.
//
// It works in two phases. First each post's own outputs (its page, share
// snippets and bundle files) are made, post by post, and the post is
// verified; with the default theme its Markdown is rendered just before
// (lazyBodies), as are its share snippets, and both are released just after,
// unless a feed needs them. Then the rest: lists, feeds, sitemap, static
// files, which see every post's reading time and word count. So the
// Markdown of the whole site is never in memory at once, nor, after the
// check, its sources (see sources).
func (r *renderer) stream(ctx context.Context, st *stage, sw *stopwatch) (Stats, []policy.Finding, error) {
	r.lazyBodies = r.defaultTheme()
	r.recycle = true
	if err := r.prepare(ctx); err != nil {
		return Stats{}, nil, err
	}
	sw.lap("prepare")
	plan, stats, err := r.plan()
	if err != nil {
		return stats, nil, err
	}
	stats.Files = len(plan)

	// Each post's outputs, by its directory posts/<slug>/.
	dirOf := make(map[string]int, len(r.posts))
	for k, p := range r.posts {
		dirOf["posts/"+p.Slug+"/"] = k
	}
	groups := make([][]int, len(r.posts))
	var rest []int
	for i, out := range plan {
		if k, ok := dirOf[postDir(out.Path)]; ok {
			groups[k] = append(groups[k], i)
		} else {
			rest = append(rest, i)
		}
	}
	keep := r.contentNeeded()
	dropShare := keep != nil && !r.templatesMention("Share")
	rendered := make([][]policy.Finding, len(r.posts))
	leaks := newLeakChecker(r)
	var src *sources
	var ahead *readAhead
	if r.lazyBodies {
		src = r.releaseSources(ctx)
		paths := make([]string, len(r.posts))
		for k, p := range r.posts {
			paths[k] = src.path(r.checks[p])
		}
		// A window of at least forEach's goroutines: each of them may skip
		// one index it was handed once the build is cancelled or a write
		// has failed, and a skipped file holds its place in the window;
		// with fewer places than goroutines a take could wait for a file
		// never read.
		ahead = startReadAhead(r.opts.Site, paths, readWorkers(), max(readAheadWindow, runtime.GOMAXPROCS(0)))
		defer ahead.close()
	}
	w := st.writer()
	// emit makes output i, checks it (and hands it to inspect, when not
	// nil) and queues it to be written. A page's buffer goes back to the
	// pool once written: nothing may read data after put.
	emit := func(i int, inspect func(data []byte)) error {
		out := plan[i]
		plan[i].Gen = nil // release what the closure holds once written
		data, err := out.Gen()
		if err != nil {
			return err
		}
		leaks.add(out.Path, data)
		if inspect != nil {
			inspect(data)
		}
		return w.put(out.Path, data, out.page)
	}

	// Each post is made on GOMAXPROCS goroutines, its file read back by
	// the read-ahead's readWorkers() (see readAhead). Making the posts on
	// 8 goroutines instead, which read for themselves, a 100,000-post warm
	// build on the 2-core VM spent 122 and 147 s in this stage against 112
	// and 112 s with 2 (more CPU, not less wait).
	err = forEach(ctx, len(r.posts), func(k int) error {
		if w.failed() != nil {
			// A write failed: nothing more can be published. The post
			// that met the failure returns it, or the check after
			// the loop does.
			return nil
		}
		p := r.posts[k]
		if r.lazyBodies {
			if err := r.lazyBody(src, p, func() ([]byte, error) { return ahead.take(k) }); err != nil {
				return err
			}
			r.shareSet(p)
		}
		page := "posts/" + p.Slug + "/index.html"
		checkPage := func(data []byte) {
			rendered[k] = r.site.Policy.CheckRendered([]policy.Rendered{r.rendered(p, data)})
		}
		for _, i := range groups[k] {
			var inspect func([]byte)
			if plan[i].Path == page {
				inspect = checkPage
			}
			if err := emit(i, inspect); err != nil {
				return err
			}
		}
		if keep != nil && !keep[p] {
			p.Content = ""
			if dropShare {
				p.Share = nil
			}
		}
		if r.lazyBodies {
			// The source has served the check, the Markdown and the
			// verification: nothing after this reads it.
			r.checks[p].File = nil
		}
		return nil
	})
	if err == nil {
		err = w.failed()
	}
	if err != nil {
		w.close()
		return stats, nil, err
	}
	sw.lap("posts")
	// The posts are most of the output: their writeback can run while
	// the lists and feeds are made.
	st.flushEarly()
	err = forEach(ctx, len(rest), func(j int) error {
		if w.failed() != nil {
			return nil
		}
		return emit(rest[j], nil)
	})
	sw.lap("lists and feeds")
	if werr := w.close(); err == nil {
		err = werr
	}
	sw.lap("write")
	if err != nil {
		return stats, nil, err
	}
	var findings []policy.Finding
	for _, fs := range rendered {
		findings = append(findings, fs...)
	}
	findings = append(findings, leaks.findings()...)
	sw.lap("leak check")
	stats.MarkdownCached = int(r.mdCached.Load())
	return stats, findings, nil
}

// postDir returns "posts/<name>/" for an output path under posts/, else "".
func postDir(p string) string {
	rest, ok := strings.CutPrefix(p, "posts/")
	if !ok {
		return ""
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return ""
	}
	return p[:len("posts/")+i+1]
}

// rendered is what the verify stage checks for one post, given its page.
func (r *renderer) rendered(p *Post, page []byte) policy.Rendered {
	rd := policy.Rendered{Post: r.checks[p], PageHTML: page, FeedItems: r.feedItems(p, nil)}
	if p.Share != nil {
		rd.EmployeeShare = make(map[string]string, len(p.Share.Employee))
		for k, s := range p.Share.Employee {
			rd.EmployeeShare[k] = s.Text
		}
	}
	return rd
}

// contentNeeded returns the posts whose Content must stay in memory after
// their page is written: those some feed carries. It returns nil (keep
// every post's) unless the site uses the embedded default theme, whose post
// page shows only its own post's Content, and no other page's templates
// mention Content (checked here, so that a change to the theme cannot make
// Build and Run differ), and unless feeds carry every post.
func (r *renderer) contentNeeded() map[*Post]bool {
	limit := r.cfg.Feeds.Limit
	if limit <= 0 || !r.defaultTheme() || r.templatesMention("Content") {
		return nil
	}
	keep := map[*Post]bool{}
	mark := func(posts []*Post) {
		for _, p := range posts[:min(limit, len(posts))] {
			keep[p] = true
		}
	}
	mark(r.posts)
	for _, a := range r.info.Authors {
		mark(a.Posts)
	}
	for _, t := range r.info.Tags {
		mark(t.Posts)
	}
	return keep
}

// defaultTheme reports whether the build uses the embedded default theme
// with no template overridden.
func (r *renderer) defaultTheme() bool {
	if r.opts.Theme != nil || r.cfg.Theme != "default" {
		return false
	}
	for _, dir := range []string{"themes/default", "layouts"} {
		if _, err := fs.Stat(r.opts.Site, dir); err == nil {
			return false
		}
	}
	return true
}

// templatesMention reports whether a page other than a post's own can
// name a field or method called name: any template reachable from the base
// template of the other page kinds, through {{template}} or partialCached
// (one whose name is not a constant could be any). (The post page only ever sees its own
// post's body and snippets with the default theme.)
func (r *renderer) templatesMention(name string) bool {
	for kind, t := range r.tmpl {
		if kind == "post" {
			continue
		}
		seen := map[string]bool{}
		queue := []string{"base"}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			if n == anyTemplate {
				return true
			}
			if seen[n] {
				continue
			}
			seen[n] = true
			d := t.Lookup(n)
			if d == nil || d.Tree == nil {
				continue
			}
			if mentions(d.Tree.Root, name) {
				return true
			}
			queue = append(queue, calls(d.Tree.Root)...)
		}
	}
	return false
}

// anyTemplate stands, in what calls returns, for a template whose name is
// only known when the page runs: it may mention anything.
const anyTemplate = "\x00any"

// calls returns the names of the templates a tree invokes, with {{template}}
// or partialCached.
func calls(n parse.Node) []string {
	var out []string
	var walk func(n parse.Node)
	var pipe func(p *parse.PipeNode)
	pipe = func(p *parse.PipeNode) {
		if p == nil {
			return
		}
		for _, c := range p.Cmds {
			for _, a := range c.Args {
				if sub, ok := a.(*parse.PipeNode); ok {
					pipe(sub) // (partialCached ...) as an argument
				}
			}
			if len(c.Args) == 0 {
				continue
			}
			if id, ok := c.Args[0].(*parse.IdentifierNode); !ok || id.Ident != "partialCached" {
				continue
			}
			if len(c.Args) > 1 {
				if s, ok := c.Args[1].(*parse.StringNode); ok {
					out = append(out, s.Text)
					continue
				}
			}
			out = append(out, anyTemplate)
		}
	}
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			pipe(n.Pipe)
		case *parse.TemplateNode:
			out = append(out, n.Name)
			pipe(n.Pipe)
		case *parse.IfNode:
			pipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			pipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			pipe(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(n)
	return out
}

// mentions reports whether a template tree names the field or method name.
func mentions(n parse.Node, name string) bool {
	switch n := n.(type) {
	case nil:
		return false
	case *parse.ListNode:
		if n == nil {
			return false
		}
		for _, c := range n.Nodes {
			if mentions(c, name) {
				return true
			}
		}
	case *parse.ActionNode:
		return mentions(n.Pipe, name)
	case *parse.PipeNode:
		if n == nil {
			return false
		}
		for _, c := range n.Cmds {
			if mentions(c, name) {
				return true
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if mentions(a, name) {
				return true
			}
		}
	case *parse.FieldNode:
		return contains(n.Ident, name)
	case *parse.ChainNode:
		return contains(n.Field, name) || mentions(n.Node, name)
	case *parse.VariableNode:
		return contains(n.Ident, name)
	case *parse.StringNode:
		return n.Text == name
	case *parse.IfNode:
		return mentions(n.Pipe, name) || mentions(n.List, name) || mentions(n.ElseList, name)
	case *parse.RangeNode:
		return mentions(n.Pipe, name) || mentions(n.List, name) || mentions(n.ElseList, name)
	case *parse.WithNode:
		return mentions(n.Pipe, name) || mentions(n.List, name) || mentions(n.ElseList, name)
	case *parse.TemplateNode:
		return mentions(n.Pipe, name)
	}
	return false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// leakChecker runs policy.CheckLeaks over the outputs of a public build as
// they are produced, one at a time: the same findings as one call over the
// whole site (the report is sorted afterwards), without holding any output
// after it is written (a page's buffer is reused once written, see emit).
type leakChecker struct {
	scan  *policy.LeakScanner // nil when there are no internal posts
	mu    sync.Mutex
	found []policy.Finding
}

func newLeakChecker(r *renderer) *leakChecker {
	l := &leakChecker{}
	if internal := r.internalPosts(); len(internal) > 0 {
		l.scan = r.site.Policy.NewLeakScanner(internal)
	}
	return l
}

// add checks an output.
func (l *leakChecker) add(path string, data []byte) {
	if l.scan == nil {
		return
	}
	if fs := l.scan.Check([]policy.Artifact{{Path: path, Data: data}}); len(fs) > 0 {
		l.mu.Lock()
		l.found = append(l.found, fs...)
		l.mu.Unlock()
	}
}

// findings returns every finding so far.
func (l *leakChecker) findings() []policy.Finding {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.found
}

// internalPosts describes the posts a public build hides, for CheckLeaks.
func (r *renderer) internalPosts() []policy.InternalPost {
	if len(r.hidden) == 0 {
		return nil
	}
	bySource := make(map[*policy.Post]sourcePost, len(r.site.posts))
	for _, s := range r.site.posts {
		bySource[s.check] = s
	}
	internal := make([]policy.InternalPost, 0, len(r.hidden))
	for _, h := range r.hidden {
		sp, ok := bySource[h]
		if !ok {
			sp = sourcePost{check: h}
		}
		slug := slugOf(sp)
		_, u := r.urls("posts/" + slug + "/")
		internal = append(internal, policy.InternalPost{File: h.Path, Title: h.Meta.Title, Slug: slug, URL: u, Pos: h.Meta.Pos["audience"]})
	}
	return internal
}

// sources lets a streamed build drop the bytes and the front-matter tree of
// every post file once the check and prepare are done with them, and read
// the bytes back just before the post's page: in between, memory holds a
// hash of them, not the bytes. A file that changed on disk since it was
// checked is an error, so what is published is always what was checked.
// A body the build cache's pack holds is not read back at all: its page is
// made from the pack's rendering of the checked bytes (lazyBody).
type sources struct {
	seed maphash.Seed
	held map[*policy.Post]releasedFile
}

// releasedFile is what is kept of a released file.
type releasedFile struct {
	sum     uint64 // maphash of File.Data
	bodyLen int    // len(File.Body); the body is the end of Data
	// md is the body's key in the build cache's pack, and packed whether
	// the pack held it at release: the page is then made from the pack,
	// the rendering of exactly the bytes that were checked, and the file
	// is not read again.
	md     [sha256.Size]byte
	packed bool
}

// releaseSources drops the bytes of every post file (keeping the parsed
// front matter of the posts being rendered, and nothing of the others) and
// returns what reload needs to read them back.
func (r *renderer) releaseSources(ctx context.Context) *sources {
	s := &sources{seed: maphash.MakeSeed(), held: make(map[*policy.Post]releasedFile, len(r.posts))}
	held := make([]releasedFile, len(r.posts))
	pack, id := r.opts.pack, binaryID()
	par.Do(ctx, runtime.GOMAXPROCS(0), len(r.posts), func(_, k int) {
		f := r.checks[r.posts[k]].File
		if f == nil {
			return
		}
		held[k] = releasedFile{sum: maphash.Bytes(s.seed, f.Data), bodyLen: len(f.Body)}
		if pack != nil && !pack.empty() && id != nil && r.opts.cache == nil {
			held[k].md = mdKey(id, r.mdOpts, f.Body)
			held[k].packed = pack.has(held[k].md)
		}
	})
	rendered := make(map[*policy.Post]bool, len(r.posts))
	for k, p := range r.posts {
		cp := r.checks[p]
		rendered[cp] = true
		if f := cp.File; f != nil {
			s.held[cp] = held[k]
			lite := *f
			lite.Data, lite.Body = nil, nil
			// The front-matter tree has served the check, which remembered
			// what the verification needs of it (policy.Post's product
			// scan, source.Meta's key positions): a third of the live heap
			// of a 100,000-post build.
			lite.Meta = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: f.Meta.Line, Column: f.Meta.Column}
			cp.File = &lite
		}
	}
	for _, sp := range r.site.posts {
		if !rendered[sp.check] {
			sp.check.File = nil
		}
	}
	return s
}

// path returns the file to read ahead for cp: "" when cp was not released
// (reload then reads nothing) or its body is in the pack.
func (s *sources) path(cp *policy.Post) string {
	if h, ok := s.held[cp]; ok && !h.packed {
		return cp.Path
	}
	return ""
}

// lazyBody renders the body of p, released by src: from the pack when
// release found its key there, without reading the file; else (or when the
// entry no longer reads back) from the file read back by reload, with
// take, or read at once when it was not read ahead.
func (r *renderer) lazyBody(src *sources, p *Post, take func() ([]byte, error)) error {
	cp := r.checks[p]
	if h := src.held[cp]; h.packed {
		if res, ok := r.packedMarkdown(h.md); ok {
			r.useBody(p, r.opts.cache.putMarkdown(cp.Path, res))
			return nil
		}
		take = func() ([]byte, error) { return fs.ReadFile(r.opts.Site, cp.Path) }
	}
	f, err := src.reload(cp, take)
	if err != nil {
		return err
	}
	return r.renderBody(p, f)
}

// readAheadWindow is how many post files are read ahead of their pages.
const readAheadWindow = 64

// reload reads a released post file back with read, checks it is the file
// that was checked, and puts it back in place for the render and the
// verification.
func (s *sources) reload(cp *policy.Post, read func() ([]byte, error)) (*source.File, error) {
	h, ok := s.held[cp]
	if !ok {
		return cp.File, nil
	}
	data, err := read()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", cp.Path, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // as source.Parse does
	if maphash.Bytes(s.seed, data) != h.sum || len(data) < h.bodyLen {
		return nil, fmt.Errorf("%s changed while the site was being built; build again", cp.Path)
	}
	f := *cp.File
	f.Data, f.Body = data, data[len(data)-h.bodyLen:]
	cp.File = &f
	return &f, nil
}
