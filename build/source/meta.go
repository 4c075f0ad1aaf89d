package source

import (
	"fmt"
	"sort"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v4"
)

// Meta is a post's front matter, typed. Pos holds the position of every key
// that was present, by name; dotted names ("mentions.clients") for nested keys.
type Meta struct {
	Title       string
	Date        time.Time
	Summary     string
	Authors     []string
	ReviewedBy  []string
	Audience    string // "public" or "internal"
	Voice       string // "personal" (default) or "official"
	Tags        []string
	Categories  []string
	Products    []string
	Competitors []string
	Clients     []string
	PublishDate time.Time
	ExpiryDate  time.Time
	Lastmod     time.Time
	Draft       bool
	Slug        string
	Aliases     []string
	Description string
	Canonical   string
	// Share maps a platform ("x", "all", ...) to hand-written share text.
	Share map[string]string
	// ShareOff is true for `share: off`: no share snippets for this post.
	ShareOff bool
	// Image is an optional Open Graph image, relative to the post.
	Image string

	Pos map[string]Pos
}

// Problem is a front-matter problem found while decoding, with the rule it
// breaks (fm.required, fm.type, fm.unknown-key, fm.dates).
type Problem struct {
	Rule string
	Pos  Pos
	Msg  string
}

// kind is the type a front-matter key takes.
type kind int

const (
	kString kind = iota
	kDate
	kBool
	kList
	kMentions
	kShare
)

type field struct {
	name     string
	kind     kind
	required bool
}

var postFields = [...]field{
	{"title", kString, true},
	{"date", kDate, true},
	{"summary", kString, true},
	{"authors", kList, true},
	{"reviewed_by", kList, true},
	{"audience", kString, true},
	{"voice", kString, false},
	{"tags", kList, false},
	{"categories", kList, false},
	{"products", kList, false},
	{"mentions", kMentions, false},
	{"publishDate", kDate, false},
	{"expiryDate", kDate, false},
	{"lastmod", kDate, false},
	{"draft", kBool, false},
	{"slug", kString, false},
	{"aliases", kList, false},
	{"description", kString, false},
	{"canonical", kString, false},
	{"share", kShare, false},
	{"image", kString, false},
}

// fieldByName indexes postFields.
var fieldByName = func() map[string]field {
	m := make(map[string]field, len(postFields))
	for _, fd := range postFields {
		m[fd.name] = fd
	}
	return m
}()

// PostKeys returns the front-matter keys a post may have, and whether each is required.
func PostKeys() (names []string, required []bool) {
	for _, f := range postFields {
		names = append(names, f.name)
		required = append(required, f.required)
	}
	return names, required
}

// DecodeMeta types f's front matter. It never fails: every problem is
// returned, positioned, and the fields it concerns are left zero.
func DecodeMeta(f *File) (*Meta, []Problem) {
	keys := f.Keys()
	m := &Meta{Pos: make(map[string]Pos, len(keys)), Voice: "personal"}
	var probs []Problem
	add := func(rule string, n *yaml.Node, format string, args ...any) {
		probs = append(probs, Problem{Rule: rule, Pos: NodePos(n), Msg: fmt.Sprintf(format, args...)})
	}
	for _, k := range keys {
		fd, ok := fieldByName[k.Name]
		if !ok {
			msg := fmt.Sprintf("unknown front-matter key %q", k.Name)
			if s := suggest(k.Name); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			} else {
				msg += "; remove it or check its spelling"
			}
			probs = append(probs, Problem{Rule: "fm.unknown-key", Pos: k.Pos, Msg: msg})
			continue
		}
		// The table's name, not the node's copy: a Meta lives as long as
		// its post, the front-matter tree not.
		m.Pos[fd.name] = k.Pos
		v := k.Value
		keyNode := &yaml.Node{Line: k.Pos.Line, Column: k.Pos.Col}
		switch fd.kind {
		case kString:
			s, ok := scalarString(v)
			if !ok {
				add("fm.type", keyNode, "%s must be a string", k.Name)
				continue
			}
			switch k.Name {
			case "title":
				m.Title = s
			case "summary":
				m.Summary = s
			case "audience":
				if s != "public" && s != "internal" {
					add("fm.type", v, "audience must be public or internal, not %q", s)
					continue
				}
				m.Audience = s
			case "voice":
				if s != "personal" && s != "official" {
					add("fm.type", v, "voice must be personal or official, not %q", s)
					continue
				}
				m.Voice = s
			case "slug":
				m.Slug = s
			case "description":
				m.Description = s
			case "canonical":
				m.Canonical = s
			case "image":
				m.Image = s
			}
			if fd.required && strings.TrimSpace(s) == "" {
				add("fm.required", keyNode, "%s is empty; write one", k.Name)
			}
		case kDate:
			s, ok := scalarString(v)
			if !ok {
				add("fm.dates", keyNode, "%s must be a date (2006-01-02 or RFC 3339)", k.Name)
				continue
			}
			t, err := ParseDate(s)
			if err != nil {
				add("fm.dates", v, "%s: %v", k.Name, err)
				continue
			}
			switch k.Name {
			case "date":
				m.Date = t
			case "publishDate":
				m.PublishDate = t
			case "expiryDate":
				m.ExpiryDate = t
			case "lastmod":
				m.Lastmod = t
			}
		case kBool:
			if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" {
				add("fm.type", keyNode, "%s must be true or false", k.Name)
				continue
			}
			m.Draft = v.Value == "true" || v.Value == "True" || v.Value == "TRUE"
		case kList:
			l, ok := stringList(v)
			if !ok {
				add("fm.type", keyNode, "%s must be a list of strings, like [a, b]", k.Name)
				continue
			}
			switch k.Name {
			case "authors":
				m.Authors = l
				if len(l) == 0 {
					add("fm.required", keyNode, "authors is empty; list at least one person id from policy/people.yaml")
				}
			case "reviewed_by":
				m.ReviewedBy = l
			case "tags":
				m.Tags = l
			case "categories":
				m.Categories = l
			case "products":
				m.Products = l
			case "aliases":
				m.Aliases = l
			}
		case kMentions:
			if v.Kind != yaml.MappingNode {
				add("fm.type", keyNode, "mentions must be a mapping with competitors and/or clients lists")
				continue
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				sk, sv := v.Content[i], v.Content[i+1]
				name := "mentions." + sk.Value
				if sk.Value != "competitors" && sk.Value != "clients" {
					add("fm.unknown-key", sk, "unknown key %q; mentions takes competitors and clients", name)
					continue
				}
				l, ok := stringList(sv)
				if !ok {
					add("fm.type", sk, "%s must be a list of ids", name)
					continue
				}
				m.Pos[name] = NodePos(sk)
				if sk.Value == "competitors" {
					m.Competitors = l
				} else {
					m.Clients = l
				}
			}
		case kShare:
			if s, ok := scalarString(v); ok && (s == "off" || s == "false") || v.Tag == "!!bool" && v.Value == "false" {
				m.ShareOff = true
				continue
			}
			if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
				m.Share = map[string]string{"all": v.Value}
				continue
			}
			if v.Kind != yaml.MappingNode {
				add("fm.type", keyNode, "share must be off, a text, or a mapping of platform to text")
				continue
			}
			m.Share = map[string]string{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				sk, sv := v.Content[i], v.Content[i+1]
				s, ok := scalarString(sv)
				if !ok {
					add("fm.type", sk, "share.%s must be a text", sk.Value)
					continue
				}
				switch sk.Value {
				case "all", "x", "mastodon", "bluesky", "linkedin", "threads":
					m.Share[sk.Value] = s
					m.Pos["share."+sk.Value] = NodePos(sv)
				default:
					add("fm.unknown-key", sk, "unknown share platform %q; use all, x, mastodon, bluesky, linkedin or threads", sk.Value)
				}
			}
		}
	}
	for _, fd := range postFields {
		if _, present := m.Pos[fd.name]; fd.required && !present {
			probs = append(probs, Problem{Rule: "fm.required", Pos: f.Open, Msg: fmt.Sprintf("front matter has no %q; add it (see `peerpress new`)", fd.name)})
		}
	}
	if !m.Date.IsZero() {
		if !m.ExpiryDate.IsZero() && !m.ExpiryDate.After(m.Date) {
			probs = append(probs, Problem{Rule: "fm.dates", Pos: m.Pos["expiryDate"], Msg: "expiryDate is not after date; the post would never be published"})
		}
		if !m.ExpiryDate.IsZero() && !m.PublishDate.IsZero() && !m.ExpiryDate.After(m.PublishDate) {
			probs = append(probs, Problem{Rule: "fm.dates", Pos: m.Pos["expiryDate"], Msg: "expiryDate is not after publishDate; the post would never be published"})
		}
		if !m.Lastmod.IsZero() && m.Lastmod.Before(m.Date) {
			probs = append(probs, Problem{Rule: "fm.dates", Pos: m.Pos["lastmod"], Msg: "lastmod is before date; a post cannot change before it was written"})
		}
	}
	sort.SliceStable(probs, func(i, j int) bool {
		if probs[i].Pos.Line != probs[j].Pos.Line {
			return probs[i].Pos.Line < probs[j].Pos.Line
		}
		return probs[i].Pos.Col < probs[j].Pos.Col
	})
	return m, probs
}

// suggest returns the known key closest to name by edit distance, if close.
func suggest(name string) string {
	best, bestD := "", 3
	for _, fd := range postFields {
		if d := editDistance(strings.ToLower(name), strings.ToLower(fd.name)); d < bestD {
			best, bestD = fd.name, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func scalarString(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", false
	}
	return n.Value, true
}

// StringList returns the strings of a sequence node (or a single scalar).
func stringList(n *yaml.Node) ([]string, bool) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		return nil, true
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, true
	case n.Kind != yaml.SequenceNode:
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		if c.Kind != yaml.ScalarNode {
			return nil, false
		}
		out = append(out, c.Value)
	}
	return out, true
}

// ParseDate accepts the date forms Hugo accepts in front matter: 2006-01-02,
// RFC 3339, and 2006-01-02T15:04:05 or "2006-01-02 15:04:05" (taken as UTC).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05", time.DateTime, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date; write 2006-01-02 or 2006-01-02T15:04:05Z07:00", s)
}
