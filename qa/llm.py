"""LLM backends behind one interface, chosen by settings.

- ``EmbeddedLLM``: a GGUF model run in-process by xllamacpp (llama.cpp's server engine). Default.
- ``OpenAICompatibleLLM``: any server speaking the OpenAI chat-completions API (OpenAI, vLLM,
  llama.cpp server, LM Studio, Ollama), with streaming.

Both stream text deltas; a backend that is down or too slow raises :class:`LLMUnavailable`.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from .config import Settings

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


class EmbeddedLLM:
    """A GGUF model run in-process. Requests from several threads queue on the model's slots."""

    def __init__(self, model_path: Path, *, threads: int = 0, ctx: int = 4096, parallel: int = 1,
                 timeout_s: float = 60.0) -> None:
        import xllamacpp as xlc

        if not model_path.is_file():
            raise LLMUnavailable(f"model file not found: {model_path}")
        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = ctx * parallel
        params.n_parallel = parallel
        n = threads or os.cpu_count() or 2
        params.cpuparams.n_threads = n
        params.cpuparams_batch.n_threads = n
        params.verbosity = -1  # llama.cpp's logs are for its developers, not ours
        params.warmup = False
        # The engine also opens an OpenAI-compatible HTTP listener on a loopback port. Without a key,
        # any web page in the user's browser could use it; with a random one, nobody but us can.
        self._api_key = secrets.token_hex(24)
        params.api_keys = [self._api_key]
        self.name = f"embedded:{model_path.name}"
        self.timeout_s = timeout_s
        try:
            self._server = xlc.Server(params)
        except Exception as err:  # the engine raises RuntimeError or ValueError on a bad file
            raise LLMUnavailable(f"could not load {model_path.name}: {err}") from None

    @property
    def listening_address(self) -> str:
        return str(self._server.listening_address)

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        request: dict[str, Any] = {"messages": list(messages), "stream": True, "temperature": 0.0,
                                   "max_tokens": max_tokens, "cache_prompt": True}
        if stop:
            request["stop"] = list(stop)
        chunks: queue.Queue[Any] = queue.Queue()
        done = object()
        abandoned = threading.Event()

        def on_chunk(chunk: Any) -> bool:
            chunks.put(chunk)
            # True tells the engine to stop: the reader is gone (Stop in the page, a closed stream),
            # and the next question must not wait for this one to run to max_tokens.
            return abandoned.is_set()

        def run() -> None:
            try:
                result = self._server.handle_chat_completions(request, on_chunk)
                if isinstance(result, dict) and "error" in result:
                    chunks.put(LLMUnavailable(f"embedded model error: {result['error']}"))
            except Exception as err:  # surfaced to the caller below
                chunks.put(LLMUnavailable(f"embedded model failed: {err}"))
            finally:
                chunks.put(done)

        threading.Thread(target=run, daemon=True, name="embedded-llm").start()
        try:
            while True:
                try:
                    item = chunks.get(timeout=self.timeout_s)
                except queue.Empty:
                    raise LLMUnavailable(f"embedded model gave nothing for {self.timeout_s:g} s") from None
                if item is done:
                    return
                if isinstance(item, Exception):
                    raise item
                if isinstance(item, dict) and "error" in item:
                    raise LLMUnavailable(f"embedded model error: {item['error']}")
                text = _delta_text(item)
                if text:
                    yield text
        finally:
            abandoned.set()


def _delta_text(chunk: Any) -> str:
    if isinstance(chunk, str):
        try:
            chunk = json.loads(chunk)
        except json.JSONDecodeError:
            return ""
    choices = (chunk.get("choices") or [{}]) if isinstance(chunk, dict) else [{}]
    delta = choices[0].get("delta") or choices[0].get("message") or {}
    return delta.get("content") or ""


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
        import httpx

        body: dict[str, Any] = {"model": self.model, "messages": list(messages), "stream": True,
                                "temperature": 0.0, "max_tokens": max_tokens}
        if stop:
            body["stop"] = list(stop)
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
                    text = _delta_text(data)
                    if text:
                        yield text
        except httpx.TimeoutException:
            raise LLMUnavailable(f"LLM server {self.base_url} timed out") from None
        except httpx.HTTPError as err:
            raise LLMUnavailable(f"LLM server {self.base_url} is not reachable: {err}") from None



def make_llm(settings: Settings) -> LLM:
    """The backend the settings name: ``embedded`` (default) or ``openai``."""
    if settings.llm_backend == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable("QA_LLM_BACKEND=openai needs QA_LLM_BASE_URL")
        key = os.environ.get("QA_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        return OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model, api_key=key,
                                   timeout_s=settings.llm_timeout_s)
    if settings.llm_backend != "embedded":
        raise LLMUnavailable(f"unknown LLM backend {settings.llm_backend!r} (use 'embedded' or 'openai')")
    from .gguf import ModelNotFound, embedded_model_path

    try:
        path = (Path(settings.llm_gguf).expanduser() if settings.llm_gguf
                else embedded_model_path(settings.cache_dir, settings.llm_model))
    except ModelNotFound as err:
        raise LLMUnavailable(str(err)) from None
    # Two slots: the reader's prompts and the check's prompts each keep their own cached prefix.
    return EmbeddedLLM(path, threads=settings.llm_threads, ctx=settings.llm_ctx, parallel=2,
                       timeout_s=settings.llm_timeout_s)
