package build

import (
	"context"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/internal/sitegen"
	"github.com/peerpress/peerpress/policy"
)

// The benchmarks build a generated site of 1,000 posts (internal/sitegen:
// ~1,200 words, a code block and a table each, 50 authors, 200 tags). Run
//
//	go test ./build -run '^$' -bench . -benchtime 3x
//
// They report ns/post and peak-heap-MB, the largest live heap seen while
// building (sampled every millisecond), besides Go's B/op and allocs/op.
// For whole-process figures (wall, CPU, peak RSS) and the comparison with
// Hugo, use `go run ./cmd/peerpress-bench run`.

const benchPosts = 1000

func benchSite(b *testing.B) fstest.MapFS {
	b.Helper()
	return sitegen.MapFS(benchPosts, 1)
}

// peakHeap samples the heap in use until stop is called and returns the
// largest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

func reportPerPost(b *testing.B, start time.Time, peak uint64) {
	b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*benchPosts), "ns/post")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// benchPerPost runs op b.N times on the 1,000-post site and reports the
// time per post and the peak heap.
func benchPerPost(b *testing.B, op func(ctx context.Context, site fs.FS)) {
	site := benchSite(b)
	ctx := context.Background()
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	stop := peakHeap()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		op(ctx, site)
	}
	reportPerPost(b, start, stop())
}

// BenchmarkBuild1k is build.Run on 1,000 posts: load, check, render and
// verify, every output kept in memory.
func BenchmarkBuild1k(b *testing.B) {
	benchPerPost(b, func(ctx context.Context, site fs.FS) {
		res, err := Run(ctx, Options{Site: site, Now: testNow})
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Posts < benchPosts*9/10 {
			b.Fatalf("built %d posts", res.Stats.Posts)
		}
	})
}

// BenchmarkBuildWrite1k is build.Build on 1,000 posts, as `peerpress
// build` runs it: streamed to a directory, swapped in.
func BenchmarkBuildWrite1k(b *testing.B) {
	dir := b.TempDir()
	benchPerPost(b, func(ctx context.Context, site fs.FS) {
		if _, err := Build(ctx, Options{Site: site, Now: testNow}, filepath.Join(dir, "public")); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCheck1k is what `peerpress check` does on 1,000 posts: load and
// the policy check.
func BenchmarkCheck1k(b *testing.B) {
	benchPerPost(b, func(ctx context.Context, site fs.FS) {
		opts := Options{Site: site, Now: testNow}
		s, err := Load(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		if rep := s.Check(ctx, opts, policy.Options{Now: testNow}); rep.Failed() {
			b.Fatalf("the generated site fails the check: %v", rep.Findings[0])
		}
	})
}
