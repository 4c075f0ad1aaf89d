package build

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"

	"github.com/gorilla/feeds"
)

// jsonFeedVersion is the JSON Feed version peerpress writes.
const jsonFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is a JSON Feed 1.1 document. Its items are gorilla/feeds'
// JSONItem; the top level is our own so that "items" is there even when
// empty, as the spec requires.
type jsonFeed struct {
	Version     string            `json:"version"`
	Title       string            `json:"title"`
	HomePageURL string            `json:"home_page_url"`
	FeedURL     string            `json:"feed_url"`
	Description string            `json:"description,omitempty"`
	Language    string            `json:"language,omitempty"`
	Items       []*feeds.JSONItem `json:"items"`
}

// jsonFeed writes a JSON Feed 1.1 document.
func (r *renderer) jsonFeed(f *feedSpec, st *feedState) ([]byte, error) {
	doc := jsonFeed{Version: jsonFeedVersion, Title: f.title, HomePageURL: f.home, FeedURL: f.self, Description: f.desc,
		Language: r.cfg.Language, Items: make([]*feeds.JSONItem, 0, len(f.posts))}
	items := st.itemsOf(f)
	for i, p := range f.posts {
		it := items[i]
		published, modified := p.Date.UTC(), later(p.Date, p.Lastmod).UTC()
		item := &feeds.JSONItem{Id: p.Permalink, Url: p.Permalink, Title: p.Title, ContentHTML: it.html, Summary: it.summary,
			Image: p.Image, PublishedDate: &published, ModifiedDate: &modified}
		if p.Canonical != p.Permalink {
			item.ExternalUrl = p.Canonical
		}
		for _, a := range p.Authors {
			item.Authors = append(item.Authors, &feeds.JSONAuthor{Name: a.Name, Url: a.Permalink})
		}
		item.Tags = p.feedCategories()
		doc.Items = append(doc.Items, item)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("feed %s: %w", f.path, err)
	}
	return b.Bytes(), nil
}

// parsedItem is one item of a rendered feed, read back.
type parsedItem struct {
	ID      string // guid, id
	Content string // content:encoded, content, content_html
	Summary string // description, summary
}

// parseFeed reads the items of a rendered feed of the given kind.
func parseFeed(kind int, data []byte) ([]parsedItem, error) {
	var out []parsedItem
	switch kind {
	case feedRSS:
		var doc struct {
			Items []struct {
				GUID        string `xml:"guid"`
				Description string `xml:"description"`
				Content     string `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			} `xml:"channel>item"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("rss: %w", err)
		}
		for _, it := range doc.Items {
			out = append(out, parsedItem{ID: it.GUID, Content: it.Content, Summary: it.Description})
		}
	case feedAtom:
		var doc struct {
			Entries []struct {
				ID      string `xml:"http://www.w3.org/2005/Atom id"`
				Summary string `xml:"http://www.w3.org/2005/Atom summary"`
				Content string `xml:"http://www.w3.org/2005/Atom content"`
			} `xml:"http://www.w3.org/2005/Atom entry"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("atom: %w", err)
		}
		for _, e := range doc.Entries {
			out = append(out, parsedItem{ID: e.ID, Content: e.Content, Summary: e.Summary})
		}
	case feedJSON:
		var doc struct {
			Items []struct {
				ID          string `json:"id"`
				ContentHTML string `json:"content_html"`
				Summary     string `json:"summary"`
			} `json:"items"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("json feed: %w", err)
		}
		for _, it := range doc.Items {
			out = append(out, parsedItem{ID: it.ID, Content: it.ContentHTML, Summary: it.Summary})
		}
	}
	return out, nil
}
