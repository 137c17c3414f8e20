"""``qa bench``: the performance benchmark, bounded in time.

- ingest: passages/s of the full pipeline on RealTime QA articles, beside the raw
  sentence-transformers ``encode`` rate on the same passages in the same run, and peak memory;
- retrieval latency (median, p95) at 10k and 100k passages (1M with ``--large``), dense and hybrid,
  embedded Chroma and a Chroma server on loopback; the collections are built by repeating real
  passages and their vectors under distinct ids, and persist so reruns are cheap;
- answer latency (first token, total) with the embedded LLM over the gold questions, beside the
  LlamaIndex starter pipeline on the same store, embedder and LLM;
- cold start: process start to the first answer (``qa ask``) and to the web page answering;
- re-ingest of an unchanged corpus: seconds, and embedding calls (target: none).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import realtimeqa
from .config import Settings
from .ingest import Ingestor
from .pipeline import build
from .records import Article, Passage
from .retrieve import Retriever
from .store import Store


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {"median_ms": round(statistics.median(xs), 2), "p95_ms": round(xs[int(0.95 * (len(xs) - 1))], 2),
            "n": len(xs)}


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def bench_ingest(settings: Settings, n_articles: int) -> dict[str, Any]:
    """Full ingest of ``n_articles`` into a fresh store; then, on the same passages, our embedder
    alone and raw sentence-transformers (torch) ``encode``; then the LlamaIndex starter ingest of
    the same articles (default 1,024-token chunks, the same MiniLM on torch, which reads only the
    first 256 word pieces of each chunk)."""
    from .embed import Embedder

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

    from .embed import default_model_path
    from .vectors import chroma_client

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


def _source_passages(settings: Settings, limit: int) -> tuple[list[Passage], dict[str, Article], Any]:
    """Real passages with their stored vectors (from the RealTime QA store, built by ``qa eval``)."""
    src = Store(settings.with_(data_dir=settings.data_dir / "realtimeqa"))
    if src.catalog.passage_count() == 0:
        Ingestor(src).ingest_articles(realtimeqa.articles(), origin="realtimeqa")
    passages = []
    for p in src.catalog.iter_passages():
        passages.append(p)
        if len(passages) >= limit:
            break
    arts = {p.article_id: src.article(p.article_id) for p in passages}
    got = src.vectors.collection.get(ids=[p.id for p in passages], include=["embeddings"])
    vec = dict(zip(got["ids"], got["embeddings"], strict=True))
    import numpy as np

    vectors = np.array([vec[p.id] for p in passages], dtype=np.float32)
    src.close()
    return passages, arts, vectors


def build_scaled(settings: Settings, size: int, base: tuple, chroma_url: str | None = None) -> Store:
    """A store of ``size`` passages: the base passages repeated under distinct article ids."""
    name = f"bench-{size // 1000}k" + ("-server" if chroma_url else "")
    store = Store(settings.with_(data_dir=settings.data_dir / name, chroma_url=chroma_url, collection=name))
    if store.catalog.passage_count() >= size:
        return store
    passages, arts, vectors = base
    r = store.catalog.passage_count() // len(passages)
    while store.catalog.passage_count() < size:
        suffix = f"r{r}"
        new_arts = {f"{aid}{suffix}": Article(**{**a.__dict__, "id": f"{aid}{suffix}"}) for aid, a in arts.items()}
        new_ps = [Passage(f"{p.article_id}{suffix}:{p.index}", f"{p.article_id}{suffix}", p.index, p.start, p.end,
                          p.text) for p in passages]
        store.vectors.upsert(new_ps, vectors, new_arts)
        by_article: dict[str, list[Passage]] = {}
        for p in new_ps:
            by_article.setdefault(p.article_id, []).append(p)
        from .catalog import FileRecord

        store.catalog.commit(articles=[(new_arts[a], ps) for a, ps in by_article.items()],
                             files=[FileRecord(f"bench:{a}", 0, 0, a, (a,)) for a in by_article])
        r += 1
    store.bm25()
    return store


def bench_retrieval(store: Store, queries: list[str]) -> dict[str, Any]:
    retriever = Retriever(store)
    retriever.search(queries[0], k=5)  # load models and indexes
    out = {}
    for mode in ("dense", "hybrid"):
        out[mode] = _stats([_timed(lambda q=q, m=mode: retriever.search(q, k=5, mode=m)) for q in queries])
    out["passages"] = store.catalog.passage_count()
    out.update(bench_add_one(store))
    from .bm25 import Bm25Index

    t = time.perf_counter()
    Bm25Index.build(store.catalog)  # a full rebuild, which an ingest no longer pays
    out["bm25_rebuild_s"] = round(time.perf_counter() - t, 2)
    return out


def bench_add_one(store: Store) -> dict[str, float]:
    """Seconds to add one new article end to end (embed, Chroma, catalog, BM25 update and save),
    and to remove it again; both followed by a search that sees the change."""
    from .articles import make_article

    src = realtimeqa.articles()[-1]
    art = make_article(f"{src.title} ({time.time_ns()})", src.text, source=src.source, published=src.published)
    retriever = Retriever(store)
    t = time.perf_counter()
    Ingestor(store).ingest_articles([art], origin="bench-add")
    found = retriever.search(art.title, k=50, mode="bm25")
    add = time.perf_counter() - t
    assert any(h.article.id == art.id for h in found), "the added article is not searchable"
    t = time.perf_counter()
    orphans = store.catalog.commit(drop_files=[f"bench-add:{art.id}"])
    store.removed(orphans)
    found = retriever.search(art.title, k=50, mode="bm25")
    remove = time.perf_counter() - t
    assert orphans == [art.id] and not any(h.article.id == art.id for h in found)
    return {"add_one_article_s": round(add, 3), "remove_one_article_s": round(remove, 3)}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma_server(path: Path) -> tuple[subprocess.Popen, str]:
    import chromadb

    port = _free_port()
    exe = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(120):
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return proc, f"http://127.0.0.1:{port}"
        except Exception:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("chroma server did not start")


def _normalise_words(text: str) -> str:
    try:
        from .text import normalise_words
    except ImportError:  # before the answer stage's text helpers moved
        from .facts import normalise_words  # type: ignore[no-redef]
    return normalise_words(text)


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
    from .retrieve import Filters

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


def bench_passage_sizes(settings: Settings, sizes: list[int], backends: list[str]) -> dict[str, Any]:
    """Recall at 5/20 and ingest articles/s of the whole RealTime QA set, per passage size and
    embedder backend (one store each, kept for reruns)."""
    out = {}
    for backend in backends:
        for size in sizes:
            s = settings.with_(chunk_chars=size, embed_backend=backend)
            out[f"{backend}-{size}"] = bench_answer_recall(s, settings.data_dir / f"rtqa-{backend}-{size}")
    return out


def bench_answers(settings: Settings) -> dict[str, Any]:
    from .evaluate import corpus_paths, load_gold
    from .starter import StarterPipeline

    pipeline = build(settings.with_(data_dir=settings.data_dir / "eval-corpus"))
    pipeline.ingestor.ingest(corpus_paths())
    questions = [c.question for c in load_gold() if c.turn == 0]
    pipeline.answerer.warm_up()
    first, total = [], []
    for q in questions:
        t = time.perf_counter()
        a = pipeline.answerer.ask(q)
        total.append((time.perf_counter() - t) * 1000)
        if "first_token" in a.timings_ms:
            first.append(a.timings_ms["first_token"])
    starter = StarterPipeline(pipeline.store, pipeline.answerer.llm, max_tokens=settings.llm_max_tokens)
    s_first, s_total = [], []
    for q in questions:
        t = time.perf_counter()
        engine = starter.index.as_query_engine(llm=starter.llm, streaming=True)
        resp = engine.query(q)
        got_first = None
        for _ in resp.response_gen:
            if got_first is None:
                got_first = (time.perf_counter() - t) * 1000
        s_total.append((time.perf_counter() - t) * 1000)
        if got_first is not None:
            s_first.append(got_first)
    pipeline.store.close()
    return {"questions": len(questions), "ours": {"first_token": _stats(first), "total": _stats(total)},
            "starter": {"first_token": _stats(s_first), "total": _stats(s_total)}}


def bench_cold_start(settings: Settings) -> dict[str, Any]:
    env = {**os.environ, "QA_DATA_DIR": str(settings.data_dir / "eval-corpus")}
    qa = Path(sys.executable).with_name("qa")
    t = time.perf_counter()
    subprocess.run([str(qa), "ask", "--json", "How much has PURL delivered so far?"], env=env, check=True,
                   capture_output=True)
    first_answer = time.perf_counter() - t
    port = _free_port()
    root = Path(__file__).resolve().parents[1]
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(root / "app.py")], env={**env, "QA_WEB_PORT": str(port)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    page = None
    while proc.poll() is None and time.perf_counter() - t < 300:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            page = time.perf_counter() - t
            break
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    proc.wait(timeout=30)
    return {"cli_first_answer_s": round(first_answer, 2), "web_page_ready_s": None if page is None else round(page, 2)}


def run(settings: Settings, out_dir: Path, large: bool = False, ingest_articles: int = 300,
        progress: bool = True) -> dict[str, Any]:
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    results: dict[str, Any] = {"machine": {"cpus": os.cpu_count()}}
    say(f"ingest: {ingest_articles} RealTime QA articles, ours vs raw encode")
    results["ingest"] = bench_ingest(settings, ingest_articles)
    say("retrieval: answer text in the top 5 / top 20 passages for the 240 RealTime QA questions")
    results["answer_recall"] = bench_answer_recall(settings)
    sizes = [10_000, 100_000] + ([1_000_000] if large else [])
    say("retrieval: loading base passages and vectors")
    base = _source_passages(settings, 10_000)
    queries = [q.question for q in realtimeqa.questions()][:120]
    results["retrieval"] = {}
    for size in sizes:
        say(f"retrieval: {size} passages, embedded Chroma")
        store = build_scaled(settings, size, base)
        results["retrieval"][f"{size // 1000}k_embedded"] = bench_retrieval(store, queries)
        store.close()
    server_dir = settings.data_dir / "bench-chroma-server"
    server_dir.mkdir(parents=True, exist_ok=True)
    proc, url = start_chroma_server(server_dir)
    try:
        for size in sizes[:2]:
            say(f"retrieval: {size} passages, Chroma server on loopback")
            store = build_scaled(settings, size, base, chroma_url=url)
            results["retrieval"][f"{size // 1000}k_server"] = bench_retrieval(store, queries)
            store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    say("answers: ours vs the LlamaIndex starter pipeline")
    results["answers"] = bench_answers(settings)
    say("cold start")
    results["cold_start"] = bench_cold_start(settings)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(results, indent=1))
    (out_dir / "bench.md").write_text(report(results))
    chart(results, out_dir / "bench.png")
    return results


def report(r: dict[str, Any]) -> str:
    i = r["ingest"]
    lines = ["# qa bench", "",
             f"Ingest of {i['articles']} RealTime QA articles ({i['passages']} passages): {i['passages_per_s']} "
             f"passages/s; raw sentence-transformers encode of the same passages: {i['raw_passages_per_s']}/s; "
             f"ratio {i['ratio_to_raw']}x (target <= 1.3x). Re-ingest unchanged: {i['reingest_unchanged_s']} s, "
             f"{i['reingest_embedding_calls']} embedding calls. Peak RSS after ingest {i['peak_rss_mb']} MB "
             f"(whole benchmark {r.get('peak_rss_mb')} MB).", "",
             "Right answer's text in the passages retrieved for the 240 RealTime QA questions (top 5 / top 20): "
             + ", ".join(f"{m} {r['answer_recall'][m]['top5']}% / {r['answer_recall'][m]['top20']}%"
                         for m in ("dense", "bm25", "hybrid")) + ".", "",
             "| retrieval | passages | dense median ms | dense p95 ms | hybrid median ms | hybrid p95 ms "
             "| BM25 rebuild s |", "|---|---|---|---|---|---|---|"]
    for name, m in r["retrieval"].items():
        lines.append(f"| {name} | {m['passages']} | {m['dense']['median_ms']} | {m['dense']['p95_ms']} | "
                     f"{m['hybrid']['median_ms']} | {m['hybrid']['p95_ms']} | {m['bm25_rebuild_s']} |")
    a = r["answers"]
    lines += ["", f"| answers ({a['questions']} gold questions) | first token median ms | p95 "
              "| total median ms | p95 |",
              "|---|---|---|---|---|"]
    for name in ("ours", "starter"):
        m = a[name]
        lines.append(f"| {name} | {m['first_token']['median_ms']} | {m['first_token']['p95_ms']} | "
                     f"{m['total']['median_ms']} | {m['total']['p95_ms']} |")
    c = r["cold_start"]
    lines += ["", f"Cold start: `qa ask` process start to first answer {c['cli_first_answer_s']} s; "
              f"`python app.py` to the page answering HTTP {c['web_page_ready_s']} s."]
    return "\n".join(lines) + "\n"


def chart(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(r["retrieval"])
    for j, mode in enumerate(("dense", "hybrid")):
        ax1.bar([x + j * 0.4 for x in range(len(names))], [r["retrieval"][n][mode]["p95_ms"] for n in names], 0.4,
                label=f"{mode} p95")
    ax1.set_xticks([x + 0.2 for x in range(len(names))], names, rotation=15)
    ax1.set_ylabel("ms")
    ax1.set_title("retrieval latency")
    ax1.legend()
    a = r["answers"]
    labels = ["first token", "total"]
    for j, name in enumerate(("ours", "starter")):
        ax2.bar([x + j * 0.4 for x in range(2)], [a[name]["first_token"]["median_ms"], a[name]["total"]["median_ms"]],
                0.4, label=name)
    ax2.set_xticks([0.2, 1.2], labels)
    ax2.set_ylabel("median ms")
    ax2.set_title("answer latency, embedded LLM")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
