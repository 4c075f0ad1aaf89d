// Package share composes the social share snippets of a post (share.json,
// SPEC §7) and measures them the way each platform does.
//
// Every post gets two variants for each platform in [Platforms]:
//
//   - employee: for the authors' own accounts. It starts with the disclosure
//     (e.g. "I work at Brightline Materials."), which the FTC wants up front in
//     every endorsement by an employee. The disclosure is never shortened.
//   - reader: for anyone else. It makes no employment claim.
//
// # Composition
//
// A generated snippet is
//
//	{disclosure} {title} {link} {#hash #tags}
//
// with the parts joined by single spaces and empty parts left out. The link is
// the post's canonical URL with utm_source=<platform>, utm_medium=social and
// utm_content=<variant> added ([TagURL]); the canonical URL itself never gets
// them. When the text is longer than the platform allows, hashtags are dropped
// one by one from the end; then the title is cut at a word boundary (Unicode
// word segmentation, so CJK titles can be cut too) and "…" is added; when not
// even the first word fits, the title goes. The link always stays whole. If the
// disclosure and the link alone do not fit, [Compose] returns a [*TooLongError]
// (errors.Is(err, [ErrTooLong])), which the policy reports as share.too-long.
//
// Hand-written text (front matter share:) replaces the title and hashtags. It
// is never shortened: if it is too long the result is a [*TooLongError] too.
// The link is appended unless the text already contains the canonical URL; a
// bare canonical URL in the text is replaced by the tagged link. The employee
// variant gets the disclosure in front unless the text already starts with
// it; the reader variant drops the disclosure when the text starts with it.
//
// Hashtags are given without '#'. A one-word tag is kept as written
// ("soldering" → "#soldering"); a tag of several words loses its separators
// and becomes CamelCase ("surface mount" → "#SurfaceMount"). Tags that end up
// empty or all digits, and case-insensitive repeats, are left out.
//
// # Counting
//
// [Length] applies each platform's own rules:
//
//   - x (limit 280): twitter-text v3 weighting. Code points in U+0000–U+10FF,
//     U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1, all others 2.
//     An emoji (a grapheme cluster starting with an emoji: ZWJ sequences,
//     flags, skin tones, keycaps, tag sequences) weighs 2 in total. "©" and
//     "®" weigh 1 unless followed by U+FE0F, as twemoji does. Every link
//     weighs 23 (its t.co form), whatever its length. Links are found as
//     twitter-text finds them: with http:// or https://, or bare like
//     example.com/path, and only when the domain ends in a real top-level
//     domain, so X also counts "README.md" or "ASP.NET" as links and counts
//     https://blog.example/ in full. Text is assumed to be NFC already.
//   - mastodon (limit 500): grapheme clusters, as Mastodon 4 counts them
//     (String#each_grapheme_cluster); every link with http:// or https://
//     (found as on X) counts 23, and a mention @user@domain counts as @user.
//   - bluesky (limit 300): grapheme clusters; links count in full.
//   - threads (limit 500) and linkedin (limit 3000): grapheme clusters; links
//     count in full.
//
// Top-level domains come from the ICANN section of the Public Suffix List and
// the emoji property (Extended_Pictographic) from Unicode's emoji-data.txt;
// both are compiled into tables.go by gen_tables.go (go generate).
//
// # Share links
//
// Each snippet has an intent URL that opens the platform's composer with the
// text filled in (spaces encoded as %20):
//
//	x         https://x.com/intent/post?text=…
//	mastodon  https://mastodonshare.com/?text=…
//	bluesky   https://bsky.app/intent/compose?text=…
//	linkedin  https://www.linkedin.com/sharing/share-offsite/?url=…
//	threads   https://www.threads.net/intent/post?text=…
//
// Mastodon has no central composer; mastodonshare.com asks the reader for
// their instance. A theme that knows the instance can use
// https://INSTANCE/share?text=… with the same text. LinkedIn's share page
// takes only the link; the text is there to be copied.
package share

//go:generate go run gen_tables.go
