package report

import (
	"bytes"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// writeText writes one line per finding and then the summary line.
func writeText(buf *bytes.Buffer, r *policy.Report) {
	for _, f := range r.Findings {
		buf.WriteString(textLine(f))
		buf.WriteByte('\n')
	}
	buf.WriteString(summaryLine(r))
	buf.WriteByte('\n')
}

// textLine formats one finding as `path:line:col: severity rule: message`,
// or `path:line:col: waived rule: message (severity waived by ID)`. Lines of
// the message after the first are indented with a tab, so every line that
// starts in column one is a finding.
func textLine(f policy.Finding) string {
	var b strings.Builder
	if p := position(f); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	if f.Waived() {
		b.WriteString("waived")
	} else {
		b.WriteString(string(f.Severity))
	}
	b.WriteString(" ")
	b.WriteString(f.Rule)
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Waived() {
		b.WriteString(" (")
		b.WriteString(string(f.Severity))
		b.WriteString(" waived by ")
		b.WriteString(f.Waiver)
		b.WriteString(")")
	}
	return indentLines(b.String())
}

// indentLines normalises line endings in s and indents every line after the
// first with a tab.
func indentLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\n\t")
}
