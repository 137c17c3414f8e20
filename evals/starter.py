"""The LlamaIndex starter pipeline, for comparison: ``VectorStoreIndex`` over the same Chroma
collection and embedder, the default query engine (top-2 dense retrieval, compact synthesis with
LlamaIndex's default QA prompt), and the same LLM. No verification, no refusal logic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qa.index.store import Store
from qa.llm import LLM


def _llama_llm(llm: LLM, max_tokens: int):  # noqa: ANN202
    from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
    from llama_index.core.llms.callbacks import llm_completion_callback

    class Wrapped(CustomLLM):
        """Our backend as a LlamaIndex LLM (prompt in, completion out)."""

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(context_window=4096, num_output=max_tokens, model_name=llm.name)

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
            text = "".join(llm.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens))
            return CompletionResponse(text=text)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any):  # noqa: ANN201
            text = ""
            for delta in llm.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens):
                text += delta
                yield CompletionResponse(text=text, delta=delta)

    return Wrapped()


class StarterPipeline:
    def __init__(self, store: Store, llm: LLM, max_tokens: int = 64) -> None:
        from llama_index.core import VectorStoreIndex
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding
        from llama_index.vector_stores.chroma import ChromaVectorStore

        embed = HuggingFaceEmbedding(model_name=store.embedder.model_name, device="cpu")
        vector_store = ChromaVectorStore(chroma_collection=store.vectors.collection)
        self.index = VectorStoreIndex.from_vector_store(vector_store, embed_model=embed)
        self.llm = _llama_llm(llm, max_tokens)

    def query(self, question: str, before_ts: float | None = None) -> str:
        from llama_index.core.vector_stores import FilterOperator, MetadataFilter, MetadataFilters

        filters = None
        if before_ts is not None:
            filters = MetadataFilters(filters=[MetadataFilter(key="published_ts", value=int(before_ts),
                                                              operator=FilterOperator.LTE)])
        engine = self.index.as_query_engine(llm=self.llm, filters=filters)
        return str(engine.query(question)).strip()


def choose(text: str, choices: Sequence[str]) -> int | None:
    """The choice an answer names: by letter ("B", "(b)") or by the choice's text."""
    import re

    m = re.match(r"\s*\(?([A-Da-d])[\).:\s]", text + " ")
    if m:
        return "abcd".index(m.group(1).lower())
    low = text.lower()
    found = [i for i, c in enumerate(choices) if c.lower() in low]
    return found[0] if len(found) == 1 else None
