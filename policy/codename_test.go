package policy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

func TestAddCodename(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "policy", "codenames.sha256")
	if added, err := AddCodename(file, "Project  Falcon"); err != nil || !added {
		t.Fatal(err)
	}
	if added, err := AddCodename(file, "Osprey"); err != nil || !added {
		t.Fatal(err)
	}
	if added, err := AddCodename(file, "project falcon"); err != nil || added { // already there
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(strings.ToLower(text), "falcon") || strings.Contains(strings.ToLower(text), "osprey") {
		t.Fatalf("codename stored in plain text:\n%s", text)
	}
	if strings.Count(text, "salt:") != 1 {
		t.Errorf("want one salt:\n%s", text)
	}
	set, salt, perr := parseCodenames("c", data)
	if perr != nil || len(set) != 2 || salt == "" {
		t.Fatalf("parse: %v, %d hashes, salt %q", perr, len(set), salt)
	}
	if !set[codenameHash(salt, "project falcon")] || !set[codenameHash(salt, "osprey")] {
		t.Error("hashes do not match sha256(salt + \"\\n\" + name)")
	}

	// A file with comments but no salt yet gets one; a file with hashes but
	// no salt is refused.
	bare := filepath.Join(dir, "bare.sha256")
	os.WriteFile(bare, []byte("# codenames\n"), 0o644)
	if _, err := AddCodename(bare, "Heron"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(bare); !strings.HasPrefix(string(b), "# codenames\nsalt: ") {
		t.Errorf("salt not added:\n%s", b)
	}
	broken := filepath.Join(dir, "broken.sha256")
	os.WriteFile(broken, []byte(strings.Repeat("ab", 32)+"\n"), 0o644)
	if _, err := AddCodename(broken, "Heron"); err == nil {
		t.Error("hashes without salt accepted")
	}
	for _, bad := range []string{"", "  ", "one two three four", "---", strings.Repeat("x", 70), "Tower of London", "The Hive"} {
		if _, err := AddCodename(file, bad); err == nil {
			t.Errorf("AddCodename(%q) succeeded", bad)
		}
	}

	// The added codenames are found in posts, however they are written.
	fsys := baseFS(t)
	fsys["policy/codenames.sha256"] = &fstest.MapFile{Data: data}
	fsys["content/posts/a.md"] = &fstest.MapFile{Data: []byte("---\ntitle: T\ndate: 2026-10-01\nsummary: S\nauthors: [ana]\nreviewed_by: [ben, cy]\naudience: public\n---\nThe project-falcon rig and OSPREY.\n")}
	p, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rep := p.Check(context.Background(), fsys, []*Post{{Path: "content/posts/a.md"}}, Options{Now: defaultNow})
	var got []string
	for _, f := range rep.Findings {
		got = append(got, fmt.Sprintf("%s@%d:%d", f.Rule, f.Line, f.Column))
		if strings.Contains(strings.ToLower(f.Message), "falcon") || strings.Contains(strings.ToLower(f.Message), "osprey") {
			t.Errorf("message reveals the codename: %s", f.Message)
		}
	}
	if strings.Join(got, " ") != "terms.codename@9:5 terms.codename@9:28" {
		t.Errorf("findings = %v", got)
	}

	// "Osprey Nest" and "Osprey" both listed: one finding where both start.
	if added, err := AddCodename(file, "Osprey Nest"); err != nil || !added {
		t.Fatal(added, err)
	}
	data, _ = os.ReadFile(file)
	fsys["policy/codenames.sha256"] = &fstest.MapFile{Data: data}
	fsys["content/posts/a.md"] = &fstest.MapFile{Data: []byte("---\ntitle: T\ndate: 2026-10-01\nsummary: S\nauthors: [ana]\nreviewed_by: [ben, cy]\naudience: public\n---\nThe OSPREY NEST rig, and osprey.\n")}
	if p, err = Load(fsys); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, f := range p.Check(context.Background(), fsys, []*Post{{Path: "content/posts/a.md"}}, Options{Now: defaultNow}).Findings {
		got = append(got, fmt.Sprintf("%s@%d:%d", f.Rule, f.Line, f.Column))
	}
	if strings.Join(got, " ") != "terms.codename@9:5 terms.codename@9:26" {
		t.Errorf("findings = %v", got)
	}
}

// FuzzFoldTokenize checks the one-pass folder and tokenizer against its
// definition: fold, then maximal runs of word runes (a rune counts when it
// or its lower case is a word rune), each hashed with hashWord and joined
// to the previous word when joinable says so.
func FuzzFoldTokenize(f *testing.F) {
	for _, s := range []string{"Acme Metals", "Ünïcödé-Straße İstanbul ǅ", "a\u00a0b\n\nc--d *e* _f_", "x1 y_2 Z", "\xff\xfeA"} {
		f.Add(s)
	}
	const seed = 12345
	f.Fuzz(func(t *testing.T, s string) {
		src := []byte(s)
		lower, toks := foldTokenize(nil, nil, src, seed)
		want := fold(nil, src)
		if string(lower) != string(want) {
			t.Fatalf("folded %q, want %q", lower, want)
		}
		var ref []token
		prevEnd, start := -1, -1
		flush := func(i int) {
			if start >= 0 {
				ref = append(ref, token{start: int32(start), end: int32(i), h: hashWord(seed, string(want[start:i])), joined: prevEnd >= 0 && joinable(want[prevEnd:start])})
				prevEnd, start = i, -1
			}
		}
		for i := 0; i < len(src); {
			r, n := utf8.DecodeRune(src[i:])
			if isWordRune(r) || isWordRune(unicode.ToLower(r)) {
				if start < 0 {
					start = i
				}
			} else {
				flush(i)
			}
			i += n
		}
		flush(len(src))
		if len(ref) != len(toks) {
			t.Fatalf("%d tokens, want %d: %+v vs %+v", len(toks), len(ref), toks, ref)
		}
		for i := range ref {
			if toks[i] != ref[i] {
				t.Fatalf("token %d = %+v, want %+v", i, toks[i], ref[i])
			}
		}
	})
}

// TestWordHash checks that every byte and the length of a word reach its
// hash: changing any byte of words up to 40 bytes long, or appending a
// zero byte, changes the hash.
func TestWordHash(t *testing.T) {
	const seed = 99
	seen := map[uint64]string{}
	for n := 0; n <= 40; n++ {
		w := make([]byte, n)
		for i := range w {
			w[i] = 'a' + byte(i%26)
		}
		h := wordHash(seed, w)
		if prev, ok := seen[h]; ok {
			t.Fatalf("%q and %q hash alike", w, prev)
		}
		seen[h] = string(w)
		for i := range w {
			v := append([]byte(nil), w...)
			v[i] ^= 0x01
			if wordHash(seed, v) == h {
				t.Errorf("flipping byte %d of %q leaves the hash", i, w)
			}
		}
		if wordHash(seed, append(append([]byte(nil), w...), 0)) == h {
			t.Errorf("%q and %q+NUL hash alike", w, w)
		}
		if wordHash(seed+1, w) == h {
			t.Errorf("the seed does not reach the hash of %q", w)
		}
	}
}
