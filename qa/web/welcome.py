"""What an empty chat shows: a line about the articles in the store, and example questions drawn from them.

An example names someone or something the newest articles are about, found by the project's name finder
(``qa.names``) in the headline and the first lines: a person's words ("What did Giuseppe Cavo Dragone
say?") where the article quotes one, else the news about the first name in the headline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from ..index.store import Store
from ..names import typed_names
from . import render

LEAD_CHARS = 600  # the first lines of an article: where news names who said what


def summary(articles: Sequence[dict[str, Any]]) -> str:
    """"3 articles from Interfax-Ukraine and Coast Gazette, published 23 Aug 2025 to 1 Sep 2025"."""
    if not articles:
        return "No articles yet"
    outlets = [name for name, _ in Counter(a["source"] for a in articles if a["source"]).most_common()]
    named = outlets[:3] + ([render.plural(len(outlets) - 3, "other outlet")] if len(outlets) > 3 else [])
    line = render.plural(len(articles), "article")
    if named:
        line += " from " + (", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0])
    days = sorted(a["published"][:10] for a in articles if a["published"])
    if days:
        first, last = render.date(days[0]), render.date(days[-1])
        line += f", published {first}" if first == last else f", published {first} to {last}"
    return line


def example_questions(store: Store, articles: Sequence[dict[str, Any]], n: int = 3) -> list[str]:
    """Up to ``n`` questions about the newest articles (``articles`` as the catalog lists them): for each,
    what the first person it names said, and the news about the first name in its headline."""
    out: list[str] = []
    newest = sorted((a for a in articles if a["published"]), key=lambda a: a["published"], reverse=True)
    for meta in [*newest, *(a for a in articles if not a["published"])][:4 * n]:
        art = store.article(meta["id"])
        if art is None:
            continue
        outlet = (art.source or "").lower()
        headline = [(name, kind) for name, kind in typed_names(art.title) if name.lower() != outlet]
        lead = [(name, kind) for name, kind in typed_names(art.text[:LEAD_CHARS]) if name.lower() != outlet]
        person = next((name for name, kind in [*headline, *lead] if kind == "person"), None)
        asks = [f"What did {person} say?"] if person else []
        asks += [f"What is the news about {name}?" for name, kind in headline[:1] if kind != "person"]
        # one question an article while there are enough articles to go round
        for question in asks[:1] if len(articles) >= n else asks:
            if question not in out:
                out.append(question)
        if len(out) >= n:
            break
    return out[:n]


def placeholder(articles: Sequence[dict[str, Any]]) -> str:
    """The empty chat's welcome (Markdown)."""
    if not articles:
        return "**Welcome.** There are no articles yet: add some in the **Articles** tab, then ask about them here."
    return (f"**Welcome.** You can ask about {render.md(summary(articles))}.\n\nEvery fact in an answer links to "
            "the sentence it comes from; when the articles don't say, the answer says so. Try one of these, or ask "
            "your own:")
