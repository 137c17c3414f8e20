"""RSS and Atom feed files (feedparser): each entry is an article with its title, link, date and, as its
outlet, the feed's title.

An entry's text is its full content (Atom ``<content>``, RSS ``<content:encoded>``) when it has one, else
its summary (``<summary>``, ``<description>``): such an entry is ingested all the same, and noted as
"summary only" so the reader knows the article behind it was not read. An entry with neither is listed
as failed with its entry number; the feed's other entries are ingested.
"""

from __future__ import annotations

import re
from typing import Any

from .article import Loaded, LoadError, Problem, make_article
from .formats import is_hidden

SUMMARY_ONLY = "summary only: the feed carries no full text for this entry"


def load_feed(data: bytes, path: str | None = None) -> Loaded:
    import feedparser

    # Parsed from the bytes, never fetched: feedparser would follow a URL given as a string.
    feed = feedparser.parse(data)
    if not feed.entries:
        if feed.get("bozo"):
            raise LoadError(f"not a readable RSS or Atom feed ({_one_line(feed.get('bozo_exception'))})")
        if not feed.get("version"):
            raise LoadError("not an RSS or Atom feed")
        raise LoadError("the feed has no entries")
    outlet = _text(feed.feed.get("title")) or None
    loaded = Loaded()
    for n, entry in enumerate(feed.entries, 1):
        try:
            article, summary_only = _entry(entry, outlet, path)
        except LoadError as err:
            loaded.failed.append(Problem(str(err), entry=n))
            continue
        loaded.articles.append(article)
        if summary_only:
            loaded.notes.append(Problem(SUMMARY_ONLY, entry=n))
    if feed.get("bozo"):  # feedparser reads on past an error: say the file may hold more than was read
        loaded.notes.append(Problem(f"the feed is not well-formed ({_one_line(feed.get('bozo_exception'))}); "
                                    f"{len(feed.entries)} entries read up to there"))
    return loaded


def _entry(entry: Any, outlet: str | None, path: str | None) -> tuple[Any, bool]:
    """The article of one entry, and whether its text is only the feed's summary."""
    content = " ".join(c.get("value", "") for c in entry.get("content") or [] if c.get("value"))
    summary = entry.get("summary") or ""
    text = _text(content) or _text(summary)
    if not text:
        raise LoadError("the entry has no content or summary")
    title = _text(entry.get("title"))
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    published = entry.get("published") or entry.get("updated") or entry.get("created")
    article = make_article(title, text, source=outlet, published=published, url=entry.get("link"), path=path)
    return article, not _text(content)


_BLOCKS = ["p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "section", "article"]


def _text(value: Any) -> str:
    """Readable text of an entry's field, which may hold HTML: blocks and line breaks become paragraphs,
    and text a reader of the page would not see is left out (as in :func:`~qa.ingest.formats.load_html`)."""
    if not value:
        return ""
    value = str(value)
    if "<" in value:
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(value, "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        for tag in soup.find_all(is_hidden):
            if not tag.decomposed:
                tag.decompose()
        for br in soup.find_all("br"):
            br.replace_with("\n\n")
        for el in soup.find_all(_BLOCKS):
            el.insert_before("\n\n")
            el.insert_after("\n\n")
        value = soup.get_text()
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", value))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(err: Any) -> str:
    return re.sub(r"\s+", " ", str(err or "malformed XML")).strip()[:200]
