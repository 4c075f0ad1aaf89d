package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/peerpress/peerpress/policy"
)

// objectKeys returns the keys of every JSON object in doc in document order,
// by the object's path: "" for the top level, "findings/0", "summary"...
func objectKeys(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(doc))
	join := func(path, k string) string {
		if path == "" {
			return k
		}
		return path + "/" + k
	}
	var walk func(path string)
	walk = func(path string) {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		switch tok {
		case json.Delim('{'):
			out[path] = []string{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					t.Fatal(err)
				}
				out[path] = append(out[path], k.(string))
				walk(join(path, k.(string)))
			}
			dec.Token()
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				walk(join(path, strconv.Itoa(i)))
			}
			dec.Token()
		}
	}
	walk("")
	return out
}

// testFinding is a finding as the JSON report spells it.
type testFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Waived   bool   `json:"waived"`
	Waiver   string `json:"waiver"`
}

// testSummary is the JSON report's summary.
type testSummary struct {
	Files    int `json:"files"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Waived   int `json:"waived"`
}

func TestJSON(t *testing.T) {
	out := write(t, "json", fixture())
	if !bytes.HasPrefix(out, []byte("{\n  \"version\": 1,\n")) || !bytes.HasSuffix(out, []byte("}\n")) {
		t.Errorf("want an indented document ending in a newline, got:\n%s", out)
	}

	var doc struct {
		Version  int           `json:"version"`
		Findings []testFinding `json:"findings"`
		Summary  testSummary   `json:"summary"`
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 {
		t.Errorf("version = %d, want 1", doc.Version)
	}
	if want := (testSummary{Files: 3, Errors: 2, Warnings: 2, Waived: 1}); doc.Summary != want {
		t.Errorf("summary = %+v, want %+v", doc.Summary, want)
	}

	// Round trip: the findings come back as the input, sorted.
	r := fixture()
	r.Sort()
	var want []testFinding
	for _, f := range r.Findings {
		want = append(want, testFinding{f.File, f.Line, f.Column, f.Rule, string(f.Severity), f.Message, f.Waived(), f.Waiver})
	}
	if !reflect.DeepEqual(doc.Findings, want) {
		t.Errorf("findings =\n%+v\nwant\n%+v", doc.Findings, want)
	}
	for i := 1; i < len(doc.Findings); i++ {
		a, b := doc.Findings[i-1], doc.Findings[i]
		if cmpFinding(a, b) > 0 {
			t.Errorf("findings %d and %d are out of order: %+v, %+v", i-1, i, a, b)
		}
	}

	// Key order: exactly the contract's keys, in its order; the waiver
	// keys come last and only on the waived finding.
	keys := objectKeys(t, out)
	if got, want := keys[""], []string{"version", "findings", "summary"}; !slices.Equal(got, want) {
		t.Errorf("top-level keys = %q, want %q", got, want)
	}
	if got, want := keys["summary"], []string{"files", "errors", "warnings", "waived"}; !slices.Equal(got, want) {
		t.Errorf("summary keys = %q, want %q", got, want)
	}
	base := []string{"file", "line", "column", "rule", "severity", "message"}
	for i, f := range doc.Findings {
		want := base
		if f.Waived {
			want = append(slices.Clone(base), "waived", "waiver")
		}
		if got := keys["findings/"+strconv.Itoa(i)]; !slices.Equal(got, want) {
			t.Errorf("finding %d keys = %q, want %q", i, got, want)
		}
	}
}

// cmpFinding orders findings by file, line, column, rule.
func cmpFinding(a, b testFinding) int {
	switch {
	case a.File != b.File:
		return cmpString(a.File, b.File)
	case a.Line != b.Line:
		return a.Line - b.Line
	case a.Column != b.Column:
		return a.Column - b.Column
	}
	return cmpString(a.Rule, b.Rule)
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestJSONEmpty(t *testing.T) {
	tests := []struct {
		name  string
		r     *policy.Report
		files string
	}{
		{"nil report", nil, "0"},
		{"nil findings", &policy.Report{Files: 2}, "2"},
		{"empty findings", &policy.Report{Files: 2, Findings: []policy.Finding{}}, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "{\n  \"version\": 1,\n  \"findings\": [],\n  \"summary\": {\n    \"files\": " + tt.files +
				",\n    \"errors\": 0,\n    \"warnings\": 0,\n    \"waived\": 0\n  }\n}\n"
			if out := write(t, "json", tt.r); string(out) != want {
				t.Errorf("got:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

func TestJSONNoHTMLEscaping(t *testing.T) {
	r := &policy.Report{Files: 1, Findings: []policy.Finding{{File: "a&b.md", Line: 1, Column: 1, Rule: "r",
		Severity: policy.Error, Message: "<b> & </b>"}}}
	out := write(t, "json", r)
	if !bytes.Contains(out, []byte(`"message": "<b> & </b>"`)) || !bytes.Contains(out, []byte(`"file": "a&b.md"`)) {
		t.Errorf("want <, > and & written as they are, got:\n%s", out)
	}
}
