package sitegen_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/internal/sitegen"
)

func now(t *testing.T) time.Time {
	t.Helper()
	n, err := time.Parse(time.RFC3339, sitegen.Now)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeterministic(t *testing.T) {
	a, b, c := sitegen.MapFS(60, 3), sitegen.MapFS(60, 3), sitegen.MapFS(60, 4)
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, f := range a {
		if g, ok := b[name]; !ok || !bytes.Equal(f.Data, g.Data) {
			t.Fatalf("%s differs between two runs with the same seed", name)
		}
	}
	same := 0
	for name, f := range a {
		if g, ok := c[name]; ok && bytes.Equal(f.Data, g.Data) && strings.HasPrefix(name, "content/posts/") {
			same++
		}
	}
	if same > 0 {
		t.Errorf("%d posts are the same with another seed", same)
	}
}

func TestWriteMatchesMapFS(t *testing.T) {
	dir := t.TempDir()
	if err := sitegen.Write(dir, 40, 9); err != nil {
		t.Fatal(err)
	}
	want := sitegen.MapFS(40, 9)
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if f, ok := want[filepath.ToSlash(rel)]; !ok || !bytes.Equal(f.Data, data) {
			t.Errorf("%s differs from MapFS", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("wrote %d files, MapFS has %d", n, len(want))
	}
}

// TestShape checks the corpus has the shape the benchmark promises.
func TestShape(t *testing.T) {
	const n = 300
	site := sitegen.MapFS(n, 1)
	posts, internal, products := 0, 0, 0
	authors, tags := map[string]bool{}, map[string]bool{}
	for name, f := range site {
		if !strings.HasPrefix(name, "content/posts/") {
			continue
		}
		posts++
		text := string(f.Data)
		fm, body, ok := strings.Cut(strings.TrimPrefix(text, "---\n"), "\n---\n")
		if !ok {
			t.Fatalf("%s: no front matter", name)
		}
		if words := len(strings.Fields(body)); words < 1100 || words > 2000 {
			t.Errorf("%s: %d words", name, words)
		}
		if !strings.Contains(body, "\n```") || !strings.Contains(body, "|---|") || !strings.Contains(body, "\n## ") {
			t.Errorf("%s: missing a code block, a table or headings", name)
		}
		for _, line := range strings.Split(fm, "\n") {
			key, val, _ := strings.Cut(line, ": ")
			list := strings.Split(strings.Trim(val, "[]"), ", ")
			switch key {
			case "tags":
				if len(list) < 2 || len(list) > 4 {
					t.Errorf("%s: %d tags", name, len(list))
				}
				for _, x := range list {
					tags[x] = true
				}
			case "authors":
				for _, x := range list {
					authors[x] = true
				}
			case "audience":
				if val == "internal" {
					internal++
				}
			case "products":
				products++
			}
		}
	}
	if posts != n {
		t.Errorf("%d posts, want %d", posts, n)
	}
	if len(authors) != sitegen.Authors {
		t.Errorf("%d authors wrote, want %d", len(authors), sitegen.Authors)
	}
	if len(tags) < sitegen.Tags*3/4 {
		t.Errorf("only %d of %d tags used", len(tags), sitegen.Tags)
	}
	if internal != n/100 || products < n/14 || products > n/4 {
		t.Errorf("%d internal posts, %d with products", internal, products)
	}
}

// TestPolicyClean builds a generated site: no error, no warning.
func TestPolicyClean(t *testing.T) {
	site := sitegen.MapFS(250, 2)
	res, err := build.Run(context.Background(), build.Options{Site: site, Now: now(t)})
	if res != nil && res.Report != nil {
		for _, f := range res.Report.Findings {
			t.Errorf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Stats.Posts != 250-3 { // posts 37, 137 and 237 are internal
		t.Errorf("built %d posts", res.Stats.Posts)
	}
}

// TestHugoVariant checks the Hugo site carries the same posts: same files,
// same bodies, internal posts as drafts.
func TestHugoVariant(t *testing.T) {
	dir := t.TempDir()
	if err := sitegen.WriteHugo(dir, 120, 5); err != nil {
		t.Fatal(err)
	}
	pp := sitegen.MapFS(120, 5)
	for _, f := range []string{"hugo.toml", "layouts/baseof.html", "layouts/home.html", "layouts/page.html", "layouts/term.html", "layouts/rss.xml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	drafts := 0
	for name, f := range pp {
		if !strings.HasPrefix(name, "content/posts/") {
			continue
		}
		h, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		_, wantBody, _ := strings.Cut(string(f.Data), "\n---\n")
		hfm, gotBody, _ := strings.Cut(string(h), "\n---\n")
		if gotBody != wantBody {
			t.Errorf("%s: the Hugo body differs", name)
		}
		if strings.Contains(hfm, "draft: true") {
			drafts++
			if !bytes.Contains(f.Data, []byte("audience: internal")) {
				t.Errorf("%s: a public post is a Hugo draft", name)
			}
		}
	}
	if drafts != 1 {
		t.Errorf("%d drafts, want 1", drafts)
	}
}
