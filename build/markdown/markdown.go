// Package markdown turns a post body written in Markdown into HTML and the
// facts the rest of peerpress needs about it.
//
// An [Engine] is built once per site with [New] and is safe for concurrent
// use. [Engine.Render] parses the body once and returns a [Result] with:
//
//   - the body HTML: CommonMark plus GitHub Flavored Markdown (tables,
//     strikethrough, task lists, bare-URL autolinks), footnotes, typographic
//     quotes and dashes, and {#id .class} attributes on headings;
//   - heading ids made by [Slug], which keeps non-ASCII letters ("Über
//     Lötzinn" → "über-lötzinn"), deduplicated per document ("intro",
//     "intro-1", ...), with "section" for headings that have no letters or
//     digits; an explicit {#id} always wins and is never renamed;
//   - an anchor link (<a class="anchor" href="#id" aria-label="Link to this
//     section">#</a>) appended inside every h2, h3 and h4;
//   - fenced code blocks highlighted by chroma with CSS classes only, as
//     <pre class="chroma"><code class="language-go">…</code></pre> (the
//     stylesheet is [SyntaxCSS]); unknown languages, fences without a
//     language and indented blocks get the same wrapper around escaped plain
//     text; highlighted blocks are cached per Engine;
//   - the summary: everything before a <!--more--> marker (a line of its own
//     or inline; never one inside code), rendered on its own, and its plain
//     text; the marker itself leaves no trace in the HTML;
//   - a table of contents of the h2 and h3 headings, when there are enough;
//   - the word count and reading time;
//   - every link and image destination with its 1-based source line, which
//     the policy checks use to point at the Markdown that produced them.
//
// Raw HTML in the body is dropped (rendered as "<!-- raw HTML omitted -->")
// unless [Options.UnsafeHTML] is set.
package markdown

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// defaultTOCMinHeadings is used when Options.TOCMinHeadings is zero.
const defaultTOCMinHeadings = 3

// wordsPerMinute is the reading speed behind Result.ReadingMinutes.
const wordsPerMinute = 220

// moreMarker separates the summary from the rest of a post, as in Hugo.
const moreMarker = "<!--more-->"

// Options configures an Engine. The zero value is the safe default.
type Options struct {
	// UnsafeHTML lets raw HTML in the Markdown through to the output.
	// When false, raw HTML is replaced by "<!-- raw HTML omitted -->".
	UnsafeHTML bool
	// TOCMinHeadings is the number of h2/h3 headings a document needs
	// before Result.TOC is built. Zero means 3; a negative value means 1.
	TOCMinHeadings int
	// CodeCache, when not nil, is consulted for highlighted code blocks
	// before chroma runs, and given every block the Engine renders.
	CodeCache CodeCache
}

// Engine renders Markdown post bodies. Build it with New; it is safe for
// concurrent use by multiple goroutines.
type Engine struct {
	md             goldmark.Markdown
	tocMinHeadings int
	hl             *highlighter
}

// New returns an Engine configured by opts.
func New(opts Options) *Engine {
	minHeadings := opts.TOCMinHeadings
	switch {
	case minHeadings == 0:
		minHeadings = defaultTOCMinHeadings
	case minHeadings < 0:
		minHeadings = 1
	}
	hl := newHighlighter()
	hl.store = opts.CodeCache
	rendererOpts := []renderer.Option{
		renderer.WithNodeRenderers(
			util.Prioritized(&codeBlockRenderer{hl: hl}, 100),
			util.Prioritized(anchorRenderer{}, 100),
			util.Prioritized(a11yRenderer{}, 100),
		),
	}
	if opts.UnsafeHTML {
		rendererOpts = append(rendererOpts, html.WithUnsafe())
	}
	md := goldmark.New(
		goldmark.WithExtensions(
			extension.GFM,
			extension.Footnote,
			extension.Typographer,
		),
		goldmark.WithParserOptions(
			parser.WithAttribute(),
			parser.WithASTTransformers(
				util.Prioritized(headingTransformer{}, 1000),
			),
		),
		goldmark.WithRendererOptions(rendererOpts...),
	)
	return &Engine{md: md, tocMinHeadings: minHeadings, hl: hl}
}

// Heading is an h2 or h3 heading of a document, in document order.
type Heading struct {
	// Level is 2 or 3.
	Level int
	// ID is the heading's id attribute (the TOC link target).
	ID string
	// Text is the heading's plain text, unescaped.
	Text string
}

// Image is an image in the document.
type Image struct {
	// Dest is the image destination exactly as written (after reference
	// resolution), not resolved against any base URL.
	Dest string
	// Alt is the plain text of the image description.
	Alt string
	// Line is the 1-based line of the image in the source.
	Line int
}

// Link is a link in the document: an inline or reference link, a <URL>
// autolink or a bare URL turned into a link. E-mail autolinks carry a
// "mailto:" destination. Heading anchors and footnote links are not included.
type Link struct {
	// Dest is the link destination as written (after reference resolution).
	Dest string
	// Line is the 1-based line of the link in the source.
	Line int
}

// Result is everything Render learns about a document.
type Result struct {
	// HTML is the full body HTML. A <!--more--> marker leaves no trace in it.
	HTML []byte
	// SummaryHTML is the HTML of the part before <!--more-->, rendered on
	// its own; nil when there is no marker. Link reference definitions
	// anywhere in the document apply to it; footnotes defined after the
	// marker do not.
	SummaryHTML []byte
	// SummaryText is the plain text of the part before <!--more--> with
	// runs of white space collapsed to one space; empty without a marker.
	SummaryText string
	// TOC is a <nav class="toc"> with a nested <ol> of links to the h2 and
	// h3 headings; nil when there are fewer than Options.TOCMinHeadings.
	TOC []byte
	// Headings lists the h2 and h3 headings in document order.
	Headings []Heading
	// Words is the number of words in the text, code blocks included (as
	// Hugo counts). A word is a run of non-space characters holding at least
	// one letter or digit; each Han, Hiragana or Katakana character counts as
	// a word of its own.
	Words int
	// ReadingMinutes is Words/220 rounded up, at least 1.
	ReadingMinutes int
	// Images lists every image in document order.
	Images []Image
	// Links lists every link in document order.
	Links []Link
}

// Render converts a post body to HTML and collects the facts in Result.
// It is safe for concurrent use.
func (e *Engine) Render(src []byte) (*Result, error) {
	pc := parser.NewContext()
	doc := e.md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	res := &Result{}

	lines := newLineIndex(src)
	markers := collect(doc, src, lines, res)

	if len(markers) > 0 {
		cut := markers[0].start
		for _, m := range markers {
			m.node.Parent().RemoveChild(m.node.Parent(), m.node)
		}
		summarySrc := src[:cut]
		// The summary sees the link reference definitions of the whole
		// document, so [text][ref] works even when ref is defined below.
		spc := parser.NewContext()
		for _, ref := range pc.References() {
			spc.AddReference(ref)
		}
		summaryDoc := e.md.Parser().Parse(text.NewReader(summarySrc), parser.WithContext(spc))
		var buf bytes.Buffer
		if err := e.md.Renderer().Render(&buf, summarySrc, summaryDoc); err != nil {
			return nil, fmt.Errorf("render summary: %w", err)
		}
		res.SummaryHTML = buf.Bytes()
		res.SummaryText = strings.Join(strings.Fields(plainText(summaryDoc, summarySrc)), " ")
	}

	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/2)
	if err := e.md.Renderer().Render(&buf, src, doc); err != nil {
		return nil, fmt.Errorf("render markdown: %w", err)
	}
	res.HTML = buf.Bytes()

	res.Words = countWords(plainText(doc, src))
	res.ReadingMinutes = max(1, (res.Words+wordsPerMinute-1)/wordsPerMinute)
	if len(res.Headings) >= e.tocMinHeadings {
		res.TOC = renderTOC(res.Headings)
	}
	return res, nil
}

// marker is a <!--more--> node found in the document.
type marker struct {
	node  ast.Node
	start int // byte offset of the marker in the source
}

// collect walks doc once and fills the headings, images and links of res.
// It returns the <!--more--> markers in document order.
func collect(doc ast.Node, src []byte, lines *lineIndex, res *Result) []marker {
	var markers []marker
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			if n.Level == 2 || n.Level == 3 {
				res.Headings = append(res.Headings, Heading{
					Level: n.Level,
					ID:    headingID(n),
					Text:  strings.Join(strings.Fields(plainText(n, src)), " "),
				})
			}
		case *ast.Image:
			res.Images = append(res.Images, Image{
				Dest: string(n.Destination),
				Alt:  strings.Join(strings.Fields(plainText(n, src)), " "),
				Line: lines.line(nodeOffset(n)),
			})
		case *ast.Link:
			res.Links = append(res.Links, Link{Dest: string(n.Destination), Line: lines.line(nodeOffset(n))})
		case *ast.AutoLink:
			dest := string(n.URL(src))
			if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(dest), "mailto:") {
				dest = "mailto:" + dest
			}
			res.Links = append(res.Links, Link{Dest: dest, Line: lines.line(autoLinkOffset(n, src))})
		case *ast.HTMLBlock:
			if n.Lines().Len() > 0 && strings.TrimSpace(string(n.Lines().Value(src))) == moreMarker {
				markers = append(markers, marker{node: n, start: n.Lines().At(0).Start})
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			if n.Segments.Len() > 0 && string(n.Segments.Value(src)) == moreMarker {
				markers = append(markers, marker{node: n, start: n.Segments.At(0).Start})
			}
		}
		return ast.WalkContinue, nil
	})
	return markers
}

// nodeOffset returns the byte offset in the source where n starts: its own
// position when the parser recorded one, else the position of the nearest
// ancestor that has one, else 0.
func nodeOffset(n ast.Node) int {
	for ; n != nil; n = n.Parent() {
		if p := n.Pos(); p >= 0 {
			return p
		}
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			return n.Lines().At(0).Start
		}
	}
	return 0
}

// autoLinkOffset returns the byte offset of an autolink's text. The parser
// records where the inline parse started, which for a bare URL may be the
// space before it; searching for the label from there finds the URL itself.
func autoLinkOffset(n *ast.AutoLink, src []byte) int {
	start := nodeOffset(n)
	label := n.Label(src)
	if start < len(src) && len(label) > 0 {
		if i := bytes.Index(src[start:], label); i >= 0 {
			return start + i
		}
	}
	return start
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex struct {
	starts []int // byte offset of the start of every line
}

func newLineIndex(src []byte) *lineIndex {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{starts: starts}
}

// line returns the 1-based line holding byte offset off.
func (l *lineIndex) line(off int) int {
	return sort.Search(len(l.starts), func(i int) bool { return l.starts[i] > off })
}
