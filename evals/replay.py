"""Model completions kept between eval runs, so that a rerun asks the model only what a change altered.

The embedded reader runs at temperature 0: its completion is decided by the request (messages,
token limit, stop strings), the model file, the engine and how it is called, up to llama.cpp's own
arithmetic (a prompt read partly from its cache can, rarely, tip a token). ``qa eval --reuse`` keeps
each completion in a SQLite file under the cache directory, keyed on all of these. A request seen
before is answered from the file; any other (a changed prompt, other passages retrieved, another
model, engine or backend code) goes to the model and is kept. Everything else runs as usual on every
question: retrieval, the prompts, the checks, the citations; so a change to the code is measured on
its own answers, and a change to what the model reads on the model's own completions of it. A sample
of the kept completions is asked again on every run and compared (``recheck``), and the report says
how many were the same.

Seconds are measured only where the model computed every completion of the question: the report
counts the questions that reused one (from an earlier run, or an identical request earlier in this
one) and leaves them out of the latency figures.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from qa.config import Settings
from qa.llm import LLM, Message

log = logging.getLogger(__name__)


def identity(settings: Settings) -> str:
    """What, beside the request, decides a completion of the embedded model: the model file (a shipped
    model's published SHA-256; another file's size and time), the engine's version and settings, and
    the code that calls it. A server's completions are not kept: it may change its model unseen."""
    if settings.llm_backend != "embedded":
        raise ValueError("--reuse keeps completions of the embedded model only (QA_LLM_BACKEND=embedded)")
    import xllamacpp

    from qa.llm import embedded
    from qa.llm.gguf import embedded_model_path, shipped_model

    if settings.llm_gguf:
        path = Path(settings.llm_gguf).expanduser()
        model = f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
    else:
        shipped = shipped_model(settings.llm_model)
        model = f"{shipped.file}:{shipped.sha256}"
        embedded_model_path(settings.cache_dir, settings.llm_model)  # assembled and checked once
    caller = hashlib.sha256(Path(embedded.__file__).read_bytes()).hexdigest()[:16]
    threads = settings.llm_threads or os.cpu_count()
    return f"embedded:{model}:xllamacpp {xllamacpp.__version__}:ctx {settings.llm_ctx}:threads {threads}:{caller}"


class Completions:
    """The kept completions: one SQLite file, safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._db = self._open(path)
        except sqlite3.OperationalError:  # locked by another run, or cannot be opened: not damaged
            raise
        except sqlite3.DatabaseError as err:  # not a database, or damaged: kept aside, a new file begun
            aside = path.with_name(f"{path.name}.damaged")
            log.warning("the completions file %s cannot be read (%s): moved to %s, starting a new one",
                        path, err, aside)
            os.replace(path, aside)
            for suffix in ("-journal", "-wal", "-shm"):  # a journal belongs to the file it was written for
                if (side := path.with_name(path.name + suffix)).exists():
                    os.replace(side, aside.with_name(aside.name + suffix))
            self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        try:
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS completions (key TEXT PRIMARY KEY, text TEXT NOT NULL)")
                if (status := db.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                    raise sqlite3.DatabaseError(status)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

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

    ``recheck``: one kept completion in this many (a different sample each run) is asked of the model
    again and compared, so that a run shows that what it reused is what the model says now; the
    model's new text is the one used and kept, and the keys of those that differed are listed.

    Counters are read per question by the eval, which asks one question at a time."""

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
        self.differed: list[str] = []  # ... the keys of those whose new text was not the kept one
        self._salt = secrets.token_hex(8)  # which kept completions this run asks again
        self._prime: list[Sequence[Message]] = []

    def prime(self, prompts: Sequence[Sequence[Message]]) -> list[str]:
        """Prime the model's slots as the pipeline asks (``EmbeddedLLM.prime``): now if it is loaded, else
        when it is."""
        with self._lock:
            llm = self._llm
            if llm is None:
                self._prime = list(prompts)
                return ["deferred"] * len(self._prime)
        prime = getattr(llm, "prime", None)
        return list(prime(prompts)) if prime is not None else []

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
        if kept is not None and not (self.recheck and self._sampled(key)):
            self.reused += 1
            yield kept
            return
        parts = []
        for delta in self.llm.stream(messages, max_tokens=max_tokens, stop=stop):
            parts.append(delta)
            yield delta
        text = "".join(parts)
        self.computed += 1
        if kept is not None:
            self.rechecked += 1
            if text != kept:
                self.differed.append(key)
                log.warning("the model's completion differs from the one kept: %r, kept %r", text, kept)
        self.completions.put(key, text)

    def _sampled(self, key: str) -> bool:
        return int(hashlib.sha256(f"{self._salt}{key}".encode()).hexdigest()[:8], 16) % self.recheck == 0
