package source

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/internal/sitegen"
	yaml "go.yaml.in/yaml/v4"
)

// loadTree is the reference: the mapping yaml.Load builds, or nil.
func loadTree(raw []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Load(raw, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// sameTree fails t if quickYAML accepted raw and built a different tree
// from yaml.Load's.
func sameTree(t *testing.T, raw []byte) bool {
	t.Helper()
	got, ok := quickYAML(raw)
	if !ok {
		return false
	}
	want := loadTree(raw)
	if want == nil {
		t.Fatalf("quickYAML accepted %q, which yaml.Load rejects", raw)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("quickYAML(%q):\n got %s\nwant %s", raw, dumpNode(got), dumpNode(want))
	}
	return true
}

func dumpNode(n *yaml.Node) string {
	var b strings.Builder
	var walk func(n *yaml.Node, ind string)
	walk = func(n *yaml.Node, ind string) {
		b.WriteString("\n" + ind)
		b.WriteString(strings.Join([]string{n.Tag, "style=" + strconv.Itoa(int(n.Style)), "value=" + n.Value, "at=" + strconv.Itoa(n.Line) + ":" + strconv.Itoa(n.Column), "kind=" + strconv.Itoa(int(n.Kind))}, " "))
		for _, c := range n.Content {
			walk(c, ind+"  ")
		}
	}
	walk(n, "")
	return b.String()
}

func TestQuickYAML(t *testing.T) {
	fast := []string{
		"title: \"Increase the glass\"\ndate: 2018-07-13T19:07:00Z\nsummary: \"How: a, b — c’s #1\"\nauthors: [ulla-rossi]\n",
		"tags: [calibration, voiding in practice]\ncategories: [Standards]\naudience: public\n",
		"date: 2026-05-20\nlastmod: 2026-06-02\nimage: profile.png\n",
		"date: 2026-04-14 09:30:00\n",
		"mentions:\n  competitors: [acme]\n  clients: [globex, \"initech\"]\nproducts: [solder-x]\n",
		"share:\n  text: 'It''s here'\n  mastodon: \"x\"\nvoice: personal\n\n\nempty:\nnested:\n    deep:\n        deeper: v\n    back: w\nlast: [ ]\n",
		"title: Why, it's [fine] {really} a:b plain scalar\n",
		"title: ümlaut über alles\nlist: [ a ,  b  c , d ]\n",
		"x: \"\"\n",
		"a: b",
	}
	// More keys than manyKeys: duplicates are then found through a map.
	var many strings.Builder
	for i := range 2 * manyKeys {
		fmt.Fprintf(&many, "k%d: v\n", i)
	}
	fast = append(fast, many.String())
	for _, s := range fast {
		if !sameTree(t, []byte(s)) {
			t.Errorf("quickYAML(%q) fell back; the fast path should take it", s)
		}
	}
	slow := []string{
		"", "# comment\na: b\n", "a: b # comment\n", "a: 1\n", "a: -1\n", "a: .5\n", "a: true\n", "a: null\n", "a: ~\n",
		"a:\n- b\n", "a:\n  - b\n", "a: |\n  x\n", "a: >\n  x\n", "a: &x b\n", "a: *x\n", "a: !!str b\n",
		"a: \"x\\ny\"\n", "a: \"x\n  y\"\n", "a: b\n  c\n", "a: b\na: c\n", "a:\tb\n", "a: b\r\n", "a: b \n",
		"a: [b, ]\n", "a: [b: c]\n", "a: [[b]]\n", "a: {b: c}\n", "a: ['b']\n", "a: 'b\n", "a: \"b\n",
		" a: b\n", "a:\n  b: c\n d: e\n", "a: b\n  \nc: d\n", "? a\n: b\n", "a : b\n", "a: b: c\n", "2a: b\n",
		"true: b\n", "a: 2026-13-45\n", "a: \"\x01\"\n", "a: \"\ufeff\"\n", "- a\n", "---\na: b\n", "a: b\n...\n",
	}
	slow = append(slow, many.String()+"k3: again\n", many.String()+"k31: again\n", "k1: v\n"+many.String()[len("k0: v\n"):])
	for _, s := range slow {
		if _, ok := quickYAML([]byte(s)); ok {
			t.Errorf("quickYAML(%q) took the fast path; it must leave this to yaml.Load", s)
		}
	}
}

// TestQuickYAMLContent: the sample blog's posts and the benchmark corpus
// take the fast path, with yaml.Load's trees.
func TestQuickYAMLContent(t *testing.T) {
	files, _ := filepath.Glob("../../content/posts/*.md")
	more, _ := filepath.Glob("../../content/posts/*/index.md")
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("sample posts not found: %v", files)
	}
	var raws [][]byte
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(string(data), "---\n") { // not the TOML and JSON examples
			raws = append(raws, frontMatter(t, p, data))
		}
	}
	for p, f := range sitegen.MapFS(200, 1) {
		if strings.HasPrefix(p, "content/posts/") && strings.HasSuffix(p, ".md") {
			raws = append(raws, frontMatter(t, p, f.Data))
		}
	}
	for _, raw := range raws {
		if !sameTree(t, raw) {
			t.Errorf("front matter fell back to yaml.Load:\n%s", raw)
		}
	}
}

// frontMatter returns the YAML between a file's --- lines.
func frontMatter(t *testing.T, path string, data []byte) []byte {
	s := string(data)
	if !strings.HasPrefix(s, "---\n") {
		t.Fatalf("%s: no YAML front matter", path)
	}
	fm, _, ok := strings.Cut(s[4:], "\n---\n")
	if !ok {
		t.Fatalf("%s: front matter not closed", path)
	}
	return []byte(fm + "\n")
}

func FuzzQuickYAML(f *testing.F) {
	for _, s := range []string{
		"title: \"a\"\ndate: 2018-07-13T19:07:00Z\ntags: [a, b c]\n",
		"mentions:\n  clients: [x]\n  q: 'a''b'\ne:\n",
		"a: b",
		"date: 2026-1-2 3:04:05.5\n",
		"t: x:y, [z] {w} it's\n",
		"a:\n  b:\n    c: [\"d e\", f]\n  g:\nh: 'i''j' \n",
		"title: \"Über — “quotes” 日本\"\nauthors: [åsa, bo]\nx: y z\n",
		"k: 2026-07-09T14:00:00+02:00\nl: 2026-7-9\nm: 2026-07-09 14:00:00.5\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameTree(t, raw)
	})
}

// BenchmarkParseMeta is the load stage's work on one post file: Parse and
// DecodeMeta, over the bench corpus's posts.
func BenchmarkParseMeta(b *testing.B) {
	var files [][]byte
	var paths []string
	for p, f := range sitegen.MapFS(500, 1) {
		if strings.HasPrefix(p, "content/posts/") {
			files, paths = append(files, f.Data), append(paths, p)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := i % len(files)
		f, err := Parse(paths[k], files[k])
		if err != nil {
			b.Fatal(err)
		}
		DecodeMeta(f)
	}
}
