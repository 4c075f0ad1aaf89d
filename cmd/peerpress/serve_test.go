package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer the server writes to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveSample copies the sample blog's content, policy and site.yaml into a
// temporary directory (the theme is embedded).
func serveSample(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"content", "policy"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(repoRoot, d))); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "site.yaml"), string(data))
	return dir
}

func mustWrite(t testing.TB, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t testing.TB, name, old, new string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	mustWrite(t, name, strings.Replace(string(data), old, new, 1))
}

var urlLine = regexp.MustCompile(`peerpress serve: open (http://[^ ]+/) `)

// liveServer is a `peerpress serve` running in-process.
type liveServer struct {
	url            string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startServe runs `peerpress serve ARGS` and waits for it to print its URL.
func startServe(t *testing.T, args ...string) *liveServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &liveServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, append([]string{"serve"}, args...), s.stdout, s.stderr) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := urlLine.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-s.done:
			t.Fatalf("serve exited with %d:\n%s%s", code, s.stdout, s.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no URL:\n%s%s", s.stdout, s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop interrupts the server (as Ctrl-C does) and returns its exit code.
func (s *liveServer) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop within 10s of Ctrl-C")
		return -1
	}
}

// noRedirect is a client that reports redirects instead of following them.
var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (s *liveServer) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := noRedirect.Get(s.url + strings.TrimPrefix(path, "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

type liveStatus struct {
	Build    int
	OK       bool
	Ready    bool
	Errors   int
	Warnings int
	Problems []struct{ File, Rule, Message, Severity string }
}

func (s *liveServer) status(t *testing.T) liveStatus {
	t.Helper()
	_, body, _ := s.get(t, "/_peerpress/status")
	var st liveStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("status: %v\n%s", err, body)
	}
	return st
}

// waitFor polls cond until it holds (or fails the test after 10s).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitBuild waits for a build after `after` and returns the status.
func (s *liveServer) waitBuild(t *testing.T, after int) liveStatus {
	t.Helper()
	var st liveStatus
	waitFor(t, "a rebuild", func() bool { st = s.status(t); return st.Build > after })
	// A burst may take more than one rebuild; wait until it is quiet.
	for {
		time.Sleep(150 * time.Millisecond)
		nst := s.status(t)
		if nst.Build == st.Build {
			return st
		}
		st = nst
	}
}

// events subscribes to the server-sent events and returns "event: data" strings.
func (s *liveServer) events(t *testing.T) (<-chan string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"_peerpress/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events content type %q", ct)
	}
	out := make(chan string, 16)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var event string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				out <- event + ": " + strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return out, cancel
}

func nextEvent(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event stream closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return ""
	}
}

// TestServe drives a real server on a copy of the sample blog through the
// life of an editing session: edits, policy problems, renames, deletions,
// broken input of every kind, and Ctrl-C.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	site := serveSample(t)
	posts := filepath.Join(site, "content", "posts")
	srv := startServe(t, "-site", site, "-addr", "127.0.0.1:0", "-now", sampleNow)

	code, home, _ := srv.get(t, "/")
	if code != 200 || !strings.Contains(home, `<script src="/_peerpress/live.js" data-server=`) || strings.Contains(home, "peerpress-overlay") {
		t.Fatalf("home: %d, live script or unexpected overlay:\n%s", code, home)
	}
	if st := srv.status(t); !st.OK || st.Errors != 0 {
		t.Fatalf("the sample blog has problems in serve: %+v\n%s", st, srv.stderr)
	}
	if code, _, h := srv.get(t, "/posts/enig-black-pad"); code != 301 || h.Get("Location") != "/posts/enig-black-pad/" {
		t.Errorf("no trailing slash: %d → %q", code, h.Get("Location"))
	}
	if code, body, _ := srv.get(t, "/_peerpress/live.js"); code != 200 || !strings.Contains(body, "EventSource") {
		t.Errorf("live.js: %d", code)
	}
	// Drafts and scheduled posts are visible, marked, in serve, and never
	// in a build.
	mustWrite(t, filepath.Join(posts, "a-draft.md"), "---\ntitle: A draft in progress\ndate: 2026-11-01\nsummary: Not yet.\nauthors: [rosa-chen]\nreviewed_by: [tomas-brandvold, mirela-osei]\naudience: public\ndraft: true\n---\nStill writing.\n")
	mustWrite(t, filepath.Join(posts, "a-scheduled.md"), "---\ntitle: Scheduled for spring\ndate: 2027-03-01\nsummary: Later.\nauthors: [rosa-chen]\nreviewed_by: [tomas-brandvold, mirela-osei]\naudience: public\n---\nSoon.\n")
	st := srv.waitBuild(t, srv.status(t).Build)
	for page, badge := range map[string]string{"/posts/a-draft/": "badge-draft", "/posts/a-scheduled/": "badge-scheduled"} {
		if code, body, _ := srv.get(t, page); code != 200 || !strings.Contains(body, badge) {
			t.Errorf("%s: %d, not shown with its %s in serve", page, code, badge)
		}
	}
	out := filepath.Join(t.TempDir(), "public")
	if code, stdout, stderr := runCLI(t, "build", "-site", site, "-out", out, "-now", sampleNow); code != 0 {
		t.Fatalf("build: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, p := range []string{"posts/a-draft", "posts/a-scheduled"} {
		if _, err := os.Stat(filepath.Join(out, p)); err == nil {
			t.Errorf("%s leaked into a build", p)
		}
	}
	os.Remove(filepath.Join(posts, "a-draft.md"))
	os.Remove(filepath.Join(posts, "a-scheduled.md"))
	st = srv.waitBuild(t, st.Build)

	ev, stopEvents := srv.events(t)
	if e := nextEvent(t, ev); !strings.HasPrefix(e, `hello: {"server":`) {
		t.Fatalf("first event %q", e)
	}

	post := filepath.Join(posts, "enig-black-pad.md")
	t.Run("edit", func(t *testing.T) {
		replaceIn(t, post, "A Corrosion Problem Wearing a Soldering Costume", "Edited While You Watch")
		replaceIn(t, post, "is a lovely surface finish on paper", "is a surface finish we edited live")
		if e := nextEvent(t, ev); !strings.HasPrefix(e, "build: ") {
			t.Fatalf("event %q", e)
		}
		st = srv.waitBuild(t, st.Build-1)
		_, body, _ := srv.get(t, "/posts/enig-black-pad/")
		if !strings.Contains(body, "Edited While You Watch") || !strings.Contains(body, "we edited live") {
			t.Error("the page does not show the edit")
		}
	})

	t.Run("policy problem and fix", func(t *testing.T) {
		replaceIn(t, post, "we edited live", "we edited live with FlowCore")
		st = srv.waitBuild(t, st.Build)
		if st.Errors != 1 || st.Problems[0].Rule != "disclose.undeclared-product" {
			t.Fatalf("status %+v", st)
		}
		for _, p := range []string{"/", "/posts/enig-black-pad/", "/tags/", "/no/such/page/"} {
			_, body, _ := srv.get(t, p)
			if !strings.Contains(body, `id="peerpress-overlay"`) || !strings.Contains(body, "content/posts/enig-black-pad.md:") ||
				!strings.Contains(body, "disclose.undeclared-product") {
				t.Errorf("%s: no overlay with the finding", p)
			}
		}
		if !strings.Contains(srv.stderr.String(), "error disclose.undeclared-product") {
			t.Errorf("the terminal does not show the finding:\n%s", srv.stderr)
		}
		replaceIn(t, post, "we edited live with FlowCore", "we edited live")
		st = srv.waitBuild(t, st.Build)
		if _, body, _ := srv.get(t, "/posts/enig-black-pad/"); st.Errors != 0 || strings.Contains(body, "peerpress-overlay") {
			t.Errorf("the overlay stays after the fix: %+v", st)
		}
	})

	t.Run("rename", func(t *testing.T) {
		if err := os.Rename(post, filepath.Join(posts, "enig-renamed.md")); err != nil {
			t.Fatal(err)
		}
		var e string
		waitFor(t, "a build event with the move", func() bool {
			e = nextEvent(t, ev)
			return strings.Contains(e, `"moved"`)
		})
		if !strings.Contains(e, `"moved":{"/posts/enig-black-pad/":"/posts/enig-renamed/"}`) {
			t.Errorf("event %q does not move the page", e)
		}
		st = srv.waitBuild(t, st.Build)
		if code, _, h := srv.get(t, "/posts/enig-black-pad/"); code != 307 || h.Get("Location") != "/posts/enig-renamed/" {
			t.Errorf("old URL: %d → %q, want 307 to the new one", code, h.Get("Location"))
		}
		post = filepath.Join(posts, "enig-renamed.md")
	})

	t.Run("delete", func(t *testing.T) {
		os.Remove(filepath.Join(posts, "stencil-printing-area-ratio.md"))
		st = srv.waitBuild(t, st.Build)
		code, body, _ := srv.get(t, "/posts/stencil-printing-area-ratio/")
		if code != 404 || !strings.Contains(body, "renamed or deleted") {
			t.Errorf("deleted post: %d", code)
		}
	})

	t.Run("broken front matter keeps the last good page", func(t *testing.T) {
		replaceIn(t, post, "title: \"ENIG Black Pad: Edited While You Watch\"", "title: [ENIG")
		st = srv.waitBuild(t, st.Build)
		if st.Errors != 1 || st.Problems[0].Rule != "fm.syntax" {
			t.Fatalf("status %+v", st)
		}
		if code, body, _ := srv.get(t, "/posts/enig-renamed/"); code != 200 || !strings.Contains(body, "Edited While You Watch") || !strings.Contains(body, "fm.syntax") ||
			!strings.Contains(body, "does not parse (see below): this page is its last good version") {
			t.Errorf("broken post: %d, last good version with the overlay saying so expected", code)
		}
		if _, body, _ := srv.get(t, "/"); strings.Contains(body, "this page is its last good version") {
			t.Error("the home page says it is a post's last good version")
		}
		replaceIn(t, post, "title: [ENIG", "title: \"ENIG Black Pad: Edited While You Watch\"")
		st = srv.waitBuild(t, st.Build)
	})

	t.Run("broken site.yaml", func(t *testing.T) {
		replaceIn(t, filepath.Join(site, "site.yaml"), "paging: 5", "paging: [5")
		st = srv.waitBuild(t, st.Build)
		if st.OK || st.Errors == 0 || !strings.Contains(st.Problems[0].Message+st.Problems[0].File, "site.yaml") {
			t.Fatalf("status %+v", st)
		}
		if code, body, _ := srv.get(t, "/"); code != 200 || !strings.Contains(body, "last good version") {
			t.Errorf("home with a broken site.yaml: %d", code)
		}
		replaceIn(t, filepath.Join(site, "site.yaml"), "paging: [5", "paging: 5")
		if st = srv.waitBuild(t, st.Build); !st.OK || st.Errors != 0 {
			t.Errorf("fixed site.yaml: %+v", st)
		}
	})

	t.Run("binary files", func(t *testing.T) {
		blob := make([]byte, 3000)
		for i := range blob {
			blob[i] = byte(i*31 + 7)
		}
		mustWrite(t, filepath.Join(posts, "blob.md"), string(blob))
		mustWrite(t, filepath.Join(posts, "photo.png"), string(blob))
		st = srv.waitBuild(t, st.Build)
		if code, _, _ := srv.get(t, "/"); code != 200 || st.Errors != 1 || st.Problems[0].File != "content/posts/blob.md" {
			t.Errorf("binary post: home %d, status %+v", code, st)
		}
		os.Remove(filepath.Join(posts, "blob.md"))
		os.Remove(filepath.Join(posts, "photo.png"))
		st = srv.waitBuild(t, st.Build)
	})

	t.Run("editor temporary files", func(t *testing.T) {
		before := srv.status(t).Build
		for _, name := range []string{".enig-renamed.md.swp", "4913", "enig-renamed.md~", "#enig-renamed.md#", "enig-renamed.md.tmp.1234"} {
			mustWrite(t, filepath.Join(posts, name), "scratch")
		}
		// A tool's temporary file that comes and goes (sed -i).
		mustWrite(t, filepath.Join(posts, "sedX1y2z3"), "scratch")
		os.Remove(filepath.Join(posts, "sedX1y2z3"))
		time.Sleep(300 * time.Millisecond)
		if after := srv.status(t).Build; after != before {
			t.Errorf("temporary files caused %d rebuilds", after-before)
		}
		// An atomic save: write a temporary file, rename it over the post.
		data, _ := os.ReadFile(post)
		tmp := filepath.Join(posts, ".enig-renamed.md.tmp")
		mustWrite(t, tmp, strings.Replace(string(data), "we edited live", "we saved atomically", 1))
		if err := os.Rename(tmp, post); err != nil {
			t.Fatal(err)
		}
		st = srv.waitBuild(t, before)
		if _, body, _ := srv.get(t, "/posts/enig-renamed/"); !strings.Contains(body, "we saved atomically") {
			t.Error("an atomic save is not picked up")
		}
	})

	t.Run("new directory", func(t *testing.T) {
		dir := filepath.Join(posts, "fresh-bundle")
		mustWrite(t, filepath.Join(dir, "index.md"), "---\ntitle: Fresh bundle\ndate: 2026-11-02\nsummary: Created while serving.\nauthors: [rosa-chen]\nreviewed_by: [tomas-brandvold, mirela-osei]\naudience: public\n---\nFirst version.\n")
		st = srv.waitBuild(t, st.Build)
		if code, _, _ := srv.get(t, "/posts/fresh-bundle/"); code != 200 {
			t.Fatalf("a bundle created while serving: %d", code)
		}
		replaceIn(t, filepath.Join(dir, "index.md"), "First version.", "Second version.")
		st = srv.waitBuild(t, st.Build)
		if _, body, _ := srv.get(t, "/posts/fresh-bundle/"); !strings.Contains(body, "Second version.") {
			t.Error("a file in a directory created while serving is not watched")
		}
	})

	t.Run("deleted directories", func(t *testing.T) {
		os.RemoveAll(filepath.Join(site, "content", "authors"))
		st = srv.waitBuild(t, st.Build)
		if code, _, _ := srv.get(t, "/authors/rosa-chen/"); code != 200 || !st.OK {
			t.Errorf("without content/authors: %d %+v", code, st)
		}
		policyDir := filepath.Join(site, "policy")
		saved := t.TempDir()
		if err := os.CopyFS(saved, os.DirFS(policyDir)); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(policyDir)
		st = srv.waitBuild(t, st.Build)
		if code, _, _ := srv.get(t, "/"); code != 200 || st.OK {
			t.Errorf("without policy/: home %d, status %+v", code, st)
		}
		if err := os.CopyFS(policyDir, os.DirFS(saved)); err != nil {
			t.Fatal(err)
		}
		if st = srv.waitBuild(t, st.Build); !st.OK || st.Errors != 0 {
			t.Errorf("policy/ restored: %+v", st)
		}
	})

	// Ctrl-C: the event stream ends and the server stops cleanly.
	if code := srv.stop(t); code != 0 {
		t.Errorf("exit %d after Ctrl-C", code)
	}
	for range ev {
	}
	stopEvents()
	if !strings.Contains(srv.stdout.String(), "peerpress serve: stopped") {
		t.Errorf("stdout:\n%s", srv.stdout)
	}
}

func TestServeFirstBuildFails(t *testing.T) {
	site := serveSample(t)
	replaceIn(t, filepath.Join(site, "site.yaml"), "paging: 5", "paging: five")
	srv := startServe(t, "-site", site, "-addr", "127.0.0.1:0", "-now", sampleNow)
	code, body, _ := srv.get(t, "/")
	if code != 503 || !strings.Contains(body, "does not build yet") || !strings.Contains(body, "site.yaml") || !strings.Contains(body, "live.js") {
		t.Fatalf("broken first build: %d\n%s", code, body)
	}
	st := srv.status(t)
	replaceIn(t, filepath.Join(site, "site.yaml"), "paging: five", "paging: 5")
	srv.waitBuild(t, st.Build)
	if code, body, _ := srv.get(t, "/"); code != 200 || strings.Contains(body, "peerpress-overlay") {
		t.Errorf("fixed: %d", code)
	}
}

func TestServePortTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errs := runCLI(t, "serve", "-site", repoRoot, "-addr", ln.Addr().String())
	if code != 2 || !strings.Contains(errs, "already in use") || !strings.Contains(errs, "-addr") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func TestServeUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "-audience", "everyone"}, "-audience must be public or internal"},
		{[]string{"serve", "-now", "soon"}, "-now"},
		{[]string{"serve", "extra"}, "unexpected argument"},
		{[]string{"serve", "-site", "testdata/no-such-site"}, "not a directory"},
		{[]string{"serve", "-addr", "127.0.0.1:99999"}, "cannot listen"},
	} {
		if code, _, errs := runCLI(t, tt.args...); code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, %s", tt.args, code, errs)
		}
	}
}

func TestServeOutputPath(t *testing.T) {
	for _, tt := range []struct {
		url, out string
		dir      bool
	}{
		{"/", "index.html", true},
		{"", "index.html", true},
		{"/posts/x/", "posts/x/index.html", true},
		{"/posts/x", "posts/x", false},
		{"/css/style.css", "css/style.css", false},
		{"/../../etc/passwd", "etc/passwd", false},
		{"/a//b/./c/", "a/b/c/index.html", true},
		{"/tags/lötfreies-löten/", "tags/lötfreies-löten/index.html", true},
	} {
		if out, dir := outputPath(tt.url); out != tt.out || dir != tt.dir {
			t.Errorf("outputPath(%q) = %q, %v; want %q, %v", tt.url, out, dir, tt.out, tt.dir)
		}
	}
}

func TestServeRelevant(t *testing.T) {
	s := &devServer{root: "/site"}
	for _, tt := range []struct {
		name string
		rel  string
		ok   bool
	}{
		{"/site/content/posts/a.md", "content/posts/a.md", true},
		{"/site/site.yaml", "site.yaml", true},
		{"/site/policy/people.yaml", "policy/people.yaml", true},
		{"/site/themes/x/layouts/post.html", "themes/x/layouts/post.html", true},
		{"/site/public/index.html", "", false},
		{"/site/.git/index", "", false},
		{"/site/README.md", "", false},
		{"/site/content/posts/.a.md.swp", "", false},
		{"/site/content/posts/4913", "", false},
		{"/site/content/posts/a.md~", "", false},
		{"/site/content/posts/#a.md#", "", false},
		{"/site/content/posts/a.md.crswap", "", false},
		{"/site/content/posts/a.md___jb_tmp___", "", false},
		{"/site/content/.hidden/a.md", "", false},
		{"/elsewhere/a.md", "", false},
		{"/site", "", false},
	} {
		if rel, ok := s.relevant(tt.name); rel != tt.rel || ok != tt.ok {
			t.Errorf("relevant(%q) = %q, %v; want %q, %v", tt.name, rel, ok, tt.rel, tt.ok)
		}
	}
}

func TestServeBrowseAddr(t *testing.T) {
	for _, tt := range []struct {
		addr *net.TCPAddr
		want string
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1313}, "127.0.0.1:1313"},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 1313}, "127.0.0.1:1313"},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}, "127.0.0.1:8080"},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 1313}, "[::1]:1313"},
	} {
		if got := browseAddr(tt.addr); got != tt.want {
			t.Errorf("browseAddr(%v) = %q, want %q", tt.addr, got, tt.want)
		}
	}
}

// TestServeBrowser opens pages of a real dev server in headless Chromium
// (testdata/browser/serve.test.mjs): edits show without a manual reload, a
// policy violation shows the overlay, the fix removes it, a renamed post is
// followed, a deleted one is a clear 404.
func TestServeBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser")
	}
	tools := browserDir(t)
	requireTool(t, "/usr/bin/chromium")
	site := serveSample(t)
	srv := startServe(t, "-site", site, "-addr", "127.0.0.1:0", "-now", sampleNow)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(tools, "serve.test.mjs"), srv.url, site)
	cmd.Dir = tools
	out, err := cmd.CombinedOutput()
	t.Logf("browser:\n%s", out)
	if err != nil {
		t.Fatalf("browser test failed: %v\nserver log:\n%s", err, srv.stderr)
	}
}

// FuzzServeOutputPath: whatever the URL, the output path stays inside the
// site (no "..", no leading "/") and names a file.
func FuzzServeOutputPath(f *testing.F) {
	for _, s := range []string{"/", "/posts/x/", "/../a", "//x//y/", "/a/./b", "/%2e%2e/", "/é/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		out, dir := outputPath(url)
		if out == "" || strings.HasPrefix(out, "/") || strings.HasSuffix(out, "/") {
			t.Fatalf("outputPath(%q) = %q", url, out)
		}
		for _, seg := range strings.Split(out, "/") {
			if seg == ".." || seg == "." || seg == "" {
				t.Fatalf("outputPath(%q) = %q has segment %q", url, out, seg)
			}
		}
		if strings.HasSuffix(url, "/") && (!dir || !strings.HasSuffix(out, "index.html")) {
			t.Fatalf("outputPath(%q) = %q, %v: a directory URL must map to its index.html", url, out, dir)
		}
	})
}
