"""``qa ask``: one question (through a running ``qa serve`` when there is one, else in-process), or one per
line of standard input (plain, or JSON objects with ``as_of`` and ``history``), printed as text or JSON."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from datetime import date
from typing import TYPE_CHECKING, Any

from .config import load_settings

if TYPE_CHECKING:  # imported where used: `qa ask` answered by a server must not load the stores
    from .retrieve import Filters


def print_json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def filters(args: argparse.Namespace) -> Filters:
    from .retrieve import Filters

    before = min(filter(None, [args.before, args.as_of and args.as_of.isoformat()]), default=None)
    return Filters(sources=tuple(args.source or ()), after=args.after, before=before)


def _print_answer(out: dict[str, Any]) -> None:
    """Print an answer from its ``qa ask --json`` object, so that both paths print alike."""
    print(out["answer"])
    if out["citations"]:
        print()
    for c in out["citations"]:
        date = (c["published"] or "undated")[:10]
        print(f"[{c['n']}] {c['title']} | {c['source'] or 'unknown outlet'} | {date}"
              + (f" | p. {c['page']}" if c.get("page") else "") + (f" | {c['url']}" if c["url"] else ""))
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
    print_json(out) if args.json else _print_answer(out)
    return True


def parse_line(line: str) -> tuple[str, list[tuple[str, str]], date | None]:
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
    pipeline.answerer.preload()
    chosen = filters(args)
    if args.question == "-":
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                question, history, as_of = parse_line(line)
            except ValueError as err:
                print_json({"question": line.strip(), "error": str(err)})
                continue
            reply = pipeline.answerer.ask(question, history=history, filters=chosen, as_of=as_of or args.as_of)
            if args.json:
                print_json(reply.to_json())
            else:
                _print_answer(reply.to_json())
                print()
        return 0
    if args.json:
        print_json(pipeline.answerer.ask(args.question, filters=chosen, as_of=args.as_of).to_json())
        return 0
    answer: Answer | None = None
    streamed = ""
    for item in pipeline.answerer.stream(args.question, filters=chosen, as_of=args.as_of):
        if isinstance(item, str):
            streamed += item
            if sys.stdout.isatty():
                print(item, end="", flush=True)
        elif isinstance(item, Answer):
            answer = item
    assert answer is not None, "the answer stream ends with its Answer"
    if sys.stdout.isatty() and streamed:
        print("\r\033[J" if answer.text != streamed else "", end="")
        print("\n--- verified answer ---" if answer.text != streamed else "\n")
    _print_answer(answer.to_json())
    return 0
