package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// summaryBudget is the most bytes Summary writes: GitHub refuses a step
// summary larger than 1 MiB, so rows that would not fit are left out and
// counted instead.
const summaryBudget = 1000 * 1000

// Summary writes a GitHub-flavoured Markdown summary of r for
// $GITHUB_STEP_SUMMARY: a heading with the counts, then a table with one
// row per finding (errors, then warnings, then waived findings, each in
// report order), or "No findings." when there are none. A waived finding's
// severity cell names its waiver. Cell text is escaped so that messages
// cannot break the table or inject HTML. Summary does not modify r.
func Summary(w io.Writer, r *policy.Report) error {
	return writeSummary(w, r, summaryBudget)
}

// writeSummary is Summary with a byte budget for the output.
func writeSummary(w io.Writer, r *policy.Report, budget int) error {
	r = sorted(r)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "### peerpress check: %s\n\n", summaryLine(r))
	if len(r.Findings) == 0 {
		buf.WriteString("No findings.\n")
	} else {
		buf.WriteString("| Severity | File | Line | Rule | Message |\n")
		buf.WriteString("| --- | --- | ---: | --- | --- |\n")
		errors, warnings, notices := byKind(r.Findings)
		all := slices.Concat(errors, warnings, notices)
		// Keep room for the line that says how many rows were left out.
		const tailRoom = 200
		for i, f := range all {
			row := summaryRow(f)
			if buf.Len()+len(row) > budget-tailRoom {
				fmt.Fprintf(&buf, "\n%s not shown: the summary is limited to %d bytes. See the log or the SARIF report.\n",
					Plural(len(all)-i, "more finding"), budget)
				break
			}
			buf.WriteString(row)
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// summaryRow formats one finding as a table row.
func summaryRow(f policy.Finding) string {
	sev := string(f.Severity)
	if f.Waived() {
		sev += " (waived: " + f.Waiver + ")"
	}
	line := ""
	if f.Line >= 1 {
		line = strconv.Itoa(f.Line)
	}
	cells := []string{sev, f.File, line, f.Rule, f.Message}
	for i, c := range cells {
		cells[i] = mdCell(c)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// mdCell escapes s for a GitHub Markdown table cell: characters that would
// end the cell, start emphasis, code, links, strikethrough, HTML or entities
// are backslash-escaped, and line breaks become <br>.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\n':
			b.WriteString("<br>")
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}
