package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// SARIF constants.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolName     = "peerpress"
	toolURI      = "https://github.com/peerpress/peerpress"
	// srcRoot is the uriBaseId of every artifact: the site root.
	srcRoot = "%SRCROOT%"
	// fingerprintKey names peerpress's partial fingerprint; bump the
	// version if the hashed fields ever change.
	fingerprintKey = "peerpress/v1"
)

// The SARIF types below hold only what peerpress writes; field order is
// output order. See https://docs.oasis-open.org/sarif/sarif/v2.1.0/.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string       `json:"id"`
	Name                 string       `json:"name"`
	ShortDescription     *sarifText   `json:"shortDescription,omitempty"`
	FullDescription      *sarifText   `json:"fullDescription,omitempty"`
	Help                 *sarifText   `json:"help,omitempty"`
	DefaultConfiguration *sarifConfig `json:"defaultConfiguration,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Enabled *bool  `json:"enabled,omitempty"`
	Level   string `json:"level,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string          `json:"kind"`
	Status        string          `json:"status"`
	Justification string          `json:"justification,omitempty"`
	Properties    *sarifWaiverBag `json:"properties,omitempty"`
}

type sarifWaiverBag struct {
	Waiver string `json:"waiver"`
}

// writeSARIF writes r as a SARIF 2.1.0 log.
func writeSARIF(buf *bytes.Buffer, r *policy.Report, rules []policy.Rule, version string) error {
	descs, index := sarifRules(rules, r.Findings)
	results := make([]sarifResult, 0, len(r.Findings))
	seen := map[string]int{}
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID:    f.Rule,
			RuleIndex: index[f.Rule],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: f.Message},
		}
		if f.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: fileURI(f.File), URIBaseID: srcRoot},
			}}
			if f.Line >= 1 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line, StartColumn: max(f.Column, 0)} // 0 is left out
			}
			res.Locations = []sarifLocation{loc}
		}
		fp := fingerprint(f)
		seen[fp]++
		res.PartialFingerprints = map[string]string{fingerprintKey: fp + ":" + strconv.Itoa(seen[fp])}
		if f.Waived() {
			res.Suppressions = []sarifSuppression{{
				Kind:          "external",
				Status:        "accepted",
				Justification: f.WaiverReason,
				Properties:    &sarifWaiverBag{Waiver: f.Waiver},
			}}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           toolName,
				InformationURI: toolURI,
				Version:        version,
				Rules:          descs,
			}},
			ColumnKind: "unicodeCodePoints",
			Results:    results,
		}},
	}
	return encodeJSON(buf, log)
}

// sarifRules returns one descriptor per rule ID, sorted by ID, and each ID's
// index. A rule ID that a finding uses but rules does not describe gets a
// bare descriptor, so every result's ruleIndex is valid. When rules repeats
// an ID, the first description wins.
func sarifRules(rules []policy.Rule, findings []policy.Finding) ([]sarifRule, map[string]int) {
	byID := map[string]policy.Rule{}
	for _, r := range rules {
		if _, ok := byID[r.ID]; !ok {
			byID[r.ID] = r
		}
	}
	for _, f := range findings {
		if _, ok := byID[f.Rule]; !ok {
			byID[f.Rule] = policy.Rule{ID: f.Rule}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	descs := make([]sarifRule, 0, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		r := byID[id]
		d := sarifRule{ID: id, Name: camelCase(id)}
		if r.Summary != "" {
			d.ShortDescription = &sarifText{Text: r.Summary}
		}
		if r.Rationale != "" {
			d.FullDescription = &sarifText{Text: r.Rationale}
			d.Help = &sarifText{Text: r.Rationale}
		}
		switch r.Severity {
		case policy.Error, policy.Warning:
			d.DefaultConfiguration = &sarifConfig{Level: sarifLevel(r.Severity)}
		case policy.Off:
			off := false
			d.DefaultConfiguration = &sarifConfig{Enabled: &off}
		}
		descs = append(descs, d)
		index[id] = i
	}
	return descs, index
}

// sarifLevel maps a severity to a SARIF level. A waived finding keeps its
// level; its suppression says that it is waived.
func sarifLevel(s policy.Severity) string {
	switch s {
	case policy.Error:
		return "error"
	case policy.Warning:
		return "warning"
	}
	return "note"
}

// camelCase turns a rule ID such as "fm.unknown-key" into "FmUnknownKey".
func camelCase(id string) string {
	var b strings.Builder
	upper := true
	for _, c := range id {
		isAlnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		switch {
		case !isAlnum:
			upper = true
		case upper && c >= 'a' && c <= 'z':
			b.WriteRune(c - 'a' + 'A')
			upper = false
		default:
			b.WriteRune(c)
			upper = false
		}
	}
	return b.String()
}

// fingerprint hashes what identifies a finding across edits: its rule, file
// and message, but not its line or column, so that a finding keeps its
// identity when lines above it change. Equal findings in one file are told
// apart by an occurrence number appended by the caller.
func fingerprint(f policy.Finding) string {
	h := sha256.New()
	for _, s := range []string{f.Rule, f.File, f.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// fileURI turns a slash-separated relative path into a relative URI
// reference, percent-encoding every byte other than unreserved characters
// and slashes. A colon is escaped too, so that no path reads as a scheme.
func fileURI(p string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
