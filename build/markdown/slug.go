package markdown

import (
	"strconv"
)

// idSet hands out unique element ids within one document.
type idSet struct {
	used map[string]bool
	next map[string]int // next suffix to try per base id
}

func newIDSet() *idSet {
	return &idSet{used: map[string]bool{}, next: map[string]int{}}
}

// reserve marks id as taken (an explicit {#id}).
func (s *idSet) reserve(id string) {
	s.used[id] = true
}

// unique returns base if it is free, else the first free "base-N" for
// N = 1, 2, ...; an empty base becomes "section". The result is reserved.
func (s *idSet) unique(base string) string {
	if base == "" {
		base = "section"
	}
	if !s.used[base] {
		s.used[base] = true
		return base
	}
	for n := max(s.next[base], 1); ; n++ {
		id := base + "-" + strconv.Itoa(n)
		if !s.used[id] {
			s.used[id] = true
			s.next[base] = n + 1
			return id
		}
	}
}
