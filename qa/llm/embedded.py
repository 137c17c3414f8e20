"""``EmbeddedLLM``: a GGUF model run in-process by xllamacpp (llama.cpp's server engine). The default."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import secrets
import threading
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .base import LLMUnavailable, Message, Reply, complete, delta_text, delta_tokens

log = logging.getLogger(__name__)


class EmbeddedLLM:
    """A GGUF model run in-process. Requests from several threads queue on the model's slots."""

    def __init__(self, model_path: Path, *, threads: int = 0, ctx: int = 4096, parallel: int = 1,
                 timeout_s: float = 60.0, prefix_dir: Path | None = None) -> None:
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
        # Slots saved to disk: the fixed instructions read once per machine, not once per process.
        self._prefix_dir = prefix_dir
        if prefix_dir is not None:
            params.endpoint_slots = True
            params.slot_save_path = f"{prefix_dir}{os.sep}"  # llama.cpp appends the file name as is
        self.name = f"embedded:{model_path.name}"
        self.timeout_s = timeout_s
        self.parallel = parallel
        stat = model_path.stat()
        self._model_key = f"{model_path.name}:{stat.st_size}:{xlc.__version__}:{ctx}"
        try:
            self._server = xlc.Server(params)
        except Exception as err:  # the engine raises RuntimeError or ValueError on a bad file
            raise LLMUnavailable(f"could not load {model_path.name}: {err}") from None

    @property
    def listening_address(self) -> str:
        return str(self._server.listening_address)

    def prime(self, prompts: Sequence[Sequence[Message]]) -> list[str]:
        """Have slot i hold prompt i already read, so a request that starts like it reads only the rest.

        A cold process restores each slot from the file an earlier process saved (milliseconds); the
        first process on a machine reads the prompt (seconds for the reader's instructions on a
        laptop's CPU) and saves it. The file's name is a hash of the model and the prompt, so a
        changed prompt or model never restores a stale cache. Priming only saves time: a failure is
        logged and the prompt is read as usual. Returns, per slot, "restored", "read" or "failed".
        """
        outcomes = []
        for slot, messages in enumerate(prompts[:self.parallel]):
            key = json.dumps([self._model_key, list(messages)], sort_keys=True)
            name = hashlib.sha256(key.encode()).hexdigest()[:24] + ".slot"
            if self._prefix_dir is not None and (self._prefix_dir / name).is_file() \
                    and self._slot_action(slot, "restore", name):
                os.utime(self._prefix_dir / name)  # recently used: kept by _prune
                outcomes.append("restored")
                continue
            try:
                complete(self, messages, max_tokens=1, slot=slot)
            except LLMUnavailable as err:
                log.info("slot %d not primed: %s", slot, err)
                outcomes.append("failed")
                continue
            outcomes.append("read")
            if self._prefix_dir is not None:
                self._save(slot, name)
        return outcomes

    def _save(self, slot: int, name: str) -> None:
        assert self._prefix_dir is not None
        # Saved under a private name, then renamed: nobody restores half a file.
        partial = f"{name}.{os.getpid()}.{threading.get_ident()}.part"
        try:
            self._prefix_dir.mkdir(parents=True, exist_ok=True)
            if self._slot_action(slot, "save", partial):
                os.replace(self._prefix_dir / partial, self._prefix_dir / name)
                self._prune()
        except OSError as err:
            log.info("prompt of slot %d not saved: %s", slot, err)

    def _prune(self, keep: int = 8) -> None:
        """Remove all but the most recently used saved prompts (~15 MB each for the 1.5B model)."""
        assert self._prefix_dir is not None
        saved = sorted(self._prefix_dir.glob("*.slot"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in saved[keep:]:
            old.unlink(missing_ok=True)

    def _slot_action(self, slot: int, action: str, filename: str) -> bool:
        request = urllib.request.Request(
            f"{self.listening_address}/slots/{slot}?action={action}", method="POST",
            data=json.dumps({"filename": filename}).encode(),
            headers={"Authorization": f"Bearer {self._api_key}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                result = json.load(response)
        except OSError as err:  # HTTPError included: a file of another build or model is refused
            log.info("slot %d %s of %s failed: %s", slot, action, filename, err)
            return False
        return bool(result.get("n_restored") or result.get("n_saved"))

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = (), slot: int | None = None) -> Iterator[str]:
        request: dict[str, Any] = {"messages": list(messages), "max_tokens": max_tokens}
        if stop:
            request["stop"] = list(stop)
        if slot is not None:
            request["id_slot"] = slot
        for chunk in self._chunks(request):
            if text := delta_text(chunk):
                yield text

    def reply(self, messages: Sequence[Message], *, max_tokens: int = 160, grammar: str | None = None,
              logprobs: int = 0) -> Reply:
        request: dict[str, Any] = {"messages": list(messages), "max_tokens": max_tokens}
        if grammar:
            request["grammar"] = grammar
        if logprobs:
            request |= {"logprobs": True, "top_logprobs": logprobs}
        text, tokens = [], []
        for chunk in self._chunks(request):
            text.append(delta_text(chunk))
            tokens += delta_tokens(chunk)
        return Reply("".join(text), tuple(tokens))

    def _chunks(self, request: dict[str, Any]) -> Iterator[Any]:
        """The engine's streamed chunks for ``request`` (temperature 0, the prompt's cached prefix reused)."""
        request = {**request, "stream": True, "temperature": 0.0, "cache_prompt": True}
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
                yield item
        finally:
            abandoned.set()
