package main

import (
	"bytes"
	"context"
	"os"
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
