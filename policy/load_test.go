package policy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/peerpress/peerpress/build/source"
	"golang.org/x/tools/txtar"
)

// baseFS returns the base policy as a MapFS.
func baseFS(t testing.TB) fstest.MapFS {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/base/site.txtar")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fsys[f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return fsys
}

func TestLoadErrors(t *testing.T) {
	const okPeople = "people:\n  ana: {name: Ana, employer: E, title: T, roles: [author]}\n"
	tests := []struct {
		name  string
		files map[string]string // "" deletes a file
		want  []string          // "file:line:col: message fragment"
	}{
		{"missing disclosure", map[string]string{DisclosureFile: ""}, []string{"policy/disclosure.yaml:1:1: file is missing"}},
		{"missing people", map[string]string{PeopleFile: ""}, []string{"policy/people.yaml:1:1: file is missing"}},
		{"yaml syntax", map[string]string{DisclosureFile: "employer:\n  name: [x\n"}, []string{"policy/disclosure.yaml:3:1: invalid YAML"}},
		{"unknown key", map[string]string{DisclosureFile: "employer: {name: E}\nemploier: {}\n"}, []string{`policy/disclosure.yaml:2:1: unknown key "emploier"`}},
		{"nested unknown key", map[string]string{DisclosureFile: "employer:\n  name: E\n  nmae: F\n"}, []string{`policy/disclosure.yaml:3:3: unknown key "nmae" in employer`}},
		{"duplicate key", map[string]string{DisclosureFile: "employer: {name: E}\nemployer: {name: F}\n"}, []string{`policy/disclosure.yaml:2:1: key "employer" is repeated (first at line 1)`}},
		{"mistyped", map[string]string{DisclosureFile: "employer: {name: E}\nreview:\n  min_reviewers: {public: two}\n"}, []string{"policy/disclosure.yaml:3:27: review.min_reviewers.public must be a whole number"}},
		{"list expected", map[string]string{DisclosureFile: "employer: {name: E}\nterms:\n  confidential: {a: b}\n"}, []string{"policy/disclosure.yaml:3:17: terms.confidential must be a list"}},
		{"no employer", map[string]string{DisclosureFile: "terms: {politics: [x]}\n"}, []string{"policy/disclosure.yaml:1:1: employer.name is required"}},
		{"unknown rule", map[string]string{DisclosureFile: "employer: {name: E}\nrules:\n  terms.politcs: warning\n"}, []string{`policy/disclosure.yaml:3:3: unknown rule "terms.politcs"`}},
		{"bad severity", map[string]string{DisclosureFile: "employer: {name: E}\nrules:\n  terms.politics: loud\n"}, []string{`policy/disclosure.yaml:3:19: severity of terms.politics must be error, warning or off`}},
		{"bad placeholder", map[string]string{DisclosureFile: "employer: {name: E}\ndisclosure:\n  share: \"I am {name}\"\n"}, []string{"policy/disclosure.yaml:3:10: disclosure.share uses {name}"}},
		{"product without names", map[string]string{DisclosureFile: "employer: {name: E}\nproducts:\n  flowcore: {}\n"}, []string{"policy/disclosure.yaml:3:3: products.flowcore has no names"}},
		{"shared name", map[string]string{DisclosureFile: "employer: {name: E}\nproducts: {a: {names: [Acme]}}\ncompetitors: {b: {names: [ACME]}}\n"}, []string{`is used by both products.a and competitors.b`}},
		{"bad when", map[string]string{DisclosureFile: "employer: {name: E}\nreview:\n  require_roles: [{when: sometimes, roles: [legal]}]\n"}, []string{`policy/disclosure.yaml:3:26: unknown when "sometimes"`}},
		{"bad verify", map[string]string{DisclosureFile: "employer: {name: E}\nreview: {verify: maybe}\n"}, []string{`policy/disclosure.yaml:2:18: review.verify must be none, trailer or github`}},
		{"missing codenames", map[string]string{"policy/codenames.sha256": ""}, []string{"policy/codenames.sha256:1:1: file is missing"}},
		{"plain codename", map[string]string{"policy/codenames.sha256": "salt: 00112233445566778899aabbccddeeff\nbluejay\n"}, []string{"policy/codenames.sha256:2:1: expected a 64-digit hex SHA-256"}},
		{"hash without salt", map[string]string{"policy/codenames.sha256": strings.Repeat("ab", 32) + "\n"}, []string{"policy/codenames.sha256:1:1: codename hashes without a salt"}},
		{"unknown role", map[string]string{PeopleFile: "people:\n  ana: {name: Ana, roles: [author, editor]}\n"}, []string{`policy/people.yaml:2:36: unknown role "editor"`}},
		{"person unknown key", map[string]string{PeopleFile: "people:\n  ana:\n    name: Ana\n    tilte: X\n"}, []string{`policy/people.yaml:4:5: unknown key "tilte" in person ana`}},
		{"duplicate person", map[string]string{PeopleFile: okPeople + "  ana: {name: Ana}\n"}, []string{`policy/people.yaml:3:3: key "ana" is repeated in people`}},
		{"bad date", map[string]string{PeopleFile: "people:\n  ana: {name: Ana, training: {completed: soon}}\n"}, []string{`policy/people.yaml:2:42: training.completed`}},
		{"active not bool", map[string]string{PeopleFile: "people:\n  ana: {name: Ana, active: \"yes\"}\n"}, []string{`policy/people.yaml:2:28: active must be true or false`}},
		{"no name", map[string]string{PeopleFile: "people:\n  ana: {title: X}\n"}, []string{`policy/people.yaml:2:3: person "ana" has no name`}},
		{"waivers not a list", map[string]string{WaiversFile: "id: x\n"}, []string{"policy/waivers.yaml:1:1: waivers.yaml must be a list"}},
		{"waiver missing field", map[string]string{WaiversFile: "- id: w\n  rule: terms.politics\n  path: x.md\n  approver: sam\n  expires: 2027-01-01\n"}, []string{`policy/waivers.yaml:1:3: waiver "w" has no reason`}},
		{"waiver unknown key", map[string]string{WaiversFile: "- id: w\n  rule: terms.politics\n  path: x.md\n  reason: r\n  approver: sam\n  expires: 2027-01-01\n  approved: yes\n"}, []string{`policy/waivers.yaml:7:3: unknown key "approved" in waiver`}},
		{"waiver duplicate id", map[string]string{WaiversFile: "- {id: w, rule: terms.politics, path: x, reason: r, approver: sam, expires: 2027-01-01}\n- {id: w, rule: terms.politics, path: x, reason: r, approver: sam, expires: 2027-01-01}\n"}, []string{`policy/waivers.yaml:2:3: waiver id "w" is repeated`}},
		{"several", map[string]string{DisclosureFile: "employer: {name: E}\nfoo: 1\nbar: 2\n"}, []string{`policy/disclosure.yaml:2:1: unknown key "foo"`, `policy/disclosure.yaml:3:1: unknown key "bar"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := baseFS(t)
			for name, data := range tt.files {
				if data == "" {
					delete(fsys, name)
				} else {
					fsys[name] = &fstest.MapFile{Data: []byte(data)}
				}
			}
			_, err := Load(fsys)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			var se *source.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *source.Error", err, err)
			}
			if len(tt.want) == 1 {
				if _, ok := err.(*source.Error); !ok {
					t.Errorf("a single problem should be a bare *source.Error, got %T: %v", err, err)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n\t%v\ndoes not contain\n\t%s", err, w)
				}
			}
		})
	}
}

func TestLoadAccessors(t *testing.T) {
	p, err := Load(baseFS(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.EmployerName(); got != "Brightline Materials" {
		t.Errorf("EmployerName = %q", got)
	}
	ana, ok := p.Person("ana")
	if !ok || ana.Name != "Ana Ruiz" || !ana.Active || !ana.HasRole(RoleReviewer) || ana.GitHub != "anaruiz" ||
		!ana.TrainingExpires.Equal(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Person(ana) = %+v, %v", ana, ok)
	}
	if _, ok := p.Person("zed"); ok {
		t.Error("Person(zed) found")
	}
	if old, _ := p.Person("old"); old.Active {
		t.Error("old should be inactive")
	}
	var ids []string
	for _, per := range p.People() {
		ids = append(ids, per.ID)
	}
	if got := strings.Join(ids, ","); got != "ana,ben,cy,dee,lapsed,notitle,old,pat,sam,soon" {
		t.Errorf("People() = %s", got)
	}
	if got := p.Statement(ana); got != "Ana Ruiz is a Process Engineer at Brightline Materials." {
		t.Errorf("Statement = %q", got)
	}
	if got := p.ShareDisclosure(); got != "I work at Brightline Materials." {
		t.Errorf("ShareDisclosure = %q", got)
	}
	if p.Severity("terms.politics") != Warning || p.Severity("secret.key") != Error {
		t.Error("default severities")
	}
	// {short} and a person's own employer.
	fsys := baseFS(t)
	fsys[DisclosureFile] = &fstest.MapFile{Data: []byte("employer: {name: Brightline Materials, short: Brightline}\ndisclosure:\n  statement: \"{name} ({title}, {employer}) #{short}\"\n  share: \"#{short}Employee\"\n")}
	fsys[PeopleFile] = &fstest.MapFile{Data: []byte("people:\n  x: {name: Xi, title: Intern, employer: Brightline Labs GmbH}\n")}
	p, err = Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := p.Person("x")
	if got := p.Statement(x); got != "Xi (Intern, Brightline Labs GmbH) #Brightline" {
		t.Errorf("Statement = %q", got)
	}
	if got := p.ShareDisclosure(); got != "#BrightlineEmployee" {
		t.Errorf("ShareDisclosure = %q", got)
	}
	// Optional waivers file; empty files.
	fsys[WaiversFile] = &fstest.MapFile{Data: []byte("# no waivers yet\n")}
	if _, err := Load(fsys); err != nil {
		t.Errorf("empty waivers.yaml: %v", err)
	}
}

func TestDiscussesProducts(t *testing.T) {
	p, err := Load(baseFS(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		src  string
		want bool
	}{
		{"---\ntitle: x\nproducts: [flowcore]\n---\nNothing.\n", true},
		{"---\ntitle: About NovaPaste\n---\nNothing.\n", true},
		{"---\ntitle: x\n---\n```\nflowcore --version\n```\n", true},
		{"---\ntitle: x\nshare: {x: \"FlowCore!\"}\n---\nNothing.\n", true},
		{"---\ntitle: x\n---\nFlow core, novapastes.\n", false},
		{"---\ntitle: x\nsummary: Then NovaPaste.\n---\nFirst FlowCore, then novapaste.\n", true},
	} {
		f, err := source.Parse("content/posts/x.md", []byte(tt.src))
		if err != nil {
			t.Fatal(err)
		}
		m, _ := source.DecodeMeta(f)
		if got := p.DiscussesProducts(&Post{Path: f.Path, File: f, Meta: m}); got != tt.want {
			t.Errorf("DiscussesProducts(%q) = %v", tt.src, got)
		}
		// After a check, the answer (and the position) comes from what the
		// check found; it must be what a fresh scan finds.
		fresh := &Post{Path: f.Path, File: f, Meta: m}
		wantPos, wantOK := p.firstProduct(fresh)
		checked := &Post{Path: f.Path, File: f}
		p.Check(context.Background(), baseFS(t), []*Post{checked}, Options{})
		if checked.scannedBy != p {
			t.Fatal("the check did not remember its scan")
		}
		if pos, ok := p.firstProduct(checked); pos != wantPos || ok != wantOK {
			t.Errorf("%q: after the check firstProduct = %v %v, a fresh scan %v %v", tt.src, pos, ok, wantPos, wantOK)
		}
	}
	if p.DiscussesProducts(&Post{Path: "x"}) {
		t.Error("a post that failed to parse discusses nothing")
	}
}

func TestStatementArticle(t *testing.T) {
	p, err := Load(baseFS(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ title, want string }{
		{"Process Engineer", "Kim Lee is a Process Engineer at Brightline Materials."},
		{"Applications Engineer", "Kim Lee is an Applications Engineer at Brightline Materials."},
		{"engineering manager", "Kim Lee is an engineering manager at Brightline Materials."},
		{"Intern", "Kim Lee is an Intern at Brightline Materials."},
		{"Owner of test", "Kim Lee is an Owner of test at Brightline Materials."},
		{"Unix administrator", "Kim Lee is a Unix administrator at Brightline Materials."},
		{"User researcher", "Kim Lee is a User researcher at Brightline Materials."},
		{"Undergraduate intern", "Kim Lee is an Undergraduate intern at Brightline Materials."},
		{"European sales lead", "Kim Lee is a European sales lead at Brightline Materials."},
		{"SRE", "Kim Lee is an SRE at Brightline Materials."},
		{"QA lead", "Kim Lee is a QA lead at Brightline Materials."},
		{"UX designer", "Kim Lee is a UX designer at Brightline Materials."},
		{"Hardware engineer", "Kim Lee is a Hardware engineer at Brightline Materials."},
		{"Honorary fellow", "Kim Lee is an Honorary fellow at Brightline Materials."},
	} {
		if got := p.Statement(&Person{Name: "Kim Lee", Title: tt.title}); got != tt.want {
			t.Errorf("title %q: Statement = %q, want %q", tt.title, got, tt.want)
		}
	}
	// Only the article right before {title} changes.
	p.statement = "{name} is a member of staff, a {title}."
	if got := p.Statement(&Person{Name: "Kim", Title: "Engineer"}); got != "Kim is a member of staff, an Engineer." {
		t.Errorf("Statement = %q", got)
	}
	p.statement = "{name}: Data {title}"
	if got := p.Statement(&Person{Name: "Kim", Title: "Engineer"}); got != "Kim: Data Engineer" {
		t.Errorf("Statement = %q (a word ending in a is no article)", got)
	}
}
