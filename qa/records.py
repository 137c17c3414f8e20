"""The records that flow through the pipeline: Article -> Passage -> Hit -> Answer (with Citations)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Article:
    """One news article. ``text`` is the cleaned article text that all offsets refer to."""

    id: str
    title: str
    text: str
    source: str | None = None  # the outlet, e.g. "Interfax-Ukraine"
    published: str | None = None  # ISO 8601, e.g. "2025-08-23T17:15:00"
    url: str | None = None
    path: str | None = None
    # Where each page of a paged source (a PDF) starts in ``text``, page 1 first; empty for the rest.
    # Offsets into the one text, not texts per page, so a quote's offsets stay offsets into ``text``.
    pages: tuple[int, ...] = ()

    def meta(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "text"}

    def page_of(self, offset: int) -> int | None:
        """The 1-based page that the character at ``offset`` is on; None for an article without pages."""
        if not self.pages:
            return None
        return max(bisect_right(self.pages, offset), 1)


@dataclass(frozen=True)
class Passage:
    """A chunk of an article: ``article.text[start:end] == text``; sentences are never split."""

    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass
class Hit:
    """A retrieved passage with its scores. A score is None when that retriever did not find it."""

    passage: Passage
    article: Article
    rank: int  # 1-based rank after fusion
    fused: float
    dense: float | None = None  # cosine similarity
    bm25: float | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rank": self.rank,
            "passage_id": self.passage.id,
            "article_id": self.article.id,
            "title": self.article.title,
            "source": self.article.source,
            "published": self.article.published,
            "url": self.article.url,
            "path": self.article.path,
            "start": self.passage.start,
            "end": self.passage.end,
            "text": self.passage.text,
            "scores": {"fused": self.fused, "dense": self.dense, "bm25": self.bm25},
        }
        page = self.article.page_of(self.passage.start)
        if page is not None:
            out["page"] = page
        return out


@dataclass
class Citation:
    """The exact sentence(s) of an article that support a statement marked [n] in an answer."""

    n: int
    article_id: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    quote: str  # == article.text[start:end]
    start: int
    end: int
    score: float
    passage_id: str = ""
    passage_text: str = ""
    passage_start: int = 0
    page: int | None = None  # the page of a paged source (PDF) the quote starts on

    def to_json(self) -> dict[str, Any]:
        keys = ("n", "article_id", "title", "source", "published", "url", "quote", "start", "end", "score")
        out = {k: getattr(self, k) for k in keys}
        if self.page is not None:
            out["page"] = self.page
        return out


@dataclass(frozen=True)
class Progress:
    """What the answerer is doing, yielded by ``Answerer.stream`` before the answer's text:
    ``stage`` is "searching" or "reading"; ``detail`` says it in words ("searching 1,501 articles…")."""

    stage: str
    detail: str


@dataclass
class Answer:
    question: str
    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""  # the question after rewriting with the chat history
    hits: list[Hit] = field(default_factory=list)  # the closest passages (shown on refusal)
    error: str | None = None  # e.g. the LLM backend was down
    mode: str = "generated"  # "generated" | "extractive" | "refused" | "retrieval-only"
    lead: str = ""  # the attribution before a quoted sentence ("Interfax-Ukraine (23 August 2025) reports: ")
    notice: str = ""  # a note about how the answer was made ("The language model is unavailable ...")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "answer": self.text,
            "refused": self.refused,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": self.timings_ms,
        }
        if self.refused and self.hits:
            out["closest"] = [h.to_json() for h in self.hits[:3]]  # what came nearest, for the reader to see
        if self.error:
            out["error"] = self.error
        return out
