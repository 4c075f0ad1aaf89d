package markdown

import (
	stdhtml "html"

	"github.com/peerpress/peerpress/internal/slug"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// headingTransformer gives every heading an id and every h2–h4 an anchor
// link. goldmark's own auto ids drop non-ASCII letters and are built from the
// raw Markdown of the heading line, so ids come from Slug of the heading's
// plain text instead.
type headingTransformer struct{}

// Transform implements parser.ASTTransformer.
func (headingTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	var headings []*ast.Heading
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if h, ok := n.(*ast.Heading); ok {
			headings = append(headings, h)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})

	ids := newIDSet()
	// Explicit {#id} attributes are reserved first, so an earlier
	// generated id never takes one that a later heading asked for.
	for _, h := range headings {
		if id := headingID(h); id != "" {
			ids.reserve(id)
		}
	}
	for _, h := range headings {
		id := headingID(h)
		if id == "" {
			id = ids.unique(slug.Make(plainText(h, src)))
			h.SetAttributeString("id", []byte(id))
		}
		if h.Level >= 2 && h.Level <= 4 {
			h.AppendChild(h, &anchor{id: id})
		}
	}
}

// headingID returns the id attribute of h, or "".
func headingID(h *ast.Heading) string {
	v, ok := h.AttributeString("id")
	if !ok {
		return ""
	}
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	}
	return ""
}

// kindAnchor is the node kind of anchor.
var kindAnchor = ast.NewNodeKind("HeadingAnchor")

// anchor is the self-link appended inside a heading.
type anchor struct {
	ast.BaseInline
	id string
}

// Kind implements ast.Node.
func (*anchor) Kind() ast.NodeKind { return kindAnchor }

// Dump implements ast.Node.
func (a *anchor) Dump(src []byte, level int) {
	ast.DumpHelper(a, src, level, map[string]string{"ID": a.id}, nil)
}

// anchorRenderer renders anchor nodes.
type anchorRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (anchorRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindAnchor, renderAnchor)
}

func renderAnchor(w util.BufWriter, _ []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(` <a class="anchor" href="#`)
	_, _ = w.WriteString(stdhtml.EscapeString(n.(*anchor).id))
	_, _ = w.WriteString(`" aria-label="Link to this section">#</a>`)
	return ast.WalkContinue, nil
}
