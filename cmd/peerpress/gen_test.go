package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// genWords is the vocabulary of generated posts: engineering prose that
// names no product, competitor, client, codename or political term.
var genWords = strings.Fields(`solder joint reflow profile stencil aperture paste volume void
thermal cycling fatigue crack intermetallic layer copper nickel gold tin silver bismuth
board pad via plating finish moisture oven ramp soak peak liquidus wetting flux residue
test chamber sample coupon cross section microscope measurement result data spread mean
deviation lot batch supplier process window operator shift line fixture probe sensor
resistance leakage humidity bias voltage current failure mode mechanism root cause
we the a an of to in on for with and but or so because when after before during
measured observed recorded compared found showed expected reduced increased held kept
simple careful honest useful small large thin thick warm cool fast slow early late`)

// genPost writes the text of generated post i: policy-clean front matter and
// about 1,200 words of body with headings, a code block and a table.
func genPost(i int, rng *rand.Rand) string {
	authors := []string{"rosa-chen", "tomas-brandvold", "mirela-osei", "kenji-arvola", "dalia-ferreyra"}
	a := authors[i%len(authors)]
	r1, r2 := authors[(i+1)%len(authors)], authors[(i+2)%len(authors)]
	tags := []string{"reliability", "soldering", "testing", "materials", "plating", "thermal", "process", "metrology"}
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: \"Generated note %d on %s\"\ndate: %s\nsummary: \"Notes from bench run %d: what we measured and what we would do again.\"\n",
		i, genWords[i%40], genDate(i), i)
	fmt.Fprintf(&b, "authors: [%s]\nreviewed_by: [%s, %s]\naudience: public\ntags: [%s, %s]\ncategories: [Lab notes]\n---\n\n",
		a, r1, r2, tags[i%len(tags)], tags[(i/3)%len(tags)])
	b.WriteString(genBody(rng, 0))
	return b.String()
}

// genBody returns about 1,200 words of Markdown; salt varies the first words.
func genBody(rng *rand.Rand, salt int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Revision %d of these notes.\n\n", salt)
	words := 0
	para := func(n int) {
		for j := 0; j < n; j++ {
			w := genWords[rng.IntN(len(genWords))]
			if j == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			}
			b.WriteString(w)
			switch {
			case j == n-1:
				b.WriteString(".\n\n")
			case j%12 == 11:
				b.WriteString(".\n")
			default:
				b.WriteByte(' ')
			}
		}
		words += n
	}
	for s := 1; s <= 4; s++ {
		fmt.Fprintf(&b, "## Step %d\n\n", s)
		para(110)
		para(120)
		if s == 2 {
			b.WriteString("```go\nfunc acceleration(ea, t1, t2 float64) float64 {\n\tconst k = 8.617e-5\n\treturn math.Exp(ea / k * (1/t1 - 1/t2))\n}\n```\n\n")
		}
		if s == 3 {
			b.WriteString("| lot | voids % | cycles |\n|---|---:|---:|\n| A | 12 | 1500 |\n| B | 8 | 2100 |\n| C | 15 | 1200 |\n\n")
		}
		para(60)
	}
	return b.String()
}

// genDate spreads posts over about eight years before the sample clock.
func genDate(i int) string { return dateAdd(i % 3000) }

// dateAdd returns 2018-08-01 plus days, as YYYY-MM-DD.
func dateAdd(days int) string {
	y, m, d := 2018, 8, 1
	mdays := func(y, m int) int {
		switch m {
		case 2:
			if y%4 == 0 {
				return 29
			}
			return 28
		case 4, 6, 9, 11:
			return 30
		}
		return 31
	}
	for ; days > 0; days-- {
		d++
		if d > mdays(y, m) {
			d, m = 1, m+1
			if m > 12 {
				m, y = 1, y+1
			}
		}
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// genSite writes a site of n generated posts into dir: the repository's
// site.yaml and policy files, the post the sample waiver covers, and n
// generated posts named content/posts/gen-NNNNN.md.
func genSite(tb testing.TB, dir string, n int) {
	tb.Helper()
	copyFile := func(rel string) {
		data, err := os.ReadFile(filepath.Join(repoRoot, rel))
		if err != nil {
			tb.Fatal(err)
		}
		genWrite(tb, filepath.Join(dir, rel), data)
	}
	copyFile("site.yaml")
	pol, _ := filepath.Glob(filepath.Join(repoRoot, "policy", "*.yaml"))
	for _, p := range pol {
		copyFile(filepath.Join("policy", filepath.Base(p)))
	}
	copyFile("policy/codenames.sha256")
	copyFile("content/posts/two-years-on-a-standards-task-group.md")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		genWrite(tb, filepath.Join(dir, "content", "posts", fmt.Sprintf("gen-%05d.md", i)), []byte(genPost(i, rng)))
	}
}

func genWrite(tb testing.TB, name string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}
