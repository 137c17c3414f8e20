"""llama-index components over this project's pipeline.

- :class:`QARetriever`: a ``BaseRetriever`` over the hybrid (dense + BM25) retrieval; each node is a
  passage with its article's metadata and ``start_char_idx``/``end_char_idx`` in the article.
- :class:`QAQueryEngine`: a query engine whose ``Response`` is the verified answer and whose
  ``source_nodes`` are its citations (the exact supporting sentences, scored).
- :class:`LlamaIndexLLM`: any llama-index ``LLM`` as the generator (the checks and citations apply
  to its answers unchanged).

Usage::

    from qa.integrations.llama_index import QAQueryEngine, QARetriever
    nodes = QARetriever.from_settings(k=3).retrieve("PURL delivered")
    response = QAQueryEngine.from_settings().query("How much has PURL delivered so far?")
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response
from llama_index.core.llms import LLM as LlamaLLM
from llama_index.core.llms import ChatMessage
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from ..config import Settings
from ..llm import LLMUnavailable, Message, Reply
from ..pipeline import build
from ..records import Answer, Citation, Hit
from ..retrieve import Filters, Retriever

if TYPE_CHECKING:  # the answer stage is reached through the pipeline, not by its module path
    from ..answer import Answerer

# llama-index LLMs take their token limit at construction, not per call; the stream is cut after
# about this many characters per token asked for, so a runaway model cannot stall an answer.
CHARS_PER_TOKEN = 6


def hit_node(hit: Hit) -> NodeWithScore:
    """A retrieved passage as a llama-index node (score: the fused rank score)."""
    a = hit.article
    meta = {"article_id": a.id, "title": a.title, "source": a.source, "published": a.published, "url": a.url,
            "path": a.path, "dense": hit.dense, "bm25": hit.bm25, "page": a.page_of(hit.passage.start)}
    node = TextNode(id_=hit.passage.id, text=hit.passage.text, metadata=meta,
                    start_char_idx=hit.passage.start, end_char_idx=hit.passage.end)
    return NodeWithScore(node=node, score=hit.fused)


def citation_node(c: Citation) -> NodeWithScore:
    """A citation as a node: its text is the quoted sentence; metadata carries [n], outlet, date, url."""
    meta = {k: v for k, v in c.to_json().items() if k != "quote"}
    node = TextNode(id_=f"{c.article_id}:{c.start}-{c.end}", text=c.quote, metadata=meta,
                    start_char_idx=c.start, end_char_idx=c.end)
    return NodeWithScore(node=node, score=c.score)


class QARetriever(BaseRetriever):
    """The ``k`` best passages for a query, by hybrid retrieval with optional filters."""

    def __init__(self, retriever: Retriever, k: int = 5, filters: Filters | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._qa_retriever = retriever
        self._k = k
        self._filters = filters

    @classmethod
    def from_settings(cls, settings: Settings | None = None, k: int = 5, filters: Filters | None = None) -> QARetriever:
        """Over the data directory the settings (default: ``QA_*`` environment) name."""
        return cls(build(settings).retriever, k=k, filters=filters)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._qa_retriever.search(query_bundle.query_str, k=self._k, filters=self._filters)
        return [hit_node(h) for h in hits]


class QAQueryEngine(BaseQueryEngine):
    """Verified, cited answers. ``Response.metadata``: ``refused``, ``citations`` (JSON),
    ``standalone_question``; on a refusal ``source_nodes`` are empty and ``metadata["closest"]``
    holds the nearest passages as nodes."""

    def __init__(self, answerer: Answerer, filters: Filters | None = None, **kwargs: Any) -> None:
        super().__init__(callback_manager=kwargs.get("callback_manager"))
        self._answerer = answerer
        self._filters = filters

    @classmethod
    def from_settings(cls, settings: Settings | None = None, llm: LlamaLLM | None = None,
                      filters: Filters | None = None) -> QAQueryEngine:
        """Over the data directory the settings name; ``llm``: a llama-index LLM to generate with
        (default: the configured backend, the embedded model)."""
        pipeline = build(settings, llm=LlamaIndexLLM(llm) if llm is not None else None)
        return cls(pipeline.answerer, filters=filters)

    @staticmethod
    def to_response(answer: Answer) -> Response:
        meta: dict[str, Any] = {"refused": answer.refused, "citations": [c.to_json() for c in answer.citations],
                                "standalone_question": answer.standalone_question, "timings_ms": answer.timings_ms}
        if answer.refused:
            meta["closest"] = [hit_node(h) for h in answer.hits[:3]]
        if answer.error:
            meta["error"] = answer.error
        return Response(response=answer.text, source_nodes=[citation_node(c) for c in answer.citations],
                        metadata=meta)

    def _query(self, query_bundle: QueryBundle) -> Response:
        return self.to_response(self._answerer.ask(query_bundle.query_str, filters=self._filters))

    async def _aquery(self, query_bundle: QueryBundle) -> Response:
        return self._query(query_bundle)

    def _get_prompt_modules(self) -> dict[str, Any]:
        return {}


class LlamaIndexLLM:
    """A llama-index ``LLM`` behind this project's LLM protocol (``qa.llm.LLM``)."""

    def __init__(self, llm: LlamaLLM) -> None:
        self._llm = llm
        self.name = f"llama-index:{llm.metadata.model_name}"

    def stream(self, messages: Sequence[Message], *, max_tokens: int = 160,
               stop: Sequence[str] = ()) -> Iterator[str]:
        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        text, limit = "", max_tokens * CHARS_PER_TOKEN
        try:
            for part in self._llm.stream_chat(chat):
                delta = part.delta or ""
                cut = min((i for i in ((text + delta).find(s) for s in stop) if i >= 0), default=-1)
                if cut >= 0:  # a stop sequence: yield up to it, and no further
                    if cut > len(text):
                        yield (text + delta)[len(text):cut]
                    return
                text += delta
                if delta:
                    yield delta
                if len(text) >= limit:
                    return
        except Exception as err:  # the answerer falls back to the best passages on LLMUnavailable
            raise LLMUnavailable(f"{self.name}: {err}") from err

    def reply(self, messages: Sequence[Message], *, max_tokens: int = 160, grammar: str | None = None,
              logprobs: int = 0) -> Reply:
        """A llama-index LLM takes no grammar and gives no token probabilities: the reply is read as is."""
        return Reply("".join(self.stream(messages, max_tokens=max_tokens)))
