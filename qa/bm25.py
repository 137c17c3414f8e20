"""The BM25 index (bm25s) over every passage in the catalog, persisted beside the store.

It is derived from the catalog and tagged with the catalog's generation: when the catalog changes
(ingest, update, prune) the index is rebuilt, so it never disagrees with the vector store.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .catalog import Catalog
from .vectors import published_ts

log = logging.getLogger(__name__)


def _bm25s():  # noqa: ANN202
    import bm25s

    # bm25s sets its logger to DEBUG on import; its messages are noise for our users.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    bm25s = _bm25s()
    return bm25s.tokenize(list(texts), stopwords="en", return_ids=False, show_progress=False)


class Bm25Index:
    def __init__(self, retriever, ids: list[str], article_ids: list[str], sources: list[str],  # noqa: ANN001
                 published: np.ndarray, generation: int) -> None:
        self.retriever = retriever
        self.ids = ids
        self.article_ids = article_ids
        self.sources = np.array(sources, dtype=object)
        self.published = published  # seconds since the epoch, NaN when unknown
        self.generation = generation

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, catalog: Catalog) -> Bm25Index:
        bm25s = _bm25s()

        generation = catalog.generation
        meta = {a["id"]: a for a in catalog.articles()}
        ids, article_ids, texts, sources, published = [], [], [], [], []
        for p in catalog.iter_passages():
            ids.append(p.id)
            article_ids.append(p.article_id)
            texts.append(p.text)
            art = meta.get(p.article_id, {})
            sources.append(art.get("source") or "")
            ts = published_ts(art.get("published"))
            published.append(np.nan if ts is None else float(ts))
        retriever = bm25s.BM25()
        if texts:
            retriever.index(tokenize(texts), show_progress=False)
        return cls(retriever, ids, article_ids, sources, np.array(published, dtype=np.float64), generation)

    def save(self, directory: Path) -> None:
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".bm25-"))
        if self.ids:
            self.retriever.save(str(tmp), show_progress=False)
        (tmp / "passages.json").write_text(json.dumps(
            {"generation": self.generation, "ids": self.ids, "article_ids": self.article_ids,
             "sources": list(self.sources)}))
        np.save(tmp / "published.npy", self.published)
        old = directory.with_name(directory.name + ".old")
        if directory.exists():
            os.replace(directory, old)
        os.replace(tmp, directory)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> Bm25Index | None:
        bm25s = _bm25s()

        try:
            info = json.loads((directory / "passages.json").read_text())
            published = np.load(directory / "published.npy")
            retriever = bm25s.BM25.load(str(directory)) if info["ids"] else bm25s.BM25()
        except (OSError, ValueError, KeyError) as err:
            log.info("BM25 index at %s not usable (%s); rebuilding", directory, err)
            return None
        return cls(retriever, info["ids"], info["article_ids"], info["sources"], published,
                   info["generation"])

    def mask(self, sources: Sequence[str] | None, after: float | None, before: float | None) -> np.ndarray | None:
        if not sources and after is None and before is None:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if sources:
            keep &= np.isin(self.sources, list(sources))
        with np.errstate(invalid="ignore"):
            if after is not None:
                keep &= self.published >= after
            if before is not None:
                keep &= self.published <= before
        return keep

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Return (position in ``ids``, BM25 score) for the best ``k`` passages with a score > 0."""
        if not self.ids:
            return []
        vocab = self.retriever.vocab_dict
        tokens = [t for t in tokenize([query])[0] if t in vocab]
        if not tokens:
            return []
        k = min(k, len(self.ids))
        weight = None if mask is None else mask.astype(np.float32)
        docs, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, weight_mask=weight,
                                               n_threads=1)
        return [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
