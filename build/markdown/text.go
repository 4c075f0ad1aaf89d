package markdown

import (
	stdhtml "html"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"
)

// plainText returns the text a reader sees in root: inline text with
// Markdown escapes and character references resolved, typographic
// substitutions applied, code (spans and blocks) verbatim, raw HTML,
// heading anchors and nested image descriptions left out. Blocks and line
// breaks are separated by white space.
func plainText(root ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock {
			b.WriteByte('\n')
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			v := n.Value(src)
			if n.IsRaw() || isCode(n.Parent()) {
				b.Write(v)
			} else {
				b.Write(unescape(v))
			}
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte('\n')
			}
		case *ast.String:
			switch {
			case n.IsCode():
				b.WriteString(stdhtml.UnescapeString(string(n.Value)))
			case n.IsRaw():
				b.Write(n.Value)
			default:
				b.Write(unescape(n.Value))
			}
		case *ast.AutoLink:
			b.Write(n.Label(src))
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			b.Write(n.Lines().Value(src))
			return ast.WalkSkipChildren, nil
		case *ast.HTMLBlock, *ast.RawHTML, *anchor:
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			if ast.Node(n) != root {
				return ast.WalkSkipChildren, nil
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// isCode reports whether n is a code span, whose text is verbatim.
func isCode(n ast.Node) bool {
	return n != nil && n.Kind() == ast.KindCodeSpan
}

// unescape resolves backslash escapes and character references as the HTML
// renderer does.
func unescape(v []byte) []byte {
	return util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
}

// countWords counts the words in s: runs of non-space characters holding at
// least one letter or digit, with every Han, Hiragana or Katakana character
// counted as a word of its own (Chinese and Japanese do not separate words
// with spaces; Korean does).
func countWords(s string) int { return countWordsIn(s, true) }

// countWordsIn is countWords; with ascii false every rune goes through the
// Unicode tables (the reference the ASCII fast path is fuzzed against).
func countWordsIn(s string, ascii bool) int {
	words := 0
	inWord, hasAlnum := false, false
	end := func() {
		if inWord && hasAlnum {
			words++
		}
		inWord, hasAlnum = false, false
	}
	for _, r := range s {
		if ascii && r < utf8.RuneSelf { // no table look-ups
			switch {
			case r == ' ' || '\t' <= r && r <= '\r':
				end()
			default:
				inWord = true
				if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
					hasAlnum = true
				}
			}
			continue
		}
		switch {
		case unicode.IsSpace(r):
			end()
		case isCJK(r):
			end()
			words++
		default:
			inWord = true
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				hasAlnum = true
			}
		}
	}
	end()
	return words
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
