package build

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/peerpress/peerpress/build/source"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       string // "" = no error; else "line:col: substring"
	}{
		{"defaults", "", ""},
		{"full", "title: T\nbaseURL: https://x.example/blog\npaging: 3\nfeeds: {limit: 0}\nmarkup: {unsafe_html: true}\n", ""},
		{"unknown key", "title: T\ntitel: x\n", "2:1: unknown key \"titel\""},
		{"unknown nested key", "feeds:\n  limt: 3\n", "2:3: unknown key \"limt\""},
		{"duplicate key", "title: a\ntitle: b\n", "2:1: mapping key \"title\" already defined"},
		{"mistyped", "title: T\npaging: many\n", "2:9: wrong type: `many` is text, but this key wants a whole number"},
		{"a list for a number", "title: T\npaging: [1, 2]\n", "2:9: wrong type: the value is a list, but this key wants a whole number"},
		{"bad baseURL", "title: T\nbaseURL: blog.example.com\n", "2:10: baseURL"},
		{"bad paging", "paging: 0\n", "1:9: paging must be at least 1"},
		{"negative feed limit", "feeds:\n  limit: -1\n", "2:10: feeds.limit"},
		{"theme path", "theme: ../x\n", "1:8: theme"},
		{"broken yaml", "title: [a\n", "2:1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			if tt.yaml != "" {
				fsys["site.yaml"] = &fstest.MapFile{Data: []byte(tt.yaml)}
			}
			c, err := LoadConfig(fsys)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasSuffix(c.BaseURL, "/") || c.Paging < 1 {
					t.Errorf("config %+v", c)
				}
				return
			}
			var se *source.Error
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a positioned error", err)
			}
			if !strings.Contains(err.Error(), "site.yaml:"+tt.want) {
				t.Errorf("err = %v, want site.yaml:%s", err, tt.want)
			}
		})
	}
}
