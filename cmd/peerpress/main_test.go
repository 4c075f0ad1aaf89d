package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// repoRoot is the sample blog: the repository itself.
const repoRoot = "../.."

// sampleNow pins the clock for builds of the sample blog.
const sampleNow = "2026-11-21T12:00:00Z"

// requireTool skips a test whose external tool is missing, unless
// PEERPRESS_REQUIRE_TOOLS is set (test.sh sets it after installing them).
func requireTool(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if _, err := exec.LookPath(path); err == nil {
		return
	}
	if os.Getenv("PEERPRESS_REQUIRE_TOOLS") != "" {
		t.Fatalf("%s is missing; test.sh installs it", path)
	}
	t.Skipf("%s is missing (run ./test.sh to install it)", path)
}

// browserDir holds the npm tools the tests drive.
func browserDir(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.Abs("testdata/browser")
	requireTool(t, "node")
	requireTool(t, filepath.Join(dir, "node_modules"))
	return dir
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageAndExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string // substring of stdout+stderr
	}{
		{nil, 2, "Usage: peerpress COMMAND"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"version"}, 0, "peerpress "},
		{[]string{"build", "-h"}, 0, "-audience"},
		{[]string{"build", "-audience", "friends"}, 2, "-audience must be public or internal"},
		{[]string{"build", "-now", "yesterday"}, 2, "-now"},
		{[]string{"build", "extra"}, 2, "unexpected argument"},
		{[]string{"check", "-format", "xml"}, 2, "-format must be one of"},
		{[]string{"check", "-explain", "no.such-rule"}, 2, "no rule"},
		{[]string{"check", "-explain", "disclose.undeclared-product"}, 0, "disclose.undeclared-product"},
		{[]string{"check", "-site", "testdata/no-such-site-dir", "-bogus"}, 2, "flag provided but not defined"},
		{[]string{"new"}, 2, "give the post's title"},
		{[]string{"version", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"build", "-site", repoRoot, "-baseurl", "not a url", "-out", "testdata/never-written"}, 2, "-baseurl: baseURL \"not a url\" must be an absolute http(s) URL"},
		{[]string{"share", "-format", "yaml", "x"}, 2, "-format must be text or json"},
		{[]string{"check", "-site", "testdata/no-such-site"}, 2, "-site testdata/no-such-site is not a directory (it does not exist)"},
		{[]string{"build", "-site", "main.go"}, 2, "-site main.go is not a directory"},
		{[]string{"new", "-site", "testdata/no-such-site", "Title"}, 2, "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.out) {
				t.Errorf("exit %d, want %d; output:\n%s%s", code, tt.code, out, errs)
			}
		})
	}
}

var (
	sampleOnce sync.Once
	sampleDir  string
	sampleErr  string
)

// sampleSite builds the repository's sample blog once per test binary.
func sampleSite(t *testing.T) string {
	t.Helper()
	sampleOnce.Do(func() {
		dir, err := os.MkdirTemp("", "peerpress-sample-")
		if err != nil {
			sampleErr = err.Error()
			return
		}
		sampleDir = filepath.Join(dir, "public")
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"build", "-site", repoRoot, "-out", sampleDir, "-now", sampleNow}, &out, &errb); code != 0 {
			sampleErr = out.String() + errb.String()
		}
	})
	if sampleErr != "" {
		t.Fatalf("building the sample blog failed:\n%s", sampleErr)
	}
	return sampleDir
}

func TestMain(m *testing.M) {
	// Builds keep their code cache in a temporary directory, not the
	// user's; a test that wants its own sets PEERPRESS_CACHE_DIR again.
	cacheDir, err := os.MkdirTemp("", "peerpress-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("PEERPRESS_CACHE_DIR", cacheDir)
	code := m.Run()
	os.RemoveAll(cacheDir)
	if sampleDir != "" {
		os.RemoveAll(filepath.Dir(sampleDir))
	}
	os.Exit(code)
}

func TestSampleBlogChecksClean(t *testing.T) {
	code, out, errs := runCLI(t, "check", "-site", repoRoot, "-now", sampleNow, "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	var rep struct {
		Findings []map[string]any
		Summary  struct{ Files, Errors int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Errors != 0 || rep.Summary.Files < 9 {
		t.Errorf("summary %+v", rep.Summary)
	}
}

func TestSampleBlogBuilds(t *testing.T) {
	dir := sampleSite(t)
	for _, p := range []string{"index.html", "404.html", "sitemap.xml", "robots.txt", "index.xml", "atom.xml", "feed.json", "authors/index.html", "tags/index.html", "css/style.css", "css/syntax.css"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	posts, _ := filepath.Glob(filepath.Join(dir, "posts", "*", "index.html"))
	if len(posts) < 8 {
		t.Errorf("%d post pages, want at least 8", len(posts))
	}
	// Nothing internal or scheduled is published.
	home, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if bytes.Contains(home, []byte("Internal edition")) {
		t.Error("public home page says it is the internal edition")
	}
}

// TestBinaryEndToEnd builds the real binary and drives it like a user.
func TestBinaryEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "peerpress")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(tmp, "site")
	cmd := exec.Command(bin, "build", "-site", repoRoot, "-out", out, "-now", sampleNow)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "built ") || !strings.Contains(lines[0], " posts, ") {
		t.Errorf("build printed %q, want one summary line", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		t.Error(err)
	}
	// Internal build goes elsewhere and is marked noindex.
	iout := filepath.Join(tmp, "internal")
	if b, err := exec.Command(bin, "build", "-site", repoRoot, "-out", iout, "-audience", "internal", "-now", sampleNow).CombinedOutput(); err != nil {
		t.Fatalf("internal build: %v\n%s", err, b)
	}
	ih, _ := os.ReadFile(filepath.Join(iout, "index.html"))
	if !bytes.Contains(ih, []byte(`name="robots" content="noindex"`)) {
		t.Error("internal build is not noindex")
	}
	// -v adds each stage's time, in the order they ran.
	vb, err := exec.Command(bin, "build", "-v", "-site", repoRoot, "-out", out, "-now", sampleNow).Output()
	if err != nil {
		t.Fatalf("build -v: %v\n%s", err, vb)
	}
	// The build before used the same cache (PEERPRESS_CACHE_DIR) and the
	// same posts: every body comes from it.
	vlines := strings.Split(strings.TrimSpace(string(vb)), "\n")
	if len(vlines) < 2 || !regexp.MustCompile(`^  0 of [1-9][0-9]* post bodies rendered, [1-9][0-9]* from the cache$`).MatchString(vlines[1]) {
		t.Errorf("build -v: no line saying every post body came from the cache:\n%s", vb)
	}
	var stages []string
	for _, l := range vlines[min(2, len(vlines)):] {
		f := strings.Fields(l)
		if len(f) < 2 {
			t.Fatalf("build -v line %q", l)
		}
		if _, err := time.ParseDuration(f[len(f)-1]); err != nil {
			t.Errorf("build -v line %q: no duration", l)
		}
		stages = append(stages, strings.Join(f[:len(f)-1], " "))
	}
	if got, want := strings.Join(stages, ","), "load,check,prepare,posts,lists and feeds,write,leak check,commit"; got != want {
		t.Errorf("build -v stages %q, want %q", got, want)
	}
	// An exit code the scripts rely on: a usage error is 2.
	err = exec.Command(bin, "build", "-audience", "everyone").Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("usage error exit = %v, want 2", err)
	}
}

// TestHTMLValid runs html-validate over every page of the sample blog. Its
// config (testdata/browser/htmlvalidate.json) is the recommended preset with
// two HTML5-valid forms allowed: ids such as goldmark's footnote "fn:1"
// (valid-id relaxed) and boolean attributes written checked="" (task lists).
// samplePages returns the HTML pages of the built sample blog (at least
// 20 of them).
func samplePages(t *testing.T) []string {
	t.Helper()
	var pages []string
	filepath.WalkDir(sampleSite(t), func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			pages = append(pages, p)
		}
		return err
	})
	if len(pages) < 20 {
		t.Fatalf("only %d pages", len(pages))
	}
	return pages
}

func TestHTMLValid(t *testing.T) {
	tools := browserDir(t)
	pages := samplePages(t)
	args := append([]string{filepath.Join(tools, "node_modules", ".bin", "html-validate"), "--config", filepath.Join(tools, "htmlvalidate.json"), "--formatter", "text"}, pages...)
	cmd := exec.Command("node", args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("html-validate found problems in %d pages:\n%s", len(pages), out)
	}
}

// TestBuildCacheSeesPolicyChange: a rebuild with a warm build cache (which
// holds the policy scanner's hits on every post body) still refuses to
// publish once a term added to the policy appears in a body, naming the
// file and line, and leaves the previous output as it was.
func TestBuildCacheSeesPolicyChange(t *testing.T) {
	site := t.TempDir()
	for _, d := range []string{"content", "themes", "policy"} {
		if err := os.CopyFS(filepath.Join(site, d), os.DirFS(filepath.Join(repoRoot, d))); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := os.ReadFile(filepath.Join(repoRoot, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "site.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PEERPRESS_CACHE_DIR", t.TempDir())
	out := filepath.Join(t.TempDir(), "public")
	for range 2 { // the second build is a warm one
		if code, o, e := runCLI(t, "build", "-site", site, "-out", out, "-now", sampleNow); code != 0 {
			t.Fatalf("build: exit %d\n%s%s", code, o, e)
		}
	}
	before, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}

	// A phrase on line 14 of one post's body, and nowhere in its front matter.
	pol := filepath.Join(site, "policy", "disclosure.yaml")
	data, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(data), `confidential: ["confidential",`, `confidential: ["every one of those lines", "confidential",`, 1)
	if changed == string(data) {
		t.Fatal("the sample policy has no confidential list to extend")
	}
	if err := os.WriteFile(pol, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, o, e := runCLI(t, "build", "-v", "-site", site, "-out", out, "-now", sampleNow)
	if code != 1 || !strings.Contains(o+e, "content/posts/arrhenius-acceleration-in-go.md:14:") || !strings.Contains(o+e, "terms.confidential") {
		t.Errorf("build after the policy change: exit %d, want 1 naming arrhenius-acceleration-in-go.md:14\n%s%s", code, o, e)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "index.html")); !bytes.Equal(after, before) {
		t.Error("the refused build changed the previous output")
	}
}

// TestBuildWriteFailure: a build whose writes fail (here each file is
// limited to 4 KiB, as a full disk would stop it) exits 1, says so once
// rather than once for every file still to write, and leaves no output
// and no staging directory behind.
func TestBuildWriteFailure(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("limits the file size with the shell's ulimit -f")
	}
	bin := buildBinary(t)
	site := t.TempDir()
	genSite(t, site, 300)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "public")
	cmd := exec.Command("bash", "-c", `ulimit -f 4 && exec "$@"`, "bash", bin, "build", "-site", site, "-out", out, "-now", sampleNow)
	cmd.Env = append(os.Environ(), "PEERPRESS_CACHE_DIR=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("build with files limited to 4 KiB: %v, want exit 1\n%s%s", err, stdout.String(), stderr.String())
	}
	if n := strings.Count(stderr.String(), "file too large"); n != 1 {
		t.Errorf("the write failure is reported %d times, want once:\n%.2000s", n, stderr.String())
	}
	left, err := os.ReadDir(outDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}
