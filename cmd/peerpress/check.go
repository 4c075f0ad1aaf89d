package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/peerpress/peerpress/build"
	"github.com/peerpress/peerpress/internal/batchgc"
	"github.com/peerpress/peerpress/policy"
	"github.com/peerpress/peerpress/policy/report"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", stderr)
	site := fs.String("site", ".", "site root `DIR`")
	format := fs.String("format", "text", "report `FORMAT`: "+strings.Join(report.Formats(), ", "))
	now := fs.String("now", "", "pin the clock (RFC 3339 or YYYY-MM-DD)")
	changed := fs.String("changed-since", "", "apply author and review rules only to posts changed since git `REV`")
	explain := fs.String("explain", "", "print a `RULE`'s rationale and exit")
	approvals := fs.String("approvals", "", "pull-request reviews exported from the GitHub API (gh api repos/OWNER/REPO/pulls/N/reviews) in `FILE`: the evidence for reviewed_by when disclosure.yaml review.verify is github; use with -changed-since")
	head := fs.String("head", "", "the pull request's head commit `SHA`, whose approvals count (default: git rev-parse HEAD)")
	sarifOut := fs.String("sarif", "", "also write the report as SARIF 2.1.0 to `FILE`, so one run feeds both annotations and code scanning")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if code := siteDir("check", *site, stderr); code >= 0 {
		return code
	}
	if *explain != "" {
		r, ok := policy.Explain(*explain)
		if !ok {
			fmt.Fprintf(stderr, "peerpress check: no rule %q; rules are:\n", *explain)
			for _, r := range policy.Rules() {
				fmt.Fprintf(stderr, "  %-30s %s\n", r.ID, r.Summary)
			}
			return exitUsage
		}
		fmt.Fprintf(stdout, "%s (default: %s)\n%s\n\n%s\n", r.ID, r.Severity, r.Summary, r.Rationale)
		return exitOK
	}
	if !contains(report.Formats(), *format) {
		fmt.Fprintf(stderr, "peerpress check: -format must be one of %s\n", strings.Join(report.Formats(), ", "))
		return exitUsage
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress check: %v\n", err)
		return exitUsage
	}
	paths, err := sitePaths(*site, fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "peerpress check: %v\n", err)
		return exitUsage
	}
	batchgc.Tune()
	opts := build.Options{Site: os.DirFS(*site), Now: t, Version: version}
	s, err := build.Load(ctx, opts)
	if err != nil {
		return exitFor(err, stderr)
	}
	popts := policy.Options{Now: t}
	ev, notes, err := newEvidence(ctx, *site, s.Policy, *approvals, *head)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress check: %v\n", err)
		return exitUsage
	}
	if ev != nil {
		popts.Reviewed = ev.reviewed
		if ev.mode == policy.VerifyGitHub && *changed == "" && fs.NArg() == 0 {
			notes = append(notes, "-approvals without -changed-since: every post must be approved in this pull request")
		}
	}
	if *changed != "" {
		files, err := gitChanged(ctx, *site, *changed)
		if err != nil {
			fmt.Fprintf(stderr, "peerpress check: -changed-since: %v\n", err)
			return exitUsage
		}
		popts.Changed = func(p string) bool { return files[p] }
	}
	rep := s.Check(ctx, opts, popts)
	if ev != nil {
		more, err := ev.result()
		notes = append(notes, more...)
		if err != nil {
			printErr(stderr, err)
			fmt.Fprintln(stderr, "peerpress check: could not verify reviewed_by")
			return exitUsage
		}
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "peerpress check: note: %s\n", n)
	}
	if paths != nil {
		var kept []policy.Finding
		for _, f := range rep.Findings {
			if under(f.File, paths) {
				kept = append(kept, f)
			}
		}
		files := 0
		for _, p := range s.PostPaths() {
			if under(p, paths) {
				files++
			}
		}
		rep.Findings, rep.Files = kept, files
	}
	if err := report.Write(stdout, *format, rep, policy.Rules(), version); err != nil {
		fmt.Fprintf(stderr, "peerpress check: %v\n", err)
		return exitFindings
	}
	if *sarifOut != "" {
		if err := writeFile(*sarifOut, false, func(w io.Writer) error { return report.Write(w, "sarif", rep, policy.Rules(), version) }); err != nil {
			fmt.Fprintf(stderr, "peerpress check: -sarif: %v\n", err)
			return exitFindings
		}
	}
	// In GitHub Actions, annotations show ten findings per kind; the job
	// summary gets the table of all of them.
	if summary := os.Getenv("GITHUB_STEP_SUMMARY"); *format == "github" && summary != "" {
		if err := writeFile(summary, true, func(w io.Writer) error { return report.Summary(w, rep) }); err != nil {
			fmt.Fprintf(stderr, "peerpress check: $GITHUB_STEP_SUMMARY: %v\n", err)
			return exitFindings
		}
	}
	if rep.Failed() {
		return exitFindings
	}
	return exitOK
}

// sitePaths turns check's PATH arguments into slash-separated paths
// relative to the site root: each is taken as given (relative to the
// working directory, or absolute), else relative to the site root, and
// must exist inside the site. It returns nil when there are none, or when
// one is the site root itself (everything is checked).
func sitePaths(site string, args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, nil
	}
	root, err := filepath.Abs(site)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, a := range args {
		tries := []string{a}
		if !filepath.IsAbs(a) {
			tries = append(tries, filepath.Join(site, a))
		}
		rel, outside := "", false
		for _, c := range tries {
			abs, err := filepath.Abs(c)
			if err != nil {
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				continue
			}
			r, err := filepath.Rel(root, abs)
			if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
				outside = true
				continue
			}
			rel = filepath.ToSlash(r)
			break
		}
		switch {
		case rel == ".":
			return nil, nil
		case rel != "":
			out = append(out, rel)
		case outside:
			return nil, fmt.Errorf("%s is not inside the site (%s); give a post under %s/content/posts, or -site", a, root, root)
		default:
			return nil, fmt.Errorf("%s: no such file or directory (looked in the working directory and in the site %s); give existing posts, e.g. git diff --name-only --diff-filter=d", a, root)
		}
	}
	return out, nil
}

// under reports whether the slash path file is one of paths or inside one.
func under(file string, paths []string) bool {
	for _, p := range paths {
		if file == p || strings.HasPrefix(file, p+"/") {
			return true
		}
	}
	return false
}

// writeFile writes a file with write, truncating it or, with appendTo,
// appending to it.
func writeFile(name string, appendTo bool, write func(io.Writer) error) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flag, 0o644)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// gitChanged lists the files (relative to the site root) changed since rev,
// committed or not.
func gitChanged(ctx context.Context, site, rev string) (map[string]bool, error) {
	top, err := git(ctx, site, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSpace(top)
	out, err := git(ctx, site, "diff", "--name-only", "--relative", rev, "--")
	if err != nil {
		return nil, err
	}
	files := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			files[strings.TrimPrefix(l, prefix)] = true
		}
	}
	untracked, err := git(ctx, site, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(untracked, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			files[l] = true
		}
	}
	return files, nil
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
