package policy

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// TestBrokenLinkBasePath: with the site below a path (baseURL
// https://blog.example/blog/), relative and root-relative links are judged
// the same as at the root.
func TestBrokenLinkBasePath(t *testing.T) {
	fsys := baseFS(t)
	front := "---\ntitle: T\ndate: 2026-10-01\nsummary: S\nauthors: [ana]\nreviewed_by: [ben, cy]\naudience: public\n---\n"
	fsys["content/posts/a.md"] = &fstest.MapFile{Data: []byte(front + "[1](../b/) [2](../nope/) [3](/blog/posts/b/) [4](/blog/posts/nope/) [5](https://blog.example/blog/posts/nope/)\n")}
	fsys["content/posts/b.md"] = &fstest.MapFile{Data: []byte(front + "B.\n")}
	p, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: defaultNow, PostURL: func(p *Post) string { return "https://blog.example/blog/posts/" + postSlug(p) + "/" }}
	var got []string
	for _, f := range p.Check(context.Background(), fsys, []*Post{{Path: "content/posts/a.md"}, {Path: "content/posts/b.md"}}, opts).Findings {
		got = append(got, fmt.Sprintf("%s@%d:%d", f.Rule, f.Line, f.Column))
	}
	if want := "content.broken-link@9:16 content.broken-link@9:50 content.broken-link@9:73"; strings.Join(got, " ") != want {
		t.Errorf("findings %v, want %s", got, want)
	}
}
