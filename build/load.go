package build

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"

	"github.com/peerpress/peerpress/build/markdown"
	"github.com/peerpress/peerpress/build/source"
	"github.com/peerpress/peerpress/internal/par"
	"github.com/peerpress/peerpress/internal/slug"
	"github.com/peerpress/peerpress/policy"
)

// sourcePost is one post file as loaded: parsed, typed, and the paths of the
// files that sit beside it in a bundle.
type sourcePost struct {
	check *policy.Post
	// bundle is the bundle directory ("content/posts/x") or "" for a single file.
	bundle string
	// resources are the bundle's other files, sorted, relative to the site root.
	resources []string
}

// listPosts returns the post files under content/posts, sorted: *.md files
// directly in it, and <dir>/index.md bundles.
func listPosts(fsys fs.FS) ([]sourcePost, error) {
	entries, err := fs.ReadDir(fsys, "content/posts")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read content/posts: %w", err)
	}
	var out []sourcePost
	for _, e := range entries {
		name := e.Name()
		if skipName(name) {
			continue
		}
		p := "content/posts/" + name
		if !e.IsDir() {
			if strings.HasSuffix(name, ".md") {
				out = append(out, sourcePost{check: &policy.Post{Path: p}})
			}
			continue
		}
		if _, err := fs.Stat(fsys, p+"/index.md"); err != nil {
			continue
		}
		sp := sourcePost{check: &policy.Post{Path: p + "/index.md"}, bundle: p}
		err := fs.WalkDir(fsys, p, func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if q != p && skipName(d.Name()) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && q != p+"/index.md" && !strings.HasSuffix(q, ".md") {
				sp.resources = append(sp.resources, q)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read bundle %s: %w", p, err)
		}
		sort.Strings(sp.resources)
		out = append(out, sp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].check.Path < out[j].check.Path })
	return out, nil
}

// skipName reports whether a file is hidden or an editor's temporary file.
func skipName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~") ||
		strings.HasSuffix(name, ".swp") || strings.HasSuffix(name, ".tmp")
}

// parsePosts reads and parses every post in parallel (bounded by GOMAXPROCS).
// Posts the dev server's cache holds are taken from it.
func parsePosts(ctx context.Context, fsys fs.FS, posts []sourcePost, c *cache) error {
	todo := make([]int, 0, len(posts))
	for i := range posts {
		if cached := c.post(posts[i].check.Path); cached != nil {
			posts[i].check = cached
		} else {
			todo = append(todo, i)
		}
	}
	return forEachOn(ctx, readWorkers(), len(todo), func(j int) error {
		i := todo[j]
		p := posts[i].check
		defer c.putPost(p)
		data, err := fs.ReadFile(fsys, p.Path)
		if err != nil {
			// Reported as the post's problem, as the policy check does.
			p.Err = source.Errorf(p.Path, source.Pos{Line: 1, Col: 1}, "cannot read: %v", err)
			return nil
		}
		f, err := source.Parse(p.Path, data)
		if err != nil {
			var se *source.Error
			if !errors.As(err, &se) {
				se = source.Errorf(p.Path, source.Pos{Line: 1, Col: 1}, "%v", err)
			}
			p.Err = se
			return nil
		}
		p.File = f
		p.Meta, p.Problems = source.DecodeMeta(f)
		return nil
	})
}

// readWorkers is how many goroutines read and parse source files: more
// than the CPUs, so that while some wait for the disk the others parse.
// Source files are not always in the page cache (this kind of VM pages out
// files unread for a few seconds). On this project's 2-core VM, reading
// 100,000 uncached posts took 11.4 s on 2 goroutines and 6.7 s on 8 (16 to
// 64: no faster); cached, 0.95 and 0.77 s. 100,000-post build, load stage:
// 13.8 and 14.5 s on 2, 6.1 and 7.1 s on 8.
func readWorkers() int { return max(8, runtime.GOMAXPROCS(0)) }

// forEach calls fn(0..n-1) on at most GOMAXPROCS goroutines and returns the
// errors joined in index order. A panic in fn becomes that call's error
// (see safely); par.Do, used directly, raises it on the caller instead.
func forEach(ctx context.Context, n int, fn func(i int) error) error {
	return forEachOn(ctx, runtime.GOMAXPROCS(0), n, fn)
}

// forEachOn is forEach on at most workers goroutines (for work bound by
// something other than the CPU).
func forEachOn(ctx context.Context, workers, n int, fn func(i int) error) error {
	errs := make([]error, n)
	par.Do(ctx, workers, n, func(_, i int) { errs[i] = safely(i, fn) })
	if err := ctx.Err(); err != nil {
		return err
	}
	return joinDistinct(errs)
}

// joinDistinct joins errs, leaving out nils and any error that says what
// an earlier one says: a failed write that several files ran into is
// reported once.
func joinDistinct(errs []error) error {
	var out []error
	seen := map[string]bool{}
	for _, err := range errs {
		if err != nil && !seen[err.Error()] {
			seen[err.Error()] = true
			out = append(out, err)
		}
	}
	return errors.Join(out...)
}

// safely calls fn(i), turning a panic into an error: one bad input must not
// take the dev server down.
func safely(i int, fn func(i int) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error (please report it): %v", r)
		}
	}()
	return fn(i)
}

// bioPaths are the files an author's bio may be in, in the order they are
// looked for.
func bioPaths(id string) []string {
	return []string{"content/authors/" + id + ".md", "content/authors/" + id + "/_index.md", "content/authors/" + id + "/index.md"}
}

// listBios returns the author bios (the file authorBio renders for each
// id under content/authors), parsed, for the policy to scan: they are
// published as much as posts are. A bio that cannot be parsed is left out
// (the build reports it when it renders the bio).
func listBios(fsys fs.FS) []*policy.Post {
	entries, err := fs.ReadDir(fsys, "content/authors")
	if err != nil {
		return nil
	}
	var out []*policy.Post
	seen := map[string]bool{}
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".md")
		if skipName(e.Name()) || seen[id] || !e.IsDir() && id == e.Name() {
			continue
		}
		seen[id] = true
		for _, p := range bioPaths(id) {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				continue
			}
			if f, err := source.Parse(p, data); err == nil {
				out = append(out, &policy.Post{Path: p, File: f})
			}
			break
		}
	}
	return out
}

// authorBio reads content/authors/<id>.md or content/authors/<id>/_index.md.
func authorBio(fsys fs.FS, md *markdown.Engine, id string) ([]byte, error) {
	for _, p := range bioPaths(id) {
		data, err := fs.ReadFile(fsys, p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		f, err := source.Parse(p, data)
		if err != nil {
			return nil, err
		}
		r, err := md.Render(f.Body)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", p, err)
		}
		return r.HTML, nil
	}
	return nil, nil
}

// slugOf returns a post's slug: front-matter slug, else its file or bundle name.
func slugOf(sp sourcePost) string {
	if m := sp.check.Meta; m != nil && m.Slug != "" {
		return slug.Make(m.Slug)
	}
	name := path.Base(sp.check.Path)
	if sp.bundle != "" {
		name = path.Base(sp.bundle)
	}
	return slug.Make(strings.TrimSuffix(name, ".md"))
}
