package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/build/markdown"
)

func key(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

// TestCodePack: a pack holds what the last build put, survives reopening,
// and loses what the next build did not use; a damaged entry or file reads
// as a miss; an aborted build keeps the old pack.
func TestCodePack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache", "code.pack")
	c := mustPack(t, path)
	if c == nil {
		t.Fatal("no pack")
	}
	if _, ok := c.Get(key("a")); ok {
		t.Fatal("an empty cache had an entry")
	}
	c.Put(key("a"), []byte("<pre>a</pre>"))
	c.Put(key("b"), []byte("<pre>b</pre>"))
	c.Put(key("a"), []byte("<pre>a</pre>"))
	newEntries, err := c.tmp.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.commit(); err != nil {
		t.Fatal(err)
	}
	// The first pack is the file of new entries itself, not a copy.
	if st, err := os.Stat(path); err != nil || !os.SameFile(st, newEntries) {
		t.Errorf("the first pack is not the file the build wrote its entries to (%v)", err)
	}

	c = mustPack(t, path)
	if b, ok := c.Get(key("a")); !ok || string(b) != "<pre>a</pre>" {
		t.Fatalf("Get(a) = %q, %v", b, ok)
	}
	c.Put(key("a"), []byte("<pre>a</pre>")) // a is used again, b is not
	c.Put(key("c"), []byte("<pre>c</pre>"))
	if err := c.commit(); err != nil {
		t.Fatal(err)
	}
	c = mustPack(t, path)
	for k, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if _, ok := c.Get(key(k)); ok != want {
			t.Errorf("after the second build, Get(%s) found = %v, want %v", k, ok, want)
		}
	}
	// That build appended c (b, unused, is half the old entries or less):
	// b's bytes are still in the file, outside the index.
	if data, _ := os.ReadFile(path); !bytes.Contains(data, []byte("<pre>b</pre>")) {
		t.Error("the second build rewrote the pack instead of appending to it")
	}
	c.abort()
	// An aborted build leaves the pack as it was.
	c = mustPack(t, path)
	c.Get(key("a"))
	c.Get(key("c"))
	c.Put(key("d"), []byte("<pre>d</pre>"))
	c.abort()
	c = mustPack(t, path)
	if _, ok := c.Get(key("d")); ok {
		t.Error("an aborted build's block was kept")
	}
	if _, ok := c.Get(key("c")); !ok {
		t.Error("an aborted build lost the pack")
	}
	c.abort()
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("temporary packs left behind: %v", ents)
	}

	// One flipped byte in an entry: that entry misses, the others hit.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("<pre>c"))
	bad := bytes.Clone(data)
	bad[i+5] = 'x'
	os.WriteFile(path, bad, 0o644)
	c = mustPack(t, path)
	if _, ok := c.Get(key("c")); ok {
		t.Error("a damaged entry was returned")
	}
	if _, ok := c.Get(key("a")); !ok {
		t.Error("an intact entry beside a damaged one was lost")
	}
	c.abort()
	// The damaged entry, put again by the build that missed it, is
	// written afresh rather than kept; and with a, b and the damaged c
	// unused or replaced, most of the file is garbage: the pack is written
	// anew, without them.
	c = mustPack(t, path)
	c.Get(key("c"))
	c.Put(key("c"), []byte("<pre>c</pre>"))
	if err := c.commit(); err != nil {
		t.Fatal(err)
	}
	c = mustPack(t, path)
	if b, ok := c.Get(key("c")); !ok || string(b) != "<pre>c</pre>" {
		t.Errorf("the damaged entry put again reads back %q, %v", b, ok)
	}
	c.abort()
	if data, _ := os.ReadFile(path); bytes.Contains(data, []byte("<pre>a</pre>")) || bytes.Contains(data, []byte("<pre>b</pre>")) {
		t.Errorf("a pack of mostly unused entries was not written anew:\n%q", data)
	}
	// A truncated file, or something else entirely, is an empty cache.
	for _, junk := range [][]byte{data[:len(data)-3], []byte("not a pack at all, but long enough"), nil} {
		os.WriteFile(path, junk, 0o644)
		c = mustPack(t, path)
		if len(c.index) != 0 {
			t.Errorf("%d entries read from %q", len(c.index), junk)
		}
		c.abort()
	}
}

// TestCodePackRemovedDuringBuild: a pack deleted while a build ran is
// written afresh at commit, with the entries the build used.
func TestCodePackRemovedDuringBuild(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.pack")
	seedPack(t, path, "x")
	c := mustPack(t, path)
	b, ok := c.Get(key("x"))
	if !ok {
		t.Fatal("x not read back")
	}
	c.Put(key("x"), b)
	c.Put(key("y"), []byte("<pre>y</pre>"))
	os.Remove(path)
	if err := c.commit(); err != nil {
		t.Fatalf("commit after the pack was removed: %v", err)
	}
	c = mustPack(t, path)
	defer c.abort()
	for _, n := range []string{"x", "y"} {
		if got, ok := c.Get(key(n)); !ok || string(got) != "<pre>"+n+"</pre>" {
			t.Errorf("Get(%s) = %q, %v", n, got, ok)
		}
	}
}

// TestCodePackOverlappingBuilds: builds that overlap keep the pack
// readable. B opens; A opens, adds a1 and appends; C opens after and keeps
// a1; B commits (the pack changed since it read it: it rewrites); C
// commits (the pack is no longer the file it read: it rewrites too). The
// next build reads x and a1 whole.
func TestCodePackOverlappingBuilds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.pack")
	seedPack(t, path, "x")
	use := func(c *codePack, names ...string) {
		for _, n := range names {
			b, ok := c.Get(key(n))
			if !ok {
				b = []byte("<pre>" + n + "</pre>")
			}
			c.Put(key(n), b)
		}
	}
	b := mustPack(t, path)
	a := mustPack(t, path)
	use(a, "x", "a1")
	if err := a.commit(); err != nil {
		t.Fatal(err)
	}
	cc := mustPack(t, path)
	if _, ok := cc.Get(key("a1")); !ok {
		t.Fatal("a1 was not appended")
	}
	use(cc, "x", "a1")
	use(b, "x", "b1-longer-than-a1")
	if err := b.commit(); err != nil {
		t.Fatal(err)
	}
	if err := cc.commit(); err != nil {
		t.Fatal(err)
	}
	d := mustPack(t, path)
	defer d.abort()
	for _, n := range []string{"x", "a1"} {
		if got, ok := d.Get(key(n)); !ok || string(got) != "<pre>"+n+"</pre>" {
			t.Errorf("after overlapping builds, Get(%s) = %q, %v", n, got, ok)
		}
	}
}

// TestBuildCodeCache: builds with a cold, a warm and a damaged cache write
// the same tree as a build without one, and a warm build takes its code
// blocks from the cache rather than from chroma.
func TestBuildCodeCache(t *testing.T) {
	site := loadSite(t, "blog")
	tmp := t.TempDir()
	pack := filepath.Join(tmp, "code.pack")
	build := func(name, cache string) ([]byte, Stats) {
		t.Helper()
		dir := filepath.Join(tmp, name)
		res, err := Build(context.Background(), Options{Site: site, Now: testNow, CodeCache: cache}, dir)
		if err != nil {
			t.Fatal(err)
		}
		return readTree(t, dir), res.Stats
	}
	want, _ := build("none", "")
	got, st := build("cold", pack)
	if !bytes.Equal(got, want) {
		t.Error("a build with a cold cache differs from one without")
	}
	if st.MarkdownCached != 0 {
		t.Errorf("a cold build took %d bodies from the cache", st.MarkdownCached)
	}
	coldPack, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	got, st = build("warm", pack)
	if !bytes.Equal(got, want) {
		t.Error("a build with a warm cache differs from one without")
	}
	if st.MarkdownCached == 0 || st.MarkdownCached != st.Posts {
		t.Errorf("a warm build took %d of %d bodies from the cache", st.MarkdownCached, st.Posts)
	}
	code := []byte(`<pre class="chroma"`)
	if !bytes.Contains(coldPack, code) {
		t.Fatalf("the pack holds no highlighted block:\n%.300s", coldPack)
	}

	// Damage every entry with code in it: each misses, goldmark and chroma
	// run, the tree is the same.
	os.WriteFile(pack, bytes.ReplaceAll(coldPack, code, []byte(`<pre class="CHROMA"`)), 0o644)
	warm := st.MarkdownCached
	if got, st := build("damaged", pack); !bytes.Equal(got, want) {
		t.Error("a build with a damaged cache differs from one without")
	} else if st.MarkdownCached >= warm {
		t.Errorf("a build with damaged entries took all %d bodies from the cache", st.MarkdownCached)
	}

	// Packs whose entries are valid but say something else prove that a
	// warm build reads them: rewrite the entries, CRC and all. First the
	// code blocks alone (the bodies dropped, so each is rendered), then the
	// rendered bodies.
	os.WriteFile(pack, coldPack, 0o644)
	c := mustPack(t, pack)
	codeOnly := mustPack(t, pack+".code")
	bodies := mustPack(t, pack+".bodies")
	for k := range c.index {
		b, ok := c.Get(k)
		if !ok {
			t.Fatal("entry unreadable")
		}
		if res, err := decodeResult(b); err == nil {
			res.HTML = append(res.HTML, "<!--body from cache-->"...)
			bodies.Put(k, encodeResult(res))
			continue
		}
		codeOnly.Put(k, bytes.ReplaceAll(b, code, []byte(`<pre class="chroma from-cache"`)))
	}
	c.abort()
	for _, p := range []*codePack{codeOnly, bodies} {
		if err := p.commit(); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := build("code", pack+".code"); !bytes.Contains(got, []byte("from-cache")) {
		t.Error("a warm build did not take its code blocks from the cache")
	}
	if got, _ := build("bodies", pack+".bodies"); !bytes.Contains(got, []byte("<!--body from cache-->")) {
		t.Error("a warm build did not take its rendered bodies from the cache")
	}
	// The key keeps the language and the code apart (the highlighter's
	// version is in it too: markdown's TestCodeVersionTracksOutput).
	if markdown.CodeKey([]byte("go"), []byte("x")) == markdown.CodeKey([]byte("g"), []byte("ox")) {
		t.Error("language and code run together in the key")
	}
}

// TestCodePackStaleTemps: a next pack left by a killed build is removed by
// a later build once it is old; one that may belong to a running build is
// not.
func TestCodePackStaleTemps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.pack")
	old, fresh := path+".new-111", path+".new-222"
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * stalePack)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	c := mustPack(t, path)
	c.abort()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a stale next pack survived: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a recent next pack (perhaps a running build's) was removed: %v", err)
	}
}

// seedPack writes a pack at path holding "<pre>NAME</pre>" for each name.
func seedPack(t *testing.T, path string, names ...string) {
	t.Helper()
	c := mustPack(t, path)
	for _, n := range names {
		c.Put(key(n), []byte("<pre>"+n+"</pre>"))
	}
	if err := c.commit(); err != nil {
		t.Fatal(err)
	}
}

func mustPack(t *testing.T, path string) *codePack {
	t.Helper()
	c, err := openCodePack(path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBuildCodeCacheUnwritable: a cache that cannot be written leaves the
// build whole and says why.
func TestBuildCodeCacheUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	res, err := Build(context.Background(), Options{Site: loadSite(t, "blog"), Now: testNow, CodeCache: filepath.Join(file, "code.pack")}, filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CacheErr == nil || !strings.Contains(res.CacheErr.Error(), "code cache") {
		t.Errorf("CacheErr = %v, want why the cache was not used", res.CacheErr)
	}
}

// TestBuildScanCache: a warm build takes the policy scanner's hits on post
// bodies from the pack and reports what a cold one does; a term added to
// the policy is found in a body the pack has hits for (the policy files
// are in the key), and so is one added to the body.
func TestBuildScanCache(t *testing.T) {
	site := loadSite(t, "blog")
	pack := filepath.Join(t.TempDir(), "code.pack")
	build := func(site fstest.MapFS) (*Result, error) {
		t.Helper()
		return Build(context.Background(), Options{Site: site, Now: testNow, CodeCache: pack}, filepath.Join(t.TempDir(), "out"))
	}
	cold, err := build(site)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := build(site)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(warm.Report.Findings, cold.Report.Findings) {
		t.Errorf("warm findings %v, cold %v", warm.Report.Findings, cold.Report.Findings)
	}
	c := mustPack(t, pack)
	scans := 0
	for k := range c.index {
		if b, _ := c.Get(k); bytes.HasPrefix(b, []byte("peerpress-scan-1\n")) {
			scans++
		}
	}
	c.abort()
	if scans == 0 {
		t.Fatal("the pack holds no scanner hits")
	}

	changed := fstest.MapFS{}
	for k, v := range site {
		changed[k] = v
	}
	d := string(site["policy/disclosure.yaml"].Data)
	changed["policy/disclosure.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(d, `confidential: ["confidential"]`, `confidential: ["confidential", "thermocouple", "measure first"]`, 1))}
	rep, err := build(changed)
	if err == nil {
		t.Fatal("a term added to the policy was not found with a warm cache")
	}
	var lines []int
	for _, f := range rep.Report.Findings {
		if f.Rule == "terms.confidential" && f.File == "content/posts/hello.md" {
			lines = append(lines, f.Line)
		}
	}
	// "thermocouple" in the summary (line 4, never cached), "Measure
	// first" in the body (line 12).
	if !reflect.DeepEqual(lines, []int{4, 12}) {
		t.Errorf("terms.confidential in hello.md on lines %v, want [4 12]", lines)
	}
	changed["policy/disclosure.yaml"] = site["policy/disclosure.yaml"]
	changed["content/posts/hello.md"] = &fstest.MapFile{Data: bytes.Replace(site["content/posts/hello.md"].Data, []byte("Done."), []byte("Done. Confidential."), 1)}
	rep, err = build(changed)
	found := false
	for _, f := range rep.Report.Findings {
		found = found || f.Rule == "terms.confidential" && f.File == "content/posts/hello.md" && f.Line == 28
	}
	if err == nil || !found {
		t.Errorf("a marker added to a body (hello.md:28) was not found with a warm cache: %v", err)
	}
}
