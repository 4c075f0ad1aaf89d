package build

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/peerpress/peerpress/build/markdown"
)

// mdSamples are bodies that fill every field of a Result, and some that
// leave them empty.
var mdSamples = []string{
	"",
	"plain text",
	"Intro **bold**.\n\n<!--more-->\n\n## One\n\n### Two\n\n## Three\n\n![alt *text*](img.png \"t\")\n\n[a link](../other/) and [ref][r] and https://example.com\n\n[r]: /x\n\n```go\nfunc main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
	"<!--more-->\n\nnothing before the marker",
	"# Ünïcödé heading\n\n日本語の文章です。\n\n- [ ] task\n- [x] done\n\nfootnote[^1]\n\n[^1]: note\n",
}

// TestResultRoundTrip: a cached Result decodes to the one encoded, nil
// summaries and TOCs included; and a truncated or extended entry is refused.
func TestResultRoundTrip(t *testing.T) {
	eng := markdown.New(markdown.Options{TOCMinHeadings: -1})
	for _, src := range mdSamples {
		res, err := eng.Render([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		enc := encodeResult(res)
		got, err := decodeResult(enc)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if !reflect.DeepEqual(got, res) {
			t.Errorf("%q: decoded\n%#v\nwant\n%#v", src, got, res)
		}
		for _, bad := range [][]byte{enc[:len(enc)-1], append(enc[:len(enc):len(enc)], 0), enc[1:]} {
			if _, err := decodeResult(bad); err == nil {
				t.Errorf("%q: a damaged entry decoded", src)
			}
		}
	}
}

// FuzzDecodeResult: any bytes decode or fail without panicking, and what
// decodes encodes back to an entry that decodes the same.
func FuzzDecodeResult(f *testing.F) {
	eng := markdown.New(markdown.Options{})
	for _, src := range mdSamples {
		res, err := eng.Render([]byte(src))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encodeResult(res))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := decodeResult(b)
		if err != nil {
			return
		}
		again, err := decodeResult(encodeResult(res))
		if err != nil || !reflect.DeepEqual(again, res) {
			t.Fatalf("re-encoded entry: %v\n%#v\nwant\n%#v", err, again, res)
		}
	})
}

// TestMDKey: the key changes with the body, each Markdown option and the
// binary.
func TestMDKey(t *testing.T) {
	id := []byte("binary-1")
	base := mdKey(id, markdown.Options{}, []byte("body"))
	for name, k := range map[string][32]byte{
		"body":           mdKey(id, markdown.Options{}, []byte("body2")),
		"UnsafeHTML":     mdKey(id, markdown.Options{UnsafeHTML: true}, []byte("body")),
		"TOCMinHeadings": mdKey(id, markdown.Options{TOCMinHeadings: 2}, []byte("body")),
		"binary":         mdKey([]byte("binary-2"), markdown.Options{}, []byte("body")),
	} {
		if k == base {
			t.Errorf("the key does not change with the %s", name)
		}
	}
	if binaryID() == nil {
		t.Error("the test binary's hash could not be taken: the Markdown cache would be off")
	}
	// mdKey hashes the options field by field: a new field must be added
	// to it (or, like CodeCache, be shown not to change the HTML).
	if n := reflect.TypeOf(markdown.Options{}).NumField(); n != 3 {
		t.Errorf("markdown.Options has %d fields; mdKey knows UnsafeHTML, TOCMinHeadings and CodeCache", n)
	}
}

// TestDecodeResultBounds: a length that does not fit an int32 is refused
// on every platform (on 32-bit ones 1<<31 would turn negative).
func TestDecodeResultBounds(t *testing.T) {
	d := resultDecoder{b: binary.AppendUvarint(nil, 1<<31)}
	if d.num(); !d.bad {
		t.Error("a number of 1<<31 was read")
	}
	d = resultDecoder{b: binary.AppendUvarint(nil, 1<<31-1)}
	if v := d.num(); d.bad || v != 1<<31-1 {
		t.Errorf("1<<31-1 read as %d (bad %v)", v, d.bad)
	}
}
