"""Hybrid retrieval: dense (Chroma) and BM25 (bm25s) fused by reciprocal rank, with filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Literal

from .dates import TimeFrame, spoken_date
from .index.chroma import chroma_where, published_ts
from .index.store import Store
from .records import Hit, Passage

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60  # the constant of Cormack et al.; damps the influence of the very first ranks


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    after: str | None = None  # ISO date or datetime, inclusive
    before: str | None = None  # ISO date (whole day included) or datetime, inclusive

    def bounds(self) -> tuple[float | None, float | None]:
        after = published_ts(self.after) if self.after else None
        before = None
        if self.before:
            dt = datetime.fromisoformat(self.before)
            if len(self.before) <= 10:  # a date: the whole day counts
                dt = datetime.combine(dt.date(), time(23, 59, 59))
            before = dt.timestamp()
        return after, before


def within(filters: Filters, frame: TimeFrame) -> Filters:
    """``filters`` narrowed to the publication dates a question's time frame allows."""
    frame_after = frame.after.isoformat() if frame.after is not None else None
    frame_before = frame.before.isoformat() if frame.before is not None else None
    after = max(filter(None, [filters.after, frame_after]), default=None)
    before = min(filter(None, [filters.before, frame_before]),
                 key=lambda d: d[:10], default=None)  # by day: a date-time the user gave is kept as given
    return Filters(filters.sources, after, before)


def published_window(filters: Filters) -> str:
    """The publication dates the filters allow, as a reader says them ("" when any)."""
    after, before = spoken_date(filters.after), spoken_date(filters.before)
    if after and before:
        return f"articles published from {after} to {before}"
    return f"articles published by {before}" if before else f"articles published since {after}" if after else ""


class Retriever:
    def __init__(self, store: Store) -> None:
        self.store = store

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid",
               candidates: int | None = None) -> list[Hit]:
        """Return the ``k`` best passages for ``query``. Each retriever contributes its top
        ``candidates`` (default max(3k, 30)) to the fusion."""
        query = query.strip()
        if not query:
            return []
        filters = filters or Filters()
        n = candidates or max(3 * k, 30)
        after, before = filters.bounds()
        dense: list[tuple[str, float]] = []
        sparse: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            where = chroma_where(filters.sources, after, before)
            vec = self.store.embedder.embed_query(query)
            dense = self.store.vectors.query(vec, n, where)
        if mode in ("hybrid", "bm25"):
            index = self.store.bm25()
            mask = index.mask(filters.sources, after, before)
            sparse = [(index.ids[i], s) for i, s in index.search(query, n, mask)]
        return self._fuse(dense, sparse, k)

    def _fuse(self, dense: list[tuple[str, float]], sparse: list[tuple[str, float]], k: int) -> list[Hit]:
        fused: dict[str, float] = {}
        for ranking in (dense, sparse):
            for rank, (pid, _) in enumerate(ranking, 1):
                fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank)
        dense_score = dict(dense)
        bm25_score = dict(sparse)
        hits: list[Hit] = []
        # Ties (one retriever's first is the other's second) go to the closer meaning.
        for pid in sorted(fused, key=lambda p: (-fused[p], -dense_score.get(p, -1.0), p)):
            passage = self._passage(pid)
            if passage is None:
                continue  # vectors of an article the catalog no longer has (a crash mid-delete)
            article = self.store.article(passage.article_id)
            assert article is not None
            hits.append(Hit(passage=passage, article=article, rank=len(hits) + 1, fused=fused[pid],
                            dense=dense_score.get(pid), bm25=bm25_score.get(pid)))
            if len(hits) == k:
                break
        return hits

    def _passage(self, pid: str) -> Passage | None:
        """The catalog's passage for a vector id ("<article id>:<index>"); None when the catalog
        no longer has it."""
        article_id, _, index = pid.rpartition(":")
        passages = self.store.passages_of(article_id)
        i = int(index) if index.isdigit() else -1
        return passages[i] if 0 <= i < len(passages) and passages[i].id == pid else None

    def article_count(self) -> int:
        """How many articles a search looks through."""
        return self.store.catalog.article_count()

    def similarity(self, query: str, texts: Sequence[str]) -> list[float]:
        """Cosine similarity of ``query`` to each text (sentences of the hits, for evidence)."""
        vecs = self.store.embedder.embed([query, *texts])
        return [float(vecs[0] @ v) for v in vecs[1:]]
