package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/build/share"
)

func runShare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("share", stderr)
	site := fs.String("site", ".", "site root `DIR`")
	format := fs.String("format", "text", "`text` or json (the post's share.json)")
	now := fs.String("now", "", "pin the clock (RFC 3339 or YYYY-MM-DD)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := siteDir("share", *site, stderr); code >= 0 {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "peerpress share: -format must be text or json, not %q\n", *format)
		return exitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress share: %v\n", err)
		return exitUsage
	}
	// POST is a file path (content/posts/x.md, content/posts/x/index.md) or a slug.
	arg := filepath.ToSlash(fs.Arg(0))
	res, err := build.Run(ctx, build.Options{Site: os.DirFS(*site), Now: t, Dev: true, Audience: "internal", Version: version})
	if err != nil {
		return exitFor(err, stderr)
	}
	var set *share.Set
	for _, p := range res.Posts {
		if p.Source == arg || strings.TrimSuffix(p.Source, "/index.md") == strings.TrimSuffix(arg, "/") || p.Slug == arg || p.Slug == strings.TrimSuffix(path.Base(arg), ".md") {
			if p.Share == nil {
				why := "has `share: off`"
				if p.Audience == "internal" {
					why = "is internal: it is never shared outside the company"
				}
				fmt.Fprintf(stderr, "peerpress share: %s %s\n", p.Source, why)
				return exitFindings
			}
			set = p.Share
			break
		}
	}
	if set == nil {
		fmt.Fprintf(stderr, "peerpress share: no post %q (give its file, e.g. content/posts/my-post.md, or its slug)\n", arg)
		return exitFindings
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(set); err != nil {
			return exitFindings
		}
		return exitOK
	}
	fmt.Fprintf(stdout, "%s\n%s\n", set.Title, set.URL)
	for _, variant := range []struct {
		name string
		m    map[string]share.Snippet
	}{{"employee (starts with your disclosure)", set.Employee}, {"reader", set.Reader}} {
		fmt.Fprintf(stdout, "\n== %s ==\n", variant.name)
		for _, pl := range share.Platforms() {
			s, ok := variant.m[pl]
			if !ok {
				continue
			}
			fmt.Fprintf(stdout, "\n[%s] %d/%d\n%s\n%s\n", pl, s.Length, s.Limit, s.Text, s.Intent)
		}
	}
	return exitOK
}
