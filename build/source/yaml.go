package source

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// DecodeYAML strictly decodes a YAML file into v: unknown keys, repeated keys
// and mistyped values are errors. Every error is an *Error positioned in the
// file; all of them are returned, joined, in file order.
func DecodeYAML(path string, data []byte, v any) error {
	data = []byte(strings.TrimPrefix(string(data), "\xef\xbb\xbf"))
	err := yaml.Load(data, v, yaml.WithKnownFields(), yaml.WithUniqueKeys())
	if err == nil {
		return nil
	}
	var les *yaml.LoadErrors
	if errors.As(err, &les) && len(les.Errors) > 1 {
		errs := make([]error, 0, len(les.Errors))
		for _, le := range les.Errors {
			errs = append(errs, loadError(path, le))
		}
		return errors.Join(errs...)
	}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		return loadError(path, le)
	}
	return &Error{Path: path, Pos: Pos{1, 1}, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
}

func loadError(path string, le *yaml.LoadError) *Error {
	msg := le.Message
	if strings.HasPrefix(msg, "field ") && strings.Contains(msg, " not found in type ") {
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "field "), " ")
		msg = "unknown key \"" + name + "\"; remove it or check its spelling"
	}
	if rest, ok := strings.CutPrefix(msg, "cannot construct "); ok {
		msg = "wrong type: " + rest
		if m := constructRE.FindStringSubmatch(rest); m != nil && yamlKinds[m[1]] != "" {
			what := "the value"
			if m[2] != "" {
				what = m[2]
			}
			msg = fmt.Sprintf("wrong type: %s is %s, but this key wants %s", what, yamlKinds[m[1]], goKind(m[3]))
		}
	}
	return &Error{Path: path, Pos: Pos{max(le.Mark.Line, 1), max(le.Mark.Column, 1)}, Msg: msg}
}

// constructRE reads the YAML library's "cannot construct !!str `ten` into
// int": the value's tag, the value, and the Go type it was decoded into.
var constructRE = regexp.MustCompile("^(!!\\w+) (?:(.*) )?into (\\S+)$")

// yamlKinds names YAML's core tags for a person editing the file.
var yamlKinds = map[string]string{"!!str": "text", "!!int": "a whole number", "!!float": "a number", "!!bool": "true or false",
	"!!null": "empty", "!!seq": "a list", "!!map": "a mapping (key: value lines)", "!!timestamp": "a date"}

// goKind names a Go type the way yamlKinds names values.
func goKind(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.Contains(t, "."):
		if t == "time.Time" {
			return "a date"
		}
		return "a mapping (key: value lines)"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "text"
	}
	return "a " + t
}
