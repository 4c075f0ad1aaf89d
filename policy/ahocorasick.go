package policy

// ahoCorasick finds many byte strings at once, ASCII case-insensitively,
// with one table lookup per input byte. Needles must be lower-case.
type ahoCorasick struct {
	class [256]int32 // byte → column
	// next holds, for state offset s (state number × columns) and column c,
	// the offset of the next state at next[s+c].
	next []int32
	// States with outputs have offsets ≥ firstOut; out[(s-firstOut)/cols]
	// lists the needles that end there.
	firstOut int32
	cols     int32
	out      [][]int32
	lens     []int32 // needle lengths
	maxLen   int32   // the longest needle
}

func newAhoCorasick(needles [][]byte) *ahoCorasick {
	ac := &ahoCorasick{lens: make([]int32, len(needles))}
	for i, n := range needles {
		ac.lens[i] = int32(len(n))
		ac.maxLen = max(ac.maxLen, int32(len(n)))
	}
	// Columns: every byte used by a needle gets its own; the rest share 0.
	ncols := int32(1)
	for _, n := range needles {
		for _, c := range n {
			if ac.class[c] == 0 {
				ac.class[c] = ncols
				ncols++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		ac.class[c] = ac.class[c+'a'-'A']
	}
	nc := int(ncols)
	// Build the trie with state numbers.
	next := make([]int32, nc)
	for i := range next {
		next[i] = -1
	}
	out := [][]int32{nil}
	for ni, n := range needles {
		if len(n) == 0 {
			continue
		}
		s := 0
		for _, c := range n {
			k := s*nc + int(ac.class[c])
			if next[k] < 0 {
				next[k] = int32(len(out))
				out = append(out, nil)
				for i := 0; i < nc; i++ {
					next = append(next, -1)
				}
			}
			s = int(next[k])
		}
		out[s] = append(out[s], int32(ni))
	}
	// Breadth-first: failure links, turned into a complete transition table.
	nstates := len(out)
	fail := make([]int32, nstates)
	var queue []int32
	for c := 0; c < nc; c++ {
		if t := next[c]; t > 0 {
			queue = append(queue, t)
		} else {
			next[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		out[s] = append(out[s], out[fail[s]]...)
		for c := 0; c < nc; c++ {
			k := int(s)*nc + c
			if t := next[k]; t >= 0 {
				fail[t] = next[int(fail[s])*nc+c]
				queue = append(queue, t)
			} else {
				next[k] = next[int(fail[s])*nc+c]
			}
		}
	}
	// Renumber: states without output first, then those with output, and
	// store offsets instead of numbers.
	order := make([]int32, 0, nstates)
	for s := 0; s < nstates; s++ {
		if len(out[s]) == 0 {
			order = append(order, int32(s))
		}
	}
	firstOut := len(order)
	for s := 0; s < nstates; s++ {
		if len(out[s]) > 0 {
			order = append(order, int32(s))
		}
	}
	newNum := make([]int32, nstates)
	for n, s := range order {
		newNum[s] = int32(n)
	}
	ac.next = make([]int32, nstates*nc)
	for n, s := range order {
		for c := 0; c < nc; c++ {
			ac.next[n*nc+c] = newNum[next[int(s)*nc+c]] * int32(nc)
		}
	}
	for _, s := range order[firstOut:] {
		ac.out = append(ac.out, out[s])
	}
	ac.firstOut, ac.cols = int32(firstOut*nc), int32(nc)
	// The root must be state 0: it has no output (needles are not empty).
	if order[0] != 0 {
		panic("aho-corasick: root renumbered")
	}
	return ac
}

// splitMin is the shortest text scanned as two interleaved halves.
const splitMin = 256

// scan calls fn(needle, end) for every match in data, in order of end;
// fn returns false to stop.
//
// A long text is scanned as two halves at once: each step of the automaton
// waits on the table load of the step before, so two independent walks in
// one loop keep the CPU busy while the other's load is in flight
// (BenchmarkProbe 471-501 -> 536-561 MB/s on this VM). The second walk
// starts maxLen-1 bytes before the middle, so it sees every match that ends
// after the middle, and keeps only those; its matches are reported after
// the first walk's.
func (ac *ahoCorasick) scan(data []byte, fn func(needle, end int) bool) {
	next, class, firstOut := ac.next, &ac.class, ac.firstOut
	if len(data) < splitMin {
		s := int32(0)
		for i, c := range data {
			if s = next[s+class[c]]; s >= firstOut && !ac.emit(s, i+1, fn) {
				return
			}
		}
		return
	}
	mid := (len(data) + int(ac.maxLen) - 1) / 2
	bStart := mid - int(ac.maxLen) + 1
	a, b := data[:mid], data[bStart:]
	var later [16]int64 // the second walk's matches: needle<<32 | end
	matches := later[:0]
	keep := func(s int32, end int) {
		if end > mid {
			for _, nd := range ac.out[(s-firstOut)/ac.cols] {
				matches = append(matches, int64(nd)<<32|int64(end))
			}
		}
	}
	sa, sb := int32(0), int32(0)
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		sa = next[sa+class[a[i]]]
		sb = next[sb+class[b[i]]]
		if sa >= firstOut && !ac.emit(sa, i+1, fn) {
			return
		}
		if sb >= firstOut {
			keep(sb, bStart+i+1)
		}
	}
	// The longer walk's rest (the halves differ by at most maxLen bytes).
	for i := n; i < len(a); i++ {
		if sa = next[sa+class[a[i]]]; sa >= firstOut && !ac.emit(sa, i+1, fn) {
			return
		}
	}
	for i := n; i < len(b); i++ {
		if sb = next[sb+class[b[i]]]; sb >= firstOut {
			keep(sb, bStart+i+1)
		}
	}
	for _, m := range matches {
		if !fn(int(m>>32), int(m&0xffffffff)) {
			return
		}
	}
}

// emit calls fn for each needle that ends in state s (an output state) at
// end, and reports whether to go on.
func (ac *ahoCorasick) emit(s int32, end int, fn func(needle, end int) bool) bool {
	for _, nd := range ac.out[(s-ac.firstOut)/ac.cols] {
		if !fn(int(nd), end) {
			return false
		}
	}
	return true
}
