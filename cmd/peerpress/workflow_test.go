package main

// The GitHub Actions workflows in .github/workflows are tested the way a
// runner would use them: each file must be a valid workflow, and the run:
// steps of every job are run with bash, in order, on a copy of the sample
// blog in a git repository, with `go run ./cmd/peerpress` and `gh` replaced
// by small shims (the peerpress binary built from this package, and a gh
// that prints an approvals fixture). ${{ … }} expressions are replaced with
// test values, and a step that uses an action is checked against what it
// needs (the file it uploads exists, …).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// workflowDir holds the workflows, relative to this package.
const workflowDir = repoRoot + "/.github/workflows"

// workflow is the part of a workflow file the tests read. Decoding with
// known fields only, so a misspelt key (runs_on, step:) fails the test.
type workflow struct {
	file        string
	Name        string            `yaml:"name"`
	On          yaml.Node         `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Concurrency yaml.Node         `yaml:"concurrency"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]*job   `yaml:"jobs"`
}

type job struct {
	Name        string            `yaml:"name"`
	RunsOn      string            `yaml:"runs-on"`
	Needs       yaml.Node         `yaml:"needs"`
	If          string            `yaml:"if"`
	Permissions map[string]string `yaml:"permissions"`
	Environment yaml.Node         `yaml:"environment"`
	Env         map[string]string `yaml:"env"`
	Steps       []step            `yaml:"steps"`
}

type step struct {
	Name string            `yaml:"name"`
	ID   string            `yaml:"id"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	With map[string]string `yaml:"with"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
}

// title names a step in messages.
func (s step) title(i int) string {
	if s.Name != "" {
		return s.Name
	}
	if s.Uses != "" {
		return s.Uses
	}
	return fmt.Sprintf("step %d", i+1)
}

// loadWorkflows parses every workflow file.
func loadWorkflows(t *testing.T) []*workflow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(workflowDir, "*.y*ml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows in %s (%v)", workflowDir, err)
	}
	sort.Strings(files)
	var wfs []*workflow
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		wf := &workflow{file: filepath.Base(f)}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(wf); err != nil {
			t.Fatalf("%s: %v", wf.file, err)
		}
		wfs = append(wfs, wf)
	}
	return wfs
}

// events returns the events a workflow runs on, with their settings.
func (wf *workflow) events(t *testing.T) map[string]*yaml.Node {
	t.Helper()
	out := map[string]*yaml.Node{}
	switch wf.On.Kind {
	case yaml.ScalarNode:
		out[wf.On.Value] = nil
	case yaml.SequenceNode:
		for _, n := range wf.On.Content {
			out[n.Value] = nil
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(wf.On.Content); i += 2 {
			out[wf.On.Content[i].Value] = wf.On.Content[i+1]
		}
	default:
		t.Errorf("%s: no on: key", wf.file)
	}
	return out
}

// jobNames returns the workflow's job ids, sorted.
func (wf *workflow) jobNames() []string {
	names := make([]string, 0, len(wf.Jobs))
	for n := range wf.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// usesRef matches a pinned action: owner/repo[/path]@ref.
var usesRef = regexp.MustCompile(`^([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?)@(v\d+(?:\.\d+)*|[0-9a-f]{40})$`)

// peerpressCall finds the peerpress subcommands a run: script calls.
var peerpressCall = regexp.MustCompile(`go run \./cmd/peerpress\s+([a-z]+)`)

func TestWorkflowFilesAreValid(t *testing.T) {
	wfs := loadWorkflows(t)
	known := map[string]bool{}
	for _, c := range commands() {
		known[c.name] = true
	}
	byFile := map[string]*workflow{}
	for _, wf := range wfs {
		byFile[wf.file] = wf
		if wf.Name == "" {
			t.Errorf("%s: no name", wf.file)
		}
		if len(wf.events(t)) == 0 {
			t.Errorf("%s: runs on no event", wf.file)
		}
		if len(wf.Jobs) == 0 {
			t.Errorf("%s: no jobs", wf.file)
		}
		for _, name := range wf.jobNames() {
			j := wf.Jobs[name]
			where := wf.file + ": job " + name
			if j.RunsOn == "" {
				t.Errorf("%s: no runs-on", where)
			}
			if len(j.Steps) == 0 {
				t.Errorf("%s: no steps", where)
			}
			for i, s := range j.Steps {
				where := where + ": " + s.title(i)
				if (s.Uses == "") == (s.Run == "") {
					t.Errorf("%s: a step needs exactly one of uses: and run:", where)
				}
				if s.Uses != "" && !usesRef.MatchString(s.Uses) {
					t.Errorf("%s: uses %q is not pinned to a version (owner/repo@vN)", where, s.Uses)
				}
				// Expressions go through env:, never straight into a
				// script, where a crafted value could inject commands.
				if strings.Contains(s.Run, "${{") {
					t.Errorf("%s: run: uses ${{ … }}; pass the value through env:", where)
				}
				for _, m := range peerpressCall.FindAllStringSubmatch(s.Run, -1) {
					if !known[m[1]] {
						t.Errorf("%s: calls peerpress %s, which is not a command", where, m[1])
					}
				}
			}
		}
	}

	// What issue 7 asks of each workflow.
	pr, pub, nightly := byFile["pull-request.yml"], byFile["publish.yml"], byFile["nightly.yml"]
	if pr == nil || pub == nil || nightly == nil {
		t.Fatalf("want pull-request.yml, publish.yml and nightly.yml, have %v", slices.Sorted(maps.Keys(byFile)))
	}
	ev := pr.events(t)
	if _, ok := ev["pull_request"]; !ok {
		t.Error("pull-request.yml does not run on pull_request")
	}
	if _, ok := ev["pull_request_review"]; !ok {
		t.Error("pull-request.yml does not run when a review is submitted, so an approval never turns review.unverified green")
	}
	if n := pub.events(t)["push"]; n == nil || !strings.Contains(nodeText(n), "main") {
		t.Error("publish.yml does not run on push to main")
	}
	cron := nightly.events(t)["schedule"]
	if cron == nil || !regexp.MustCompile(`cron: (\S+ ){4}\S+`).MatchString(nodeText(cron)) {
		t.Errorf("nightly.yml has no cron schedule: %s", nodeText(cron))
	}
	check := pr.Jobs["check"]
	if check == nil {
		t.Fatal("pull-request.yml has no check job")
	}
	if check.Permissions["security-events"] != "write" {
		t.Error("pull-request.yml check job cannot upload SARIF: permissions security-events: write")
	}
	if check.Permissions["pull-requests"] != "read" {
		t.Error("pull-request.yml check job cannot read reviews: permissions pull-requests: read")
	}
	deploy := pub.Jobs["deploy"]
	if deploy == nil || deploy.Permissions["pages"] != "write" || deploy.Permissions["id-token"] != "write" {
		t.Error("publish.yml needs a deploy job with permissions pages: write and id-token: write")
	}
	for _, wf := range []*workflow{pr, nightly} {
		for _, s := range wf.Jobs["check"].Steps {
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") && !strings.Contains(s.If, "always()") && !strings.Contains(s.If, "!cancelled()") {
				t.Errorf("%s: the SARIF upload must run when the check fails (if: always() or !cancelled())", wf.file)
			}
		}
	}
	for _, want := range []struct {
		wf   *workflow
		uses string
	}{
		{pr, "actions/checkout"}, {pr, "actions/setup-go"}, {pr, "github/codeql-action/upload-sarif"}, {pr, "actions/upload-artifact"},
		{pub, "actions/upload-pages-artifact"}, {pub, "actions/deploy-pages"}, {pub, "actions/upload-artifact"},
		{nightly, "github/codeql-action/upload-sarif"},
	} {
		found := false
		for _, j := range want.wf.Jobs {
			for _, s := range j.Steps {
				found = found || strings.HasPrefix(s.Uses, want.uses+"@")
			}
		}
		if !found {
			t.Errorf("%s does not use %s", want.wf.file, want.uses)
		}
	}
	for _, j := range []*job{pr.Jobs["check"], nightly.Jobs["check"]} {
		if s := j.Steps[0]; !strings.HasPrefix(s.Uses, "actions/checkout@") || s.With["fetch-depth"] != "0" {
			t.Error("a check job must check out the whole history (fetch-depth: 0) for -changed-since and Reviewed-by trailers")
		}
	}
}

// TestWorkflowCodeOwners checks .github/CODEOWNERS: policy/ to governance,
// content/ to the blog reviewers, with the reason written down.
func TestWorkflowCodeOwners(t *testing.T) {
	data, err := os.ReadFile(repoRoot + "/.github/CODEOWNERS")
	if err != nil {
		t.Fatal(err)
	}
	owners := map[string]string{}
	comment := 0
	for _, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "#") {
			comment++
			continue
		}
		if f := strings.Fields(l); len(f) >= 2 {
			for _, o := range f[1:] {
				if !strings.HasPrefix(o, "@") && !strings.Contains(o, "@") {
					t.Errorf("CODEOWNERS: %q is not a user, team or e-mail", o)
				}
			}
			owners[f[0]] = strings.Join(f[1:], " ")
		}
	}
	if comment < 3 || !strings.Contains(string(data), "Why") {
		t.Error("CODEOWNERS does not explain why")
	}
	if owners["/policy/"] == "" || owners["/content/"] == "" || owners["/policy/"] == owners["/content/"] {
		t.Errorf("CODEOWNERS: policy/ %q and content/ %q need different owners", owners["/policy/"], owners["/content/"])
	}
	if !strings.Contains(owners["/policy/"], "governance") || !strings.Contains(owners["/content/"], "reviewers") {
		t.Errorf("CODEOWNERS: policy/ → %q, content/ → %q", owners["/policy/"], owners["/content/"])
	}
}

// actionsRun is one run of a workflow's jobs on a test workspace.
type actionsRun struct {
	t         *testing.T
	repo      *gitRepo
	shims     string
	temp      string            // $RUNNER_TEMP
	vars      map[string]string // ${{ expression }} → value
	approvals string            // the file the gh shim prints
	log       string            // the shims' log of calls
}

// stepResult is what one step did.
type stepResult struct {
	ran            bool
	code           int
	stdout, stderr string
	summary        string // what it appended to $GITHUB_STEP_SUMMARY
}

// expression matches ${{ … }}.
var expression = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// expand replaces the ${{ … }} expressions in s with their test values.
func (a *actionsRun) expand(where, s string) string {
	a.t.Helper()
	return expression.ReplaceAllStringFunc(s, func(m string) string {
		e := expression.FindStringSubmatch(m)[1]
		v, ok := a.vars[e]
		if !ok {
			a.t.Errorf("%s: no test value for ${{ %s }}; add one to the test", where, e)
		}
		return v
	})
}

// runJob runs a job's steps in order. After a failed step, only steps whose
// if: says always() or !cancelled() run, as on GitHub.
func (a *actionsRun) runJob(wf *workflow, name string) []stepResult {
	t := a.t
	t.Helper()
	j := wf.Jobs[name]
	res := make([]stepResult, len(j.Steps))
	failed := false
	for i, s := range j.Steps {
		where := wf.file + ": " + name + ": " + s.title(i)
		if failed && !strings.Contains(s.If, "always()") && !strings.Contains(s.If, "!cancelled()") && !strings.Contains(s.If, "failure()") {
			continue
		}
		if m := regexp.MustCompile(`hashFiles\('([^']+)'\) != ''`).FindStringSubmatch(s.If); m != nil {
			if _, err := os.Stat(filepath.Join(a.repo.site, m[1])); err != nil {
				continue
			}
		}
		res[i].ran = true
		if s.Uses != "" {
			a.action(where, s)
			continue
		}
		env := a.env()
		for _, m := range []map[string]string{wf.Env, j.Env, s.Env} {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				env = append(env, k+"="+a.expand(where, m[k]))
			}
		}
		summary := filepath.Join(a.temp, fmt.Sprintf("summary-%s-%s-%d.md", wf.file, name, i))
		env = append(env, "GITHUB_STEP_SUMMARY="+summary)
		script := filepath.Join(a.temp, "step.sh")
		if err := os.WriteFile(script, []byte(a.expand(where, s.Run)), 0o644); err != nil {
			t.Fatal(err)
		}
		// GitHub's default shell on Linux runners.
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Dir, cmd.Env = a.repo.site, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		res[i].stdout, res[i].stderr = stdout.String(), stderr.String()
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("%s: %v", where, err)
			}
			res[i].code = ee.ExitCode()
			failed = true
		}
		if b, err := os.ReadFile(summary); err == nil {
			res[i].summary = string(b)
		}
	}
	return res
}

// env is the runner's environment for a step.
func (a *actionsRun) env() []string {
	return append(os.Environ(),
		"PATH="+a.shims+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CI=true", "GITHUB_ACTIONS=true",
		"GITHUB_WORKSPACE="+a.repo.site, "RUNNER_TEMP="+a.temp,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CEILING_DIRECTORIES="+filepath.Dir(a.repo.root),
		"PEERPRESS_TEST_LOG="+a.log, "PEERPRESS_TEST_APPROVALS="+a.approvals,
	)
}

// action checks that a step using an action has what it needs.
func (a *actionsRun) action(where string, s step) {
	t := a.t
	t.Helper()
	with := map[string]string{}
	for k, v := range s.With {
		with[k] = a.expand(where, v)
	}
	exists := func(p string) string {
		full := filepath.Join(a.repo.site, p)
		if _, err := os.Stat(full); err != nil {
			t.Errorf("%s: %s does not exist: %v", where, p, err)
		}
		return full
	}
	name, _, _ := strings.Cut(s.Uses, "@")
	switch name {
	case "actions/checkout", "actions/configure-pages", "actions/deploy-pages":
	case "actions/setup-go":
		exists(with["go-version-file"])
	case "github/codeql-action/upload-sarif":
		data, err := os.ReadFile(exists(with["sarif_file"]))
		var log struct {
			Version string `json:"version"`
			Schema  string `json:"$schema"`
			Runs    []struct {
				Tool struct {
					Driver struct{ Name string } `json:"driver"`
				} `json:"tool"`
			} `json:"runs"`
		}
		if err == nil {
			err = json.Unmarshal(data, &log)
		}
		if err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "peerpress" {
			t.Errorf("%s: %s is not peerpress's SARIF 2.1.0 log: %v", where, with["sarif_file"], err)
		}
	case "actions/cache":
		// Restores a directory (which need not exist yet) under a key.
		if with["path"] == "" || with["key"] == "" {
			t.Errorf("%s: actions/cache needs path and key", where)
		}
	case "actions/upload-pages-artifact", "actions/upload-artifact":
		if _, err := os.Stat(filepath.Join(exists(with["path"]), "index.html")); err != nil {
			t.Errorf("%s: uploads %s, which has no index.html", where, with["path"])
		}
		if with["name"] != "" && strings.ContainsAny(with["name"], `":<>|*?\/`) {
			t.Errorf("%s: artifact name %q", where, with["name"])
		}
	default:
		t.Errorf("%s: the test does not know the action %s; teach it what the action needs", where, s.Uses)
	}
}

// calls returns the shims' log: one line per go run / gh call.
func (a *actionsRun) calls() []string {
	data, _ := os.ReadFile(a.log)
	return strings.Split(strings.TrimSpace(string(data)), "\n")
}

// shimScripts stand in for go and gh on the runner's PATH.
var shimScripts = map[string]string{
	// go run ./cmd/peerpress … runs the test binary with the clock pinned.
	"go": `#!/bin/sh
echo "go $*" >> "$PEERPRESS_TEST_LOG"
if [ "$1" = run ] && [ "$2" = ./cmd/peerpress ]; then
	shift 2
	case "$1" in
	check|build) sub=$1; shift; exec "$PEERPRESS_TEST_BIN" "$sub" -now "$PEERPRESS_TEST_NOW" "$@" ;;
	esac
	exec "$PEERPRESS_TEST_BIN" "$@"
fi
echo "go shim: the workflows should only go run ./cmd/peerpress, not: go $*" >&2
exit 127
`,
	// gh api repos/OWNER/REPO/pulls/N/reviews prints the approvals fixture.
	"gh": `#!/bin/sh
echo "gh $*" >> "$PEERPRESS_TEST_LOG"
last=
for a in "$@"; do last=$a; done
if [ "$1" = api ] && [ "$last" = "repos/brightline-materials/blog/pulls/12/reviews" ] && [ -n "$GH_TOKEN" ]; then
	cat "$PEERPRESS_TEST_APPROVALS"
	exit 0
fi
echo "gh shim: unexpected call (GH_TOKEN set: ${GH_TOKEN:+yes}): gh $*" >&2
exit 1
`,
}

// newActionsRun copies the sample blog into a git repository with two
// commits, base and a pull request's change (change edits the copy), and
// prepares the shims.
func newActionsRun(t *testing.T, bin string, change func(r *gitRepo)) *actionsRun {
	t.Helper()
	r := &gitRepo{t: t, root: t.TempDir()}
	r.site = r.root
	copySample(t, r.site)
	r.git("init", "-q", "-b", "main")
	r.commit("The sample blog")
	change(r)
	r.commit("A pull request\n\nChanges a post.")
	a := &actionsRun{t: t, repo: r, shims: t.TempDir(), temp: t.TempDir()}
	a.log = filepath.Join(a.temp, "calls.log")
	a.approvals = filepath.Join(a.temp, "fixture-approvals.json")
	a.writeApprovals()
	for name, script := range shimScripts {
		if err := os.WriteFile(filepath.Join(a.shims, name), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PEERPRESS_TEST_BIN", bin)
	t.Setenv("PEERPRESS_TEST_NOW", sampleNow)
	a.vars = map[string]string{
		"github.token":                       "test-token",
		"github.repository":                  "brightline-materials/blog",
		"github.event.pull_request.number":   "12",
		"github.event.pull_request.head.sha": r.head(),
		"steps.pages.outputs.base_url":       "https://brightline-materials.github.io/blog",
		"runner.temp":                        a.temp,
		"github.workspace":                   r.site,
		"github.sha":                         r.head(),
		"hashFiles('go.sum')":                "0123abcd",
	}
	return a
}

// writeApprovals writes an approvals fixture: the listed logins approved the
// pull request's head commit.
func (a *actionsRun) writeApprovals(logins ...string) {
	a.t.Helper()
	var reviews []map[string]any
	for i, l := range logins {
		reviews = append(reviews, map[string]any{"id": i + 1, "user": map[string]any{"login": l, "type": "User"},
			"state": "APPROVED", "commit_id": a.repo.head(), "submitted_at": fmt.Sprintf("2026-11-20T1%d:00:00Z", i)})
	}
	data, _ := json.Marshal(reviews)
	if reviews == nil {
		data = []byte("[]")
	}
	if err := os.WriteFile(a.approvals, data, 0o644); err != nil {
		a.t.Fatal(err)
	}
}

// copySample copies the sample blog's site files (not the Go code) to dir.
func copySample(t *testing.T, dir string) {
	t.Helper()
	keep := func(p string) bool {
		switch {
		case p == "site.yaml" || p == "go.mod":
			return true
		case strings.HasPrefix(p, "content/"), strings.HasPrefix(p, "themes/default/"):
			return true
		case strings.HasPrefix(p, "policy/") && !strings.Contains(strings.TrimPrefix(p, "policy/"), "/"):
			return !strings.HasSuffix(p, ".go")
		}
		return false
	}
	root := os.DirFS(repoRoot)
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !keep(p) {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// buildBinary builds this package's binary once for a test.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs the workflows' steps")
	}
	requireGit(t)
	requireTool(t, "bash")
	bin := filepath.Join(t.TempDir(), "peerpress")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// stepsByName indexes a job's results by step title.
func stepsByName(wf *workflow, name string, res []stepResult) map[string]stepResult {
	out := map[string]stepResult{}
	for i, s := range wf.Jobs[name].Steps {
		out[s.title(i)] = res[i]
	}
	return out
}

// newPost is a post a pull request adds to the sample blog.
const newPost = `---
title: Why we bake boards before rework
date: 2026-11-20
summary: Moisture, popcorning and the bake that prevents both.
authors: [rosa-chen]
reviewed_by: [tomas-brandvold, kenji-arvola]
audience: public
tags: [rework]
---
Moisture in a package turns to steam at reflow temperatures. A bake first
drives it out; the datasheet's floor life tells you when you need one.
`

// TestWorkflowStepsRunOnSampleBlog runs every job of every workflow on the
// sample blog with a pull request that edits a post. All steps must pass.
func TestWorkflowStepsRunOnSampleBlog(t *testing.T) {
	bin := buildBinary(t)
	a := newActionsRun(t, bin, func(r *gitRepo) {
		p := filepath.Join(r.site, "content/posts/enig-black-pad.md")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r.write("content/posts/enig-black-pad.md", string(data)+"\nOne more measured paragraph.\n")
	})
	ran := 0
	for _, wf := range loadWorkflows(t) {
		for _, name := range wf.jobNames() {
			res := a.runJob(wf, name)
			if wf.file == "publish.yml" && name == "build" {
				// What goes to Pages is built for the Pages address; the
				// internal edition is a separate artifact.
				home, err := os.ReadFile(filepath.Join(a.repo.site, "public", "index.html"))
				if err != nil || !bytes.Contains(home, []byte(`href="https://brightline-materials.github.io/blog/`)) {
					t.Errorf("public/index.html is not built for the Pages base URL (%v)", err)
				}
				internal, err := os.ReadFile(filepath.Join(a.repo.site, "public-internal", "index.html"))
				if err != nil || !bytes.Contains(internal, []byte(`content="noindex"`)) {
					t.Errorf("public-internal/index.html is not the internal edition (%v)", err)
				}
				// The builds kept their code cache where the cache step
				// saves it.
				for _, aud := range []string{"public", "internal"} {
					if packs, _ := filepath.Glob(filepath.Join(a.repo.site, ".peerpress-cache", "code-*-"+aud+".pack")); len(packs) != 1 {
						t.Errorf("the %s build left %d code cache packs in .peerpress-cache, want 1", aud, len(packs))
					}
				}
			}
			for i, r := range res {
				s := wf.Jobs[name].Steps[i]
				if !r.ran {
					t.Errorf("%s: %s: %s did not run", wf.file, name, s.title(i))
				}
				if r.code != 0 {
					t.Errorf("%s: %s: %s exited %d:\n%s%s", wf.file, name, s.title(i), r.code, r.stdout, r.stderr)
				}
				if s.Run != "" {
					ran++
				}
				if strings.Contains(s.Run, "peerpress check") {
					// The sample blog has one waived finding and nothing else.
					if strings.Contains(r.stdout, "::error") || strings.Contains(r.stdout, "::warning") || !strings.Contains(r.stdout, "::notice title=peerpress::") {
						t.Errorf("%s: %s: check annotations:\n%s", wf.file, name, r.stdout)
					}
					if !strings.HasPrefix(r.summary, "### peerpress check: ") || !strings.Contains(r.summary, "| Severity | File |") {
						t.Errorf("%s: %s: nothing appended to $GITHUB_STEP_SUMMARY: %q", wf.file, name, r.summary)
					}
				}
			}
		}
	}
	if ran < 6 {
		t.Errorf("only %d run: steps ran", ran)
	}
	calls := strings.Join(a.calls(), "\n")
	for _, want := range []string{
		"gh api --paginate repos/brightline-materials/blog/pulls/12/reviews",
		"go run ./cmd/peerpress check -format github -sarif peerpress.sarif -changed-since HEAD^1 -approvals " + filepath.Join(a.temp, "approvals.json") + " -head " + a.repo.head(),
		"go run ./cmd/peerpress build -audience internal",
		"go run ./cmd/peerpress build -baseurl https://brightline-materials.github.io/blog/",
		"go run ./cmd/peerpress check -format github -sarif peerpress.sarif\n",
	} {
		if !strings.Contains(calls+"\n", want) {
			t.Errorf("no call %q; calls:\n%s", want, calls)
		}
	}
}

// TestWorkflowVerifiesApproval runs the pull-request workflow with
// review.verify: github on a pull request that adds a post: red until both
// reviewers in reviewed_by have approved the head commit, then green.
func TestWorkflowVerifiesApproval(t *testing.T) {
	bin := buildBinary(t)
	a := newActionsRun(t, bin, func(r *gitRepo) {
		p := filepath.Join(r.site, "policy/disclosure.yaml")
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := regexp.MustCompile(`(?m)^(\s+verify:) none`).ReplaceAllString(string(data), "$1 github")
		if s == string(data) {
			t.Fatal("the sample policy has no review.verify: none to change")
		}
		r.write("policy/disclosure.yaml", s)
		r.write("content/posts/bake-before-rework.md", newPost)
	})
	var pr *workflow
	for _, wf := range loadWorkflows(t) {
		if wf.file == "pull-request.yml" {
			pr = wf
		}
	}
	const title = "Check the policy"

	// Only Kenji has approved: Tomás's name in reviewed_by is a claim.
	a.writeApprovals("karvola", "samirhale")
	steps := stepsByName(pr, "check", a.runJob(pr, "check"))
	check := steps[title]
	if check.code != exitFindings {
		t.Fatalf("check exit %d, want 1:\n%s%s", check.code, check.stdout, check.stderr)
	}
	want := regexp.MustCompile(`(?m)^::error file=content/posts/bake-before-rework\.md,line=6,col=1,title=review\.unverified::no evidence that Tomás Brandvold \(tomas-brandvold\) approved this post`)
	if !want.MatchString(check.stdout) {
		t.Errorf("no annotation on reviewed_by for Tomás:\n%s", check.stdout)
	}
	if n := strings.Count(check.stdout, "title=review.unverified"); n != 1 {
		t.Errorf("%d review.unverified annotations, want 1 (only the new post, only Tomás):\n%s", n, check.stdout)
	}
	if !strings.Contains(check.summary, "| error | content/posts/bake-before-rework.md | 6 | review.unverified |") {
		t.Errorf("the job summary has no row for the finding:\n%s", check.summary)
	}
	if up := steps["Upload the findings to code scanning"]; !up.ran {
		t.Error("the SARIF upload did not run after the check failed")
	}
	sarif, err := os.ReadFile(filepath.Join(a.repo.site, "peerpress.sarif"))
	if err != nil || !bytes.Contains(sarif, []byte(`"ruleId": "review.unverified"`)) {
		t.Errorf("peerpress.sarif does not report review.unverified (%v)", err)
	}

	// Both approve the head commit: green.
	a.writeApprovals("karvola", "TBrandvold")
	steps = stepsByName(pr, "check", a.runJob(pr, "check"))
	if check := steps[title]; check.code != 0 || strings.Contains(check.stdout, "::error") {
		t.Errorf("after both approvals: exit %d:\n%s%s", check.code, check.stdout, check.stderr)
	}
	// The build job does not depend on approvals.
	for i, r := range a.runJob(pr, "build") {
		if !r.ran || r.code != 0 {
			t.Errorf("build: %s: ran %v, exit %d:\n%s", pr.Jobs["build"].Steps[i].title(i), r.ran, r.code, r.stderr)
		}
	}
}

// TestWorkflowCheckOutputs checks the outputs check writes for a workflow:
// -sarif beside another format, and the step summary only with -format
// github in Actions.
func TestWorkflowCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	sarif := filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	code, out, errs := runCLI(t, "check", "-site", repoRoot, "-now", sampleNow, "-format", "github", "-sarif", sarif)
	if code != 0 || !strings.Contains(out, "::notice title=peerpress::") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	got, _ := os.ReadFile(summary)
	if !strings.HasPrefix(string(got), "earlier step\n### peerpress check: ") {
		t.Errorf("summary not appended:\n%s", got)
	}
	var log struct{ Version string }
	if data, err := os.ReadFile(sarif); err != nil || json.Unmarshal(data, &log) != nil || log.Version != "2.1.0" {
		t.Errorf("-sarif wrote no SARIF 2.1.0 log (%v)", err)
	}
	// Other formats leave the summary alone.
	os.WriteFile(summary, nil, 0o644)
	runCLI(t, "check", "-site", repoRoot, "-now", sampleNow, "-format", "json")
	if got, _ := os.ReadFile(summary); len(got) != 0 {
		t.Errorf("-format json wrote the step summary: %q", got)
	}
	if code, _, errs := runCLI(t, "check", "-site", repoRoot, "-now", sampleNow, "-sarif", filepath.Join(dir, "no-such-dir", "x.sarif")); code == 0 || !strings.Contains(errs, "-sarif") {
		t.Errorf("-sarif into a missing directory: exit %d, %s", code, errs)
	}
}

// nodeText returns the YAML text of a node, for simple assertions.
func nodeText(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	b, _ := yaml.Marshal(n)
	return string(b)
}

// TestCodeCachePath: PEERPRESS_CACHE_DIR=off disables the cache; otherwise
// each site and audience has its own pack, under the variable's directory
// or the user cache directory.
func TestCodeCachePath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PEERPRESS_CACHE_DIR", "off")
	if p := codeCachePath("site", "public"); p != "" {
		t.Errorf("off: %q", p)
	}
	t.Setenv("PEERPRESS_CACHE_DIR", dir)
	a, b, c := codeCachePath("site", "public"), codeCachePath("site", "internal"), codeCachePath("other", "public")
	if filepath.Dir(a) != dir || a == b || a == c || b == c || codeCachePath("./site", "public") != a {
		t.Errorf("packs %q %q %q, want three in %s, the same for one site however named", a, b, c, dir)
	}
	t.Setenv("PEERPRESS_CACHE_DIR", "")
	t.Setenv("XDG_CACHE_HOME", dir)
	if p := codeCachePath("site", "public"); filepath.Dir(p) != filepath.Join(dir, "peerpress") {
		t.Errorf("default: %q, want it in %s/peerpress", p, dir)
	}
}
