package sitegen

import "fmt"

// hugoFiles returns the Hugo site's fixed files: hugo.toml with the
// peerpress site's paging, feed limit and taxonomies, author term pages and
// a minimal theme (Hugo ≥ 0.146 template layout) with the same pages as
// peerpress's: paginated home, post pages with a table of contents, author
// and tag pages listing every post, a full-content RSS feed for the site and
// for every author and tag, and the sitemap.
func (c *corpus) hugoFiles() map[string]string {
	files := map[string]string{
		"hugo.toml": `baseURL = "https://blog.brightline.example/"
languageCode = "en"
title = "From One Engineer to Another"
# peerpress has no /posts/ section list; its home page is the list.
disableKinds = ["section"]

[params]
  description = "Brightline Materials engineers write for other engineers about solder, plating, thermal materials and the tests that keep them honest."

[pagination]
  pagerSize = 10

[services.rss]
  limit = 20

[taxonomies]
  tag = "tags"
  author = "authors"

[outputs]
  home = ["html", "rss"]
  page = ["html"]
  taxonomy = ["html"]
  term = ["html", "rss"]

[markup.goldmark.renderer]
  unsafe = false

[markup.highlight]
  noClasses = false

[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
`,
		"layouts/baseof.html": `<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} — {{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Params.summary }}{{ . }}{{ else }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}" title="{{ site.Title }}">
{{ end }}<meta property="og:title" content="{{ .Title }}">
<meta property="og:url" content="{{ .Permalink }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a> <a href="{{ "tags/" | relURL }}">Tags</a> <a href="{{ "authors/" | relURL }}">Authors</a></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Title }}</footer>
</body>
</html>
`,
		"layouts/_partials/card.html": `<li><article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read · {{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}</p>
<p>{{ .Params.summary }}</p>
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
</article></li>
`,
		"layouts/home.html": `{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ $pager := .Paginate (where site.RegularPages "Type" "posts") }}
<ul class="posts">{{ range $pager.Pages }}{{ partial "card.html" . }}{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
`,
		"layouts/page.html": `{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p>{{ range $i, $a := .GetTerms "authors" }}{{ if $i }}, {{ end }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }} · <time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read</p>
{{ .TableOfContents }}
{{ .Content }}
{{ with .GetTerms "tags" }}<ul class="tags">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
</article>
{{ end }}
`,
		"layouts/taxonomy.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
`,
		"layouts/term.html": `{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul class="posts">{{ range .Pages }}{{ partial "card.html" . }}{{ end }}</ul>
{{ end }}
`,
		// Full content, like peerpress's feeds (Hugo's built-in feed carries summaries).
		"layouts/rss.xml": `{{- $pages := .Pages -}}
{{- if .IsHome }}{{ $pages = site.RegularPages }}{{ end -}}
{{- $limit := site.Config.Services.RSS.Limit -}}
{{- if ge $limit 1 }}{{ $pages = $pages | first $limit }}{{ end -}}
{{- printf "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }} — {{ site.Title }}{{ end }}</title>
<link>{{ .Permalink }}</link>
<description>{{ site.Params.description }}</description>
<language>{{ site.Language.LanguageCode }}</language>
{{ with .OutputFormats.Get "RSS" }}<atom:link href="{{ .Permalink }}" rel="self" type="{{ .MediaType.Type }}" />{{ end }}
{{ range $pages }}<item>
<title>{{ .Title }}</title>
<link>{{ .Permalink }}</link>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<guid>{{ .Permalink }}</guid>
<description>{{ .Content | transform.XMLEscape | safeHTML }}</description>
</item>
{{ end }}</channel>
</rss>
`,
	}
	for _, p := range c.people {
		files["content/authors/"+p.id+"/_index.md"] = fmt.Sprintf("---\ntitle: %q\n---\n\n%s writes about %s and %s.\n", p.name, p.name, c.tags[len(p.name)%len(c.tags)], c.tags[(len(p.id)*7)%len(c.tags)])
	}
	return files
}
