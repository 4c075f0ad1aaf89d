package share

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// The two variants of every snippet.
const (
	// Employee is the variant for the authors' own accounts; it starts with
	// the disclosure.
	Employee = "employee"
	// Reader is the variant for anyone else; it makes no employment claim.
	Reader = "reader"
)

// ErrTooLong is the error a [*TooLongError] matches with errors.Is.
var ErrTooLong = errors.New("share text too long")

// TooLongError reports a snippet that cannot fit its platform's limit: the
// disclosure and the link alone are too long, or hand-written text is.
type TooLongError struct {
	Platform string // "x", "mastodon", …
	Variant  string // Employee or Reader
	Length   int    // the measured length of the shortest text that could be made
	Limit    int    // the platform's limit
	Custom   bool   // the hand-written share text is too long
}

// Error names the platform, variant, length and limit.
func (e *TooLongError) Error() string {
	what := "disclosure and link alone measure"
	switch {
	case e.Custom:
		what = "hand-written share text measures"
	case e.Variant == Reader:
		what = "link alone measures"
	}
	return fmt.Sprintf("%s %s: %s: %s %d, limit %d", e.Platform, e.Variant, ErrTooLong, what, e.Length, e.Limit)
}

// Unwrap returns [ErrTooLong].
func (e *TooLongError) Unwrap() error { return ErrTooLong }

// Input is what a snippet is made from.
type Input struct {
	// Title is the post title; runs of white space become one space.
	Title string
	// URL is the canonical absolute post URL, without UTM parameters.
	URL string
	// Disclosure opens every employee snippet, e.g. "I work at Brightline
	// Materials.". The reader variant ignores it.
	Disclosure string
	// Hashtags are tags without '#', e.g. "soldering"; a tag of several
	// words becomes #CamelCase.
	Hashtags []string
	// Custom is hand-written text from front matter for this platform. When
	// set it replaces the title and hashtags (see the package documentation).
	Custom string
}

// Snippet is one platform's share text.
type Snippet struct {
	Text   string `json:"text"`   // the text to post
	Length int    `json:"length"` // Text measured by the platform's rules
	Limit  int    `json:"limit"`  // the platform's limit
	Intent string `json:"intent"` // the platform's share URL with Text (LinkedIn: the link) filled in
}

// Set is the content of share.json (SPEC §7). encoding/json writes map keys
// sorted, so its JSON is deterministic.
type Set struct {
	URL        string             `json:"url"`        // canonical, without UTM parameters
	Title      string             `json:"title"`      // the title, white space normalized
	Disclosure string             `json:"disclosure"` // what every employee text starts with
	Employee   map[string]Snippet `json:"employee"`   // by platform
	Reader     map[string]Snippet `json:"reader"`     // by platform
}

// JSON returns the content of share.json: indented, with a final newline,
// and without escaping '&', '<' and '>' (the texts hold URLs). It writes
// what json.Encoder with SetIndent("", "  ") and SetEscapeHTML(false)
// writes for a Set (FuzzSetJSON compares them), the layout by hand and
// each string through the Encoder: the Encoder's reflection and second,
// indenting pass over every post's share.json were 5 % of a warm build.
func (s *Set) JSON() ([]byte, error) {
	w := jsonWriter{b: make([]byte, 0, 1024+s.size())}
	w.enc = json.NewEncoder(&w.tmp)
	w.enc.SetEscapeHTML(false)
	w.raw("{\n  \"url\": ")
	w.str(s.URL)
	w.raw(",\n  \"title\": ")
	w.str(s.Title)
	w.raw(",\n  \"disclosure\": ")
	w.str(s.Disclosure)
	w.raw(",\n  \"employee\": ")
	w.snippets(s.Employee)
	w.raw(",\n  \"reader\": ")
	w.snippets(s.Reader)
	w.raw("\n}\n")
	if w.err != nil {
		return nil, fmt.Errorf("encode share.json: %w", w.err)
	}
	return w.b, nil
}

// size is about the bytes of the set's strings.
func (s *Set) size() int {
	n := len(s.URL) + len(s.Title) + len(s.Disclosure)
	for _, m := range []map[string]Snippet{s.Employee, s.Reader} {
		for k, sn := range m {
			n += len(k) + len(sn.Text) + len(sn.Intent) + 100
		}
	}
	return n
}

// jsonWriter appends share.json's layout to b; str encodes a string with
// enc, so escaping is encoding/json's own.
type jsonWriter struct {
	b   []byte
	tmp bytes.Buffer
	enc *json.Encoder
	err error
}

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

func (w *jsonWriter) str(s string) {
	w.tmp.Reset()
	if err := w.enc.Encode(s); err != nil {
		w.err = err
		return
	}
	w.b = append(w.b, bytes.TrimSuffix(w.tmp.Bytes(), []byte("\n"))...)
}

func (w *jsonWriter) snippets(m map[string]Snippet) {
	if m == nil {
		w.raw("null")
		return
	}
	if len(m) == 0 {
		w.raw("{}")
		return
	}
	w.raw("{")
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			w.raw(",")
		}
		sn := m[k]
		w.raw("\n    ")
		w.str(k)
		w.raw(": {\n      \"text\": ")
		w.str(sn.Text)
		w.raw(",\n      \"length\": ")
		w.b = strconv.AppendInt(w.b, int64(sn.Length), 10)
		w.raw(",\n      \"limit\": ")
		w.b = strconv.AppendInt(w.b, int64(sn.Limit), 10)
		w.raw(",\n      \"intent\": ")
		w.str(sn.Intent)
		w.raw("\n    }")
	}
	w.raw("\n  }")
}

// Build composes every platform's snippet in both variants. custom holds
// hand-written text by platform; custom["all"] applies to every platform
// without its own entry, and in.Custom to those without either. Other keys
// are ignored (front matter validation reports them). The errors, one per
// snippet that does not fit, come in [Platforms] order, employee before
// reader; each is a [*TooLongError].
func Build(in Input, custom map[string]string) (Set, []error) {
	set := Set{
		URL:        strings.TrimSpace(in.URL),
		Title:      NormalizeSpace(in.Title),
		Disclosure: strings.TrimSpace(in.Disclosure),
		Employee:   map[string]Snippet{},
		Reader:     map[string]Snippet{},
	}
	var errs []error
	pre := prepare(in)
	for _, p := range Platforms() {
		pin := in
		if c, ok := custom[p]; ok && strings.TrimSpace(c) != "" {
			pin.Custom = c
		} else if c, ok := custom["all"]; ok && strings.TrimSpace(c) != "" {
			pin.Custom = c
		}
		for _, v := range []string{Employee, Reader} {
			sn, err := compose(p, v, pin, pre)
			if err != nil {
				errs = append(errs, err)
			}
			if v == Employee {
				set.Employee[p] = sn
			} else {
				set.Reader[p] = sn
			}
		}
	}
	return set, errs
}

// Compose builds the snippet for one platform and variant ([Employee] or
// [Reader]). If the disclosure and the link alone exceed the limit, or
// hand-written text does, it returns a [*TooLongError] (matching
// [ErrTooLong]) together with the shortest text it could make: the
// disclosure and the link, or the hand-written text; that snippet's Length
// is over its Limit. An unknown platform or variant is an error with an
// empty snippet.
func Compose(platform, variant string, in Input) (Snippet, error) {
	return compose(platform, variant, in, prepare(in))
}

// prepared is what every snippet of a post shares: its title with white
// space normalized and its hashtags (Build makes them once for all ten).
type prepared struct {
	title string
	tags  []string
}

func prepare(in Input) prepared {
	return prepared{title: NormalizeSpace(in.Title), tags: hashtags(in.Hashtags)}
}

func compose(platform, variant string, in Input, pre prepared) (Snippet, error) {
	limit := Limit(platform)
	if limit == 0 {
		return Snippet{}, fmt.Errorf("compose share text: unknown platform %q", platform)
	}
	if variant != Employee && variant != Reader {
		return Snippet{}, fmt.Errorf("compose share text: unknown variant %q", variant)
	}
	disclosure, canonical, link := bareParts(platform, variant, in)
	measure := func(s string) int { return Length(platform, s) }

	var text string
	tooLong := &TooLongError{Platform: platform, Variant: variant, Limit: limit}
	shortest := join(disclosure, link)
	n := measure(shortest)
	if n > limit {
		text, tooLong.Length = shortest, n
	} else if custom := strings.TrimSpace(in.Custom); custom != "" {
		text = customText(custom, variant, strings.TrimSpace(in.Disclosure), disclosure, canonical, link)
		if n = measure(text); n > limit {
			tooLong.Length, tooLong.Custom = n, true
		}
	} else {
		text, n = fit(disclosure, pre.title, link, pre.tags, limit, measure)
	}
	sn := Snippet{Text: text, Length: n, Limit: limit, Intent: intent(platform, text, link)}
	if tooLong.Length > 0 {
		return sn, tooLong
	}
	return sn, nil
}

// bareParts returns the disclosure the variant shows, the canonical URL
// and the link tagged for platform.
func bareParts(platform, variant string, in Input) (disclosure, canonical, link string) {
	if variant == Employee {
		disclosure = strings.TrimSpace(in.Disclosure)
	}
	canonical = strings.TrimSpace(in.URL)
	return disclosure, canonical, TagURL(canonical, platform, variant)
}

// BareLength is the length on platform of the shortest text Compose makes
// for in (hand-written text aside): the variant's disclosure and the link.
// Generated text is too long exactly when this is over the limit, so the
// policy check measures this instead of composing.
func BareLength(platform, variant string, in Input) int {
	disclosure, _, link := bareParts(platform, variant, in)
	return Length(platform, join(disclosure, link))
}

// fit returns the longest generated text within limit, and its length:
// all hashtags, then fewer from the end, then none with the title cut at a
// word boundary, then no title. The caller has checked that disclosure and
// link fit.
func fit(disclosure, title, link string, tags []string, limit int, measure func(string) int) (string, int) {
	for n := len(tags); n >= 0; n-- {
		parts := append([]string{disclosure, title, link}, tags[:n]...)
		t := join(parts...)
		if m := measure(t); m <= limit {
			return t, m
		}
	}
	cuts := titleCuts(title)
	text := func(i int) string { return join(disclosure, cuts[i]+"…", link) }
	// Lengths grow with the cut, so a binary search finds the longest cut
	// that fits; the scan after it only guards against odd texts where a
	// longer cut measures less (a word that looks like a link on X).
	i := sort.Search(len(cuts), func(i int) bool { return measure(text(i)) <= limit })
	for ; i < len(cuts); i++ {
		t := text(i)
		if m := measure(t); m <= limit {
			return t, m
		}
	}
	t := join(disclosure, link)
	return t, measure(t)
}

// titleCuts returns the title cut at each word boundary, longest first,
// without the trailing spaces and punctuation that would sit badly before an
// ellipsis. The full title is not among them.
func titleCuts(title string) []string {
	var ends []int
	pos, state, rest := 0, -1, title
	var w string
	for rest != "" {
		w, rest, state = uniseg.FirstWordInString(rest, state)
		pos += len(w)
		if rest != "" {
			ends = append(ends, pos)
		}
	}
	var cuts []string
	for i := len(ends) - 1; i >= 0; i-- {
		c := strings.TrimRightFunc(title[:ends[i]], func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(",.;:!?-–—/|&([{“‘«\"'…·", r)
		})
		if c == "" || len(cuts) > 0 && cuts[len(cuts)-1] == c {
			continue
		}
		cuts = append(cuts, c)
	}
	return cuts
}

// customText makes the snippet text from hand-written text: the reader
// variant drops a leading disclosure (rawDisclosure), a bare canonical URL
// becomes the tagged link, the link is appended when the canonical URL is
// missing, and the employee variant gets the disclosure in front.
func customText(custom, variant, rawDisclosure, disclosure, canonical, link string) string {
	body := custom
	if variant == Reader && rawDisclosure != "" && strings.HasPrefix(body, rawDisclosure) {
		body = strings.TrimSpace(body[len(rawDisclosure):])
	}
	if canonical != "" {
		var found bool
		body, found = replaceURL(body, canonical, link)
		if !found {
			body = join(body, link)
		}
	}
	if disclosure != "" && !strings.HasPrefix(body, disclosure) {
		body = join(disclosure, body)
	}
	return body
}

// replaceURL finds canonical in s, with or without a trailing slash and not
// followed by more path. It reports whether it is there, and replaces each
// occurrence that has no query or fragment of its own with the tagged link.
func replaceURL(s, canonical, link string) (string, bool) {
	short := strings.TrimSuffix(canonical, "/")
	if short == "" {
		return s, false
	}
	var b strings.Builder
	found := false
	for {
		i := strings.Index(s, short)
		if i < 0 {
			b.WriteString(s)
			return b.String(), found
		}
		end := i + len(short)
		if end < len(s) && s[end] == '/' {
			end++
		}
		next, _ := utf8.DecodeRuneInString(s[end:])
		switch {
		case end == len(s) || unicode.IsSpace(next) || strings.ContainsRune(".,;:!)]}'\"»…", next) && !continuesPath(s[end:]):
			found = true
			b.WriteString(s[:i])
			b.WriteString(link)
		case next == '?' || next == '#':
			found = true
			b.WriteString(s[:end])
		default:
			b.WriteString(s[:end]) // a different, longer URL
		}
		s = s[end:]
	}
}

// continuesPath reports whether s, which starts with punctuation, goes on
// with more URL path (as in "/a.html"), so the punctuation is not the end of
// the URL.
func continuesPath(s string) bool {
	_, w := utf8.DecodeRuneInString(s)
	if w >= len(s) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[w:])
	return next < utf8.RuneSelf && isASCIIAlnum(byte(next))
}

// hashtags turns tags into hashtags, dropping empty, all-digit and repeated
// ones.
func hashtags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		h := hashtag(t)
		if h == "" || seen[strings.ToLower(h)] {
			continue
		}
		seen[strings.ToLower(h)] = true
		out = append(out, h)
	}
	return out
}

// hashtag keeps the letters, marks and digits of tag; several words become
// CamelCase. It returns "" when nothing but digits is left.
func hashtag(tag string) string {
	words := strings.FieldsFunc(tag, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsMark(r) && !unicode.IsDigit(r)
	})
	var b strings.Builder
	b.WriteByte('#')
	for _, w := range words {
		if len(words) == 1 {
			b.WriteString(w)
			break
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[n:])
	}
	h := b.String()
	if strings.IndexFunc(h[1:], func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		return ""
	}
	return h
}

// intent returns the platform's share URL for text (LinkedIn: for link).
func intent(platform, text, link string) string {
	switch platform {
	case "x":
		return "https://x.com/intent/post?text=" + escape(text)
	case "mastodon":
		return "https://mastodonshare.com/?text=" + escape(text)
	case "bluesky":
		return "https://bsky.app/intent/compose?text=" + escape(text)
	case "linkedin":
		return "https://www.linkedin.com/sharing/share-offsite/?url=" + escape(link)
	case "threads":
		return "https://www.threads.net/intent/post?text=" + escape(text)
	}
	return ""
}

// escape query-escapes s with spaces as %20, which every platform decodes
// (some keep a literal '+').
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// join joins the non-empty parts with single spaces.
func join(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// NormalizeSpace trims s and turns runs of white space into one space:
// strings.Join(strings.Fields(s), " ") in one pass and one allocation.
func NormalizeSpace(s string) string {
	b := make([]byte, 0, len(s))
	gap := false
	for i := 0; i < len(s); {
		c, n := rune(s[i]), 1
		if c >= utf8.RuneSelf {
			c, n = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(c) {
			gap = len(b) > 0
		} else {
			if gap {
				b = append(b, ' ')
				gap = false
			}
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return string(b)
}
