package build

// Feeds.
//
// A site has these feeds (SPEC §7), each with at most site.yaml feeds.limit
// items (default 20; 0 means every post), newest first (date, then slug):
//
//	index.xml                 RSS 2.0, every listed post
//	atom.xml                  Atom 1.0, every listed post
//	feed.json                 JSON Feed 1.1, every listed post
//	authors/<id>/index.xml    RSS 2.0, the author's posts
//	tags/<slug>/index.xml     RSS 2.0, the tag's posts
//
// Every item carries the post's full HTML (Post.Content, rendered once per
// post and rewritten once for all feeds; see feedHTML): every URL absolute,
// heading anchors dropped, characters XML 1.0 forbids removed. When the post
// discusses the employer's products, the item's content and its plain-text
// summary both start with "Disclosure:" and every author's statement.
//
// The feeds are written with what validators and readers want, which
// gorilla/feeds alone does not give:
//
//   - RSS: atom:link rel="self"; <guid isPermaLink="true"> = the permalink,
//     which never changes; one <dc:creator> naming every author (RSS's own
//     <author> must be an e-mail address); one <category> per tag;
//     <language>; <pubDate> in RFC 822 (RFC 1123 with a numeric zone);
//     <lastBuildDate> = the newest date or lastmod of the feed's posts, never
//     the clock.
//   - Atom: explicit feed <id> (the feed's URL) and entry <id> (the
//     permalink); alternate and self links; one <author> per author with
//     name and uri; <published> and <updated> in RFC 3339; <category term>.
//   - JSON Feed 1.1: home_page_url, feed_url, language, and per item id,
//     url, content_html, a plain-text summary, authors [{name, url}], tags,
//     date_published and date_modified.
//
// All dates are written in UTC. Same input, same bytes.

import (
	"net/url"
	"strings"
	"sync"
	"time"
)

// Feed formats.
const (
	feedRSS = iota
	feedAtom
	feedJSON
)

// feedSpec is one feed of the site.
type feedSpec struct {
	path  string // output path
	kind  int    // feedRSS, feedAtom or feedJSON
	title string
	desc  string
	home  string  // absolute URL of the page the feed follows
	self  string  // absolute URL of the feed itself
	posts []*Post // its items, newest first, at most feeds.limit
}

// feedState is what the feeds of one plan share: their specs and each
// post's item, made once on first use and read by every feed carrying it.
type feedState struct {
	specs []*feedSpec
	items map[*Post]func() *feedItem // only the posts some feed carries

	parseOnce sync.Once
	parsed    map[*Post][][]byte // see feedItems
}

// feedItem is the part of a feed item every format shares.
type feedItem struct {
	html    string // the content: disclosure first, absolute URLs, XML-safe
	summary string // plain text: disclosure first, XML-safe
}

// feeds plans the site-wide RSS, Atom and JSON feeds and the RSS feed of
// every author and tag.
func (r *renderer) feeds(posts []*Post, authors []*Author, tags []*Term) []Pending {
	st := &feedState{specs: r.feedSpecs(posts, authors, tags), items: map[*Post]func() *feedItem{}}
	for _, f := range st.specs {
		for _, p := range f.posts {
			if _, ok := st.items[p]; !ok {
				st.items[p] = sync.OnceValue(func() *feedItem { return r.feedItem(p) })
			}
		}
	}
	r.feed = st
	outs := make([]Pending, len(st.specs))
	for i, f := range st.specs {
		outs[i] = Pending{Path: f.path, Gen: func() ([]byte, error) {
			switch f.kind {
			case feedAtom:
				return r.atom(f, st), nil
			case feedJSON:
				return r.jsonFeed(f, st)
			}
			return r.rss(f, st), nil
		}}
	}
	return outs
}

// feedSpecs lists the feeds of the site.
func (r *renderer) feedSpecs(posts []*Post, authors []*Author, tags []*Term) []*feedSpec {
	// Drafts (built with -drafts or by the dev server) and scheduled posts
	// (shown by the dev server) are never in a feed: a reader's client
	// would keep them after they change or go.
	limit := func(ps []*Post) []*Post {
		var out []*Post
		for _, p := range ps {
			if n := r.cfg.Feeds.Limit; n > 0 && len(out) == n {
				break
			}
			if !p.Draft && !p.Future {
				out = append(out, p)
			}
		}
		return out
	}
	desc := r.cfg.Description
	if desc == "" {
		desc = r.cfg.Title
	}
	_, home := r.urls("")
	var specs []*feedSpec
	for _, f := range []struct {
		path string
		kind int
	}{{"index.xml", feedRSS}, {"atom.xml", feedAtom}, {"feed.json", feedJSON}} {
		_, self := r.urls(f.path)
		specs = append(specs, &feedSpec{path: f.path, kind: f.kind, title: r.cfg.Title, desc: desc, home: home, self: self, posts: limit(posts)})
	}
	for _, a := range authors {
		d := a.Statement
		if d == "" {
			d = "Posts by " + a.Name + " on " + r.cfg.Title
		}
		specs = append(specs, &feedSpec{path: "authors/" + a.ID + "/index.xml", kind: feedRSS, title: a.Name + " — " + r.cfg.Title,
			desc: d, home: a.Permalink, self: a.FeedURL, posts: limit(a.Posts)})
	}
	for _, t := range tags {
		specs = append(specs, &feedSpec{path: "tags/" + t.Slug + "/index.xml", kind: feedRSS, title: t.Name + " — " + r.cfg.Title,
			desc: "Posts tagged " + t.Name + " on " + r.cfg.Title, home: t.Permalink, self: t.FeedURL, posts: limit(t.Posts)})
	}
	return specs
}

// feedItem makes the content and summary a post has in every feed.
func (r *renderer) feedItem(p *Post) *feedItem {
	base, err := url.Parse(p.Permalink)
	if err != nil || base.Host == "" {
		base, _ = url.Parse(r.cfg.BaseURL)
	}
	content := feedHTML(string(p.Content), base)
	summary := p.Summary
	if summary == "" {
		summary = p.Description
	}
	summary = xmlSafe(strings.Join(strings.Fields(summary), " "))
	if lead := r.disclosureLead(p); lead != "" {
		content = xmlSafe(`<p><strong>Disclosure:</strong> `+escapeHTML(lead)+"</p>\n") + content
		summary = strings.TrimSpace("Disclosure: " + xmlSafe(lead) + " " + summary)
	}
	return &feedItem{html: content, summary: summary}
}

// disclosureLead is the text a feed item of p starts with: every author's
// statement and, as on the post's page, that the post discusses their
// employer's products. It is "" unless the post discusses them.
func (r *renderer) disclosureLead(p *Post) string {
	if !p.Disclosure {
		return ""
	}
	var parts []string
	for _, s := range p.Statements {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			parts = append(parts, s)
		}
	}
	whose := "author’s"
	if len(p.Authors) > 1 {
		whose = "authors’"
	}
	parts = append(parts, "This post discusses products of the "+whose+" employer.")
	return strings.Join(parts, " ")
}

// feedItems returns what the verify stage checks for p's disclosure: the
// content and the summary of p's item in every feed that carries it (none
// when no feed does).
//
// With byPath (the rendered site by output path) they are read back from
// the rendered feed bytes; a feed that should carry p but cannot be parsed
// or lacks p's item contributes an empty item, which fails the check. The
// feeds are parsed once, on the first call. Without byPath (a streamed
// build, where the feeds are not at hand) they are the very strings every
// feed embeds, once.
func (r *renderer) feedItems(p *Post, byPath map[string][]byte) [][]byte {
	st := r.feed
	if st == nil {
		it := r.feedItem(p)
		return [][]byte{[]byte(it.html), []byte(it.summary)}
	}
	if byPath != nil {
		st.parseOnce.Do(func() { st.parsed = st.parseBack(byPath) })
		return st.parsed[p]
	}
	item, ok := st.items[p]
	if !ok {
		return nil
	}
	it := item() // the same strings in every feed that carries p
	return [][]byte{[]byte(it.html), []byte(it.summary)}
}

// parseBack reads every feed's items back from the rendered bytes.
func (st *feedState) parseBack(byPath map[string][]byte) map[*Post][][]byte {
	out := map[*Post][][]byte{}
	for _, f := range st.specs {
		items, _ := parseFeed(f.kind, byPath[f.path])
		byID := make(map[string]parsedItem, len(items))
		for _, it := range items {
			byID[it.ID] = it
		}
		for _, p := range f.posts {
			it, ok := byID[p.Permalink]
			if !ok {
				out[p] = append(out[p], []byte{})
				continue
			}
			out[p] = append(out[p], []byte(it.Content), []byte(it.Summary))
		}
	}
	return out
}

// newest returns the latest date or lastmod of posts, for a feed's
// lastBuildDate and updated: a property of the content, never of the clock.
// An empty feed gets the Unix epoch.
func newest(posts []*Post) time.Time {
	var t time.Time
	for _, p := range posts {
		for _, d := range []time.Time{p.Date, p.Lastmod} {
			if d.After(t) {
				t = d
			}
		}
	}
	if t.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return t.UTC()
}

// authorNames joins names as a sentence: "A", "A and B", "A, B and C".
func authorNames(authors []*Author) string {
	names := make([]string, 0, len(authors))
	for _, a := range authors {
		names = append(names, a.Name)
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// escapeHTML escapes text for HTML content: &, < and >.
func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// feedCategories are the categories of p's feed items: its tags, then its
// front-matter categories not already among them (compared without case).
func (p *Post) feedCategories() []string {
	out := make([]string, 0, len(p.Tags)+len(p.Categories))
	seen := make(map[string]bool, cap(out))
	add := func(name string) {
		if k := strings.ToLower(strings.TrimSpace(name)); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, name)
		}
	}
	for _, t := range p.Tags {
		add(t.Name)
	}
	for _, c := range p.Categories {
		add(c)
	}
	return out
}
