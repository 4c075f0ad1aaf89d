package policy

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/tools/txtar"
)

// A case is a txtar mini-site. Its comment holds options, one per line:
//
//	base: none          do not start from testdata/base/site.txtar
//	now: 2026-11-01     the clock (default 2026-11-01)
//	changed: a.md b.md  Options.Changed accepts only these paths
//	post-url            Options.PostURL = https://blog.example/posts/<slug>/
//	strip-images        Options.StripImages
//	hashtags: a b       Options.Hashtags
//	reviewed: PATH=a,b  Options.Reviewed evidence for PATH
//
// Files named render/<post path>/page.html, feedN.html and share.<platform>
// are what the build rendered for that post (CheckRendered); files under
// out/ are the output of a public build (CheckLeaks, with the case's
// internal posts). A file whose content is "#image jpeg gps" (jpeg, png or
// webp; gps or nogps) is replaced by a generated image. The file "want"
// lists the expected findings, one per line:
//
//	path:line:col: severity rule [waived=ID]
type testCase struct {
	name     string
	fsys     fstest.MapFS
	opts     Options
	want     []string
	rendered map[string]*Rendered
	outputs  []Artifact
}

var defaultNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func readCase(t testing.TB, file string) *testCase {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCase{name: strings.TrimSuffix(filepath.Base(file), ".txtar"), fsys: fstest.MapFS{}, rendered: map[string]*Rendered{}}
	tc.opts.Now = defaultNow
	useBase := true
	reviewed := map[string][]string{}
	for _, l := range strings.Split(string(ar.Comment), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(l), ":")
		v = strings.TrimSpace(v)
		switch k {
		case "base":
			useBase = v != "none"
		case "now":
			tm, err := time.Parse(time.DateOnly, v)
			if err != nil {
				t.Fatalf("%s: now: %v", file, err)
			}
			tc.opts.Now = tm
		case "changed":
			set := map[string]bool{}
			for _, f := range strings.Fields(v) {
				set[f] = true
			}
			tc.opts.Changed = func(p string) bool { return set[p] }
		case "post-url":
			tc.opts.PostURL = func(p *Post) string { return "https://blog.example/posts/" + postSlug(p) + "/" }
		case "strip-images":
			tc.opts.StripImages = true
		case "hashtags":
			tc.opts.Hashtags = strings.Fields(v)
		case "reviewed":
			p, ids, _ := strings.Cut(v, "=")
			reviewed[p] = strings.Split(ids, ",")
		}
	}
	if len(reviewed) > 0 {
		tc.opts.Reviewed = func(p *Post) []string { return reviewed[p.Path] }
	}
	if useBase {
		base, err := txtar.ParseFile("testdata/base/site.txtar")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range base.Files {
			tc.fsys[f.Name] = &fstest.MapFile{Data: f.Data}
		}
	}
	for _, f := range ar.Files {
		data := f.Data
		if bytes.HasPrefix(data, []byte("#image ")) {
			data = makeImage(t, strings.Fields(string(data))[1:])
		}
		switch {
		case f.Name == "want":
			for _, l := range strings.Split(string(data), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					tc.want = append(tc.want, l)
				}
			}
		case strings.HasPrefix(f.Name, "render/"):
			dir, base := path.Split(strings.TrimPrefix(f.Name, "render/"))
			post := strings.TrimSuffix(dir, "/")
			rd := tc.rendered[post]
			if rd == nil {
				rd = &Rendered{}
				tc.rendered[post] = rd
			}
			switch {
			case base == "page.html":
				rd.PageHTML = data
			case strings.HasPrefix(base, "feed"):
				rd.FeedItems = append(rd.FeedItems, data)
			case strings.HasPrefix(base, "share."):
				if rd.EmployeeShare == nil {
					rd.EmployeeShare = map[string]string{}
				}
				rd.EmployeeShare[strings.TrimPrefix(base, "share.")] = strings.TrimSpace(string(data))
			}
		case strings.HasPrefix(f.Name, "out/"):
			tc.outputs = append(tc.outputs, Artifact{Path: strings.TrimPrefix(f.Name, "out/"), Data: data})
		default:
			tc.fsys[f.Name] = &fstest.MapFile{Data: data}
		}
	}
	return tc
}

// casePosts lists the posts of a mini-site: content/posts/*.md and bundles.
func casePosts(fsys fs.FS) []*Post {
	var posts []*Post
	_ = fs.WalkDir(fsys, "content/posts", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			if path.Dir(p) == "content/posts" || path.Base(p) == "index.md" {
				posts = append(posts, &Post{Path: p})
			}
		}
		return nil
	})
	return posts
}

// run checks the case and returns its findings formatted like want.
func (tc *testCase) run(t testing.TB, p *Policy) ([]string, *Report) {
	t.Helper()
	posts := casePosts(tc.fsys)
	rep := p.Check(context.Background(), tc.fsys, posts, tc.opts)
	findings := append([]Finding(nil), rep.Findings...)
	byPath := map[string]*Post{}
	for _, post := range posts {
		byPath[post.Path] = post
	}
	var rs []Rendered
	keys := make([]string, 0, len(tc.rendered))
	for k := range tc.rendered {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rd := *tc.rendered[k]
		rd.Post = byPath[k]
		if rd.Post == nil {
			t.Fatalf("render/%s: no such post", k)
		}
		rs = append(rs, rd)
	}
	findings = append(findings, p.CheckRendered(rs)...)
	if len(tc.outputs) > 0 {
		var internal []InternalPost
		for _, post := range posts {
			if post.Meta != nil && post.Meta.Audience == "internal" {
				slug := postSlug(post)
				internal = append(internal, InternalPost{File: post.Path, Title: post.Meta.Title, Slug: slug, URL: "https://blog.example/posts/" + slug + "/", Pos: post.Meta.Pos["audience"]})
			}
		}
		findings = append(findings, p.CheckLeaks(tc.outputs, internal)...)
	}
	all := &Report{Findings: findings, Files: rep.Files}
	all.Sort()
	var got []string
	for _, f := range all.Findings {
		s := fmt.Sprintf("%s:%d:%d: %s %s", f.File, f.Line, f.Column, f.Severity, f.Rule)
		if f.Waiver != "" {
			s += " waived=" + f.Waiver
		}
		got = append(got, s)
	}
	return got, all
}

// TIFF blocks: IFD0 with a GPS IFD holding GPSLatitude, or IFD0 with an
// orientation tag only.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func tiff(gps bool, order byteOrder) []byte {
	var b []byte
	if order.Uint16([]byte{1, 0}) == 1 {
		b = append(b, 'I', 'I')
	} else {
		b = append(b, 'M', 'M')
	}
	b = order.AppendUint16(b, 42)
	b = order.AppendUint32(b, 8)
	b = order.AppendUint16(b, 1) // IFD0: one entry
	if gps {
		b = order.AppendUint16(b, 0x8825)
		b = order.AppendUint16(b, 4)
		b = order.AppendUint32(b, 1)
		b = order.AppendUint32(b, 26)
	} else {
		b = order.AppendUint16(b, 0x0112)
		b = order.AppendUint16(b, 3)
		b = order.AppendUint32(b, 1)
		b = order.AppendUint32(b, 1)
	}
	b = order.AppendUint32(b, 0) // no next IFD
	if gps {
		b = order.AppendUint16(b, 1) // GPS IFD at 26: GPSLatitude
		b = order.AppendUint16(b, 0x0002)
		b = order.AppendUint16(b, 5)
		b = order.AppendUint32(b, 3)
		b = order.AppendUint32(b, 44)
		b = order.AppendUint32(b, 0)
		for _, v := range []uint32{52, 1, 31, 1, 0, 1} {
			b = order.AppendUint32(b, v)
		}
	}
	return b
}

func jpegSegment(marker byte, payload []byte) []byte {
	b := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(len(payload)+2))
	return append(b, payload...)
}

func pngChunk(typ string, payload []byte) []byte {
	b := make([]byte, 8, 12+len(payload))
	binary.BigEndian.PutUint32(b, uint32(len(payload)))
	copy(b[4:], typ)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

func riffChunk(typ string, payload []byte) []byte {
	b := []byte(typ)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	if len(payload)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// makeImage builds a tiny image: args are the format (jpeg, png, webp) and
// gps or nogps.
func makeImage(t testing.TB, args []string) []byte {
	gps := len(args) > 1 && args[1] == "gps"
	switch args[0] {
	case "jpeg":
		return makeJPEG(gps, binary.BigEndian)
	case "png":
		return makePNG(gps)
	case "webp":
		return makeWebP(gps)
	}
	t.Fatalf("unknown image kind %q", args)
	return nil
}

// jpegScan is the image data that follows SOS in the test JPEGs.
var jpegScan = []byte{0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9}

func makeJPEG(gps bool, order byteOrder) []byte {
	b := []byte{0xff, 0xd8}
	b = append(b, jpegSegment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	b = append(b, jpegSegment(0xe1, append([]byte("Exif\x00\x00"), tiff(gps, order)...))...)
	b = append(b, jpegSegment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))...)
	b = append(b, jpegSegment(0xdb, bytes.Repeat([]byte{1}, 65))...)
	return append(b, jpegScan...)
}

func makePNG(gps bool) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	b = append(b, pngChunk("IHDR", []byte{0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0})...)
	b = append(b, pngChunk("eXIf", tiff(gps, binary.LittleEndian))...)
	b = append(b, pngChunk("tEXt", []byte("Comment\x00taken at the lab"))...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

func makeWebP(gps bool) []byte {
	var body []byte
	body = append(body, "WEBP"...)
	body = append(body, riffChunk("VP8X", []byte{0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0})...)
	body = append(body, riffChunk("VP8 ", []byte{1, 2, 3, 4, 5})...)
	body = append(body, riffChunk("EXIF", tiff(gps, binary.BigEndian))...)
	b := []byte("RIFF")
	b = binary.LittleEndian.AppendUint32(b, uint32(len(body)))
	return append(b, body...)
}

// loadCase loads a case's policy or fails.
func loadCase(t testing.TB, tc *testCase) *Policy {
	t.Helper()
	p, err := Load(tc.fsys)
	if err != nil {
		t.Fatalf("%s: Load: %v", tc.name, err)
	}
	return p
}

// writeFS writes a MapFS to a directory (for tests that need OS paths).
func writeFS(t testing.TB, dir string, fsys fstest.MapFS) {
	for name, f := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
