package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/peerpress/peerpress/policy"
)

// runCodename adds a codename to the salted hash list named by
// disclosure.yaml (terms.codenames.sha256_file); the name itself is never stored.
func runCodename(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, "Usage: peerpress codename add [-site DIR] NAME")
		return exitUsage
	}
	fs := newFlags("codename", stderr)
	site := fs.String("site", ".", "site root `DIR`")
	file := fs.String("file", "policy/codenames.sha256", "hash list `PATH`, relative to -site")
	if code := parseFlags(fs, args[1:]); code >= 0 {
		return code
	}
	if code := siteDir("codename add", *site, stderr); code >= 0 {
		return code
	}
	name := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if name == "" {
		fmt.Fprintln(stderr, "peerpress codename add: give the codename (1 to 3 words)")
		return exitUsage
	}
	added, err := policy.AddCodename(filepath.Join(*site, *file), name)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress codename add: %v\n", err)
		return exitFindings
	}
	if !added {
		fmt.Fprintf(stdout, "the codename is already in %s; nothing changed\n", *file)
		return exitOK
	}
	fmt.Fprintf(stdout, "added a salted hash of the codename to %s (the name itself is not stored)\n", *file)
	return exitOK
}
