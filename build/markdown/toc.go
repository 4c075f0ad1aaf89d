package markdown

import (
	"bytes"
	stdhtml "html"
)

// renderTOC renders headings (h2 and h3, in document order) as a nested list
// of links. An h3 belongs to the h2 before it; an h3 before any h2 is listed
// at the top level.
func renderTOC(headings []Heading) []byte {
	var b bytes.Buffer
	b.WriteString("<nav class=\"toc\" aria-label=\"Table of contents\">\n<ol>\n")
	inSub := false // an <ol> of h3 items is open inside the last h2 item
	open := false  // the last top-level <li> is still open
	for _, h := range headings {
		if h.Level == 3 && open {
			if !inSub {
				b.WriteString("\n<ol>\n")
				inSub = true
			}
			writeTOCItem(&b, h)
			b.WriteString("</li>\n")
			continue
		}
		if inSub {
			b.WriteString("</ol>\n")
			inSub = false
		}
		if open {
			b.WriteString("</li>\n")
		}
		writeTOCItem(&b, h)
		open = h.Level == 2
		if !open {
			b.WriteString("</li>\n")
		}
	}
	if inSub {
		b.WriteString("</ol>\n")
	}
	if open {
		b.WriteString("</li>\n")
	}
	b.WriteString("</ol>\n</nav>\n")
	return b.Bytes()
}

// writeTOCItem writes an opening <li> and the link to h.
func writeTOCItem(b *bytes.Buffer, h Heading) {
	b.WriteString(`<li><a href="#`)
	b.WriteString(stdhtml.EscapeString(h.ID))
	b.WriteString(`">`)
	b.WriteString(stdhtml.EscapeString(h.Text))
	b.WriteString(`</a>`)
}
