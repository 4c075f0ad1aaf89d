package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/peerpress/peerpress/build/markdown"
	"github.com/peerpress/peerpress/policy"
)

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("new", stderr)
	site := fs.String("site", ".", "site root `DIR`")
	author := fs.String("author", "", "author `ID` from policy/people.yaml (default: the person whose email is git config user.email)")
	now := fs.String("now", "", "the post's date (RFC 3339 or YYYY-MM-DD; default now)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	title := strings.TrimSpace(strings.Join(fs.Args(), " "))
	if title == "" {
		fmt.Fprintln(stderr, "peerpress new: give the post's title, e.g. peerpress new \"Why our reflow profile has a soak zone\"")
		return exitUsage
	}
	t, err := parseNow(*now)
	if err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitUsage
	}
	pol, err := policy.Load(os.DirFS(*site))
	if err != nil {
		printErr(stderr, err)
		return exitUsage
	}
	id := *author
	if id == "" {
		email, err := git(ctx, *site, "config", "user.email")
		email = strings.TrimSpace(email)
		if err != nil || email == "" {
			fmt.Fprintln(stderr, "peerpress new: no -author given and git config user.email is not set; pass -author ID (an id from policy/people.yaml)")
			return exitUsage
		}
		for _, p := range pol.People() {
			if strings.EqualFold(p.Email, email) {
				id = p.ID
			}
		}
		if id == "" {
			fmt.Fprintf(stderr, "peerpress new: nobody in policy/people.yaml has the email %s (git config user.email); pass -author ID or add yourself to policy/people.yaml\n", email)
			return exitUsage
		}
	}
	if _, ok := pol.Person(id); !ok {
		fmt.Fprintf(stderr, "peerpress new: %q is not in policy/people.yaml; ids there are: %s\n", id, strings.Join(peopleIDs(pol), ", "))
		return exitUsage
	}
	slug := markdown.Slug(title)
	if slug == "" {
		fmt.Fprintln(stderr, "peerpress new: the title has no letters or digits to make a file name from")
		return exitUsage
	}
	rel := filepath.Join("content", "posts", slug+".md")
	path := filepath.Join(*site, rel)
	if _, err := os.Stat(filepath.Join(*site, "content", "posts", slug, "index.md")); err == nil {
		fmt.Fprintf(stderr, "peerpress new: a post bundle content/posts/%s/ already exists; choose another title\n", slug)
		return exitFindings
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(stderr, "peerpress new: %s already exists; not overwriting it. Choose another title or edit that file.\n", rel)
		return exitFindings
	}
	if err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	_, err = io.WriteString(f, scaffold(title, id, t))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	fmt.Fprintf(stdout, "created %s\nnext: write the post, fill in summary and reviewed_by, then preview it with: peerpress serve\n", filepath.ToSlash(rel))
	return exitOK
}

func peopleIDs(p *policy.Policy) []string {
	var ids []string
	for _, person := range p.People() {
		ids = append(ids, person.ID)
	}
	return ids
}

// scaffold is a new post's text: every required key present, the ones the
// author must still decide marked with a comment.
func scaffold(title, author string, t time.Time) string {
	return "---\n" +
		"title: " + strconv.Quote(title) + "\n" +
		"date: " + t.Format(time.RFC3339) + "\n" +
		"summary: \"\"      # REQUIRED: one or two plain sentences for lists, feeds and previews\n" +
		"authors: [" + author + "]\n" +
		"reviewed_by: []   # REQUIRED: people ids from policy/people.yaml with the reviewer role, not you;\n" +
		"                  # public posts need 2, internal 1; legal if you mention competitors, comms for voice: official\n" +
		"audience: public  # public | internal (internal posts are built only with -audience internal)\n" +
		"voice: personal   # personal | official (the company's voice)\n" +
		"tags: []\n" +
		"products: []      # employer products the post discusses: your byline and shares will carry the disclosure\n" +
		"draft: true       # remove when it is ready to publish\n" +
		"---\n\n" +
		"Write for a peer: what you tried, what you measured, what you would do again.\n"
}
