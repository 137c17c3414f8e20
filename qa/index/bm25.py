"""The BM25 keyword index over every passage in the catalog, persisted beside the store, updated
incrementally.

Passages live in segments (term -> passage postings with term counts, like Lucene's): an ingest
appends a segment holding only its new passages, a removal marks passages deleted, and a small
segment is merged into its neighbour once it is a third of its size, so there are O(log n)
segments and each passage is rewritten O(log n) times. Scores use global statistics (document
frequency, passage count, mean length) summed over the segments, with bm25s' "lucene" formula.
Deleted passages still count in those statistics until their segment is merged (as in Lucene), and
the index is rebuilt when more than a quarter of its passages are deleted.

The index is tagged with the catalog generation it reflects; it catches up from the catalog's change
log (``Catalog.changes_since``), so it never disagrees with the vector store.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import re
import tempfile
import uuid
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import DTypeLike

from ..records import Passage
from .bm25_segments import Segment, merge, new_segment
from .catalog import Catalog
from .chroma import published_ts

log = logging.getLogger(__name__)
K1, B = 1.5, 0.75  # bm25s' defaults
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s' (and scikit-learn's) token pattern
_STOP = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
    "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
    "to", "was", "will", "with"})  # bm25s' English list


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in _STOP]


class Bm25Index:
    def __init__(self, segments: list[Segment], generation: int) -> None:
        self.segments = segments
        self.generation = generation
        self.vocab: dict[str, int] = {}
        for seg in segments:
            for t in seg.new_terms:
                self.vocab[t] = len(self.vocab)
        self._dirty: set[str] = set()  # segments written since loading (names)
        self._refresh()

    def _refresh(self) -> None:
        """Recompute the concatenated views and the global statistics after a change."""
        v = len(self.vocab)
        self.df = sum((s.df(v) for s in self.segments), np.zeros(v, dtype=np.int64))
        self.n = sum(len(s) for s in self.segments)
        self.avgdl = max(float(sum(int(s.lengths.sum()) for s in self.segments)) / max(self.n, 1), 1.0)
        self.offsets = np.cumsum([0] + [len(s) for s in self.segments])
        self.ids = [i for s in self.segments for i in s.ids]

        def cat(f: str, dt: DTypeLike) -> np.ndarray:
            out: np.ndarray = np.concatenate([getattr(s, f) for s in self.segments]) if self.segments \
                else np.zeros(0, dtype=dt)
            return out

        self.article_ids = cat("article_ids", str)
        self.sources = cat("sources", str)
        self.published = cat("published", np.float64)
        self.deleted = cat("deleted", bool)

    def __len__(self) -> int:
        return int(self.n - self.deleted.sum())

    # ------------------------------------------------------------------ building and updating
    @classmethod
    def build(cls, catalog: Catalog) -> Bm25Index:
        """The whole index from the catalog (a first open, or too many deletions)."""
        generation = catalog.generation
        index = cls([], generation)
        index._append(catalog.iter_passages(), _article_meta(catalog))
        return index

    def update(self, catalog: Catalog) -> Bm25Index:
        """Catch up with the catalog: the index itself when only new segments and deletions were
        needed, a rebuilt one when the change log does not reach back or deletions pile up."""
        generation = catalog.generation
        changes = catalog.changes_since(self.generation)
        if changes is None:
            return Bm25Index.build(catalog)
        # A copy (sharing the arrays, which are never written in place): searches running in
        # other threads keep a consistent index while this one changes.
        new = copy.copy(self)
        new.segments, new.vocab, new._dirty = list(self.segments), dict(self.vocab), set(self._dirty)
        return new._catch_up(catalog, changes, generation)

    def _catch_up(self, catalog: Catalog, changes: dict[str, bool], generation: int) -> Bm25Index:
        self._delete(np.isin(self.article_ids, list(changes)))
        if self.deleted.sum() > 0.25 * max(self.n, 1):
            return Bm25Index.build(catalog)
        added = [aid for aid, add in changes.items() if add]
        meta = {}
        for aid in added:
            art = catalog.article(aid)
            ts = published_ts(art.published) if art else None
            meta[aid] = ((art.source or "") if art else "", np.nan if ts is None else float(ts))
        self._append((p for aid in added for p in catalog.passages_of(aid)), meta)
        self.generation = generation
        return self

    def _delete(self, positions: np.ndarray) -> None:
        if not positions.any():
            return
        for j, (seg, a, b) in enumerate(zip(self.segments, self.offsets[:-1], self.offsets[1:], strict=True)):
            hit = positions[a:b] & ~seg.deleted
            if hit.any():
                self.segments[j] = replace(seg, deleted=seg.deleted | hit)
        self._refresh()

    def _append(self, passages: Iterable[Passage], meta: dict[str, tuple[str, float]]) -> None:
        """Index ``passages`` as a new segment; ``meta`` gives each article's (source, published)."""
        terms, lengths = array("q"), array("q")  # compact: a million passages hold ~60M terms
        ids, article_ids, sources, published = [], [], [], []
        first_new = len(self.vocab)
        vocab = self.vocab
        for p in passages:
            row = [vocab.setdefault(t, len(vocab)) for t in tokenize(p.text)]
            terms.extend(row)
            lengths.append(len(row))
            ids.append(p.id)
            article_ids.append(p.article_id)
            src, ts = meta.get(p.article_id, ("", np.nan))
            sources.append(src)
            published.append(ts)
        if not ids:
            return
        new_terms = list(self.vocab)[first_new:] if len(self.vocab) > first_new else []
        seg = new_segment(np.frombuffer(terms, dtype=np.int64), np.frombuffer(lengths, dtype=np.int64),
                       len(self.vocab), new_terms, ids, article_ids, sources, published)
        self.segments.append(seg)
        self._dirty.add(seg.name)
        # Merge neighbours of similar size: O(log n) segments, each passage rewritten O(log n) times.
        while len(self.segments) > 1 and 3 * len(self.segments[-1]) >= len(self.segments[-2]):
            merged = merge(self.segments[-2], self.segments.pop())
            self.segments[-1] = merged
            self._dirty.add(merged.name)
        self._refresh()

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        """Write the segments not yet on disk, then the manifest (atomically); drop unused files."""
        directory.mkdir(parents=True, exist_ok=True)
        for seg in self.segments:
            if seg.name in self._dirty or not (directory / f"{seg.name}.npz").exists():
                _atomic_npz(directory / f"{seg.name}.npz", seg)
        # Deletion flags change in old segments: they live in a small file of their own, so that
        # removing one article does not rewrite a large segment.
        deleted = f"deleted-{uuid.uuid4().hex[:12]}.npy"
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".deleted-", suffix=".npy")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, self.deleted)
        os.replace(tmp, directory / deleted)
        manifest = {"version": 2, "generation": self.generation, "segments": [s.name for s in self.segments],
                    "deleted": deleted}
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".manifest-")
        with os.fdopen(fd, "w") as fh:
            json.dump(manifest, fh)
        os.replace(tmp, directory / "manifest.json")
        self._dirty.clear()
        keep = {f"{s.name}.npz" for s in self.segments} | {"manifest.json", deleted}
        for f in directory.iterdir():
            if f.name not in keep and not f.name.startswith(".") and f.is_file():
                f.unlink(missing_ok=True)

    @classmethod
    def load(cls, directory: Path) -> Bm25Index | None:
        try:
            manifest = json.loads((directory / "manifest.json").read_text())
            if manifest.get("version") != 2:
                return None
            segments = [_load_npz(directory / f"{name}.npz", name) for name in manifest["segments"]]
            deleted = np.load(directory / manifest["deleted"], allow_pickle=False)
            offsets = np.cumsum([0] + [len(s) for s in segments])
            if len(deleted) != offsets[-1]:
                raise ValueError("deletion flags do not match the segments")
            for seg, a, b in zip(segments, offsets[:-1], offsets[1:], strict=True):
                seg.deleted = deleted[a:b].copy()
        except (OSError, ValueError, KeyError) as err:
            log.info("BM25 index at %s not usable (%s); rebuilding", directory, err)
            return None
        return cls(segments, manifest["generation"])

    # ------------------------------------------------------------------ searching
    def mask(self, sources: Sequence[str] | None, after: float | None, before: float | None) -> np.ndarray | None:
        if not sources and after is None and before is None:
            return None
        keep = np.ones(self.n, dtype=bool)
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
        terms = sorted({self.vocab[t] for t in tokenize(query) if t in self.vocab})
        if not terms or not self.n:
            return []
        scores = np.zeros(self.n, dtype=np.float32)
        for t in terms:
            df = self.df[t]
            idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))
            for seg, offset in zip(self.segments, self.offsets, strict=False):
                if t + 1 >= len(seg.indptr):
                    continue
                a, b = seg.indptr[t], seg.indptr[t + 1]
                if a == b:
                    continue
                docs, tf = seg.docs[a:b], seg.tf[a:b]
                norm = K1 * (1 - B + B * seg.lengths[docs] / self.avgdl)
                scores[offset + docs] += idf * tf / (tf + norm)
        scores[self.deleted] = 0
        if mask is not None:
            scores[~mask] = 0
        k = min(k, self.n)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


def _article_meta(catalog: Catalog) -> dict[str, tuple[str, float]]:
    out = {}
    for a in catalog.articles():
        ts = published_ts(a.get("published"))
        out[a["id"]] = (a.get("source") or "", np.nan if ts is None else float(ts))
    return out


def _atomic_npz(path: Path, seg: Segment) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".seg-", suffix=".npz")
    with os.fdopen(fd, "wb") as fh:
        np.savez(fh, indptr=seg.indptr, docs=seg.docs, tf=seg.tf, lengths=seg.lengths,
                 new_terms=np.array(seg.new_terms, dtype=str), ids=np.array(seg.ids, dtype=str),
                 article_ids=seg.article_ids, sources=seg.sources, published=seg.published)
    os.replace(tmp, path)


def _load_npz(path: Path, name: str) -> Segment:
    with np.load(path, allow_pickle=False) as z:
        return Segment(name, z["indptr"], z["docs"], z["tf"], z["lengths"], z["new_terms"].tolist(),
                       z["ids"].tolist(), z["article_ids"], z["sources"], z["published"],
                       np.zeros(len(z["ids"]), dtype=bool))
