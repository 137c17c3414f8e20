"""The one place where the pipeline is put together from settings."""

from __future__ import annotations

from dataclasses import dataclass

from .answer import Answerer
from .config import Settings, load_settings
from .index.store import Store
from .ingest.ingest import Ingestor
from .llm import LLM, make_llm
from .retrieve import Retriever


@dataclass
class Pipeline:
    settings: Settings
    store: Store
    retriever: Retriever
    ingestor: Ingestor
    answerer: Answerer


def build(settings: Settings | None = None, llm: LLM | None = None) -> Pipeline:
    """Open the store and wire the stages. Models load on first use, not here."""
    settings = settings or load_settings()
    store = Store(settings)
    retriever = Retriever(store)
    answerer = Answerer(settings, retriever, (lambda: llm) if llm is not None else (lambda: make_llm(settings)))
    return Pipeline(settings, store, retriever, Ingestor(store), answerer)
