package report

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testVersion is the peerpress version the golden files record.
const testVersion = "1.2.3-test"

// fixture is a small report with an error, warnings, a waived finding, a
// message with %, :, , and a line break, a path with a comma and a
// file-level finding (line 0). Its findings are deliberately out of order.
func fixture() *policy.Report {
	return &policy.Report{
		Files: 3,
		Findings: []policy.Finding{
			{File: "content/posts/b.md", Line: 12, Column: 5, Rule: "terms.confidential", Severity: policy.Error,
				Message: `"internal only" marks confidential material`},
			{File: "content/posts/odd, name/index.md", Line: 7, Column: 14, Rule: "disclose.ambiguous", Severity: policy.Warning,
				Message: "ambiguous disclosure \"#sp\": 100% of readers need plain words,\nfor example: \"I work at Brightline.\""},
			{File: "content/posts/a.md", Line: 20, Column: 9, Rule: "terms.codename", Severity: policy.Error,
				Message: "codename (sha256 3f2a…) in the body", Waiver: "W-12",
				WaiverReason: "The codename was announced at LaunchConf 2026."},
			{File: "content/posts/a.md", Line: 3, Column: 1, Rule: "fm.unknown-key", Severity: policy.Warning,
				Message: `unknown front-matter key "tittle" (did you mean "title"?)`},
			{File: "content/posts/odd, name/cover.jpg", Rule: "image.gps", Severity: policy.Error,
				Message: "image carries GPS coordinates; strip its EXIF data"},
		},
	}
}

// testRules describes the fixture's rules and two more, one of them off.
func testRules() []policy.Rule {
	return []policy.Rule{
		{ID: "terms.confidential", Severity: policy.Error, Summary: "Confidential markers in a post.",
			Rationale: "Material marked confidential must not be published (company policy §4)."},
		{ID: "fm.unknown-key", Severity: policy.Warning, Summary: "Unknown front-matter key.",
			Rationale: "A typo in a key would silently drop the value."},
		{ID: "terms.codename", Severity: policy.Error, Summary: "Unreleased codename in a post."},
		{ID: "disclose.ambiguous", Severity: policy.Error, Summary: "Ambiguous disclosure hashtag.",
			Rationale: "The FTC Endorsement Guides call #sp and #spon ambiguous (16 CFR 255.5)."},
		{ID: "image.gps", Severity: policy.Error, Summary: "Image with GPS metadata.",
			Rationale: "GPS coordinates can reveal a home or a customer site."},
		{ID: "terms.politics", Severity: policy.Off, Summary: "Political terms."},
		{ID: "share.too-long", Severity: policy.Error, Summary: "Share text over the platform limit."},
	}
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// write runs Write and fails the test on error.
func write(t *testing.T, format string, r *policy.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, format, r, testRules(), testVersion); err != nil {
		t.Fatalf("Write(%s): %v", format, err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			golden(t, "fixture."+format+".golden", write(t, format, fixture()))
		})
	}
	t.Run("summary", func(t *testing.T) {
		var buf bytes.Buffer
		if err := Summary(&buf, fixture()); err != nil {
			t.Fatal(err)
		}
		golden(t, "fixture.summary.md.golden", buf.Bytes())
	})
}

func TestFormats(t *testing.T) {
	want := []string{"text", "json", "sarif", "github"}
	if got := Formats(); !slices.Equal(got, want) {
		t.Errorf("Formats() = %q, want %q", got, want)
	}
	// The result is the caller's to change.
	Formats()[0] = "changed"
	if Formats()[0] != "text" {
		t.Error("Formats shares its slice between calls")
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, "xml", fixture(), testRules(), testVersion)
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Errorf("Write(xml) error = %v, want one naming the format", err)
	}
	if buf.Len() != 0 {
		t.Errorf("Write(xml) wrote %q", buf.String())
	}
}

// TestDeterministic checks that every format gives the same bytes whatever
// the order of the findings, and that Write leaves the report alone.
func TestDeterministic(t *testing.T) {
	for _, format := range append(Formats(), "summary") {
		t.Run(format, func(t *testing.T) {
			out := func(r *policy.Report) []byte {
				if format == "summary" {
					var buf bytes.Buffer
					if err := Summary(&buf, r); err != nil {
						t.Fatal(err)
					}
					return buf.Bytes()
				}
				return write(t, format, r)
			}
			want := out(fixture())
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range 10 {
				r := fixture()
				rng.Shuffle(len(r.Findings), func(i, j int) {
					r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i]
				})
				before := slices.Clone(r.Findings)
				if got := out(r); !bytes.Equal(got, want) {
					t.Fatalf("shuffle %d: output differs:\n%s\nwant:\n%s", i, got, want)
				}
				if !slices.Equal(r.Findings, before) {
					t.Fatalf("shuffle %d: the report's findings were reordered", i)
				}
			}
		})
	}
}

func TestNilReport(t *testing.T) {
	for _, format := range Formats() {
		if got, want := write(t, format, nil), write(t, format, &policy.Report{}); !bytes.Equal(got, want) {
			t.Errorf("%s: nil report gave\n%s\nwant the empty report's\n%s", format, got, want)
		}
	}
}

func TestTextLine(t *testing.T) {
	tests := []struct {
		name string
		f    policy.Finding
		want string
	}{
		{"full position", policy.Finding{File: "content/posts/a.md", Line: 3, Column: 7, Rule: "fm.type", Severity: policy.Error, Message: "title must be a string"},
			"content/posts/a.md:3:7: error fm.type: title must be a string"},
		{"no column", policy.Finding{File: "a.md", Line: 3, Rule: "fm.type", Severity: policy.Warning, Message: "m"},
			"a.md:3: warning fm.type: m"},
		{"file only", policy.Finding{File: "img/x.jpg", Rule: "image.gps", Severity: policy.Error, Message: "m"},
			"img/x.jpg: error image.gps: m"},
		{"no file", policy.Finding{Rule: "waiver.unused", Severity: policy.Warning, Message: "m"},
			"warning waiver.unused: m"},
		{"waived", policy.Finding{File: "a.md", Line: 1, Column: 1, Rule: "terms.codename", Severity: policy.Error, Message: "m", Waiver: "W-3"},
			"a.md:1:1: waived terms.codename: m (error waived by W-3)"},
		{"multi-line message", policy.Finding{File: "a.md", Line: 2, Column: 1, Rule: "r", Severity: policy.Error, Message: "one\ntwo\r\nthree\rfour"},
			"a.md:2:1: error r: one\n\ttwo\n\tthree\n\tfour"},
		{"line break in waiver", policy.Finding{File: "a.md", Line: 2, Column: 1, Rule: "r", Severity: policy.Error, Message: "m", Waiver: "W\n1"},
			"a.md:2:1: waived r: m (error waived by W\n\t1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := textLine(tt.f); got != tt.want {
				t.Errorf("textLine() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTextSummaryLine(t *testing.T) {
	f := func(sev policy.Severity, waiver string) policy.Finding {
		return policy.Finding{File: "a.md", Line: 1, Column: 1, Rule: "r", Severity: sev, Message: "m", Waiver: waiver}
	}
	tests := []struct {
		name string
		r    *policy.Report
		want string
	}{
		{"empty", &policy.Report{}, "0 files checked: 0 errors, 0 warnings, 0 waived"},
		{"singular", &policy.Report{Files: 1, Findings: []policy.Finding{f(policy.Error, ""), f(policy.Warning, "")}},
			"1 file checked: 1 error, 1 warning, 0 waived"},
		{"waived are not errors", &policy.Report{Files: 3, Findings: []policy.Finding{
			f(policy.Error, ""), f(policy.Warning, ""), f(policy.Warning, ""), f(policy.Error, "W-1")}},
			"3 files checked: 1 error, 2 warnings, 1 waived"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(write(t, "text", tt.r))
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("summary line = %q, want %q", got, tt.want)
			}
			if len(lines) != len(tt.r.Findings)+1 {
				t.Errorf("got %d lines, want one per finding and a summary:\n%s", len(lines), out)
			}
		})
	}
}
