package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
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

// TestMeasureOnce runs this test binary as a child that allocates and
// touches 64 MiB and burns CPU, and checks the measurement sees both.
func TestMeasureOnce(t *testing.T) {
	if os.Getenv("PEERPRESS_BENCH_CHILD") != "" {
		b := make([]byte, 64<<20)
		for i := range b {
			b[i] = byte(i)
		}
		for start := time.Now(); time.Since(start) < 200*time.Millisecond; {
		}
		os.Exit(int(b[len(b)-1]) & 0) // keep b alive
	}
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("peak RSS is read from getrusage on Linux and macOS only")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PEERPRESS_BENCH_CHILD", "1")
	m, err := measureOnce(context.Background(), exe, "-test.run=^TestMeasureOnce$")
	if err != nil {
		t.Fatal(err)
	}
	if m.rss < 64<<20 || m.rss > 1<<30 {
		t.Errorf("peak RSS %d bytes; the child touched 64 MiB", m.rss)
	}
	if m.cpu < 150*time.Millisecond || m.wall < m.cpu/2 {
		t.Errorf("cpu %v, wall %v; the child spun for 200ms", m.cpu, m.wall)
	}
	if _, err := measureOnce(context.Background(), exe, "-test.run=^TestNoSuchTest$", "-test.bogusflag"); err == nil {
		t.Error("a failing child was not reported")
	}
}

func TestPrintTable(t *testing.T) {
	rows := []row{
		{posts: 1000, tool: "peerpress", step: "check", m: measure{wall: time.Second / 5, cpu: time.Second / 3, rss: 50 << 20}},
		{posts: 1000, tool: "peerpress", step: "build", m: measure{wall: 2 * time.Second, cpu: 3 * time.Second, rss: 200 << 20}, files: 2500, bytes: 90 << 20},
		{posts: 1000, tool: "hugo", step: "build", m: measure{wall: 4 * time.Second, cpu: 8 * time.Second, rss: 800 << 20}, files: 1600, bytes: 95 << 20},
		{posts: 10000, tool: "peerpress", step: "build", m: measure{wall: 20 * time.Second, cpu: 30 * time.Second, rss: 1 << 30}},
	}
	var b bytes.Buffer
	printTable(&b, rows)
	out := b.String()
	for _, want := range []string{
		"| 1000 | peerpress | build | 2.00 s | 3.00 s | 200 MiB | 2500 files, 90 MiB |",
		"| 10000 | peerpress | build | 20.00 s | 30.00 s | 1.00 GiB |  |",
		"1000 posts: peerpress build (with check) / hugo: wall 0.500×, CPU 0.375×, peak RSS 0.250×",
		"peerpress build 1000 → 10000 posts (10× the posts): wall 10.00×, peak RSS 5.12×",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
