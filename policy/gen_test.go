package policy

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/peerpress/peerpress/build/source"
)

// gen writes deterministic synthetic posts: Zipf-distributed words from a
// made-up vocabulary, paragraphs, lists, code blocks, links and images, so
// that the text looks like prose to the scanner without naming anything in
// the policy.
type gen struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

func newGen(seed uint64) *gen {
	r := rand.New(rand.NewPCG(seed, 7))
	syll := []string{"ka", "lo", "mi", "ren", "tu", "sa", "vo", "der", "in", "ta", "pe", "ros", "an", "el", "mon", "ti", "ga", "bu", "ner", "fla", "sol", "dor", "pri", "ux", "ve", "ci"}
	banned := map[string]bool{}
	for _, w := range strings.Fields("flowcore novapaste acme metals bigauto vandelay industries confidential internal only under nda election senator bluejay project kestrel north star pilot password passwd secret token credential corp local lan") {
		banned[w] = true
	}
	// The most frequent words are real function words, as in English.
	vocab := strings.Fields("the of and to a in is that for it as with was on be by this are we at from or an not but which have has our can")
	seen := map[string]bool{}
	for _, w := range vocab {
		seen[w] = true
	}
	for len(vocab) < 5000 {
		n := 1 + r.IntN(3)
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		w := b.String()
		if !seen[w] && !banned[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &gen{r: r, zipf: rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1)), vocab: vocab}
}

func (g *gen) word() string { return g.vocab[g.zipf.Uint64()] }

func (g *gen) words(n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = g.word()
	}
	return strings.Join(w, " ")
}

func (g *gen) sentence() string {
	s := g.words(6 + g.r.IntN(14))
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// post returns a clean post of about n words; its body lines are
// returned too so violations can be inserted at known lines.
func (g *gen) post(i, n int) (front string, body []string) {
	authors := [][2]string{{"ana", "ben"}, {"ben", "ana"}}[i%2]
	front = fmt.Sprintf("---\ntitle: %s %d\ndate: 2026-%02d-%02d\nsummary: %s\nauthors: [%s]\nreviewed_by: [%s, cy]\naudience: public\ntags: [%s, %s]\n---\n",
		strings.ToUpper(g.words(5)[:1])+g.words(5)[1:], i, 1+i%9, 1+i%28, g.sentence(), authors[0], authors[1], g.word(), g.word())
	words := 0
	for words < n {
		switch k := g.r.IntN(12); {
		case k == 0:
			body = append(body, "```go")
			for j := 0; j < 4; j++ {
				l := fmt.Sprintf("%s_%s := %s.%s(%d, %q)", g.word(), g.word(), g.word(), g.word(), g.r.IntN(500), g.word())
				body = append(body, l)
				words += 6
			}
			body = append(body, "```", "")
		case k == 1:
			body = append(body, fmt.Sprintf("See [%s](https://example.com/%s/%s) and ![%s](https://example.org/%s.png).", g.words(3), g.word(), g.word(), g.words(4), g.word()), "")
			words += 9
		case k == 2:
			for j := 0; j < 3; j++ {
				body = append(body, "- "+g.sentence())
				words += 12
			}
			body = append(body, "")
		default:
			var para []string
			for j := 0; j < 2+g.r.IntN(3); j++ {
				s := g.sentence()
				words += strings.Count(s, " ") + 1
				para = append(para, s)
			}
			// wrap at about 80 columns
			text := strings.Join(para, " ")
			for len(text) > 80 {
				cut := strings.LastIndexByte(text[:80], ' ')
				if cut <= 0 {
					break
				}
				body = append(body, text[:cut])
				text = text[cut+1:]
			}
			body = append(body, text, "")
		}
	}
	return front, body
}

// genSite returns a site with n clean posts of about words words each, parsed.
func genSite(t testing.TB, n, words int) (fstest.MapFS, []*Post) {
	fsys := baseFS(t)
	g := newGen(1)
	posts := make([]*Post, n)
	for i := range posts {
		front, body := g.post(i, words)
		p := fmt.Sprintf("content/posts/p%05d.md", i)
		data := []byte(front + strings.Join(body, "\n") + "\n")
		fsys[p] = &fstest.MapFile{Data: data}
		posts[i] = &Post{Path: p}
	}
	parseAll(t, fsys, posts)
	return fsys, posts
}

func parseAll(t testing.TB, fsys fstest.MapFS, posts []*Post) {
	forEach(context.Background(), len(posts), func(i int) { parsePost(fsys, posts[i]) })
	for _, p := range posts {
		if p.Err != nil {
			t.Fatalf("%s: %v", p.Path, p.Err)
		}
	}
}

func TestGeneratedClean(t *testing.T) {
	fsys, posts := genSite(t, 2000, 300)
	p, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Now: defaultNow, PostURL: func(p *Post) string { return "https://blog.example/posts/" + postSlug(p) + "/" }, Hashtags: []string{"BrightlineEng"}}
	rep := p.Check(context.Background(), fsys, posts, opts)
	for i, f := range rep.Findings {
		if i < 10 {
			t.Errorf("clean post: %s:%d:%d: %s: %s", f.File, f.Line, f.Column, f.Rule, f.Message)
		}
	}
	if len(rep.Findings) > 0 {
		t.Fatalf("%d findings in 2,000 clean posts", len(rep.Findings))
	}
}

// TestGeneratedSeeded inserts one violation per post at a random line and
// expects exactly that finding, at that line and column.
func TestGeneratedSeeded(t *testing.T) {
	violations := []struct {
		text, rule string
		offset     int // rune offset of the finding within text
	}{
		{"our FlowCore 5 paste", ruleDiscloseProduct, 4},
		{"material under NDA here", ruleTermsConfidential, 9},
		{"paste from Acme Metals", ruleMentionCompetitor, 11},
		{"key AKIAZ7Q4VJ3KX2MBN5TR in a script", ruleSecretKey, 4},
		{"ssh to db01.corp.brightline.example", ruleSecretHost, 7},
		{"the Project Kestrel board", ruleTermsCodename, 4},
		{"after the ElEcTiOn", ruleTermsPolitics, 10},
		{"for BigAuto lines", ruleMentionClient, 4},
		{"host 192.168.10.20 today", ruleSecretHost, 5},
		{"token = Zq8Vx2LmN4pR7sT1wZ9bC3dF6", ruleSecretKey, 8},
	}
	fsys := baseFS(t)
	g := newGen(2)
	var posts []*Post
	want := map[string]bool{}
	for i := 0; i < 300; i++ {
		front, body := g.post(i, 200)
		v := violations[i%len(violations)]
		at := g.r.IntN(len(body) + 1)
		prefix := strings.Repeat("é", g.r.IntN(3)) + " "
		line := prefix + v.text + " " + g.sentence()
		body = append(body[:at], append([]string{line}, body[at:]...)...)
		p := fmt.Sprintf("content/posts/s%03d.md", i)
		fsys[p] = &fstest.MapFile{Data: []byte(front + strings.Join(body, "\n") + "\n")}
		posts = append(posts, &Post{Path: p})
		fileLine := strings.Count(front, "\n") + 1 + at
		want[fmt.Sprintf("%s:%d:%d: %s", p, fileLine, len([]rune(prefix))+v.offset+1, v.rule)] = true
	}
	parseAll(t, fsys, posts)
	p, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rep := p.Check(context.Background(), fsys, posts, Options{Now: defaultNow})
	got := map[string]bool{}
	for _, f := range rep.Findings {
		k := fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Rule)
		got[k] = true
		if !want[k] {
			t.Errorf("unexpected %s (%s)", k, f.Message)
		}
	}
	var missing []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	for _, k := range missing {
		t.Errorf("missing %s", k)
	}
}

// TestSecretsRedacted puts secrets of every kind in every scanned place and
// checks that no finding message shows more than a short prefix of any.
func TestSecretsRedacted(t *testing.T) {
	secrets := []string{
		"AKIAZ7Q4VJ3KX2MBN5TR",
		"ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A",
		"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
		"xoxb-123456789012-abcdefghijkl",
		"AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
		"sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"Tr0ub4dor-and-3",
		"q8Vx2LmN4pR7sT1wZ9bC3dF6",
		"hunter2",
		"S3cr3tP4ssw0rd",
	}
	body := fmt.Sprintf("```\n%s\n%s\n%s\nSLACK=%s\ngoogle=%s\nstripe %s\ncurl https://deploy:%s@db.example.io/\napi_key: %q\nmysql://root:%s@db.internal.example.io\n```\n[wiki](https://admin:%s@wiki.corp.brightline.example/x)\n",
		secrets[0], secrets[1], secrets[2], secrets[3], secrets[4], secrets[5], secrets[6], secrets[7], secrets[8], secrets[9])
	src := "---\ntitle: " + secrets[0] + "\ndate: 2026-10-01\nsummary: token " + secrets[7] + "\nauthors: [ana]\nreviewed_by: [ben, cy]\naudience: public\nshare: {x: \"I work at Brightline Materials " + secrets[1] + "\"}\n---\n" + body
	fsys := baseFS(t)
	fsys["content/posts/s.md"] = &fstest.MapFile{Data: []byte(src)}
	p, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rep := p.Check(context.Background(), fsys, []*Post{{Path: "content/posts/s.md"}}, Options{Now: defaultNow})
	n := 0
	for _, f := range rep.Findings {
		if f.Rule == ruleSecretKey {
			n++
		}
		for _, s := range secrets {
			for i := 0; i+5 <= len(s); i++ {
				if strings.Contains(f.Message, s[i:i+5]) {
					t.Errorf("%s %d:%d message shows %q of a secret: %s", f.Rule, f.Line, f.Column, s[i:i+5], f.Message)
					break
				}
			}
		}
	}
	if n < 13 {
		t.Errorf("found %d secrets, want at least 13", n)
	}
	for _, tt := range []struct{ in, want string }{{"AKIAZ7Q4VJ3KX2MBN5TR", "AKIA…"}, {"hunter2x", "hu…"}, {"abc", "…"}, {"ééééééééééééééééé", "éééé…"}} {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzScan runs the scanners over arbitrary bodies: no panics, and every
// finding points at a line of the file.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"FlowCore 5 under NDA at 10.1.2.3 and https://u:p@db.corp/ ![a](x.jpg)",
		"Project\nKestrel ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A [x](../secret/) <a href=\"",
		"é\u0301 İSTANBUL ﬁ fd00::1 fc:: 192.168.1.1. token=\"aaaaaaaaaaaaaaaaaaaaaaaaaa1\"",
		"-----BEGIN RSA PRIVATE KEY-----\n]( ](  [a]: <http://x.internal>",
		"[a][b] [c][] `[d](/posts/x/)` ``e ` f``\n```go\n[g](../h/)\n```\n~~~\n[i][j]\n[^1]: k\n[b]: /posts/f/",
	} {
		f.Add(s)
	}
	fsys := baseFS(f)
	fsys["content/posts/secret.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Secret plans\ndate: 2026-10-01\nsummary: s\nauthors: [ana]\nreviewed_by: [ben]\naudience: internal\n---\nx\n")}
	p, err := Load(fsys)
	if err != nil {
		f.Fatal(err)
	}
	const front = "---\ntitle: Fuzz\ndate: 2026-10-01\nsummary: s\nauthors: [ana]\nreviewed_by: [ben, cy]\naudience: public\n---\n"
	f.Fuzz(func(t *testing.T, body string) {
		data := []byte(front + body)
		file, err := source.Parse("content/posts/f.md", data)
		if err != nil {
			return
		}
		m, probs := source.DecodeMeta(file)
		lines := strings.Count(string(file.Data), "\n") + 1
		post := &Post{Path: file.Path, File: file, Meta: m, Problems: probs}
		other := &Post{Path: "content/posts/secret.md"}
		rep := p.Check(context.Background(), fsys, []*Post{post, other}, Options{Now: defaultNow, PostURL: func(p *Post) string { return "https://blog.example/posts/" + postSlug(p) + "/" }})
		for _, fd := range rep.Findings {
			if fd.File != post.Path {
				continue
			}
			if fd.Line < 1 || fd.Line > lines || fd.Column < 1 {
				t.Fatalf("%s at %d:%d, file has %d lines", fd.Rule, fd.Line, fd.Column, lines)
			}
		}
		// The raw scanners on arbitrary bytes.
		sc := newScanner(p, true)
		sc.words([]byte(body), true)
		for _, h := range sc.hits {
			if h.start < 0 || h.end > len(body) || h.start >= h.end {
				t.Fatalf("hit %+v outside the text", h)
			}
		}
		evs := p.probe.events([]byte(body), nil)
		p.findHosts(fold(nil, []byte(body)), evs)
		findLinks([]byte(body), evs)
		code := codeSpans([]byte(body))
		for i, c := range code {
			if c[0] < 0 || c[1] > len(body) || c[0] > c[1] || i > 0 && c[0] < code[i-1][1] {
				t.Fatalf("code span %v of %d bytes (after %v)", c, len(body), code[:i])
			}
		}
		for _, u := range refUses([]byte(body), code) {
			if u.start < 0 || u.start > len(body) {
				t.Fatalf("reference at %d of %d bytes", u.start, len(body))
			}
		}
		p.findSecrets([]byte(body), evs)
	})
}

func TestAhoCorasick(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alpha := "abc-/é"
	rnd := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte(alpha[r.IntN(len(alpha))])
		}
		return b.String()
	}
	for round := 0; round < 200; round++ {
		var needles [][]byte
		for i := 0; i < 1+r.IntN(8); i++ {
			needles = append(needles, []byte(rnd(1+r.IntN(4))))
		}
		// Texts on both sides of splitMin, so both the one-walk and the
		// two-walk scans are checked, matches across the middle included.
		text := []byte(strings.ToUpper(rnd([]int{60, splitMin - 1, splitMin, splitMin + 1, 1000}[round%5])))
		ac := newAhoCorasick(needles)
		var got [][2]int
		ac.scan(text, func(n, end int) bool { got = append(got, [2]int{n, end}); return true })
		lower := asciiLower(text)
		var want [][2]int
		for end := 1; end <= len(lower); end++ {
			for ni, n := range needles {
				if end >= len(n) && string(lower[end-len(n):end]) == string(n) {
					want = append(want, [2]int{ni, end})
				}
			}
		}
		// Matches come in order of end; those with the same end in any order.
		for i := 1; i < len(got); i++ {
			if got[i][1] < got[i-1][1] {
				t.Fatalf("needles %q in %q: matches out of order: %v", needles, text, got)
			}
		}
		sort.SliceStable(got, func(i, j int) bool { return got[i][1] < got[j][1] || got[i][1] == got[j][1] && got[i][0] < got[j][0] })
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("needles %q in %q: matches %v, want %v", needles, text, got, want)
		}
		// Stopping: fn returning false ends the scan at once.
		if len(want) > 1 {
			calls := 0
			ac.scan(text, func(n, end int) bool { calls++; return calls < 2 })
			if calls != 2 {
				t.Fatalf("scan went on after fn returned false: %d calls", calls)
			}
		}
	}
}

// TestAhoCorasickMiddle places a needle at every end around the middle
// where the two-walk scan splits the text: each must be reported once.
func TestAhoCorasickMiddle(t *testing.T) {
	for _, needle := range []string{"q", "abc", "abcdefgh"} {
		ac := newAhoCorasick([][]byte{[]byte(needle), []byte("zzzzzzzz")})
		for _, n := range []int{splitMin, 301, 1000} {
			mid := (n + int(ac.maxLen) - 1) / 2
			for end := mid - 10; end <= mid+10; end++ {
				text := bytes.Repeat([]byte("x"), n)
				copy(text[end-len(needle):], needle)
				var got []int
				ac.scan(text, func(_, e int) bool { got = append(got, e); return true })
				if len(got) != 1 || got[0] != end {
					t.Errorf("%q ending at %d of %d (middle %d): matches end at %v", needle, end, n, mid, got)
				}
			}
		}
	}
}

var benchSite struct {
	once  sync.Once
	fsys  fstest.MapFS
	posts []*Post
}

// BenchmarkCheck10k checks 10,000 generated posts of about 1,200 words.
func BenchmarkCheck10k(b *testing.B) {
	benchSite.once.Do(func() { benchSite.fsys, benchSite.posts = genSite(b, 10000, 1200) })
	p, err := Load(benchSite.fsys)
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{Now: defaultNow, PostURL: func(p *Post) string { return "https://blog.example/posts/" + postSlug(p) + "/" }, Hashtags: []string{"BrightlineEng"}}
	var bytes int64
	for _, post := range benchSite.posts {
		bytes += int64(len(post.File.Data))
	}
	b.SetBytes(bytes)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep := p.Check(context.Background(), benchSite.fsys, benchSite.posts, opts)
		if len(rep.Findings) != 0 {
			b.Fatalf("%d findings, first %+v", len(rep.Findings), rep.Findings[0])
		}
	}
}

// benchBodies returns the first 1,000 posts of the benchmark site and sets
// the bytes per operation to the size of their bodies.
func benchBodies(b *testing.B) []*Post {
	benchSite.once.Do(func() { benchSite.fsys, benchSite.posts = genSite(b, 10000, 1200) })
	posts := benchSite.posts[:1000]
	var n int64
	for _, p := range posts {
		n += int64(len(p.File.Body))
	}
	b.SetBytes(n)
	return posts
}

// BenchmarkFoldTokenize folds and splits the bodies of 1,000 generated posts.
func BenchmarkFoldTokenize(b *testing.B) {
	posts := benchBodies(b)
	var lower []byte
	var toks []token
	for b.Loop() {
		for _, p := range posts {
			lower, toks = foldTokenize(lower, toks, p.File.Body, 1)
		}
	}
}

// BenchmarkProbe runs the probe scan (secrets, hosts, links) over the
// bodies of 1,000 generated posts.
func BenchmarkProbe(b *testing.B) {
	posts := benchBodies(b)
	pr := newProber([]string{"corp.example"})
	var evs []event
	for b.Loop() {
		for _, p := range posts {
			evs = pr.events(p.File.Body, evs[:0])
		}
	}
}

// BenchmarkLeakScanner looks for 100 and 1,000 internal posts' titles,
// slugs and URLs in the bodies of 1,000 generated posts (as a build scans
// its output).
func BenchmarkLeakScanner(b *testing.B) {
	posts := benchBodies(b)
	arts := make([]Artifact, len(posts))
	for i, p := range posts {
		arts[i] = Artifact{Path: "posts/" + strconv.Itoa(i) + "/index.html", Data: p.File.Body}
	}
	pol, err := Load(benchSite.fsys)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{100, 1000} {
		var internal []InternalPost
		for _, p := range benchSite.posts[len(benchSite.posts)-n:] {
			meta, _ := source.DecodeMeta(p.File)
			// A slug made of the title's words, as the sitegen corpus has.
			slug := strings.ToLower(strings.Join(tokenWords(meta.Title), "-"))
			internal = append(internal, InternalPost{File: p.Path, Title: meta.Title, Slug: slug, URL: "https://blog.example/posts/" + slug + "/"})
		}
		l := pol.NewLeakScanner(internal)
		b.Run(fmt.Sprintf("internal=%d", n), func(b *testing.B) {
			b.SetBytes(benchBytes(arts))
			for b.Loop() {
				if fs := l.Check(arts); len(fs) != 0 {
					b.Fatalf("%d findings: %v", len(fs), fs[0])
				}
			}
		})
	}
}

func benchBytes(arts []Artifact) (n int64) {
	for _, a := range arts {
		n += int64(len(a.Data))
	}
	return n
}
