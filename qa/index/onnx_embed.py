"""Sentence embeddings from the exported ONNX model: tokenizers + OpenVINO or ONNX Runtime + numpy, no torch.

Mean pooling over every token the attention mask keeps ([CLS] and [SEP] included) and L2
normalisation, as sentence-transformers does for all-MiniLM-L6-v2. A text longer than the model's
window is not truncated: its word pieces are cut into windows, each window is embedded, and the
windows' token vectors are averaged together, so every word counts.

The exported model runs on ONNX Runtime, or on OpenVINO (``runtime="openvino"``), which computes in
bfloat16 on CPUs that have it in hardware (AMX, AVX-512 BF16) and in float32 elsewhere.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np


def max_tokens(model_dir: Path, default: int = 256) -> int:
    """The model's window in word pieces, as sentence-transformers configures it."""
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return default


class OnnxEncoder:
    def __init__(self, path: Path, model_dir: Path, batch_size: int = 64, threads: int = 0,
                 runtime: str = "onnxruntime", compiled_dir: Path | None = None) -> None:
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self.window = max_tokens(model_dir)
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        ends = self.tokenizer.encode("").ids  # [CLS], [SEP] for BERT
        self.prefix, self.suffix = ends[:1], ends[1:]
        self.pad = self.tokenizer.token_to_id("[PAD]") or 0
        threads = threads or os.cpu_count() or 1
        self.runtime = runtime
        if runtime == "openvino":
            self._run = self._openvino(path, threads, compiled_dir)
        else:
            self._run = self._onnxruntime(path, threads)

    def _onnxruntime(self, path: Path, threads: int) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # One operator at a time, each on every core; no busy-waiting between operators, because
        # the embedded LLM and other processes share these cores.
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        inputs = {i.name for i in session.get_inputs()}
        self.dimension = int(session.get_outputs()[0].shape[-1])

        def run(feed: dict[str, np.ndarray]) -> np.ndarray:
            return np.asarray(session.run(None, {k: v for k, v in feed.items() if k in inputs})[0])
        return run

    def _openvino(self, path: Path, threads: int,
                  compiled_dir: Path | None) -> Callable[[dict[str, np.ndarray]], np.ndarray]:
        import openvino as ov

        core = ov.Core()
        if compiled_dir is not None:  # the compiled model is kept: a new process loads it in ~0.3 s, not ~1.4 s
            core.set_property({"CACHE_DIR": str(compiled_dir)})
        # The CPU plugin's own precision choice: bfloat16 where the hardware computes it, else float32.
        model = core.compile_model(str(path), "CPU", {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"})
        inputs = {i.get_any_name() for i in model.inputs}
        self.dimension = int(model.outputs[0].get_partial_shape()[-1].get_length())
        # An infer request serves one call at a time: idle ones are reused, so there are never more
        # than the calls at once (the page's worker threads come and go).
        idle: list[ov.InferRequest] = []
        lock = threading.Lock()

        def run(feed: dict[str, np.ndarray]) -> np.ndarray:
            with lock:
                request = idle.pop() if idle else None
            request = request or model.create_infer_request()
            try:
                out = request.infer({k: v for k, v in feed.items() if k in inputs})
                return np.array(out[model.outputs[0]], dtype=np.float32)
            finally:
                with lock:
                    idle.append(request)
        return run

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
            hidden = self._run(feed)
            m = mask[..., None].astype(np.float32)
            np.add.at(sums, owner[idx], (hidden * m).sum(axis=1))
            np.add.at(counts, owner[idx], mask.sum(axis=1))
        vecs = sums / np.maximum(counts, 1e-9)[:, None]
        vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return vecs.astype(np.float32)
