package report

// A small JSON Schema (draft-04) validator, enough for the SARIF 2.1.0
// schema: type, properties, required, additionalProperties, items, enum,
// minimum, maximum, minItems, uniqueItems, pattern, format (uri,
// uri-reference and date-time, loosely), $ref to "#/…", anyOf, oneOf and
// allOf. Annotations (description, title, default, id, $schema) are
// ignored. A schema that uses any other keyword is refused when it is
// loaded, so nothing is ever skipped silently.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// jsonSchema is a loaded schema.
type jsonSchema struct {
	root     any
	patterns map[string]*regexp.Regexp
}

// isKeyword reports whether validate understands schema keyword k;
// annotations are accepted and ignored.
func isKeyword(k string) bool {
	switch k {
	case "$ref", "type", "properties", "required", "additionalProperties", "items", "enum",
		"minimum", "maximum", "minItems", "uniqueItems", "pattern", "format", "anyOf", "oneOf", "allOf",
		"description", "title", "default", "id", "$schema", "definitions":
		return true
	}
	return false
}

// decodeJSON decodes data keeping numbers as json.Number, so that integers
// and decimals stay apart, and refuses trailing data.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// loadSchema decodes a schema and checks that every subschema uses only
// supported keywords, that every $ref resolves and every pattern compiles.
func loadSchema(data []byte) (*jsonSchema, error) {
	root, err := decodeJSON(data)
	if err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	s := &jsonSchema{root: root, patterns: map[string]*regexp.Regexp{}}
	if err := s.check(root, "#"); err != nil {
		return nil, err
	}
	return s, nil
}

// check walks schema node n (at path) and its subschemas.
func (s *jsonSchema) check(n any, path string) error {
	if _, ok := n.(bool); ok {
		return nil
	}
	m, ok := n.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: a schema must be an object or a boolean, not %T", path, n)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := m[k]
		if !isKeyword(k) {
			return fmt.Errorf("%s: unsupported schema keyword %q", path, k)
		}
		switch k {
		case "properties", "definitions":
			sub, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s/%s: want an object", path, k)
			}
			names := make([]string, 0, len(sub))
			for name := range sub {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				if err := s.check(sub[name], path+"/"+k+"/"+name); err != nil {
					return err
				}
			}
		case "additionalProperties", "items":
			if _, ok := v.([]any); ok {
				return fmt.Errorf("%s/%s: tuple form is not supported", path, k)
			}
			if err := s.check(v, path+"/"+k); err != nil {
				return err
			}
		case "anyOf", "oneOf", "allOf":
			list, ok := v.([]any)
			if !ok || len(list) == 0 {
				return fmt.Errorf("%s/%s: want a non-empty array", path, k)
			}
			for i, sub := range list {
				if err := s.check(sub, path+"/"+k+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		case "$ref":
			ref, _ := v.(string)
			if _, err := s.resolve(ref); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		case "pattern":
			p, _ := v.(string)
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: pattern: %w", path, err)
			}
			s.patterns[p] = re
		}
	}
	return nil
}

// resolve follows a "#/…" JSON pointer from the schema's root.
func (s *jsonSchema) resolve(ref string) (any, error) {
	if ref != "#" && !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q: only references within the schema are", ref)
	}
	n := s.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#"), "/")[1:] {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if u, err := url.PathUnescape(tok); err == nil {
			tok = u
		}
		m, ok := n.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: %q is not inside an object", ref, tok)
		}
		if n, ok = m[tok]; !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
		}
	}
	return n, nil
}

// Validate checks the JSON document doc and returns one message per
// violation, each starting with the JSON pointer of the offending value.
func (s *jsonSchema) Validate(doc []byte) []string {
	v, err := decodeJSON(doc)
	if err != nil {
		return []string{"decode: " + err.Error()}
	}
	var errs []string
	s.validate(s.root, v, "", &errs)
	return errs
}

// validate checks value v at path against schema n, appending violations.
func (s *jsonSchema) validate(n, v any, path string, errs *[]string) {
	fail := func(format string, args ...any) {
		p := path
		if p == "" {
			p = "/"
		}
		*errs = append(*errs, p+": "+fmt.Sprintf(format, args...))
	}
	if b, ok := n.(bool); ok {
		if !b {
			fail("no value is allowed here")
		}
		return
	}
	m := n.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		// Draft 4: $ref replaces the schema it sits in.
		target, err := s.resolve(ref)
		if err != nil {
			fail("%v", err)
			return
		}
		s.validate(target, v, path, errs)
		return
	}

	if t, ok := m["type"]; ok {
		var want []string
		switch t := t.(type) {
		case string:
			want = []string{t}
		case []any:
			for _, x := range t {
				want = append(want, x.(string))
			}
		}
		if !slices.ContainsFunc(want, func(w string) bool { return hasType(v, w) }) {
			fail("want type %s, got %s", strings.Join(want, " or "), typeName(v))
			return
		}
	}
	if e, ok := m["enum"].([]any); ok {
		if !slices.ContainsFunc(e, func(x any) bool { return jsonEqual(x, v) }) {
			fail("value %s is not one of %s", compact(v), compact(e))
		}
	}

	switch v := v.(type) {
	case map[string]any:
		props, _ := m["properties"].(map[string]any)
		if req, ok := m["required"].([]any); ok {
			for _, r := range req {
				if _, ok := v[r.(string)]; !ok {
					fail("missing required property %q", r)
				}
			}
		}
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			child := path + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
			if ps, ok := props[k]; ok {
				s.validate(ps, v[k], child, errs)
				continue
			}
			if ap, ok := m["additionalProperties"]; ok {
				if b, ok := ap.(bool); ok && !b {
					fail("property %q is not allowed", k)
					continue
				}
				s.validate(ap, v[k], child, errs)
			}
		}
	case []any:
		if items, ok := m["items"]; ok {
			for i, x := range v {
				s.validate(items, x, path+"/"+strconv.Itoa(i), errs)
			}
		}
		if min, ok := m["minItems"].(json.Number); ok {
			if n, _ := min.Int64(); int64(len(v)) < n {
				fail("want at least %d items, got %d", n, len(v))
			}
		}
		if u, _ := m["uniqueItems"].(bool); u {
			for i := range v {
				for j := i + 1; j < len(v); j++ {
					if jsonEqual(v[i], v[j]) {
						fail("items %d and %d are equal, want unique items", i, j)
					}
				}
			}
		}
	case json.Number:
		x := rat(v)
		if min, ok := m["minimum"].(json.Number); ok && x.Cmp(rat(min)) < 0 {
			fail("%s is less than the minimum %s", v, min)
		}
		if max, ok := m["maximum"].(json.Number); ok && x.Cmp(rat(max)) > 0 {
			fail("%s is more than the maximum %s", v, max)
		}
	case string:
		if p, ok := m["pattern"].(string); ok && !s.patterns[p].MatchString(v) {
			fail("%q does not match the pattern %q", v, p)
		}
		if f, ok := m["format"].(string); ok {
			if err := checkFormat(f, v); err != nil {
				fail("%q is not a valid %s: %v", v, f, err)
			}
		}
	}

	if list, ok := m["allOf"].([]any); ok {
		for _, sub := range list {
			s.validate(sub, v, path, errs)
		}
	}
	if list, ok := m["anyOf"].([]any); ok {
		if s.matching(list, v, path) == 0 {
			fail("value matches none of the anyOf schemas")
		}
	}
	if list, ok := m["oneOf"].([]any); ok {
		if n := s.matching(list, v, path); n != 1 {
			fail("value matches %d of the oneOf schemas, want exactly 1", n)
		}
	}
}

// matching counts the schemas in list that v satisfies.
func (s *jsonSchema) matching(list []any, v any, path string) int {
	n := 0
	for _, sub := range list {
		var errs []string
		s.validate(sub, v, path, &errs)
		if len(errs) == 0 {
			n++
		}
	}
	return n
}

// hasType reports whether v is of JSON Schema type t.
func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		return ok && rat(n).IsInt()
	}
	return false
}

// typeName names v's JSON type for messages.
func typeName(v any) string {
	for _, t := range []string{"integer", "number", "string", "boolean", "null", "array", "object"} {
		if hasType(v, t) {
			return t
		}
	}
	return fmt.Sprintf("%T", v)
}

// rat is n as an exact rational.
func rat(n json.Number) *big.Rat {
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// jsonEqual compares decoded JSON values as JSON Schema does: numbers by
// value, objects regardless of key order.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case json.Number:
		b, ok := b.(json.Number)
		return ok && rat(a).Cmp(rat(b)) == 0
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, jsonEqual)
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, x := range a {
			if y, ok := b[k]; !ok || !jsonEqual(x, y) {
				return false
			}
		}
		return true
	}
	return a == b
}

// checkFormat checks the formats the SARIF schema uses, loosely; other
// formats are annotations and pass.
func checkFormat(format, s string) error {
	switch format {
	case "uri":
		u, err := url.Parse(s)
		if err != nil {
			return err
		}
		if u.Scheme == "" {
			return fmt.Errorf("no scheme")
		}
	case "uri-reference":
		_, err := url.Parse(s)
		return err
	case "date-time":
		_, err := time.Parse(time.RFC3339, s)
		return err
	}
	return nil
}

// compact formats a decoded JSON value for messages.
func compact(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
