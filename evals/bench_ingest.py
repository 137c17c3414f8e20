"""``qa bench``, ingest and retrieval quality: ingest rate beside raw encode and the LlamaIndex
starter ingest, answer-text recall on RealTime QA, gold-set support ranks, passage sizes."""

from __future__ import annotations

import resource
import shutil
import time
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.index.store import Store
from qa.ingest.ingest import Ingestor
from qa.records import Article
from qa.retrieve import Retriever

from . import realtimeqa


def bench_ingest(settings: Settings, n_articles: int) -> dict[str, Any]:
    """Full ingest of ``n_articles`` into a fresh store; then, on the same passages, our embedder
    alone and raw sentence-transformers (torch) ``encode``; then the LlamaIndex starter ingest of
    the same articles (default 1,024-token chunks, the same MiniLM on torch, which reads only the
    first 256 word pieces of each chunk)."""
    from qa.index.embed import Embedder

    arts = realtimeqa.articles()[:n_articles]
    d = settings.data_dir / "bench-ingest"
    shutil.rmtree(d, ignore_errors=True)
    store = Store(settings.with_(data_dir=d))
    store.embedder.embed(["warm up"])  # model load is not ingest throughput
    t = time.perf_counter()
    report = Ingestor(store).ingest_articles(arts, origin="bench")
    ours = time.perf_counter() - t
    passages = [p.text for p in store.catalog.iter_passages()]
    t = time.perf_counter()
    store.embedder.embed(passages)
    embed_s = time.perf_counter() - t
    torch = Embedder(settings.embed_model, settings.embed_batch_size, backend="torch")
    torch.embed(["warm up"])
    t = time.perf_counter()
    torch.encoder.encode(passages, batch_size=settings.embed_batch_size, show_progress_bar=False)
    raw = time.perf_counter() - t
    # Re-ingest with nothing changed: no embedding at all.
    calls = {"n": 0}
    real = store.embedder.embed

    def counting(texts):  # noqa: ANN001, ANN202
        calls["n"] += 1
        return real(texts)

    store.embedder.embed = counting  # type: ignore[method-assign]
    t = time.perf_counter()
    again = Ingestor(store).ingest_articles(arts, origin="bench")
    reingest = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    starter = bench_starter_ingest(settings, arts)
    n = len(arts)
    return {"articles": n, "passages": report.passages, "chunk_chars": settings.chunk_chars,
            "embed_backend": store.embedder.backend, "ingest_s": round(ours, 2),
            "articles_per_s": round(n / ours, 2), "passages_per_s": round(report.passages / ours, 1),
            "embed_s": round(embed_s, 2), "embed_passages_per_s": round(len(passages) / embed_s, 1),
            "raw_encode_s": round(raw, 2), "raw_passages_per_s": round(len(passages) / raw, 1),
            "embed_speedup_vs_raw": round(raw / embed_s, 2), "ratio_to_raw": round(ours / raw, 3),
            "starter": starter, "articles_per_s_vs_starter": round((n / ours) / starter["articles_per_s"], 2),
            "reingest_unchanged_s": round(reingest, 2), "reingest_embedding_calls": calls["n"],
            "reingest_unchanged_articles": again.unchanged, "peak_rss_mb": round(peak, 1)}


def bench_starter_ingest(settings: Settings, arts: list[Article]) -> dict[str, Any]:
    """The LlamaIndex starter ingest: ``VectorStoreIndex.from_documents`` into a fresh Chroma
    collection with HuggingFaceEmbedding (the same MiniLM, torch)."""
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from qa.index.chroma import chroma_client
    from qa.index.embed import default_model_path

    d = settings.data_dir / "bench-starter-ingest"
    shutil.rmtree(d, ignore_errors=True)
    collection = chroma_client(d, None).get_or_create_collection("starter")
    embed = HuggingFaceEmbedding(model_name=settings.embed_model or str(default_model_path()), device="cpu")
    embed.get_text_embedding("warm up")
    docs = [Document(text=a.text, metadata={"title": a.title}) for a in arts]
    t = time.perf_counter()
    context = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex.from_documents(docs, storage_context=context, embed_model=embed)
    took = time.perf_counter() - t
    nodes = collection.count()
    del index
    shutil.rmtree(d, ignore_errors=True)
    return {"ingest_s": round(took, 2), "nodes": nodes, "articles_per_s": round(len(arts) / took, 2)}


def _normalise_words(text: str) -> str:
    from .match import words

    return words(text)


def realtimeqa_store(settings: Settings) -> tuple[Store, dict[str, Any] | None]:
    """The store of all RealTime QA articles under ``settings.data_dir``; built (and timed) if empty."""
    store = Store(settings)
    built = None
    if store.catalog.passage_count() == 0:
        arts = realtimeqa.articles()
        store.embedder.embed(["warm up"])
        t = time.perf_counter()
        report = Ingestor(store).ingest_articles(arts, origin="realtimeqa")
        took = time.perf_counter() - t
        built = {"articles": len(arts), "passages": report.passages, "ingest_s": round(took, 1),
                 "articles_per_s": round(len(arts) / took, 2)}
    return store, built


def bench_answer_recall(settings: Settings, data_dir: Path | None = None) -> dict[str, Any]:
    """Share of the 240 RealTime QA questions whose right answer's text is in the top 5 / top 20
    passages retrieved for the question (its date as the upper bound), by retrieval mode."""
    from qa.retrieve import Filters

    store, built = realtimeqa_store(settings.with_(data_dir=data_dir or settings.data_dir / "realtimeqa"))
    retriever = Retriever(store)
    questions = realtimeqa.questions()
    out: dict[str, Any] = {"questions": len(questions), "passages": store.catalog.passage_count()}
    if built:
        out["built"] = built
    for mode in ("dense", "bm25", "hybrid"):
        at5 = at20 = 0
        for q in questions:
            gold = _normalise_words(q.choices[q.answer])
            hits = retriever.search(q.question, k=20, filters=Filters(before=q.date), mode=mode)
            ranks = [h.rank for h in hits if gold in _normalise_words(h.passage.text)]
            at5 += bool(ranks) and ranks[0] <= 5
            at20 += bool(ranks)
        out[mode] = {"top5": round(100 * at5 / len(questions), 1), "top20": round(100 * at20 / len(questions), 1)}
    store.close()
    return out


def bench_gold_retrieval(settings: Settings, data_dir: Path, setting: str = "corpus",
                         split: str = "dev") -> dict[str, Any]:
    """hit@5 and MRR of the gold set's support passages, ranked by the retriever (hybrid, top 20;
    no LLM): every first-turn question with a ``support`` text, over the shipped corpus ingested
    into the store at ``data_dir`` (with the RealTime QA articles already there: "distractors")."""
    from .evaluate import SPLITS, corpus_paths, load_gold

    store = Store(settings.with_(data_dir=data_dir))
    Ingestor(store).ingest(corpus_paths())
    retriever = Retriever(store)
    ranks: list[int | None] = []
    for case in load_gold(SPLITS[split], setting=setting):
        if case.support and case.turn == 0 and not case.refuse:
            want = _normalise_words(case.support).strip()
            hits = retriever.search(case.question, k=20)
            ranks.append(next((h.rank for h in hits if want in _normalise_words(h.passage.text)), None))
    store.close()
    return {"questions": len(ranks), "hit_at_5": round(100 * sum(1 for r in ranks if r and r <= 5) / len(ranks), 1),
            "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 3)}


def bench_passage_sizes(settings: Settings, sizes: list[int], backends: list[str]) -> dict[str, Any]:
    """Recall at 5/20 and ingest articles/s of the whole RealTime QA set, per passage size and
    embedder backend (one store each, kept for reruns)."""
    out = {}
    for backend in backends:
        for size in sizes:
            s = settings.with_(chunk_chars=size, embed_backend=backend)
            out[f"{backend}-{size}"] = bench_answer_recall(s, settings.data_dir / f"rtqa-{backend}-{size}")
    return out
