package source

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v4"
)

// quickYAML builds the tree yaml.Load would for the shape nearly every
// post's front matter has — a block mapping (nested block mappings allowed)
// whose values are one-line plain, quoted or timestamp scalars or flow
// sequences of such scalars — in a fifth of the time. ok is false for
// anything else (comments, block sequences, anchors, tags, escapes, numbers,
// multi-line scalars, tabs, CRs, repeated keys, ...): the caller then uses
// yaml.Load, which stays the authority. FuzzQuickYAML checks that every tree
// built here is the one yaml.Load builds.
func quickYAML(raw []byte) (n *yaml.Node, ok bool) {
	if bytes.IndexByte(raw, '\t') >= 0 || bytes.IndexByte(raw, '\r') >= 0 {
		return nil, false
	}
	q := quickParser{raw: raw}
	n, ok = q.mapping(0)
	if !ok || q.off < len(raw) {
		return nil, false
	}
	return n, true
}

type quickParser struct {
	raw  []byte
	off  int // start of the next unread line
	line int // number of the last line read (1-based)
}

// peek returns the next non-blank line and its indentation without
// consuming it (blank lines before it are consumed).
func (q *quickParser) peek() (text []byte, indent int, ok bool) {
	for q.off < len(q.raw) {
		end := bytes.IndexByte(q.raw[q.off:], '\n')
		next := q.off + end + 1
		if end < 0 {
			end, next = len(q.raw)-q.off, len(q.raw)
		}
		l := q.raw[q.off : q.off+end]
		if len(l) == 0 {
			q.off = next
			q.line++
			continue
		}
		i := 0
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i == len(l) {
			return nil, 0, false // a line of spaces: leave it to yaml.Load
		}
		return l, i, true
	}
	return nil, 0, false
}

// advance consumes the line peek returned.
func (q *quickParser) advance() {
	end := bytes.IndexByte(q.raw[q.off:], '\n')
	if end < 0 {
		q.off = len(q.raw)
	} else {
		q.off += end + 1
	}
	q.line++
}

// manyKeys is the number of keys up to which mapping looks for a
// duplicate key by comparing it with each.
const manyKeys = 16

// hasKey reports whether mapping m already has key: seen when not nil.
func hasKey(m *yaml.Node, seen map[string]bool, key []byte) bool {
	if seen != nil {
		return seen[string(key)]
	}
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i].Value == string(key) {
			return true
		}
	}
	return false
}

// mapping reads a block mapping whose keys are indented by exactly indent
// spaces (the first key's indentation when indent < 0).
func (q *quickParser) mapping(indent int) (*yaml.Node, bool) {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	var seen map[string]bool // made once there are too many keys to compare in turn
	for {
		l, in, ok := q.peek()
		if !ok {
			if q.off < len(q.raw) {
				return nil, false
			}
			break
		}
		if in < indent {
			break
		}
		if in > indent {
			return nil, false
		}
		q.advance()
		line := q.line
		colon := bytes.IndexByte(l, ':')
		if colon < 0 {
			return nil, false
		}
		key := l[in:colon]
		if !plainKey(key) || hasKey(m, seen, key) {
			return nil, false
		}
		if seen == nil && len(m.Content) >= 2*manyKeys {
			seen = make(map[string]bool, 2*manyKeys)
			for i := 0; i < len(m.Content); i += 2 {
				seen[m.Content[i].Value] = true
			}
		}
		if seen != nil {
			seen[string(key)] = true
		}
		// A post's keys share the field table's strings instead of one
		// copy each.
		var name string
		if fd, ok := fieldByName[string(key)]; ok {
			name = fd.name
		} else {
			name = string(key)
		}
		k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name, Line: line, Column: in + 1}
		if len(m.Content) == 0 {
			m.Line, m.Column = line, in+1
		}
		rest := l[colon+1:]
		var v *yaml.Node
		switch {
		case len(rest) == 0:
			// A nested mapping if the next line is indented deeper, else null.
			if _, next, ok := q.peek(); ok && next > indent {
				if v, ok = q.mapping(next); !ok {
					return nil, false
				}
			} else if q.off < len(q.raw) && !ok {
				return nil, false
			} else {
				v = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: line, Column: colon + 2}
			}
		case rest[0] == ' ':
			s := 1
			for s < len(rest) && rest[s] == ' ' {
				s++
			}
			if s == len(rest) || rest[len(rest)-1] == ' ' {
				return nil, false
			}
			if v, ok = value(rest[s:], line, 1+utf8.RuneCount(l[:colon+1+s])); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		m.Content = append(m.Content, k, v)
	}
	if len(m.Content) == 0 {
		return nil, false
	}
	return m, true
}

// value reads a mapping value that fills the rest of its line: a flow
// sequence or a scalar, starting at column col.
func value(s []byte, line, col int) (*yaml.Node, bool) {
	if s[0] != '[' {
		return scalar(s, line, col, false)
	}
	if s[len(s)-1] != ']' {
		return nil, false
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Tag: "!!seq", Line: line, Column: col}
	inner := s[1 : len(s)-1]
	col++
	if len(bytes.Trim(inner, " ")) == 0 {
		return seq, true
	}
	if bytes.HasSuffix(bytes.TrimRight(inner, " "), []byte{','}) {
		return nil, false // a trailing comma
	}
	for len(inner) > 0 {
		item, rest, _ := bytes.Cut(inner, []byte{','})
		lead := len(item) - len(bytes.TrimLeft(item, " "))
		item = bytes.TrimRight(item[lead:], " ")
		if len(item) == 0 {
			return nil, false
		}
		n, ok := scalar(item, line, col+utf8.RuneCount(inner[:lead]), true)
		if !ok {
			return nil, false
		}
		seq.Content = append(seq.Content, n)
		col += utf8.RuneCount(inner[:len(inner)-len(rest)])
		inner = rest
	}
	return seq, true
}

// scalar reads a one-line double-quoted, single-quoted or plain scalar (in
// a flow sequence when flow).
func scalar(s []byte, line, col int, flow bool) (*yaml.Node, bool) {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Line: line, Column: col}
	switch s[0] {
	case '"':
		if len(s) < 2 || s[len(s)-1] != '"' {
			return nil, false
		}
		in := s[1 : len(s)-1]
		if bytes.ContainsAny(in, "\"\\") || !printable(in) {
			return nil, false
		}
		n.Style, n.Value = yaml.DoubleQuotedStyle, string(in)
		return n, true
	case '\'':
		if flow || len(s) < 2 || s[len(s)-1] != '\'' {
			return nil, false
		}
		in := s[1 : len(s)-1]
		if !printable(in) || bytes.Count(in, []byte("'")) != 2*bytes.Count(in, []byte("''")) {
			return nil, false
		}
		n.Style, n.Value = yaml.SingleQuotedStyle, strings.ReplaceAll(string(in), "''", "'")
		return n, true
	}
	// Plain: no comment, no ": " (or ":" in a flow sequence, where the
	// flow indicators end it too).
	if !plainStart(s[0]) || bytes.IndexByte(s, '#') >= 0 || !printable(s) {
		return nil, false
	}
	if flow && bytes.ContainsAny(s, ":,[]{}") || !flow && (bytes.Contains(s, []byte(": ")) || s[len(s)-1] == ':') {
		return nil, false
	}
	n.Value = string(s)
	if specialPlain(n.Value) {
		return nil, false
	}
	if c := s[0]; '0' <= c && c <= '9' {
		// Numbers are left to yaml.Load; timestamps are resolved as it
		// does (its parseTimestamp).
		if !timestamp(n.Value) {
			return nil, false
		}
		n.Tag = "!!timestamp"
	}
	return n, true
}

// timestampLayouts are yaml.v4's allowedTimestampFormats.
var timestampLayouts = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// timestamp reports whether yaml.v4 resolves the plain scalar s as a
// !!timestamp.
func timestamp(s string) bool {
	if len(s) < 5 || s[4] != '-' || strings.IndexFunc(s[:4], func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return false
	}
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

// plainKey: an ASCII identifier-like key that resolves to a string.
func plainKey(k []byte) bool {
	if len(k) == 0 || len(k) > 128 || !('a' <= k[0] && k[0] <= 'z' || 'A' <= k[0] && k[0] <= 'Z') {
		return false
	}
	for _, c := range k {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return !specialPlain(string(k))
}

// plainStart: a first character that makes a plain scalar this parser
// resolves (letters and digits; no indicators, signs or dots).
func plainStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= utf8.RuneSelf
}

// specialPlain: plain scalars yaml.v4 resolves to something other than a
// string (its resolveMap: booleans and nulls).
func specialPlain(s string) bool {
	switch s {
	case "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL":
		return true
	}
	return false
}

// printable reports whether s is UTF-8 made only of the characters YAML
// allows in a scalar on one line (libyaml's is_printable, without line
// breaks).
func printable(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1, r == 0x85, r < 0xa0, r == 0x2028, r == 0x2029,
			r >= 0xd800 && r <= 0xdfff, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += n
	}
	return true
}
