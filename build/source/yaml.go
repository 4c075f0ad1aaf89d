package source

import (
	"errors"
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
	if strings.HasPrefix(msg, "cannot construct ") {
		msg = "wrong type: " + strings.TrimPrefix(msg, "cannot construct ")
	}
	return &Error{Path: path, Pos: Pos{max(le.Mark.Line, 1), max(le.Mark.Column, 1)}, Msg: msg}
}
