package build

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/peerpress/peerpress/build/markdown"
	"github.com/peerpress/peerpress/policy"
)

// cache keeps parsed posts and rendered Markdown between the dev server's
// rebuilds. Entries are dropped by path when the watcher reports a change.
type cache struct {
	mu     sync.Mutex
	parsed map[string]*policy.Post
	md     map[string]*markdown.Result // by post path
	engine *markdown.Engine
	engOpt markdown.Options
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

func (c *cache) markdown(path string) *markdown.Result {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.md[path]
}

func (c *cache) putMarkdown(path string, r *markdown.Result) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.md[path] = r
	c.mu.Unlock()
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
		c.md = map[string]*markdown.Result{}
	}
	return c.engine
}

// Session keeps a site loaded for the dev server: each Rebuild re-reads only
// the files reported changed since the last one, and pages are rendered when
// first requested.
type Session struct {
	opts  Options
	cache *cache
	mu    sync.Mutex
	snap  *Snapshot
	n     int
}

// NewSession starts a dev session. opts.Dev is forced on.
func NewSession(opts Options) *Session {
	opts.Dev = true
	if opts.Audience == "" {
		opts.Audience = "public"
	}
	return &Session{opts: opts, cache: &cache{parsed: map[string]*policy.Post{}, md: map[string]*markdown.Result{}}}
}

// Invalidate forgets what is cached for the given site-relative paths. A path
// outside content/posts (site.yaml, policy, a theme) or a directory drops everything.
func (s *Session) Invalidate(paths []string) {
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range paths {
		if !strings.HasPrefix(p, "content/posts/") || !strings.HasSuffix(p, ".md") {
			c.parsed = map[string]*policy.Post{}
			c.md = map[string]*markdown.Result{}
			return
		}
		delete(c.parsed, p)
		delete(c.md, p)
	}
}

// Snapshot is one consistent build of the site, rendered lazily.
type Snapshot struct {
	// Build counts the session's rebuilds.
	Build int
	// Report holds the findings; Err a failure that stopped the build (the
	// previous good pages are then still served).
	Report *policy.Report
	Err    error
	// Took is the rebuild's duration.
	Took time.Duration
	// Moved maps old page URLs to new ones for posts whose URL changed.
	Moved map[string]string

	urls    map[string]string // post source → RelPermalink
	plan    map[string]Pending
	mu      sync.Mutex
	done    map[string][]byte
	started time.Time
}

// Current returns the latest snapshot (nil before the first Rebuild).
func (s *Session) Current() *Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

// Rebuild loads, checks and plans the site. On a failure the previous
// snapshot's pages are kept and the new snapshot carries the error.
func (s *Session) Rebuild(ctx context.Context) *Snapshot {
	start := time.Now()
	s.mu.Lock()
	s.n++
	n, prev := s.n, s.snap
	s.mu.Unlock()
	snap := &Snapshot{Build: n, started: start, done: map[string][]byte{}}
	opts := s.opts
	opts.cache = s.cache
	if opts.Now.IsZero() || s.opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	err := func() error {
		site, err := Load(ctx, opts)
		if err != nil {
			return err
		}
		snap.Report = site.Check(ctx, opts, policy.Options{Now: opts.Now})
		r, err := newRenderer(opts, site)
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
		snap.plan = make(map[string]Pending, len(plan))
		for _, p := range plan {
			snap.plan[p.Path] = p
		}
		snap.urls = map[string]string{}
		for _, p := range r.posts {
			snap.urls[p.Source] = p.RelPermalink
		}
		return nil
	}()
	if err != nil {
		snap.Err = err
		if prev != nil {
			snap.plan, snap.urls = prev.plan, prev.urls
			if snap.Report == nil {
				snap.Report = &policy.Report{}
			}
		}
	} else if prev != nil {
		for src, old := range prev.urls {
			if nu, ok := snap.urls[src]; ok && nu != old {
				if snap.Moved == nil {
					snap.Moved = map[string]string{}
				}
				snap.Moved[old] = nu
			}
		}
	}
	if snap.Report == nil {
		snap.Report = &policy.Report{}
	}
	snap.Took = time.Since(start)
	s.mu.Lock()
	s.snap = snap
	s.mu.Unlock()
	return snap
}

// ErrNotFound is returned by Get for a path the site does not have.
var ErrNotFound = errors.New("not found")

// Get returns the bytes of an output path ("posts/x/index.html"), rendering
// it on first request.
func (sn *Snapshot) Get(path string) ([]byte, error) {
	if sn == nil || sn.plan == nil {
		return nil, ErrNotFound
	}
	p, ok := sn.plan[path]
	if !ok {
		return nil, ErrNotFound
	}
	sn.mu.Lock()
	b, ok := sn.done[path]
	sn.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := p.Gen()
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", path, err)
	}
	sn.mu.Lock()
	sn.done[path] = b
	sn.mu.Unlock()
	return b, nil
}

// Messages returns the snapshot's problems as "file:line:col: severity rule: message"
// lines, errors first, for the overlay.
func (sn *Snapshot) Messages() []string {
	var out []string
	if sn.Err != nil {
		for _, e := range unjoin(sn.Err) {
			out = append(out, "error: "+e.Error())
		}
	}
	fs := append([]policy.Finding(nil), sn.Report.Findings...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity == policy.Error && fs[j].Severity != policy.Error })
	for _, f := range fs {
		if f.Waived() {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message))
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
