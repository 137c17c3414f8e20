"""The conversation: one answer at a time across all readers, streamed with notes of what is happening.

Answers are serialised by a lock of our own rather than Gradio's queue, so a reader who waits is told
how many questions are ahead, and Stop can end a wait as well as an answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

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
    """The question's filters; a date that is not ISO raises ValueError with a reader's message."""
    for label, value in (("From", after), ("To", before)):
        if value and value.strip():
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{label} date must look like 2025-08-23, not {value.strip()!r}") from None
    return Filters(sources=tuple(outlets or ()), after=(after or "").strip() or None,
                   before=(before or "").strip() or None)


class Conversation:
    """Answers questions for every session of the page, one at a time."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self._slot = threading.Lock()  # the model answers one question at a time
        self._line: list[object] = []  # tickets of questions waiting or being answered, in order
        self._line_lock = threading.Lock()

    def _ahead(self, ticket: object) -> int:
        with self._line_lock:
            return self._line.index(ticket)

    def answer(self, question: str, chat: list[dict[str, Any]], history: list[list[str]],
               flt: Filters) -> Iterator[Step]:
        """Stream one answer into the last message of ``chat`` (a pending assistant message)."""
        s = self.pipeline.settings
        good, partial = s.min_quote_relevance, s.min_relevance
        ticket = object()
        with self._line_lock:
            self._line.append(ticket)
        try:
            while not self._slot.acquire(timeout=0.4):
                ahead = self._ahead(ticket)
                chat[-1] = {"role": "assistant", "content": render.pending(
                    f"waiting: {ahead} question{'s' if ahead != 1 else ''} from another reader ahead of yours…")}
                yield Step(chat)
            try:
                draft = ""
                note = "starting…"
                turns = [(q, a) for q, a in history]
                for item in self.pipeline.answerer.stream(question, turns, flt):
                    if isinstance(item, Progress):
                        note = item.detail
                    elif isinstance(item, str):
                        draft += item
                        note = "writing, then checking each fact against its source…"
                    elif isinstance(item, Answer):
                        k = sum(1 for m in chat if m.get("role") == "assistant")
                        chat[-1] = {"role": "assistant", "content": render.turn(item, k, question, good, partial)}
                        history = [*history, [question, item.text]][-s.history_turns:]
                        yield Step(chat, render.panel(item, question, good, partial), history, done=True)
                        return
                    chat[-1] = {"role": "assistant", "content": render.pending(note, draft)}
                    yield Step(chat)
            finally:
                self._slot.release()
        finally:
            with self._line_lock:
                self._line.remove(ticket)
