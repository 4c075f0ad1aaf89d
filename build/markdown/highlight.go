package markdown

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	stdhtml "html"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alecthomas/chroma/v2"
	chromahtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Chroma styles behind SyntaxCSS. The highlighted HTML carries classes only,
// so changing these changes the stylesheet and nothing else.
const (
	lightStyle = "github"
	darkStyle  = "github-dark"
)

// CodeCache stores highlighted code blocks beyond one Engine, e.g. on disk
// between builds. Keys are CodeKey values; Get and Put are called from
// several goroutines at once.
type CodeCache interface {
	// Get returns the HTML stored under key.
	Get(key [sha256.Size]byte) ([]byte, bool)
	// Put records that the block under key is html (it was just rendered,
	// or Get returned it).
	Put(key [sha256.Size]byte, html []byte)
}

// memCacheBytes bounds the HTML an Engine keeps in memory: enough for the
// blocks a dev session re-renders, while a build of 100,000 posts, each
// with its own code, does not hold every block it has highlighted.
const memCacheBytes = 32 << 20

// highlighter highlights code with chroma and caches the result. One lives in
// each Engine; the cache is never shared between engines.
type highlighter struct {
	formatter *chromahtml.Formatter
	style     *chroma.Style
	cache     sync.Map // CodeKey → []byte of HTML
	cached    atomic.Int64
	store     CodeCache // or nil
}

// codeVersion names what the HTML of a block depends on besides the
// block: this renderer's format and the versions of chroma and of its
// regular expression engine. A CodeCache entry made under another
// version is never found.
var codeVersion = func() string {
	v := "peerpress-code-1"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/alecthomas/chroma/v2" || d.Path == "github.com/dlclark/regexp2/v2" {
				if d.Replace != nil {
					d = d.Replace
				}
				v += " " + d.Path + "@" + d.Version + d.Sum
			}
		}
	}
	return v
}()

// CodeKey is the cache key of a code block in language lang.
func CodeKey(lang, code []byte) [sha256.Size]byte {
	key := sha256.New()
	key.Write([]byte(codeVersion))
	key.Write([]byte{0})
	key.Write(lang)
	key.Write([]byte{0})
	key.Write(code)
	var sum [sha256.Size]byte
	key.Sum(sum[:0])
	return sum
}

func newHighlighter() *highlighter {
	return &highlighter{
		// PreventSurroundingPre drops chroma's <pre><code> and per-line
		// spans; the code block renderer writes its own wrapper.
		formatter: chromahtml.New(chromahtml.WithClasses(true), chromahtml.PreventSurroundingPre(true)),
		// In class mode the style does not reach the HTML, but the
		// formatter wants one.
		style: styles.Get(lightStyle),
	}
}

// block returns the complete <pre> element for code in language lang (which
// may be empty or unknown to chroma).
func (h *highlighter) block(lang, code []byte) []byte {
	sum := CodeKey(lang, code)
	if v, ok := h.cache.Load(sum); ok {
		return v.([]byte)
	}
	var out []byte
	if h.store != nil {
		if b, ok := h.store.Get(sum); ok {
			out = b
		}
	}
	if out == nil {
		out = h.render(lang, code)
	}
	if h.store != nil {
		h.store.Put(sum, out)
	}
	if h.cached.Load() < memCacheBytes {
		if v, loaded := h.cache.LoadOrStore(sum, out); loaded {
			return v.([]byte)
		}
		h.cached.Add(int64(len(out)))
	}
	return out
}

// render builds the <pre> element without consulting the cache.
func (h *highlighter) render(lang, code []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(code) * 3)
	b.WriteString(`<pre class="chroma" tabindex="0"><code`)
	if len(lang) > 0 {
		b.WriteString(` class="language-`)
		b.WriteString(stdhtml.EscapeString(string(lang)))
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if !h.highlight(&b, lang, code) {
		b.Write(util.EscapeHTML(code))
	}
	b.WriteString("</code></pre>\n")
	return b.Bytes()
}

// highlight writes the highlighted tokens of code to b and reports whether it
// did; on false b is unchanged.
func (h *highlighter) highlight(b *bytes.Buffer, lang, code []byte) bool {
	if len(lang) == 0 {
		return false
	}
	lexer := lexers.Get(string(lang))
	if lexer == nil {
		return false
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, string(code))
	if err != nil {
		return false
	}
	// White space is never styled: emit it as plain text rather than
	// wrapping every newline and indent in <span class="w">.
	plain := func() chroma.Token {
		t := it()
		if t.Type == chroma.Whitespace {
			t.Type = chroma.Text
		}
		return t
	}
	var tmp bytes.Buffer
	if err := h.formatter.Format(&tmp, h.style, plain); err != nil {
		return false
	}
	b.Write(tmp.Bytes())
	return true
}

// codeBlockRenderer renders fenced and indented code blocks through the
// highlighter.
type codeBlockRenderer struct {
	hl *highlighter
}

// RegisterFuncs implements renderer.NodeRenderer.
func (r *codeBlockRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindFencedCodeBlock, r.render)
	reg.Register(ast.KindCodeBlock, r.render)
}

func (r *codeBlockRenderer) render(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	var lang []byte
	if fc, ok := n.(*ast.FencedCodeBlock); ok {
		lang = fc.Language(src)
	}
	lines := n.Lines()
	var code []byte
	for i := range lines.Len() {
		seg := lines.At(i)
		code = append(code, seg.Value(src)...)
	}
	_, _ = w.Write(r.hl.block(lang, code))
	return ast.WalkSkipChildren, nil
}

// SyntaxCSS returns the stylesheet for highlighted code blocks: the chroma
// "github" style, and the "github-dark" style inside
// @media (prefers-color-scheme: dark). Every token rule of the light style is
// overridden or reset in the dark block, so no light colour leaks into dark
// mode. The theme ships it as static/css/syntax.css.
func SyntaxCSS() []byte {
	light := styleRules(styles.Get(lightStyle))
	dark := styleRules(styles.Get(darkStyle))

	var b bytes.Buffer
	b.WriteString("/* Code generated by build/markdown (go test -run TestSyntaxCSSUpToDate -update); DO NOT EDIT. */\n")
	fmt.Fprintf(&b, "/* Syntax highlighting: chroma style %q, and %q when the reader prefers dark. */\n", lightStyle, darkStyle)
	for _, r := range light {
		writeRule(&b, "", r.selector, r.decls)
	}
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	lightBySel := map[string][]decl{}
	order := map[string]int{}
	for _, r := range light {
		lightBySel[r.selector] = r.decls
		order[r.selector] = r.order
	}
	darkBySel := map[string][]decl{}
	for _, r := range dark {
		darkBySel[r.selector] = r.decls
		order[r.selector] = r.order
	}
	sels := make([]string, 0, len(order))
	for sel := range order {
		sels = append(sels, sel)
	}
	sort.Slice(sels, func(i, j int) bool { return order[sels[i]] < order[sels[j]] })
	for _, sel := range sels {
		decls := append([]decl{}, darkBySel[sel]...)
		for _, d := range lightBySel[sel] {
			if !hasProp(decls, d.prop) {
				decls = append(decls, decl{d.prop, resetValue(d.prop)})
			}
		}
		writeRule(&b, "  ", sel, decls)
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// decl is one CSS declaration.
type decl struct{ prop, value string }

// cssRule is the CSS of one token class.
type cssRule struct {
	order    int // sort key: the token type
	selector string
	decls    []decl
}

// resetValue returns the value that undoes a light-style declaration of prop
// which the dark style leaves out.
func resetValue(prop string) string {
	switch prop {
	case "color":
		return "inherit"
	case "background-color":
		return "transparent"
	case "font-weight", "font-style":
		return "normal"
	default: // text-decoration
		return "none"
	}
}

func hasProp(ds []decl, prop string) bool {
	for _, d := range ds {
		if d.prop == prop {
			return true
		}
	}
	return false
}

// styleRules converts a chroma style into one rule for the .chroma wrapper and
// one per token class that differs from the wrapper, in token-type order.
func styleRules(style *chroma.Style) []cssRule {
	bg := style.Get(chroma.Background)
	rules := []cssRule{{order: -1 << 31, selector: ".chroma", decls: entryDecls(bg)}}
	types := make([]chroma.TokenType, 0, len(chroma.StandardTypes))
	for t := range chroma.StandardTypes {
		if t >= 0 || t == chroma.Error {
			types = append(types, t)
		}
	}
	sort.Slice(types, func(i, j int) bool { return types[i] < types[j] })
	for _, t := range types {
		class := chroma.StandardTypes[t]
		if class == "" {
			continue
		}
		ds := entryDecls(style.Get(t).Sub(bg))
		if len(ds) == 0 {
			continue
		}
		rules = append(rules, cssRule{order: int(t), selector: ".chroma ." + class, decls: ds})
	}
	return rules
}

// entryDecls turns a chroma style entry into CSS declarations.
func entryDecls(e chroma.StyleEntry) []decl {
	var ds []decl
	if e.Colour.IsSet() {
		ds = append(ds, decl{"color", e.Colour.String()})
	}
	if e.Background.IsSet() {
		ds = append(ds, decl{"background-color", e.Background.String()})
	}
	if e.Bold == chroma.Yes {
		ds = append(ds, decl{"font-weight", "bold"})
	}
	if e.Italic == chroma.Yes {
		ds = append(ds, decl{"font-style", "italic"})
	}
	if e.Underline == chroma.Yes {
		ds = append(ds, decl{"text-decoration", "underline"})
	}
	return ds
}

func writeRule(b *bytes.Buffer, indent, selector string, ds []decl) {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.prop + ": " + d.value
	}
	fmt.Fprintf(b, "%s%s { %s }\n", indent, selector, strings.Join(parts, "; "))
}
