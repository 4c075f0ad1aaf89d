package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

func FuzzCompose(f *testing.F) {
	f.Add(uint8(0), true, "How we cut solder voids by 40%", postURL, disclosure, "surface mount", "")
	f.Add(uint8(0), true, words(60), postURL, disclosure, "soldering", "")
	f.Add(uint8(1), false, "Notes", postURL, disclosure, "", "cc @rosa@example.social "+postURL)
	f.Add(uint8(2), true, strings.Repeat("日本語の記事 👩‍💻🇩🇪 ", 30), "https://b.example/p?x=1#f", disclosure, "日本", "")
	f.Add(uint8(3), true, "T", postURL, strings.Repeat("long ", 700), "t", "")
	f.Add(uint8(4), true, "Booking.com README.md", "", " I work at Booking.com. ", "x-y", disclosure+" hand-written")
	f.Add(uint8(0), false, "(see https://en.wikipedia.org/wiki/Solder_(metal))", "https://example.com/a/", "", "2026", "https://example.com/a")
	f.Fuzz(func(t *testing.T, p uint8, employee bool, title, u, disc, tag, custom string) {
		platform := Platforms()[int(p)%len(Platforms())]
		variant := Reader
		if employee {
			variant = Employee
		}
		in := Input{Title: title, URL: u, Disclosure: disc, Hashtags: []string{tag, "x " + tag}, Custom: custom}
		sn, err := Compose(platform, variant, in)
		if err != nil && !errors.Is(err, ErrTooLong) {
			t.Fatalf("unexpected error: %v", err)
		}
		if err == nil && sn.Length > sn.Limit {
			t.Fatalf("length %d over limit %d without an error: %q", sn.Length, sn.Limit, sn.Text)
		}
		if sn.Length != Length(platform, sn.Text) || sn.Limit != Limit(platform) {
			t.Fatalf("snippet length %d/%d, text measures %d", sn.Length, sn.Limit, Length(platform, sn.Text))
		}
		if variant == Employee && !strings.HasPrefix(sn.Text, strings.TrimSpace(disc)) {
			t.Fatalf("employee text %q does not start with the disclosure %q", sn.Text, disc)
		}
		if bare := BareLength(platform, variant, in); strings.TrimSpace(custom) == "" && (bare > sn.Limit) != (err != nil) {
			t.Fatalf("BareLength %d (limit %d) disagrees with Compose's error %v", bare, sn.Limit, err)
		}
		if link := TagURL(strings.TrimSpace(u), platform, variant); strings.TrimSpace(custom) == "" && !strings.Contains(sn.Text, link) {
			t.Fatalf("link %q not whole in %q", link, sn.Text)
		}
	})
}

func FuzzLength(f *testing.F) {
	f.Add("I work at Brightline Materials. 日本 👩‍💻 https://example.com/x #tag @rosa@example.social")
	f.Add("see (https://en.wikipedia.org/wiki/A_(b_(c)))... example.co.uk/x?y=1&z=#f")
	f.Add("1️⃣🏴󠁧󠁢󠁳󠁣󠁴󠁿©️\u0915\u094D\u200D\u0937")
	f.Add("cafe\u0301 a\r\nb\r\r\n e\u20dd 🇫🇷🇩🇪x 👍🏽 \u200d")
	f.Fuzz(func(t *testing.T, s string) {
		// The ASCII fast paths agree with cluster-by-cluster counting.
		if got, want := xWeight(s), weighClusters(s, false); got != want {
			t.Fatalf("xWeight(%q) = %d, cluster by cluster %d", s, got, want)
		}
		for _, p := range Platforms() {
			if n := Length(p, s); n < 0 || s != "" && n == 0 {
				t.Fatalf("Length(%q, %q) = %d", p, s, n)
			}
		}
		if Length("bluesky", s) != uniseg.GraphemeClusterCount(s) {
			t.Fatal("bluesky does not count graphemes")
		}
	})
}

// FuzzNormalizeSpace: NormalizeSpace is strings.Join(strings.Fields(s), " "),
// invalid UTF-8 and Unicode spaces included.
func FuzzNormalizeSpace(f *testing.F) {
	f.Add("  a \t b\n\u00a0c\u2028 \xff d  ")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := NormalizeSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("NormalizeSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

// jsonByEncoder is Set.JSON as it was: encoding/json's Encoder, indented,
// without HTML escaping.
func jsonByEncoder(s *Set) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FuzzSetJSON: Set.JSON writes what encoding/json's Encoder writes, for
// any strings (controls, invalid UTF-8, U+2028, quotes, <>&), any numbers
// and nil, empty and filled maps.
func FuzzSetJSON(f *testing.F) {
	f.Add("https://b.example/p/?a=1&b=<2>", "Ti\"tle\u2028", "I work at \x00\xff.", "x", "text\n\t", -3, 280, "https://x.com/intent?text=a%20b", uint8(2))
	f.Add("", "", "", "", "", 0, 0, "", uint8(0))
	f.Fuzz(func(t *testing.T, u, title, disc, platform, text string, length, limit int, intent string, shape uint8) {
		s := &Set{URL: u, Title: title, Disclosure: disc}
		for i, m := range []*map[string]Snippet{&s.Employee, &s.Reader} {
			switch (int(shape) >> (2 * i)) & 3 {
			case 1:
				*m = map[string]Snippet{}
			case 2:
				*m = map[string]Snippet{platform: {Text: text, Length: length, Limit: limit, Intent: intent}}
			case 3:
				*m = map[string]Snippet{platform: {Text: text}, platform + "2": {Intent: intent, Length: limit}, "a": {Limit: length}}
			}
		}
		got, err := s.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if want := jsonByEncoder(s); !bytes.Equal(got, want) {
			t.Fatalf("JSON:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}
