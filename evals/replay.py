"""Model completions kept between eval runs, so that a rerun asks the model only what a change altered.

The reader runs at temperature 0: its completion is a function of the request (messages, token limit,
stop strings), the model file and the engine that runs it. ``qa eval --reuse`` keeps each completion
in a SQLite file under the cache directory, keyed on all of these. A request seen before is answered
from the file; any other (a changed prompt, other passages retrieved, another model or engine version)
goes to the model and is kept. Everything else runs as usual on every question: retrieval, the
prompts, the checks, the citations; so a change to the code is measured on its own answers, and a
change to what the model reads is measured on the model's own completions of it.

Seconds are measured only where the model computed every completion of the question: the report
counts the questions whose completions were reused and leaves them out of the latency figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from qa.config import Settings
from qa.llm import LLM, Message

log = logging.getLogger(__name__)


def identity(settings: Settings) -> str:
    """What, beside the request, decides a completion: the backend, its model and the engine's version."""
    if settings.llm_backend == "openai":
        return f"openai:{settings.llm_base_url}:{settings.llm_model}"
    import xllamacpp

    from qa.llm.gguf import embedded_model_path

    path = (Path(settings.llm_gguf).expanduser() if settings.llm_gguf
            else embedded_model_path(settings.cache_dir, settings.llm_model))
    return f"embedded:{path.name}:{path.stat().st_size}:{xllamacpp.__version__}:{settings.llm_ctx}"


class Completions:
    """The kept completions: one SQLite file, safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, text TEXT NOT NULL)")

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT text FROM completions WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, text: str) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO completions VALUES (?, ?)", (key, text))

    def close(self) -> None:
        self._db.close()


class ReplayLLM:
    """An LLM that answers a request it has answered before from :class:`Completions`, and asks the
    model (loaded on the first such request) otherwise. Only a completion streamed to its end is kept.

    ``recheck``: one kept completion in this many (chosen by its key, so the same ones each run) is
    asked of the model again and compared, so that a run shows that what it reused is what the model
    says; the model's new text is the one used and kept."""

    def __init__(self, load: Callable[[], LLM], completions: Completions, identity: str, recheck: int = 0) -> None:
        self._load = load
        self._llm: LLM | None = None
        self._lock = threading.Lock()
        self.completions = completions
        self.identity = identity
        self.name = f"replay:{identity}"
        self.computed = 0  # requests the model answered
        self.reused = 0  # requests answered from the file
        self.recheck = recheck
        self.rechecked = 0  # kept completions asked again
        self.differed = 0  # ... whose new text was not the kept one
        self._prime: list[Sequence[Message]] = []

    def prime(self, prompts: Sequence[Sequence[Message]]) -> list[str]:
        """Prime the model's slots as the pipeline asks (``EmbeddedLLM.prime``), when it is loaded."""
        self._prime = list(prompts)
        return ["deferred"] * len(self._prime)

    def key(self, messages: Sequence[Message], max_tokens: int, stop: Sequence[str]) -> str:
        request = json.dumps([self.identity, list(messages), max_tokens, list(stop)], sort_keys=True)
        return hashlib.sha256(request.encode()).hexdigest()

    @property
    def llm(self) -> LLM:
        with self._lock:
            if self._llm is None:
                llm = self._load()
                prime = getattr(llm, "prime", None)
                if prime is not None and self._prime:
                    prime(self._prime)
                self._llm = llm
            return self._llm

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        key = self.key(messages, max_tokens, stop)
        kept = self.completions.get(key)
        if kept is not None and not (self.recheck and int(key[:8], 16) % self.recheck == 0):
            self.reused += 1
            yield kept
            return
        self.computed += 1
        parts = []
        for delta in self.llm.stream(messages, max_tokens=max_tokens, stop=stop):
            parts.append(delta)
            yield delta
        text = "".join(parts)
        if kept is not None:
            self.rechecked += 1
            if text != kept:
                self.differed += 1
                log.warning("the model's completion differs from the one kept: %r, kept %r", text, kept)
        self.completions.put(key, text)
