package markdown

import "testing"

func TestIDSet(t *testing.T) {
	s := newIDSet()
	s.reserve("intro-1")
	got := []string{s.unique("intro"), s.unique("intro"), s.unique("intro"), s.unique(""), s.unique(""), s.unique("section")}
	want := []string{"intro", "intro-2", "intro-3", "section", "section-1", "section-2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ids = %q, want %q", got, want)
			break
		}
	}
}
