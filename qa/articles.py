"""Loading articles from files: plain text, Markdown, HTML and JSON / JSON Lines records.

Every loader returns :class:`~qa.records.Article` records whose ``text`` is the cleaned text that
passage and citation offsets refer to. A file that cannot be read raises :class:`LoadError` with a
one-line reason meant for the user.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from .records import Article

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}


class LoadError(Exception):
    """A file that cannot be ingested; ``str(err)`` is a one-line reason."""


def article_id(title: str, text: str) -> str:
    """A stable id derived from the content: the same article under two file names is one article."""
    norm = unicodedata.normalize("NFC", f"{title}\n{text}")
    norm = re.sub(r"\s+", " ", norm).strip().lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def make_article(title: str, text: str, *, source: str | None = None, published: Any = None,
                 url: str | None = None, path: str | None = None) -> Article:
    text = clean_text(text)
    title = re.sub(r"\s+", " ", title or "").strip()
    if not title:
        title = first_line(text)
    if not text.strip():
        raise LoadError("no article text")
    return Article(id=article_id(title, text), title=title, text=text, source=_clean_opt(source),
                   published=parse_date(published), url=_clean_opt(url), path=path)


def _clean_opt(value: Any) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", str(value)).strip()
    return value or None


def first_line(text: str, limit: int = 300) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# Lines that are page furniture rather than article text.
_BOILERPLATE = re.compile(
    r"^(\d+\s*min(ute)?s?\s*read|ad|advertisement|share( this)?( article)?|read more|"
    r"subscribe( now)?|print|comments?)$", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Normalise line ends and spaces, drop boilerplate lines, keep paragraphs."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\u00a0", " ").replace("\ufeff", "")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    paragraphs: list[str] = []
    for line in text.split("\n"):
        line = re.sub(r"[ \t]+", " ", line).strip()
        if _BOILERPLATE.match(line):
            continue
        last = next((p for p in reversed(paragraphs) if p), None)
        if line and line == last:
            continue  # a repeated headline or line
        paragraphs.append(line)
    out = "\n".join(paragraphs)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


_DATE_FORMATS = ("%H:%M %d.%m.%Y", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%Y/%m/%d", "%Y/%m/%d/%H:%M",
                 "%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%B %d, %Y", "%b %d, %Y",
                 "%d %B %Y", "%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M:%S %z")


def parse_date(value: Any) -> str | None:
    """Parse the date forms that news sources use into ISO 8601 (no time zone conversion)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value)).isoformat(timespec="minutes")
    s = str(value).strip()
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        return dt.isoformat(timespec="minutes") if (dt.hour or dt.minute or "T" in s) else dt.date().isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            dt = datetime.strptime(s, fmt)
        except ValueError:
            continue
        return dt.isoformat(timespec="minutes") if "%H" in fmt else dt.date().isoformat()
    return None


def read_text(data: bytes) -> str:
    """Decode bytes strictly: UTF-8 (with or without BOM) or BOM-marked UTF-16."""
    if not data.strip():
        raise LoadError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise LoadError(f"not valid UTF-16 ({err.reason} at byte {err.start})") from None
    sample = data[:8192]
    if b"\x00" in sample or _control_share(sample) > 0.1:
        raise LoadError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise LoadError(f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
                        "save the file as UTF-8") from None


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)


# ----------------------------------------------------------------------------- plain text / Markdown

_TIME_DATE = re.compile(r"^\d{1,2}:\d{2}\s+\d{1,2}\.\d{1,2}\.\d{4}$")
_DATE_LINE = re.compile(r"^(\d{1,2}:\d{2}\s+)?\d{1,2}\.\d{1,2}\.\d{4}(\s+\d{1,2}:\d{2})?$"
                        r"|^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$")


def load_plain(text: str, path: str | None = None) -> Article:
    """Plain text like the seed: optional outlet line, optional date line, headline, body."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    nonblank = [i for i, ln in enumerate(lines) if ln]
    source = published = None
    head = 0
    if len(nonblank) >= 3 and _DATE_LINE.match(lines[nonblank[1]]) and len(lines[nonblank[0]]) <= 60:
        source, published, head = lines[nonblank[0]], parse_date(lines[nonblank[1]]), 2
    elif nonblank and _DATE_LINE.match(lines[nonblank[0]]):
        published, head = parse_date(lines[nonblank[0]]), 1
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


def load_bytes(data: bytes, name: str, path: str | None = None) -> list[Article]:
    """Load the articles in one file's content; ``name`` decides the format by its suffix."""
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        raise LoadError(f"unsupported file type '{Path(name).suffix or name}' "
                        f"(supported: {', '.join(sorted(SUFFIXES))})")
    text = read_text(data)
    if kind == "json":
        return load_json(text, path)
    if kind == "jsonl":
        return load_jsonl(text, path)
    if kind == "html":
        return [load_html(text, path)]
    if kind == "markdown":
        return [load_markdown(text, path)]
    return [load_plain(text, path)]
