"""The evaluation suite: gold questions answered by the real pipeline, in two splits.

Splits: ``dev`` (``evals/gold.yaml``, tuned on) and ``test`` (``evals/test.yaml``, written apart from
the code and never tuned on; it brings fixture articles with planted instructions, in the store only
while its questions are asked, and injection items whose planted claims must never appear in an
answer). Settings: ``corpus`` (the shipped articles) and
``distractors`` (the same plus the 1,501 RealTime QA news articles, so retrieval has to choose;
items marked ``setting: distractors`` are about those articles and asked only there). Metrics per
split, category and overall; results are written as JSON, a Markdown report and a PNG chart;
thresholds (``evals/thresholds.yaml``) make the command fail when a metric falls below what has been
measured. Latency is reported, not gated: a busy machine must not fail CI.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from qa.config import Settings
from qa.llm import LLM
from qa.pipeline import Pipeline, build
from qa.records import Answer, Article, Citation

from .match import day_of, fact_present, form_problems, mentions_day, names, relative_day, spoken, unsupported, words
from .replay import RECORDED, ReplayLLM, replaying

ROOT = Path(__file__).resolve().parents[1]
EVALS = ROOT / "evals"
# dev: tune on it (gated in CI); test: never tune on it (gated); tune: more questions to tune on, about
# RealTime QA stories (asked on demand: `qa eval --split tune`, not gated).
SPLITS = {"dev": EVALS / "gold.yaml", "test": EVALS / "test.yaml", "tune": EVALS / "tune.yaml"}


@dataclass
class Case:
    """One question to ask (a dialogue turn is a case with the earlier turns as history)."""

    id: str
    category: str
    question: str
    facts: list[list[str]] = field(default_factory=list)
    support: str | None = None
    refuse: bool = False
    dialogue: str | None = None
    turn: int = 0
    forbid: list[list[str]] = field(default_factory=list)  # planted claims that must not appear
    as_of: date | None = None  # "today" for the question: only articles published by then


def load_gold(path: Path = SPLITS["dev"], setting: str = "corpus") -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in data["items"]:
        if item.get("setting", setting) != setting:
            continue  # about articles this setting does not ingest
        override = item.get(f"in_{setting}")
        if override:
            item = {**item, **override, "refuse": override.get("refuse", False)}
        if "turns" in item:
            for i, t in enumerate(item["turns"]):
                cases.append(Case(f"{item['id']}#{i + 1}", item["category"], t["question"], t.get("facts", []),
                                  t.get("support"), bool(t.get("refuse")), item["id"], i,
                                  t.get("forbid", item.get("forbid", [])), _date(t.get("as_of", item.get("as_of")))))
        else:
            cases.append(Case(item["id"], item["category"], item["question"], item.get("facts", []),
                              item.get("support"), bool(item.get("refuse")), forbid=item.get("forbid", []),
                              as_of=_date(item.get("as_of"))))
    return cases


def _date(value: Any) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value))


def split_paths(path: Path) -> list[Path]:
    """The article files a split names (`articles:` in its YAML)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [ROOT / p for p in data["articles"].values()]


def corpus_paths() -> list[Path]:
    """The articles every split is asked over: the shipped corpus (the dev split's files under corpus/)."""
    return [p for p in split_paths(SPLITS["dev"]) if p.parent == ROOT / "corpus"]


def split_articles(path: Path) -> list[Article]:
    """The articles a split brings beyond the shipped corpus (the test split's fixture articles)."""
    from qa.ingest.load import load_bytes

    shipped = set(corpus_paths())
    return [a for p in split_paths(path) if p not in shipped for a in load_bytes(p.read_bytes(), p.name, path=str(p))]


@dataclass
class Outcome:
    case: Case
    answer: Answer
    seconds: float
    reused: bool = False  # a model completion was a recorded one: seconds not measured

    @property
    def leaked(self) -> bool:
        """The answer repeats a claim planted by an injected instruction."""
        return any(fact_present(f, self.answer.text) for f in self.case.forbid)

    @property
    def correct(self) -> bool:
        if self.leaked:
            return False
        if self.case.refuse:
            return self.answer.refused
        return not self.answer.refused and all(fact_present(f, self.answer.text) for f in self.case.facts)

    @property
    def wrong(self) -> bool:
        return not self.answer.refused and not self.correct

    @property
    def unsupported(self) -> list[str]:
        """Numbers and names of the answer that its cited text (quotes and their articles' outlet,
        title and date) does not contain. The names the question asks about are the user's, not the
        answer's claims ("The first PURL package was financed by the Netherlands [1]", citing "The
        first was financed by the Netherlands"); figures get no such pass."""
        if self.answer.refused:
            return []
        cited = " ".join(f"{backed(c)} {c.title} {c.published or ''}" for c in self.answer.citations)
        cited += " " + " ".join(names(self.answer.standalone_question or self.case.question))
        text = self.answer.text.removeprefix(self.answer.notice)  # a notice about the backend is not a claim
        return unsupported(text, cited)

    @property
    def form(self) -> list[str]:
        """What reads as broken in the answer's text (unpaired quotation marks, a sentence ending on "in")."""
        return form_problems(self.answer.text)

    @property
    def dated(self) -> bool:
        """The answer says when its facts were reported: the publication date of a cited article."""
        days = [d for c in self.answer.citations if (d := day_of(c.published))]
        return any(mentions_day(self.answer.text, d) for d in days)

    @property
    def support_rank(self) -> int | None:
        if not self.case.support:
            return None
        want = words(self.case.support).strip()
        for h in self.answer.hits:
            if want in words(h.passage.text):
                return h.rank
        return None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.case.id, "category": self.case.category, "question": self.case.question,
                "standalone": self.answer.standalone_question, "answer": self.answer.text,
                "refused": self.answer.refused, "mode": self.answer.mode, "correct": self.correct,
                "leaked": self.leaked,
                "unsupported": self.unsupported, "form": self.form, "support_rank": self.support_rank,
                "citations": [c.to_json() for c in self.answer.citations], "seconds": round(self.seconds, 3),
                "reused": self.reused,
                "timings_ms": self.answer.timings_ms}


def backed(c: Citation) -> str:
    """What a citation backs: its quote, and the outlet and date the reader sees beside it (with the
    calendar date a relative date of the quote stands for: "on Tuesday" in a Thursday report)."""
    published = day_of(c.published)
    derived = spoken(relative_day(c.quote, published)) if published else ""
    return f"{c.quote} {c.source or ''} {spoken(published)} {derived}"


def run_cases(pipeline: Pipeline, cases: Sequence[Case], progress: bool = False,
              replay: ReplayLLM | None = None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    history: list[tuple[str, str]] = []
    for i, case in enumerate(cases):
        if case.turn == 0:
            history = []
        reused = replay.reused if replay else 0
        t = time.perf_counter()
        answer = pipeline.answerer.ask(case.question, history=history, as_of=case.as_of)
        seconds = time.perf_counter() - t
        outcomes.append(Outcome(case, answer, seconds, reused=bool(replay and replay.reused > reused)))
        history.append((case.question, answer.text))
        if progress:
            mark = "ok " if outcomes[-1].correct else "BAD"
            print(f"[{i + 1}/{len(cases)}] {mark} {case.id}: {answer.text[:110]}", flush=True)
    return outcomes


def _pct(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def _quantile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))], 3)


def metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if not o.case.refuse]
    unanswerable = [o for o in outcomes if o.case.refuse]
    refused = [o for o in outcomes if o.answer.refused]
    answered = [o for o in outcomes if not o.answer.refused]
    cit_total = cit_precise = fact_total = fact_cited = 0
    for o in answerable:
        if o.answer.refused:
            continue
        for c in o.answer.citations:
            cit_total += 1
            cit_precise += any(fact_present(f, backed(c)) for f in o.case.facts)
        quotes = " ".join(backed(c) for c in o.answer.citations)
        fact_total += len(o.case.facts)
        fact_cited += sum(fact_present(f, quotes) for f in o.case.facts)
    ranks = [o.support_rank for o in answerable if o.case.support]
    crag = [(1 if o.correct else 0 if o.answer.refused else -1) if not o.case.refuse
            else (1 if o.answer.refused else -1) for o in outcomes]
    timed = [o for o in outcomes if not o.reused]
    secs = [o.seconds for o in timed]
    first = [o.answer.timings_ms["first_token"] / 1000 for o in timed if "first_token" in o.answer.timings_ms]
    return {
        "questions": len(outcomes),
        "reused": sum(o.reused for o in outcomes),
        "answer_accuracy": _pct(sum(o.correct for o in answerable), len(answerable)),
        "refusal_precision": _pct(sum(o.case.refuse for o in refused), len(refused)),
        "refusal_recall": _pct(sum(o.answer.refused for o in unanswerable), len(unanswerable)),
        "citation_precision": _pct(cit_precise, cit_total),
        "citation_recall": _pct(fact_cited, fact_total),
        "unsupported_claim_rate": _pct(sum(bool(o.unsupported) for o in answered), len(answered)),
        "injection_leaks": sum(o.leaked for o in outcomes),
        "well_formed": _pct(sum(not o.form for o in outcomes), len(outcomes)),
        "dated_answers": _pct(sum(o.dated for o in answered if o.answer.citations),
                              sum(1 for o in answered if o.answer.citations)),
        "hit_at_1": _pct(sum(1 for r in ranks if r is not None and r <= 1), len(ranks)),
        "hit_at_5": _pct(sum(1 for r in ranks if r is not None and r <= 5), len(ranks)),
        "mrr": round(sum(1.0 / r for r in ranks if r) / len(ranks), 3) if ranks else None,
        "crag_score": round(sum(crag) / len(crag), 3) if crag else None,
        "median_s": _quantile(secs, 0.5),
        "p95_s": _quantile(secs, 0.95),
        "first_token_median_s": _quantile(first, 0.5),
        "first_token_p95_s": _quantile(first, 0.95),
    }


def by_category(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    cats = sorted({o.case.category for o in outcomes})
    out = {"overall": metrics(outcomes)}
    for c in cats:
        out[c] = metrics([o for o in outcomes if o.case.category == c])
    return out


def prepare(settings: Settings, setting: str, progress: bool = False, llm: LLM | None = None) -> Pipeline:
    """A pipeline over its own data directory, with the articles of ``setting`` ingested."""
    # The distractor setting shares its data directory with the RealTime QA benchmark, so the 1,501
    # articles are embedded once for both (the benchmark's date filters exclude the shipped corpus).
    name = "realtimeqa" if setting == "distractors" else f"eval-{setting}"
    pipeline = build(settings.with_(data_dir=settings.data_dir / name), llm=llm)
    paths = corpus_paths()
    report = pipeline.ingestor.ingest(paths, prune=False)
    if report.failed:
        raise RuntimeError(f"could not ingest the eval corpus: {report.failed}")
    if setting == "distractors":
        from . import realtimeqa

        pipeline.ingestor.ingest_articles(realtimeqa.articles(), origin="realtimeqa", progress=progress)
    return pipeline


# Higher is better for every metric but these.
LOWER_IS_BETTER = {"unsupported_claim_rate", "injection_leaks", "median_s", "p95_s", "first_token_median_s",
                   "first_token_p95_s"}
# Reported, never gated: these machines are shared and noisy (issue: a busy machine failed CI).
NOT_GATED = {"reused", "median_s", "p95_s", "first_token_median_s", "first_token_p95_s"}


def check_thresholds(results: dict[str, dict[str, dict[str, Any]]], thresholds: dict[str, Any]) -> list[str]:
    failures = []
    for setting, cats in thresholds.items():
        for cat, limits in cats.items():
            got = results.get(setting, {}).get(cat)
            if got is None:
                continue
            for metric, limit in limits.items():
                value = got.get(metric)
                if value is None or metric in NOT_GATED:
                    continue
                bad = value > limit if metric in LOWER_IS_BETTER else value < limit
                if bad:
                    op = "<=" if metric in LOWER_IS_BETTER else ">="
                    failures.append(f"{setting}/{cat}/{metric} = {value} (threshold {op} {limit})")
    return failures


def write_report(results: dict[str, Any], details: dict[str, list[dict]], out_dir: Path,
                 completions: dict[str, Any] | None = None) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {"metrics": results, "answers": details}
    if completions is not None:
        data["completions"] = completions
    (out_dir / "results.json").write_text(json.dumps(data, indent=1, ensure_ascii=False))
    cols = ["questions", "reused", "answer_accuracy", "refusal_precision", "refusal_recall", "citation_precision",
            "citation_recall", "unsupported_claim_rate", "injection_leaks", "well_formed", "dated_answers", "hit_at_1",
            "hit_at_5", "mrr", "crag_score", "median_s", "p95_s", "first_token_median_s"]
    lines = ["# Evaluation report", "",
             "Produced by `qa eval` with the embedded default (temperature 0). Percentages except mrr,",
             "crag_score (mean of +1 right, 0 refused, -1 wrong) and seconds. reused: questions answered with",
             "a recorded model completion (`evals/recorded/`, or this machine's cache), left out of the seconds.",
             ""]
    if completions is not None:
        lines += [f"Model completions: {completions['computed']} computed, {completions['reused']} reused; of those "
                  f"kept, {completions['rechecked']} asked of the model again: "
                  f"{completions['rechecked'] - completions['differed']} the same.", ""]
    for setting, cats in results.items():
        lines += [f"## {setting}", "", "| category | " + " | ".join(cols) + " |",
                  "|---" * (len(cols) + 1) + "|"]
        for cat, m in cats.items():
            lines.append(f"| {cat} | " + " | ".join("" if m.get(c) is None else str(m.get(c)) for c in cols) + " |")
        lines.append("")
        wrong = [d for d in details.get(setting, []) if not d["correct"]]
        if wrong:
            lines += ["Not right:", ""]
            lines += [f"- `{d['id']}` {d['question']} -> {d['answer'][:160]}" for d in wrong]
            lines.append("")
    (out_dir / "report.md").write_text("\n".join(lines))
    _chart(results, out_dir / "chart.png")


def _chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics_shown = ["answer_accuracy", "refusal_recall", "citation_precision", "citation_recall", "hit_at_5"]
    settings = list(results)
    fig, axes = plt.subplots(1, len(settings), figsize=(6 * len(settings), 4), squeeze=False)
    for ax, setting in zip(axes[0], settings, strict=True):
        cats = [c for c in results[setting] if c != "overall"] + ["overall"]
        width = 0.8 / len(metrics_shown)
        for i, m in enumerate(metrics_shown):
            vals = [results[setting][c].get(m) or 0 for c in cats]
            ax.bar([x + i * width for x in range(len(cats))], vals, width, label=m)
        ax.set_xticks([x + 0.4 - width / 2 for x in range(len(cats))], cats, rotation=20)
        ax.set_ylim(0, 105)
        ax.set_title(f"qa eval: {setting}")
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def run(settings: Settings, settings_names: Sequence[str], out_dir: Path, progress: bool = False,
        splits: Sequence[str] = ("dev", "test"), live: bool = False, record: bool = False) -> tuple[dict, list[str]]:
    """Answer the splits in each setting; results are keyed "setting/split" ("corpus/test"). The embedded
    model's completions are replayed from the recordings (:mod:`evals.replay`) unless ``live``; ``record``
    rewrites ``evals/recorded/eval.jsonl`` with those this run used. Another backend is asked everything."""
    results: dict[str, Any] = {}
    details: dict[str, list[dict]] = {}
    replay = replaying(settings, live=live) if settings.llm_backend == "embedded" else None
    _answer_all(settings, settings_names, splits, results, details, progress, replay)
    completions = None
    if replay is not None:
        completions = replay.counts()
        if record:
            completions["recorded"] = replay.recordings.save(RECORDED / "eval.jsonl")
        if progress:
            print(f"model completions: {replay.computed} computed, {replay.reused} replayed; of those recorded, "
                  f"{replay.rechecked} asked again: {replay.rechecked - len(replay.differed)} the same")
    write_report(results, details, out_dir, completions)
    thresholds = yaml.safe_load((EVALS / "thresholds.yaml").read_text()) if (EVALS / "thresholds.yaml").exists() else {}
    return results, check_thresholds(results, thresholds or {})


def _answer_all(settings: Settings, settings_names: Sequence[str], splits: Sequence[str], results: dict[str, Any],
                details: dict[str, list[dict]], progress: bool, replay: ReplayLLM | None) -> None:
    for name in settings_names:
        base = prepare(settings, name, progress, llm=replay)
        base.store.close()
        for split in splits:
            path = SPLITS[split]
            # A split's own articles are in the store only while its questions are asked, so the dev
            # split is measured on the corpus it was written for. They go into a copy of the cached
            # store, which stays as it was built: adding and deleting them there changed its vector
            # index a little each run, and with it the evidence of a few answers.
            with tempfile.TemporaryDirectory(prefix="qa-eval-", dir=settings.data_dir) as tmp:
                data = Path(tmp) / name
                shutil.copytree(base.settings.data_dir, data)
                pipeline = build(settings.with_(data_dir=data), llm=replay)
                # Another split's articles, left in the cache by a run of an older build, must not stay.
                pipeline.ingestor.delete([a.id for other in SPLITS.values() if other != path
                                          for a in split_articles(other)])
                pipeline.ingestor.ingest_articles(split_articles(path), origin=f"eval-{split}")
                try:
                    outcomes = run_cases(pipeline, load_gold(path, setting=name), progress, replay)
                finally:
                    pipeline.store.close()
            results[f"{name}/{split}"] = by_category(outcomes)
            details[f"{name}/{split}"] = [o.to_json() for o in outcomes]
