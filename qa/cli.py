"""The command line: ``qa ingest``, ``qa search``, ``qa ask``, ``qa eval``, ``qa bench``, ``qa serve``, ``qa mcp``.

Output with ``--json`` is a stable contract read by other tools (see DEVELOPERS.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from collections.abc import Sequence
from datetime import date, datetime

from .config import load_settings


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _filters(args: argparse.Namespace):  # noqa: ANN202
    from .retrieve import Filters

    before = min(filter(None, [args.before, args.as_of and args.as_of.isoformat()]), default=None)
    return Filters(sources=tuple(args.source or ()), after=args.after, before=before)


def _iso(value: str) -> str:
    """An ISO date or date-time, checked (a bad one is a one-line usage error, not a traceback)."""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date like 2025-08-31") from None
    return value


def _as_of(value: str) -> date:
    return date.fromisoformat(_iso(value)[:10])


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import Ingestor
    from .store import Store

    store = Store(load_settings())
    report = Ingestor(store).ingest(args.paths, prune=args.prune, progress=not args.json and sys.stderr.isatty())
    if args.json:
        _print_json(report.to_json())
    else:
        print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
              f"removed {report.removed}, failed {len(report.failed)}; {report.passages} passages embedded; "
              f"{store.catalog.passage_count()} passages in the store")
        for f in report.flagged:
            print(f"  flagged, never used as evidence: {f['path']}: {f['reason']}: {f['text'][:100]!r}",
                  file=sys.stderr)
        for f in report.failed:
            print(f"  failed: {f['path']}: {f['error']}", file=sys.stderr)
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def cmd_search(args: argparse.Namespace) -> int:
    from .retrieve import Retriever
    from .store import Store

    store = Store(load_settings())
    hits = Retriever(store).search(args.query, k=args.k, filters=_filters(args), mode=args.mode)
    if args.json:
        _print_json({"query": args.query, "hits": [h.to_json() for h in hits]})
        return 0
    if not hits:
        print("No passages found.")
    for h in hits:
        date = (h.article.published or "undated")[:16].replace("T", " ")
        dense = "-" if h.dense is None else f"{h.dense:.3f}"
        bm25 = "-" if h.bm25 is None else f"{h.bm25:.2f}"
        print(f"{h.rank}. {h.article.title} | {h.article.source or 'unknown outlet'} | {date} "
              f"| chars {h.passage.start}-{h.passage.end} | dense {dense} bm25 {bm25}")
        print(textwrap.indent(textwrap.fill(h.passage.text, 100), "   "))
    return 0


def answer_json(answer) -> dict:  # noqa: ANN001
    """The ``qa ask --json`` object (also what ``qa serve`` returns to ``qa ask``)."""
    out = answer.to_json()
    if answer.refused and answer.hits:
        out["closest"] = [h.to_json() for h in answer.hits[:3]]
    return out


def _print_answer(out: dict) -> None:
    """Print an answer from its ``qa ask --json`` object, so that both paths print alike."""
    print(out["answer"])
    if out["citations"]:
        print()
    for c in out["citations"]:
        date = (c["published"] or "undated")[:10]
        print(f"[{c['n']}] {c['title']} | {c['source'] or 'unknown outlet'} | {date}"
              + (f" | {c['url']}" if c["url"] else ""))
        print(textwrap.indent(textwrap.fill(f"“{c['quote']}” (chars {c['start']}-{c['end']})", 100), "    "))
    if out.get("closest"):
        print("\nClosest passages:")
        for h in out["closest"]:
            date = (h["published"] or "undated")[:10]
            print(f"- {h['title']} | {h['source'] or 'unknown outlet'} | {date}")
            print(textwrap.indent(textwrap.fill(h["text"], 100), "    "))
    if out.get("error"):
        print(f"qa: {out['error']}", file=sys.stderr)


def _ask_server(args: argparse.Namespace) -> bool:
    """Answer one question through a running ``qa serve`` that serves the same data (see
    ``qa.client``); False when there is none. A batch (``-``) loads the models once in-process."""
    from . import client

    url = None if args.no_server else client.find_server(load_settings())
    if url is None:
        return False
    filters = {"sources": list(args.source or ()), "after": args.after, "before": args.before,
               "as_of": args.as_of and args.as_of.isoformat()}
    try:
        out = client.ask(url, args.question, filters)
    except client.ServerError as err:
        print(f"qa: the server failed ({err}); answering in-process", file=sys.stderr)
        return False
    _print_json(out) if args.json else _print_answer(out)
    return True


def _ask_line(line: str) -> tuple[str, list[tuple[str, str]], date | None]:
    """One line of ``qa ask -``: a plain question, or a JSON object ``{"question", "as_of"?, "history"?}``
    (``as_of``: "today" for the question, only articles published by then; ``history``: earlier
    [question, answer] pairs)."""
    text = line.strip()
    if not text.startswith("{"):
        return text, [], None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not a JSON object: {err}") from None
    question = obj.get("question") if isinstance(obj, dict) else None
    if not isinstance(question, str) or not question.strip():
        raise ValueError('a JSON line needs a "question" string')
    history = obj.get("history") or []
    if not isinstance(history, list) or not all(
            isinstance(t, list | tuple) and len(t) == 2 and all(isinstance(x, str) for x in t) for t in history):
        raise ValueError('"history" must be a list of [question, answer] pairs')
    as_of = obj.get("as_of")
    if as_of is not None:
        try:
            date.fromisoformat(str(as_of)[:10])
        except ValueError:
            raise ValueError(f'"as_of" must be an ISO date like 2025-08-31, not {as_of!r}') from None
        as_of = date.fromisoformat(str(as_of)[:10])
    return question.strip(), [tuple(t) for t in history], as_of


def cmd_ask(args: argparse.Namespace) -> int:
    if args.question != "-" and _ask_server(args):
        return 0
    from .pipeline import build
    from .records import Answer

    pipeline = build()
    filters = _filters(args)
    if args.question == "-":
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                question, history, as_of = _ask_line(line)
            except ValueError as err:
                _print_json({"question": line.strip(), "error": str(err)})
                continue
            answer = pipeline.answerer.ask(question, history=history, filters=filters, as_of=as_of or args.as_of)
            _print_json(answer_json(answer)) if args.json else (_print_answer(answer_json(answer)), print())
        return 0
    if args.json:
        _print_json(answer_json(pipeline.answerer.ask(args.question, filters=filters, as_of=args.as_of)))
        return 0
    answer = None
    streamed = ""
    for item in pipeline.answerer.stream(args.question, filters=filters, as_of=args.as_of):
        if isinstance(item, str):
            streamed += item
            if sys.stdout.isatty():
                print(item, end="", flush=True)
        elif isinstance(item, Answer):
            answer = item
    if sys.stdout.isatty() and streamed:
        print("\r\033[J" if answer.text != streamed else "", end="")
        print("\n--- verified answer ---" if answer.text != streamed else "\n")
    _print_answer(answer_json(answer))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from . import server
    from .pipeline import build

    settings = load_settings()
    host, port = args.host or settings.web_host, args.port or settings.web_port
    server.check_host(host)  # before loading anything
    server.serve(build(settings), host, port)
    return 0


def cmd_mcp(args: argparse.Namespace) -> int:
    from . import mcp_server

    mcp_server.main()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import evaluate

    settings = load_settings()
    if args.benchmark:
        from . import benchmark

        results = benchmark.run(settings, Path(args.out), limit=args.limit, progress=not args.json,
                                open_only=args.open_only)
        if args.json:
            _print_json(results)
        return 0
    names = ["corpus", "distractors"] if args.setting == "all" else [args.setting]
    splits = ["dev", "test"] if args.split == "all" else [args.split]
    results, failures = evaluate.run(settings, names, Path(args.out), progress=not args.json, splits=splits)
    if args.json:
        _print_json({"metrics": results, "failures": failures})
    else:
        for name, cats in results.items():
            print(f"\n== {name} ==")
            for cat, m in cats.items():
                print(f"{cat:>13}: " + ", ".join(f"{k}={v}" for k, v in m.items() if v is not None))
        print(f"\nreport: {Path(args.out) / 'report.md'}")
        for f in failures:
            print(f"below threshold: {f}", file=sys.stderr)
    return 1 if failures else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import bench

    results = bench.run(load_settings(), Path(args.out), large=args.large, ingest_articles=args.articles,
                        progress=not args.json, parts=tuple(args.only or bench.PARTS))
    if args.json:
        _print_json(results)
    else:
        print(bench.report(results))
    return 0


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--after", type=_iso, help="only articles published on or after this ISO date")
    p.add_argument("--before", type=_iso, help="only articles published on or before this ISO date")
    p.add_argument("--as-of", type=_as_of, metavar="DATE",
                   help='answer as if today were DATE: only articles published by then; "so far", "last week" '
                        "counted from it")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add or update articles from files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--prune", action="store_true", help="forget files under PATH that are gone")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--mode", choices=["hybrid", "dense", "bm25"], default="hybrid")
    _add_filter_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question from the articles, with citations")
    p.add_argument("question", help="the question, or - to read one question per line from stdin")
    _add_filter_args(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--no-server", action="store_true", help="answer in-process even when `qa serve` runs")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="serve the chat page and an OpenAI-compatible API on one port")
    p.add_argument("--host", help="default QA_WEB_HOST (127.0.0.1); beyond loopback QA_API_KEY is required")
    p.add_argument("--port", type=int, help="default QA_WEB_PORT (7860)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("mcp", help="an MCP server on stdio: search_articles, ask_articles, list_articles")
    p.set_defaults(func=cmd_mcp)

    p = sub.add_parser("eval", help="run the evaluation suite (or a benchmark) and check thresholds")
    p.add_argument("--setting", choices=["corpus", "distractors", "all"], default="all")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all",
                   help="dev: evals/gold.yaml (tune on it); test: evals/test.yaml (never tune on it)")
    p.add_argument("--benchmark", choices=["realtimeqa"], help="run a public benchmark instead")
    p.add_argument("--limit", type=int, help="benchmark: only the first N questions")
    p.add_argument("--open-only", action="store_true",
                   help="benchmark: only open answers, with and without recency ranking")
    p.add_argument("--out", default="evals/results", help="where to write JSON, report and chart")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="run the performance benchmark")
    p.add_argument("--large", action="store_true", help="also 1M passages (slow to build the first time)")
    p.add_argument("--articles", type=int, default=300, help="RealTime QA articles for the ingest benchmark")
    p.add_argument("--only", action="append", choices=["ingest", "recall", "retrieval", "answers", "cold"],
                   help="run only this part (repeatable); the others' results are kept from the last run")
    p.add_argument("--out", default="docs/bench", help="where to write JSON, report and chart")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        # Imported here, not above: `qa ask` answered by a server must not import numpy and the stores.
        from .llm import LLMUnavailable
        from .vectors import BackendUnavailable

        if not isinstance(err, (BackendUnavailable, LLMUnavailable)):
            raise
        print(f"qa: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
