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
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/peerpress/peerpress/build"
)

//go:embed live.js
var liveJS []byte

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	site := fs.String("site", ".", "site root `DIR`")
	addr := fs.String("addr", "127.0.0.1:1313", "listen `ADDRESS` (host:port)")
	audience := fs.String("audience", "public", "preview the `public` or internal edition")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *audience != "public" && *audience != "internal" {
		fmt.Fprintf(stderr, "peerpress serve: -audience must be public or internal, not %q\n", *audience)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(stderr, "peerpress serve: %s is already in use (another peerpress or hugo?); stop it or pass -addr 127.0.0.1:1314\n", *addr)
		} else {
			fmt.Fprintf(stderr, "peerpress serve: %v\n", err)
		}
		return exitUsage
	}
	s := newDevServer(*site, "http://"+ln.Addr().String()+"/", *audience, stderr)
	snap := s.rebuild(ctx, nil)
	if snap.Err != nil && snap.Build == 1 && errors.As(snap.Err, new(*build.ConfigError)) {
		// Nothing to serve yet; still start, the overlay shows the problem.
		fmt.Fprintln(stderr, "peerpress serve: the site does not load yet; serving the problem until it is fixed")
	}
	w, err := s.watch(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress serve: watch %s: %v\n", *site, err)
		return exitFindings
	}
	defer w.Close()
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "peerpress serve: http://%s/ (drafts and scheduled posts shown, marked; Ctrl-C to stop)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		s.close()
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
		fmt.Fprintln(stdout, "peerpress serve: stopped")
		return exitOK
	case err := <-errc:
		fmt.Fprintf(stderr, "peerpress serve: %v\n", err)
		return exitFindings
	}
}

// devServer serves the session's latest good snapshot and pushes a reload
// to open pages after every rebuild.
type devServer struct {
	dir     string
	session *build.Session
	log     io.Writer

	mu      sync.Mutex
	clients map[chan []byte]bool
	closed  bool
}

func newDevServer(dir, baseURL, audience string, log io.Writer) *devServer {
	return &devServer{
		dir:     dir,
		session: build.NewSession(build.Options{Site: os.DirFS(dir), BaseURL: baseURL, Audience: audience, Version: version}),
		log:     log,
		clients: map[chan []byte]bool{},
	}
}

// rebuild invalidates changed paths, rebuilds, logs the outcome and tells
// every open page.
func (s *devServer) rebuild(ctx context.Context, changed []string) *build.Snapshot {
	if len(changed) > 0 {
		s.session.Invalidate(changed)
	}
	snap := s.session.Rebuild(ctx)
	msgs := snap.Messages()
	status := "ok"
	if snap.Err != nil {
		status = "failed (serving the last good version)"
	}
	fmt.Fprintf(s.log, "build %d: %s in %s, %d problems\n", snap.Build, status, snap.Took.Round(time.Millisecond), len(msgs))
	for _, m := range msgs {
		fmt.Fprintln(s.log, "  "+m)
	}
	ev, _ := json.Marshal(map[string]any{"build": snap.Build, "moved": snap.Moved, "problems": len(msgs)})
	s.mu.Lock()
	for c := range s.clients {
		select {
		case c <- ev:
		default: // a slow page gets the next one
		}
	}
	s.mu.Unlock()
	return snap
}

func (s *devServer) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.clients {
		close(c)
		delete(s.clients, c)
	}
}

// watch adds every directory of the site to an fsnotify watcher (and those
// created later) and rebuilds after a burst of events settles.
func (s *devServer) watch(ctx context.Context) (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	root, err := filepath.Abs(s.dir)
	if err != nil {
		return nil, err
	}
	addTree := func(dir string) {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			name := d.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "public" || name == "public-internal") {
				return filepath.SkipDir
			}
			if p != root && filepath.Dir(p) == root && !watchedTop(name) {
				return filepath.SkipDir
			}
			w.Add(p)
			return nil
		})
	}
	addTree(root)
	go func() {
		const settle = 25 * time.Millisecond
		var pending []string
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				rel, err := filepath.Rel(root, ev.Name)
				if err != nil || ignoredEvent(rel) {
					continue
				}
				if ev.Has(fsnotify.Create) {
					if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
						addTree(ev.Name)
						rel += "/" // a directory: drop every cache
					}
				}
				pending = append(pending, filepath.ToSlash(rel))
				timer.Reset(settle)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				fmt.Fprintf(s.log, "watch: %v\n", err)
			case <-timer.C:
				changed := pending
				pending = nil
				s.rebuild(ctx, changed)
			}
		}
	}()
	return w, nil
}

func watchedTop(name string) bool {
	switch name {
	case "content", "policy", "themes", "layouts", "static":
		return true
	}
	return false
}

// ignoredEvent drops editors' temporary files and the build's own output.
func ignoredEvent(rel string) bool {
	base := filepath.Base(rel)
	if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "#") || strings.HasSuffix(base, "~") ||
		strings.HasSuffix(base, ".swp") || strings.HasSuffix(base, ".swx") || strings.HasSuffix(base, ".tmp") || base == "4913" {
		return true
	}
	top := strings.Split(filepath.ToSlash(rel), "/")[0]
	return !(watchedTop(top) || rel == "site.yaml")
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
		snap := s.session.Current()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]any{"build": snap.Build, "problems": nonNil(snap.Messages())})
		return
	}
	snap := s.session.Current()
	p := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if strings.HasSuffix(r.URL.Path, "/") || p == "" {
		p = strings.TrimSuffix(p+"/index.html", "/index.html/index.html")
		p = strings.TrimPrefix(p, "/")
	}
	if p == "" || p == "." {
		p = "index.html"
	}
	data, err := snap.Get(p)
	if errors.Is(err, build.ErrNotFound) && !strings.HasSuffix(r.URL.Path, "/") && path.Ext(p) == "" {
		if _, err := snap.Get(p + "/index.html"); err == nil {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
	}
	status := http.StatusOK
	if errors.Is(err, build.ErrNotFound) {
		status = http.StatusNotFound
		data, err = snap.Get("404.html")
		p = "404.html"
		if err != nil {
			data, err = []byte("<!doctype html><title>Not found</title><h1>Not found</h1>"), nil
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	ctype := mime.TypeByExtension(path.Ext(p))
	if ctype == "" {
		ctype = http.DetectContentType(data)
	}
	if strings.HasPrefix(ctype, "text/html") {
		data = injectOverlay(data, snap.Messages())
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// injectOverlay puts the problems list into a page (so it shows before any
// script runs) and the live-reload script.
func injectOverlay(page []byte, msgs []string) []byte {
	var b strings.Builder
	b.WriteString(`<div id="peerpress-overlay" role="alert" aria-live="polite"`)
	if len(msgs) == 0 {
		b.WriteString(` hidden`)
	}
	b.WriteString(`><strong>peerpress: ` + fmt.Sprint(len(msgs)) + ` problem(s)</strong><ul>`)
	for _, m := range msgs {
		b.WriteString("<li>" + html.EscapeString(m) + "</li>")
	}
	b.WriteString(`</ul></div><script src="/_peerpress/live.js"></script>`)
	s := string(page)
	s = strings.Replace(s, `<script src="/_peerpress/live.js"></script>`, "", 1)
	if i := strings.LastIndex(s, "</body>"); i >= 0 {
		return []byte(s[:i] + b.String() + s[i:])
	}
	return []byte(s + b.String())
}

// events streams a message per rebuild (server-sent events).
func (s *devServer) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c := make(chan []byte, 4)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.clients[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.clients[c] {
			delete(s.clients, c)
		}
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	snap := s.session.Current()
	fmt.Fprintf(w, "retry: 500\nevent: hello\ndata: {\"build\":%d}\n\n", snap.Build)
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-c:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: build\ndata: %s\n\n", ev)
			fl.Flush()
		}
	}
}
