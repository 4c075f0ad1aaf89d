package build

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/peerpress/peerpress/policy"
)

// The tests here hold the feeds to the rules of the W3C feed validator
// (validator.w3.org/feed) and of the three specifications, on the mini-site
// testdata/sites/blog.txtar. gorilla/feeds' own output breaks several:
// relative URLs in content, a name in RSS <author>, no self link, no
// isPermaLink guid.

// feedSite is the blog mini-site plus a bundle post whose HTML has every
// kind of URL and characters XML 1.0 forbids.
func feedSite(t *testing.T) fstest.MapFS {
	t.Helper()
	site := loadSite(t, "blog")
	site["site.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["site.yaml"].Data), "paging: 2\n", "paging: 2\nmarkup: {unsafe_html: true}\n", 1))}
	// Two authors leave one reviewer of the three people.
	site["policy/disclosure.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["policy/disclosure.yaml"].Data), "public: 2", "public: 1", 1))}
	site["content/posts/charts/index.md"] = &fstest.MapFile{Data: []byte("---\n" +
		`title: "Charts \x01and\v controls"` + "\n" + // YAML escapes: the control characters are in the value
		"date: 2026-09-15\n" +
		`summary: "Bell\a and vertical tab\v are not XML."` + "\n" +
		"authors: [ada, ben]\n" +
		"reviewed_by: [cy]\n" +
		"audience: public\n" +
		"tags: [testing]\n" +
		"---\n" +
		"A chart: ![reflow chart](chart.png)\n\n" +
		"A [sibling post](../hello/), the [tags](/tags/), a [note](#notes), and [mail](mailto:ada@example.com).\n\n" +
		"Escape\x1b and form feed\x0c and U+FFFE \uFFFE end.\n\n" +
		`<picture><source srcset="chart-2x.png 2x, /img/wide.png 800w"><img src="./chart.png" alt="chart" data-src="keep.png"></picture>` + "\n\n" +
		`<video poster="poster.jpg" src="//cdn.example.net/v.mp4"></video>` + "\n\n" +
		"## Notes\n\nDone.\n")}
	site["content/posts/charts/chart.png"] = &fstest.MapFile{Data: []byte("\x89PNG\r\n\x1a\n")}
	return site
}

// buildFeeds runs a build and returns its outputs by path.
func buildFeeds(t *testing.T, site fstest.MapFS, opts Options) map[string][]byte {
	t.Helper()
	opts.Site = site
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	opts.Version = "test"
	res, err := Run(context.Background(), opts)
	if err != nil {
		if res != nil && res.Report != nil {
			t.Log(findingLines(res.Report))
		}
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, o := range res.Outputs {
		out[o.Path] = o.Data
	}
	return out
}

// feedPaths are the feed outputs of a build, sorted.
func feedPaths(out map[string][]byte) []string {
	var ps []string
	for p := range out {
		if strings.HasSuffix(p, ".xml") && p != "sitemap.xml" || p == "feed.json" {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	return ps
}

type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title         string     `xml:"title"`
		Link          string     `xml:"-"`
		Description   string     `xml:"description"`
		Language      string     `xml:"language"`
		LastBuildDate string     `xml:"lastBuildDate"`
		AtomLinks     []atomLink `xml:"-"`
		Links         []struct {
			XMLName xml.Name
			atomLink
			Value string `xml:",chardata"`
		} `xml:"link"` // <link> and <atom:link>
		Items []rssItem `xml:"item"`
	} `xml:"channel"`
}

type rssItem struct {
	Title string `xml:"title"`
	Link  string `xml:"link"`
	GUID  struct {
		Value       string `xml:",chardata"`
		IsPermaLink string `xml:"isPermaLink,attr"`
	} `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Author      []string `xml:"author"`
	Creators    []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
	Content     string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
}

func parseRSS(t *testing.T, data []byte) rssDoc {
	t.Helper()
	var doc rssDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not well-formed RSS: %v", err)
	}
	for _, l := range doc.Channel.Links {
		switch l.XMLName.Space {
		case "":
			doc.Channel.Link = l.Value
		case "http://www.w3.org/2005/Atom":
			doc.Channel.AtomLinks = append(doc.Channel.AtomLinks, l.atomLink)
		}
	}
	return doc
}

type atomDoc struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string     `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string     `xml:"id"`
	Title   string     `xml:"title"`
	Updated string     `xml:"updated"`
	Links   []atomLink `xml:"link"`
	Entries []struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Links     []atomLink `xml:"link"`
		Published string     `xml:"published"`
		Updated   string     `xml:"updated"`
		Authors   []struct {
			Name string `xml:"name"`
			URI  string `xml:"uri"`
		} `xml:"author"`
		Categories []struct {
			Term string `xml:"term,attr"`
		} `xml:"category"`
		Summary struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"summary"`
		Content struct {
			Type  string `xml:"type,attr"`
			Value string `xml:",chardata"`
		} `xml:"content"`
	} `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

var urlAttrRE = regexp.MustCompile(`\s(href|src|srcset|poster|cite)="([^"]*)"`)

// relativeURLs returns the URLs of an HTML fragment that are not absolute.
func relativeURLs(html string) []string {
	var bad []string
	for _, m := range urlAttrRE.FindAllStringSubmatch(html, -1) {
		vals := []string{m[2]}
		if m[1] == "srcset" {
			vals = nil
			for _, c := range strings.Split(m[2], ",") {
				vals = append(vals, strings.Fields(c)[0])
			}
		}
		for _, v := range vals {
			u, err := url.Parse(strings.ReplaceAll(v, "&amp;", "&"))
			if err != nil || u.Scheme == "" || (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
				bad = append(bad, m[1]+"="+v)
			}
		}
	}
	return bad
}

func TestFeedRSS(t *testing.T) {
	out := buildFeeds(t, feedSite(t), Options{})
	doc := parseRSS(t, out["index.xml"])
	ch := doc.Channel
	if doc.Version != "2.0" || ch.Title != "Test Blog" || ch.Link != "https://blog.example.com/" || ch.Language != "en" || ch.Description == "" {
		t.Errorf("channel: version %q title %q link %q language %q description %q", doc.Version, ch.Title, ch.Link, ch.Language, ch.Description)
	}
	if len(ch.AtomLinks) != 1 || ch.AtomLinks[0].Rel != "self" || ch.AtomLinks[0].Href != "https://blog.example.com/index.xml" || ch.AtomLinks[0].Type != "application/rss+xml" {
		t.Errorf("atom:link self = %+v", ch.AtomLinks)
	}
	// lastBuildDate is the newest post date or lastmod (public-widget's
	// lastmod), never the clock.
	if ch.LastBuildDate != "Sun, 01 Nov 2026 00:00:00 +0000" {
		t.Errorf("lastBuildDate %q", ch.LastBuildDate)
	}
	want := []struct {
		slug, creator string
		tags          []string
		pubDate       string
	}{
		{"public-widget", "Ben Öztürk", []string{"printing"}, "Tue, 20 Oct 2026 00:00:00 +0000"},
		{"hello", "Ada Park", []string{"soldering", "Thermal Design"}, "Thu, 01 Oct 2026 00:00:00 +0000"},
		{"charts", "Ada Park and Ben Öztürk", []string{"testing"}, "Tue, 15 Sep 2026 00:00:00 +0000"},
		{"bundle", "Ben Öztürk", []string{"testing"}, "Sat, 01 Aug 2026 00:00:00 +0000"},
	}
	if len(ch.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(ch.Items), len(want))
	}
	for i, w := range want {
		it := ch.Items[i]
		link := "https://blog.example.com/posts/" + w.slug + "/"
		if it.Link != link || it.GUID.Value != link || it.GUID.IsPermaLink != "true" {
			t.Errorf("item %d: link %q guid %q isPermaLink=%q, want the permalink %s", i, it.Link, it.GUID.Value, it.GUID.IsPermaLink, link)
		}
		if len(it.Author) != 0 {
			t.Errorf("item %d has <author> %q: RSS wants an e-mail address there", i, it.Author)
		}
		if len(it.Creators) != 1 || it.Creators[0] != w.creator {
			t.Errorf("item %d: dc:creator %q, want one naming every author: %q", i, it.Creators, w.creator)
		}
		if !slices.Equal(it.Categories, w.tags) {
			t.Errorf("item %d: categories %q, want %q", i, it.Categories, w.tags)
		}
		if it.PubDate != w.pubDate {
			t.Errorf("item %d: pubDate %q, want %q", i, it.PubDate, w.pubDate)
		}
		if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
			t.Errorf("item %d: pubDate is not RFC 822: %v", i, err)
		}
		if it.Content == "" || it.Description == "" || strings.Contains(it.Description, "<") {
			t.Errorf("item %d: content %d bytes, description %q (want full HTML and a plain-text summary)", i, len(it.Content), it.Description)
		}
		if bad := relativeURLs(it.Content); len(bad) > 0 {
			t.Errorf("item %d: relative URLs in content: %q", i, bad)
		}
	}
	// Disclosure at the top of the product post's item, content and summary.
	const stmt = "Disclosure:</strong> Ben Öztürk is a Reliability Engineer at Example Materials. This post discusses products of the author’s employer.</p>"
	if c := ch.Items[0].Content; !strings.HasPrefix(c, "<p><strong>"+stmt) {
		t.Errorf("product post's item does not start with the disclosure:\n%.200s", c)
	}
	if d := ch.Items[0].Description; !strings.HasPrefix(d, "Disclosure: Ben Öztürk is a Reliability Engineer at Example Materials.") {
		t.Errorf("product post's summary does not start with the disclosure: %q", d)
	}
	if strings.Contains(ch.Items[1].Content, "Disclosure:") {
		t.Error("a post that does not discuss products got the disclosure line")
	}
}

func TestFeedAtom(t *testing.T) {
	out := buildFeeds(t, feedSite(t), Options{})
	var doc atomDoc
	if err := xml.Unmarshal(out["atom.xml"], &doc); err != nil {
		t.Fatalf("not well-formed Atom: %v", err)
	}
	if doc.ID != "https://blog.example.com/atom.xml" || doc.Title != "Test Blog" || doc.Lang != "en" {
		t.Errorf("feed id %q title %q xml:lang %q", doc.ID, doc.Title, doc.Lang)
	}
	links := map[string]atomLink{}
	for _, l := range doc.Links {
		links[l.Rel] = l
	}
	if links["self"].Href != "https://blog.example.com/atom.xml" || links["self"].Type != "application/atom+xml" || links["alternate"].Href != "https://blog.example.com/" {
		t.Errorf("links %+v", doc.Links)
	}
	if doc.Updated != "2026-11-01T00:00:00Z" {
		t.Errorf("updated %q, want the newest lastmod", doc.Updated)
	}
	if len(doc.Entries) != 4 {
		t.Fatalf("%d entries", len(doc.Entries))
	}
	for i, e := range doc.Entries {
		if !strings.HasPrefix(e.ID, "https://blog.example.com/posts/") || len(e.Links) != 1 || e.Links[0].Href != e.ID || e.Links[0].Rel != "alternate" {
			t.Errorf("entry %d: id %q links %+v", i, e.ID, e.Links)
		}
		for _, d := range []string{e.Published, e.Updated} {
			if tm, err := time.Parse(time.RFC3339, d); err != nil || tm.Format(time.RFC3339) != d {
				t.Errorf("entry %d: date %q is not RFC 3339", i, d)
			}
		}
		if len(e.Authors) == 0 {
			t.Errorf("entry %d has no author", i)
		}
		for _, a := range e.Authors {
			if a.Name == "" || !strings.HasPrefix(a.URI, "https://blog.example.com/authors/") {
				t.Errorf("entry %d: author %+v", i, a)
			}
		}
		if len(e.Categories) == 0 || e.Categories[0].Term == "" {
			t.Errorf("entry %d: categories %+v", i, e.Categories)
		}
		if e.Content.Type != "html" || e.Summary.Type != "text" {
			t.Errorf("entry %d: content type %q summary type %q", i, e.Content.Type, e.Summary.Type)
		}
		if bad := relativeURLs(e.Content.Value); len(bad) > 0 {
			t.Errorf("entry %d: relative URLs in content: %q", i, bad)
		}
	}
	pw := doc.Entries[0]
	if pw.Published != "2026-10-20T00:00:00Z" || pw.Updated != "2026-11-01T00:00:00Z" {
		t.Errorf("public-widget published %q updated %q", pw.Published, pw.Updated)
	}
	if names := []string{doc.Entries[2].Authors[0].Name, doc.Entries[2].Authors[1].Name}; len(doc.Entries[2].Authors) != 2 || names[0] != "Ada Park" || names[1] != "Ben Öztürk" {
		t.Errorf("two-author entry: %+v", doc.Entries[2].Authors)
	}
	if !strings.HasPrefix(pw.Content.Value, "<p><strong>Disclosure:</strong> Ben Öztürk is") {
		t.Errorf("product entry does not start with the disclosure: %.100s", pw.Content.Value)
	}
}

func TestFeedJSON(t *testing.T) {
	out := buildFeeds(t, feedSite(t), Options{})
	var doc struct {
		Version, Title, Language string
		HomePageURL              string `json:"home_page_url"`
		FeedURL                  string `json:"feed_url"`
		Items                    []struct {
			ID, URL, Title, Summary string
			ContentHTML             string `json:"content_html"`
			DatePublished           string `json:"date_published"`
			DateModified            string `json:"date_modified"`
			Authors                 []struct{ Name, URL string }
			Tags                    []string
			Author                  any
		}
	}
	dec := json.NewDecoder(bytes.NewReader(out["feed.json"]))
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "https://jsonfeed.org/version/1.1" || doc.HomePageURL != "https://blog.example.com/" || doc.FeedURL != "https://blog.example.com/feed.json" || doc.Language != "en" || doc.Title != "Test Blog" {
		t.Errorf("feed: %q %q %q %q %q", doc.Version, doc.HomePageURL, doc.FeedURL, doc.Language, doc.Title)
	}
	if len(doc.Items) != 4 {
		t.Fatalf("%d items", len(doc.Items))
	}
	for i, it := range doc.Items {
		if it.ID == "" || it.ID != it.URL || it.ContentHTML == "" || it.Summary == "" || strings.Contains(it.Summary, "<") {
			t.Errorf("item %d: id %q url %q summary %q content %d bytes", i, it.ID, it.URL, it.Summary, len(it.ContentHTML))
		}
		for _, d := range []string{it.DatePublished, it.DateModified} {
			if _, err := time.Parse(time.RFC3339, d); err != nil {
				t.Errorf("item %d: date %q: %v", i, d, err)
			}
		}
		if len(it.Authors) == 0 || it.Authors[0].Name == "" || !strings.HasPrefix(it.Authors[0].URL, "https://blog.example.com/authors/") || it.Author != nil {
			t.Errorf("item %d: authors %+v, author (deprecated) %v", i, it.Authors, it.Author)
		}
		if len(it.Tags) == 0 {
			t.Errorf("item %d: no tags", i)
		}
		if bad := relativeURLs(it.ContentHTML); len(bad) > 0 {
			t.Errorf("item %d: relative URLs: %q", i, bad)
		}
	}
	if !strings.HasPrefix(doc.Items[0].Summary, "Disclosure: Ben Öztürk is a Reliability Engineer at Example Materials.") {
		t.Errorf("product item summary %q", doc.Items[0].Summary)
	}
}

// TestFeedContentURLs checks the bundle post's item in every feed: each URL
// resolved as the post's page resolves it.
func TestFeedContentURLs(t *testing.T) {
	out := buildFeeds(t, feedSite(t), Options{})
	doc := parseRSS(t, out["index.xml"])
	var content string
	for _, it := range doc.Channel.Items {
		if strings.HasSuffix(it.Link, "/charts/") {
			content = it.Content
		}
	}
	for _, want := range []string{
		`<img src="https://blog.example.com/posts/charts/chart.png" alt="reflow chart">`,
		`href="https://blog.example.com/posts/hello/"`,
		`href="https://blog.example.com/tags/"`,
		`href="https://blog.example.com/posts/charts/#notes"`,
		`href="mailto:ada@example.com"`,
		`srcset="https://blog.example.com/posts/charts/chart-2x.png 2x, https://blog.example.com/img/wide.png 800w"`,
		`src="https://blog.example.com/posts/charts/chart.png" alt="chart" data-src="keep.png"`,
		`poster="https://blog.example.com/posts/charts/poster.jpg" src="https://cdn.example.net/v.mp4"`,
		`<h2 id="notes">Notes</h2>`,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("item content lacks %s:\n%s", want, content)
		}
	}
	if page := string(out["posts/charts/index.html"]); !strings.Contains(page, `src="chart.png"`) {
		t.Error("the post's page should keep its relative image URL")
	}
}

// TestFeedXMLInvalidCharacters: control characters in a title, summary and
// body are left out of the XML feeds, which stay well-formed.
func TestFeedXMLInvalidCharacters(t *testing.T) {
	out := buildFeeds(t, feedSite(t), Options{})
	for _, p := range feedPaths(out) {
		data := out[p]
		if strings.HasSuffix(p, ".xml") {
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				_, err := d.Token()
				if err != nil {
					if err.Error() != "EOF" {
						t.Errorf("%s: %v", p, err)
					}
					break
				}
			}
		}
		for _, r := range string(data) {
			if !xmlChar(r) {
				t.Errorf("%s holds U+%04X", p, r)
				break
			}
		}
	}
	doc := parseRSS(t, out["index.xml"])
	var it rssItem
	for _, i := range doc.Channel.Items {
		if strings.HasSuffix(i.Link, "/charts/") {
			it = i
		}
	}
	if it.Title != "Charts and controls" || it.Description != "Bell and vertical tab are not XML." || !strings.Contains(it.Content, "Escape and form feed and U+FFFE  end.") {
		t.Errorf("title %q, description %q, content:\n%s", it.Title, it.Description, it.Content)
	}
}

func TestFeedHTML(t *testing.T) {
	base, _ := url.Parse("https://blog.example.com/sub/posts/x/")
	tests := []struct{ in, want string }{
		{`<img src="a.png" alt="">`, `<img src="https://blog.example.com/sub/posts/x/a.png" alt="">`},
		{`<img src="./img/a.png">`, `<img src="https://blog.example.com/sub/posts/x/img/a.png">`},
		{`<a href="../y/">y</a>`, `<a href="https://blog.example.com/sub/posts/y/">y</a>`},
		{`<a href="../../../../../up">`, `<a href="https://blog.example.com/up">`},
		{`<a href="/tags/">`, `<a href="https://blog.example.com/tags/">`},
		{`<a href="#fn:1">`, `<a href="https://blog.example.com/sub/posts/x/#fn:1">`},
		{`<a href="?q=1&amp;r=2">`, `<a href="https://blog.example.com/sub/posts/x/?q=1&amp;r=2">`},
		{`<a href="data.csv?v=1#row">`, `<a href="https://blog.example.com/sub/posts/x/data.csv?v=1#row">`},
		{`<a href="//cdn.example.net/x">`, `<a href="https://cdn.example.net/x">`},
		{`<a href="https://other.example/a?b=1&amp;c=2">`, `<a href="https://other.example/a?b=1&amp;c=2">`},
		{`<a href="mailto:a@example.com">`, `<a href="mailto:a@example.com">`},
		{`<img src="data:image/png;base64,AAAA">`, `<img src="data:image/png;base64,AAAA">`},
		{`<a href="">`, `<a href="">`},
		{`<a href=rel.html title=x>`, `<a href="https://blog.example.com/sub/posts/x/rel.html" title=x>`},
		{`<A HREF='Rel.html'>`, `<A HREF="https://blog.example.com/sub/posts/x/Rel.html">`},
		{`<img srcset="a.png 1x, b.png 2x" src=a.png>`, `<img srcset="https://blog.example.com/sub/posts/x/a.png 1x, https://blog.example.com/sub/posts/x/b.png 2x" src="https://blog.example.com/sub/posts/x/a.png">`},
		{`<img srcset="a.png 1x,b.png 2x">`, `<img srcset="https://blog.example.com/sub/posts/x/a.png 1x, https://blog.example.com/sub/posts/x/b.png 2x">`},
		{`<img srcset="a.png,b.png 2x">`, `<img srcset="https://blog.example.com/sub/posts/x/a.png,b.png 2x">`}, // one URL with a comma, as browsers read it
		{`<blockquote cite="src.html">`, `<blockquote cite="https://blog.example.com/sub/posts/x/src.html">`},
		{`<a href="%CE%B4.html#δt">`, `<a href="https://blog.example.com/sub/posts/x/%CE%B4.html#δt">`},
		{`<a data-href="x" href="y" >`, `<a data-href="x" href="https://blog.example.com/sub/posts/x/y" >`},
		{`<img src="a.png"/>`, `<img src="https://blog.example.com/sub/posts/x/a.png"/>`},
		{`<h2 id="a">A <a class="anchor" href="#a" aria-label="Link to this section">#</a></h2>`, `<h2 id="a">A</h2>`},
		{`<p>a &lt;b href="x"&gt; c</p>`, `<p>a &lt;b href="x"&gt; c</p>`},
		{`<code>&lt;img src="x"&gt;</code>`, `<code>&lt;img src="x"&gt;</code>`},
		{`<!-- <a href="x"> --><a href="y">`, `<!-- <a href="x"> --><a href="https://blog.example.com/sub/posts/x/y">`},
		{`<script>var s = '<a href="x">';</script>`, `<script>var s = '<a href="x">';</script>`},
		{"a\x00b\x01c\x0bd\x1fe\tf\ng\uFFFEh\uFFFFi\xffj\U0001F600k", "abcde\tf\nghij\U0001F600k"},
		{`x < y and 1<2`, `x < y and 1<2`},
		{`<a href="unterminated`, `<a href="https://blog.example.com/sub/posts/x/unterminated"`},
	}
	for _, tt := range tests {
		if got := feedHTML(tt.in, base); got != tt.want {
			t.Errorf("feedHTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// FuzzFeedHTML: whatever the HTML, feedHTML does not panic, leaves nothing
// XML 1.0 forbids, and leaves HTML without URL attributes or anchors as it
// was (but for forbidden characters).
func FuzzFeedHTML(f *testing.F) {
	for _, s := range []string{`<a href="x">`, `<img srcset="a 1x,b 2x">`, `<a class="anchor" href="#x">#</a>`, `<script>`, `<a href='`, "<\x00", "text"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://blog.example.com/posts/x/")
	f.Fuzz(func(t *testing.T, s string) {
		got := feedHTML(s, base)
		for _, r := range got {
			if !xmlChar(r) {
				t.Fatalf("feedHTML(%q) = %q holds U+%04X", s, got, r)
			}
		}
		if !strings.ContainsAny(s, "<") && got != xmlSafe(s) {
			t.Fatalf("feedHTML(%q) = %q changed text without tags", s, got)
		}
	})
}

// TestFeedsPublicOnly: nothing draft, scheduled, expired or internal in any
// feed of a public build; the internal edition has the internal post.
func TestFeedsPublicOnly(t *testing.T) {
	hidden := []string{"A draft", "Scheduled for next year", "An expired notice", "What WidgetPro taught us about voids",
		"/posts/draft/", "/posts/future/", "/posts/expired/", "/posts/widget/"}
	out := buildFeeds(t, loadSite(t, "blog"), Options{})
	paths := feedPaths(out)
	if len(paths) < 8 {
		t.Fatalf("feeds: %q", paths)
	}
	for _, p := range paths {
		for _, h := range hidden {
			if bytes.Contains(out[p], []byte(h)) {
				t.Errorf("public feed %s contains %q", p, h)
			}
		}
	}
	// -drafts builds the draft's page, and the dev server the scheduled
	// post's too; neither goes into a feed or the sitemap.
	for _, opts := range []Options{{Drafts: true}, {Dev: true}} {
		built := buildFeeds(t, loadSite(t, "blog"), opts)
		if built["posts/draft/index.html"] == nil {
			t.Fatalf("%+v: the draft's page was not built", opts)
		}
		for _, p := range append(feedPaths(built), "sitemap.xml") {
			for _, h := range []string{"A draft", "Scheduled for next year", "/posts/draft/", "/posts/future/"} {
				if bytes.Contains(built[p], []byte(h)) {
					t.Errorf("drafts %v, dev %v: %s contains %q", opts.Drafts, opts.Dev, p, h)
				}
			}
		}
	}
	internal := buildFeeds(t, loadSite(t, "blog"), Options{Audience: "internal"})
	if !bytes.Contains(internal["index.xml"], []byte("/posts/widget/")) {
		t.Error("the internal edition's feed lacks the internal post")
	}
	later := buildFeeds(t, loadSite(t, "blog"), Options{Now: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)})
	if !bytes.Contains(later["index.xml"], []byte("/posts/future/")) {
		t.Error("after its date, the scheduled post is not in the feed")
	}
}

func TestFeedLimit(t *testing.T) {
	tests := []struct {
		yaml string // replaces "feeds:\n  limit: 10\n"
		want int    // items in index.xml
	}{
		{"feeds:\n  limit: 1\n", 1},
		{"feeds:\n  limit: 2\n", 2},
		{"feeds:\n  limit: 0\n", 3},
		{"", 3}, // default 20
	}
	for _, tt := range tests {
		site := loadSite(t, "blog")
		site["site.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(site["site.yaml"].Data), "feeds:\n  limit: 10\n", tt.yaml, 1))}
		out := buildFeeds(t, site, Options{})
		doc := parseRSS(t, out["index.xml"])
		if len(doc.Channel.Items) != tt.want {
			t.Errorf("%q: %d items, want %d", tt.yaml, len(doc.Channel.Items), tt.want)
		}
		var atom atomDoc
		xml.Unmarshal(out["atom.xml"], &atom)
		var js struct{ Items []any }
		json.Unmarshal(out["feed.json"], &js)
		if len(atom.Entries) != tt.want || len(js.Items) != tt.want {
			t.Errorf("%q: atom %d, json %d entries, want %d", tt.yaml, len(atom.Entries), len(js.Items), tt.want)
		}
		if tt.want == 1 {
			// Ben has two posts; his feed is limited too.
			if n := len(parseRSS(t, out["authors/ben/index.xml"]).Channel.Items); n != 1 {
				t.Errorf("limit 1: author feed has %d items", n)
			}
		}
	}
	if DefaultConfig().Feeds.Limit != 20 {
		t.Errorf("default feeds.limit = %d, want 20", DefaultConfig().Feeds.Limit)
	}
}

// TestFeedsPerAuthorAndTag: every author and tag has an RSS feed of its
// posts with its own self link.
func TestFeedsPerAuthorAndTag(t *testing.T) {
	out := buildFeeds(t, loadSite(t, "blog"), Options{})
	tests := []struct {
		path, title string
		links       []string
	}{
		{"authors/ada/index.xml", "Ada Park — Test Blog", []string{"hello"}},
		{"authors/ben/index.xml", "Ben Öztürk — Test Blog", []string{"public-widget", "bundle"}},
		{"tags/soldering/index.xml", "soldering — Test Blog", []string{"hello"}},
		{"tags/thermal-design/index.xml", "Thermal Design — Test Blog", []string{"hello"}},
		{"tags/printing/index.xml", "printing — Test Blog", []string{"public-widget"}},
	}
	for _, tt := range tests {
		doc := parseRSS(t, out[tt.path])
		var links []string
		for _, it := range doc.Channel.Items {
			links = append(links, strings.TrimSuffix(strings.TrimPrefix(it.Link, "https://blog.example.com/posts/"), "/"))
		}
		if doc.Channel.Title != tt.title || !slices.Equal(links, tt.links) {
			t.Errorf("%s: title %q items %q, want %q %q", tt.path, doc.Channel.Title, links, tt.title, tt.links)
		}
		if self := doc.Channel.AtomLinks; len(self) != 1 || self[0].Href != "https://blog.example.com/"+tt.path {
			t.Errorf("%s: self link %+v", tt.path, self)
		}
		if !strings.HasPrefix(doc.Channel.Link, "https://blog.example.com/"+strings.TrimSuffix(tt.path, "index.xml")) {
			t.Errorf("%s: link %q", tt.path, doc.Channel.Link)
		}
	}
}

// TestFeedsIgnoreClock: the feeds depend on the posts, not on when the site
// is built.
func TestFeedsIgnoreClock(t *testing.T) {
	a := buildFeeds(t, loadSite(t, "blog"), Options{Now: testNow})
	b := buildFeeds(t, loadSite(t, "blog"), Options{Now: testNow.Add(20 * 24 * time.Hour)})
	for _, p := range feedPaths(a) {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s changed with the clock", p)
		}
	}
}

// TestFeedVerifyReadsRenderedFeeds: the verify stage checks the disclosure
// in the feed bytes as rendered, so a feed that lost it fails the build.
func TestFeedVerifyReadsRenderedFeeds(t *testing.T) {
	site := loadSite(t, "blog")
	ctx := context.Background()
	opts := Options{Site: site, Now: testNow, Audience: "public"}
	loaded, err := Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(opts, loaded)
	if err != nil {
		t.Fatal(err)
	}
	outs, _, err := r.render(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fs := r.verify(outs); len(fs) > 0 {
		t.Fatalf("clean build has findings: %+v", fs)
	}
	for _, feed := range []string{"index.xml", "atom.xml", "feed.json", "authors/ben/index.xml", "tags/printing/index.xml"} {
		t.Run(feed, func(t *testing.T) {
			tampered := slices.Clone(outs)
			found := false
			for i, o := range tampered {
				if o.Path == feed {
					data := bytes.ReplaceAll(o.Data, []byte("Disclosure:"), []byte("Note:"))
					data = bytes.ReplaceAll(data, []byte("Ben Öztürk is a Reliability Engineer at Example Materials."), nil)
					tampered[i].Data = data
					found = true
				}
			}
			if !found {
				t.Fatalf("no output %s", feed)
			}
			r.feed.parseOnce, r.feed.parsed = sync.Once{}, nil
			var hits []policy.Finding
			for _, f := range r.verify(tampered) {
				if f.File == "content/posts/public-widget.md" && f.Rule == "disclose.byline" && strings.Contains(f.Message, "feed item") {
					hits = append(hits, f)
				}
			}
			if len(hits) == 0 {
				t.Errorf("a feed without the disclosure passed verification")
			}
		})
	}
}

// FuzzXMLSafe checks xmlSafe's ASCII fast path against its definition:
// every rune XML 1.0 allows, decoded one by one, and nothing else.
func FuzzXMLSafe(f *testing.F) {
	for _, s := range []string{"plain", "tab\there\r\n", "bell\x07 nul\x00", "\xff\xfe bad", "ok é 日本 \uFFFE \U0001F600", "\ud7ff\ue000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want strings.Builder
		for i := 0; i < len(s); {
			r, w := utf8.DecodeRuneInString(s[i:])
			if xmlChar(r) && (r != utf8.RuneError || w > 1) {
				want.WriteString(s[i : i+w])
			}
			i += w
		}
		if got := xmlSafe(s); got != want.String() {
			t.Fatalf("xmlSafe(%q) = %q, want %q", s, got, want.String())
		}
	})
}
