package build

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"math/rand"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/policy"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testNow is the clock of every test build.
var testNow = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// loadSite reads a txtar mini-site into a MapFS.
func loadSite(t testing.TB, name string) fstest.MapFS {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", "sites", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for _, f := range a.Files {
		m[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	return m
}

// outputsArchive renders outputs (static theme assets left out) as a txtar.
func outputsArchive(outs []Output) []byte {
	a := &txtar.Archive{}
	for _, o := range outs {
		if strings.HasPrefix(o.Path, "css/") || strings.HasPrefix(o.Path, "js/") || strings.HasSuffix(o.Path, ".png") {
			continue
		}
		a.Files = append(a.Files, txtar.File{Name: o.Path, Data: o.Data})
	}
	return txtar.Format(a)
}

func TestGoldenSites(t *testing.T) {
	names, _ := filepath.Glob("testdata/sites/*.txtar")
	for _, n := range names {
		name := strings.TrimSuffix(filepath.Base(n), ".txtar")
		if strings.HasPrefix(name, "bad-") {
			continue
		}
		t.Run(name, func(t *testing.T) {
			site := loadSite(t, name)
			res, err := Run(context.Background(), Options{Site: site, Now: testNow, Version: "test"})
			if err != nil {
				if res != nil && res.Report != nil {
					for _, f := range res.Report.Findings {
						t.Log(f)
					}
				}
				t.Fatal(err)
			}
			got := outputsArchive(res.Outputs)
			golden := filepath.Join("testdata", "golden", name+".txtar")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; run go test ./build -run TestGoldenSites -update and review the diff", golden)
				diffArchives(t, want, got)
			}
		})
	}
}

func diffArchives(t *testing.T, want, got []byte) {
	w, g := txtar.Parse(want), txtar.Parse(got)
	wm := map[string]string{}
	for _, f := range w.Files {
		wm[f.Name] = string(f.Data)
	}
	for _, f := range g.Files {
		old, ok := wm[f.Name]
		if !ok {
			t.Errorf("new file %s", f.Name)
			continue
		}
		if old != string(f.Data) {
			ol, nl := strings.Split(old, "\n"), strings.Split(string(f.Data), "\n")
			for i := 0; i < len(ol) && i < len(nl); i++ {
				if ol[i] != nl[i] {
					t.Errorf("%s line %d:\nwant %q\ngot  %q", f.Name, i+1, ol[i], nl[i])
					break
				}
			}
		}
		delete(wm, f.Name)
	}
	for n := range wm {
		t.Errorf("missing file %s", n)
	}
}

// shuffledFS serves a MapFS whose directory listings come back in a random order.
type shuffledFS struct {
	fstest.MapFS
	rng *rand.Rand
}

func (s shuffledFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := s.MapFS.ReadDir(name)
	s.rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
	return es, err
}

func TestDeterministic(t *testing.T) {
	site := loadSite(t, "blog")
	var first []byte
	for i := 0; i < 4; i++ {
		fsys := shuffledFS{site, rand.New(rand.NewSource(int64(i)))}
		res, err := Run(context.Background(), Options{Site: fsys, Now: testNow, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := Write(context.Background(), filepath.Join(dir, "out"), res.Outputs); err != nil {
			t.Fatal(err)
		}
		tree := readTree(t, filepath.Join(dir, "out"))
		if first == nil {
			first = tree
		} else if !bytes.Equal(first, tree) {
			t.Fatalf("build %d differs from build 0", i)
		}
	}
}

// readTree serialises a directory tree: every path and its bytes, sorted.
func readTree(t *testing.T, dir string) []byte {
	t.Helper()
	var paths []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			paths = append(paths, p)
		}
		return err
	})
	sort.Strings(paths)
	var b bytes.Buffer
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "== %s %d\n", rel, len(data))
		b.Write(data)
	}
	return b.Bytes()
}

func TestFailedBuildKeepsOutput(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	site := loadSite(t, "blog")
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), dir, res.Outputs); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)

	bad := []struct {
		name, file, data, want string
	}{
		{"malformed front matter", "content/posts/broken.md", "---\ntitle: [unclosed\n---\nbody\n", "content/posts/broken.md:3:1:"},
		{"unclosed front matter", "content/posts/broken.md", "---\ntitle: x\nbody\n", "content/posts/broken.md:1:1:"},
		{"not UTF-8", "content/posts/broken.md", "---\ntitle: caf\xe9\n---\n", "content/posts/broken.md:2:11:"},
		{"missing image", "content/posts/hello.md", string(site["content/posts/hello.md"].Data) + "\n![a chart](missing.png)\n", "content/posts/hello.md:"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			broken := fstest.MapFS{}
			for k, v := range site {
				broken[k] = v
			}
			broken[tt.file] = &fstest.MapFile{Data: []byte(tt.data)}
			res, err := Run(context.Background(), Options{Site: broken, Now: testNow})
			if !errors.Is(err, ErrFindings) {
				t.Fatalf("err = %v, want ErrFindings", err)
			}
			found := false
			for _, f := range res.Report.Findings {
				loc := fmt.Sprintf("%s:%d:%d:", f.File, f.Line, f.Column)
				if strings.HasPrefix(loc, tt.want) && f.Severity == "error" {
					found = true
				}
			}
			if !found {
				t.Errorf("no error at %s in %+v", tt.want, res.Report.Findings)
			}
			if res.Outputs != nil {
				t.Error("a failed build returned outputs")
			}
			if after := readTree(t, dir); !bytes.Equal(before, after) {
				t.Error("output directory changed")
			}
		})
	}
}

func TestWriteReplacesAndConfines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	if err := Write(context.Background(), dir, []Output{{Path: "a/index.html", Data: []byte("one")}, {Path: "stale.txt", Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
	if err := Write(context.Background(), dir, []Output{{Path: "a/index.html", Data: []byte("two")}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a/index.html")); string(b) != "two" {
		t.Errorf("got %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); err == nil {
		t.Error("a file of the previous build survived the swap")
	}
	err := Write(context.Background(), dir, []Output{{Path: "../escape.txt", Data: []byte("x")}})
	if err == nil {
		t.Fatal("a path escaping the output directory was written")
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.txt")); err == nil {
		t.Error("escape.txt written outside the output directory")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a/index.html")); string(b) != "two" {
		t.Error("failed write changed the previous output")
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	if len(entries) != 1 {
		t.Errorf("temporary directories left behind: %v", entries)
	}
}

// TestWriteInterleavedDirs: files of many directories, in an order that
// keeps switching directories (each writer goroutine keeps its last one
// open), all land with their own bytes; a path written twice fails the
// write and leaves the previous output as it was.
func TestWriteInterleavedDirs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "public")
	var outs []Output
	want := map[string]string{}
	for i := range 400 {
		d := []string{"", "posts/p" + strconv.Itoa(i%37), "tags/t" + strconv.Itoa(i%11) + "/page/" + strconv.Itoa(i%3)}[i%3]
		p := path.Join(d, "f"+strconv.Itoa(i)+".html")
		outs = append(outs, Output{Path: p, Data: []byte("file " + p)})
		want[p] = "file " + p
	}
	if err := Write(context.Background(), dir, outs); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			got[filepath.ToSlash(rel)] = string(b)
		}
		return err
	})
	if !maps.Equal(got, want) {
		t.Errorf("wrote %d files, want %d; or contents differ", len(got), len(want))
	}
	dup := append(outs[:10:10], Output{Path: outs[3].Path, Data: []byte("again")})
	if err := Write(context.Background(), dir, dup); err == nil {
		t.Error("a path written twice did not fail the write")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, outs[3].Path)); string(b) != want[outs[3].Path] {
		t.Errorf("failed write changed the previous output: %q", b)
	}
}

func TestVisibility(t *testing.T) {
	site := loadSite(t, "blog")
	later := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		opts Options
		want []string // post slugs with a page
	}{
		{"public", Options{}, []string{"bundle", "hello", "public-widget"}},
		{"drafts", Options{Drafts: true}, []string{"bundle", "draft", "hello", "public-widget"}},
		{"internal", Options{Audience: "internal"}, []string{"bundle", "hello", "public-widget", "widget"}},
		{"after the embargo", Options{Now: later}, []string{"bundle", "future", "hello", "public-widget"}},
		{"dev shows drafts and scheduled posts", Options{Dev: true}, []string{"bundle", "draft", "future", "hello", "public-widget"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Site = site
			if tt.opts.Now.IsZero() {
				tt.opts.Now = testNow
			}
			res, err := Run(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range res.Outputs {
				if strings.HasPrefix(o.Path, "posts/") && strings.HasSuffix(o.Path, "/index.html") {
					got = append(got, strings.TrimSuffix(strings.TrimPrefix(o.Path, "posts/"), "/index.html"))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("posts %v, want %v", got, tt.want)
			}
			if tt.opts.Audience == "internal" {
				home := string(outputByPath(res.Outputs, "index.html"))
				if !strings.Contains(home, `content="noindex"`) {
					t.Error("internal edition is not noindex")
				}
			}
		})
	}
}

// TestUnpublishedFindings: a draft or an expired post that breaks the
// policy does not stop a build that leaves it out; a -drafts build fails
// on the draft, and check (Site.Check) reports both.
func TestUnpublishedFindings(t *testing.T) {
	site := loadSite(t, "blog")
	for _, name := range []string{"content/posts/draft.md", "content/posts/expired.md"} {
		site[name] = &fstest.MapFile{Data: []byte(strings.Replace(string(site[name].Data), "reviewed_by: [ben, cy]", "reviewed_by: []", 1))}
	}
	rules := func(r *policy.Report) string {
		var got []string
		for _, f := range r.Findings {
			got = append(got, f.File+" "+f.Rule)
		}
		return strings.Join(got, "; ")
	}
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if err != nil {
		t.Fatalf("build without -drafts: %v\n%s", err, rules(res.Report))
	}
	res, err = Run(context.Background(), Options{Site: site, Now: testNow, Drafts: true})
	if !errors.Is(err, ErrFindings) || rules(res.Report) != "content/posts/draft.md review.missing" || !strings.HasSuffix(err.Error(), ": 1 error") {
		t.Errorf("-drafts: err = %v, findings %s", err, rules(res.Report))
	}
	s, err := Load(context.Background(), Options{Site: site})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(s.Check(context.Background(), Options{Site: site, Now: testNow}, policy.Options{})); got != "content/posts/draft.md review.missing; content/posts/expired.md review.missing" {
		t.Errorf("check: %s", got)
	}
}

// TestTagSlugs: C++, C# and C are three tags with three pages; Go and go in
// one post are one tag, shown and fed once; feeds carry the categories too.
func TestTagSlugs(t *testing.T) {
	site := loadSite(t, "blog")
	site["content/posts/hello.md"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["content/posts/hello.md"].Data),
		"tags: [soldering, Thermal Design]", "tags: [C++, \"C#\", C, Go, go]\ncategories: [Failure analysis, c]", 1))}
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"tags/c-plus-plus/index.html", "tags/c-sharp/index.html", "tags/c/index.html", "tags/go/index.xml"} {
		if outputByPath(res.Outputs, p) == nil {
			t.Errorf("no %s", p)
		}
	}
	page := string(outputByPath(res.Outputs, "posts/hello/index.html"))
	for name, n := range map[string]int{`href="/tags/c-plus-plus/"`: 1, `href="/tags/c-sharp/"`: 1, `href="/tags/c/"`: 1, `href="/tags/go/"`: 1} {
		if got := strings.Count(page, name); got != n {
			t.Errorf("the post page links %s %d times, want %d", name, got, n)
		}
	}
	rss := string(outputByPath(res.Outputs, "tags/c/index.xml"))
	// The front matter's categories follow the tags, without repeating one.
	for _, c := range []string{"<category>C++</category>", "<category>C#</category>", "<category>C</category>", "<category>Go</category>", "<category>Failure analysis</category>"} {
		if strings.Count(rss, c) != 1 {
			t.Errorf("tags/c/index.xml has %q %d times, want once", c, strings.Count(rss, c))
		}
	}
}

// TestBiosChecked: an author's bio is published, so what no public page may
// carry fails the build there too, at the bio's line.
func TestBiosChecked(t *testing.T) {
	site := loadSite(t, "blog")
	site["content/authors/ada.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Ada Park\n---\nAda tunes ovens; this is confidential.\n")}
	res, err := Run(context.Background(), Options{Site: site, Now: testNow})
	if !errors.Is(err, ErrFindings) || !strings.Contains(findingLines(res.Report), "content/authors/ada.md:4:26: error terms.confidential") {
		t.Errorf("err = %v, findings:\n%s", err, findingLines(res.Report))
	}
}

// TestInternalPostsNotShared: in the internal edition an internal post has
// no share panel and no share.json (it must not be shared outside); public
// posts keep theirs.
func TestInternalPostsNotShared(t *testing.T) {
	res, err := Run(context.Background(), Options{Site: loadSite(t, "blog"), Now: testNow, Audience: "internal"})
	if err != nil {
		t.Fatal(err)
	}
	if outputByPath(res.Outputs, "posts/widget/index.html") == nil {
		t.Fatal("the internal post was not built")
	}
	if outputByPath(res.Outputs, "posts/widget/share.json") != nil || strings.Contains(string(outputByPath(res.Outputs, "posts/widget/index.html")), `class="share"`) {
		t.Error("the internal post has share snippets")
	}
	if outputByPath(res.Outputs, "posts/hello/share.json") == nil || !strings.Contains(string(outputByPath(res.Outputs, "posts/hello/index.html")), `class="share"`) {
		t.Error("a public post lost its share snippets in the internal edition")
	}
}

// TestAliases: an alias ending in .html is that file (as in Hugo), others a
// directory; an alias that is not a path, lands in a page the site makes or
// on another post's page or alias is a content.bad-alias error in the
// check, before anything is written.
func TestAliases(t *testing.T) {
	withAliases := func(aliases string) fstest.MapFS {
		site := loadSite(t, "blog")
		site["content/posts/hello.md"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["content/posts/hello.md"].Data), "audience: public", "audience: public\naliases: "+aliases, 1))}
		return site
	}
	res, err := Run(context.Background(), Options{Site: withAliases("[/2024/old.html, /2024/older/]"), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"2024/old.html", "2024/older/index.html"} {
		if !strings.Contains(string(outputByPath(res.Outputs, p)), "/posts/hello/") {
			t.Errorf("%s does not redirect to the post", p)
		}
	}
	for _, tt := range []struct{ aliases, want string }{
		{"[/posts/public-widget/]", `"/posts/public-widget/" would be written where the page of content/posts/public-widget.md is`},
		{"[/tags/]", `"/tags/" is a page the site makes itself`},
		{"[/css/style.css]", `"/css/style.css" is a page the site makes itself`},
		{"[/]", `"/" is not a path on this site`},
		{`["http://other.example/x"]`, `"http://other.example/x" is not a path on this site`},
		{"[/same/, /same/index.html]", `"/same/index.html" would be written where an alias of content/posts/hello.md is`},
	} {
		res, err := Run(context.Background(), Options{Site: withAliases(tt.aliases), Now: testNow})
		if !errors.Is(err, ErrFindings) || !strings.Contains(findingLines(res.Report), "content/posts/hello.md:8:1: error content.bad-alias: alias "+tt.want) {
			t.Errorf("%s: err = %v, findings:\n%s", tt.aliases, err, findingLines(res.Report))
		}
	}
}

func outputByPath(outs []Output, p string) []byte {
	for _, o := range outs {
		if o.Path == p {
			return o.Data
		}
	}
	return nil
}

func TestDuplicateSlugNamesBothFiles(t *testing.T) {
	site := loadSite(t, "blog")
	dup := fstest.MapFS{}
	for k, v := range site {
		dup[k] = v
	}
	dup["content/posts/hello-again.md"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["content/posts/hello.md"].Data), "title: Hello, solder", "title: Hello again\nslug: hello", 1))}
	res, err := Run(context.Background(), Options{Site: dup, Now: testNow})
	if !errors.Is(err, ErrFindings) {
		t.Fatalf("err = %v", err)
	}
	found := false
	for _, f := range res.Report.Findings {
		if f.Rule == "content.duplicate-slug" && strings.Contains(f.File+f.Message, "hello.md") && strings.Contains(f.File+f.Message, "hello-again.md") {
			found = true
		}
	}
	if !found {
		t.Errorf("no duplicate-slug finding naming both files: %+v", res.Report.Findings)
	}
}

// TestRemoveTree: the old output goes entirely, and a symbolic link in it
// is removed, never followed.
func TestRemoveTree(t *testing.T) {
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(outside, "keep.txt")
	os.WriteFile(keep, []byte("keep"), 0o644)
	dir := filepath.Join(tmp, "old")
	for i := range 50 {
		d := filepath.Join(dir, "posts", fmt.Sprintf("p%02d", i), "deeper")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "..", "index.html"), []byte("x"), 0o644)
		os.WriteFile(filepath.Join(d, "share.json"), []byte("{}"), 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "empty", "dirs"), 0o755)
	if err := os.Symlink(outside, filepath.Join(dir, "link-to-dir")); err != nil {
		t.Fatal(err)
	}
	os.Symlink(keep, filepath.Join(dir, "posts", "link-to-file"))
	if err := removeTree(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists (%v)", dir, err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "keep" {
		t.Errorf("a file behind a symbolic link was touched: %q %v", b, err)
	}
}
