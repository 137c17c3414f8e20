"""Settings: one typed object, read from ``QA_*`` environment variables and an optional TOML file.

Precedence: environment variable > config file > default. The config file is ``QA_CONFIG`` if set,
else ``qa.toml`` in the data directory, if present. Secrets (API keys) are never read from the file;
they are read from the environment at the point of use (see ``qa.llm``).
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qa"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=_default_data_dir)
    # Where the assembled embedded GGUF model lives; shared between data directories.
    cache_dir: Path = field(default_factory=_default_cache_dir)
    collection: str = "passages"
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8000 ; None: on-disk Chroma under data_dir
    embed_model: str | None = None  # any sentence-transformers name or path; None: shipped MiniLM
    embed_batch_size: int = 64
    # "onnx" (ONNX Runtime, the default), "onnx-int8" (faster, slightly different ranks) or "torch"; see qa/embed.py
    embed_backend: str = "onnx"
    # Target passage size in characters; sentences are never split. 800 by measurement (docs/bench/
    # passages.md): more answers in the top 5/20 than 400, the same ingest rate, one model window.
    chunk_chars: int = 400
    max_file_mb: float = 25.0
    llm_backend: str = "embedded"  # "embedded" | "openai"
    llm_gguf: str | None = None  # path to any GGUF; None: the shipped model named by llm_model
    llm_base_url: str | None = None  # OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1
    # embedded: a shipped model's short name ("qwen2.5-1.5b", "qwen2.5-0.5b"; "default" is the
    # 1.5B); openai: the server's model name.
    llm_model: str = "default"
    llm_timeout_s: float = 60.0
    llm_threads: int = 0  # 0: number of CPU cores
    llm_ctx: int = 4096
    llm_max_tokens: int = 160
    retrieve_k: int = 20  # passages retrieved for a question (before the gate)
    top_k: int = 12  # passages whose sentences compete to be evidence
    evidence_sentences: int = 5  # sentences shown to the model
    min_relevance: float = 0.30  # evidence score below which nothing is close enough to answer
    min_quote_relevance: float = 0.50  # a sentence quoted as the answer must score at least this
    web_host: str = "127.0.0.1"  # the page listens on loopback unless told otherwise
    web_port: int = 7860
    # A running `qa serve` that `qa ask` should use; None: the default local one at web_port.
    server_url: str | None = None
    history_turns: int = 3  # follow-up questions see at most this many earlier turns
    # How follow-ups become standalone questions: "llm" (rules first, then the reader model when the
    # rules cannot resolve it) or "rules" (no model call; for the 0.5B model, which cannot rewrite).
    condense: str = "llm"
    # When passages are also ranked by date, newest first: "auto" (when the question asks for the
    # latest state: "so far", "now", "latest", "last week"), "always", or "off".
    recency: str = "auto"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite"

    @property
    def bm25_dir(self) -> Path:
        return self.data_dir / "bm25"

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(value: Any, current: Any, name: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(current, bool):
        return str(value).lower() in {"1", "true", "yes", "on"}
    if isinstance(current, int):
        return int(value)
    if isinstance(current, float):
        return float(value)
    if isinstance(current, Path) or name.endswith("_dir"):
        return Path(str(value)).expanduser()
    return str(value)


def load_settings(env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (``QA_DATA_DIR``, ``QA_CHROMA_URL``, ``QA_LLM_*``, ...)."""
    env = dict(os.environ if env is None else env)
    defaults = Settings()
    data_dir = Path(env["QA_DATA_DIR"]).expanduser() if env.get("QA_DATA_DIR") else defaults.data_dir
    config_file = Path(env["QA_CONFIG"]).expanduser() if env.get("QA_CONFIG") else data_dir / "qa.toml"
    from_file: dict[str, Any] = {}
    if config_file.is_file():
        with config_file.open("rb") as fh:
            from_file = tomllib.load(fh)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        current = getattr(defaults, f.name)
        raw = env.get(f"QA_{f.name.upper()}", from_file.get(f.name))
        if raw is not None:
            values[f.name] = _coerce(raw, current, f.name)
    if values.get("llm_base_url") and "llm_backend" not in values:
        values["llm_backend"] = "openai"
    values.update(overrides)
    return replace(defaults, **values)


# Where a server listens, not what it answers from: these do not change an answer.
_PLACE_FIELDS = {"web_host", "web_port", "server_url"}


def settings_id(settings: Settings) -> str:
    """A short hash of everything an answer depends on (the resolved data directory, the stores and
    models, the thresholds). ``qa ask`` uses a running ``qa serve`` only when both ids match."""
    parts = []
    for f in fields(Settings):
        if f.name in _PLACE_FIELDS:
            continue
        value = getattr(settings, f.name)
        parts.append(f"{f.name}={value.expanduser().resolve() if isinstance(value, Path) else value}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def api_key() -> str | None:
    """The bearer key of ``qa serve`` (``QA_API_KEY``), read from the environment only, never a file."""
    return os.environ.get("QA_API_KEY") or None
