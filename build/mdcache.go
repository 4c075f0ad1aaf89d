package build

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"sync"

	"github.com/peerpress/peerpress/build/markdown"
)

// Rendered Markdown is cached in the code cache's pack too: each post
// body's markdown.Result, keyed by the SHA-256 of the body, the Markdown
// options and the identity of the running peerpress binary. Render is a
// pure function of those (it keeps links as written), so an
// unchanged post is never parsed again; the binary's hash in the key means
// a peerpress built from other code, or a new goldmark, starts afresh
// instead of serving HTML an older renderer made. A post whose body comes
// from the cache does not use its code blocks, so they leave the pack; if
// it is edited, only its own blocks are highlighted again.

// mdCacheMagic starts every key's hashed input and every encoded entry.
const mdCacheMagic = "peerpress-md-1\n"

// binaryID is the SHA-256 of the running executable, or nil when it cannot
// be read (the Markdown cache is then off; code blocks are still cached).
// On Linux it reads /proc/self/exe, the running image even if the file was
// replaced since it started (os.Executable would name the new one); Build
// takes it when it opens the cache, before anything is rendered.
var binaryID = sync.OnceValue(func() []byte {
	f, err := os.Open("/proc/self/exe")
	if err != nil {
		exe, err := os.Executable()
		if err != nil {
			return nil
		}
		if f, err = os.Open(exe); err != nil {
			return nil
		}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil
	}
	return h.Sum(nil)
})

// mdKey is the cache key of body rendered under opts by the binary id.
func mdKey(id []byte, opts markdown.Options, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(mdCacheMagic))
	h.Write(id)
	var o []byte
	if opts.UnsafeHTML {
		o = append(o, 1)
	} else {
		o = append(o, 0)
	}
	o = binary.AppendVarint(o, int64(opts.TOCMinHeadings))
	h.Write(o)
	h.Write(body)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// renderMarkdown renders a post body, through the pack when there is one.
func (r *renderer) renderMarkdown(body []byte) (*markdown.Result, error) {
	pack, id := r.opts.pack, binaryID()
	if pack == nil || id == nil {
		return r.md.Render(body)
	}
	key := mdKey(id, r.mdOpts, body)
	if res, ok := r.packedMarkdown(key); ok {
		return res, nil
	}
	res, err := r.md.Render(body)
	if err != nil {
		return nil, err
	}
	pack.Put(key, encodeResult(res))
	return res, nil
}

// packedMarkdown returns the rendered body the pack holds under key, and
// keeps it for the next build.
func (r *renderer) packedMarkdown(key [sha256.Size]byte) (*markdown.Result, bool) {
	pack := r.opts.pack
	b, ok := pack.Get(key)
	if !ok {
		return nil, false
	}
	res, err := decodeResult(b)
	if err != nil {
		return nil, false
	}
	pack.Put(key, b)
	r.mdCached.Add(1)
	return res, true
}

// encodeResult serializes a Result: mdCacheMagic, then each field in
// order; strings as a uvarint length and the bytes, byte strings the same after
// a 1 (a nil one, which for SummaryHTML and TOC means "none", is a 0),
// numbers as uvarints, lists as a count and their elements.
func encodeResult(res *markdown.Result) []byte {
	n := len(mdCacheMagic) + len(res.HTML) + len(res.SummaryHTML) + len(res.SummaryText) + len(res.TOC) + 64
	b := make([]byte, 0, n)
	b = append(b, mdCacheMagic...)
	str := func(s []byte) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	opt := func(s []byte) {
		if s == nil {
			b = append(b, 0)
			return
		}
		b = append(b, 1)
		str(s)
	}
	num := func(v int) { b = binary.AppendUvarint(b, uint64(v)) }
	opt(res.HTML)
	opt(res.SummaryHTML)
	str([]byte(res.SummaryText))
	opt(res.TOC)
	num(len(res.Headings))
	for _, h := range res.Headings {
		num(h.Level)
		str([]byte(h.ID))
		str([]byte(h.Text))
	}
	num(res.Words)
	num(res.ReadingMinutes)
	num(len(res.Images))
	for _, im := range res.Images {
		str([]byte(im.Dest))
		str([]byte(im.Alt))
		num(im.Line)
	}
	num(len(res.Links))
	for _, l := range res.Links {
		str([]byte(l.Dest))
		num(l.Line)
	}
	return b
}

var errBadEntry = errors.New("bad markdown cache entry")

// decodeResult reverses encodeResult; the byte fields share b.
func decodeResult(b []byte) (*markdown.Result, error) {
	d := resultDecoder{b: b}
	if len(b) < len(mdCacheMagic) || string(b[:len(mdCacheMagic)]) != mdCacheMagic {
		return nil, errBadEntry
	}
	d.b = b[len(mdCacheMagic):]
	res := &markdown.Result{}
	res.HTML = d.opt()
	res.SummaryHTML = d.opt()
	res.SummaryText = string(d.bytes())
	res.TOC = d.opt()
	if n := d.count(); n > 0 {
		res.Headings = make([]markdown.Heading, n)
		for i := range res.Headings {
			res.Headings[i] = markdown.Heading{Level: d.num(), ID: string(d.bytes()), Text: string(d.bytes())}
		}
	}
	res.Words = d.num()
	res.ReadingMinutes = d.num()
	if n := d.count(); n > 0 {
		res.Images = make([]markdown.Image, n)
		for i := range res.Images {
			res.Images[i] = markdown.Image{Dest: string(d.bytes()), Alt: string(d.bytes()), Line: d.num()}
		}
	}
	if n := d.count(); n > 0 {
		res.Links = make([]markdown.Link, n)
		for i := range res.Links {
			res.Links[i] = markdown.Link{Dest: string(d.bytes()), Line: d.num()}
		}
	}
	if d.bad || len(d.b) != 0 {
		return nil, errBadEntry
	}
	return res, nil
}

// resultDecoder reads encodeResult's fields; a short or malformed entry
// sets bad and yields zero values from then on.
type resultDecoder struct {
	b   []byte
	bad bool
}

func (d *resultDecoder) num() int {
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > math.MaxInt32 { // an int on every platform
		d.bad, d.b = true, nil
		return 0
	}
	d.b = d.b[n:]
	return int(v)
}

// count reads a list length, which cannot exceed the bytes left (every
// element takes at least one).
func (d *resultDecoder) count() int {
	n := d.num()
	if n > len(d.b) {
		d.bad, d.b = true, nil
		return 0
	}
	return n
}

func (d *resultDecoder) bytes() []byte {
	n := d.num()
	if n > len(d.b) {
		d.bad, d.b = true, nil
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *resultDecoder) opt() []byte {
	if len(d.b) == 0 {
		d.bad = true
		return nil
	}
	present := d.b[0]
	d.b = d.b[1:]
	switch present {
	case 0:
		return nil
	case 1:
		if s := d.bytes(); s != nil {
			return s
		}
		return []byte{}
	}
	d.bad, d.b = true, nil
	return nil
}
