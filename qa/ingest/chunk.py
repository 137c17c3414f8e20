"""Sentence splitting and chunking with character offsets.

Passages are runs of whole sentences, so a citation can later point at the exact sentence;
``article.text[p.start:p.end] == p.text`` holds for every passage and every sentence span.
"""

from __future__ import annotations

import re

from ..records import Article, Passage

# Words after which a period does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "rep",
    "sen", "gov", "pres", "rev", "hon", "no", "vs", "etc", "inc", "ltd", "co", "corp", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g",
    "i.e", "a.m", "p.m", "approx", "dept", "est", "fig", "mt", "ft",
}

# A candidate boundary: end punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)|\n")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        if m.group() != "\n":
            word = re.search(r"([\w.]+)\W*$", text[cur:m.start() + 1])
            token = word.group(1).lower().rstrip(".") if word else ""
            if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token or "x"):
                continue  # "Dr." or an initial ("J. Smith")
            nxt = re.match(r"\s*(\S)", text[stop:end])
            if nxt and (nxt.group(1).islower() or nxt.group(1) in ",;:"):
                continue  # "... $1.5 bn. in" or a quote followed by "he said"
        _add_span(text, cur, stop, spans)
        cur = stop
    _add_span(text, cur, end, spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))


def chunk(article: Article, target_chars: int) -> list[Passage]:
    """Group whole sentences into passages of about ``target_chars``; paragraphs are preferred
    break points, and a page break (``Article.pages``) always ends one. A single sentence longer than the
    target is a passage of its own. The target is
    ``Settings.chunk_chars``; a passage longer than the embedder's window is still embedded whole
    (see ``qa.index.onnx_embed``)."""
    text = article.text
    passages: list[Passage] = []
    group: list[tuple[int, int]] = []

    def flush() -> None:
        if group:
            a, b = group[0][0], group[-1][1]
            passages.append(Passage(id=f"{article.id}:{len(passages)}", article_id=article.id,
                                    index=len(passages), start=a, end=b, text=text[a:b]))
            group.clear()

    for a, b in sentence_spans(text):
        if group:
            size = b - group[0][0]
            paragraph_break = "\n\n" in text[group[-1][1]:a]
            # A passage stays on one page, so the page a citation names holds all of its passage.
            new_page = bool(article.pages) and article.page_of(a) != article.page_of(group[0][0])
            if size > target_chars or (paragraph_break and size > target_chars * 0.75) or new_page:
                flush()
        group.append((a, b))
    flush()
    return passages
