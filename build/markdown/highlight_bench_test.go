package markdown

import (
	"strings"
	"testing"

	"github.com/peerpress/peerpress/internal/sitegen"
)

// BenchmarkHighlight highlights the benchmark corpus's code blocks, one
// language at a time, without the cache: the cost a cold build pays per
// block.
func BenchmarkHighlight(b *testing.B) {
	byLang := map[string][][]byte{}
	var langs []string
	for _, block := range sitegen.CodeBlocks(300, 1) {
		fence, code, _ := strings.Cut(block, "\n")
		lang := strings.TrimPrefix(fence, "```")
		if byLang[lang] == nil {
			langs = append(langs, lang)
		}
		byLang[lang] = append(byLang[lang], []byte(strings.TrimSuffix(code, "```\n")))
	}
	for _, lang := range langs {
		codes := byLang[lang]
		b.Run(lang, func(b *testing.B) {
			h := newHighlighter()
			h.render([]byte(lang), codes[0]) // compile the lexer first
			for i := 0; b.Loop(); i++ {
				h.render([]byte(lang), codes[i%len(codes)])
			}
		})
	}
}
