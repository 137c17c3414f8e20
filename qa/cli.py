"""The command line: ``qa ingest``, ``qa search``, ``qa ask``, ``qa serve``, ``qa mcp``; ``qa eval`` and
``qa bench`` come from the ``evals`` tools when they are installed.

Output with ``--json`` is a stable contract read by other tools (the README lists its fields)."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cli_ask
from .cli_ask import filters, print_json
from .config import ConfigError, load_settings

if TYPE_CHECKING:
    from .ingest.ingest import Ingestor, IngestReport


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
    from .index.store import Store
    from .ingest.ingest import Ingestor

    store = Store(load_settings())
    ingestor = Ingestor(store)
    report = ingestor.ingest(args.paths, prune=args.prune, progress=not args.json and sys.stderr.isatty())
    if args.json:
        print_json(report.to_json())
    else:
        print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
              f"removed {report.removed}, failed {len(report.failed)}, skipped {len(report.skipped)}; "
              f"{report.passages} passages embedded; {store.catalog.passage_count()} passages in the store")
        _print_problems(report)
    if args.watch:
        return _watch(ingestor, args)
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def _print_problems(report: IngestReport) -> None:
    for f in report.flagged:
        print(f"  flagged, never used as evidence: {f['path']}: {f['reason']}: {f['text'][:100]!r}",
              file=sys.stderr)
    for f in report.failed:
        print(f"  failed: {f['path']}{_where(f)}: {f['error']}", file=sys.stderr)
    for f in report.skipped:
        print(f"  skipped: {f['path']}: {f['type']} files are not read", file=sys.stderr)
    for f in report.notes:
        print(f"  note: {f['path']}{_where(f)}: {f['note']}", file=sys.stderr)


def _where(item: dict[str, Any]) -> str:
    return f", line {item['line']}" if "line" in item else f", entry {item['entry']}" if "entry" in item else ""


def _watch(ingestor: Ingestor, args: argparse.Namespace) -> int:
    """Keep the folders ingested until interrupted: a line (or, with --json, a report) per change."""
    from .ingest.watch import watch

    folders = [p for p in args.paths if Path(p).is_dir()]
    if not folders:
        print("qa: --watch needs a folder", file=sys.stderr)
        return 2
    print(f"watching {', '.join(folders)} (Ctrl-C to stop)", file=sys.stderr, flush=True)
    for change in watch(ingestor, folders):
        if args.json:
            print_json(change.to_json())
        else:
            for line in change.lines():
                print(line, flush=True)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .index.store import Store
    from .retrieve import Retriever

    store = Store(load_settings())
    hits = Retriever(store).search(args.query, k=args.k, filters=filters(args), mode=args.mode)
    if args.json:
        print_json({"query": args.query, "hits": [h.to_json() for h in hits]})
        return 0
    if not hits:
        print("No passages found.")
    for h in hits:
        date = (h.article.published or "undated")[:16].replace("T", " ")
        dense = "-" if h.dense is None else f"{h.dense:.3f}"
        bm25 = "-" if h.bm25 is None else f"{h.bm25:.2f}"
        page = h.article.page_of(h.passage.start)
        print(f"{h.rank}. {h.article.title} | {h.article.source or 'unknown outlet'} | {date} "
              + (f"| p. {page} " if page else "")
              + f"| chars {h.passage.start}-{h.passage.end} | dense {dense} bm25 {bm25}")
        print(textwrap.indent(textwrap.fill(h.passage.text, 100), "   "))
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


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--after", type=_iso, help="only articles published on or after this ISO date")
    p.add_argument("--before", type=_iso, help="only articles published on or before this ISO date")
    p.add_argument("--as-of", type=_as_of, metavar="DATE",
                   help='answer as if today were DATE: only articles published by then; "so far", "last week" '
                        "counted from it")


def _tools_missing(args: argparse.Namespace) -> int:
    print(f"qa: `qa {args.command}` needs the evaluation tools: from a checkout, pip install -e '.[evals]'",
          file=sys.stderr)
    return 2


def _add_tool_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``qa eval`` and ``qa bench`` come from the ``evals`` package (a checkout's tools, not the product)."""
    from importlib.util import find_spec

    try:
        from evals.cli import add_commands

        if not (find_spec("yaml") and find_spec("matplotlib")):  # the evals extra's packages
            raise ImportError("the evals extra is not installed")
    except ImportError:
        for name in ("eval", "bench"):
            p = sub.add_parser(name, help="(needs the evals extra)", add_help=False)
            p.add_argument("rest", nargs=argparse.REMAINDER)
            p.set_defaults(func=_tools_missing)
        return
    add_commands(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qa", description="Answers questions from news articles, citing them.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add or update articles from files and folders")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--prune", action="store_true", help="forget files under PATH that are gone")
    p.add_argument("--watch", action="store_true",
                   help="then keep watching the folders: new, changed and removed files are picked up as they land")
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
    p.set_defaults(func=lambda args: cli_ask.cmd_ask(args))

    p = sub.add_parser("serve", help="serve the chat page and an OpenAI-compatible API on one port")
    p.add_argument("--host", help="default QA_WEB_HOST (127.0.0.1); beyond loopback QA_API_KEY is required")
    p.add_argument("--port", type=int, help="default QA_WEB_PORT (7860)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("mcp", help="an MCP server on stdio: search_articles, ask_articles, list_articles")
    p.set_defaults(func=cmd_mcp)

    _add_tool_commands(sub)
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
        from .index.chroma import BackendUnavailable
        from .llm import LLMUnavailable

        if not isinstance(err, (BackendUnavailable, LLMUnavailable, ConfigError)):
            raise
        print(f"qa: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
