package build

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/peerpress/peerpress/build/source"
	yaml "go.yaml.in/yaml/v4"
)

// Config is site.yaml. Defaults live in code (see DefaultConfig); unknown,
// repeated or mistyped keys are positioned errors.
type Config struct {
	Title       string       `yaml:"title"`
	BaseURL     string       `yaml:"baseURL"`
	Language    string       `yaml:"language"`
	Description string       `yaml:"description"`
	Theme       string       `yaml:"theme"`
	Paging      int          `yaml:"paging"`
	Feeds       FeedConfig   `yaml:"feeds"`
	Share       ShareConfig  `yaml:"share"`
	Markup      MarkupConfig `yaml:"markup"`
	Images      ImageConfig  `yaml:"images"`
}

// FeedConfig configures the feeds.
type FeedConfig struct {
	// Limit is the number of items in every feed; 0 means all posts. Default 20.
	Limit int `yaml:"limit"`
}

// ShareConfig configures share snippets.
type ShareConfig struct {
	// Hashtags are added after each post's tags.
	Hashtags []string `yaml:"hashtags"`
}

// MarkupConfig configures Markdown rendering.
type MarkupConfig struct {
	// UnsafeHTML lets raw HTML in posts through; it is omitted by default.
	UnsafeHTML bool `yaml:"unsafe_html"`
	// TOCMinHeadings is how many h2/h3 headings a post needs for a table of contents. Default 3.
	TOCMinHeadings int `yaml:"toc_min_headings"`
}

// ImageConfig configures published images.
type ImageConfig struct {
	// StripMetadata removes EXIF/XMP metadata (GPS included) from published images.
	StripMetadata bool `yaml:"strip_metadata"`
}

// DefaultConfig returns the configuration used for keys site.yaml leaves out.
func DefaultConfig() Config {
	return Config{
		Title:    "peerpress blog",
		BaseURL:  "http://localhost:1313/",
		Language: "en",
		Theme:    "default",
		Paging:   10,
		Feeds:    FeedConfig{Limit: 20},
		Markup:   MarkupConfig{TOCMinHeadings: 3},
	}
}

// LoadConfig reads site.yaml from the site root. A missing file gives the
// defaults; a broken one gives *source.Error values naming site.yaml:line.
func LoadConfig(fsys fs.FS) (Config, error) {
	c := DefaultConfig()
	data, err := fs.ReadFile(fsys, "site.yaml")
	if errors.Is(err, fs.ErrNotExist) {
		return c, c.validate()
	}
	if err != nil {
		return c, fmt.Errorf("read site.yaml: %w", err)
	}
	if err := source.DecodeYAML("site.yaml", data, &c); err != nil {
		return c, err
	}
	if err := c.validate(); err != nil {
		var se *source.Error
		if errors.As(err, &se) {
			se.Pos = keyPos(data, se.Msg)
		}
		return c, err
	}
	return c, nil
}

// keyPos finds the site.yaml key a validation message starts with
// ("baseURL …", "feeds.limit …") and returns the position of its value.
func keyPos(data []byte, msg string) source.Pos {
	name, _, _ := strings.Cut(msg, " ")
	var doc yaml.Node
	if yaml.Load(data, &doc) != nil || len(doc.Content) == 0 {
		return source.Pos{Line: 1, Col: 1}
	}
	n := doc.Content[0]
	for _, part := range strings.Split(name, ".") {
		_, v := source.Lookup(n, part)
		if v == nil {
			return source.Pos{Line: 1, Col: 1}
		}
		n = v
	}
	return source.NodePos(n)
}

func (c *Config) validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &source.Error{Path: "site.yaml", Pos: source.Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("baseURL %q must be an absolute http(s) URL like https://blog.example.com/", c.BaseURL)}
	}
	if !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	if c.Paging < 1 {
		return &source.Error{Path: "site.yaml", Pos: source.Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("paging must be at least 1, not %d", c.Paging)}
	}
	if c.Feeds.Limit < 0 {
		return &source.Error{Path: "site.yaml", Pos: source.Pos{Line: 1, Col: 1}, Msg: "feeds.limit must be 0 (all) or more"}
	}
	if c.Markup.TOCMinHeadings <= 0 {
		c.Markup.TOCMinHeadings = 3
	}
	if c.Theme == "" || strings.ContainsAny(c.Theme, `/\`) || c.Theme == ".." {
		return &source.Error{Path: "site.yaml", Pos: source.Pos{Line: 1, Col: 1}, Msg: fmt.Sprintf("theme %q must be a directory name under themes/", c.Theme)}
	}
	return nil
}

// basePath is the path part of BaseURL, with a trailing slash ("/" or "/blog/").
func (c *Config) basePath() string {
	u, _ := url.Parse(c.BaseURL)
	if u.Path == "" {
		return "/"
	}
	return u.Path
}
