"""LLM backends behind one interface, chosen by settings.

- ``EmbeddedLLM``: a GGUF model run in-process by xllamacpp (llama.cpp's server engine). Default.
- ``OpenAICompatibleLLM``: any server speaking the OpenAI chat-completions API (OpenAI, vLLM,
  llama.cpp server, LM Studio, Ollama), with streaming.

Both stream text deltas; a backend that is down or too slow raises :class:`LLMUnavailable`.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import Settings
from .base import LLM, LLMUnavailable, Message, Reply, Token, complete
from .embedded import EmbeddedLLM
from .openai import OpenAICompatibleLLM

__all__ = ["LLM", "EmbeddedLLM", "LLMUnavailable", "Message", "OpenAICompatibleLLM", "Reply", "Token", "complete",
           "make_llm"]


def make_llm(settings: Settings) -> LLM:
    """The backend the settings name: ``embedded`` (default) or ``openai``."""
    if settings.llm_backend == "openai":
        if not settings.llm_base_url:
            raise LLMUnavailable("QA_LLM_BACKEND=openai needs QA_LLM_BASE_URL")
        key = os.environ.get("QA_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY")
        return OpenAICompatibleLLM(settings.llm_base_url, settings.llm_model, api_key=key,
                                   timeout_s=settings.llm_timeout_s)
    if settings.llm_backend != "embedded":
        raise LLMUnavailable(f"unknown LLM backend {settings.llm_backend!r} (use 'embedded' or 'openai')")
    from .gguf import ModelNotFound, embedded_model_path

    try:
        path = (Path(settings.llm_gguf).expanduser() if settings.llm_gguf
                else embedded_model_path(settings.cache_dir, settings.llm_model))
    except ModelNotFound as err:
        raise LLMUnavailable(str(err)) from None
    # Two slots: the reader's prompts and the check's prompts each keep their own cached prefix,
    # saved under the cache directory for the next process (``EmbeddedLLM.prime``).
    return EmbeddedLLM(path, threads=settings.llm_threads, ctx=settings.llm_ctx, parallel=2,
                       timeout_s=settings.llm_timeout_s, prefix_dir=settings.cache_dir / "prompt-cache")
