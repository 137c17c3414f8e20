"""The ONNX embedder against sentence-transformers on torch, with the real shipped model."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qa.index.embed import Embedder
from qa.ingest.chunk import chunk
from qa.ingest.load import make_article

from .conftest import ROOT, SEED


@pytest.fixture(scope="module")
def passages() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [p.text for p in chunk(make_article("Seed", text), 400)]


@pytest.fixture(scope="module")
def torch_vectors(passages: list[str]) -> np.ndarray:
    return Embedder(backend="torch").embed(passages)


@pytest.mark.parametrize(("backend", "least", "mean"),
                         [("openvino", 0.999, 0.9999), ("onnx", 0.999, 0.9999), ("onnx-int8", 0.98, 0.99)])
def test_onnx_vectors_match_torch(backend, least, mean, passages, torch_vectors):
    emb = Embedder(backend=backend)
    vecs = emb.embed(passages)
    assert emb.backend == backend  # no fallback: this backend ran
    assert vecs.shape == torch_vectors.shape and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    cos = (vecs * torch_vectors).sum(axis=1)
    assert cos.min() > least and cos.mean() > mean


def test_every_word_of_a_long_text_is_embedded():
    # Torch truncates at the model's 256 word pieces: a different tail leaves its vector unchanged.
    head = " ".join(["The committee discussed security guarantees for Ukraine at length."] * 40)
    texts = [head + " Bananas are yellow fruit grown in Ecuador.", head + " The river flooded the town."]
    torch_vecs = Embedder(backend="torch").embed(texts)
    assert float(torch_vecs[0] @ torch_vecs[1]) > 0.9999
    for backend, atol in (("openvino", 1e-4), ("onnx", 1e-5)):  # bfloat16 rounds per batch shape
        onnx = Embedder(backend=backend)
        assert len(onnx.encoder.tokenizer.encode(texts[0]).ids) > 256 and onnx.backend == backend
        vecs = onnx.embed(texts)
        assert float(vecs[0] @ vecs[1]) < 0.999
        # A short text is one window: the same vector alone or in a batch with long ones.
        assert np.allclose(onnx.embed(["A short one."])[0], onnx.embed([texts[0], "A short one."])[1], atol=atol)


def test_a_damaged_export_is_made_again(tmp_path):
    emb = Embedder(backend="onnx-int8", cache_dir=tmp_path)
    first = emb.embed_query("security guarantees")
    path = emb.onnx_path()
    path.write_bytes(path.read_bytes()[:1000])  # a torn write
    again = Embedder(backend="onnx-int8", cache_dir=tmp_path)
    assert np.allclose(again.embed_query("security guarantees"), first, atol=1e-6)
    assert path.stat().st_size > 1_000_000


def test_query_path_imports_neither_torch_nor_sentence_transformers(tmp_path):
    Embedder().embed_query("warm the export cache")
    code = ("import sys\nfrom qa.index.embed import Embedder\nv = Embedder().embed_query('PURL deliveries')\n"
            "assert v.shape == (384,)\n"
            "bad = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="embed_backend"):
        Embedder(backend="tensorflow")


def test_two_threads_embed_at_once_with_the_vectors_of_one():
    from concurrent.futures import ThreadPoolExecutor

    emb = Embedder(backend="openvino")
    assert emb.encoder.runtime == "openvino"
    texts = [f"Report number {i} on the ferry strike and its {i * 7} cancelled sailings." for i in range(40)]
    alone = emb.embed(texts)
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(emb.embed, [texts, texts[::-1]]))
    assert np.allclose(both[0], alone, atol=1e-4) and np.allclose(both[1], alone[::-1], atol=1e-4)


def test_the_compiled_openvino_model_is_kept_and_gives_the_same_vectors(tmp_path):
    first = Embedder(backend="openvino", cache_dir=tmp_path).embed_query("security guarantees")
    assert list((tmp_path / "openvino").glob("*.blob"))
    again = Embedder(backend="openvino", cache_dir=tmp_path).embed_query("security guarantees")
    assert np.allclose(again, first, atol=1e-6)


def test_without_openvino_the_embedder_runs_on_onnx_runtime(tmp_path):
    code = ("import sys\nsys.modules['openvino'] = None\nfrom qa.index.embed import Embedder\n"
            "e = Embedder(backend='openvino')\nv = e.embed_query('PURL deliveries')\n"
            "assert v.shape == (384,) and e.backend == 'onnx', e.backend\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "OpenVINO unavailable" in done.stderr
