"""HTML for the chat page: answers with their own sources, the side panel, a refusal's closest passages,
the article list.

Every piece of article text is escaped here, so titles or passages holding tags show as text. A chat
message is one line of HTML (no blank lines), so the chatbot's Markdown step leaves it alone. Dates are
written one way for people everywhere on the page: "23 Aug 2025".
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from ..dates import parse_date
from ..records import Answer, Citation, Hit

PLACEHOLDER = "Sources of the answer appear here."
SORTS = ("newest first", "oldest first", "title A–Z", "outlet A–Z")
LINE_CHARS = 140  # a closest passage is offered as one line of about this many characters


def esc(text: str | None) -> str:
    """Escaped text on one line (a blank line would end the HTML block in Markdown)."""
    return html.escape(re.sub(r"\s+", " ", text or "").strip())


def md(text: str | None) -> str:
    """Text (a title, an outlet) shown as itself inside Markdown: no emphasis, links or tags."""
    return re.sub(r"([\\`*_{}\[\]()#+!|~<>-])", r"\\\1", esc(text))


def plural(n: int, word: str, many: str | None = None) -> str:
    """"1 article", "3 articles", "1,204 passages"."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def date(published: str | None) -> str:
    """A publication date as people write it: "23 Aug 2025" ("undated" without one)."""
    d = parse_date(published)
    return f"{d.day} {d:%b %Y}" if d else "undated"


def _time(published: str | None) -> str:
    d = parse_date(published)
    return f"<time datetime='{d.isoformat()}'>{date(published)}</time>" if d else "<time>undated</time>"


def relevance(score: float | None, good: float, partial: float) -> str:
    """Relevance in words, with a bar; ``good`` and ``partial`` are the answerer's own thresholds
    (a sentence is quoted from ``good`` up, nothing below ``partial`` is close enough to answer). No
    number is shown, not even in a tooltip: a cosine of 0.62 means nothing to a reader."""
    if score is None:
        return "<span class='qa-rel'>keyword match</span>"
    word = ("strong" if score >= good + 0.25 else "good" if score >= good
            else "partial" if score >= partial else "weak")
    width = round(100 * min(max(score, 0.05), 1.0))
    return (f"<span class='qa-rel qa-rel-{word}'><span class='qa-bar'><span style='width:{width}%'></span></span>"
            f" {word} match</span>")


def _link(url: str | None) -> str:
    if not url or not re.match(r"https?://", url):
        return ""  # no javascript: or data: links from article metadata
    return f" · <a href='{html.escape(url)}' target='_blank' rel='noopener noreferrer'>original</a>"


def _words(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def without_headline(text: str, title: str) -> int:
    """How many leading characters of a passage repeat its article's headline (a Markdown "# Title"
    line, a headline in an HTML body), so the card, which shows the title above, can leave them out."""
    head = re.match(r"\s*#*\s*", text)
    start = head.end() if head else 0
    line = text[start:].split("\n", 1)[0]
    if not title.strip() or _words(line) != _words(title):
        return 0
    return start + len(line)


def _highlighted(c: Citation) -> str:
    """The cited passage with the supporting sentence in a <mark>."""
    text = c.passage_text or c.quote
    a, b = c.start - c.passage_start, c.end - c.passage_start
    if not (0 <= a <= b <= len(text)) or text[a:b] != c.quote:
        return f"<mark class='qa-hl'>{esc(c.quote)}</mark>"
    skip = min(without_headline(text, c.title), a)
    return f"{esc(text[skip:a])} <mark class='qa-hl'>{esc(text[a:b])}</mark> {esc(text[b:])}"


def _item(k: int, key: str, label: str, outlet: str | None, published: str | None, title: str, body: str,
          meta: str, is_open: bool, page: int | None = None) -> str:
    """One source: a chip (number, outlet, date, and the page of a PDF) that opens in place to the passage."""
    ident = f" id='qa-a{k}-s{key}'" if k else ""  # the side panel's copy carries no ids
    where = f" · <span class='qa-page'>p. {page}</span>" if page else ""
    return (f"<details class='qa-src qa-s-{key}'{ident}{' open' if is_open else ''}><summary class='qa-chip'>"
            f"<span class='qa-n'>{label}</span> <span class='qa-outlet'>{esc(outlet or 'unknown outlet')}</span>"
            f" · {_time(published)}{where}</summary><div class='qa-card'><div class='qa-title'>{esc(title)}"
            f"</div><p class='qa-passage'>{body}</p><div class='qa-meta'>{meta}</div></div></details>")


def sources(answer: Answer, k: int, question: str, good: float, partial: float, is_open: bool = False) -> str:
    """The answer's own sources, its citations ("" for an answer without any)."""
    items = [_item(k, str(c.n), f"[{c.n}]", c.source, c.published, c.title, _highlighted(c),
                   relevance(c.score, good, partial) + _link(c.url), is_open, c.page) for c in answer.citations]
    if not items:
        return ""
    return (f"<div class='qa-srcs'><div class='qa-srcs-h'>Sources<span class='qa-for'> for “{esc(question)}”</span>"
            f"</div>{''.join(items)}</div>")


def _passage_line(h: Hit, i: int, k: int) -> str:
    """A closest passage as one line (title, outlet, date, the start of the passage) that opens to the
    whole passage."""
    text = h.passage.text
    text = text[without_headline(text, h.article.title):]
    ident = f" id='qa-a{k}-c{i}'" if k else ""
    page = h.article.page_of(h.passage.start)
    where = f" · p. {page}" if page else ""
    return (f"<details class='qa-near'{ident}><summary class='qa-line'><span class='qa-title'>"
            f"{esc(h.article.title)}</span> <span class='qa-meta'>· {esc(h.article.source or 'unknown outlet')} · "
            f"{_time(h.article.published)}{where}</span> <span class='qa-snip'>{esc(_clip(text, LINE_CHARS))}</span>"
            f"</summary><div class='qa-card'><p class='qa-passage'>{esc(text)}</p>"
            f"<div class='qa-meta'>{_link(h.article.url).removeprefix(' · ')}</div></div></details>")


def _clip(text: str, n: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + "…"


def closest(answer: Answer, k: int, looked_for: str) -> str:
    """What a refusal looked for, and the closest passages folded away, one line each."""
    hits = answer.hits[:3]
    parts = [f"<div class='qa-looked'>{esc(looked_for)}</div>"] if looked_for else []
    if hits:
        lines = "".join(_passage_line(h, i, k) for i, h in enumerate(hits, 1))
        parts.append(f"<details class='qa-closest'><summary>{plural(len(hits), 'closest passage')} "
                     f"<span class='qa-muted'>(none of them answers it)</span></summary>{lines}</details>")
    return "".join(parts)


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


def _sources_link(answer: Answer, k: int) -> str:
    """Where the side panel shows sources (a desktop), the answer names them in one line that puts them
    there; the chips themselves are left to narrow screens, so no source is shown twice."""
    outlets = list(dict.fromkeys(c.source or "unknown outlet" for c in answer.citations))
    return (f"<a class='qa-srcs-link' href='#qa-a{k}-s'>{plural(len(answer.citations), 'source')}: "
            f"{esc(', '.join(outlets))}</a>")


def turn(answer: Answer, k: int, question: str, good: float, partial: float, looked_for: str = "") -> str:
    """A finished answer as one chat message: its text, how a follow-up was read, its sources (for a
    refusal: what was looked for and the closest passages, folded)."""
    parts = [f"<div class='qa-turn{' qa-refused' if answer.refused else ''}'><div class='qa-text'>"
             f"{answer_text(answer, k)}</div>"]
    standalone = (answer.standalone_question or "").strip()
    if standalone and standalone.rstrip("?").lower() != question.strip().rstrip("?").lower():
        parts.append(f"<div class='qa-read-as'>Read as: “{esc(standalone)}”</div>")
    if answer.citations:
        parts.append(_sources_link(answer, k) + sources(answer, k, question, good, partial))
    elif answer.refused:
        parts.append(closest(answer, k, looked_for))
    return "".join(parts) + "</div>"


NO_SOURCES = ("<div class='qa-srcs-h'>No sources</div><p class='qa-empty'>Nothing in the articles answers this "
              "question, so there is nothing to cite. The closest passages are folded under the answer.</p>")


def panel(answer: Answer | None, question: str, good: float, partial: float) -> str:
    """The side panel: the sources of one answer, opened (for a refusal, a short note instead of
    passages that do not answer it)."""
    if answer is not None and not answer.citations and answer.refused:
        return f"<div class='qa-panel'>{NO_SOURCES}</div>"
    body = sources(answer, 0, question, good, partial, is_open=True) if answer else ""
    return f"<div class='qa-panel'>{body or f'<p class=qa-empty>{PLACEHOLDER}</p>'}</div>"


def pending(note: str, draft: str = "") -> str:
    """The message shown while an answer is on its way: what is happening, and the draft so far."""
    text = f"<div class='qa-draft'>{esc(draft)}</div>" if draft else ""
    return f"<div class='qa-turn qa-busy'>{text}<div class='qa-pending' role='status'>{esc(note)}</div></div>"


STOPPED = "<div class='qa-turn qa-stopped'><div class='qa-text'>Stopped. Ask again, or press Regenerate.</div></div>"


def failed(reason: str) -> str:
    """The message that takes an answer's place when answering went wrong: the page stays usable."""
    reason = reason.strip().rstrip(".") or "the answer was interrupted"
    return (f"<div class='qa-turn qa-failed'><div class='qa-text'>Something went wrong: {esc(reason)}. "
            "Ask again.</div></div>")


def user(message: str) -> str:
    return f"<div class='qa-q'>{esc(message)}</div>"


def user_text(content: str) -> str:
    """The question a ``user`` message shows, as text again."""
    m = re.fullmatch(r"<div class='qa-q'>(.*)</div>", content.strip(), re.S)
    return html.unescape(m.group(1)) if m else ""


def article_rows(articles: Sequence[dict[str, Any]], query: str, sort: str) -> list[dict[str, Any]]:
    """The catalog's articles that match ``query`` (title or outlet), in the chosen order."""
    q = (query or "").strip().lower()
    rows = [a for a in articles if not q or q in (a["title"] or "").lower() or q in (a["source"] or "").lower()]
    rows = sorted(rows, key=lambda a: (a["title"] or "").lower())
    if sort.startswith("title"):
        return rows
    if sort.startswith("outlet"):  # by outlet, newest first within one; articles without an outlet last
        rows = sorted(rows, key=lambda a: a["published"] or "", reverse=True)
        return sorted(rows, key=lambda a: (not a["source"], (a["source"] or "").lower()))
    dated = sorted((a for a in rows if a["published"]), key=lambda a: a["published"], reverse=sort != "oldest first")
    return dated + [a for a in rows if not a["published"]]  # undated articles last in either order


def table(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    # Dataframe cells of type "str" are shown as text: a title holding tags is not markup here.
    return [[a["title"], a["source"] or "", date(a["published"]), a["passages"]] for a in rows]


def upload_report(rows: Sequence[tuple[str, str]]) -> str:
    """The per-file result of an upload as an HTML table."""
    body = "".join(f"<tr><td>{esc(name)}</td><td class='qa-{esc(result.split(':')[0])}'>{esc(result)}</td></tr>"
                   for name, result in rows)
    return f"<table class='qa-report'><tr><th>File</th><th>Result</th></tr>{body}</table>"
