package source

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFormats(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		format   Format
		bodyLine int
		keys     map[string]Pos // key → position in the file
	}{
		{"yaml", "---\ntitle: Hi\ndate: 2026-01-02\n---\nbody\n", YAML, 5, map[string]Pos{"title": {2, 1}, "date": {3, 1}}},
		{"yaml after blank lines", "\n\n---\ntitle: Hi\n---\nbody\n", YAML, 6, map[string]Pos{"title": {4, 1}}},
		{"yaml bom", "\xef\xbb\xbf---\ntitle: Hi\n---\nbody\n", YAML, 4, map[string]Pos{"title": {2, 1}}},
		{"yaml crlf", "---\r\ntitle: Hi\r\ntags: [a]\r\n---\r\nbody\r\n", YAML, 5, map[string]Pos{"title": {2, 1}, "tags": {3, 1}}},
		{"toml", "+++\ntitle = \"Hi\"\n\n  date = 2026-01-02\n[mentions]\nclients = [\"x\"]\n+++\nbody\n", TOML, 8, map[string]Pos{"title": {2, 1}, "date": {4, 3}, "mentions": {5, 1}}},
		{"json", "{\n  \"title\": \"Hi\",\n\t\"tags\": [\"a\"]\n}\n\nbody\n", JSON, 6, map[string]Pos{"title": {2, 3}, "tags": {3, 2}}},
		{"none", "just text\n", None, 1, nil},
		{"empty yaml", "---\n---\nbody\n", YAML, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("p.md", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != tt.format || f.BodyLine != tt.bodyLine {
				t.Errorf("format %q bodyLine %d, want %q %d", f.Format, f.BodyLine, tt.format, tt.bodyLine)
			}
			got := map[string]Pos{}
			for _, k := range f.Keys() {
				got[k.Name] = k.Pos
			}
			for k, want := range tt.keys {
				if got[k] != want {
					t.Errorf("key %s at %v, want %v", k, got[k], want)
				}
			}
			if len(got) != len(tt.keys) {
				t.Errorf("keys %v, want %v", got, tt.keys)
			}
			if !strings.HasPrefix(strings.TrimLeft(string(f.Body), "\r\n"), "body") && tt.format != None {
				t.Errorf("body %q", f.Body)
			}
		})
	}
}

// TestParseLongFile: front matter and body longer than the parser's read
// buffer; Parse stops feeding it once the front matter is captured, so the
// body offset must still be exact.
func TestParseLongFile(t *testing.T) {
	for _, fmLen := range []int{10, 4090, 4096, 9000} {
		for _, bodyLen := range []int{0, 1, 4095, 20000} {
			fm := "---\ntitle: \"" + strings.Repeat("t", fmLen) + "\"\n---\n"
			body := strings.Repeat("body line\n", bodyLen/10) + strings.Repeat("b", bodyLen%10)
			f, err := Parse("p.md", []byte(fm+body))
			if err != nil {
				t.Fatal(err)
			}
			if string(f.Body) != body || f.BodyLine != 4 {
				t.Errorf("front matter %d, body %d bytes: body %d bytes at line %d, want %d at 4", fmLen, bodyLen, len(f.Body), f.BodyLine, len(body))
			}
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in string
		pos      Pos
		contains string
	}{
		{"unclosed yaml", "---\ntitle: Hi\nbody\n", Pos{1, 1}, "never closed"},
		{"unclosed yaml after bom", "\xef\xbb\xbf---\ntitle: Hi\n", Pos{1, 1}, "never closed"},
		{"unclosed toml", "\n+++\ntitle = 1\n", Pos{2, 1}, "never closed"},
		{"bad yaml", "---\ntitle: Hi\ntags: [a, b\n---\n", Pos{4, 1}, "invalid YAML"},
		{"bad yaml indentation", "---\ntitle: Hi\n  date: x\n---\n", Pos{3, 7}, "invalid YAML"},
		{"yaml not a mapping", "---\n- a\n- b\n---\n", Pos{2, 1}, "mapping"},
		{"duplicate key", "---\ntitle: a\nsummary: b\ntitle: c\n---\n", Pos{4, 1}, "repeated"},
		{"bad toml", "+++\ntitle = \"a\"\ndate = \n+++\n", Pos{3, 8}, "invalid TOML"},
		{"bad json", "{\n  \"title\": \"a\",\n  \"x\": ,\n}\n\n", Pos{3, 8}, "invalid JSON"},
		{"not utf-8", "---\ntitle: caf\xe9\n---\n", Pos{2, 11}, "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("content/posts/p.md", []byte(tt.in))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.Pos != tt.pos || !strings.Contains(e.Msg, tt.contains) {
				t.Errorf("got %v, want pos %v containing %q", e, tt.pos, tt.contains)
			}
			if !strings.HasPrefix(e.Error(), "content/posts/p.md:") {
				t.Errorf("error %q does not start with the path", e)
			}
		})
	}
}

func TestDecodeMeta(t *testing.T) {
	in := "---\ntitle: T\ndate: 2026-03-01\nsummary: S\nauthors: [a]\nreviewed_by: [b, c]\naudience: public\ntittle: x\ndraft: yes please\nmentions: {clients: [big]}\nexpiryDate: 2026-01-01\nshare: {x: hello, myspace: no}\n---\n"
	f, err := Parse("p.md", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	m, probs := DecodeMeta(f)
	var got []string
	for _, p := range probs {
		got = append(got, p.Rule+"@"+strconv.Itoa(p.Pos.Line))
	}
	want := "fm.unknown-key@8 fm.type@9 fm.dates@11 fm.unknown-key@12"
	if strings.Join(got, " ") != want {
		t.Errorf("problems %v, want %s", probs, want)
	}
	if m.Title != "T" || len(m.ReviewedBy) != 2 || m.Clients[0] != "big" || m.Share["x"] != "hello" || m.Voice != "personal" {
		t.Errorf("meta %+v", m)
	}
	if !strings.Contains(probs[0].Msg, `did you mean "title"`) {
		t.Errorf("no suggestion: %s", probs[0].Msg)
	}

	f, _ = Parse("p.md", []byte("---\ntitle: T\n---\n"))
	_, probs = DecodeMeta(f)
	if len(probs) != 5 {
		t.Fatalf("missing keys: %v", probs)
	}
	for _, p := range probs {
		if p.Rule != "fm.required" || p.Pos != (Pos{1, 1}) {
			t.Errorf("%+v, want fm.required at the --- line", p)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-03-01", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{"2026-03-01T10:30:00Z", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), true},
		{"2026-03-01T10:30:00+02:00", time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC), true},
		{"2026-03-01 10:30:00", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), true},
		{"2026-03-01T10:30:00", time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC), true},
		{"March 1", time.Time{}, false},
		{"2026-02-30", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"---\ntitle: a\n---\nb", "+++\na = 1\n+++\n", "{\n\"a\": 1\n}\n\nx", "---\n", "\xef\xbb\xbf---\na: [\n---\n", "---\r\na: b\r\n---\r\n", "---\na: b\n---\nline\n\nél\u0301an [x](y)\nz"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.md", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Pos.Line < 1 || e.Pos.Col < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		lines := strings.Count(string(file.Data), "\n") + 1
		for _, k := range file.Keys() {
			if k.Pos.Line < 1 || k.Pos.Line > lines {
				t.Fatalf("key %q at line %d of %d", k.Name, k.Pos.Line, lines)
			}
		}
		if file.BodyLine < 1 || file.BodyLine > lines {
			t.Fatalf("body line %d of %d", file.BodyLine, lines)
		}
		DecodeMeta(file)
		// Positions agrees with OffsetPos, offsets in order and then
		// going back.
		ps := file.Positions()
		for _, off := range append(rangeOffsets(len(file.Body)), len(file.Body)/2, 0, len(file.Body)) {
			if got, want := ps.At(off), file.OffsetPos(off); got != want {
				t.Fatalf("Positions.At(%d) = %v, OffsetPos %v", off, got, want)
			}
		}
	})
}

// rangeOffsets returns 0, 1, ..., n.
func rangeOffsets(n int) []int {
	out := make([]int, n+1)
	for i := range out {
		out[i] = i
	}
	return out
}
