"""The conversation: one answer at a time across all readers, streamed with notes of what is happening.

Answers are serialised by a worker of our own rather than by Gradio's queue, so a reader who waits is
told how many questions are ahead, and Stop can end a wait as well as an answer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..answer.answerer import MAX_QUESTION_CHARS
from ..dates import parse_date, parse_published
from ..pipeline import Pipeline
from ..records import Answer, Progress
from ..retrieve import Filters
from . import render


@dataclass
class Step:
    """What the page shows after one step of an answer: the chat, and, at the end, the panel and history."""

    chat: list[dict[str, Any]]
    panel: str | None = None
    history: list[list[str]] | None = None
    done: bool = False


def message_text(message: dict[str, Any]) -> str:
    """A chat message's content as a string (Gradio may hand it back as a list of parts)."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def filters(outlets: Sequence[str] | None, after: str | None, before: str | None) -> Filters:
    """The question's filters; a date is read as people write it ("23 Aug 2025", "2025-08-23"), and one
    that cannot be read raises ValueError with a reader's message."""
    dates: list[str | None] = []
    for label, value in (("From", after), ("As of", before)):
        value = (value or "").strip()
        day = parse_published(value) if value else None
        if value and not day:
            raise ValueError(f"{label}: {value!r} is not a date I can read; write it like 23 Aug 2025.")
        dates.append(day[:10] if day else None)
    return Filters(sources=tuple(outlets or ()), after=dates[0], before=dates[1])


def describe(flt: Filters) -> str:
    """The filters in words: "from Coast Gazette, published 1 Aug 2025 to 23 Aug 2025"."""
    parts = [f"from {', '.join(flt.sources)}"] if flt.sources else []
    if flt.after and flt.before:
        parts.append(f"published {render.date(flt.after)} to {render.date(flt.before)}")
    elif flt.after:
        parts.append(f"published from {render.date(flt.after)}")
    elif flt.before:
        parts.append(f"published by {render.date(flt.before)}")
    return ", ".join(parts)


def in_scope(articles: Sequence[dict[str, Any]], flt: Filters) -> int:
    """How many of the catalog's ``articles`` the filters leave to search."""
    after, before = parse_date(flt.after), parse_date(flt.before)

    def keep(a: dict[str, Any]) -> bool:
        if flt.sources and a["source"] not in flt.sources:
            return False
        day = parse_date(a["published"])
        if (after or before) and day is None:
            return False
        return not ((after and day and day < after) or (before and day and day > before))

    return sum(1 for a in articles if keep(a))


def looked_for(answer: Answer, question: str, articles: int, flt: Filters) -> str:
    """What a refusal looked for, in one line: the question as it was searched, where, and how many."""
    asked = (answer.standalone_question or question).strip()
    where = describe(flt)
    return f"Looked for “{asked}” in {render.plural(articles, 'article')}{f' ({where})' if where else ''}."


_END = object()


@dataclass
class _Job:
    question: str
    history: list[tuple[str, str]]
    flt: Filters
    session: str
    # what the answerer streams (str | Progress | Answer), an exception it raised, then _END
    out: queue.Queue[object] = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    stopped: bool = False  # cancelled by the reader's Stop (not by a new chat or a closed tab)


class Conversation:
    """Answers questions for every session of the page, one at a time, in a worker thread of its own.

    The page's generators only read a job's output, so a reader who closes the tab or presses Stop
    never leaves the model locked: the worker drops a cancelled job at its next step."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._line: list[_Job] = []  # jobs waiting or being answered, in order
        self._cv = threading.Condition()
        # Per session, how many times its conversation was left (New chat, a past chat reopened): an
        # answer stream of an earlier one sends nothing more, not even its "Stopped".
        self._left: dict[str, int] = {}
        self._worker: threading.Thread | None = None

    def _work(self) -> None:
        while True:
            with self._cv:
                self._cv.wait_for(lambda: bool(self._line))
                job = self._line[0]
            try:
                if not job.cancelled.is_set():
                    for item in self.pipeline.answerer.stream(job.question, job.history, job.flt,
                                                              as_of=parse_date(job.flt.before)):
                        if job.cancelled.is_set():
                            break
                        job.out.put(item)
            except Exception as err:  # handed to the reader's generator, which shows it
                job.out.put(err)
            finally:
                job.out.put(_END)
                with self._cv:
                    self._line.remove(job)

    def cancel(self, session: str, stopped: bool = False) -> None:
        """Drop the session's question, waiting or being answered; ``stopped``: the reader pressed Stop, and
        the answer's stream ends by showing it stopped. Otherwise the reader has left the conversation (New
        chat, a past chat reopened, a failed answer recovered), and its stream ends without a word."""
        with self._cv:
            if not stopped:
                self._left[session] = self._left.get(session, 0) + 1
            for job in self._line:
                if job.session == session:
                    job.stopped = job.stopped or stopped
                    job.cancelled.set()

    def _submit(self, job: _Job) -> None:
        with self._cv:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="qa-answers", daemon=True)
                self._worker.start()
            self._line.append(job)
            self._cv.notify()

    def _waiting_note(self, job: _Job) -> str:
        """Why ``job`` waits: other readers' questions ahead of it, or a stopped answer still ending."""
        with self._cv:
            ahead = self._line[:self._line.index(job)] if job in self._line else []
        others = sum(1 for j in ahead if not j.cancelled.is_set() and j.session != job.session)
        if others:
            return f"waiting: {others} question{'s' if others != 1 else ''} from another reader ahead of yours…"
        return "waiting for the model to finish a stopped answer…" if ahead else ""

    def answer(self, question: str, chat: list[dict[str, Any]], history: list[list[str]], flt: Filters,
               session: str = "") -> Iterator[Step]:
        """Stream one answer into the last message of ``chat`` (a pending assistant message)."""
        s = self.pipeline.settings
        good, partial = s.min_quote_relevance, s.min_relevance
        job = _Job(question, [(q, a) for q, a in history], flt, session)
        left = self._left.get(session, 0)
        self._submit(job)
        draft, note = "", "starting…"
        first = True
        try:
            while True:
                if self._left.get(session, 0) != left:  # the reader has moved to another conversation
                    return
                if job.cancelled.is_set():
                    if job.stopped:  # the stream's last word, so no step sent before the Stop can follow it
                        chat[-1] = {"role": "assistant", "content": render.STOPPED}
                        yield Step(chat, None, history, done=True)
                    return
                try:
                    item = job.out.get(timeout=0.01 if first else 0.4)
                except queue.Empty:
                    first = False
                    waiting = self._waiting_note(job)
                    if waiting:
                        note = waiting
                        chat[-1] = {"role": "assistant", "content": render.pending(note, draft)}
                        yield Step(chat)
                    continue
                if job.cancelled.is_set():
                    continue  # whatever came after the Stop: the top of the loop ends the answer
                    # the stream ended without an answer: say so rather than leave the page waiting
                    raise RuntimeError("the answer ended before it was complete")
                if isinstance(item, Exception):
                    raise item
                if isinstance(item, Progress):
                    note = item.detail
                elif isinstance(item, str):
                    draft += item
                    note = "writing, then checking each fact against its source…"
                elif isinstance(item, Answer):
                    k = sum(1 for m in chat if m.get("role") == "assistant")
                    looked = ""
                    if item.refused:
                        articles = self.pipeline.store.catalog.articles()
                        looked = looked_for(item, question, in_scope(articles, flt), flt)
                    chat[-1] = {"role": "assistant", "content": render.turn(item, k, question, good, partial, looked)}
                    if len(question) <= MAX_QUESTION_CHARS:  # a refused paste is no turn to follow up on
                        history = [*history, [question, item.text]][-s.history_turns:]
                    yield Step(chat, render.panel(item, question, good, partial), history, done=True)
                    return
                chat[-1] = {"role": "assistant", "content": render.pending(note, draft)}
                yield Step(chat)
        finally:
            job.cancelled.set()  # closed early (Stop, a new chat, a closed tab): the worker drops it
