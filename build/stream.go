package build

import (
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"sync"
	"text/template/parse"
	"time"

	"github.com/peerpress/peerpress/policy"
)

// Build is Run followed by Write, streamed: each output is written to the
// staging directory beside dir as soon as it is rendered, checked by the
// verify stage while it is at hand, and dropped, so the rendered site is
// never held in memory whole. The staging directory replaces dir only when
// everything, verification of the rendered pages included, succeeded; on
// any failure dir is left exactly as it was. The files written are
// byte-for-byte those of Run's Outputs.
//
// Result.Outputs is nil. To keep memory flat, a post's Content is released
// once its page is written unless a feed or a template other than the post
// page needs it, so Result.Posts may carry empty Content.
func Build(ctx context.Context, opts Options, dir string) (*Result, error) {
	if opts.Audience == "" {
		opts.Audience = "public"
	}
	if opts.Audience != "public" && opts.Audience != "internal" {
		return nil, fmt.Errorf("audience must be public or internal, not %q", opts.Audience)
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	site, err := Load(ctx, opts)
	if err != nil {
		return nil, err
	}
	res := &Result{Config: site.Config, Policy: site.Policy}
	res.Report = site.Check(ctx, opts, policy.Options{Now: opts.Now})
	if res.Report.Failed() && !opts.Dev {
		return res, fmt.Errorf("%w: %d errors", ErrFindings, errCount(res.Report))
	}
	r, err := newRenderer(opts, site)
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
	stats, findings, err := r.stream(ctx, st)
	if err != nil {
		return res, err
	}
	if len(findings) > 0 {
		res.Report.Findings = append(res.Report.Findings, findings...)
		res.Report.Sort()
		if res.Report.Failed() && !opts.Dev {
			return res, fmt.Errorf("%w: %d errors in the rendered site", ErrFindings, errCount(res.Report))
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := st.commit(); err != nil {
		return res, err
	}
	committed = true
	res.Stats, res.Posts = stats, r.posts
	return res, nil
}

// stream renders every output on GOMAXPROCS goroutines and hands each to
// st as soon as it exists. It returns the verify stage's findings, the same
// as r.verify would on the whole output.
func (r *renderer) stream(ctx context.Context, st *stage) (Stats, []policy.Finding, error) {
	if err := r.prepare(ctx); err != nil {
		return Stats{}, nil, err
	}
	plan, stats, err := r.plan()
	if err != nil {
		return stats, nil, err
	}
	stats.Files = len(plan)

	// The post behind each post page, for the per-post verification.
	pageOf := make(map[string]int, len(r.posts))
	for i, p := range r.posts {
		pageOf["posts/"+p.Slug+"/index.html"] = i
	}
	keep := r.contentNeeded()
	rendered := make([][]policy.Finding, len(r.posts))
	leaks := newLeakBatch(r)

	err = forEach(ctx, len(plan), func(i int) error {
		out := plan[i]
		data, err := out.Gen()
		if err != nil {
			return err
		}
		if k, ok := pageOf[out.Path]; ok {
			p := r.posts[k]
			rendered[k] = r.site.Policy.CheckRendered([]policy.Rendered{r.rendered(p, data)})
			if keep != nil && !keep[p] {
				p.Content = ""
			}
		}
		leaks.add(out.Path, data)
		return st.write(out.Path, data)
	})
	if err != nil {
		return stats, nil, err
	}
	var findings []policy.Finding
	for _, fs := range rendered {
		findings = append(findings, fs...)
	}
	return stats, append(findings, leaks.flush()...), nil
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
// page shows only its own post's Content and whose other templates never
// mention Content (checked here, so that a change to the theme cannot make
// Build and Run differ), and unless feeds carry every post.
func (r *renderer) contentNeeded() map[*Post]bool {
	limit := r.cfg.Feeds.Limit
	if limit <= 0 || !r.defaultTheme() || r.templatesUseContent() {
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

// templatesUseContent reports whether any template but those post.html
// defines names a field or method called Content.
func (r *renderer) templatesUseContent() bool {
	own := map[string]bool{}
	if data, err := fs.ReadFile(r.theme, "layouts/post.html"); err == nil {
		t, err := template.New("post.html").Funcs(r.funcs()).Parse(string(data))
		if err != nil {
			return true
		}
		for _, d := range t.Templates() {
			own[d.Name()] = true
		}
	}
	for kind, t := range r.tmpl {
		for _, d := range t.Templates() {
			if kind == "post" && own[d.Name()] {
				continue
			}
			if d.Tree != nil && mentions(d.Tree.Root, "Content") {
				return true
			}
		}
	}
	return false
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

// leakBatch runs policy.CheckLeaks over the outputs of a public build in
// batches of about leakBatchBytes, as they are produced: the same findings
// as one call over the whole site (the report is sorted afterwards), without
// holding the site in memory.
type leakBatch struct {
	r        *renderer
	internal []policy.InternalPost
	mu       sync.Mutex
	batch    []policy.Artifact
	size     int
	found    []policy.Finding
}

const leakBatchBytes = 32 << 20

func newLeakBatch(r *renderer) *leakBatch {
	return &leakBatch{r: r, internal: r.internalPosts()}
}

// add queues an output; when the batch is full, the caller checks it.
func (l *leakBatch) add(path string, data []byte) {
	if len(l.internal) == 0 {
		return
	}
	l.mu.Lock()
	l.batch = append(l.batch, policy.Artifact{Path: path, Data: data})
	l.size += len(data) + len(path)
	var full []policy.Artifact
	if l.size >= leakBatchBytes {
		full, l.batch, l.size = l.batch, nil, 0
	}
	l.mu.Unlock()
	if full != nil {
		fs := l.r.site.Policy.CheckLeaks(full, l.internal)
		l.mu.Lock()
		l.found = append(l.found, fs...)
		l.mu.Unlock()
	}
}

// flush checks the last batch and returns every finding.
func (l *leakBatch) flush() []policy.Finding {
	if len(l.internal) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.batch) > 0 {
		l.found = append(l.found, l.r.site.Policy.CheckLeaks(l.batch, l.internal)...)
		l.batch, l.size = nil, 0
	}
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
