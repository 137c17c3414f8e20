"""``OpenAICompatibleLLM``: any server speaking the OpenAI chat-completions API (OpenAI, vLLM,
llama.cpp server, LM Studio, Ollama), streamed as server-sent events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlparse

from .base import LLMUnavailable, Message, Reply, delta_text, delta_tokens


class OpenAICompatibleLLM:
    """Chat completions over HTTP, streamed as server-sent events."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        import httpx

        url = base_url.rstrip("/")
        if urlparse(url).path in ("", "/"):
            url += "/v1"
        self.base_url = url
        self.model = model
        self.name = f"openai:{model}@{url}"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout_s, connect=5.0))

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        body: dict[str, Any] = {"messages": list(messages), "max_tokens": max_tokens}
        if stop:
            body["stop"] = list(stop)
        for chunk in self._chunks(body):
            if text := delta_text(chunk):
                yield text

    def reply(self, messages: Sequence[Message], *, max_tokens: int = 160, grammar: str | None = None,
              logprobs: int = 0) -> Reply:
        """``grammar`` is sent as llama.cpp's server takes it; other servers ignore the field (their reply
        is read the same way), and one that gives no log-probabilities leaves ``tokens`` empty."""
        body: dict[str, Any] = {"messages": list(messages), "max_tokens": max_tokens}
        if grammar:
            body["grammar"] = grammar
        if logprobs:
            body |= {"logprobs": True, "top_logprobs": logprobs}
        text, tokens = [], []
        for chunk in self._chunks(body):
            text.append(delta_text(chunk))
            tokens += delta_tokens(chunk)
        return Reply("".join(text), tuple(tokens))

    def _chunks(self, body: dict[str, Any]) -> Iterator[str]:
        import httpx

        body = {"model": self.model, **body, "stream": True, "temperature": 0.0}
        try:
            with self._client.stream("POST", f"{self.base_url}/chat/completions", json=body) as resp:
                if resp.status_code != 200:
                    detail = resp.read().decode("utf-8", "replace")[:200]
                    raise LLMUnavailable(f"LLM server {self.base_url} answered HTTP {resp.status_code}: {detail}")
                for line in resp.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]":
                        return
                    yield data
        except httpx.TimeoutException:
            raise LLMUnavailable(f"LLM server {self.base_url} timed out") from None
        except httpx.HTTPError as err:
            raise LLMUnavailable(f"LLM server {self.base_url} is not reachable: {err}") from None
