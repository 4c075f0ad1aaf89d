package markdown

import "testing"

func TestCountWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"one", 1},
		{"  two\twords\n", 2},
		{"a - b", 2},            // a lone dash is not a word
		{"x86_64 is 1 word", 4}, // digits and underscores stay in the word
		{"naïve café", 2},
		{"日本語のテキスト", 8}, // each CJK character is a word
		{"mixed日本text", 4},
		{"nbsp\u00a0split", 2},
		{"line\u2028sep", 2},
		{"— … ”", 0},
	} {
		if got := countWords(tc.in); got != tc.want {
			t.Errorf("countWords(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// FuzzCountWords: the ASCII fast path counts as the Unicode tables do.
func FuzzCountWords(f *testing.F) {
	f.Add("Hello, world — 3 words\u00a0and 日本\v\f\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := countWords(s), countWordsIn(s, false); got != want {
			t.Fatalf("countWords(%q) = %d, by the Unicode tables %d", s, got, want)
		}
	})
}
