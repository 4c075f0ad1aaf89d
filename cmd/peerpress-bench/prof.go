package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"time"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/internal/batchgc"
	"github.com/peerpress/peerpress/internal/sitegen"
	"github.com/peerpress/peerpress/policy"
)

// runProf runs a build (or a check) in this process under runtime/pprof:
// the same code path as `peerpress build`/`check`, without the CLI around it.
func runProf(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prof", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "profile the policy check alone")
	cpu := fs.String("cpuprofile", "", "write a CPU profile to `FILE`")
	mem := fs.String("memprofile", "", "write an allocation profile (alloc_space, inuse_space) to `FILE`")
	traceOut := fs.String("trace", "", "write a runtime/trace execution trace to `FILE` (go tool trace; -pprof=sync|syscall|sched for where goroutines wait)")
	out := fs.String("out", "", "build into `DIR` as `peerpress build` does (default: build.Run, in memory only)")
	now := fs.String("now", sitegen.Now, "the build clock, RFC 3339")
	codeCache := fs.String("code-cache", "", "with -out, use `FILE` as the code cache pack (run twice for a warm build)")
	heapAt := fs.Duration("heap-at", 0, "with -memprofile, take the profile this long after the start (mid-build: what is live then) instead of at the end")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: "+profUsage)
		return 2
	}
	if *heapAt > 0 && *mem == "" {
		fmt.Fprintln(stderr, "peerpress-bench prof: -heap-at needs -memprofile")
		return 2
	}
	// The same collector settings as the commands it profiles.
	batchgc.Tune()
	t, err := time.Parse(time.RFC3339, *now)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress-bench prof: -now: %v\n", err)
		return 2
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if *mem != "" {
		runtime.MemProfileRate = 64 << 10
	}
	if *traceOut != "" {
		f, err := os.Create(*traceOut)
		if err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		defer trace.Stop()
	}
	if *heapAt > 0 {
		// A profile taken mid-build shows what the build holds live then.
		written := make(chan struct{})
		timer := time.AfterFunc(*heapAt, func() {
			defer close(written)
			runtime.GC()
			if err := writeHeap(*mem); err != nil {
				fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			}
		})
		defer func() {
			if timer.Stop() {
				fmt.Fprintf(stderr, "peerpress-bench prof: the run ended before -heap-at %s; no heap profile written\n", *heapAt)
			} else {
				<-written // not cut off by the exit
			}
		}()
	}
	opts := build.Options{Site: os.DirFS(fs.Arg(0)), Now: t, Version: "bench", CodeCache: *codeCache}
	start := time.Now()
	var stats runtime.MemStats
	if *check {
		s, err := build.Load(ctx, opts)
		if err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		loaded := time.Since(start)
		rep := s.Check(ctx, opts, policy.Options{Now: t})
		e, w, _ := rep.Counts()
		fmt.Fprintf(stdout, "checked %d files in %s (load %s): %d errors, %d warnings\n", rep.Files, time.Since(start).Round(time.Millisecond), loaded.Round(time.Millisecond), e, w)
	} else {
		var res *build.Result
		if *out != "" {
			res, err = build.Build(ctx, opts, *out)
		} else {
			res, err = build.Run(ctx, opts)
		}
		if err != nil {
			if res != nil && res.Report != nil && errors.Is(err, build.ErrFindings) {
				for i, f := range res.Report.Findings {
					if i == 10 {
						break
					}
					fmt.Fprintf(stderr, "%s:%d:%d: %s %s: %s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
				}
			}
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
		runtime.ReadMemStats(&stats)
		fmt.Fprintf(stdout, "built %d posts, %d files in %s; heap in use at the end %d MiB, heap obtained from the OS %d MiB\n",
			res.Stats.Posts, res.Stats.Files, time.Since(start).Round(time.Millisecond), stats.HeapInuse>>20, stats.HeapSys>>20)
		runtime.KeepAlive(res)
	}
	if *mem != "" && *heapAt == 0 {
		if err := writeHeap(*mem); err != nil {
			fmt.Fprintf(stderr, "peerpress-bench prof: %v\n", err)
			return 1
		}
	}
	return 0
}

// writeHeap writes the allocation profile (alloc_space and inuse_space) to
// file.
func writeHeap(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
