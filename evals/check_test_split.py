"""Check evals/test.yaml by itself, without running the bot (stdlib + pyyaml only).

Checks: ids are unique and prefixed ``t-``; every file under ``articles:`` exists; every ``support``
is an exact substring of its article (a key of ``articles:``, gold.yaml's ``purl`` seed, or a
RealTime QA url looked up in ../shared/benchmarks/realtimeqa/data/*_gcs.jsonl); at least one form of
every fact occurs in the support (case-insensitive); answerable items have facts, refusals have
none. Prints one line per problem and exits 1 if there is any.

Usage: .venv/bin/python evals/check_test_split.py [evals/test.yaml]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = {"purl": "corpus/2025-08-23-interfax-dragone-security-guarantees-purl.txt"}
RTQA = ROOT.parent / "shared" / "benchmarks" / "realtimeqa" / "data"
CATEGORIES = {"answerable", "paraphrase", "unanswerable", "dialogue", "injection"}
KINDS = {"off-topic", "absent", "near-topic", "false premise"}


def rtqa_texts() -> dict[str, str]:
    """Every RealTime QA article's text by url (the first copy of each url)."""
    texts: dict[str, str] = {}
    for path in sorted(RTQA.glob("*_gcs.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for art in json.loads(line).get("search_result") or []:
                if art.get("url") and art.get("text"):
                    texts.setdefault(art["url"], art["text"])
    return texts


def check_turn(item: dict[str, Any], where: str, files: dict[str, str],
               rtqa: dict[str, str]) -> list[str]:
    """Problems with one question (an item or a dialogue turn)."""
    problems: list[str] = []
    if not str(item.get("question") or "").strip():
        problems.append(f"{where}: no question")
    facts = item.get("facts") or []
    if item.get("refuse"):
        if facts:
            problems.append(f"{where}: refuse: true but facts given")
        return problems
    if not facts:
        return problems + [f"{where}: neither facts nor refuse: true"]
    key, support = item.get("article"), item.get("support")
    if not key or not support:
        return problems + [f"{where}: answerable but no article or support"]
    text = files.get(key) if key in files else rtqa.get(key)
    if text is None:
        return problems + [f"{where}: unknown article {key!r}"]
    if support not in text:
        problems.append(f"{where}: support is not an exact substring of {key}: {support!r}")
    for fact in facts:
        if not isinstance(fact, list) or not fact:
            problems.append(f"{where}: a fact must be a non-empty list of forms: {fact!r}")
        elif not any(str(form).lower() in support.lower() for form in fact):
            problems.append(f"{where}: no form of {fact!r} occurs in the support")
    for forms in item.get("forbid") or []:
        if not isinstance(forms, list) or not forms:
            problems.append(f"{where}: a forbid entry must be a non-empty list: {forms!r}")
    return problems


def check_planted(item: dict[str, Any], iid: str, files: dict[str, str]) -> list[str]:
    """A forbidden claim must be planted in its fixture (``planted_in``) and nowhere else, so that
    an answer repeating it is attributable to that one instruction."""
    key = item.get("planted_in")
    if key not in files or key == "purl":
        return [f"{iid}: planted_in must name a fixture of articles:, not {key!r}"]
    forms = [str(f).lower() for forms in item["forbid"] for f in forms]
    problems = []
    if not any(f in files[key].lower() for f in forms):
        problems.append(f"{iid}: no forbidden form occurs in its fixture {key}")
    for other, text in files.items():
        hits = [f for f in forms if other != key and f in text.lower()]
        if hits:
            problems.append(f"{iid}: forbidden {hits} also occurs in {other}")
    return problems


def check(path: Path) -> list[str]:
    """All problems found in one test split file."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    files: dict[str, str] = {}
    for key, rel in {**SEED, **(doc.get("articles") or {})}.items():
        file = ROOT / rel
        if not file.is_file():
            problems.append(f"articles: {key}: missing file {rel}")
        else:
            files[key] = file.read_text(encoding="utf-8")
    rtqa = rtqa_texts()
    items = doc.get("items") or []
    counts = Counter(item.get("id") for item in items)
    problems += [f"duplicate id {i}" for i, n in counts.items() if n > 1]
    for item in items:
        iid = str(item.get("id"))
        if not iid.startswith("t-"):
            problems.append(f"{iid}: id must start with t-")
        cat = item.get("category")
        if cat not in CATEGORIES:
            problems.append(f"{iid}: unknown category {cat!r}")
        if cat == "unanswerable" and (item.get("kind") not in KINDS or not item.get("refuse")):
            problems.append(f"{iid}: unanswerable needs refuse: true and a kind in {sorted(KINDS)}")
        if cat == "injection" and not item.get("forbid"):
            problems.append(f"{iid}: injection item without forbid")
        if item.get("forbid"):
            problems += check_planted(item, iid, files)
        if item.get("setting") not in (None, "distractors"):
            problems.append(f"{iid}: setting must be distractors or absent")
        if cat == "dialogue":
            turns = item.get("turns") or []
            if len(turns) < 2:
                problems.append(f"{iid}: a dialogue needs at least two turns")
            for n, turn in enumerate(turns, 1):
                problems += check_turn(turn, f"{iid} turn {n}", files, rtqa)
        else:
            problems += check_turn(item, iid, files, rtqa)
    return problems


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "evals" / "test.yaml"
    problems = check(path)
    for line in problems:
        print(line)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    cats = Counter(item.get("category") for item in doc.get("items") or [])
    print(f"{sum(cats.values())} items ({', '.join(f'{c} {n}' for c, n in sorted(cats.items()))}); "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
