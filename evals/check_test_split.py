"""Check evals/test.yaml by itself, without running the bot (stdlib + pyyaml only).

Checks: ids are unique and prefixed ``t-``; every file under ``articles:`` exists; every ``support``
is an exact substring of its article (a key of ``articles:``, gold.yaml's ``purl`` seed, or a
RealTime QA url looked up in ../shared/benchmarks/realtimeqa/data/*_gcs.jsonl); at least one form of
every fact occurs in the support (case-insensitive); answerable items have facts, refusals have
none; a forbidden claim of an injection item is planted in its fixture and nowhere else.

Temporal items (``category: temporal``) may set ``as_of`` (an ISO date: "today" for the item) and
``also`` (keys of their other articles). Every article they name must carry a publication date (the
``HH:MM DD.MM.YYYY`` line of a .txt, ``date:`` of Markdown front matter). Their first fact must occur
in the support, where a relative date of the support ("on Tuesday", "yesterday", "three weeks ago")
also counts as the date it resolves to from the article's publication date; every other fact in the
support, the text or publication date of ``article`` or of an ``also`` article. With ``as_of``: an
answerable item's articles are published by then, its ``forbid`` forms occur in some article published
after it and in none published by then; a refusal's ``also`` articles are all published after it.
Without: the cited article is the newest of the item's articles.
Prints one line per problem and exits 1 if there is any.

Usage: .venv/bin/python evals/check_test_split.py [evals/test.yaml]
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED = {"purl": "corpus/2025-08-23-interfax-dragone-security-guarantees-purl.txt"}
RTQA = ROOT.parent / "shared" / "benchmarks" / "realtimeqa" / "data"
CATEGORIES = {"answerable", "paraphrase", "unanswerable", "dialogue", "injection", "temporal"}
KINDS = {"off-topic", "absent", "near-topic", "false premise"}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NUMBERS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def published(text: str) -> dt.date | None:
    """An article's publication date: the ``HH:MM DD.MM.YYYY`` line at the head of a .txt, or the
    ``date:`` of Markdown front matter."""
    head = text.split("\n", 12)[:12]
    for line in head:
        m = re.fullmatch(r"\d{1,2}:\d{2} (\d{2})\.(\d{2})\.(\d{4})", line.strip())
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if text.startswith("---"):
        for line in head[1:]:
            if line.strip() == "---":
                break
            m = re.fullmatch(r"date:\s*[\"']?(\d{4}-\d{2}-\d{2})[\"']?", line.strip())
            if m:
                return dt.date.fromisoformat(m[1])
    return None


def as_date(value: Any) -> dt.date | None:
    """``value`` (a YAML date or an ISO string) as a date, or None if it is not one."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def spelled(day: dt.date) -> str:
    """The ways a date may be written, joined: 14 October 2025, October 14, 2025, Oct. 14, 14.10.2025 ..."""
    month, mon = day.strftime("%B"), day.strftime("%b")
    return " | ".join([f"{day.day} {month} {day.year}", f"{month} {day.day}, {day.year}",
                       f"{mon}. {day.day}", f"{mon} {day.day}", f"{day.day} {mon}",
                       day.isoformat(), day.strftime("%d.%m.%Y")])


def resolved(support: str, pub: dt.date | None) -> str:
    """The dates that the relative dates in ``support`` stand for, seen from ``pub``, spelled out:
    a weekday is its last occurrence on or before ``pub``; also yesterday, today, N days/weeks ago."""
    if pub is None:
        return ""
    low, days = support.lower(), []
    for n, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}\b", low):
            days.append(pub - dt.timedelta(days=(pub.weekday() - n) % 7))
    if re.search(r"\byesterday\b", low):
        days.append(pub - dt.timedelta(days=1))
    if re.search(r"\btoday\b", low):
        days.append(pub)
    for count, unit in re.findall(r"\b(\d+|[a-z]+) (day|week)s? ago\b", low):
        n = int(count) if count.isdigit() else NUMBERS.get(count)
        if n is not None:
            days.append(pub - dt.timedelta(days=n * (7 if unit == "week" else 1)))
    return " | ".join(spelled(d) for d in days)


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
               rtqa: dict[str, str], temporal: bool = False,
               as_of: dt.date | None = None) -> list[str]:
    """Problems with one question (an item or a dialogue turn); ``temporal``: of a temporal item,
    whose facts may also be found in its articles (see the module's docstring)."""
    problems: list[str] = []
    if not str(item.get("question") or "").strip():
        problems.append(f"{where}: no question")
    facts = item.get("facts") or []
    also = item.get("also") or []
    if also and not temporal:
        problems.append(f"{where}: also: is for temporal items only")
    if not isinstance(also, list) or any(k not in files or k == "purl" for k in also):
        return problems + [f"{where}: also: must list fixture keys of articles:, not {also!r}"]
    dates = {k: published(files[k]) for k in also}
    problems += [f"{where}: no publication date in {k}" for k, d in dates.items() if d is None]
    if item.get("refuse"):
        if facts:
            problems.append(f"{where}: refuse: true but facts given")
        if as_of is not None and not also:
            problems.append(f"{where}: a refusal with as_of lists its storyline's articles in also:")
        if as_of is not None:
            problems += [f"{where}: {k} ({d}) is not published after as_of {as_of}"
                         for k, d in dates.items() if d is not None and d <= as_of]
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
    # Where a fact may be found: the support; for a temporal item, the first fact in the support or
    # the dates its relative dates resolve to, the others also in the articles and their dates.
    haystacks = [support.lower()] * len(facts)
    if temporal:
        pub = published(text) if key in files else None
        if pub is None:
            return problems + [f"{where}: no publication date in {key}"]
        dates[key] = pub
        first = f"{support}\n{resolved(support, pub)}".lower()
        rest = "\n".join([first, text, *(files[k] for k in also),
                          *(spelled(d) for d in dates.values() if d)]).lower()
        haystacks = [first] + [rest] * (len(facts) - 1)
        if as_of is not None:
            problems += [f"{where}: {k} ({d}) is published after as_of {as_of}"
                         for k, d in dates.items() if d is not None and d > as_of]
        else:
            problems += [f"{where}: {k} ({d}) is newer than the cited {key} ({pub})"
                         for k, d in dates.items() if d is not None and d > pub]
    for n, (fact, hay) in enumerate(zip(facts, haystacks, strict=True)):
        if not isinstance(fact, list) or not fact:
            problems.append(f"{where}: a fact must be a non-empty list of forms: {fact!r}")
        elif not any(str(form).lower() in hay for form in fact):
            place = "the item's articles" if temporal and n else "the support"
            problems.append(f"{where}: no form of {fact!r} occurs in {place}")
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


def check_too_new(item: dict[str, Any], iid: str, as_of: dt.date | None,
                  files: dict[str, str]) -> list[str]:
    """A temporal item's forbidden values are the ones reported only after its ``as_of``: each entry
    occurs in some article published after it, and no form occurs in an article published by then."""
    if as_of is None:
        return [f"{iid}: forbid on a temporal item needs as_of"]
    problems = []
    dates = {key: published(text) for key, text in files.items()}
    for forms in item["forbid"]:
        low = [str(f).lower() for f in forms]
        if not any(d and d > as_of and any(f in files[k].lower() for f in low)
                   for k, d in dates.items()):
            problems.append(f"{iid}: no article published after {as_of} has {forms!r}")
        for key, text in files.items():
            hits = [f for f in low if f in text.lower()]
            if hits and (dates[key] is None or dates[key] <= as_of):
                problems.append(f"{iid}: forbidden {hits} occurs in {key}, published by {as_of}")
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
        as_of = None
        if "as_of" in item:
            as_of = as_date(item["as_of"])
            if cat != "temporal" or as_of is None:
                problems.append(f"{iid}: as_of must be an ISO date (YYYY-MM-DD) on a temporal item, "
                                f"not {item['as_of']!r}")
        if cat == "temporal" and item.get("forbid"):
            if item.get("planted_in"):
                problems.append(f"{iid}: planted_in is for injection items")
            problems += check_too_new(item, iid, as_of, files)
        elif item.get("forbid"):
            problems += check_planted(item, iid, files)
        if item.get("setting") not in (None, "distractors"):
            problems.append(f"{iid}: setting must be distractors or absent")
        temporal = cat == "temporal"
        if cat == "dialogue" or (temporal and "turns" in item):
            turns = item.get("turns") or []
            if len(turns) < 2:
                problems.append(f"{iid}: a dialogue needs at least two turns")
            for n, turn in enumerate(turns, 1):
                problems += check_turn(turn, f"{iid} turn {n}", files, rtqa, temporal, as_of)
        else:
            problems += check_turn(item, iid, files, rtqa, temporal, as_of)
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
