"""``qa eval --benchmark realtimeqa``: the RealTime QA questions over all 1,501 of its articles.

Two settings: multiple choice (question + four choices; accuracy, and on the "none of the above"
variant how often the bot rightly says no choice is supported) and open answer (question alone;
SQuAD exact match and token F1). Each question's date is an upper bound on article dates. The
LlamaIndex starter pipeline (same Chroma collection, embedder and LLM) is measured in the same run.
"""

from __future__ import annotations

import collections
import json
import re
import string
import time
from collections.abc import Sequence
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

from qa.answer import Answerer
from qa.config import Settings
from qa.llm import complete
from qa.pipeline import Pipeline, build
from qa.retrieve import Filters

from . import realtimeqa
from .match import words
from .starter import StarterPipeline, choose

PUBLISHED = {  # from ../shared/benchmarks/realtimeqa/README.md (same 240 questions)
    "GPT-3 (text-davinci-002) + GCS articles": {"mc_accuracy": 64.6, "open_em": 31.2, "open_f1": 41.6},
    "RAG (BART) + GCS articles": {"mc_accuracy": 43.8, "open_em": 19.2, "open_f1": 23.1},
    "GPT-3, no retrieval (closed book)": {"mc_accuracy": 48.3, "open_em": 18.3, "open_f1": 23.3},
    "GPT-3 + GCS, none-of-the-above set": {"nota_accuracy": 56.2},
    "random choice": {"mc_accuracy": 25.0},
}


def squad_normalise(s: str) -> str:
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation) | {"“", "”", "‘", "’"})
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(pred: str, gold: str) -> float:
    return float(squad_normalise(pred) == squad_normalise(gold))


def token_f1(pred: str, gold: str) -> float:
    p, g = squad_normalise(pred).split(), squad_normalise(gold).split()
    common = collections.Counter(p) & collections.Counter(g)
    same = sum(common.values())
    if not p or not g or same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def lenient_match(pred: str, gold: str, max_words: int = 40) -> float:
    """A chatbot answers in sentences: right when every word of the gold answer is in a short answer
    (at most ``max_words`` words, so that pasting a whole passage does not count)."""
    p, g = squad_normalise(pred).split(), squad_normalise(gold).split()
    return float(bool(g) and len(p) <= max_words and all(w in p for w in g))


def _before(date: str) -> float:
    return datetime.combine(datetime.fromisoformat(date).date(), dtime(23, 59, 59)).timestamp()


def _is_nota(choice: str) -> bool:
    return "none of the above" in choice.lower()


def _contains(sentence: str, choice: str) -> bool:
    said = words(choice).strip()
    return bool(said) and f" {said} " in words(sentence)


def ours_choice(answerer: Answerer, q: realtimeqa.Question, choices: Sequence[str]) -> tuple[int | None, bool]:
    """Pick the choice that the retrieved sentences support best; when none is supported, the
    "none of the above" choice if there is one, else the model's pick. Returns (index, supported)."""
    filters = Filters(before=q.date)
    real = [(i, c) for i, c in enumerate(choices) if not _is_nota(c)]
    query = q.question + " " + " ".join(c for _, c in real)
    hits = answerer.retriever.search(query, k=8, filters=filters)
    _, _, evidence = answerer.select_evidence(q.question, hits)  # the sentences as the answerer ranks them
    support = {i: max((e.score for e in evidence if _contains(e.text, c)), default=None) for i, c in real}
    found = {i: s for i, s in support.items() if s is not None}
    if found:
        return max(found, key=lambda i: found[i]), True
    nota = [i for i, c in enumerate(choices) if _is_nota(c)]
    if nota:
        return nota[0], False
    text = " ".join(e.text for e in evidence[:5])
    letters = "\n".join(f"{'ABCD'[i]}) {c}" for i, c in enumerate(choices))
    reply = complete(answerer.llm, [{"role": "user", "content": f"Text: {text}\n\nQuestion: {q.question}\n{letters}\n"
                                                               "Reply with the letter of the right choice."}],
                     max_tokens=8)
    return choose(reply, choices), False


def ours_open(answerer: Answerer, q: realtimeqa.Question) -> tuple[str, bool]:
    """The open answer with the question's date as today ("this week", "so far" read from it)."""
    answer = answerer.ask(q.question, filters=Filters(before=q.date), as_of=datetime.fromisoformat(q.date[:10]).date())
    if answer.refused:
        return "", True
    text = re.sub(r"\s*\[\d+\]", "", answer.text.removeprefix(answer.lead))
    return text.strip().strip("“”\"'."), False


def starter_choice(starter: StarterPipeline, q: realtimeqa.Question) -> int | None:
    letters = "\n".join(f"{'ABCD'[i]}) {c}" for i, c in enumerate(q.choices))
    reply = starter.query(f"{q.question}\n{letters}\nAnswer with the letter of the right choice.", _before(q.date))
    return choose(reply, q.choices)


def _pct(xs: Sequence[float]) -> float | None:
    return round(100.0 * sum(xs) / len(xs), 1) if xs else None


def prepare(settings: Settings, progress: bool) -> Pipeline:
    pipeline = build(settings.with_(data_dir=settings.data_dir / "realtimeqa"))
    pipeline.ingestor.ingest_articles(realtimeqa.articles(), origin="realtimeqa", progress=progress)
    return pipeline


def run(settings: Settings, out_dir: Path, limit: int | None = None, progress: bool = True,
        starter: bool = True, open_only: bool = False) -> dict[str, Any]:
    """``open_only``: only the open answers, with and without recency ranking (no multiple choice,
    no starter pipeline)."""
    t0 = time.perf_counter()
    pipeline = prepare(settings, progress)
    ingest_s = time.perf_counter() - t0
    questions = realtimeqa.questions()[:limit]
    answerer = pipeline.answerer
    base = StarterPipeline(pipeline.store, answerer.llm) if starter and not open_only else None
    # The same answerer with recency ranking off: the "with and without recency".
    flat = Answerer(answerer.settings.with_(recency="off"), answerer.retriever, lambda: answerer.llm)
    rows = []
    for n, q in enumerate(questions, 1):
        t = time.perf_counter()
        gold = q.choices[q.answer]
        row: dict[str, Any] = {"id": q.id, "question": q.question, "gold": gold}
        if not open_only:
            mc, mc_supported = ours_choice(answerer, q, q.choices)
            nota, _ = ours_choice(answerer, q, q.nota_choices)
            row |= {"mc": mc == q.answer, "mc_supported": mc_supported,
                    "nota": nota == q.nota_answer, "nota_gold_is_nota": _is_nota(q.nota_choices[q.nota_answer]),
                    "nota_said_none": nota is not None and _is_nota(q.nota_choices[nota])}
        pred, refused = ours_open(answerer, q)
        row |= {"open": pred, "refused": refused, "em": exact_match(pred, gold), "f1": token_f1(pred, gold),
                "lenient": lenient_match(pred, gold), "seconds": round(time.perf_counter() - t, 2)}
        flat_pred, _ = ours_open(flat, q)
        row |= {"open_flat": flat_pred, "flat_em": exact_match(flat_pred, gold), "flat_f1": token_f1(flat_pred, gold),
                "flat_lenient": lenient_match(flat_pred, gold)}
        if base:
            row["starter_mc"] = starter_choice(base, q) == q.answer
            row["starter_open"] = base.query(q.question, _before(q.date))
            row["starter_em"] = exact_match(row["starter_open"], gold)
            row["starter_f1"] = token_f1(row["starter_open"], gold)
            row["starter_lenient"] = lenient_match(row["starter_open"], gold)
        rows.append(row)
        if progress:
            mark = "ok" if row.get("mc") else "--"
            print(f"[{n}/{len(questions)}] mc={mark} open={pred[:50]!r} gold={gold!r}", flush=True)
    ours = {"open_em": _pct([r["em"] for r in rows]), "open_f1": _pct([r["f1"] for r in rows]),
            "open_lenient": _pct([r["lenient"] for r in rows]),
            "open_refused": _pct([r["refused"] for r in rows])}
    if not open_only:
        nota_rows = [r for r in rows if r["nota_gold_is_nota"]]
        ours |= {"mc_accuracy": _pct([r["mc"] for r in rows]),
                 "mc_supported_share": _pct([r["mc_supported"] for r in rows]),
                 "mc_accuracy_when_supported": _pct([r["mc"] for r in rows if r["mc_supported"]]),
                 "nota_accuracy": _pct([r["nota"] for r in rows]),
                 "nota_rightly_none": _pct([r["nota_said_none"] for r in nota_rows])}
    no_recency = {"open_em": _pct([r["flat_em"] for r in rows]), "open_f1": _pct([r["flat_f1"] for r in rows]),
                  "open_lenient": _pct([r["flat_lenient"] for r in rows])}
    results: dict[str, Any] = {"questions": len(rows), "articles_ingest_s": round(ingest_s, 1), "ours": ours,
                               "ours_no_recency": no_recency, "published": PUBLISHED, "model": answerer.llm.name}
    if base:
        results["starter"] = {"mc_accuracy": _pct([r["starter_mc"] for r in rows]),
                              "open_em": _pct([r["starter_em"] for r in rows]),
                              "open_f1": _pct([r["starter_f1"] for r in rows]),
                              "open_lenient": _pct([r["starter_lenient"] for r in rows])}
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"results": results, "rows": rows}
    (out_dir / "realtimeqa.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
    (out_dir / "realtimeqa.md").write_text(report(results))
    return results


def report(results: dict[str, Any]) -> str:
    lines = ["# RealTime QA benchmark", "",
             f"{results['questions']} questions over the 1,501 articles in one collection, each question's date "
             "as an upper bound on article dates. Produced by `qa eval --benchmark realtimeqa`.", "",
             "| system | MC accuracy | NOTA accuracy | open EM | open F1 | open lenient |", "|---|---|---|---|---|---|"]

    def row(name: str, m: dict) -> str:
        cells = [m.get(k) for k in ("mc_accuracy", "nota_accuracy", "open_em", "open_f1", "open_lenient")]
        return f"| {name} | " + " | ".join("" if c is None else f"{c}" for c in cells) + " |"

    lines.append(row(f"**ours** (hybrid retrieval, supported-choice rule, embedded {results.get('model', '')}; "
                     "question date as today, recency ranking auto)", results["ours"]))
    if "ours_no_recency" in results:
        lines.append(row("ours, recency ranking off", results["ours_no_recency"]))
    if "starter" in results:
        lines.append(row("LlamaIndex starter (same store, embedder, LLM)", results["starter"]))
    for name, m in results["published"].items():
        lines.append(row(f"{name} (published)", m))
    o = results["ours"]
    if "mc_supported_share" not in o:
        return "\n".join(lines) + "\n"
    lines += ["", "Ours: a choice was supported by a retrieved sentence for "
              f"{o['mc_supported_share']}% of the questions "
              f"(accuracy {o['mc_accuracy_when_supported']}% on those); on the none-of-the-above set it rightly said "
              f"no choice is supported for {o['nota_rightly_none']}% of the questions whose answer is 'none of the "
              f"above'; open answers refused: {o['open_refused']}%."]
    return "\n".join(lines) + "\n"
