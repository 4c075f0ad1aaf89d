package slug

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSlug(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Hello World", "hello-world"},
		{"  leading and trailing  ", "leading-and-trailing"},
		{"Über Lötzinn", "über-lötzinn"},
		{"Straße & Größe", "straße-größe"},
		{"ÄÖÜ", "äöü"},
		{"U\u0308ber", "u\u0308ber"}, // decomposed ü keeps its mark
		{"\u0308x", "x"},             // a leading mark is dropped
		{"日本語の見出し", "日本語の見出し"},
		{"中文 标题", "中文-标题"},
		{"한국어 제목", "한국어-제목"},
		{"Go 🚀 fast", "go-fast"},
		{"🚀🚀🚀", ""},
		{"C++ & Go!", "c-plus-plus-go"},
		{"C++", "c-plus-plus"},
		{"C#", "c-sharp"},
		{"F# and C#7", "f-sharp-and-c-sharp-7"},
		{"C", "c"},
		{"+1 #tag a + b", "1-tag-a-b"},
		{"notepad++ tips", "notepad-plus-plus-tips"},
		{"a---b___c...d", "a-b-c-d"},
		{"!!!", ""},
		{"--x--", "x"},
		{"It's Rosa’s post", "its-rosas-post"},
		{"v1.2.3 release", "v1-2-3-release"},
		{"FlowCore5", "flowcore5"},
		{"Ωmega ΣΙΓΜΑ", "ωmega-σιγμα"},
		{"tab\tand\nnewline", "tab-and-newline"},
		{"\xff\xfeinvalid", "invalid"},
		{"١٢٣ arabic digits", "١٢٣-arabic-digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Make(tt.in); got != tt.want {
				t.Errorf("Make(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// checkSlug reports what is wrong with a Slug result, or "".
func checkSlug(s string) string {
	switch {
	case strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-"):
		return "leading or trailing dash"
	case strings.Contains(s, "--"):
		return "double dash"
	case strings.ContainsFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' }):
		return "upper-case ASCII"
	case !utf8.ValidString(s):
		return "invalid UTF-8"
	case strings.ContainsAny(s, " \t\n/?#&\"'<>"):
		return "URL-unsafe character"
	}
	return ""
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"", "Über Lötzinn", "日本語の見出し", "C++ & Go!", "--a--", "\u0308x", "A\u0301-\u0301B", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Make(in)
		if msg := checkSlug(out); msg != "" {
			t.Fatalf("Make(%q) = %q: %s", in, out, msg)
		}
		if again := Make(out); again != out {
			t.Fatalf("Slug is not idempotent: Make(%q) = %q, Make(%q) = %q", in, out, out, again)
		}
	})
}
