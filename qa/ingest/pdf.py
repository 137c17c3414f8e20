"""PDF files (pypdfium2, PDFium's text layer): one article a file, its pages kept as offsets into the one
text (``Article.pages``), so a citation names the page its sentence is on.

Why PDFium, and why its characters are put in order here rather than taken in the file's order
(docs/formats.md has the measurement): on PDFs made for the purpose (an article printed by Chromium over
three pages, an e-paper page in two CSS columns, a two-frame ReportLab story, two columns whose content
stream runs across both columns line by line, and a scan), PDFium kept every sentence of the first three
in order at 1-4 ms a page, several times faster than pypdf (which did as well), pdfplumber
(which mixed the columns) and pdfminer.six, whose layout analysis alone untangled the line-by-line
columns but misplaced a quarter of the CSS columns' sentences. PDFium gives the file's order, which is
the reading order only when the producer wrote the columns one after the other: so the lines are placed
again by their boxes (full-width bands top to bottom, columns left to right within a band), which read
all four text PDFs in order. PDFium and pypdfium2 are Apache-2.0 / BSD-3-Clause (PyMuPDF is AGPL).

A page's lines are joined into paragraphs (a line that ends a sentence short of the column's width, or
is followed by a wider gap, ends one), words broken at a line end are mended, and lines that repeat at
the top or foot of the pages (an outlet and date, a page number) are left out of the text; the first of
them gives the article its outlet and date when it reads as "outlet - date". A page with no text layer
(a scan) has no text here: OCR is not done, and a PDF with none at all is refused with that reason.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..dates import parse_published
from .article import Loaded, LoadError, Problem, first_line, make_paged_article

NO_TEXT = "no text layer: OCR not supported"


@dataclass
class _Segment:
    """A run of characters on one line of one column, with its box (PDF points, y upwards)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def load_pdf(data: bytes, path: str | None = None) -> Loaded:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise LoadError(f"not a readable PDF ({_one_line(err)})") from None
    try:
        pages = [_page_lines(document[i]) for i in range(len(document))]
        meta = document.get_metadata_dict()
    finally:
        document.close()
    if not any(pages):
        raise LoadError(NO_TEXT)
    header = _running(pages, 0)
    footer = _running(pages, -1)
    texts = [_paragraphs(_trim(lines, header, footer)) for lines in pages]
    if not any(texts):
        raise LoadError(NO_TEXT)
    source, published = _outlet_and_date(header) if header else _masthead(texts[0])
    title = _title(meta.get("Title")) or first_line("\n".join(texts))
    loaded = Loaded([make_paged_article(title, texts, source=source, published=published, path=path)])
    blank = [str(i) for i, text in enumerate(texts, 1) if not text]
    if blank:
        loaded.notes.append(Problem(f"page{'s' if len(blank) > 1 else ''} {', '.join(blank)}: {NO_TEXT}"))
    return loaded


# ----------------------------------------------------------------------------- one page's lines

def _page_lines(page: Any) -> list[list[_Segment]]:
    """The page's lines in reading order, each a list of segments (one, unless a line was set in
    pieces); a page without text gives none."""
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range()
        if not count or not text.strip():
            return []
        if len(text) != count:  # characters outside the BMP: no box per character; take PDFium's order
            return [[_Segment(line, 0, 0, 0, 0)] for line in text.splitlines() if line.strip()]
        boxes = [textpage.get_charbox(i, loose=True) for i in range(count)]
    finally:
        textpage.close()
    return _columns(_segments(text, boxes))


def _segments(text: str, boxes: Sequence[tuple[float, float, float, float]]) -> list[_Segment]:
    """Runs of characters in the file's order, cut at PDFium's line breaks and wherever the next character
    is not beside the last (another line, or across a column gap)."""
    out: list[_Segment] = []
    chars: list[int] = []

    def close() -> None:
        if chars:
            s = "".join(text[i] for i in chars).strip()
            inked = [boxes[i] for i in chars if not text[i].isspace()]
            if s and inked:
                out.append(_Segment(s, min(b[0] for b in inked), min(b[1] for b in inked),
                                    max(b[2] for b in inked), max(b[3] for b in inked)))
            chars.clear()

    last: tuple[float, float, float, float] | None = None
    for i, ch in enumerate(text):
        if ch in "\r\n":
            close()
            last = None
            continue
        box = boxes[i]
        if ch.isspace():
            if chars:
                chars.append(i)
            continue
        if last is not None:
            height = max(last[3] - last[1], box[3] - box[1], 1.0)
            other_line = abs((box[1] + box[3]) / 2 - (last[1] + last[3]) / 2) > height / 2
            gap = box[0] - last[2]
            if other_line or gap > 1.5 * height or gap < -height:
                close()
        chars.append(i)
        last = box
    close()
    return out


def _columns(segments: list[_Segment]) -> list[list[_Segment]]:
    """Lines in reading order: bands of full-width lines and bands of columns, top to bottom; in a band
    of columns, each column top to bottom, left to right."""
    if not segments:
        return []
    width = max(s.right for s in segments) - min(s.left for s in segments)
    ordered = sorted(segments, key=lambda s: -s.middle)
    bands: list[tuple[bool, list[_Segment]]] = []
    for s in ordered:
        wide = s.right - s.left >= 0.6 * width
        if bands and bands[-1][0] == wide:
            bands[-1][1].append(s)
        else:
            bands.append((wide, [s]))
    lines: list[list[_Segment]] = []
    for wide, band in bands:
        for column in ([band] if wide else _split(band)):
            lines += _rows(column)
    return lines


def _split(band: list[_Segment]) -> list[list[_Segment]]:
    """The band's columns, left to right: cut at every vertical gap that no segment crosses and that is
    wider than a word space."""
    height = statistics.median(s.height for s in band)
    spans = sorted((s.left, s.right) for s in band)
    cuts: list[float] = []
    reach = spans[0][1]
    for left, right in spans[1:]:
        if left - reach > height:
            cuts.append((left + reach) / 2)
        reach = max(reach, right)
    columns: list[list[_Segment]] = [[] for _ in range(len(cuts) + 1)]
    for s in band:
        columns[sum(1 for c in cuts if s.left > c)].append(s)
    return [c for c in columns if c]


def _rows(column: list[_Segment]) -> list[list[_Segment]]:
    """A column's segments as lines, top to bottom; segments side by side are one line, left to right."""
    rows: list[list[_Segment]] = []
    for s in sorted(column, key=lambda s: -s.middle):
        if rows and abs(rows[-1][0].middle - s.middle) < rows[-1][0].height / 2:
            rows[-1].append(s)
        else:
            rows.append([s])
    return [sorted(r, key=lambda s: s.left) for r in rows]


# ----------------------------------------------------------------------------- running heads, paragraphs

def _key(line: list[_Segment]) -> str:
    """A line as it repeats from page to page: its words, with any page number made alike."""
    return re.sub(r"\d+", "#", " ".join(s.text for s in line)).strip().lower()


def _running(pages: list[list[list[_Segment]]], at: int) -> list[_Segment]:
    """The line that heads (``at`` 0) or foots (-1) at least half the pages, two at least; [] when none."""
    with_text = [p for p in pages if p]
    if len(with_text) < 2:
        return []
    counts = Counter(_key(p[at]) for p in with_text)
    key, n = counts.most_common(1)[0]
    if n < max(2, len(with_text) / 2):
        return []
    return next(p[at] for p in with_text if _key(p[at]) == key)


def _trim(lines: list[list[_Segment]], header: list[_Segment], footer: list[_Segment]) -> list[list[_Segment]]:
    lines = list(lines)
    if lines and header and _key(lines[0]) == _key(header):
        lines = lines[1:]
    if lines and footer and _key(lines[-1]) == _key(footer):
        lines = lines[:-1]
    if lines and re.fullmatch(r"(page\s*)?\d+(\s*(of|/)\s*\d+)?", _key(lines[-1]).replace("#", "1")):
        lines = lines[:-1]  # a bare page number
    return lines


_SENTENCE_END = re.compile(r"[.!?:…][\"'”’»)\]]*$")


def _paragraphs(lines: list[list[_Segment]]) -> str:
    """The page's text: lines joined into paragraphs (a blank line between them), words broken at a
    line's end mended."""
    if not lines:
        return ""
    boxes = [(min(s.left for s in ln), min(s.bottom for s in ln), max(s.right for s in ln),
              max(s.top for s in ln)) for ln in lines]
    texts = [" ".join(s.text for s in ln) for ln in lines]
    gaps = [boxes[i - 1][1] - boxes[i][3] for i in range(1, len(lines))]
    usual = statistics.median([g for g in gaps if g >= 0] or [0.0])
    paragraphs: list[str] = [texts[0]]
    for i in range(1, len(lines)):
        prev, box = boxes[i - 1], boxes[i]
        height = prev[3] - prev[1]
        column_width = max(b[2] for b in boxes[max(0, i - 6):i + 6]) - min(b[0] for b in boxes[max(0, i - 6):i + 6])
        gap = gaps[i - 1]
        short = prev[2] - prev[0] < 0.8 * column_width and bool(_SENTENCE_END.search(texts[i - 1]))
        new = gap > usual + 0.5 * height or gap < -height or short or box[0] - prev[0] > 2 * height
        if new:
            paragraphs.append(texts[i])
        else:
            paragraphs[-1] = _join(paragraphs[-1], texts[i])
    return "\n\n".join(p for p in paragraphs if p.strip())


def _join(head: str, tail: str) -> str:
    """Two lines of one paragraph: a word hyphenated at the line's end is one word again."""
    if head.endswith(("\u00ad", "\x02")):  # a soft hyphen (PDFium marks one as U+0002)
        return head[:-1] + tail
    if re.search(r"\w-$", head) and tail[:1].islower():
        return head[:-1] + tail
    return f"{head} {tail}"


# ----------------------------------------------------------------------------- title, outlet, date

def _title(value: Any) -> str | None:
    """The document's title, unless it is the producer's filler or a file name."""
    title = re.sub(r"\s+", " ", str(value or "")).strip()
    if not title or re.search(r"\.(html?|docx?|pdf|txt|indd|odt)$|^(untitled|microsoft word\b)", title, re.I):
        return None
    return title


def _outlet_and_date(line: list[_Segment]) -> tuple[str | None, str | None]:
    """The outlet and date of a running head like "The Kestrel Bay Courier - 14 March 2026 - Page 3"."""
    if not line:
        return None, None
    parts = [p.strip() for p in re.split(r"\s+[-–—|·•]\s+|\s{2,}", " ".join(s.text for s in line)) if p.strip()]
    if len(parts) == 1 and len(line) > 1:
        parts = [s.text for s in line]
    published = next((d for p in parts if re.search(r"\d{4}", p) and (d := parse_published(p))), None)
    if published is None:
        return None, None
    names = [p for p in parts if not re.search(r"\d", p) and 2 < len(p) <= 60]
    return (names[0] if names else None), published


def _masthead(text: str) -> tuple[str | None, str | None]:
    """The outlet and date lines above the headline of a first page typed like the seed (an outlet line
    and a date line, or a date line alone)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()][:2]
    if len(lines) == 2 and len(lines[0]) <= 60 and _whole_date(lines[1]):
        return lines[0], _whole_date(lines[1])
    return None, _whole_date(lines[0]) if lines else None


def _whole_date(line: str) -> str | None:
    return parse_published(line) if len(line) <= 40 and re.search(r"\d{4}", line) else None


def _one_line(err: Any) -> str:
    return re.sub(r"\s+", " ", str(err)).strip()[:200]
