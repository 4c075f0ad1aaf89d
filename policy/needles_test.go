package policy

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// naiveFind is needleSet.find by definition: every offset, every needle;
// at one end the longest needle first.
func naiveFind(texts [][]byte, data []byte) []match {
	var ms []match
	lower := asciiLower(data)
	for end := 1; end <= len(data); end++ {
		at := len(ms)
		for i, t := range texts {
			if len(t) > 0 && end >= len(t) && bytes.Equal(lower[end-len(t):end], t) {
				ms = append(ms, match{int32(i), int32(end)})
			}
		}
		sort.SliceStable(ms[at:], func(a, b int) bool { return len(texts[ms[at+a].needle]) > len(texts[ms[at+b].needle]) })
	}
	return ms
}

// TestNeedleSet compares find with the definition on random needle sets
// (short, exactly 8 bytes, long, repetitive) planted in random texts in
// mixed case, including at the very start and end.
func TestNeedleSet(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	alpha := "ab-_/:.é"
	rnd := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			b.WriteByte(alpha[r.IntN(len(alpha))])
		}
		return b.String()[:n]
	}
	for round := 0; round < 500; round++ {
		var texts [][]byte
		for i := 0; i < 1+r.IntN(6); i++ {
			n := []int{3, 7, 8, 9, 12, 20, 33}[r.IntN(7)]
			if round%5 == 0 {
				n = max(n, 8) // some sets without short needles
			}
			texts = append(texts, []byte(rnd(n)))
		}
		if round%7 == 0 {
			texts = append(texts, bytes.Repeat([]byte("a"), 8+r.IntN(10)))
		}
		var data []byte
		for len(data) < 400 {
			if r.IntN(3) == 0 {
				data = append(data, bytes.ToUpper(texts[r.IntN(len(texts))])...)
			} else {
				data = append(data, rnd(1+r.IntN(20))...)
			}
		}
		if round%2 == 0 {
			data = append(texts[0], data...)
		}
		s := newNeedleSet(texts)
		got, want := s.find(data, nil), naiveFind(texts, data)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("needles %q (step %d) in %q:\n got %v\nwant %v", texts, s.step, data, got, want)
		}
	}
}

// FuzzNeedleSet: the same comparison on any needles and text.
func FuzzNeedleSet(f *testing.F) {
	f.Add("internal-roadmap-2027", "see /posts/Internal-Roadmap-2027/ now", "ab", "roadmap-2027")
	f.Add("aaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaa", "aaaaaaaa")
	f.Fuzz(func(t *testing.T, n1, data, n2, n3 string) {
		var texts [][]byte
		for _, n := range []string{n1, n2, n3} {
			if n != "" {
				texts = append(texts, asciiLower([]byte(n)))
			}
		}
		if len(texts) == 0 {
			return
		}
		got, want := newNeedleSet(texts).find([]byte(data), nil), naiveFind(texts, []byte(data))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("needles %q in %q:\n got %v\nwant %v", texts, data, got, want)
		}
	})
}

// TestLeakWhatAtOneEnd: where an internal post's URL and its slug end at
// the same byte, the finding names the URL (the longer match).
func TestLeakWhatAtOneEnd(t *testing.T) {
	p, err := Load(baseFS(t))
	if err != nil {
		t.Fatal(err)
	}
	fs := p.CheckLeaks([]Artifact{{Path: "sitemap.xml", Data: []byte("<loc>https://blog.example/posts/widget-plan/</loc>")}},
		[]InternalPost{{File: "content/posts/widget-plan.md", Title: "Widget plan", Slug: "widget-plan", URL: "https://blog.example/posts/widget-plan/"}})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "URL") {
		t.Errorf("findings %+v, want one naming the URL", fs)
	}
}
