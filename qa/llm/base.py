"""What every LLM backend is: a chat model at temperature 0 that streams its reply, can be held to a
grammar and report its tokens' probabilities, and raises :class:`LLMUnavailable` when it cannot
answer now."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Message = dict[str, str]


class LLMUnavailable(RuntimeError):
    """The backend cannot answer now (down, timed out, refused); the message says which and why."""


@dataclass(frozen=True)
class Token:
    """One token of a reply with its log-probability and the most likely alternatives at its place
    (as the model scored them before any grammar narrowed the choice)."""

    text: str
    logprob: float
    top: tuple[tuple[str, float], ...] = ()

    def prob(self, text: str) -> float:
        """The probability the model gave ``text`` at this place (0 when it was not among the top)."""
        return sum(math.exp(lp) for t, lp in self.top if t == text)


@dataclass(frozen=True)
class Reply:
    """A whole reply: its text and, when asked for, its tokens."""

    text: str
    tokens: tuple[Token, ...] = field(default=())


class LLM(Protocol):
    name: str

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        """Yield the answer's text as it is generated (temperature 0)."""
        ...

    def reply(self, messages: Sequence[Message], *, max_tokens: int = 160, grammar: str | None = None,
              logprobs: int = 0) -> Reply:
        """The whole reply, held to a GBNF ``grammar`` where the backend supports one, with each token's
        ``logprobs`` most likely alternatives when asked (temperature 0)."""
        ...


def complete(llm: LLM, messages: Sequence[Message], **kwargs: Any) -> str:
    return "".join(llm.stream(messages, **kwargs))


def delta_text(chunk: Any) -> str:
    """The text of one streamed chat-completion chunk (a dict or its JSON), "" when it has none."""
    choice = _choice(chunk)
    delta = choice.get("delta") or choice.get("message") or {}
    return delta.get("content") or ""


def delta_tokens(chunk: Any) -> list[Token]:
    """The tokens (with log-probabilities) of one chat-completion chunk or response, when it has them."""
    content = (_choice(chunk).get("logprobs") or {}).get("content") or []
    return [Token(t["token"], float(t["logprob"]),
                  tuple((a["token"], float(a["logprob"])) for a in t.get("top_logprobs") or []))
            for t in content]


def _choice(chunk: Any) -> dict[str, Any]:
    if isinstance(chunk, str):
        try:
            chunk = json.loads(chunk)
        except json.JSONDecodeError:
            return {}
    choices = (chunk.get("choices") or [{}]) if isinstance(chunk, dict) else [{}]
    return choices[0] if isinstance(choices[0], dict) else {}
