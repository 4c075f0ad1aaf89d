package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/peerpress/peerpress/build/source"
)

// newSite is a site with the sample blog's site.yaml and policy and no posts.
func newSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "policy"), os.DirFS(filepath.Join(repoRoot, "policy"))); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "site.yaml"), string(data))
	return dir
}

// gitEnv isolates git from the machine's own configuration.
func gitEnv(t *testing.T) {
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

func gitConfigEmail(t *testing.T, dir, email string) {
	t.Helper()
	requireTool(t, "git")
	for _, args := range [][]string{{"init", "-q"}, {"config", "user.email", email}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

func TestNew(t *testing.T) {
	gitEnv(t)
	const title = "Why our reflow profile has a soak zone"
	const file = "content/posts/why-our-reflow-profile-has-a-soak-zone.md"
	tests := []struct {
		name   string
		setup  func(t *testing.T, dir string)
		args   []string
		code   int
		author string // in the created file
		out    string // in stdout+stderr
	}{
		{"author flag", nil, []string{"-author", "mirela-osei"}, 0, "mirela-osei", "created "},
		{"author from git config user.email", func(t *testing.T, dir string) { gitConfigEmail(t, dir, "Rosa.Chen@Brightline.example") }, nil, 0, "rosa-chen", "a draft by Rosa Chen"},
		{"git email unknown", func(t *testing.T, dir string) { gitConfigEmail(t, dir, "someone@elsewhere.example") }, nil, 2, "",
			"nobody in policy/people.yaml has the email someone@elsewhere.example (git config user.email); pass -author ID, one of: dalia-ferreyra, kenji-arvola, mirela-osei, rosa-chen, tomas-brandvold"},
		{"no git email", nil, nil, 2, "", "git config user.email is not set; pass -author ID, one of: dalia-ferreyra,"},
		{"unknown author", nil, []string{"-author", "nobody"}, 2, "", `"nobody" is not in policy/people.yaml; authors there are: dalia-ferreyra, kenji-arvola, mirela-osei, rosa-chen, tomas-brandvold`},
		{"not an author", nil, []string{"-author", "samir-hale"}, 2, "", "does not hold the author role"},
		{"inactive author", nil, []string{"-author", "bertil-lundgaard"}, 2, "", "is not active"},
		{"refuses to overwrite", func(t *testing.T, dir string) { mustWrite(t, filepath.Join(dir, file), "my draft\n") }, []string{"-author", "rosa-chen"}, 1, "", "already exists; not overwriting it"},
		{"refuses to shadow a bundle", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "content/posts/why-our-reflow-profile-has-a-soak-zone/index.md"), "my bundle\n")
		}, []string{"-author", "rosa-chen"}, 1, "", "already exists (a post bundle?)"},
		{"bad date", nil, []string{"-author", "rosa-chen", "-now", "tomorrow"}, 2, "", "-now"},
		{"refuses a slug another post has", func(t *testing.T, dir string) {
			mustWrite(t, filepath.Join(dir, "content/posts/soak.md"), "---\ntitle: Soak\nslug: why-our-reflow-profile-has-a-soak-zone\n---\nx\n")
		}, []string{"-author", "rosa-chen"}, 1, "", "content/posts/soak.md already has the URL /posts/why-our-reflow-profile-has-a-soak-zone/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newSite(t)
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before, _ := os.ReadFile(filepath.Join(dir, file))
			args := append([]string{"new", "-site", dir, "-now", "2026-11-20"}, tt.args...)
			code, out, errs := runCLI(t, append(args, strings.Fields(title)...)...)
			if code != tt.code || !strings.Contains(out+errs, tt.out) {
				t.Fatalf("exit %d, want %d; output:\n%s%s", code, tt.code, out, errs)
			}
			after, err := os.ReadFile(filepath.Join(dir, file))
			if tt.code != 0 {
				if string(after) != string(before) {
					t.Errorf("the file changed:\n%s", after)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, filepath.Join(dir, file)) || !strings.Contains(out, "peerpress serve -site "+dir) || !strings.Contains(out, "reviewed_by") {
				t.Errorf("output does not give the path and the next step:\n%s", out)
			}
			f, err := source.Parse(file, after)
			if err != nil {
				t.Fatal(err)
			}
			m, probs := source.DecodeMeta(f)
			if len(probs) > 0 {
				t.Errorf("front matter problems: %v", probs)
			}
			if m.Title != title || len(m.Authors) != 1 || m.Authors[0] != tt.author || m.Audience != "public" || !m.Draft ||
				m.Date.Format("2006-01-02") != "2026-11-20" || m.Summary == "" || len(m.ReviewedBy) != 0 {
				t.Errorf("front matter %+v", m)
			}
			_, line, _ := strings.Cut(string(after), "#   reviewers: ")
			line, _, _ = strings.Cut(line, "\n")
			if !strings.Contains(string(after), "# reviewed_by: who approved the post") || !strings.Contains(line, "hanne-quist") || strings.Contains(line, tt.author) {
				t.Errorf("no comment telling what reviewed_by needs (reviewers other than the author):\n%s", after)
			}
		})
	}
}

// TestNewPassesCheck: the scaffold passes `check` once reviewers are filled
// in, and fails it before (no reviewers).
func TestNewPassesCheck(t *testing.T) {
	gitEnv(t)
	dir := newSite(t)
	title := `Tin "whiskers": 10% of the story — über-dense plating`
	if code, out, errs := runCLI(t, "new", "-site", dir, "-author", "kenji-arvola", "-now", "2026-11-20", title); code != 0 {
		t.Fatalf("new: exit %d\n%s%s", code, out, errs)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "content", "posts", "*.md"))
	if len(matches) != 1 {
		t.Fatalf("created %v", matches)
	}
	post := matches[0]
	rel, _ := filepath.Rel(dir, post)
	check := func() (int, []string) {
		code, out, errs := runCLI(t, "check", "-site", dir, "-now", sampleNow, "-format", "json", filepath.ToSlash(rel))
		var rep struct {
			Findings []struct{ File, Rule, Severity string }
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("check output: %v\n%s%s", err, out, errs)
		}
		var rules []string
		for _, f := range rep.Findings {
			if f.File == filepath.ToSlash(rel) {
				rules = append(rules, f.Severity+" "+f.Rule)
			}
		}
		return code, rules
	}
	if code, rules := check(); code != 1 || strings.Join(rules, ",") != "error review.missing" {
		t.Errorf("before reviewers: exit %d, findings %v; want exit 1 and review.missing only", code, rules)
	}
	replaceIn(t, post, "reviewed_by: []", "reviewed_by: [rosa-chen, tomas-brandvold]")
	if code, rules := check(); code != 0 || len(rules) != 0 {
		t.Errorf("with reviewers: exit %d, findings %v; want a clean check", code, rules)
	}
	data, _ := os.ReadFile(post)
	f, err := source.Parse(filepath.ToSlash(rel), data)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := source.DecodeMeta(f); m.Title != title {
		t.Errorf("title %q, want %q", m.Title, title)
	}
}

// TestShortSlug: a long title gives a file name of at most maxSlug bytes,
// cut at a dash or, without one, at a rune boundary.
func TestShortSlug(t *testing.T) {
	long := strings.Repeat("solder-", 30)
	for _, tt := range []struct{ in, want string }{
		{"short-title", "short-title"},
		{long, strings.TrimSuffix(strings.Repeat("solder-", 11), "-")},
		{strings.Repeat("é", 60), strings.Repeat("é", 40)},
	} {
		got := shortSlug(tt.in)
		if got != tt.want || len(got) > maxSlug || !utf8.ValidString(got) {
			t.Errorf("shortSlug(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	dir := newSite(t)
	code, out, errs := runCLI(t, "new", "-site", dir, "-author", "rosa-chen", strings.Repeat("Reflow profile soak zone ", 15))
	if code != 0 || !strings.Contains(out, "content/posts/reflow-profile-soak-zone-") {
		t.Errorf("a 375-character title: exit %d\n%s%s", code, out, errs)
	}
}
