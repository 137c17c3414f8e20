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
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.index.store import Store
from qa.ingest.ingest import Ingestor
from qa.pipeline import build
from qa.records import Article, Passage
from qa.retrieve import Retriever

from . import realtimeqa
from .bench_ingest import bench_answer_recall, bench_ingest
from .bench_report import chart, report


def _stats(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {"median_ms": round(statistics.median(xs), 2), "p95_ms": round(xs[int(0.95 * (len(xs) - 1))], 2),
            "n": len(xs)}


def _timed(fn: Callable[[], Any]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


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
        from qa.index.catalog import FileRecord

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
    from qa.index.bm25 import Bm25Index

    t = time.perf_counter()
    Bm25Index.build(store.catalog)  # a full rebuild, which an ingest no longer pays
    out["bm25_rebuild_s"] = round(time.perf_counter() - t, 2)
    return out


def bench_add_one(store: Store) -> dict[str, float]:
    """Seconds to add one new article end to end (embed, Chroma, catalog, BM25 update and save),
    and to remove it again; both followed by a search that sees the change."""
    from qa.ingest.load import make_article

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


PARTS = ("ingest", "recall", "retrieval", "answers", "cold")


def _rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def run(settings: Settings, out_dir: Path, large: bool = False, ingest_articles: int = 300,
        progress: bool = True, parts: tuple[str, ...] = PARTS) -> dict[str, Any]:
    """Run the chosen parts; the results of parts not run are kept from the last bench.json."""
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda m: None)
    previous = out_dir / "bench.json"
    results: dict[str, Any] = json.loads(previous.read_text()) if previous.exists() and set(parts) != set(PARTS) else {}
    results["machine"] = {"cpus": os.cpu_count()}
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if "ingest" in parts:
        say(f"ingest: {ingest_articles} RealTime QA articles: ours, our embedder, raw encode, the starter")
        results["ingest"] = {**bench_ingest(settings, ingest_articles), "measured": stamp}
    if "recall" in parts:
        say("retrieval: answer text in the top 5 / top 20 passages for the 240 RealTime QA questions")
        results["answer_recall"] = {**bench_answer_recall(settings), "measured": stamp}
    if "retrieval" in parts:
        results["retrieval"] = {k: v for k, v in results.get("retrieval", {}).items() if not k.startswith("1000k")}

        def done(name: str, m: dict[str, Any]) -> None:  # written at once: the large sizes take long
            results["retrieval"][name] = m
            _write(results, out_dir)

        _bench_sizes(settings, large, say, stamp, done)
    if "answers" in parts:
        say("answers: ours vs the LlamaIndex starter pipeline")
        results["answers"] = {**bench_answers(settings), "measured": stamp}
    if "cold" in parts:
        say("cold start")
        results["cold_start"] = {**bench_cold_start(settings), "measured": stamp}
    _write(results, out_dir)
    return results


def _write(results: dict[str, Any], out_dir: Path) -> None:
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(results, indent=1))
    (out_dir / "bench.md").write_text(report(results))
    chart(results, out_dir / "bench.png")


def _bench_sizes(settings: Settings, large: bool, say: Callable[[str], None], stamp: str,
                 done: Callable[[str, dict[str, Any]], None]) -> None:
    sizes = [10_000, 100_000] + ([1_000_000] if large else [])
    say("retrieval: loading base passages and vectors")
    base = _source_passages(settings, 10_000)
    queries = [q.question for q in realtimeqa.questions()][:120]
    server_dir = settings.data_dir / "bench-chroma-server"
    server_dir.mkdir(parents=True, exist_ok=True)
    for url_kind in ("embedded", "server"):
        proc, url = start_chroma_server(server_dir) if url_kind == "server" else (None, None)
        try:
            for size in sizes:
                say(f"retrieval: {size} passages, {url_kind} Chroma")
                t = time.perf_counter()
                store = build_scaled(settings, size, base, chroma_url=url)
                built = time.perf_counter() - t
                m = bench_retrieval(store, queries)
                done(f"{size // 1000}k_{url_kind}", {**m, "open_or_build_s": round(built, 1), "rss_mb": _rss_mb(),
                                                     "measured": stamp})
                store.close()
        finally:
            if proc:  # a server holding 1M vectors may take minutes to stop on a busy machine
                proc.terminate()
                try:
                    proc.wait(timeout=300)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
