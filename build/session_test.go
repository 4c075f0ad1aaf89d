package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/policy"
)

const sessionBase = "http://127.0.0.1:1313/"

// newTestSession starts a session on a copy of the blog mini-site.
func newTestSession(t *testing.T) (*Session, fstest.MapFS) {
	t.Helper()
	site := loadSite(t, "blog")
	return NewSession(Options{Site: site, Now: testNow, BaseURL: sessionBase, Version: "test"}), site
}

// fullReport is what a complete check of the site says.
func fullReport(t *testing.T, site fstest.MapFS, now time.Time) []policy.Finding {
	t.Helper()
	opts := Options{Site: site, Now: now, BaseURL: sessionBase, Dev: true, Audience: "public"}
	s, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s.Check(context.Background(), opts, policy.Options{Now: now}).Findings
}

// sameAsFullBuild checks a snapshot against a build of the site from
// scratch: the same findings, the same outputs byte for byte.
func sameAsFullBuild(t *testing.T, snap *Snapshot, site fstest.MapFS, now time.Time) {
	t.Helper()
	if snap.Err != nil {
		t.Fatalf("rebuild failed: %v", snap.Err)
	}
	if want := fullReport(t, site, now); !sameFindings(snap.Report.Findings, want) {
		t.Errorf("incremental findings differ from a full check:\n got %v\nwant %v", snap.Report.Findings, want)
	}
	res, err := Run(context.Background(), Options{Site: site, Now: now, BaseURL: sessionBase, Dev: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, o := range res.Outputs {
		want = append(want, o.Path)
		got, err := snap.Get(o.Path)
		if err != nil {
			t.Errorf("%s: %v", o.Path, err)
			continue
		}
		if !bytes.Equal(got, o.Data) {
			t.Errorf("%s differs from a full build", o.Path)
		}
	}
	if got := snap.paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("outputs:\n got %q\nwant %q", got, want)
	}
}

// gpsJPEG is a minimal JPEG whose EXIF data has a GPS latitude.
func gpsJPEG() []byte {
	tiff := []byte{'I', 'I', 42, 0, 8, 0, 0, 0,
		1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0, // IFD0: GPS IFD at 26
		1, 0, 2, 0, 5, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0} // GPS IFD: GPSLatitude
	app1 := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out = append(out, app1...)
	return append(out, 0xff, 0xda, 0, 2, 0xff, 0xd9)
}

func sameFindings(a, b []policy.Finding) bool {
	return len(a) == 0 && len(b) == 0 || reflect.DeepEqual(a, b)
}

func edit(site fstest.MapFS, name, old, new string) {
	f := site[name]
	site[name] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1)), Mode: f.Mode}
}

func write(site fstest.MapFS, name, data string) {
	site[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
}

// TestSessionMatchesFullBuild applies a series of edits and checks after
// each rebuild that the incremental result equals a build from scratch, and
// that a body edit re-reads one post only.
func TestSessionMatchesFullBuild(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	sameAsFullBuild(t, s.Rebuild(ctx), site, testNow)

	steps := []struct {
		name    string
		change  func()
		paths   []string
		checked int // posts the policy check reads; 0: do not care; -1: no rebuild at all
	}{
		{"body edit", func() { edit(site, "content/posts/hello.md", "Measure first.", "Measure twice.") }, []string{"content/posts/hello.md"}, 2},
		{"title edit", func() { edit(site, "content/posts/hello.md", "title: Hello, solder", "title: Hello again, solder") }, []string{"content/posts/hello.md"}, 2},
		{"policy violation", func() { edit(site, "content/posts/hello.md", "Done.", "Done with WidgetPro, confidential.") }, []string{"content/posts/hello.md"}, 2},
		{"violation fixed", func() { edit(site, "content/posts/hello.md", "Done with WidgetPro, confidential.", "Done.") }, []string{"content/posts/hello.md"}, 2},
		{"unchanged rebuild", func() {}, nil, -1},
		{"confidential term", func() { edit(site, "content/posts/hello.md", "Done.", "Done, confidential.") }, []string{"content/posts/hello.md"}, 2},
		{"waiver added", func() {
			edit(site, "policy/people.yaml", "roles: [reviewer, legal, comms]", "roles: [reviewer, legal, comms, policy-approver]")
			write(site, "policy/waivers.yaml", "- {id: w1, rule: terms.confidential, path: content/posts/hello.md, reason: fine, approver: cy, expires: 2027-12-31}\n")
		}, []string{"policy/people.yaml", "policy/waivers.yaml"}, 0},
		{"waived term removed", func() { edit(site, "content/posts/hello.md", "Done, confidential.", "Done.") }, []string{"content/posts/hello.md"}, 7},
		{"photo with GPS added", func() { site["content/posts/photo.jpg"] = &fstest.MapFile{Data: gpsJPEG()} }, []string{"content/posts/photo.jpg"}, 7},
		{"post points at the photo", func() {
			edit(site, "content/posts/public-widget.md", "tags: [printing]", "tags: [printing]\nimage: photo.jpg")
		}, []string{"content/posts/public-widget.md"}, 7},
		{"post no longer points at the photo", func() {
			edit(site, "content/posts/public-widget.md", "tags: [printing]\nimage: photo.jpg", "tags: [printing]")
		}, []string{"content/posts/public-widget.md"}, 7},
		{"link to a post yet to come", func() {
			edit(site, "content/posts/public-widget.md", "The rest of the post.", "The rest, [with new](/posts/new/).")
		}, []string{"content/posts/public-widget.md"}, 2},
		// A new post can mend (or break) another post's links: all are
		// checked again.
		{"new post", func() {
			write(site, "content/posts/new.md", "---\ntitle: New\ndate: 2026-11-02\nsummary: New.\nauthors: [ben]\nreviewed_by: [ada, cy]\naudience: public\ntags: [fresh]\n---\nNew post.\n")
		}, []string{"content/posts/new.md"}, 8},
		{"link to the internal post", func() {
			edit(site, "content/posts/new.md", "New post.", "See [widget](../widget/).")
		}, []string{"content/posts/new.md"}, 2},
		{"post made internal", func() { edit(site, "content/posts/new.md", "audience: public", "audience: internal") }, []string{"content/posts/new.md"}, 0},
		{"post deleted", func() { delete(site, "content/posts/new.md") }, []string{"content/posts/new.md"}, 0},
		{"post renamed", func() {
			site["content/posts/hello-renamed.md"] = site["content/posts/hello.md"]
			delete(site, "content/posts/hello.md")
		}, []string{"content/posts/hello.md", "content/posts/hello-renamed.md"}, 0},
		{"slug changed", func() {
			edit(site, "content/posts/hello-renamed.md", "audience: public", "audience: public\nslug: greetings")
		}, []string{"content/posts/hello-renamed.md"}, 7},
		// Checked alone (with the internal post), a post's links are still
		// judged against every post.
		{"link to another post", func() {
			edit(site, "content/posts/public-widget.md", "[with new](/posts/new/)", "[with greetings](/posts/greetings/)")
		}, []string{"content/posts/public-widget.md"}, 2},
		{"bundle edited", func() { edit(site, "content/posts/bundle/index.md", "See", "Look at") }, []string{"content/posts/bundle/index.md"}, 0},
		{"bundle file added", func() { write(site, "content/posts/bundle/more.csv", "a,b\n") }, []string{"content/posts/bundle/more.csv"}, 0},
		{"temporary file came and went", func() {}, []string{"content/posts/.hello.md.swp", "content/posts/sed7fQx2a"}, -1},
		{"author bio edited", func() { edit(site, "content/authors/ada.md", "**solder**", "*solder*") }, []string{"content/authors/ada.md"}, 0},
		{"confidential bio", func() { edit(site, "content/authors/ada.md", "*solder*", "*solder*, confidential") }, []string{"content/authors/ada.md"}, 0},
		{"bio fixed", func() { edit(site, "content/authors/ada.md", "*solder*, confidential", "*solder*") }, []string{"content/authors/ada.md"}, 0},
		{"people edited", func() { edit(site, "policy/people.yaml", "Reliability Engineer", "Senior Reliability Engineer") }, []string{"policy/people.yaml"}, 0},
		{"site.yaml edited", func() { edit(site, "site.yaml", "title: Test Blog", "title: Test Blog 2") }, []string{"site.yaml"}, 0},
		{"unknown author", func() { edit(site, "content/posts/public-widget.md", "authors: [ben]", "authors: [ben, nobody]") }, []string{"content/posts/public-widget.md"}, 0},
	}
	for _, st := range steps {
		st.change()
		s.Invalidate(st.paths)
		prev := s.Current()
		snap := s.Rebuild(ctx)
		if (snap == prev) != (st.checked == -1) {
			t.Errorf("%s: rebuilt %v, want %v", st.name, snap != prev, st.checked != -1)
		}
		if st.name == "unknown author" {
			// The renderer cannot link an unknown person: the build fails and
			// the last good pages stay, with the finding in the report.
			if snap.Err == nil || !snap.Ready() {
				t.Fatalf("%s: err %v, ready %v", st.name, snap.Err, snap.Ready())
			}
			if want := fullReport(t, site, testNow); !sameFindings(snap.Report.Findings, want) {
				t.Errorf("%s: findings differ from a full check", st.name)
			}
			continue
		}
		t.Run(st.name, func(t *testing.T) { sameAsFullBuild(t, snap, site, testNow) })
		if st.checked > 0 && snap.Checked != st.checked {
			t.Errorf("%s: %d posts checked, want %d (the changed ones and the internal post, or all)", st.name, snap.Checked, st.checked)
		}
		if st.name == "post points at the photo" && !strings.Contains(strings.Join(snap.Messages(), "\n"), "content/posts/photo.jpg:1:1: error image.gps") {
			t.Errorf("no image.gps finding: %v", snap.Messages())
		}
		if st.name == "confidential bio" && !strings.Contains(strings.Join(snap.Messages(), "\n"), "content/authors/ada.md:") {
			t.Errorf("no finding in the bio: %v", snap.Messages())
		}
		if st.name == "waived term removed" && !strings.Contains(strings.Join(snap.Messages(), "\n"), "waiver.unused") {
			t.Errorf("no waiver.unused finding: %v", snap.Messages())
		}
		if st.name == "body edit" && snap.Rendered != 1 {
			t.Errorf("body edit rendered %d posts, want 1", snap.Rendered)
		}
		if st.name == "policy violation" {
			var rules []string
			for _, p := range snap.Problems() {
				rules = append(rules, fmt.Sprintf("%s:%d %s", p.File, p.Line, p.Rule))
			}
			want := []string{"content/posts/hello.md:28 disclose.undeclared-product", "content/posts/hello.md:28 terms.confidential"}
			if !reflect.DeepEqual(rules, want) {
				t.Errorf("problems %q, want %q", rules, want)
			}
		}
	}
}

func TestSessionMoved(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	s.Rebuild(ctx)
	site["content/posts/hi.md"] = site["content/posts/hello.md"]
	delete(site, "content/posts/hello.md")
	s.Invalidate([]string{"content/posts/hello.md", "content/posts/hi.md"})
	if got, want := s.Rebuild(ctx).Moved, map[string]string{"/posts/hello/": "/posts/hi/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rename: moved %v, want %v", got, want)
	}
	edit(site, "content/posts/hi.md", "audience: public", "audience: public\nslug: Salut")
	s.Invalidate([]string{"content/posts/hi.md"})
	if got, want := s.Rebuild(ctx).Moved, map[string]string{"/posts/hi/": "/posts/salut/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("slug change: moved %v, want %v", got, want)
	}
	// A rename in a rebuild that fails is reported by the next good one.
	site["content/posts/bonjour.md"] = site["content/posts/hi.md"]
	delete(site, "content/posts/hi.md")
	edit(site, "content/posts/bonjour.md", "slug: Salut\n", "")
	edit(site, "site.yaml", "paging: 2", "paging: [")
	s.Invalidate([]string{"content/posts/hi.md", "content/posts/bonjour.md", "site.yaml"})
	if snap := s.Rebuild(ctx); snap.Err == nil {
		t.Fatal("broken site.yaml: no error")
	}
	edit(site, "site.yaml", "paging: [", "paging: 2")
	s.Invalidate([]string{"site.yaml"})
	if got, want := s.Rebuild(ctx).Moved, map[string]string{"/posts/salut/": "/posts/bonjour/"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after a failed rebuild: moved %v, want %v", got, want)
	}
	delete(site, "content/posts/bonjour.md")
	s.Invalidate([]string{"content/posts/bonjour.md"})
	snap := s.Rebuild(ctx)
	if snap.Moved != nil {
		t.Errorf("deletion: moved %v, want none", snap.Moved)
	}
	if _, err := snap.Get("posts/bonjour/index.html"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted post still served: %v", err)
	}
}

// TestSessionLastGood: a broken post keeps its last good version on the
// site; a broken site.yaml keeps the whole last good site; the first build
// failing leaves nothing to serve until it is fixed.
func TestSessionLastGood(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	good := s.Rebuild(ctx)
	page, _ := good.Get("posts/hello/index.html")

	edit(site, "content/posts/hello.md", "title: Hello, solder", "title: [unclosed")
	s.Invalidate([]string{"content/posts/hello.md"})
	snap := s.Rebuild(ctx)
	if snap.Err != nil {
		t.Fatal(snap.Err)
	}
	if got, err := snap.Get("posts/hello/index.html"); err != nil || !bytes.Contains(got, []byte("Hello, solder")) {
		t.Errorf("the broken post is not served in its last good version: %v", err)
	}
	if ps := snap.Problems(); len(ps) != 1 || ps[0].Rule != "fm.syntax" || ps[0].File != "content/posts/hello.md" || ps[0].Line < 2 {
		t.Errorf("problems %v, want one fm.syntax in content/posts/hello.md", ps)
	}
	edit(site, "content/posts/hello.md", "title: [unclosed", "title: Hello, solder")
	s.Invalidate([]string{"content/posts/hello.md"})
	sameAsFullBuild(t, s.Rebuild(ctx), site, testNow)

	edit(site, "site.yaml", "paging: 2", "paging: [2")
	s.Invalidate([]string{"site.yaml"})
	snap = s.Rebuild(ctx)
	var ce *ConfigError
	if !errors.As(snap.Err, &ce) || !snap.Ready() {
		t.Fatalf("broken site.yaml: err %v, ready %v", snap.Err, snap.Ready())
	}
	if got, _ := snap.Get("posts/hello/index.html"); !bytes.Equal(got, page) {
		t.Error("a failed rebuild does not serve the last good pages")
	}
	if ps := snap.Problems(); len(ps) == 0 || ps[0].Rule != "build" || !strings.Contains(ps[0].String(), "site.yaml") {
		t.Errorf("problems %v, want the site.yaml error", ps)
	}

	// A new session on the broken site has nothing to serve.
	s2 := NewSession(Options{Site: site, Now: testNow, BaseURL: sessionBase})
	if snap := s2.Rebuild(ctx); snap.Ready() || snap.Err == nil {
		t.Fatalf("first build on a broken site: ready %v, err %v", snap.Ready(), snap.Err)
	}
	edit(site, "site.yaml", "paging: [2", "paging: 2")
	s2.Invalidate([]string{"site.yaml"})
	if snap := s2.Rebuild(ctx); !snap.Ready() || snap.Err != nil {
		t.Fatalf("fixed: ready %v, err %v", snap.Ready(), snap.Err)
	}
}

// TestSessionSurvivesBadInput: binary files, a file that is not UTF-8, a
// deleted directory.
func TestSessionSurvivesBadInput(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	s.Rebuild(ctx)
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	site["content/posts/binary.md"] = &fstest.MapFile{Data: bin}
	site["content/posts/photo.png"] = &fstest.MapFile{Data: bin}
	site["content/posts/nul.md"] = &fstest.MapFile{Data: []byte("---\ntitle: \x00\n---\n")}
	s.Invalidate([]string{"content/posts/binary.md", "content/posts/photo.png", "content/posts/nul.md"})
	snap := s.Rebuild(ctx)
	if snap.Err != nil || !snap.Ready() {
		t.Fatalf("binary files: %v", snap.Err)
	}
	if want := fullReport(t, site, testNow); !sameFindings(snap.Report.Findings, want) {
		t.Errorf("findings differ from a full check")
	}
	if !strings.Contains(strings.Join(snap.Messages(), "\n"), "content/posts/binary.md:") {
		t.Errorf("no problem reported for the binary post: %v", snap.Messages())
	}
	for name := range site {
		if strings.HasPrefix(name, "content/posts/") {
			delete(site, name)
		}
	}
	s.Invalidate([]string{"content/posts"})
	snap = s.Rebuild(ctx)
	if snap.Err != nil || snap.Posts != 0 {
		t.Fatalf("content/posts deleted: err %v, %d posts", snap.Err, snap.Posts)
	}
	if _, err := snap.Get("index.html"); err != nil {
		t.Error(err)
	}
}

// TestSessionClock: findings that depend on the date follow the clock even
// when no file changes, and Refresh says when the next change is due.
func TestSessionClock(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	s.opts.Now = time.Date(2027, 1, 14, 18, 0, 0, 0, time.UTC)
	snap := s.Rebuild(ctx)
	if want := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC); !snap.Refresh.Equal(want) {
		t.Errorf("refresh %v, want %v (the scheduled post)", snap.Refresh, want)
	}
	// Training expires 2027-06-01: a warning from 30 days before, an error after.
	for _, now := range []time.Time{
		time.Date(2027, 5, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 5, 20, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 5, 21, 11, 0, 0, 0, time.UTC),
		time.Date(2027, 6, 2, 0, 0, 0, 0, time.UTC),
	} {
		s.opts.Now = now
		snap := s.Rebuild(ctx)
		if want := fullReport(t, site, now); !sameFindings(snap.Report.Findings, want) {
			t.Errorf("at %v: findings differ from a full check:\n got %v\nwant %v", now, snap.Report.Findings, want)
		}
	}
	prev := s.Current()
	s.opts.Now = time.Date(2027, 5, 21, 11, 30, 0, 0, time.UTC)
	if snap := s.Rebuild(ctx); snap != prev {
		t.Errorf("half an hour later, with no file changed: build %d, want the same snapshot", snap.Build)
	}
	edit(site, "content/posts/hello.md", "Measure first.", "Measure twice.")
	s.Invalidate([]string{"content/posts/hello.md"})
	if snap := s.Rebuild(ctx); snap.Checked != 2 {
		t.Errorf("an edit: %d posts checked, want 2 (it and the internal one)", snap.Checked)
	}
}

// TestSessionConcurrentGet renders one page from many goroutines while
// rebuilds run (go test -race).
func TestSessionConcurrentGet(t *testing.T) {
	s, site := newTestSession(t)
	ctx := context.Background()
	s.Rebuild(ctx)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				snap := s.Current()
				for _, p := range []string{"index.html", "posts/hello/index.html", "index.xml", "sitemap.xml"} {
					if _, err := snap.Get(p); err != nil {
						t.Error(err)
					}
				}
			}
		}()
	}
	for i := 0; i < 5; i++ {
		edit(site, "content/posts/hello.md", "Measure", "Measure")
		s.Invalidate([]string{"content/posts/hello.md"})
		s.Rebuild(ctx)
	}
	wg.Wait()
}
