package policy

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/peerpress/peerpress/build/source"
	yaml "go.yaml.in/yaml/v4"
)

// decoder reads a policy file's yaml.Node tree strictly: unknown keys,
// repeated keys and mistyped values are collected as positioned errors.
type decoder struct {
	path string
	errs []*source.Error
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	pos := source.Pos{Line: 1, Col: 1}
	if n != nil && n.Line > 0 {
		pos = source.Pos{Line: n.Line, Col: max(n.Column, 1)}
	}
	d.errs = append(d.errs, source.Errorf(d.path, pos, format, args...))
}

// parse loads data into a node tree. It returns nil (and no error) for an
// empty document.
func (d *decoder) parse(data []byte) *yaml.Node {
	data = []byte(strings.TrimPrefix(string(data), "\xef\xbb\xbf"))
	if strings.TrimSpace(stripComments(string(data))) == "" {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Load(data, &doc); err != nil {
		var le *yaml.LoadError
		var les *yaml.LoadErrors
		switch {
		case errors.As(err, &le):
		case errors.As(err, &les) && len(les.Errors) > 0:
			le = les.Errors[0]
		}
		if le != nil {
			d.errs = append(d.errs, source.Errorf(d.path, source.Pos{Line: max(le.Mark.Line, 1), Col: max(le.Mark.Column, 1)}, "invalid YAML: %s", le.Message))
		} else {
			d.errs = append(d.errs, source.Errorf(d.path, source.Pos{Line: 1, Col: 1}, "invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: ")))
		}
		return nil
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		return resolve(doc.Content[0])
	}
	return nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// field handles one key of a mapping.
type field struct {
	name string
	fn   func(key, value *yaml.Node)
}

// mapping checks that n is a mapping whose keys are among fields (each at
// most once) and calls each field's function. It returns false if n is not
// a mapping. A null node is an empty mapping.
func (d *decoder) mapping(n *yaml.Node, what string, fields ...field) bool {
	if isNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping (key: value)", what)
		return false
	}
	byName := map[string]func(k, v *yaml.Node){}
	names := make([]string, 0, len(fields))
	for _, f := range fields {
		byName[f.name] = f.fn
		names = append(names, f.name)
	}
	sort.Strings(names)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if line, ok := seen[k.Value]; ok {
			d.errorf(k, "key %q is repeated (first at line %d); keep one", k.Value, line)
			continue
		}
		seen[k.Value] = k.Line
		fn, ok := byName[k.Value]
		if !ok {
			d.errorf(k, "unknown key %q in %s; known keys are %s", k.Value, what, strings.Join(names, ", "))
			continue
		}
		fn(k, v)
	}
	return true
}

// entries checks that n is a mapping with unique keys and calls fn for each
// entry in file order. A null node has no entries.
func (d *decoder) entries(n *yaml.Node, what string, fn func(key, value *yaml.Node)) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping (id: ...)", what)
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if line, ok := seen[k.Value]; ok {
			d.errorf(k, "key %q is repeated in %s (first at line %d); keep one", k.Value, what, line)
			continue
		}
		seen[k.Value] = k.Line
		if k.Kind != yaml.ScalarNode || strings.TrimSpace(k.Value) == "" {
			d.errorf(k, "%s keys must be non-empty ids", what)
			continue
		}
		fn(k, v)
	}
}

// str decodes a string scalar. Numbers and booleans are refused so that a
// title like `no` or `1.0` is not silently turned into text.
func (d *decoder) str(n *yaml.Node, what string) string {
	if isNull(n) {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		d.errorf(n, "%s must be a string; quote it", what)
		return ""
	}
	return n.Value
}

// strList decodes a list of non-empty strings (a single string is a list of one).
func (d *decoder) strList(n *yaml.Node, what string) []string {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if s := d.str(n, what); s != "" {
			return []string{s}
		}
		if n.Tag == "!!str" {
			d.errorf(n, "%s must not be empty", what)
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list of strings, like [a, b]", what)
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		c = resolve(c)
		s := d.str(c, what+" entries")
		if c.Kind == yaml.ScalarNode && c.Tag == "!!str" && strings.TrimSpace(s) == "" {
			d.errorf(c, "%s entries must not be empty", what)
			continue
		}
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) boolean(n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		d.errorf(n, "%s must be true or false", what)
		return false
	}
	b, _ := strconv.ParseBool(strings.ToLower(n.Value))
	return b
}

func (d *decoder) integer(n *yaml.Node, what string) int {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		d.errorf(n, "%s must be a whole number", what)
		return 0
	}
	i, err := strconv.Atoi(n.Value)
	if err != nil || i < 0 {
		d.errorf(n, "%s must be a whole number of at least 0", what)
		return 0
	}
	return i
}

func (d *decoder) date(n *yaml.Node, what string) time.Time {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!timestamp" && n.Tag != "!!str") {
		d.errorf(n, "%s must be a date like 2026-03-01", what)
		return time.Time{}
	}
	t, err := source.ParseDate(n.Value)
	if err != nil {
		d.errorf(n, "%s: %v", what, err)
		return time.Time{}
	}
	return t
}

// err returns the collected errors: nil, one *source.Error, or several
// *source.Error joined, in file order.
func joinErrors(errs []*source.Error) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Pos.Col < b.Pos.Col
	})
	if len(errs) == 1 {
		return errs[0]
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = e
	}
	return errors.Join(out...)
}

// placeholders checks that tmpl uses only the given {placeholders}.
func (d *decoder) placeholders(n *yaml.Node, what, tmpl string, allowed ...string) {
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			return
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			d.errorf(n, "%s has an unclosed {", what)
			return
		}
		name := rest[i+1 : i+j]
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			d.errorf(n, "%s uses {%s}; it may use %s", what, name, "{"+strings.Join(allowed, "}, {")+"}")
		}
		rest = rest[i+j+1:]
	}
}
