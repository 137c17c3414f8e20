"""The file formats articles come in: plain text, Markdown, HTML and JSON / JSON Lines records.

Each loader takes the file's decoded text (:func:`qa.ingest.load.read_text`) and returns the article(s)
made by :func:`qa.ingest.article.make_article`; :func:`qa.ingest.load.load_bytes` picks the loader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..dates import parse_published
from ..records import Article
from .article import Loaded, LoadError, Problem, clean_text, first_line, make_article, outlet_from_url

# ----------------------------------------------------------------------------- plain text / Markdown

_DATE_LINE = re.compile(r"^(\d{1,2}:\d{2}\s+)?\d{1,2}\.\d{1,2}\.\d{4}(\s+\d{1,2}:\d{2})?$"
                        r"|^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")


def load_plain(text: str, path: str | None = None) -> Article:
    """Plain text like the seed: optional outlet line, optional date line, headline, body."""
    source, published, rest = plain_head(text)
    return make_article(first_line(rest), clean_text(rest), source=source, published=published, path=path)


def plain_head(text: str) -> tuple[str | None, str | None, str]:
    """The outlet and date lines that may open an article typed like the seed, and the rest of it."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    nonblank = [i for i, ln in enumerate(lines) if ln]
    source = published = None
    head = 0
    if len(nonblank) >= 3 and _DATE_LINE.match(lines[nonblank[1]]) and len(lines[nonblank[0]]) <= 60:
        source, published, head = lines[nonblank[0]], parse_published(lines[nonblank[1]]), 2
    elif nonblank and _DATE_LINE.match(lines[nonblank[0]]):
        published, head = parse_published(lines[nonblank[0]]), 1
    return source, published, "\n".join(lines[nonblank[head]:]) if len(nonblank) > head else ""


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


def is_hidden(tag: Any) -> bool:
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
    for tag in soup.find_all(is_hidden):
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

def record_to_article(rec: Any, path: str | None = None, outlets: Mapping[str, str] | None = None) -> Article:
    """One JSON record: ``text`` (or ``body``, ``content``), ``title`` (or ``headline``), ``source`` (or
    ``outlet``, ``site_name``), ``published`` (or ``publish_date``, ``date``, ``published_at``), ``url``.
    Without an outlet, the one ``outlets`` knows for the URL's host (named by other records of the same
    file), else the host itself."""
    if not isinstance(rec, dict):
        raise LoadError("JSON record is not an object")
    text = rec.get("text") or rec.get("body") or rec.get("content")
    if not isinstance(text, str) or not text.strip():
        raise LoadError("JSON record has no 'text' or 'body'")
    title = rec.get("title") or rec.get("headline") or ""
    source = _source(rec)
    url = rec.get("url")
    if not source and outlets:
        source = outlets.get(outlet_from_url(str(url)) or "")
    published = (rec.get("published") or rec.get("publish_date") or rec.get("date")
                 or rec.get("published_at"))
    title_s = str(title)
    body = text if not title_s or text.lstrip().startswith(title_s) else f"{title_s}\n\n{text}"
    return make_article(title_s, body, source=source, published=published, url=url, path=path)


def _source(rec: dict[str, Any]) -> str | None:
    source = rec.get("source") or rec.get("outlet") or rec.get("site_name")
    if isinstance(source, dict):
        source = source.get("name")
    return str(source).strip() or None if source else None


def known_outlets(records: Iterable[Any]) -> dict[str, str]:
    """The outlet named for each web host by the records that give both (the first name wins), so a
    record of the same file that names none is credited to "AP News" rather than "apnews.com"."""
    out: dict[str, str] = {}
    for rec in records:
        if isinstance(rec, dict) and (source := _source(rec)):
            host = outlet_from_url(str(rec.get("url") or ""))
            if host and source != host:
                out.setdefault(host, source)
    return out


def _records(loaded: Loaded, items: list[tuple[Any, Problem]], path: str | None) -> Loaded:
    """Each record made an article; one that cannot be is listed with where it is, the rest go on."""
    outlets = known_outlets(rec for rec, _ in items)
    for rec, where in items:
        try:
            loaded.articles.append(record_to_article(rec, path, outlets))
        except LoadError as err:
            loaded.failed.append(Problem(str(err), where.line, where.entry))
    loaded.failed.sort(key=lambda p: (p.line or 0, p.entry or 0))
    return loaded


def load_json(text: str, path: str | None = None) -> Loaded:
    """A JSON array of records, ``{"articles": [...]}``, or one record."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise LoadError(f"invalid JSON at line {err.lineno} column {err.colno}: {err.msg}") from None
    records = data if isinstance(data, list) else data.get("articles", [data]) if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise LoadError("JSON holds no article records")
    lines = _item_lines(text) if isinstance(data, list) else []
    if len(lines) != len(records):
        lines = []
    where = [Problem("", lines[i] if lines else None, i + 1) for i in range(len(records))]
    return _records(Loaded(), list(zip(records, where, strict=True)), path)


def _item_lines(text: str) -> list[int]:
    """The line each item of a top-level JSON array starts on (the decoder gives values, not places)."""
    decoder = json.JSONDecoder()
    lines: list[int] = []
    i = text.index("[") + 1
    line, counted = 1, 0
    while True:
        while i < len(text) and (text[i].isspace() or text[i] == ","):
            i += 1
        if i >= len(text) or text[i] == "]":
            return lines
        line += text.count("\n", counted, i)
        counted = i
        lines.append(line)
        try:
            _, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            return []


def load_jsonl(text: str, path: str | None = None) -> Loaded:
    """One JSON record a line; a line that is not valid JSON, or not an article, is listed by its number."""
    loaded = Loaded()
    items: list[tuple[Any, Problem]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append((json.loads(line), Problem("", lineno)))
        except json.JSONDecodeError as err:
            loaded.failed.append(Problem(f"invalid JSON: {err.msg} (column {err.colno})", lineno))
    if not items and not loaded.failed:
        raise LoadError("JSON Lines file holds no records")
    return _records(loaded, items, path)
