"""The file formats articles come in: plain text, Markdown, HTML and JSON / JSON Lines records.

Each loader takes the file's decoded text (:func:`qa.ingest.load.read_text`) and returns the article(s)
made by :func:`qa.ingest.article.make_article`; :func:`qa.ingest.load.load_bytes` picks the loader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..dates import parse_published
from ..records import Article
from .article import LoadError, clean_text, first_line, make_article

# ----------------------------------------------------------------------------- plain text / Markdown

_DATE_LINE = re.compile(r"^(\d{1,2}:\d{2}\s+)?\d{1,2}\.\d{1,2}\.\d{4}(\s+\d{1,2}:\d{2})?$"
                        r"|^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")


def load_plain(text: str, path: str | None = None) -> Article:
    """Plain text like the seed: optional outlet line, optional date line, headline, body."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    nonblank = [i for i, ln in enumerate(lines) if ln]
    source = published = None
    head = 0
    if len(nonblank) >= 3 and _DATE_LINE.match(lines[nonblank[1]]) and len(lines[nonblank[0]]) <= 60:
        source, published, head = lines[nonblank[0]], parse_published(lines[nonblank[1]]), 2
    elif nonblank and _DATE_LINE.match(lines[nonblank[0]]):
        published, head = parse_published(lines[nonblank[0]]), 1
    rest = "\n".join(lines[nonblank[head]:]) if len(nonblank) > head else ""
    title = first_line(rest)
    body = clean_text(rest)
    return make_article(title, body, source=source, published=published, path=path)


_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def load_markdown(text: str, path: str | None = None) -> Article:
    """Markdown: optional YAML-style front matter (title, source, date/published, url); # headline."""
    text = text.replace("\r\n", "\n")
    meta: dict[str, str] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        for line in m.group(1).splitlines():
            if ":" in line:
                key, _, value = line.partition(":")
                meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[m.end():]
    plain_lines = []
    for line in text.split("\n"):
        line = re.sub(r"^#{1,6}\s+", "", line)  # headings
        line = re.sub(r"^\s*[-*+]\s+", "", line)  # bullets
        line = re.sub(r"^\s*>\s?", "", line)  # quotes
        line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)  # images -> alt text
        line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)  # links -> text
        line = re.sub(r"(\*\*|__|`)", "", line)
        line = re.sub(r"(?<![\w*])\*(?!\s)([^*]+)(?<!\s)\*(?![\w*])", r"\1", line)
        plain_lines.append(line)
    body = clean_text("\n".join(plain_lines))
    title = meta.get("title") or first_line(body)
    return make_article(title, body, source=meta.get("source") or meta.get("outlet"),
                        published=meta.get("published") or meta.get("date"), url=meta.get("url"),
                        path=path)


# ----------------------------------------------------------------------------- HTML

_META_TITLE = (("property", "og:title"), ("name", "twitter:title"), ("name", "title"))
_META_SOURCE = (("property", "og:site_name"), ("name", "application-name"), ("name", "publisher"))
_META_DATE = (("property", "article:published_time"), ("name", "article:published_time"),
              ("itemprop", "datePublished"), ("name", "pubdate"), ("name", "date"),
              ("name", "dc.date"), ("name", "DC.date.issued"), ("property", "og:published_time"))
_META_URL = (("property", "og:url"),)


def _hidden(tag: Any) -> bool:
    style = re.sub(r"\s+", "", str(tag.get("style") or "")).lower()
    return (tag.has_attr("hidden") or str(tag.get("aria-hidden") or "").lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def load_html(text: str, path: str | None = None) -> Article:
    """HTML: readable text only (no scripts, styles, navigation); title and date from meta tags."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")

    def meta(candidates: Iterable[tuple[str, str]]) -> str | None:
        for attr, name in candidates:
            tag = soup.find("meta", attrs={attr: re.compile(f"^{re.escape(name)}$", re.I)})
            if tag and tag.get("content"):
                return str(tag["content"]).strip()
        return None

    title = meta(_META_TITLE) or (soup.title.get_text(" ", strip=True) if soup.title else None)
    published = meta(_META_DATE)
    if not published:
        time_tag = soup.find("time", attrs={"datetime": True})
        published = str(time_tag["datetime"]) if time_tag else None
    url = meta(_META_URL)
    if not url:
        link = soup.find("link", attrs={"rel": "canonical", "href": True})
        url = str(link["href"]) if link else None
    source = meta(_META_SOURCE)
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "iframe", "svg", "button", "template", "head"]):
        tag.decompose()
    # Text a reader of the page never sees is not part of the article (a common hiding place for
    # instructions aimed at AI assistants).
    for tag in soup.find_all(_hidden):
        if not tag.decomposed:
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = []
    for el in root.find_all(["h1", "h2", "h3", "h4", "p", "li", "blockquote", "pre", "td"]):
        if el.find(["p", "li", "blockquote"]):
            continue  # the inner blocks carry the text
        line = el.get_text(" ", strip=True)
        if line:
            blocks.append(re.sub(r"\s+", " ", line))
    body = "\n\n".join(blocks) if blocks else root.get_text("\n", strip=True)
    body = clean_text(body)
    if title and not body.startswith(title):
        h1 = soup.find("h1")
        if not (h1 and body.startswith(h1.get_text(" ", strip=True))):
            body = f"{title}\n\n{body}"
    return make_article(title or first_line(body), body, source=source, published=published,
                        url=url, path=path)


# ----------------------------------------------------------------------------- JSON records

def record_to_article(rec: Any, path: str | None = None) -> Article:
    if not isinstance(rec, dict):
        raise LoadError("JSON record is not an object")
    text = rec.get("text") or rec.get("body") or rec.get("content")
    if not isinstance(text, str) or not text.strip():
        raise LoadError("JSON record has no 'text' or 'body'")
    title = rec.get("title") or rec.get("headline") or ""
    source = rec.get("source") or rec.get("outlet") or rec.get("site_name")
    if isinstance(source, dict):
        source = source.get("name")
    published = (rec.get("published") or rec.get("publish_date") or rec.get("date")
                 or rec.get("published_at"))
    title_s = str(title)
    body = text if not title_s or text.lstrip().startswith(title_s) else f"{title_s}\n\n{text}"
    return make_article(title_s, body, source=source, published=published, url=rec.get("url"),
                        path=path)


def load_json(text: str, path: str | None = None) -> list[Article]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LoadError(f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
    records = data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise LoadError("JSON holds no article records")
    return [record_to_article(r, path) for r in records]


def load_jsonl(text: str, path: str | None = None) -> list[Article]:
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            raise LoadError(f"invalid JSON on line {lineno}: {err.msg}") from None
        try:
            out.append(record_to_article(rec, path))
        except LoadError as err:
            raise LoadError(f"line {lineno}: {err}") from None
    if not out:
        raise LoadError("JSON Lines file holds no records")
    return out
