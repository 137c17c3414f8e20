"""Settings: one typed object, read from ``QA_*`` environment variables and an optional TOML file.

Precedence: explicit overrides > environment variable > config file > default. The config file is
``QA_CONFIG`` if set, else ``qa.toml`` in the data directory, if present. Secrets (API keys) are never
read from the file; they are read from the environment at the point of use (see ``qa.llm``).

``Settings(...)`` built directly in code reads nothing: defaults plus the given values. Only
``load_settings`` reads the environment and the file. A value that does not validate, or a key in
the file that names no setting, raises ``ConfigError`` with one line naming where it came from.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class ConfigError(ValueError):
    """A setting with a value that does not validate, or an unknown key in the config file. The message
    is one line that names the setting as the user wrote it (``QA_LLM_TIMEOUT_S``, ``recency in
    /path/qa.toml``)."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "qa"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa"


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


def _expand_user(path: Path) -> Path:
    return path.expanduser()


# A path with ``~`` expanded; an optional string where "" (an empty variable, or ``x = ""`` in the
# file, which has no null) means None.
UserPath = Annotated[Path, AfterValidator(_expand_user)]
OptionalStr = Annotated[str | None, BeforeValidator(_empty_is_none)]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="QA_",
        frozen=True,
        extra="forbid",  # an unknown keyword or file key is an error, not silently ignored
        coerce_numbers_to_str=True,  # ``collection = 2024`` in the file is the string "2024"
    )

    data_dir: UserPath = Field(default_factory=_default_data_dir)
    # Where the assembled embedded GGUF model lives; shared between data directories.
    cache_dir: UserPath = Field(default_factory=_default_cache_dir)
    collection: str = "passages"
    chroma_url: OptionalStr = None  # e.g. http://127.0.0.1:8000 ; None: on-disk Chroma under data_dir
    embed_model: OptionalStr = None  # any sentence-transformers name or path; None: shipped MiniLM
    embed_batch_size: int = Field(64, gt=0)
    # "openvino" (the default), "onnx" (ONNX Runtime), "onnx-int8" (slightly different ranks) or
    # "torch"; see qa/index/embed.py
    embed_backend: Literal["openvino", "onnx", "onnx-int8", "torch"] = "openvino"
    # Target passage size in characters; sentences are never split. 400 until a full `qa eval` at 800
    # (docs/bench/passages.md: 800 finds more answers in the top 5/20 at the same ingest rate, but
    # refused two dev questions that 400 answers).
    chunk_chars: int = Field(400, gt=0)
    max_file_mb: float = Field(25.0, gt=0)
    llm_backend: Literal["embedded", "openai"] = "embedded"  # "embedded" | "openai"
    llm_gguf: OptionalStr = None  # path to any GGUF; None: the shipped model named by llm_model
    llm_base_url: OptionalStr = None  # OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1
    # embedded: a shipped model's short name ("qwen2.5-1.5b", "qwen2.5-0.5b"; "default" is the
    # 1.5B); openai: the server's model name.
    llm_model: str = "default"
    llm_timeout_s: float = Field(60.0, gt=0)
    llm_threads: int = Field(0, ge=0)  # 0: number of CPU cores
    llm_ctx: int = Field(4096, gt=0)
    llm_max_tokens: int = Field(160, gt=0)
    retrieve_k: int = Field(20, gt=0)  # passages retrieved for a question (before the gate)
    top_k: int = Field(12, gt=0)  # passages whose sentences compete to be evidence
    evidence_sentences: int = Field(8, gt=0)  # sentences shown to the model (8 not 5: README, pipeline)
    # Evidence scores are a cosine plus bonuses for shared words and figures (qa/answer/evidence.py),
    # about -1 to 1.4, not fractions: the two thresholds are only required to be finite numbers.
    # Evidence score below which nothing is close enough to answer.
    min_relevance: float = Field(0.30, allow_inf_nan=False)
    # A sentence quoted as the answer must score at least this.
    min_quote_relevance: float = Field(0.50, allow_inf_nan=False)
    # A folder the page (and `qa serve`) keeps ingested while it runs: files that land in it, change or
    # leave it are picked up (qa/ingest/watch.py); scripts/chat sets it to corpus/. None: no watching.
    watch_dir: Annotated[UserPath | None, BeforeValidator(_empty_is_none)] = None
    web_host: str = "127.0.0.1"  # the page listens on loopback unless told otherwise
    web_port: int = Field(7860, gt=0, le=65535)
    # A running `qa serve` that `qa ask` should use; None: the default local one at web_port.
    server_url: OptionalStr = None
    # Follow-up questions see at most this many earlier turns. At least 1: history[-0:] would be all of it.
    history_turns: int = Field(3, gt=0)
    # How follow-ups become standalone questions: "llm" (rules first, then the reader model when the
    # rules cannot resolve it) or "rules" (no model call; for the 0.5B model, which cannot rewrite).
    condense: Literal["llm", "rules"] = "llm"
    # When passages are also ranked by date, newest first: "auto" (when the question asks for the
    # latest state: "so far", "now", "latest", "last week"), "always", or "off".
    recency: Literal["auto", "always", "off"] = "auto"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Constructing Settings reads nothing; load_settings reads the environment and the file itself.
        return (init_settings,)

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
        """A copy with ``changes``, validated like any other value (ConfigError when one is wrong)."""
        try:
            return self.model_validate({**self.model_dump(), **changes})
        except ValidationError as e:
            raise ConfigError(_describe(e, {})) from None


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping instead of ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._env = env  # before super().__init__, which calls _load_env_vars
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # Case-insensitive matching, as the base class does it: on lower-cased names.
        return {k.lower(): v for k, v in self._env.items()}


def _env_name(name: str) -> str:
    return f"QA_{name.upper()}"


def _describe(error: ValidationError, origins: Mapping[str, str]) -> str:
    """The errors of ``error`` on one line ("; " between them), each naming the setting as the user gave it."""
    lines = []
    for err in error.errors():
        name = str(err["loc"][0]) if err["loc"] else "settings"
        msg = err["msg"].split(", unable to parse")[0]
        msg = msg[:1].lower() + msg[1:]
        got = "" if err["type"] == "extra_forbidden" else f", got {err['input']!r}"
        lines.append(f"{origins.get(name, name)}: {msg}{got}")
    return "; ".join(lines)


def _read_file(path: Path) -> dict[str, Any]:
    """The settings in a TOML file; ConfigError for a file that does not parse or a key that names no setting."""
    try:
        values = TomlConfigSettingsSource(Settings, toml_file=path)()
    except (OSError, ValueError) as e:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path}: {e}") from None
    unknown = [k for k in values if k not in Settings.model_fields]
    if unknown:
        import difflib

        key = unknown[0]
        if key.lower() in {"api_key", "qa_api_key"}:
            raise ConfigError(f"{key} in {path}: secrets are not read from the file; set QA_API_KEY in the environment")
        if isinstance(values[key], dict):
            raise ConfigError(f"[{key}] in {path}: unknown table; settings are top-level keys")
        close = difflib.get_close_matches(key, Settings.model_fields, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ConfigError(f"{key} in {path}: unknown setting{hint}")
    return values


def load_settings(env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from the environment (``QA_DATA_DIR``, ``QA_CHROMA_URL``, ``QA_LLM_*``, ...; ``env``
    instead of ``os.environ`` when given), the config file and ``overrides``, which win. An empty variable
    is None for a setting that can be None (winning over the file, as a set variable does), else unset
    (the file's value, else the default). ConfigError, one line, for any value that does not validate."""
    source = _MappingEnvSource(Settings, os.environ if env is None else env)
    from_env: dict[str, Any] = {}
    for name, value in source().items():
        if value == "" and Settings.model_fields[name].default is not None:
            continue  # an empty variable for a setting that cannot be None: unset
        from_env[name] = value
    given_dir, given_file = source.env_vars.get("qa_data_dir"), source.env_vars.get("qa_config")
    data_dir = Path(given_dir).expanduser() if given_dir else _default_data_dir()
    config_file = Path(given_file).expanduser() if given_file else data_dir / "qa.toml"
    from_file = _read_file(config_file) if config_file.is_file() else {}

    values = {**from_file, **from_env}
    origins = {name: f"{name} in {config_file}" for name in from_file} | {name: _env_name(name) for name in from_env}
    if values.get("llm_base_url") and "llm_backend" not in values:
        values["llm_backend"] = "openai"
    values.update(overrides)
    for name in overrides:
        origins.pop(name, None)
    try:
        return Settings(**values)
    except ValidationError as e:
        raise ConfigError(_describe(e, origins)) from None


# Where a server listens (and what it watches), not what it answers from: these do not change an answer.
_PLACE_FIELDS = {"web_host", "web_port", "server_url", "watch_dir"}


def settings_id(settings: Settings) -> str:
    """A short hash of everything an answer depends on (the resolved data directory, the stores and
    models, the thresholds). ``qa ask`` uses a running ``qa serve`` only when both ids match."""
    parts = []
    for name in Settings.model_fields:
        if name in _PLACE_FIELDS:
            continue
        value = getattr(settings, name)
        parts.append(f"{name}={value.expanduser().resolve() if isinstance(value, Path) else value}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def api_key() -> str | None:
    """The bearer key of ``qa serve`` (``QA_API_KEY``), read from the environment only, never a file."""
    return os.environ.get("QA_API_KEY") or None
