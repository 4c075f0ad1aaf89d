package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/internal/batchgc"
	"github.com/peerpress/peerpress/policy/report"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("build", stderr)
	flagsUsage := fs.Usage
	fs.Usage = func() {
		flagsUsage()
		fmt.Fprint(stderr, "\nEnvironment:\n  PEERPRESS_CACHE_DIR\n    \tdirectory of the cache of highlighted code and rendered post bodies kept between builds, one file per site and audience\n    \t(default: the user cache directory's peerpress/; \"off\" disables it; the output is the same either way)\n")
	}
	site := fs.String("site", ".", "site root `DIR`")
	out := fs.String("out", "", "output `DIR` (default public, or public-internal for -audience internal), relative to -site")
	audience := fs.String("audience", "public", "build for `public` or internal readers")
	now := fs.String("now", "", "pin the clock (RFC 3339 or YYYY-MM-DD) for embargo, expiry, training and waivers")
	drafts := fs.Bool("drafts", false, "include draft posts")
	baseURL := fs.String("baseurl", "", "override site.yaml baseURL")
	verbose := fs.Bool("v", false, "also print waived findings, and each stage's time")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := siteDir("build", *site, stderr); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "peerpress build: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if *audience != "public" && *audience != "internal" {
		fmt.Fprintf(stderr, "peerpress build: -audience must be public or internal, not %q\n", *audience)
		return exitUsage
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress build: %v\n", err)
		return exitUsage
	}
	dir := *out
	if dir == "" {
		dir = "public"
		if *audience == "internal" {
			dir = "public-internal"
		}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(*site, dir)
	}
	batchgc.Tune()
	start := time.Now()
	// Build renders and writes in one streamed pass (the site is never
	// held in memory whole); dir is replaced only if everything succeeded.
	res, err := build.Build(ctx, build.Options{Site: os.DirFS(*site), Audience: *audience, Now: t, Drafts: *drafts, BaseURL: *baseURL, Version: version, CodeCache: codeCachePath(*site, *audience)}, dir)
	if res != nil && res.Report != nil {
		printFindings(stderr, res, *verbose)
	}
	if err != nil {
		if errors.Is(err, build.ErrFindings) {
			fmt.Fprintf(stderr, "peerpress build: %v; nothing was written (%s is unchanged)\n", err, dir)
			return exitFindings
		}
		return exitFor(err, stderr)
	}
	_, warnings, _ := res.Report.Counts()
	s := res.Stats
	fmt.Fprintf(stdout, "built %d posts, %d pages, %d feeds, %d files in %s → %s (%d warnings)\n",
		s.Posts, s.Pages, s.Feeds, s.Files, time.Since(start).Round(time.Millisecond), dir, warnings)
	if res.CacheErr != nil {
		fmt.Fprintf(stderr, "peerpress: %v (the site is built; the next build highlights code again)\n", res.CacheErr)
	}
	if *verbose {
		fmt.Fprintf(stdout, "  %d of %d post bodies rendered, %d from the cache\n", s.Posts-s.MarkdownCached, s.Posts, s.MarkdownCached)
		for _, st := range res.Stages {
			fmt.Fprintf(stdout, "  %-16s %8s\n", st.Name, st.Time.Round(time.Millisecond))
		}
	}
	return exitOK
}

// printFindings prints a build's findings as text: errors and warnings
// always (a warning is a typo guard worth seeing), waived ones only with -v.
func printFindings(w io.Writer, res *build.Result, verbose bool) {
	rep := *res.Report
	if !verbose {
		rep.Findings = nil
		for _, f := range res.Report.Findings {
			if !f.Waived() {
				rep.Findings = append(rep.Findings, f)
			}
		}
		if len(rep.Findings) == 0 {
			return
		}
	}
	report.Write(w, "text", &rep, nil, version)
}

// codeCachePath is where the build of the site in dir for audience keeps
// its cache of highlighted code and rendered bodies: $PEERPRESS_CACHE_DIR (none when it is
// "off"), else the user cache directory's peerpress/, one file per site
// directory and audience (each build keeps exactly the blocks it used, so
// a public and an internal build sharing one file would evict each other's).
// It is "" (no cache) when there is no such directory.
func codeCachePath(dir, audience string) string {
	base := os.Getenv("PEERPRESS_CACHE_DIR")
	switch base {
	case "off":
		return ""
	case "":
		d, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		base = filepath.Join(d, "peerpress")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(base, "code-"+hex.EncodeToString(sum[:8])+"-"+audience+".pack")
}
