package share

import (
	"encoding/json"
	"errors"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	disclosure = "I work at Brightline Materials." // 31
	postURL    = "https://blog.brightline.com/posts/solder-voids/"
)

// words returns n four-letter words joined by spaces: 5n-1 characters.
func words(n int) string {
	return strings.TrimSpace(strings.Repeat("abcd ", n))
}

func TestComposeXBoundary(t *testing.T) {
	link := TagURL(postURL, "x", Employee)
	// disclosure (31) + space + title + space + link (23) = 56 + title.
	tests := []struct {
		name  string
		title string
		want  string
	}{
		{"exactly 280", words(45), disclosure + " " + words(45) + " " + link},
		{"281 cuts the title", words(45) + "e", disclosure + " " + words(44) + "…" + " " + link},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn, err := Compose("x", Employee, Input{Title: tt.title, URL: postURL, Disclosure: disclosure})
			if err != nil {
				t.Fatal(err)
			}
			if sn.Text != tt.want {
				t.Errorf("text = %q\nwant   %q", sn.Text, tt.want)
			}
			if sn.Length != Length("x", tt.want) || sn.Length > 280 || sn.Limit != 280 {
				t.Errorf("length %d, limit %d", sn.Length, sn.Limit)
			}
		})
	}
	full := Length("x", disclosure+" "+words(45)+" "+link)
	if full != 280 {
		t.Fatalf("fixture measures %d, want 280", full)
	}
}

func TestComposeTruncationOrder(t *testing.T) {
	title := "How we cut solder voids by forty percent" // 40
	var tags []string
	for i := 0; i < 30; i++ {
		tags = append(tags, "abcdefgh"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	in := Input{Title: title, URL: postURL, Disclosure: disclosure, Hashtags: tags}

	// X: 31+1+40+1+23 = 96; each "#abcdefghxy" adds 12 → 15 fit (276).
	sn, err := Compose("x", Employee, in)
	if err != nil {
		t.Fatal(err)
	}
	link := TagURL(postURL, "x", Employee)
	want := disclosure + " " + title + " " + link
	for _, tag := range tags[:15] {
		want += " #" + tag
	}
	if sn.Text != want {
		t.Errorf("hashtags not dropped from the end first:\n got %q\nwant %q", sn.Text, want)
	}

	// A long title: all hashtags go, then the title is cut at a word boundary.
	long := "Solder voids: " + strings.Repeat("reflow profiles, stencils and nitrogen ", 6)
	in = Input{Title: long, URL: postURL, Disclosure: disclosure, Hashtags: []string{"soldering", "manufacturing"}}
	for _, p := range Platforms() {
		if p == "linkedin" || p == "mastodon" || p == "threads" {
			continue // the title fits in 500 and 3000
		}
		sn, err := Compose(p, Employee, in)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		link := TagURL(postURL, p, Employee)
		if !strings.HasPrefix(sn.Text, disclosure+" ") {
			t.Errorf("%s: disclosure not first and whole: %q", p, sn.Text)
		}
		if !strings.HasSuffix(sn.Text, "… "+link) {
			t.Errorf("%s: want the cut title then the whole link: %q", p, sn.Text)
		}
		if strings.Contains(sn.Text, "#") {
			t.Errorf("%s: hashtags kept while the title was cut: %q", p, sn.Text)
		}
		cut := strings.TrimSuffix(strings.TrimPrefix(sn.Text, disclosure+" "), "… "+link)
		if !strings.HasPrefix(long, cut+" ") || strings.HasSuffix(cut, ",") {
			t.Errorf("%s: title not cut at a word boundary: %q", p, cut)
		}
		// The cut is the longest that fits: one more word would not.
		next := long[len(cut):]
		next = strings.TrimLeft(next, ", ")
		next = next[:strings.IndexByte(next, ' ')]
		longer := disclosure + " " + cut + ", " + next + "… " + link
		if Length(p, longer) <= Limit(p) {
			t.Errorf("%s: %q fits too; the cut is not the longest", p, longer)
		}
		if sn.Length > sn.Limit {
			t.Errorf("%s: length %d over limit %d", p, sn.Length, sn.Limit)
		}
	}
	// On the platforms with room nothing is cut.
	for _, p := range []string{"mastodon", "threads", "linkedin"} {
		sn, _ := Compose(p, Employee, in)
		if !strings.Contains(sn.Text, strings.TrimSpace(long)+" ") || !strings.HasSuffix(sn.Text, "#soldering #manufacturing") {
			t.Errorf("%s: text shortened without need: %q", p, sn.Text)
		}
	}
}

func TestComposeCJKTitleCut(t *testing.T) {
	title := strings.Repeat("日本語の記事", 30) // 180 runes, weight 360 on X
	sn, err := Compose("x", Reader, Input{Title: title, URL: postURL})
	if err != nil {
		t.Fatal(err)
	}
	cut, ok := strings.CutSuffix(sn.Text, "… "+TagURL(postURL, "x", Reader))
	if !ok || cut == "" || !strings.HasPrefix(title, cut) {
		t.Fatalf("CJK title not cut: %q", sn.Text)
	}
	if sn.Length > 280 || sn.Length < 270 {
		t.Errorf("length %d: the cut should use the room (≤280, ≥270)", sn.Length)
	}
}

func TestComposeSingleLongWordTitleIsDropped(t *testing.T) {
	sn, err := Compose("x", Employee, Input{Title: strings.Repeat("x", 300), URL: postURL, Disclosure: disclosure})
	if err != nil {
		t.Fatal(err)
	}
	if want := disclosure + " " + TagURL(postURL, "x", Employee); sn.Text != want {
		t.Errorf("text = %q, want %q", sn.Text, want)
	}
}

func TestComposeTooLong(t *testing.T) {
	long := strings.Repeat("Disclosure ", 27) + "ok." // 300 characters
	longURL := "https://blog.brightline.com/posts/" + strings.Repeat("very-long-slug-", 18) + "/"
	tests := []struct {
		name     string
		platform string
		variant  string
		in       Input
		tooLong  bool
	}{
		{"300-char disclosure on X", "x", Employee, Input{Title: "T", URL: postURL, Disclosure: long}, true},
		{"300-char disclosure on Mastodon", "mastodon", Employee, Input{Title: "T", URL: postURL, Disclosure: long}, false},
		{"reader variant has no disclosure", "x", Reader, Input{Title: "T", URL: postURL, Disclosure: long}, false},
		{"long URL is 23 on X", "x", Employee, Input{Title: "T", URL: longURL, Disclosure: disclosure}, false},
		{"long URL counts in full on Bluesky", "bluesky", Employee, Input{Title: "T", URL: longURL, Disclosure: disclosure}, true},
		{"long URL alone too long on Bluesky", "bluesky", Reader, Input{Title: "T", URL: longURL}, true},
		{"hand-written text too long", "x", Employee, Input{Title: "T", URL: postURL, Disclosure: disclosure, Custom: strings.Repeat("word ", 60)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn, err := Compose(tt.platform, tt.variant, tt.in)
			if !tt.tooLong {
				if err != nil || sn.Length > sn.Limit {
					t.Fatalf("err %v, length %d/%d", err, sn.Length, sn.Limit)
				}
				return
			}
			if !errors.Is(err, ErrTooLong) {
				t.Fatalf("err = %v, want ErrTooLong", err)
			}
			var tl *TooLongError
			if !errors.As(err, &tl) || tl.Platform != tt.platform || tl.Variant != tt.variant || tl.Limit != Limit(tt.platform) || tl.Length != sn.Length {
				t.Fatalf("TooLongError = %+v, snippet length %d", tl, sn.Length)
			}
			msg := err.Error()
			for _, s := range []string{tt.platform, tt.variant, "limit " + itoa(sn.Limit), itoa(sn.Length)} {
				if !strings.Contains(msg, s) {
					t.Errorf("message %q does not name %q", msg, s)
				}
			}
			if sn.Length <= sn.Limit {
				t.Errorf("length %d within limit %d", sn.Length, sn.Limit)
			}
			link := TagURL(tt.in.URL, tt.platform, tt.variant)
			if !strings.Contains(sn.Text, link) {
				t.Errorf("link missing from %q", sn.Text)
			}
			if tt.variant == Employee && !strings.HasPrefix(sn.Text, tt.in.Disclosure) {
				t.Errorf("disclosure not first: %q", sn.Text)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestComposeEmployeeStartsWithDisclosure(t *testing.T) {
	inputs := []Input{
		{Title: "Short", URL: postURL, Disclosure: disclosure, Hashtags: []string{"a"}},
		{Title: strings.Repeat("long words ", 400), URL: postURL, Disclosure: disclosure},
		{Title: "T", URL: postURL, Disclosure: disclosure, Custom: "Hand-written, no disclosure."},
		{Title: "T", URL: postURL, Disclosure: disclosure, Custom: disclosure + " Hand-written with it."},
		{Title: "T", URL: postURL, Disclosure: "  " + disclosure + "\n", Custom: "x"},
	}
	for i, in := range inputs {
		for _, p := range Platforms() {
			sn, err := Compose(p, Employee, in)
			if err != nil {
				t.Fatalf("%d %s: %v", i, p, err)
			}
			if !strings.HasPrefix(sn.Text, disclosure+" ") || strings.Count(sn.Text, disclosure) != 1 {
				t.Errorf("%d %s: %q does not start with the disclosure once", i, p, sn.Text)
			}
			rd, _ := Compose(p, Reader, in)
			if strings.Contains(rd.Text, "Brightline Materials") {
				t.Errorf("%d %s: reader text makes an employment claim: %q", i, p, rd.Text)
			}
		}
	}
}

func TestComposeCustom(t *testing.T) {
	tests := []struct {
		name, variant, custom, want string
	}{
		{"link appended", Employee, "Voids are gone.", disclosure + " Voids are gone. " + TagURL(postURL, "x", Employee)},
		{"reader", Reader, "Voids are gone.", "Voids are gone. " + TagURL(postURL, "x", Reader)},
		{"disclosure kept", Employee, disclosure + "\nVoids are gone.", disclosure + "\nVoids are gone. " + TagURL(postURL, "x", Employee)},
		{"reader drops the disclosure", Reader, disclosure + " Voids are gone.", "Voids are gone. " + TagURL(postURL, "x", Reader)},
		{"canonical URL tagged in place", Reader, "Read " + postURL + " now!", "Read " + TagURL(postURL, "x", Reader) + " now!"},
		{"canonical URL without slash", Reader, "Read " + strings.TrimSuffix(postURL, "/") + ".", "Read " + TagURL(postURL, "x", Reader) + "."},
		{"URL with own query kept", Reader, "Read " + postURL + "?ref=a", "Read " + postURL + "?ref=a"},
		{"longer URL is another page", Reader, "See " + postURL + "part-2/", "See " + postURL + "part-2/ " + TagURL(postURL, "x", Reader)},
		{"hashtags and title unused", Reader, "Only this.", "Only this. " + TagURL(postURL, "x", Reader)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Title: "Generated title", URL: postURL, Disclosure: disclosure, Hashtags: []string{"tag"}, Custom: tt.custom}
			sn, err := Compose("x", tt.variant, in)
			if err != nil {
				t.Fatal(err)
			}
			if sn.Text != tt.want {
				t.Errorf("text = %q\nwant   %q", sn.Text, tt.want)
			}
		})
	}
}

func TestHashtags(t *testing.T) {
	got := hashtags([]string{"soldering", "surface mount", "lead-free solder", "Soldering", "2026", "c++", "#go", "  ", "日本語", "x_y"})
	want := []string{"#soldering", "#SurfaceMount", "#LeadFreeSolder", "#c", "#go", "#日本語", "#XY"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("hashtags = %q, want %q", got, want)
	}
}

func TestTagURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://b.example/p/", "https://b.example/p/?utm_source=x&utm_medium=social&utm_content=employee"},
		{"https://b.example/p/?a=1", "https://b.example/p/?a=1&utm_source=x&utm_medium=social&utm_content=employee"},
		{"https://b.example/p/?a=1#sec", "https://b.example/p/?a=1&utm_source=x&utm_medium=social&utm_content=employee#sec"},
		{"https://b.example/p/#sec", "https://b.example/p/?utm_source=x&utm_medium=social&utm_content=employee#sec"},
		{"https://b.example/p/?", "https://b.example/p/?utm_source=x&utm_medium=social&utm_content=employee"},
		{"https://b.example/p/?utm_source=rss&b=2&utm_campaign=c&utm_content=reader", "https://b.example/p/?b=2&utm_campaign=c&utm_source=x&utm_medium=social&utm_content=employee"},
		{"https://b.example/p/?utm%5Fsource=rss", "https://b.example/p/?utm_source=x&utm_medium=social&utm_content=employee"},
		{"", ""},
	}
	for _, tt := range tests {
		got := TagURL(tt.in, "x", Employee)
		if got != tt.want {
			t.Errorf("TagURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := TagURL(got, "x", Employee); again != got {
			t.Errorf("tagging twice: %q", again)
		}
		if strings.Count(got, "utm_source") > 1 {
			t.Errorf("duplicated UTM: %q", got)
		}
	}
	if got := TagURL("https://b.example/p/", "mastodon", Reader); !strings.HasSuffix(got, "?utm_source=mastodon&utm_medium=social&utm_content=reader") {
		t.Errorf("TagURL mastodon reader = %q", got)
	}
}

func TestIntent(t *testing.T) {
	in := Input{Title: "Voids & stencils: 100% better?", URL: postURL, Disclosure: disclosure, Hashtags: []string{"soldering"}}
	prefixes := map[string]string{
		"x":        "https://x.com/intent/post?text=",
		"mastodon": "https://mastodonshare.com/?text=",
		"bluesky":  "https://bsky.app/intent/compose?text=",
		"linkedin": "https://www.linkedin.com/sharing/share-offsite/?url=",
		"threads":  "https://www.threads.net/intent/post?text=",
	}
	for _, p := range Platforms() {
		sn, err := Compose(p, Employee, in)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sn.Intent, prefixes[p]) {
			t.Errorf("%s intent %q", p, sn.Intent)
			continue
		}
		if strings.ContainsAny(sn.Intent, " +") {
			t.Errorf("%s intent has a raw space or '+': %q", p, sn.Intent)
		}
		u, err := url.Parse(sn.Intent)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if len(q) != 1 {
			t.Errorf("%s intent has parameters %v; text was not escaped", p, q)
		}
		want, key := sn.Text, "text"
		if p == "linkedin" {
			want, key = TagURL(postURL, p, Employee), "url"
		}
		if q.Get(key) != want {
			t.Errorf("%s intent %s = %q, want %q", p, key, q.Get(key), want)
		}
	}
}

func TestComposeUnknown(t *testing.T) {
	if _, err := Compose("myspace", Employee, Input{}); err == nil || errors.Is(err, ErrTooLong) {
		t.Errorf("unknown platform: %v", err)
	}
	if _, err := Compose("x", "lurker", Input{}); err == nil || errors.Is(err, ErrTooLong) {
		t.Errorf("unknown variant: %v", err)
	}
}

func TestBuild(t *testing.T) {
	in := Input{
		Title:      "How we cut   solder voids by 40%",
		URL:        postURL,
		Disclosure: disclosure,
		Hashtags:   []string{"soldering", "surface mount", "manufacturing"},
	}
	custom := map[string]string{
		"mastodon": "Solder voids, cut by 40%. Notes on reflow profiles and stencil design: " + postURL,
	}
	set, errs := Build(in, custom)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if set.URL != postURL || strings.Contains(set.URL, "utm_") {
		t.Errorf("canonical URL %q", set.URL)
	}
	for _, m := range []map[string]Snippet{set.Employee, set.Reader} {
		if len(m) != len(Platforms()) {
			t.Errorf("%d platforms, want %d", len(m), len(Platforms()))
		}
	}
	got, err := set.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Set
	if err := json.Unmarshal(got, &back); err != nil || back.Employee["x"] != set.Employee["x"] {
		t.Fatalf("share.json does not round-trip: %v", err)
	}
	golden := filepath.Join("testdata", "build.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("share.json differs from %s (run go test -update and review):\n%s", golden, got)
	}
	// Building again gives the same bytes.
	set2, _ := Build(in, custom)
	if again, _ := set2.JSON(); string(again) != string(got) {
		t.Error("Build is not deterministic")
	}
}

func TestBuildCustomPrecedence(t *testing.T) {
	in := Input{Title: "Generated", URL: postURL, Disclosure: disclosure, Custom: "From input."}
	tests := []struct {
		name   string
		custom map[string]string
		want   map[string]string // platform → reader text without the link
	}{
		{"input custom", nil, map[string]string{"x": "From input.", "linkedin": "From input."}},
		{"all beats input", map[string]string{"all": "For all."}, map[string]string{"x": "For all.", "threads": "For all."}},
		{"platform beats all", map[string]string{"all": "For all.", "x": "For X.", "bluesky": " "}, map[string]string{"x": "For X.", "bluesky": "For all.", "mastodon": "For all."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, errs := Build(in, tt.custom)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			for p, want := range tt.want {
				if got := set.Reader[p].Text; got != want+" "+TagURL(postURL, p, Reader) {
					t.Errorf("%s reader = %q, want %q + link", p, got, want)
				}
				if got := set.Employee[p].Text; got != disclosure+" "+want+" "+TagURL(postURL, p, Employee) {
					t.Errorf("%s employee = %q", p, got)
				}
			}
		})
	}
}

func TestBuildErrorsInOrder(t *testing.T) {
	in := Input{Title: "T", URL: postURL, Disclosure: strings.Repeat("I work at a company with a long name. ", 9)} // 341
	_, errs := Build(in, nil)
	var got []string
	for _, err := range errs {
		var tl *TooLongError
		if !errors.As(err, &tl) {
			t.Fatalf("error %v is not a TooLongError", err)
		}
		got = append(got, tl.Platform+" "+tl.Variant)
	}
	if strings.Join(got, ",") != "x employee,bluesky employee" {
		t.Errorf("errors for %v, want x and bluesky employee", got)
	}
}

// TestName: every platform has its display name; anything else is shown
// as it is.
func TestName(t *testing.T) {
	want := map[string]string{"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "linkedin": "LinkedIn", "threads": "Threads", "myspace": "myspace"}
	for _, p := range append(Platforms(), "myspace") {
		if got := Name(p); got != want[p] {
			t.Errorf("Name(%q) = %q, want %q", p, got, want[p])
		}
	}
}
