package policy

import (
	"crypto/sha256"
	"encoding/binary"
)

// ScanCache keeps what the word scanner found in post bodies between runs
// (Options.Cache): the term and codename hits, which are most of the cost
// of checking a post. Each key is the SHA-256 of the files the scanner's
// terms and codenames come from (the disclosure policy and the codenames
// file, as Load read them), whether the post is public, and the body, so a
// hit holds what scanning that body again would find, provided the code is
// the same: Options.CacheID, in the key too, must tell peerpress versions
// apart. Get may return anything; what does not decode as hits of that
// body under this policy is scanned again. But an entry that decodes is
// believed: a cache anyone may write can hide findings, so it must be
// kept where only the build can write, as its output is. Both are called
// from several goroutines at once.
type ScanCache interface {
	Get(key [sha256.Size]byte) ([]byte, bool)
	Put(key [sha256.Size]byte, value []byte)
}

// scanCacheMagic starts every key's hashed input and every encoded entry.
const scanCacheMagic = "peerpress-scan-1\n"

// scanKey is the cache key of the word hits in text under the policy
// whose files hash to sum, found by the code id names.
func scanKey(id []byte, sum [sha256.Size]byte, public bool, text []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(scanCacheMagic))
	h.Write(sum[:])
	h.Write([]byte{byte(len(id))})
	h.Write(id)
	if public {
		h.Write([]byte{1})
	} else {
		h.Write([]byte{0})
	}
	h.Write(text)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

// scanWords sets sc.hits for text as sc.words(text, public) does, taking
// them from the cache when it has them. folded reports whether it set
// sc.lower to the folded text too, as scanning does (a hit from the cache
// leaves it for the caller to fold when needed).
func (r *run) scanWords(sc *scanner, text []byte, public bool) (folded bool) {
	c := r.opts.Cache
	if c == nil {
		sc.words(text, public)
		return true
	}
	key := scanKey(r.opts.CacheID, r.p.sum, public, text)
	if b, ok := c.Get(key); ok {
		if hits, ok := decodeHits(sc.hits[:0], b, len(text), r.p.match.terms); ok {
			sc.hits = hits
			c.Put(key, b) // keep it for the next run
			return false
		}
	}
	sc.words(text, public)
	c.Put(key, encodeHits(sc.hits))
	return true
}

// encodeHits serializes hits: scanCacheMagic, the count, then each hit's
// term+1 (0 for a codename, whose term is -1), start and end-start, as
// uvarints. A term's kind is its matcher's.
func encodeHits(hits []hit) []byte {
	b := make([]byte, 0, len(scanCacheMagic)+1+len(hits)*6)
	b = append(b, scanCacheMagic...)
	b = binary.AppendUvarint(b, uint64(len(hits)))
	for _, h := range hits {
		b = binary.AppendUvarint(b, uint64(int64(h.term)+1))
		b = binary.AppendUvarint(b, uint64(h.start))
		b = binary.AppendUvarint(b, uint64(h.end-h.start))
	}
	return b
}

// decodeHits reverses encodeHits into dst, checking each hit against a
// text of textLen bytes and the matcher's terms; ok is false for anything
// encodeHits could not have written for them.
func decodeHits(dst []hit, b []byte, textLen int, terms []term) (hits []hit, ok bool) {
	if len(b) < len(scanCacheMagic) || string(b[:len(scanCacheMagic)]) != scanCacheMagic {
		return dst, false
	}
	b = b[len(scanCacheMagic):]
	bad := false
	num := func() uint64 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			bad, b = true, nil
			return 0
		}
		b = b[n:]
		return v
	}
	count := num()
	if bad || count > uint64(len(b))/3 { // every hit takes 3 bytes or more
		return dst, false
	}
	for range count {
		t, start, n := num(), num(), num()
		if bad || t > uint64(len(terms)) || start > uint64(textLen) || n > uint64(textLen)-start {
			return dst, false
		}
		kind := kindCodename
		if t > 0 {
			kind = terms[t-1].kind
		}
		dst = append(dst, hit{kind: kind, term: int32(int64(t) - 1), start: int(start), end: int(start + n)})
	}
	if len(b) != 0 {
		return dst, false
	}
	return dst, true
}
