// Package policy is peerpress's policy engine: it checks every post against
// the site's disclosure policy before anything is rendered, and verifies the
// rendered site afterwards.
//
// Companies hold their engineers back from blogging because an enthusiastic
// post can break the FTC's endorsement rules — an employee who discusses the
// employer's products must disclose that they work there, clearly and up
// front, in the post and in every share (16 CFR 255.5; FTC, "Disclosures 101
// for Social Media Influencers") — or can leak a codename, a roadmap, a
// client's name, a credential or a prototype photo with GPS in it. Corporate
// guidelines (IBM's Social Computing Guidelines; Intel's "Disclose, Protect,
// Use common sense") and securities-industry guidance (FINRA Rule 2210,
// Regulatory Notices 10-06 and 11-39; SEC Regulation FD) add approval before
// publication, training of participants, no clients named without approval,
// care with competitors and with politics.
//
// # Principle
//
// The author declares in front matter what the post does — products,
// mentions.competitors, mentions.clients, audience, voice, reviewed_by — and
// peerpress detects the same things in the text and reports every mismatch.
// The text is the title, summary, description, hand-written share text and
// the raw Markdown body, so code blocks, link URLs and image alt text are
// included. Term lists are matched case-insensitively on word boundaries
// (Unicode letters, digits, marks and '_' make up words); a phrase of several
// words matches across spaces, a single line break or hyphens ("Acme Metals",
// "Acme-Metals"). Positions are exact file positions: a body match at its
// line and rune column; a match in a front-matter value at the value's
// position; a rule about a key at the key (the opening `---` line when the
// key is missing); an image finding at the image file, line 1.
//
// # Policy files
//
// [Load] reads policy/disclosure.yaml, policy/people.yaml and the optional
// policy/waivers.yaml strictly: unknown, repeated and mistyped keys are
// errors, as are unknown roles, unknown rule IDs in rules: and malformed
// codename files. Every error is a *source.Error naming file:line:col (the
// CLI exits with status 2).
//
// disclosure.yaml keys beyond SPEC §4: employer.short defaults to
// employer.name; disclosure.statement defaults to "{name} is a {title} at
// {employer}." and may use {name}, {title}, {employer} (the person's
// employer, else employer.name) and {short}; disclosure.share ("I work at
// {employer}." by default), disclosure.approved and disclosure.ambiguous may
// use {employer} and {short}; review.min_reviewers defaults to public: 2,
// internal: 1; review.require_roles entries take when: competitors, clients,
// products, official, public, internal or always, and every role listed must
// be held by some valid reviewer. In people.yaml, active defaults to true.
//
// # Codenames
//
// Codenames are never stored in plain text. terms.codenames.sha256_file
// (relative to the site root) holds lines
//
//	# comments
//	salt: <hex>
//	<64-hex sha256(salt + "\n" + name)>
//
// where salt is the hex text as written and name the codename's words,
// lower-cased, joined by single spaces ("X-Wing" is "x wing"). [AddCodename]
// (peerpress codename add NAME) appends a hash, creating the file and a
// random salt when needed. The scanner hashes every 1-, 2- and 3-word window
// of each text and looks the hash up. Two things keep this cheap: a
// per-worker cache of windows already known not to be codenames, and common
// English function words (the, of, and, is, we, …: stopWordList in text.go)
// are never part of a window — AddCodename refuses a codename that contains
// one (a codename like "Tower of London" cannot be added; add a distinctive
// part of it instead), since in prose they are almost half of all words. Findings show only the first
// letter of a codename.
//
// # Rules
//
// Every rule has a stable ID, a default severity and a rationale; [Rules]
// lists them and [Explain] returns one (peerpress check -explain RULE).
// disclosure.yaml can override a severity: rules: {RULE: error|warning|off}.
//
// Front matter (SPEC §3):
//
//   - fm.syntax (error): the front matter cannot be parsed. Nothing about the
//     post can be trusted, so nothing else is checked.
//   - fm.required (error): title, date, summary, authors, reviewed_by or
//     audience is missing or empty; they say who wrote the post, who approved
//     it and who may read it (IBM, Intel guidelines; FINRA 10-06/11-39).
//   - fm.type (error): a key has the wrong type or an invalid value.
//   - fm.unknown-key (warning): a key peerpress does not know, usually a typo.
//   - fm.dates (error): a malformed date, or dates that contradict each other
//     (expiryDate not after date/publishDate; lastmod before date).
//   - fm.unknown-id (error): products, mentions.competitors or
//     mentions.clients names an id disclosure.yaml does not define.
//
// Content (SPEC §2: a bad Markdown reference is a content error):
//
//   - content.broken-link (error): a link in the body into the site that
//     leads nowhere — to /posts/<slug>/ of no post (nor an alias), to a file
//     a post does not have, to /authors/<id>/ of nobody, or a relative link
//     to a .md file (its source is not published: the post's URL is wanted)
//     — or a reference link, [text][label] or [label][], whose label is not
//     defined. Root-relative and relative links and URLs on the site's own
//     hosts are judged, in every post; code (fenced blocks and inline code
//     spans) is not.
//
// Authors (only for changed posts when Options.Changed is set):
//
//   - author.unknown (error): not in people.yaml, or without the author role.
//     Only enrolled people publish; the byline disclosure comes from their
//     entry.
//   - author.inactive (error): active: false. The disclosure "X is a … at
//     Employer" would be untrue (16 CFR 255.5 requires an accurate statement
//     of the material connection).
//   - author.training-expired (error; a warning from 30 days before expiry):
//     social-media training is missing or expired at -now, or, for a post
//     already published (and not changed, when Options.Changed is set), at
//     its publication date: a training that lapses later does not unpublish
//     it. The warning is for posts still to come. Training and
//     certification of participants: IBM, Intel guidelines; FINRA 11-39.
//   - author.affiliation-missing (error): employer or title missing; the FTC
//     disclosure "{name} is a {title} at {employer}" cannot be written.
//
// Review (only for changed posts when Options.Changed is set). A reviewer is
// valid when known, holding the reviewer, legal or comms role, active,
// trained and not an author:
//
//   - review.missing (error): fewer valid reviewers than
//     review.min_reviewers for the audience. Approval before publication:
//     IBM, Intel; FINRA Rule 2210 principal approval.
//   - review.self (error): an author reviews their own post (four eyes).
//   - review.unknown (error): a reviewer not in people.yaml or without a
//     reviewing role.
//   - review.inactive (error): a reviewer who is no longer active.
//   - review.training-expired (error): a reviewer whose training is missing
//     or expired (at the same date as author.training-expired).
//   - review.role-required (error): review.require_roles is not met, e.g.
//     legal when competitors are declared or named (comparative claims: FTC
//     Statement on Comparative Advertising, 16 CFR 14.15; Lanham Act §43(a)),
//     comms for voice: official.
//   - review.unverified (error): review.verify is trailer or github and the
//     evidence (Options.Reviewed: Reviewed-by trailers, pull-request
//     approvals) does not name a listed reviewer by id, e-mail or GitHub
//     login. Skipped when no evidence source is given.
//
// Disclosure (FTC: 16 CFR 255.5; Endorsement Guides FAQ; Disclosures 101;
// .com Disclosures):
//
//   - disclose.undeclared-product (error): the text names an employer product
//     that products: does not declare. Declaring it turns on the disclosure.
//   - disclose.share-missing (error): hand-written share text of a public post
//     that discusses products contains no approved phrase
//     (disclosure.approved); or, on the rendered site, an employee share text
//     does not start with disclosure.share.
//   - disclose.ambiguous (error): the share text has only an ambiguous tag
//     (#sp, #spon, #ambassador, …), which the FTC says readers do not
//     understand as a disclosure.
//   - disclose.byline (error, rendered site): the page of a post that
//     discusses products does not show every author's statement between the
//     start of the article and the summary, or a feed item does not start
//     with it. See [Policy.CheckRendered].
//
// Audience:
//
//   - audience.internal-link (error): a public post links to an internal
//     domain (employer.internal_domains, *.internal, *.corp, *.local, *.lan,
//     private addresses) or to an internal post (by URL, /posts/<slug>/ path,
//     relative path or .md file).
//   - audience.leak (error): a public post's title, summary, description,
//     share text or body quotes an internal post's title (12 characters or
//     more), reported at the quote; and, on the rendered site, an internal
//     post's title, slug or URL appears in an output file of a public build
//     (reported at the internal post's audience key, naming the output).
//     See [Policy.CheckLeaks].
//
// Protected information (IBM, Intel: protect confidential information). The
// texts scanned are the title, summary, description, share texts and body,
// and what is published as names and URLs: slug, tags, categories, aliases
// and the file or bundle name.
//
//   - terms.confidential (error): a confidentiality marker (terms.confidential,
//     e.g. "internal only", "under NDA"), in any post.
//   - terms.codename (error): a codename, in a public post (SEC Regulation FD
//     for unannounced products and roadmaps).
//   - terms.politics (warning): a political term (terms.politics); IBM's
//     guidelines ask for care with politics. A reviewer decides.
//   - mention.undeclared-competitor (error): a competitor named in the text
//     but not declared in mentions.competitors, which triggers legal review.
//   - mention.unapproved-client (error): in a public post, a client named
//     without an approved reference (clients.<id>.reference_approved) —
//     every occurrence is reported — or named but not declared; also a
//     declared client without an approved reference.
//   - secret.key (error): a credential, in any post: private key blocks; AWS
//     access key IDs (AKIA…/ASIA…); GitHub tokens (ghp_, gho_, ghu_, ghs_,
//     ghr_, github_pat_); Slack tokens (xox…); Google API keys (AIza…);
//     Stripe live keys (sk_live_, rk_live_); passwords in URLs
//     (https://user:pass@host); high-entropy values after password, secret,
//     token, api_key and similar words (CWE-798). Documentation values are
//     allowed: RFC 5737 addresses and example.com, example.org and example.net
//     (RFC 2606) in URLs,
//     AWS's AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//     (any value containing EXAMPLE), placeholders like $PASSWORD or <pass>.
//     Messages show at most the first 4 characters of a secret, then "…".
//   - secret.internal-host (error): in a public post, an internal host name
//     (employer.internal_domains, *.internal, *.corp, *.local, *.lan) or a
//     private address (RFC 1918 10/8, 172.16/12, 192.168/16; RFC 4193
//     fc00::/7). A host inside a link reported as audience.internal-link is
//     not reported twice.
//
// Images:
//
//   - image.gps (error): an image of a public post (any image in its bundle,
//     images the body references by relative path, its Open Graph image)
//     has a GPS latitude in its EXIF data (JPEG APP1 Exif, PNG eXIf, WebP
//     EXIF; CIPA DC-008). Not reported when Options.StripImages is set:
//     the build then publishes the output of [StripMetadata].
//
// Sharing:
//
//   - share.too-long (error): on some platform the employee snippet cannot
//     fit the limit: the hand-written text is too long, or the disclosure and
//     link alone are. The disclosure is never cut. Needs Options.PostURL.
//
// Waivers (policy/waivers.yaml, SPEC §4): a list of {id, rule, path, match?,
// reason, approver, expires}. path is a file, a path.Match pattern or a
// directory; match, if set, is a case-insensitive substring of the finding's
// message or matched text. A waived finding stays in the report with
// Finding.Waiver set. Findings on the rendered site cannot be waived.
//
//   - waiver.invalid (error): unknown rule, a rendered-site rule, an approver
//     who is unknown, inactive or without the policy-approver role, or who is
//     an author of the post (segregation of duties). It waives nothing.
//   - waiver.expired (warning): expires is before -now; the findings it
//     covered are reported again.
//   - waiver.unused (warning): a valid waiver that matched no finding.
//
// # Performance
//
// [Policy.Check] runs posts on GOMAXPROCS workers. Term lists are matched by
// one map lookup per word (after a filter on first byte and length); secret
// detectors run only when a cheap byte search finds their prefix.
package policy
