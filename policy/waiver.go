package policy

import (
	"path"
	"strings"
	"time"

	"github.com/peerpress/peerpress/build/source"
)

// waiverState is a waiver's standing in one check.
type waiverState struct {
	w       Waiver
	valid   bool
	expired bool
	used    bool
	// authorOf records the files for which the approver is an author.
	authorOf map[string]bool
}

// applyWaivers marks the findings covered by valid, unexpired waivers and
// adds waiver.invalid, waiver.expired and waiver.unused findings.
func (r *run) applyWaivers(all []found, posts []*Post, results []postResult, imageAuthors map[string][]string) []Finding {
	p := r.p
	findings := make([]Finding, len(all))
	for i := range all {
		findings[i] = all[i].Finding
	}
	if len(p.waivers) == 0 {
		return findings
	}
	authors := map[string][]string{}
	skipped := map[string]bool{}
	for i, post := range posts {
		if post.Meta != nil {
			authors[post.Path] = post.Meta.Authors
		}
		if results[i].skipped {
			skipped[post.Path] = true
		}
	}
	for img, a := range imageAuthors {
		authors[img] = a
	}
	var extra []Finding
	add := func(rule string, pos source.Pos, format string, args ...any) {
		if f, ok := p.finding(rule, WaiversFile, pos, format, args...); ok {
			extra = append(extra, f)
		}
	}
	states := make([]*waiverState, len(p.waivers))
	for i, w := range p.waivers {
		st := &waiverState{w: w, valid: true, authorOf: map[string]bool{}}
		states[i] = st
		invalid := func(pos source.Pos, format string, args ...any) {
			st.valid = false
			add(ruleWaiverInvalid, pos, "waiver %q: "+format, append([]any{w.ID}, args...)...)
		}
		switch {
		case defaultSeverity(w.Rule) == "":
			invalid(w.RulePos, "unknown rule %q", w.Rule)
		case renderRule(w.Rule) || strings.HasPrefix(w.Rule, "waiver."):
			invalid(w.RulePos, "%s cannot be waived", w.Rule)
		}
		per, ok := p.people[w.Approver]
		switch {
		case !ok:
			invalid(w.ApproverPos, "approver %q is not in %s", w.Approver, PeopleFile)
		case !per.HasRole(RolePolicyApprover):
			invalid(w.ApproverPos, "approver %s (%s) does not hold the policy-approver role", per.Name, w.Approver)
		case !per.Active:
			invalid(w.ApproverPos, "approver %s (%s) is no longer active", per.Name, w.Approver)
		}
		if st.valid && w.Expires.Before(r.opts.Now) {
			st.expired = true
			add(ruleWaiverExpired, w.ExpiresPos, "waiver %q expired on %s; the %s findings it covered are reported again; renew or remove it", w.ID, w.Expires.Format(time.DateOnly), w.Rule)
		}
	}
	for i := range findings {
		f := &findings[i]
		if f.Waived() {
			continue
		}
		for _, st := range states {
			w := st.w
			if !st.valid || st.expired || w.Rule != f.Rule || !pathMatch(w.Path, f.File) || !matchText(w.Match, f.Message, all[i].match) {
				continue
			}
			if contains(authors[f.File], w.Approver) {
				if !st.authorOf[f.File] {
					st.authorOf[f.File] = true
					add(ruleWaiverInvalid, w.ApproverPos, "waiver %q: approver %s is an author of %s and cannot approve an exception for it", w.ID, w.Approver, f.File)
				}
				continue
			}
			f.Waiver, f.WaiverReason = w.ID, w.Reason
			st.used = true
			break
		}
	}
	for _, st := range states {
		w := st.w
		if !st.valid || st.expired || st.used || len(st.authorOf) > 0 {
			continue
		}
		if changedOnlyRule(w.Rule) && anySkipped(w.Path, skipped) {
			continue // its post was not checked for this rule
		}
		add(ruleWaiverUnused, w.Pos, "waiver %q matches no %s finding in %s; remove it", w.ID, w.Rule, w.Path)
	}
	return append(findings, extra...)
}

// pathMatch reports whether a waiver path covers a finding's file: the same
// path, a path.Match pattern, or a directory (a bundle) containing it.
func pathMatch(pattern, file string) bool {
	if pattern == file {
		return true
	}
	if ok, _ := path.Match(pattern, file); ok {
		return true
	}
	return strings.HasPrefix(file, strings.TrimSuffix(pattern, "/")+"/")
}

// matchText reports whether match (case-insensitive) occurs in the finding's
// message or matched text. An empty match matches everything.
func matchText(match, message, matched string) bool {
	if match == "" {
		return true
	}
	m := strings.ToLower(match)
	return strings.Contains(strings.ToLower(message), m) || strings.Contains(strings.ToLower(matched), m)
}

func anySkipped(pattern string, skipped map[string]bool) bool {
	for file := range skipped {
		if pathMatch(pattern, file) {
			return true
		}
	}
	return false
}
