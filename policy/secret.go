package policy

import (
	"bytes"
	"math"
	"net/netip"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Secret detection. Each detector is anchored on a cheap prefilter (a byte
// search over the whole text) and only then runs a regular expression over
// the line that contains the candidate.

// secret is one credential found in a text.
type secret struct {
	start, end int // byte offsets of the secret value
	what       string
	value      string
}

// Documentation-only values that are never secrets.
var docValues = []string{
	"AKIAIOSFODNN7EXAMPLE",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}

// secretPattern is one token format with its prefilter.
type secretPattern struct {
	needles []string // any of these in the text enables the pattern
	re      *regexp.Regexp
	what    string
	group   int // capture group holding the value (0 = whole match)
}

// secretPatterns returns the token formats. It is called once per Policy.
func secretPatterns() []secretPattern {
	return []secretPattern{
		{[]string{"PRIVATE KEY-----"}, regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`), "private key", 0},
		{[]string{"AKIA", "ASIA"}, regexp.MustCompile(`\b((?:AKIA|ASIA)[0-9A-Z]{16})\b`), "AWS access key ID", 1},
		{[]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}, regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36,255})\b`), "GitHub token", 1},
		{[]string{"github_pat_"}, regexp.MustCompile(`\b(github_pat_[A-Za-z0-9_]{22,255})\b`), "GitHub fine-grained token", 1},
		{[]string{"xox"}, regexp.MustCompile(`\b(xox[abposr]-[A-Za-z0-9-]{10,})`), "Slack token", 1},
		{[]string{"AIza"}, regexp.MustCompile(`\b(AIza[0-9A-Za-z_\-]{35})`), "Google API key", 1},
		{[]string{"sk_live_", "rk_live_"}, regexp.MustCompile(`\b([sr]k_live_[0-9A-Za-z]{16,})`), "Stripe live key", 1},
	}
}

// urlCredential matches scheme://user:password@host.
var urlCredentialRE = regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.\-]*://([^\s/:@"'<>()\[\]]+):([^\s/@"'<>()\[\]]+)@([^\s/:?#"'<>()\[\]]+)`)

// keyWords introduce a value that is a secret if it looks random.
var keyWords = []string{"password", "passwd", "secret", "token", "api_key", "apikey", "api-key", "access_key", "private_key", "client_secret", "auth_key", "credential"}

// candidateRE is a run of characters a random secret is written in.
var candidateRE = regexp.MustCompile(`[A-Za-z0-9+/][A-Za-z0-9+/_\-.]{15,}={0,2}`)

// findSecrets returns the secrets in text (evs are its probe events).
func (p *Policy) findSecrets(text []byte, evs []event) []secret {
	var out []secret
	var seen map[int]bool
	add := func(s secret) {
		if seen == nil {
			seen = map[int]bool{}
		}
		if seen[s.start] || isDocValue(s.value) {
			return
		}
		seen[s.start] = true
		out = append(out, s)
	}
	pats := p.probe.pats
	type lineKey struct{ pat, line int }
	done := map[lineKey]bool{}
	for _, ev := range evs {
		switch ev.kind {
		case probeSecret, probeScheme:
			ls, le := lineAt(text, int(ev.start))
			pat := int(ev.arg)
			if ev.kind == probeScheme {
				pat = -1
			}
			if done[lineKey{pat, ls}] {
				continue
			}
			done[lineKey{pat, ls}] = true
			line := text[ls:le]
			if pat >= 0 {
				pt := pats[pat]
				for _, m := range pt.re.FindAllSubmatchIndex(line, -1) {
					s, e := ls+m[2*pt.group], ls+m[2*pt.group+1]
					add(secret{start: s, end: e, what: pt.what, value: string(text[s:e])})
				}
				continue
			}
			if bytes.IndexByte(line, '@') < 0 {
				continue
			}
			for _, m := range urlCredentialRE.FindAllSubmatchIndex(line, -1) {
				pass := string(line[m[4]:m[5]])
				host := strings.ToLower(string(line[m[6]:m[7]]))
				if docHost(host) || placeholder(pass) {
					continue
				}
				add(secret{start: ls + m[4], end: ls + m[5], what: "password in a URL", value: pass})
			}
		case probeKeyword:
			_, le := lineAt(text, int(ev.start))
			from := int(ev.end)
			kw := keyWords[ev.arg]
			for _, m := range candidateRE.FindAllIndex(text[from:le], -1) {
				s, e := from+m[0], from+m[1]
				v := strings.Trim(string(text[s:e]), ".-")
				if strings.HasPrefix(v, "/") || strings.Contains(v, "/") && strings.Contains(v, ".") {
					continue // a path or a URL
				}
				if looksRandom(v) {
					add(secret{start: s, end: s + len(v), what: "high-entropy value after \"" + kw + "\"", value: v})
				}
			}
		}
	}
	return out
}

func isDocValue(v string) bool {
	for _, d := range docValues {
		if v == d {
			return true
		}
	}
	return strings.Contains(v, "EXAMPLE")
}

// docHost reports whether host is reserved for documentation: RFC 2606
// example domains and RFC 5737 addresses.
func docHost(host string) bool {
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	if a, err := netip.ParseAddr(host); err == nil {
		for _, pfx := range []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"} {
			if netip.MustParsePrefix(pfx).Contains(a) {
				return true
			}
		}
	}
	return false
}

// placeholder reports whether a password is obviously not real: a variable,
// a template or a mask.
func placeholder(s string) bool {
	if strings.ContainsAny(s, "$<>{}%") {
		return true
	}
	return strings.Trim(s, "*xX.") == ""
}

// looksRandom reports whether v is long and random enough to be a secret:
// letters and digits mixed, and a high Shannon entropy.
func looksRandom(v string) bool {
	if len(v) < 16 || strings.Contains(v, "EXAMPLE") {
		return false
	}
	var letters, digits, upper, lower int
	var counts [256]int
	for i := 0; i < len(v); i++ {
		c := v[i]
		counts[c]++
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'z':
			letters++
			lower++
		case c >= 'A' && c <= 'Z':
			letters++
			upper++
		}
	}
	if letters == 0 || digits == 0 {
		return false
	}
	h := 0.0
	for _, n := range counts {
		if n > 0 {
			f := float64(n) / float64(len(v))
			h -= f * math.Log2(f)
		}
	}
	if upper == 0 || lower == 0 { // hex or one-case: a smaller alphabet
		return len(v) >= 20 && h >= 3.0
	}
	return h >= 3.5
}

// redact shows at most the first 4 characters of a secret (fewer for short
// ones) followed by "…".
func redact(s string) string {
	n := min(4, utf8.RuneCountInString(s)/4)
	r := []rune(s)
	return string(r[:n]) + "…"
}
