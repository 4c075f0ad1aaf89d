package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/peerpress/peerpress/build"
)

// sampleModel builds the sample blog in memory: the posts, authors and tags
// the feeds are expected to carry, from the post model rather than from the
// feed code.
func sampleModel(t *testing.T, opts build.Options) *build.Result {
	t.Helper()
	now, _ := time.Parse(time.RFC3339, sampleNow)
	opts.Site, opts.Now = os.DirFS(repoRoot), now
	res, err := build.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// expectedFeed is a feed of the sample blog and the posts it must carry.
type expectedFeed struct {
	path  string
	posts []*build.Post
}

// sampleFeeds lists every feed the sample blog must have.
func sampleFeeds(res *build.Result) []expectedFeed {
	limit := func(ps []*build.Post) []*build.Post {
		if n := res.Config.Feeds.Limit; n > 0 && len(ps) > n {
			return ps[:n]
		}
		return ps
	}
	feeds := []expectedFeed{{"index.xml", limit(res.Posts)}, {"atom.xml", limit(res.Posts)}, {"feed.json", limit(res.Posts)}}
	var authors []*build.Author
	var tags []*build.Term
	for _, p := range res.Posts {
		for _, a := range p.Authors {
			if !slices.Contains(authors, a) {
				authors = append(authors, a)
			}
		}
		for _, tg := range p.Tags {
			if !slices.Contains(tags, tg) {
				tags = append(tags, tg)
			}
		}
	}
	for _, a := range authors {
		feeds = append(feeds, expectedFeed{"authors/" + a.ID + "/index.xml", limit(a.Posts)})
	}
	for _, tg := range tags {
		feeds = append(feeds, expectedFeed{"tags/" + tg.Slug + "/index.xml", limit(tg.Posts)})
	}
	slices.SortFunc(feeds, func(a, b expectedFeed) int { return strings.Compare(a.path, b.path) })
	return feeds
}

// readerFeed is what testdata/feeds.py reports for one feed.
type readerFeed struct {
	Version  string
	Bozo     bool
	Error    string
	Self     []string
	Problems []string
	Entries  []struct {
		ID, Link, Title, Published, Updated, Content, Summary string
		Authors, Tags                                         []string
	}
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// htmlText is the text of an HTML fragment, white space collapsed.
func htmlText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(s, " "))), " ")
}

// TestSampleFeedsParse reads every feed of the sample blog with a real feed
// reader's parser (feedparser; feed.json against the JSON Feed 1.1 spec):
// no parse errors, the right items in order, every author, every tag, the
// dates, absolute URLs, and the disclosure first in the items of posts that
// discuss the employer's products.
func TestSampleFeedsParse(t *testing.T) {
	requireTool(t, "/usr/bin/python3")
	requireTool(t, "/usr/lib/python3/dist-packages/feedparser") // Debian's python3-feedparser
	dir := sampleSite(t)
	res := sampleModel(t, build.Options{})
	want := sampleFeeds(res)
	if len(want) < 15 {
		t.Fatalf("only %d feeds", len(want))
	}
	args := []string{"testdata/feeds.py", dir}
	for _, f := range want {
		args = append(args, f.path)
	}
	cmd := exec.Command("/usr/bin/python3", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("feeds.py: %v\n%s", err, stderr.String())
	}
	var got map[string]readerFeed
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{".xml": "rss20", "atom.xml": "atom10", "feed.json": "json11"}
	for _, w := range want {
		f, ok := got[w.path]
		if !ok {
			t.Errorf("%s: not read", w.path)
			continue
		}
		v := versions[".xml"]
		if vv, ok := versions[w.path]; ok {
			v = vv
		}
		if f.Version != v || f.Bozo || f.Error != "" {
			t.Errorf("%s: version %q (want %q), bozo %v: %s", w.path, f.Version, v, f.Bozo, f.Error)
		}
		if len(f.Self) != 1 || f.Self[0] != res.Config.BaseURL+w.path {
			t.Errorf("%s: self link %q", w.path, f.Self)
		}
		for _, p := range f.Problems {
			t.Errorf("%s: %s", w.path, p)
		}
		if len(f.Entries) != len(w.posts) {
			t.Errorf("%s: %d entries, want %d", w.path, len(f.Entries), len(w.posts))
			continue
		}
		for i, p := range w.posts {
			e := f.Entries[i]
			if e.ID != p.Permalink || e.Link != p.Permalink || e.Title != p.Title {
				t.Errorf("%s entry %d: id %q link %q title %q, want %s %q", w.path, i, e.ID, e.Link, e.Title, p.Permalink, p.Title)
			}
			var names, tags []string
			for _, a := range p.Authors {
				names = append(names, a.Name)
			}
			// Categories: the tags, then the front matter's categories.
			for _, tg := range p.Tags {
				tags = append(tags, tg.Name)
			}
			for _, c := range p.Categories {
				if !slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(t, c) }) {
					tags = append(tags, c)
				}
			}
			if strings.HasSuffix(w.path, "index.xml") {
				// RSS: one dc:creator naming every author.
				if len(e.Authors) != 1 || !containsAll(e.Authors[0], names) {
					t.Errorf("%s entry %d: authors %q, want one naming %q", w.path, i, e.Authors, names)
				}
			} else if !slices.Equal(e.Authors, names) {
				t.Errorf("%s entry %d: authors %q, want %q", w.path, i, e.Authors, names)
			}
			if !slices.Equal(e.Tags, tags) {
				t.Errorf("%s entry %d: categories %q, want %q", w.path, i, e.Tags, tags)
			}
			if !sameTime(e.Published, p.Date) {
				t.Errorf("%s entry %d: published %q, want %s", w.path, i, e.Published, p.Date)
			}
			text := htmlText(e.Content)
			lead := "Disclosure: " + strings.Join(p.Statements, " ")
			if p.Disclosure {
				if !strings.HasPrefix(text, lead) || !strings.HasPrefix(e.Summary, lead) {
					t.Errorf("%s entry %d (%s) does not start with the disclosure %q:\ncontent %.120q\nsummary %.120q", w.path, i, p.Slug, lead, text, e.Summary)
				}
			} else if strings.HasPrefix(text, "Disclosure:") {
				t.Errorf("%s entry %d (%s) has a disclosure line but does not discuss products", w.path, i, p.Slug)
			}
			if len(text) < 200 {
				t.Errorf("%s entry %d: content is %d characters; feeds carry the full post", w.path, i, len(text))
			}
		}
	}
	disclosed := 0
	for _, p := range res.Posts {
		if p.Disclosure {
			disclosed++
		}
	}
	if disclosed == 0 {
		t.Error("no sample post discusses products; the disclosure check tested nothing")
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// sameTime compares a feed date (RFC 3339 or RFC 822) with t.
func sameTime(s string, t time.Time) bool {
	for _, layout := range []string{time.RFC3339, time.RFC1123Z} {
		if v, err := time.Parse(layout, s); err == nil {
			return v.Equal(t)
		}
	}
	return false
}

// TestSampleFeedsWellFormed runs xmllint over every XML feed and the sitemap.
func TestSampleFeedsWellFormed(t *testing.T) {
	requireTool(t, "/usr/bin/xmllint")
	dir := sampleSite(t)
	var files []string
	for _, f := range sampleFeeds(sampleModel(t, build.Options{})) {
		if strings.HasSuffix(f.path, ".xml") {
			files = append(files, filepath.Join(dir, f.path))
		}
	}
	files = append(files, filepath.Join(dir, "sitemap.xml"))
	out, err := exec.Command("/usr/bin/xmllint", append([]string{"--noout"}, files...)...).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Fatalf("xmllint --noout on %d files: %v\n%s", len(files), err, out)
	}
}

// TestSampleFeedsPublicOnly: no feed of the public build carries a post
// that is internal, a draft, scheduled or expired.
func TestSampleFeedsPublicOnly(t *testing.T) {
	dir := sampleSite(t)
	public := map[string]bool{}
	for _, p := range sampleModel(t, build.Options{}).Posts {
		public[p.Slug] = true
	}
	// Everything, drafts and scheduled posts included, from the dev view.
	all := sampleModel(t, build.Options{Audience: "internal", Dev: true})
	var hidden []*build.Post
	for _, p := range all.Posts {
		if !public[p.Slug] {
			hidden = append(hidden, p)
		}
	}
	if len(hidden) == 0 {
		t.Fatal("the sample blog has no hidden post; nothing to test")
	}
	for _, f := range sampleFeeds(all) {
		data, err := os.ReadFile(filepath.Join(dir, f.path))
		if err != nil {
			continue // an internal author's or tag's feed does not exist: fine
		}
		for _, p := range hidden {
			if bytes.Contains(data, []byte("/posts/"+p.Slug+"/")) || bytes.Contains(data, []byte(html.EscapeString(p.Title))) || bytes.Contains(data, []byte(p.Title)) {
				t.Errorf("%s carries %s (%s)", f.path, p.Slug, p.Source)
			}
		}
	}
}

var linkTagRE = regexp.MustCompile(`<link [^>]*>`)

// alternates returns the feed autodiscovery links of a page as type → hrefs.
func alternates(page string) map[string][]string {
	out := map[string][]string{}
	attr := func(tag, name string) string {
		m := regexp.MustCompile(`\s` + name + `="([^"]*)"`).FindStringSubmatch(tag)
		if m == nil {
			return ""
		}
		return html.UnescapeString(m[1])
	}
	for _, tag := range linkTagRE.FindAllString(page, -1) {
		if attr(tag, "rel") == "alternate" {
			typ := attr(tag, "type")
			out[typ] = append(out[typ], attr(tag, "href"))
		}
	}
	return out
}

// TestFeedAutodiscovery: every page of the sample blog links the site's
// RSS, Atom and JSON feeds; author and tag pages link their own RSS feed
// first; every linked feed exists.
func TestFeedAutodiscovery(t *testing.T) {
	dir := sampleSite(t)
	base := sampleModel(t, build.Options{}).Config.BaseURL
	pages := samplePages(t)
	own := 0
	for _, p := range pages {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if bytes.Contains(data, []byte(`http-equiv="refresh"`)) {
			continue // an alias: a redirect, not a page
		}
		alt := alternates(string(data))
		for typ, feed := range map[string]string{"application/rss+xml": "index.xml", "application/atom+xml": "atom.xml", "application/feed+json": "feed.json"} {
			if !slices.Contains(alt[typ], base+feed) {
				t.Errorf("%s: no <link rel=alternate type=%s href=%s>", rel, typ, base+feed)
			}
		}
		for _, hrefs := range alt {
			for _, h := range hrefs {
				if _, err := os.Stat(filepath.Join(dir, strings.TrimPrefix(h, base))); err != nil || !strings.HasPrefix(h, base) {
					t.Errorf("%s links a feed that does not exist: %s", rel, h)
				}
			}
		}
		if m := regexp.MustCompile(`^(authors|tags)/([^/]+)/index\.html$`).FindStringSubmatch(rel); m != nil {
			want := base + m[1] + "/" + m[2] + "/index.xml"
			if rss := alt["application/rss+xml"]; len(rss) == 0 || rss[0] != want {
				t.Errorf("%s: first RSS link %q, want its own feed %s", rel, rss, want)
			}
			own++
		}
	}
	if own < 10 {
		t.Errorf("only %d author and tag pages checked", own)
	}
}
