package markdown

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// syntaxCSSPath is where the theme keeps the generated stylesheet.
const syntaxCSSPath = "../../themes/default/static/css/syntax.css"

func TestSyntaxCSSUpToDate(t *testing.T) {
	got := SyntaxCSS()
	if *update {
		if err := os.MkdirAll(filepath.Dir(syntaxCSSPath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(syntaxCSSPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(syntaxCSSPath)
	if err != nil {
		t.Fatalf("%v (run go test -run TestSyntaxCSSUpToDate -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run go test -run TestSyntaxCSSUpToDate -update", syntaxCSSPath)
	}
}

func TestSyntaxCSS(t *testing.T) {
	css := string(SyntaxCSS())
	light, dark, ok := strings.Cut(css, "@media (prefers-color-scheme: dark) {\n")
	if !ok {
		t.Fatalf("no dark block:\n%s", css)
	}
	if !strings.HasSuffix(dark, "}\n") {
		t.Errorf("dark block is not closed")
	}
	if strings.Count(css, "{") != strings.Count(css, "}") {
		t.Errorf("unbalanced braces")
	}
	sel := regexp.MustCompile(`(?m)^\s*(\.chroma[^{]*?) \{`)
	selectors := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, x := range sel.FindAllStringSubmatch(s, -1) {
			m[x[1]] = true
		}
		return m
	}
	ls, ds := selectors(light), selectors(dark)
	for _, s := range []string{".chroma", ".chroma .k", ".chroma .s", ".chroma .c"} {
		if !ls[s] {
			t.Errorf("light CSS lacks %s", s)
		}
	}
	// Every light rule is overridden in dark mode, so no light colour leaks.
	for s := range ls {
		if !ds[s] {
			t.Errorf("dark CSS lacks %s, which the light CSS styles", s)
		}
	}
	// The code block markup uses exactly these classes.
	r, err := New(Options{}).Render([]byte("```go\n// c\nvar s = \"x\"\n```\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`<span class="([a-z0-9]+)"`).FindAllStringSubmatch(string(r.HTML), -1) {
		if !ls[".chroma ."+m[1]] && !ds[".chroma ."+m[1]] {
			t.Errorf("class %q in the HTML has no CSS rule", m[1])
		}
	}
	if strings.Contains(string(r.HTML), "style=") {
		t.Errorf("inline styles in highlighted HTML:\n%s", r.HTML)
	}
}
