package build

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peerpress/peerpress/policy"
)

func TestZZStages(t *testing.T) {
	dir := os.Getenv("B6SITE")
	if dir == "" {
		t.Skip()
	}
	ctx := context.Background()
	now, _ := time.Parse(time.RFC3339, "2026-11-21T12:00:00Z")
	opts := Options{Site: os.DirFS(dir), Now: now, Audience: "public"}
	t0 := time.Now()
	lap := func(name string) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("%-10s %6.2fs heap %d MiB", name, time.Since(t0).Seconds(), ms.HeapInuse>>20)
		t0 = time.Now()
	}
	site, err := Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	lap("load")
	rep := site.Check(ctx, opts, policy.Options{Now: now})
	lap("check")
	_ = rep
	r, err := newRenderer(opts, site)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.prepare(ctx); err != nil {
		t.Fatal(err)
	}
	lap("prepare")
	plan, _, err := r.plan()
	if err != nil {
		t.Fatal(err)
	}
	lap("plan")
	outs := make([]Output, len(plan))
	kinds := map[string]time.Duration{}
	_ = kinds
	var mu sync.Mutex
	err = forEach(ctx, len(plan), func(i int) error {
		st := time.Now()
		b, err := plan[i].Gen()
		d := time.Since(st)
		k := plan[i].Path
		switch {
		case strings.HasPrefix(k, "posts/") && strings.HasSuffix(k, "index.html"):
			k = "post"
		case strings.HasPrefix(k, "posts/"):
			k = "share"
		case strings.HasPrefix(k, "page/") || k == "index.html":
			k = "home"
		case strings.HasPrefix(k, "authors/") && strings.HasSuffix(k, ".xml"):
			k = "authorfeed"
		case strings.HasPrefix(k, "tags/") && strings.HasSuffix(k, ".xml"):
			k = "tagfeed"
		case strings.HasPrefix(k, "authors/"):
			k = "author"
		case strings.HasPrefix(k, "tags/"):
			k = "tag"
		}
		mu.Lock()
		kinds[k] += d
		mu.Unlock()
		outs[i] = Output{Path: plan[i].Path, Data: b}
		return err
	})
	for k, d := range kinds {
		t.Logf("  %-12s %6.2fs", k, d.Seconds())
	}
	lap("generate")
	fs := r.verify(outs)
	lap("verify")
	_ = fs
	if err := Write(ctx, t.TempDir()+"/out", outs); err != nil {
		t.Fatal(err)
	}
	lap("write")
}
