"""``qa bench``'s report (Markdown) and chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _ingest_lines(i: dict[str, Any]) -> list[str]:
    if "articles_per_s" not in i:  # a report from before the ONNX embedder
        return [f"Ingest of {i['articles']} RealTime QA articles ({i['passages']} passages): "
                f"{i['passages_per_s']} passages/s; raw encode {i['raw_passages_per_s']}/s."]
    st = i["starter"]
    return [f"Ingest of {i['articles']} RealTime QA articles ({i['passages']} passages of ~{i['chunk_chars']} "
            f"characters, every word embedded; embedder `{i['embed_backend']}`): {i['ingest_s']} s, "
            f"**{i['articles_per_s']} articles/s** ({i['passages_per_s']} passages/s). The LlamaIndex starter "
            f"ingest of the same articles (1,024-token chunks, MiniLM on torch reading the first 256 word "
            f"pieces of each): {st['ingest_s']} s, {st['articles_per_s']} articles/s ({st['nodes']} nodes): "
            f"**{i['articles_per_s_vs_starter']}x** the starter.", "",
            f"Embedder alone on the same passages: {i['embed_passages_per_s']} passages/s; raw "
            f"sentence-transformers (torch) encode: {i['raw_passages_per_s']}/s: **{i['embed_speedup_vs_raw']}x**. "
            f"Re-ingest unchanged: {i['reingest_unchanged_s']} s, {i['reingest_embedding_calls']} embedding "
            f"calls. Peak RSS after ingest {i['peak_rss_mb']} MB. Measured {i.get('measured', '')}."]


def report(r: dict[str, Any]) -> str:
    lines = ["# qa bench", "", "2-core machine shared with other work: absolute rates vary with its load; "
             "ratios are measured in one run.", ""]
    if "ingest" in r:
        lines += _ingest_lines(r["ingest"]) + [""]
    if "answer_recall" in r:
        rec = r["answer_recall"]
        lines += ["Right answer's text in the passages retrieved for the 240 RealTime QA questions (top 5 / top 20): "
                  + ", ".join(f"{m} {rec[m]['top5']}% / {rec[m]['top20']}%" for m in ("dense", "bm25", "hybrid"))
                  + ".", ""]
    if r.get("retrieval"):
        lines += ["| retrieval | passages | dense median ms | dense p95 ms | hybrid median ms | hybrid p95 ms "
                  "| add 1 article s | remove 1 s | BM25 full build s | open/build s | RSS MB |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, m in r["retrieval"].items():
            lines.append(f"| {name} | {m['passages']} | {m['dense']['median_ms']} | {m['dense']['p95_ms']} | "
                         f"{m['hybrid']['median_ms']} | {m['hybrid']['p95_ms']} | {m.get('add_one_article_s', '')} | "
                         f"{m.get('remove_one_article_s', '')} | {m['bm25_rebuild_s']} | "
                         f"{m.get('open_or_build_s', '')} | {m.get('rss_mb', '')} |")
        lines.append("")
    if "answers" in r:
        a = r["answers"]
        lines += [f"| answers ({a['questions']} gold questions) | first token median ms | p95 "
                  "| total median ms | p95 |", "|---|---|---|---|---|"]
        for name in ("ours", "starter"):
            m = a[name]
            lines.append(f"| {name} | {m['first_token']['median_ms']} | {m['first_token']['p95_ms']} | "
                         f"{m['total']['median_ms']} | {m['total']['p95_ms']} |")
        lines.append("")
    if "cold_start" in r:
        c = r["cold_start"]
        lines += [f"Cold start: `qa ask` process start to first answer {c['cli_first_answer_s']} s; "
                  f"`python app.py` to the page answering HTTP {c['web_page_ready_s']} s."]
    return "\n".join(lines) + "\n"


def chart(r: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not r.get("retrieval") or "answers" not in r:
        return
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
