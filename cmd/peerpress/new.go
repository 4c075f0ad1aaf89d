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
	"unicode/utf8"

	"github.com/peerpress/peerpress/build"
	slugpkg "github.com/peerpress/peerpress/internal/slug"
	"github.com/peerpress/peerpress/policy"
)

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlags("new", stderr)
	site := fset.String("site", ".", "site root `DIR`")
	author := fset.String("author", "", "author `ID` from policy/people.yaml (default: the person whose email is git config user.email)")
	now := fset.String("now", "", "the post's date (RFC 3339 or YYYY-MM-DD; default now)")
	if code := parseFlags(fset, args); code >= 0 {
		return code
	}
	if code := siteDir("new", *site, stderr); code >= 0 {
		return code
	}
	title := strings.Join(strings.Fields(strings.Join(fset.Args(), " ")), " ")
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
			fmt.Fprintf(stderr, "peerpress new: no -author given and git config user.email is not set; pass -author ID, one of: %s\n", strings.Join(authorIDs(pol), ", "))
			return exitUsage
		}
		for _, p := range pol.People() {
			if strings.EqualFold(strings.TrimSpace(p.Email), email) {
				id = p.ID
				break
			}
		}
		if id == "" {
			fmt.Fprintf(stderr, "peerpress new: nobody in policy/people.yaml has the email %s (git config user.email); pass -author ID, one of: %s; or add yourself to policy/people.yaml\n",
				email, strings.Join(authorIDs(pol), ", "))
			return exitUsage
		}
	}
	person, ok := pol.Person(id)
	switch {
	case !ok:
		fmt.Fprintf(stderr, "peerpress new: %q is not in policy/people.yaml; authors there are: %s\n", id, strings.Join(authorIDs(pol), ", "))
		return exitUsage
	case !person.HasRole(policy.RoleAuthor):
		fmt.Fprintf(stderr, "peerpress new: %s (%s) does not hold the author role in policy/people.yaml; authors there are: %s\n", person.Name, id, strings.Join(authorIDs(pol), ", "))
		return exitUsage
	case !person.Active:
		fmt.Fprintf(stderr, "peerpress new: %s (%s) is not active in policy/people.yaml; the byline disclosure would be untrue\n", person.Name, id)
		return exitUsage
	}
	slug := shortSlug(slugpkg.Make(title))
	if slug == "" {
		fmt.Fprintln(stderr, "peerpress new: the title has no letters or digits to make a file name from")
		return exitUsage
	}
	rel := filepath.Join("content", "posts", slug+".md")
	path := filepath.Join(*site, rel)
	if _, err := os.Stat(filepath.Join(*site, "content", "posts", slug)); err == nil {
		fmt.Fprintf(stderr, "peerpress new: %s already exists (a post bundle?); not overwriting it. Choose another title or edit that post.\n", filepath.Join(*site, "content", "posts", slug))
		return exitFindings
	}
	// Another post may have this slug by its slug key (its file is named
	// otherwise): two pages cannot share a URL.
	if s, err := build.Load(ctx, build.Options{Site: os.DirFS(*site)}); err == nil {
		if owner := s.SlugOwner(slug); owner != "" && owner != filepath.ToSlash(rel) {
			fmt.Fprintf(stderr, "peerpress new: %s already has the URL /posts/%s/; choose another title\n", owner, slug)
			return exitFindings
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(stderr, "peerpress new: %s already exists; not overwriting it. Choose another title or edit that file.\n", path)
		return exitFindings
	}
	if err != nil {
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	_, err = io.WriteString(f, scaffold(title, person, reviewersFor(pol, id), t))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		fmt.Fprintf(stderr, "peerpress new: %v\n", err)
		return exitFindings
	}
	siteFlag := ""
	if filepath.Clean(*site) != "." {
		siteFlag = " -site " + *site
	}
	fmt.Fprintf(stdout, "created %s (a draft by %s)\n", path, person.Name)
	fmt.Fprintf(stdout, "next: write it and watch it in the browser with\n  peerpress serve%s    (then open http://127.0.0.1:1313/posts/%s/)\n", siteFlag, slug)
	fmt.Fprintf(stdout, "when it is ready: list your reviewers in reviewed_by, rewrite the summary, remove draft: true, and run\n  peerpress check%s %s\n", siteFlag, filepath.ToSlash(rel))
	return exitOK
}

// maxSlug bounds a new post's slug, and so its file name, in bytes (file
// systems allow 255; a URL that long helps nobody).
const maxSlug = 80

// shortSlug cuts a slug longer than maxSlug at its last dash within it (or
// at a rune boundary, when it has none there).
func shortSlug(s string) string {
	if len(s) <= maxSlug {
		return s
	}
	cut := strings.LastIndexByte(s[:maxSlug+1], '-')
	if cut <= 0 {
		cut = maxSlug
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut]
}

// authorIDs lists the ids of the active people who may write posts.
func authorIDs(p *policy.Policy) []string {
	var ids []string
	for _, person := range p.People() {
		if person.Active && person.HasRole(policy.RoleAuthor) {
			ids = append(ids, person.ID)
		}
	}
	return ids
}

// reviewers are the people who can approve a post by an author, by role.
type reviewers struct{ any, legal, comms []string }

func reviewersFor(p *policy.Policy, author string) reviewers {
	var r reviewers
	for _, person := range p.People() {
		if !person.Active || person.ID == author {
			continue
		}
		if person.HasRole(policy.RoleReviewer) {
			r.any = append(r.any, person.ID)
		}
		if person.HasRole(policy.RoleLegal) {
			r.legal = append(r.legal, person.ID)
		}
		if person.HasRole(policy.RoleComms) {
			r.comms = append(r.comms, person.ID)
		}
	}
	return r
}

// scaffold is a new post's text: every required key present, the ones the
// author must still decide marked with a comment.
func scaffold(title string, author *policy.Person, r reviewers, t time.Time) string {
	list := func(ids []string) string {
		if len(ids) == 0 {
			return "nobody yet: ask your policy owner"
		}
		return strings.Join(ids, ", ")
	}
	var b strings.Builder
	b.WriteString("---\n")
	b.WriteString("title: " + strconv.Quote(title) + "\n")
	b.WriteString("date: " + t.Truncate(time.Second).Format(time.RFC3339) + "\n")
	b.WriteString("summary: " + strconv.Quote(title+".") + "  # rewrite: one or two plain sentences for lists, feeds and previews\n")
	b.WriteString("authors: [" + author.ID + "]  # " + author.Name + "; co-authors are people ids too\n")
	b.WriteString("# reviewed_by: who approved the post; fill it in once they have. Reviewers are people\n")
	b.WriteString("# from policy/people.yaml other than the authors: as many as review.min_reviewers in\n")
	b.WriteString("# policy/disclosure.yaml asks (2 for a public post, 1 for an internal one, by default).\n")
	b.WriteString("#   reviewers: " + list(r.any) + "\n")
	b.WriteString("#   a post that names a competitor also needs legal: " + list(r.legal) + "\n")
	b.WriteString("#   a post with voice: official also needs comms: " + list(r.comms) + "\n")
	b.WriteString("reviewed_by: []\n")
	b.WriteString("audience: public  # public | internal (internal posts are built only with -audience internal)\n")
	b.WriteString("voice: personal   # personal | official (the company's voice)\n")
	b.WriteString("tags: []\n")
	b.WriteString("products: []      # employer products the post discusses: the byline and share texts then carry the disclosure\n")
	b.WriteString("draft: true       # shown in peerpress serve, never built; remove it when the post is ready\n")
	b.WriteString("---\n\n")
	b.WriteString("Write for a peer: what you tried, what you measured, what you would do again.\n")
	return b.String()
}
