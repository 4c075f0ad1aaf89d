package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestCheckPaths: check's PATHs are found from the working directory or
// the site root, absolute or relative; a PATH that is missing or outside
// the site is a usage error (never a green check of nothing); flags may
// follow them; the summary counts the posts they cover.
func TestCheckPaths(t *testing.T) {
	dir := newSite(t)
	broken := "---\ntitle: never closed\n"
	mustWrite(t, filepath.Join(dir, "content/posts/a.md"), broken)
	mustWrite(t, filepath.Join(dir, "content/posts/b/index.md"), broken)
	abs := func(p string) string { return filepath.Join(dir, p) }
	tests := []struct {
		name  string
		cwd   string // relative to dir; "" stays in the package directory
		args  []string
		code  int
		files []string // with findings
		out   string   // in stdout+stderr
	}{
		{"relative to the site", "", []string{"-site", dir, "content/posts/a.md"}, 1, []string{"content/posts/a.md"}, "1 file checked"},
		{"absolute", "", []string{"-site", dir, abs("content/posts/a.md")}, 1, []string{"content/posts/a.md"}, "1 file checked"},
		{"relative to the working directory", "content", []string{"-site", "..", "posts/a.md"}, 1, []string{"content/posts/a.md"}, "1 file checked"},
		{"in the site", ".", []string{"content/posts/b/index.md"}, 1, []string{"content/posts/b/index.md"}, "1 file checked"},
		{"a bundle directory", ".", []string{"content/posts/b"}, 1, []string{"content/posts/b/index.md"}, "1 file checked"},
		{"the posts directory", ".", []string{"content/posts/"}, 1, []string{"content/posts/a.md", "content/posts/b/index.md"}, "2 files checked"},
		{"the site root", ".", []string{"."}, 1, []string{"content/posts/a.md", "content/posts/b/index.md"}, "2 files checked"},
		{"a flag after the path", ".", []string{"content/posts/a.md", "-format", "json"}, 1, []string{"content/posts/a.md"}, `"files": 1`},
		{"missing", ".", []string{"content/posts/a.md", "content/posts/gone.md"}, 2, nil, "content/posts/gone.md: no such file or directory"},
		{"outside the site", "", []string{"-site", dir, "main.go"}, 2, nil, "main.go is not inside the site"},
		{"after --", ".", []string{"--", "-format"}, 2, nil, "-format: no such file"},
	}
	finding := regexp.MustCompile(`(?m)^(content/\S+):\d+:\d+: error`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cwd != "" {
				t.Chdir(filepath.Join(dir, tt.cwd))
			}
			code, out, errs := runCLI(t, append([]string{"check", "-now", sampleNow}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errs, tt.out) {
				t.Fatalf("exit %d, want %d with %q; output:\n%s%s", code, tt.code, tt.out, out, errs)
			}
			var files []string
			if strings.HasPrefix(out, "{") {
				var rep struct{ Findings []struct{ File string } }
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				for _, f := range rep.Findings {
					files = append(files, f.File)
				}
			} else {
				for _, m := range finding.FindAllStringSubmatch(out, -1) {
					files = append(files, m[1])
				}
			}
			files = slices.Compact(files)
			if !slices.Equal(files, tt.files) {
				t.Errorf("findings in %q, want %q; output:\n%s", files, tt.files, out)
			}
		})
	}
}

// TestCodenameAdd: `codename add` stores a hash, never the name, says when
// the codename was listed already, and check then finds it.
func TestCodenameAdd(t *testing.T) {
	dir := newSite(t)
	mustWrite(t, filepath.Join(dir, "content/posts/a.md"), "---\ntitle: T\ndate: 2026-10-01\nsummary: S\nauthors: [rosa-chen]\nreviewed_by: [tomas-brandvold, mirela-osei]\naudience: public\n---\nThe Kestrel Ridge rig.\n")
	for i, want := range []string{"added a salted hash", "already in policy/codenames.sha256; nothing changed"} {
		code, out, errs := runCLI(t, "codename", "add", "-site", dir, "Kestrel", "Ridge")
		if code != 0 || !strings.Contains(out, want) {
			t.Fatalf("run %d: exit %d, output %q %q, want %q", i+1, code, out, errs, want)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "policy/codenames.sha256"))
	if err != nil || strings.Contains(strings.ToLower(string(data)), "kestrel") {
		t.Fatalf("the codenames file holds the name (or %v):\n%s", err, data)
	}
	code, out, _ := runCLI(t, "check", "-site", dir, "-now", sampleNow)
	if code != 1 || !strings.Contains(out, "content/posts/a.md:9:5: error terms.codename") {
		t.Errorf("check: exit %d\n%s", code, out)
	}
}
