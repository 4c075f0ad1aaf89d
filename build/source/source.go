// Package source reads peerpress source files: it splits a Markdown file into
// front matter and body, parses the front matter (YAML, TOML or JSON) into a
// yaml.Node tree whose lines and columns are positions in the file itself, and
// reports every problem as a positioned *Error.
//
// It is the leaf of the module: it imports nothing else of peerpress.
package source

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/adrg/frontmatter"
	yaml "go.yaml.in/yaml/v4"
)

// Pos is a 1-based line and column in a file. Columns count runes.
type Pos struct {
	Line int
	Col  int
}

// Error is a problem at a place in a file. Its message says what is wrong and,
// where it can, what to do.
type Error struct {
	Path string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Errorf returns an *Error at path and pos.
func Errorf(path string, pos Pos, format string, args ...any) *Error {
	return &Error{Path: path, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// Format names a front-matter syntax.
type Format string

// The front-matter formats peerpress accepts.
const (
	None Format = ""
	YAML Format = "yaml"
	TOML Format = "toml"
	JSON Format = "json"
)

// File is a parsed source file.
type File struct {
	// Path is slash-separated and relative to the site root.
	Path string
	// Data is the file's bytes, a leading byte-order mark removed.
	Data []byte
	// Format is the front matter's syntax; None when the file has none.
	Format Format
	// Open is the position of the opening delimiter (the `---` line), or
	// line 1 when there is no front matter.
	Open Pos
	// Meta is the front matter as a mapping node (never nil: empty when the
	// file has no front matter). Node lines and columns are file positions.
	Meta *yaml.Node
	// Body is the Markdown after the front matter.
	Body []byte
	// BodyLine is the file line on which Body starts.
	BodyLine int
}

// captureReader feeds data to frontmatter.Parse one line per Read, and
// nothing once *done (the front matter captured): the parser then copies
// only the front matter, not the body after it (that copy was 6 % of
// `peerpress check` on 10,000 posts, and a third of its allocation).
type captureReader struct {
	data []byte
	off  int // bytes fed so far
	done *bool
}

func (c *captureReader) Read(p []byte) (int, error) {
	if *c.done || c.off == len(c.data) {
		return 0, io.EOF
	}
	line := c.data[c.off:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i+1]
	}
	n := copy(p, line)
	c.off += n
	return n, nil
}

// lineReaders hold the buffered readers frontmatter.Parse reads through
// (bufio.NewReader returns a *bufio.Reader of its default size as it is, so
// one per goroutine serves every file).
var lineReaders = sync.Pool{New: func() any { return bufio.NewReader(nil) }}

// Parse splits data into front matter and body. The error, if any, is an
// *Error naming the place in the file.
func Parse(path string, data []byte) (*File, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, &Error{Path: path, Pos: invalidUTF8(data), Msg: "file is not valid UTF-8; save it as UTF-8"}
	}
	f := &File{Path: path, Data: data, Open: Pos{1, 1}, Meta: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}}
	open, openFormat := opener(data)
	if openFormat == None {
		f.Body, f.BodyLine = data, 1
		return f, nil
	}
	f.Open = Pos{open, 1}

	var raw []byte
	found := false
	capture := func(b []byte, _ any) error {
		raw, found = append([]byte(nil), b...), true
		return nil
	}
	formats := []*frontmatter.Format{
		frontmatter.NewFormat("---", "---", capture),
		frontmatter.NewFormat("+++", "+++", capture),
		{Start: "{", End: "}", Unmarshal: capture, UnmarshalDelims: true, RequiresNewLine: true},
	}
	in := &captureReader{data: data, done: &found}
	br := lineReaders.Get().(*bufio.Reader)
	br.Reset(in)
	rest, err := frontmatter.Parse(br, nil, formats...)
	br.Reset(nil)
	lineReaders.Put(br)
	if err != nil {
		return nil, &Error{Path: path, Pos: f.Open, Msg: fmt.Sprintf("cannot read front matter: %v", err)}
	}
	if !found {
		msg := fmt.Sprintf("front matter opened with %q is never closed; add a closing %q line after the last key", delim(openFormat), delim(openFormat))
		if openFormat == JSON {
			msg = "JSON front matter opened with \"{\" is never closed; end it with \"}\" alone on a line followed by an empty line"
		}
		return nil, &Error{Path: path, Pos: f.Open, Msg: msg}
	}
	f.Format = openFormat
	end := in.off - len(rest) // the parser holds every byte it was fed
	f.Body = data[end:]
	f.BodyLine = 1 + bytes.Count(data[:end], []byte("\n"))

	first := open + 1 // first line of the front matter's content
	if openFormat == JSON {
		first = open
	}
	var node *yaml.Node
	switch openFormat {
	case YAML:
		node, err = parseYAML(raw)
	case JSON:
		node, err = parseJSON(raw)
	case TOML:
		node, err = parseTOML(raw)
	}
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return nil, &Error{Path: path, Pos: Pos{pe.pos.Line + first - 1, max(pe.pos.Col, 1)}, Msg: pe.msg}
		}
		return nil, &Error{Path: path, Pos: f.Open, Msg: err.Error()}
	}
	if node == nil {
		return f, nil
	}
	if node.Kind != yaml.MappingNode {
		return nil, &Error{Path: path, Pos: Pos{node.Line + first - 1, node.Column}, Msg: "front matter must be a mapping of keys to values (key: value)"}
	}
	shift(node, first-1)
	f.Meta = node
	if err := checkDuplicates(path, node); err != nil {
		return nil, err
	}
	return f, nil
}

// opener returns the 1-based line of the first non-blank line and the
// format its delimiter opens, or None.
func opener(data []byte) (int, Format) {
	line := 0
	for len(data) > 0 {
		line++
		l, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		switch strings.TrimSpace(string(l)) {
		case "":
			continue
		case "---":
			return line, YAML
		case "+++":
			return line, TOML
		case "{":
			return line, JSON
		}
		return line, None
	}
	return 0, None
}

func delim(f Format) string {
	switch f {
	case TOML:
		return "+++"
	case JSON:
		return "}"
	}
	return "---"
}

// posError is a parse error with a position relative to the front matter.
type posError struct {
	pos Pos
	msg string
}

func (e *posError) Error() string { return e.msg }

func parseYAML(raw []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	if n, ok := quickYAML(raw); ok {
		return n, nil
	}
	if err := yaml.Load(raw, &doc); err != nil {
		return nil, yamlError(err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	n := doc.Content[0]
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	return n, nil
}

// yamlError turns a yaml.v4 load error into a positioned error using the
// library's structured marks.
func yamlError(err error) error {
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return &posError{pos: Pos{max(le.Mark.Line, 1), max(le.Mark.Column, 1)}, msg: "invalid YAML front matter: " + le.Message}
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 0 {
		return yamlError(les.Errors[0])
	}
	return &posError{pos: Pos{1, 1}, msg: "invalid YAML front matter: " + strings.TrimPrefix(err.Error(), "yaml: ")}
}

func parseJSON(raw []byte) (*yaml.Node, error) {
	// encoding/json is the authority on validity; YAML (a superset of JSON)
	// then gives the positions.
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &posError{pos: offsetPos(raw, int(se.Offset)-1), msg: "invalid JSON front matter: " + se.Error()}
		}
		return nil, &posError{pos: Pos{1, 1}, msg: "invalid JSON front matter: " + err.Error()}
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, &posError{pos: Pos{1, 1}, msg: "JSON front matter must be an object"}
	}
	// YAML forbids tabs where JSON allows them; they carry no meaning here.
	return parseYAML(bytes.ReplaceAll(raw, []byte("\t"), []byte(" ")))
}

func parseTOML(raw []byte) (*yaml.Node, error) {
	var m map[string]any
	md, err := toml.Decode(string(raw), &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &posError{pos: Pos{pe.Position.Line, pe.Position.Col}, msg: "invalid TOML front matter: " + pe.Message}
		}
		return nil, &posError{pos: Pos{1, 1}, msg: "invalid TOML front matter: " + err.Error()}
	}
	lines := tomlKeyLines(raw)
	var build func(prefix string, v any, line int) *yaml.Node
	build = func(prefix string, v any, line int) *yaml.Node {
		n := &yaml.Node{Line: line, Column: 1}
		switch v := v.(type) {
		case map[string]any:
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			// Keep the file's order: by line, then name.
			sort.Slice(keys, func(i, j int) bool {
				li, lj := lines[prefix+keys[i]], lines[prefix+keys[j]]
				if li.Line != lj.Line {
					return li.Line < lj.Line
				}
				return keys[i] < keys[j]
			})
			for _, k := range keys {
				p, ok := lines[prefix+k]
				if !ok {
					p = Pos{line, 1}
				}
				kn := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k, Line: p.Line, Column: p.Col}
				n.Content = append(n.Content, kn, build(prefix+k+".", v[k], p.Line))
				if vn := n.Content[len(n.Content)-1]; vn.Kind == yaml.ScalarNode || vn.Kind == yaml.SequenceNode {
					vn.Column = p.Col
				}
			}
		case []map[string]any:
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for _, e := range v {
				n.Content = append(n.Content, build(prefix, e, line))
			}
		case []any:
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
			for _, e := range v {
				n.Content = append(n.Content, build(prefix, e, line))
			}
		case string:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", v
		case bool:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", fmt.Sprint(v)
		case int64:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!int", fmt.Sprint(v)
		case float64:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!float", fmt.Sprint(v)
		case time.Time:
			n.Kind, n.Tag = yaml.ScalarNode, "!!timestamp"
			n.Value = v.Format(time.RFC3339)
			if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
				n.Value = v.Format(time.DateOnly)
			}
		default:
			n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!str", fmt.Sprint(v)
		}
		return n
	}
	_ = md
	return build("", m, 1), nil
}

// tomlKeyLines finds where each key is defined in TOML text: `key = ...`
// lines (dotted by the enclosing [table] header) and [table] headers. The
// TOML decoder keeps no key positions, so the lexical structure is read here.
func tomlKeyLines(raw []byte) map[string]Pos {
	out := map[string]Pos{}
	table := ""
	for i, l := range strings.Split(string(raw), "\n") {
		t := strings.TrimSpace(l)
		col := len([]rune(l)) - len([]rune(strings.TrimLeft(l, " \t"))) + 1
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
		case strings.HasPrefix(t, "[[") || strings.HasPrefix(t, "["):
			name := strings.Trim(t, "[] ")
			if j := strings.Index(name, "]"); j >= 0 {
				name = name[:j]
			}
			table = unquoteKey(name) + "."
			if _, ok := out[unquoteKey(name)]; !ok {
				out[unquoteKey(name)] = Pos{i + 1, col}
			}
		default:
			k, _, ok := strings.Cut(t, "=")
			if !ok {
				continue
			}
			name := table + unquoteKey(strings.TrimSpace(k))
			if _, ok := out[name]; !ok {
				out[name] = Pos{i + 1, col}
			}
		}
	}
	return out
}

func unquoteKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// shift moves every node's line by delta.
func shift(n *yaml.Node, delta int) {
	n.Line += delta
	for _, c := range n.Content {
		shift(c, delta)
	}
}

func checkDuplicates(path string, m *yaml.Node) error {
	seen := map[string]Pos{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if p, ok := seen[k.Value]; ok {
			return &Error{Path: path, Pos: Pos{k.Line, k.Column}, Msg: fmt.Sprintf("key %q is repeated (first at line %d); keep one", k.Value, p.Line)}
		}
		seen[k.Value] = Pos{k.Line, k.Column}
	}
	return nil
}

func invalidUTF8(data []byte) Pos {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return offsetPos(data, i)
		}
		i += size
	}
	return Pos{1, 1}
}

// offsetPos converts a byte offset into a line and rune column.
func offsetPos(data []byte, off int) Pos {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	start := bytes.LastIndexByte(before, '\n') + 1
	return Pos{line, utf8.RuneCount(before[start:]) + 1}
}

// OffsetPos converts a byte offset in f.Body into a file position.
func (f *File) OffsetPos(off int) Pos {
	p := offsetPos(f.Body, off)
	return Pos{p.Line + f.BodyLine - 1, p.Col}
}

// Positions converts byte offsets in f.Body into file positions, like
// OffsetPos, in time linear in the body when the offsets come in
// increasing order (each call counts from the previous offset only).
type Positions struct {
	f   *File
	off int
	pos Pos // of off, relative to the body (line 1 is its first)
}

// Positions returns a converter starting at the body's first byte.
func (f *File) Positions() *Positions { return &Positions{f: f, pos: Pos{1, 1}} }

// At returns the position of body offset off.
func (ps *Positions) At(off int) Pos {
	body := ps.f.Body
	off = min(max(off, 0), len(body))
	if off < ps.off {
		ps.off, ps.pos = 0, Pos{1, 1}
	}
	seg := body[ps.off:off]
	pos := ps.pos
	if n := bytes.Count(seg, []byte("\n")); n > 0 {
		pos = Pos{pos.Line + n, utf8.RuneCount(seg[bytes.LastIndexByte(seg, '\n')+1:]) + 1}
	} else {
		pos.Col += utf8.RuneCount(seg)
	}
	if off == len(body) || utf8.RuneStart(body[off]) {
		// Counting on from inside a rune would count it twice.
		ps.off, ps.pos = off, pos
	}
	return Pos{pos.Line + ps.f.BodyLine - 1, pos.Col}
}

// Key is one front-matter key with its value.
type Key struct {
	Name  string
	Pos   Pos
	Value *yaml.Node
}

// Keys returns the front matter's top-level keys in file order.
func (f *File) Keys() []Key {
	out := make([]Key, 0, len(f.Meta.Content)/2)
	for i := 0; i+1 < len(f.Meta.Content); i += 2 {
		k := f.Meta.Content[i]
		out = append(out, Key{Name: k.Value, Pos: Pos{k.Line, k.Column}, Value: f.Meta.Content[i+1]})
	}
	return out
}

// Lookup returns the key and value nodes of a top-level key, or nils.
func (f *File) Lookup(name string) (key, value *yaml.Node) {
	return Lookup(f.Meta, name)
}

// Lookup returns the key and value nodes of name in mapping m, or nils.
func Lookup(m *yaml.Node, name string) (key, value *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// NodePos returns the position of a node.
func NodePos(n *yaml.Node) Pos { return Pos{n.Line, n.Column} }
