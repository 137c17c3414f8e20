"""Loading articles from files: plain text, Markdown, HTML, JSON / JSON Lines records, PDF, Word (.docx)
and RSS / Atom feeds.

Every loader returns :class:`~qa.records.Article` records whose ``text`` is the cleaned text that
passage and citation offsets refer to. A file that cannot be read raises :class:`LoadError` with a
one-line reason meant for the user; a file of many records (JSON, JSON Lines, a feed) lists each record
it could not read in :attr:`Loaded.failed` and still gives the others.

This module decodes a file's bytes and picks the loader by its suffix; the text loaders are in
:mod:`qa.ingest.formats`, the binary and feed ones in :mod:`qa.ingest.pdf`, :mod:`qa.ingest.word` and
:mod:`qa.ingest.feeds`, the record making (cleaning, ids) in :mod:`qa.ingest.article`, and the publication
date parsing in :mod:`qa.dates`. Their public names stay importable from here.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..dates import parse_published as parse_date
from ..records import Article
from .article import Loaded, LoadError, Problem, article_id, clean_text, first_line, make_article
from .formats import load_html, load_json, load_jsonl, load_markdown, load_plain, record_to_article

__all__ = ["FORMATS", "SUFFIXES", "LoadError", "Loaded", "Problem", "article_id", "clean_text", "decode", "first_line",
           "load_bytes", "load_file", "load_html", "load_json", "load_jsonl", "load_markdown", "load_plain",
           "make_article", "parse_date", "read_text", "record_to_article"]

log = logging.getLogger(__name__)

SUFFIXES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
            ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
            ".pdf": "pdf", ".docx": "docx", ".rss": "feed", ".atom": "feed", ".xml": "feed"}
# The formats in words, for the page and for error messages.
FORMATS = "plain text, Markdown, HTML, JSON, JSON Lines, PDF, Word (.docx), RSS and Atom feeds"


def read_text(data: bytes) -> str:
    """Decode a file's bytes; see :func:`decode`."""
    return decode(data)[0]


def decode(data: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read with.

    UTF-8 (with or without BOM) and BOM-marked UTF-16 are read as they are. A text file that is not
    valid UTF-8 is read in the single-byte encoding charset-normalizer finds for it (Windows-1252,
    which covers Latin-1's letters, when that reads cleanly); binary data, and text it finds no
    confident encoding for, raise :class:`LoadError`."""
    if not data.strip():
        raise LoadError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise LoadError(f"not valid UTF-16 ({err.reason} at byte {err.start})") from None
    sample = data[:8192]
    if b"\x00" in sample or _control_share(sample) > 0.1:
        raise LoadError("binary file, not text")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as err:
        encoding = _single_byte_encoding(data)
        if encoding is None:
            raise LoadError(f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start}); "
                            "save the file as UTF-8") from None
        return data.decode(encoding), encoding


def _control_share(sample: bytes) -> float:
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(len(sample), 1)


_ASCII = bytes(range(32, 127))


def _single_byte_encoding(data: bytes) -> str | None:
    """The encoding charset-normalizer reads ``data`` in with little enough mess: Windows-1252 when it
    passes (charset-normalizer's own ranking of the Latin code pages is a guess on short texts, which
    read the same in many), else its best guess if that is a single-byte encoding that keeps ASCII."""
    from charset_normalizer import from_bytes

    match = from_bytes(data, cp_isolation=["cp1252"]).best() or from_bytes(data).best()
    if match is None:
        return None
    encoding = match.encoding
    try:
        single_byte = len(bytes(range(256)).decode(encoding, errors="replace")) == 256
        keeps_ascii = _ASCII.decode(encoding) == _ASCII.decode("ascii")
    except (LookupError, UnicodeDecodeError):
        return None
    return encoding if single_byte and keeps_ascii else None


def supported(name: str) -> bool:
    return Path(name).suffix.lower() in SUFFIXES


def unsupported(name: str) -> str:
    """Why a file of this name is not read, naming the types that are."""
    return f"unsupported file type '{Path(name).suffix or name}' (supported: {', '.join(sorted(SUFFIXES))})"


def load_file(data: bytes, name: str, path: str | None = None) -> Loaded:
    """The articles in one file's content, with the records that could not be read; ``name`` decides the
    format by its suffix. A file that cannot be read, or holds no records, raises :class:`LoadError`."""
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        raise LoadError(unsupported(name))
    if not data.strip():
        raise LoadError("empty file")
    # Imported when needed: each binary format's library loads only for a file of that format.
    if kind == "pdf":
        from .pdf import load_pdf

        loaded = load_pdf(data, path)
    elif kind == "docx":
        from .word import load_docx

        loaded = Loaded([load_docx(data, path)])
    elif kind == "feed":
        from .feeds import load_feed

        loaded = load_feed(data, path)
    else:
        text, encoding = decode(data)
        if encoding not in ("utf-8", "utf-16"):
            log.warning("%s is not UTF-8; read it as %s", path or name, encoding)
        if kind == "json":
            loaded = load_json(text, path)
        elif kind == "jsonl":
            loaded = load_jsonl(text, path)
        elif kind == "html":
            loaded = Loaded([load_html(text, path)])
        elif kind == "markdown":
            loaded = Loaded([load_markdown(text, path)])
        else:
            loaded = Loaded([load_plain(text, path)])
    if not loaded.articles and not loaded.failed:
        raise LoadError("no articles in the file")
    return loaded


def load_bytes(data: bytes, name: str, path: str | None = None) -> list[Article]:
    """The articles of a file that must be read whole: a bad record raises :class:`LoadError` (with its
    line or entry), where :func:`load_file` lists it and goes on."""
    loaded = load_file(data, name, path)
    if loaded.failed:
        raise LoadError(str(loaded.failed[0]))
    return loaded.articles
