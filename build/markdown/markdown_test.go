package markdown

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/*.html, syntax.css)")

// goldenOutput is what a golden file holds: the body HTML and, when present,
// the summary and the TOC, each under a marker comment.
func goldenOutput(r *Result) []byte {
	var b bytes.Buffer
	b.Write(r.HTML)
	if r.SummaryHTML != nil {
		b.WriteString("<!-- ==== summary ==== -->\n")
		b.Write(r.SummaryHTML)
		fmt.Fprintf(&b, "<!-- ==== summary text: %q ==== -->\n", r.SummaryText)
	}
	if r.TOC != nil {
		b.WriteString("<!-- ==== toc ==== -->\n")
		b.Write(r.TOC)
	}
	return b.Bytes()
}

// TestGolden renders testdata/NAME.md and compares it with testdata/NAME.html.
// Files whose name contains "unsafe" are rendered with UnsafeHTML.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.md files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			e := New(Options{UnsafeHTML: strings.Contains(name, "unsafe")})
			r, err := e.Render(src)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenOutput(r)
			golden := strings.TrimSuffix(file, ".md") + ".html"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run go test -update to accept):\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

// TestGoldenContent pins the features each golden file exists to cover, so a
// careless -update cannot silently accept a regression.
func TestGoldenContent(t *testing.T) {
	tests := []struct {
		file    string
		unsafe  bool
		want    []string
		notWant []string
	}{
		{"gfm.md", false, []string{
			`<table>`, `<th style="text-align:right">Melting point</th>`,
			`<input type="checkbox" checked disabled aria-label="done"> write the post`,
			`<section class="table-wrap" tabindex="0" aria-label="Table 1">`,
			`<input type="checkbox" disabled aria-label="not done"> get two reviews`,
			`<del>wrong</del>`,
			`<a href="https://example.com/path?q=1">https://example.com/path?q=1</a>`,
			`<a href="http://www.example.org">www.example.org</a>`,
			`<a href="mailto:rosa.chen@brightline.example">`,
			`<a href="mailto:rosa@example.social">`,
		}, nil},
		{"footnote.md", false, []string{
			`<a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a>`,
			`<div class="footnotes" role="doc-endnotes">`,
		}, nil},
		{"typographer.md", false, []string{
			`&ldquo;Double quotes,&rdquo;`, `&lsquo;single quotes&rsquo;`, `&ndash;`, `&mdash;`, `&hellip;`,
			`It&rsquo;s`, `&laquo;Guillemets&raquo;`,
			`<code>&quot;code&quot; -- stays 'as is'...</code>`,
		}, nil},
		{"code.md", false, []string{
			`<pre class="chroma" tabindex="0"><code class="language-go"><span class="kn">package</span>`,
			`<span class="s">&#34;&lt;hello &amp; goodbye&gt;&#34;</span>`,
			`<pre class="chroma" tabindex="0"><code class="language-flowcore-dsl">&lt;recipe name=&quot;x&quot;&gt; &amp; stir &lt;/recipe&gt;` + "\n</code></pre>",
			`<pre class="chroma" tabindex="0"><code>plain &lt;text&gt; &amp; more`,
			`<pre class="chroma" tabindex="0"><code>indented &lt;code&gt;`,
		}, []string{`style="`, `class="w"`}},
		{"raw-html.md", false, []string{`<!-- raw HTML omitted -->`, `<a href="">click</a>`},
			[]string{`<span class="x">`, `<div class="note">`, `<script>`}},
		{"raw-html-unsafe.md", true, []string{`<span class="x">inline HTML</span>`, `<div class="note">`, `<script>alert("x")</script>`},
			[]string{`raw HTML omitted`}},
		{"headings.md", false, []string{
			`<h1 id="über-lötzinn">Über Lötzinn</h1>`,
			`<h2 id="intro">Intro <a class="anchor" href="#intro" aria-label="Link to this section">#</a></h2>`,
			`<h2 id="intro-2">`, `<h2 id="intro-3">`, // intro-1 is taken by the explicit {#intro-1}
			`<h2 id="intro-1">Explicit <a class="anchor" href="#intro-1"`,
			`<h2 id="日本語の見出し">`,
			`<h3 id="c-plus-plus-go">`,
			`<h4 id="its-quoted-and-coded">It&rsquo;s &ldquo;quoted&rdquo; <em>and</em> <code>coded</code> <a class="anchor"`,
			`<h5 id="deep-heading-gets-no-anchor">Deep heading gets no anchor</h5>`,
			`<h2 id="section">!!! <a`, `<h2 id="section-1">???`,
			`<h2 id="ünïcödé-ascii-mixed-2026">`,
		}, nil},
		{"more.md", false, []string{"<pre class=\"chroma\" tabindex=\"0\"><code class=\"language-html\">"}, []string{"<!--more-->\n<p>", "raw HTML omitted"}},
		{"toc.md", false, []string{`<nav class="toc"`, `Second &amp; &lt;third&gt;`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := New(Options{UnsafeHTML: tt.unsafe}).Render(src)
			if err != nil {
				t.Fatal(err)
			}
			out := string(goldenOutput(r))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output contains %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantHTML string // empty: no summary expected
		wantText string
		notFull  string // must not appear in the full HTML
	}{
		{
			name:     "block marker",
			src:      "First *para*  with\n\nspaces.\n\n<!--more-->\n\nRest.\n",
			wantHTML: "<p>First <em>para</em>  with</p>\n<p>spaces.</p>\n",
			wantText: "First para with spaces.",
			notFull:  "omitted",
		},
		{
			name:     "inline marker",
			src:      "Lead text <!--more--> tail text.\n",
			wantHTML: "<p>Lead text</p>\n",
			wantText: "Lead text",
			notFull:  "omitted",
		},
		{
			name:     "reference defined after marker",
			src:      "See [docs][d].\n\n<!--more-->\n\n[d]: https://example.com/docs\n",
			wantHTML: "<p>See <a href=\"https://example.com/docs\">docs</a>.</p>\n",
			wantText: "See docs.",
		},
		{
			name: "marker inside code block is not a marker",
			src:  "Text.\n\n```\n<!--more-->\n```\n",
		},
		{
			name: "no marker",
			src:  "Just text.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Options{}).Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantHTML == "" {
				if r.SummaryHTML != nil || r.SummaryText != "" {
					t.Errorf("got summary %q / %q, want none", r.SummaryHTML, r.SummaryText)
				}
				return
			}
			if string(r.SummaryHTML) != tt.wantHTML {
				t.Errorf("SummaryHTML = %q, want %q", r.SummaryHTML, tt.wantHTML)
			}
			if r.SummaryText != tt.wantText {
				t.Errorf("SummaryText = %q, want %q", r.SummaryText, tt.wantText)
			}
			if tt.notFull != "" && strings.Contains(string(r.HTML), tt.notFull) {
				t.Errorf("full HTML contains %q:\n%s", tt.notFull, r.HTML)
			}
			if strings.Contains(string(r.HTML), "more-->") {
				t.Errorf("full HTML keeps the marker:\n%s", r.HTML)
			}
		})
	}
}

func TestSummaryUnsafeDropsMarker(t *testing.T) {
	r, err := New(Options{UnsafeHTML: true}).Render([]byte("A.\n\n<!--more-->\n\nB.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "<p>A.</p>\n<p>B.</p>\n"; string(r.HTML) != want {
		t.Errorf("HTML = %q, want %q", r.HTML, want)
	}
}

func TestHeadingsAndTOC(t *testing.T) {
	src := "# Title\n\n## Alpha\n\n### Beta\n\n#### Gamma\n\n## Alpha\n"
	tests := []struct {
		name    string
		opts    Options
		wantTOC bool
	}{
		{"default needs 3", Options{}, true},
		{"min 4 not met", Options{TOCMinHeadings: 4}, false},
		{"min 3 met exactly", Options{TOCMinHeadings: 3}, true},
		{"negative means 1", Options{TOCMinHeadings: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.opts).Render([]byte(src))
			if err != nil {
				t.Fatal(err)
			}
			wantHeadings := []Heading{
				{Level: 2, ID: "alpha", Text: "Alpha"},
				{Level: 3, ID: "beta", Text: "Beta"},
				{Level: 2, ID: "alpha-1", Text: "Alpha"},
			}
			if !reflect.DeepEqual(r.Headings, wantHeadings) {
				t.Errorf("Headings = %+v, want %+v", r.Headings, wantHeadings)
			}
			if got := r.TOC != nil; got != tt.wantTOC {
				t.Fatalf("TOC present = %v, want %v", got, tt.wantTOC)
			}
			if !tt.wantTOC {
				return
			}
			want := `<nav class="toc" aria-label="Table of contents">
<ol>
<li><a href="#alpha">Alpha</a>
<ol>
<li><a href="#beta">Beta</a></li>
</ol>
</li>
<li><a href="#alpha-1">Alpha</a></li>
</ol>
</nav>
`
			if string(r.TOC) != want {
				t.Errorf("TOC =\n%s\nwant\n%s", r.TOC, want)
			}
		})
	}
	r, err := New(Options{}).Render([]byte("## One\n\n## Two\n\nText.\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r.TOC != nil {
		t.Errorf("two headings gave a TOC:\n%s", r.TOC)
	}
}

func TestHeadingIDs(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // ids of all headings in order
	}{
		{"dedupe", "# Intro\n## Intro\n### Intro\n", []string{"intro", "intro-1", "intro-2"}},
		{"empty slug", "## !!!\n## ???\n## 🚀\n", []string{"section", "section-1", "section-2"}},
		{"explicit reserved", "## A\n## A\n## B {#a-1}\n", []string{"a", "a-2", "a-1"}},
		{"explicit non-ASCII", "## X {#über}\n## Über\n", []string{"über", "über-1"}},
		{"base collides with suffixed", "## A 1\n## A\n## A\n", []string{"a-1", "a", "a-2"}},
		{"inline markup", "## The `Render()` *func* [link](x)\n", []string{"the-render-func-link"}},
		{"setext", "Über\n====\n\nZwei\n----\n", []string{"über", "zwei"}},
		{"escapes and entities", "## a\\*b &amp; c&#39;d\n", []string{"a-b-cd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Options{}).Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got := headingIDsIn(string(r.HTML))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ids = %q, want %q\n%s", got, tt.want, r.HTML)
			}
		})
	}
}

// headingIDsIn extracts the id attributes of <hN id="..."> tags in order.
func headingIDsIn(html string) []string {
	var ids []string
	for {
		i := strings.Index(html, "<h")
		if i < 0 {
			return ids
		}
		html = html[i+2:]
		if len(html) < 6 || html[0] < '1' || html[0] > '6' || !strings.HasPrefix(html[1:], ` id="`) {
			continue
		}
		rest := html[6:]
		ids = append(ids, rest[:strings.IndexByte(rest, '"')])
	}
}

func TestAnchors(t *testing.T) {
	r, err := New(Options{}).Render([]byte("# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six\n"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(r.HTML)
	for _, id := range []string{"two", "three", "four"} {
		want := `<a class="anchor" href="#` + id + `" aria-label="Link to this section">#</a>`
		if !strings.Contains(html, want) {
			t.Errorf("no anchor for %s:\n%s", id, html)
		}
	}
	if n := strings.Count(html, `class="anchor"`); n != 3 {
		t.Errorf("%d anchors, want 3 (h2–h4 only):\n%s", n, html)
	}
	if r.Headings[0].Text != "Two" {
		t.Errorf("heading text %q includes the anchor", r.Headings[0].Text)
	}
}

func TestLinksAndImages(t *testing.T) {
	src := "# T\n" + // 1
		"\n" + // 2
		"Text [one](https://one.example) and\n" + // 3
		"a bare https://two.example/x link,\n" + // 4
		"then <https://three.example>.\n" + // 5
		"\n" + // 6
		"> quoted ![alt *em*](img/a.png \"t\")\n" + // 7
		"\n" + // 8
		"- item [ref link][r]\n" + // 9
		"- ![second](b.jpg) <x@y.example>\n" + // 10
		"\n" + // 11
		"| a | b |\n" + // 12
		"|---|---|\n" + // 13
		"| [cell](/c) | ![](d.gif) |\n" + // 14
		"\n" + // 15
		"```\n[not](a-link)\n```\n" + // 16-18
		"[^1]\n\n" + // 19-20
		"[^1]: note with [fn link](/fn)\n" + // 21
		"\n" + // 22
		"[r]: https://ref.example\n" // 23
	r, err := New(Options{}).Render([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	wantLinks := []Link{
		{"https://one.example", 3},
		{"https://two.example/x", 4},
		{"https://three.example", 5},
		{"https://ref.example", 9},
		{"mailto:x@y.example", 10},
		{"/c", 14},
		{"/fn", 21},
	}
	wantImages := []Image{
		{"img/a.png", "alt em", 7},
		{"b.jpg", "second", 10},
		{"d.gif", "", 14},
	}
	if !reflect.DeepEqual(r.Links, wantLinks) {
		t.Errorf("Links =\n%+v\nwant\n%+v", r.Links, wantLinks)
	}
	if !reflect.DeepEqual(r.Images, wantImages) {
		t.Errorf("Images =\n%+v\nwant\n%+v", r.Images, wantImages)
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		name        string
		src         string
		wantWords   int
		wantMinutes int
	}{
		{"simple", "One two three.\n", 3, 1},
		{"punctuation alone is no word", "One -- two & three ...\n", 3, 1},
		{"code counted", "Text here.\n\n```go\nfunc main() {}\n```\n", 4, 1}, // "{}" has no letter
		{"markup ignored", "**bold** _it_ [link](https://x.example) `span`\n", 4, 1},
		{"raw html ignored", "<div>\nhidden words here\n</div>\n\nshown\n", 1, 1},
		{"cjk", "日本語の見出し\n", 7, 1},
		{"korean uses spaces", "한국어 문장입니다\n", 2, 1},
		{"empty", "", 0, 1},
		{"220 words is one minute", strings.Repeat("word ", 220), 220, 1},
		{"221 words is two minutes", strings.Repeat("word ", 221), 221, 2},
		{"blocks do not merge", "end\n\nstart\n", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(Options{}).Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			if r.Words != tt.wantWords || r.ReadingMinutes != tt.wantMinutes {
				t.Errorf("Words, ReadingMinutes = %d, %d; want %d, %d", r.Words, r.ReadingMinutes, tt.wantWords, tt.wantMinutes)
			}
		})
	}
}

func TestHighlightCache(t *testing.T) {
	e := New(Options{})
	src := []byte("```go\nx := 1\n```\n\n```go\nx := 1\n```\n\n```python\nx = 1\n```\n\n```go\nx := 2\n```\n")
	r, err := e.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	if n := cacheLen(e); n != 3 {
		t.Errorf("cache holds %d entries, want 3", n)
	}
	// A cached block renders exactly as a fresh one.
	r2, err := e.Render(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.HTML, r2.HTML) {
		t.Errorf("cached render differs:\n%s\n%s", r.HTML, r2.HTML)
	}
	if n := cacheLen(e); n != 3 {
		t.Errorf("cache grew to %d on a repeat render", n)
	}
	// Caches are per engine.
	if n := cacheLen(New(Options{})); n != 0 {
		t.Errorf("a new engine starts with %d cached blocks", n)
	}
	// Same code, different language: different entries.
	if _, err := e.Render([]byte("```python\nx := 1\n```\n")); err != nil {
		t.Fatal(err)
	}
	if n := cacheLen(e); n != 4 {
		t.Errorf("cache holds %d entries after a new language, want 4", n)
	}
}

func cacheLen(e *Engine) int {
	n := 0
	e.hl.cache.Range(func(_, _ any) bool { n++; return true })
	return n
}

func TestConcurrentRender(t *testing.T) {
	e := New(Options{})
	docs := [][]byte{
		benchmarkPost(),
		[]byte("## A\n\n```go\nfunc f() {}\n```\n\n<!--more-->\n\n## A\n"),
		[]byte("| x | y |\n|---|---|\n| 1 | 2 |\n\n[a](b) ![c](d)\n"),
	}
	want := make([][]byte, len(docs))
	for i, d := range docs {
		r, err := New(Options{}).Render(d)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = goldenOutput(r)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				d := (g + i) % len(docs)
				r, err := e.Render(docs[d])
				if err != nil {
					errs[g] = err
					return
				}
				if got := goldenOutput(r); !bytes.Equal(got, want[d]) {
					errs[g] = fmt.Errorf("goroutine %d doc %d: output differs from sequential render", g, d)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func FuzzRender(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.md"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b, false)
		}
	}
	f.Add([]byte("## <!--more-->\n<!--more-->\n[x]: y\n"), true)
	f.Add([]byte("![a](b)\n\n```\n```\n## {#}\n"), false)
	safe, unsafe := New(Options{}), New(Options{UnsafeHTML: true})
	f.Fuzz(func(t *testing.T, src []byte, allowHTML bool) {
		e := safe
		if allowHTML {
			e = unsafe
		}
		r, err := e.Render(src)
		if err != nil {
			t.Fatal(err)
		}
		lines := bytes.Count(src, []byte{'\n'}) + 1
		for _, l := range r.Links {
			if l.Line < 1 || l.Line > lines {
				t.Errorf("link line %d outside 1..%d", l.Line, lines)
			}
		}
		for _, im := range r.Images {
			if im.Line < 1 || im.Line > lines {
				t.Errorf("image line %d outside 1..%d", im.Line, lines)
			}
		}
		if r.ReadingMinutes < 1 {
			t.Errorf("ReadingMinutes = %d", r.ReadingMinutes)
		}
		for _, h := range r.Headings {
			if h.ID == "" {
				t.Errorf("heading %q has no id", h.Text)
			}
		}
		if !allowHTML && bytes.Contains(r.HTML, []byte("<script")) {
			t.Errorf("raw HTML leaked: %s", r.HTML)
		}
	})
}

// benchmarkPost returns a post of about 1,200 words with a table and a code
// block.
func benchmarkPost() []byte {
	var b strings.Builder
	b.WriteString("# Reflow profiles for lead-free solder\n\n")
	para := "When we moved the FlowCore line to SAC305 we learned that the reflow profile matters more than " +
		"the paste itself. The \"soak\" phase -- often skipped -- keeps voids down, and it's cheap to add. " +
		"See [the IPC notes](https://example.com/ipc) and https://example.org/reflow for background.\n\n"
	for i := range 7 {
		fmt.Fprintf(&b, "## Section %d: what we measured\n\n", i+1)
		for range 4 {
			b.WriteString(para)
		}
		if i == 2 {
			b.WriteString("| Zone | Temp (°C) | Time (s) |\n|---|--:|--:|\n| Preheat | 150 | 90 |\n| Soak | 180 | 60 |\n| Reflow | 245 | 45 |\n| Cool | 25 | 120 |\n\n")
		}
		if i == 4 {
			b.WriteString("```go\npackage reflow\n\n// Profile is a reflow oven profile.\ntype Profile struct {\n\tZones []Zone\n}\n\n" +
				"func (p Profile) Peak() float64 {\n\tpeak := 0.0\n\tfor _, z := range p.Zones {\n\t\tpeak = max(peak, z.Temp)\n\t}\n\treturn peak\n}\n```\n\n")
		}
	}
	return []byte(b.String())
}

func BenchmarkRender(b *testing.B) {
	src := benchmarkPost()
	e := New(Options{})
	r, err := e.Render(src)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Render(src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Words), "words")
}
