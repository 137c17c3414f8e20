"""The RealTime QA benchmark data (news articles and quiz questions), read in place.

The data lives outside the repository (``../shared/benchmarks/realtimeqa/`` by default, or
``QA_REALTIMEQA_DIR``) and is never copied into it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.load import LoadError, make_article
from qa.records import Article


def data_dir() -> Path:
    env = os.environ.get("QA_REALTIMEQA_DIR")
    base = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "realtimeqa"
    return base / "data" if (base / "data").is_dir() else base


@dataclass(frozen=True)
class Question:
    id: str
    date: str  # ISO date of the question
    question: str
    choices: tuple[str, ...]
    answer: int  # index of the right choice
    nota_choices: tuple[str, ...]  # the "none of the above" variant's choices
    nota_answer: int


def articles(directory: Path | None = None) -> list[Article]:
    """The distinct articles (by URL) of every week's search results."""
    directory = directory or data_dir()
    files = sorted(directory.glob("*_gcs.jsonl"))
    if not files:
        raise FileNotFoundError(f"no RealTime QA data in {directory} (set QA_REALTIMEQA_DIR)")
    seen: set[str] = set()
    out = []
    for f in files:
        for line in f.open(encoding="utf-8"):
            for rec in json.loads(line)["search_result"]:
                url = rec.get("url")
                if not url or url in seen or not rec.get("text"):
                    continue
                seen.add(url)
                try:
                    out.append(make_article(rec.get("title") or "", rec["text"], source=_outlet(url),
                                            published=rec.get("publish_date"), url=url, path=url))
                except LoadError:
                    continue
    return out


def _outlet(url: str) -> str:
    from urllib.parse import urlparse

    host = urlparse(url).hostname or ""
    return host.removeprefix("www.").removeprefix("edition.")


def questions(directory: Path | None = None) -> list[Question]:
    directory = directory or data_dir()
    out = []
    for f in sorted(directory.glob("*_qa.jsonl")):
        nota = {}
        nota_file = f.with_name(f.name.replace("_qa.jsonl", "_qa_nota.jsonl"))
        if nota_file.exists():
            for line in nota_file.open(encoding="utf-8"):
                r = json.loads(line)
                nota[r["question_id"].removesuffix("_nota")] = r
        for line in f.open(encoding="utf-8"):
            r = json.loads(line)
            n = nota.get(r["question_id"], r)
            out.append(Question(
                id=r["question_id"], date=r["question_date"].replace("/", "-"),
                question=r["question_sentence"], choices=tuple(r["choices"]), answer=int(r["answer"][0]),
                nota_choices=tuple(n["choices"]), nota_answer=int(n["answer"][0])))
    return out
