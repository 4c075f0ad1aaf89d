package report

import (
	"bytes"
	"encoding/json"

	"github.com/peerpress/peerpress/policy"
)

// jsonVersion is the version of the JSON report format.
const jsonVersion = 1

// jsonReport is the JSON report; field order is output order.
type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

// jsonFinding is one finding in the JSON report.
type jsonFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Waived   bool   `json:"waived,omitempty"`
	Waiver   string `json:"waiver,omitempty"`
}

// jsonSummary holds the report's counts.
type jsonSummary struct {
	Files    int `json:"files"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Waived   int `json:"waived"`
}

// writeJSON writes r as an indented JSON document ending in a newline.
func writeJSON(buf *bytes.Buffer, r *policy.Report) error {
	out := jsonReport{Version: jsonVersion, Findings: make([]jsonFinding, 0, len(r.Findings))}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, jsonFinding{
			File:     f.File,
			Line:     f.Line,
			Column:   f.Column,
			Rule:     f.Rule,
			Severity: string(f.Severity),
			Message:  f.Message,
			Waived:   f.Waived(),
			Waiver:   f.Waiver,
		})
	}
	out.Summary.Files = r.Files
	out.Summary.Errors, out.Summary.Warnings, out.Summary.Waived = r.Counts()
	return encodeJSON(buf, out)
}

// encodeJSON writes v indented by two spaces, without HTML escaping, and
// with a trailing newline.
func encodeJSON(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
