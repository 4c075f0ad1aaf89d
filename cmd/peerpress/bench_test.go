package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerpress/peerpress/build"
)

// devHarness runs the dev server's machinery (watcher, debounce, session,
// rebuild loop, broadcast) on a site directory, without the HTTP listener.
type devHarness struct {
	s      *devServer
	events <-chan []byte
}

func startDev(tb testing.TB, dir string, now time.Time, log io.Writer) *devHarness {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := newDevServer(dir, build.Options{BaseURL: "http://127.0.0.1:1313/", Now: now, Version: "test"}, log)
	if err := s.watch(ctx); err != nil {
		tb.Fatal(err)
	}
	if snap := s.rebuild(ctx, false); snap.Err != nil {
		tb.Fatalf("first build: %v", snap.Err)
	}
	s.wg.Add(1)
	go s.rebuildLoop(ctx)
	ev, stop := s.subscribe()
	tb.Cleanup(func() {
		stop()
		cancel()
		s.close()
		s.wg.Wait()
	})
	return &devHarness{s: s, events: ev}
}

// BenchmarkEditToReload measures, on a generated site of 10,000 posts of
// about 1,200 words each (PEERPRESS_BENCH_POSTS overrides the count), the
// time from writing one post's body to the reload event the dev server
// sends open pages, for edits 250ms apart (PEERPRESS_BENCH_PAUSE): fsnotify, debounce, incremental load, policy check and
// render plan, and the pre-render of the changed page. It reports the
// median, 95th percentile and worst latency (reload-p50-ms, reload-p95-ms,
// reload-max-ms) and the time until the new page has been served over HTTP
// (page-p50-ms). ns/op also counts the pause between edits and is not the
// figure to read.
//
//	go test ./cmd/peerpress -run '^$' -bench EditToReload -benchtime 60x
func BenchmarkEditToReload(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("PEERPRESS_BENCH_POSTS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	genSite(b, dir, n)
	now, _ := time.Parse(time.RFC3339, sampleNow)
	start := time.Now()
	h := startDev(b, dir, now, io.Discard)
	b.Logf("%d posts: first build in %v", n, time.Since(start).Round(time.Millisecond))

	pause := 250 * time.Millisecond // a save four times a second, faster than anyone types
	if d, err := time.ParseDuration(os.Getenv("PEERPRESS_BENCH_PAUSE")); err == nil {
		pause = d
	}
	target := n / 2
	post := filepath.Join(dir, "content", "posts", fmt.Sprintf("gen-%05d.md", target))
	url := fmt.Sprintf("/posts/gen-%05d/", target)
	orig, err := os.ReadFile(post)
	if err != nil {
		b.Fatal(err)
	}
	var reload, page []time.Duration
	i := 0
	for b.Loop() {
		i++
		marker := fmt.Sprintf("Revision %d-%d of these notes.", i, time.Now().UnixNano())
		data := strings.Replace(string(orig), "Revision 0 of these notes.", marker, 1)
		time.Sleep(pause)
	drain:
		for {
			select {
			case <-h.events:
			default:
				break drain
			}
		}
		t0 := time.Now()
		if err := os.WriteFile(post, []byte(data), 0o644); err != nil {
			b.Fatal(err)
		}
		deadline := time.After(20 * time.Second)
		for {
			select {
			case <-h.events:
			case <-deadline:
				b.Fatalf("edit %d: no reload event with the edit within 20s", i)
			}
			te := time.Since(t0)
			got, err := h.s.session.Current().Get(strings.TrimPrefix(url, "/") + "index.html")
			if err != nil || !strings.Contains(string(got), marker) {
				continue // a rebuild that started before the write
			}
			reload = append(reload, te)
			break
		}
		rec := httptest.NewRecorder()
		h.s.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), marker) {
			b.Fatalf("GET %s: %d without the edit", url, rec.Code)
		}
		page = append(page, time.Since(t0))
	}
	snap := h.s.session.Current()
	b.Logf("last rebuild: %d posts, %d checked, %d rendered, took %v", snap.Posts, snap.Checked, snap.Rendered, snap.Took)
	b.ReportMetric(pct(reload, 50), "reload-p50-ms")
	b.ReportMetric(pct(reload, 95), "reload-p95-ms")
	b.ReportMetric(pct(reload, 100), "reload-max-ms")
	b.ReportMetric(pct(page, 50), "page-p50-ms")
}

// pct returns the p-th percentile of ds in milliseconds (nearest rank).
func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	i = min(max(i, 1), len(s)) - 1
	return float64(s[i].Microseconds()) / 1000
}
