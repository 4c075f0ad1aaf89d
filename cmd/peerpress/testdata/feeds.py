"""Reads feeds the way a real feed reader does, for TestSampleFeedsParse.

    python3 feeds.py DIR FEED...

Every RSS and Atom feed is parsed by feedparser (Debian's python3-feedparser),
once as readers use it and once with relative-URI resolution and HTML
sanitizing off, to see the content's URLs as written. feedparser 6.0 does not
read JSON Feed, so feed.json is checked against the JSON Feed 1.1 spec here,
field by field. Prints one JSON object: {FEED: {"version", "bozo", "error",
"problems", "entries": [{"id", "link", "title", "authors", "tags",
"published", "updated", "content", "summary"}]}}.
"""

import datetime
import json
import os
import re
import sys

import feedparser

URL_ATTR = re.compile(r"""\s(href|src|srcset|poster|cite)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)


def relative_urls(html):
    """Returns the URLs in an HTML fragment that are not absolute."""
    bad = []
    for m in URL_ATTR.finditer(html):
        value = m.group(3) if m.group(3) is not None else m.group(4)
        values = [value]
        if m.group(1).lower() == "srcset":
            values = [c.split()[0] for c in value.split(",") if c.strip()]
        for v in values:
            if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", v) or re.match(r"^https?:(?!//)", v, re.I):
                bad.append(m.group(1) + "=" + v)
    return bad


def rfc3339(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def read_xml(path):
    d = feedparser.parse(path)
    raw = feedparser.parse(path, resolve_relative_uris=False, sanitize_html=False)
    problems = []
    entries = []
    for e, r in zip(d.entries, raw.entries):
        content = e.get("content", [{}])[0].get("value", "")
        raw_content = r.get("content", [{}])[0].get("value", "")
        for u in relative_urls(raw_content):
            problems.append("%s: relative URL in content: %s" % (e.get("id"), u))
        if e.get("published_parsed") is None:
            problems.append("%s: no published date" % e.get("id"))
        authors = [a.get("name", "") for a in e.get("authors", [])]
        entries.append({
            "id": e.get("id", ""),
            "link": e.get("link", ""),
            "title": e.get("title", ""),
            "authors": authors,
            "tags": [t.get("term", "") for t in e.get("tags", [])],
            "published": e.get("published", ""),
            "updated": e.get("updated", ""),
            "content": content,
            "summary": e.get("summary", ""),
        })
    f = d.feed
    self_links = [l.get("href") for l in f.get("links", []) if l.get("rel") == "self"]
    if not self_links:
        problems.append("no self link")
    if not f.get("language"):
        problems.append("no language")
    return {
        "version": d.version,
        "bozo": bool(d.bozo),
        "error": str(d.get("bozo_exception", "")),
        "self": self_links,
        "problems": problems,
        "entries": entries,
    }


def read_json(path):
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    problems = []

    def need(obj, key, kind, where):
        v = obj.get(key)
        if not isinstance(v, kind) or (isinstance(v, str) and not v):
            problems.append("%s: %s must be a non-empty %s, is %r" % (where, key, kind.__name__, v))
        return v

    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append("version is %r" % doc.get("version"))
    need(doc, "title", str, "feed")
    for key in ("home_page_url", "feed_url"):
        v = need(doc, key, str, "feed")
        if isinstance(v, str) and not v.startswith("https://"):
            problems.append("feed: %s %r is not absolute" % (key, v))
    need(doc, "language", str, "feed")
    items = need(doc, "items", list, "feed") or []
    entries = []
    seen = set()
    for i, it in enumerate(items):
        where = "item %d" % i
        iid = need(it, "id", str, where)
        if iid in seen:
            problems.append("%s: duplicate id %r" % (where, iid))
        seen.add(iid)
        need(it, "url", str, where)
        content = need(it, "content_html", str, where) or ""
        for u in relative_urls(content):
            problems.append("%s: relative URL in content_html: %s" % (where, u))
        summary = need(it, "summary", str, where) or ""
        if "<" in summary:
            problems.append("%s: summary is not plain text" % where)
        for key in ("date_published", "date_modified"):
            try:
                rfc3339(need(it, key, str, where) or "")
            except ValueError as err:
                problems.append("%s: %s: %s" % (where, key, err))
        authors = need(it, "authors", list, where) or []
        for a in authors:
            if not isinstance(a, dict) or not a.get("name") or not str(a.get("url", "")).startswith("https://"):
                problems.append("%s: author %r needs a name and an absolute url" % (where, a))
        if "author" in it:
            problems.append("%s: the deprecated author field" % where)
        tags = it.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            problems.append("%s: tags %r" % (where, tags))
        entries.append({
            "id": iid or "",
            "link": it.get("url", ""),
            "title": it.get("title", ""),
            "authors": [a.get("name", "") for a in authors if isinstance(a, dict)],
            "tags": tags,
            "published": it.get("date_published", ""),
            "updated": it.get("date_modified", ""),
            "content": content,
            "summary": summary,
        })
    return {"version": "json11", "bozo": False, "error": "", "self": [doc.get("feed_url")], "problems": problems, "entries": entries}


def main():
    root = sys.argv[1]
    out = {}
    for name in sys.argv[2:]:
        path = os.path.join(root, name)
        out[name] = read_json(path) if name.endswith(".json") else read_xml(path)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


main()
