"""The embedded model's saved prompts: a cold process restores the reader's instructions from disk
instead of reading them again (``EmbeddedLLM.prime``)."""

import json
import os
import urllib.request

import pytest

from qa.answer import reader
from qa.config import load_settings
from qa.llm import EmbeddedLLM, complete
from qa.llm.gguf import embedded_model_path

pytestmark = pytest.mark.slow

PREFIX = reader.reader_messages("warm up", [])


@pytest.fixture(scope="module")
def model_path():
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    settings = load_settings(env)
    return embedded_model_path(settings.cache_dir, settings.llm_model)


def _timings(llm: EmbeddedLLM, question: str) -> dict:
    """Ask through the engine's own listener, which reports how many prompt tokens came from cache."""
    body = {"messages": reader.reader_messages(question, []), "max_tokens": 1, "temperature": 0,
            "cache_prompt": True}
    request = urllib.request.Request(f"{llm.listening_address}/v1/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {llm._api_key}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["timings"]


def test_a_second_process_restores_the_instructions_instead_of_reading_them(model_path, tmp_path):
    first = EmbeddedLLM(model_path, parallel=1, prefix_dir=tmp_path)
    assert first.prime([PREFIX]) == ["read"]
    saved = list(tmp_path.glob("*.slot"))
    assert len(saved) == 1 and not list(tmp_path.glob("*.part"))
    del first

    second = EmbeddedLLM(model_path, parallel=1, prefix_dir=tmp_path)
    assert second.prime([PREFIX]) == ["restored"]
    timings = _timings(second, "How much has PURL delivered so far?")
    # Only the question's own tokens are read; the instructions (hundreds of tokens) come from the file.
    assert timings["cache_n"] > 300 and timings["prompt_n"] < 40
    # Another prompt has another file: a changed prompt never restores a stale cache.
    assert second.prime([reader.extract_messages("warm up", [])]) == ["read"]
    assert len(list(tmp_path.glob("*.slot"))) == 2


def test_a_damaged_file_is_read_again_and_answers_stay_the_same(model_path, tmp_path):
    first = EmbeddedLLM(model_path, parallel=1, prefix_dir=tmp_path)
    first.prime([PREFIX])
    messages = reader.extract_messages("Who won?", ["Alice won the race in Leeds on Sunday."])
    expected = complete(first, messages, max_tokens=8)
    del first
    (saved,) = tmp_path.glob("*.slot")
    saved.write_bytes(saved.read_bytes()[:1000])  # a disk that filled up, a copy cut short

    second = EmbeddedLLM(model_path, parallel=1, prefix_dir=tmp_path)
    assert second.prime([PREFIX]) == ["read"]
    assert complete(second, messages, max_tokens=8) == expected
    assert saved.stat().st_size > 1000  # saved again, whole


def test_an_unwritable_cache_only_costs_time(model_path, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    llm = EmbeddedLLM(model_path, parallel=1, prefix_dir=blocked / "prompts")
    assert llm.prime([PREFIX]) == ["read"]
    assert complete(llm, [{"role": "user", "content": "Reply with the word yes."}], max_tokens=3).strip()
