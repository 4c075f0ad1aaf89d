package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/peerpress/peerpress/policy"
)

// unescapeData undoes the runner's escaping of a command's message.
func unescapeData(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(s)
}

// unescapeProperty undoes the runner's escaping of a property value.
func unescapeProperty(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

func TestGitHubEscape(t *testing.T) {
	tests := []struct {
		in, data, property string
	}{
		{"plain text", "plain text", "plain text"},
		{"100%", "100%25", "100%25"},
		{"%0A is not a newline", "%250A is not a newline", "%250A is not a newline"},
		{"a\nb", "a%0Ab", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"key: value", "key: value", "key%3A value"},
		{"a, b", "a, b", "a%2C b"},
		{"content/posts/odd, name.md", "content/posts/odd, name.md", "content/posts/odd%2C name.md"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
		{"all: 5%,\r\n", "all: 5%25,%0D%0A", "all%3A 5%25%2C%0D%0A"},
	}
	for _, tt := range tests {
		if got := escapeData(tt.in); got != tt.data {
			t.Errorf("escapeData(%q) = %q, want %q", tt.in, got, tt.data)
		}
		if got := escapeProperty(tt.in); got != tt.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", tt.in, got, tt.property)
		}
		if got := unescapeData(escapeData(tt.in)); got != tt.in {
			t.Errorf("data round trip of %q gave %q", tt.in, got)
		}
		if got := unescapeProperty(escapeProperty(tt.in)); got != tt.in {
			t.Errorf("property round trip of %q gave %q", tt.in, got)
		}
	}
}

func TestGitHubCommand(t *testing.T) {
	tests := []struct {
		name string
		f    policy.Finding
		want string
	}{
		{"error", policy.Finding{File: "content/posts/a.md", Line: 3, Column: 7, Rule: "fm.type", Severity: policy.Error, Message: "title must be a string"},
			"::error file=content/posts/a.md,line=3,col=7,title=fm.type::title must be a string"},
		{"warning", policy.Finding{File: "a.md", Line: 3, Column: 7, Rule: "fm.unknown-key", Severity: policy.Warning, Message: "m"},
			"::warning file=a.md,line=3,col=7,title=fm.unknown-key::m"},
		{"waived", policy.Finding{File: "a.md", Line: 3, Column: 7, Rule: "terms.codename", Severity: policy.Error, Message: "m", Waiver: "W-1"},
			"::notice file=a.md,line=3,col=7,title=terms.codename::m (waived: W-1)"},
		{"escaped", policy.Finding{File: "x/odd, name:1.md", Line: 1, Column: 1, Rule: "r", Severity: policy.Error, Message: "50%: a, b\nc"},
			"::error file=x/odd%2C name%3A1.md,line=1,col=1,title=r::50%25: a, b%0Ac"},
		{"no column", policy.Finding{File: "a.md", Line: 3, Rule: "r", Severity: policy.Error, Message: "m"},
			"::error file=a.md,line=3,title=r::m"},
		{"no line", policy.Finding{File: "img.jpg", Rule: "image.gps", Severity: policy.Error, Message: "m"},
			"::error file=img.jpg,title=image.gps::m"},
		{"no file", policy.Finding{Rule: "waiver.unused", Severity: policy.Warning, Message: "m"},
			"::warning title=waiver.unused::m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := command(kind(tt.f), tt.f); got != tt.want {
				t.Errorf("command() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// commands splits github output into lines and counts each command kind.
func commands(out string) (lines []string, count map[string]int) {
	lines = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	count = map[string]int{}
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "::error "):
			count["error"]++
		case strings.HasPrefix(l, "::warning "):
			count["warning"]++
		case strings.HasPrefix(l, "::notice "), strings.HasPrefix(l, "::notice::"):
			count["notice"]++
		case strings.HasPrefix(l, "::"):
			count["other"]++
		default:
			count["plain"]++
		}
	}
	return lines, count
}

func TestGitHubOrderAndSummary(t *testing.T) {
	out := string(write(t, "github", fixture()))
	lines, count := commands(out)
	if count["error"] != 2 || count["warning"] != 2 || count["notice"] != 2 || count["plain"] != 0 {
		t.Errorf("counts %v, want 2 errors, 2 warnings, 2 notices:\n%s", count, out)
	}
	// Errors, then warnings, then notices.
	rank := map[string]int{"::error": 0, "::warning": 1, "::notice": 2}
	last := 0
	for _, l := range lines {
		r := rank[l[:strings.Index(l, " ")]]
		if r < last {
			t.Errorf("line %q is out of order:\n%s", l, out)
		}
		last = r
	}
	if want := "::notice title=peerpress::3 files checked: 2 errors, 2 warnings, 1 waived"; lines[len(lines)-1] != want {
		t.Errorf("last line = %q, want %q", lines[len(lines)-1], want)
	}
}

// TestGitHubOverflow checks the per-step annotation limits: at most 10
// errors, 10 warnings and 10 notices, a notice for each overflowing group,
// and every finding still in the log.
func TestGitHubOverflow(t *testing.T) {
	many := func(n int, sev policy.Severity, waiver string) []policy.Finding {
		var fs []policy.Finding
		for i := range n {
			fs = append(fs, policy.Finding{File: fmt.Sprintf("content/posts/%s-%02d.md", sev, i), Line: i + 1, Column: 1,
				Rule: "terms.confidential", Severity: sev, Message: fmt.Sprintf("%s %s #%d", sev, waiver, i), Waiver: waiver})
		}
		return fs
	}
	tests := []struct {
		name                     string
		errors, warnings, waived int
		wantErrors, wantWarnings int
		wantNotices, wantPlain   int
		overflowFor              []string
	}{
		{"at the limit", 10, 10, 8, 10, 10, 9, 0, nil},
		{"errors over", 13, 2, 0, 10, 2, 2, 3, []string{"3 more errors"}},
		{"warnings over", 0, 11, 0, 0, 10, 2, 1, []string{"1 more warning "}},
		{"both over", 25, 12, 0, 10, 10, 3, 17, []string{"15 more errors", "2 more warnings"}},
		// 9 notices fit with only the summary; 12 waived need an overflow notice.
		{"waived over", 0, 0, 12, 0, 0, 10, 4, []string{"4 more waived findings"}},
		{"all over", 11, 11, 11, 10, 10, 10, 1 + 1 + 5, []string{"1 more error ", "1 more warning ", "5 more waived findings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &policy.Report{Files: 40}
			r.Findings = append(r.Findings, many(tt.errors, policy.Error, "")...)
			r.Findings = append(r.Findings, many(tt.warnings, policy.Warning, "")...)
			r.Findings = append(r.Findings, many(tt.waived, policy.Error, "W-9")...)
			out := string(write(t, "github", r))
			_, count := commands(out)
			if count["error"] != tt.wantErrors || count["warning"] != tt.wantWarnings ||
				count["notice"] != tt.wantNotices || count["plain"] != tt.wantPlain || count["other"] != 0 {
				t.Errorf("counts %v, want %d errors, %d warnings, %d notices, %d plain lines:\n%s",
					count, tt.wantErrors, tt.wantWarnings, tt.wantNotices, tt.wantPlain, out)
			}
			for _, k := range []string{"error", "warning", "notice"} {
				if count[k] > annotationLimit {
					t.Errorf("%d %s annotations, more than GitHub shows", count[k], k)
				}
			}
			for _, o := range tt.overflowFor {
				if !strings.Contains(out, "::notice title=peerpress::"+o) {
					t.Errorf("no overflow notice %q:\n%s", o, out)
				}
			}
			if tt.overflowFor != nil && !strings.Contains(out, "job summary") {
				t.Errorf("the overflow notice does not point to the job summary:\n%s", out)
			}
			// Every finding is in the output exactly once.
			for _, f := range r.Findings {
				if n := strings.Count(out, f.Message+"\n") + strings.Count(out, f.Message+" ("); n != 1 {
					t.Errorf("finding %q appears %d times", f.Message, n)
				}
			}
			if !strings.HasSuffix(out, fmt.Sprintf("::notice title=peerpress::40 files checked: %s, %s, %d waived\n",
				Plural(tt.errors, "error"), Plural(tt.warnings, "warning"), tt.waived)) {
				t.Errorf("no summary notice at the end:\n%s", out)
			}
		})
	}
}

// TestGitHubNoInjection checks that a message cannot start a workflow
// command of its own, in an annotation or in an overflow log line.
func TestGitHubNoInjection(t *testing.T) {
	evil := "innocent\n::add-mask::x\r::stop-commands::tok"
	r := &policy.Report{Files: 1}
	for i := range 12 {
		r.Findings = append(r.Findings, policy.Finding{File: "a.md", Line: i + 1, Column: 1, Rule: "r",
			Severity: policy.Error, Message: evil})
	}
	// A waived one too, with a line break in its waiver ID.
	r.Findings = append(r.Findings, policy.Finding{File: "a.md", Line: 99, Column: 1, Rule: "r",
		Severity: policy.Error, Message: evil, Waiver: "W\n::x::"})
	out := string(write(t, "github", r))
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "::") && !strings.HasPrefix(l, "::error ") && !strings.HasPrefix(l, "::notice ") {
			t.Errorf("injected command line %q", l)
		}
	}
	if strings.Contains(out, "\r") {
		t.Errorf("carriage return in output:\n%q", out)
	}
}

func FuzzGitHub(f *testing.F) {
	f.Add("content/posts/odd, name.md", "fm.type", "100%: a, b\nc\rd", "W-1")
	f.Add("", "r", "", "")
	f.Add("::", "::", "%0A", "\n")
	f.Fuzz(func(t *testing.T, file, rule, msg, waiver string) {
		fin := policy.Finding{File: file, Line: 2, Column: 3, Rule: rule, Severity: policy.Error, Message: msg, Waiver: waiver}
		line := command(kind(fin), fin)
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("command %q spans lines", line)
		}
		head, data, ok := strings.Cut(strings.TrimPrefix(line, "::"), "::")
		if !ok {
			t.Fatalf("command %q has no ::", line)
		}
		want := msg
		if waiver != "" {
			want += " (waived: " + waiver + ")"
		}
		if got := unescapeData(data); got != want {
			t.Fatalf("message %q came back as %q", want, got)
		}
		_, props, _ := strings.Cut(head, " ")
		var gotFile, gotTitle string
		for _, p := range strings.Split(props, ",") {
			k, v, _ := strings.Cut(p, "=")
			switch k {
			case "file":
				gotFile = unescapeProperty(v)
			case "title":
				gotTitle = unescapeProperty(v)
			}
		}
		if gotFile != file || gotTitle != rule {
			t.Fatalf("file, title = %q, %q, want %q, %q", gotFile, gotTitle, file, rule)
		}
		if l := logLine(fin); strings.ContainsAny(l, "\r\n") || !strings.HasPrefix(l, "  ") {
			t.Fatalf("log line %q", l)
		}
	})
}
