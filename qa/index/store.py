"""The store: the catalog (SQLite), the passage vectors (Chroma) and the BM25 index, kept in step."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..config import ConfigError, Settings
from ..records import Article, Passage
from .bm25 import Bm25Index
from .catalog import Catalog
from .chroma import VectorStore, chroma_client
from .embed import Embedder, default_model_path

log = logging.getLogger(__name__)
SHIPPED_EMBEDDER = "all-MiniLM-L6-v2 (shipped)"  # Settings.embed_model None


def embedder_id(model: str | None) -> str:
    """How a store records its embedding model: the shipped one by that name (also given as its path),
    a local folder by its full path, another model by its name."""
    if model is None:
        return SHIPPED_EMBEDDER
    path = Path(model).expanduser()
    if path.exists():
        path = path.resolve()
        return SHIPPED_EMBEDDER if path == default_model_path().resolve() else str(path)
    return model


class Store:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(settings.catalog_path)
        self._check_embedder()
        self.vectors = VectorStore(chroma_client(settings.chroma_dir, settings.chroma_url),
                                   settings.collection)
        self.embedder = embedder or Embedder(settings.embed_model, settings.embed_batch_size,
                                              settings.embed_backend, settings.cache_dir)
        self._bm25: Bm25Index | None = None
        self._bm25_lock = threading.Lock()
        self._article = lru_cache(maxsize=4096)(self._load_article)
        self._passages = lru_cache(maxsize=4096)(self.catalog.passages_of)
        self.finish_deletes()

    def close(self) -> None:
        self.catalog.close()

    def _check_embedder(self) -> None:
        """The vectors of a store are comparable only with those of the embedding model that made them:
        it is recorded with the store (the first to write it wins), and another one is an error, not
        ranks silently wrong. The backends compute the same model (``qa.index.embed``), so a change of
        backend is allowed. A store made before models were recorded takes the one configured now."""
        model = embedder_id(self.settings.embed_model)
        recorded = self.catalog.meta_once("embed_model", model)
        if recorded != model:
            self.catalog.close()
            remedy = "unset QA_EMBED_MODEL" if recorded == SHIPPED_EMBEDDER else f"set QA_EMBED_MODEL={recorded}"
            raise ConfigError(
                f"the store in {self.settings.data_dir} was embedded with {recorded!r}, not {model!r}: {remedy} "
                "(or embed_model in the config file) to use it, or choose another QA_DATA_DIR (or empty this "
                "one) and ingest the articles again")

    def _load_article(self, article_id: str) -> Article | None:
        return self.catalog.article(article_id)

    def article(self, article_id: str) -> Article | None:
        return self._article(article_id)

    def passages_of(self, article_id: str) -> list[Passage]:
        return self._passages(article_id)

    def finish_deletes(self) -> None:
        """Delete the vectors of articles the catalog has dropped (also after a crash)."""
        pending = self.catalog.pending_deletes()
        if pending:
            self.vectors.delete_articles(pending)
            self.catalog.done_deleting(pending)

    def bm25(self) -> Bm25Index:
        """The BM25 index for the catalog's current generation: loaded, and brought up to date
        from the catalog's change log (new segments, deletions) when it is behind."""
        generation = self.catalog.generation
        with self._bm25_lock:
            if self._bm25 is None or self._bm25.generation != generation:
                index = self._bm25 or Bm25Index.load(self.settings.bm25_dir)
                if index is None:
                    index = Bm25Index.build(self.catalog)
                elif index.generation != generation:
                    index = index.update(self.catalog)
                else:
                    self._bm25 = index
                    return index
                index.save(self.settings.bm25_dir)
                self._bm25 = index
            return self._bm25

    def sources(self) -> list[str]:
        return sorted({a["source"] for a in self.catalog.articles() if a["source"]})

    def removed(self, article_ids: Sequence[str]) -> None:
        self._article.cache_clear()
        self._passages.cache_clear()
        if article_ids:
            self.finish_deletes()
