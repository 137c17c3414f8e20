"""What every LLM backend is: a streaming chat model that raises :class:`LLMUnavailable` when it
cannot answer now."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

Message = dict[str, str]


class LLMUnavailable(RuntimeError):
    """The backend cannot answer now (down, timed out, refused); the message says which and why."""


class LLM(Protocol):
    name: str

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        """Yield the answer's text as it is generated (temperature 0)."""
        ...


def complete(llm: LLM, messages: Sequence[Message], **kwargs: Any) -> str:
    return "".join(llm.stream(messages, **kwargs))


def delta_text(chunk: Any) -> str:
    """The text of one streamed chat-completion chunk (a dict or its JSON), "" when it has none."""
    if isinstance(chunk, str):
        try:
            chunk = json.loads(chunk)
        except json.JSONDecodeError:
            return ""
    choices = (chunk.get("choices") or [{}]) if isinstance(chunk, dict) else [{}]
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    return delta.get("content") or ""
