from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

from qa.config import Settings, load_settings
from qa.index.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "2025-08-23-interfax-dragone-security-guarantees-purl.txt"
# The command that answers, with the model's completions replayed from evals/recorded/ (``--live``: asked
# of the model); commands that need no model run as installed (``qa``).
QA_REPLAYED = [sys.executable, "-m", "evals.replay", "qa"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="ask the embedded model every request (no recordings)")
    parser.addoption("--record", action="store_true",
                     help="ask the model what is not recorded and rewrite evals/recorded/tests.jsonl with the "
                          "completions the tests used")


def pytest_configure(config: pytest.Config) -> None:
    # Read by every process the tests start (evals.replay.main), and by the ``llm`` fixture.
    if config.getoption("--live"):
        os.environ["REPLAY_LIVE"] = "1"
    if config.getoption("--record"):
        used = ROOT / ".pytest_cache" / "recorded-keys"
        used.parent.mkdir(exist_ok=True)
        used.write_text("")
        os.environ["REPLAY_USED"] = str(used)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not os.environ.get("REPLAY_USED"):
        return
    from evals.replay import save_used

    used = Path(os.environ["REPLAY_USED"])
    print(f"\nrecorded {save_used(_base_settings(), used)} completions in evals/recorded/tests.jsonl")


_LLM = None


def _base_settings() -> Settings:
    return load_settings({k: v for k, v in os.environ.items() if not k.startswith("QA_")})


@pytest.fixture(scope="session")
def llm():  # noqa: ANN201
    """The embedded model behind the recordings (``--live``: asked everything), for in-process answerers."""
    global _LLM
    from evals.replay import RECHECK, replaying

    if _LLM is None:
        used = os.environ.get("REPLAY_USED")
        _LLM = replaying(_base_settings(), live=os.environ.get("REPLAY_LIVE") == "1", recheck=0 if used else RECHECK,
                         used_log=Path(used) if used else None)
    return _LLM


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
