package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerpress/peerpress/build/share"
)

// sampleDisclosure is what every employee share text of the sample blog
// starts with (policy/disclosure.yaml disclosure.share).
const sampleDisclosure = "I work at Brightline Materials."

// readShare reads a post's share.json from the built sample blog.
func readShare(t *testing.T, dir, slug string) (share.Set, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "posts", slug, "share.json"))
	if err != nil {
		t.Fatal(err)
	}
	var set share.Set
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("%s/share.json: %v", slug, err)
	}
	return set, data
}

// metaURL returns the value of <link rel=canonical href> or <meta property=og:url content>.
func metaURL(page, re string) string {
	m := regexp.MustCompile(re).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

const (
	canonicalRE = `<link rel="canonical" href="([^"]*)">`
	ogURLRE     = `<meta property="og:url" content="([^"]*)">`
)

// TestShareJSONContract checks every post's share.json against SPEC §7: the
// keys, a snippet for each platform in both variants, employee texts that
// start with the disclosure and fit the platform's limit as the platform
// counts, links tagged with UTM parameters, intents that carry the text, and
// a url that is the page's canonical URL, untagged.
func TestShareJSONContract(t *testing.T) {
	dir := sampleSite(t)
	paths, _ := filepath.Glob(filepath.Join(dir, "posts", "*", "share.json"))
	pages, _ := filepath.Glob(filepath.Join(dir, "posts", "*", "index.html"))
	if len(paths) < 8 || len(paths) != len(pages) {
		t.Fatalf("%d share.json files for %d post pages", len(paths), len(pages))
	}
	for _, p := range paths {
		slug := filepath.Base(filepath.Dir(p))
		t.Run(slug, func(t *testing.T) {
			set, data := readShare(t, dir, slug)
			var keys map[string]json.RawMessage
			json.Unmarshal(data, &keys)
			var names []string
			for k := range keys {
				names = append(names, k)
			}
			slices.Sort(names)
			if want := []string{"disclosure", "employee", "reader", "title", "url"}; !slices.Equal(names, want) {
				t.Errorf("keys %q, want %q", names, want)
			}
			page, _ := os.ReadFile(filepath.Join(dir, "posts", slug, "index.html"))
			canonical := metaURL(string(page), canonicalRE)
			if set.URL == "" || set.URL != canonical || set.URL != metaURL(string(page), ogURLRE) || strings.Contains(set.URL, "utm_") {
				t.Errorf("url %q; page canonical %q, og:url %q", set.URL, canonical, metaURL(string(page), ogURLRE))
			}
			if set.Disclosure != sampleDisclosure || set.Title == "" {
				t.Errorf("disclosure %q title %q", set.Disclosure, set.Title)
			}
			for _, variant := range []struct {
				name string
				m    map[string]share.Snippet
			}{{"employee", set.Employee}, {"reader", set.Reader}} {
				var got []string
				for pl := range variant.m {
					got = append(got, pl)
				}
				slices.Sort(got)
				want := slices.Sorted(slices.Values(share.Platforms()))
				if !slices.Equal(got, want) || len(want) != 5 {
					t.Errorf("%s platforms %q, want %q", variant.name, got, want)
				}
				for _, pl := range want {
					s := variant.m[pl]
					where := variant.name + "/" + pl
					if s.Limit != share.Limit(pl) || s.Length != share.Length(pl, s.Text) || s.Length > s.Limit || s.Length == 0 {
						t.Errorf("%s: length %d (recounted %d), limit %d (platform %d)", where, s.Length, share.Length(pl, s.Text), s.Limit, share.Limit(pl))
					}
					if variant.name == "employee" && !strings.HasPrefix(s.Text, sampleDisclosure) {
						t.Errorf("%s does not start with the disclosure: %q", where, s.Text)
					}
					if variant.name == "reader" && strings.Contains(s.Text, sampleDisclosure) {
						t.Errorf("%s claims employment: %q", where, s.Text)
					}
					link := share.TagURL(set.URL, pl, variant.name)
					if !strings.Contains(s.Text, link) || !strings.Contains(link, "utm_source="+pl+"&utm_medium=social&utm_content="+variant.name) {
						t.Errorf("%s: text %q lacks the tagged link %s", where, s.Text, link)
					}
					u, err := url.Parse(s.Intent)
					if err != nil || u.Scheme != "https" {
						t.Errorf("%s: intent %q", where, s.Intent)
						continue
					}
					if pl == "linkedin" {
						if u.Query().Get("url") != link {
							t.Errorf("%s: intent url= %q, want %s", where, u.Query().Get("url"), link)
						}
					} else if u.Query().Get("text") != s.Text {
						t.Errorf("%s: intent text= %q, want the text", where, u.Query().Get("text"))
					}
				}
			}
		})
	}
}

// TestNoUTMOutsideShare: UTM parameters are only in share texts and
// intents: never in canonical URLs, og:url, feeds or the sitemap.
func TestNoUTMOutsideShare(t *testing.T) {
	dir := sampleSite(t)
	checked := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".html"):
			for _, re := range []string{canonicalRE, ogURLRE, `<meta name="twitter:url" content="([^"]*)">`} {
				if u := metaURL(string(data), re); strings.Contains(u, "utm_") {
					t.Errorf("%s: %s", rel, u)
				}
			}
			checked++
		case strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, "feed.json") || strings.HasSuffix(p, "robots.txt"):
			if bytes.Contains(data, []byte("utm_")) {
				t.Errorf("%s contains a UTM parameter", rel)
			}
			checked++
		}
		return nil
	})
	if checked < 40 {
		t.Errorf("only %d files checked", checked)
	}
	// The texts do carry them, so the test above is not vacuous.
	set, _ := readShare(t, dir, "enig-black-pad")
	if !strings.Contains(set.Employee["x"].Text, "utm_source=x") {
		t.Errorf("employee x text has no UTM parameters: %q", set.Employee["x"].Text)
	}
}

// TestShareCommand runs `peerpress share` on a post of the sample blog, by
// file, bundle directory and slug, in both formats: the same snippets as the
// built share.json.
func TestShareCommand(t *testing.T) {
	dir := sampleSite(t)
	for _, tt := range []struct{ arg, slug string }{
		{"content/posts/enig-black-pad.md", "enig-black-pad"},
		{"enig-black-pad", "enig-black-pad"},
		{"content/posts/bga-voiding-reflow-profiles", "bga-voiding-reflow-profiles"},
		{"content/posts/bga-voiding-reflow-profiles/index.md", "bga-voiding-reflow-profiles"},
	} {
		t.Run(tt.arg, func(t *testing.T) {
			want, wantJSON := readShare(t, dir, tt.slug)

			code, out, errs := runCLI(t, "share", "-site", repoRoot, "-now", sampleNow, "-format", "json", tt.arg)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got share.Set
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("share -format json differs from share.json:\n%s\nwant\n%s", out, wantJSON)
			}

			code, out, errs = runCLI(t, "share", "-site", repoRoot, "-now", sampleNow, tt.arg)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			lines := strings.Split(out, "\n")
			if len(lines) < 2 || lines[0] != want.Title || lines[1] != want.URL {
				t.Errorf("text output starts %q, want the title and URL", lines[:min(2, len(lines))])
			}
			emp, rdr, _ := strings.Cut(out, "== reader ==")
			if !strings.Contains(emp, "== employee (starts with your disclosure) ==") {
				t.Errorf("no employee section:\n%s", out)
			}
			for _, pl := range share.Platforms() {
				e, r := want.Employee[pl], want.Reader[pl]
				head := "[" + pl + "] "
				if !strings.Contains(emp, "\n"+head+strconv.Itoa(e.Length)+"/"+strconv.Itoa(e.Limit)+"\n"+e.Text+"\n"+e.Intent+"\n") {
					t.Errorf("employee %s snippet missing from the text output:\n%s", pl, emp)
				}
				if !strings.Contains(rdr, "\n"+head+strconv.Itoa(r.Length)+"/"+strconv.Itoa(r.Limit)+"\n"+r.Text+"\n") {
					t.Errorf("reader %s snippet missing from the text output", pl)
				}
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		if code, _, errs := runCLI(t, "share", "-site", repoRoot, "-now", sampleNow, "no-such-post"); code != exitFindings || !strings.Contains(errs, `no post "no-such-post"`) {
			t.Errorf("unknown post: exit %d, %q", code, errs)
		}
		if code, _, _ := runCLI(t, "share", "-site", repoRoot); code != exitUsage {
			t.Errorf("no post: exit %d, want %d", code, exitUsage)
		}
		if code, _, _ := runCLI(t, "share", "-site", repoRoot, "-format", "xml", "enig-black-pad"); code != exitUsage {
			t.Errorf("-format xml: exit %d, want %d", code, exitUsage)
		}
	})
	t.Run("share off", func(t *testing.T) {
		site := serveSample(t)
		post := filepath.Join(site, "content", "posts", "enig-black-pad.md")
		replaceIn(t, post, "\n---\n", "\nshare: off\n---\n")
		code, _, errs := runCLI(t, "share", "-site", site, "-now", sampleNow, "enig-black-pad")
		if code != exitFindings || !strings.Contains(errs, "share: off") {
			t.Errorf("exit %d, %q", code, errs)
		}
		out := filepath.Join(t.TempDir(), "public")
		if code, o, e := runCLI(t, "build", "-site", site, "-out", out, "-now", sampleNow); code != 0 {
			t.Fatalf("build: %s%s", o, e)
		}
		if _, err := os.Stat(filepath.Join(out, "posts", "enig-black-pad", "share.json")); err == nil {
			t.Error("a post with share: off got a share.json")
		}
		page, _ := os.ReadFile(filepath.Join(out, "posts", "enig-black-pad", "index.html"))
		if bytes.Contains(page, []byte(`class="share"`)) {
			t.Error("a post with share: off shows the share panel")
		}
	})
}

// TestShareBrowser opens a built post in headless Chromium
// (testdata/browser/share.test.mjs): each employee snippet's copy button
// puts exactly its text, which starts with the disclosure, on the
// clipboard; axe-core finds no accessibility violation on the post page and
// the home page, light and dark.
func TestShareBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	tools := browserDir(t)
	requireTool(t, "/usr/bin/chromium")
	requireTool(t, filepath.Join(tools, "node_modules", "playwright-core"))
	requireTool(t, filepath.Join(tools, "node_modules", "axe-core", "axe.min.js"))
	dir := sampleSite(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(tools, "share.test.mjs"), srv.URL+"/", "posts/enig-black-pad/")
	cmd.Dir = tools
	out, err := cmd.CombinedOutput()
	t.Logf("browser:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v", err)
	}
	if n := bytes.Count(out, []byte("starts with the disclosure")); n != 5 {
		t.Errorf("%d copy buttons checked, want 5", n)
	}
}
