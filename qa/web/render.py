"""HTML for the chat page: answers with their own sources, the side panel, the article list.

Every piece of article text is escaped here, so titles or passages holding tags show as text. A chat
message is one line of HTML (no blank lines), so the chatbot's Markdown step leaves it alone.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from ..records import Answer, Citation, Hit

PLACEHOLDER = "Sources of the answer appear here."
SORTS = ("newest first", "oldest first", "title A-Z")


def esc(text: str | None) -> str:
    """Escaped text on one line (a blank line would end the HTML block in Markdown)."""
    return html.escape(re.sub(r"\s+", " ", text or "").strip())


def date(published: str | None) -> str:
    return published[:10] if published else "undated"


def relevance(score: float | None, good: float, partial: float) -> str:
    """Relevance as words and a bar; ``good`` and ``partial`` are the answerer's own thresholds
    (a sentence is quoted from ``good`` up, nothing below ``partial`` is close enough to answer)."""
    if score is None:
        return "<span class='qa-rel'>keyword match</span>"
    word = ("strong" if score >= good + 0.25 else "good" if score >= good
            else "partial" if score >= partial else "weak")
    width = round(100 * min(max(score, 0.05), 1.0))
    return (f"<span class='qa-rel qa-rel-{word}' title='relevance {score:.2f}'><span class='qa-bar'>"
            f"<span style='width:{width}%'></span></span> {word} match</span>")


def _link(url: str | None) -> str:
    if not url or not re.match(r"https?://", url):
        return ""  # no javascript: or data: links from article metadata
    return f" · <a href='{html.escape(url)}' target='_blank' rel='noopener noreferrer'>original</a>"


def _highlighted(c: Citation) -> str:
    """The cited passage with the supporting sentence in a <mark>."""
    text = c.passage_text or c.quote
    a, b = c.start - c.passage_start, c.end - c.passage_start
    if not (0 <= a <= b <= len(text)) or text[a:b] != c.quote:
        return f"<mark class='qa-hl'>{esc(c.quote)}</mark>"
    return f"{esc(text[:a])} <mark class='qa-hl'>{esc(text[a:b])}</mark> {esc(text[b:])}"


def _item(k: int, key: str, label: str, outlet: str | None, published: str | None, title: str, body: str,
          meta: str, is_open: bool, page: int | None = None) -> str:
    """One source: a chip (number, outlet, date, and the page of a PDF) that opens in place to the passage."""
    ident = f" id='qa-a{k}-s{key}'" if k else ""  # the side panel's copy carries no ids
    where = f" · <span class='qa-page'>p. {page}</span>" if page else ""
    return (f"<details class='qa-src qa-s-{key}'{ident}{' open' if is_open else ''}><summary class='qa-chip'>"
            f"<span class='qa-n'>{label}</span> <span class='qa-outlet'>{esc(outlet or 'unknown outlet')}</span>"
            f" · <time>{date(published)}</time>{where}</summary><div class='qa-card'><div class='qa-title'>{esc(title)}"
            f"</div><p class='qa-passage'>{body}</p><div class='qa-meta'>{meta}</div></div></details>")


def sources(answer: Answer, k: int, question: str, good: float, partial: float, is_open: bool = False) -> str:
    """The answer's own sources (its citations; for a refusal, the closest passages)."""
    items = [_item(k, str(c.n), f"[{c.n}]", c.source, c.published, c.title, _highlighted(c),
                   relevance(c.score, good, partial) + _link(c.url), is_open, c.page) for c in answer.citations]
    head = "Sources"
    if not answer.citations:
        head = "Closest passages (they do not answer the question)"
        items = [_hit(h, i, k, good, partial, is_open) for i, h in enumerate(answer.hits[:3], 1)]
    if not items:
        return ""
    return (f"<div class='qa-srcs'><div class='qa-srcs-h'>{head}<span class='qa-for'> for “{esc(question)}”</span>"
            f"</div>{''.join(items)}</div>")


def _hit(h: Hit, i: int, k: int, good: float, partial: float, is_open: bool) -> str:
    return _item(k, f"c{i}", f"{i}.", h.article.source, h.article.published, h.article.title,
                 esc(h.passage.text), relevance(h.dense, good, partial) + _link(h.article.url), is_open,
                 h.article.page_of(h.passage.start))


def answer_text(answer: Answer, k: int) -> str:
    """The answer's text, escaped, with each [n] a link to source n of this same answer."""
    known = {c.n for c in answer.citations}
    text = html.escape(answer.text.strip()).replace("\n", "<br>")

    def cite(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"<a class='qa-cite' href='#qa-a{k}-s{n}'>[{n}]</a>" if n in known else m.group(0)

    text = re.sub(r"\[(\d+)\]", cite, text)
    if answer.error:
        text = f"<span class='qa-error'>{esc(answer.error)}</span><br>{text}"
    return text


def turn(answer: Answer, k: int, question: str, good: float, partial: float) -> str:
    """A finished answer as one chat message: its text, how a follow-up was read, its sources."""
    parts = [f"<div class='qa-turn{' qa-refused' if answer.refused else ''}'><div class='qa-text'>"
             f"{answer_text(answer, k)}</div>"]
    standalone = (answer.standalone_question or "").strip()
    if standalone and standalone.rstrip("?").lower() != question.strip().rstrip("?").lower():
        parts.append(f"<div class='qa-read-as'>Read as: “{esc(standalone)}”</div>")
    parts.append(sources(answer, k, question, good, partial))
    return "".join(parts) + "</div>"


def panel(answer: Answer | None, question: str, good: float, partial: float) -> str:
    """The side panel: the sources of one answer, opened."""
    body = sources(answer, 0, question, good, partial, is_open=True) if answer else ""
    return f"<div class='qa-panel'>{body or f'<p class=qa-empty>{PLACEHOLDER}</p>'}</div>"


def pending(note: str, draft: str = "") -> str:
    """The message shown while an answer is on its way: what is happening, and the draft so far."""
    text = f"<div class='qa-draft'>{esc(draft)}</div>" if draft else ""
    return f"<div class='qa-turn qa-busy'>{text}<div class='qa-pending' role='status'>{esc(note)}</div></div>"


STOPPED = "<div class='qa-turn qa-stopped'><div class='qa-text'>Stopped. Ask again, or press Regenerate.</div></div>"


def user(message: str) -> str:
    return f"<div class='qa-q'>{esc(message)}</div>"


def article_rows(articles: Sequence[dict[str, Any]], query: str, sort: str) -> list[dict[str, Any]]:
    """The catalog's articles that match ``query`` (title or outlet), in the chosen order."""
    q = (query or "").strip().lower()
    rows = [a for a in articles if not q or q in (a["title"] or "").lower() or q in (a["source"] or "").lower()]
    if sort == "title A-Z":
        return sorted(rows, key=lambda a: (a["title"] or "").lower())
    rows = sorted(rows, key=lambda a: (a["title"] or "").lower())
    dated = sorted((a for a in rows if a["published"]), key=lambda a: a["published"], reverse=sort != "oldest first")
    return dated + [a for a in rows if not a["published"]]  # undated articles last in either order


def table(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    # Dataframe cells of type "str" are shown as text: a title holding tags is not markup here.
    return [[a["title"], a["source"] or "", date(a["published"]), a["passages"]] for a in rows]


def upload_report(rows: Sequence[tuple[str, str]]) -> str:
    """The per-file result of an upload as an HTML table."""
    body = "".join(f"<tr><td>{esc(name)}</td><td class='qa-{esc(result.split(':')[0])}'>{esc(result)}</td></tr>"
                   for name, result in rows)
    return f"<table class='qa-report'><tr><th>file</th><th>result</th></tr>{body}</table>"
