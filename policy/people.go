package policy

import (
	"strings"
	"time"
)

// trainingNotice is how long before expiry author.training-expired warns.
const trainingNotice = 30 * 24 * time.Hour

// trainingClock is when the authors' and reviewers' training must have
// been valid: now, for a post still to be published and for every post a
// -changed-since check covers (a change is published now, whatever its
// date says); for a post already published, its publication date, so that
// a training which lapsed since does not stop the site from building.
func (pc *postCheck) trainingClock() time.Time {
	m, now := pc.post.Meta, pc.r.opts.Now
	pub := m.Date
	if !m.PublishDate.IsZero() {
		pub = m.PublishDate
	}
	if pc.r.opts.Changed != nil || m.Draft || pub.IsZero() || !pub.Before(now) {
		return now
	}
	return pub
}

// people applies the author.* and review.* rules to a post.
func (pc *postCheck) people() {
	p, m, now := pc.r.p, pc.post.Meta, pc.trainingClock()
	apos := pc.keyPos("authors")
	isAuthor := map[string]bool{}
	for _, id := range m.Authors {
		if isAuthor[id] {
			continue
		}
		isAuthor[id] = true
		per, ok := p.people[id]
		if !ok {
			pc.add(ruleAuthorUnknown, apos, id, "author %q is not in %s; add them (name, employer, title, roles: [author], training) or fix the id", id, PeopleFile)
			continue
		}
		if !per.HasRole(RoleAuthor) {
			pc.add(ruleAuthorUnknown, apos, id, "%s (%s) does not hold the author role in %s; only enrolled authors may publish", per.Name, id, PeopleFile)
		}
		if !per.Active {
			pc.add(ruleAuthorInactive, apos, id, "author %s (%s) is no longer active; the byline disclosure would be untrue", per.Name, id)
		}
		var missing []string
		if strings.TrimSpace(per.Employer) == "" {
			missing = append(missing, "employer")
		}
		if strings.TrimSpace(per.Title) == "" {
			missing = append(missing, "title")
		}
		if len(missing) > 0 {
			pc.add(ruleAuthorAffiliation, apos, id, "%s has no %s for %s (%s); the byline disclosure %q needs them", PeopleFile, strings.Join(missing, " or "), per.Name, id, p.statement)
		}
		switch {
		case per.TrainingExpires.IsZero():
			pc.add(ruleAuthorTraining, apos, id, "%s (%s) has no training recorded in %s (training: {completed, expires})", per.Name, id, PeopleFile)
		case !now.Before(per.TrainingExpires):
			pc.add(ruleAuthorTraining, apos, id, "the social-media training of %s (%s) expired on %s; renew it before publishing", per.Name, id, per.TrainingExpires.Format(time.DateOnly))
		case now.Equal(pc.r.opts.Now) && per.TrainingExpires.Sub(now) <= trainingNotice:
			if f, ok := p.finding(ruleAuthorTraining, pc.post.Path, apos, "the social-media training of %s (%s) expires on %s, in %d days; renew it", per.Name, id, per.TrainingExpires.Format(time.DateOnly), daysUntil(now, per.TrainingExpires)); ok {
				f.Severity = Warning
				pc.out = append(pc.out, found{f, id})
			}
		}
	}

	// Reviewers.
	_, hasReviewers := m.Pos["reviewed_by"]
	rpos := pc.keyPos("reviewed_by")
	var valid []*Person
	done := map[string]bool{}
	for _, id := range m.ReviewedBy {
		if done[id] {
			continue
		}
		done[id] = true
		if isAuthor[id] {
			pc.add(ruleReviewSelf, rpos, id, "%s is an author of this post and cannot also review it; ask someone else", id)
			continue
		}
		per, ok := p.people[id]
		if !ok {
			pc.add(ruleReviewUnknown, rpos, id, "reviewer %q is not in %s; add them or fix the id", id, PeopleFile)
			continue
		}
		if !per.HasRole(RoleReviewer) && !per.HasRole(RoleLegal) && !per.HasRole(RoleComms) {
			pc.add(ruleReviewUnknown, rpos, id, "%s (%s) holds no reviewing role (reviewer, legal or comms) in %s", per.Name, id, PeopleFile)
			continue
		}
		if !per.Active {
			pc.add(ruleReviewInactive, rpos, id, "reviewer %s (%s) is no longer active; their approval does not count", per.Name, id)
			continue
		}
		if per.TrainingExpires.IsZero() || !now.Before(per.TrainingExpires) {
			why := "has no training recorded"
			if !per.TrainingExpires.IsZero() {
				why = "has training that expired on " + per.TrainingExpires.Format(time.DateOnly)
			}
			pc.add(ruleReviewTraining, rpos, id, "reviewer %s (%s) %s; their approval does not count", per.Name, id, why)
			continue
		}
		valid = append(valid, per)
	}
	audience := m.Audience
	if audience != "internal" {
		audience = "public"
	}
	if need := p.minReviewers[audience]; hasReviewers && len(valid) < need {
		pc.add(ruleReviewMissing, rpos, "", "%s posts need %d reviewers who are not authors; this one has %d valid (%s)", audience, need, len(valid), names(valid))
	}
	for _, rr := range p.requireRoles {
		why := pc.condition(rr.when)
		if why == "" {
			continue
		}
		for _, role := range rr.roles {
			ok := false
			for _, v := range valid {
				ok = ok || v.HasRole(role)
			}
			if !ok {
				pc.add(ruleReviewRole, rpos, role, "this post %s, so a reviewer with the %s role must approve it; add one to reviewed_by", why, role)
			}
		}
	}
	if p.verify != "none" && pc.r.opts.Reviewed != nil && hasReviewers {
		evidence := map[string]bool{}
		for _, e := range pc.r.opts.Reviewed(pc.post) {
			evidence[strings.ToLower(strings.TrimSpace(e))] = true
		}
		for _, id := range m.ReviewedBy {
			per, ok := p.people[id]
			if !ok || isAuthor[id] {
				continue
			}
			if evidence[strings.ToLower(id)] || per.Email != "" && evidence[strings.ToLower(per.Email)] || per.GitHub != "" && evidence[strings.ToLower(per.GitHub)] {
				continue
			}
			how := "a Reviewed-by trailer in the post's commits"
			if p.verify == "github" {
				how = "a pull-request approval"
			}
			pc.add(ruleReviewUnverified, rpos, id, "no evidence that %s (%s) approved this post; review.verify is %s and wants %s", per.Name, id, p.verify, how)
		}
	}
}

// condition returns why a review.require_roles condition applies, or "".
func (pc *postCheck) condition(when string) string {
	m := pc.post.Meta
	switch when {
	case "always":
		return "is published"
	case "competitors":
		if len(m.Competitors) > 0 || len(pc.competitors) > 0 {
			return "mentions competitors"
		}
	case "clients":
		if len(m.Clients) > 0 || len(pc.clients) > 0 {
			return "mentions clients"
		}
	case "products":
		if len(m.Products) > 0 || len(pc.products) > 0 {
			return "discusses " + pc.r.p.employerName + " products"
		}
	case "official":
		if m.Voice == "official" {
			return "speaks in the company's official voice"
		}
	case "public":
		if m.Audience != "internal" {
			return "is public"
		}
	case "internal":
		if m.Audience == "internal" {
			return "is internal"
		}
	}
	return ""
}

func names(ps []*Person) string {
	if len(ps) == 0 {
		return "none"
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return strings.Join(out, ", ")
}

func daysUntil(now, t time.Time) int {
	return int(t.Sub(now).Hours()/24 + 0.999)
}
