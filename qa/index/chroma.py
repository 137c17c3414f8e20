"""The vector store: a Chroma collection of passage embeddings, on disk or on a Chroma server."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np

from ..records import Article, Passage

if TYPE_CHECKING:
    from chromadb.api import ClientAPI


class BackendUnavailable(RuntimeError):
    """A configured backend (Chroma server, LLM server) cannot be reached."""


def published_ts(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return int(datetime.fromisoformat(published).timestamp())
    except ValueError:
        return None


def chroma_client(data_dir: Any, url: str | None) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        u = urlparse(url if "://" in url else f"http://{url}")
        try:
            client = chromadb.HttpClient(host=u.hostname or "127.0.0.1", port=u.port or 8000,
                                         ssl=u.scheme == "https", settings=settings)
            client.heartbeat()
        except Exception as err:  # the client raises several types for a dead server
            raise BackendUnavailable(f"Chroma server at {url} is not reachable: {err}") from None
        return client
    return chromadb.PersistentClient(path=str(data_dir), settings=settings)


class VectorStore:
    """Passage vectors keyed by passage id, with the metadata that filters need and the passage's text:
    llama-index's ``ChromaVectorStore`` (the starter baseline, and any tool reading the collection)
    takes a node's text from there. Chroma's full-text index of that text halves its write rate."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.collection = client.get_or_create_collection(
            name=name, metadata={"hnsw:space": "cosine"}, embedding_function=None)

    def count(self) -> int:
        n: int = self.collection.count()
        return n

    def upsert(self, passages: Sequence[Passage], vectors: np.ndarray, articles: dict[str, Article],
               batch: int = 4000) -> None:
        for i in range(0, len(passages), batch):
            part = passages[i:i + batch]
            metas = []
            for p in part:
                art = articles[p.article_id]
                meta: dict[str, Any] = {"article_id": p.article_id, "source": art.source or "",
                                        "start": p.start, "end": p.end}
                ts = published_ts(art.published)
                if ts is not None:
                    meta["published_ts"] = ts
                metas.append(meta)
            self.collection.upsert(ids=[p.id for p in part], embeddings=vectors[i:i + batch],
                                   metadatas=metas, documents=[p.text for p in part])

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        for i in range(0, len(article_ids), 100):
            self.collection.delete(where={"article_id": {"$in": list(article_ids[i:i + 100])}})

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Return (passage id, cosine similarity), best first."""
        if self.count() == 0:
            return []
        res = self.collection.query(query_embeddings=[vector], n_results=k, where=where or None,
                                    include=["distances"])
        return [(pid, 1.0 - float(d)) for pid, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def chroma_where(sources: Sequence[str] | None, after: float | None, before: float | None) -> dict[str, Any] | None:
    """A Chroma ``where`` clause for an outlet list and a publication range (epoch seconds)."""
    clauses: list[dict[str, Any]] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if after is not None:
        clauses.append({"published_ts": {"$gte": int(after)}})
    if before is not None:
        clauses.append({"published_ts": {"$lte": int(before)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
