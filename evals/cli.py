"""``qa eval`` and ``qa bench``: registered on the ``qa`` command by :func:`add_commands`.

Kept free of heavy imports: ``qa`` builds its parser on every call, and the tools load only when run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from qa.config import load_settings

PARTS = ("ingest", "recall", "retrieval", "answers", "cold")


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_eval(args: argparse.Namespace) -> int:
    settings = load_settings()
    if args.benchmark:
        from . import benchmark

        results = benchmark.run(settings, Path(args.out), limit=args.limit, progress=not args.json,
                                open_only=args.open_only)
        if args.json:
            _print_json(results)
        return 0
    from . import evaluate

    if args.record and settings.llm_backend != "embedded":
        print("qa eval: --record keeps completions of the embedded model only (QA_LLM_BACKEND=embedded)",
              file=sys.stderr)
        return 2
    names = ["corpus", "distractors"] if args.setting == "all" else [args.setting]
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    metrics, failures = evaluate.run(settings, names, Path(args.out), progress=not args.json, splits=splits,
                                     live=args.live, record=args.record)
    if args.json:
        _print_json({"metrics": metrics, "failures": failures})
    else:
        for name, cats in metrics.items():
            print(f"\n== {name} ==")
            for cat, m in cats.items():
                print(f"{cat:>13}: " + ", ".join(f"{k}={v}" for k, v in m.items() if v is not None))
        print(f"\nreport: {Path(args.out) / 'report.md'}")
        for f in failures:
            print(f"below threshold: {f}", file=sys.stderr)
    return 1 if failures else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from . import bench, bench_report

    results = bench.run(load_settings(), Path(args.out), large=args.large, ingest_articles=args.articles,
                        progress=not args.json, parts=tuple(args.only or PARTS))
    if args.json:
        _print_json(results)
    else:
        print(bench_report.report(results))
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``eval`` and ``bench`` to the ``qa`` command's subcommands."""
    p = sub.add_parser("eval", help="run the evaluation suite (or a benchmark) and check thresholds")
    p.add_argument("--setting", choices=["corpus", "distractors", "all"], default="all")
    p.add_argument("--split", choices=["dev", "test", "tune", "all"], default="all",
                   help="dev: evals/gold.yaml (tune on it); test: evals/test.yaml (never tune on it); tune: "
                        "evals/tune.yaml (more to tune on, not gated); all: dev and test")
    p.add_argument("--live", action="store_true",
                   help="ask the embedded model every request instead of replaying the recorded completions "
                        "(evals/recorded/; by default a request not recorded is asked and kept in the cache)")
    p.add_argument("--record", action="store_true",
                   help="rewrite evals/recorded/eval.jsonl with the completions this run used, the new ones "
                        "asked of the model (after a prompt change; commit the file with the change)")
    p.add_argument("--reuse", action="store_true", help=argparse.SUPPRESS)  # the default now; kept for old scripts
    p.add_argument("--benchmark", choices=["realtimeqa"], help="run a public benchmark instead")
    p.add_argument("--limit", type=int, help="benchmark: only the first N questions")
    p.add_argument("--open-only", action="store_true",
                   help="benchmark: only open answers, with and without recency ranking")
    p.add_argument("--out", default="docs/evals", help="where to write JSON, report and chart")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="run the performance benchmark")
    p.add_argument("--large", action="store_true", help="also 1M passages (slow to build the first time)")
    p.add_argument("--articles", type=int, default=300, help="RealTime QA articles for the ingest benchmark")
    p.add_argument("--only", action="append", choices=PARTS,
                   help="run only this part (repeatable); the others' results are kept from the last run")
    p.add_argument("--out", default="docs/bench", help="where to write JSON, report and chart")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
