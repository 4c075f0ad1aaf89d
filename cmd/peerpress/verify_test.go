package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

// verifyNow is the clock for the testdata/verify site.
const verifyNow = "2026-11-01"

// The reviewers of testdata/verify/site.txtar's content/posts/reflow.md.
const (
	benTrailer = "Reviewed-by: Ben Okafor <ben@brightline.example>"
	cyTrailer  = "Reviewed-by: Cy Lund <cy@brightline.example>"
)

// requireGit skips a test that needs git where it is missing.
func requireGit(t *testing.T) {
	t.Helper()
	requireTool(t, "git")
	if runtime.GOOS == "windows" {
		t.Skip("the git tests use POSIX paths")
	}
}

// gitRepo is a temporary git repository holding a test site.
type gitRepo struct {
	t    *testing.T
	root string // the repository
	site string // the site root: root or a directory in it
	tick int
}

// newVerifySite writes testdata/verify/site.txtar, with review.verify set
// to verify, into a new git repository (at sub inside it when sub is not
// empty). Nothing is committed yet.
func newVerifySite(t *testing.T, verify, sub string) *gitRepo {
	t.Helper()
	requireGit(t)
	ar, err := txtar.ParseFile("testdata/verify/site.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r := &gitRepo{t: t, root: t.TempDir()}
	r.site = filepath.Join(r.root, sub)
	for _, f := range ar.Files {
		r.write(f.Name, strings.ReplaceAll(string(f.Data), "VERIFY", verify))
	}
	r.git("init", "-q", "-b", "main")
	return r
}

// env isolates git from the user's and the system's configuration and
// pins authorship.
func (r *gitRepo) env() []string {
	r.tick++
	date := time.Date(2026, 10, 1, 12, r.tick, 0, 0, time.UTC).Format(time.RFC3339)
	return append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CEILING_DIRECTORIES="+filepath.Dir(r.root),
		"GIT_AUTHOR_NAME=Ana Ruiz", "GIT_AUTHOR_EMAIL=ana@brightline.example", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=Ana Ruiz", "GIT_COMMITTER_EMAIL=ana@brightline.example", "GIT_COMMITTER_DATE="+date)
}

// git runs git in the repository and returns its output.
func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = r.root, r.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// write writes a file of the site.
func (r *gitRepo) write(name, data string) {
	r.t.Helper()
	p := filepath.Join(r.site, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// commit commits every change with message.
func (r *gitRepo) commit(message string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", message)
}

// head returns the full id of HEAD.
func (r *gitRepo) head() string {
	return strings.TrimSpace(r.git("rev-parse", "HEAD"))
}

// post returns a post of the test site: authored by ana and reviewed by
// reviewers, saying body.
func post(title string, authors, reviewers []string, body string) string {
	return "---\ntitle: " + title + "\ndate: 2026-10-01\nsummary: A test post.\nauthors: [" + strings.Join(authors, ", ") +
		"]\nreviewed_by: [" + strings.Join(reviewers, ", ") + "]\naudience: public\n---\n" + body + "\n"
}

// checkResult is the outcome of peerpress check -format json.
type checkResult struct {
	code     int
	stderr   string
	findings []jsonFinding
}

type jsonFinding struct {
	File, Rule, Severity, Message string
	Line, Column                  int
}

// check runs peerpress check -format json on the site with args.
func (r *gitRepo) check(args ...string) checkResult {
	r.t.Helper()
	all := append([]string{"check", "-site", r.site, "-now", verifyNow, "-format", "json"}, args...)
	code, out, errs := runCLI(r.t, all...)
	res := checkResult{code: code, stderr: errs}
	if code == exitUsage {
		return res
	}
	var rep struct{ Findings []jsonFinding }
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		r.t.Fatalf("check %v: exit %d, output is not JSON: %v\n%s%s", args, code, err, out, errs)
	}
	res.findings = rep.Findings
	return res
}

// unverifiedID finds the person id in a review.unverified message.
var unverifiedID = regexp.MustCompile(`no evidence that .* \(([a-z0-9-]+)\) approved`)

// unverified returns, sorted, "file=id" for every review.unverified finding.
func (c checkResult) unverified(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range c.findings {
		if f.Rule != "review.unverified" {
			continue
		}
		m := unverifiedID.FindStringSubmatch(f.Message)
		if m == nil {
			t.Fatalf("review.unverified message names nobody: %q", f.Message)
		}
		out = append(out, f.File+"="+m[1])
	}
	sort.Strings(out)
	return out
}

// rules returns, sorted, "file:rule" for every finding.
func (c checkResult) rules() []string {
	var out []string
	for _, f := range c.findings {
		out = append(out, f.File+":"+f.Rule)
	}
	sort.Strings(out)
	return out
}

const reflow = "content/posts/reflow.md"

func TestVerifyTrailers(t *testing.T) {
	type step struct {
		files  map[string]string // site files to write ("" content: keep)
		rename [2]string         // git mv, site-relative
		msg    string
	}
	reflowPost := post("Reflow", []string{"ana"}, []string{"ben", "cy"}, "Ramp rates.")
	tests := []struct {
		name  string
		sub   string // the site's directory in the repository
		steps []step
		// untracked files written after the commits
		untracked  map[string]string
		want       []string // review.unverified as file=id
		wantStderr string
	}{
		{name: "present", steps: []step{{msg: "Add the reflow post\n\n" + benTrailer + "\n" + cyTrailer}},
			want: nil},
		{name: "missing", steps: []step{{msg: "Add the reflow post"}},
			want: []string{reflow + "=ben", reflow + "=cy"}},
		{name: "wrong person", steps: []step{{msg: "Add the reflow post\n\n" + cyTrailer + "\nReviewed-by: Dee Marsh <dee@brightline.example>"}},
			want: []string{reflow + "=ben"}},
		{name: "forged email not in people.yaml", steps: []step{{msg: "Add the reflow post\n\nReviewed-by: Ben Okafor <ben.okafor@gmail.example>\n" + cyTrailer}},
			want: []string{reflow + "=ben"}, wantStderr: "ben.okafor@gmail.example, which nobody in policy/people.yaml has"},
		{name: "name without an address", steps: []step{{msg: "Add the reflow post\n\nReviewed-by: Ben Okafor\n" + cyTrailer}},
			want: []string{reflow + "=ben"}, wantStderr: "has no e-mail address"},
		{name: "id or login instead of an address", steps: []step{{msg: "Add the reflow post\n\nReviewed-by: ben <bokafor>\n" + cyTrailer}},
			want: []string{reflow + "=ben"}},
		{name: "the address decides, not the name", steps: []step{{msg: "Add the reflow post\n\nReviewed-by: B. Okafor (Reliability) <ben@brightline.example>\n" + cyTrailer}},
			want: nil},
		{name: "key and address in any case", steps: []step{{msg: "Add the reflow post\n\nreviewed-by: BEN OKAFOR <Ben@Brightline.Example>\nREVIEWED-BY: cy@brightline.example"}},
			want: nil},
		{name: "not in the trailer block", steps: []step{{msg: "Add the reflow post\n\n" + benTrailer + "\n" + cyTrailer + "\n\nThe reviews are still to come."}},
			want: []string{reflow + "=ben", reflow + "=cy"}},
		{name: "other reviewer-ish trailers do not count", steps: []step{{msg: "Add the reflow post\n\nAcked-by: Ben Okafor <ben@brightline.example>\nSigned-off-by: Cy Lund <cy@brightline.example>"}},
			want: []string{reflow + "=ben", reflow + "=cy"}},
		{name: "trailers on a later edit count", steps: []step{
			{msg: "Add the reflow post"},
			{files: map[string]string{reflow: reflowPost}, msg: "Reflow: tighten the ramp\n\n" + benTrailer},
			{files: map[string]string{reflow: reflowPost + "More.\n"}, msg: "Reflow: one more line\n\n" + cyTrailer}},
			want: nil},
		{name: "trailers on a commit that did not touch the post", steps: []step{
			{msg: "Add the reflow post"},
			{files: map[string]string{"content/posts/other.md": post("Other", []string{"ana"}, []string{"ben", "cy"}, "Other.")}, msg: "Add another post\n\n" + benTrailer + "\n" + cyTrailer}},
			want: []string{reflow + "=ben", reflow + "=cy"}},
		{name: "renamed: trailers before the rename still count", steps: []step{
			{msg: "Add the reflow post\n\n" + benTrailer + "\n" + cyTrailer},
			{rename: [2]string{reflow, "content/posts/reflow-profiles.md"}, msg: "Rename the reflow post"}},
			want: nil},
		{name: "renamed into a bundle", steps: []step{
			{msg: "Add the reflow post\n\n" + benTrailer},
			{rename: [2]string{reflow, "content/posts/reflow/index.md"}, msg: "Make the reflow post a bundle\n\n" + cyTrailer}},
			want: nil},
		{name: "site in a subdirectory", sub: "blog", steps: []step{{msg: "Add the reflow post\n\n" + benTrailer}},
			want: []string{reflow + "=cy"}},
		{name: "uncommitted post has no evidence", steps: []step{{msg: "Add the reflow post\n\n" + benTrailer + "\n" + cyTrailer}},
			untracked: map[string]string{"content/posts/draft.md": post("Draft", []string{"ana"}, []string{"ben", "cy"}, "Draft.")},
			want:      []string{"content/posts/draft.md=ben", "content/posts/draft.md=cy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newVerifySite(t, "trailer", tt.sub)
			for _, s := range tt.steps {
				for name, data := range s.files {
					r.write(name, data)
				}
				if s.rename[0] != "" {
					to := filepath.Join(r.site, s.rename[1])
					if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
						t.Fatal(err)
					}
					r.git("mv", filepath.Join(r.site, s.rename[0]), to)
				}
				r.commit(s.msg)
			}
			for name, data := range tt.untracked {
				r.write(name, data)
			}
			res := r.check()
			if res.code == exitUsage {
				t.Fatalf("exit 2:\n%s", res.stderr)
			}
			want := slices.Clone(tt.want)
			for i, w := range want {
				// A renamed post is reported under its new name.
				for _, s := range tt.steps {
					if s.rename[0] != "" && strings.HasPrefix(w, s.rename[0]+"=") {
						want[i] = s.rename[1] + strings.TrimPrefix(w, s.rename[0])
					}
				}
			}
			if got := res.unverified(t); !slices.Equal(got, want) {
				t.Errorf("review.unverified for %v, want %v\nall findings: %v\nstderr: %s", got, want, res.rules(), res.stderr)
			}
			if wantCode := map[bool]int{true: 1, false: 0}[len(want) > 0]; res.code != wantCode {
				t.Errorf("exit %d, want %d; findings %v", res.code, wantCode, res.rules())
			}
			if !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantStderr, res.stderr)
			}
		})
	}
}

// TestVerifyNone shows that without review.verify no evidence is asked
// for, and that the evidence decides only review.unverified.
func TestVerifyNone(t *testing.T) {
	r := newVerifySite(t, "none", "")
	r.commit("Add the reflow post")
	if res := r.check(); res.code != 0 || len(res.findings) != 0 {
		t.Errorf("review.verify none: exit %d, findings %v\n%s", res.code, res.rules(), res.stderr)
	}
	r = newVerifySite(t, "trailer", "")
	r.commit("Add the reflow post")
	res := r.check()
	if got := res.rules(); !slices.Equal(got, []string{reflow + ":review.unverified", reflow + ":review.unverified"}) {
		t.Errorf("review.verify trailer: findings %v, want two review.unverified", got)
	}
}

func TestVerifyTrailerNeedsGit(t *testing.T) {
	requireGit(t)
	ar, err := txtar.ParseFile("testdata/verify/site.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(f.Data), "VERIFY", "trailer")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	code, out, errs := runCLI(t, "check", "-site", dir, "-now", verifyNow)
	if code != exitUsage || !strings.Contains(errs, "review.verify is trailer") || !strings.Contains(errs, "not in a git work tree") {
		t.Errorf("exit %d, want 2 with an explanation:\n%s%s", code, out, errs)
	}
}

func TestVerifyShallowCloneNote(t *testing.T) {
	r := newVerifySite(t, "trailer", "")
	r.commit("Add the reflow post\n\n" + benTrailer + "\n" + cyTrailer)
	r.write("content/posts/reflow.md", post("Reflow", []string{"ana"}, []string{"ben", "cy"}, "Edited."))
	r.commit("Edit the reflow post")
	clone := filepath.Join(t.TempDir(), "clone")
	r.git("clone", "-q", "--depth", "1", "file://"+r.root, clone)
	c := &gitRepo{t: t, root: clone, site: clone}
	res := c.check()
	if !strings.Contains(res.stderr, "shallow") || !strings.Contains(res.stderr, "fetch-depth: 0") {
		t.Errorf("no note about the shallow clone:\n%s", res.stderr)
	}
	// The trailers are on the commit the shallow clone left out.
	if got := res.unverified(t); len(got) != 2 {
		t.Errorf("review.unverified %v in a shallow clone, want ben and cy", got)
	}
}

// The head commit of the approvals fixtures in testdata/verify/approvals.
const fixtureHead = "6dcb09b5b57875f334f61aebed695e2e4193db5e"

func TestVerifyApprovals(t *testing.T) {
	tests := []struct {
		file       string
		head       string // -head; fixtureHead when empty
		want       []string
		wantCode   int
		wantStderr string
	}{
		{file: "approved.json", want: nil},
		{file: "approved.json", head: "0000000000000000000000000000000000000000", want: []string{reflow + "=ben", reflow + "=cy"},
			wantStderr: "bokafor approved commit 6dcb09b5b578, not the head commit 000000000000"},
		{file: "stale.json", want: []string{reflow + "=cy"}, wantStderr: "cylund approved commit"},
		{file: "changes-requested.json", want: []string{reflow + "=ben"}},
		{file: "commented-after-approval.json", want: nil},
		{file: "dismissed.json", want: []string{reflow + "=ben"}},
		{file: "wrong-person.json", want: []string{reflow + "=ben"}, wantStderr: "mallory approved the pull request but is nobody's github"},
		{file: "login-case.json", want: nil},
		{file: "paginated.json", want: nil},
		{file: "slurped.json", want: nil},
		{file: "none.json", want: []string{reflow + "=ben", reflow + "=cy"}},
		{file: "api-error.json", wantCode: exitUsage, wantStderr: `the GitHub API answered with an error: "Not Found"`},
		{file: "not-json.json", wantCode: exitUsage, wantStderr: "not the JSON of the GitHub reviews API"},
		{file: "no-such-file.json", wantCode: exitUsage, wantStderr: "-approvals"},
	}
	for _, tt := range tests {
		t.Run(tt.file+tt.head, func(t *testing.T) {
			r := newVerifySite(t, "github", "")
			r.commit("Add the reflow post")
			head := tt.head
			if head == "" {
				head = fixtureHead
			}
			abs, _ := filepath.Abs(filepath.Join("testdata/verify/approvals", tt.file))
			res := r.check("-approvals", abs, "-head", head)
			if tt.wantCode == 0 && len(tt.want) > 0 {
				tt.wantCode = exitFindings
			}
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; findings %v\n%s", res.code, tt.wantCode, res.rules(), res.stderr)
			}
			if got := res.unverified(t); !slices.Equal(got, tt.want) {
				t.Errorf("review.unverified for %v, want %v\n%s", got, tt.want, res.stderr)
			}
			if !strings.Contains(res.stderr, tt.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantStderr, res.stderr)
			}
		})
	}
}

// TestVerifyApprovalsHead resolves the head commit with git when -head is
// not given, and -head accepts any revision.
func TestVerifyApprovalsHead(t *testing.T) {
	r := newVerifySite(t, "github", "")
	r.commit("Add the reflow post")
	first := r.head()
	r.write("content/posts/reflow.md", post("Reflow", []string{"ana"}, []string{"ben", "cy"}, "Edited after review."))
	r.commit("Edit the reflow post")
	approvals := filepath.Join(t.TempDir(), "approvals.json")
	data := `[{"id":1,"user":{"login":"bokafor"},"state":"APPROVED","commit_id":"` + first + `","submitted_at":"2026-10-02T10:00:00Z"},
	          {"id":2,"user":{"login":"cylund"},"state":"APPROVED","commit_id":"` + first + `","submitted_at":"2026-10-02T11:00:00Z"}]`
	if err := os.WriteFile(approvals, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	// HEAD is the edit, which nobody approved.
	if got := r.check("-approvals", approvals).unverified(t); len(got) != 2 {
		t.Errorf("approvals of HEAD^ counted for HEAD: unverified %v", got)
	}
	for _, rev := range []string{"HEAD^", first[:10], first} {
		if res := r.check("-approvals", approvals, "-head", rev); res.code != 0 {
			t.Errorf("-head %s: exit %d, findings %v\n%s", rev, res.code, res.rules(), res.stderr)
		}
	}
	if res := r.check("-approvals", approvals, "-head", "no-such-rev"); res.code != exitUsage || !strings.Contains(res.stderr, "-head no-such-rev") {
		t.Errorf("-head no-such-rev: exit %d, want 2:\n%s", res.code, res.stderr)
	}
	// Without -approvals, github mode verifies nothing and says so.
	if res := r.check(); res.code != 0 || !strings.Contains(res.stderr, "no -approvals FILE was given") {
		t.Errorf("no -approvals: exit %d\n%s", res.code, res.stderr)
	}
}

func TestVerifyApprovalsOnlyForChangedPosts(t *testing.T) {
	r := newVerifySite(t, "github", "")
	r.commit("Add the reflow post")
	r.write("content/posts/new.md", post("New", []string{"ben"}, []string{"ana", "dee"}, "New."))
	r.commit("Add a post in a pull request")
	approvals := filepath.Join(t.TempDir(), "approvals.json")
	head := r.head()
	if err := os.WriteFile(approvals, []byte(`[{"id":1,"user":{"login":"anaruiz"},"state":"APPROVED","commit_id":"`+head+`","submitted_at":"2026-10-02T10:00:00Z"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only the pull request's post needs this pull request's approvals.
	res := r.check("-approvals", approvals, "-changed-since", "HEAD^")
	if got := res.unverified(t); !slices.Equal(got, []string{"content/posts/new.md=dee"}) {
		t.Errorf("unverified %v, want only new.md=dee", got)
	}
	// Without -changed-since every post needs them, and a note says so.
	res = r.check("-approvals", approvals)
	if got := res.unverified(t); len(got) != 3 || !strings.Contains(res.stderr, "without -changed-since") {
		t.Errorf("unverified %v, want 3 and a note\n%s", got, res.stderr)
	}
}

func TestVerifyTrailerEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Rosa Chen <rosa.chen@brightline.example>", "rosa.chen@brightline.example"},
		{"Tomás Brandvold <tomas@brightline.example>", "tomas@brightline.example"},
		{"rosa.chen@brightline.example", "rosa.chen@brightline.example"},
		{"<rosa@x.example>", "rosa@x.example"},
		{"Rosa <rosa@x.example> extra", ""},
		{"Rosa <rosa@x.example", ""},
		{"Rosa Chen", ""},
		{"rosachen", ""},
		{"Rosa <rosachen>", ""},
		{"Rosa <@x.example>", ""},
		{"Rosa <rosa@>", ""},
		{"Rosa <a@b@c>", ""},
		{"Eve <eve@x.example, rosa@x.example>", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := trailerEmail(tt.in); got != tt.want {
			t.Errorf("trailerEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestVerifyParseTrailerLog(t *testing.T) {
	out := "aaa\x00\x1e\nbbb\x00Ben <ben@x.example>\x00 Cy <cy@x.example> \x1e\nccc\x00\x00\x1e\n"
	got := parseTrailerLog(out)
	want := []trailer{{"bbb", "Ben <ben@x.example>", "ben@x.example"}, {"bbb", "Cy <cy@x.example>", "cy@x.example"}}
	if !slices.Equal(got, want) {
		t.Errorf("parseTrailerLog = %+v, want %+v", got, want)
	}
}

func TestVerifyApprovers(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 10, 2, h, 0, 0, 0, time.UTC) }
	rv := func(id int64, login, state, commit string, h int) review {
		r := review{ID: id, State: state, CommitID: commit, SubmittedAt: at(h)}
		r.User = &struct {
			Login string `json:"login"`
		}{login}
		return r
	}
	const head, old = "h", "o"
	tests := []struct {
		name    string
		reviews []review
		want    []string
	}{
		{"approved", []review{rv(1, "a", "APPROVED", head, 1)}, []string{"a"}},
		{"old commit", []review{rv(1, "a", "APPROVED", old, 1)}, nil},
		{"re-approved on head", []review{rv(1, "a", "APPROVED", old, 1), rv(2, "a", "APPROVED", head, 2)}, []string{"a"}},
		{"changes requested later", []review{rv(1, "a", "APPROVED", head, 1), rv(2, "a", "CHANGES_REQUESTED", head, 2)}, nil},
		{"approved after changes requested", []review{rv(1, "a", "CHANGES_REQUESTED", old, 1), rv(2, "a", "APPROVED", head, 2)}, []string{"a"}},
		{"out of order in the file", []review{rv(2, "a", "APPROVED", head, 2), rv(1, "a", "CHANGES_REQUESTED", old, 1)}, []string{"a"}},
		{"comment does not undo", []review{rv(1, "a", "APPROVED", head, 1), rv(2, "a", "COMMENTED", head, 2)}, []string{"a"}},
		{"pending does not count", []review{rv(1, "a", "PENDING", head, 1)}, nil},
		{"dismissed", []review{rv(1, "a", "DISMISSED", head, 1)}, nil},
		{"login case folds", []review{rv(1, "A", "APPROVED", head, 1), rv(2, "a", "CHANGES_REQUESTED", head, 2)}, nil},
		{"ghost user", []review{{ID: 1, State: "APPROVED", CommitID: head, SubmittedAt: at(1)}}, nil},
		{"sorted", []review{rv(1, "zed", "APPROVED", head, 1), rv(2, "amy", "APPROVED", head, 2)}, []string{"amy", "zed"}},
	}
	for _, tt := range tests {
		got, _ := approvers(tt.reviews, head)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: approvers = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestVerifyParseApprovals(t *testing.T) {
	one := `{"id":1,"user":{"login":"a"},"state":"APPROVED","commit_id":"h"}`
	tests := []struct {
		in      string
		n       int
		wantErr string
	}{
		{"[]", 0, ""},
		{"[" + one + "]", 1, ""},
		{"[" + one + "]\n[" + one + "," + one + "]", 3, ""},
		{"[[" + one + "],[" + one + "]]", 2, ""},
		{"", 0, "empty"},
		{`{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`, 0, "Bad credentials"},
		{one, 0, "a JSON object where an array"},
		{`"APPROVED"`, 0, "want a JSON array"},
		{`[[[` + one + `]]]`, 0, "not a review object"},
		{`[1]`, 0, "not a review object"},
		{`[{"id":1}]`, 0, "no state"},
		{`[` + one, 0, "not the JSON"},
	}
	for _, tt := range tests {
		rs, err := parseApprovals([]byte(tt.in))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("parseApprovals(%s): %v", tt.in, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("parseApprovals(%s) error %v, want %q", tt.in, err, tt.wantErr)
		case len(rs) != tt.n:
			t.Errorf("parseApprovals(%s) = %d reviews, want %d", tt.in, len(rs), tt.n)
		}
	}
}

func FuzzVerifyParseApprovals(f *testing.F) {
	files, _ := filepath.Glob("testdata/verify/approvals/*.json")
	for _, name := range files {
		data, _ := os.ReadFile(name)
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseApprovals(data)
		if err != nil && rs != nil {
			t.Errorf("reviews and an error")
		}
		logins, _ := approvers(rs, fixtureHead)
		if !sort.StringsAreSorted(logins) {
			t.Errorf("approvers not sorted: %v", logins)
		}
	})
}

func FuzzVerifyTrailers(f *testing.F) {
	f.Add("aaa\x00Ben <ben@x.example>\x00rosa@x.example\x1e\n")
	f.Add("Rosa <rosa@x.example> <eve@x.example>")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tr := range parseTrailerLog(s) {
			if tr.value == "" || tr.value != strings.TrimSpace(tr.value) {
				t.Errorf("trailer value %q", tr.value)
			}
		}
		if e := trailerEmail(s); e != "" && (strings.Count(e, "@") != 1 || strings.ContainsAny(e, " <>,")) {
			t.Errorf("trailerEmail(%q) = %q", s, e)
		}
	})
}

// TestChangedSince checks -changed-since end to end on a git repository
// whose site is in a subdirectory: author and review rules apply to the
// posts changed since the revision (committed, edited or new), content
// rules to every post.
func TestChangedSince(t *testing.T) {
	r := newVerifySite(t, "none", "blog")
	// lapsed's training expired; one reviewer is too few; "confidential"
	// is a content rule.
	lapsed := func(title string) string {
		return post(title, []string{"lapsed"}, []string{"ben"}, "A confidential result.")
	}
	for _, p := range []string{"a", "b", "c"} {
		r.write("content/posts/"+p+".md", lapsed(p))
	}
	r.commit("Add posts")
	r.write("content/posts/a.md", lapsed("a")+"Edited.\n")
	r.commit("Edit a")
	r.write("content/posts/c.md", lapsed("c")+"Not committed yet.\n")
	r.write("content/posts/d.md", lapsed("d"))

	people := func(files ...string) []string {
		var out []string
		for _, f := range files {
			out = append(out, "content/posts/"+f+".md:author.training-expired", "content/posts/"+f+".md:review.missing")
		}
		return out
	}
	content := []string{"content/posts/a.md:terms.confidential", "content/posts/b.md:terms.confidential", "content/posts/c.md:terms.confidential", "content/posts/d.md:terms.confidential"}
	tests := []struct {
		args []string
		want []string
	}{
		{nil, people("a", "b", "c", "d")},
		{[]string{"-changed-since", "HEAD^"}, people("a", "c", "d")},
		{[]string{"-changed-since", "HEAD"}, people("c", "d")},
		{[]string{"-changed-since", "main"}, people("c", "d")},
	}
	for _, tt := range tests {
		res := r.check(tt.args...)
		want := append(slices.Clone(content), tt.want...)
		sort.Strings(want)
		if got := res.rules(); !slices.Equal(got, want) {
			t.Errorf("check %v:\n got %v\nwant %v\n%s", tt.args, got, want, res.stderr)
		}
		if res.code != exitFindings {
			t.Errorf("check %v: exit %d, want 1", tt.args, res.code)
		}
	}
	if res := r.check("-changed-since", "no-such-rev"); res.code != exitUsage || !strings.Contains(res.stderr, "-changed-since") {
		t.Errorf("-changed-since no-such-rev: exit %d, want 2\n%s", res.code, res.stderr)
	}
}
