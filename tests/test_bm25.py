"""The incremental BM25 index: same scores as bm25s and as a full rebuild, updates without rewrites."""

from __future__ import annotations

import time
from dataclasses import replace

import bm25s
import numpy as np

from evals import realtimeqa
from qa.index.bm25 import Bm25Index
from qa.index.catalog import Catalog, FileRecord
from qa.index.store import Store
from qa.ingest.chunk import chunk
from qa.ingest.load import make_article

QUERIES = ["ceasefire talks monitoring mission", "interest rates inflation central bank",
           "election results governor", "storm flooding evacuation", "PURL weapons delivered"]


def _articles(n: int, offset: int = 0):
    return realtimeqa.articles()[offset:offset + n]


def _commit(catalog: Catalog, arts) -> None:
    catalog.commit(articles=[(a, chunk(a, 400)) for a in arts],
                   files=[FileRecord(f"t:{a.id}", 0, 0, a.id, (a.id,)) for a in arts])


def _ranking(index: Bm25Index, q: str) -> list[tuple[str, float]]:
    return [(index.ids[i], round(s, 4)) for i, s in index.search(q, 10)]


def test_scores_equal_bm25s(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite")
    _commit(catalog, _articles(60))
    index = Bm25Index.build(catalog)
    texts = [p.text for p in catalog.iter_passages()]
    ref = bm25s.BM25()
    ref.index(bm25s.tokenize(texts, stopwords="en", return_ids=False, show_progress=False), show_progress=False)
    for q in QUERIES:
        tokens = sorted({t for t in bm25s.tokenize([q], stopwords="en", return_ids=False, show_progress=False)[0]
                         if t in ref.vocab_dict})
        docs, scores = ref.retrieve([tokens], k=5, show_progress=False)
        mine = index.search(q, 5)
        assert np.allclose([s for _, s in mine], scores[0][:len(mine)], atol=1e-4)
        assert [i for i, _ in mine][:3] == list(docs[0][:3])


def test_incremental_updates_equal_a_rebuild_and_persist(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite")
    _commit(catalog, _articles(80))
    index = Bm25Index.build(catalog)
    index.save(tmp_path / "bm25")
    for k in range(5):  # one article at a time, as an upload does
        _commit(catalog, _articles(1, 80 + k))
        index = index.update(catalog)
        index.save(tmp_path / "bm25")
    rebuilt = Bm25Index.build(catalog)
    loaded = Bm25Index.load(tmp_path / "bm25")
    assert loaded is not None and loaded.generation == catalog.generation == rebuilt.generation
    assert len(index) == len(rebuilt) == len(loaded) == catalog.passage_count()
    assert len(index.segments) > 1  # appended, not rebuilt
    for q in QUERIES:
        assert _ranking(index, q) == _ranking(rebuilt, q) == _ranking(loaded, q)


def test_removed_article_is_gone_and_the_big_segment_is_not_rewritten(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite")
    arts = _articles(120)
    _commit(catalog, arts)
    index = Bm25Index.build(catalog)
    index.save(tmp_path / "bm25")
    big = tmp_path / "bm25" / f"{index.segments[0].name}.npz"
    written = big.stat().st_mtime_ns
    gone = arts[3]
    catalog.commit(drop_files=[f"t:{gone.id}"])
    _commit(catalog, _articles(1, 200))
    index = index.update(catalog)
    index.save(tmp_path / "bm25")
    assert big.exists() and big.stat().st_mtime_ns == written
    loaded = Bm25Index.load(tmp_path / "bm25")
    assert loaded is not None
    for idx in (index, loaded):
        live = {idx.ids[i] for q in QUERIES + [gone.title] for i, _ in idx.search(q, 50)}
        assert not any(pid.startswith(gone.id + ":") for pid in live)
        assert len(idx) == catalog.passage_count()


def test_a_catalog_without_history_is_rebuilt(tmp_path):
    catalog = Catalog(tmp_path / "c.sqlite")
    _commit(catalog, _articles(10))
    index = Bm25Index.build(catalog)
    index.generation = -1  # older than the change log reaches
    _commit(catalog, _articles(1, 10))
    updated = index.update(catalog)
    assert updated is not index and len(updated) == catalog.passage_count()


def test_adding_one_article_to_a_large_index_is_fast(tmp_path):
    # 20k passages here (the bench measures 100k): the update costs the new article, not the index.
    catalog = Catalog(tmp_path / "c.sqlite")
    base = _articles(150)
    rounds = 0
    while catalog.passage_count() < 20_000:
        copies = [replace(a, id=f"{a.id}r{rounds}") for a in base]
        _commit(catalog, copies)
        rounds += 1
    t = time.perf_counter()
    index = Bm25Index.build(catalog)
    build = time.perf_counter() - t
    _commit(catalog, _articles(1, 400))
    t = time.perf_counter()
    index = index.update(catalog)
    update = time.perf_counter() - t
    assert update < build / 5 and update < 1.0


def test_store_catches_up_after_another_process_ingests(settings, embedder):
    from qa.ingest.ingest import Ingestor
    from qa.retrieve import Retriever

    one = Store(settings, embedder=embedder)
    Ingestor(one).ingest_articles(_articles(5), origin="t")
    two = Store(settings, embedder=embedder)
    Ingestor(two).ingest_articles([make_article("Zebra", "Zebra\n\nA zebra escaped from the city zoo.")], origin="u")
    hits = Retriever(one).search("zebra escaped", k=1, mode="bm25")
    assert hits and hits[0].article.title == "Zebra"
    assert len(one.bm25()) == one.catalog.passage_count()
    one.close()
    two.close()
