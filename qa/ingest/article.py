"""Making an :class:`~qa.records.Article` from text: cleaning, the content id, the title fallback.

Every format loader (:mod:`qa.ingest.formats`) and data set reader ends here, so two sources of the same
article text produce the same record and the same id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..dates import parse_published
from ..records import Article


class LoadError(Exception):
    """A file that cannot be ingested; ``str(err)`` is a one-line reason."""


@dataclass(frozen=True)
class Problem:
    """One record of a file that was left out (or taken with a caveat), and where it is in the file: the
    ``line`` of a JSON Lines record or of a JSON array's item, the ``entry`` number of a feed entry or
    of a JSON record (1-based)."""

    reason: str
    line: int | None = None
    entry: int | None = None

    def to_json(self, path: str) -> dict[str, Any]:
        """The ``failed`` item of ``qa ingest --json``: ``{"path", "line"?, "entry"?, "error"}``."""
        where = {k: v for k, v in (("line", self.line), ("entry", self.entry)) if v is not None}
        return {"path": path, **where, "error": self.reason}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else f"entry {self.entry}" if self.entry else ""
        return f"{where}: {self.reason}" if where else self.reason


@dataclass
class Loaded:
    """What one file gave: its articles, the records that could not be read (the rest of the file is
    still ingested), and caveats about articles that were read (a feed entry that is only a summary)."""

    articles: list[Article] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def article_id(title: str, text: str) -> str:
    """A stable id derived from the content: the same article under two file names is one article."""
    norm = unicodedata.normalize("NFC", f"{title}\n{text}")
    norm = re.sub(r"\s+", " ", norm).strip().lower()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def make_article(title: str, text: str, *, source: str | None = None, published: Any = None,
                 url: str | None = None, path: str | None = None) -> Article:
    """The article of one cleaned text; without an outlet, the outlet is read from ``url``."""
    return _article(title, clean_text(text), (), source, published, url, path)


def make_paged_article(title: str, pages: Sequence[str], *, source: str | None = None, published: Any = None,
                       url: str | None = None, path: str | None = None) -> Article:
    """The article of a paged source: each page cleaned on its own and joined by a blank line (by a space
    where a sentence runs on from one page to the next), with the offset where each page starts kept in
    ``Article.pages`` (a page with no text starts where the next one does). The joined text is not
    cleaned again, so the offsets stay true."""
    text = ""
    starts: list[int] = []
    for page in pages:
        cleaned = clean_text(page)
        if cleaned and text:
            runs_on = not _ENDS_SENTENCE.search(text) and cleaned[0].islower()
            text += " " if runs_on else "\n\n"
        starts.append(len(text))
        text += cleaned
    return _article(title, text, tuple(starts), source, published, url, path)


_ENDS_SENTENCE = re.compile(r"[.!?…:][\"'”’»)\]]*$")


def _article(title: str, text: str, pages: tuple[int, ...], source: str | None, published: Any,
             url: str | None, path: str | None) -> Article:
    title = re.sub(r"\s+", " ", title or "").strip()
    if not title:
        title = first_line(text)
    if not text.strip():
        raise LoadError("no article text")
    url = _clean_opt(url)
    return Article(id=article_id(title, text), title=title, text=text,
                   source=_clean_opt(source) or outlet_from_url(url), published=parse_published(published),
                   url=url, path=path, pages=pages)


# Host names that are another door to the same outlet (www, mobile, AMP and regional editions).
_SAME_SITE = re.compile(r"^(?:www\d*|m|mobile|amp|edition)\.")


def outlet_from_url(url: str | None) -> str | None:
    """The outlet a web address names when nothing else does: its host without ``www.`` (or a mobile,
    AMP or edition prefix), e.g. ``https://www.apnews.com/article/x`` -> ``apnews.com``."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return _SAME_SITE.sub("", host.lower().rstrip(".")) or None


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
