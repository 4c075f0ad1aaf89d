package policy

import (
	"sort"
)

// Severity is how serious a finding is.
type Severity string

// Severities. Off is only a configuration value: a rule set to off reports nothing.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Finding is one problem at one place.
type Finding struct {
	// File is slash-separated and relative to the site root.
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Waiver is the id of the waiver that covers this finding, if any.
	Waiver string `json:"waiver,omitempty"`
	// WaiverReason is the waiver's reason, for reports that show it.
	WaiverReason string `json:"-"`
}

// Waived reports whether a waiver covers the finding.
func (f Finding) Waived() bool { return f.Waiver != "" }

// Report is the result of a check.
type Report struct {
	Findings []Finding
	// Files is how many files were checked.
	Files int
}

// Sort orders findings by file, line, column, rule, then message.
func (r *Report) Sort() {
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// Counts returns the number of unwaived errors and warnings, and of waived findings.
func (r *Report) Counts() (errors, warnings, waived int) {
	for _, f := range r.Findings {
		switch {
		case f.Waived():
			waived++
		case f.Severity == Error:
			errors++
		case f.Severity == Warning:
			warnings++
		}
	}
	return errors, warnings, waived
}

// Failed reports whether any unwaived error-level finding is present.
func (r *Report) Failed() bool {
	e, _, _ := r.Counts()
	return e > 0
}

// Rule describes one rule: its stable ID, default severity, a one-line
// summary and the rationale with its source.
type Rule struct {
	ID        string
	Severity  Severity
	Summary   string
	Rationale string
}
