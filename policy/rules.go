package policy

import "sort"

// Rule IDs. They are stable: reports, waivers, severity overrides and CI
// scripts name them.
const (
	ruleFMSyntax     = "fm.syntax"
	ruleFMRequired   = "fm.required"
	ruleFMType       = "fm.type"
	ruleFMUnknownKey = "fm.unknown-key"
	ruleFMDates      = "fm.dates"
	ruleFMUnknownID  = "fm.unknown-id"

	ruleAuthorUnknown     = "author.unknown"
	ruleAuthorInactive    = "author.inactive"
	ruleAuthorTraining    = "author.training-expired"
	ruleAuthorAffiliation = "author.affiliation-missing"

	ruleReviewMissing    = "review.missing"
	ruleReviewSelf       = "review.self"
	ruleReviewUnknown    = "review.unknown"
	ruleReviewInactive   = "review.inactive"
	ruleReviewTraining   = "review.training-expired"
	ruleReviewRole       = "review.role-required"
	ruleReviewUnverified = "review.unverified"

	ruleDiscloseProduct   = "disclose.undeclared-product"
	ruleDiscloseShare     = "disclose.share-missing"
	ruleDiscloseAmbiguous = "disclose.ambiguous"
	ruleDiscloseByline    = "disclose.byline"

	ruleAudienceLink = "audience.internal-link"
	ruleAudienceLeak = "audience.leak"

	ruleTermsConfidential = "terms.confidential"
	ruleTermsCodename     = "terms.codename"
	ruleTermsPolitics     = "terms.politics"

	ruleMentionCompetitor = "mention.undeclared-competitor"
	ruleMentionClient     = "mention.unapproved-client"

	ruleSecretKey  = "secret.key"
	ruleSecretHost = "secret.internal-host"

	ruleImageGPS = "image.gps"

	ruleShareTooLong = "share.too-long"

	ruleContentLink = "content.broken-link"

	ruleWaiverInvalid = "waiver.invalid"
	ruleWaiverExpired = "waiver.expired"
	ruleWaiverUnused  = "waiver.unused"
)

// ruleTable is every rule with its default severity, summary and rationale.
// It is a function so that no caller can change the table.
func ruleTable() []Rule {
	return []Rule{
		{ruleFMSyntax, Error, "front matter cannot be parsed",
			"A post whose front matter is not valid YAML, TOML or JSON cannot be checked at all, so nothing about it can be trusted: not its audience, not its authors, not its reviewers. Fix the syntax at the position given."},
		{ruleFMRequired, Error, "a required front-matter key is missing or empty",
			"title, date, summary, authors, reviewed_by and audience are what the policy needs to decide who wrote the post, who approved it and who may read it (SPEC §3). Corporate social-media guidelines (IBM Social Computing Guidelines, Intel Social Media Guidelines) and FINRA Regulatory Notices 10-06 and 11-39 require that an identified author publishes and that content is approved before it goes out."},
		{ruleFMType, Error, "a front-matter key has the wrong type or value",
			"A list written as a string, an audience that is neither public nor internal, or a voice that is neither personal nor official silently changes what the policy checks. peerpress refuses to guess."},
		{ruleFMUnknownKey, Warning, "front matter has a key peerpress does not know",
			"Unknown keys are usually typos (reviewd_by, audiance) that would otherwise be ignored without a word. The warning names the closest known key."},
		{ruleFMDates, Error, "a date is malformed or the dates contradict each other",
			"Embargoes (publishDate) and expiry (expiryDate) are how a post about an unannounced product waits for its announcement; a date that cannot be read, or an expiry before the publication date, would publish at the wrong time or never (Hugo date semantics)."},
		{ruleFMUnknownID, Error, "products, mentions.competitors or mentions.clients names an id the policy does not define",
			"The declared ids decide which disclosures and reviews a post needs; an id that is not in policy/disclosure.yaml (a typo, or a product nobody added) would make the declaration meaningless. Add the id to the policy or fix its spelling."},

		{ruleAuthorUnknown, Error, "an author is not in policy/people.yaml or lacks the author role",
			"The disclosure statement in the byline is built from the author's people.yaml entry (name, title, employer); an unknown author has no statement. Only people who have been enrolled as authors may publish (IBM Social Computing Guidelines: identify yourself; Intel: disclose)."},
		{ruleAuthorInactive, Error, "an author is no longer active",
			"People who left the company or stopped blogging are marked active: false. A post in their name would carry a disclosure (\"X is a … at Employer\") that is no longer true, which 16 CFR 255.5 forbids: the material connection must be described accurately."},
		{ruleAuthorTraining, Error, "an author's social-media training has expired (a warning 30 days before)",
			"Companies that let employees speak publicly train and certify them first and renew that training (IBM and Intel guidelines; FINRA Regulatory Notice 11-39 on supervision and training). The warning gives 30 days' notice; at expiry it becomes an error."},
		{ruleAuthorAffiliation, Error, "an author's employer or title is missing from people.yaml",
			"The byline disclosure \"{name} is a {title} at {employer}\" is the FTC-required statement of the material connection (16 CFR 255.5; FTC, Disclosures 101 for Social Media Influencers). Without employer and title it cannot be written."},

		{ruleReviewMissing, Error, "fewer valid reviewers than review.min_reviewers requires for the audience",
			"Approval before publication is the core control of every corporate blogging programme (IBM, Intel; FINRA Rule 2210 and Regulatory Notice 10-06 require principal approval of public communications). Only known, active, trained reviewers with a reviewing role who are not authors count."},
		{ruleReviewSelf, Error, "an author is listed as a reviewer of their own post",
			"Four-eyes review: the person who wrote a post cannot approve it (segregation of duties, as in FINRA Rule 2210's principal approval)."},
		{ruleReviewUnknown, Error, "a reviewer is not in people.yaml or holds no reviewing role",
			"Approval only counts from people enrolled to give it: the reviewer, legal or comms role in policy/people.yaml."},
		{ruleReviewInactive, Error, "a reviewer is no longer active",
			"An approval from someone who has left cannot be checked or questioned later; it does not count."},
		{ruleReviewTraining, Error, "a reviewer's training has expired",
			"Reviewers apply the same guidelines as authors and are held to the same training currency (FINRA Regulatory Notice 11-39)."},
		{ruleReviewRole, Error, "a required role (legal, comms) is missing among the reviewers",
			"review.require_roles: a post that names competitors needs legal review (comparative claims: FTC Statement on Comparative Advertising, 16 CFR 14.15; Lanham Act §43(a)); a post in the company's official voice needs comms review (Intel: speak for the company only when authorised)."},
		{ruleReviewUnverified, Error, "no evidence that a listed reviewer approved the post",
			"With review.verify set to trailer or github, every reviewed_by entry must be backed by evidence (a Reviewed-by commit trailer or a pull-request approval) so that reviewed_by is not just a claim."},

		{ruleDiscloseProduct, Error, "the text names an employer product that products: does not declare",
			"An employee who discusses the employer's products must disclose the connection (16 CFR 255.5; FTC Endorsement Guides FAQ). Declaring the product is what turns on the disclosure in byline, feeds and shares, so a product found in the text (title, summary, body including code, link URLs and alt text, share text) must be declared."},
		{ruleDiscloseShare, Error, "share text or a share snippet does not start with / contain the approved disclosure",
			"The disclosure must travel with the endorsement into every share, up front and not behind a \"more\" link (FTC, Disclosures 101 for Social Media Influencers; FTC .com Disclosures). Hand-written share text must contain an approved phrase; generated employee snippets must start with disclosure.share."},
		{ruleDiscloseAmbiguous, Error, "share text relies on an ambiguous hashtag (#sp, #spon, #ambassador…) instead of an approved disclosure",
			"The FTC names #sp, #spon, #collab and a bare #ambassador as unclear disclosures (FTC, Disclosures 101 for Social Media Influencers; Endorsement Guides FAQ). They are fine next to an approved phrase, never instead of it."},
		{ruleDiscloseByline, Error, "the rendered page or feed item does not show the disclosure statement up front",
			"Checked on the rendered site, not assumed: the disclosure must be in the byline, before the summary, and at the top of each feed item (FTC .com Disclosures: clear, conspicuous and close to the claim; not only in a profile or a hashtag pile)."},

		{ruleAudienceLink, Error, "a public post links to an internal domain or an internal post",
			"A public reader cannot follow the link, and the link itself reveals internal hosts, paths and post titles (IBM and Intel guidelines: protect confidential information)."},
		{ruleAudienceLeak, Error, "an internal post's title, slug or URL appears in the public build",
			"Internal posts must not appear anywhere in a public build, including lists, feeds, tags, sitemaps and share files (SPEC §7). This is verified on the rendered output."},

		{ruleTermsConfidential, Error, "the text contains a confidentiality marker",
			"\"Confidential\", \"internal only\" or \"under NDA\" in a post means text was copied from a document that must not be published (IBM, Intel: protect confidential and proprietary information; NDA obligations)."},
		{ruleTermsCodename, Error, "the text contains a project codename",
			"Codenames reveal unannounced products and roadmaps (SEC Regulation FD, 17 CFR 243, for material nonpublic information; Intel: protect). They are kept only as salted SHA-256 hashes (terms.codenames.sha256_file) so the policy itself does not leak them."},
		{ruleTermsPolitics, Warning, "the text touches politics",
			"Employees speaking on a company blog should take care with political topics (IBM Social Computing Guidelines; corporate political activity rules). A warning by default: a reviewer decides."},

		{ruleMentionCompetitor, Error, "the text names a competitor that mentions.competitors does not declare",
			"Statements about competitors are comparative claims that need legal review (FTC Statement on Comparative Advertising, 16 CFR 14.15; IBM: don't pick fights). Declaring the competitor triggers the legal review requirement."},
		{ruleMentionClient, Error, "a public post names a client without an approved reference or without declaring it",
			"Clients may be named only with their approval (IBM Social Computing Guidelines: don't cite clients without their approval; NDAs). clients.<id>.reference_approved must be true and the client declared in mentions.clients."},

		{ruleSecretKey, Error, "the text contains a credential (private key, cloud or VCS token, password in a URL, high-entropy secret)",
			"Credentials published on the web are harvested within minutes (CWE-798, hard-coded credentials). Documentation-only values are allowed: RFC 5737 addresses, example.com/.org/.net (RFC 2606) and AWS's documented example keys. Secrets are never echoed in full."},
		{ruleSecretHost, Error, "a public post names an internal hostname or a private IP address",
			"Internal hostnames and addresses (employer.internal_domains, *.internal, *.corp, *.local, *.lan; RFC 1918 10/8, 172.16/12, 192.168/16; RFC 4193 fc00::/7) map the internal network for attackers."},

		{ruleImageGPS, Error, "an image in a public post carries GPS coordinates in its EXIF metadata",
			"A photo of a prototype with GPS data tells the world where the lab is (Exif 2.32 / CIPA DC-008 GPS IFD). Remove the metadata, or set images.strip_metadata: true in site.yaml to strip it when publishing."},

		{ruleShareTooLong, Error, "a share snippet cannot fit the platform's limit with its disclosure",
			"The disclosure is never shortened (FTC: disclosures must not be cut off); when the disclosure, the text and the link do not fit a platform's limit, the share text must be shortened by its author."},

		{ruleContentLink, Error, "a link into the site leads nowhere, or a reference link's label is not defined",
			"A link to a post that does not exist (a typo, a renamed slug, a Markdown file instead of the post's URL) or a reference [text][label] with no [label]: definition is a bad Markdown reference: readers get a 404 or literal brackets. Links to /posts/<slug>/, its files and aliases, and to /authors/<id>/ are checked, relative or absolute, on the site's own hosts."},

		{ruleWaiverInvalid, Error, "a waiver is not valid (unknown rule or approver, approver lacks policy-approver, approver is an author)",
			"Exceptions must be approved by someone entitled to approve them and independent of the post (segregation of duties). An invalid waiver waives nothing."},
		{ruleWaiverExpired, Warning, "a waiver has expired; the findings it covered are reported again",
			"Exceptions are time-bound so they are revisited; after expires the original findings come back and the waiver should be renewed or removed."},
		{ruleWaiverUnused, Warning, "a waiver matches no finding",
			"A waiver that covers nothing is stale (the post was fixed or moved) and would silently cover a future problem; remove it."},
	}
}

// renderRules are checked on the rendered site; waivers cannot cover them.
func renderRule(id string) bool {
	return id == ruleDiscloseByline || id == ruleAudienceLeak
}

// changedOnlyRule reports whether a rule is applied only to changed posts
// when Options.Changed is set.
func changedOnlyRule(id string) bool {
	return len(id) > 7 && (id[:7] == "author." || id[:7] == "review.")
}

// Rules returns every rule, sorted by ID.
func Rules() []Rule {
	rs := ruleTable()
	sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID })
	return rs
}

// Explain returns the rule with the given ID.
func Explain(id string) (Rule, bool) {
	for _, r := range ruleTable() {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// defaultSeverity returns a rule's default severity, or "" for an unknown ID.
func defaultSeverity(id string) Severity {
	r, ok := Explain(id)
	if !ok {
		return ""
	}
	return r.Severity
}
