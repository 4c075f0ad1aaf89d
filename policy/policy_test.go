package policy

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/build/share"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want files of testdata/*.txtar with the findings")

// TestCases runs every txtar mini-site in testdata and compares its findings
// (file, line, column, severity, rule, waiver) with its want file.
func TestCases(t *testing.T) {
	eachCase(t, func(t *testing.T, file string, tc *testCase, p *Policy) {
		got, rep := tc.run(t, p)
		if *update {
			writeWant(t, file, got)
			return
		}
		want := append([]string(nil), tc.want...)
		sort.Strings(want)
		gs := append([]string(nil), got...)
		sort.Strings(gs)
		if strings.Join(gs, "\n") != strings.Join(want, "\n") {
			var msgs []string
			for _, f := range rep.Findings {
				msgs = append(msgs, fmt.Sprintf("%s:%d:%d: %s %s: %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message))
			}
			t.Errorf("findings differ\n got:\n\t%s\nwant:\n\t%s\nmessages:\n\t%s", strings.Join(gs, "\n\t"), strings.Join(want, "\n\t"), strings.Join(msgs, "\n\t"))
		}
		for _, f := range rep.Findings {
			if f.Message == "" || strings.HasSuffix(f.Message, "\n") {
				t.Errorf("bad message for %s: %q", f.Rule, f.Message)
			}
		}
	})
}

// eachCase runs fn, as a subtest, on every txtar case in testdata with its
// policy loaded.
func eachCase(t *testing.T, fn func(t *testing.T, file string, tc *testCase, p *Policy)) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			tc := readCase(t, file)
			fn(t, file, tc, loadCase(t, tc))
		})
	}
}

func writeWant(t *testing.T, file string, got []string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte(strings.Join(got, "\n") + "\n")
	if len(got) == 0 {
		data = []byte("# no findings\n")
	}
	found := false
	for i := range ar.Files {
		if ar.Files[i].Name == "want" {
			ar.Files[i].Data, found = data, true
		}
	}
	if !found {
		ar.Files = append(ar.Files, txtar.File{Name: "want", Data: data})
	}
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestEveryRuleHasACase checks that each rule has a case file named after
// it whose want lists the rule (the failing fixture) and that the case also
// holds a post without findings (the passing fixture).
func TestEveryRuleHasACase(t *testing.T) {
	for _, r := range Rules() {
		file := filepath.Join("testdata", r.ID+".txtar")
		if _, err := os.Stat(file); err != nil {
			t.Errorf("rule %s has no case file %s", r.ID, file)
			continue
		}
		tc := readCase(t, file)
		hit := false
		flagged := map[string]bool{}
		for _, w := range tc.want {
			if strings.Contains(w, " "+r.ID) {
				hit = true
			}
			flagged[strings.SplitN(w, ":", 2)[0]] = true
		}
		if !hit {
			t.Errorf("%s: want does not list %s", file, r.ID)
		}
		clean := false
		for _, p := range casePosts(tc.fsys) {
			if !flagged[p.Path] {
				clean = true
			}
		}
		if !clean {
			t.Errorf("%s: every post has findings; add a passing fixture", file)
		}
	}
}

// TestRulesDocumented checks that every rule is in the package doc and has
// a summary and rationale.
func TestRulesDocumented(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range Rules() {
		if ids[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		ids[r.ID] = true
		if !strings.Contains(string(doc), "  - "+r.ID+" (") {
			t.Errorf("doc.go does not describe %s", r.ID)
		}
		if r.Summary == "" || len(r.Rationale) < 60 || (r.Severity != Error && r.Severity != Warning) {
			t.Errorf("rule %s: incomplete %+v", r.ID, r)
		}
		if got, ok := Explain(r.ID); !ok || got != r {
			t.Errorf("Explain(%s) = %v, %v", r.ID, got, ok)
		}
	}
	for _, id := range []string{"fm.syntax", "fm.required", "fm.type", "fm.unknown-key", "fm.dates",
		"author.unknown", "author.inactive", "author.training-expired", "author.affiliation-missing",
		"review.missing", "review.self", "review.unknown", "review.role-required", "review.unverified",
		"disclose.undeclared-product", "disclose.share-missing", "disclose.ambiguous",
		"audience.internal-link", "audience.leak", "terms.confidential", "terms.codename", "terms.politics",
		"mention.undeclared-competitor", "mention.unapproved-client", "secret.key", "secret.internal-host",
		"image.gps", "share.too-long", "waiver.invalid", "waiver.expired", "waiver.unused", "disclose.byline"} {
		if !ids[id] {
			t.Errorf("SPEC rule %s missing from Rules()", id)
		}
	}
	rs := Rules()
	if !sort.SliceIsSorted(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID }) {
		t.Error("Rules() is not sorted")
	}
	if _, ok := Explain("no.such-rule"); ok {
		t.Error("Explain accepted an unknown rule")
	}
	if r, _ := Explain("terms.politics"); r.Severity != Warning {
		t.Error("terms.politics should default to warning")
	}
	if r, _ := Explain("fm.unknown-key"); r.Severity != Warning {
		t.Error("fm.unknown-key should default to warning")
	}
}

// TestCheckParsesAndCounts checks Report.Files and that Check parses posts
// the caller left unparsed.
func TestCheckParsesAndCounts(t *testing.T) {
	tc := readCase(t, "testdata/clean.txtar")
	p := loadCase(t, tc)
	posts := casePosts(tc.fsys)
	rep := p.Check(context.Background(), tc.fsys, posts, tc.opts)
	if rep.Files != len(posts) || len(posts) < 3 {
		t.Errorf("Files = %d, posts = %d", rep.Files, len(posts))
	}
	for _, post := range posts {
		if post.File == nil || post.Meta == nil {
			t.Errorf("%s was not parsed", post.Path)
		}
	}
}

// missingFromBylineWhole is missingFromByline on the whole page's text,
// as it was defined before it read the page in growing parts.
func missingFromBylineWhole(page []byte, stmts []string, summary string) []string {
	start := bytes.Index(page, []byte("<article"))
	if start < 0 {
		start = max(bytes.Index(page, []byte("<body")), 0)
	}
	missing, _, _ := bylineMissing(htmlText(page[start:]), stmts, summary)
	return missing
}

// FuzzMissingFromByline: reading the page in parts gives what reading it
// whole gives, with the statements and the summary anywhere (across the
// 8 KB cut too), inside scripts and comments that span it.
func FuzzMissingFromByline(f *testing.F) {
	f.Add(uint16(100), uint16(200), uint16(9000), uint16(8190), true, "Ada is an engineer at Acme.", "A summary of the post.")
	f.Add(uint16(8180), uint16(8300), uint16(20000), uint16(8100), false, "Bo works at Acme.", "")
	f.Add(uint16(30000), uint16(40), uint16(33000), uint16(100), true, "x", "y")
	f.Fuzz(func(t *testing.T, stmtAt, sumAt, size, spanAt uint16, script bool, stmt, summary string) {
		filler := []byte(strings.Repeat("<p>Lorem <b>ipsum</b> &amp; dolor sit amet.</p>\n", int(size)/48+1))
		page := append([]byte("<html><body><article>"), filler...)
		put := func(at int, s string) {
			at = min(at, len(page))
			if i := bytes.LastIndexByte(page[:at], '>'); i >= 0 {
				at = i + 1 // between tags, so the text stays whole
			}
			page = append(page[:at], append([]byte(s), page[at:]...)...)
		}
		if script {
			put(int(spanAt), "<script>var a = '</p>"+stmt+"';</script>")
		} else {
			put(int(spanAt), "<!-- "+stmt+" -->")
		}
		put(int(stmtAt), "<span>"+html.EscapeString(stmt)+"</span>")
		put(int(sumAt), "<p class=lede>"+html.EscapeString(summary)+"</p>")
		stmts := []string{share.NormalizeSpace(stmt)}
		sum := share.NormalizeSpace(summary)
		got, want := missingFromByline(page, stmts, sum), missingFromBylineWhole(page, stmts, sum)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("parts: %q, whole: %q (statement at %d, summary at %d, %d bytes)", got, want, stmtAt, sumAt, len(page))
		}
	})
}
