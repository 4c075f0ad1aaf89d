package policy

import (
	"errors"

	"github.com/peerpress/peerpress/build/share"
	"github.com/peerpress/peerpress/build/source"
)

// shareLength reports share.too-long for every platform whose employee
// snippet cannot fit its limit with the disclosure in front. The reader
// variant is never longer, so it is not composed.
func (pc *postCheck) shareLength() {
	p, m, post := pc.r.p, pc.post.Meta, pc.post
	tags := append(append([]string(nil), m.Tags...), pc.r.opts.Hashtags...)
	in := share.Input{Title: m.Title, URL: pc.r.opts.PostURL(post), Disclosure: p.ShareDisclosure(), Hashtags: tags}
	// Generated text fails only when the disclosure and the tagged link alone
	// are too long (share.BareLength). No platform counts more than 2 per
	// byte of text, and platform names are at most 8 bytes ("mastodon"), so
	// when twice the byte length of the disclosure and the longest tagged
	// link fits a limit, even that is not measured.
	bound := 2 * (len(in.Disclosure) + 1 + len(share.TagURL(in.URL, "mastodon", share.Employee)))
	for _, platform := range share.Platforms() {
		pin := in
		pos, key := pc.keyPos("title"), ""
		if c, ok := m.Share[platform]; ok && c != "" {
			pin.Custom, key = c, "share."+platform
		} else if c, ok := m.Share["all"]; ok && c != "" {
			pin.Custom, key = c, "share.all"
		}
		if key != "" {
			pos = pc.shareValuePos(key)
		}
		if pin.Custom == "" {
			limit := share.Limit(platform)
			if len(platform) <= 8 && bound <= limit {
				continue
			}
			if n := share.BareLength(platform, share.Employee, pin); n > limit {
				pc.bareTooLong(pos, platform, n, limit)
			}
			continue
		}
		_, err := share.Compose(platform, share.Employee, pin)
		var tl *share.TooLongError
		if !errors.As(err, &tl) {
			continue
		}
		if tl.Custom {
			pc.add(ruleShareTooLong, pos, platform, "the %s share text measures %d with the disclosure and link, over %s's limit of %d; shorten it (the disclosure is never cut)", platform, tl.Length, platform, tl.Limit)
		} else {
			// Hand-written text that Compose did not get to: the
			// disclosure and link alone are too long.
			pc.bareTooLong(pos, platform, tl.Length, tl.Limit)
		}
	}
}

func (pc *postCheck) bareTooLong(pos source.Pos, platform string, n, limit int) {
	pc.add(ruleShareTooLong, pos, platform, "on %s the disclosure and the link alone measure %d, over the limit of %d; shorten disclosure.share or the URL", platform, n, limit)
}

// shareValuePos returns the position of a share text value: share.<platform>
// and share.all in a mapping, or the text of `share: "..."`.
func (pc *postCheck) shareValuePos(key string) source.Pos {
	if pos, ok := pc.post.Meta.Pos[key]; ok {
		return pos
	}
	if _, v := pc.post.File.Lookup("share"); v != nil {
		return source.NodePos(v)
	}
	return pc.keyPos("share")
}
