"""``EmbeddedLLM``: a GGUF model run in-process by xllamacpp (llama.cpp's server engine). The default."""

from __future__ import annotations

import os
import queue
import secrets
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .base import LLMUnavailable, Message, delta_text


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
                text = delta_text(item)
                if text:
                    yield text
        finally:
            abandoned.set()
