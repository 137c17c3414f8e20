"""Making an :class:`~qa.records.Article` from text: cleaning, the content id, the title fallback.

Every format loader (:mod:`qa.ingest.formats`) and data set reader ends here, so two sources of the same
article text produce the same record and the same id.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

from ..dates import parse_published
from ..records import Article


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
                   published=parse_published(published), url=_clean_opt(url), path=path)


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
