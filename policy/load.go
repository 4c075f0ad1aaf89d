package policy

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/peerpress/peerpress/build/source"
	yaml "go.yaml.in/yaml/v4"
)

// The policy files, relative to the site root.
const (
	DisclosureFile = "policy/disclosure.yaml"
	PeopleFile     = "policy/people.yaml"
	WaiversFile    = "policy/waivers.yaml"
)

// Roles a person may hold in people.yaml.
const (
	RoleAuthor         = "author"
	RoleReviewer       = "reviewer"
	RoleLegal          = "legal"
	RoleComms          = "comms"
	RolePolicyApprover = "policy-approver"
)

// Person is one entry of policy/people.yaml.
type Person struct {
	ID, Name, Email, GitHub, Employer, Title string
	// Roles are among author, reviewer, legal, comms and policy-approver.
	Roles []string
	// Active is false for people who left or stopped blogging (default true).
	Active bool
	// TrainingCompleted and TrainingExpires are the social-media training
	// dates; zero when not recorded.
	TrainingCompleted, TrainingExpires time.Time
	// Profiles maps a network (linkedin, mastodon, x, bluesky, website) to a
	// handle or URL.
	Profiles map[string]string
	// Line is the line of the person's id in people.yaml.
	Line int
}

// HasRole reports whether the person holds role.
func (p *Person) HasRole(role string) bool {
	for _, r := range p.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Entity is a product, competitor or client of disclosure.yaml.
type Entity struct {
	ID    string
	Names []string
	// ReferenceApproved is, for clients, whether the client agreed to be named.
	ReferenceApproved bool
}

// roleRule is one review.require_roles entry.
type roleRule struct {
	when  string
	roles []string
}

// Waiver is one entry of policy/waivers.yaml.
type Waiver struct {
	ID, Rule, Path, Match, Reason, Approver string
	Expires                                 time.Time
	// Pos is the position of the entry; RulePos, ApproverPos and ExpiresPos
	// those of its values.
	Pos, RulePos, ApproverPos, ExpiresPos source.Pos
}

// Policy is a loaded, validated policy: disclosure.yaml, people.yaml,
// waivers.yaml and the codename hashes. It is read-only after Load and safe
// for concurrent use.
type Policy struct {
	employerName, employerShort string
	domains, internalDomains    []string

	statement, share    string
	shareText           string // share, expanded
	approved, ambiguous []string

	products, competitors, clients []Entity

	confidential, politics []string
	codenameFile           string
	salt                   string
	codenames              map[[32]byte]bool
	// codenameFilter has bit k set when a codename hash starts with the
	// little-endian 16-bit k: nearly every window hashed is no codename,
	// and this 8 KiB filter says so without a map lookup.
	codenameFilter *[1 << 16 / 64]uint64

	minReviewers map[string]int
	requireRoles []roleRule
	verify       string

	severity map[string]Severity

	people  map[string]*Person
	sorted  []*Person
	waivers []Waiver

	match *matcher
	seed  uint64 // for word hashes
	// sum is the SHA-256 of the disclosure and codename files as read, for
	// ScanCache keys.
	sum   [sha256.Size]byte
	stop  *stopSet
	probe *prober
}

// Load reads and validates the policy files of the site rooted at fsys.
// policy/disclosure.yaml and policy/people.yaml are required;
// policy/waivers.yaml is optional. Every problem is a *source.Error naming
// file:line:col; several are returned joined (errors.As finds the first).
func Load(fsys fs.FS) (*Policy, error) {
	p := &Policy{
		minReviewers: map[string]int{"public": 2, "internal": 1},
		severity:     map[string]Severity{},
		people:       map[string]*Person{},
		verify:       "none",
		seed:         rand.Uint64(),
	}
	for _, r := range ruleTable() {
		p.severity[r.ID] = r.Severity
	}
	var errs []*source.Error
	// The word scanner's terms and codenames come from these two files
	// (people and waivers play no part in it): their bytes key ScanCache.
	sum := sha256.New()
	hashed := func(name string, data []byte) {
		fmt.Fprintf(sum, "%s\x00%d\x00", name, len(data))
		sum.Write(data)
	}
	read := func(name string, optional bool) ([]byte, bool) {
		data, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			if !optional {
				errs = append(errs, source.Errorf(name, source.Pos{Line: 1, Col: 1}, "file is missing; every peerpress site needs %s (see SPEC §4)", name))
			}
			return nil, false
		}
		if err != nil {
			errs = append(errs, source.Errorf(name, source.Pos{Line: 1, Col: 1}, "cannot read: %v", err))
			return nil, false
		}
		return data, true
	}
	if data, ok := read(DisclosureFile, false); ok {
		hashed(DisclosureFile, data)
		d := &decoder{path: DisclosureFile}
		p.loadDisclosure(d, data)
		errs = append(errs, d.errs...)
		if p.codenameFile != "" && len(d.errs) == 0 {
			if cd, ok := read(p.codenameFile, false); ok {
				hashed(p.codenameFile, cd)
				set, salt, err := parseCodenames(p.codenameFile, cd)
				if err != nil {
					errs = append(errs, err)
				}
				p.codenames, p.salt = set, salt
				p.codenameFilter = new([1 << 16 / 64]uint64)
				for h := range set {
					k := binary.LittleEndian.Uint16(h[:])
					p.codenameFilter[k/64] |= 1 << (k % 64)
				}
			}
		}
	}
	if data, ok := read(PeopleFile, false); ok {
		d := &decoder{path: PeopleFile}
		p.loadPeople(d, data)
		errs = append(errs, d.errs...)
	}
	if data, ok := read(WaiversFile, true); ok {
		d := &decoder{path: WaiversFile}
		p.loadWaivers(d, data)
		errs = append(errs, d.errs...)
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	sum.Sum(p.sum[:0])
	p.match = newMatcher(p)
	p.stop = newStopSet(p.seed)
	p.probe = newProber(p.internalDomains)
	return p, nil
}

func (p *Policy) loadDisclosure(d *decoder, data []byte) {
	root := d.parse(data)
	if root == nil {
		if len(d.errs) == 0 {
			d.errorf(nil, "the disclosure policy is empty; it needs at least employer: {name: ...}")
		}
		return
	}
	var employerNode *yaml.Node
	statement, share := "{name} is a {title} at {employer}.", "I work at {employer}."
	var approved, ambiguous []string
	var approvedNode, ambiguousNode, statementNode, shareNode *yaml.Node
	ambiguous = []string{"#sp", "#spon", "#ambassador", "#partner", "#collab"}
	entities := func(what string, clients bool) func(k, v *yaml.Node) {
		return func(_, v *yaml.Node) {
			var out []Entity
			d.entries(v, what, func(k, v *yaml.Node) {
				e := Entity{ID: k.Value}
				fields := []field{{"names", func(_, v *yaml.Node) { e.Names = d.strList(v, what+"."+e.ID+".names") }}}
				if clients {
					fields = append(fields, field{"reference_approved", func(_, v *yaml.Node) { e.ReferenceApproved = d.boolean(v, "reference_approved") }})
				}
				if !d.mapping(v, what+"."+e.ID, fields...) {
					return
				}
				if len(e.Names) == 0 {
					d.errorf(k, "%s.%s has no names; list how the text spells it, like names: [%s]", what, e.ID, e.ID)
				}
				for _, n := range e.Names {
					if len(tokenWords(n)) == 0 {
						d.errorf(k, "%s.%s name %q has no letters or digits", what, e.ID, n)
					}
				}
				out = append(out, e)
			})
			switch what {
			case "products":
				p.products = out
			case "competitors":
				p.competitors = out
			default:
				p.clients = out
			}
		}
	}
	d.mapping(root, "disclosure.yaml",
		field{"employer", func(k, v *yaml.Node) {
			employerNode = k
			d.mapping(v, "employer",
				field{"name", func(_, v *yaml.Node) { p.employerName = d.str(v, "employer.name") }},
				field{"short", func(_, v *yaml.Node) { p.employerShort = d.str(v, "employer.short") }},
				field{"domains", func(_, v *yaml.Node) { p.domains = lowerAll(d.strList(v, "employer.domains")) }},
				field{"internal_domains", func(_, v *yaml.Node) { p.internalDomains = lowerAll(d.strList(v, "employer.internal_domains")) }},
			)
		}},
		field{"disclosure", func(_, v *yaml.Node) {
			d.mapping(v, "disclosure",
				field{"statement", func(_, v *yaml.Node) { statement, statementNode = d.str(v, "disclosure.statement"), v }},
				field{"share", func(_, v *yaml.Node) { share, shareNode = d.str(v, "disclosure.share"), v }},
				field{"approved", func(_, v *yaml.Node) { approved, approvedNode = d.strList(v, "disclosure.approved"), v }},
				field{"ambiguous", func(_, v *yaml.Node) { ambiguous, ambiguousNode = d.strList(v, "disclosure.ambiguous"), v }},
			)
		}},
		field{"products", entities("products", false)},
		field{"competitors", entities("competitors", false)},
		field{"clients", entities("clients", true)},
		field{"terms", func(_, v *yaml.Node) {
			d.mapping(v, "terms",
				field{"confidential", func(_, v *yaml.Node) { p.confidential = d.strList(v, "terms.confidential") }},
				field{"politics", func(_, v *yaml.Node) { p.politics = d.strList(v, "terms.politics") }},
				field{"codenames", func(_, v *yaml.Node) {
					d.mapping(v, "terms.codenames", field{"sha256_file", func(_, v *yaml.Node) {
						f := d.str(v, "terms.codenames.sha256_file")
						if f == "" {
							return
						}
						clean := path.Clean(strings.TrimPrefix(f, "./"))
						if !fs.ValidPath(clean) {
							d.errorf(v, "terms.codenames.sha256_file must be a path inside the site, like policy/codenames.sha256")
							return
						}
						p.codenameFile = clean
					}})
				}},
			)
		}},
		field{"review", func(_, v *yaml.Node) {
			d.mapping(v, "review",
				field{"min_reviewers", func(_, v *yaml.Node) {
					d.mapping(v, "review.min_reviewers",
						field{"public", func(_, v *yaml.Node) { p.minReviewers["public"] = d.integer(v, "review.min_reviewers.public") }},
						field{"internal", func(_, v *yaml.Node) { p.minReviewers["internal"] = d.integer(v, "review.min_reviewers.internal") }},
					)
				}},
				field{"require_roles", func(_, v *yaml.Node) {
					if isNull(v) {
						return
					}
					if v.Kind != yaml.SequenceNode {
						d.errorf(v, "review.require_roles must be a list of {when, roles}")
						return
					}
					for _, e := range v.Content {
						e = resolve(e)
						var rr roleRule
						var whenNode *yaml.Node
						d.mapping(e, "review.require_roles entry",
							field{"when", func(_, v *yaml.Node) { rr.when, whenNode = d.str(v, "when"), v }},
							field{"roles", func(_, v *yaml.Node) {
								rr.roles = d.strList(v, "roles")
								for i, r := range rr.roles {
									if !knownRole(r) {
										d.errorf(v.Content[min(i, len(v.Content)-1)], "unknown role %q; roles are author, reviewer, legal, comms, policy-approver", r)
									}
								}
							}},
						)
						switch rr.when {
						case "competitors", "clients", "products", "official", "public", "internal", "always":
						case "":
							d.errorf(e, "review.require_roles entry needs when: (competitors, clients, products, official, public, internal or always)")
						default:
							d.errorf(whenNode, "unknown when %q; use competitors, clients, products, official, public, internal or always", rr.when)
						}
						if len(rr.roles) == 0 {
							d.errorf(e, "review.require_roles entry needs roles: [...]")
						}
						p.requireRoles = append(p.requireRoles, rr)
					}
				}},
				field{"verify", func(_, v *yaml.Node) {
					p.verify = d.str(v, "review.verify")
					switch p.verify {
					case "none", "trailer", "github":
					default:
						d.errorf(v, "review.verify must be none, trailer or github, not %q", p.verify)
					}
				}},
			)
		}},
		field{"rules", func(_, v *yaml.Node) {
			d.entries(v, "rules", func(k, v *yaml.Node) {
				if defaultSeverity(k.Value) == "" {
					d.errorf(k, "unknown rule %q; `peerpress check -explain x` lists the rules", k.Value)
					return
				}
				s := Severity(d.str(v, "rules."+k.Value))
				switch s {
				case Error, Warning, Off:
					p.severity[k.Value] = s
				case "":
				default:
					d.errorf(v, "severity of %s must be error, warning or off, not %q", k.Value, s)
				}
			})
		}},
	)
	if p.employerName == "" && len(d.errs) == 0 {
		d.errorf(employerNode, "employer.name is required: the disclosure names the employer")
	}
	if p.employerShort == "" {
		p.employerShort = p.employerName
	}
	d.placeholders(statementNode, "disclosure.statement", statement, "name", "title", "employer", "short")
	d.placeholders(shareNode, "disclosure.share", share, "employer", "short")
	p.statement, p.share = statement, share
	p.shareText = p.expand(share, nil)
	if approved == nil {
		approved = []string{strings.TrimRight(share, ". ")}
	}
	for _, a := range approved {
		if approvedNode != nil {
			d.placeholders(approvedNode, "disclosure.approved", a, "employer", "short")
		}
		p.approved = append(p.approved, p.expand(a, nil))
	}
	for _, a := range ambiguous {
		d.placeholders(ambiguousNode, "disclosure.ambiguous", a, "employer", "short")
		p.ambiguous = append(p.ambiguous, p.expand(a, nil))
	}
	// A name may belong to one entity only, or a match would be ambiguous.
	owner := map[string]string{}
	for _, g := range []struct {
		what string
		es   []Entity
	}{{"products", p.products}, {"competitors", p.competitors}, {"clients", p.clients}} {
		for _, e := range g.es {
			for _, n := range e.Names {
				key := strings.Join(tokenWords(n), " ")
				if o, ok := owner[key]; ok && o != g.what+"."+e.ID {
					d.errorf(root, "name %q is used by both %s and %s.%s", n, o, g.what, e.ID)
				}
				owner[key] = g.what + "." + e.ID
			}
		}
	}
}

func knownRole(r string) bool {
	switch r {
	case RoleAuthor, RoleReviewer, RoleLegal, RoleComms, RolePolicyApprover:
		return true
	}
	return false
}

func lowerAll(s []string) []string {
	for i := range s {
		s[i] = strings.ToLower(strings.TrimSpace(s[i]))
	}
	return s
}

func (p *Policy) loadPeople(d *decoder, data []byte) {
	root := d.parse(data)
	if root == nil {
		if len(d.errs) == 0 {
			d.errorf(nil, "people.yaml is empty; it needs people: {id: {name: ...}}")
		}
		return
	}
	d.mapping(root, "people.yaml", field{"people", func(_, v *yaml.Node) {
		d.entries(v, "people", func(k, v *yaml.Node) {
			per := &Person{ID: k.Value, Active: true, Line: k.Line}
			d.mapping(v, "person "+k.Value,
				field{"name", func(_, v *yaml.Node) { per.Name = d.str(v, "name") }},
				field{"email", func(_, v *yaml.Node) { per.Email = d.str(v, "email") }},
				field{"github", func(_, v *yaml.Node) { per.GitHub = d.str(v, "github") }},
				field{"employer", func(_, v *yaml.Node) { per.Employer = d.str(v, "employer") }},
				field{"title", func(_, v *yaml.Node) { per.Title = d.str(v, "title") }},
				field{"roles", func(_, v *yaml.Node) {
					per.Roles = d.strList(v, "roles")
					for i, r := range per.Roles {
						if !knownRole(r) {
							n := v
							if v.Kind == yaml.SequenceNode && i < len(v.Content) {
								n = v.Content[i]
							}
							d.errorf(n, "unknown role %q; roles are author, reviewer, legal, comms, policy-approver", r)
						}
					}
				}},
				field{"active", func(_, v *yaml.Node) { per.Active = d.boolean(v, "active") }},
				field{"training", func(_, v *yaml.Node) {
					d.mapping(v, "training",
						field{"completed", func(_, v *yaml.Node) { per.TrainingCompleted = d.date(v, "training.completed") }},
						field{"expires", func(_, v *yaml.Node) { per.TrainingExpires = d.date(v, "training.expires") }},
					)
				}},
				field{"profiles", func(_, v *yaml.Node) {
					per.Profiles = map[string]string{}
					d.entries(v, "profiles", func(k, v *yaml.Node) { per.Profiles[k.Value] = d.str(v, "profiles."+k.Value) })
				}},
			)
			if per.Name == "" && v.Kind == yaml.MappingNode {
				d.errorf(k, "person %q has no name; the byline needs one", k.Value)
			}
			if !per.TrainingCompleted.IsZero() && !per.TrainingExpires.IsZero() && per.TrainingExpires.Before(per.TrainingCompleted) {
				d.errorf(k, "person %q: training expires before it was completed", k.Value)
			}
			p.people[per.ID] = per
			p.sorted = append(p.sorted, per)
		})
	}})
	sort.Slice(p.sorted, func(i, j int) bool { return p.sorted[i].ID < p.sorted[j].ID })
}

func (p *Policy) loadWaivers(d *decoder, data []byte) {
	root := d.parse(data)
	if root == nil {
		return
	}
	if root.Kind != yaml.SequenceNode {
		d.errorf(root, "waivers.yaml must be a list of waivers (- id: ...)")
		return
	}
	seen := map[string]int{}
	for _, e := range root.Content {
		e = resolve(e)
		w := Waiver{Pos: source.NodePos(e)}
		have := map[string]bool{}
		ok := d.mapping(e, "waiver",
			field{"id", func(_, v *yaml.Node) { w.ID = d.str(v, "id") }},
			field{"rule", func(_, v *yaml.Node) { w.Rule, w.RulePos = d.str(v, "rule"), source.NodePos(v) }},
			field{"path", func(_, v *yaml.Node) { w.Path = path.Clean(strings.TrimPrefix(d.str(v, "path"), "./")) }},
			field{"match", func(_, v *yaml.Node) { w.Match = d.str(v, "match") }},
			field{"reason", func(_, v *yaml.Node) { w.Reason = strings.TrimSpace(d.str(v, "reason")) }},
			field{"approver", func(_, v *yaml.Node) { w.Approver, w.ApproverPos = d.str(v, "approver"), source.NodePos(v) }},
			field{"expires", func(_, v *yaml.Node) { w.Expires, w.ExpiresPos = d.date(v, "expires"), source.NodePos(v) }},
		)
		if !ok {
			continue
		}
		for i := 0; i+1 < len(e.Content); i += 2 {
			have[e.Content[i].Value] = true
		}
		for _, k := range []string{"id", "rule", "path", "reason", "approver", "expires"} {
			if !have[k] {
				d.errorf(e, "waiver%s has no %s; a waiver needs id, rule, path, reason, approver and expires", idSuffix(w.ID), k)
			}
		}
		if w.ID != "" {
			if line, dup := seen[w.ID]; dup {
				d.errorf(e, "waiver id %q is repeated (first at line %d)", w.ID, line)
			}
			seen[w.ID] = e.Line
		}
		p.waivers = append(p.waivers, w)
	}
}

func idSuffix(id string) string {
	if id == "" {
		return ""
	}
	return fmt.Sprintf(" %q", id)
}

// Person returns the person with the given id.
func (p *Policy) Person(id string) (*Person, bool) {
	per, ok := p.people[id]
	return per, ok
}

// People returns everyone in people.yaml, sorted by id.
func (p *Policy) People() []*Person {
	return append([]*Person(nil), p.sorted...)
}

// EmployerName returns employer.name.
func (p *Policy) EmployerName() string { return p.employerName }

// Waivers returns the waivers of policy/waivers.yaml in file order.
func (p *Policy) Waivers() []Waiver { return append([]Waiver(nil), p.waivers...) }

// Severity returns the effective severity of a rule: the rules: override of
// disclosure.yaml or the default. It is "" for an unknown rule.
func (p *Policy) Severity(rule string) Severity {
	return p.severity[rule]
}

// Statement returns disclosure.statement for person, with {name}, {title},
// {employer} (the person's, else employer.name) and {short} filled in.
func (p *Policy) Statement(person *Person) string {
	return p.expand(p.statement, person)
}

// ShareDisclosure returns disclosure.share with {employer} and {short}
// filled in, e.g. "I work at Brightline Materials.".
func (p *Policy) ShareDisclosure() string {
	return p.shareText
}

func (p *Policy) expand(tmpl string, person *Person) string {
	employer := p.employerName
	name, title := "", ""
	if person != nil {
		name, title = person.Name, person.Title
		if person.Employer != "" {
			employer = person.Employer
		}
	}
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		j := strings.IndexByte(tmpl[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		lead := tmpl[:i]
		if tmpl[i:i+j+1] == "{title}" && anTitle(title) {
			// "is a {title}" → "is an Applications Engineer".
			if k := len(lead) - len("a "); k >= 0 && lead[k:] == "a " && (k == 0 || lead[k-1] == ' ') {
				lead = lead[:k] + "an "
			}
		}
		b.WriteString(lead)
		switch tmpl[i : i+j+1] {
		case "{name}":
			b.WriteString(name)
		case "{title}":
			b.WriteString(title)
		case "{employer}":
			b.WriteString(employer)
		case "{short}":
			b.WriteString(p.employerShort)
		default:
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
}

// anTitle reports whether a job title takes "an" rather than "a": it
// starts with a vowel sound ("Applications Engineer", "Engineering
// Manager", "SRE", "MTS"), by spelling, not a dictionary: a leading u
// pronounced "you" ("Unix", "User researcher", "Utility") takes "a", as
// do acronyms whose first letter is named with a consonant sound.
func anTitle(title string) bool {
	word, _, _ := strings.Cut(strings.TrimSpace(title), " ")
	if word == "" {
		return false
	}
	if len(word) > 1 && strings.ToUpper(word) == word && strings.IndexFunc(word, unicode.IsLetter) == 0 {
		// An acronym is read letter by letter: "an SRE", "an MTS", "a QA lead".
		return strings.ContainsRune("AEFHILMNORSX", rune(word[0]))
	}
	lw := strings.ToLower(word)
	switch lw[0] {
	case 'a', 'e', 'i', 'o':
		return !strings.HasPrefix(lw, "one") && !strings.HasPrefix(lw, "eu")
	case 'u':
		for _, yoo := range []string{"uni", "use", "usu", "uti", "ura", "uro", "uk"} {
			if strings.HasPrefix(lw, yoo) {
				return false
			}
		}
		return true
	case 'h':
		return strings.HasPrefix(lw, "hour") || strings.HasPrefix(lw, "honor") || strings.HasPrefix(lw, "honour")
	}
	return false
}

// Products returns the products of disclosure.yaml in file order.
func (p *Policy) Products() []Entity { return append([]Entity(nil), p.products...) }
