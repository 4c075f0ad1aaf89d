package build

import (
	"bytes"
	"strings"
	"time"
)

// xmlWriter writes an indented XML document. Text and attribute values are
// escaped and stripped of characters XML 1.0 forbids.
type xmlWriter struct {
	b     bytes.Buffer
	depth int
}

// newXMLWriter starts a feed document whose items are items: the buffer
// is sized for their content and summaries (a tag's feed is hundreds of KB;
// grown by doubling it was copied and cleared about twice over).
func newXMLWriter(items []*feedItem) *xmlWriter {
	size := 2 << 10
	for _, it := range items {
		size += len(it.html) + len(it.summary) + 1<<10
	}
	w := &xmlWriter{}
	w.b.Grow(size)
	w.b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	return w
}

// itemsOf returns the feed items of f's posts, in order.
func (st *feedState) itemsOf(f *feedSpec) []*feedItem {
	items := make([]*feedItem, len(f.posts))
	for i, p := range f.posts {
		items[i] = st.items[p]()
	}
	return items
}

// start writes <name attrs...> on a line of its own and indents what follows.
// attrs are name, value pairs.
func (w *xmlWriter) start(name string, attrs ...string) {
	w.indent()
	w.tag(name, attrs)
	w.b.WriteString(">\n")
	w.depth++
}

// end closes the element start opened.
func (w *xmlWriter) end(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

// text writes <name attrs...>text</name>.
func (w *xmlWriter) text(name, text string, attrs ...string) {
	w.indent()
	w.tag(name, attrs)
	w.b.WriteByte('>')
	w.escape(text, false)
	w.b.WriteString("</" + name + ">\n")
}

// cdata writes <name attrs...><![CDATA[text]]></name>, splitting any "]]>"
// in text across two sections.
func (w *xmlWriter) cdata(name, text string, attrs ...string) {
	w.indent()
	w.tag(name, attrs)
	w.b.WriteString("><![CDATA[")
	w.b.WriteString(strings.ReplaceAll(xmlSafe(text), "]]>", "]]]]><![CDATA[>"))
	w.b.WriteString("]]></" + name + ">\n")
}

// empty writes <name attrs.../>.
func (w *xmlWriter) empty(name string, attrs ...string) {
	w.indent()
	w.tag(name, attrs)
	w.b.WriteString("/>\n")
}

func (w *xmlWriter) tag(name string, attrs []string) {
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteString(" " + attrs[i] + `="`)
		w.escape(attrs[i+1], true)
		w.b.WriteByte('"')
	}
}

func (w *xmlWriter) indent() {
	for range w.depth {
		w.b.WriteString("  ")
	}
}

func (w *xmlWriter) escape(s string, attr bool) {
	s = xmlSafe(s)
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		case '"':
			if !attr {
				continue
			}
			esc = "&quot;"
		case '\n':
			if !attr {
				continue
			}
			esc = "&#xA;"
		case '\t':
			if !attr {
				continue
			}
			esc = "&#x9;"
		default:
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(esc)
		last = i + 1
	}
	w.b.WriteString(s[last:])
}

// rfc822 formats t for RSS: RFC 822 with a four-digit year and a numeric
// zone, as the RSS profile and the W3C feed validator want.
func rfc822(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// rfc3339 formats t for Atom and JSON Feed.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// rss writes an RSS 2.0 feed.
func (r *renderer) rss(f *feedSpec, st *feedState) []byte {
	items := st.itemsOf(f)
	w := newXMLWriter(items)
	w.start("rss", "version", "2.0",
		"xmlns:atom", "http://www.w3.org/2005/Atom",
		"xmlns:content", "http://purl.org/rss/1.0/modules/content/",
		"xmlns:dc", "http://purl.org/dc/elements/1.1/")
	w.start("channel")
	w.text("title", f.title)
	w.text("link", f.home)
	w.text("description", f.desc)
	w.empty("atom:link", "href", f.self, "rel", "self", "type", "application/rss+xml")
	if r.cfg.Language != "" {
		w.text("language", r.cfg.Language)
	}
	if g := r.generator(); g != "" {
		w.text("generator", g)
	}
	w.text("lastBuildDate", rfc822(newest(f.posts)))
	for i, p := range f.posts {
		it := items[i]
		w.start("item")
		w.text("title", p.Title)
		w.text("link", p.Permalink)
		w.text("guid", p.Permalink, "isPermaLink", "true")
		w.text("pubDate", rfc822(p.Date))
		if names := authorNames(p.Authors); names != "" {
			w.text("dc:creator", names)
		}
		for _, c := range p.feedCategories() {
			w.text("category", c)
		}
		if it.summary != "" {
			w.text("description", it.summary)
		}
		w.cdata("content:encoded", it.html)
		w.end("item")
	}
	w.end("channel")
	w.end("rss")
	return w.b.Bytes()
}

// atom writes an Atom 1.0 feed.
func (r *renderer) atom(f *feedSpec, st *feedState) []byte {
	items := st.itemsOf(f)
	w := newXMLWriter(items)
	attrs := []string{"xmlns", "http://www.w3.org/2005/Atom"}
	if r.cfg.Language != "" {
		attrs = append(attrs, "xml:lang", r.cfg.Language)
	}
	w.start("feed", attrs...)
	w.text("id", f.self)
	w.text("title", f.title)
	if f.desc != "" {
		w.text("subtitle", f.desc)
	}
	w.empty("link", "href", f.home, "rel", "alternate", "type", "text/html")
	w.empty("link", "href", f.self, "rel", "self", "type", "application/atom+xml")
	w.text("updated", rfc3339(newest(f.posts)))
	if r.opts.Version != "" {
		w.text("generator", "peerpress", "version", r.opts.Version)
	} else {
		w.text("generator", "peerpress")
	}
	// Atom wants an author for every entry; the feed's stands in for
	// entries without one.
	for _, p := range f.posts {
		if len(p.Authors) == 0 {
			w.start("author")
			w.text("name", r.cfg.Title)
			w.text("uri", f.home)
			w.end("author")
			break
		}
	}
	for i, p := range f.posts {
		it := items[i]
		w.start("entry")
		w.text("id", p.Permalink)
		w.text("title", p.Title, "type", "text")
		w.empty("link", "href", p.Permalink, "rel", "alternate", "type", "text/html")
		w.text("published", rfc3339(p.Date))
		w.text("updated", rfc3339(later(p.Date, p.Lastmod)))
		for _, a := range p.Authors {
			w.start("author")
			w.text("name", a.Name)
			if a.Permalink != "" {
				w.text("uri", a.Permalink)
			}
			w.end("author")
		}
		for _, c := range p.feedCategories() {
			w.empty("category", "term", c)
		}
		if it.summary != "" {
			w.text("summary", it.summary, "type", "text")
		}
		w.cdata("content", it.html, "type", "html")
		w.end("entry")
	}
	w.end("feed")
	return w.b.Bytes()
}

// generator names the program and its version.
func (r *renderer) generator() string {
	if r.opts.Version == "" {
		return "peerpress"
	}
	return "peerpress " + r.opts.Version
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
