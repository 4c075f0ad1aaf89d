package policy

// The values of disclosure.yaml review.verify: where the evidence behind a
// post's reviewed_by list comes from (see Options.Reviewed).
const (
	// VerifyNone trusts reviewed_by as written; review.unverified is never
	// reported.
	VerifyNone = "none"
	// VerifyTrailer wants a "Reviewed-by: Name <email>" trailer, with an
	// e-mail address from people.yaml, on a commit that touched the post.
	VerifyTrailer = "trailer"
	// VerifyGitHub wants an approval of the pull request's head commit by
	// the reviewer's GitHub login (people.yaml github).
	VerifyGitHub = "github"
)

// VerifyMode returns disclosure.yaml's review.verify: VerifyNone (the
// default), VerifyTrailer or VerifyGitHub. The caller gathers the evidence
// it names and passes it to Check as Options.Reviewed.
func (p *Policy) VerifyMode() string { return p.verify }
