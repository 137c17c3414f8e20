"""Word documents (.docx, python-docx): the body's paragraphs and tables in document order.

The title is the document's own (its properties, else its first paragraph styled as a title or heading,
else its first line); an outlet and date typed above the headline are read as in plain text (like the
seed). The file's creation date is not taken for the article's: a clipping saved today would read as
today's news.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..records import Article
from .article import LoadError, clean_text, first_line, make_article
from .formats import plain_head

_MAX_UNPACKED = 200_000_000

# Titles that word processors fill in by themselves rather than the author.
_DEFAULT_TITLE = re.compile(r"^(untitled|document\d*|microsoft word\b.*)$", re.IGNORECASE)


def load_docx(data: bytes, path: str | None = None) -> Article:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        # A .docx is a zip: one that would unpack to far more than any article is refused unread.
        unpacked = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > _MAX_UNPACKED:
            raise LoadError(f"the .docx unpacks to {unpacked / 1e6:.0f} MB (at most {_MAX_UNPACKED / 1e6:.0f} MB)")
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as err:
        raise LoadError(f"not a Word .docx file ({type(err).__name__}: {err})") from None
    blocks: list[str] = []
    heading = ""
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            style = (item.style.name if item.style is not None else "") or ""
            if text and not heading and re.match(r"(Title|Heading 1)$", style):
                heading = text
            blocks.append(text)
        elif isinstance(item, Table):
            for row in item.rows:
                # A merged cell repeats in each column it spans: keep it once.
                cells = list(dict.fromkeys(c.text.strip() for c in row.cells))
                blocks.append(" | ".join(c for c in cells if c))
    source, published, rest = plain_head("\n\n".join(b for b in blocks if b))
    title = (document.core_properties.title or "").strip()
    if not title or _DEFAULT_TITLE.match(title):
        title = heading or first_line(rest)
    return make_article(title, clean_text(rest), source=source, published=published, path=path)
