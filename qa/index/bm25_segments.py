"""Segments of the BM25 index: postings of a set of passages, built at once or merged from two."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np


@dataclass
class Segment:
    """Postings of some passages: for term t, ``docs[indptr[t]:indptr[t+1]]`` (positions within the
    segment) and their term counts ``tf``; terms past ``len(indptr) - 1`` are absent."""

    name: str
    indptr: np.ndarray
    docs: np.ndarray
    tf: np.ndarray
    lengths: np.ndarray
    new_terms: list[str]  # the vocabulary this segment introduced, in id order
    ids: list[str]
    article_ids: np.ndarray
    sources: np.ndarray
    published: np.ndarray  # seconds since the epoch, NaN when unknown
    deleted: np.ndarray  # bool per passage

    def __len__(self) -> int:
        return len(self.ids)

    def df(self, vocab_size: int) -> np.ndarray:
        out = np.zeros(vocab_size, dtype=np.int64)
        d = np.diff(self.indptr)
        out[:len(d)] = d
        return out


def new_segment(term: np.ndarray, lengths: np.ndarray, vocab_size: int, new_terms: list[str], ids: list[str],
             article_ids: list[str], sources: list[str], published: list[float]) -> Segment:
    """A segment from the passages' term ids, concatenated (``lengths`` says where each ends)."""
    n = max(len(lengths), 1)
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys, tf = np.unique(term * n + doc, return_counts=True)  # sorted by term, then passage
    indptr = np.searchsorted(keys // n, np.arange(vocab_size + 1)).astype(np.int64)
    return Segment(uuid.uuid4().hex[:12], indptr, (keys % n).astype(np.int32), tf.astype(np.float32),
                   lengths.astype(np.int32), new_terms, ids, np.array(article_ids, dtype=str),
                   np.array(sources, dtype=str), np.array(published, dtype=np.float64),
                   np.zeros(len(lengths), dtype=bool))


def merge(a: Segment, b: Segment) -> Segment:
    """One segment with the live passages of ``a`` then ``b``."""
    vocab = max(len(a.indptr), len(b.indptr)) - 1
    parts = []
    for seg, offset in ((a, 0), (b, len(a))):
        df = seg.df(vocab)
        term = np.repeat(np.arange(vocab, dtype=np.int64), df)
        parts.append((term, seg.docs.astype(np.int64) + offset, seg.tf))
    term, doc, tf = (np.concatenate(x) for x in zip(*parts, strict=True))
    keep = ~np.concatenate([a.deleted, b.deleted])
    renumber = np.cumsum(keep) - 1
    live = keep[doc]
    term, doc, tf = term[live], renumber[doc[live]], tf[live]
    order = np.lexsort((doc, term))
    term, doc, tf = term[order], doc[order], tf[order]
    indptr = np.searchsorted(term, np.arange(vocab + 1)).astype(np.int64)
    ids = [i for i, k in zip(a.ids + b.ids, keep, strict=True) if k]

    def cat(f: str) -> np.ndarray:
        out: np.ndarray = np.concatenate([getattr(a, f), getattr(b, f)])[keep]
        return out

    return Segment(uuid.uuid4().hex[:12], indptr, doc.astype(np.int32), tf, cat("lengths"),
                   a.new_terms + b.new_terms, ids, cat("article_ids"), cat("sources"), cat("published"),
                   np.zeros(int(keep.sum()), dtype=bool))
