package main

// Evidence of review for review.unverified. disclosure.yaml review.verify
// chooses the source; peerpress makes no network calls for either:
//
//   - trailer: "Reviewed-by: Name <email>" trailers on the commits that
//     touched the post (git log --follow, so a rename keeps its history).
//     A trailer counts for the person whose people.yaml email it carries;
//     the name is not trusted, and an address nobody in people.yaml has
//     counts for no one.
//   - github: the pull request's reviews, exported by the workflow with
//     `gh api …/pulls/N/reviews` and passed as -approvals FILE. A review
//     counts when it is the reviewer's latest decision, it is APPROVED, it
//     was given on the head commit (-head, or git rev-parse HEAD), and its
//     login is someone's people.yaml github.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/peerpress/peerpress/policy"
)

// evidence gathers who approved each post. Its reviewed method is
// policy.Options.Reviewed; the check calls it from several goroutines.
type evidence struct {
	ctx  context.Context
	site string
	mode string
	// byEmail and byLogin map a lower-case people.yaml email or GitHub
	// login to the person's id.
	byEmail, byLogin map[string]string
	// approved lists the ids whose approval of the head commit counts
	// (github mode); the same for every post of the pull request.
	approved []string

	mu    sync.Mutex
	notes []string // explanations for the log, sorted before printing
	errs  []error
}

// newEvidence prepares the evidence that pol's review.verify asks for. It
// returns nil when there is nothing to verify: review.verify is none, or it
// is github and no approvals file was given (a note says so). approvals and
// head are the -approvals and -head flags.
func newEvidence(ctx context.Context, site string, pol *policy.Policy, approvals, head string) (*evidence, []string, error) {
	e := &evidence{ctx: ctx, site: site, mode: pol.VerifyMode(), byEmail: map[string]string{}, byLogin: map[string]string{}}
	for _, p := range pol.People() {
		if p.Email != "" {
			e.byEmail[strings.ToLower(p.Email)] = p.ID
		}
		if p.GitHub != "" {
			e.byLogin[strings.ToLower(strings.TrimPrefix(p.GitHub, "@"))] = p.ID
		}
	}
	switch e.mode {
	case policy.VerifyTrailer:
		if _, err := git(ctx, site, "rev-parse", "--is-inside-work-tree"); err != nil {
			return nil, nil, fmt.Errorf("review.verify is trailer, which reads Reviewed-by trailers from git history, but %s is not in a git work tree: %w", site, err)
		}
		var notes []string
		if out, err := git(ctx, site, "rev-parse", "--is-shallow-repository"); err == nil && strings.TrimSpace(out) == "true" {
			notes = append(notes, "the git clone is shallow, so Reviewed-by trailers on older commits are missing; fetch the whole history (actions/checkout: fetch-depth: 0)")
		}
		return e, notes, nil
	case policy.VerifyGitHub:
		if approvals == "" {
			return nil, []string{"review.verify is github but no -approvals FILE was given, so reviewed_by is not verified"}, nil
		}
		data, err := os.ReadFile(approvals)
		if err != nil {
			return nil, nil, fmt.Errorf("-approvals: %w", err)
		}
		reviews, err := parseApprovals(data)
		if err != nil {
			return nil, nil, fmt.Errorf("-approvals %s: %w", approvals, err)
		}
		sha, err := headCommit(ctx, site, head)
		if err != nil {
			return nil, nil, err
		}
		logins, notes := approvers(reviews, sha)
		for _, l := range logins {
			if id, ok := e.byLogin[strings.ToLower(l)]; ok {
				e.approved = append(e.approved, id)
			} else {
				notes = append(notes, fmt.Sprintf("%s approved the pull request but is nobody's github in %s; the approval counts for no one", l, policy.PeopleFile))
			}
		}
		return e, notes, nil
	}
	return nil, nil, nil
}

// reviewed returns the ids of the people with evidence of approving post.
func (e *evidence) reviewed(post *policy.Post) []string {
	if e.mode == policy.VerifyGitHub {
		return e.approved
	}
	trailers, err := reviewedByTrailers(e.ctx, e.site, post.Path)
	if err != nil {
		e.mu.Lock()
		e.errs = append(e.errs, fmt.Errorf("%s: reading Reviewed-by trailers: %w", post.Path, err))
		e.mu.Unlock()
		return nil
	}
	var ids []string
	for _, t := range trailers {
		if id, ok := e.byEmail[strings.ToLower(t.email)]; ok {
			ids = append(ids, id)
			continue
		}
		what := "has no e-mail address"
		if t.email != "" {
			what = "has the address " + t.email + ", which nobody in " + policy.PeopleFile + " has"
		}
		e.mu.Lock()
		e.notes = append(e.notes, fmt.Sprintf("%s: commit %s: the trailer \"Reviewed-by: %s\" %s; it counts for no one", post.Path, short(t.commit), t.value, what))
		e.mu.Unlock()
	}
	return ids
}

// result returns the notes gathered while checking, sorted, and the errors
// that make the check's verification unreliable.
func (e *evidence) result() ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	notes := append([]string(nil), e.notes...)
	sort.Strings(notes)
	errs := append([]error(nil), e.errs...)
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return notes, errors.Join(errs...)
}

// trailer is one Reviewed-by trailer of a commit.
type trailer struct {
	commit string
	value  string // as written (unfolded)
	email  string // the address in it, "" when there is none
}

// trailerFormat prints each commit as its hash and its Reviewed-by trailer
// values, NUL-separated, ending with a record separator. git matches the
// key case-insensitively and only in the message's trailer block.
const trailerFormat = "%H%x00%(trailers:key=Reviewed-by,valueonly,unfold,separator=%x00)%x1e"

// reviewedByTrailers returns the Reviewed-by trailers of every commit that
// touched the file at path (relative to dir), following renames. A file
// that was never committed has none.
func reviewedByTrailers(ctx context.Context, dir, path string) ([]trailer, error) {
	out, err := git(ctx, dir, "--literal-pathspecs", "-c", "log.showSignature=false", "log", "--follow", "--format="+trailerFormat, "--", path)
	if err != nil {
		return nil, err
	}
	return parseTrailerLog(out), nil
}

// parseTrailerLog parses the output of git log --format=trailerFormat.
func parseTrailerLog(out string) []trailer {
	var ts []trailer
	for _, rec := range strings.Split(out, "\x1e") {
		fields := strings.Split(strings.TrimLeft(rec, "\r\n"), "\x00")
		if len(fields) < 2 {
			continue
		}
		for _, v := range fields[1:] {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			ts = append(ts, trailer{commit: fields[0], value: v, email: trailerEmail(v)})
		}
	}
	return ts
}

// trailerEmail returns the address of a trailer value such as
// "Rosa Chen <rosa.chen@brightline.example>" or a bare address, or "" when
// it has none. The display name is ignored: only the address is matched.
func trailerEmail(v string) string {
	addr := v
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		j := strings.IndexByte(v[i:], '>')
		if j < 0 || strings.TrimSpace(v[i+j+1:]) != "" {
			return ""
		}
		addr = v[i+1 : i+j]
	}
	addr = strings.TrimSpace(addr)
	at := strings.IndexByte(addr, '@')
	if at <= 0 || at != strings.LastIndexByte(addr, '@') || at == len(addr)-1 || strings.ContainsAny(addr, " \t<>,;\"") {
		return ""
	}
	return addr
}

// review is one pull-request review as the GitHub REST API returns it
// (GET /repos/{owner}/{repo}/pulls/{n}/reviews); only the fields used.
type review struct {
	ID   int64 `json:"id"`
	User *struct {
		Login string `json:"login"`
	} `json:"user"`
	State       string    `json:"state"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// parseApprovals parses exported pull-request reviews: a JSON array of
// reviews, several arrays one after another (gh api --paginate), or an
// array of such arrays (gh api --paginate --slurp). An API error object
// such as {"message": "Not Found"} is an error.
func parseApprovals(data []byte) ([]review, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var out []review
	pages := 0
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not the JSON of the GitHub reviews API: %w", err)
		}
		pages++
		rs, err := decodeReviews(v, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	if pages == 0 {
		return nil, errors.New("empty; want the JSON array that gh api repos/OWNER/REPO/pulls/N/reviews prints")
	}
	return out, nil
}

// decodeReviews decodes one JSON value of an approvals file; depth counts
// the arrays around it.
func decodeReviews(v json.RawMessage, depth int) ([]review, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) > 0 && v[0] == '{':
		var apiErr struct {
			Message string `json:"message"`
			State   string `json:"state"`
		}
		if err := json.Unmarshal(v, &apiErr); err == nil && apiErr.Message != "" && apiErr.State == "" {
			return nil, fmt.Errorf("the GitHub API answered with an error: %q", apiErr.Message)
		}
		return nil, errors.New("a JSON object where an array of reviews was expected")
	case len(v) == 0 || v[0] != '[':
		return nil, errors.New("want a JSON array of reviews")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(v, &items); err != nil {
		return nil, fmt.Errorf("not the JSON of the GitHub reviews API: %w", err)
	}
	var out []review
	for i, it := range items {
		it = bytes.TrimSpace(it)
		if len(it) > 0 && it[0] == '[' && depth == 0 {
			rs, err := decodeReviews(it, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, rs...)
			continue
		}
		var r review
		if err := json.Unmarshal(it, &r); err != nil || len(it) == 0 || it[0] != '{' {
			return nil, fmt.Errorf("review %d is not a review object", i+1)
		}
		if r.State == "" {
			return nil, fmt.Errorf("review %d has no state", i+1)
		}
		out = append(out, r)
	}
	return out, nil
}

// approvers returns the logins, sorted, whose approval of head counts: each
// person's latest decision (APPROVED, CHANGES_REQUESTED or DISMISSED; a
// COMMENTED or PENDING review changes nothing) is APPROVED and was given on
// head. notes explain approvals that do not count.
func approvers(reviews []review, head string) (logins, notes []string) {
	rs := append([]review(nil), reviews...)
	sort.SliceStable(rs, func(i, j int) bool {
		if !rs[i].SubmittedAt.Equal(rs[j].SubmittedAt) {
			return rs[i].SubmittedAt.Before(rs[j].SubmittedAt)
		}
		return rs[i].ID < rs[j].ID
	})
	type decision struct {
		login string
		r     review
	}
	latest := map[string]decision{}
	for _, r := range rs {
		if r.User == nil || r.User.Login == "" {
			continue
		}
		switch strings.ToUpper(r.State) {
		case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
			latest[strings.ToLower(r.User.Login)] = decision{r.User.Login, r}
		}
	}
	keys := make([]string, 0, len(latest))
	for k := range latest {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		d := latest[k]
		if !strings.EqualFold(d.r.State, "APPROVED") {
			continue
		}
		if !strings.EqualFold(d.r.CommitID, head) {
			notes = append(notes, fmt.Sprintf("%s approved commit %s, not the head commit %s; the approval does not count until they approve the latest changes", d.login, short(d.r.CommitID), short(head)))
			continue
		}
		logins = append(logins, d.login)
	}
	return logins, notes
}

// fullSHA matches a full hexadecimal commit id (SHA-1 or SHA-256).
var fullSHA = regexp.MustCompile(`^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$`)

// headCommit returns the full id of the pull request's head commit: rev
// itself when it is a full id, otherwise rev (HEAD when empty) resolved by
// git in dir.
func headCommit(ctx context.Context, dir, rev string) (string, error) {
	if fullSHA.MatchString(rev) {
		return strings.ToLower(rev), nil
	}
	name := rev
	if name == "" {
		name = "HEAD"
	}
	out, err := git(ctx, dir, "rev-parse", "--verify", "--end-of-options", name+"^{commit}")
	if err != nil {
		if rev == "" {
			return "", fmt.Errorf("-approvals needs the pull request's head commit: pass -head SHA or run inside its git checkout: %w", err)
		}
		return "", fmt.Errorf("-head %s: %w", rev, err)
	}
	return strings.ToLower(strings.TrimSpace(out)), nil
}

// short abbreviates a commit id for messages.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	if sha == "" {
		return "(none)"
	}
	return sha
}
