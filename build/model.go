package build

import (
	"html/template"
	"time"

	"github.com/peerpress/peerpress/build/share"
)

// Post is a post ready to render. Templates see its fields.
type Post struct {
	// Source is the post file's path relative to the site root.
	Source string
	// Dir is the bundle directory ("content/posts/slug/") or "" for a single file.
	Dir          string
	Slug         string
	Title        string
	Summary      string // plain text
	Description  string // meta description: description, else summary
	Date         time.Time
	Lastmod      time.Time // lastmod, else Date
	Tags         []*Term
	Categories   []string
	Authors      []*Author
	Reviewers    []*Author
	Audience     string
	Voice        string
	Draft        bool
	Future       bool // publish date after -now (visible only in serve)
	Content      template.HTML
	SummaryHTML  template.HTML // the part before <!--more-->, else empty
	TOC          template.HTML // nil when the post is short
	WordCount    int
	ReadingTime  int // minutes
	Permalink    string
	RelPermalink string
	Canonical    string // absolute canonical URL (front matter canonical, else Permalink)
	Image        string // absolute URL of the Open Graph image, or ""
	// Disclosure is true when the post discusses the employer's products: the
	// byline must then show every author's statement above the summary.
	Disclosure bool
	// Statements are the authors' disclosure statements, one per employee author.
	Statements []string
	Share      *share.Set // nil when share is off
	Aliases    []string
	Products   []string
}

// Author is a person who writes for the blog (from policy/people.yaml, with
// an optional bio page from content/authors/<id>.md).
type Author struct {
	ID           string
	Name         string
	Title        string
	Employer     string
	Statement    string
	Bio          template.HTML
	Profiles     []Profile
	Mastodon     string // "@user@host" or ""
	Posts        []*Post
	Permalink    string
	RelPermalink string
	FeedURL      string // absolute URL of the author's RSS feed
}

// Profile is a link to one of an author's profiles elsewhere.
type Profile struct {
	Name string // "LinkedIn", "Mastodon", "X", "GitHub"
	URL  string
}

// Term is a tag with its posts.
type Term struct {
	Name         string
	Slug         string
	Posts        []*Post
	Permalink    string
	RelPermalink string
	FeedURL      string
}

// FeedLink is an alternate link for feed autodiscovery.
type FeedLink struct {
	Title string
	Type  string // "application/rss+xml", "application/atom+xml", "application/feed+json"
	URL   string
}

// Pager is the position of a list page among its siblings.
type Pager struct {
	Number  int
	Total   int
	PrevURL string
	NextURL string
}

// SiteInfo is the site-wide data every template sees as .Site.
type SiteInfo struct {
	Title       string
	Description string
	BaseURL     string // with trailing slash
	Language    string
	Employer    string // the employer's name, from policy/disclosure.yaml
	Audience    string // "public" or "internal"
	Authors     []*Author
	Tags        []*Term
	Posts       []*Post // every listed post, newest first
	Generator   string
	Year        int // of the newest post, for the footer (never the clock)
	Dev         bool
}

// Page is what one template renders.
type Page struct {
	Site         *SiteInfo
	Kind         string // home, post, author, authors, tag, tags, 404
	Title        string
	Description  string
	Permalink    string
	RelPermalink string
	NoIndex      bool
	Feeds        []FeedLink
	Post         *Post
	Posts        []*Post
	Pager        *Pager
	Author       *Author
	Term         *Term
	// Findings are shown by the dev server's overlay.
	Findings []string
}
