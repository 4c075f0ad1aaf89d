// Package sitegen writes synthetic engineering blogs for benchmarks and
// tests: N posts of about 1,200 words, each with headings, a list, a fenced
// code block, a table and links, by 50 authors, with 2–4 of 200 tags, dates
// spread over fifteen years, one post in a hundred internal and about one in
// seven discussing one of the employer's products. The site passes
// `peerpress check` at [Now] with no error.
//
// The same corpus can be written as a Hugo site ([WriteHugo]): the same
// posts with Hugo front matter, a hugo.toml with the same paging, feed limit
// and taxonomies (tags, authors), and a minimal theme with home pagination,
// post pages, author and tag pages and their RSS feeds — so the two
// generators can be timed on the same input.
//
// Output is a pure function of (n, seed): post i is generated from its own
// random stream, so posts are written in parallel and a corpus of 100,000
// posts never has to be held in memory.
package sitegen

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/internal/par"
)

// Now is the clock to check and build a generated site at (peerpress
// -now): every post is older, every author's training is current.
const Now = "2026-11-21T12:00:00Z"

// Authors is the number of authors of a generated site.
const Authors = 50

// Tags is the number of distinct tags of a generated site.
const Tags = len(topics) * len(qualifiers)

// Write writes a peerpress site of n posts, generated from seed, to dir
// (created if needed; existing files of the same names are overwritten).
func Write(dir string, n int, seed int64) error {
	return writeDir(dir, n, seed, false)
}

// WriteHugo writes the same corpus as Write as a Hugo site: hugo.toml,
// content/ with Hugo front matter and a minimal theme under layouts/.
// Internal posts are kept, marked draft, so Hugo reads them but does not
// publish them, as peerpress does in a public build.
func WriteHugo(dir string, n int, seed int64) error {
	return writeDir(dir, n, seed, true)
}

// MapFS returns the peerpress site of n posts generated from seed, in memory.
func MapFS(n int, seed int64) fstest.MapFS {
	fsys := fstest.MapFS{}
	var mu sync.Mutex
	_ = generate(n, seed, false, func(name string, data []byte) error {
		mu.Lock()
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
		mu.Unlock()
		return nil
	})
	return fsys
}

func writeDir(dir string, n int, seed int64, hugo bool) error {
	if n < 0 {
		return fmt.Errorf("sitegen: negative post count %d", n)
	}
	var mu sync.Mutex
	made := map[string]bool{}
	return generate(n, seed, hugo, func(name string, data []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		d := filepath.Dir(p)
		mu.Lock()
		ok := made[d]
		mu.Unlock()
		if !ok {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("sitegen: %w", err)
			}
			mu.Lock()
			made[d] = true
			mu.Unlock()
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("sitegen: %w", err)
		}
		return nil
	})
}

// corpus is what every post of a site draws on.
type corpus struct {
	n      int
	seed   int64
	people []person
	tags   []string
	start  time.Time
	span   time.Duration
}

type person struct {
	id, name, title, github string
	mastodon, x             bool
}

func newCorpus(n int, seed int64) *corpus {
	c := &corpus{n: n, seed: seed}
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	// 50 distinct names: first name i with a shuffled last name.
	last := r.Perm(len(lastNames))
	for i := 0; i < Authors; i++ {
		fn, ln := firstNames[i], lastNames[last[i]]
		c.people = append(c.people, person{
			id: slug(fn + " " + ln), name: fn + " " + ln, title: titles[r.IntN(len(titles))],
			github: strings.ToLower(asciiOnly(fn[:1] + ln)), mastodon: r.IntN(2) == 0, x: r.IntN(3) == 0,
		})
	}
	for _, q := range qualifiers {
		for _, t := range topics {
			if q == "" {
				c.tags = append(c.tags, t)
			} else {
				c.tags = append(c.tags, t+" "+q)
			}
		}
	}
	c.start = time.Date(2011, 11, 1, 8, 0, 0, 0, time.UTC)
	c.span = time.Date(2026, 10, 31, 18, 0, 0, 0, time.UTC).Sub(c.start)
	return c
}

// generate emits every file of the site: the fixed files first, then the
// posts on GOMAXPROCS goroutines. emit must be safe for concurrent use.
func generate(n int, seed int64, hugo bool, emit func(name string, data []byte) error) error {
	c := newCorpus(n, seed)
	var fixed map[string]string
	if hugo {
		fixed = c.hugoFiles()
	} else {
		fixed = c.siteFiles()
	}
	for _, name := range sortedNames(fixed) {
		if err := emit(name, []byte(fixed[name])); err != nil {
			return err
		}
	}
	// The first error stops the others.
	ctx, stop := context.WithCancelCause(context.Background())
	defer stop(nil)
	bufs := make([]bytes.Buffer, runtime.GOMAXPROCS(0)) // one per goroutine
	par.Do(ctx, len(bufs), n, func(w, i int) {
		p, b := c.post(i), &bufs[w]
		b.Reset()
		p.write(b, hugo)
		if err := emit("content/posts/"+p.file, bytes.Clone(b.Bytes())); err != nil {
			stop(err)
		}
	})
	return context.Cause(ctx)
}

// post is one generated post.
type post struct {
	file      string
	title     string
	summary   string
	date      time.Time
	authors   []string
	reviewers []string
	tags      []string
	category  string
	products  []string
	internal  bool
	body      string
}

// internal reports whether post i is internal (one in a hundred).
func internal(i int) bool { return i%100 == 37 }

func (c *corpus) post(i int) post {
	r := rand.New(rand.NewPCG(uint64(c.seed), uint64(i)+1))
	p := post{internal: internal(i)}
	// Dates rise with i, evenly over the span, with jitter inside each slot.
	slot := c.span / time.Duration(max(c.n, 1))
	p.date = c.start.Add(slot*time.Duration(i) + time.Duration(r.Int64N(int64(max(slot, time.Minute))))).Truncate(time.Minute)

	words := []string{pick(r, adjectives[:]), pick(r, nouns[:]), pick(r, nouns[:])}
	switch r.IntN(4) {
	case 0:
		p.title = capitalize(strings.Join(words, " ")) + ": what the " + pick(r, nouns[:]) + " told us"
	case 1:
		p.title = "How we " + pick(r, verbs[:]) + " " + strings.Join(words, " ")
	case 2:
		p.title = capitalize(pick(r, verbs[:])) + " the " + strings.Join(words[1:], " ") + " before it " + pick(r, verbs[:]) + "s you"
	default:
		p.title = "Notes on " + strings.Join(words, " ")
	}
	if p.internal {
		// Titles repeat in a large corpus, and a public post must never
		// carry an internal post's title (audience.leak): internal titles
		// are numbered and worded apart.
		p.title = "Lab bulletin " + strconv.Itoa(i) + ": " + strings.Join(words, " ")
	}
	p.file = slug(strings.Join(words, " ")) + "-" + strconv.FormatInt(int64(i), 36) + ".md"

	// Authors: one, or two for one post in six; two reviewers who are not authors.
	perm := r.Perm(len(c.people))
	na := 1
	if r.IntN(6) == 0 {
		na = 2
	}
	for _, k := range perm[:na] {
		p.authors = append(p.authors, c.people[k].id)
	}
	for _, k := range perm[na : na+2] {
		p.reviewers = append(p.reviewers, c.people[k].id)
	}
	// 2–4 distinct tags.
	nt := 2 + r.IntN(3)
	seen := map[int]bool{}
	for len(p.tags) < nt {
		k := r.IntN(len(c.tags))
		if !seen[k] {
			seen[k] = true
			p.tags = append(p.tags, c.tags[k])
		}
	}
	p.category = pick(r, categories[:])
	product := ""
	if r.IntN(7) == 0 {
		pr := products[r.IntN(len(products))]
		p.products = []string{pr.id}
		product = pr.name
	}
	p.summary = capitalize(sentenceWords(r, 18+r.IntN(10))) + "."
	p.body = c.body(r, i, product)
	return p
}

// body writes about 1,200 words of Markdown.
func (c *corpus) body(r *rand.Rand, i int, product string) string {
	var b strings.Builder
	b.Grow(9000)
	words := 0
	para := func() {
		n := 4 + r.IntN(4)
		for s := 0; s < n; s++ {
			if s > 0 {
				b.WriteByte(' ')
			}
			w := 8 + r.IntN(11)
			words += w
			b.WriteString(sentence(r, w))
		}
		b.WriteString("\n\n")
	}
	heading := func(level int) {
		b.WriteString(strings.Repeat("#", level) + " " + capitalize(pick(r, adjectives[:])+" "+pick(r, nouns[:])+" and "+pick(r, nouns[:])) + "\n\n")
		words += 4
	}
	para()
	if product != "" {
		fmt.Fprintf(&b, "A disclosure first: I work on %s, so weigh what follows with that in mind. ", product)
		para()
	}
	para()
	heading(2)
	para()
	para()
	for k := 0; k < 4; k++ {
		b.WriteString("- " + capitalize(sentenceWords(r, 6+r.IntN(6))) + "\n")
		words += 9
	}
	b.WriteString("\n")
	heading(2)
	para()
	b.WriteString(codeBlock(r))
	b.WriteString("\n")
	para()
	heading(2)
	para()
	c.table(&b, r)
	words += 30
	para()
	heading(3)
	para()
	// A link to an earlier public post and one elsewhere.
	if i > 0 {
		j := r.IntN(i)
		if internal(j) {
			j--
		}
		if j >= 0 {
			pj := c.postSlug(j)
			fmt.Fprintf(&b, "We covered the %s side in [an earlier post](/posts/%s/). ", pick(r, nouns[:]), pj)
		}
	}
	fmt.Fprintf(&b, "The %s is described on [Wikipedia](https://en.wikipedia.org/wiki/%s) as well, and the `%s` value is what we log. ",
		pick(r, nouns[:]), capitalize(pick(r, nouns[:])), pick(r, nouns[:]))
	para()
	heading(2)
	for words < 1150 {
		para()
	}
	if product != "" {
		fmt.Fprintf(&b, "If you use %s and see something different, tell us: we would rather hear it from you.\n", product)
	}
	return b.String()
}

// postSlug is the slug of post j (its file name without .md), computed
// without generating the whole post.
func (c *corpus) postSlug(j int) string {
	r := rand.New(rand.NewPCG(uint64(c.seed), uint64(j)+1))
	slot := c.span / time.Duration(max(c.n, 1))
	_ = r.Int64N(int64(max(slot, time.Minute)))
	words := []string{pick(r, adjectives[:]), pick(r, nouns[:]), pick(r, nouns[:])}
	return slug(strings.Join(words, " ")) + "-" + strconv.FormatInt(int64(j), 36)
}

// table writes a GFM table of 5–8 measurements.
func (c *corpus) table(b *strings.Builder, r *rand.Rand) {
	u := pick(r, units[:])
	fmt.Fprintf(b, "| Lot | %s | Mean (%s) | Std dev | Result |\n|---|---:|---:|---:|---|\n", capitalize(pick(r, nouns[:])), u)
	rows := 5 + r.IntN(4)
	for k := 0; k < rows; k++ {
		res := "pass"
		if r.IntN(5) == 0 {
			res = "**rerun**"
		}
		fmt.Fprintf(b, "| %c%d | %d | %d.%d | %d.%02d | %s |\n", 'A'+k, 100+r.IntN(900), r.IntN(50)+1, r.IntN(300), r.IntN(10), r.IntN(9), r.IntN(100), res)
	}
	b.WriteString("\n")
}

// sentence returns a capitalised sentence of n words with a full stop and,
// now and then, emphasis, a number with a unit or a quotation.
func sentence(r *rand.Rand, n int) string {
	s := capitalize(sentenceWords(r, n))
	switch r.IntN(12) {
	case 0:
		s += fmt.Sprintf(" at %d %s", r.IntN(500)+1, pick(r, units[:]))
	case 1:
		s += ", which is the *" + pick(r, adjectives[:]) + "* part"
	case 2:
		s += " -- the **" + pick(r, nouns[:]) + "** matters most"
	case 3:
		s += ` and we called it "` + pick(r, adjectives[:]) + `"`
	}
	return s + "."
}

// sentenceWords returns n words of loosely grammatical engineering prose.
func sentenceWords(r *rand.Rand, n int) string {
	w := make([]string, n)
	for k := range w {
		switch k % 4 {
		case 0, 2:
			w[k] = pick(r, function[:])
		case 1:
			if r.IntN(3) == 0 {
				w[k] = pick(r, adjectives[:])
			} else {
				w[k] = pick(r, nouns[:])
			}
		default:
			if r.IntN(2) == 0 {
				w[k] = pick(r, verbs[:])
			} else {
				w[k] = pick(r, nouns[:])
			}
		}
	}
	return strings.Join(w, " ")
}

// write renders the post file: YAML front matter and the body.
func (p *post) write(b *bytes.Buffer, hugo bool) {
	b.WriteString("---\n")
	fmt.Fprintf(b, "title: %q\n", p.title)
	fmt.Fprintf(b, "date: %s\n", p.date.Format(time.RFC3339))
	fmt.Fprintf(b, "summary: %q\n", p.summary)
	fmt.Fprintf(b, "authors: [%s]\n", strings.Join(p.authors, ", "))
	fmt.Fprintf(b, "reviewed_by: [%s]\n", strings.Join(p.reviewers, ", "))
	if !hugo {
		fmt.Fprintf(b, "audience: %s\n", audience(p.internal))
	}
	fmt.Fprintf(b, "tags: [%s]\n", strings.Join(p.tags, ", "))
	fmt.Fprintf(b, "categories: [%s]\n", p.category)
	if !hugo && len(p.products) > 0 {
		fmt.Fprintf(b, "products: [%s]\n", strings.Join(p.products, ", "))
	}
	if hugo {
		// Hugo keeps the policy keys as page parameters; internal posts
		// are drafts, read but not published.
		if p.internal {
			b.WriteString("draft: true\n")
		}
		fmt.Fprintf(b, "params:\n  audience: %s\n", audience(p.internal))
		if len(p.products) > 0 {
			fmt.Fprintf(b, "  products: [%s]\n", strings.Join(p.products, ", "))
		}
	}
	b.WriteString("---\n\n")
	b.WriteString(p.body)
}

func audience(internal bool) string {
	if internal {
		return "internal"
	}
	return "public"
}

// siteFiles returns the peerpress site's fixed files: configuration,
// policy and author bios.
func (c *corpus) siteFiles() map[string]string {
	files := map[string]string{
		"site.yaml": `title: From One Engineer to Another
baseURL: https://blog.brightline.example/
language: en
description: Brightline Materials engineers write for other engineers about solder, plating, thermal materials and the tests that keep them honest.
theme: default
paging: 10
feeds:
  limit: 20
share:
  hashtags: [BrightlineEngineers]
markup:
  unsafe_html: false
  toc_min_headings: 3
images:
  strip_metadata: false
`,
		"policy/disclosure.yaml": `# Generated by sitegen: the sample blog's policy.
employer:
  name: Brightline Materials
  short: Brightline
  domains: [brightline.example]
  internal_domains: [corp.brightline.example]

disclosure:
  statement: "{name} is a {title} at {employer}."
  share: "I work at {employer}."
  approved: ["I work at {employer}", "I work for {employer}", "#{short}Employee"]
  ambiguous: ["#sp", "#spon", "#ambassador", "#partner", "#collab"]

products:
  flowcore:
    names: [FlowCore, "FlowCore 5"]
  novapaste:
    names: [NovaPaste]
  thermalayer:
    names: [ThermaLayer]

competitors:
  acme:
    names: [Acme Metals]
  globex:
    names: [Globex Alloys]

clients:
  bigauto:
    names: [BigAuto]
    reference_approved: false
  vandelay:
    names: [Vandelay Industries]
    reference_approved: true

terms:
  confidential: ["confidential", "internal only", "under NDA", "do not distribute"]
  codenames: {sha256_file: policy/codenames.sha256}
  politics: ["election", "senator", "congressman", "congresswoman", "ballot", "campaign donation"]

review:
  min_reviewers: {public: 2, internal: 1}
  require_roles:
    - {when: competitors, roles: [legal]}
    - {when: official, roles: [comms]}
  verify: none

rules:
  terms.politics: warning
`,
		"policy/codenames.sha256": c.codenameFile(),
		"policy/people.yaml":      c.peopleFile(),
	}
	for _, p := range c.people {
		files["content/authors/"+p.id+".md"] = fmt.Sprintf("---\ntitle: %q\n---\n\n%s writes about %s and %s.\n", p.name, p.name, c.tags[len(p.name)%len(c.tags)], c.tags[(len(p.id)*7)%len(c.tags)])
	}
	return files
}

func (c *corpus) codenameFile() string {
	const salt = "5eed0f5a17c0de0fc0ffee0ddba11000"
	var b strings.Builder
	b.WriteString("# Generated by sitegen. Codenames, salted and hashed.\nsalt: " + salt + "\n")
	for _, n := range codenames {
		sum := sha256.Sum256([]byte(salt + "\n" + n))
		b.WriteString(hex.EncodeToString(sum[:]) + "\n")
	}
	return b.String()
}

func (c *corpus) peopleFile() string {
	var b strings.Builder
	b.WriteString("# Generated by sitegen: 50 authors who also review, legal, comms and a policy approver.\npeople:\n")
	entry := func(id, name, title, github, roles, profiles string) {
		fmt.Fprintf(&b, "  %s:\n    name: %s\n    email: %s@brightline.example\n    github: %s\n    employer: Brightline Materials\n    title: %s\n    roles: [%s]\n    active: true\n    training: {completed: 2026-01-15, expires: 2027-12-31}\n",
			id, name, strings.ReplaceAll(id, "-", "."), github, title, roles)
		if profiles != "" {
			fmt.Fprintf(&b, "    profiles: {%s}\n", profiles)
		}
		b.WriteString("\n")
	}
	for _, p := range c.people {
		prof := []string{`linkedin: "https://www.linkedin.com/in/` + p.id + `"`}
		if p.mastodon {
			prof = append(prof, `mastodon: "@`+p.github+`@fediscience.example"`)
		}
		if p.x {
			prof = append(prof, `x: "@`+p.github+`"`)
		}
		entry(p.id, p.name, p.title, p.github, "author, reviewer", strings.Join(prof, ", "))
	}
	entry("hanne-quist", "Hanne Quist", "Corporate Counsel", "hquist", "legal, reviewer", "")
	entry("odile-marchetti", "Odile Marchetti", "Communications Manager", "omarchetti", "comms, reviewer", "")
	entry("samir-hale", "Samir Hale", "Director of Compliance", "samirhale", "policy-approver", "")
	return b.String()
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// slug lower-cases s, keeps ASCII letters and digits and joins the rest with
// single hyphens.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(asciiOnly(s)) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// asciiOnly folds the accented letters of the name lists to ASCII.
func asciiOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if f, ok := fold[r]; ok {
			return f
		}
		return r
	}, s)
}

var fold = map[rune]rune{
	'ö': 'o', 'ä': 'a', 'å': 'a', 'é': 'e', 'í': 'i', 'ú': 'u', 'ı': 'i', 'ł': 'l', 'ś': 's', 'ř': 'r',
	'á': 'a', 'č': 'c', 'ñ': 'n', 'ç': 'c', 'ş': 's', 'ğ': 'g', 'ü': 'u', 'ý': 'y', 'Ö': 'O', 'Ä': 'A',
}

func sortedNames(m map[string]string) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
