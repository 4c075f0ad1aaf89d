package report

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/policy"
)

// sarifSchema loads the official SARIF 2.1.0 schema from /work/shared, or
// skips the test when the file is absent.
func loadSARIFSchema(t *testing.T) *jsonSchema {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(wd, "..", "..", "..", "shared", "testdata", "sarif-schema-2.1.0.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no SARIF schema at %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := loadSchema(data)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return s
}

func TestSchemaValidator(t *testing.T) {
	tests := []struct {
		name, schema, doc string
		valid             bool
	}{
		{"type string", `{"type":"string"}`, `"x"`, true},
		{"type string, got number", `{"type":"string"}`, `1`, false},
		{"type integer", `{"type":"integer"}`, `3`, true},
		{"type integer, got decimal", `{"type":"integer"}`, `3.5`, false},
		{"type number", `{"type":"number"}`, `3.5`, true},
		{"type list", `{"type":["array","null"]}`, `null`, true},
		{"type list, got object", `{"type":["array","null"]}`, `{}`, false},
		{"type boolean", `{"type":"boolean"}`, `"true"`, false},
		{"enum", `{"enum":["a","b"]}`, `"b"`, true},
		{"enum, other value", `{"enum":["a","b"]}`, `"c"`, false},
		{"enum compares numbers by value", `{"enum":[1]}`, `1.0`, true},
		{"required", `{"type":"object","required":["a"]}`, `{"a":1}`, true},
		{"required, missing", `{"type":"object","required":["a"]}`, `{"b":1}`, false},
		{"properties", `{"properties":{"a":{"type":"string"}}}`, `{"a":"x","b":2}`, true},
		{"properties, bad value", `{"properties":{"a":{"type":"string"}}}`, `{"a":2}`, false},
		{"additionalProperties false", `{"properties":{"a":{}},"additionalProperties":false}`, `{"a":1,"b":2}`, false},
		{"additionalProperties schema", `{"additionalProperties":{"type":"string"}}`, `{"a":"x"}`, true},
		{"additionalProperties schema, bad", `{"additionalProperties":{"type":"string"}}`, `{"a":1}`, false},
		{"items", `{"items":{"type":"integer"}}`, `[1,2]`, true},
		{"items, bad item", `{"items":{"type":"integer"}}`, `[1,"2"]`, false},
		{"minItems", `{"minItems":1}`, `[]`, false},
		{"uniqueItems", `{"uniqueItems":true}`, `[1,2]`, true},
		{"uniqueItems, repeated", `{"uniqueItems":true}`, `[{"a":[1]},{"a":[1]}]`, false},
		{"minimum", `{"minimum":1}`, `1`, true},
		{"minimum, below", `{"minimum":1}`, `0`, false},
		{"minimum -1", `{"minimum":-1}`, `-2`, false},
		{"maximum, above", `{"maximum":100}`, `101`, false},
		{"pattern", `{"pattern":"^[a-z]{2}$"}`, `"en"`, true},
		{"pattern, no match", `{"pattern":"^[a-z]{2}$"}`, `"eng"`, false},
		{"pattern is a search", `{"pattern":"[0-9]+"}`, `"v12x"`, true},
		{"format uri", `{"format":"uri"}`, `"https://example.com/x"`, true},
		{"format uri, relative", `{"format":"uri"}`, `"a/b"`, false},
		{"format uri-reference", `{"format":"uri-reference"}`, `"a/b%2Cc.md"`, true},
		{"format uri-reference, bad escape", `{"format":"uri-reference"}`, `"a%zz"`, false},
		{"format date-time", `{"format":"date-time"}`, `"2026-03-01T10:00:00Z"`, true},
		{"format date-time, bad", `{"format":"date-time"}`, `"2026-03-01"`, false},
		{"$ref", `{"definitions":{"n":{"type":"integer"}},"items":{"$ref":"#/definitions/n"}}`, `[1]`, true},
		{"$ref, bad", `{"definitions":{"n":{"type":"integer"}},"items":{"$ref":"#/definitions/n"}}`, `["x"]`, false},
		{"anyOf", `{"anyOf":[{"required":["a"]},{"required":["b"]}]}`, `{"b":1}`, true},
		{"anyOf, none", `{"anyOf":[{"required":["a"]},{"required":["b"]}]}`, `{"c":1}`, false},
		{"oneOf", `{"oneOf":[{"required":["a"]},{"required":["b"]}]}`, `{"a":1}`, true},
		{"oneOf, both", `{"oneOf":[{"required":["a"]},{"required":["b"]}]}`, `{"a":1,"b":1}`, false},
		{"allOf", `{"allOf":[{"type":"integer"},{"minimum":5}]}`, `4`, false},
		{"annotations are ignored", `{"description":"d","default":3,"title":"t","type":"integer"}`, `1`, true},
		{"nested path", `{"properties":{"a":{"items":{"properties":{"b":{"enum":[1]}}}}}}`, `{"a":[{"b":2}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loadSchema([]byte(tt.schema))
			if err != nil {
				t.Fatal(err)
			}
			errs := s.Validate([]byte(tt.doc))
			if got := len(errs) == 0; got != tt.valid {
				t.Errorf("Validate(%s) against %s: valid = %v, want %v; errors: %q", tt.doc, tt.schema, got, tt.valid, errs)
			}
		})
	}
}

func TestSchemaValidatorRefuses(t *testing.T) {
	tests := []struct{ name, schema, want string }{
		{"unknown keyword", `{"properties":{"a":{"patternProperties":{}}}}`, `unsupported schema keyword "patternProperties"`},
		{"remote $ref", `{"$ref":"other.json#/x"}`, `unsupported $ref`},
		{"dangling $ref", `{"$ref":"#/definitions/none"}`, `no "definitions"`},
		{"bad pattern", `{"pattern":"("}`, `pattern`},
		{"tuple items", `{"items":[{}]}`, `tuple form`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadSchema([]byte(tt.schema))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("loadSchema(%s) error = %v, want one containing %q", tt.schema, err, tt.want)
			}
		})
	}
}

func TestSARIFSchema(t *testing.T) {
	s := loadSARIFSchema(t)
	reports := map[string]*policy.Report{
		"fixture": fixture(),
		"empty":   {Files: 4},
		"no file": {Files: 1, Findings: []policy.Finding{{Rule: "waiver.unused", Severity: policy.Warning, Message: "m"}}},
		"odd severity": {Files: 1, Findings: []policy.Finding{{File: "a.md", Line: 1, Rule: "x.y", Severity: "info",
			Message: "m", Waiver: "W-1"}}},
	}
	for _, name := range []string{"fixture", "empty", "no file", "odd severity"} {
		t.Run(name, func(t *testing.T) {
			out := write(t, "sarif", reports[name])
			if errs := s.Validate(out); len(errs) > 0 {
				t.Errorf("SARIF output fails the schema:\n%s\n%s", strings.Join(errs, "\n"), out)
			}
		})
	}
}

// TestSARIFSchemaRejectsBroken checks that the validator, with the real
// schema, catches broken SARIF logs.
func TestSARIFSchemaRejectsBroken(t *testing.T) {
	s := loadSARIFSchema(t)
	good := write(t, "sarif", fixture())
	result := func(doc map[string]any) map[string]any {
		return doc["runs"].([]any)[0].(map[string]any)["results"].([]any)[0].(map[string]any)
	}
	region := func(doc map[string]any) map[string]any {
		loc := result(doc)["locations"].([]any)[0].(map[string]any)
		return loc["physicalLocation"].(map[string]any)["region"].(map[string]any)
	}
	tests := []struct {
		name   string
		break_ func(doc map[string]any)
		want   string // a fragment of one of the errors
	}{
		{"level fatal", func(d map[string]any) { result(d)["level"] = "fatal" }, "/runs/0/results/0/level"},
		{"no version", func(d map[string]any) { delete(d, "version") }, `missing required property "version"`},
		{"wrong version", func(d map[string]any) { d["version"] = "2.0.0" }, "/version"},
		{"startLine 0", func(d map[string]any) { region(d)["startLine"] = json.Number("0") }, "/runs/0/results/0/locations/0/physicalLocation/region/startLine"},
		{"decimal startColumn", func(d map[string]any) { region(d)["startColumn"] = json.Number("1.5") }, "startColumn: want type integer"},
		{"unknown top-level key", func(d map[string]any) { d["bogus"] = true }, `property "bogus" is not allowed`},
		{"message without text", func(d map[string]any) { result(d)["message"] = map[string]any{} }, "/runs/0/results/0/message: value matches none"},
		{"suppression kind", func(d map[string]any) {
			for _, r := range d["runs"].([]any)[0].(map[string]any)["results"].([]any) {
				if sup, ok := r.(map[string]any)["suppressions"].([]any); ok {
					sup[0].(map[string]any)["kind"] = "sometimes"
				}
			}
		}, "suppressions/0/kind"},
		{"fingerprint not a string", func(d map[string]any) {
			result(d)["partialFingerprints"] = map[string]any{"k": json.Number("1")}
		}, "partialFingerprints/k"},
		{"schema not a uri", func(d map[string]any) { d["$schema"] = "sarif schema" }, "/$schema"},
		{"duplicate rules", func(d map[string]any) {
			drv := d["runs"].([]any)[0].(map[string]any)["tool"].(map[string]any)["driver"].(map[string]any)
			rules := drv["rules"].([]any)
			drv["rules"] = append(rules, rules[0])
		}, "want unique items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decodeJSON(good)
			if err != nil {
				t.Fatal(err)
			}
			doc := v.(map[string]any)
			tt.break_(doc)
			broken, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			errs := s.Validate(broken)
			if len(errs) == 0 {
				t.Fatalf("broken SARIF passed validation:\n%s", broken)
			}
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.want) }) {
				t.Errorf("errors %q do not mention %q", errs, tt.want)
			}
		})
	}
}

// sarifDoc is the part of a SARIF log the tests read.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		ColumnKind string `json:"columnKind"`
		Tool       struct {
			Driver struct {
				Name, InformationURI, Version string
				Rules                         []struct {
					ID, Name             string
					ShortDescription     *struct{ Text string }
					FullDescription      *struct{ Text string }
					Help                 *struct{ Text string }
					DefaultConfiguration *struct {
						Enabled *bool
						Level   string
					}
				}
			}
		}
		Results []sarifTestResult
	}
}

type sarifTestResult struct {
	RuleID    string
	RuleIndex int
	Level     string
	Message   struct{ Text string }
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct{ URI, URIBaseID string }
			Region           *struct{ StartLine, StartColumn int }
		}
	}
	PartialFingerprints map[string]string
	Suppressions        []struct {
		Kind, Status, Justification string
		Properties                  map[string]string
	}
}

func decodeSARIF(t *testing.T, out []byte) sarifDoc {
	t.Helper()
	var doc sarifDoc
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(doc.Runs))
	}
	return doc
}

func TestSARIFContent(t *testing.T) {
	doc := decodeSARIF(t, write(t, "sarif", fixture()))
	if doc.Schema != "https://json.schemastore.org/sarif-2.1.0.json" || doc.Version != "2.1.0" {
		t.Errorf("$schema, version = %q, %q", doc.Schema, doc.Version)
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "peerpress" || d.Version != testVersion || d.InformationURI == "" {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind = %q", run.ColumnKind)
	}

	// One descriptor per rule ID, sorted.
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	want := []string{"disclose.ambiguous", "fm.unknown-key", "image.gps", "share.too-long",
		"terms.codename", "terms.confidential", "terms.politics"}
	if !slices.Equal(ids, want) {
		t.Errorf("rule IDs = %q, want %q", ids, want)
	}
	for _, r := range d.Rules {
		switch r.ID {
		case "disclose.ambiguous":
			if r.Name != "DiscloseAmbiguous" || r.ShortDescription.Text != "Ambiguous disclosure hashtag." ||
				!strings.Contains(r.FullDescription.Text, "16 CFR 255.5") || r.Help.Text != r.FullDescription.Text ||
				r.DefaultConfiguration.Level != "error" {
				t.Errorf("descriptor %+v", r)
			}
		case "fm.unknown-key":
			if r.DefaultConfiguration.Level != "warning" {
				t.Errorf("%s level = %q", r.ID, r.DefaultConfiguration.Level)
			}
		case "terms.codename":
			if r.FullDescription != nil || r.Help != nil {
				t.Errorf("%s: empty rationale written as %+v", r.ID, r.FullDescription)
			}
		case "terms.politics":
			if c := r.DefaultConfiguration; c == nil || c.Enabled == nil || *c.Enabled {
				t.Errorf("%s is off by default, got %+v", r.ID, c)
			}
		}
	}

	if len(run.Results) != len(fixture().Findings) {
		t.Fatalf("%d results, want %d", len(run.Results), len(fixture().Findings))
	}
	suppressed := 0
	for i, res := range run.Results {
		if d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d is %q, not %q", i, res.RuleIndex, d.Rules[res.RuleIndex].ID, res.RuleID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %d: locations %+v", i, res.Locations)
		}
		if len(res.Suppressions) > 0 {
			suppressed++
			s := res.Suppressions[0]
			if res.RuleID != "terms.codename" || s.Kind != "external" || s.Status != "accepted" ||
				s.Justification != "The codename was announced at LaunchConf 2026." || s.Properties["waiver"] != "W-12" {
				t.Errorf("result %d: suppression %+v", i, res.Suppressions)
			}
			if res.Level != "error" {
				t.Errorf("waived result keeps its level: got %q", res.Level)
			}
		}
		if res.PartialFingerprints[fingerprintKey] == "" {
			t.Errorf("result %d: no fingerprint", i)
		}
	}
	if suppressed != 1 {
		t.Errorf("%d suppressed results, want 1", suppressed)
	}

	// Locations: the comma path is percent-encoded; the image has no region.
	byRule := map[string]sarifTestResult{}
	for _, res := range run.Results {
		byRule[res.RuleID] = res
	}
	amb := byRule["disclose.ambiguous"].Locations[0].PhysicalLocation
	if amb.ArtifactLocation.URI != "content/posts/odd%2C%20name/index.md" || amb.Region == nil ||
		*amb.Region != (struct{ StartLine, StartColumn int }{7, 14}) {
		t.Errorf("disclose.ambiguous location = %+v %+v", amb.ArtifactLocation, amb.Region)
	}
	if !strings.Contains(byRule["disclose.ambiguous"].Message.Text, "100% of readers need plain words,\nfor example:") {
		t.Errorf("message not kept as is: %q", byRule["disclose.ambiguous"].Message.Text)
	}
	if gps := byRule["image.gps"].Locations[0].PhysicalLocation; gps.Region != nil {
		t.Errorf("image.gps has no line but got region %+v", gps.Region)
	}
	if lvl := byRule["fm.unknown-key"].Level; lvl != "warning" {
		t.Errorf("warning level = %q", lvl)
	}
}

func TestSARIFEmptyResults(t *testing.T) {
	out := write(t, "sarif", &policy.Report{})
	if !strings.Contains(string(out), `"results": []`) {
		t.Errorf("an empty report must still say \"results\": [] so that old alerts close:\n%s", out)
	}
}

func TestSARIFUnknownRule(t *testing.T) {
	r := &policy.Report{Files: 1, Findings: []policy.Finding{
		{File: "a.md", Line: 2, Column: 1, Rule: "zz.new-rule", Severity: policy.Warning, Message: "m"},
		{File: "a.md", Line: 1, Column: 1, Rule: "aa.other", Severity: policy.Error, Message: "m"},
	}}
	doc := decodeSARIF(t, write(t, "sarif", r))
	rules := doc.Runs[0].Tool.Driver.Rules
	for _, res := range doc.Runs[0].Results {
		if rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("ruleIndex %d for %q points at %q", res.RuleIndex, res.RuleID, rules[res.RuleIndex].ID)
		}
	}
	if rules[0].ID != "aa.other" || rules[0].Name != "AaOther" || rules[len(rules)-1].ID != "zz.new-rule" {
		t.Errorf("undescribed rules are not added in order: first %q, last %q", rules[0].ID, rules[len(rules)-1].ID)
	}
}

func TestSARIFFingerprint(t *testing.T) {
	base := policy.Finding{File: "content/posts/a.md", Line: 10, Column: 3, Rule: "terms.confidential",
		Severity: policy.Error, Message: `"under NDA" marks confidential material`}
	fp := func(fs ...policy.Finding) []string {
		doc := decodeSARIF(t, write(t, "sarif", &policy.Report{Files: 1, Findings: fs}))
		var out []string
		for _, res := range doc.Runs[0].Results {
			out = append(out, res.PartialFingerprints[fingerprintKey])
		}
		return out
	}
	orig := fp(base)[0]

	moved := base
	moved.Line, moved.Column = 42, 9
	if got := fp(moved)[0]; got != orig {
		t.Errorf("fingerprint changed when the finding moved: %q → %q", orig, got)
	}
	for name, change := range map[string]func(f *policy.Finding){
		"message": func(f *policy.Finding) { f.Message += "!" },
		"file":    func(f *policy.Finding) { f.File = "content/posts/b.md" },
		"rule":    func(f *policy.Finding) { f.Rule = "terms.politics" },
	} {
		f := base
		change(&f)
		if got := fp(f)[0]; got == orig {
			t.Errorf("fingerprint unchanged when the %s changed", name)
		}
	}
	twice := base
	twice.Line = 30
	got := fp(base, twice)
	if got[0] == got[1] || got[0] != orig {
		t.Errorf("two equal findings in one file: fingerprints %q, want distinct, first %q", got, orig)
	}
	if !strings.HasSuffix(got[0], ":1") || !strings.HasSuffix(got[1], ":2") {
		t.Errorf("fingerprints %q, want occurrence suffixes :1 and :2", got)
	}
}

func TestCamelCase(t *testing.T) {
	tests := map[string]string{
		"fm.unknown-key":                "FmUnknownKey",
		"disclose.share-missing":        "DiscloseShareMissing",
		"mention.undeclared-competitor": "MentionUndeclaredCompetitor",
		"image.gps":                     "ImageGps",
		"x":                             "X",
		"a2.b_c":                        "A2BC",
	}
	for id, want := range tests {
		if got := camelCase(id); got != want {
			t.Errorf("camelCase(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestFileURI(t *testing.T) {
	tests := map[string]string{
		"content/posts/a.md":         "content/posts/a.md",
		"content/posts/odd, name.md": "content/posts/odd%2C%20name.md",
		"a:b/c.md":                   "a%3Ab/c.md",
		"100%/x#y?.md":               "100%25/x%23y%3F.md",
		"café/ß.md":                  "caf%C3%A9/%C3%9F.md",
	}
	for in, want := range tests {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}
