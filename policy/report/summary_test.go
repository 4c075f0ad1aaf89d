package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/policy"
)

func summary(t *testing.T, r *policy.Report, budget int) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writeSummary(&buf, r, budget); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestSummaryEmpty(t *testing.T) {
	for _, r := range []*policy.Report{nil, {Files: 5}} {
		got := summary(t, r, summaryBudget)
		want := fmt.Sprintf("### peerpress check: %s\n\nNo findings.\n", summaryLine(sorted(r)))
		if got != want {
			t.Errorf("Summary(%+v) =\n%s\nwant\n%s", r, got, want)
		}
		if strings.Contains(got, "|") {
			t.Errorf("an empty summary has no table:\n%s", got)
		}
	}
}

func TestMDCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain words", "plain words"},
		{"a | b", `a \| b`},
		{"one\ntwo\r\nthree", "one<br>two<br>three"},
		{"<script>alert(1)</script>", `\<script\>alert(1)\</script\>`},
		{"*bold* _it_ `code` ~~s~~", `\*bold\* \_it\_ \` + "`" + `code\` + "`" + ` \~\~s\~\~`},
		{"[link](http://x)", `\[link\](http://x)`},
		{`back\slash &amp;`, `back\\slash \&amp;`},
		{"100% of: a, b", "100% of: a, b"},
	}
	for _, tt := range tests {
		if got := mdCell(tt.in); got != tt.want {
			t.Errorf("mdCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSummaryTable(t *testing.T) {
	r := &policy.Report{Files: 2, Findings: []policy.Finding{
		{File: "content/posts/a|b.md", Line: 4, Column: 2, Rule: "terms.politics", Severity: policy.Warning,
			Message: "a | b\nsecond line"},
		{File: "content/posts/a.md", Line: 1, Column: 1, Rule: "terms.codename", Severity: policy.Error,
			Message: "codename", Waiver: "W-3"},
		{File: "content/posts/c.md", Line: 9, Column: 1, Rule: "fm.required", Severity: policy.Error,
			Message: "title is required"},
	}}
	out := summary(t, r, summaryBudget)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "### peerpress check: 2 files checked: 1 error, 1 warning, 1 waived" || lines[1] != "" {
		t.Errorf("heading = %q", lines[:2])
	}
	rows := lines[2:]
	// unescapedPipe matches a | that is not backslash-escaped.
	unescapedPipe := regexp.MustCompile(`(^|[^\\])\|`)
	if len(rows) != 2+3 {
		t.Fatalf("want a header, a delimiter and 3 rows, got:\n%s", out)
	}
	if rows[0] != "| Severity | File | Line | Rule | Message |" {
		t.Errorf("header row = %q", rows[0])
	}
	for _, row := range rows {
		// Cells are split by unescaped pipes only: 6 per row for 5 cells.
		if n := len(unescapedPipe.FindAllString(" "+row, -1)); n != 6 {
			t.Errorf("row %q has %d cell separators, want 6", row, n)
		}
	}
	// Errors, then warnings, then waived findings.
	want := []string{
		`| error | content/posts/c.md | 9 | fm.required | title is required |`,
		`| warning | content/posts/a\|b.md | 4 | terms.politics | a \| b<br>second line |`,
		`| error (waived: W-3) | content/posts/a.md | 1 | terms.codename | codename |`,
	}
	for i, w := range want {
		if rows[2+i] != w {
			t.Errorf("row %d =\n%s\nwant\n%s", i, rows[2+i], w)
		}
	}
}

func TestSummaryBudget(t *testing.T) {
	r := &policy.Report{Files: 1}
	for i := range 100 {
		r.Findings = append(r.Findings, policy.Finding{File: "a.md", Line: i + 1, Column: 1, Rule: "r",
			Severity: policy.Error, Message: strings.Repeat("x", 80)})
	}
	full := summary(t, r, summaryBudget)
	if strings.Contains(full, "not shown") || strings.Count(full, "\n| error |") != 100 {
		t.Errorf("the whole table fits the real budget but was cut:\n%s", full)
	}
	const budget = 2000
	out := summary(t, r, budget)
	if len(out) > budget {
		t.Errorf("summary is %d bytes, over the %d-byte budget", len(out), budget)
	}
	shown := strings.Count(out, "\n| error |")
	if shown == 0 || shown == 100 {
		t.Fatalf("%d rows shown with a %d-byte budget", shown, budget)
	}
	if want := fmt.Sprintf("%d more findings not shown", 100-shown); !strings.Contains(out, want) {
		t.Errorf("no %q line:\n%s", want, out)
	}
}
