from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from qa.config import Settings, load_settings
from qa.index.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "2025-08-23-interfax-dragone-security-guarantees-purl.txt"


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.texts = 0

    def embed(self, texts):  # noqa: ANN001, ANN201
        self.calls += 1
        self.texts += len(texts)
        return super().embed(texts)


@pytest.fixture(scope="session")
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env["QA_DATA_DIR"] = str(tmp_path / "data")
    return load_settings(env)


@pytest.fixture
def store(settings: Settings, embedder: CountingEmbedder):  # noqa: ANN201
    from qa.index.store import Store

    s = Store(settings, embedder=embedder)
    yield s
    s.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    shutil.copy(SEED, d / SEED.name)
    return d


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def readme_examples(lang: str) -> list[str]:
    """The ``lang`` code blocks of README's "Use it from other tools", as written there."""
    import re

    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Use it from other tools"):]
    section = section[:section.index("\n## ", 3)]
    return [code for kind, code in re.findall(r"```(\w+)\n(.*?)```", section, re.S) if kind == lang]
