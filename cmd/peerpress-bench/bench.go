package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/peerpress/peerpress/internal/par"
	"github.com/peerpress/peerpress/internal/sitegen"
)

// measure is one child process's cost.
type measure struct {
	wall, cpu time.Duration
	rss       int64 // peak resident set, bytes
	// lo and hi are the fastest and slowest wall times of the runs
	// median took this one from; equal to wall for one.
	lo, hi time.Duration
	// walls are the runs' wall times in the order they ran (run i of
	// every command in round i, see runBench).
	walls []time.Duration
}

// row is one line of the results table.
type row struct {
	posts int
	tool  string // "peerpress" or "hugo"
	step  string // "check", "build" or "build (warm)"
	m     measure
	files int // files in the output, for build
	bytes int64
	runs  []measure // every run, in order (m is their median)
}

// rowKey names a row.
type rowKey struct {
	posts      int
	tool, step string
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "1000,10000,100000", "comma-separated post counts")
	runs := fs.Int("runs", 1, "rounds, each running every command once; the median wall time is reported, and size ratios within each round")
	dir := fs.String("dir", os.TempDir(), "`DIR` for the corpora and outputs, kept until the end (about 12 KB per post for each corpus and 40 KB per post for each build)")
	pp := fs.String("peerpress", "", "peerpress `BIN` (default: go build ./cmd/peerpress, from the repository root)")
	hugo := fs.String("hugo", "", "hugo `BIN` (default: hugo on $PATH or in $GOPATH/bin; \"none\" to skip)")
	hugoMax := fs.Int("hugo-max", 10000, "largest size to run Hugo on (it is slow and memory-hungry beyond)")
	seed := fs.Int64("seed", 1, "corpus seed")
	keep := fs.Bool("keep", false, "keep the corpora and outputs")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "peerpress-bench run: bad size %q\n", s)
			return 2
		}
		ns = append(ns, n)
	}
	if *runs < 1 {
		*runs = 1
	}
	work, err := os.MkdirTemp(*dir, "peerpress-bench-")
	if err != nil {
		fmt.Fprintf(stderr, "peerpress-bench run: %v\n", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(work)
	}
	bin := *pp
	if bin == "" {
		bin = filepath.Join(work, "peerpress")
		fmt.Fprintln(stderr, "building ./cmd/peerpress …")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/peerpress").CombinedOutput(); err != nil {
			fmt.Fprintf(stderr, "peerpress-bench run: go build ./cmd/peerpress: %v\n%s", err, out)
			return 1
		}
	}
	hugoBin := findHugo(*hugo)
	hugoVersion := ""
	if hugoBin != "" {
		out, err := exec.CommandContext(ctx, hugoBin, "version").Output()
		if err != nil {
			// Found before anything is measured, not after.
			fmt.Fprintf(stderr, "peerpress-bench run: -hugo %s: %v\n", hugoBin, err)
			return 2
		}
		hugoVersion = strings.TrimSpace(string(out))
	}
	ppVersion, _ := exec.CommandContext(ctx, bin, "version").Output()
	fmt.Fprintf(stdout, "# peerpress-bench: %s, GOMAXPROCS=%d, %d CPUs, %s\n", runtime.GOOS+"/"+runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.NumCPU(), strings.TrimSpace(string(ppVersion)))
	if hugoVersion != "" {
		fmt.Fprintf(stdout, "# %s\n", hugoVersion)
	} else if *hugo == "none" {
		fmt.Fprintln(stdout, "# hugo: skipped (-hugo none)")
	} else {
		fmt.Fprintln(stdout, "# hugo: not found on $PATH or in $GOPATH/bin, skipped")
	}
	fmt.Fprintf(stdout, "# corpus: internal/sitegen seed %d, -now %s; median of %d run(s)\n\n", *seed, sitegen.Now, *runs)

	// peerpress keeps highlighted code in a cache between builds: "build"
	// starts without one (cold), "build (warm)" runs again with the cache
	// the first left, as a rebuild does. Each size has its own.
	cacheOf := func(n int) string { return filepath.Join(work, fmt.Sprintf("code-cache-%d", n)) }

	// The runs go in rounds: round i runs every command once, each size
	// in turn, so that run i of 10,000 posts and run i of 100,000 are
	// minutes apart, not the whole of a size's runs. This machine's speed
	// drifts by 10-20 % within an hour; a ratio between sizes is then
	// taken within each round as well (printTable).
	got := map[rowKey]*row{}
	var order []rowKey
	rows := func() []row {
		var out []row
		for _, k := range order {
			r := *got[k]
			r.m = median(r.runs)
			out = append(out, r)
		}
		return out
	}
	// add times one step once (before, untimed, ahead of it) and adds the
	// run to its row; the files of out, when given, are counted in it.
	add := func(n int, tool, step, out string, before func() error, name string, args ...string) error {
		if before != nil {
			if err := before(); err != nil {
				return fmt.Errorf("%s %s (%d posts): %w", tool, step, n, err)
			}
		}
		m, err := measureOnce(ctx, name, args...)
		if err != nil {
			return fmt.Errorf("%s %s (%d posts): %w", tool, step, n, err)
		}
		k := rowKey{n, tool, step}
		r := got[k]
		if r == nil {
			r = &row{posts: n, tool: tool, step: step}
			got[k] = r
			order = append(order, k)
		}
		r.runs = append(r.runs, m)
		if out != "" {
			r.files, r.bytes = treeSize(out)
		}
		fmt.Fprintf(stderr, "  %-9s %-13s %s\n", tool, step, m)
		return nil
	}
	// fail reports err and prints what was measured before it.
	fail := func(err error) int {
		fmt.Fprintf(stderr, "peerpress-bench run: %v\n", err)
		if len(order) > 0 {
			fmt.Fprintln(stdout, "(incomplete: the run stopped at an error)")
			printTable(stdout, rows())
		}
		return 1
	}
	// settled moves paths out of the way before a timed step and reads
	// site (see settle).
	settled := func(site string, paths ...string) func() error {
		return func() error { _, _, err := settle(work, site, paths...); return err }
	}
	siteOf := func(n int) string { return filepath.Join(work, fmt.Sprintf("site-%d", n)) }
	hugoOf := func(n int) string { return filepath.Join(work, fmt.Sprintf("hugo-%d", n)) }
	for _, n := range ns {
		fmt.Fprintf(stderr, "generating %d posts …\n", n)
		if err := sitegen.Write(siteOf(n), n, *seed); err != nil {
			return fail(err)
		}
		if hugoBin != "" && n <= *hugoMax {
			fmt.Fprintf(stderr, "generating %d posts for Hugo …\n", n)
			if err := sitegen.WriteHugo(hugoOf(n), n, *seed); err != nil {
				return fail(err)
			}
		}
	}
	for round := 1; round <= *runs; round++ {
		fmt.Fprintf(stderr, "round %d of %d\n", round, *runs)
		for _, n := range ns {
			site, cache := siteOf(n), cacheOf(n)
			os.Setenv("PEERPRESS_CACHE_DIR", cache)
			out := filepath.Join(work, fmt.Sprintf("public-%d", n))
			build := []string{"build", "-site", site, "-out", out, "-now", sitegen.Now}
			if err := add(n, "peerpress", "check", "", settled(site), bin, "check", "-site", site, "-now", sitegen.Now); err != nil {
				return fail(err)
			}
			if err := add(n, "peerpress", "build", out, settled(site, out, cache), bin, build...); err != nil {
				return fail(err)
			}
			if err := add(n, "peerpress", "build (warm)", out, settled(site, out), bin, build...); err != nil {
				return fail(err)
			}
			if hugoBin != "" && n <= *hugoMax {
				hsite := hugoOf(n)
				hout := filepath.Join(hsite, "public")
				if err := add(n, "hugo", "build", hout, settled(hsite, hout, filepath.Join(hsite, "resources")), hugoBin, "--source", hsite, "--destination", hout, "--quiet", "--noBuildLock"); err != nil {
					return fail(err)
				}
			}
		}
	}
	printTable(stdout, rows())
	if *keep {
		fmt.Fprintf(stdout, "\ncorpora and outputs kept in %s\n", work)
	}
	return 0
}

// settle moves paths out of the way (into a new directory under work, to
// be deleted with the rest of it after the last measurement), flushes the
// file systems, and reads every file of site; it returns how many files
// of site it read and their bytes. Every timed command starts after
// settle, peerpress and Hugo alike.
//
// Nothing is deleted between measurements: ext4 without a journal will not
// reuse an inode within 60 s of its deletion (RECENTCY_MIN in
// fs/ext4/ialloc.c), so a build that starts soon after a previous output
// was deleted spends seconds of system time searching for free inodes
// (measured here, one build: 4.8 s of system time with the previous
// output moved aside, 10.0 s right after it was deleted).
//
// The site is read so that each step starts with its sources in the page
// cache, as after a checkout. The VM this was written on drops files
// unread for about 30 s from the page cache: without the read, a
// 100,000-post build, minutes after its corpus was last read, spent 12 s
// reading it in its load stage (3.4 s cached), while a 10,000-post one,
// seconds after the previous step, found it cached.
func settle(work, site string, paths ...string) (files int, size int64, err error) {
	for _, p := range paths {
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		aside, err := os.MkdirTemp(work, "used-")
		if err == nil {
			err = os.Rename(p, filepath.Join(aside, filepath.Base(p)))
		}
		if err != nil {
			return 0, 0, fmt.Errorf("move %s aside: %w", p, err)
		}
	}
	syncFS()
	return readTree(site)
}

// readTree reads every regular file under dir (on a few goroutines:
// reading small files mostly waits on the disk), discards the bytes and
// returns how many files and bytes it read.
func readTree(dir string) (int, int64, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("read %s: %w", dir, err)
	}
	errs := make([]error, len(files))
	var size atomic.Int64
	par.Do(context.Background(), 8, len(files), func(_, i int) {
		f, err := os.Open(files[i])
		if err == nil {
			var n int64
			n, err = io.Copy(io.Discard, f)
			size.Add(n)
			f.Close()
		}
		errs[i] = err
	})
	return len(files), size.Load(), errors.Join(errs...)
}

func (m measure) String() string {
	return fmt.Sprintf("wall %s  cpu %s  rss %s", secs(m.wall), secs(m.cpu), mib(m.rss))
}

// median returns the run with the median wall time, its lo and hi the
// fastest and slowest, and walls every run's wall time in order.
func median(runs []measure) measure {
	ms := slices.Clone(runs)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].wall < ms[j].wall })
	m := ms[len(ms)/2]
	m.lo, m.hi = ms[0].wall, ms[len(ms)-1].wall
	m.walls = nil
	for _, r := range runs {
		m.walls = append(m.walls, r.wall)
	}
	return m
}

// measureOnce runs a child process and reads its cost from the kernel:
// wall time around Start/Wait, user+system time and ru_maxrss from its
// rusage.
func measureOnce(ctx context.Context, name string, args ...string) (measure, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return measure{}, err
		}
		return measure{}, fmt.Errorf("%v\n%s", err, tail(out.String(), 4000))
	}
	st := cmd.ProcessState
	return measure{wall: wall, cpu: st.UserTime() + st.SystemTime(), rss: peakRSS(st)}, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// findHugo resolves the -hugo flag.
func findHugo(flagValue string) string {
	switch flagValue {
	case "none":
		return ""
	case "":
		if p, err := exec.LookPath("hugo"); err == nil {
			return p
		}
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			home, _ := os.UserHomeDir()
			gopath = filepath.Join(home, "go")
		}
		if p := filepath.Join(gopath, "bin", "hugo"); fileExists(p) {
			return p
		}
		return ""
	}
	return flagValue
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// treeSize counts the files and bytes under dir.
func treeSize(dir string) (files int, size int64) {
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				files++
				size += info.Size()
			}
		}
		return nil
	})
	return files, size
}

// printTable prints the rows as a Markdown table, then the ratios the
// targets are stated in.
func printTable(w io.Writer, rows []row) {
	fmt.Fprintln(w, "| posts | tool | step | wall | runs' wall | CPU (user+sys) | peak RSS | output |")
	fmt.Fprintln(w, "|---:|---|---|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		outp := ""
		if r.files > 0 {
			outp = fmt.Sprintf("%d files, %s", r.files, mib(r.bytes))
		}
		spread := ""
		if r.m.lo != r.m.hi {
			spread = fmt.Sprintf("%.2f–%.2f s", r.m.lo.Seconds(), r.m.hi.Seconds())
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", r.posts, r.tool, r.step, secs(r.m.wall), spread, secs(r.m.cpu), mib(r.m.rss), outp)
	}
	find := func(n int, tool, step string) (measure, bool) {
		for _, r := range rows {
			if r.posts == n && r.tool == tool && r.step == step {
				return r.m, true
			}
		}
		return measure{}, false
	}
	var sizes []int
	for _, r := range rows {
		if len(sizes) == 0 || sizes[len(sizes)-1] != r.posts {
			sizes = append(sizes, r.posts)
		}
	}
	fmt.Fprintln(w)
	for _, n := range sizes {
		hb, ok := find(n, "hugo", "build")
		if !ok || hb.wall <= 0 || hb.rss <= 0 {
			continue
		}
		for _, step := range []string{"build", "build (warm)"} {
			if pb, ok := find(n, "peerpress", step); ok {
				fmt.Fprintf(w, "%d posts: peerpress %s (with check) / hugo: wall %.3f×, CPU %.3f×, peak RSS %.3f×\n",
					n, step, pb.wall.Seconds()/hb.wall.Seconds(), pb.cpu.Seconds()/hb.cpu.Seconds(), float64(pb.rss)/float64(hb.rss))
			}
		}
	}
	for i := 1; i < len(sizes); i++ {
		for _, step := range []string{"check", "build", "build (warm)"} {
			a, ok1 := find(sizes[i-1], "peerpress", step)
			b, ok2 := find(sizes[i], "peerpress", step)
			if ok1 && ok2 {
				fmt.Fprintf(w, "peerpress %s %d → %d posts (%.0f× the posts): wall %.2f× (%.2f–%.2f× between runs%s), CPU %.2f×, peak RSS %.2f×\n",
					step, sizes[i-1], sizes[i], float64(sizes[i])/float64(sizes[i-1]), b.wall.Seconds()/a.wall.Seconds(),
					b.lo.Seconds()/a.hi.Seconds(), b.hi.Seconds()/a.lo.Seconds(), paired(a.walls, b.walls),
					b.cpu.Seconds()/a.cpu.Seconds(), float64(b.rss)/float64(a.rss))
			}
		}
	}
}

// paired describes the ratios b[i]/a[i] of runs taken in the same round,
// "; in each round r1× r2× …, median m×", or "" for fewer than two rounds
// (or runs of the two sizes that do not pair up).
func paired(a, b []time.Duration) string {
	if len(a) < 2 || len(a) != len(b) {
		return ""
	}
	var rs []float64
	for i := range a {
		rs = append(rs, b[i].Seconds()/a[i].Seconds())
	}
	sorted := slices.Clone(rs)
	slices.Sort(sorted)
	var each []string
	for _, r := range rs {
		each = append(each, fmt.Sprintf("%.2f×", r))
	}
	return fmt.Sprintf("; in each round %s, median %.2f×", strings.Join(each, " "), sorted[len(sorted)/2])
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func mib(b int64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}
