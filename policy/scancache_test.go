package policy

import (
	"context"
	"crypto/sha256"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// mapCache is a ScanCache in memory that counts its hits.
type mapCache struct {
	mu         sync.Mutex
	m          map[[sha256.Size]byte][]byte
	gets, hits int
}

func (c *mapCache) Get(k [sha256.Size]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[k]
	c.gets++
	if ok {
		c.hits++
	}
	return b, ok
}

func (c *mapCache) Put(k [sha256.Size]byte, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = append([]byte(nil), v...)
}

// findingsOf checks a case's posts (parsed afresh) with the cache and
// returns the findings as file:line:col rule lines.
func findingsOf(t *testing.T, tc *testCase, p *Policy, c ScanCache) []string {
	t.Helper()
	opts := tc.opts
	opts.Cache = c
	rep := p.Check(context.Background(), tc.fsys, casePosts(tc.fsys), opts)
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.File+":"+f.Rule+":"+f.Message)
	}
	sort.Strings(out)
	return out
}

// TestScanCache checks every case with a cold and then a warm cache: the
// findings are those of a check without one, and the warm run finds every
// post body it looks up.
func TestScanCache(t *testing.T) {
	looked := 0
	defer func() {
		if looked == 0 {
			t.Error("no case looked anything up in the cache")
		}
	}()
	eachCase(t, func(t *testing.T, _ string, tc *testCase, p *Policy) {
		want := findingsOf(t, tc, p, nil)
		c := &mapCache{m: map[[sha256.Size]byte][]byte{}}
		if got := findingsOf(t, tc, p, c); !reflect.DeepEqual(got, want) {
			t.Fatalf("cold cache:\n got %q\nwant %q", got, want)
		}
		c.gets, c.hits = 0, 0
		if got := findingsOf(t, tc, p, c); !reflect.DeepEqual(got, want) {
			t.Errorf("warm cache:\n got %q\nwant %q", got, want)
		}
		if c.hits != c.gets {
			t.Errorf("warm cache: %d hits of %d look-ups", c.hits, c.gets)
		}
		looked += c.gets
	})
}

// TestScanCacheTrusted shows the warm check takes its hits from the cache
// (an entry that says "no hits" hides a confidential term), that an entry
// that does not decode is scanned again, and that another policy (one
// term more) or audience does not find the entry.
func TestScanCacheTrusted(t *testing.T) {
	tc := readCase(t, "testdata/terms.confidential.txtar")
	p := loadCase(t, tc)
	want := findingsOf(t, tc, p, nil)
	if !strings.Contains(strings.Join(want, "\n"), ruleTermsConfidential) {
		t.Fatalf("the case finds no %s: %q", ruleTermsConfidential, want)
	}
	c := &mapCache{m: map[[sha256.Size]byte][]byte{}}
	findingsOf(t, tc, p, c)

	for k := range c.m {
		c.m[k] = []byte("garbage")
	}
	if got := findingsOf(t, tc, p, c); !reflect.DeepEqual(got, want) {
		t.Errorf("undecodable entries:\n got %q\nwant %q", got, want)
	}
	for k := range c.m {
		c.m[k] = encodeHits(nil)
	}
	// Only the title's marker is left (titles are scanned, not cached).
	count := func(fs []string) int { return strings.Count(strings.Join(fs, "\n"), ":"+ruleTermsConfidential+":") }
	if got := findingsOf(t, tc, p, c); count(got) != 1 || count(want) != 5 {
		t.Errorf("entries of no hits: %d %s findings (without a cache %d), want 1: the cache was not used", count(got), ruleTermsConfidential, count(want))
	}

	// One byte more in a policy file: a new key for every body.
	fsys := fstest.MapFS{}
	for name, f := range tc.fsys {
		fsys[name] = f
	}
	p2File := &fstest.MapFile{Data: append(append([]byte(nil), tc.fsys[DisclosureFile].Data...), '\n')}
	fsys[DisclosureFile] = p2File
	p2, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if p2.sum == p.sum {
		t.Fatal("the policy's sum did not change with its file")
	}
	// People and waivers play no part in the scan: changing them keeps
	// the keys.
	fsys[DisclosureFile] = tc.fsys[DisclosureFile]
	fsys[PeopleFile] = &fstest.MapFile{Data: append(append([]byte(nil), tc.fsys[PeopleFile].Data...), '\n')}
	if p3, err := Load(fsys); err != nil || p3.sum != p.sum {
		t.Errorf("a change to %s changed the scan keys (%v)", PeopleFile, err)
	}
	fsys[PeopleFile] = tc.fsys[PeopleFile]
	fsys[DisclosureFile] = p2File
	c.hits = 0
	if got := findingsOf(t, &testCase{name: tc.name, fsys: fsys, opts: tc.opts}, p2, c); !reflect.DeepEqual(got, want) || c.hits != 0 {
		t.Errorf("changed policy: %d cache hits, findings\n got %q\nwant %q", c.hits, got, want)
	}
	if scanKey(nil, p.sum, true, []byte("x")) == scanKey(nil, p.sum, false, []byte("x")) {
		t.Error("public and internal posts share a key")
	}
	if scanKey([]byte("binary a"), p.sum, true, []byte("x")) == scanKey([]byte("binary b"), p.sum, true, []byte("x")) {
		t.Error("two peerpress binaries share a key")
	}
}

// fakeTerms returns n terms whose kinds go round product, competitor,
// client, confidential, politics.
func fakeTerms(n int) []term {
	ts := make([]term, n)
	for i := range ts {
		ts[i].kind = termKind(i % int(kindCodename))
	}
	return ts
}

func TestHitsRoundTrip(t *testing.T) {
	terms := fakeTerms(3)
	for _, hits := range [][]hit{
		nil,
		{{kind: kindProduct, term: 0, start: 0, end: 4}},
		{{kind: kindClient, term: 2, start: 10, end: 20}, {kind: kindCodename, term: -1, start: 30, end: 100}, {kind: kindCompetitor, term: 1, start: 100, end: 100}},
	} {
		got, ok := decodeHits(nil, encodeHits(hits), 100, terms)
		if !ok || len(got) != len(hits) || len(hits) > 0 && !reflect.DeepEqual(got, hits) {
			t.Errorf("round trip of %v: %v, %v", hits, got, ok)
		}
	}
	// A term's kind is its matcher's, whatever the hit said (an entry
	// cannot make a politics marker count as a product).
	if got, ok := decodeHits(nil, encodeHits([]hit{{kind: kindProduct, term: 2, end: 1}}), 10, terms); !ok || got[0].kind != kindClient {
		t.Errorf("decoded %v, %v; want the kind of term 2, client", got, ok)
	}
	good := encodeHits([]hit{{kind: kindClient, term: 2, start: 10, end: 20}})
	for name, c := range map[string]struct {
		b       []byte
		textLen int
		terms   []term
	}{
		"past the text":  {good, 19, terms},
		"unknown term":   {good, 100, terms[:2]},
		"trailing bytes": {append(good, 0), 100, terms},
		"cut short":      {good[:len(good)-1], 100, terms},
		"no magic":       {good[1:], 100, terms},
		"huge count":     {append([]byte(scanCacheMagic), 0xff, 0xff, 0xff, 0xff, 0x0f), 100, terms},
	} {
		if got, ok := decodeHits(nil, c.b, c.textLen, c.terms); ok {
			t.Errorf("%s: decoded as %v", name, got)
		}
	}
}

// FuzzDecodeHits: a cache entry is read from a file anyone may have
// damaged; whatever decodes is within bounds, names a term with that
// term's kind, and survives a round trip.
func FuzzDecodeHits(f *testing.F) {
	f.Add(encodeHits(nil), 10, 1)
	f.Add(encodeHits([]hit{{kind: kindClient, term: 2, start: 10, end: 20}, {kind: kindCodename, term: -1, start: 30, end: 40}}), 50, 3)
	f.Fuzz(func(t *testing.T, b []byte, textLen, n int) {
		if textLen < 0 || n < 0 || n > 1000 {
			return
		}
		terms := fakeTerms(n)
		hits, ok := decodeHits(nil, b, textLen, terms)
		if !ok {
			return
		}
		for _, h := range hits {
			if h.start < 0 || h.start > h.end || h.end > textLen || int(h.term) >= n || h.term < -1 ||
				h.term >= 0 && h.kind != terms[h.term].kind || h.term == -1 && h.kind != kindCodename {
				t.Fatalf("hit out of bounds: %+v (text %d, terms %d)", h, textLen, n)
			}
		}
		// (A uvarint may be written longer than needed: the bytes need not
		// come back the same, the hits must.)
		again, ok := decodeHits(nil, encodeHits(hits), textLen, terms)
		if !ok || len(again) != len(hits) || len(hits) > 0 && !reflect.DeepEqual(again, hits) {
			t.Fatalf("%v encoded and decoded as %v, %v", hits, again, ok)
		}
	})
}
