"""Sentence embeddings with ONNX Runtime: tokenizers + onnxruntime + numpy, no torch.

Mean pooling over every token the attention mask keeps ([CLS] and [SEP] included) and L2
normalisation, as sentence-transformers does for all-MiniLM-L6-v2. A text longer than the model's
window is not truncated: its word pieces are cut into windows, each window is embedded, and the
windows' token vectors are averaged together, so every word counts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def max_tokens(model_dir: Path, default: int = 256) -> int:
    """The model's window in word pieces, as sentence-transformers configures it."""
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return default


class OnnxEncoder:
    def __init__(self, path: Path, model_dir: Path, batch_size: int = 64, threads: int = 0) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self.window = max_tokens(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        ends = self.tokenizer.encode("").ids  # [CLS], [SEP] for BERT
        self.prefix, self.suffix = ends[:1], ends[1:]
        self.pad = self.tokenizer.token_to_id("[PAD]") or 0
        opts = ort.SessionOptions()
        # One operator at a time, each on every core; no busy-waiting between operators, because
        # the embedded LLM and other processes share these cores.
        opts.intra_op_num_threads = threads or os.cpu_count() or 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def windows(self, texts: Sequence[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token id rows (each within the window, with [CLS]/[SEP]) and the text each row is from."""
        body = self.window - len(self.prefix) - len(self.suffix)
        rows: list[list[int]] = []
        owner: list[int] = []
        for i, enc in enumerate(self.tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = enc.ids
            for j in range(0, max(len(ids), 1), body):
                rows.append(self.prefix + ids[j:j + body] + self.suffix)
                owner.append(i)
        return rows, np.array(owner, dtype=np.int64)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors, one per text (float32)."""
        rows, owner = self.windows(texts)
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.float64)
        # Longest first, batched by similar length: little padding, and padding costs compute.
        order = sorted(range(len(rows)), key=lambda r: -len(rows[r]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b:b + self.batch_size]
            width = len(rows[idx[0]])
            ids = np.full((len(idx), width), self.pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for k, r in enumerate(idx):
                ids[k, :len(rows[r])] = rows[r]
                mask[k, :len(rows[r])] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            m = mask[..., None].astype(np.float32)
            np.add.at(sums, owner[idx], (hidden * m).sum(axis=1))
            np.add.at(counts, owner[idx], mask.sum(axis=1))
        vecs = sums / np.maximum(counts, 1e-9)[:, None]
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs.astype(np.float32)
