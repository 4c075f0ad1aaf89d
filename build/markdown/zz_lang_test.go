package markdown

import (
	"strings"
	"testing"

	"github.com/peerpress/peerpress/internal/sitegen"
)

func BenchmarkZZLang(b *testing.B) {
	blocks := sitegen.ZZBlocks(200)
	byLang := map[string][]string{}
	for _, bl := range blocks {
		lang := strings.TrimPrefix(strings.SplitN(bl, "\n", 2)[0], "```")
		code := strings.SplitN(bl, "\n", 2)[1]
		code = strings.TrimSuffix(code, "```\n")
		byLang[lang] = append(byLang[lang], code)
	}
	for _, lang := range []string{"go", "python", "yaml", "bash", "sql", "c"} {
		codes := byLang[lang]
		b.Run(lang, func(b *testing.B) {
			h := newHighlighter()
			h.render([]byte(lang), []byte(codes[0]))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				h.render([]byte(lang), []byte(codes[i%len(codes)]))
			}
		})
	}
}
