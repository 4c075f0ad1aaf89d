package policy

import "bytes"

// The prober finds, in one pass over a text, every place where a secret,
// an internal host or a link may start: the prefixes of token formats, the
// key words that introduce passwords, host suffixes, address prefixes and
// link syntax. The detectors then look only at those places.

// Kinds of probe needles.
const (
	probeSecret     = iota // arg: index into the secret patterns
	probeKeyword           // arg: index into keyWords
	probeScheme            // "://"
	probeHostSuffix        // arg: index into prober.suffixes
	probeIPv4              // "10.", "172.", "192.168."
	probeIPv6              // "fc", "fd"
	probeLinkParen         // "]("
	probeRefDef            // "]:"
	probeAttr              // "href=", "src="
	probeURL               // "http://", "https://"
)

type probeNeedle struct {
	kind uint8
	arg  int16
}

// event is one probe match: needle kind and argument, and its byte range.
type event struct {
	kind       uint8
	arg        int16
	start, end int32
}

type prober struct {
	ac       *ahoCorasick
	needles  []probeNeedle
	pats     []secretPattern
	suffixes []string // lower-case host suffixes: internal TLDs, then internal domains
	tlds     int      // how many of suffixes are internal TLDs
}

func newProber(internalDomains []string) *prober {
	pr := &prober{pats: secretPatterns()}
	var texts [][]byte
	add := func(text string, kind uint8, arg int) {
		texts = append(texts, bytes.ToLower([]byte(text)))
		pr.needles = append(pr.needles, probeNeedle{kind: kind, arg: int16(arg)})
	}
	for i, p := range pr.pats {
		for _, n := range p.needles {
			add(n, probeSecret, i)
		}
	}
	for i, k := range keyWords {
		add(k, probeKeyword, i)
	}
	add("://", probeScheme, 0)
	pr.suffixes = append(pr.suffixes, internalTLDs...)
	pr.tlds = len(internalTLDs)
	pr.suffixes = append(pr.suffixes, internalDomains...)
	for i, s := range pr.suffixes {
		add(s, probeHostSuffix, i)
	}
	for _, s := range []string{"10.", "172.", "192.168."} {
		add(s, probeIPv4, 0)
	}
	add("fc", probeIPv6, 0)
	add("fd", probeIPv6, 0)
	add("](", probeLinkParen, 0)
	add("]:", probeRefDef, 0)
	add("href=", probeAttr, 0)
	add("src=", probeAttr, 1)
	add("http://", probeURL, 0)
	add("https://", probeURL, 0)
	pr.ac = newAhoCorasick(texts)
	return pr
}

// events appends the probe matches in text to evs.
func (pr *prober) events(text []byte, evs []event) []event {
	pr.ac.scan(text, func(n, end int) bool {
		nd := pr.needles[n]
		start := end - int(pr.ac.lens[n])
		evs = append(evs, event{kind: nd.kind, arg: nd.arg, start: int32(start), end: int32(end)})
		return true
	})
	return evs
}

// lineAt returns the bounds of the line around offset i.
func lineAt(text []byte, i int) (int, int) {
	s := bytes.LastIndexByte(text[:i], '\n') + 1
	e := bytes.IndexByte(text[i:], '\n')
	if e < 0 {
		return s, len(text)
	}
	return s, i + e
}
