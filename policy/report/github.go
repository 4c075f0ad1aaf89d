package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// annotationLimit is how many annotations of each kind (error, warning,
// notice) GitHub Actions shows for one step; it drops the rest.
const annotationLimit = 10

// writeGitHub writes r as GitHub Actions workflow commands: errors first,
// then warnings, then waived findings as notices, each group in report order,
// and last a notice with the summary line.
//
// GitHub keeps at most annotationLimit annotations of each kind per step.
// When a group has more, the 10th annotation is followed by a notice that
// says how many more there are, and the rest are written as plain log lines
// (text format, one line each) so the log still lists every finding. The
// notices for waived findings are cut short the same way so that the
// overflow notices and the summary notice always fit in the notice budget.
func writeGitHub(buf *bytes.Buffer, r *policy.Report) {
	errors, warnings, notices := byKind(r.Findings)
	noticeBudget := annotationLimit - 1 // the summary notice
	if len(errors) > annotationLimit {
		noticeBudget--
	}
	if len(warnings) > annotationLimit {
		noticeBudget--
	}
	writeGroup(buf, "error", errors, annotationLimit)
	writeGroup(buf, "warning", warnings, annotationLimit)
	writeGroup(buf, "notice", notices, noticeBudget)
	fmt.Fprintf(buf, "::notice title=%s::%s\n", escapeProperty(toolName), escapeData(summaryLine(r)))
}

// writeGroup writes fs as commands of one kind. If there are more than limit,
// it writes limit-1 of them when the kind is notice (the overflow notice takes
// the last slot) or limit of them otherwise, then the overflow notice, then
// the rest as plain log lines.
func writeGroup(buf *bytes.Buffer, kind string, fs []policy.Finding, limit int) {
	shown := len(fs)
	if shown > limit {
		shown = limit
		if kind == "notice" {
			shown--
		}
	}
	for _, f := range fs[:shown] {
		buf.WriteString(command(kind, f))
		buf.WriteByte('\n')
	}
	rest := fs[shown:]
	if len(rest) == 0 {
		return
	}
	noun := map[string]string{"error": "error", "warning": "warning", "notice": "waived finding"}[kind]
	msg := fmt.Sprintf("%s not shown as annotations (GitHub shows %d %ss per step): see the log below, the job summary or the SARIF report",
		Plural(len(rest), "more "+noun), annotationLimit, kind)
	fmt.Fprintf(buf, "::notice title=%s::%s\n", escapeProperty(toolName), escapeData(msg))
	for _, f := range rest {
		buf.WriteString(logLine(f))
		buf.WriteByte('\n')
	}
}

// command formats one finding as a workflow command of the given kind.
func command(kind string, f policy.Finding) string {
	var props []string
	if f.File != "" {
		props = append(props, "file="+escapeProperty(f.File))
		if f.Line >= 1 {
			props = append(props, "line="+strconv.Itoa(f.Line))
			if f.Column >= 1 {
				props = append(props, "col="+strconv.Itoa(f.Column))
			}
		}
	}
	props = append(props, "title="+escapeProperty(f.Rule))
	msg := f.Message
	if f.Waived() {
		msg += " (waived: " + f.Waiver + ")"
	}
	return "::" + kind + " " + strings.Join(props, ",") + "::" + escapeData(msg)
}

// logLine formats a finding as a plain log line: the text format on one line,
// with line breaks shown as \n and two leading spaces, so that no part of an
// untrusted message can start a line and be read as a workflow command.
func logLine(f policy.Finding) string {
	return "  " + strings.ReplaceAll(textLine(f), "\n\t", `\n`)
}

// escapeData escapes a workflow command's message the way the Actions
// runner unescapes it.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: as data, and
// also ':' and ',' that would end the value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
