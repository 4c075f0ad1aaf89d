package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/peerpress/peerpress/internal/sitegen"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/themes"
)

// findingLines formats a report's findings one per line.
func findingLines(r *policy.Report) string {
	var b strings.Builder
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
	}
	return b.String()
}

// TestBuildMatchesRun checks that the streamed Build writes exactly the
// tree Run + Write does, with the same report: on the golden mini-site, on
// a generated site (which has internal posts, so the leak check runs in
// batches) and for an internal build.
func TestBuildMatchesRun(t *testing.T) {
	sites := []struct {
		name     string
		fsys     fs.FS
		audience string
	}{
		{"blog", loadSite(t, "blog"), "public"},
		{"blog-internal", loadSite(t, "blog"), "internal"},
		{"generated", sitegen.MapFS(300, 7), "public"},
	}
	for _, s := range sites {
		t.Run(s.name, func(t *testing.T) {
			ctx := context.Background()
			opts := Options{Site: s.fsys, Now: testNow, Audience: s.audience, Version: "test"}
			res, err := Run(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := Write(ctx, filepath.Join(dir, "run"), res.Outputs); err != nil {
				t.Fatal(err)
			}
			bres, err := Build(ctx, opts, filepath.Join(dir, "build"))
			if err != nil {
				t.Fatal(err)
			}
			want, got := readTree(t, filepath.Join(dir, "run")), readTree(t, filepath.Join(dir, "build"))
			if !bytes.Equal(want, got) {
				t.Errorf("Build wrote a different tree from Run + Write (%d vs %d bytes)", len(got), len(want))
			}
			if w, g := findingLines(res.Report), findingLines(bres.Report); w != g {
				t.Errorf("reports differ:\nRun:\n%s\nBuild:\n%s", w, g)
			}
			if bres.Stats != res.Stats {
				t.Errorf("stats: Build %+v, Run %+v", bres.Stats, res.Stats)
			}
			if bres.Outputs != nil {
				t.Error("Build kept the outputs in memory")
			}
		})
	}
}

// TestBuildVerifyFailureKeepsOutput uses a theme whose post page leaves out
// the disclosure: Build must fail with the same findings as Run, leave the
// previous output as it was and remove its staging directory.
func TestBuildVerifyFailureKeepsOutput(t *testing.T) {
	ctx := context.Background()
	site := loadSite(t, "blog")
	dir := filepath.Join(t.TempDir(), "public")
	if _, err := Build(ctx, Options{Site: site, Now: testNow}, dir); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)

	theme := fstest.MapFS{}
	err := fs.WalkDir(themes.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(themes.Default(), p)
		if p == "layouts/post.html" {
			data = bytes.ReplaceAll(data, []byte(`{{template "disclosure" .}}`), nil)
		}
		theme[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Site: site, Now: testNow, Theme: theme}
	rres, rerr := Run(ctx, opts)
	bres, berr := Build(ctx, opts, dir)
	if !errors.Is(rerr, ErrFindings) || !errors.Is(berr, ErrFindings) {
		t.Fatalf("Run: %v, Build: %v; want ErrFindings from both", rerr, berr)
	}
	if w, g := findingLines(rres.Report), findingLines(bres.Report); w != g || !strings.Contains(g, "disclose.") {
		t.Errorf("reports differ or miss the disclosure finding:\nRun:\n%s\nBuild:\n%s", w, g)
	}
	if after := readTree(t, dir); !bytes.Equal(before, after) {
		t.Error("a failed Build changed the output directory")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("staging directories left behind: %v", entries)
	}
}

// TestBuildReleasesContent checks that Build drops the Content of posts no
// feed carries, and keeps every post's when a list template shows Content.
func TestBuildReleasesContent(t *testing.T) {
	ctx := context.Background()
	site := sitegen.MapFS(120, 3)
	site["site.yaml"].Data = bytes.Replace(site["site.yaml"].Data, []byte("limit: 20"), []byte("limit: 2"), 1)
	res, err := Build(ctx, Options{Site: site, Now: testNow}, filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	empty := 0
	for _, p := range res.Posts {
		if p.Content == "" {
			empty++
		}
	}
	if empty == 0 || empty == len(res.Posts) {
		t.Errorf("%d of %d posts lost their Content; want some, not all", empty, len(res.Posts))
	}
	if res.Posts[0].Content == "" {
		t.Error("the newest post is in the site feed but lost its Content")
	}

	// A home page that shows whole posts: nothing may be dropped.
	site["layouts/home.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{range .Posts}}{{.Content}}{{end}}{{end}}`)}
	res, err = Build(ctx, Options{Site: site, Now: testNow}, filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Posts {
		if p.Content == "" {
			t.Fatalf("%s lost its Content though home.html shows it", p.Source)
		}
	}
}

// TestTemplatesMention checks the analysis that decides what Build may
// release: with the default theme only the post page shows a post's body
// and share snippets; a list template that shows them is noticed, whether
// directly or through a partial it calls.
func TestTemplatesMention(t *testing.T) {
	ctx := context.Background()
	mention := func(site fstest.MapFS, name string) bool {
		t.Helper()
		opts := Options{Site: site, Now: testNow}
		s, err := Load(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		r, err := newRenderer(opts, s)
		if err != nil {
			t.Fatal(err)
		}
		return r.templatesMention(name)
	}
	site := loadSite(t, "blog")
	for name, want := range map[string]bool{"Content": false, "Share": false, "TOC": false, "Title": true, "ReadingTime": true} {
		if got := mention(site, name); got != want {
			t.Errorf("default theme: templatesMention(%q) = %v, want %v", name, got, want)
		}
	}
	site["layouts/tag.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{range .Posts}}{{template "whole" .}}{{end}}{{end}}{{define "whole"}}{{with .Share}}{{.URL}}{{end}}{{end}}`)}
	if !mention(site, "Share") {
		t.Error("a tag page showing share snippets through a partial was not noticed")
	}
	// The same through partialCached, by name and by a name only known
	// when the page runs.
	site["layouts/tag.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{range .Posts}}{{partialCached "whole" . .}}{{end}}{{end}}{{define "whole"}}{{with .Share}}{{.URL}}{{end}}{{end}}`)}
	if !mention(site, "Share") {
		t.Error("a tag page showing share snippets through partialCached was not noticed")
	}
	site["layouts/tag.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{range .Posts}}{{partialCached .Title . .}}{{end}}{{end}}`)}
	if !mention(site, "Content") {
		t.Error("partialCached of a computed name was taken to mention nothing")
	}
	// Inside parentheses, and as the argument of a {{template}}.
	for _, main := range []string{`{{print (partialCached "whole" . .)}}`, `{{template "x" (partialCached "whole" . .)}}`} {
		site["layouts/tag.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{range .Posts}}` + main + `{{end}}{{end}}{{define "x"}}{{.}}{{end}}{{define "whole"}}{{with .Share}}{{.URL}}{{end}}{{end}}`)}
		if !mention(site, "Share") {
			t.Errorf("%s: the share snippets it shows were not noticed", main)
		}
	}
}

// TestPartialCachedOverride: a page layout that redefines a partial which
// partialCached runs (post-card on the home page) gets its own; other page
// kinds keep the theme's.
func TestPartialCachedOverride(t *testing.T) {
	layout, err := fs.ReadFile(themes.Default(), "layouts/home.html")
	if err != nil {
		t.Fatal(err)
	}
	site := loadSite(t, "blog")
	site["layouts/home.html"] = &fstest.MapFile{Data: append(layout, `{{define "post-card"}}<p class="custom-card">{{.Title}}</p>{{end}}`...)}
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	home, tag := "", ""
	for _, o := range res.Outputs {
		switch {
		case o.Path == "index.html":
			home = string(o.Data)
		case strings.HasPrefix(o.Path, "tags/") && strings.HasSuffix(o.Path, "/index.html") && o.Path != "tags/index.html" && tag == "":
			tag = string(o.Data)
		}
	}
	if !strings.Contains(home, `class="custom-card"`) {
		t.Error("the home page's own post-card was not used")
	}
	if tag == "" || strings.Contains(tag, "custom-card") || !strings.Contains(tag, `class="card"`) {
		t.Error("a tag page did not keep the theme's post-card")
	}
}

// TestPartialCached: a partial runs once per name and variants and the
// same output comes back; data alone does not make a new entry; variants
// that cannot be keys are refused with a clear error.
func TestPartialCached(t *testing.T) {
	opts := Options{Site: loadSite(t, "blog"), Now: testNow}
	s, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(opts, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.partialSet.New("t.html").Parse(`{{define "echo"}}<b>{{.}}</b>{{end}}`); err != nil {
		t.Fatal(err)
	}
	one, two := 1, 2
	for _, c := range []struct {
		data     any
		variants []any
		want     string
	}{
		{"a", nil, "<b>a</b>"},
		{"b", nil, "<b>a</b>"}, // no variants: the name is the key
		{"<c>", []any{"x"}, "<b>&lt;c&gt;</b>"},
		{"d", []any{"x"}, "<b>&lt;c&gt;</b>"},
		{"e", []any{"x", true}, "<b>e</b>"},
		{"f", []any{&one}, "<b>f</b>"},
		{"g", []any{&two}, "<b>g</b>"},
		{"h", []any{&one}, "<b>f</b>"},
	} {
		got, err := r.partialCached("echo", c.data, c.variants...)
		if err != nil || string(got) != c.want {
			t.Errorf("partialCached(echo, %v, %v) = %q, %v; want %q", c.data, c.variants, got, err, c.want)
		}
	}
	if _, err := r.partialCached("echo", "x", []string{"a"}); err == nil || !strings.Contains(err.Error(), "cannot be a variant") {
		t.Errorf("a slice variant: err = %v", err)
	}
	if _, err := r.partialCached("echo", "x", 1, 2, 3, 4, 5); err == nil {
		t.Error("five variants were taken")
	}
	if _, err := r.partialCached("nonesuch", "x"); err == nil {
		t.Error("an undefined template gave no error")
	}
}

// changingFS serves a post file with different bytes from the second read.
type changingFS struct {
	fstest.MapFS
	name  string
	reads *int
}

func (c changingFS) ReadFile(name string) ([]byte, error) {
	data, err := c.MapFS.ReadFile(name)
	if name == c.name && err == nil {
		*c.reads++
		if *c.reads > 1 {
			data = append(data, "\nSomething nobody checked.\n"...)
		}
	}
	return data, err
}

// TestBuildRefusesChangedSource: Build reads each post back before its
// page; a file that changed since the check must fail the build rather
// than publish unchecked text.
func TestBuildRefusesChangedSource(t *testing.T) {
	site := loadSite(t, "blog")
	reads := 0
	fsys := changingFS{MapFS: site, name: "content/posts/hello.md", reads: &reads}
	dir := filepath.Join(t.TempDir(), "public")
	_, err := Build(context.Background(), Options{Site: fsys, Now: testNow}, dir)
	if err == nil || !strings.Contains(err.Error(), "changed while the site was being built") {
		t.Fatalf("err = %v, want a changed-file error", err)
	}
	if reads < 2 {
		t.Fatalf("the post was read %d times; Build no longer reads it back, so this test tests nothing", reads)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a failed build created the output directory")
	}
}

// TestReleaseSources: once the check is done, a streamed build holds
// neither the bytes nor the front-matter tree of any post, and reads back
// exactly the file that was checked.
func TestReleaseSources(t *testing.T) {
	ctx := context.Background()
	opts := Options{Site: loadSite(t, "blog"), Now: testNow}
	s, err := Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Check(ctx, opts, policy.Options{Now: testNow})
	r, err := newRenderer(opts, s)
	if err != nil {
		t.Fatal(err)
	}
	r.lazyBodies = true
	if err := r.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	before := map[*policy.Post]string{}
	for _, p := range r.posts {
		before[r.checks[p]] = string(r.checks[p].File.Body)
	}
	src := r.releaseSources(ctx)
	for _, p := range r.posts {
		cp := r.checks[p]
		if cp.File.Data != nil || cp.File.Body != nil || len(cp.File.Meta.Content) != 0 {
			t.Errorf("%s: bytes or front-matter tree still held after the check", cp.Path)
		}
		f, err := src.reload(cp, func() ([]byte, error) { return fs.ReadFile(opts.Site, cp.Path) })
		if err != nil {
			t.Fatal(err)
		}
		if string(f.Body) != before[cp] {
			t.Errorf("%s: reloaded body differs from the checked one", cp.Path)
		}
	}
}

// TestPageBufferSize: page buffers are sized to their page, so a large
// list page (a popular tag) does not make every later one reserve its size.
func TestPageBufferSize(t *testing.T) {
	site := sitegen.MapFS(300, 7)
	for p, f := range site {
		if strings.HasPrefix(p, "content/posts/") { // one tag on every post
			f.Data = []byte(strings.Replace(string(f.Data), "tags: [", "tags: [everywhere, ", 1))
		}
	}
	// Buffers a streamed build left in pageBufs, as large as it keeps:
	// Run, whose pages are kept, must not take them. (No collection
	// meanwhile: it would empty the pool.)
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for range 256 {
		recyclePage(make([]byte, 0, maxPooledPage))
	}
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Outputs {
		if strings.HasSuffix(o.Path, ".html") && cap(o.Data) > 2*len(o.Data)+16<<10 {
			t.Errorf("%s: %d bytes in a buffer of %d", o.Path, len(o.Data), cap(o.Data))
		}
	}
}

// TestBuildPackedBodies: a warm build makes each page whose body the pack
// holds from the pack, without reading the post file again (the rendering
// of the bytes that were checked, so a file changed since cannot slip in);
// when that entry no longer reads back it reads the file at once, and still
// refuses one that changed.
func TestBuildPackedBodies(t *testing.T) {
	site := loadSite(t, "blog")
	tmp := t.TempDir()
	pack := filepath.Join(tmp, "code.pack")
	build := func(name string, fsys fs.FS) ([]byte, *Result, error) {
		t.Helper()
		dir := filepath.Join(tmp, name)
		res, err := Build(context.Background(), Options{Site: fsys, Now: testNow, CodeCache: pack}, dir)
		if err != nil {
			return nil, res, err
		}
		return readTree(t, dir), res, nil
	}
	want, _, err := build("cold", site)
	if err != nil {
		t.Fatal(err)
	}
	clean, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	reads := 0
	got, res, err := build("warm", changingFS{MapFS: site, name: "content/posts/hello.md", reads: &reads})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("a warm build differs from the cold one")
	}
	if reads != 1 || res.Stats.MarkdownCached != res.Stats.Posts {
		t.Errorf("warm build: hello.md read %d times (want once, for the check), %d of %d bodies from the pack", reads, res.Stats.MarkdownCached, res.Stats.Posts)
	}

	// The same pack with hello.md's body damaged (its CRC no longer
	// matches): the file is read back, and its change is caught.
	if err := os.WriteFile(pack, bytes.Replace(clean, []byte("Measure first."), []byte("Measure FIRST."), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	reads = 0
	if _, _, err := build("damaged", changingFS{MapFS: site, name: "content/posts/hello.md", reads: &reads}); err == nil || !strings.Contains(err.Error(), "changed while the site was being built") {
		t.Errorf("damaged entry, changed file: err = %v, want a changed-file error", err)
	}
	if reads != 2 {
		t.Errorf("damaged entry: hello.md read %d times, want 2", reads)
	}
	if err := os.WriteFile(pack, bytes.Replace(clean, []byte("Measure first."), []byte("Measure FIRST."), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _, err := build("damaged-unchanged", site); err != nil || !bytes.Equal(got, want) {
		t.Errorf("damaged entry: err = %v, same output %v", err, bytes.Equal(got, want))
	}
}

// TestBuildStopsAfterWriteFailure: once a file cannot be written, Build
// renders no more posts (a full disk does not cost the rest of the build
// first), reports the failure once, and leaves the previous output as it
// was; a failure of the very last file fails the build too.
func TestBuildStopsAfterWriteFailure(t *testing.T) {
	defer func() { failWrite = nil }()
	ctx := context.Background()
	site := sitegen.MapFS(300, 5)
	dir := filepath.Join(t.TempDir(), "public")
	if _, err := Build(ctx, Options{Site: site, Now: testNow}, dir); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	full := errors.New("no space left on device")
	for _, tc := range []struct {
		name string
		fail func(rel string) bool
		// early: the failure comes before most posts are made, so the
		// renders after it can be counted.
		early bool
	}{
		{"first post page", func(rel string) bool { return strings.HasPrefix(rel, "posts/") }, true},
		{"last file", func(rel string) bool { return rel == "sitemap.xml" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failWrite = func(rel string) error {
				if tc.fail(rel) {
					return full
				}
				return nil
			}
			// The dev server's cache counts the post bodies rendered.
			c := newCache()
			_, err := Build(ctx, Options{Site: site, Now: testNow, cache: c}, dir)
			failWrite = nil
			if !errors.Is(err, full) {
				t.Fatalf("Build: %v, want the write failure", err)
			}
			if n := strings.Count(err.Error(), full.Error()); n != 1 {
				t.Errorf("the failure is reported %d times, want once:\n%.1000s", n, err)
			}
			if tc.early {
				// Before the first write fails, the writers' queues and
				// hands can take a post's output each; then each of the
				// GOMAXPROCS goroutines may finish the post it started.
				if n, most := c.renders.Load(), int64(writers()*(writerQueue+1)+runtime.GOMAXPROCS(0)); n > most {
					t.Errorf("%d post bodies rendered after the first page failed to write, want at most %d of 300", n, most)
				}
			}
			if after := readTree(t, dir); !bytes.Equal(before, after) {
				t.Error("a failed Build changed the output directory")
			}
			if entries, err := os.ReadDir(filepath.Dir(dir)); err != nil || len(entries) != 1 {
				t.Errorf("beside the output: %v (%v), want only it", entries, err)
			}
		})
	}
}
