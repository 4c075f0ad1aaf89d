package build

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/gorilla/feeds"
)

// feeds renders the site-wide RSS, Atom and JSON feeds and the RSS feed of
// every author and tag.
func (r *renderer) feeds(posts []*Post, authors []*Author, tags []*Term) ([]Output, error) {
	var outs []Output
	site, err := r.feed(r.cfg.Title, r.cfg.BaseURL, r.cfg.Description, posts)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		path string
		gen  func() (string, error)
	}{{"index.xml", site.ToRss}, {"atom.xml", site.ToAtom}, {"feed.json", site.ToJSON}} {
		s, err := f.gen()
		if err != nil {
			return nil, fmt.Errorf("feed %s: %w", f.path, err)
		}
		outs = append(outs, Output{Path: f.path, Data: []byte(s)})
	}
	for _, a := range authors {
		f, err := r.feed(a.Name+" — "+r.cfg.Title, a.Permalink, a.Statement, a.Posts)
		if err != nil {
			return nil, err
		}
		s, err := f.ToRss()
		if err != nil {
			return nil, err
		}
		outs = append(outs, Output{Path: "authors/" + a.ID + "/index.xml", Data: []byte(s)})
	}
	for _, t := range tags {
		f, err := r.feed(t.Name+" — "+r.cfg.Title, t.Permalink, "Posts tagged "+t.Name, t.Posts)
		if err != nil {
			return nil, err
		}
		s, err := f.ToRss()
		if err != nil {
			return nil, err
		}
		outs = append(outs, Output{Path: "tags/" + t.Slug + "/index.xml", Data: []byte(s)})
	}
	return outs, nil
}

func (r *renderer) feed(title, link, desc string, posts []*Post) (*feeds.Feed, error) {
	if r.cfg.Feeds.Limit > 0 && len(posts) > r.cfg.Feeds.Limit {
		posts = posts[:r.cfg.Feeds.Limit]
	}
	f := &feeds.Feed{Title: title, Link: &feeds.Link{Href: link}, Description: desc}
	if len(posts) > 0 {
		f.Updated = posts[0].Lastmod
		f.Created = posts[0].Date
	}
	for _, p := range posts {
		var names []string
		for _, a := range p.Authors {
			names = append(names, a.Name)
		}
		f.Items = append(f.Items, &feeds.Item{
			Title: p.Title, Link: &feeds.Link{Href: p.Permalink}, Id: p.Permalink, Description: p.Summary,
			Author: &feeds.Author{Name: strings.Join(names, ", ")}, Created: p.Date, Updated: p.Lastmod,
			Content: string(r.itemHTML(p)),
		})
	}
	return f, nil
}

// itemHTML is a post's content for feeds: the disclosure first when the post
// discusses the employer's products.
func (r *renderer) itemHTML(p *Post) []byte {
	var b strings.Builder
	if p.Disclosure {
		b.WriteString(`<p><em>`)
		b.WriteString(template.HTMLEscapeString(strings.Join(p.Statements, " ")))
		b.WriteString(`</em></p>`)
	}
	b.WriteString(string(p.Content))
	return []byte(b.String())
}

// feedItems returns the item content the feeds carry for p.
func (r *renderer) feedItems(p *Post, _ map[string][]byte) [][]byte {
	return [][]byte{r.itemHTML(p)}
}
