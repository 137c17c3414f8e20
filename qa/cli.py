"""The command line: ``qa ingest``, ``qa search``, ``qa ask``, ``qa eval``, ``qa bench``.

Output with ``--json`` is a stable contract read by other tools (see DEVELOPERS.md)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from typing import Sequence

from .config import load_settings


def _print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _filters(args: argparse.Namespace):  # noqa: ANN202
    from .retrieve import Filters

    return Filters(sources=tuple(args.source or ()), after=args.after, before=args.before)


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


def _add_filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--source", action="append", help="only this outlet (repeatable)")
    p.add_argument("--after", help="only articles published on or after this ISO date")
    p.add_argument("--before", help="only articles published on or before this ISO date")


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from .vectors import BackendUnavailable

    try:
        return int(args.func(args) or 0)
    except BackendUnavailable as err:
        print(f"qa: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
