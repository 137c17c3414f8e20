"""``qa.integrations.llama_index`` through llama-index's own API (``retrieve``, ``query``), with the
real embedder and the real embedded model, also behind a llama-index ``LLM``."""

import os
import re
import shutil
from collections.abc import Sequence
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.llms import CustomLLM
from llama_index.core.schema import NodeWithScore

from qa.config import load_settings
from qa.ingest.ingest import Ingestor
from qa.integrations.llama_index import QAQueryEngine, QARetriever
from qa.pipeline import build

from .conftest import SEED, readme_examples

pytestmark = pytest.mark.slow
AMOUNT = re.compile(r"1\.5 billion|one and a half billion|1\.5bn")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("llama")
    (root / "corpus").mkdir()
    shutil.copy(SEED, root / "corpus" / SEED.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")} | {"QA_DATA_DIR": str(root / "data")}
    return env | {"corpus": str(root / "corpus")}


@pytest.fixture(scope="module")
def embedded(llm):
    return llm  # the embedded model, its completions replayed (tests/conftest.py)


@pytest.fixture(scope="module")
def pipeline(env, embedded, embedder):
    p = build(load_settings(env), llm=embedded)
    p.store.embedder = embedder  # the session's embedder: loaded once for all test modules
    Ingestor(p.store).ingest([env["corpus"]])
    return p


class EmbeddedAsLlamaIndex(CustomLLM):
    """A user's llama-index LLM: here the real embedded model behind llama-index's interface."""

    model: Any = None

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="embedded-qwen", is_chat_model=True)

    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        msgs = [{"role": m.role.value, "content": m.content} for m in messages]

        def gen() -> ChatResponseGen:
            text = ""
            for delta in self.model.stream(msgs, max_tokens=160):
                text += delta
                yield ChatResponse(message=ChatMessage(role="assistant", content=text), delta=delta)

        return gen()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text="".join(self.model.stream([{"role": "user", "content": prompt}])))

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        raise NotImplementedError  # the adapter uses stream_chat


def test_retriever_gives_nodes_with_article_metadata_and_offsets(pipeline):
    nodes = QARetriever(pipeline.retriever, k=3).retrieve("How much has PURL delivered so far?")
    assert len(nodes) == 3 and all(isinstance(n, NodeWithScore) for n in nodes)
    scores = [n.score for n in nodes]
    assert scores == sorted(scores, reverse=True)
    article = SEED.read_text()
    assert any("one and a half billion dollars" in n.node.text for n in nodes)
    top = nodes[0].node
    assert top.metadata["source"] == "Interfax-Ukraine" and top.metadata["published"].startswith("2025-08-23")
    stored = pipeline.store.article(top.metadata["article_id"]).text
    for n in nodes:
        assert stored[n.node.start_char_idx:n.node.end_char_idx] == n.node.text
        assert n.node.text in article or n.node.text.replace("\n", " ") in article.replace("\n", " ")


def test_llama_index_chroma_vector_store_reads_the_passages_text_from_the_collection(pipeline):
    # The starter baseline (evals/starter.py) and any tool that opens the collection with llama-index
    # take a node's text from Chroma's documents: a store without them would give empty context.
    from llama_index.core.vector_stores import VectorStoreQuery
    from llama_index.vector_stores.chroma import ChromaVectorStore

    store = pipeline.store
    vector = store.embedder.embed_query("How much has PURL delivered so far?")
    found = ChromaVectorStore(chroma_collection=store.vectors.collection).query(
        VectorStoreQuery(query_embedding=[float(x) for x in vector], similarity_top_k=3))
    texts = {p.id: p.text for p in store.catalog.iter_passages()}
    assert found.nodes and all(n.text and n.text == texts[i] for n, i in zip(found.nodes, found.ids, strict=True))


def test_query_engine_source_nodes_are_the_verified_citations(pipeline):
    response = QAQueryEngine(pipeline.answerer).query("How much has PURL delivered so far?")
    assert AMOUNT.search(str(response)) and not response.metadata["refused"]
    assert response.source_nodes and len(response.source_nodes) == len(response.metadata["citations"])
    stored = pipeline.store.article(response.source_nodes[0].node.metadata["article_id"]).text
    for n in response.source_nodes:
        assert stored[n.node.start_char_idx:n.node.end_char_idx] == n.node.text
        assert f"[{n.node.metadata['n']}]" in str(response)
    assert "one and a half billion dollars" in response.source_nodes[0].node.text
    refused = QAQueryEngine(pipeline.answerer).query("What is the capital of France?")
    assert refused.metadata["refused"] and refused.source_nodes == [] and refused.metadata["closest"]


def test_a_llama_index_llm_as_the_generator(env, embedded, embedder):
    engine = QAQueryEngine.from_settings(load_settings(env), llm=EmbeddedAsLlamaIndex(model=embedded))
    engine._answerer.retriever.store.embedder = embedder
    assert engine._answerer.llm.name == "llama-index:embedded-qwen"
    response = engine.query("Who financed the second PURL package?")
    assert all(c in str(response) for c in ("Denmark", "Finland", "Sweden"))
    assert "Denmark, Finland and Sweden" in response.source_nodes[0].node.text


def test_readme_llama_index_example(env, pipeline, monkeypatch, capsys):
    (code,) = [c for c in readme_examples("python") if "qa.integrations.llama_index" in c]
    monkeypatch.setenv("QA_DATA_DIR", env["QA_DATA_DIR"])
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert AMOUNT.search(out) and "Interfax-Ukraine" in out
    assert "one and a half billion dollars have been sent under the PURL program" in out
