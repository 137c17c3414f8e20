"""Recorded model completions: the evaluation and the model-backed tests replay them, so a fresh clone
runs them in minutes instead of asking the model everything (60-90 minutes on 2 cores).

The embedded reader runs at temperature 0, so its reply is decided by the request (messages, token
limit, stop strings, grammar, log-probabilities asked for) and the model file, up to llama.cpp's own
arithmetic (a prompt read partly from its cache can, rarely, tip a token). A completion is keyed on
exactly these: the request and the model file's published SHA-256.

- ``evals/recorded/*.jsonl`` hold the committed recordings, one JSON object a line, sorted by key, so
  a change of prompt shows in the diff as the completions it changed. ``qa eval --record`` rewrites
  ``eval.jsonl`` with the completions its run used, ``scripts/test --record`` rewrites ``tests.jsonl``
  with those the tests used.
- A request not recorded goes to the model, as it would without recordings, and its completion is
  kept in the cache directory (``$XDG_CACHE_HOME/qa/completions/``), so a rerun on the same machine
  does not ask it again.
- One recorded completion in ``recheck`` (a new sample each run) is asked of the model again and
  compared, so that every run shows that what it replays is what the model says now; the new text is
  the one used. ``live`` asks the model everything.

Everything but the model runs anew on every question: retrieval, prompts, checks, citations.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from qa.config import Settings
from qa.llm import LLM, Message, Reply, Token

log = logging.getLogger(__name__)
RECORDED = Path(__file__).resolve().parent / "recorded"
RECHECK = 25  # one recorded completion in 25 is asked of the model again and compared


def model_id(settings: Settings) -> str:
    """What, beside the request, decides a completion: the model file's published SHA-256 (another GGUF
    file: its name, size and time). A server's completions are not recorded: it may change its model
    unseen."""
    if settings.llm_backend != "embedded":
        raise ValueError("recordings hold completions of the embedded model only (QA_LLM_BACKEND=embedded)")
    from qa.llm.gguf import shipped_model

    if settings.llm_gguf:
        path = Path(settings.llm_gguf).expanduser()
        return f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
    return shipped_model(settings.llm_model).sha256


class Recordings:
    """The committed recordings of one model (read-only) and this machine's own (appended as computed).
    Safe to share between threads, and between processes through the file lock on the local file."""

    def __init__(self, model: str, local: Path, directory: Path = RECORDED, used_log: Path | None = None) -> None:
        self.model = model
        self.local = local
        self.used_log = used_log  # each key used is appended here at once (a killed test server loses none)
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, Any]] = {}
        for path in sorted(directory.glob("*.jsonl")) if directory.is_dir() else []:
            self._load(path)
        self.committed = len(self._records)
        self._load(local)
        self.used: dict[str, dict[str, Any]] = {}  # the records this process asked for, by key

    def _load(self, path: Path) -> None:
        if not path.is_file():
            return
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by a killed run: that completion is asked again
                log.warning("%s:%d is not a whole record; skipped", path, n)
                continue
            if isinstance(record, dict) and record.get("model") == self.model[:16]:
                self._records[record["key"]] = record

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                self._use(key, record)
            return record

    def _use(self, key: str, record: dict[str, Any]) -> None:
        self.used[key] = record
        if self.used_log is not None:
            with self.used_log.open("a", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)  # several processes may write
                fh.write(key + "\n")

    def put(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self._records[record["key"]] = record
            self._use(record["key"], record)
            self.local.parent.mkdir(parents=True, exist_ok=True)
            with self.local.open("a", encoding="utf-8") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)  # another process (a test's server) may append too
                fh.write(line)

    def save(self, path: Path, keys: Sequence[str] | None = None) -> int:
        """Write the records used (or those of ``keys``) to ``path``, sorted by key; how many."""
        with self._lock:
            chosen = [self._records[k] for k in sorted(set(self.used if keys is None else keys)) if k in self._records]
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in chosen)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
        return len(chosen)


class ReplayLLM:
    """An LLM that answers a recorded request from :class:`Recordings`, and asks the model (loaded on
    the first such request) otherwise. Only a completion read to its end is kept.

    Counters are read per question by the eval, which asks one question at a time."""

    def __init__(self, load: Callable[[], LLM], recordings: Recordings, recheck: int = RECHECK,
                 live: bool = False) -> None:
        self._load = load
        self._llm: LLM | None = None
        self._lock = threading.Lock()
        self.recordings = recordings
        self.name = f"replay:{recordings.model[:16]}"
        self.recheck = recheck
        self.live = live
        self.computed = 0  # requests the model answered
        self.reused = 0  # requests answered from a recording
        self.rechecked = 0  # recorded completions asked again
        self.differed: list[str] = []  # ... the keys of those whose new text was not the recorded one
        self._salt = secrets.token_hex(8)  # which recorded completions this run asks again
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

    def key(self, method: str, messages: Sequence[Message], **options: Any) -> str:
        request = {"model": self.recordings.model, "method": method, "messages": list(messages),
                   **{k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}}
        return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()

    def _recorded(self, key: str) -> dict[str, Any] | None:
        record = self.recordings.get(key)
        if record is None or self.live or (self.recheck and self._sampled(key)):
            return None if record is None else {**record, "recheck": True}
        self.reused += 1
        return record

    def _keep(self, key: str, messages: Sequence[Message], before: dict[str, Any] | None, reply: Reply) -> None:
        self.computed += 1
        if before is not None:
            self.rechecked += 1
            if reply.text != before["text"]:
                self.differed.append(key)
                log.warning("the model's completion differs from the recorded one: %r, recorded %r",
                            reply.text, before["text"])
        record: dict[str, Any] = {"key": key, "model": self.recordings.model[:16], "asked": _asked(messages),
                                  "text": reply.text}
        if reply.tokens:
            record["tokens"] = [[t.text, round(t.logprob, 4), [[a, round(p, 4)] for a, p in t.top]]
                                for t in reply.tokens]
        self.recordings.put(record)

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        key = self.key("stream", messages, max_tokens=max_tokens, stop=list(stop))
        record = self._recorded(key)
        if record is not None and not record.get("recheck"):
            yield record["text"]
            return
        parts = []
        for delta in self.llm.stream(messages, max_tokens=max_tokens, stop=stop):
            parts.append(delta)
            yield delta
        self._keep(key, messages, record, Reply("".join(parts)))

    def reply(self, messages: Sequence[Message], *, max_tokens: int = 160, grammar: str | None = None,
              logprobs: int = 0) -> Reply:
        key = self.key("reply", messages, max_tokens=max_tokens, grammar=grammar, logprobs=logprobs)
        record = self._recorded(key)
        if record is not None and not record.get("recheck"):
            tokens = tuple(Token(t, lp, tuple((a, p) for a, p in top)) for t, lp, top in record.get("tokens", []))
            return Reply(record["text"], tokens)
        reply = self.llm.reply(messages, max_tokens=max_tokens, grammar=grammar, logprobs=logprobs)
        self._keep(key, messages, record, reply)
        return reply

    def _sampled(self, key: str) -> bool:
        return int(hashlib.sha256(f"{self._salt}{key}".encode()).hexdigest()[:8], 16) % self.recheck == 0

    def counts(self) -> dict[str, Any]:
        return {"computed": self.computed, "reused": self.reused, "rechecked": self.rechecked,
                "differed": len(self.differed), "differed_keys": self.differed}


def _asked(messages: Sequence[Message]) -> str:
    """The last line of the request, so a reader of the recordings sees what each one was (its question)."""
    last = (messages[-1].get("content", "") if messages else "").strip().splitlines()
    return last[-1][:160] if last else ""


def replaying(settings: Settings, live: bool = False, recheck: int = RECHECK,
              used_log: Path | None = None) -> ReplayLLM:
    """The embedded model of ``settings`` behind the recordings (``live``: asked everything; ``used_log``:
    the file each key used is appended to)."""
    from qa.llm import make_llm

    model = model_id(settings)
    local = settings.cache_dir / "completions" / f"{model[:16]}.jsonl"
    return ReplayLLM(lambda: make_llm(settings), Recordings(model, local, used_log=used_log), recheck=recheck,
                     live=live)


def main(argv: Sequence[str]) -> int:
    """``python -m evals.replay qa ARGS...`` or ``python -m evals.replay app``: the command (or the page)
    with the model behind the recordings, as the tests start them in their own processes.
    ``REPLAY_LIVE=1`` asks the model everything; ``REPLAY_USED=FILE`` appends the keys used to FILE
    (``scripts/test --record`` collects them)."""
    import qa.pipeline

    used = os.environ.get("REPLAY_USED")

    def make(settings: Settings) -> LLM:  # with the settings the command read, when it first needs the model
        return replaying(settings, live=os.environ.get("REPLAY_LIVE") == "1", recheck=0 if used else RECHECK,
                         used_log=Path(used) if used else None)

    qa.pipeline.make_llm = make  # type: ignore[attr-defined]  # the one place the pipeline makes its model
    if argv[:1] == ["app"]:
        sys.argv = ["app.py", *argv[1:]]
        import runpy

        runpy.run_path(str(RECORDED.parents[1] / "app.py"), run_name="__main__")
        return 0
    from qa.cli import main as qa_main

    return qa_main(list(argv[1:]))


def save_used(settings: Settings, used: Path, name: str = "tests") -> int:
    """Rewrite ``evals/recorded/NAME.jsonl`` with the records whose keys ``used`` lists."""
    model = model_id(settings)
    recordings = Recordings(model, settings.cache_dir / "completions" / f"{model[:16]}.jsonl")
    keys = used.read_text(encoding="utf-8").split() if used.is_file() else []
    return recordings.save(RECORDED / f"{name}.jsonl", keys)


if __name__ == "__main__":
    if sys.argv[1:2] == ["save"]:  # python -m evals.replay save USED_KEYS_FILE [NAME]
        from qa.config import load_settings

        print(f"recorded {save_used(load_settings(), Path(sys.argv[2]), *sys.argv[3:4])} completions")
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
