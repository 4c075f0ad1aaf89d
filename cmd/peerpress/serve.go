package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/policy/report"
)

//go:embed live.js
var liveJS []byte

// Debounce: a rebuild starts when no file event came for settle, or maxWait
// after the first event of a burst that does not settle.
const (
	settle  = 10 * time.Millisecond
	maxWait = 300 * time.Millisecond
)

// maxShown bounds the problems listed in the overlay and the terminal.
const maxShown = 100

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlags("serve", stderr)
	site := fset.String("site", ".", "site root `DIR`")
	addr := fset.String("addr", "127.0.0.1:1313", "listen `ADDRESS` (host:port; port 0 picks a free one)")
	audience := fset.String("audience", "public", "preview the `public` or internal edition")
	now := fset.String("now", "", "pin the clock (RFC 3339 or YYYY-MM-DD) to preview the site as of that `TIME`; default the current time")
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if code := siteDir("serve", *site, stderr); code >= 0 {
		return code
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "peerpress serve: unexpected argument %q\n", fset.Arg(0))
		return exitUsage
	}
	if *audience != "public" && *audience != "internal" {
		fmt.Fprintf(stderr, "peerpress serve: -audience must be public or internal, not %q\n", *audience)
		return exitUsage
	}
	var clock time.Time
	if *now != "" {
		t, err := parseNow(*now)
		if err != nil {
			fmt.Fprintf(stderr, "peerpress serve: %v\n", err)
			return exitUsage
		}
		clock = t
	}
	if st, err := os.Stat(*site); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "peerpress serve: -site %s is not a directory\n", *site)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "peerpress serve: %s is already in use (another peerpress serve or hugo server?); stop it or pick another port with -addr 127.0.0.1:1314\n", *addr)
		} else {
			fmt.Fprintf(stderr, "peerpress serve: cannot listen on %s: %v\n", *addr, err)
		}
		return exitUsage
	}
	base := "http://" + browseAddr(ln.Addr()) + "/"
	s := newDevServer(*site, build.Options{BaseURL: base, Audience: *audience, Now: clock, Version: version}, stderr)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Watch before the first build so no change is lost in between.
	if err := s.watch(ctx); err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "peerpress serve: watch %s: %v\n", *site, err)
		return exitFindings
	}
	s.rebuild(ctx, false)
	if !s.session.Current().Ready() {
		fmt.Fprintln(stderr, "peerpress serve: the site does not build yet; the browser shows why until it is fixed")
	}
	s.wg.Add(1)
	go s.rebuildLoop(ctx)

	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "peerpress serve: open %s (drafts and scheduled posts are shown, marked; Ctrl-C to stop)\n", base)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	code := exitOK
	select {
	case <-ctx.Done():
	case err := <-errc:
		fmt.Fprintf(stderr, "peerpress serve: %v\n", err)
		code = exitFindings
	}
	cancel()
	s.close() // ends the event streams, so Shutdown need not wait for them
	sctx, scancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer scancel()
	srv.Shutdown(sctx)
	s.wg.Wait()
	if code == exitOK {
		fmt.Fprintln(stdout, "peerpress serve: stopped")
	}
	return code
}

// browseAddr is the address a browser on this machine uses for a listener:
// the unspecified address becomes the loopback one.
func browseAddr(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	host := ta.IP.String()
	if ta.IP == nil || ta.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, strconv.Itoa(ta.Port))
}

// devServer serves the session's latest snapshot, rebuilds it when files
// change and tells open pages over server-sent events.
type devServer struct {
	root    string // absolute site directory
	id      string // tells pages from a previous server apart
	session *build.Session
	log     io.Writer
	kick    chan struct{} // a rebuild is wanted
	pinned  bool          // -now: the clock does not move
	wg      sync.WaitGroup

	mu      sync.Mutex
	clients map[chan []byte]bool
	closed  bool
	moved   map[string]string // every URL that moved this session → its current URL
	last    []string          // the previous build's problems, for the terminal
	logMu   sync.Mutex
}

func newDevServer(dir string, opts build.Options, log io.Writer) *devServer {
	root, err := filepath.Abs(dir)
	if err != nil {
		root = dir
	}
	opts.Site = os.DirFS(root)
	return &devServer{
		root:    root,
		id:      strconv.FormatInt(time.Now().UnixNano(), 36),
		session: build.NewSession(opts),
		log:     log,
		kick:    make(chan struct{}, 1),
		pinned:  !opts.Now.IsZero(),
		clients: map[chan []byte]bool{},
		moved:   map[string]string{},
	}
}

// subscribe returns a channel that receives every build event, and a
// function to stop. The channel is closed when the server stops.
func (s *devServer) subscribe() (<-chan []byte, func()) {
	c := make(chan []byte, 8)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		close(c)
		return c, func() {}
	}
	s.clients[c] = true
	return c, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.clients[c] {
			delete(s.clients, c)
			close(c)
		}
	}
}

func (s *devServer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.clients {
		delete(s.clients, c)
		close(c)
	}
}

// buildEvent is what open pages are told after a rebuild.
type buildEvent struct {
	Server   string            `json:"server"`
	Build    int               `json:"build"`
	Errors   int               `json:"errors"`
	Warnings int               `json:"warnings"`
	Moved    map[string]string `json:"moved,omitempty"`
}

// rebuild rebuilds, logs the outcome and tells every open page.
func (s *devServer) rebuild(ctx context.Context, tell bool) *build.Snapshot {
	prev := s.session.Current()
	snap := s.session.Rebuild(ctx)
	if ctx.Err() != nil || snap == prev {
		return snap // stopping, or nothing changed (a temporary file came and went)
	}
	probs := snap.Problems()
	errs, warns := count(probs)
	s.mu.Lock()
	for from, to := range snap.Moved {
		for k, v := range s.moved {
			if v == from {
				s.moved[k] = to
			}
		}
		s.moved[from] = to
	}
	for k, v := range s.moved {
		if k == v {
			delete(s.moved, k)
		}
	}
	s.mu.Unlock()
	s.report(snap, probs, errs, warns)
	if !tell {
		return snap
	}
	ev, _ := json.Marshal(buildEvent{Server: s.id, Build: snap.Build, Errors: errs, Warnings: warns, Moved: snap.Moved})
	s.mu.Lock()
	for c := range s.clients {
		select {
		case c <- ev:
		default: // a page that does not read gets the next one
		}
	}
	s.mu.Unlock()
	return snap
}

func count(ps []build.Problem) (errs, warns int) {
	for _, p := range ps {
		if p.Severity == policy.Error {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

// report prints one line per build and the problems when they changed.
func (s *devServer) report(snap *build.Snapshot, probs []build.Problem, errs, warns int) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	status := "ok"
	switch {
	case snap.Err != nil && snap.Ready():
		status = "FAILED, still serving the last good build"
	case snap.Err != nil:
		status = "FAILED, nothing to serve yet"
	}
	fmt.Fprintf(s.log, "build %d: %s in %s (%d posts, %d checked, %d rendered): %s, %s\n",
		snap.Build, status, snap.Took.Round(100*time.Microsecond), snap.Posts, snap.Checked, snap.Rendered, report.Plural(errs, "error"), report.Plural(warns, "warning"))
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.String()
	}
	if equalStrings(lines, s.last) {
		return
	}
	s.last = lines
	for i, l := range lines {
		if i == maxShown {
			fmt.Fprintf(s.log, "  … and %d more (peerpress check lists them all)\n", len(lines)-i)
			break
		}
		fmt.Fprintln(s.log, "  "+l)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// gcIdle is how long the server waits after a rebuild before it collects
// the rebuild's garbage, so the collector runs while the author reads the
// page and not during the next rebuild (on a large site a collection that
// overlaps a rebuild makes it half again as slow).
const gcIdle = 100 * time.Millisecond

// rebuildLoop rebuilds when kicked, and when the snapshot goes stale with
// time (a scheduled post is due, a training or waiver expires).
func (s *devServer) rebuildLoop(ctx context.Context) {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	idle := time.NewTimer(gcIdle)
	defer idle.Stop()
	var gc sync.WaitGroup
	defer gc.Wait()
	for {
		timer.Stop()
		if r := s.session.Current().Refresh; !r.IsZero() && !s.pinned {
			timer.Reset(max(time.Until(r), 0) + time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
		case <-timer.C:
		case <-idle.C:
			gc.Go(runtime.GC) // concurrent: a rebuild need not wait for it
			continue
		}
		s.rebuild(ctx, true)
		idle.Reset(gcIdle)
	}
}

func (s *devServer) wantRebuild() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// watch adds the site's directories to an fsnotify watcher (and those
// created later), passes changes to the session as they come and asks for
// a rebuild once a burst of events settles.
func (s *devServer) watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	if err := w.Add(s.root); err != nil {
		w.Close()
		return err
	}
	s.addTree(w, s.root)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer w.Close()
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		var first time.Time // of the pending burst
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				rel, ok := s.relevant(ev.Name)
				if !ok {
					continue
				}
				changed := []string{rel}
				if ev.Has(fsnotify.Create) {
					if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
						changed = append(changed, s.addTree(w, ev.Name)...)
					}
				}
				s.session.Invalidate(changed)
				if first.IsZero() {
					first = time.Now()
				}
				timer.Reset(min(settle, max(maxWait-time.Since(first), 0)))
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				if errors.Is(err, fsnotify.ErrEventOverflow) {
					s.session.Invalidate([]string{"."}) // events were lost: start over
					if first.IsZero() {
						first = time.Now()
					}
					timer.Reset(settle)
				}
				s.logf("watch: %v", err)
			case <-timer.C:
				first = time.Time{}
				s.wantRebuild()
			}
		}
	}()
	return nil
}

// addTree watches dir and the directories below it that matter, and
// returns the site-relative paths of the files found in them (they may
// have been written before the watch began).
func (s *devServer) addTree(w *fsnotify.Watcher, dir string) []string {
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, ok := s.relevant(p)
		if p != s.root && !ok {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if p != dir {
				files = append(files, rel)
			}
			return nil
		}
		if p != s.root {
			if err := w.Add(p); err != nil {
				s.logf("watch %s: %v", rel, err)
			}
		}
		return nil
	})
	return files
}

// relevant returns the site-relative path of a file event worth a rebuild:
// site.yaml, or a file under content/, policy/, themes/, layouts/ or
// static/ that is not an editor's temporary file.
func (s *devServer) relevant(name string) (string, bool) {
	rel, err := filepath.Rel(s.root, name)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	top, _, nested := strings.Cut(rel, "/")
	switch top {
	case "content", "policy", "themes", "layouts", "static":
	case "site.yaml":
		if nested {
			return "", false
		}
	default:
		return "", false
	}
	for _, part := range strings.Split(rel, "/") {
		if tempName(part) {
			return "", false
		}
	}
	return rel, true
}

// tempName reports whether a file name is hidden or an editor's temporary
// or backup file (vim, emacs, JetBrains, VS Code, Chromium, atomic savers).
func tempName(base string) bool {
	switch {
	case strings.HasPrefix(base, "."), strings.HasPrefix(base, "#"), strings.HasSuffix(base, "~"),
		base == "4913", strings.HasSuffix(base, ".swp"), strings.HasSuffix(base, ".swx"), strings.HasSuffix(base, ".swo"),
		strings.HasSuffix(base, ".tmp"), strings.HasSuffix(base, ".crswap"), strings.HasSuffix(base, ".part"),
		strings.Contains(base, "___jb_"), strings.Contains(base, ".tmp."):
		return true
	}
	return false
}

func (s *devServer) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.log, format+"\n", args...)
}

func (s *devServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_peerpress/live.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(liveJS)
		return
	case "/_peerpress/events":
		s.events(w, r)
		return
	case "/_peerpress/status":
		s.status(w)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	snap := s.session.Current()
	if !snap.Ready() {
		s.page(w, snap, http.StatusServiceUnavailable, "text/html; charset=utf-8", notReadyPage, "")
		return
	}
	out, dir := outputPath(r.URL.Path)
	data, err := snap.Get(out)
	if errors.Is(err, build.ErrNotFound) {
		if !dir {
			if _, err := snap.Get(out + "/index.html"); err == nil {
				http.Redirect(w, r, r.URL.EscapedPath()+"/", http.StatusMovedPermanently)
				return
			}
		}
		s.mu.Lock()
		to, moved := s.moved[r.URL.Path]
		s.mu.Unlock()
		if moved {
			if target, _ := outputPath(to); snapHas(snap, target) {
				http.Redirect(w, r, (&url.URL{Path: to}).EscapedPath(), http.StatusTemporaryRedirect)
				return
			}
		}
		data, err = snap.Get("404.html")
		if err != nil {
			data = []byte("<!doctype html><html lang=\"en\"><title>Not found</title><h1>Not found</h1></html>")
		}
		s.page(w, snap, http.StatusNotFound, "text/html; charset=utf-8", data,
			"No page at "+r.URL.Path+" in build "+strconv.Itoa(snap.Build)+": the post may have been renamed or deleted.")
		return
	}
	if err != nil {
		s.page(w, snap, http.StatusInternalServerError, "text/html; charset=utf-8",
			[]byte("<!doctype html><html lang=\"en\"><title>Render error</title><h1>This page failed to render</h1><pre>"+html.EscapeString(err.Error())+"</pre></html>"), "")
		return
	}
	ctype := mime.TypeByExtension(path.Ext(out))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	note := ""
	if src := snap.StaleAt(r.URL.Path); src != "" {
		note = "The front matter of " + src + " does not parse (see below): this page is its last good version."
	}
	s.page(w, snap, http.StatusOK, ctype, data, note)
}

func snapHas(snap *build.Snapshot, out string) bool {
	_, err := snap.Get(out)
	return err == nil
}

// outputPath maps a URL path to an output path: "/" → "index.html",
// "/posts/x/" → "posts/x/index.html"; dir reports a trailing slash.
func outputPath(urlPath string) (out string, dir bool) {
	dir = strings.HasSuffix(urlPath, "/")
	p := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if dir || p == "" {
		if p == "" {
			return "index.html", true
		}
		return p + "/index.html", true
	}
	return p, false
}

var notReadyPage = []byte(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>peerpress: the site does not build yet</title></head>` +
	`<body><h1>The site does not build yet</h1><p>Fix the problems below; this page reloads by itself.</p></body></html>`)

// page writes a response; HTML gets the overlay and the live-reload script.
func (s *devServer) page(w http.ResponseWriter, snap *build.Snapshot, status int, ctype string, data []byte, note string) {
	if strings.HasPrefix(ctype, "text/html") {
		data = injectOverlay(data, s.id, snap, note)
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	w.Write(data)
}

const overlayCSS = `#peerpress-overlay{position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;max-height:45vh;overflow:auto;` +
	`background:#2b0b0b;color:#fff;border:2px solid #ff6b6b;border-radius:8px;padding:.6rem 1rem;` +
	`font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;box-shadow:0 8px 30px rgba(0,0,0,.45);text-align:left}` +
	`#peerpress-overlay.warnings-only{background:#2b2205;border-color:#f5b700}` +
	`#peerpress-overlay summary{cursor:pointer;font-weight:bold}#peerpress-overlay ol{margin:.4rem 0 0;padding-left:1.4rem}` +
	`#peerpress-overlay li{margin:.2rem 0}#peerpress-overlay .sev-error .pp-rule{color:#ff9b9b}#peerpress-overlay .sev-warning .pp-rule{color:#ffd65c}` +
	`#peerpress-overlay code{color:#9fd3ff}#peerpress-overlay p{margin:.3rem 0}`

// injectOverlay adds the problems panel (rendered on the server, so it shows
// without any script) and the live-reload script to a page.
func injectOverlay(page []byte, server string, snap *build.Snapshot, note string) []byte {
	probs := snap.Problems()
	errs, warns := count(probs)
	var b strings.Builder
	if len(probs) > 0 || note != "" || snap.Err != nil {
		class := ""
		if errs == 0 {
			class = ` class="warnings-only"`
		}
		fmt.Fprintf(&b, `<style>%s</style><details id="peerpress-overlay"%s data-errors="%d" data-warnings="%d"`, overlayCSS, class, errs, warns)
		if errs > 0 || note != "" {
			b.WriteString(" open")
		}
		b.WriteString(` role="status" aria-live="polite"><summary>peerpress: `)
		b.WriteString(report.Plural(errs, "error") + ", " + report.Plural(warns, "warning"))
		if snap.Err != nil && snap.Ready() {
			b.WriteString(" — the build failed; you are seeing the last good version")
		}
		b.WriteString("</summary>")
		if note != "" {
			b.WriteString("<p>" + html.EscapeString(note) + "</p>")
		}
		if len(probs) > 0 {
			b.WriteString("<ol>")
			for i, p := range probs {
				if i == maxShown {
					fmt.Fprintf(&b, "<li>… and %d more; run <code>peerpress check</code> for all of them</li>", len(probs)-i)
					break
				}
				loc := p.File
				if p.Line > 0 {
					loc += fmt.Sprintf(":%d:%d", p.Line, max(p.Column, 1))
				}
				fmt.Fprintf(&b, `<li class="sev-%s"><code>%s</code> <span class="pp-sev">%s</span> <strong class="pp-rule">%s</strong>: <span class="pp-msg">%s</span></li>`,
					p.Severity, html.EscapeString(loc), p.Severity, html.EscapeString(p.Rule), html.EscapeString(p.Message))
			}
			b.WriteString("</ol>")
		}
		b.WriteString("</details>")
	}
	fmt.Fprintf(&b, `<script src="/_peerpress/live.js" data-server="%s" data-build="%d"></script>`, server, snap.Build)
	s := strings.Replace(string(page), `<script src="/_peerpress/live.js"></script>`, "", 1)
	if i := strings.LastIndex(s, "</body>"); i >= 0 {
		return []byte(s[:i] + b.String() + s[i:])
	}
	return []byte(s + b.String())
}

// status reports the current build as JSON.
func (s *devServer) status(w http.ResponseWriter) {
	snap := s.session.Current()
	probs := snap.Problems()
	errs, warns := count(probs)
	type problem struct {
		File     string `json:"file,omitempty"`
		Line     int    `json:"line,omitempty"`
		Column   int    `json:"column,omitempty"`
		Severity string `json:"severity"`
		Rule     string `json:"rule"`
		Message  string `json:"message"`
	}
	list := make([]problem, len(probs))
	for i, p := range probs {
		list[i] = problem{p.File, p.Line, p.Column, string(p.Severity), p.Rule, p.Message}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"server": s.id, "build": snap.Build, "ok": snap.Err == nil, "ready": snap.Ready(),
		"posts": snap.Posts, "errors": errs, "warnings": warns, "took_ms": float64(snap.Took.Microseconds()) / 1000, "problems": list,
	})
}

// events streams a message per rebuild (server-sent events).
func (s *devServer) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c, stop := s.subscribe()
	defer stop()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	snap := s.session.Current()
	hello, _ := json.Marshal(buildEvent{Server: s.id, Build: snap.Build})
	fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: %s\n\n", hello)
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			io.WriteString(w, ": ping\n\n")
			fl.Flush()
		case ev, ok := <-c:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: build\ndata: %s\n\n", ev)
			fl.Flush()
		}
	}
}
