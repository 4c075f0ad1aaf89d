// Package report writes the findings of a policy check in the formats that
// `peerpress check -format` accepts:
//
//   - text: one `path:line:col: severity rule: message` line per finding in
//     report order, then one summary line such as
//     `3 files checked: 1 error, 2 warnings, 0 waived`. A waived finding reads
//     `path:line:col: waived rule: message (error waived by W-7)`. Lines of a
//     multi-line message after the first are indented with a tab.
//   - json: `{"version":1,"findings":[…],"summary":{…}}`, indented, with the
//     findings sorted by file, line, column and rule. A waived finding carries
//     two extra keys, "waived": true and "waiver": its waiver ID.
//   - sarif: a SARIF 2.1.0 log with one run, one rule descriptor per rule and
//     waived findings as accepted external suppressions, for GitHub code
//     scanning and other SARIF viewers.
//   - github: GitHub Actions workflow commands (::error, ::warning, ::notice)
//     that become annotations on the pull request, kept within the per-step
//     annotation limits.
//
// Summary writes a Markdown table of every finding for $GITHUB_STEP_SUMMARY.
//
// Every writer is deterministic: the same report gives the same bytes, in
// whatever order its findings arrive. No writer modifies the report.
package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// Formats lists the accepted -format values: text, json, sarif, github.
func Formats() []string {
	return []string{"text", "json", "sarif", "github"}
}

// Write writes r in format to w. rules describes every rule ID; SARIF output
// carries one descriptor per rule. version is the peerpress version, recorded
// as the SARIF tool version. A nil report is an empty one. Write does not
// modify r: findings are sorted on a copy.
func Write(w io.Writer, format string, r *policy.Report, rules []policy.Rule, version string) error {
	r = sorted(r)
	var buf bytes.Buffer
	var err error
	switch format {
	case "text":
		writeText(&buf, r)
	case "json":
		err = writeJSON(&buf, r)
	case "sarif":
		err = writeSARIF(&buf, r, rules, version)
	case "github":
		writeGitHub(&buf, r)
	default:
		return fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	if err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// sorted returns a copy of r (an empty report if r is nil) whose findings are
// in report order.
func sorted(r *policy.Report) *policy.Report {
	c := &policy.Report{}
	if r != nil {
		c.Files = r.Files
		c.Findings = slices.Clone(r.Findings)
	}
	c.Sort()
	return c
}

// kind is how a finding is presented where severities are few: "error",
// "warning", or "notice" for a waived finding or an unknown severity.
func kind(f policy.Finding) string {
	switch {
	case f.Waived():
		return "notice"
	case f.Severity == policy.Error:
		return "error"
	case f.Severity == policy.Warning:
		return "warning"
	}
	return "notice"
}

// byKind splits findings into errors, warnings and notices (see kind), each
// in the order given.
func byKind(fs []policy.Finding) (errors, warnings, notices []policy.Finding) {
	for _, f := range fs {
		switch kind(f) {
		case "error":
			errors = append(errors, f)
		case "warning":
			warnings = append(warnings, f)
		default:
			notices = append(notices, f)
		}
	}
	return errors, warnings, notices
}

// summaryLine is the one-line count of a report, such as
// "3 files checked: 1 error, 2 warnings, 0 waived".
func summaryLine(r *policy.Report) string {
	e, w, v := r.Counts()
	return fmt.Sprintf("%s checked: %s, %s, %d waived",
		Plural(r.Files, "file"), Plural(e, "error"), Plural(w, "warning"), v)
}

// Plural formats n and noun, adding an s unless n is 1: "1 error",
// "2 errors".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// position formats where a finding points as file:line:col, leaving out a
// column or line that is not known (zero) and "" when there is no file.
func position(f policy.Finding) string {
	switch {
	case f.File == "":
		return ""
	case f.Line < 1:
		return f.File
	case f.Column < 1:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}
