package build

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/gorilla/feeds"
)

// feeds renders the site-wide RSS, Atom and JSON feeds and the RSS feed of
// every author and tag.
func (r *renderer) feeds(posts []*Post, authors []*Author, tags []*Term) []Pending {
	var outs []Pending
	gen := func(path, title, link, desc string, posts []*Post, format func(*feeds.Feed) (string, error)) {
		outs = append(outs, Pending{Path: path, Gen: func() ([]byte, error) {
			f, err := r.feed(title, link, desc, posts)
			if err != nil {
				return nil, err
			}
			s, err := format(f)
			if err != nil {
				return nil, fmt.Errorf("feed %s: %w", path, err)
			}
			return []byte(s), nil
		}})
	}
	gen("index.xml", r.cfg.Title, r.cfg.BaseURL, r.cfg.Description, posts, (*feeds.Feed).ToRss)
	gen("atom.xml", r.cfg.Title, r.cfg.BaseURL, r.cfg.Description, posts, (*feeds.Feed).ToAtom)
	gen("feed.json", r.cfg.Title, r.cfg.BaseURL, r.cfg.Description, posts, (*feeds.Feed).ToJSON)
	for _, a := range authors {
		gen("authors/"+a.ID+"/index.xml", a.Name+" — "+r.cfg.Title, a.Permalink, a.Statement, a.Posts, (*feeds.Feed).ToRss)
	}
	for _, t := range tags {
		gen("tags/"+t.Slug+"/index.xml", t.Name+" — "+r.cfg.Title, t.Permalink, "Posts tagged "+t.Name, t.Posts, (*feeds.Feed).ToRss)
	}
	return outs
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
