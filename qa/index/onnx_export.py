"""Export a sentence-transformers BERT-style model to ONNX (optionally int8), once, into the cache.

The export reads the model's own weights from disk (the shipped MiniLM package), so nothing is
downloaded. It runs at the first use of the ONNX backend; torch is imported here only, never on the
query path. The file is written beside its final place, checked against torch on sample sentences,
and then moved into place atomically, so a half-written or wrong model is never loaded.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Bump when the export recipe changes, so cached files from an older recipe are not reused.
RECIPE = 1
_SAMPLES = [
    "NATO's Military Committee discussed security guarantees for Ukraine on Saturday.",
    "One and a half billion dollars have been sent under the PURL program so far.",
    "The river flooded the town after three days of heavy rain.",
    "Shares of the company fell 4% after it cut its forecast for the year.",
]
# Cosine between the exported model's and torch's vectors on the samples, at least. int8 weights
# move vectors a little (0.99 mean on RealTime QA passages, measured); fp32 is exact to rounding.
MIN_COSINE = {False: 0.999, True: 0.98}


def cache_key(model_dir: Path, quantize: bool) -> str:
    """A key that changes when the model's files or the recipe change (stat-based: no hashing of
    the 90 MB weights at every start)."""
    h = hashlib.sha256(f"{RECIPE}:{quantize}:{model_dir.resolve()}".encode())
    for f in sorted(model_dir.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(model_dir)}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def export(model_dir: Path, target: Path, quantize: bool) -> None:
    """Write ``target`` (model.onnx) and ``target.with_suffix('.json')`` (its checksum)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".export-"))
    try:
        model = AutoModel.from_pretrained(str(model_dir)).eval()

        class Hidden(torch.nn.Module):
            """The transformer's last hidden state; pooling is done in numpy, as ST does it."""

            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                        token_type_ids: torch.Tensor) -> torch.Tensor:
                hidden: torch.Tensor = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                                  token_type_ids=token_type_ids).last_hidden_state
                return hidden

        ids = torch.ones(2, 8, dtype=torch.long)
        names = ["input_ids", "attention_mask", "token_type_ids"]
        fp32 = tmp / "fp32.onnx"
        with warnings.catch_warnings():  # the tracer's notes on BERT's indexing; checked below
            warnings.simplefilter("ignore")
            torch.onnx.export(Hidden(), (ids, ids, torch.zeros_like(ids)), str(fp32), input_names=names,
                              output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                              opset_version=17, dynamo=False)
        out = fp32
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Only the MatMuls, per output channel: quantising the embedding lookup and using one
            # scale per tensor cost 0.04 of cosine to torch on news passages; this costs 0.007.
            out = tmp / "int8.onnx"
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul"])
        _check(model_dir, out, quantize)
        final = tmp / "model.onnx"
        os.replace(out, final)
        meta = {"sha256": sha256_file(final), "recipe": RECIPE, "quantize": quantize, "model": str(model_dir)}
        os.replace(final, target)
        tmp_meta = tmp / "meta.json"
        tmp_meta.write_text(json.dumps(meta))
        os.replace(tmp_meta, target.with_suffix(".json"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check(model_dir: Path, path: Path, quantize: bool) -> None:
    """Refuse an export whose vectors are not sentence-transformers' on the samples."""
    from sentence_transformers import SentenceTransformer

    from .onnx_embed import OnnxEncoder

    ref = SentenceTransformer(str(model_dir), device="cpu").encode(_SAMPLES, normalize_embeddings=True)
    got = OnnxEncoder(path, model_dir).embed(_SAMPLES)
    cos = (np.asarray(ref) * got).sum(1)
    if float(cos.min()) < MIN_COSINE[quantize]:
        raise RuntimeError(f"ONNX export of {model_dir} disagrees with torch (cosine {cos.min():.4f})")
