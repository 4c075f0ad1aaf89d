package share

import (
	"strings"
	"testing"
)

func TestPlatformsAndLimits(t *testing.T) {
	want := map[string]int{"x": 280, "mastodon": 500, "bluesky": 300, "linkedin": 3000, "threads": 500}
	got := Platforms()
	if strings.Join(got, ",") != "x,mastodon,bluesky,linkedin,threads" {
		t.Fatalf("Platforms() = %v", got)
	}
	for _, p := range got {
		if Limit(p) != want[p] {
			t.Errorf("Limit(%q) = %d, want %d", p, Limit(p), want[p])
		}
	}
	if Limit("myspace") != 0 {
		t.Errorf("Limit of an unknown platform = %d, want 0", Limit("myspace"))
	}
	got[0] = "changed"
	if Platforms()[0] != "x" {
		t.Error("Platforms shares its slice with callers")
	}
}

func TestLength(t *testing.T) {
	longURL := "https://example.com/" + strings.Repeat("a", 200)
	fake := "https://blog.brightline.example/posts/solder-voids/" // .example is no TLD
	tests := []struct {
		platform, text string
		want           int
	}{
		// X: twitter-text v3 weights.
		{"x", "", 0},
		{"x", strings.Repeat("a", 280), 280},
		{"x", "日本語のテキスト", 16},                // CJK weighs 2
		{"x", "한국어", 6},                      // Hangul syllables weigh 2
		{"x", "Привет", 6},                   // Cyrillic is below U+10FF
		{"x", "“quoted” — dash", 15},         // U+2010–U+201F weigh 1
		{"x", "…", 2},                        // U+2026 is outside the ranges
		{"x", "👍", 2},                        // single emoji
		{"x", "👍🏽", 2},                       // skin tone
		{"x", "👩‍💻", 2},                      // ZWJ sequence
		{"x", "👨‍👩‍👧‍👦", 2},                  // family: long ZWJ sequence
		{"x", "🏳️‍🌈", 2},                     // VS16 and ZWJ
		{"x", "🇩🇪", 2},                       // flag
		{"x", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", 2},                  // tag sequence
		{"x", "1️⃣", 2},                      // keycap
		{"x", "#⃣", 2},                       // keycap without VS16
		{"x", "❤️", 2},                       // text-default pictograph with VS16
		{"x", "©", 1},                        // text presentation
		{"x", "©️", 2},                       // emoji presentation
		{"x", "™", 2},                        // U+2122
		{"x", "a👍b", 4},                      // emoji between letters
		{"x", "👍👍", 4},                       // two emoji
		{"x", "\u0915\u094D\u200D\u0937", 4}, // Devanagari with ZWJ is not an emoji
		{"x", longURL, 23},
		{"x", "Read " + longURL + " now", 5 + 23 + 4},
		{"x", "http://example.com", 23},
		{"x", "HTTPS://EXAMPLE.COM/A", 23},
		{"x", "https://go.dev/blog/go1.26.", 24},                  // trailing period is not part of the URL
		{"x", "(https://example.com/x)", 25},                      // nor is an unbalanced parenthesis
		{"x", "https://en.wikipedia.org/wiki/Solder_(metal)", 23}, // balanced ones are
		{"x", "https://example.com/search?q=go&x=1", 23},
		{"x", "https://example.com:8080/x", 23},
		{"x", "https://a.com https://b.org/path", 23 + 1 + 23},
		{"x", "example.com", 23}, // bare domains are links
		{"x", "see example.com/path.", 4 + 23 + 1},
		{"x", "I work at Booking.com.", 10 + 23 + 1},
		{"x", "README.md", 23}, // .md is a ccTLD
		{"x", "ASP.NET", 23},
		{"x", "Node.js", 7},                       // .js is not
		{"x", fake, len(fake)},                    // not a real TLD: counted in full
		{"x", "http://localhost/a/long/path", 28}, // no TLD
		{"x", "rosa@example.com", 16},             // e-mail addresses are not links
		{"x", "#example.com", 12},
		{"x", "xhttps://example.com", 20}, // no link glued to a word
		{"x", "I work at Brightline Materials. 日本 👩‍💻 https://example.com/x #tag", 32 + 4 + 1 + 2 + 1 + 23 + 5},

		// Mastodon: graphemes, URLs 23, @user@domain as @user.
		{"mastodon", "hello", 5},
		{"mastodon", longURL, 23},
		{"mastodon", "Read " + longURL + " now", 5 + 23 + 4},
		{"mastodon", "example.com", 11}, // only links with a protocol
		{"mastodon", "@rosa@example.social", 5},
		{"mastodon", "cc @rosa@example.social!", 3 + 5 + 1},
		{"mastodon", "@rosa", 5},
		{"mastodon", "mail rosa@example.social", 24}, // no mention inside a word
		{"mastodon", "https://example.social/@rosa@example.social", 23},
		{"mastodon", "👩‍💻", 1},
		{"mastodon", "🇩🇪👍🏽", 2},
		{"mastodon", "e\u0301", 1},
		{"mastodon", "日本語", 3},
		{"mastodon", fake, len(fake)},

		// Bluesky: graphemes, URLs in full.
		{"bluesky", longURL, len(longURL)},
		{"bluesky", "👍", 1},
		{"bluesky", "👩‍💻", 1},
		{"bluesky", "🇩🇪", 1},
		{"bluesky", "👍🏽", 1},
		{"bluesky", "1️⃣", 1},
		{"bluesky", "日本語", 3},
		{"bluesky", "e\u0301", 1},

		// Threads and LinkedIn: graphemes, URLs in full.
		{"threads", longURL, len(longURL)},
		{"threads", "👩‍💻 日本", 4},
		{"linkedin", longURL, len(longURL)},
		{"linkedin", "👩‍💻 🇩🇪", 3},
	}
	for _, tt := range tests {
		if got := Length(tt.platform, tt.text); got != tt.want {
			t.Errorf("Length(%q, %q) = %d, want %d", tt.platform, tt.text, got, tt.want)
		}
	}
}

func TestFindURLs(t *testing.T) {
	tests := []struct {
		text string
		bare bool
		want []string
	}{
		{"see https://example.com/a.b/c, then", true, []string{"https://example.com/a.b/c"}},
		{"see https://example.com/a?b=1&c=2. ok", true, []string{"https://example.com/a?b=1&c=2"}},
		{"https://example.com/a?", true, []string{"https://example.com/a"}},
		{"https://example.com/@rosa/1", true, []string{"https://example.com/@rosa/1"}},
		{"https://example.com.notatld/x", true, []string{"https://example.com"}},
		{"sub.example.co.uk/x and t.co", true, []string{"sub.example.co.uk/x", "t.co"}},
		{"a-b.example.com", true, []string{"a-b.example.com"}},
		{"-example.com", true, nil},
		{"example.com", false, nil},
		{"https://bücher.de/x", true, []string{"https://bücher.de/x"}},
		{"https://example.xn--p1ai/x", true, []string{"https://example.xn--p1ai/x"}},
		{"https://例え.テスト/x", true, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, u := range findURLs(tt.text, tt.bare) {
			got = append(got, tt.text[u.start:u.end])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("findURLs(%q, %v) = %q, want %q", tt.text, tt.bare, got, tt.want)
		}
	}
}
