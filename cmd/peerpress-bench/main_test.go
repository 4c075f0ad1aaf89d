package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGen(t *testing.T) {
	for _, tt := range []struct {
		flag, file string
	}{{"", "site.yaml"}, {"-hugo", "hugo.toml"}} {
		dir := t.TempDir()
		args := []string{"gen", "-n", "12", "-out", dir}
		if tt.flag != "" {
			args = append(args, tt.flag)
		}
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		if _, err := os.Stat(filepath.Join(dir, tt.file)); err != nil {
			t.Error(err)
		}
		posts, _ := filepath.Glob(filepath.Join(dir, "content", "posts", "*.md"))
		if len(posts) != 12 {
			t.Errorf("%v: %d posts", args, len(posts))
		}
	}
	var errb bytes.Buffer
	if code := run(context.Background(), []string{"gen", "-n", "3"}, &bytes.Buffer{}, &errb); code != 2 {
		t.Errorf("gen without -out: exit %d, want 2", code)
	}
}

func TestPrintTable(t *testing.T) {
	rows := []row{
		{posts: 1000, tool: "peerpress", step: "check", m: measure{wall: time.Second / 5, cpu: time.Second / 3, rss: 50 << 20}},
		{posts: 1000, tool: "peerpress", step: "build", m: measure{wall: 2 * time.Second, cpu: 3 * time.Second, rss: 200 << 20}, files: 2500, bytes: 90 << 20},
		{posts: 1000, tool: "peerpress", step: "build (warm)", m: measure{wall: time.Second, cpu: 2 * time.Second, rss: 200 << 20}, files: 2500, bytes: 90 << 20},
		{posts: 1000, tool: "hugo", step: "build", m: measure{wall: 4 * time.Second, cpu: 8 * time.Second, rss: 800 << 20}, files: 1600, bytes: 95 << 20},
		{posts: 10000, tool: "peerpress", step: "build", m: measure{wall: 20 * time.Second, cpu: 30 * time.Second, rss: 1 << 30, lo: 18 * time.Second, hi: 25 * time.Second}},
	}
	for i := range rows[:4] {
		rows[i].m.lo, rows[i].m.hi = rows[i].m.wall, rows[i].m.wall
	}
	rows[1].m.lo, rows[1].m.hi = time.Second, 3*time.Second
	var b bytes.Buffer
	printTable(&b, rows)
	out := b.String()
	for _, want := range []string{
		"| 1000 | peerpress | build | 2.00 s | 1.00–3.00 s | 3.00 s | 200 MiB | 2500 files, 90 MiB |",
		"| 1000 | peerpress | build (warm) | 1.00 s |  | 2.00 s | 200 MiB | 2500 files, 90 MiB |",
		"| 10000 | peerpress | build | 20.00 s | 18.00–25.00 s | 30.00 s | 1.00 GiB |  |",
		"1000 posts: peerpress build (with check) / hugo: wall 0.500×, CPU 0.375×, peak RSS 0.250×",
		"1000 posts: peerpress build (warm) (with check) / hugo: wall 0.250×, CPU 0.250×, peak RSS 0.250×",
		"peerpress build 1000 → 10000 posts (10× the posts): wall 10.00× (6.00–25.00× between runs), CPU 10.00×, peak RSS 5.12×",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// TestGenRefusesNonEmpty: writing a corpus over an older one would leave
// its extra posts behind, so gen wants a new or empty directory.
func TestGenRefusesNonEmpty(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"gen", "-n", "3", "-out", dir}, &out, &errb); code != 0 {
		t.Fatalf("gen into a new directory: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"gen", "-n", "2", "-out", dir}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "not empty") {
		t.Errorf("gen into a non-empty directory: exit %d, %q; want 2 and a message", code, errb.String())
	}
	posts, _ := os.ReadDir(filepath.Join(dir, "content", "posts"))
	if len(posts) != 3 {
		t.Errorf("%d posts after the refused gen, want the first corpus's 3", len(posts))
	}
}

// TestSettle: settle moves the paths aside (nothing deleted) and reads
// every regular file of the site.
func TestSettle(t *testing.T) {
	work, site := t.TempDir(), t.TempDir()
	out := filepath.Join(work, "public")
	files := map[string]string{
		filepath.Join(out, "index.html"):                  "x",
		filepath.Join(site, "content", "posts", "a.md"):   "hello",
		filepath.Join(site, "content", "posts", "b", "c"): strings.Repeat("y", 100000),
		filepath.Join(site, "site.yaml"):                  "z",
	}
	for p, data := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(site, "missing"), filepath.Join(site, "link")); err != nil {
		t.Fatal(err)
	}
	n, size, err := settle(work, site, out, filepath.Join(work, "absent"))
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || size != 5+100000+1 {
		t.Errorf("settle read %d files, %d bytes; want 3, 100006", n, size)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", out, err)
	}
	moved, _ := filepath.Glob(filepath.Join(work, "used-*", "public", "index.html"))
	if len(moved) != 1 {
		t.Errorf("output not moved aside: %v", moved)
	}
}

// TestPrintTablePaired: with several runs, each size ratio also gives the
// ratio within each round (run i of one size against run i of the other)
// and their median.
func TestPrintTablePaired(t *testing.T) {
	s := func(secs ...float64) []measure {
		var ms []measure
		for _, x := range secs {
			ms = append(ms, measure{wall: time.Duration(x * float64(time.Second)), cpu: time.Second, rss: 1 << 20})
		}
		return ms
	}
	small := row{posts: 10, tool: "peerpress", step: "build (warm)", runs: s(4, 5, 4.5)}
	big := row{posts: 100, tool: "peerpress", step: "build (warm)", runs: s(38, 52, 45)}
	small.m, big.m = median(small.runs), median(big.runs)
	var b bytes.Buffer
	printTable(&b, []row{small, big})
	// Medians 4.5 and 45 s: 10.00×; between any runs 38/5 to 52/4; in
	// each round 38/4, 52/5, 45/4.5.
	want := "peerpress build (warm) 10 → 100 posts (10× the posts): wall 10.00× (7.60–13.00× between runs; in each round 9.50× 10.40× 10.00×, median 10.00×), CPU 1.00×, peak RSS 1.00×"
	if !strings.Contains(b.String(), want) {
		t.Errorf("missing %q in\n%s", want, b.String())
	}
	if got := small.m.walls; len(got) != 3 || got[0] != 4*time.Second || got[1] != 5*time.Second {
		t.Errorf("median's walls = %v, want the runs in their order", got)
	}
}

// TestRunRounds drives `run` on two tiny sizes with two runs: each round
// runs every step of every size once, in turn, and each size keeps its
// own build cache (the warm build takes its bodies from it).
func TestRunRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds peerpress")
	}
	t.Setenv("PEERPRESS_CACHE_DIR", "") // run sets it; restored after the test
	dir := t.TempDir()
	bin := filepath.Join(dir, "peerpress")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/peerpress/peerpress/cmd/peerpress").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	code := runBench(context.Background(), []string{"-sizes", "3,6", "-runs", "2", "-hugo", "none", "-peerpress", bin, "-dir", dir, "-keep"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	var steps []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "round" || f[0] == "peerpress") {
			steps = append(steps, strings.Join(f[:2], " ")+map[bool]string{true: " (warm)"}[strings.Contains(line, "(warm)")])
		}
	}
	want := strings.Repeat("peerpress check|peerpress build|peerpress build (warm)|", 2)
	if got := strings.Join(steps, "|"); got != "round 1|"+want+"round 2|"+want[:len(want)-1] {
		t.Errorf("steps in the order\n%s\nwant two rounds of both sizes' steps", strings.ReplaceAll(got, "|", "\n"))
	}
	for _, n := range []string{"3", "6"} {
		if packs, _ := filepath.Glob(filepath.Join(dir, "peerpress-bench-*", "code-cache-"+n, "*.pack")); len(packs) != 1 {
			t.Errorf("size %s: build cache packs %v, want one in its own directory", n, packs)
		}
	}
	for _, want := range []string{"| 3 | peerpress | build (warm) |", "| 6 | peerpress | build (warm) |", "peerpress build (warm) 3 → 6 posts (2× the posts)", "in each round"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("missing %q in\n%s", want, stdout.String())
		}
	}
}
